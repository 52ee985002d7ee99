/**
 * The `ProtocolError` reasons of HTTP/3 (L0: a vocabulary, no behaviour):
 * the RFC name of an HTTP/3 or QPACK error code the client detected (RFC
 * 9114 §8.1, RFC 9204 §6), in kebab case, `H3_FRAME_ERROR` →
 * `"h3-frame-error"`. The connection-level codes only: a stream the server
 * reset is `"stream-reset"` and a connection it closed with an error
 * `"session-error"`, both with `code` and `codeName` as for HTTP/2.
 *
 * @internal
 */

/** @internal */
export type Http3Reason =
  | "h3-general-protocol-error"
  | "h3-internal-error"
  | "h3-stream-creation-error"
  | "h3-closed-critical-stream"
  | "h3-frame-unexpected"
  | "h3-frame-error"
  | "h3-excessive-load"
  | "h3-id-error"
  | "h3-settings-error"
  | "h3-missing-settings"
  | "h3-message-error"
  | "qpack-decompression-failed"
  | "qpack-encoder-stream-error"
  | "qpack-decoder-stream-error"

/** H3_REQUEST_REJECTED (RFC 9114 §8.1): the server did not process the request, as HTTP/2's REFUSED_STREAM. @internal */
export const h3RequestRejected = 0x10b

/** Whether an error code is HTTP/3's (0x100 and up; HTTP/2's are below 0x10). @internal */
export const isHttp3Code = (code: number | undefined): boolean => code !== undefined && code >= 0x100
