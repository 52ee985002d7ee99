/**
 * Which proxy a dial goes through, and the part of the pool key it makes:
 * the proxy options of a request (`proxy`, `proxyAuth`, `noProxy`,
 * `socks5Resolve`, `proxyTls`), or, when `proxy` is not given, the proxy
 * environment (`internal/proxy/env.ts`), read through `effect/Config` once
 * per `ConfigProvider` and applied at checkout ({@link withProxyEnv}).
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Either from "effect/Either"
import { createHash } from "node:crypto"
import { InvalidRequest } from "../../HackneyError.js"
import type * as Url from "../../Url.js"
import type { ProxyEnv, ProxyEnvName } from "../proxy/env.js"
import { emptyProxyEnv, proxyEnvNames, proxyEnvOf, proxyFromEnv } from "../proxy/env.js"
import type { NoProxy } from "../proxy/noProxy.js"
import { bypasses, parseNoProxy } from "../proxy/noProxy.js"
import { hasHeadBreaker, parseProxyUrl } from "../proxy/proxyUrl.js"
import type { ProxyDial, TlsOptions } from "../node/socket.js"
import { check, isObject, isString, rule } from "../options/rules.js"
import type { Rule } from "../options/rules.js"

/** The proxy options of a request (a part of `Hackney.Options`, which documents them). @internal */
export interface ProxyOptions {
  readonly proxy?: string | false | undefined
  readonly proxyAuth?: readonly [user: string, password: string] | undefined
  readonly noProxy?: string | ReadonlyArray<string> | undefined
  readonly socks5Resolve?: "remote" | "local" | undefined
  readonly proxyTls?: TlsOptions | undefined
}

const isCredential = (v: unknown): boolean => isString(v) && !hasHeadBreaker(v)

/** The rules of {@link ProxyOptions} (the proxy URL itself: {@link checkProxy}). @internal */
export const proxyRules: Readonly<Record<keyof ProxyOptions, Rule>> = {
  proxy: rule("a proxy URL (http://, https://, socks5:// or socks5h://) or false", (v) => v === false || isString(v)),
  proxyAuth: rule(
    "[user, password]: two strings without CR, LF or NUL",
    (v) => Array.isArray(v) && v.length === 2 && v.every(isCredential)
  ),
  noProxy: rule(
    "a NO_PROXY list: a comma-separated string or an array of strings",
    (v) => isString(v) || (Array.isArray(v) && v.every(isString))
  ),
  socks5Resolve: rule(`"remote" or "local"`, (v) => v === "remote" || v === "local"),
  proxyTls: rule("an object of TLS options", isObject)
}

/** The proxy URL option parsed (its error never quotes credentials). @internal */
export const checkProxy = (options: Record<string, unknown>): InvalidRequest | undefined => {
  if (!isString(options.proxy)) return undefined
  const parsed = parseProxyUrl(options.proxy)
  return Either.isLeft(parsed) ? parsed.left : undefined
}

/** The `proxyTls` object checked with the `tls` rules. @internal */
export const checkProxyTls = (
  options: Record<string, unknown>,
  tlsRules: Readonly<Record<string, Rule>>
): InvalidRequest | undefined => (isObject(options.proxyTls) ? check(options.proxyTls, tlsRules, "proxyTls.") : undefined)

/** The pool-key part of a proxy: its URL without credentials, and a hash of them. @internal */
export const proxyKey = (proxy: ProxyDial): string => {
  let key = `|proxy=${proxy.display}`
  if (proxy.user !== undefined) {
    key += `#${createHash("sha256").update(`${proxy.user}\0${proxy.password ?? ""}`).digest("base64url").slice(0, 22)}`
  }
  if (proxy.socks5Resolve === "local") key += ";local"
  if (proxy.tls !== undefined) key += `;${JSON.stringify(proxy.tls)}`
  return key
}

/** The proxy dial of a proxy URL under the options (`proxyAuth` over the URL's userinfo). */
const proxyDial = (text: string, options: ProxyOptions, where: string): ProxyDial | InvalidRequest => {
  const parsed = parseProxyUrl(text)
  if (Either.isLeft(parsed)) {
    return new InvalidRequest({ reason: "option", detail: `${where}: ${parsed.left.detail.replace(/^proxy: /, "")}` })
  }
  const auth = options.proxyAuth
  return {
    ...parsed.right,
    ...(auth !== undefined ? { user: auth[0], password: auth[1] } : {}),
    ...(options.socks5Resolve !== undefined ? { socks5Resolve: options.socks5Resolve } : {}),
    ...(options.proxyTls !== undefined ? { tls: options.proxyTls } : {})
  }
}

// `noProxy` parsed once per options object.
const noProxies = new WeakMap<object, NoProxy>()
const noProxyOf = (options: ProxyOptions): NoProxy | undefined => {
  if (options.noProxy === undefined) return undefined
  let np = noProxies.get(options)
  if (np === undefined) {
    np = parseNoProxy(options.noProxy)
    noProxies.set(options, np)
  }
  return np
}

/**
 * What the options say about the proxy of `url`: a proxy, `"direct"`, or
 * `"environment"` (no `proxy` option: the environment decides at checkout).
 *
 * @internal
 */
export const proxyChoice = (url: Url.Url, options: ProxyOptions): ProxyDial | "direct" | "environment" => {
  if (options.proxy === false || url.transport === "unix") return "direct"
  if (options.proxy === undefined) return "environment"
  const np = noProxyOf(options)
  if (np !== undefined && bypasses(np, url.host, url.port)) return "direct"
  const dial = proxyDial(options.proxy, options, "proxy")
  // Validated with the options: a parse failure cannot happen here.
  return dial instanceof InvalidRequest ? "direct" : dial
}

/** What a spec left to the environment keeps of its options, to apply the environment at checkout. @internal */
export interface EnvProxyOptions extends ProxyOptions {
  readonly scheme: string
}

/** A spec whose proxy the environment decides. @internal */
export interface EnvSpec {
  readonly key: string
  readonly host: string
  readonly port: number
  readonly proxy?: ProxyDial | undefined
  readonly envProxy?: EnvProxyOptions | undefined
}

const ConfigProviderTag = ConfigProvider.ConfigProvider
const envCache = new WeakMap<ConfigProvider.ConfigProvider, ProxyEnv>()
const readEnv = (provider: ConfigProvider.ConfigProvider): Effect.Effect<ProxyEnv> => {
  const hit = envCache.get(provider)
  if (hit !== undefined) return Effect.succeed(hit)
  return Effect.map(
    Effect.forEach(proxyEnvNames, (name) =>
      Effect.orElseSucceed(
        Effect.map(provider.load(Config.option(Config.string(name))), (o) => (o._tag === "Some" ? o.value : undefined)),
        () => undefined
      )),
    (values) => {
      const byName = new Map<ProxyEnvName, string | undefined>(proxyEnvNames.map((n, i) => [n, values[i]]))
      const env = proxyEnvOf((name) => byName.get(name))
      envCache.set(provider, env)
      return env
    }
  )
}

/**
 * The proxy environment of the current `ConfigProvider` (`HTTP_PROXY`, …),
 * read once per provider and cached.
 *
 * @internal
 */
export const currentProxyEnv: Effect.Effect<ProxyEnv> = Effect.configProviderWith(readEnv)

// Specs with the environment's proxy applied, per environment and spec.
const derived = new WeakMap<ProxyEnv, WeakMap<object, unknown>>()

/** A request's proxy options over a pool's: each one the request gives wins. */
const overPool = (request: EnvProxyOptions, pool: Omit<ProxyOptions, "proxy"> | undefined): EnvProxyOptions => {
  if (pool === undefined) return request
  const merged: { -readonly [K in keyof EnvProxyOptions]: EnvProxyOptions[K] } = { ...pool, scheme: request.scheme }
  if (request.proxyAuth !== undefined) merged.proxyAuth = request.proxyAuth
  if (request.noProxy !== undefined) merged.noProxy = request.noProxy
  if (request.socks5Resolve !== undefined) merged.socks5Resolve = request.socks5Resolve
  if (request.proxyTls !== undefined) merged.proxyTls = request.proxyTls
  return merged
}

const applyEnv = <S extends EnvSpec>(
  spec: S,
  env: ProxyEnv,
  where: { method?: string | undefined; url?: string | undefined },
  poolOptions: Omit<ProxyOptions, "proxy"> | undefined
): Either.Either<S, InvalidRequest> => {
  const o = overPool(spec.envProxy!, poolOptions)
  const np = noProxyOf(o)
  const text = proxyFromEnv(np === undefined ? env : { ...env, noProxy: np }, o.scheme, spec.host, spec.port)
  if (text === undefined) return Either.right(spec)
  const name = o.scheme === "https" || o.scheme === "wss" ? "HTTPS_PROXY" : "HTTP_PROXY"
  const dial = proxyDial(text, o, `the proxy environment (${name} or ALL_PROXY)`)
  if (dial instanceof InvalidRequest) return Either.left(new InvalidRequest({ ...where, reason: dial.reason, detail: dial.detail }))
  return Either.right({ ...spec, proxy: dial, envProxy: undefined, key: spec.key + proxyKey(dial) })
}

/**
 * `spec` with the proxy the environment of `fiber`'s `ConfigProvider` gives
 * it, when its options left the proxy to the environment; `spec` itself
 * otherwise, or when no proxy variable is set. Synchronous once the
 * provider's environment is cached (one `WeakMap` lookup, no allocation
 * when no variable is set); an Effect the first time (the `Config` read).
 *
 * @internal
 */
export const specWithEnv = <S extends EnvSpec>(
  spec: S,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  where: { method?: string | undefined; url?: string | undefined },
  /** A pool's proxy options ({@link poolProxyDefault}). */
  poolDefault?: PoolProxyDefault | undefined
): S | Effect.Effect<S, InvalidRequest> => {
  if (spec.envProxy === undefined) return spec
  if (poolDefault?.env !== undefined) return envApplied(spec, poolDefault.env, where, poolDefault)
  const provider = Context.get(fiber.currentDefaultServices, ConfigProviderTag)
  const env = envCache.get(provider)
  if (env === undefined) return Effect.flatMap(readEnv(provider), (env) => asEffect(envApplied(spec, env, where, poolDefault)))
  return envApplied(spec, env, where, poolDefault)
}

const asEffect = <S extends EnvSpec>(s: S | Effect.Effect<S, InvalidRequest>): Effect.Effect<S, InvalidRequest> =>
  Effect.isEffect(s) ? s as Effect.Effect<S, InvalidRequest> : Effect.succeed(s as S)

const envApplied = <S extends EnvSpec>(
  spec: S,
  env: ProxyEnv,
  where: { method?: string | undefined; url?: string | undefined },
  poolDefault: PoolProxyDefault | undefined
): S | Effect.Effect<S, InvalidRequest> => {
  if (env === emptyProxyEnv) return spec
  // A pool with proxy options derives its own specs: the same spec and environment give another proxy dial there.
  const cache = poolDefault?.options === undefined ? derived : poolDefault.derived
  let byEnv = cache.get(env)
  if (byEnv === undefined) {
    byEnv = new WeakMap()
    cache.set(env, byEnv)
  }
  const hit = byEnv.get(spec) as S | undefined
  if (hit !== undefined) return hit
  const applied = applyEnv(spec, env, where, poolDefault?.options)
  if (Either.isLeft(applied)) return Effect.fail(applied.left)
  byEnv.set(spec, applied.right)
  return applied.right
}

/**
 * A pool's proxy options, for its requests that give no `proxy` of their
 * own: `env` stands for the environment when the pool has a `proxy` (direct
 * for `false`, else that proxy for every target; undefined: the real
 * environment), and `options` (`proxyAuth`, `noProxy`, `socks5Resolve`,
 * `proxyTls`) apply under each one the request does not give.
 *
 * @internal
 */
export interface PoolProxyDefault {
  readonly env: ProxyEnv | undefined
  readonly options: Omit<ProxyOptions, "proxy"> | undefined
  /** Specs with this pool's proxy applied, per environment and spec. */
  readonly derived: WeakMap<ProxyEnv, WeakMap<object, unknown>>
}

/** The pool's {@link PoolProxyDefault}, or undefined when it has no proxy option. @internal */
export const poolProxyDefault = (
  proxy: string | false | undefined,
  options: Omit<ProxyOptions, "proxy"> | undefined
): PoolProxyDefault | undefined =>
  proxy === undefined && options === undefined ? undefined : {
    env: proxy === undefined ? undefined : proxy === false ? emptyProxyEnv : { http: proxy, https: proxy, noProxy: parseNoProxy(undefined) },
    options,
    derived: new WeakMap()
  }

/**
 * {@link specWithEnv} as an Effect, for checkouts that are Effects anyway.
 *
 * @internal
 */
export const withProxyEnv = <S extends EnvSpec>(
  spec: S,
  where: { method?: string | undefined; url?: string | undefined }
): Effect.Effect<S, InvalidRequest> =>
  spec.envProxy === undefined ? Effect.succeed(spec) : Effect.withFiberRuntime((fiber) => {
    return asEffect(specWithEnv(spec, fiber, where))
  })
