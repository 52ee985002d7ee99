/**
 * What a pool needs to open a connection, and the key it files it under: the
 * {@link DialSpec} of an origin under the connection options of a request
 * ({@link DialOptions}: timeouts, TLS, ALPN, DNS, local address). The client
 * (L3) builds its request options on these; `Pool.prewarm` uses them as they
 * are.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as net from "node:net"
import type { InvalidRequest } from "../../HackneyError.js"
import type * as Url from "../../Url.js"
import { alpnOffer, defaultOffer, mayMultiplex, priorKnowledgeH2 } from "../connection/protocols.js"
import type { ConnectOptions, TlsOptions } from "../node/socket.js"
import { boolean, check, isObject, isString, positiveDuration, rule, toMillis } from "../options/rules.js"
import type { Rule } from "../options/rules.js"
import { checkProxy, checkProxyTls, proxyChoice, proxyKey, proxyRules } from "./proxySpec.js"
import type { EnvProxyOptions, ProxyOptions } from "./proxySpec.js"

/** What a checkout needs to open a connection. @internal */
export interface DialSpec extends ConnectOptions {
  /** The host pool key: scheme, host, port, TLS options, proxy. */
  readonly key: string
  readonly recvTimeout: number
  /** No `proxy` option: the proxy environment decides at checkout (`withProxyEnv`). */
  readonly envProxy?: EnvProxyOptions | undefined
  /** HTTP/2 may be spoken (offered over ALPN, or h2c with prior knowledge): a dial may carry several requests. */
  readonly multiplex?: boolean | undefined
}

/**
 * The connection options of a request (a part of `Hackney.Options`, which
 * documents them).
 *
 * @internal
 */
export interface DialOptions extends ProxyOptions {
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly recvTimeout?: Duration.DurationInput | undefined
  readonly tls?: Omit<TlsOptions, "insecure"> | undefined
  readonly insecure?: boolean | undefined
  readonly protocols?: ReadonlyArray<string> | undefined
  readonly lookup?: net.LookupFunction | undefined
  readonly family?: 0 | 4 | 6 | undefined
  readonly localAddress?: string | undefined
}

/** Defaults (milliseconds), as hackney. @internal */
export const dialDefaults = {
  connectTimeout: 8000,
  recvTimeout: 5000
} as const

const pem = (v: unknown): boolean => isString(v) || v instanceof Uint8Array
const pems = (v: unknown): boolean => pem(v) || (Array.isArray(v) && v.every(pem))
const tlsVersions = new Set(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"])
const tlsVersion = rule(`"TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"`, (v) => isString(v) && tlsVersions.has(v))

/** The fields of `tls`, checked as options of their own (`tls.minVersion`, …). @internal */
export const tlsRules: Readonly<Record<string, Rule>> = {
  ca: rule("PEM text or bytes, or an array of them", pems),
  cert: rule("PEM text or bytes, or an array of them", pems),
  key: rule("PEM text or bytes, or an array of them", pems),
  pfx: rule("a PKCS#12 bundle as text or bytes", pem),
  passphrase: rule("a string", isString),
  servername: rule("a string", isString),
  minVersion: tlsVersion,
  maxVersion: tlsVersion,
  sessionReuse: boolean
}

/** The rules of {@link DialOptions}, by name. @internal */
export const dialRules: Readonly<Record<keyof DialOptions, Rule>> = {
  connectTimeout: positiveDuration,
  recvTimeout: positiveDuration,
  tls: rule("an object of TLS options", isObject),
  insecure: boolean,
  protocols: rule(
    `a non-empty array of "http/1.1", "h2" and "h3" (hackney's "http1", "http2", "http3" too)`,
    (v) => typeof alpnOffer(v as ReadonlyArray<string>) !== "string"
  ),
  lookup: rule("a function, as net.connect's lookup", (v) => typeof v === "function"),
  family: rule("0, 4 or 6", (v) => v === 0 || v === 4 || v === 6),
  localAddress: rule("an IP address as a string", isString),
  ...proxyRules
}

const dialOptionNames = Object.keys(dialRules) as ReadonlyArray<keyof DialOptions>

/**
 * Whether options set any connection option ({@link DialOptions}). Options
 * that set none build the same dial spec for an origin, whatever else they
 * set, so they can share one memo ({@link memoDialSpec}).
 *
 * @internal
 */
export const setsDialOption = (options: DialOptions): boolean => {
  for (const name of dialOptionNames) if (options[name] !== undefined) return true
  return false
}

/** The `tls` and `proxyTls` objects of options and the proxy URL, checked (after the options themselves). @internal */
export const checkTls = (options: Record<string, unknown>): InvalidRequest | undefined =>
  (isObject(options.tls) ? check(options.tls, tlsRules, "tls.") : undefined) ?? checkProxyTls(options, tlsRules) ??
    checkProxy(options)

/** A duration option in milliseconds. @internal */
export const millis = (v: unknown, fallback: number): number => (v === undefined ? fallback : toMillis(v)!)

/** The TLS-relevant part of the options, with `insecure` folded in. */
const tlsOptionsOf = (options: DialOptions): TlsOptions | undefined =>
  options.tls === undefined && options.insecure === undefined
    ? undefined
    : { ...options.tls, ...(options.insecure !== undefined ? { insecure: options.insecure } : {}) }

// Pool keys include the TLS options; hashing them per request would cost, so memoise per options object.
const tlsKeys = new WeakMap<object, string>()
const tlsKey = (options: DialOptions): string => {
  if (options.tls === undefined && options.insecure === undefined && options.protocols === undefined) return ""
  let k = tlsKeys.get(options)
  if (k === undefined) {
    k = JSON.stringify([options.tls ?? null, options.insecure ?? false, options.protocols ?? null])
    tlsKeys.set(options, k)
  }
  return k
}

/** The pool key of a connection: scheme, host, port, TLS options. @internal */
export const poolKey = (url: Url.Url, options: DialOptions): string =>
  `${url.scheme}://${url.host}:${url.port}` + (url.transport === "tls" ? `|${tlsKey(options)}` : "")

/** The proxy options a spec keeps for the environment (none but the scheme when none are set). */
const envProxyOptions = (url: Url.Url, options: DialOptions): EnvProxyOptions => ({
  scheme: url.scheme,
  ...(options.proxyAuth !== undefined ? { proxyAuth: options.proxyAuth } : {}),
  ...(options.noProxy !== undefined ? { noProxy: options.noProxy } : {}),
  ...(options.socks5Resolve !== undefined ? { socks5Resolve: options.socks5Resolve } : {}),
  ...(options.proxyTls !== undefined ? { proxyTls: options.proxyTls } : {})
})

/** `protocols` as offered over ALPN (validated with the options). */
const offeredProtocols = (options: DialOptions): ReadonlyArray<string> => {
  const offer = alpnOffer(options.protocols)
  return typeof offer === "string" ? defaultOffer : offer
}

/** The dial spec of `url` under validated `options`, their timeouts resolved (milliseconds). @internal */
export const buildDialSpec = (url: Url.Url, options: DialOptions, connectTimeout: number, recvTimeout: number): DialSpec => {
  const tls = url.transport === "tls" ? tlsOptionsOf(options) : undefined
  const proxy = proxyChoice(url, options)
  const offered = options.protocols !== undefined ? offeredProtocols(options) : undefined
  const transport = url.transport === "unix" ? "unix" : url.transport === "tls" ? "tls" : "tcp"
  // h2c (prior knowledge) and HTTP/1.1 to the same origin are different connections.
  const key = poolKey(url, options) + (transport !== "tls" && priorKnowledgeH2(offered) ? "|h2c" : "")
  return {
    key: typeof proxy === "object" ? key + proxyKey(proxy) : key,
    ...(typeof proxy === "object" ? { proxy } : {}),
    ...(proxy === "environment" ? { envProxy: envProxyOptions(url, options) } : {}),
    transport,
    host: url.host,
    port: url.port,
    connectTimeout,
    recvTimeout,
    ...(tls !== undefined ? { tls } : {}),
    ...(offered !== undefined ? { protocols: offered } : {}),
    multiplex: mayMultiplex(transport, offered) && !(transport === "tcp" && typeof proxy === "object" && proxy.kind !== "socks5"),
    ...(options.lookup !== undefined ? { lookup: options.lookup } : {}),
    ...(options.family !== undefined ? { family: options.family } : {}),
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {})
  }
}

/** Origins a {@link memoDialSpec} map holds before it starts over (a bound, above the scaling benchmark's 1,000 origins). */
const maxMemoOrigins = 4096

/**
 * The dial spec of `url` under validated `options`, memoised in `byOrigin`
 * (one map per options object, or one shared by all options that set no
 * connection option ({@link setsDialOption}): the request path builds none).
 *
 * @internal
 */
export const memoDialSpec = (
  byOrigin: Map<string, DialSpec>,
  url: Url.Url,
  options: DialOptions,
  connectTimeout: number,
  recvTimeout: number
): DialSpec => {
  const k = `${url.scheme}://${url.host}:${url.port}`
  let spec = byOrigin.get(k)
  if (spec === undefined) {
    if (byOrigin.size >= maxMemoOrigins) byOrigin.clear()
    spec = buildDialSpec(url, options, connectTimeout, recvTimeout)
    byOrigin.set(k, spec)
  }
  return spec
}
