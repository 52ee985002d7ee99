/**
 * Character classes of RFC 9110 used by the header, media-type and cookie
 * codecs. One implementation, shared by every module that writes or reads
 * field names and values.
 *
 * @internal
 */

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA        (RFC 9110 §5.6.2)
const TCHAR = new Uint8Array(128)
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1

/** @internal */
export const isTchar = (c: number): boolean => c < 128 && TCHAR[c] === 1

/**
 * Index of the first character of `s` that is not a tchar, `-1` when `s` is a
 * token. An empty string is not a token: callers check the length.
 *
 * @internal
 */
export const firstNonTchar = (s: string): number => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || TCHAR[c] !== 1) return i
  }
  return -1
}

/** @internal */
export const isToken = (s: string): boolean => s.length > 0 && firstNonTchar(s) === -1

/**
 * Index of the first character not allowed in a field value on the wire,
 * `-1` when there is none. Allowed: HTAB, SP, VCHAR (0x21-0x7E) and obs-text
 * (0x80-0xFF) (RFC 9110 §5.5). Everything else — NUL, CR, LF, the other
 * controls, DEL, and code points above 0xFF (which have no one-byte encoding)
 * — is refused.
 *
 * @internal
 */
export const firstInvalidValueChar = (s: string): number => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return i
  }
  return -1
}

/** ASCII-only lower-casing; returns `s` itself when it has no upper-case letter. @internal */
export const asciiLower = (s: string): string => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) return lowerFrom(s, i)
  }
  return s
}

const lowerFrom = (s: string, start: number): string => {
  let out = s.slice(0, start)
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c | 0x20) : s[i]
  }
  return out
}

/**
 * Whether `name` equals `lower` ignoring ASCII case; `lower` must already be
 * ASCII lower-case. Allocates nothing.
 *
 * @internal
 */
export const equalsLower = (name: string, lower: string): boolean => {
  const n = name.length
  if (n !== lower.length) return false
  for (let i = 0; i < n; i++) {
    let c = name.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) c |= 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Describes a character for an error message: `CR (0x0d)`. @internal */
export const describeChar = (s: string, i: number): string => {
  const c = s.charCodeAt(i)
  const named = c === 0x0d ? "CR" : c === 0x0a ? "LF" : c === 0 ? "NUL" : c === 0x09 ? "HTAB" : c === 0x20 ? "SP" :
    c === 0x7f ? "DEL" : c < 0x20 ? "a control character" : c > 0xff ? "a character above 0xff" : JSON.stringify(s[i])
  return `${named} (0x${c.toString(16).padStart(2, "0")}) at index ${i}`
}

/** Whether `c` is OWS (SP or HTAB). @internal */
export const isOws = (c: number): boolean => c === 0x20 || c === 0x09

/** Removes leading and trailing SP/HTAB. @internal */
export const trimOws = (s: string): string => {
  let start = 0
  let end = s.length
  while (start < end && isOws(s.charCodeAt(start))) start++
  while (end > start && isOws(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/** The index of the first non-OWS character of `s` at or after `start`. @internal */
export const skipOws = (s: string, start: number): number => {
  let i = start
  while (i < s.length && isOws(s.charCodeAt(i))) i++
  return i
}

/** The end of the token that starts at `start` (`start` itself when there is none). @internal */
export const readToken = (s: string, start: number): number => {
  let i = start
  while (i < s.length && isTchar(s.charCodeAt(i))) i++
  return i
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
const isQdtext = (c: number): boolean =>
  c === 0x09 || c === 0x20 || c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) ||
  (c >= 0x80 && c <= 0xff)

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
/** Whether `c` may follow a backslash in a quoted-string (quoted-pair). @internal */
export const isQuotable = (c: number): boolean => c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff)

/**
 * Reads the quoted-string (RFC 9110 §5.6.4) whose opening quote is at
 * `start`: its value with quoted-pairs unescaped and the index after the
 * closing quote, or undefined when it is not one (unclosed, a bad
 * character or escape).
 *
 * @internal
 */
export const readQuotedString = (s: string, start: number): { readonly value: string; readonly end: number } | undefined => {
  if (s.charCodeAt(start) !== 0x22 /* " */) return undefined
  let value = ""
  let i = start + 1
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c === 0x22) return { value, end: i + 1 }
    if (c === 0x5c /* \ */) {
      if (i + 1 >= s.length || !isQuotable(s.charCodeAt(i + 1))) return undefined
      value += s[i + 1]
      i += 2
      continue
    }
    if (!isQdtext(c)) return undefined
    value += s[i]
    i++
  }
  return undefined
}
