/**
 * The exchange (internal/connection/exchange.ts), the one object a driver
 * fills and a reader drains: its waiters (wake, onWake/offWake, waitFor and
 * its interruption), how it settles (fail, die, close), the request body
 * handed to its driver, and what it tells (toJSON, closedError).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { ConnectionClosed, RecvTimeout } from "../src/HackneyError.js"
import { closedError, Exchange } from "../src/internal/connection/exchange.js"
import type { BodyDriver } from "../src/internal/connection/exchange.js"
import { bytes, settle, text } from "./support/driver.js"

const url = "http://example.test/items"

/** A body driver that records what the exchange asks of it. */
const recordingDriver = () => {
  const calls: Array<string> = []
  const driver: BodyDriver = {
    writeBody: (_ex, chunk) => Effect.sync(() => void calls.push(`write ${chunk.length}`)),
    endBody: (_ex, trailers) => Effect.sync(() => void calls.push(`end ${JSON.stringify(trailers)}`)),
    abandonBody: () => void calls.push("abandon"),
    drained: () => void calls.push("drained")
  }
  return { calls, driver }
}

describe("Exchange", () => {
  const make = (driver: BodyDriver = recordingDriver().driver) => new Exchange("POST", url, "stream", 10, 3, driver)
  const error = new RecvTimeout({ method: "POST", url, timeoutMillis: 1, phase: "headers" })

  it("write, end and abandon go to the driver", () =>
    Effect.gen(function*() {
      const { calls, driver } = recordingDriver()
      const ex = make(driver)
      yield* ex.write(bytes("abc"))
      yield* ex.end(["x", "1"])
      yield* ex.end()
      ex.abandon()
      expect(calls).toEqual(["write 3", "end [\"x\",\"1\"]", "end undefined", "abandon"])
    }).pipe(Effect.runPromise))

  it("wake runs every waiter once; offWake removes only its own", () => {
    const ex = make()
    const seen: Array<string> = []
    const a = () => seen.push("a")
    const b = () => seen.push("b")
    const c = () => seen.push("c")
    ex.onWake(a)
    ex.onWake(b)
    ex.onWake(c)
    ex.offWake(b)
    ex.wake()
    expect(seen).toEqual(["a", "c"])
    ex.wake()
    expect(seen).toEqual(["a", "c"])
    // The first waiter removed, the others stay.
    ex.onWake(a)
    ex.onWake(b)
    ex.offWake(a)
    ex.offWake(() => {})
    ex.wake()
    expect(seen).toEqual(["a", "c", "b"])
  })

  it("fail settles once and wakes the waiters; a later failure or completion changes nothing", () =>
    Effect.gen(function*() {
      const ex = make()
      const waiting = yield* Effect.fork(ex.waitFor(ex.isComplete))
      yield* settle
      ex.fail(error)
      expect(yield* Effect.flip(Fiber.join(waiting))).toBe(error)
      ex.fail(new RecvTimeout({ method: "POST", url, timeoutMillis: 2, phase: "body" }))
      expect(ex.error).toBe(error)
      expect(ex.settled).toBe(true)
      // Already failed: a new wait fails at once.
      expect(yield* Effect.flip(ex.waitFor(() => true))).toBe(error)
    }).pipe(Effect.runPromise))

  it("die: the waiters die with the body Stream's defect; the exchange records the error", () =>
    Effect.gen(function*() {
      const ex = make()
      const waiting = yield* Effect.fork(ex.waitFor(ex.isComplete))
      yield* settle
      ex.die("boom", error)
      const exit = yield* Fiber.await(waiting)
      expect(exit).toEqual(Exit.die("boom"))
      expect(ex.error).toBe(error)
      ex.die("again", new RecvTimeout({ method: "POST", url, timeoutMillis: 2, phase: "body" }))
      expect(yield* Effect.exit(ex.waitFor(ex.isComplete))).toEqual(Exit.die("boom"))
    }).pipe(Effect.runPromise))

  it("a completed exchange ignores fail and die", () => {
    const ex = make()
    ex.complete = true
    ex.fail(error)
    ex.die("boom", error)
    expect(ex.error).toBeUndefined()
  })

  it("close: every wait fails with its error from now on, even after completion; a recorded defect is dropped", () =>
    Effect.gen(function*() {
      const ex = make()
      ex.die("boom", error)
      const closing = new RecvTimeout({ method: "POST", url, timeoutMillis: 3, phase: "body" })
      ex.close(closing)
      expect(yield* Effect.exit(ex.waitFor(ex.isComplete))).toEqual(Exit.fail(closing))

      const done = make()
      done.complete = true
      const waiting = yield* Effect.fork(done.waitFor(() => false))
      yield* settle
      done.close(closing)
      expect(yield* Effect.flip(Fiber.join(waiting))).toBe(closing)
    }).pipe(Effect.runPromise))

  it("waitFor: resolves at once when ready, else on the wake that makes it ready (other wakes wait again); interruption unregisters", () =>
    Effect.gen(function*() {
      const ex = make()
      yield* ex.waitFor(() => true)
      const waiting = yield* Effect.fork(ex.waitFor(ex.hasData))
      yield* settle
      ex.wake()
      yield* settle
      expect(waiting.unsafePoll()).toBeNull()
      ex.chunks.push(bytes("a"))
      ex.buffered = 1
      ex.wake()
      yield* Fiber.join(waiting)

      let checks = 0
      const interrupted = yield* Effect.fork(ex.waitFor(() => {
        checks++
        return false
      }))
      yield* settle
      expect(checks).toBe(1)
      yield* Fiber.interrupt(interrupted)
      const seen: Array<string> = []
      ex.onWake(() => seen.push("only"))
      ex.wake()
      expect(seen).toEqual(["only"])
      // The interrupted wait's check was unregistered: the wake did not run it.
      expect(checks).toBe(1)
    }).pipe(Effect.runPromise))

  it("a new exchange: nothing sent or received, not reused, no keep-alive, its body neither ended nor given back", () => {
    const ex = make()
    expect([ex.requestSent, ex.requestDone, ex.responseStarted, ex.reused, ex.keepAlive, ex.bodyEnded, ex.givenBack, ex.complete])
      .toEqual([false, false, false, false, false, false, false, false])
    expect(ex.toJSON()).toMatchObject({ status: undefined, informational: 0, error: undefined })
    expect(closedError(ex, undefined)).toMatchObject({ requestSent: false, reused: false, responseStarted: false })
  })

  it("the readiness predicates: hasHead, isComplete, hasData", () => {
    const ex = make()
    expect([ex.hasHead(ex), ex.isComplete(ex), ex.hasData(ex)]).toEqual([false, false, false])
    ex.head = { status: 200, reason: "OK", rawHeaders: [] }
    ex.buffered = 1
    expect([ex.hasHead(ex), ex.isComplete(ex), ex.hasData(ex)]).toEqual([true, false, true])
    ex.buffered = 0
    ex.complete = true
    expect([ex.isComplete(ex), ex.hasData(ex)]).toEqual([true, true])
  })

  it("takeChunks hands over the buffered chunks, empties the buffer and tells the driver", () => {
    const { calls, driver } = recordingDriver()
    const ex = make(driver)
    ex.chunks.push(bytes("ab"), bytes("c"))
    ex.buffered = 3
    expect(text(ex.takeChunks())).toBe("abc")
    expect(ex.chunks).toEqual([])
    expect(ex.buffered).toBe(0)
    expect(calls).toEqual(["drained"])
  })

  it("toJSON and closedError tell its state", () => {
    const ex = make()
    ex.head = { status: 201, reason: "", rawHeaders: [] }
    ex.informational.push({ status: 100, reason: "", rawHeaders: [] })
    Object.assign(ex, { buffered: 2, received: 5, bodySent: 3, requestDone: true, keepAlive: true, reused: true })
    expect(ex.toJSON()).toEqual({
      method: "POST",
      status: 201,
      informational: 1,
      buffered: 2,
      received: 5,
      bodySent: 3,
      requestDone: true,
      complete: false,
      keepAlive: true,
      reused: true,
      error: undefined
    })
    ex.fail(error)
    expect((ex.toJSON() as { error: string }).error).toBe("RecvTimeout")
    Object.assign(ex, { requestSent: true, responseStarted: true })
    expect(closedError(ex, "why")).toEqual(
      new ConnectionClosed({ method: "POST", url, requestSent: true, reused: true, responseStarted: true, cause: "why" })
    )
  })
})
