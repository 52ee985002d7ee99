/**
 * The one error vocabulary of effect-hackney.
 *
 * Every failure a request can meet is one of the tagged classes below, so a
 * caller can `Effect.catchTag("ConnectTimeout", …)` or handle the whole
 * {@link HackneyError} union. Each error carries:
 *
 * - `method` and `url`: the request it belongs to; the URL is redacted (no
 *   userinfo), so errors are safe to log;
 * - `cause`: the underlying error (a Node `Error`, an `Http1ParseError`, …);
 * - a `message` that says what happened and what to do about it. The wording
 *   is not API: match on `_tag` and `reason`.
 *
 * | `_tag`             | raised when                                               | retryable¹ |
 * |--------------------|-----------------------------------------------------------|------------|
 * | `ConnectTimeout`   | TCP/TLS/proxy connect exceeded `connectTimeout`           | yes        |
 * | `CheckoutTimeout`  | no pooled connection became free within `checkoutTimeout` | yes        |
 * | `RecvTimeout`      | the peer sent nothing for `recvTimeout`                   | no         |
 * | `RequestTimeout`   | the whole exchange exceeded the `timeout` option          | no         |
 * | `ConnectError`     | refused, DNS failure, unreachable, reset while connecting | yes        |
 * | `TlsError`         | certificate, hostname or handshake failure                | handshake  |
 * | `ConnectionClosed` | the peer closed the connection                            | if unsent  |
 * | `ProtocolError`    | the peer broke HTTP (malformed status, chunk size, …), or reset an HTTP/2 stream | REFUSED_STREAM |
 * | `TooManyRedirects` | more than `maxRedirect` redirects                         | no         |
 * | `InvalidRequest`   | bad URL, method, header name/value, body                  | no         |
 * | `ProxyError`       | a proxy refused, asked for auth, or broke SOCKS5          | no         |
 * | `BodyTooLarge`     | a body exceeded `maxBodySize`                             | no         |
 * | `DecodeError`      | a body is not valid JSON, or does not match a Schema      | no         |
 * | `MultipartError`   | a multipart body is malformed or over a decoding limit    | no         |
 * | `PoolClosed`       | the pool's scope was closed while the request waited      | no         |
 * | `BodyError`        | the caller's request body Stream failed (its error: cause)| no         |
 * | `ResponseClosed`   | a streamed body read after its scope closed, or read twice| no         |
 *
 * ¹ {@link isRetryable} is true only when the server did not process the
 * request: nothing of it reached the wire, the stale keep-alive race
 * (see {@link ConnectionClosed}), or an HTTP/2 stream refused
 * (`ProtocolError` `stream-reset` with `REFUSED_STREAM`, code 7). A `RecvTimeout` is not, whatever the
 * method; the `retry` option still retries it for idempotent methods.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HackneyError } from "effect-hackney"
 *
 * const recover = <A, R>(self: Effect.Effect<A, HackneyError.HackneyError, R>) =>
 *   self.pipe(
 *     Effect.catchTag("ConnectTimeout", (e) => Effect.logWarning(e.message).pipe(Effect.as(undefined)))
 *   )
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import * as text from "./internal/error/text.js"
import { h3RequestRejected, isHttp3Code as h3 } from "./internal/error/http3Reason.js"
import type { Http3Reason } from "./internal/error/http3Reason.js"

/**
 * The brand of every HackneyError value.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * console.log(HackneyError.TypeId in new HackneyError.PoolClosed({ pool: "p" })) // true
 * ```
 * @since 0.1.0
 * @category type IDs
 */
export const TypeId: unique symbol = Symbol.for("effect-hackney/HackneyError")

/**
 * @since 0.1.0
 * @category type IDs
 */
export type TypeId = typeof TypeId

/**
 * Fields every error carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Common {
  /** The request method, upper case, when the error belongs to a request. */
  readonly method?: string | undefined
  /** The request URL with userinfo removed, when the error belongs to a request. */
  readonly url?: string | undefined
  /** The underlying error. */
  readonly cause?: unknown
}

/**
 * The shape every error class shares: a tagged, yieldable error with the
 * {@link TypeId} brand and the fields `A`.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorClass<Tag extends string> = new<A extends Common>(
  args: A
) => Cause.YieldableError & { readonly _tag: Tag; readonly [TypeId]: TypeId } & Readonly<A>

// One helper builds every class: the tag, the brand, and URL redaction in one place.
const make = <const Tag extends string>(tag: Tag): ErrorClass<Tag> => {
  class Base extends Data.TaggedError(tag)<Record<string, unknown>> {
    readonly [TypeId]: TypeId = TypeId
    constructor(args: Common) {
      super(args.url === undefined ? { ...args } : { ...args, url: redactUrl(args.url) })
    }
  }
  return Base as any
}

/**
 * Connecting (TCP, TLS handshake, or proxy handshake) took longer than
 * `connectTimeout` (default 8 seconds).
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.ConnectTimeout({ host: "example.test", port: 443, timeoutMillis: 8000 })
 * console.log(e._tag) // "ConnectTimeout"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConnectTimeout extends make("ConnectTimeout")<Common & {
  readonly host: string
  readonly port: number
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `Connecting to ${this.host}:${this.port} took longer than ${this.timeoutMillis} ms${text.where(this)}. ` +
      `Check that the host is reachable, or raise the \`connectTimeout\` option.`
  }
}

/**
 * No connection of the pool became available within `checkoutTimeout`
 * (default: the `connectTimeout`, 8 seconds) because `maxPerHost`
 * connections to the host were busy.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.CheckoutTimeout({ pool: "default", host: "a.test", port: 80, timeoutMillis: 8000 })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class CheckoutTimeout extends make("CheckoutTimeout")<Common & {
  readonly pool: string
  readonly host: string
  readonly port: number
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `No connection to ${this.host}:${this.port} was free in pool "${this.pool}" within ${this.timeoutMillis} ms, all \`maxPerHost\` connections being busy${
      text.where(this)
    }. Raise \`maxPerHost\` or \`checkoutTimeout\`, or consume response bodies so that connections return to the pool.`
  }
}

/**
 * The peer sent nothing for `recvTimeout` (default 5 seconds) while a
 * response (its head or its body) was awaited. The request was sent and the
 * server may have processed it, so {@link isRetryable} is false whatever the
 * method (as undici's retry handler, which does not retry timeouts). Whether
 * to send it again is a policy: the `retry` request option does retry a
 * `RecvTimeout` of an idempotent method (GET, PUT, DELETE…), where
 * repeating it is safe by RFC 9110 §9.2.2.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.RecvTimeout({ timeoutMillis: 5000, phase: "headers" })
 * console.log(e.phase) // "headers"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class RecvTimeout extends make("RecvTimeout")<Common & {
  readonly timeoutMillis: number
  /** What was being awaited: the status line and headers, or body bytes. */
  readonly phase: "headers" | "body"
}> {
  override get message(): string {
    return `The server sent no ${this.phase === "headers" ? "response" : "body data"} for ${this.timeoutMillis} ms${
      text.where(this)
    }. The server may be overloaded or stalled; raise the \`recvTimeout\` option if it is legitimately slow.`
  }
}

/**
 * The request did not finish within its `timeout` option: a total deadline
 * for the whole exchange — checkout, connect, sending, the response head and,
 * for `Hackney.request` and the verbs, the body read — retries, their
 * delays and redirects included. For `Hackney.stream` and `Hackney.open`
 * the deadline ends when the response head arrives (`until: "head"`). The
 * request was interrupted and its connection closed; the server may have
 * processed it, so {@link isRetryable} is false.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.RequestTimeout({ timeoutMillis: 10000, until: "response" })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends make("RequestTimeout")<Common & {
  readonly timeoutMillis: number
  /** What the deadline covered: the whole response (body included), or its head (`stream`, `open`, one attempt). */
  readonly until: "response" | "head"
  /** The option whose deadline passed: the whole call's `timeout` (default), or one attempt's `attemptTimeout`. */
  readonly option?: "timeout" | "attemptTimeout" | undefined
}> {
  override get message(): string {
    const option = this.option ?? "timeout"
    return `The ${this.until === "head" ? "response head" : "complete response"} did not arrive within the ${
      option === "timeout" ? "request's" : "attempt's"
    } \`${option}\` of ${this.timeoutMillis} ms${
      text.where(this)
    }. Raise the \`${option}\` option if the server is legitimately slow, or find the slow phase with \`connectTimeout\` and \`recvTimeout\`.`
  }
}

/**
 * Why a connection could not be established.
 *
 * - `refused`: nothing listens on that port (ECONNREFUSED);
 * - `dns`: the host name does not resolve (ENOTFOUND, EAI_AGAIN);
 * - `unreachable`: no route to the host or network (EHOSTUNREACH, ENETUNREACH);
 * - `reset`: the peer reset the connection while connecting (ECONNRESET, EPIPE);
 * - `other`: any other socket error (see `code` and `cause`).
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectErrorReason = "refused" | "dns" | "unreachable" | "reset" | "other"

/**
 * The connection could not be established. Nothing was sent.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.ConnectError({ reason: "refused", host: "127.0.0.1", port: 1 })
 * console.log(e.reason) // "refused"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConnectError extends make("ConnectError")<Common & {
  readonly reason: ConnectErrorReason
  readonly host: string
  readonly port: number
  /** The system error code, such as `ECONNREFUSED`. */
  readonly code?: string | undefined
}> {
  override get message(): string {
    const what = {
      refused: "the connection was refused (nothing listens there)",
      dns: "the host name could not be resolved",
      unreachable: "the host or network is unreachable",
      reset: "the connection was reset while connecting",
      other: "the connection failed"
    }[this.reason]
    return `Could not connect to ${this.host}:${this.port}: ${what}${this.code ? ` [${this.code}]` : ""}${text.where(this)}. ` +
      `Check the URL, the port and the network (nothing was sent, so the request can be retried).`
  }
}

/**
 * Why TLS failed.
 *
 * - `certificate`: the chain does not verify against the trusted CAs
 *   (self-signed, unknown issuer, expired);
 * - `hostname`: the certificate is valid but not for this host;
 * - `handshake`: protocol failure (no shared version or cipher, reset mid-handshake).
 *
 * @since 0.1.0
 * @category models
 */
export type TlsErrorReason = "certificate" | "hostname" | "handshake"

/**
 * The TLS handshake failed. Verification is on by default; pass `ca` to
 * trust a private CA, or, only for tests, `insecure: true`.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.TlsError({ reason: "hostname", host: "a.test", port: 443 })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class TlsError extends make("TlsError")<Common & {
  readonly reason: TlsErrorReason
  readonly host: string
  readonly port: number
  readonly code?: string | undefined
}> {
  override get message(): string {
    const advice = this.reason === "handshake"
      ? "Check `tls.minVersion`/`tls.maxVersion`, the ALPN `protocols`, and that the port speaks TLS"
      : this.reason === "hostname"
      ? "The certificate does not name this host: connect with a name it lists, or set `tls.servername`"
      : "The certificate chain is not trusted: pass the issuing CA as `tls.ca` (or `insecure: true`, in tests only)"
    return `TLS with ${this.host}:${this.port} failed (${this.reason}${this.code ? `, ${this.code}` : ""})${
      text.causeText(this.cause)
    }${text.where(this)}. ${advice}.`
  }
}

/**
 * The peer closed the connection before the response was complete.
 *
 * - `requestSent`: whether any byte of the request was handed to the socket;
 * - `reused`: the connection had served earlier requests (a kept-alive one);
 * - `responseStarted`: whether any byte of the response arrived.
 *
 * A request that was never sent can be retried anywhere. A request sent on a
 * *reused* connection that closed *before any response byte* is the stale
 * keep-alive race (the server closed an idle connection as the request went
 * out; RFC 9112 §9.3.1): servers close such connections without processing
 * the request, so it is marked retryable too — effect-hackney retries it once
 * by itself when the method is idempotent and the body replayable, and leaves
 * the decision to the caller otherwise.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.ConnectionClosed({ requestSent: false })
 * console.log(HackneyError.isRetryable(e)) // true
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ConnectionClosed extends make("ConnectionClosed")<Common & {
  readonly requestSent: boolean
  readonly reused?: boolean | undefined
  readonly responseStarted?: boolean | undefined
}> {
  override get message(): string {
    const stale = this.requestSent && this.reused === true && this.responseStarted !== true
    return `The server closed the connection ${
      !this.requestSent
        ? "before the request was sent"
        : stale
        ? "(a reused keep-alive connection) before sending any response"
        : "before the response was complete"
    }${text.causeText(this.cause)}${text.where(this)}. ${
      !this.requestSent || stale
        ? "The server did not process the request; it can be retried."
        : "The request may have been processed; retry only if it is idempotent."
    }`
  }
}

/**
 * Why the peer broke HTTP: every value a {@link ProtocolError} can carry.
 * Like every error `reason` of this module, kebab-case.
 *
 * From the HTTP/1 parser — each is the kebab-case form of the parser's own
 * `Http1.ParseError` reason (`"InvalidStatusLine"` → `"invalid-status-line"`,
 * see `Http1.Http1ParseError` for what each means), and the parser error is
 * the `cause`:
 *
 * - the start line: `invalid-status-line`, `invalid-version`,
 *   `invalid-line-ending`, `invalid-request-line` (request mode only: a
 *   client does not raise it);
 * - the header section: `invalid-header-name`, `invalid-header-value`,
 *   `obsolete-line-folding`, `whitespace-before-headers`;
 * - the framing: `invalid-content-length`,
 *   `transfer-encoding-and-content-length`, `invalid-transfer-encoding`,
 *   `invalid-chunk-size`, `invalid-chunk-extension`, `invalid-chunk-data`,
 *   `unexpected-data`, `incomplete-message`;
 * - a limit (the `detail` names the option to raise): `start-line-too-long`
 *   (`maxStartLineLength`), `header-section-too-large` (`maxHeaderSize`),
 *   `too-many-headers` (`maxHeaderCount`), `chunk-extension-too-long`,
 *   `trailer-section-too-large`, `too-many-empty-lines`;
 * - `stopped`: the parser was used after an error (an internal bug).
 *
 * From the client itself:
 *
 * - `too-many-informational`: more than 100 informational (1xx) responses,
 *   or 64 KiB of them, before the final one;
 * - `multiple-locations`: a redirect to follow with several different
 *   `Location` fields;
 * - `unsupported-protocol`: TLS ALPN negotiated a protocol this client has
 *   no driver for;
 * - `decompression`: a `Content-Encoding` body (gzip, deflate, br) is
 *   truncated or corrupt (`autoDecompress`);
 *
 * From HTTP/2 (`code` is the HTTP/2 error code, `codeName` its name, RFC
 * 9113 §7):
 *
 * HTTP/3 alike (`H3_*` codes; `H3_REQUEST_REJECTED` as `REFUSED_STREAM`), and `h3-…`/`qpack-…`: the RFC 9114/9204 error it broke.
 * - `stream-reset`: the server reset this request's stream (`RST_STREAM`);
 *   the connection and its other requests go on. `REFUSED_STREAM` (7) means
 *   the server did not process it (also what a stream above a `GOAWAY`'s
 *   last stream id gets): {@link isRetryable}, and retried once by itself
 *   when the body can be sent again, whatever the method;
 * - `session-error`: the HTTP/2 connection failed as a whole: the server
 *   sent `GOAWAY` with an error, or broke the protocol (a malformed frame,
 *   an oversized header list, a flood of resets or settings, as nghttp2
 *   detects them); every request on it fails and it is closed;
 * - `internal`: the connection's parser callbacks failed unexpectedly (a bug
 *   of effect-hackney; `cause` is the thrown value).
 *
 * @since 0.1.0
 * @category models
 */
export type ProtocolErrorReason =
  | "invalid-status-line"
  | "invalid-request-line"
  | "invalid-version"
  | "invalid-line-ending"
  | "invalid-header-name"
  | "invalid-header-value"
  | "obsolete-line-folding"
  | "whitespace-before-headers"
  | "invalid-content-length"
  | "transfer-encoding-and-content-length"
  | "invalid-transfer-encoding"
  | "invalid-chunk-size"
  | "invalid-chunk-extension"
  | "invalid-chunk-data"
  | "start-line-too-long"
  | "header-section-too-large"
  | "too-many-headers"
  | "chunk-extension-too-long"
  | "trailer-section-too-large"
  | "too-many-empty-lines"
  | "unexpected-data"
  | "incomplete-message"
  | "stopped"
  | "too-many-informational"
  | "multiple-locations"
  | "unsupported-protocol"
  | "decompression"
  | "stream-reset"
  | "session-error"
  | "internal"
  | Http3Reason

/**
 * The peer broke the HTTP protocol: a malformed status line or header, an
 * invalid chunk size, conflicting lengths, a header section over the limit,
 * a corrupt compressed body, an ambiguous redirect. `reason` is one of
 * {@link ProtocolErrorReason}; for the HTTP/1 parser's reasons, `cause` is
 * the parser error itself (`Http1.Http1ParseError`, whose own `reason` keeps
 * the parser's PascalCase name) and `offset` the byte where it stopped.
 *
 * Changed after 0.1.0 (breaking, for the next 0.x release): `reason` was a
 * `string` holding the parser's PascalCase names (`"InvalidStatusLine"`,
 * `"TooManyInformational"`, `"Decompression"`); it is now the kebab-case
 * union {@link ProtocolErrorReason} (`"invalid-status-line"`,
 * `"too-many-informational"`, `"decompression"`), the case of every other
 * error's `reason`.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.ProtocolError({ reason: "invalid-chunk-size", detail: "non-hex digit" })
 * console.log(e.reason) // "invalid-chunk-size"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends make("ProtocolError")<Common & {
  readonly reason: ProtocolErrorReason
  readonly detail?: string | undefined
  /** Byte offset in the response stream, when known. */
  readonly offset?: number | undefined
  /** HTTP/2 (`stream-reset`, `session-error`): the error code (RFC 9113 §7), when one was received. */
  readonly code?: number | undefined
  /** HTTP/2: the name of `code` (`"REFUSED_STREAM"`, `"INTERNAL_ERROR"`, …). */
  readonly codeName?: string | undefined
}> {
  override get message(): string {
    if (this.reason === "stream-reset") {
      return `The server reset the ${h3(this.code) ? "HTTP/3" : "HTTP/2"} stream of this request (${this.codeName ?? "RST_STREAM"}${
        this.code !== undefined ? `, code ${this.code}` : ""
      })${text.where(this)}. ${
        this.code === 7 || this.code === h3RequestRejected
          ? "The server did not process it: it can be sent again."
          : "Other requests on the connection are unaffected; retry only if the request is idempotent."
      }`
    }
    if (this.reason === "session-error") {
      return `The ${h3(this.code) ? "HTTP/3" : "HTTP/2"} connection failed${this.codeName !== undefined ? ` (${this.codeName}, code ${this.code})` : ""}${
        this.detail ? `: ${text.oneLine(this.detail)}` : ""
      }${text.where(this)}. The connection was closed with every request on it; retry only idempotent requests, and report repeated failures to whoever runs the server.`
    }
    return `The server sent an invalid HTTP response (${this.reason}${this.detail ? `: ${text.oneLine(this.detail)}` : ""}${
      this.offset !== undefined ? ` at byte ${this.offset}` : ""
    })${text.where(this)}. The connection was closed; report it to whoever runs the server or the intermediary in between.`
  }
}

/**
 * More redirects than `maxRedirect` (default 5) were followed. `chain` lists
 * the redacted URLs visited, in order.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.TooManyRedirects({ max: 5, chain: ["http://a.test/1", "http://a.test/2"] })
 * console.log(e.chain.length)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class TooManyRedirects extends make("TooManyRedirects")<Common & {
  readonly max: number
  readonly chain: ReadonlyArray<string>
}> {
  constructor(args: Common & { readonly max: number; readonly chain: ReadonlyArray<string> }) {
    super({ ...args, chain: args.chain.map(redactUrl) })
  }
  override get message(): string {
    // The chain starts at the request's URL, which `where` already shows.
    const chain = this.url !== undefined && this.chain[0] === this.url ? this.chain.slice(1) : this.chain
    return `Stopped after ${this.max} redirects${text.where(this)}${chain.length > 0 ? `, through ${chain.join(" -> ")}` : ""}. ` +
      `This is likely a redirect loop: raise \`maxRedirect\` only if the chain is legitimately long.`
  }
}

/**
 * Why a request was rejected.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidRequestReason =
  | "url"
  | "scheme"
  | "method"
  | "target"
  | "header-name"
  | "header-value"
  | "body"
  | "option"
  | "middleware"
  | "private-address"

/**
 * The request itself is invalid (URL, method, header name or value — CR, LF
 * and NUL are rejected, never stripped — body or option), or a redirect
 * leads to a loopback, private or link-local address that
 * `blockPrivateRedirects` refuses (reason `"private-address"`). Nothing was sent,
 * unless `requestSent` says part of it was; `found` tells the two cases
 * that are not about the request as given: a pool's options, and a
 * redirect's target (the earlier requests of the chain were sent).
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.InvalidRequest({ reason: "header-value", detail: "x-id contains CR or LF" })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends make("InvalidRequest")<Common & {
  readonly reason: InvalidRequestReason
  readonly detail: string
  /** Part of the request had reached the socket already (a streamed body found invalid as it went out, or `send` after `finish`). Default false. */
  readonly requestSent?: boolean | undefined
  /**
   * Where the problem was found, when not in the request as given:
   * `"pool"`, the options or arguments of a pool function (`Pool.make`,
   * `Pool.layer`, `Pool.stats`, `Pool.prewarm`: no request is involved); `"redirect"`, the target of a redirect, after the
   * requests before it in the chain were sent and answered. Default: the
   * request as given, before anything was sent.
   */
  readonly found?: "pool" | "redirect" | undefined
}> {
  override get message(): string {
    return `Invalid ${this.found === "pool" ? "pool options or arguments" : "request"} (${this.reason}): ${text.oneLine(this.detail)}${
      text.where(this)
    }. ${
      this.found === "pool"
        ? "Fix the pool's options or the arguments of the Pool call (no request was made)"
        : this.found === "redirect"
        ? "The redirecting response was received and the redirect not followed; fix the request or the server's Location"
        : `Fix the request (${this.requestSent === true ? "part of it had already been sent" : "nothing was sent"})`
    }.`
  }
}

/**
 * Why a proxy failed.
 *
 * - `connect-refused`: an HTTP proxy answered the CONNECT with a non-2xx status;
 * - `auth-required`: the proxy answered 407; supply credentials;
 * - `auth-failed`: the proxy rejected the credentials;
 * - `socks5`: the SOCKS5 handshake failed (see `detail`);
 * - `invalid-response`: the proxy sent something that is not HTTP/SOCKS5.
 *
 * @since 0.1.0
 * @category models
 */
export type ProxyErrorReason = "connect-refused" | "auth-required" | "auth-failed" | "socks5" | "invalid-response"

/**
 * A proxy (HTTP CONNECT or SOCKS5, the `proxy` option or the environment)
 * refused or broke the tunnel: `connect-refused` (the proxy cannot be
 * reached; the `ConnectError` is the cause), `auth-required` (407, no
 * credentials sent) or `auth-failed` (407 to the credentials sent), both
 * with the `Proxy-Authenticate` challenge in `detail`; `invalid-response`
 * (another status, with it, or not HTTP, or closed mid-handshake);
 * `socks5` (method or credentials refused, or a reply code, with its
 * RFC 1928 meaning in `detail`). The proxy URL never shows credentials.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.ProxyError({ reason: "auth-required", proxy: "http://127.0.0.1:3128", status: 407 })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ProxyError extends make("ProxyError")<Common & {
  readonly reason: ProxyErrorReason
  readonly proxy: string
  readonly status?: number | undefined
  readonly detail?: string | undefined
}> {
  constructor(args: Common & {
    readonly reason: ProxyErrorReason
    readonly proxy: string
    readonly status?: number | undefined
    readonly detail?: string | undefined
  }) {
    super({ ...args, proxy: redactUrl(args.proxy) })
  }
  override get message(): string {
    const advice = this.reason === "auth-required" || this.reason === "auth-failed"
      ? "Give the proxy's user and password in its URL (http://user:pass@proxy)"
      : "Check the proxy URL, and that the proxy allows this destination"
    return `The proxy ${this.proxy} failed (${this.reason}${this.status !== undefined ? `, status ${this.status}` : ""}${
      this.detail ? `: ${text.oneLine(this.detail)}` : ""
    })${text.where(this)}. ${advice}.`
  }
}

/**
 * A body (after decompression, for responses) exceeded `maxBodySize`. The
 * connection is closed rather than drained.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.BodyTooLarge({ limit: 1024, direction: "response" })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class BodyTooLarge extends make("BodyTooLarge")<Common & {
  readonly limit: number
  readonly direction: "request" | "response"
}> {
  override get message(): string {
    return `The ${this.direction} body is larger than the limit of ${this.limit} bytes${text.where(this)}. ` +
      `Raise \`maxBodySize\`, or use \`Hackney.stream\` to process the body incrementally.`
  }
}

/**
 * Why a body could not be decoded.
 *
 * - `json`: it is not valid JSON (`cause` is the `SyntaxError`);
 * - `schema`: it is JSON, but does not match the Schema (`cause` is the
 *   `ParseError`, with every issue).
 *
 * @since 0.1.0
 * @category models
 */
export type DecodeErrorReason = "json" | "schema"

/**
 * A response body could not be decoded (`Hackney.json`,
 * `Hackney.schemaJson`): invalid JSON, or JSON that does not match the
 * Schema. `detail` says where; the body itself is not in the error.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.DecodeError({ reason: "json", detail: "Unexpected end of JSON input" })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends make("DecodeError")<Common & {
  readonly reason: DecodeErrorReason
  readonly detail: string
}> {
  override get message(): string {
    return this.reason === "json"
      ? `The response body is not valid JSON (${text.oneLine(this.detail)})${text.where(this)}. ` +
        `Check the response's status and Content-Type before decoding its body.`
      : `The response body does not match the schema (${text.oneLine(this.detail)})${text.where(this)}. ` +
        `Check the server's API against the schema (the error's cause lists every issue).`
  }
}

/**
 * Why a multipart body could not be decoded (`Multipart.decode`,
 * `Multipart.decodeAll`, `StreamingResponse.multipart`):
 *
 * - `invalid-content-type`: the media type is not `multipart/*`;
 * - `missing-boundary`: it has no `boundary` parameter;
 * - `invalid-boundary`: the boundary is not 1 to 70 RFC 2046 characters;
 * - `missing-closing-boundary`: the input ended before the closing
 *   boundary line (a truncated body, or no boundary line at all);
 * - `invalid-header`: a part's header line has no colon or a bad name;
 * - `header-too-large`, `too-many-headers`, `too-many-parts`, `too-large`:
 *   over the `maxHeaderSize`, `maxHeaders`, `maxParts` or `maxTotalSize`
 *   limit;
 * - `body-unavailable`: a part's body was read after the decoder moved to
 *   the next part (bodies are read in order, once).
 *
 * @since 0.1.0
 * @category models
 */
export type MultipartErrorReason =
  | "invalid-content-type"
  | "missing-boundary"
  | "invalid-boundary"
  | "missing-closing-boundary"
  | "invalid-header"
  | "header-too-large"
  | "too-many-headers"
  | "too-many-parts"
  | "too-large"
  | "body-unavailable"

/**
 * A multipart body could not be decoded: malformed (see
 * {@link MultipartErrorReason}) or over a limit of the decoder. Its own
 * class rather than a `ProtocolError`: the bytes may come from a response,
 * a file or any stream, and the connection is not at fault (a response's
 * HTTP framing was fine; its content is not valid multipart). Decoding
 * stops; `detail` says where.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.MultipartError({ reason: "missing-boundary", detail: "multipart/form-data has no boundary parameter" })
 * console.log(e.reason) // "missing-boundary"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class MultipartError extends make("MultipartError")<Common & {
  readonly reason: MultipartErrorReason
  readonly detail: string
}> {
  override get message(): string {
    const limit = this.reason === "header-too-large" || this.reason === "too-many-headers" || this.reason === "too-many-parts" ||
      this.reason === "too-large"
    return `The multipart body could not be decoded (${this.reason}: ${text.oneLine(this.detail)})${text.where(this)}. ` +
      (limit
        ? "Raise the decoder's limit if such bodies are expected, or reject the body."
        : this.reason === "body-unavailable"
        ? "Read each part's body before pulling the next part."
        : "Check the Content-Type's boundary and that the body is complete multipart; report it to whoever produced it.")
  }
}

/**
 * The pool was closed (its scope ended) while the request waited for, or
 * held, one of its connections.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.PoolClosed({ pool: "api" })
 * console.log(e.message)
 * ```
 * @since 0.1.0
 * @category errors
 */
export class PoolClosed extends make("PoolClosed")<Common & { readonly pool: string }> {
  override get message(): string {
    return `The pool "${this.pool}" was closed${text.where(this)}. ` +
      `Run requests inside the scope that provides the pool (for example under \`Effect.provide(Hackney.layer)\`).`
  }
}

/**
 * The caller's request body `Stream` failed while the request was being sent.
 * `cause` is the Stream's own error, unchanged (match on it to recover your
 * error type). `requestSent` says whether any of the request — its head,
 * then `bodyBytesSent` bytes of body — had reached the socket: the server saw
 * an incomplete request, so the connection is closed, never reused. Not
 * retryable by `isRetryable` (the body Stream would fail again; build a new
 * one). A *defect* in the body Stream (`Stream.die`, a throw) is not turned
 * into this error: the request dies with that defect, after the connection
 * was closed.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Hackney } from "effect-hackney"
 * const body = Stream.concat(Stream.make(new Uint8Array([1])), Stream.fail(new Error("disk gone")))
 * const program = Hackney.post("http://127.0.0.1:8080/upload", { body }).pipe(
 *   Effect.catchTag("BodyError", (e) => Effect.succeed(`upload failed: ${String(e.cause)}`))
 * )
 * ```
 * @since 0.1.0
 * @category errors
 */
export class BodyError extends make("BodyError")<Common & {
  readonly requestSent: boolean
  readonly bodyBytesSent: number
}> {
  override get message(): string {
    return `The request body stream failed${
      this.requestSent ? ` after the request head and ${this.bodyBytesSent} body bytes were sent` : " before anything was sent"
    }${text.causeText(this.cause)}${text.where(this)}. The connection was closed; fix the body stream (its error is the cause) and send a new request.`
  }
}

/**
 * Why a streamed response body can no longer be read (see
 * {@link ResponseClosed}): `scope-closed` or `already-read`.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseClosedReason = "scope-closed" | "already-read"

/**
 * A streamed response body can no longer be read:
 *
 * - `scope-closed`: the Scope that held the response (`Hackney.stream`,
 *   `Hackney.open`) closed, which released its connection;
 * - `already-read`: the body was read to its end already (`body`, `bytes`
 *   and `text` consume it; a second read does not return it again).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * // Wrong: the scope closes before the body is read (fails with ResponseClosed "scope-closed").
 * const wrong = Effect.flatMap(Effect.scoped(Hackney.stream("GET", "http://127.0.0.1:8080/")), (res) => res.text)
 * // Right: read inside the scope.
 * const right = Effect.scoped(Effect.flatMap(Hackney.stream("GET", "http://127.0.0.1:8080/"), (res) => res.text))
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ResponseClosed extends make("ResponseClosed")<Common & {
  readonly reason: ResponseClosedReason
}> {
  override get message(): string {
    return this.reason === "scope-closed"
      ? `The response body was read after the scope holding the response closed${text.where(this)}. ` +
        `Read it inside that scope (in the same Effect.scoped), or use Hackney.request to get the body collected.`
      : `The response body was read to its end already${text.where(this)}. ` +
        `Keep the result of the first read (a streamed body is read once), or use Hackney.request for a body you can reuse.`
  }
}

/**
 * Every error effect-hackney raises.
 *
 * @since 0.1.0
 * @category models
 */
export type HackneyError =
  | ConnectTimeout
  | CheckoutTimeout
  | RecvTimeout
  | RequestTimeout
  | ConnectError
  | TlsError
  | ConnectionClosed
  | ProtocolError
  | TooManyRedirects
  | InvalidRequest
  | ProxyError
  | BodyTooLarge
  | PoolClosed
  | BodyError
  | ResponseClosed
  | DecodeError
  | MultipartError

/**
 * Whether a value is one of effect-hackney's errors.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * console.log(HackneyError.isHackneyError(new Error("x"))) // false
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isHackneyError = (u: unknown): u is HackneyError => Predicate.hasProperty(u, TypeId)

/**
 * True for the timeouts: `ConnectTimeout`, `CheckoutTimeout`, `RecvTimeout`, `RequestTimeout`.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * console.log(HackneyError.isTimeout(new HackneyError.RecvTimeout({ timeoutMillis: 1, phase: "body" }))) // true
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isTimeout = (u: unknown): boolean =>
  isHackneyError(u) &&
  (u._tag === "ConnectTimeout" || u._tag === "CheckoutTimeout" || u._tag === "RecvTimeout" || u._tag === "RequestTimeout")

/**
 * True when the server did not process the request, so sending it again —
 * on another connection — cannot repeat a side effect: connect failures and
 * timeouts, checkout timeouts, TLS handshake failures, a connection that
 * closed before the request was written, and the stale keep-alive race (see
 * {@link ConnectionClosed}). Certificate and hostname failures are not
 * retryable: they will fail again.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * console.log(HackneyError.isRetryable(new HackneyError.ConnectionClosed({ requestSent: true }))) // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (u: unknown): boolean => {
  if (!isHackneyError(u)) return false
  switch (u._tag) {
    case "ConnectTimeout":
    case "CheckoutTimeout":
    case "ConnectError":
      return true
    case "TlsError":
      return u.reason === "handshake"
    case "ConnectionClosed":
      return !u.requestSent || (u.reused === true && u.responseStarted !== true)
    case "ProtocolError":
      return u.reason === "stream-reset" && (u.code === 7 || u.code === h3RequestRejected)
    default:
      return false
  }
}

/**
 * The error's message without its request part (`(GET http://…)`), for a
 * wrapper that names the request itself: the `RequestError` and
 * `ResponseError` of `HackneyHttpClient` use it, so their messages show the
 * request once.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * const e = new HackneyError.RecvTimeout({ timeoutMillis: 5000, phase: "headers", method: "GET", url: "http://a.test/" })
 * console.log(HackneyError.messageWithoutRequest(e)) // "The server sent no response for 5000 ms. The server may be …"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const messageWithoutRequest = (e: HackneyError): string => {
  const w = text.where(e)
  return w === "" ? e.message : e.message.replace(w, "")
}

/**
 * Removes the userinfo (`user:password@`) from a URL string, for logs and
 * errors. Strings that are not absolute URLs are returned unchanged.
 *
 * @example
 * ```ts
 * import { HackneyError } from "effect-hackney"
 * console.log(HackneyError.redactUrl("http://u:p@a.test/x")) // "http://a.test/x"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const redactUrl: (url: string) => string = text.redactUrl
