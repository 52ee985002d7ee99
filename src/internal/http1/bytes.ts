/**
 * Byte tables and latin1 decoding for the HTTP/1 core (sans-IO, L1).
 *
 * The header-name/value predicates will move to `Headers` once it exists;
 * these are the parser's own minimal copies.
 *
 * @internal
 */

/** @internal */
export const CR = 13
/** @internal */
export const LF = 10
/** @internal */
export const SP = 32
/** @internal */
export const HTAB = 9
/** @internal */
export const COLON = 58
/** @internal */
export const SEMI = 59

/**
 * RFC 9110 §5.6.2 tchar: `!#$%&'*+-.^_\`|~`, DIGIT, ALPHA. 1 = allowed.
 *
 * @internal
 */
export const TCHAR: Uint8Array = (() => {
  const t = new Uint8Array(256)
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1
  return t
})()

/**
 * RFC 9110 §5.5 field-value bytes: HTAB, SP, VCHAR, obs-text. NUL, CR, LF,
 * other controls and DEL are 0.
 *
 * @internal
 */
export const FIELD_VALUE: Uint8Array = (() => {
  const t = new Uint8Array(256)
  t[HTAB] = 1
  for (let c = 0x20; c <= 0xff; c++) if (c !== 0x7f) t[c] = 1
  return t
})()

/**
 * Request-target bytes (RFC 9112 §3.2 after RFC 3986): visible ASCII except
 * DEL; no SP, no controls, no obs-text (llhttp's strict URL rule).
 *
 * @internal
 */
export const TARGET: Uint8Array = (() => {
  const t = new Uint8Array(256)
  for (let c = 0x21; c <= 0x7e; c++) t[c] = 1
  return t
})()

/** Hex digit value, or 255. @internal */
export const HEX: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255)
  for (let c = 0; c <= 9; c++) t[0x30 + c] = c
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c
    t[0x61 + c] = 10 + c
  }
  return t
})()

/** `true` when `s` is a non-empty RFC 9110 token. @internal */
export const isToken = (s: string): boolean => {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 255 || TCHAR[c] === 0) return false
  }
  return true
}

// ---------------------------------------------------------------------------
// latin1 decoding
//
// Header strings are decoded as ISO-8859-1 (one byte → one UTF-16 unit), as
// Node's HTTP parser does. `TextDecoder("latin1")` is windows-1252 per the
// WHATWG Encoding spec, so it is NOT used. When the host has a `Buffer` (Node,
// Bun, Deno's node compat) its native `latin1Slice` is used for long ranges;
// short ranges — most header names and values — are cheaper in plain JS.
// ---------------------------------------------------------------------------

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string
const nativeLatin1: Latin1Slice | undefined = (() => {
  const B = (globalThis as { Buffer?: { prototype?: { latin1Slice?: unknown } } }).Buffer
  const f = B?.prototype?.latin1Slice
  return typeof f === "function" ? (f as Latin1Slice) : undefined
})()

const fcc = String.fromCharCode

/**
 * Decodes `buf[start, end)` as latin1.
 *
 * @internal
 */
export const latin1 = (buf: Uint8Array, start: number, end: number): string => {
  const n = end - start
  if (n <= 10) {
    // Short strings: a JS loop beats a call into native code.
    switch (n) {
      case 0:
        return ""
      case 1:
        return fcc(buf[start])
      case 2:
        return fcc(buf[start], buf[start + 1])
      case 3:
        return fcc(buf[start], buf[start + 1], buf[start + 2])
      case 4:
        return fcc(buf[start], buf[start + 1], buf[start + 2], buf[start + 3])
    }
    let s = fcc(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4])
    for (let i = start + 5; i < end; i++) s += fcc(buf[i])
    return s
  }
  return nativeLatin1 !== undefined ? nativeLatin1.call(buf, start, end) : latin1Portable(buf, start, end)
}

/**
 * Decodes `buf[start, end)` as latin1 without `Buffer`, 1024 bytes per
 * `String.fromCharCode` call: what {@link latin1} uses for long ranges on a
 * host without Node's `Buffer`.
 *
 * @internal
 */
export const latin1Portable = (buf: Uint8Array, start: number, end: number): string => {
  let s = ""
  for (let i = start; i < end; i += 1024) {
    const view = new Uint8Array(buf.buffer, buf.byteOffset + i, Math.min(end, i + 1024) - i)
    // eslint-disable-next-line prefer-spread -- apply over a typed array avoids the iterator protocol
    s += fcc.apply(null, view as unknown as Array<number>)
  }
  return s
}

/**
 * A small direct-mapped cache of decoded strings. A slot is chosen from the
 * length and three bytes; a hit is verified byte by byte, so the cache never
 * changes the result, only avoids allocating the same header names and
 * values (Server, Content-Type, …) again and again on a keep-alive
 * connection. Sized 512 entries; one per parser.
 *
 * @internal
 */
export class StringCache {
  readonly #slots: Array<string | undefined> = new Array(512).fill(undefined)

  constructor(seed: ReadonlyArray<string> = []) {
    const bytes = new Uint8Array(256)
    for (const s of seed) {
      if (s.length === 0 || s.length > 256) continue
      for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)
      this.#slots[slot(bytes, 0, s.length)] = s
    }
  }

  get(buf: Uint8Array, start: number, end: number): string {
    const n = end - start
    if (n === 0) return ""
    if (n > 64) return latin1(buf, start, end)
    const k = slot(buf, start, end)
    const hit = this.#slots[k]
    if (hit !== undefined && hit.length === n) {
      let i = 0
      while (i < n && hit.charCodeAt(i) === buf[start + i]) i++
      if (i === n) return hit
    }
    const s = latin1(buf, start, end)
    this.#slots[k] = s
    return s
  }
}

const slot = (buf: Uint8Array, start: number, end: number): number => {
  const len = end - start
  return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511
}

/** Header names seeded into each parser's name cache. @internal */
export const COMMON_HEADER_NAMES: ReadonlyArray<string> = [
  "Accept-Ranges", "Access-Control-Allow-Origin", "Age", "Alt-Svc", "Cache-Control", "Connection",
  "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location",
  "Content-Range", "Content-Security-Policy", "Content-Type", "Date", "ETag", "Expires", "Keep-Alive",
  "Last-Modified", "Link", "Location", "Pragma", "Retry-After", "Server", "Set-Cookie",
  "Strict-Transport-Security", "Trailer", "Transfer-Encoding", "Upgrade", "Vary", "Via", "WWW-Authenticate",
  "X-Content-Type-Options", "X-Frame-Options", "X-Powered-By", "X-Request-Id",
  "accept-ranges", "cache-control", "connection", "content-encoding", "content-length", "content-type", "date",
  "etag", "expires", "keep-alive", "last-modified", "location", "server", "set-cookie", "transfer-encoding",
  "vary", "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cookie",
  "host", "user-agent", "accept", "accept-encoding"
]

const noBytes = new Uint8Array(0)

/** Joins chunks into one array (no copy for zero or one chunk). @internal */
export const concatBytes = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 0) return noBytes
  if (chunks.length === 1) return chunks[0]
  const out = new Uint8Array(total)
  let o = 0
  for (const c of chunks) {
    out.set(c, o)
    o += c.length
  }
  return out
}
