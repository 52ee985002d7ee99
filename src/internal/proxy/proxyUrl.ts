/**
 * A proxy URL: `http://`, `https://`, `socks5://` or `socks5h://`, with
 * optional `user:pass@` (percent-decoded) and port (default 80, 443, 1080).
 * A URL without a scheme is an HTTP proxy (`proxy.corp:3128`), as curl and
 * Go read `HTTP_PROXY`. CR, LF or NUL anywhere, even percent-encoded in the
 * credentials, is refused (they would end up in a request head). Pure.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidRequest } from "../../HackneyError.js"
import { isIpv6 } from "../url/ip.js"
import { percentDecode } from "../url/percent.js"

/** How the proxy is spoken to. @internal */
export type ProxyKind = "http" | "https" | "socks5"

/** A parsed proxy URL. @internal */
export interface ProxyUrl {
  readonly kind: ProxyKind
  /** Host name or IP literal, without brackets, lower case. */
  readonly host: string
  readonly port: number
  readonly user?: string | undefined
  readonly password?: string | undefined
  /** The URL without credentials (`http://proxy:3128`): for pool keys and error messages. */
  readonly display: string
}

const kinds: Readonly<Record<string, { kind: ProxyKind; port: number }>> = {
  http: { kind: "http", port: 80 },
  https: { kind: "https", port: 443 },
  socks5: { kind: "socks5", port: 1080 },
  socks5h: { kind: "socks5", port: 1080 }
}

const bad = (detail: string): Either.Either<never, InvalidRequest> =>
  Either.left(new InvalidRequest({ reason: "option", detail: `proxy: ${detail}` }))

/** Whether a string has CR, LF or NUL. @internal */
export const hasHeadBreaker = (s: string): boolean => /[\r\n\0]/.test(s)

const hostChars = /^[a-z0-9._~!$&'()*+,;=-]+$/

/** Parses a proxy URL; the error never quotes the credentials. @internal */
export const parseProxyUrl = (input: string): Either.Either<ProxyUrl, InvalidRequest> => {
  if (hasHeadBreaker(input)) return bad("the proxy URL has a CR, LF or NUL character; remove it")
  const text = input.trim()
  const sep = text.indexOf("://")
  const scheme = sep === -1 ? "http" : text.slice(0, sep).toLowerCase()
  const info = Object.prototype.hasOwnProperty.call(kinds, scheme) ? kinds[scheme] : undefined
  if (info === undefined) {
    return bad(`the scheme "${scheme}" is not a proxy scheme; use http://, https://, socks5:// or socks5h://`)
  }
  let rest = sep === -1 ? text : text.slice(sep + 3)
  const slash = rest.search(/[/?#]/)
  if (slash !== -1) {
    if (rest.slice(slash) !== "/") return bad("a proxy URL has no path, query or fragment; give scheme://host:port")
    rest = rest.slice(0, slash)
  }
  const at = rest.lastIndexOf("@")
  let user: string | undefined
  let password: string | undefined
  if (at !== -1) {
    const userinfo = rest.slice(0, at)
    rest = rest.slice(at + 1)
    const colon = userinfo.indexOf(":")
    user = percentDecode(colon === -1 ? userinfo : userinfo.slice(0, colon), false, false)
    password = colon === -1 ? "" : percentDecode(userinfo.slice(colon + 1), false, false)
    if (hasHeadBreaker(user ?? "") || hasHeadBreaker(password ?? "")) {
      return bad("the proxy credentials decode to a CR, LF or NUL character; remove it")
    }
  }
  let host: string
  let portText: string | undefined
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]")
    host = close === -1 ? "" : rest.slice(1, close)
    if (close === -1 || !isIpv6(host)) return bad("the proxy's IPv6 address is not valid")
    const after = rest.slice(close + 1)
    if (after !== "" && !after.startsWith(":")) return bad("the proxy host is not valid; give scheme://host:port")
    portText = after === "" ? undefined : after.slice(1)
  } else {
    const colon = rest.lastIndexOf(":")
    host = (colon === -1 ? rest : rest.slice(0, colon)).toLowerCase()
    portText = colon === -1 ? undefined : rest.slice(colon + 1)
    if (!hostChars.test(host)) return bad("the proxy host is missing or not valid; give scheme://host:port")
  }
  let port = info.port
  if (portText !== undefined && portText !== "") {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return bad(`the proxy port "${portText}" is not a number from 1 to 65535`)
    }
    port = Number(portText)
  }
  const hostPart = host.indexOf(":") !== -1 ? `[${host}]` : host
  return Either.right({
    kind: info.kind,
    host,
    port,
    ...(user !== undefined ? { user, password } : {}),
    display: `${scheme}://${hostPart}:${port}`
  })
}
