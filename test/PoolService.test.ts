/**
 * The pool service (src/internal/pool/pool.ts) over an injected dial of fake
 * connections: no sockets, TestClock time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope, TestClock } from "effect"
import { ConnectError } from "../src/HackneyError.js"
import type { HackneyError } from "../src/HackneyError.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { makePoolWith } from "../src/internal/pool/make.js"
import type { CheckoutContext, Dial, PoolConfig, Poolable } from "../src/internal/pool/pool.js"
import { poolDefaults } from "../src/internal/pool/registry.js"
import { TimerWheel } from "../src/internal/timer/wheel.js"
import type { Deadline } from "../src/internal/timer/wheel.js"

class FakeConnection implements Poolable {
  readonly capacity = 1
  readonly streams = 0
  onChange: (() => void) | undefined = undefined
  readonly isTls = false
  closed = false
  refd = true
  aborted: HackneyError | undefined = undefined
  onClosed: (() => void) | undefined = undefined
  constructor(readonly id: number) {}
  get isAvailable(): boolean {
    return !this.closed
  }
  ref(): void {
    this.refd = true
  }
  unref(): void {
    this.refd = false
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    const cb = this.onClosed
    this.onClosed = undefined
    cb?.()
  }
  abort(error: HackneyError): void {
    this.aborted = error
    this.close()
  }
}

const config = (o: Partial<PoolConfig> = {}): PoolConfig => ({
  name: "fake",
  maxPerHost: 2,
  maxConnections: 10,
  keepaliveTimeout: 1000,
  checkoutTimeout: undefined,
  prewarmCount: 4,
  tlsPooling: true,
  headLimits: poolDefaults.headLimits,
  ...o
})

const spec: DialSpec = {
  key: "http://fake:80",
  transport: "tcp",
  host: "fake",
  port: 80,
  connectTimeout: 8000,
  recvTimeout: 5000
}
const ctx: CheckoutContext = { checkoutTimeout: 60_000, method: "GET", url: "http://fake/" }

/** A dial that opens fake connections at once, counting them. */
const instantDial = () => {
  const opened: Array<FakeConnection> = []
  const dial: Dial<FakeConnection> = () =>
    Effect.sync(() => {
      const c = new FakeConnection(opened.length + 1)
      opened.push(c)
      return c
    })
  return { opened, dial: () => dial }
}

describe("Pool service over an injected dial (no sockets)", () => {
  it.scoped("one dial, then reuse (LIFO); an idle connection is unref'd and expires at keepaliveTimeout", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config(), d.dial)
      const a = yield* pool.checkout(spec, ctx)
      expect(a.refd).toBe(true)
      pool.checkin(a, true)
      expect(a.refd).toBe(false)
      const again = yield* pool.checkout(spec, ctx)
      expect(again).toBe(a)
      expect(again.refd).toBe(true)
      pool.checkin(again, true)
      expect(d.opened.length).toBe(1)
      yield* TestClock.adjust("999 millis")
      expect(pool.stats()).toEqual({ inUse: 0, free: 1, queued: 0 })
      yield* TestClock.adjust("1 millis")
      expect(a.closed).toBe(true)
      expect(pool.stats()).toEqual({ inUse: 0, free: 0, queued: 0 })
    }))

  it.scoped("a connection closed by its peer while idle leaves the pool; the next checkout dials", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config(), d.dial)
      const a = yield* pool.checkout(spec, ctx)
      pool.checkin(a, true)
      a.close()
      expect(pool.stats().free).toBe(0)
      const b = yield* pool.checkout(spec, ctx)
      expect(b).not.toBe(a)
      expect(d.opened.length).toBe(2)
    }))

  it.scoped("a dial failure fails its request and lets the next waiter dial", () =>
    Effect.gen(function*() {
      const gates: Array<Deferred.Deferred<FakeConnection, HackneyError>> = []
      const dial: Dial<FakeConnection> = () =>
        Effect.flatMap(Deferred.make<FakeConnection, HackneyError>(), (g) => {
          gates.push(g)
          return Deferred.await(g)
        })
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), () => dial)
      const first = yield* Effect.fork(Effect.uninterruptible(pool.checkout(spec, ctx)))
      const second = yield* Effect.fork(Effect.uninterruptible(pool.checkout(spec, ctx)))
      yield* Effect.yieldNow()
      expect(gates.length).toBe(1)
      expect(pool.stats().queued).toBe(1)
      yield* Deferred.fail(gates[0], new ConnectError({ reason: "refused", host: "fake", port: 80 }))
      expect((yield* Effect.flip(Fiber.join(first)))._tag).toBe("ConnectError")
      yield* Effect.yieldNow()
      expect(gates.length).toBe(2)
      const conn = new FakeConnection(1)
      yield* Deferred.succeed(gates[1], conn)
      expect(yield* Fiber.join(second)).toBe(conn)
      expect(pool.hostStats("fake", 80)).toEqual({ active: 1, inUse: 1, free: 0, streams: 0 })
    }))

  it.scoped("a waiter times out on the requesting fiber's Clock with CheckoutTimeout, and leaves the queue", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), d.dial)
      yield* pool.checkout(spec, ctx)
      const waiter = yield* Effect.fork(pool.checkout(spec, { ...ctx, checkoutTimeout: 500 }))
      yield* Effect.yieldNow()
      expect(pool.stats().queued).toBe(1)
      yield* TestClock.adjust("500 millis")
      expect((yield* Effect.flip(Fiber.join(waiter)))._tag).toBe("CheckoutTimeout")
      expect(pool.stats().queued).toBe(0)
    }))

  it.scoped("a waiter served before its checkoutTimeout has its timer cancelled, and is not failed by it later", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), d.dial)
      // The waiter's deadline goes on a wheel of this test's Clock, which records what it schedules.
      const wheel = new TimerWheel(yield* Effect.clock)
      const scheduled: Array<Deadline> = []
      const schedule = wheel.schedule.bind(wheel)
      wheel.schedule = (millis, onExpire) => {
        const deadline = schedule(millis, onExpire)
        scheduled.push(deadline)
        return deadline
      }
      const a = yield* pool.checkout(spec, ctx)
      const waiter = yield* Effect.fork(pool.checkout(spec, { ...ctx, checkoutTimeout: 500, wheel }))
      yield* Effect.yieldNow()
      expect(scheduled.map((t) => t.active)).toEqual([true])
      pool.checkin(a, true)
      expect(yield* Fiber.join(waiter)).toBe(a)
      expect(scheduled.map((t) => t.active)).toEqual([false])
      yield* TestClock.adjust("1 second")
      expect(pool.stats()).toEqual({ inUse: 1, free: 0, queued: 0 })
      expect(a.closed).toBe(false)
    }))

  it.effect("a dial that completes after the pool closed: its connection is closed, its request fails PoolClosed", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<FakeConnection, HackneyError>()
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(makePoolWith(config(), () => () => Deferred.await(gate)), scope)
      // Uninterruptible: the dial outlives the pool's close.
      const request = yield* Effect.fork(Effect.uninterruptible(pool.checkout(spec, ctx)))
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const late = new FakeConnection(1)
      yield* Deferred.succeed(gate, late)
      expect((yield* Effect.flip(Fiber.join(request)))._tag).toBe("PoolClosed")
      expect(late.closed).toBe(true)
      expect(pool.stats()).toEqual({ inUse: 0, free: 0, queued: 0 })
    }))

  it.effect("closing the pool's scope interrupts its background dials and aborts connections in use", () =>
    Effect.gen(function*() {
      let interrupted = 0
      let dials = 0
      const dial: Dial<FakeConnection> = () =>
        Effect.suspend(() => {
          dials++
          // The first dial (a request's) connects; prewarm's never do.
          return dials === 1
            ? Effect.succeed(new FakeConnection(1))
            : Effect.onInterrupt(Effect.never, () => Effect.sync(() => void interrupted++))
        })
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(makePoolWith(config({ maxPerHost: 4 }), () => dial), scope)
      const used = yield* pool.checkout(spec, ctx)
      const warming = yield* Effect.fork(pool.prewarm(spec, 2))
      yield* Effect.yieldNow()
      expect(dials).toBe(3)
      yield* Scope.close(scope, Exit.void)
      expect(interrupted).toBe(2)
      expect(yield* Fiber.join(warming)).toBe(0)
      expect(used.aborted?._tag).toBe("PoolClosed")
      expect((yield* Effect.flip(pool.checkout(spec, ctx)))._tag).toBe("PoolClosed")
    }))

  it.scoped("toJSON shows the pool's hosts and connection states", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config(), instantDial().dial)
      const a = yield* pool.checkout(spec, ctx)
      yield* pool.checkout(spec, ctx)
      pool.checkin(a, true)
      const json = JSON.parse(JSON.stringify(pool))
      expect(json).toMatchObject({ name: "fake", closed: false, idle: 1 })
      expect(json.hosts[0]).toMatchObject({ key: "http://fake:80", busy: 1, idle: 1, dialing: 0, waiters: 0 })
      expect(json.hosts[0].entries.map((e: { state: string }) => e.state).sort()).toEqual(["active", "idle"])
    }))
})
