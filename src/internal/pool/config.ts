/**
 * Pool options (`Pool.Options`) validated and resolved to a pool
 * configuration (milliseconds): a wrong type or a value out of range fails
 * with `InvalidRequest` naming the option.
 *
 * @internal
 */
import { InvalidRequest } from "../../HackneyError.js"
import { boolean, check, count, durationFrom0, isObject, nonEmptyString, notAnObject, toMillis } from "../options/rules.js"
import type { Rule } from "../options/rules.js"
import { headLimitRules, poolHeadLimits } from "../connection/headLimits.js"
import type { HeadLimitOptions } from "../connection/headLimits.js"
import type { PoolConfig } from "./pool.js"
import { checkProxy, checkProxyTls, proxyRules } from "./proxySpec.js"
import type { ProxyOptions } from "./proxySpec.js"
import { tlsRules } from "./dialSpec.js"
import { poolDefaults } from "./registry.js"
import { featureRules, featuresOf } from "../observe/features.js"
import type { Features } from "../observe/features.js"

/** The rules of `Pool.Options`, by name. */
const poolRules: Readonly<Record<string, Rule>> = {
  name: nonEmptyString,
  maxPerHost: count(1, "for no limit"),
  maxConnections: count(0, "for no limit", "keeps no idle connection"),
  keepaliveTimeout: durationFrom0("keeps no idle connection"),
  checkoutTimeout: durationFrom0("fails at once when no connection is free"),
  prewarmCount: count(0, undefined),
  tlsPooling: boolean,
  ...proxyRules,
  ...headLimitRules,
  ...featureRules
}

const ms = (v: unknown, fallback: number): number => (v === undefined ? fallback : toMillis(v)!)

// Found in a pool's options, not in a request: the message says so.
const inPool = (e: InvalidRequest): InvalidRequest =>
  new InvalidRequest({ reason: e.reason, detail: e.detail, cause: e.cause, found: "pool" })

/**
 * Validates pool options and resolves them to a pool configuration.
 *
 * @internal
 */
export const poolConfig = (options: unknown): PoolConfig | InvalidRequest => {
  if (!isObject(options)) return inPool(notAnObject("pool options", options))
  const invalid = check(options, poolRules) ?? checkProxy(options) ?? checkProxyTls(options, tlsRules)
  if (invalid !== undefined) return inPool(invalid)
  const o = options as HeadLimitOptions & ProxyOptions & Features & {
    readonly name?: string
    readonly maxPerHost?: number
    readonly maxConnections?: number
    readonly keepaliveTimeout?: unknown
    readonly checkoutTimeout?: unknown
    readonly prewarmCount?: number
    readonly tlsPooling?: boolean
  }
  const proxyOptions: Omit<ProxyOptions, "proxy"> = {
    ...(o.proxyAuth !== undefined ? { proxyAuth: o.proxyAuth } : {}),
    ...(o.noProxy !== undefined ? { noProxy: o.noProxy } : {}),
    ...(o.socks5Resolve !== undefined ? { socks5Resolve: o.socks5Resolve } : {}),
    ...(o.proxyTls !== undefined ? { proxyTls: o.proxyTls } : {})
  }
  const features = featuresOf(o)
  return {
    name: o.name ?? "default",
    maxPerHost: o.maxPerHost ?? poolDefaults.maxPerHost,
    maxConnections: o.maxConnections ?? poolDefaults.maxConnections,
    keepaliveTimeout: ms(o.keepaliveTimeout, poolDefaults.keepaliveTimeout),
    checkoutTimeout: o.checkoutTimeout === undefined ? undefined : ms(o.checkoutTimeout, 0),
    prewarmCount: o.prewarmCount ?? poolDefaults.prewarmCount,
    tlsPooling: o.tlsPooling ?? poolDefaults.tlsPooling,
    headLimits: poolHeadLimits(o),
    ...(o.proxy !== undefined ? { proxy: o.proxy } : {}),
    ...(Object.keys(proxyOptions).length > 0 ? { proxyOptions } : {}),
    ...(features !== undefined ? { features } : {})
  }
}
