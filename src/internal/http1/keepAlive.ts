/**
 * hackney_keepalive: whether a connection stays open after a message.
 *
 * @internal
 */

/** Connection token bits. @internal */
export const CONN_CLOSE = 1
/** @internal */
export const CONN_KEEP_ALIVE = 2
/** @internal */
export const CONN_UPGRADE = 4

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)

const eqLower = (buf: Uint8Array, s: number, e: number, word: string): boolean => {
  if (e - s !== word.length) return false
  for (let i = 0; i < word.length; i++) if (lower(buf[s + i]) !== word.charCodeAt(i)) return false
  return true
}

const tokenBit = (buf: Uint8Array, s: number, e: number): number =>
  eqLower(buf, s, e, "close")
    ? CONN_CLOSE
    : eqLower(buf, s, e, "keep-alive")
    ? CONN_KEEP_ALIVE
    : eqLower(buf, s, e, "upgrade")
    ? CONN_UPGRADE
    : 0

/**
 * Scans a Connection field value (`buf[start, end)`) and returns the bits of
 * the tokens `close`, `keep-alive`, `upgrade` it lists (case-insensitive,
 * comma-separated, OWS around items).
 *
 * @internal
 */
export const connectionTokens = (buf: Uint8Array, start: number, end: number): number => {
  let bits = 0
  let i = start
  while (i < end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++
    const s = i
    while (i < end && buf[i] !== 0x2c) i++
    let e = i
    while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--
    if (e > s) bits |= tokenBit(buf, s, e)
  }
  return bits
}

/**
 * Keep-alive from the version and the Connection tokens: a `close` token
 * always closes; otherwise HTTP/1.1 and later persist by default and
 * HTTP/1.0 persists only with a `keep-alive` token (RFC 9112 §9.3).
 *
 * @internal
 */
export const keepAliveFrom = (versionMajor: number, versionMinor: number, bits: number): boolean =>
  (bits & CONN_CLOSE) !== 0
    ? false
    : versionMajor > 1 || (versionMajor === 1 && versionMinor >= 1)
    ? true
    : (bits & CONN_KEEP_ALIVE) !== 0

const enc = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff
  return b
}

/**
 * hackney_keepalive over raw headers: the tokens of every Connection header
 * (names compared case-insensitively) and the version defaults.
 *
 * @internal
 */
export const shouldKeepAlive = (
  versionMajor: number,
  versionMinor: number,
  rawHeaders: ReadonlyArray<string>
): boolean => {
  let bits = 0
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name.length === 10 && name.toLowerCase() === "connection") {
      const v = enc(rawHeaders[i + 1])
      bits |= connectionTokens(v, 0, v.length)
    }
  }
  return keepAliveFrom(versionMajor, versionMinor, bits)
}
