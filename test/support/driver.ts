/**
 * What the connection drivers' own tests share (test/H1Connection.mock.test.ts,
 * H2Connection.mock.test.ts, H2Stream.mock.test.ts): a request as the engine
 * hands it to `begin`, byte helpers, a way to let woken fibers run, and the
 * behaviours every driver must show the same way.
 */
import { expect } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { Request } from "../../src/internal/connection/connection.js"
import type { Exchange } from "../../src/internal/connection/exchange.js"

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The chunks as one latin1 string. */
export const text = (chunks: ReadonlyArray<Uint8Array>): string => Buffer.concat(chunks).toString("latin1")

/** A request body written through the exchange after `begin`. */
export const streamBody: Request["body"] = { _tag: "Stream" }

/** Lets queued microtasks and woken fibers run. */
export const settle = Effect.repeatN(Effect.yieldNow(), 5)

/** A GET of `href` (target `/items`, authority `example.test`) without body, as `begin` takes it; `over` replaces fields. */
export const testRequest = (href: string, over: Partial<Request> = {}): Request => ({
  method: "GET",
  target: "/items",
  authority: "example.test",
  rawHeaders: [],
  bodySize: 0,
  h1: undefined,
  href,
  body: { _tag: "None" },
  maxBodySize: 1 << 20,
  recvTimeout: 5000,
  headLimits: undefined,
  ...over
})

/**
 * `ex` (recvTimeout 1000 ms, its stream-mode reader paused by the driver
 * above the high-water mark) is not timed out while paused — the deadline
 * waits again — and is once the reader drained and the peer stays quiet.
 */
export const pausedReaderIsNotStalled = (ex: Exchange): Effect.Effect<void> =>
  Effect.gen(function*() {
    yield* TestClock.adjust(1000)
    yield* settle
    yield* TestClock.adjust(1000)
    yield* settle
    expect(ex.error).toBeUndefined()
    ex.takeChunks()
    yield* TestClock.adjust(1000)
    yield* settle
    expect(ex.error).toMatchObject({ _tag: "RecvTimeout", phase: "body" })
  })
