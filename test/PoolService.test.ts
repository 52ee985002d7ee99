/**
 * The pool service (src/internal/pool/pool.ts) over an injected dial of fake
 * connections: no sockets, TestClock time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Scope, TestClock } from "effect"
import { ConnectError } from "../src/HackneyError.js"
import type { HackneyError } from "../src/HackneyError.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { makePoolWith } from "../src/internal/pool/make.js"
import type { CheckoutContext, Dial, PoolConfig, Poolable } from "../src/internal/pool/pool.js"
import { poolDefaults } from "../src/internal/pool/registry.js"
import { TimerWheel } from "../src/internal/timer/wheel.js"
import type { Deadline } from "../src/internal/timer/wheel.js"

class FakeConnection implements Poolable {
  capacity = 1
  streams = 0
  onChange: (() => void) | undefined = undefined
  readonly isTls = false
  closed = false
  /** Open but taking no new request (stray bytes while idle, HTTP/2 GOAWAY). */
  unavailable = false
  refd = true
  aborted: HackneyError | undefined = undefined
  onClosed: (() => void) | undefined = undefined
  constructor(readonly id: number) {}
  get isAvailable(): boolean {
    return !this.closed && !this.unavailable
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

/** A dial that waits for the test to hand it a connection (or an error), one gate per dial. */
const gatedDial = () => {
  const gates: Array<Deferred.Deferred<FakeConnection, HackneyError>> = []
  const dial: Dial<FakeConnection> = () =>
    Effect.flatMap(Deferred.make<FakeConnection, HackneyError>(), (g) => {
      gates.push(g)
      return Deferred.await(g)
    })
  return { gates, dial: () => dial }
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
      const { dial, gates } = gatedDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), dial)
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

describe("Pool service: what the pool tells and hands back (pinned by mutation testing)", () => {
  it.scoped("hostStats counts only the host asked for (any letter case, that port), with its connections' streams", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config(), d.dial)
      const a = yield* pool.checkout(spec, ctx)
      const b = yield* pool.checkout(spec, ctx)
      a.streams = 3
      b.streams = 2
      pool.checkin(b, true)
      const other = yield* pool.checkout({ ...spec, key: "http://fake:81", port: 81 }, ctx)
      other.streams = 7
      yield* pool.checkout({ ...spec, key: "http://other:80", host: "other" }, ctx)
      expect(pool.hostStats("FAKE", 80)).toEqual({ active: 1, inUse: 1, free: 1, streams: 5 })
      expect(pool.hostStats("fake", 81)).toEqual({ active: 1, inUse: 1, free: 0, streams: 7 })
      expect(pool.hostStats("nowhere", 80)).toEqual({ active: 0, inUse: 0, free: 0, streams: 0 })
    }))

  it.scoped("checkin of a connection the pool did not hand out closes it", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config(), instantDial().dial)
      const stranger = new FakeConnection(99)
      pool.checkin(stranger, true)
      expect(stranger.closed).toBe(true)
      expect(pool.stats()).toEqual({ inUse: 0, free: 0, queued: 0 })
    }))

  it.scoped("checkin as reusable of a connection that takes no new request closes it instead of parking it", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config(), instantDial().dial)
      const a = yield* pool.checkout(spec, ctx)
      a.unavailable = true
      pool.checkin(a, true)
      expect(a.closed).toBe(true)
      expect(pool.stats().free).toBe(0)
    }))

  it.scoped("a fresh checkout dials even when an idle connection is there", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config(), d.dial)
      const a = yield* pool.checkout(spec, ctx)
      pool.checkin(a, true)
      const b = yield* pool.checkout(spec, { ...ctx, fresh: true })
      expect(b).not.toBe(a)
      expect(d.opened.length).toBe(2)
    }))

  it.scoped("prewarm counts only the connections it kept: not a failed dial, nothing on a closed pool", () =>
    Effect.gen(function*() {
      let n = 0
      const dial: Dial<FakeConnection> = () =>
        Effect.suspend(() =>
          ++n % 2 === 0 ? Effect.fail(new ConnectError({ reason: "refused", host: "fake", port: 80 })) : Effect.succeed(new FakeConnection(n))
        )
      const pool = yield* makePoolWith(config({ maxPerHost: 4 }), () => dial)
      expect(yield* pool.prewarm(spec, 2)).toBe(1)
      expect(pool.stats().free).toBe(1)
      pool.close()
      expect(yield* pool.prewarm(spec, 2)).toBe(0)
    }))

  it.scoped("prewarm does not count a connection whose dial ended after the pool closed (it is closed)", () =>
    Effect.gen(function*() {
      const d = gatedDial()
      const pool = yield* makePoolWith(config(), d.dial)
      const warming = yield* Effect.fork(pool.prewarm(spec, 1))
      yield* Effect.yieldNow()
      expect(d.gates.length).toBe(1)
      pool.close()
      const late = new FakeConnection(1)
      yield* Deferred.succeed(d.gates[0], late)
      expect(yield* Fiber.join(warming)).toBe(0)
      expect(late.closed).toBe(true)
    }))

  it.scoped("checkoutIdle hands out an idle connection at once; none for another host, past the request's maxPerHost, or once closed", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config({ maxPerHost: 2 }), instantDial().dial)
      const fiber = yield* Effect.withFiberRuntime<Fiber.RuntimeFiber<unknown, unknown>>((f) => Effect.succeed(f))
      const a = yield* pool.checkout(spec, ctx)
      const b = yield* pool.checkout(spec, ctx)
      pool.checkin(b, true)
      expect(pool.checkoutIdle({ ...spec, key: "http://other:80", host: "other" }, undefined, fiber)).toBeUndefined()
      // a is in use: a request limited to one connection may not take b
      expect(pool.checkoutIdle(spec, 1, fiber)).toBeUndefined()
      expect(pool.checkoutIdle(spec, undefined, fiber)).toBe(b)
      pool.checkin(b, true)
      pool.checkin(a, true)
      pool.close()
      expect(pool.checkoutIdle(spec, undefined, fiber)).toBeUndefined()
    }))

  it.scoped("PoolClosed and CheckoutTimeout name the pool, and the host and request they were for", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), instantDial().dial)
      const used = yield* pool.checkout(spec, ctx)
      const timedOut = yield* Effect.fork(pool.checkout(spec, { ...ctx, checkoutTimeout: 100 }))
      yield* Effect.yieldNow()
      yield* TestClock.adjust("100 millis")
      const timeout = yield* Effect.flip(Fiber.join(timedOut))
      expect(timeout).toMatchObject({ _tag: "CheckoutTimeout", pool: "fake", host: "fake", port: 80, timeoutMillis: 100, method: "GET", url: "http://fake/" })
      const waiting = yield* Effect.fork(pool.checkout(spec, ctx))
      yield* Effect.yieldNow()
      pool.close()
      expect(yield* Effect.flip(Fiber.join(waiting))).toMatchObject({ _tag: "PoolClosed", pool: "fake" })
      expect(used.aborted).toMatchObject({ _tag: "PoolClosed", pool: "fake" })
      expect(yield* Effect.flip(pool.checkout(spec, ctx))).toMatchObject({ _tag: "PoolClosed", pool: "fake", method: "GET", url: "http://fake/" })
    }))

  it.scoped("a waiter with no checkout timeout is served when a connection comes back", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), instantDial().dial)
      const a = yield* pool.checkout(spec, ctx)
      const waiter = yield* Effect.fork(pool.checkout(spec, { ...ctx, checkoutTimeout: Infinity }))
      yield* Effect.yieldNow()
      pool.checkin(a, true)
      expect(yield* Fiber.join(waiter)).toBe(a)
    }))
})

describe("Pool service: sharing and interruption (pinned by mutation testing)", () => {
  it.scoped("checkouts of a spec that may multiplex share one dial; HTTP/1-only checkouts each dial at once", () =>
    Effect.gen(function*() {
      const d = gatedDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 2 }), d.dial)
      const h2 = { ...spec, multiplex: true }
      const first = yield* Effect.fork(Effect.uninterruptible(pool.checkout(h2, ctx)))
      const second = yield* Effect.fork(Effect.uninterruptible(pool.checkout(h2, ctx)))
      yield* Effect.yieldNow()
      expect(d.gates.length).toBe(1)
      const session = new FakeConnection(1)
      session.capacity = 10
      yield* Deferred.succeed(d.gates[0], session)
      expect(yield* Fiber.join(first)).toBe(session)
      expect(yield* Fiber.join(second)).toBe(session)

      const e = gatedDial()
      const pool1 = yield* makePoolWith(config({ maxPerHost: 2 }), e.dial)
      const h1a = yield* Effect.fork(pool1.checkout(spec, ctx))
      const h1b = yield* Effect.fork(pool1.checkout(spec, ctx))
      yield* Effect.yieldNow()
      expect(e.gates.length).toBe(2)
      yield* Fiber.interruptAll([h1a, h1b])
    }))

  it.scoped("a connection's change of capacity serves waiting requests; its GOAWAY (no longer available) drains it", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), instantDial().dial)
      const h2 = { ...spec, multiplex: true }
      const a = yield* pool.checkout(h2, ctx)
      const waiter = yield* Effect.fork(pool.checkout(h2, ctx))
      yield* Effect.yieldNow()
      expect(pool.stats().queued).toBe(1)
      a.capacity = 2
      a.onChange!()
      expect(yield* Fiber.join(waiter)).toBe(a)
      // GOAWAY with room left (the peer also raised its limit): still no new request goes to it.
      a.capacity = 3
      a.unavailable = true
      a.onChange!()
      const next = yield* Effect.fork(pool.checkout(h2, ctx))
      yield* Effect.yieldNow()
      expect(pool.stats().queued).toBe(1)
      pool.checkin(a, true)
      pool.checkin(a, true)
      expect(a.closed).toBe(true)
      expect(yield* Fiber.join(next)).not.toBe(a)
    }))

  it.scoped("a request interrupted while its dial runs frees its slot", () =>
    Effect.gen(function*() {
      const d = gatedDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), d.dial)
      const first = yield* Effect.fork(pool.checkout(spec, ctx))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      expect(pool.hostStats("fake", 80).active).toBe(0)
      yield* Effect.fork(pool.checkout(spec, ctx))
      yield* Effect.yieldNow()
      expect(d.gates.length).toBe(2)
    }))

  it.scoped("a waiter interrupted just as a connection is handed to it gives it back (kept idle); one interrupted before only leaves the queue", () =>
    Effect.gen(function*() {
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), instantDial().dial)
      const a = yield* pool.checkout(spec, ctx)
      const waiter = yield* Effect.fork(pool.checkout(spec, ctx))
      const other = yield* Effect.fork(pool.checkout(spec, ctx))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(other)
      const otherExit = yield* Fiber.await(other)
      expect(Exit.isFailure(otherExit) && Cause.isInterruptedOnly(otherExit.cause)).toBe(true)
      expect(pool.stats().queued).toBe(1)
      yield* Effect.sync(() => {
        pool.checkin(a, true)
        waiter.unsafeInterruptAsFork(waiter.id())
      })
      expect(Exit.isInterrupted(yield* Fiber.await(waiter))).toBe(true)
      expect(pool.stats()).toEqual({ inUse: 0, free: 1, queued: 0 })
      expect(a.closed).toBe(false)
    }))

  it.scoped("a waiter interrupted just as it is told to dial frees the slot", () =>
    Effect.gen(function*() {
      const d = instantDial()
      const pool = yield* makePoolWith(config({ maxPerHost: 1 }), d.dial)
      const a = yield* pool.checkout(spec, ctx)
      const waiter = yield* Effect.fork(pool.checkout(spec, ctx))
      yield* Effect.yieldNow()
      yield* Effect.sync(() => {
        pool.checkin(a, false)
        waiter.unsafeInterruptAsFork(waiter.id())
      })
      expect(Exit.isInterrupted(yield* Fiber.await(waiter))).toBe(true)
      expect(pool.hostStats("fake", 80).active).toBe(0)
      expect(d.opened.length).toBe(1)
    }))
})
