import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock, TestContext } from "effect"
import * as fc from "effect/FastCheck"
import { currentWheel, TimerWheel, wheelFor } from "../src/internal/timer/wheel.js"

describe("TimerWheel", () => {
  it.effect("fires each deadline exactly when the TestClock passes it", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const fired: Array<string> = []
      wheel.schedule(100, () => fired.push("a"))
      wheel.schedule(50, () => fired.push("b"))
      const c = wheel.schedule(70, () => fired.push("c"))
      c.cancel()
      yield* TestClock.adjust("49 millis")
      expect(fired).toEqual([])
      yield* TestClock.adjust("1 millis")
      expect(fired).toEqual(["b"])
      yield* TestClock.adjust("49 millis")
      expect(fired).toEqual(["b"])
      yield* TestClock.adjust("1 millis")
      expect(fired).toEqual(["b", "a"])
      expect(wheel.size).toBe(0)
    }))

  it.effect("touch pushes a deadline back", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      let fired = 0
      const d = wheel.schedule(100, () => fired++)
      yield* TestClock.adjust("90 millis")
      d.touch(100) // now due at 190
      yield* TestClock.adjust("20 millis")
      expect(fired).toBe(0)
      yield* TestClock.adjust("79 millis")
      expect(fired).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect(fired).toBe(1)
    }))

  it.effect("a deadline scheduled from an expiry callback still fires", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const fired: Array<number> = []
      wheel.schedule(10, () => {
        fired.push(1)
        wheel.schedule(5, () => fired.push(2))
      })
      yield* TestClock.adjust("10 millis")
      expect(fired).toEqual([1])
      yield* TestClock.adjust("5 millis")
      expect(fired).toEqual([1, 2])
    }))

  it.effect("an earlier deadline wakes a sleeping wheel", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const fired: Array<string> = []
      wheel.schedule(1000, () => fired.push("late"))
      yield* TestClock.adjust("1 millis")
      wheel.schedule(10, () => fired.push("early"))
      yield* TestClock.adjust("10 millis")
      expect(fired).toEqual(["early"])
      yield* TestClock.adjust("1 seconds")
      expect(fired).toEqual(["early", "late"])
    }))

  it.live("runs on the live clock and stops when empty", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      let fired = false
      wheel.schedule(20, () => (fired = true))
      yield* Effect.sleep("60 millis")
      expect(fired).toBe(true)
      expect(wheel.size).toBe(0)
    }))
})

describe("TimerWheel: reuse", () => {
  it.effect("a restarted deadline keeps one heap entry", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      let fired = 0
      const d = wheel.deadline(() => fired++)
      for (let i = 0; i < 1000; i++) {
        d.restart(100)
        d.cancel()
      }
      expect(wheel.size).toBe(1)
      d.restart(100)
      yield* TestClock.adjust("100 millis")
      expect(fired).toBe(1)
      expect(wheel.size).toBe(0)
      d.restart(10)
      yield* TestClock.adjust("10 millis")
      expect(fired).toBe(2)
    }))

  it.effect("restarting earlier than filed moves the entry", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const fired: Array<string> = []
      const a = wheel.schedule(100, () => fired.push("a"))
      wheel.schedule(50, () => fired.push("b"))
      a.restart(10)
      yield* TestClock.adjust("10 millis")
      expect(fired).toEqual(["a"])
      yield* TestClock.adjust("40 millis")
      expect(fired).toEqual(["a", "b"])
    }))
})

type Op =
  | { readonly op: "restart"; readonly i: number; readonly ms: number }
  | { readonly op: "restartAt"; readonly i: number; readonly ms: number }
  | { readonly op: "touch"; readonly i: number; readonly ms: number }
  | { readonly op: "cancel"; readonly i: number }
  | { readonly op: "advance"; readonly ms: number }

const deadlines = 12
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("restart" as const), i: fc.nat(deadlines - 1), ms: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ op: fc.constant("restartAt" as const), i: fc.nat(deadlines - 1), ms: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ op: fc.constant("touch" as const), i: fc.nat(deadlines - 1), ms: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ op: fc.constant("cancel" as const), i: fc.nat(deadlines - 1) }),
  fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 30 }) })
)

/**
 * Runs `ops` on a fresh TestClock's wheel and returns what fired (`i@time`)
 * next to what a plain model of deadlines (each fires once, at its last `at`,
 * while active) says should have, and the most heap entries seen after an op.
 */
const runOps = (ops: ReadonlyArray<Op>) =>
  Effect.gen(function*() {
    const wheel = yield* currentWheel
    const clock = wheel.clock
    const fired: Array<string> = []
    const ds = Array.from({ length: deadlines }, (_, i) => wheel.deadline(() => fired.push(`${i}@${clock.unsafeCurrentTimeMillis()}`)))
    const model = Array.from({ length: deadlines }, () => ({ active: false, at: 0 }))
    const expected: Array<string> = []
    let now = 0
    let most = 0
    const advance = (ms: number) =>
      Effect.gen(function*() {
        yield* TestClock.adjust(`${ms} millis`)
        now += ms
        for (let i = 0; i < deadlines; i++) {
          const m = model[i]
          if (m.active && m.at <= now) {
            m.active = false
            expected.push(`${i}@${m.at}`)
          }
        }
      })
    for (const o of [...ops, { op: "advance" as const, ms: 130 }]) {
      if (o.op === "advance") {
        yield* advance(o.ms)
      } else if (o.op === "restart") {
        ds[o.i].restart(o.ms)
        model[o.i] = { active: true, at: now + o.ms }
      } else if (o.op === "restartAt") {
        ds[o.i].restartAt(now + o.ms)
        model[o.i] = { active: true, at: now + o.ms }
      } else if (o.op === "touch") {
        // `touch` pushes back (the connection's inactivity timeout): never to before the deadline's time.
        if (model[o.i].active && now + o.ms < model[o.i].at) continue
        ds[o.i].touch(o.ms)
        if (model[o.i].active) model[o.i].at = now + o.ms
      } else {
        ds[o.i].cancel()
        model[o.i].active = false
      }
      most = Math.max(most, wheel.size)
    }
    return { fired, expected, size: wheel.size, most }
  }).pipe(Effect.provide(TestContext.TestContext))

describe("TimerWheel: heap order (property)", () => {
  it("every deadline fires once, exactly at its time, whatever the restarts, touches and cancels before; one heap entry each at most", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 60 }), async (ops) => {
        const { expected, fired, most, size } = await Effect.runPromise(runOps(ops))
        // Same time: any order among them; otherwise in time order.
        const byTime = (s: string) => Number(s.split("@")[1])
        expect([...fired].sort()).toEqual([...expected].sort())
        expect(fired.map(byTime)).toEqual([...fired.map(byTime)].sort((a, b) => a - b))
        expect(size).toBe(0)
        expect(most).toBeLessThanOrEqual(deadlines)
      }),
      { numRuns: 60 }
    )
  })
})

describe("TimerWheel: the live Clock", () => {
  /** Timers that keep the process alive (Node lists only ref'd ones). */
  const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length

  it.live("a live wheel's sleeper never keeps the process alive (an unref'd native timer, no fiber)", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const before = refTimers()
      const d = wheel.schedule(60_000, () => {})
      expect(refTimers()).toBe(before)
      d.cancel()
    }))

  it.effect("cancelled deadlines do not pile up until their expiry (each holds its onExpire and what it holds): 10,000 one-hour waits served at once leave a heap bounded by the live ones, which still fire in order", () =>
    Effect.gen(function*() {
      const wheel = new TimerWheel(yield* Effect.clock)
      const fired: Array<number> = []
      const live = [wheel.schedule(3_600_000, () => fired.push(1)), wheel.schedule(60_000, () => fired.push(0))]
      for (let i = 0; i < 10_000; i++) wheel.schedule(3_600_000 + i, () => fired.push(-1)).cancel()
      expect(wheel.size).toBeLessThanOrEqual(2 * live.length + 65)
      // A deadline cancelled then restarted in place stays live through a compaction.
      const again = wheel.schedule(120_000, () => fired.push(2))
      again.cancel()
      again.restart(120_000)
      for (let i = 0; i < 200; i++) wheel.schedule(1000, () => fired.push(-1)).cancel()
      yield* TestClock.adjust("2 hours")
      expect(fired).toEqual([0, 2, 1])
      expect(wheel.size).toBe(0)
    }))

  it.live("live deadlines fire on a 10 ms granularity: a 1 ms deadline not before 10 ms", () =>
    Effect.gen(function*() {
      // A wheel of its own on the live Clock: the shared one may hold an earlier test's (cancelled) deadline whose
      // wake-up, due within these 5 ms on a busy machine, would fire the new one early.
      const wheel = new TimerWheel(yield* Effect.clock)
      expect(wheel.size).toBe(0)
      let fired = false
      wheel.schedule(1, () => (fired = true))
      // A 5 ms native timer fires before a 10 ms one, and after a 1 ms one.
      yield* Effect.promise(() => new Promise<void>((r) => setTimeout(r, 5)))
      expect(fired).toBe(false)
      yield* Effect.sleep("40 millis")
      expect(fired).toBe(true)
    }))

  it.live("an emptied live wheel arms no timer (no 'Infinity' timeout, no overflow warning)", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const warnings: Array<string> = []
      const onWarning = (w: Error) => warnings.push(w.name)
      process.on("warning", onWarning)
      try {
        wheel.schedule(1, () => {})
        yield* Effect.sleep("40 millis")
        expect(wheel.size).toBe(0)
        expect(warnings).not.toContain("TimeoutOverflowWarning")
      } finally {
        process.off("warning", onWarning)
      }
    }))
})

describe("wheelFor", () => {
  it("one wheel per Clock, also when lookups alternate between Clocks", () => {
    const a = Effect.runSync(Effect.clock.pipe(Effect.provide(TestContext.TestContext)))
    const b = Effect.runSync(Effect.clock.pipe(Effect.provide(TestContext.TestContext)))
    const wa = wheelFor(a)
    expect(wheelFor(b)).not.toBe(wa)
    expect(wheelFor(a)).toBe(wa)
    expect(wheelFor(a)).toBe(wa)
  })
})
