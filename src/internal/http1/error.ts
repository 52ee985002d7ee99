/**
 * The parser's error: one tagged class with a closed `reason` union.
 *
 * @internal
 */
import * as Data from "effect/Data"

/**
 * Why the HTTP/1 parser stopped. Every reason is terminal: after the error
 * the parser is unusable (a further call fails with `"Stopped"`) and the
 * connection must be closed.
 *
 * PascalCase, unlike the kebab-case `reason` of the public errors: this is
 * the L1 parser's own vocabulary (as llhttp's error names are llhttp's). The
 * connection (L2) maps each one, once and totally, to a kebab-case
 * `ProtocolErrorReason` (`internal/connection/protocolError.ts`).
 *
 * - `"InvalidStatusLine"`: the response start line is not
 *   `HTTP/<d>.<d> SP <3 digits> [SP reason] CRLF` (RFC 9112 §4), or the reason
 *   phrase has a control byte.
 * - `"InvalidRequestLine"`: the request start line is not
 *   `method SP request-target SP HTTP/<d>.<d> CRLF` (RFC 9112 §3): a method
 *   that is not a token, a target with SP, controls, DEL or non-ASCII bytes,
 *   extra or missing spaces.
 * - `"InvalidVersion"`: an HTTP version other than 1.0 or 1.1 (2.0 is accepted
 *   only as the `PRI * HTTP/2.0` preface of a request, which is handed over as
 *   an upgrade).
 * - `"InvalidLineEnding"`: a bare CR, a CR not followed by LF, or a bare LF
 *   where CRLF is required (`allowBareLf: false`, the default in request mode).
 * - `"InvalidHeaderName"`: a header line without a colon, an empty name, a name
 *   byte that is not a tchar, or whitespace between the name and the colon
 *   (RFC 9112 §5.1: "MUST reject").
 * - `"InvalidHeaderValue"`: a NUL, control byte or DEL in a header or trailer
 *   value (RFC 9110 §5.5).
 * - `"ObsoleteLineFolding"`: a header line that starts with SP or HTAB
 *   (obs-fold, RFC 9112 §5.2) in a request; in a response the fold is
 *   replaced with SP, except inside Content-Length or Transfer-Encoding,
 *   where it is rejected (the framing would be ambiguous).
 * - `"WhitespaceBeforeHeaders"`: a line starting with SP or HTAB right after
 *   the start line, or as the first trailer line: it continues no field
 *   (RFC 9112 §2.2 lets a recipient reject it).
 * - `"InvalidContentLength"`: Content-Length empty, not all digits, negative,
 *   a list, above `Number.MAX_SAFE_INTEGER`, or two Content-Length fields
 *   with different values (identical duplicates are accepted, RFC 9110 §8.6).
 * - `"TransferEncodingAndContentLength"`: both Transfer-Encoding and
 *   Content-Length are present (RFC 9112 §6.3 item 3: "ought to be handled
 *   as an error"); rejected for requests and responses alike.
 * - `"InvalidTransferEncoding"`: `chunked` more than once in the
 *   Transfer-Encoding list (one field or several; RFC 9112 §6.1), in a
 *   request or a response; or a request whose Transfer-Encoding does not
 *   end with `chunked` (RFC 9112 §6.3 item 4: respond 400). A response whose
 *   final coding is not `chunked` is read until close instead, as the RFC says.
 * - `"InvalidChunkSize"`: a chunk-size line with no hex digits, a non-hex
 *   byte (including whitespace), or a size above `Number.MAX_SAFE_INTEGER`.
 * - `"InvalidChunkExtension"`: a malformed chunk extension (`;name[=value]`).
 * - `"InvalidChunkData"`: chunk data not followed by CRLF.
 * - `"StartLineTooLong"`: the start line exceeds `maxStartLineLength`.
 * - `"HeaderSectionTooLarge"`: the head exceeds `maxHeaderSize` bytes.
 * - `"TooManyHeaders"`: more than `maxHeaderCount` header (or trailer) lines.
 * - `"ChunkExtensionTooLong"`: a chunk-size line's extensions exceed
 *   `maxChunkExtensionLength`.
 * - `"TrailerSectionTooLarge"`: the trailer section exceeds `maxTrailerSize`.
 * - `"TooManyEmptyLines"`: more than `maxEmptyLines` empty lines before a
 *   start line (hackney's `max_empty_lines`).
 * - `"UnexpectedData"`: bytes (other than CR/LF) after a complete message on a
 *   connection that the message closes (`keepAlive: false`): for a response
 *   this is garbage or a response to nothing; for a request it is a request
 *   pipelined after `Connection: close`. A read-until-close body has no
 *   declared end, so it never raises this: every byte until EOF is body.
 * - `"IncompleteMessage"`: `finish` (EOF) while a message is mid-way; the
 *   `detail` says where (head, body, chunk, trailers).
 * - `"Stopped"`: `execute`/`finish` called after an error or an upgrade.
 *
 * @since 0.1.0
 * @category errors
 */
export type ParseErrorReason =
  | "InvalidStatusLine"
  | "InvalidRequestLine"
  | "InvalidVersion"
  | "InvalidLineEnding"
  | "InvalidHeaderName"
  | "InvalidHeaderValue"
  | "ObsoleteLineFolding"
  | "WhitespaceBeforeHeaders"
  | "InvalidContentLength"
  | "TransferEncodingAndContentLength"
  | "InvalidTransferEncoding"
  | "InvalidChunkSize"
  | "InvalidChunkExtension"
  | "InvalidChunkData"
  | "StartLineTooLong"
  | "HeaderSectionTooLarge"
  | "TooManyHeaders"
  | "ChunkExtensionTooLong"
  | "TrailerSectionTooLarge"
  | "TooManyEmptyLines"
  | "UnexpectedData"
  | "IncompleteMessage"
  | "Stopped"

/**
 * The peer's bytes are not valid HTTP/1.x (or exceed a limit). `offset` is
 * the absolute byte offset (from the parser's first byte) where the problem
 * was found.
 *
 * @since 0.1.0
 * @category errors
 */
export class Http1ParseError extends Data.TaggedError("Http1ParseError")<{
  readonly reason: ParseErrorReason
  readonly offset: number
  readonly detail?: string | undefined
}> {
  override get message(): string {
    return `HTTP/1 parse error ${this.reason} at byte ${this.offset}${
      this.detail === undefined ? "" : `: ${this.detail}`
    }`
  }
}
