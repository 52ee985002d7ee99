/**
 * Media types (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS [ parameter ] )`.
 *
 * @internal
 */
import { asciiLower, isOws, isTchar, isToken } from "./syntax.js"

/** @internal */
export interface MediaType {
  readonly type: string
  readonly subtype: string
  readonly params: Readonly<Record<string, string>>
}

const readToken = (s: string, start: number): number => {
  let i = start
  while (i < s.length && isTchar(s.charCodeAt(i))) i++
  return i
}

const skipOws = (s: string, start: number): number => {
  let i = start
  while (i < s.length && isOws(s.charCodeAt(i))) i++
  return i
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
const isQdtext = (c: number): boolean =>
  c === 0x09 || c === 0x20 || c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) ||
  (c >= 0x80 && c <= 0xff)

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
const isQuotable = (c: number): boolean => c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff)

/** @internal */
export const parse = (input: string, lowerCharset: boolean): MediaType | undefined => {
  const s = input
  let i = skipOws(s, 0)
  let end = readToken(s, i)
  if (end === i) return undefined
  const type = asciiLower(s.slice(i, end))
  let subtype: string
  i = end
  if (s.charCodeAt(i) === 0x2f /* / */) {
    end = readToken(s, i + 1)
    if (end === i + 1) return undefined
    subtype = asciiLower(s.slice(i + 1, end))
    i = end
  } else if (type === "*") {
    // A bare "*" (sent by old clients in Accept) is read as "*/*", as hackney does.
    subtype = "*"
  } else {
    return undefined
  }
  const params = new Map<string, string>()
  while (true) {
    i = skipOws(s, i)
    if (i >= s.length) break
    if (s.charCodeAt(i) !== 0x3b /* ; */) return undefined
    i = skipOws(s, i + 1)
    if (i >= s.length || s.charCodeAt(i) === 0x3b) continue
    end = readToken(s, i)
    if (end === i || s.charCodeAt(end) !== 0x3d /* = */) return undefined
    const name = asciiLower(s.slice(i, end))
    i = end + 1
    let value: string
    if (s.charCodeAt(i) === 0x22 /* " */) {
      value = ""
      i++
      let closed = false
      while (i < s.length) {
        const c = s.charCodeAt(i)
        if (c === 0x22) {
          closed = true
          i++
          break
        }
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
      if (!closed) return undefined
    } else {
      end = readToken(s, i)
      if (end === i) return undefined
      value = s.slice(i, end)
      i = end
    }
    if (lowerCharset && name === "charset") value = asciiLower(value)
    // RFC 9110 leaves duplicates undefined; the first one wins.
    if (!params.has(name)) params.set(name, value)
  }
  return { type, subtype, params: Object.fromEntries(params) }
}

const quote = (value: string): string => {
  if (isToken(value)) return value
  let out = "\""
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x22 || c === 0x5c) out += "\\"
    out += value[i]
  }
  return out + "\""
}

/** @internal */
export const format = (self: MediaType): string => {
  let out = `${self.type}/${self.subtype}`
  for (const name of Object.keys(self.params)) out += `; ${name}=${quote(self.params[name])}`
  return out
}

/** @internal */
export const isValid = (self: MediaType): boolean => {
  if (!isToken(self.type) || !isToken(self.subtype)) return false
  for (const name of Object.keys(self.params)) {
    if (!isToken(name)) return false
    const v = self.params[name]
    for (let i = 0; i < v.length; i++) if (!isQuotable(v.charCodeAt(i))) return false
  }
  return true
}
