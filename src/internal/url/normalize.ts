/**
 * `normalize`: IDNA, the SSRF gate on hosts that decode to IP literals, the
 * netloc without a default port, and the path re-encoded.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { InvalidRequest } from "../../HackneyError.js"
import { isIpLiteral, isIpv6 } from "./ip.js"
import type { UrlImpl } from "./model.js"
import { defaultPort, fromFields, rawPathOf } from "./model.js"
import { hasForbiddenHostChar, invalidUrl } from "./parse.js"
import { asciiLower, isAscii, pathEncode, percentDecodeStrictUtf8, urlencode } from "./percent.js"

/**
 * UTS #46 host to ASCII through the platform's WHATWG `URL` (no `node:url`).
 * Returns `undefined` when the host is not a valid domain.
 *
 * @internal
 */
export const domainToAscii = (host: string): string | undefined => {
  if (isAscii(host)) return asciiLower(host)
  if (hasForbiddenHostChar(host) || host.indexOf("%") !== -1) return undefined
  try {
    const hostname = new URL(`http://${host}/`).hostname
    return hostname === "" ? undefined : hostname
  } catch {
    return undefined
  }
}

// U+3002 IDEOGRAPHIC FULL STOP, U+FF0E FULLWIDTH FULL STOP, U+FF61 HALFWIDTH
// IDEOGRAPHIC FULL STOP: IDNA maps them to "." (UTS #46 §4).
const foldDots = (host: string): string => host.replace(/[\u3002\uff0e\uff61]/g, ".")

/**
 * WHATWG "ends in a number": the last label (ignoring one trailing dot) is
 * decimal digits or `0x` + hex digits. Such a host must be an IPv4 address.
 */
const endsInANumber = (host: string): boolean => {
  const labels = host.split(".")
  if (labels[labels.length - 1] === "" && labels.length > 1) labels.pop()
  const last = labels[labels.length - 1]!
  return /^[0-9]+$/.test(last) || /^0[xX][0-9A-Fa-f]*$/.test(last)
}

/** `host[:port]`, bracketing IPv6 and leaving out the scheme's default port. @internal */
export const netlocOf = (scheme: string, host: string, port: number, transport: string | undefined): string => {
  if (transport === "unix") return urlencode(host, { noplus: true })
  const h = isIpv6(host) ? `[${host}]` : host
  if (host === "" || port === defaultPort(scheme)) return h
  return `${h}:${port}`
}

/** @internal */
export const normalize = (
  url: UrlImpl,
  encodePath: (path: string) => string = pathEncode
): Either.Either<UrlImpl, InvalidRequest> => {
  let host = url.host
  if (url.transport !== "unix" && host !== "" && !isIpLiteral(host)) {
    const decoded = percentDecodeStrictUtf8(host)
    const where = url.toString() // redacted: no userinfo
    if (decoded === undefined) {
      return Either.left(invalidUrl(`the host "${host}" has an invalid percent-escape or is not UTF-8`, where))
    }
    const folded = foldDots(decoded)
    if (isIpLiteral(folded)) {
      // GHSA-pj7v: a host that only becomes an IP literal after decoding
      // would slip past an allowlist that checked the written host.
      return Either.left(invalidUrl(`the host "${host}" decodes to the IP literal "${folded}"`, where))
    }
    if (hasForbiddenHostChar(decoded) || decoded.indexOf("%") !== -1) {
      return Either.left(invalidUrl(`the host "${host}" decodes to a character not allowed in a host`, where))
    }
    const ascii = domainToAscii(decoded)
    if (ascii === undefined) return Either.left(invalidUrl(`the host "${host}" is not a valid domain name`, where))
    if (isIpLiteral(ascii)) {
      return Either.left(invalidUrl(`the host "${host}" maps to the IP literal "${ascii}" under IDNA`, where))
    }
    if (endsInANumber(ascii)) {
      return Either.left(invalidUrl(`the host "${host}" ends in a number but is not an IPv4 address`, where))
    }
    host = ascii
  }
  const path = encodePath(url.path)
  return Either.right(fromFields({
    scheme: url.scheme,
    transport: url.transport,
    user: url.user,
    password: url.password,
    host,
    port: url.port,
    netloc: netlocOf(url.scheme, host, url.port, url.transport),
    path,
    query: url.query,
    fragment: url.fragment,
    rawPath: rawPathOf(path, url.query, url.fragment)
  }))
}
