/**
 * The HTTP/3 core's error: one tagged class whose `code` is the wire error
 * code the connection must send (RFC 9114 §8.1, RFC 9204 §6).
 *
 * @internal
 */
import * as Data from "effect/Data"

/**
 * The HTTP/3 and QPACK error codes, by their RFC names (the L1 vocabulary,
 * as the HTTP/1 parser's reasons are its own; the connection maps them to
 * the public kebab-case `ProtocolErrorReason`). The value is the code sent
 * in CONNECTION_CLOSE or RESET_STREAM.
 *
 * @internal
 */
export const errorCodes = {
  H3_NO_ERROR: 0x100,
  H3_GENERAL_PROTOCOL_ERROR: 0x101,
  H3_INTERNAL_ERROR: 0x102,
  H3_STREAM_CREATION_ERROR: 0x103,
  H3_CLOSED_CRITICAL_STREAM: 0x104,
  H3_FRAME_UNEXPECTED: 0x105,
  H3_FRAME_ERROR: 0x106,
  H3_EXCESSIVE_LOAD: 0x107,
  H3_ID_ERROR: 0x108,
  H3_SETTINGS_ERROR: 0x109,
  H3_MISSING_SETTINGS: 0x10a,
  H3_REQUEST_REJECTED: 0x10b,
  H3_REQUEST_CANCELLED: 0x10c,
  H3_REQUEST_INCOMPLETE: 0x10d,
  H3_MESSAGE_ERROR: 0x10e,
  H3_CONNECT_ERROR: 0x10f,
  H3_VERSION_FALLBACK: 0x110,
  QPACK_DECOMPRESSION_FAILED: 0x200,
  QPACK_ENCODER_STREAM_ERROR: 0x201,
  QPACK_DECODER_STREAM_ERROR: 0x202
} as const

/**
 * An HTTP/3 or QPACK error code name.
 *
 * @internal
 */
export type Http3ErrorCode = keyof typeof errorCodes

/**
 * The local limit a peer exceeded, when the error is one (the connection
 * reports it as the matching size error, naming the option).
 *
 * @internal
 */
export type Http3Limit = "field-section-size" | "frame-size"

/**
 * The peer's bytes break HTTP/3 or QPACK, or exceed a local limit. `code`
 * is the error to signal to the peer; `detail` says what was wrong.
 * Every function of the HTTP/3 core returns it (never throws it).
 *
 * @internal
 */
export class Http3Error extends Data.TaggedError("Http3Error")<{
  readonly code: Http3ErrorCode
  readonly detail: string
  readonly limit?: Http3Limit | undefined
}> {
  override get message(): string {
    return `HTTP/3 error ${this.code}: ${this.detail}`
  }
}

/** @internal */
export const h3Error = (code: Http3ErrorCode, detail: string, limit?: Http3Limit): Http3Error =>
  new Http3Error({ code, detail, limit })

/**
 * The name of a wire error code, or `undefined` for a code this core does
 * not know (a peer's RESET_STREAM or CONNECTION_CLOSE may carry any value).
 *
 * @internal
 */
export const codeName = (code: number): Http3ErrorCode | undefined => {
  for (const name in errorCodes) if (errorCodes[name as Http3ErrorCode] === code) return name as Http3ErrorCode
  return undefined
}
