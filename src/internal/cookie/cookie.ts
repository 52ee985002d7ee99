/**
 * Cookie codecs: the RFC 6265 §5.2 Set-Cookie parser (with the RFC 6265bis
 * size limits and CTL rule), hackney's `parse_cookie/1`, and the Cookie /
 * Set-Cookie writers.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { Cookie, SameSite, SetCookieOptions } from "../../Cookie.js"
import { InvalidRequest } from "../../HackneyError.js"
import * as HttpDate from "../../HttpDate.js"
import { describeChar, firstInvalidValueChar, firstNonTchar } from "../headers/syntax.js"

// ---------------------------------------------------------------------------
// Set-Cookie parsing (RFC 6265 §5.2)
// ---------------------------------------------------------------------------

/** RFC 6265bis §5.7: name + value over 4096 octets drops the cookie. */
const MAX_NAME_VALUE = 4096
/** RFC 6265bis §5.7: an attribute value over 1024 octets drops the attribute. */
const MAX_ATTRIBUTE_VALUE = 1024

const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3
  }
  return n
}

// WSP = SP / HTAB (RFC 6265 uses WSP, not Unicode whitespace)
const trimWsp = (s: string): string => {
  let a = 0
  let b = s.length
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--
  return a === 0 && b === s.length ? s : s.slice(a, b)
}

// RFC 6265bis §5.7 step 1: a CTL other than HTAB (%x00-08 / %x0A-1F / %x7F) drops the whole line.
const hasCtl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true
  }
  return false
}

const isDigitString = (s: string, from: number): boolean => {
  if (from >= s.length) return false
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

interface Mutable {
  name: string
  value: string
  expires?: Date
  maxAge?: number
  domain?: string
  path?: string
  secure: boolean
  httpOnly: boolean
  sameSite?: SameSite
  partitioned: boolean
  extensions: Array<readonly [string, string]>
}

/** @internal */
export const parseSetCookie = (input: string): Cookie | undefined => {
  if (hasCtl(input)) return undefined
  const semi = input.indexOf(";")
  const pair = semi === -1 ? input : input.slice(0, semi)
  const eq = pair.indexOf("=")
  // RFC 6265 §5.2 step 2: no "=" in the name-value-pair: ignore the line.
  if (eq === -1) return undefined
  const name = trimWsp(pair.slice(0, eq))
  const value = trimWsp(pair.slice(eq + 1))
  // Step 5: an empty name: ignore the line.
  if (name.length === 0) return undefined
  if (utf8Length(name) + utf8Length(value) > MAX_NAME_VALUE) return undefined
  const cookie: Mutable = { name, value, secure: false, httpOnly: false, partitioned: false, extensions: [] }
  if (semi === -1) return cookie
  // §5.2 attributes: each is processed in order, and a later one of a kind replaces an earlier one.
  for (const av of input.slice(semi + 1).split(";")) {
    const aeq = av.indexOf("=")
    const attrName = trimWsp(aeq === -1 ? av : av.slice(0, aeq))
    const attrValue = aeq === -1 ? "" : trimWsp(av.slice(aeq + 1))
    if (attrName.length === 0) continue
    if (utf8Length(attrValue) > MAX_ATTRIBUTE_VALUE) continue
    switch (attrName.toLowerCase()) {
      case "expires": {
        // §5.2.1: an unparsable date ignores the attribute.
        const date = HttpDate.parseCookieDate(attrValue)
        if (date._tag === "Some") cookie.expires = date.value
        break
      }
      case "max-age": {
        // §5.2.2: a leading DIGIT or "-", then DIGITs only; otherwise ignored.
        const negative = attrValue.charCodeAt(0) === 0x2d
        if (!isDigitString(attrValue, negative ? 1 : 0)) break
        const n = Math.min(Number(attrValue.slice(negative ? 1 : 0)), Number.MAX_SAFE_INTEGER)
        cookie.maxAge = negative ? (n === 0 ? 0 : -n) : n
        break
      }
      case "domain": {
        // §5.2.3: an empty value is ignored; a leading "." is dropped; lower-cased.
        if (attrValue.length === 0) break
        const domain = (attrValue.charCodeAt(0) === 0x2e ? attrValue.slice(1) : attrValue).toLowerCase()
        if (domain.length === 0) delete cookie.domain
        else cookie.domain = domain
        break
      }
      case "path": {
        // §5.2.4: a value not starting with "/" means the default path (left to the jar).
        if (attrValue.charCodeAt(0) === 0x2f) cookie.path = attrValue
        else delete cookie.path
        break
      }
      case "secure":
        cookie.secure = true
        break
      case "httponly":
        cookie.httpOnly = true
        break
      case "partitioned":
        cookie.partitioned = true
        break
      case "samesite": {
        // RFC 6265bis §5.6.7: None / Strict / Lax, any case; anything else means "no SameSite".
        const v = attrValue.toLowerCase()
        if (v === "strict") cookie.sameSite = "Strict"
        else if (v === "lax") cookie.sameSite = "Lax"
        else if (v === "none") cookie.sameSite = "None"
        else {
          delete cookie.sameSite
          cookie.extensions.push([attrName, attrValue])
        }
        break
      }
      default:
        cookie.extensions.push([attrName, attrValue])
    }
  }
  return cookie
}

// ---------------------------------------------------------------------------
// Cookie request header (hackney parse_cookie/1)
// ---------------------------------------------------------------------------

/** @internal */
export const parseCookieHeader = (input: string): Array<readonly [string, string | true]> | undefined => {
  const out: Array<readonly [string, string | true]> = []
  const n = input.length
  let i = 0
  while (i < n) {
    const c = input.charCodeAt(i)
    // Between cookies: SP, HTAB, "," and ";" are skipped.
    if (c === 0x20 || c === 0x09 || c === 0x2c || c === 0x3b) {
      i++
      continue
    }
    // "$Version", "$Path", … (RFC 2965 attributes) are skipped up to the next "," or ";".
    if (c === 0x24) {
      while (i < n && input.charCodeAt(i) !== 0x2c && input.charCodeAt(i) !== 0x3b) i++
      continue
    }
    const start = i
    let valueStart = -1
    for (; i < n; i++) {
      const d = input.charCodeAt(i)
      if (d === 0x3d /* = */) {
        if (i === start) return undefined
        valueStart = i + 1
        break
      }
      if (d === 0x3b /* ; */) break
      if (d === 0x2c || d === 0x20 || d === 0x09 || d === 0x0d || d === 0x0a || d === 0x0b || d === 0x0c) {
        return undefined
      }
    }
    const name = input.slice(start, i)
    if (valueStart === -1) {
      // A name without "=" is a flag.
      out.push([name, true])
      continue
    }
    i = valueStart
    for (; i < n; i++) {
      const d = input.charCodeAt(i)
      if (d === 0x3b) break
      if (d === 0x09 || d === 0x0d || d === 0x0a || d === 0x0b || d === 0x0c) return undefined
    }
    let end = i
    while (end > valueStart && input.charCodeAt(end - 1) === 0x20) end--
    out.push([name, input.slice(valueStart, end)])
  }
  return out
}

// ---------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------

const invalid = (detail: string, reason: "header-value" | "option" = "header-value") =>
  Either.left(new InvalidRequest({ reason, detail }))

/** @internal */
export const serializeCookieHeader = (
  pairs: Iterable<readonly [string, string]>
): Either.Either<string, InvalidRequest> => {
  let out = ""
  for (const [name, value] of pairs) {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i)
      if (c === 0x3d || c === 0x3b) return invalid(`cookie name ${JSON.stringify(name)} contains ${describeChar(name, i)}`)
    }
    const badName = firstInvalidValueChar(name)
    if (badName !== -1) return invalid(`cookie name ${JSON.stringify(name)} contains ${describeChar(name, badName)}`)
    const semi = value.indexOf(";")
    const badValue = semi !== -1 ? semi : firstInvalidValueChar(value)
    if (badValue !== -1) return invalid(`the value of cookie ${JSON.stringify(name)} contains ${describeChar(value, badValue)}`)
    if (out.length > 0) out += "; "
    // RFC 6265bis §5.8.3: a cookie with an empty name is sent as its value alone.
    out += name.length === 0 ? value : `${name}=${value}`
  }
  return Either.right(out)
}

// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E   (RFC 6265 §4.1.1)
const isCookieOctet = (c: number): boolean =>
  c === 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
  (c >= 0x5d && c <= 0x7e)

/** Index of the first character that makes `value` no cookie-value, or -1. */
const firstBadCookieValueChar = (value: string): number => {
  let from = 0
  let to = value.length
  if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
    from = 1
    to = value.length - 1
  }
  for (let i = from; i < to; i++) if (!isCookieOctet(value.charCodeAt(i))) return i
  return -1
}

const isDomainChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e ||
  c === 0x5f

/** @internal */
export const serializeSetCookie = (
  name: string,
  value: string,
  options: SetCookieOptions
): Either.Either<string, InvalidRequest> => {
  if (name.length === 0) return invalid("a cookie name is empty")
  const badName = firstNonTchar(name)
  if (badName !== -1) {
    return invalid(`cookie name ${JSON.stringify(name)} contains ${describeChar(name, badName)}; names must be tokens`)
  }
  const badValue = firstBadCookieValueChar(value)
  if (badValue !== -1) {
    return invalid(
      `the value of cookie ${JSON.stringify(name)} contains ${
        describeChar(value, badValue)
      }; encode it (for example with encodeURIComponent) first`
    )
  }
  let out = `${name}=${value}`
  const { domain, expires, maxAge, path, sameSite } = options
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
    return invalid(`maxAge must be a whole number of seconds, 0 or more; got ${maxAge}`, "option")
  }
  if (expires !== undefined) {
    const t = typeof expires === "number" ? expires : expires.getTime()
    const y = new Date(t).getUTCFullYear()
    if (!Number.isFinite(t) || y < 0 || y > 9999) return invalid("expires must be a valid date in the years 0–9999", "option")
    out += `; Expires=${HttpDate.format(t)}`
  } else if (maxAge === 0) {
    // As hackney: a past Expires as well, for clients that ignore Max-Age.
    out += `; Expires=${HttpDate.format(1000)}`
  }
  if (maxAge !== undefined) out += `; Max-Age=${maxAge}`
  if (domain !== undefined) {
    if (domain.length === 0) return invalid("the cookie domain is empty", "option")
    for (let i = 0; i < domain.length; i++) {
      if (!isDomainChar(domain.charCodeAt(i))) {
        return invalid(`the cookie domain contains ${describeChar(domain, i)}; use letters, digits, "-", "." (A-labels for IDNs)`)
      }
    }
    out += `; Domain=${domain}`
  }
  if (path !== undefined) {
    if (path.charCodeAt(0) !== 0x2f) return invalid(`the cookie path must start with "/"; got ${JSON.stringify(path)}`, "option")
    for (let i = 0; i < path.length; i++) {
      const c = path.charCodeAt(i)
      if (c <= 0x20 || c >= 0x7f || c === 0x3b) return invalid(`the cookie path contains ${describeChar(path, i)}`)
    }
    out += `; Path=${path}`
  }
  if (options.secure === true) out += "; Secure"
  if (options.httpOnly === true) out += "; HttpOnly"
  if (sameSite !== undefined) {
    if (sameSite !== "Strict" && sameSite !== "Lax" && sameSite !== "None") {
      return invalid(`sameSite must be "Strict", "Lax" or "None"; got ${JSON.stringify(sameSite)}`, "option")
    }
    out += `; SameSite=${sameSite}`
  }
  if (options.partitioned === true) out += "; Partitioned"
  return Either.right(out)
}
