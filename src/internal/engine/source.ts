/**
 * Where a request gets its connection: a pool, or a fresh direct connection
 * (`pool: false`) closed after the exchange; and the one pool choice of both
 * adapters ({@link sourceFor}).
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { Pool } from "../../Pool.js"
import type { Connection } from "../connection/connection.js"
import { dialConnection } from "../connection/dial.js"
import type { Features } from "../observe/features.js"
import type { CheckoutContext, DialSpec } from "../pool/pool.js"
import { withProxyEnv } from "../pool/proxySpec.js"
import { defaultPool, lookup, unknownPoolDetail } from "../pool/registry.js"
import { currentWheel } from "../timer/wheel.js"
import type { TimerWheel } from "../timer/wheel.js"
import { AltSvcCache } from "../pool/altSvcCache.js"
import { discoveringDial, offersH3 } from "../pool/altSvcDial.js"

/** @internal */
export interface ConnectionSource {
  /** Run uninterruptibly by callers (as a resource's acquire); interruptible only while dialling or waiting. */
  readonly checkout: (spec: DialSpec, ctx: CheckoutContext) => Effect.Effect<Connection, HackneyError>
  /** A pool's idle connection handed out now, or undefined with nothing reserved (then `checkout`). */
  readonly checkoutIdle?: (
    spec: DialSpec,
    maxPerHost: number | undefined,
    fiber: Fiber.RuntimeFiber<unknown, unknown>
  ) => Connection | undefined
  /** Gives the connection back; `reusable` when its last exchange left it idle and keep-alive. */
  readonly checkin: (conn: Connection, reusable: boolean) => void
  /** What a pool adds to its requests (middleware, metrics, tracing); undefined: nothing. */
  readonly features?: Features | undefined
}

/** No pool: each request dials and closes its own connection. @internal */
export const direct: ConnectionSource = {
  checkout: (spec, ctx) =>
    spec.envProxy !== undefined
      ? Effect.flatMap(withProxyEnv(spec, ctx), (s) => dialDirect(s, ctx))
      : dialDirect(spec, ctx),
  checkin: (conn) => conn.close()
}

const dialDirect = (spec: DialSpec, ctx: CheckoutContext): Effect.Effect<Connection, HackneyError> =>
  ctx.wheel === undefined
    ? Effect.flatMap(currentWheel, (wheel) => dialOn(spec, ctx, wheel))
    : dialOn(spec, ctx, ctx.wheel)

/** Direct connections' Alt-Svc knowledge, one cache per Clock (so a TestClock's never outlives its test). */
const directAltSvc = new WeakMap<Clock.Clock, AltSvcCache>()

/**
 * A direct dial on `wheel`; a spec that lists h3 beside a TCP protocol
 * races QUIC as a pool's dial does (`discoveringDial`), with the process's
 * direct-connection cache (back-off after a lost race, `Alt-Svc` learnt).
 */
const dialOn = (spec: DialSpec, ctx: CheckoutContext, wheel: TimerWheel): Effect.Effect<Connection, HackneyError> => {
  if (!offersH3(spec)) return dialConnection(spec, ctx.method, ctx.url, wheel)
  let cache = directAltSvc.get(wheel.clock)
  if (cache === undefined) {
    cache = new AltSvcCache(wheel.clock)
    directAltSvc.set(wheel.clock, cache)
  }
  return discoveringDial(cache, wheel)(spec, ctx)
}

/**
 * What a request naming a pool that no layer runs gets: every checkout fails
 * with `InvalidRequest` (reason `"option"`) before any I/O, as `Pool.stats`
 * does for that name.
 *
 * @internal
 */
export const unknownPool = (name: string): ConnectionSource => ({
  checkout: (_spec, ctx) =>
    Effect.fail(
      new InvalidRequest({
        reason: "option",
        detail: `pool: ${unknownPoolDetail(name)}`,
        method: ctx.method,
        url: ctx.url
      })
    ),
  checkin: (conn) => conn.close()
})

/** The source a `pool` name gives: the pool running under that name (`"default"` always runs), else {@link unknownPool}. @internal */
export const namedSource = (name: string): ConnectionSource => lookup(name) ?? unknownPool(name)

/** The process-wide `"default"` pool, or the layer's of that name. @internal */
export const defaultSource = (): Pool => defaultPool()

/**
 * The connection source of a request's `pool` option (both adapters): `false`
 * → {@link direct}; a name → the pool running under it ({@link namedSource});
 * a `Pool` → that pool; unset → `inContext` (the `Pool` service the adapter
 * found), else the process-wide `"default"`.
 *
 * @internal
 */
export const sourceFor = (pool: string | Pool | false | undefined, inContext: Pool | undefined): ConnectionSource =>
  pool === false
    ? direct
    : pool === undefined
    ? inContext ?? defaultSource()
    : typeof pool === "string"
    ? namedSource(pool)
    : pool
