/**
 * The proxy environment: which proxy a request takes when no `proxy` option
 * is given. Precedence, per target scheme:
 * - `http:`/`ws:` targets: `http_proxy`, then `HTTP_PROXY`, then
 *   `all_proxy`, then `ALL_PROXY`;
 * - `https:`/`wss:` targets: `https_proxy`, `HTTPS_PROXY`, `all_proxy`,
 *   `ALL_PROXY`;
 * - the lower-case name wins when both are set; an empty value counts as
 *   unset;
 * - when `REQUEST_METHOD` is set (a CGI program, where a request's `Proxy:`
 *   header arrives as `HTTP_PROXY`: "httpoxy"), upper-case `HTTP_PROXY` is
 *   ignored, as Go's net/http does;
 * - `no_proxy`/`NO_PROXY` (lower case wins) lists the hosts that go direct.
 * Pure: the caller reads the variables (through `effect/Config`).
 *
 * @internal
 */
import type { NoProxy } from "./noProxy.js"
import { bypasses, parseNoProxy } from "./noProxy.js"

/** The variables read, in no particular order. @internal */
export const proxyEnvNames = [
  "http_proxy",
  "HTTP_PROXY",
  "https_proxy",
  "HTTPS_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "no_proxy",
  "NO_PROXY",
  "REQUEST_METHOD"
] as const

/** One of {@link proxyEnvNames}. @internal */
export type ProxyEnvName = (typeof proxyEnvNames)[number]

/** The proxy environment, resolved. @internal */
export interface ProxyEnv {
  /** For `http:` targets. */
  readonly http: string | undefined
  /** For `https:` targets. */
  readonly https: string | undefined
  readonly noProxy: NoProxy
}

/** No proxy variables set. @internal */
export const emptyProxyEnv: ProxyEnv = { http: undefined, https: undefined, noProxy: parseNoProxy(undefined) }

const first = (get: (name: ProxyEnvName) => string | undefined, ...names: Array<ProxyEnvName>): string | undefined => {
  for (const name of names) {
    const v = get(name)
    if (v !== undefined && v.trim() !== "") return v.trim()
  }
  return undefined
}

/** Resolves the environment from a lookup of its variables. @internal */
export const proxyEnvOf = (get: (name: ProxyEnvName) => string | undefined): ProxyEnv => {
  const cgi = first(get, "REQUEST_METHOD") !== undefined
  const all = first(get, "all_proxy", "ALL_PROXY")
  const http = (cgi ? first(get, "http_proxy") : first(get, "http_proxy", "HTTP_PROXY")) ?? all
  const https = first(get, "https_proxy", "HTTPS_PROXY") ?? all
  const noProxy = parseNoProxy(first(get, "no_proxy", "NO_PROXY"))
  return http === undefined && https === undefined ? emptyProxyEnv : { http, https, noProxy }
}

/**
 * The proxy URL (text, unparsed) the environment gives a request to
 * `scheme://host:port`, or `undefined` to go direct.
 *
 * @internal
 */
export const proxyFromEnv = (env: ProxyEnv, scheme: string, host: string, port: number): string | undefined => {
  const proxy = scheme === "https" || scheme === "wss" ? env.https : scheme === "http" || scheme === "ws" ? env.http : undefined
  return proxy === undefined || bypasses(env.noProxy, host, port) ? undefined : proxy
}
