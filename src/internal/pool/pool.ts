/**
 * The connection pool: per-origin host pools with a per-host limit and a fair
 * FIFO wait queue, LIFO idle reuse with keep-alive expiry, a checkout-time
 * liveness check, and a cap on idle connections across hosts.
 *
 * Everything here runs synchronously in socket and fiber callbacks, except
 * dialling (an Effect) and waiting for a free slot (one `Effect.async` per
 * waiter). Deadlines are {@link Deadline}s: a request's (checkout wait, recv
 * timeout) on the Clock of the fiber that made it, the pool's own
 * (keep-alive expiry, prewarm refills) on the Clock that built the pool; so
 * `TestClock` drives them.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as net from "node:net"
import { CheckoutTimeout, PoolClosed } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import { openConnection } from "../connection/driver.js"
import type { H1Connection } from "../connection/h1Connection.js"
import type { HeadLimits } from "../http1/types.js"
import { connect } from "../node/socket.js"
import type { ConnectOptions } from "../node/socket.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"

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
}

/** What a checkout needs to open a connection. @internal */
export interface DialSpec extends ConnectOptions {
  /** The host pool key: scheme, host, port, TLS options, proxy. */
  readonly key: string
  readonly recvTimeout: number
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
  /** The requesting fiber's Clock: times the wait for a connection (and the recv timeout of one dialled). Default: the pool's. */
  readonly wheel?: TimerWheel | undefined
}

/** What a waiter is given: a connection, or a slot to dial one. */
const Slot = Symbol("Slot")

interface Waiter {
  readonly spec: DialSpec
  readonly ctx: CheckoutContext
  /** Must not be handed a reused connection (a retry after a stale one). */
  readonly fresh: boolean
  readonly resume: (effect: Effect.Effect<H1Connection | typeof Slot, HackneyError>) => void
  deadline: Deadline | undefined
  done: boolean
  /** What it was handed, until its fiber takes it. */
  granted: H1Connection | typeof Slot | undefined
}

const noContext: CheckoutContext = { checkoutTimeout: undefined }

/** The pool's bookkeeping for one connection. @internal */
interface Pooled {
  readonly host: HostPool
  readonly keepalive: Deadline
}

/** @internal */
export class HostPool {
  readonly idle: Array<H1Connection> = []
  /** Connections serving a request (closed if the pool closes). */
  readonly busy = new Set<H1Connection>()
  /** In use plus connecting: what `maxPerHost` bounds. */
  active = 0
  inUse = 0
  readonly waiters: Array<Waiter> = []
  /** Prewarmed: idle connections taken are replaced, up to `prewarmCount`. */
  warm = false
  /** How many idle connections to keep ready when warm. */
  warmCount = 0
  /** How to dial a replacement (the spec of the prewarm). */
  warmSpec: DialSpec | undefined = undefined
  /** Replacements being dialled. */
  refilling = 0
  constructor(readonly key: string, readonly host: string, readonly port: number) {}
}

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-hackney/Pool")

/** @internal */
export class PoolImpl {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly hosts = new Map<string, HostPool>()
  private readonly meta = new WeakMap<H1Connection, Pooled>()
  private idleCount = 0
  closed = false

  constructor(readonly config: PoolConfig, readonly wheel: TimerWheel) {}

  get name(): string {
    return this.config.name
  }

  /**
   * Hands out an available connection for `spec`: idle (LIFO), newly
   * dialled, or after waiting. Callers run it *uninterruptibly* (as the
   * acquire of a resource): the dial and the wait are interruptible inside,
   * and a connection obtained is never lost to an interruption.
   */
  checkout(spec: DialSpec, ctx: CheckoutContext): Effect.Effect<H1Connection, HackneyError> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.fail(new PoolClosed({ pool: this.config.name, method: ctx.method, url: ctx.url }))
      const hp = this.hostPool(spec)
      if (ctx.fresh !== true) {
        const conn = this.takeIdle(hp)
        if (conn !== undefined) {
          if (hp.warm) this.refill(hp)
          return Effect.succeed(conn)
        }
      }
      if (hp.active < (ctx.maxPerHost ?? this.config.maxPerHost)) {
        hp.active++
        return this.dial(hp, spec, ctx)
      }
      return this.wait(hp, spec, ctx)
    })
  }

  /**
   * Returns a connection after an exchange. Reusable ones go to the oldest
   * waiter, or to the idle stack; others are closed, and their slot goes to
   * the oldest waiter, which dials.
   */
  checkin(conn: H1Connection, reusable: boolean): void {
    const m = this.meta.get(conn)
    if (m === undefined) {
      conn.close()
      return
    }
    const hp = m.host
    hp.inUse--
    hp.busy.delete(conn)
    // hackney 2.x behaviour on request: TLS connections are not kept.
    if (reusable && conn.isTls && !this.config.tlsPooling) reusable = false
    if (reusable && conn.isAvailable && !this.closed) {
      const w = this.nextWaiter(hp)
      if (w !== undefined && !w.fresh) {
        // Straight to the oldest waiter: the slot stays taken.
        hp.inUse++
        hp.busy.add(conn)
        this.settle(w)
        w.granted = conn
        w.resume(Effect.succeed(conn))
        return
      }
      hp.active--
      if (w !== undefined) this.grantSlot(hp, w)
      if (this.idleCount >= this.config.maxConnections) {
        conn.close()
        this.dropIfEmpty(hp)
        return
      }
      this.park(hp, conn, m)
      return
    }
    hp.active--
    conn.close()
    this.slotFreed(hp)
  }

  /** Opens up to `count` idle connections for `spec`'s host (fewer when some are idle or in flight). */
  prewarm(spec: DialSpec, count: number): Effect.Effect<number> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.succeed(0)
      const hp = this.hostPool(spec)
      hp.warm = true
      hp.warmCount = count
      hp.warmSpec = spec
      const want = Math.min(count - hp.idle.length - hp.refilling, this.config.maxPerHost - hp.active)
      if (want <= 0) return Effect.succeed(0)
      hp.active += want
      const one = Effect.uninterruptible(this.dial(hp, spec, noContext).pipe(
        Effect.map((conn) => {
          this.checkin(conn, true)
          return 1
        }),
        Effect.orElseSucceed(() => 0)
      ))
      return Effect.map(Effect.all(Array.from({ length: want }, () => one), { concurrency: "unbounded" }), (xs) =>
        xs.reduce((a, b) => a + b, 0))
    })
  }

  /**
   * A warm host's idle connection was taken: dial a replacement in the
   * background (on the pool's Clock) while fewer than its prewarm count are
   * idle. Expiring idle connections are not replaced, so a host nobody uses
   * cools down by itself.
   */
  private refill(hp: HostPool): void {
    const spec = hp.warmSpec
    if (spec === undefined || this.closed) return
    if (hp.idle.length + hp.refilling >= hp.warmCount || hp.active >= this.config.maxPerHost) return
    hp.active++
    hp.refilling++
    const one = Effect.uninterruptible(Effect.match(this.dial(hp, spec, noContext), {
      onFailure: () => {
        hp.refilling--
      },
      onSuccess: (conn) => {
        hp.refilling--
        this.checkin(conn, true)
      }
    }))
    Effect.runFork(Effect.withClock(one, this.wheel.clock))
  }

  /** Closes every connection and fails every waiter with `PoolClosed`. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const hp of this.hosts.values()) {
      for (const w of hp.waiters.splice(0)) {
        if (w.done) continue
        this.settle(w)
        w.resume(Effect.fail(new PoolClosed({ pool: this.config.name, method: w.ctx.method, url: w.ctx.url })))
      }
      for (const c of hp.idle.splice(0)) c.close()
      for (const c of hp.busy) c.abort(new PoolClosed({ pool: this.config.name }))
      hp.busy.clear()
    }
    this.idleCount = 0
    this.hosts.clear()
  }

  /** Totals across hosts. */
  stats(): { inUse: number; free: number; queued: number } {
    let inUse = 0
    let queued = 0
    for (const hp of this.hosts.values()) {
      inUse += hp.inUse
      queued += hp.waiters.length
    }
    return { inUse, free: this.idleCount, queued }
  }

  /** Counts for one host (all TLS/proxy variants of it summed). */
  hostStats(host: string, port: number): { active: number; inUse: number; free: number } {
    let active = 0
    let inUse = 0
    let free = 0
    const h = host.toLowerCase()
    for (const hp of this.hosts.values()) {
      if (hp.host === h && hp.port === port) {
        active += hp.active
        inUse += hp.inUse
        free += hp.idle.length
      }
    }
    return { active, inUse, free }
  }

  // --- internals --------------------------------------------------------------

  private hostPool(spec: DialSpec): HostPool {
    let hp = this.hosts.get(spec.key)
    if (hp === undefined) {
      hp = new HostPool(spec.key, spec.host.toLowerCase(), spec.port)
      this.hosts.set(spec.key, hp)
    }
    return hp
  }

  private takeIdle(hp: HostPool): H1Connection | undefined {
    for (;;) {
      const conn = hp.idle.pop()
      if (conn === undefined) return undefined
      this.idleCount--
      const m = this.meta.get(conn)!
      m.keepalive.cancel()
      conn.onClosed = undefined
      // Liveness check: a connection the peer closed, or that received bytes while idle, is closed already.
      if (!conn.isAvailable) {
        conn.close()
        continue
      }
      conn.socket.ref()
      hp.active++
      hp.inUse++
      hp.busy.add(conn)
      return conn
    }
  }

  private park(hp: HostPool, conn: H1Connection, m: Pooled): void {
    hp.idle.push(conn)
    this.idleCount++
    // An idle socket must not keep the process alive.
    conn.socket.unref()
    // Before the keep-alive starts: a deadline of 0 may expire (and close the connection) at once.
    conn.onClosed = () => this.unpark(hp, conn)
    m.keepalive.restart(this.config.keepaliveTimeout)
  }

  /** An idle connection closed (peer close, stray bytes, keep-alive expiry). */
  private unpark(hp: HostPool, conn: H1Connection): void {
    const i = hp.idle.lastIndexOf(conn)
    if (i >= 0) {
      hp.idle.splice(i, 1)
      this.idleCount--
    }
    this.meta.get(conn)?.keepalive.cancel()
    this.dropIfEmpty(hp)
  }

  private dropIfEmpty(hp: HostPool): void {
    if (hp.active === 0 && hp.idle.length === 0 && hp.waiters.length === 0 && !hp.warm) this.hosts.delete(hp.key)
  }

  /** A slot is free: the oldest waiter gets it and dials. */
  private slotFreed(hp: HostPool): void {
    const w = this.nextWaiter(hp)
    if (w !== undefined) this.grantSlot(hp, w)
    else this.dropIfEmpty(hp)
  }

  private grantSlot(hp: HostPool, w: Waiter): void {
    hp.active++
    this.settle(w)
    w.granted = Slot
    w.resume(Effect.succeed(Slot))
  }

  /**
   * Dials a connection on a slot already counted in `hp.active`. Only the
   * connect is interruptible; registering the new connection is not, so it
   * can't be lost.
   */
  private dial(hp: HostPool, spec: DialSpec, ctx: CheckoutContext): Effect.Effect<H1Connection, HackneyError> {
    const holder: { socket?: net.Socket | undefined } = {}
    return Effect.interruptible(Effect.suspend(() =>
      connect(ctx.method === undefined ? spec : { ...spec, method: ctx.method, url: ctx.url }, holder)
    )).pipe(
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          // Interrupted while (or right after) connecting: destroy the socket; free the slot.
          holder.socket?.destroy()
          hp.active--
          this.slotFreed(hp)
        })
      ),
      Effect.matchEffect({
        onFailure: (error) => {
          hp.active--
          this.slotFreed(hp)
          return Effect.fail(error)
        },
        onSuccess: (open): Effect.Effect<H1Connection, HackneyError> => {
          const opened = openConnection(
            open,
            { recvTimeout: spec.recvTimeout, wheel: this.wheel, headLimits: this.config.headLimits },
            ctx.method,
            ctx.url
          )
          if (opened._tag === "Left") {
            hp.active--
            this.slotFreed(hp)
            return Effect.fail(opened.left)
          }
          const conn = opened.right
          if (this.closed) {
            hp.active--
            conn.close()
            return Effect.fail(new PoolClosed({ pool: this.config.name, method: ctx.method, url: ctx.url }))
          }
          this.meta.set(conn, { host: hp, keepalive: this.wheel.deadline(() => conn.close()) })
          hp.inUse++
          hp.busy.add(conn)
          return Effect.succeed(conn)
        }
      })
    )
  }

  /** Queues for a connection or a slot; only the wait itself is interruptible. */
  private wait(hp: HostPool, spec: DialSpec, ctx: CheckoutContext): Effect.Effect<H1Connection, HackneyError> {
    let waiter: Waiter | undefined
    const queued = Effect.async<H1Connection | typeof Slot, HackneyError>((resume) => {
      const w: Waiter = { spec, ctx, fresh: ctx.fresh === true, resume, deadline: undefined, done: false, granted: undefined }
      waiter = w
      hp.waiters.push(w)
      const timeout = ctx.checkoutTimeout ?? this.config.checkoutTimeout ?? spec.connectTimeout
      if (Number.isFinite(timeout)) {
        w.deadline = (ctx.wheel ?? this.wheel).schedule(timeout, () => {
          if (w.done) return
          this.settle(w)
          this.unqueue(hp, w)
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
        this.settle(w)
        this.unqueue(hp, w)
        this.dropIfEmpty(hp)
      })
    })
    return Effect.interruptible(queued).pipe(
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          // Served just as the interruption landed: give back what was granted.
          const got = waiter?.granted
          if (got === undefined) return
          waiter!.granted = undefined
          if (got === Slot) {
            hp.active--
            this.slotFreed(hp)
          } else this.checkin(got, true)
        })
      ),
      Effect.flatMap((got) => {
        waiter!.granted = undefined
        return got === Slot ? this.dial(hp, spec, ctx) : Effect.succeed(got)
      })
    )
  }

  private settle(w: Waiter): void {
    w.done = true
    w.deadline?.cancel()
  }

  private unqueue(hp: HostPool, w: Waiter): void {
    const i = hp.waiters.indexOf(w)
    if (i >= 0) hp.waiters.splice(i, 1)
  }

  private nextWaiter(hp: HostPool): Waiter | undefined {
    for (;;) {
      const w = hp.waiters.shift()
      if (w === undefined) return undefined
      if (!w.done) return w
    }
  }
}
