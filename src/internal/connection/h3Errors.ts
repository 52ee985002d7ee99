/**
 * HTTP/3 failures as `HackneyError`s: an {@link Http3Error} the client
 * detected becomes a `ProtocolError` whose reason is the RFC name in kebab
 * case (`H3_FRAME_ERROR` → `h3-frame-error`), an exceeded local limit the
 * size reason HTTP/1.1 and HTTP/2 use (`header-section-too-large`); a reset
 * the server sent is `stream-reset` with the code and its name, a
 * connection it closed with an error `session-error`. Which detected errors
 * end the whole connection (RFC 9114 §8: frame and QPACK errors) and which
 * only the stream (a malformed message, a local limit) is decided here too.
 *
 * @internal
 */
import { ProtocolError } from "../../HackneyError.js"
import type { Http3Reason } from "../error/http3Reason.js"
import { h3RequestRejected } from "../error/http3Reason.js"
import { codeName, errorCodes } from "../http3/error.js"
import type { Http3Error } from "../http3/error.js"

/** The codes a client sends of its own accord. @internal */
export const H3_NO_ERROR = errorCodes.H3_NO_ERROR
/** @internal */
export const H3_REQUEST_CANCELLED = errorCodes.H3_REQUEST_CANCELLED
/** @internal */
export { h3RequestRejected }

/** The name of a wire code for errors: the RFC name, or `UNKNOWN_0x…`. @internal */
export const h3CodeName = (code: number): string => codeName(code) ?? `UNKNOWN_0x${code.toString(16)}`

/**
 * Whether `e`, detected on a request stream, ends only that stream: a
 * malformed message or an exceeded local limit. Everything else (frame,
 * QPACK and ID errors) is a connection error (RFC 9114 §8).
 *
 * @internal
 */
export const isStreamError = (e: Http3Error): boolean => e.code === "H3_MESSAGE_ERROR" || e.limit !== undefined

/**
 * The `ProtocolError` of a detected error; `trailers`: it was in the
 * trailer section.
 *
 * @internal
 */
export const h3ProtocolError = (
  e: Http3Error,
  method: string | undefined,
  url: string | undefined,
  trailers = false
): ProtocolError =>
  new ProtocolError({
    method,
    url,
    reason: e.limit === "field-section-size"
      ? trailers ? "trailer-section-too-large" : "header-section-too-large"
      : (e.code.toLowerCase().replace(/_/g, "-") as Http3Reason),
    detail: e.detail,
    code: errorCodes[e.code],
    codeName: e.code,
    cause: e
  })

/** The server reset a request stream with `code`. @internal */
export const h3StreamReset = (code: number, method: string | undefined, url: string | undefined): ProtocolError =>
  new ProtocolError({ method, url, reason: "stream-reset", code, codeName: h3CodeName(code) })

/** The server closed the connection with the application error `code` (not H3_NO_ERROR). @internal */
export const h3SessionError = (
  code: number,
  detail: string,
  method: string | undefined,
  url: string | undefined,
  cause: unknown
): ProtocolError =>
  new ProtocolError({ method, url, reason: "session-error", detail, code, codeName: h3CodeName(code), cause })
