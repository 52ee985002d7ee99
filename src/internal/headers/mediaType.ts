/**
 * Media types (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS [ parameter ] )`.
 *
 * @internal
 */
import { asciiLower, isQuotable, isToken, readQuotedString, readToken, skipOws } from "./syntax.js"

/** @internal */
export interface MediaType {
  readonly type: string
  readonly subtype: string
  readonly params: Readonly<Record<string, string>>
}

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
      const quoted = readQuotedString(s, i)
      if (quoted === undefined) return undefined
      value = quoted.value
      i = quoted.end
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
