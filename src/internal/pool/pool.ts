/**
 * The connection pool service: the policy of `state.ts` carried out with
 * Effects. It owns no socket code and no protocol: connections come from
 * the dial it is given (`spec → Effect<connection>`), and it knows of them
 * only {@link Poolable}. A request checks out (an idle connection, a dial it
 * runs itself, or a wait for one of these), then checks in.
 *
 * Everything here runs synchronously in socket and fiber callbacks, except
 * dialling (an Effect) and waiting (one `Effect.async` per waiter).
 * Background dials (prewarm, refill) run in fibers of the pool's scope, so
 * closing the pool interrupts them. Deadlines are {@link Deadline}s: a
 * request's (checkout wait) on the Clock of the fiber that made it, the
 * pool's own (keep-alive expiry) on the Clock that built the pool; so
 * `TestClock` drives them.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { CheckoutTimeout, PoolClosed } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"
import type { AltSvcCache } from "./altSvcCache.js"
import type { DialSpec } from "./dialSpec.js"
import { poolProxyDefault, specWithEnv } from "./proxySpec.js"
import type { PoolProxyDefault, ProxyOptions } from "./proxySpec.js"
import { PoolState } from "./state.js"
import type { Features } from "../observe/features.js"
import { PoolMeter } from "../observe/poolMeter.js"
import { debug, traceConnect } from "../observe/log.js"
import type { HostState, Sink, Waiter , Entry} from "./state.js"

export type { DialSpec } from "./dialSpec.js"

/** Pool options, resolved (milliseconds). @internal */
export interface PoolConfig {
  readonly name: string
  readonly maxPerHost: number
  readonly maxConnections: number
  readonly keepaliveTimeout: number
  /** Checkout timeout when a request gives none; undefined: the request's connect timeout. */
  readonly checkoutTimeout: number | undefined
  readonly prewarmCount: number
  readonly tlsPooling: boolean
  /** The response-head limits of requests that set none. */
  readonly headLimits: HeadLimits
  /** The proxy of requests that give no `proxy` option (instead of the environment); `false`: direct. Validated. */
  readonly proxy?: string | false | undefined
  /** Proxy options (`proxyAuth`, `noProxy`, `socks5Resolve`, `proxyTls`) for those requests. Validated. */
  readonly proxyOptions?: Omit<ProxyOptions, "proxy"> | undefined
  /** Middleware and metrics/tracing switches for every request of the pool; undefined: none. */
  readonly features?: Features | undefined
}

/** Per-checkout context, for errors and the timeout. @internal */
export interface CheckoutContext {
  /** Undefined: the pool's, else the connect timeout. */
  readonly checkoutTimeout: number | undefined
  /** The request's per-host limit (hackney's request option); undefined: the pool's. */
  readonly maxPerHost?: number | undefined
  /** The request, for errors. */
  readonly method?: string | undefined
  readonly url?: string | undefined
  /** Skip idle connections and dial (a retry after a stale connection). */
  readonly fresh?: boolean | undefined
  /** The requesting fiber's Clock: times the wait for a connection. Default: the pool's. */
  readonly wheel?: TimerWheel | undefined
}

/**
 * What the pool needs of a connection (`H1Connection` has it; the
 * connection contract extends it).
 *
 * @internal
 */
export interface Poolable {
  /** Requests it can carry at once (HTTP/1: 1; HTTP/2: the peer's stream limit, which may change). */
  readonly capacity: number
  /** Requests running on it now as multiplexed streams (HTTP/2); 0 for HTTP/1. */
  readonly streams: number
  /**
   * Set by the pool for the connection's life: called when `capacity`
   * changed (HTTP/2 SETTINGS) or it stopped taking requests while open
   * (HTTP/2 GOAWAY: `isAvailable` false).
   */
  onChange: (() => void) | undefined
  /** Open and able to take a request now: not closed, no stray bytes received while idle. */
  readonly isAvailable: boolean
  /** What the dial measured (a connection's `ConnectionInfo`): its TLS handshake time, for the metrics. */
  readonly info?: { readonly tlsHandshakeMillis?: number | undefined } | undefined
  readonly isTls: boolean
  /** Called when it closes; the pool sets it while the connection is idle. */
  onClosed: (() => void) | undefined
  /** Let the connection keep the process alive (in use) or not (idle). */
  ref(): void
  unref(): void
  close(): void
  /** Fails the requests it carries with `error`, and closes it. */
  abort(error: HackneyError): void
}

/**
 * How a pool opens a connection. Interruptible only where nothing is lost
 * (while connecting: the socket is destroyed); a connection it returns is
 * the pool's.
 *
 * @internal
 */
export type Dial<C> = (spec: DialSpec, ctx: CheckoutContext) => Effect.Effect<C, HackneyError>

/** Runs an Effect in a fiber of the pool's scope. @internal */
export type RunInScope = <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-hackney/Pool")

/**
 * The pool as a service: what requests and `Pool.*` functions use.
 *
 * @internal
 */
export interface PoolService<C> {
  readonly [TypeId]: typeof TypeId
  /** The pool's name, as used by the `pool` request option and `Pool.stats`. */
  readonly name: string
  /** @internal */
  readonly config: PoolConfig
  /**
   * Hands out a connection for `spec`: idle (LIFO), newly dialled, or after
   * waiting. Callers run it *uninterruptibly* (as the acquire of a
   * resource): the dial and the wait are interruptible inside, and a
   * connection obtained is never lost to an interruption.
   *
   * @internal
   */
  readonly checkout: (spec: DialSpec, ctx: CheckoutContext) => Effect.Effect<C, HackneyError>
  /**
   * An idle connection for `spec` handed out now, or undefined with nothing
   * reserved (then {@link checkout}): the request path's synchronous fast
   * path. `fiber`: the requesting fiber (its proxy environment).
   *
   * @internal
   */
  readonly checkoutIdle: (
    spec: DialSpec,
    maxPerHost: number | undefined,
    fiber: Fiber.RuntimeFiber<unknown, unknown>
  ) => C | undefined
  /** Gives `conn` back; `reusable` when its last exchange left it open, idle and keep-alive. @internal */
  readonly checkin: (conn: C, reusable: boolean) => void
  /** Opens up to `count` idle connections for `spec`'s host and keeps it warm; the number opened. @internal */
  readonly prewarm: (spec: DialSpec, count: number) => Effect.Effect<number>
  /** Totals across hosts. @internal */
  readonly stats: () => { inUse: number; free: number; queued: number }
  /** Counts for one host (its TLS variants summed). @internal */
  readonly hostStats: (host: string, port: number) => { active: number; inUse: number; free: number; streams: number }
  /** Closes every connection and fails every waiter with `PoolClosed`. @internal */
  readonly close: () => void
  /** The pool's state, for debugging. */
  readonly toJSON: () => unknown
}

/** A request waiting for a connection. */
class PoolWaiter<C> implements Waiter {
  done = false
  dial: Entry<unknown> | undefined = undefined
  deadline: Deadline | undefined = undefined
  /** What it was handed, until its fiber takes it. */
  granted: Entry<C> | undefined = undefined
  resume: ((effect: Effect.Effect<Entry<C>, HackneyError>) => void) | undefined = undefined
  constructor(
    readonly fresh: boolean,
    readonly limit: number,
    readonly capacity: number
  ) {}
}

const noContext: CheckoutContext = { checkoutTimeout: undefined }

/** @internal */
export class PoolImpl<C extends Poolable> implements PoolService<C>, Sink<C> {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly state: PoolState<C>
  private readonly entries = new WeakMap<C, Entry<C>>()
  /** How to dial a warm host's replacements (the spec of its prewarm), by pool key. */
  private readonly warmSpecs = new Map<string, DialSpec>()
  /** The pool's proxy options, in place of the environment's or beside it (undefined: none). */
  private readonly proxyDefault: PoolProxyDefault | undefined
  /** The pool's metrics (`metrics: true`), else undefined. */
  private readonly meter: PoolMeter<C> | undefined
  /** What the pool adds to its requests (middleware, metrics, tracing). */
  readonly features: Features | undefined

  constructor(
    readonly config: PoolConfig,
    readonly wheel: TimerWheel,
    private readonly dial: Dial<C>,
    private readonly run: RunInScope,
    /** Log the lifecycle at Debug (the level admitted it where the pool was built). */
    private readonly logs = false,
    /** The origins' HTTP/3 alternatives its h1/h2 responses announced (`Alt-Svc`), for requests that offer h3. */
    readonly altSvc?: AltSvcCache | undefined
  ) {
    const clock = wheel.clock
    this.proxyDefault = poolProxyDefault(config.proxy, config.proxyOptions)
    this.state = new PoolState<C>(
      { maxPerHost: config.maxPerHost, maxIdle: config.maxConnections, keepalive: config.keepaliveTimeout },
      this,
      (conn) => conn.isAvailable,
      () => clock.unsafeCurrentTimeMillis()
    )
    this.features = config.features
    this.meter = config.features?.metrics === true
      ? new PoolMeter<C>(config.name, this, () => clock.unsafeCurrentTimeMillis())
      : undefined
  }

  get name(): string {
    return this.config.name
  }

  get closed(): boolean {
    return this.state.closed
  }

  readonly checkout = (spec: DialSpec, ctx: CheckoutContext): Effect.Effect<C, HackneyError> =>
    Effect.withFiberRuntime((fiber) => {
      // No proxy option: the proxy environment (cached per ConfigProvider) may give one.
      const s = specWithEnv(spec, fiber, ctx, this.proxyDefault)
      return Effect.isEffect(s) ? Effect.flatMap(s, (s) => this.checkoutNow(s, ctx)) : this.checkoutNow(s, ctx)
    })

  readonly checkoutIdle = (
    spec: DialSpec,
    maxPerHost: number | undefined,
    fiber: Fiber.RuntimeFiber<unknown, unknown>
  ): C | undefined => {
    // A pool with lifecycle logs logs each checkout: the full path.
    if (this.state.closed || this.logs) return undefined
    // The environment's proxy not read yet (an Effect), or an invalid one: the full checkout reads it and reports.
    const s = specWithEnv(spec, fiber, noContext, this.proxyDefault)
    if (Effect.isEffect(s)) return undefined
    const h = this.state.hosts.get(s.key)
    const conn = h === undefined ? undefined : this.state.takeIdleNow(h, maxPerHost ?? this.config.maxPerHost)?.conn
    // Metered: a reuse without a wait, recorded as the full path records it.
    if (conn !== undefined && this.meter !== undefined) this.meter.reused(s)
    return conn
  }

  private checkoutNow(spec: DialSpec, ctx: CheckoutContext): Effect.Effect<C, HackneyError> {
    if (this.meter !== undefined) return this.metered(spec, ctx, this.meter)
    return this.checkoutFor(spec, ctx)
  }

  /** A checkout with its metrics: wait time, new or reused, the gauges after it. */
  private metered(spec: DialSpec, ctx: CheckoutContext, meter: PoolMeter<C>): Effect.Effect<C, HackneyError> {
    const started = meter.checkoutStarted(ctx.fresh === true, spec)
    let created = false
    const dialled = () => {
      created = true
    }
    let reusedNow = false
    const checkedOut = this.checkoutFor(spec, ctx, dialled, () => {
      reusedNow = true
    })
    if (reusedNow) {
      // An idle connection, decided already: recorded now, without another step per request.
      meter.reused(spec, started)
      return checkedOut
    }
    return checkedOut.pipe(
      Effect.tapBoth({
        onFailure: (e) =>
          Effect.sync(() => {
            meter.dialFailed(e, spec.host, spec.port)
            meter.sync(spec)
          }),
        onSuccess: () =>
          Effect.sync(() => {
            meter.checkedOut(started, created, spec)
            meter.sync(spec)
          })
      })
    )
  }

  /** `dialled`: told of a connection dialled for this checkout; `reused`: told at once when an idle one serves it. */
  private checkoutFor(
    spec: DialSpec,
    ctx: CheckoutContext,
    dialled?: (conn: C) => void,
    reused?: () => void
  ): Effect.Effect<C, HackneyError> {
    if (this.state.closed) return Effect.fail(this.poolClosed(ctx))
    const h = this.state.host(spec.key, spec.host, spec.port)
    const fresh = ctx.fresh === true
    const limit = ctx.maxPerHost ?? this.config.maxPerHost
    // A dial that may become an HTTP/2 session is expected to carry what the host's last one did
    // (100 before any: RFC 9113's floor for SETTINGS_MAX_CONCURRENT_STREAMS), so requests share it.
    const capacity = spec.multiplex === true ? h.capacityHint : 1
    const e = this.state.checkout(h, fresh, limit, capacity)
    if (this.logs) return this.logged(e, h, fresh, limit, capacity, spec, ctx, dialled)
    if (e === undefined) return this.wait(h, new PoolWaiter<C>(fresh, limit, capacity), spec, ctx, dialled)
    if (e.state === "dialing") return this.dialFor(e, spec, ctx, dialled)
    reused?.()
    return Effect.succeed(e.conn!)
  }

  /** {@link checkoutFor}'s outcome with its Debug log: reused, dialling, queued; a stale resend. */
  private logged(
    e: Entry<C> | undefined,
    h: HostState<C>,
    fresh: boolean,
    limit: number,
    capacity: number,
    spec: DialSpec,
    ctx: CheckoutContext,
    dialled?: (conn: C) => void
  ): Effect.Effect<C, HackneyError> {
    const where = { "hackney.pool": this.config.name, "server.address": spec.host, "server.port": spec.port }
    const stale = fresh
      ? debug(`hackney: resending on a new connection to ${spec.host}:${spec.port}: the kept-alive one was closed`, where)
      : Effect.void
    const next = e === undefined
      ? Effect.zipRight(
        Effect.suspend(() =>
          debug(`hackney: queued for a connection to ${spec.host}:${spec.port} (${h.waiters.length + 1} waiting)`, where)
        ),
        this.wait(h, new PoolWaiter<C>(fresh, limit, capacity), spec, ctx, dialled)
      )
      : e.state === "dialing"
      ? this.dialFor(e, spec, ctx, dialled)
      : Effect.as(debug(`hackney: reusing an idle connection to ${spec.host}:${spec.port}`, where), e.conn!)
    return Effect.zipRight(stale, next)
  }

  readonly checkin = (conn: C, reusable: boolean): void => {
    const e = this.entries.get(conn)
    if (e === undefined) return conn.close()
    // hackney 2.x behaviour on request: TLS connections are not kept.
    this.state.release(e, reusable && conn.isAvailable && (this.config.tlsPooling || !conn.isTls))
    this.meter?.sync(e.host)
  }

  readonly prewarm = (spec: DialSpec, count: number): Effect.Effect<number> =>
    Effect.suspend(() => {
      if (this.state.closed) return Effect.succeed(0)
      const h = this.state.host(spec.key, spec.host, spec.port)
      this.warmSpecs.set(spec.key, spec)
      const fibers = this.state.prewarm(h, count).map((e) => this.run(this.background(e, spec)))
      return Effect.map(Effect.forEach(fibers, (f) => f.await), (exits) => exits.filter((x) => x._tag === "Success" && x.value).length)
    })

  readonly close = (): void => {
    const hosts = this.meter === undefined ? [] : [...this.state.hosts.values()]
    this.state.shutdown()
    this.warmSpecs.clear()
    for (const h of hosts) this.meter!.sync(h)
  }

  readonly stats = (): { inUse: number; free: number; queued: number } => this.state.stats()

  readonly queued = (): number => this.state.queuedCount()

  readonly connectionCounts = (host: string, port: number): { inUse: number; free: number } => {
    let inUse = 0
    let free = 0
    for (const h of this.state.hosts.values()) {
      if (h.host === host && h.port === port) {
        inUse += h.busy.size
        free += h.idle.length
      }
    }
    return { inUse, free }
  }

  readonly hostStats = (host: string, port: number): { active: number; inUse: number; free: number; streams: number } => {
    let active = 0
    let inUse = 0
    let free = 0
    let streams = 0
    const name = host.toLowerCase()
    for (const h of this.state.hosts.values()) {
      if (h.host === name && h.port === port) {
        active += h.active
        inUse += h.busy.size
        free += h.idle.length
        for (const e of h.busy) streams += e.conn?.streams ?? 0
        for (const e of h.idle) streams += e.conn?.streams ?? 0
      }
    }
    return { active, inUse, free, streams }
  }

  readonly toJSON = (): unknown => ({ name: this.config.name, ...(this.state.toJSON() as object) })

  // --- the policy's decisions (Sink) ---------------------------------------------

  grant(waiter: Waiter, entry: Entry<C>): void {
    const w = waiter as PoolWaiter<C>
    this.settle(w)
    w.granted = entry
    w.resume!(Effect.succeed(entry))
  }

  closeConnection(entry: Entry<C>): void {
    entry.timer?.cancel()
    const conn = entry.conn
    if (conn === undefined) return
    conn.onClosed = undefined
    conn.close()
    this.meter?.closed(conn, entry.host.host, entry.host.port)
  }

  parked(entry: Entry<C>): void {
    const conn = entry.conn!
    // An idle socket must not keep the process alive.
    conn.unref()
    conn.onClosed = entry.onClosed
    ;(entry.timer as Deadline).restartAt(entry.expiresAt)
  }

  unparked(entry: Entry<C>): void {
    entry.timer?.cancel()
    const conn = entry.conn!
    conn.onClosed = undefined
    conn.ref()
  }

  reject(waiter: Waiter): void {
    const w = waiter as PoolWaiter<C>
    this.settle(w)
    w.resume?.(Effect.fail(new PoolClosed({ pool: this.config.name })))
  }

  abort(entry: Entry<C>): void {
    entry.conn?.abort(new PoolClosed({ pool: this.config.name }))
  }

  dialBackground(entry: Entry<C>): void {
    const spec = this.warmSpecs.get(entry.host.key)
    if (spec === undefined) return this.state.dialFailed(entry)
    this.run(this.background(entry, spec))
  }

  // --- internals --------------------------------------------------------------

  /** A background dial of `entry` (prewarm, refill): true when it opened a connection, kept by the pool. */
  private background(entry: Entry<C>, spec: DialSpec): Effect.Effect<boolean> {
    return Effect.withClock(
      Effect.matchCause(this.dial(spec, noContext), {
        onFailure: () => {
          this.state.dialFailed(entry)
          return false
        },
        onSuccess: (conn) => {
          this.register(entry, conn)
          return entry.state !== "closed"
        }
      }),
      this.wheel.clock
    )
  }

  /** `entry`'s dial succeeded: the pool keeps `conn` under it. */
  private register(entry: Entry<C>, conn: C): void {
    this.entries.set(conn, entry)
    const meter = this.meter
    if (meter === undefined && !this.logs) {
      entry.timer = this.wheel.deadline(() => this.state.expire(entry))
      entry.onClosed = () => this.state.connectionClosed(entry)
    } else {
      const { host, port } = entry.host
      meter?.opened(conn, host, port)
      const log = (message: string) => {
        if (this.logs) this.run(debug(message, { "hackney.pool": this.config.name, "server.address": host, "server.port": port }))
      }
      entry.timer = this.wheel.deadline(() => {
        log(`hackney: closing an idle connection to ${host}:${port} (keep-alive timeout)`)
        this.state.expire(entry)
        meter?.sync(entry.host)
      })
      entry.onClosed = () => {
        log(`hackney: an idle connection to ${host}:${port} was closed by the server`)
        this.state.connectionClosed(entry)
        meter?.closed(conn, host, port)
        meter?.sync(entry.host)
      }
    }
    conn.onChange = () => {
      if (!conn.isAvailable) this.state.drain(entry)
      else this.state.resize(entry, conn.capacity)
    }
    this.state.dialed(entry, conn, conn.capacity)
  }

  /**
   * Dials `entry` for the requesting fiber. Only the dial is interruptible;
   * registering the new connection is not, so it can't be lost.
   */
  private dialFor(entry: Entry<C>, spec: DialSpec, ctx: CheckoutContext, dialled?: (conn: C) => void): Effect.Effect<C, HackneyError> {
    return this.dial(spec, ctx).pipe(
      // Interrupted while connecting: the dial destroyed its socket; free the slot.
      Effect.onInterrupt(() => Effect.sync(() => this.state.dialFailed(entry))),
      Effect.matchEffect({
        onFailure: (error) => {
          this.state.dialFailed(entry)
          return Effect.fail(error)
        },
        onSuccess: (conn): Effect.Effect<C, HackneyError> => {
          this.register(entry, conn)
          dialled?.(conn)
          return entry.state === "closed" ? Effect.fail(this.poolClosed(ctx)) : Effect.succeed(conn)
        }
      })
    )
  }

  /** Queues for a connection or a dial; only the wait itself is interruptible. */
  private wait(
    host: HostState<C>,
    w: PoolWaiter<C>,
    spec: DialSpec,
    ctx: CheckoutContext,
    dialled?: (conn: C) => void
  ): Effect.Effect<C, HackneyError> {
    const queued = Effect.async<Entry<C>, HackneyError>((resume) => {
      w.resume = resume
      const h = this.state.wait(host, w)
      this.meter?.sync(spec)
      const timeout = ctx.checkoutTimeout ?? this.config.checkoutTimeout ?? spec.connectTimeout
      if (Number.isFinite(timeout) && !w.done) {
        w.deadline = (ctx.wheel ?? this.wheel).schedule(timeout, () => {
          if (w.done) return
          this.settle(w)
          this.state.cancel(h, w)
          resume(Effect.fail(
            new CheckoutTimeout({
              pool: this.config.name,
              host: spec.host,
              port: spec.port,
              timeoutMillis: timeout,
              method: ctx.method,
              url: ctx.url
            })
          ))
        })
      }
      // Interrupted while queued: leave the queue.
      return Effect.sync(() => {
        if (w.done) return
        this.settle(w)
        this.state.cancel(h, w)
      })
    })
    return Effect.interruptible(this.traced(queued, spec)).pipe(
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          // Served just as the interruption landed: give back what was granted.
          const got = w.granted
          if (got === undefined) return
          w.granted = undefined
          if (got.state === "dialing") this.state.dialFailed(got)
          else this.state.release(got, true)
        })
      ),
      Effect.flatMap((got) => {
        w.granted = undefined
        return got.state === "dialing" ? this.dialFor(got, spec, ctx, dialled) : Effect.succeed(got.conn!)
      })
    )
  }

  /**
   * The queue wait as events of the request's span, when it is traced
   * (`hackney.pool.queued`, then `hackney.pool.dequeued` with the wait in
   * ms): read on this slow path only.
   */
  private traced<A, E>(queued: Effect.Effect<A, E>, spec: DialSpec): Effect.Effect<A, E> {
    return Effect.withFiberRuntime((fiber) => {
      const span = fiber.getFiberRef(traceConnect)
      if (span === undefined) return queued
      const clock = this.wheel.clock
      const start = clock.unsafeCurrentTimeNanos()
      span.event("hackney.pool.queued", start, { "hackney.pool": this.config.name, "server.address": spec.host, "server.port": spec.port })
      return Effect.tap(queued, () =>
        Effect.sync(() => {
          const now = clock.unsafeCurrentTimeNanos()
          span.event("hackney.pool.dequeued", now, { "hackney.pool.wait_ms": Number(now - start) / 1e6 })
        }))
    })
  }

  private settle(w: PoolWaiter<C>): void {
    w.done = true
    w.deadline?.cancel()
  }

  private poolClosed(ctx: CheckoutContext): PoolClosed {
    return new PoolClosed({ pool: this.config.name, method: ctx.method, url: ctx.url })
  }
}
