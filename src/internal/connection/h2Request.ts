/**
 * An HTTP/2 request head from a {@link RequestHead} (RFC 9113 §8.3): the
 * pseudo-header fields first (`:method`, `:scheme`, `:authority`, `:path`;
 * CONNECT has only `:method` and `:authority`), then the caller's fields
 * with their names lower-cased (§8.2.1), without the connection-specific
 * ones (`connection`, `keep-alive`, `proxy-connection`, `transfer-encoding`,
 * `upgrade`: §8.2.2), `te` kept only as `trailers`, `host` folded into
 * `:authority` (§8.3.1), and `content-length` from the body's size, as the
 * HTTP/1.1 encoder gives it. Values were checked (no CR, LF or NUL) before
 * the request was started, as for HTTP/1.1. Pure.
 *
 * Also the names of the HTTP/2 error codes (§7), for errors.
 *
 * @internal
 */
import type { RequestHead } from "./connection.js"

/** The fields of an HTTP/2 request head, as `node:http2` takes them: a repeated name holds an array. @internal */
export type H2Headers = Record<string, string | Array<string>>

/** Connection-specific fields (RFC 9113 §8.2.2), never sent over HTTP/2; content-length is derived from the body. */
const dropped: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "host"
])

const sendsEmptyLength = (method: string): boolean => method === "POST" || method === "PUT" || method === "PATCH"

/**
 * The HTTP/2 head of `head` for a request over `scheme` (`"https"` over TLS,
 * `"http"` for h2c), with this request's `traceparent` when given (a traced
 * request's: not among the shared `rawHeaders`).
 *
 * @internal
 */
export const h2Headers = (head: RequestHead, scheme: "http" | "https", traceparent?: string): H2Headers => {
  const out: H2Headers = Object.create(null)
  const raw = head.rawHeaders
  let authority = head.authority
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === "host") {
      authority = raw[i + 1]
      break
    }
  }
  out[":method"] = head.method
  if (head.method !== "CONNECT") {
    out[":scheme"] = scheme
    out[":path"] = head.target
  }
  out[":authority"] = authority
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    const value = raw[i + 1]
    if (dropped.has(name)) continue
    if (name === "te") {
      // Only "trailers" may be sent (§8.2.2): keep that member, drop the rest.
      if (!/(^|,)\s*trailers\s*(;|,|$)/i.test(value)) continue
      out.te = "trailers"
      continue
    }
    const prev = out[name]
    if (prev === undefined) out[name] = value
    else if (typeof prev === "string") out[name] = [prev, value]
    else prev.push(value)
  }
  if (traceparent !== undefined) out.traceparent = traceparent
  const size = head.bodySize
  if (size !== undefined && (size > 0 || sendsEmptyLength(head.method))) out["content-length"] = String(size)
  return out
}

/** The HTTP/2 error codes by number (RFC 9113 §7). */
const errorNames: ReadonlyArray<string> = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED"
]

/** The name of an HTTP/2 error code (`"REFUSED_STREAM"` for 7); unknown codes (§7: treat as INTERNAL_ERROR) as `UNKNOWN_0x…`. @internal */
export const h2ErrorName = (code: number): string => errorNames[code] ?? `UNKNOWN_0x${code.toString(16)}`

/** REFUSED_STREAM: the peer did not process the stream (RFC 9113 §8.7); also what streams above a GOAWAY's last id get. @internal */
export const refusedStream = 7

/** CANCEL: the stream is no longer needed (sent when a request is interrupted or its body abandoned). @internal */
export const cancelCode = 8
