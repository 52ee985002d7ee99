/**
 * Percent-encoding primitives shared by `Url` and `QueryString`.
 *
 * Everything works on the UTF-8 bytes of a string: encoders emit `%XX` for
 * each byte outside their keep-set, decoders turn `%XX` back into bytes and
 * then decode the bytes as UTF-8 (invalid sequences become U+FFFD).
 *
 * @internal
 */

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })
const utf8StrictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const HEX_UPPER = "0123456789ABCDEF"
const HEX_LOWER = "0123456789abcdef"

/** @internal */
export const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48 // 0-9
  if (code >= 65 && code <= 70) return code - 55 // A-F
  if (code >= 97 && code <= 102) return code - 87 // a-f
  return -1
}

/** Builds a 128-entry table of the ASCII characters kept verbatim. */
const keepTable = (chars: string): Uint8Array => {
  const table = new Uint8Array(128)
  for (let c = 48; c <= 57; c++) table[c] = 1
  for (let c = 65; c <= 90; c++) table[c] = 1
  for (let c = 97; c <= 122; c++) table[c] = 1
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  return table
}

/** hackney `urlencode/2`: alphanumerics and `. - ~ _ * @ ( ) ! $` are kept. */
const URLENCODE_KEEP = keepTable(".-~_*@()!$")

/** hackney `pathencode/1`: alphanumerics and `; = , : * @ ( ) . - + ~ _` are kept. */
const PATH_KEEP = keepTable(";=,:*@().-+~_")

/** @internal */
export interface UrlencodeOptions {
  readonly noplus?: boolean | undefined
  readonly lower?: boolean | undefined
}

const pushByte = (out: Array<string>, byte: number, hex: string): void => {
  out.push("%", hex[byte >> 4]!, hex[byte & 15]!)
}

/** @internal */
export const urlencode = (input: string, options?: UrlencodeOptions): string => {
  const plus = options?.noplus !== true
  const hex = options?.lower === true ? HEX_LOWER : HEX_UPPER
  // Fast path: nothing to encode.
  let i = 0
  for (; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c >= 128 || URLENCODE_KEEP[c] === 0) break
  }
  if (i === input.length) return input
  const bytes = utf8Encoder.encode(input)
  const out: Array<string> = []
  for (let j = 0; j < bytes.length; j++) {
    const b = bytes[j]!
    if (b < 128 && URLENCODE_KEEP[b] === 1) out.push(String.fromCharCode(b))
    else if (b === 32 && plus) out.push("+")
    else pushByte(out, b, hex)
  }
  return out.join("")
}

/**
 * Decodes `%XX` (and `+` as a space when `plus` is true). Returns `undefined`
 * on the first invalid escape when `strict`; otherwise keeps such a `%`
 * literally.
 *
 * @internal
 */
export const percentDecode = (input: string, plus: boolean, strict: boolean): string | undefined => {
  if (input.indexOf("%") === -1) return plus && input.indexOf("+") !== -1 ? input.replace(/\+/g, " ") : input
  const bytes = utf8Encoder.encode(input)
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 37) {
      const hi = i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1
      const lo = hi >= 0 ? hexValue(bytes[i + 2]!) : -1
      if (lo >= 0) {
        out[n++] = (hi << 4) | lo
        i += 2
        continue
      }
      if (strict) return undefined
      out[n++] = b
    } else if (b === 43 && plus) out[n++] = 32
    else out[n++] = b
  }
  return utf8Decoder.decode(out.subarray(0, n))
}

/**
 * Decodes `%XX` escapes only (no `+`), failing on an invalid escape or when
 * the bytes are not valid UTF-8.
 *
 * @internal
 */
export const percentDecodeStrictUtf8 = (input: string): string | undefined => {
  if (input.indexOf("%") === -1) return input
  const bytes = utf8Encoder.encode(input)
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 37) {
      const hi = i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1
      const lo = hi >= 0 ? hexValue(bytes[i + 2]!) : -1
      if (lo < 0) return undefined
      out[n++] = (hi << 4) | lo
      i += 2
    } else out[n++] = b
  }
  try {
    return utf8StrictDecoder.decode(out.subarray(0, n))
  } catch {
    return undefined
  }
}

const encodeSegment = (segment: string, out: Array<string>): void => {
  let i = 0
  while (i < segment.length) {
    const c = segment.charCodeAt(i)
    if (c < 128) {
      if (PATH_KEEP[c] === 1) out.push(segment[i]!)
      else if (c === 37 && i + 2 < segment.length && hexValue(segment.charCodeAt(i + 1)) >= 0 &&
        hexValue(segment.charCodeAt(i + 2)) >= 0) {
        // A valid escape is kept as written (its case too).
        out.push(segment.slice(i, i + 3))
        i += 3
        continue
      } else pushByte(out, c, HEX_UPPER)
      i++
      continue
    }
    // A run of non-ASCII characters: encode their UTF-8 bytes.
    let j = i + 1
    while (j < segment.length && segment.charCodeAt(j) >= 128) j++
    const bytes = utf8Encoder.encode(segment.slice(i, j))
    for (let k = 0; k < bytes.length; k++) pushByte(out, bytes[k]!, HEX_UPPER)
    i = j
  }
}

/** @internal */
export const pathEncode = (path: string): string => {
  let i = 0
  for (; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c >= 128 || (PATH_KEEP[c] === 0 && c !== 47)) break
  }
  if (i === path.length) return path
  const out: Array<string> = []
  const segments = path.split("/")
  for (let s = 0; s < segments.length; s++) {
    if (s > 0) out.push("/")
    encodeSegment(segments[s]!, out)
  }
  return out.join("")
}

// WHATWG percent-encode sets used to make a request target legal on the wire
// without re-encoding what is already encoded (`%` is kept as is).
const PATH_TARGET_ENCODE = new Uint8Array(128)
const QUERY_TARGET_ENCODE = new Uint8Array(128)
for (let c = 0; c <= 32; c++) PATH_TARGET_ENCODE[c] = QUERY_TARGET_ENCODE[c] = 1
PATH_TARGET_ENCODE[127] = QUERY_TARGET_ENCODE[127] = 1
for (const ch of "\"#<>") PATH_TARGET_ENCODE[ch.charCodeAt(0)] = QUERY_TARGET_ENCODE[ch.charCodeAt(0)] = 1
for (const ch of "?`{}") PATH_TARGET_ENCODE[ch.charCodeAt(0)] = 1

/**
 * Percent-encodes what may not appear on a request line: controls, space,
 * non-ASCII and the WHATWG path (`kind = "path"`) or query set.
 *
 * @internal
 */
export const encodeTargetPart = (input: string, kind: "path" | "query"): string => {
  const table = kind === "path" ? PATH_TARGET_ENCODE : QUERY_TARGET_ENCODE
  let i = 0
  for (; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c >= 128 || table[c] === 1) break
  }
  if (i === input.length) return input
  const bytes = utf8Encoder.encode(input)
  const out: Array<string> = []
  for (let j = 0; j < bytes.length; j++) {
    const b = bytes[j]!
    if (b < 128 && table[b] === 0) out.push(String.fromCharCode(b))
    else pushByte(out, b, HEX_UPPER)
  }
  return out.join("")
}

/** @internal */
export const isAscii = (input: string): boolean => {
  for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) >= 128) return false
  return true
}

/** ASCII-only lower-casing (Unicode letters are left to IDNA). @internal */
export const asciiLower = (input: string): string => {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c >= 65 && c <= 90) return input.replace(/[A-Z]+/g, (m) => m.toLowerCase())
  }
  return input
}

/**
 * A header field value as a URI reference. Field values are read as latin1,
 * one character per octet received; beyond ASCII, a `Location` normally
 * carries UTF-8 (an IRI sent raw). Valid UTF-8 is decoded, so that the URL
 * layer percent-encodes (or, in a host, IDNA-maps) the very octets sent:
 * `Ø¢` (D8 A2) becomes `%D8%A2`, not `%C3%98%C2%A2`. Other octets ≥ 0x80 are
 * percent-encoded as they are (`é` in latin1, E9, becomes `%E9`). A value
 * with a character above U+00FF is not octets and is returned unchanged.
 *
 * @internal
 */
export const referenceFromOctets = (value: string): string => {
  if (isAscii(value)) return value
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0xff) return value
    bytes[i] = c
  }
  try {
    return utf8StrictDecoder.decode(bytes)
  } catch {
    const out: Array<string> = []
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] < 0x80) out.push(value[i])
      else pushByte(out, bytes[i], HEX_UPPER)
    }
    return out.join("")
  }
}
