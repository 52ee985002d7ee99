/**
 * Named pools, as hackney's: a pool layer registers its pool under its name
 * for the life of its scope; a request naming a pool nobody provided gets a
 * process-wide one with default options, created on first use (hackney
 * starts unknown pools lazily too). Process-wide pools run on the live
 * Clock; their idle sockets are unref'd and expire, so they never keep a
 * process alive.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { wheelFor } from "../timer/wheel.js"
import { PoolImpl } from "./pool.js"
import type { PoolConfig } from "./pool.js"

/** Pool defaults, as hackney. @internal */
export const poolDefaults = {
  maxPerHost: 50,
  maxConnections: 50,
  keepaliveTimeout: 2000,
  checkoutTimeout: undefined,
  prewarmCount: 4,
  tlsPooling: true
} as const

const registry = new Map<string, PoolImpl>()

/** @internal */
export const register = (pool: PoolImpl): void => {
  registry.set(pool.config.name, pool)
}

/** @internal */
export const unregister = (pool: PoolImpl): void => {
  if (registry.get(pool.config.name) === pool) registry.delete(pool.config.name)
}

/** @internal */
export const lookup = (name: string): PoolImpl | undefined => registry.get(name)

const liveWheel = wheelFor(Effect.runSync(Effect.clock))

/** The registered pool of that name, or a new process-wide one with defaults. @internal */
export const lookupOrCreate = (name: string): PoolImpl => {
  let pool = registry.get(name)
  if (pool === undefined || pool.closed) {
    const config: PoolConfig = { name, ...poolDefaults }
    pool = new PoolImpl(config, liveWheel)
    registry.set(name, pool)
  }
  return pool
}
