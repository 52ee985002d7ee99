import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { currentWheel } from "../src/internal/timer/wheel.js"

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
