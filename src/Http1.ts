/**
 * HTTP/1.1 protocol core, sans-IO (hackney_http): an incremental parser for
 * responses and requests, the request encoder, body framing and the
 * keep-alive decision. No sockets, no clocks, no Effect runtime: the
 * connection driver feeds bytes in and writes strings out.
 *
 * Decisions worth knowing:
 *
 * - A response may end lines with a bare LF (RFC 9112 §2.2; `allowBareLf:
 *   false` makes it strict); a request needs CRLF. Bare CR, NUL and
 *   whitespace before a colon are rejected.
 * - obs-fold in a response is replaced with SP (RFC 9112 §5.2), except in
 *   Content-Length and Transfer-Encoding (rejected); in a request it is
 *   rejected. Whitespace right after the start line is `WhitespaceBeforeHeaders`.
 * - `chunked` applied more than once is `InvalidTransferEncoding` (RFC 9112 §6.1).
 * - Transfer-Encoding together with Content-Length is rejected
 *   (`TransferEncodingAndContentLength`), for requests and responses.
 * - A response whose Transfer-Encoding does not end in `chunked` is read
 *   until close (RFC 9112 §6.3); such a request is rejected.
 * - Bytes after a message that closes the connection are an error
 *   (`UnexpectedData`); a read-until-close body takes every byte until EOF.
 * - Header strings are latin1 (one byte, one UTF-16 unit), as Node's parser.
 *   On hosts with `Buffer`, its native `latin1Slice` decodes long strings;
 *   elsewhere a portable `String.fromCharCode` path is used.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 *
 * const parser = new Http1.Http1Parser()
 * parser.expectResponseTo("GET")
 * const events = parser.push(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"))
 * console.log(events.map((e) => e._tag)) // ["ResponseHead", "Done"]
 * ```
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type { InvalidRequest } from "./HackneyError.js"
import * as encoder from "./internal/http1/encoder.js"
import * as error from "./internal/http1/error.js"
import type * as parserTypes from "./internal/http1/parser.js"
import * as parser from "./internal/http1/parser.js"

/**
 * A parsed status line and header section.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const isRedirect = (head: Http1.ResponseHead) => head.status >= 300 && head.status < 400
 * ```
 * @since 0.1.0
 * @category models
 */
export type ResponseHead = parserTypes.ResponseHead

/**
 * A parsed request line and header section.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const path = (head: Http1.RequestHead) => head.target.split("?")[0]
 * ```
 * @since 0.1.0
 * @category models
 */
export type RequestHead = parserTypes.RequestHead

/**
 * The callbacks of {@link Http1Parser.execute}: the zero-allocation path a
 * connection driver implements once per connection. Body chunks are views
 * into the input, never copies.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const chunks: Array<Uint8Array> = []
 * const sink: Http1.ParserSink = {
 *   onData: (chunk) => chunks.push(chunk.slice()), // copy if the input buffer is reused
 *   onMessageComplete: (keepAlive) => console.log("done", keepAlive)
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ParserSink = parserTypes.ParserSink

/**
 * What {@link Http1Parser.push} returns: the sink calls as tagged values.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const status = (e: Http1.Http1Event) => (e._tag === "ResponseHead" ? e.head.status : undefined)
 * ```
 * @since 0.1.0
 * @category models
 */
export type Http1Event = parserTypes.Http1Event

/**
 * Parser options; every field is optional and documents its default.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * const parser = new Http1.Http1Parser({ mode: "request", maxHeaderSize: 8192 })
 * ```
 * @since 0.1.0
 * @category configuration
 */
export type ParserOptions = parserTypes.ParserOptions

/**
 * The limits on a message head that can change between messages
 * (`Http1Parser.setHeadLimits`): start line, header section and header count.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * const parser = new Http1.Http1Parser()
 * const limits: Http1.HeadLimits = { ...Http1.defaults, maxHeaderSize: 64 * 1024 }
 * parser.setHeadLimits(limits)
 * ```
 * @since 0.1.0
 * @category configuration
 */
export type HeadLimits = parserTypes.HeadLimits

/**
 * The default limits: `maxStartLineLength` 8192, `maxHeaderSize` 16384,
 * `maxHeaderCount` 256, `maxChunkExtensionLength` 16384, `maxTrailerSize`
 * 16384, `maxEmptyLines` 10.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * console.log(Http1.defaults.maxHeaderSize) // 16384
 * ```
 * @since 0.1.0
 * @category configuration
 */
export const defaults: typeof parser.defaults = parser.defaults

/**
 * The incremental HTTP/1.x parser, owned by one caller (one fiber). Input
 * may be split at any byte.
 *
 * - `new Http1Parser(options?)`: see {@link ParserOptions}.
 * - `expectResponseTo(method)`: queue the method of a request whose response
 *   is awaited (FIFO, so pipelining works): `HEAD` means no body, `CONNECT`
 *   with a 2xx means upgrade. Without a queued method, `GET` is assumed.
 * - `execute(bytes, sink)`: parse, calling the sink. Throws
 *   {@link Http1ParseError}; the error is terminal and the parser unusable
 *   afterwards. An exception thrown by the sink propagates and also stops
 *   the parser.
 * - `finish(sink)`: the peer closed. Completes a read-until-close body
 *   (`onMessageComplete(false)`); throws `IncompleteMessage` (its `detail`
 *   says where) when a message is mid-way; nothing when idle.
 * - `push(bytes)` / `end()`: the same, returning {@link Http1Event}s.
 * - `isIdle`: between messages, no byte received since the last one ended
 *   (a skipped blank line counts): a connection may be reused only then.
 * - `setHeadLimits(limits)`: the {@link HeadLimits} of the messages that
 *   follow (a client sets each request's before its response).
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 *
 * const parser = new Http1.Http1Parser()
 * parser.expectResponseTo("GET")
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
 * for (const e of parser.push(bytes)) console.log(e._tag) // ResponseHead, Data, Done
 * console.log(parser.isIdle) // true
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const Http1Parser: typeof parser.Http1Parser = parser.Http1Parser

/**
 * @since 0.1.0
 * @category models
 */
export type Http1Parser = parser.Http1Parser

/**
 * Why the parser stopped; each member is documented on the type in
 * `internal/http1/error.ts` and repeated here:
 * `InvalidStatusLine`, `InvalidRequestLine`, `InvalidVersion`,
 * `InvalidLineEnding`, `InvalidHeaderName`, `InvalidHeaderValue`,
 * `ObsoleteLineFolding`, `WhitespaceBeforeHeaders`, `InvalidContentLength`,
 * `TransferEncodingAndContentLength`, `InvalidTransferEncoding`,
 * `InvalidChunkSize`, `InvalidChunkExtension`, `InvalidChunkData`,
 * `StartLineTooLong`, `HeaderSectionTooLarge`, `TooManyHeaders`,
 * `ChunkExtensionTooLong`, `TrailerSectionTooLarge`, `TooManyEmptyLines`,
 * `UnexpectedData`, `IncompleteMessage`, `Stopped`.
 *
 * These PascalCase names are the sans-IO parser's own vocabulary (as
 * llhttp's error names are llhttp's); they are not the client's. When a
 * request meets a parser error, the client fails with a `ProtocolError`
 * whose `reason` is the kebab-case form (`InvalidStatusLine` →
 * `"invalid-status-line"`, see `HackneyError.ProtocolErrorReason`) and
 * whose `cause` is this parser error.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const isLimit = (r: Http1.ParseErrorReason) => r.endsWith("TooLarge") || r.endsWith("TooLong") || r.startsWith("TooMany")
 * ```
 * @since 0.1.0
 * @category errors
 */
export type ParseErrorReason = error.ParseErrorReason

/**
 * The peer's bytes are not HTTP/1.x, or exceed a limit: `reason`, the
 * absolute byte `offset`, and a `detail`. `_tag` is `"Http1ParseError"`.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * try {
 *   new Http1.Http1Parser().push(new TextEncoder().encode("HTTP/1.1 2000 OK\r\n"))
 * } catch (e) {
 *   if (e instanceof Http1.Http1ParseError) console.log(e.reason, e.offset) // InvalidStatusLine 12
 * }
 * ```
 * @since 0.1.0
 * @category errors
 */
export const Http1ParseError: typeof error.Http1ParseError = error.Http1ParseError

/**
 * @since 0.1.0
 * @category errors
 */
export type Http1ParseError = error.Http1ParseError

/**
 * How a request body is delimited on the wire.
 *
 * @example
 * ```ts
 * import type { Http1 } from "effect-hackney"
 * const framing: Http1.BodyFraming = { _tag: "Length", length: 13 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type BodyFraming = encoder.BodyFraming

/**
 * Encodes a request head as a latin1 string `"METHOD target HTTP/1.1\r\n…\r\n\r\n"`.
 *
 * - `Host: <host>` is written first when `host` is given and `rawHeaders`
 *   has no Host (any case); the caller's Host is kept otherwise. Leaving the
 *   port out for :80/:443 is the Url module's job.
 * - `framing` is authoritative: any Content-Length or Transfer-Encoding in
 *   `rawHeaders` is dropped and the framing header is written last, so there
 *   are never two. `Length` writes `Content-Length: n`, except that a length
 *   of 0 is written only for POST, PUT and PATCH; `Chunked` writes
 *   `Transfer-Encoding: chunked`; `None` writes neither.
 * - Fails with `InvalidRequest`: `"method"` (not a token), `"target"`
 *   (empty, or CR, LF, NUL, other controls, SP, DEL, non-latin1),
 *   `"header-name"` (not a token), `"header-value"` (CR, LF, NUL,
 *   non-latin1; also the host), `"body"` (a negative or unsafe length).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Http1 } from "effect-hackney"
 *
 * const head = Http1.encodeRequestHead({
 *   method: "POST", target: "/items", host: "api.test",
 *   rawHeaders: ["content-type", "application/json"], framing: { _tag: "Length", length: 2 }
 * })
 * // Either.right("POST /items HTTP/1.1\r\nHost: api.test\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n")
 * console.log(Either.isRight(head))
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequestHead: (req: {
  readonly method: string
  readonly target: string
  readonly host: string | undefined
  readonly rawHeaders: ReadonlyArray<string>
  readonly framing: BodyFraming
}) => Either.Either<string, InvalidRequest> = encoder.encodeRequestHead

/**
 * `"<hex>\r\n"`, the line before a chunk of `length` bytes. `length` must be
 * greater than 0 (skip empty chunks: a 0 ends the body), and the chunk data
 * must be followed by `"\r\n"`.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * console.log(JSON.stringify(Http1.encodeChunkHeader(255))) // "ff\r\n"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const encodeChunkHeader: (length: number) => string = encoder.encodeChunkHeader

/**
 * `"0\r\n" + trailer lines + "\r\n"`: the end of a chunked body, with
 * optional trailers (validated like headers).
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * console.log(Http1.encodeLastChunk(["x-checksum", "abc"])) // Either.right("0\r\nx-checksum: abc\r\n\r\n")
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const encodeLastChunk: (rawTrailers?: ReadonlyArray<string>) => Either.Either<string, InvalidRequest> =
  encoder.encodeLastChunk

/**
 * hackney_keepalive: whether the connection persists after a message with
 * this version and headers. A `close` token in any Connection header closes;
 * otherwise HTTP/1.1 persists and HTTP/1.0 persists only with `keep-alive`.
 *
 * @example
 * ```ts
 * import { Http1 } from "effect-hackney"
 * console.log(Http1.shouldKeepAlive(1, 0, ["Connection", "Keep-Alive"])) // true
 * console.log(Http1.shouldKeepAlive(1, 1, ["connection", "upgrade, close"])) // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const shouldKeepAlive: (
  versionMajor: number,
  versionMinor: number,
  rawHeaders: ReadonlyArray<string>
) => boolean = encoder.shouldKeepAlive
