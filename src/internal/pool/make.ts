/**
 * A pool put together: the policy and service of `pool.ts` given the dial
 * of `connection/dial.ts` (transport, then the driver ALPN names) and a
 * scope for its background fibers. The one pool module that knows how
 * connections are made.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Scope from "effect/Scope"
import type { Connection } from "../connection/connection.js"
import type { TimerWheel } from "../timer/wheel.js"
import { currentWheel } from "../timer/wheel.js"
import { AltSvcCache } from "./altSvcCache.js"
import { discoveringDial } from "./altSvcDial.js"
import { PoolImpl } from "./pool.js"
import { debugEnabled } from "../observe/log.js"
import type { Dial, PoolConfig, Poolable, RunInScope } from "./pool.js"

/** The connections pools hold. @internal */
export type PooledConnection = Connection

/**
 * The real dial: transport, then the driver the negotiated protocol names;
 * the connection's timers on `wheel`, its default response-head limits the
 * pool's; requests that discover h3 record `Alt-Svc` in the pool's
 * `altSvc` and race QUIC to a fresh alternative against TCP (`altSvcDial.ts`).
 */
const realDial = (config: PoolConfig) => (wheel: TimerWheel, altSvc: AltSvcCache): Dial<PooledConnection> =>
  discoveringDial(altSvc, wheel, config.headLimits)

const build = (config: PoolConfig, wheel: TimerWheel, run: RunInScope): PoolImpl<PooledConnection> => {
  const altSvc = new AltSvcCache(wheel.clock)
  return new PoolImpl<PooledConnection>(config, wheel, realDial(config)(wheel, altSvc), run, false, altSvc)
}

/**
 * A pool over any dial, living in the current scope: closing the scope
 * closes the pool (connections closed, waiters failed with `PoolClosed`)
 * and interrupts its background dials. Its own timers run on the current
 * Clock, which `dial` is given too, with the pool's Alt-Svc cache.
 *
 * @internal
 */
export const makePoolWith = <C extends Poolable>(
  config: PoolConfig,
  dial: (wheel: TimerWheel, altSvc: AltSvcCache) => Dial<C>
): Effect.Effect<PoolImpl<C>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never, unknown, unknown>()
    const wheel = yield* currentWheel
    const logs = yield* debugEnabled
    const altSvc = new AltSvcCache(wheel.clock)
    const pool = new PoolImpl<C>(config, wheel, dial(wheel, altSvc), run, logs, altSvc)
    yield* Effect.addFinalizer(() => Effect.sync(() => pool.close()))
    return pool
  })

/** {@link makePoolWith} the real dial. @internal */
export const makePool = (config: PoolConfig): Effect.Effect<PoolImpl<PooledConnection>, never, Scope.Scope> =>
  makePoolWith(config, realDial(config))

/**
 * A pool for the life of the process (the `"default"` pool without a
 * layer), on `wheel`'s Clock. Its background fibers run in a scope never
 * closed; its idle sockets are unref'd, so it never keeps the process alive.
 *
 * @internal
 */
export const processPool = (config: PoolConfig, wheel: TimerWheel): PoolImpl<PooledConnection> =>
  Effect.runSync(Effect.flatMap(Scope.make(), (scope) =>
    Effect.map(Scope.extend(FiberSet.makeRuntime<never, unknown, unknown>(), scope), (run) => build(config, wheel, run))))
