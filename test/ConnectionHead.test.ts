/**
 * What every connection driver shares about a response head and a request
 * body, called directly (src/internal/connection/{headLimits,informational,
 * protocolError,drain}.ts): the head limits (a request's over its pool's,
 * field by field, memoised), the bound on informational (1xx) heads in number
 * and bytes, the parser's reasons as public ProtocolError reasons, and the
 * backpressure wait of a request body.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { EventEmitter } from "node:events"
import { ConnectionClosed, ProtocolError, RecvTimeout } from "../src/HackneyError.js"
import type { ResponseHead } from "../src/internal/connection/connection.js"
import { awaitDrain } from "../src/internal/connection/drain.js"
import { Exchange } from "../src/internal/connection/exchange.js"
import type { BodyDriver } from "../src/internal/connection/exchange.js"
import {
  effectiveHeadLimits,
  headLimitRules,
  poolHeadLimits,
  requestHeadLimits
} from "../src/internal/connection/headLimits.js"
import { addInformational, maxInformational, maxInformationalBytes } from "../src/internal/connection/informational.js"
import { fromParseError, protocolReasons } from "../src/internal/connection/protocolError.js"
import { Http1ParseError } from "../src/internal/http1/error.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"

const url = "http://example.test/items"
const noDriver: BodyDriver = {
  writeBody: () => Effect.void,
  endBody: () => Effect.void,
  abandonBody: () => {},
  drained: () => {}
}
const exchange = () => new Exchange("POST", url, "collect", 1024, 3, noDriver)

describe("head limits", () => {
  it("each limit option accepts an integer from 1 and refuses 0, fractions, Infinity and text", () => {
    for (const rule of Object.values(headLimitRules)) {
      expect(rule.accepts).toBe("an integer from 1")
      expect([1, 2, 65536].map(rule.test)).toEqual([true, true, true])
      expect([0, -1, 1.5, Infinity, "8", undefined].map(rule.test)).toEqual([false, false, false, false, false, false])
    }
    expect(Object.keys(headLimitRules).sort()).toEqual(["maxHeaderCount", "maxHeaderSize", "maxStartLineLength"])
  })

  it("a pool that sets none has the parser's defaults (the same object); each field it sets replaces only that field", () => {
    expect(poolHeadLimits({})).toBe(defaultHeadLimits)
    expect(poolHeadLimits({ maxHeaderSize: 10 })).toEqual({ ...defaultHeadLimits, maxHeaderSize: 10 })
    expect(poolHeadLimits({ maxHeaderCount: 11 })).toEqual({ ...defaultHeadLimits, maxHeaderCount: 11 })
    expect(poolHeadLimits({ maxStartLineLength: 12 })).toEqual({ ...defaultHeadLimits, maxStartLineLength: 12 })
    expect(poolHeadLimits({ maxHeaderSize: 1, maxHeaderCount: 2, maxStartLineLength: 3 }))
      .toEqual({ maxHeaderSize: 1, maxHeaderCount: 2, maxStartLineLength: 3 })
  })

  it("a request that sets none leaves its connection's limits (undefined); each field it sets is recorded", () => {
    expect(requestHeadLimits({})).toBeUndefined()
    expect(requestHeadLimits({ maxHeaderSize: undefined })).toBeUndefined()
    for (const own of [{ maxHeaderSize: 5 }, { maxHeaderCount: 6 }, { maxStartLineLength: 7 }]) {
      expect(requestHeadLimits(own)?.own).toEqual({
        maxHeaderSize: undefined,
        maxHeaderCount: undefined,
        maxStartLineLength: undefined,
        ...own
      })
    }
  })

  it("a request's limits are laid over its connection's field by field; the same object for the same pair", () => {
    const pool = { maxHeaderSize: 100, maxHeaderCount: 10, maxStartLineLength: 50 }
    expect(effectiveHeadLimits(undefined, pool)).toBe(pool)
    expect(effectiveHeadLimits(undefined)).toBe(defaultHeadLimits)
    const size = requestHeadLimits({ maxHeaderSize: 7 })
    expect(effectiveHeadLimits(size, pool)).toEqual({ maxHeaderSize: 7, maxHeaderCount: 10, maxStartLineLength: 50 })
    const count = requestHeadLimits({ maxHeaderCount: 3 })
    expect(effectiveHeadLimits(count, pool)).toEqual({ maxHeaderSize: 100, maxHeaderCount: 3, maxStartLineLength: 50 })
    const line = requestHeadLimits({ maxStartLineLength: 9 })
    const first = effectiveHeadLimits(line, pool)
    expect(first).toEqual({ maxHeaderSize: 100, maxHeaderCount: 10, maxStartLineLength: 9 })
    expect(effectiveHeadLimits(line, pool)).toBe(first)
    // Another pool's limits: another result, memoised on its own.
    const other = { maxHeaderSize: 1, maxHeaderCount: 2, maxStartLineLength: 3 }
    const second = effectiveHeadLimits(line, other)
    expect(second).toEqual({ maxHeaderSize: 1, maxHeaderCount: 2, maxStartLineLength: 9 })
    expect(effectiveHeadLimits(line, other)).toBe(second)
    expect(effectiveHeadLimits(line)).toEqual({ ...defaultHeadLimits, maxStartLineLength: 9 })
  })
})

describe("informational responses", () => {
  const head = (rawHeaders: ReadonlyArray<string>, reason = ""): ResponseHead => ({ status: 103, reason, rawHeaders })

  it(`${maxInformational} are kept; one more fails with too-many-informational, counted by number`, () => {
    const ex = exchange()
    for (let i = 0; i < maxInformational; i++) expect(addInformational(ex, head([]))).toBeUndefined()
    expect(ex.informational).toHaveLength(maxInformational)
    const error = addInformational(ex, head([]))
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({
      method: "POST",
      url,
      reason: "too-many-informational",
      detail: "more than 100 informational (1xx) responses before the final one"
    })
    expect(ex.informational).toHaveLength(maxInformational)
  })

  it("their size on the wire is counted (start line, reason, every field line) up to 64 KiB, then too-many-informational", () => {
    expect(maxInformationalBytes).toBe(65536)
    const ex = exchange()
    // 15 + reason + Σ(name + value + 4): "HTTP/1.1 103 ok\r\n" and "link: </a>\r\n" near enough.
    expect(addInformational(ex, head(["link", "</a>"], "ok"))).toBeUndefined()
    expect(ex.informationalBytes).toBe(15 + 2 + 4 + 4 + 4)
    expect(addInformational(ex, head(["a", "b", "cc", "dd"]))).toBeUndefined()
    expect(ex.informationalBytes).toBe(29 + 15 + (1 + 1 + 4) + (2 + 2 + 4))
    // Up to exactly the limit is kept.
    const room = maxInformationalBytes - ex.informationalBytes
    expect(addInformational(ex, head(["x", "y".repeat(room - 15 - 5)]))).toBeUndefined()
    expect(ex.informationalBytes).toBe(maxInformationalBytes)
    expect(ex.informational).toHaveLength(3)
    // One byte more is not.
    const error = addInformational(ex, head([], "a"))
    expect(error).toMatchObject({
      reason: "too-many-informational",
      detail: "more than 65536 bytes of informational (1xx) responses before the final one"
    })
    expect(ex.informational).toHaveLength(3)
  })
})

describe("parser errors as ProtocolErrors", () => {
  const kebab = (pascal: string) => pascal.replace(/(?<=[a-z])(?=[A-Z])/g, "-").toLowerCase()

  it("every parser reason is its kebab-case name", () => {
    const reasons = Object.entries(protocolReasons)
    expect(reasons).toHaveLength(23)
    for (const [parser, reason] of reasons) expect(reason).toBe(kebab(parser))
  })

  it("fromParseError keeps the request, the detail, the offset and the parser error as cause", () => {
    const parse = new Http1ParseError({ reason: "InvalidChunkSize", offset: 42, detail: "not hex" })
    const e = fromParseError(parse, "GET", url)
    expect(e).toBeInstanceOf(ProtocolError)
    expect(e).toMatchObject({ method: "GET", url, reason: "invalid-chunk-size", detail: "not hex", offset: 42 })
    expect(e.cause).toBe(parse)
    const bare = fromParseError(new Http1ParseError({ reason: "TooManyHeaders", offset: 0 }))
    expect(bare).toMatchObject({ method: undefined, url: undefined, reason: "too-many-headers", offset: 0 })
  })
})

describe("awaitDrain", () => {
  const timeout = new RecvTimeout({ method: "POST", url, timeoutMillis: 5, phase: "headers" })
  const setup = () => {
    const target = new EventEmitter()
    const ex = exchange()
    const calls: Array<string> = []
    const closed = () => new ConnectionClosed({ method: "POST", url, requestSent: true })
    const wait = awaitDrain(target, ex, closed, () => calls.push("arm"), () => calls.push("disarm"))
    const listeners = () => target.listenerCount("drain") + target.listenerCount("close")
    return { target, ex, calls, wait, listeners }
  }
  /** The wait's outcome now (no waiting: a wait that never resumes fails the test at once). */
  const outcome = <E>(fiber: Fiber.RuntimeFiber<void, E>) =>
    Effect.gen(function*() {
      yield* Effect.yieldNow()
      const exit = yield* Fiber.poll(fiber)
      if (exit._tag === "None") return "waiting" as const
      return Exit.isSuccess(exit.value) ? "done" as const : exit.value.cause
    })
  const failure = (cause: unknown) => (cause as { error?: unknown }).error

  it.effect("resumes on drain, arms the timeout once while waiting and disarms it after; every listener removed", () =>
    Effect.gen(function*() {
      const { calls, ex, listeners, target, wait } = setup()
      const fiber = yield* Effect.fork(wait)
      expect(yield* outcome(fiber)).toBe("waiting")
      expect(calls).toEqual(["arm"])
      expect(target.listenerCount("drain")).toBe(1)
      expect(target.listenerCount("close")).toBe(1)
      target.emit("drain")
      expect(yield* outcome(fiber)).toBe("done")
      expect(calls).toEqual(["arm", "disarm"])
      expect(listeners()).toBe(0)
      // The exchange's waiter is gone too: waking it does nothing more.
      ex.complete = true
      ex.wake()
      expect(calls).toEqual(["arm", "disarm"])
    }))

  it.effect("fails with closed() when the target closes, or with the exchange's own error when it has one", () =>
    Effect.gen(function*() {
      const a = setup()
      const fa = yield* Effect.fork(a.wait)
      expect(yield* outcome(fa)).toBe("waiting")
      a.target.emit("close")
      const ca = yield* outcome(fa)
      expect(failure(ca)).toBeInstanceOf(ConnectionClosed)
      expect(a.calls).toEqual(["arm", "disarm"])
      expect(a.listeners()).toBe(0)

      const b = setup()
      const fb = yield* Effect.fork(b.wait)
      expect(yield* outcome(fb)).toBe("waiting")
      b.ex.error = timeout
      b.target.emit("close")
      expect(failure(yield* outcome(fb))).toBe(timeout)
    }))

  it.effect("a failed exchange fails the wait; a completed one ends it; another wake-up waits on", () =>
    Effect.gen(function*() {
      const a = setup()
      const fa = yield* Effect.fork(a.wait)
      expect(yield* outcome(fa)).toBe("waiting")
      // Woken with neither an error nor completion: keeps waiting, still listening, and wakes again.
      a.ex.wake()
      expect(yield* outcome(fa)).toBe("waiting")
      expect(a.calls).toEqual(["arm"])
      expect(a.listeners()).toBe(2)
      a.ex.fail(timeout)
      expect(failure(yield* outcome(fa))).toBe(timeout)
      expect(a.calls).toEqual(["arm", "disarm"])
      expect(a.listeners()).toBe(0)

      const b = setup()
      const fb = yield* Effect.fork(b.wait)
      expect(yield* outcome(fb)).toBe("waiting")
      b.ex.complete = true
      b.ex.wake()
      expect(yield* outcome(fb)).toBe("done")
      expect(b.calls).toEqual(["arm", "disarm"])
      expect(b.listeners()).toBe(0)
    }))

  it.effect("interrupted, it removes its listeners and its exchange waiter, and disarms", () =>
    Effect.gen(function*() {
      const { calls, ex, listeners, wait } = setup()
      const fiber = yield* Effect.fork(wait)
      expect(yield* outcome(fiber)).toBe("waiting")
      yield* Fiber.interrupt(fiber)
      expect(calls).toEqual(["arm", "disarm"])
      expect(listeners()).toBe(0)
      let woken = 0
      ex.onWake(() => woken++)
      ex.complete = true
      ex.wake()
      expect(woken).toBe(1)
      expect(calls).toEqual(["arm", "disarm"])
    }))
})
