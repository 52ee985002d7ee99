/**
 * `parse`: a string into a `Url`, with hackney_url's splitting rules and
 * the validation an HTTP client needs.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidRequest } from "../../HackneyError.js"
import { isIpv6 } from "./ip.js"
import type { Fields, UrlImpl } from "./model.js"
import { fromFields, rawPathOf, schemeInfo } from "./model.js"
import { asciiLower, percentDecodeStrictUtf8 } from "./percent.js"

/** @internal */
export const invalidUrl = (detail: string, url?: string): InvalidRequest =>
  new InvalidRequest(url === undefined ? { reason: "url", detail } : { reason: "url", detail, url })

/** RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`. @internal */
export const isScheme = (text: string): boolean => {
  if (text.length === 0) return false
  const first = text.charCodeAt(0) | 0x20
  if (first < 97 || first > 122) return false
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const l = c | 0x20
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false
  }
  return true
}

// WHATWG "forbidden host code points", minus `%` (a percent-encoded host is
// decoded by `normalize`), plus DEL and the C0 controls.
const FORBIDDEN_HOST = new Uint8Array(128)
for (let c = 0; c <= 32; c++) FORBIDDEN_HOST[c] = 1
FORBIDDEN_HOST[127] = 1
for (const ch of "#/:<>?@[\\]^|") FORBIDDEN_HOST[ch.charCodeAt(0)] = 1

/** @internal */
export const hasForbiddenHostChar = (host: string): boolean => {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i)
    if (c < 128 && FORBIDDEN_HOST[c] === 1) return true
  }
  return false
}

const isC0OrSpace = (c: number): boolean => c <= 32

/** Trims C0 controls and spaces at both ends, as the WHATWG parser does. */
const trim = (input: string): string => {
  let start = 0
  let end = input.length
  while (start < end && isC0OrSpace(input.charCodeAt(start))) start++
  while (end > start && isC0OrSpace(input.charCodeAt(end - 1))) end--
  return start === 0 && end === input.length ? input : input.slice(start, end)
}

const hasControl = (input: string): boolean => {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return false
}

const parsePort = (text: string): number | undefined => {
  if (text.length === 0 || text.length > 5) return undefined
  let value = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return undefined
    value = value * 10 + (c - 48)
  }
  return value <= 65535 ? value : undefined
}

/** The pieces of an authority, `[userinfo@]host[:port]`. @internal */
export interface Authority {
  readonly user: string
  readonly password: string
  readonly host: string
  readonly port: number
  readonly netloc: string
}

/**
 * Parses an authority for `scheme`: userinfo ends at the last `@`, user and
 * password are percent-decoded, IPv6 literals are bracketed, the port
 * defaults from the scheme.
 *
 * @internal
 */
export const parseAuthority = (
  scheme: string,
  authority: string,
  original: string
): Either.Either<Authority, InvalidRequest> => {
  const info = schemeInfo(scheme)
  if (authority.indexOf("\\") !== -1) {
    return Either.left(invalidUrl("a backslash in the authority is ambiguous (WHATWG reads it as `/`)", original))
  }
  let user = ""
  let password = ""
  let netloc = authority
  const at = authority.lastIndexOf("@")
  if (at !== -1) {
    const userinfo = authority.slice(0, at)
    netloc = authority.slice(at + 1)
    const colon = userinfo.indexOf(":")
    const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon)
    const rawPassword = colon === -1 ? "" : userinfo.slice(colon + 1)
    const u = percentDecodeStrictUtf8(rawUser)
    const p = percentDecodeStrictUtf8(rawPassword)
    if (u === undefined || p === undefined) {
      return Either.left(invalidUrl("the userinfo has an invalid percent-escape or is not UTF-8", original))
    }
    user = u
    password = p
  }
  const fallbackPort = info?.port ?? 0

  if (info?.transport === "unix") {
    // The whole authority is the percent-encoded socket path.
    const path = percentDecodeStrictUtf8(netloc)
    if (path === undefined) {
      return Either.left(invalidUrl("the unix socket path has an invalid percent-escape or is not UTF-8", original))
    }
    if (path === "") return Either.left(invalidUrl("the unix socket path is empty", original))
    if (hasControl(path)) return Either.left(invalidUrl("the unix socket path contains a control character", original))
    return Either.right({ user, password, host: path, port: 0, netloc })
  }

  let host: string
  let portText = ""
  if (netloc.startsWith("[")) {
    const close = netloc.indexOf("]")
    if (close === -1) return Either.left(invalidUrl("an IPv6 literal is missing its `]`", original))
    host = netloc.slice(1, close)
    if (!isIpv6(host)) return Either.left(invalidUrl(`"${host}" is not an IPv6 address`, original))
    const rest = netloc.slice(close + 1)
    if (rest !== "") {
      if (rest[0] !== ":") return Either.left(invalidUrl("unexpected characters after the IPv6 literal", original))
      portText = rest.slice(1)
    }
  } else {
    const colon = netloc.indexOf(":")
    host = colon === -1 ? netloc : netloc.slice(0, colon)
    portText = colon === -1 ? "" : netloc.slice(colon + 1)
    if (hasForbiddenHostChar(host)) {
      return Either.left(invalidUrl(`the host "${host}" contains a character that is not allowed in a host`, original))
    }
    host = asciiLower(host)
  }
  if (host === "" && info !== undefined) {
    return Either.left(invalidUrl(`a ${scheme} URL needs a host`, original))
  }
  let port = fallbackPort
  if (portText !== "") {
    const p = parsePort(portText)
    if (p === undefined) return Either.left(invalidUrl(`the port "${portText}" is not a number from 0 to 65535`, original))
    port = p
  }
  return Either.right({ user, password, host, port, netloc })
}

/** Splits `rest` (what follows `scheme://`) into authority, path, query, fragment. @internal */
export const splitAfterScheme = (rest: string): {
  readonly authority: string
  readonly path: string
  readonly query: string
  readonly fragment: string
} => {
  const hash = rest.indexOf("#")
  const fragment = hash === -1 ? "" : rest.slice(hash + 1)
  const beforeHash = hash === -1 ? rest : rest.slice(0, hash)
  const qmark = beforeHash.indexOf("?")
  const query = qmark === -1 ? "" : beforeHash.slice(qmark + 1)
  const beforeQuery = qmark === -1 ? beforeHash : beforeHash.slice(0, qmark)
  const slash = beforeQuery.indexOf("/")
  const authority = slash === -1 ? beforeQuery : beforeQuery.slice(0, slash)
  const path = slash === -1 ? "" : beforeQuery.slice(slash)
  return { authority, path, query, fragment }
}

/** @internal */
export const parse = (input: string): Either.Either<UrlImpl, InvalidRequest> => {
  const text = trim(input)
  if (hasControl(text)) return Either.left(invalidUrl("the URL contains a control character (CR, LF, NUL, …)", input))
  if (text === "") return Either.left(invalidUrl("the URL is empty"))
  let scheme = "http"
  let rest = text
  const sep = text.indexOf("://")
  if (sep > 0) {
    const candidate = text.slice(0, sep)
    if (isScheme(candidate)) {
      scheme = asciiLower(candidate)
      rest = text.slice(sep + 3)
    }
  }
  const parts = splitAfterScheme(rest)
  const authority = parseAuthority(scheme, parts.authority, input)
  if (Either.isLeft(authority)) return Either.left(authority.left)
  const a = authority.right
  const fields: Fields = {
    scheme,
    transport: schemeInfo(scheme)?.transport,
    user: a.user,
    password: a.password,
    host: a.host,
    port: a.port,
    netloc: a.netloc,
    path: parts.path,
    query: parts.query,
    fragment: parts.fragment,
    rawPath: rawPathOf(parts.path, parts.query, parts.fragment)
  }
  return Either.right(fromFields(fields))
}
