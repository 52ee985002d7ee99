/**
 * hackney's verbs, Effect-native: one-shot requests with the body returned
 * directly, streaming responses (hackney's `async`, `{async, once}` and
 * `stream_body`), streaming request bodies (`send_body` /
 * `finish_send_body` / `start_response`) and the low-level connection API.
 *
 * Every request is an Effect that fails with a typed {@link HackneyError}
 * (`ConnectTimeout`, `RecvTimeout`, `ConnectionClosed`, …); timeouts run on
 * Effect's Clock; streaming responses and connections are scoped, so their
 * sockets are released whatever happens.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 *
 * const program = Effect.gen(function*() {
 *   const res = yield* Hackney.post("http://127.0.0.1:8080/items", {
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ name: "a" })
 *   })
 *   console.log(res.status, res.text())
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as net from "node:net"
import type * as tls from "node:tls"
import type * as CookieJar from "./CookieJar.js"
import { InvalidRequest } from "./HackneyError.js"
import type { DecodeError, HackneyError } from "./HackneyError.js"
import type * as Headers from "./Headers.js"
import type * as Middleware from "./Middleware.js"
import type * as Observability from "./Observability.js"
import type * as Progress from "./Progress.js"
import * as Pool from "./Pool.js"
import type * as Multipart from "./Multipart.js"
import type * as QueryString from "./QueryString.js"
import type * as Url from "./Url.js"
import * as connection from "./internal/client/connection.js"
import { jarOf, sourceOf } from "./internal/client/context.js"
import { connectUrl } from "./internal/client/connectTarget.js"
import * as jsonBody from "./internal/client/json.js"
import * as shorthands from "./internal/client/shorthands.js"
import * as singleExchange from "./internal/client/singleExchange.js"
import * as execute from "./internal/client/execute.js"
import * as pipeline from "./internal/client/pipeline.js"
import * as progress from "./internal/client/progress.js"
import * as observe from "./internal/client/observe.js"
import { resolve } from "./internal/client/options.js"
import { annotate, prepare, prepareResolved } from "./internal/client/prepare.js"
import * as RequestUrl from "./internal/client/requestUrl.js"
import { openFile } from "./internal/node/file.js"
import type { TlsOptions as InternalTlsOptions } from "./internal/node/socket.js"
import type { DialOptions } from "./internal/pool/dialSpec.js"
import type { RedirectGuardOptions } from "./internal/engine/redirectGuard.js"
import { wheelOfFiber } from "./internal/timer/wheel.js"

/**
 * A request body.
 *
 * - `string`: sent as UTF-8; `Content-Type: text/plain; charset=utf-8` unless set;
 * - `Uint8Array`: sent as is; `Content-Type: application/octet-stream` unless set (hackney);
 * - `{ form }`: `application/x-www-form-urlencoded` (hackney's `{form, KVs}`);
 * - `{ file }`: streamed from disk with its size as Content-Length;
 * - `{ multipart }`: `multipart/form-data` (hackney's `{multipart, Parts}`), see `Multipart`;
 * - `Stream<Uint8Array>`: chunked, or identity when the caller sets
 *   `Content-Length` (the byte count is then checked). If the Stream fails,
 *   the request fails with `BodyError`, whose `cause` is the Stream's error
 *   unchanged and whose `requestSent` / `bodyBytesSent` say what reached the
 *   wire; a defect in it (`Stream.die`) is the request's defect. Either way
 *   the connection is closed, never reused.
 *
 * @since 0.1.0
 * @category models
 */
export type Body =
  | string
  | Uint8Array
  | { readonly form: QueryString.Input }
  | { readonly file: string }
  | { readonly multipart: ReadonlyArray<Multipart.Part> }
  | Stream.Stream<Uint8Array, unknown>

/**
 * The URL of a request: text (hackney's lenient form, where `host:8080/x`
 * means `http://host:8080/x`), a parsed {@link Url.Url}, or a WHATWG `URL`
 * (as undici, got and ky accept). Only `http`, `https` and `http+unix` URLs
 * can be requested: another scheme (`ws:`, `ftp:`, `socks5:`, `file:`), a
 * URI without `//` (`mailto:x@host`) or a relative URL (`/x`) fails with
 * `InvalidRequest` before any I/O.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const url: Hackney.UrlInput = new URL("/items?page=2", "http://127.0.0.1:8080")
 * const program = Hackney.get(url)
 * ```
 * @since 0.1.0
 * @category models
 */
export type UrlInput = string | Url.Url | URL

/**
 * TLS options. Verification is always on unless the request sets `insecure: true`.
 *
 * @since 0.1.0
 * @category models
 */
export type TlsOptions = Omit<InternalTlsOptions, "insecure">

/**
 * Request options. Every field is optional.
 *
 * Treat an options object as immutable once used: it is validated once,
 * and what it implies for connecting (timeouts, TLS, pool key) is memoised
 * per object, so reusing one object for many requests is the fast path, and
 * mutating it in place between requests is not seen. Build a new object
 * instead (`{ ...base, … }`).
 *
 * A value of the wrong type or out of range (`recvTimeout: 0`,
 * `maxPerHost: 0`, `maxBodySize: -1`, `"5 secs"`) fails the request with
 * `InvalidRequest` (`reason: "option"`) naming the option, the value and
 * what it accepts, before any I/O.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends DialOptions, RedirectGuardOptions, Middleware.Options, Observability.Options, Progress.Options {
  /** Request headers: a record or `[name, value]` pairs (order kept). */
  readonly headers?: Headers.Input | undefined
  /** The request body. Default: none. */
  readonly body?: Body | undefined
  /**
   * TCP connect plus TLS handshake: a duration above zero (milliseconds, a
   * `Duration`, or text such as `"5 seconds"`), `Infinity` for no limit.
   * Default 8 seconds.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * Inactivity while awaiting the response (head or body): a duration above
   * zero, `Infinity` for no limit. Default 5 seconds.
   */
  readonly recvTimeout?: Duration.DurationInput | undefined
  /**
   * Waiting for a pooled connection when `maxPerHost` are busy: a duration;
   * `0` fails at once with `CheckoutTimeout` when no connection is free,
   * `Infinity` waits without limit. Default: the pool's (else the connect
   * timeout, 8 seconds).
   */
  readonly checkoutTimeout?: Duration.DurationInput | undefined
  /**
   * Connections in use plus connecting to this request's host (hackney's
   * `max_per_host` request option): an integer from 1, `Infinity` for no
   * limit. Default: the pool's `maxPerHost` (50).
   */
  readonly maxPerHost?: number | undefined
  /**
   * A pool name, a {@link Pool.Pool}, or `false` for a direct connection.
   * A name must be one a running `Pool.layer` / `Pool.make` registered, or
   * `"default"` (without a layer of that name: a process-wide pool with the
   * default options, created on first use); any other name fails the
   * request with `InvalidRequest` (reason `"option"`) before any I/O — as
   * `Pool.stats` does for it. Default: the `Pool` in context, else `"default"`.
   */
  readonly pool?: string | Pool.Pool | false | undefined
  /**
   * Largest response body accepted, in bytes (after decompression); more
   * fails with `BodyTooLarge`. An integer from 0 (`0` accepts only empty
   * bodies), `Infinity` for no limit. Default: no limit.
   */
  readonly maxBodySize?: number | undefined
  /**
   * Largest response head accepted (status line, header lines and their line
   * endings), in bytes; a larger one fails with `ProtocolError` (reason
   * `"header-section-too-large"`, naming this option). An integer from 1.
   * Default: the pool's `maxHeaderSize` (16384, 16 KiB, as Node's and undici's).
   */
  readonly maxHeaderSize?: number | undefined
  /**
   * Most header fields in a response head (and trailer fields after a chunked
   * body); more fail with `ProtocolError` (reason `"too-many-headers"`). An
   * integer from 1. Default: the pool's `maxHeaderCount` (256).
   */
  readonly maxHeaderCount?: number | undefined
  /**
   * Longest response status line, in bytes without its line ending; longer
   * fails with `ProtocolError` (reason `"start-line-too-long"`). An integer
   * from 1. Default: the pool's `maxStartLineLength` (8192).
   */
  readonly maxStartLineLength?: number | undefined
  /** `[user, password]` for `Authorization: Basic`. Userinfo in the URL wins. Default: none. */
  readonly basicAuth?: readonly [string, string] | undefined
  /** TLS options (CA, client certificate, SNI, versions, session reuse). */
  readonly tls?: TlsOptions | undefined
  /** Skip TLS certificate and hostname verification. For tests only. Default false. */
  readonly insecure?: boolean | undefined
  /**
   * Protocols that may be used, in order of preference: `"h2"` and
   * `"http/1.1"` (hackney's `"http2"`, `"http1"` too). For `https://` the
   * list is offered over TLS by ALPN and the server picks; default
   * `["h2", "http/1.1"]`. For `http://` (and Unix sockets) there is no
   * negotiation: default HTTP/1.1; with a list, its first entry is spoken
   * with prior knowledge (`["h2"]` is h2c, RFC 9113 §3.3; no `Upgrade`).
   * `"h3"` (hackney's `"http3"`) is never in the default. For `https://`:
   * `["h3"]` alone forces HTTP/3 over QUIC (no fallback; not through a
   * proxy); first in a list (`["h3", "h2", "http/1.1"]`) it is preferred:
   * a pool's new connections race QUIC to the origin against TCP (300 ms
   * head start) and fall back, a lost race skipping QUIC for that origin for
   * 5 minutes and more; after a TCP protocol (`["h2", "http/1.1", "h3"]`) it
   * is discovered: TCP first, then the race once the origin announced
   * `Alt-Svc: h3` (`pool: false` connections race too, sharing one cache).
   * Over `http://` it is skipped. `Response.protocol`
   * says what was used. An empty list or an unknown name fails with
   * `InvalidRequest`. See docs/http2.md, docs/http3.md.
   */
  readonly protocols?: ReadonlyArray<string> | undefined
  /** A custom DNS lookup (as `net.connect`'s). Default: the system resolver. */
  readonly lookup?: net.LookupFunction | undefined
  /** Restrict to one address family. Default: both, RFC 8305 style. */
  readonly family?: 0 | 4 | 6 | undefined
  /** Local address to bind. */
  readonly localAddress?: string | undefined
  /**
   * A proxy URL: `http://[user:pass@]host:port` (CONNECT tunnel for `https:`
   * targets, absolute-form requests for `http:` ones), `https://…` (the same
   * over TLS with the proxy), `socks5://`/`socks5h://` (RFC 1928, RFC 1929
   * credentials); `false`: no proxy, environment ignored. Default:
   * the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`,
   * read through `effect/Config`; see docs/proxies.md).
   */
  readonly proxy?: string | false | undefined
  /** `[user, password]` for the proxy (over the URL's userinfo). Default: the URL's, else none. */
  readonly proxyAuth?: readonly [user: string, password: string] | undefined
  /** Hosts that go direct, as `NO_PROXY` (`*`, domains, IPs, CIDR, `:port`); replaces `NO_PROXY`. Default: `NO_PROXY`. */
  readonly noProxy?: string | ReadonlyArray<string> | undefined
  /** SOCKS5: `"remote"` sends the host name, `"local"` resolves it here and sends the address. Default `"remote"`. */
  readonly socks5Resolve?: "remote" | "local" | undefined
  /** TLS options for an `https://` proxy (verified against the proxy's name). Default: the system's trust store. */
  readonly proxyTls?: TlsOptions | undefined
  /**
   * With `Hackney.open` and `Expect: 100-continue`: how long to wait for
   * `100` before sending the body anyway: a duration; `0` sends at once,
   * `Infinity` waits for the server's answer. Default 1 second.
   */
  readonly continueTimeout?: Duration.DurationInput | undefined
  /**
   * Follow 301/302/303/307/308 responses that carry a `Location` (resolved
   * per RFC 3986 against the current URL). 301/302/303 re-issue as `GET`
   * without a body (a `HEAD` stays `HEAD`); 307/308 resend the method and
   * body (a `Stream` body cannot be replayed: `InvalidRequest`). Also in
   * `Hackney.stream`. The chain is in `Response.redirects`. Default `false`
   * (as hackney).
   *
   * The `Location` field: raw non-ASCII bytes in it are percent-encoded as
   * sent (UTF-8 `Ø¢`, bytes D8 A2, is requested as `%D8%A2`). A 3xx without
   * a `Location`, or with an empty one, is not followed: it is the response
   * (as curl and browsers). A 3xx with several different `Location` fields
   * is ambiguous and fails with `ProtocolError` (reason
   * `"multiple-locations"`), as browsers refuse it; identical repeats count
   * as one.
   */
  readonly followRedirect?: boolean | undefined
  /**
   * Redirects followed at most; one more fails with `TooManyRedirects`. An
   * integer from 0 (`0`: the first redirect fails). Default 5.
   */
  readonly maxRedirect?: number | undefined
  /**
   * Keep the credentials (`Authorization`, `Cookie`, `Proxy-Authorization`,
   * `basicAuth`, `cookie`, URL userinfo) when a redirect changes the origin
   * (scheme, host or port). Default `false`: they are dropped; other headers
   * are kept.
   */
  readonly locationTrusted?: boolean | undefined
  /**
   * Cookies to send (hackney's `cookie`): a ready `Cookie` header value or
   * `[name, value]` pairs, joined into one `Cookie` header that replaces a
   * `Cookie` in `headers`. Cookies from a jar are appended. Default: none.
   */
  readonly cookie?: string | ReadonlyArray<readonly [string, string]> | undefined
  /**
   * A {@link CookieJar.CookieJar} that stores the Set-Cookie headers of every
   * response (each hop of a redirect chain included) and supplies the
   * matching cookies; `false` for none. Default: the `CookieJar` service in
   * the context, if provided (`CookieJar.layer`), else none.
   */
  readonly cookieJar?: CookieJar.CookieJar | false | undefined
  /**
   * Send `Accept-Encoding: gzip, deflate, br` (and `zstd` when this Node's
   * zlib has it: Node 22.15+, 23.8+) unless `headers` has one, and decode the
   * response body as it streams, in `request` and `stream` alike. A decoded
   * response has no `Content-Encoding` and no `Content-Length` header.
   * `maxBodySize` applies to the decoded bytes; a corrupt or truncated body
   * fails with `ProtocolError` (reason `"decompression"`). Codings that
   * cannot be decoded here — unknown ones, and zstd on Node 20 — are left as
   * they are, body and headers, so such a body still says `Content-Encoding`.
   * Default `false` (as hackney).
   */
  readonly autoDecompress?: boolean | undefined
  /**
   * Retry on this Schedule (its delays run on Effect's Clock): transport
   * errors that left the server untouched (`HackneyError.isRetryable`), plus
   * `RecvTimeout` and `ConnectionClosed`, and the statuses in
   * `retryStatuses`; a `Retry-After` header (seconds or an HTTP date) is the
   * floor of the delay. Only idempotent methods (GET, HEAD, OPTIONS, TRACE,
   * PUT, DELETE, QUERY) with a replayable body (not a `Stream`) are retried,
   * unless `retryNonIdempotent`. When the schedule ends, the last error
   * fails, or the last response is returned. The one resend after a stale
   * kept-alive connection (see `docs/pooling.md`) is part of an attempt: it
   * does not step the Schedule, which sees what that resend leads to.
   * Default: no retries.
   */
  readonly retry?: Schedule.Schedule<unknown, RetryInput> | undefined
  /** Retry POST, PATCH and other non-idempotent methods too. Default `false`. */
  readonly retryNonIdempotent?: boolean | undefined
  /** The statuses retried by `retry`. Default `[408, 429, 502, 503, 504]`. */
  readonly retryStatuses?: ReadonlyArray<number> | undefined
  /**
   * Query parameters ({@link Query}) appended, in order, after the URL's own
   * query (kept as written), with hackney's encoding (space as `+`). Default: none.
   */
  readonly query?: Query | undefined
  /**
   * A body serialised with `JSON.stringify`, with `Content-Type: application/json`
   * unless `headers` has one. With `body` too, or a value JSON cannot serialise
   * (a BigInt, a cycle, a function): `InvalidRequest` (reason `"body"`) before
   * any I/O. `undefined` means no `json`, as for every option. Default: none.
   */
  readonly json?: unknown
  /**
   * A deadline for the whole exchange, on Effect's Clock: checkout, connect,
   * sending, the response head and (in {@link request} and the verbs) the
   * body read, with retries, their delays and redirects included — it is
   * the bound of the whole call, where `connectTimeout`, `recvTimeout` and
   * `checkoutTimeout` bound one phase of one attempt. `stream` and `open`:
   * until the response head arrives (read the body within `recvTimeout`
   * per chunk, or bound it with `Stream.timeout`). Past it the request is
   * interrupted, its connection closed, and it fails with `RequestTimeout`.
   * Per attempt: `attemptTimeout`. A duration above zero, `Infinity` for
   * none. Default: none.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * A deadline for each attempt — each try of `retry`, each hop of a
   * redirect — from its checkout to its response head, failing it with
   * `RequestTimeout` (`option: "attemptTimeout"`), which `retry` retries as
   * it retries `RecvTimeout`. Not with `open` or `connect` (one attempt: use
   * `timeout`). A duration above zero, `Infinity` for none. Default: none.
   */
  readonly attemptTimeout?: Duration.DurationInput | undefined
}

/**
 * The `query` option: a record — a value is a string, a finite number or a
 * boolean (written as `String(value)`: `true`, `2`), an array repeats the
 * key, `undefined` is skipped — or `[key, value]` pairs, or a
 * `URLSearchParams`, kept in order.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const query: Hackney.Query = { q: "a b", page: 2, tag: ["x", "y"], draft: undefined }
 * // GET /search?lang=en&q=a+b&page=2&tag=x&tag=y
 * const program = Hackney.get("http://127.0.0.1:8080/search?lang=en", { query })
 * ```
 * @since 0.1.0
 * @category models
 */
export type Query =
  | { readonly [key: string]: string | number | boolean | ReadonlyArray<string | number | boolean> | undefined }
  | ReadonlyArray<readonly [string, string | number | boolean]>
  | URLSearchParams

/**
 * What a `retry` Schedule is stepped with: the error of the attempt, or the
 * status (and headers) of a response that asked for a retry.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Hackney } from "effect-hackney"
 * // Retry errors only, up to 3 times, 100 ms apart.
 * const schedule = Schedule.spaced("100 millis").pipe(
 *   Schedule.whileInput((input: Hackney.RetryInput) => input._tag !== "Status"),
 *   Schedule.intersect(Schedule.recurs(3))
 * )
 * ```
 * @since 0.1.0
 * @category models
 */
export type RetryInput = HackneyError | {
  readonly _tag: "Status"
  readonly status: number
  readonly headers: Headers.Headers
}

/**
 * One redirect that was followed: the URL that answered (userinfo removed),
 * its status, and where it pointed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const chain = Effect.map(
 *   Hackney.get("http://127.0.0.1:8080/old", { followRedirect: true }),
 *   (res) => res.redirects.map((r: Hackney.Redirect) => `${r.status} ${r.url} -> ${r.location}`)
 * )
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Redirect {
  readonly status: number
  readonly url: string
  readonly location: string
}

/**
 * An informational (1xx) response that preceded the final one (100 Continue, 103 Early Hints).
 *
 * A request accepts at most 100 of them, and 64 KiB of their heads in
 * total; past either bound it fails with `ProtocolError` (reason
 * `"too-many-informational"`) and the connection is closed: each 1xx resets
 * the `recvTimeout`, so an endless stream of `102 Processing` would
 * otherwise hold the request forever.
 *
 * @since 0.1.0
 * @category models
 */
export interface Informational {
  readonly status: number
  readonly reason: string
  readonly headers: Headers.Headers
}

/**
 * A response with its whole body.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly reason: string
  readonly headers: Headers.Headers
  /** The body; empty for HEAD, 204 and 304. */
  readonly body: Uint8Array
  /** The URL that answered. */
  readonly url: string
  /** The protocol that carried the response: `"h2"` (negotiated by ALPN, or h2c), `"h3"` (QUIC, `protocols: ["h3", …]`) or `"http/1.1"`. */
  readonly protocol: "http/1.1" | "h2" | "h3"
  /** Trailers of a chunked response, if any. */
  readonly trailers: Headers.Headers | undefined
  /** 1xx responses received before this one (at most 100; see {@link Informational}). */
  readonly informational: ReadonlyArray<Informational>
  /** The redirects followed to get here, in order (empty without `followRedirect`). */
  readonly redirects: ReadonlyArray<Redirect>
  /**
   * A header's value, or `undefined`; a repeated field's values joined with `", "`
   * (RFC 9110 §5.3), `Set-Cookie` too (as `fetch`), so read cookies with `headerAll`.
   */
  header(name: string): string | undefined
  /** Every value of a header, in order, never joined; empty when absent. */
  headerAll(name: string): ReadonlyArray<string>
  /** The body decoded as UTF-8. */
  text(): string
  /**
   * The body parsed as JSON; throws on invalid JSON, as `JSON.parse` (inside
   * `Effect.map` that is a defect). Prefer {@link json} / {@link schemaJson},
   * which fail with a typed `DecodeError`.
   */
  json(): unknown
}

/**
 * A response whose body is read as a Stream. It lives in a Scope: when the
 * scope closes the connection returns to the pool if the body was read to
 * the end, and is closed otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamingResponse {
  readonly status: number
  readonly reason: string
  readonly headers: Headers.Headers
  readonly url: string
  readonly protocol: "http/1.1" | "h2" | "h3"
  /** 1xx responses received before this one (at most 100; see {@link Informational}). */
  readonly informational: ReadonlyArray<Informational>
  /** The redirects followed to get here, in order (empty without `followRedirect`). */
  readonly redirects: ReadonlyArray<Redirect>
  /**
   * The body, pulled from the socket with backpressure: one cursor over the
   * body, read once (`body`, `bytes` and `text` share it; several partial
   * reads continue where the last stopped). Read inside the response's
   * scope: after it closed, a read fails at once with `ResponseClosed`
   * (`"scope-closed"`); once the body was read to its end, a new read fails
   * with `ResponseClosed` (`"already-read"`) — keep the first result.
   */
  readonly body: Stream.Stream<Uint8Array, HackneyError>
  /** Reads the (rest of the) body; see {@link StreamingResponse.body} for reading twice or after the scope. */
  readonly bytes: Effect.Effect<Uint8Array, HackneyError>
  /** Reads the (rest of the) body as UTF-8 (as JSON: {@link json}, {@link schemaJson}); see {@link StreamingResponse.body} for reading twice or after the scope. */
  readonly text: Effect.Effect<string, HackneyError>
  /** The trailers, once the body has been read. */
  readonly trailers: Effect.Effect<Headers.Headers | undefined, HackneyError>
  /** A header's value, or `undefined`; repeated fields joined with `", "` (see {@link Response.header}). */
  header(name: string): string | undefined
  /** Every value of a header, in order, never joined; empty when absent. */
  headerAll(name: string): ReadonlyArray<string>
  /** The body decoded part by part with its Content-Type's boundary (hackney's `stream_multipart`; see `Multipart.decode`). */
  multipart(limits?: Multipart.Limits): Stream.Stream<Multipart.DecodedPart<HackneyError>, HackneyError>
}

/**
 * A request whose body is written piece by piece (hackney's `send_body`,
 * `finish_send_body`, `start_response`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Writer {
  /**
   * Sends a piece of the body; waits while the socket is saturated. After
   * `finish`, fails with `InvalidRequest` (reason `"body"`, `requestSent: true`):
   * the piece is not sent.
   */
  readonly send: (chunk: Uint8Array | string) => Effect.Effect<void, HackneyError>
  /** Ends the body. */
  readonly finish: Effect.Effect<void, HackneyError>
  /** Ends the body if needed and awaits the response. */
  readonly response: Effect.Effect<StreamingResponse, HackneyError>
}

/**
 * A request on a {@link Connection}: a path on its origin.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionRequest {
  readonly method: string
  /** Path and query. Default `/`. */
  readonly path?: string | undefined
  readonly headers?: Headers.Input | undefined
  readonly body?: Body | undefined
  /** Appended to `path` (see {@link Options.query}). */
  readonly query?: Query | undefined
  /** A JSON body (see {@link Options.json}). */
  readonly json?: unknown
  /** This request's total deadline; default: the connection's `timeout` option (see {@link Options.timeout}). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * One connection held by a scope (hackney's `connect`): requests run one at a
 * time over keep-alive; a connection the peer closed is re-dialled.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly request: (request: ConnectionRequest) => Effect.Effect<Response, HackneyError>
  readonly stream: (request: ConnectionRequest) => Effect.Effect<StreamingResponse, HackneyError, Scope.Scope>
  /** The remote address (undefined for Unix sockets or when closed). */
  readonly peername: Effect.Effect<net.AddressInfo | undefined>
  readonly sockname: Effect.Effect<net.AddressInfo | undefined>
  /** The server certificate, over TLS. */
  readonly peercert: Effect.Effect<tls.DetailedPeerCertificate | undefined>
  /** Closes the socket now (the next request re-dials). */
  readonly close: Effect.Effect<void>
}

/**
 * Sends a request and returns the response with its whole body (hackney's
 * `request/5`). The method is upper-cased. Redirects are followed only with `followRedirect`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.request("GET", "http://127.0.0.1:8080/", { recvTimeout: "2 seconds" }).pipe(
 *   Effect.map((res) => res.status),
 *   Effect.catchTag("RecvTimeout", () => Effect.succeed(504))
 * )
 * ```
 * @since 0.1.0
 * @category requests
 */
export const request = (
  method: string,
  url: UrlInput,
  options: Options = noOptions
): Effect.Effect<Response, HackneyError> =>
  // One read of the fiber: its context (pool, jar) and its Clock (every deadline of the request runs on it).
  Effect.withFiberRuntime((fiber) => {
    // Validated once per options object (memoised), before anything reads them.
    const r = resolve(options)
    if (r instanceof InvalidRequest) return Effect.fail(annotate(r, method, url))
    if (shorthands.hasShorthands(options)) return shorthands.run(method, url, options, "response", (u, o) => request(method, u, o))
    const ctx = fiber.currentContext
    const jar = jarOf(options, ctx)
    const source = sourceOf(options, ctx)
    if (pipeline.needsPipeline(options, jar, source)) return pipeline.oneShot(method, url, options, source, jar, openFile)
    const p = prepareResolved(method, url, r, openFile)
    if (Either.isLeft(p)) return Effect.fail(p.left)
    const sw = observe.switchesOf(options, source)
    return sw === undefined
      ? execute.oneShot(p.right, source, wheelOfFiber(fiber), fiber)
      : observe.oneShot(p.right, sw, source, wheelOfFiber(fiber), fiber)
  })

// One shared default, so memoisation keyed by the options object works for option-less calls.
const noOptions: Options = {}

const verb = (method: string) => (url: UrlInput, options?: Options): Effect.Effect<Response, HackneyError> =>
  request(method, url, options)

/**
 * `GET`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/", { headers: { accept: "application/json" } })
 * ```
 * @since 0.1.0
 * @category requests
 */
export const get = verb("GET")
/**
 * `HEAD`: the response has no body.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.head("http://127.0.0.1:8080/")
 * ```
 * @since 0.1.0
 * @category requests
 */
export const head = verb("HEAD")
/**
 * `POST`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.post("http://127.0.0.1:8080/form", { body: { form: { a: "1", b: "2" } } })
 * ```
 * @since 0.1.0
 * @category requests
 */
export const post = verb("POST")
/**
 * `PUT`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.put("http://127.0.0.1:8080/upload", { body: { file: "./data.bin" } })
 * ```
 * @since 0.1.0
 * @category requests
 */
export const put = verb("PUT")
/**
 * `PATCH`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.patch("http://127.0.0.1:8080/items/1", { body: "{}" })
 * ```
 * @since 0.1.0
 * @category requests
 */
export const patch = verb("PATCH")
/**
 * `DELETE` (exported as `delete` too). See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.del("http://127.0.0.1:8080/items/1")
 * ```
 * @since 0.1.0
 * @category requests
 */
export const del = verb("DELETE")
export {
  /**
   * `DELETE`. See {@link request}.
   *
   * @example
   * ```ts
   * import { Hackney } from "effect-hackney"
   * const program = Hackney.delete("http://127.0.0.1:8080/items/1")
   * ```
   * @since 0.1.0
   * @category requests
   */
  del as delete
}
/**
 * `OPTIONS`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.options("http://127.0.0.1:8080/")
 * ```
 * @since 0.1.0
 * @category requests
 */
export const options = verb("OPTIONS")
/**
 * `TRACE`. See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.trace("http://127.0.0.1:8080/")
 * ```
 * @since 0.1.0
 * @category requests
 */
export const trace = verb("TRACE")
/**
 * `QUERY` (RFC 10008: safe and idempotent, with a body). See {@link request}.
 *
 * @example
 * ```ts
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.query("http://127.0.0.1:8080/search", { body: "select *" })
 * ```
 * @since 0.1.0
 * @category requests
 */
export const query = verb("QUERY")

/**
 * Sends a request and returns as soon as the response head arrived; the body
 * is a pull-based `Stream` (hackney's `async` / `{async, once}` /
 * `stream_body`: pull one chunk at a time for `once`). 1xx responses are in
 * `informational`. Needs a Scope: closing it returns the connection to the
 * pool if the body was read to the end, and closes it otherwise — stopping
 * early (`Stream.take`, interruption) never leaks a socket.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Hackney } from "effect-hackney"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const res = yield* Hackney.stream("GET", "http://127.0.0.1:8080/big")
 *   return yield* res.body.pipe(Stream.runFold(0, (n, chunk) => n + chunk.length))
 * }))
 * ```
 * @since 0.1.0
 * @category streaming
 */
export const stream = (
  method: string,
  url: UrlInput,
  options: Options = noOptions
): Effect.Effect<StreamingResponse, HackneyError, Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => {
    const r = resolve(options)
    if (r instanceof InvalidRequest) return Effect.fail(annotate(r, method, url))
    if (shorthands.hasShorthands(options)) return shorthands.run(method, url, options, "head", (u, o) => stream(method, u, o))
    const ctx = fiber.currentContext
    const jar = jarOf(options, ctx)
    const source = sourceOf(options, ctx)
    if (pipeline.needsPipeline(options, jar, source)) return pipeline.streaming(method, url, options, source, jar, openFile)
    const p = prepareResolved(method, url, r, openFile)
    if (Either.isLeft(p)) return Effect.fail(p.left)
    const sw = observe.switchesOf(options, source)
    return sw === undefined ? execute.streamingWithStaleRetry(p.right, source, wheelOfFiber(fiber)) : observe.streaming(p.right, sw, source, wheelOfFiber(fiber), fiber)
  })

/**
 * Reads a response body as JSON, failing with a typed `DecodeError` (reason
 * `"json"`) when it is not valid JSON — never a thrown exception. Works on
 * both response types: a {@link Response} (no I/O) and a
 * {@link StreamingResponse} (reads the rest of its body; its transport
 * errors pass through). An empty body is `null` (as `@effect/platform`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 *
 * const program = Hackney.get("http://127.0.0.1:8080/todos/1").pipe(
 *   Effect.flatMap(Hackney.json),
 *   Effect.catchTag("DecodeError", (e) => Effect.succeed({ invalid: e.detail }))
 * )
 * ```
 * @since 0.1.0
 * @category bodies
 */
export const json: <Res extends Response | StreamingResponse>(
  response: Res
) => Effect.Effect<unknown, BodyReadError<Res>> = jsonBody.json as any

/**
 * Reads a response body as JSON and decodes it with an `effect/Schema`
 * (`Schema.decodeUnknown`, every issue collected unless `options` say
 * otherwise), as `@effect/platform`'s `HttpClientResponse.schemaBodyJson`.
 * Invalid JSON fails with `DecodeError` reason `"json"`; a mismatch with
 * `DecodeError` reason `"schema"`, whose `detail` names the first issue
 * and whose `cause` is the `ParseError`.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Hackney } from "effect-hackney"
 *
 * const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })
 * const program = Hackney.get("http://127.0.0.1:8080/todos/1").pipe(
 *   Effect.flatMap(Hackney.schemaJson(Todo)),
 *   Effect.map((todo) => todo.title)
 * )
 * ```
 * @since 0.1.0
 * @category bodies
 */
export const schemaJson: <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: ParseOptions
) => <Res extends Response | StreamingResponse>(response: Res) => Effect.Effect<A, BodyReadError<Res>, R> =
  jsonBody.schemaJson as any

/**
 * The errors of decoding a response's body: only `DecodeError` for a
 * {@link Response} (its body is in memory), any `HackneyError` for a
 * {@link StreamingResponse} (its body is still to be read).
 *
 * @since 0.1.0
 * @category models
 */
export type BodyReadError<Res> = Res extends StreamingResponse ? HackneyError : DecodeError

/**
 * Opens a request whose body the caller writes piece by piece (hackney's
 * body `stream` + `send_body` / `finish_send_body` / `start_response`). The
 * body is chunked unless `Content-Length` is set in `headers` (then the byte
 * count is checked). With `Expect: 100-continue` in `headers`, the first
 * `send` waits for the server's `100` (or `continueTimeout`); if the server
 * answers with a final status instead, the body is not sent. One exchange:
 * the feature options (redirects, cookie jar, decompression, retry,
 * middleware, tracing, metrics) are not run, and passing one fails with
 * `InvalidRequest` (reason `"option"`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const w = yield* Hackney.open("PUT", "http://127.0.0.1:8080/upload")
 *   yield* w.send("part 1, ")
 *   yield* w.send("part 2")
 *   const res = yield* w.response
 *   return yield* res.text
 * }))
 * ```
 * @since 0.1.0
 * @category streaming
 */
export const open = (
  method: string,
  url: UrlInput,
  options: Omit<Options, "body" | "json" | "attemptTimeout" | singleExchange.FeatureOption> = noOptions
): Effect.Effect<Writer, HackneyError, Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => {
    const r = resolve(options)
    if (r instanceof InvalidRequest) return Effect.fail(annotate(r, method, url))
    if ((options as Options).json !== undefined) return Effect.fail(annotate(shorthands.jsonInOpen, method, url))
    if ((options as Options).attemptTimeout !== undefined) return Effect.fail(annotate(shorthands.oneAttempt, method, url))
    if (shorthands.hasShorthands(options)) return shorthands.run(method, url, options, "open", (u, o) => open(method, u, o))
    const bad = singleExchange.unsupported("open", options as Options)
    if (bad !== undefined) return Effect.fail(annotate(bad, method, url))
    const p = prepare(method, url, { ...options, body: Stream.empty }, openFile)
    if (Either.isLeft(p)) return Effect.fail(p.left)
    return Effect.map(
      execute.open(p.right, sourceOf(options, fiber.currentContext), wheelOfFiber(fiber), Effect.sleep(r.continueTimeout)),
      (w) => progress.openWithProgress(w, options)
    )
  })


/**
 * Opens one connection to an origin (hackney's `connect`) — a URL (text or
 * a WHATWG `URL`), or a {@link ConnectTarget} `{ transport, host, port }` — closed when the
 * scope closes. Its requests take a path; they run one at a time over
 * keep-alive, and a connection the peer closed is re-dialled. Connect errors
 * surface here. A `timeout` option bounds the dial and then each request
 * (one whole response for `request`, the head for `stream`; a request's own
 * `timeout` replaces it); `query` and `json` are given per request. Requests
 * on one connection: the feature options (redirects, cookie jar,
 * decompression, retry, middleware, tracing, metrics) and progress callbacks
 * are not run, and passing one fails with `InvalidRequest` (reason `"option"`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const conn = yield* Hackney.connect("http://127.0.0.1:8080")
 *   const a = yield* conn.request({ method: "GET", path: "/a" })
 *   const b = yield* conn.request({ method: "GET", path: "/b" })
 *   const peer = yield* conn.peername
 *   return [a.status, b.status, peer?.port]
 * }))
 * ```
 * @since 0.1.0
 * @category connections
 */
export const connect = (
  target: string | URL | ConnectTarget,
  options: Omit<Options, "body" | "pool" | "query" | "json" | "attemptTimeout" | singleExchange.ConnectUnsupported> = noOptions
): Effect.Effect<Connection, HackneyError, Scope.Scope> =>
  Effect.suspend(() => {
    const url = connectUrl(target)
    if (url instanceof InvalidRequest) return Effect.fail(url)
    const r = resolve(options)
    if (r instanceof InvalidRequest) return Effect.fail(annotate(r, "CONNECT", url))
    if ((options as Options).query !== undefined || (options as Options).json !== undefined) {
      return Effect.fail(annotate(shorthands.perRequestOnly, "CONNECT", url))
    }
    if ((options as Options).attemptTimeout !== undefined) return Effect.fail(annotate(shorthands.oneAttempt, "CONNECT", url))
    const bad = singleExchange.unsupported("connect", options as Options)
    if (bad !== undefined) return Effect.fail(annotate(bad, "CONNECT", url))
    return Either.match(RequestUrl.parse(url), {
      onLeft: (e) => Effect.fail(annotate(e, "CONNECT", url)),
      onRight: (u) => connection.make(u, url, r, openFile)
    })
  })

/**
 * Where {@link connect} connects, as hackney's `connect(Transport, Host, Port)`:
 * `tcp` (http), `tls` (https), or `unix` (`host` is the socket path; `port` is ignored).
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectTarget {
  readonly transport: "tcp" | "tls" | "unix"
  readonly host: string
  readonly port?: number | undefined
}

/**
 * The default pool (`"default"`, hackney's defaults) as a Layer: requests
 * inside use it, and its sockets close when the layer's scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const main = Hackney.get("http://127.0.0.1:8080/").pipe(Effect.provide(Hackney.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Pool.Pool> = Pool.layerDefault("default")

/**
 * The default pool with its options read from `effect/Config` (see
 * `Pool.layerConfig`); the pool's name defaults to `"default"`. A value
 * `Config` cannot read, or one out of its option's range, fails the layer
 * with a `ConfigError`.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const config = Config.all({ maxPerHost: Config.integer("HTTP_MAX_PER_HOST").pipe(Config.withDefault(50)) })
 * const main = Hackney.get("http://127.0.0.1:8080/").pipe(Effect.provide(Hackney.layerConfig(config)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Pool.Options>): Layer.Layer<Pool.Pool, ConfigError.ConfigError> =>
  Pool.layerConfig(config)
