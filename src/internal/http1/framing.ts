/**
 * Body framing (RFC 9112 §6): Content-Length and Transfer-Encoding values,
 * chunk-size lines, and the body-length decision for requests and responses.
 *
 * @internal
 */
import * as bytes from "./bytes.js"
import * as errors from "./error.js"

// Local copies (see parser.ts: imported bindings can be getters under CommonJS interop).
const { CR, HEX, LF, SEMI, TCHAR } = bytes
const Http1ParseError = errors.Http1ParseError

/** @internal */
export type BodyKind = "none" | "length" | "chunked" | "close"

const MAX = Number.MAX_SAFE_INTEGER

/**
 * Parses a Content-Length value (already trimmed of OWS): 1*DIGIT, at most
 * `Number.MAX_SAFE_INTEGER`. Returns -1 when malformed (empty, sign, list,
 * other bytes), -2 on overflow.
 *
 * @internal
 */
export const parseContentLength = (buf: Uint8Array, start: number, end: number): number => {
  if (end <= start) return -1
  let n = 0
  for (let i = start; i < end; i++) {
    const d = buf[i] - 0x30
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
    if (n > MAX) return -2
  }
  return n
}

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)
const CHUNKED = "chunked"

/**
 * Scans a Transfer-Encoding value. Returns `chunkedCount * 4 + (final ? 2 : 0)
 * + (nonEmpty ? 1 : 0)` where `final` says the last coding is `chunked`.
 *
 * @internal
 */
export const scanTransferEncoding = (buf: Uint8Array, start: number, end: number): number => {
  let chunked = 0
  let final = false
  let nonEmpty = false
  let i = start
  while (i < end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++
    const s = i
    while (i < end && buf[i] !== 0x2c) i++
    let e = i
    while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--
    if (e === s) continue
    nonEmpty = true
    let isChunked = e - s === 7
    for (let k = 0; isChunked && k < 7; k++) if (lower(buf[s + k]) !== CHUNKED.charCodeAt(k)) isChunked = false
    if (isChunked) chunked++
    final = isChunked
  }
  return chunked * 4 + (final ? 2 : 0) + (nonEmpty ? 1 : 0)
}

/**
 * Parses a chunk-size line `buf[start, end)` (without its CRLF):
 * `1*HEXDIG *( ";" token [ "=" ( token / quoted-string ) ] )`. No whitespace
 * is accepted (llhttp's strict rule; RFC 9112 §7.1.1 allows BWS, which
 * request-smuggling research shows to be risky). `base` is the absolute
 * offset of `buf[start]`.
 *
 * @internal
 */
export const parseChunkSizeLine = (
  buf: Uint8Array,
  start: number,
  end: number,
  base: number,
  maxExtension: number
): number => {
  let i = start
  let size = 0
  while (i < end) {
    const h = HEX[buf[i]]
    if (h === 255) break
    size = size * 16 + h
    if (size > MAX) {
      throw new Http1ParseError({ reason: "InvalidChunkSize", offset: base + i - start, detail: "chunk size overflow" })
    }
    i++
  }
  if (i === start || (i < end && buf[i] !== SEMI)) {
    const c = i < end ? buf[i] : -1
    throw new Http1ParseError({
      reason: c === CR || c === LF ? "InvalidLineEnding" : "InvalidChunkSize",
      offset: base + i - start,
      detail: i === start ? "no hex digits in chunk size" : "invalid byte in chunk size"
    })
  }
  if (end - i > maxExtension) {
    throw new Http1ParseError({
      reason: "ChunkExtensionTooLong",
      offset: base + i - start,
      detail: `chunk extensions longer than ${maxExtension} bytes`
    })
  }
  while (i < end) {
    // buf[i] === ';'
    i++
    const ns = i
    while (i < end && TCHAR[buf[i]] === 1) i++
    if (i === ns) return extError(buf, i, end, start, base)
    if (i < end && buf[i] === 0x3d /* = */) {
      i++
      if (i < end && buf[i] === 0x22 /* " */) {
        i++
        for (;;) {
          if (i >= end) return extError(buf, i, end, start, base)
          const c = buf[i]
          if (c === 0x22) {
            i++
            break
          }
          if (c === 0x5c /* \ */) {
            i++
            if (i >= end || !qdtext(buf[i])) return extError(buf, i, end, start, base)
          } else if (!qdtext(c)) return extError(buf, i, end, start, base)
          i++
        }
      } else {
        const vs = i
        while (i < end && TCHAR[buf[i]] === 1) i++
        if (i === vs) return extError(buf, i, end, start, base)
      }
    }
    if (i < end && buf[i] !== SEMI) return extError(buf, i, end, start, base)
  }
  return size
}

const qdtext = (c: number): boolean => c === 0x09 || (c >= 0x20 && c !== 0x7f)

const extError = (_buf: Uint8Array, i: number, _end: number, start: number, base: number): never => {
  throw new Http1ParseError({
    reason: "InvalidChunkExtension",
    offset: base + i - start,
    detail: "malformed chunk extension"
  })
}
