/**
 * Named pools, as hackney's: a pool layer registers its pool under its name
 * for the life of its scope. A request naming a pool nobody runs fails (see
 * `unknownPool` in `engine/source.ts`) — unlike hackney, which starts unknown
 * pools lazily, so that a misspelt name cannot silently get default limits.
 * The one exception is `"default"`: without a layer of that name it is a
 * process-wide pool with default options, created on first use. Its own
 * timers (keep-alive expiry) run on the live Clock; its idle sockets are
 * unref'd and expire, so it never keeps a process alive. Request deadlines
 * run on the requesting fiber's Clock whatever the pool.
 *
 * The registry resolves names users give (`pool: "api"`, `Pool.stats("api")`)
 * and the `"default"` pool; requests given a `Pool` value never look it up.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { defaultHeadLimits } from "../http1/types.js"
import type { Pool } from "../../Pool.js"
import { wheelFor } from "../timer/wheel.js"
import { processPool } from "./make.js"

/** Pool defaults, as hackney. @internal */
export const poolDefaults = {
  maxPerHost: 50,
  maxConnections: 50,
  keepaliveTimeout: 2000,
  checkoutTimeout: undefined,
  prewarmCount: 4,
  tlsPooling: true,
  headLimits: defaultHeadLimits
} as const

const registry = new Map<string, Pool>()

/** @internal */
export const register = (pool: Pool): void => {
  registry.set(pool.name, pool)
}

/** @internal */
export const unregister = (pool: Pool): void => {
  if (registry.get(pool.name) === pool) registry.delete(pool.name)
}

const liveWheel = wheelFor(Effect.runSync(Effect.clock))

/** The name that always resolves. @internal */
export const defaultName = "default"

let processDefault: ReturnType<typeof processPool> | undefined

/** The pool a name resolves to: the one registered, else for `"default"` the process-wide one; undefined otherwise. @internal */
export const lookup = (name: string): Pool | undefined => {
  const pool = registry.get(name)
  if (pool !== undefined) return pool
  return name === defaultName ? defaultPool() : undefined
}

/** The pool of requests that name none and have none in context: the one registered as `"default"`, else the process-wide one. @internal */
export const defaultPool = (): Pool => {
  const pool = registry.get(defaultName)
  if (pool !== undefined) return pool
  if (processDefault === undefined || processDefault.closed) {
    processDefault = processPool({ name: defaultName, ...poolDefaults }, liveWheel)
  }
  return processDefault
}

/** Why a pool name does not resolve, and what to do (for `InvalidRequest`). @internal */
export const unknownPoolDetail = (name: string): string =>
  `no pool named ${JSON.stringify(name)} is running; provide Pool.layer({ name: ${
    JSON.stringify(name)
  } }) or pass a Pool value (only "${defaultName}" exists without a layer)`
