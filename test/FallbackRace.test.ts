import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { defaultHeadStartMillis, raceFallback } from "../src/internal/connection/fallbackRace.js"

/** A fake dial: what it did, on the TestClock. */
interface Dial {
  readonly name: string
  started: number | undefined
  interrupted: boolean
  readonly effect: Effect.Effect<string, string>
}

/**
 * A dial that connects after `connectMs` (interruptible: nothing is lost),
 * then opens its session for `openMs` uninterruptibly (as `dialConnection`
 * does), then succeeds with its name, or fails with `fail`.
 */
const dial = (name: string, connectMs: number, opts: { openMs?: number; fail?: boolean } = {}): Dial => {
  const d: Dial = {
    name,
    started: undefined,
    interrupted: false,
    effect: Effect.uninterruptible(Effect.gen(function*() {
      d.started = yield* Effect.clockWith((c) => c.currentTimeMillis)
      yield* Effect.interruptible(Effect.sleep(connectMs)).pipe(Effect.onInterrupt(() => Effect.sync(() => (d.interrupted = true))))
      if (opts.fail === true) return yield* Effect.fail(`${name} failed`)
      if (opts.openMs !== undefined) yield* Effect.sleep(opts.openMs)
      return name
    }))
  }
  return d
}

const setup = (primary: Dial, fallback: Dial, headStartMillis = defaultHeadStartMillis) => {
  const discarded: Array<string> = []
  const primaryFailures: Array<string> = []
  const race = raceFallback({
    primary: primary.effect,
    fallback: fallback.effect,
    headStartMillis,
    discard: (a) => discarded.push(a),
    onPrimaryFailure: (e) => primaryFailures.push(e)
  })
  return { race, discarded, primaryFailures }
}

/** Runs `race` in a fiber (uninterruptibly, as a pool runs a dial) and advances the TestClock by `ms`. */
const runFor = <A, E>(race: Effect.Effect<A, E>, ms: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.uninterruptible(race))
    yield* TestClock.adjust(ms)
    return fiber
  })

describe("raceFallback (QUIC vs TCP with a head start)", () => {
  it.effect("the primary connecting within its head start wins alone: the fallback never starts", () =>
    Effect.gen(function*() {
      const p = dial("quic", 100)
      const f = dial("tcp", 10)
      const { race, discarded } = setup(p, f)
      const fiber = yield* runFor(race, 1000)
      expect(yield* Fiber.join(fiber)).toBe("quic")
      expect(f.started).toBeUndefined()
      expect(discarded).toEqual([])
    }))

  it.effect("a slow primary: the fallback starts after the head start, wins, and the primary is interrupted", () =>
    Effect.gen(function*() {
      const p = dial("quic", 5000)
      const f = dial("tcp", 50)
      const { race, discarded, primaryFailures } = setup(p, f)
      const fiber = yield* runFor(race, 349)
      expect(f.started).toBe(300)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toBe("tcp")
      yield* TestClock.adjust(10)
      expect(p.interrupted).toBe(true)
      expect(discarded).toEqual([])
      expect(primaryFailures).toEqual([])
    }))

  it.effect("the primary failing starts the fallback at once (before the head start) and is reported", () =>
    Effect.gen(function*() {
      const p = dial("quic", 40, { fail: true })
      const f = dial("tcp", 20)
      const { race, primaryFailures } = setup(p, f)
      const fiber = yield* runFor(race, 60)
      expect(f.started).toBe(40)
      expect(yield* Fiber.join(fiber)).toBe("tcp")
      expect(primaryFailures).toEqual(["quic failed"])
    }))

  it.effect("a head start of 0 starts both at once; the faster fallback wins", () =>
    Effect.gen(function*() {
      const p = dial("quic", 100)
      const f = dial("tcp", 30)
      const { race } = setup(p, f, 0)
      const fiber = yield* runFor(race, 30)
      expect(f.started).toBe(0)
      expect(yield* Fiber.join(fiber)).toBe("tcp")
    }))

  it.effect("the fallback failing first does not end the race: a later primary success wins", () =>
    Effect.gen(function*() {
      const p = dial("quic", 1000)
      const f = dial("tcp", 50, { fail: true })
      const { race } = setup(p, f)
      const fiber = yield* runFor(race, 999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toBe("quic")
    }))

  it.effect("both failing fails with the fallback's error, in either order", () =>
    Effect.gen(function*() {
      for (const [pm, fm] of [[100, 500], [1000, 50]] as const) {
        const p = dial("quic", pm, { fail: true })
        const f = dial("tcp", fm, { fail: true })
        const { race, primaryFailures } = setup(p, f)
        const fiber = yield* runFor(race, 2000)
        expect(yield* Effect.flip(Fiber.join(fiber))).toBe("tcp failed")
        expect(primaryFailures).toEqual(["quic failed"])
      }
    }))

  it.effect("a loser that connects anyway (inside its uninterruptible open) is closed, not leaked", () =>
    Effect.gen(function*() {
      // The primary connects at 280 ms, then opens its session until 600 ms; the fallback wins at 320 ms.
      const p = dial("quic", 280, { openMs: 320 })
      const f = dial("tcp", 20)
      const { race, discarded } = setup(p, f)
      const fiber = yield* runFor(race, 320)
      expect(yield* Fiber.join(fiber)).toBe("tcp")
      expect(discarded).toEqual([])
      yield* TestClock.adjust(300)
      expect(discarded).toEqual(["quic"])
      expect(p.interrupted).toBe(false)
    }))

  it.effect("interrupting the whole race interrupts both dials and closes what connects afterwards", () =>
    Effect.gen(function*() {
      const p = dial("quic", 100, { openMs: 1000 })
      const f = dial("tcp", 5000)
      const { race, discarded } = setup(p, f)
      const fiber = yield* runFor(race, 400)
      // quic is inside its uninterruptible open; tcp is connecting.
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* TestClock.adjust(1)
      expect(f.interrupted).toBe(true)
      expect(discarded).toEqual([])
      yield* TestClock.adjust(1000)
      expect(discarded).toEqual(["quic"])
    }))

  it.effect("interrupting the race while waiting in the head start stops the primary and never starts the fallback", () =>
    Effect.gen(function*() {
      const p = dial("quic", 5000)
      const f = dial("tcp", 10)
      const { race } = setup(p, f)
      const fiber = yield* runFor(race, 100)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust(1000)
      expect(p.interrupted).toBe(true)
      expect(f.started).toBeUndefined()
    }))

  it.effect("a contender's defect is the race's defect", () =>
    Effect.gen(function*() {
      const { race } = setup({ ...dial("quic", 1), effect: Effect.die(new Error("boom")) }, dial("tcp", 10, { fail: true }))
      const fiber = yield* runFor(race, 10)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }))

  it.effect("without an onPrimaryFailure callback a failed primary still starts the fallback at once", () =>
    Effect.gen(function*() {
      const p = dial("quic", 40, { fail: true })
      const f = dial("tcp", 20)
      const race = raceFallback({ primary: p.effect, fallback: f.effect, headStartMillis: 300, discard: () => {} })
      const fiber = yield* runFor(race, 60)
      expect(f.started).toBe(40)
      expect(yield* Fiber.join(fiber)).toBe("tcp")
    }))

  it.effect("the fallback's defect is the race's defect too", () =>
    Effect.gen(function*() {
      const { race } = setup(dial("quic", 1000), { ...dial("tcp", 1), effect: Effect.die(new Error("boom")) }, 0)
      const fiber = yield* runFor(race, 10)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }))
})
