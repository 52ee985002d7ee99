/**
 * What the HTTP client derives from a `Url`: the request target, the `Host`
 * header and the origin key.
 *
 * @internal
 */
import * as Data from "effect/Data"
import { isIpv6 } from "./ip.js"
import type { Fields } from "./model.js"
import { defaultPort } from "./model.js"
import { domainToAscii } from "./normalize.js"
import { encodeTargetPart, isAscii, urlencode } from "./percent.js"

/** @internal */
export const requestTarget = (url: Fields): string => {
  const path = url.path === "" ? "/" : encodeTargetPart(url.path, "path")
  return url.query === "" ? path : `${path}?${encodeTargetPart(url.query, "query")}`
}

const asciiHost = (host: string): string => isAscii(host) ? host : domainToAscii(host) ?? urlencode(host)

/** @internal */
export const hostHeader = (url: Fields): string => {
  if (url.transport === "unix") return urlencode(url.host, { noplus: true })
  const host = isIpv6(url.host) ? `[${url.host}]` : asciiHost(url.host)
  return url.port === defaultPort(url.scheme) ? host : `${host}:${url.port}`
}

/** @internal */
export interface Origin {
  readonly scheme: string
  readonly host: string
  readonly port: number
}

/** @internal */
export const origin = (url: Fields): Origin =>
  Data.struct({
    scheme: url.scheme,
    host: url.transport === "unix" ? url.host : asciiHost(url.host).toLowerCase(),
    port: url.port
  })
