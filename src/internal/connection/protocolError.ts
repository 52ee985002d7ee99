/**
 * The HTTP/1 parser's errors as `ProtocolError`s: the one place where the L1
 * parser's PascalCase vocabulary (`Http1ParseError.reason`, like llhttp's
 * error names) becomes the public kebab-case `ProtocolErrorReason`.
 *
 * @internal
 */
import { ProtocolError } from "../../HackneyError.js"
import type { ProtocolErrorReason } from "../../HackneyError.js"
import type { Http1ParseError, ParseErrorReason } from "../http1/error.js"

/**
 * Every parser reason and its public name. A `Record` over the whole
 * `ParseErrorReason` union, so a reason added to the parser does not compile
 * until it is named here.
 *
 * @internal
 */
export const protocolReasons: { readonly [R in ParseErrorReason]: ProtocolErrorReason } = {
  InvalidStatusLine: "invalid-status-line",
  InvalidRequestLine: "invalid-request-line",
  InvalidVersion: "invalid-version",
  InvalidLineEnding: "invalid-line-ending",
  InvalidHeaderName: "invalid-header-name",
  InvalidHeaderValue: "invalid-header-value",
  ObsoleteLineFolding: "obsolete-line-folding",
  WhitespaceBeforeHeaders: "whitespace-before-headers",
  InvalidContentLength: "invalid-content-length",
  TransferEncodingAndContentLength: "transfer-encoding-and-content-length",
  InvalidTransferEncoding: "invalid-transfer-encoding",
  InvalidChunkSize: "invalid-chunk-size",
  InvalidChunkExtension: "invalid-chunk-extension",
  InvalidChunkData: "invalid-chunk-data",
  StartLineTooLong: "start-line-too-long",
  HeaderSectionTooLarge: "header-section-too-large",
  TooManyHeaders: "too-many-headers",
  ChunkExtensionTooLong: "chunk-extension-too-long",
  TrailerSectionTooLarge: "trailer-section-too-large",
  TooManyEmptyLines: "too-many-empty-lines",
  UnexpectedData: "unexpected-data",
  IncompleteMessage: "incomplete-message",
  Stopped: "stopped"
}

/**
 * The `ProtocolError` of a parser error met by a request: its reason in
 * kebab-case, its detail and offset, the parser error as `cause`.
 *
 * @internal
 */
export const fromParseError = (e: Http1ParseError, method?: string, url?: string): ProtocolError =>
  new ProtocolError({ method, url, reason: protocolReasons[e.reason], detail: e.detail, offset: e.offset, cause: e })
