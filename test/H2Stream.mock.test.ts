/**
 * One request on an HTTP/2 session (H2Stream) over an in-memory `node:http2`
 * session (test/support/mockH2.ts): the stream's events routed to the
 * exchange (head, 1xx, body, trailers, END_STREAM, close and its reset code),
 * the header-list limits, stream-mode pausing and waking, the per-stream recv
 * timeout on the TestClock, and the request body it frames (declared length,
 * trailers, flow control, CANCEL).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { ConnectionClosed, ProtocolError, RecvTimeout } from "../src/HackneyError.js"
import { highWaterMark } from "../src/internal/connection/h1Connection.js"
import { resetGrace } from "../src/internal/connection/h2Connection.js"
import { requestHeadLimits } from "../src/internal/connection/headLimits.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import { bytes, pausedReaderIsNotStalled, settle, streamBody, text } from "./support/driver.js"
import { h2Session as session, h2Url as url } from "./support/mockH2.js"

/** Lets `setImmediate` callbacks (the stream-mode reader's wake) run. */
const nextTurn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

const error = new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" })

describe("H2Stream over an in-memory session", () => {
  it.effect("a response: status, fields without pseudo-headers, body, trailers, END_STREAM; the head observer told", () =>
    Effect.gen(function*() {
      const { conn, start } = yield* session()
      const seen: Array<number> = []
      conn.headObserver = (h) => seen.push(h.status)
      const { ex, stream } = start()
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      yield* settle
      stream.respond(201, ["x-a", "1", "x-a", "2"])
      expect(ex.head).toEqual({ status: 201, reason: "", rawHeaders: ["x-a", "1", "x-a", "2"] })
      expect(ex.responseStarted).toBe(true)
      expect(seen).toEqual([201])
      stream.data("hel")
      stream.data("lo")
      stream.trailers([":weird", "x", "x-t", "1"])
      stream.finish()
      yield* Fiber.join(done)
      expect(text(ex.chunks)).toBe("hello")
      expect(ex.received).toBe(5)
      expect(ex.rawTrailers).toEqual(["x-t", "1"])
      expect(ex.keepAlive).toBe(true)
    }))

  it.effect("collect mode wakes the reader only at the end; stream mode at the head and once per event-loop turn of DATA", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const collected = start()
      const waiting = yield* Effect.fork(collected.ex.waitFor(collected.ex.hasHead))
      yield* settle
      collected.stream.respond(200)
      collected.stream.data("a")
      yield* nextTurn
      yield* settle
      expect(waiting.unsafePoll()).toBeNull()
      collected.stream.finish()
      yield* Fiber.join(waiting)

      const streamed = start({}, "stream")
      const atHead = yield* Effect.fork(streamed.ex.waitFor(streamed.ex.hasHead))
      yield* settle
      expect(atHead.unsafePoll()).toBeNull()
      streamed.stream.respond(200)
      yield* settle
      expect(atHead.unsafePoll()).not.toBeNull()
      let wakes = 0
      const count = () => {
        wakes++
        streamed.ex.onWake(count)
      }
      streamed.ex.onWake(count)
      streamed.stream.data("a")
      streamed.stream.data("b")
      expect(wakes).toBe(0)
      expect(streamed.driver.wakePending).toBe(true)
      yield* nextTurn
      expect(wakes).toBe(1)
      expect(streamed.driver.wakePending).toBe(false)
      streamed.stream.data("c")
      yield* nextTurn
      expect(wakes).toBe(2)
    }))

  it.effect("stream mode pauses the stream above the high-water mark (once) and resumes when the reader drains", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const { driver, ex, stream } = start({ maxBodySize: 1 << 30 }, "stream")
      stream.respond(200)
      stream.data(new Uint8Array(highWaterMark))
      expect(stream.isPaused).toBe(false)
      stream.data(new Uint8Array(1))
      expect(stream.isPaused).toBe(true)
      expect(driver.paused).toBe(true)
      stream.isPaused = false
      stream.data(new Uint8Array(1))
      // Already paused: not paused again.
      expect(stream.isPaused).toBe(false)
      stream.isPaused = true
      ex.takeChunks()
      expect(stream.isPaused).toBe(false)
      expect(driver.paused).toBe(false)
      // Not paused: draining again does not resume.
      stream.isPaused = true
      driver.drained()
      expect(stream.isPaused).toBe(true)
    }))

  it.effect("collect mode never pauses", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const { stream } = start({ maxBodySize: 1 << 30 })
      stream.respond(200)
      stream.data(new Uint8Array(highWaterMark + 1))
      expect(stream.isPaused).toBe(false)
    }))

  it.effect("a body over maxBodySize fails with BodyTooLarge and resets the stream; exactly maxBodySize is fine", () =>
    Effect.gen(function*() {
      const { conn, start } = yield* session()
      const over = start({ maxBodySize: 4 })
      over.stream.respond(200)
      over.stream.data("hello")
      expect(over.ex.error).toMatchObject({ _tag: "BodyTooLarge", limit: 4, direction: "response" })
      expect(over.ex.chunks).toEqual([])
      expect(over.stream.closedWith).toBe(8)
      expect(conn.isAvailable).toBe(true)
      // Data after the failure is dropped.
      over.stream.data("more")
      expect(over.ex.received).toBe(5)

      const exact = start({ maxBodySize: 5 })
      exact.stream.respond(200)
      exact.stream.data("hello")
      exact.stream.finish()
      expect(exact.ex.complete).toBe(true)
    }))

  it.effect("informational responses are kept and wake the reader; a non-1xx HEADERS before the response is ignored", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const { ex, stream } = start()
      const waiting = yield* Effect.fork(ex.waitFor((e) => e.informational.length > 0))
      yield* settle
      stream.emit("headers", { ":status": "200" }, 0, [":status", "200"])
      stream.emit("headers", { ":status": "99" }, 0, [":status", "99"])
      expect(ex.informational).toEqual([])
      expect(ex.responseStarted).toBe(false)
      stream.respond(103, ["link", "</a>"])
      yield* Fiber.join(waiting)
      expect(ex.informational).toEqual([{ status: 103, reason: "", rawHeaders: ["link", "</a>"] }])
      expect(ex.responseStarted).toBe(true)
      stream.respond(100)
      expect(ex.informational.map((h) => h.status)).toEqual([103, 100])
      stream.respond(199)
      expect(ex.informational).toHaveLength(3)
    }))

  it.effect("more than 100 informational responses fail the request (too-many-informational) and reset the stream", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const { ex, stream } = start()
      for (let i = 0; i < 100; i++) stream.respond(102)
      expect(ex.error).toBeUndefined()
      stream.respond(102)
      expect(ex.error).toMatchObject({ _tag: "ProtocolError", reason: "too-many-informational" })
      expect(stream.closedWith).toBe(8)
      // Settled: later events change nothing.
      stream.respond(103)
      stream.respond(200)
      expect(ex.informational).toHaveLength(100)
      expect(ex.head).toBeUndefined()
    }))

  it.effect("a header list over the limits fails the request: size counts name + value + 32 per field (RFC 9113 §6.5.2), then the count", () =>
    Effect.gen(function*() {
      // ":status" "200" is 7 + 3 + 32 = 42 bytes; "x-a" "1" 36 more.
      const sized = yield* session({ headLimits: { ...defaultHeadLimits, maxHeaderSize: 78 } })
      const fits = sized.start()
      fits.stream.respond(200, ["x-a", "1"])
      expect(fits.ex.error).toBeUndefined()
      expect(fits.ex.head?.status).toBe(200)
      const over = sized.start()
      over.stream.respond(200, ["x-a", "12"])
      expect(over.ex.error).toEqual(new ProtocolError({
        method: "GET",
        url,
        reason: "header-section-too-large",
        detail: "the HTTP/2 header list is 79 bytes, over maxHeaderSize (78)"
      }))
      expect(over.ex.head).toBeUndefined()
      expect(over.stream.closedWith).toBe(8)

      // At the size limit exactly but over the count: too many fields, not too large.
      const both = yield* session({ headLimits: { ...defaultHeadLimits, maxHeaderSize: 78, maxHeaderCount: 1 } })
      const atSize = both.start()
      atSize.stream.respond(200, ["x-a", "1"])
      expect(atSize.ex.error).toMatchObject({ reason: "too-many-headers", detail: "2 fields, over maxHeaderCount (1)" })

      const counted = yield* session({ headLimits: { ...defaultHeadLimits, maxHeaderCount: 2 } })
      const two = counted.start()
      two.stream.respond(200, ["x-a", "1"])
      expect(two.ex.error).toBeUndefined()
      const three = counted.start()
      three.stream.respond(200, ["x-a", "1", "x-b", "2"])
      expect(three.ex.error).toMatchObject({ reason: "too-many-headers", detail: "3 fields, over maxHeaderCount (2)" })
    }))

  it.effect("the limits bound informational heads and trailers too; a request's own limits are laid over the session's", () =>
    Effect.gen(function*() {
      const { start } = yield* session({ headLimits: { ...defaultHeadLimits, maxHeaderSize: 60 } })
      const info = start()
      info.stream.respond(103, ["link", "x".repeat(40)])
      expect(info.ex.error).toMatchObject({ reason: "header-section-too-large" })
      expect(info.ex.informational).toEqual([])

      const trailed = start()
      trailed.stream.respond(200)
      trailed.stream.trailers(["x-t", "y".repeat(40)])
      expect(trailed.ex.error).toMatchObject({
        reason: "trailer-section-too-large",
        detail: "the HTTP/2 trailer list is 75 bytes, over maxHeaderSize (60)"
      })
      expect(trailed.ex.rawTrailers).toBeUndefined()

      const own = start({ headLimits: requestHeadLimits({ maxHeaderSize: 1000 }) })
      own.stream.respond(200, ["link", "x".repeat(40)])
      expect(own.ex.error).toBeUndefined()
    }))

  it.effect("END_STREAM without a response head is a ProtocolError; an end after a reset is not a completion", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const headless = start()
      headless.stream.finish()
      expect(headless.ex.error).toEqual(
        new ProtocolError({ method: "GET", url, reason: "session-error", detail: "the stream ended without a response head" })
      )

      const reset = start()
      reset.stream.respond(200)
      reset.stream.rstCode = 2
      reset.stream.finish()
      expect(reset.ex.complete).toBe(false)
      reset.stream.closeWith()
      expect(reset.ex.error).toMatchObject({ reason: "stream-reset", code: 2 })

      const clean = start()
      clean.stream.respond(200)
      clean.stream.rstCode = 0
      clean.stream.finish()
      expect(clean.ex.complete).toBe(true)
    }))

  it.effect("a stream that closes: REFUSED_STREAM is retryable stream-reset; without an id nothing was sent (ConnectionClosed); a completed one stays complete", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      const refused = start()
      refused.stream.closeWith(7)
      expect(refused.ex.error).toMatchObject({ _tag: "ProtocolError", reason: "stream-reset", code: 7, codeName: "REFUSED_STREAM" })
      expect(refused.driver.closed).toBe(true)

      fake.withoutIds = true
      const unsent = start()
      unsent.stream.closeWith()
      expect(unsent.ex.error).toEqual(new ConnectionClosed({ method: "GET", url, requestSent: false, reused: true }))

      fake.withoutIds = false
      const done = start()
      done.stream.respond(200)
      done.stream.finish()
      done.stream.closeWith(0)
      expect(done.ex.error).toBeUndefined()
      expect(done.ex.complete).toBe(true)
      expect(conn.streams).toBe(0)

      const plain = start()
      plain.stream.closeWith()
      expect(plain.ex.error).toMatchObject({ reason: "stream-reset", code: 0, codeName: "NO_ERROR" })
    }))

  it.effect("events after the exchange settled change nothing", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const { ex, stream } = start()
      ex.fail(error)
      stream.respond(103)
      stream.respond(200)
      stream.data("x")
      stream.trailers(["x-t", "1"])
      stream.finish()
      expect([ex.head, ex.received, ex.rawTrailers, ex.complete, ex.responseStarted]).toEqual([undefined, 0, undefined, false, false])
      expect(ex.informational).toEqual([])
      // Nothing reset the stream: the exchange's failure came from elsewhere.
      expect(stream.closedWith).toBeUndefined()
    }))

  describe("recv timeout (TestClock)", () => {
    it.effect("a stalled stream fails with RecvTimeout (headers, then body) and is reset; the session goes on", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* session()
        const a = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(999)
        yield* settle
        expect(a.ex.error).toBeUndefined()
        yield* TestClock.adjust(1)
        yield* settle
        expect(a.ex.error).toEqual(new RecvTimeout({ method: "GET", url, timeoutMillis: 1000, phase: "headers" }))
        expect(a.stream.closedWith).toBe(8)
        expect(conn.isAvailable).toBe(true)

        const b = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(900)
        b.stream.respond(200)
        yield* TestClock.adjust(900)
        yield* settle
        expect(b.ex.error).toBeUndefined()
        b.stream.data("x")
        yield* TestClock.adjust(900)
        yield* settle
        expect(b.ex.error).toBeUndefined()
        yield* TestClock.adjust(100)
        yield* settle
        expect(b.ex.error).toMatchObject({ _tag: "RecvTimeout", phase: "body" })
      }))

    it.effect("a deadline firing after the reader gave the exchange up does not reset the stream", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = start({ recvTimeout: 1000 })
        a.ex.close(error)
        yield* TestClock.adjust(1000)
        yield* settle
        expect(a.ex.error).toBe(error)
        expect(a.stream.closedWith).toBeUndefined()
      }))

    it.effect("an informational response pushes the deadline back", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(900)
        a.stream.respond(102)
        yield* TestClock.adjust(900)
        yield* settle
        expect(a.ex.error).toBeUndefined()
      }))

    it.effect("the timeout starts when the request body ends; an infinite one never fires; none after completion", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = start({ method: "POST", recvTimeout: 1000, body: streamBody, bodySize: undefined })
        yield* TestClock.adjust(5000)
        yield* settle
        expect(a.ex.error).toBeUndefined()
        yield* a.ex.end()
        yield* TestClock.adjust(1000)
        yield* settle
        expect(a.ex.error?._tag).toBe("RecvTimeout")

        const forever = start({ recvTimeout: Infinity })
        yield* TestClock.adjust(365 * 24 * 3600 * 1000)
        yield* settle
        expect(forever.ex.error).toBeUndefined()
        forever.stream.respond(200)
        yield* TestClock.adjust(365 * 24 * 3600 * 1000)
        yield* settle
        expect(forever.ex.error).toBeUndefined()

        const done = start({ recvTimeout: 1000 })
        done.stream.respond(200)
        done.stream.finish()
        yield* TestClock.adjust(5000)
        yield* settle
        expect(done.ex.error).toBeUndefined()
        expect(done.stream.closedWith).toBeUndefined()
      }))

    it.effect("a paused stream reader is not a stalled peer: the deadline waits again", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const { ex, stream } = start({ recvTimeout: 1000, maxBodySize: 1 << 30 }, "stream")
        stream.respond(200)
        stream.data(new Uint8Array(highWaterMark + 1))
        yield* pausedReaderIsNotStalled(ex)
      }))

    it.effect("a session that dies cancels its streams' deadlines", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* session()
        const a = start({ recvTimeout: 1000 })
        conn.abort(error)
        yield* TestClock.adjust(1000)
        yield* settle
        expect(a.ex.error).toBe(error)
        expect(a.stream.closedWith).toBeUndefined()
      }))
  })

  describe("the request body", () => {
    it.effect("writes go out as given; an empty chunk writes nothing; end ends the stream and starts the timeout", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const { ex, stream } = start({ method: "POST", body: streamBody, bodySize: 5 })
        yield* ex.write(bytes("hel"))
        yield* ex.write(new Uint8Array(0))
        yield* ex.write(bytes("lo"))
        expect(stream.written.map((b) => b.toString())).toEqual(["hel", "lo"])
        expect(stream.ended).toBe(false)
        yield* ex.end()
        expect(stream.ended).toBe(true)
        expect(ex.requestDone).toBe(true)
      }))

    it.effect("a declared length: one byte more fails at write, fewer at end, trailers are refused; nothing more is written", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const over = start({ method: "POST", body: streamBody, bodySize: 2 })
        const e = yield* Effect.flip(over.ex.write(bytes("abc")))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "body", requestSent: true })
        expect(e).toMatchObject({ detail: "the body gave more than the declared 2 bytes; the stream was reset" })
        expect(over.stream.written).toEqual([])

        const under = start({ method: "POST", body: streamBody, bodySize: 2 })
        yield* under.ex.write(bytes("a"))
        expect((yield* Effect.flip(under.ex.end()))).toMatchObject({ detail: "the body gave 1 bytes, 2 were declared; the stream was reset" })
        expect(under.stream.ended).toBe(false)

        const trailed = start({ method: "POST", body: streamBody, bodySize: 0 })
        expect((yield* Effect.flip(trailed.ex.end(["x-t", "1"])))).toMatchObject({ detail: "trailers need a body of unknown size, but a Content-Length was declared" })
        // An empty trailer list is no trailers.
        const empty = start({ method: "POST", body: streamBody, bodySize: 0 })
        yield* empty.ex.end([])
        expect(empty.stream.ended).toBe(true)
      }))

    it.effect("trailers of a body of unknown size go in the last HEADERS frame, names lower-cased, repeated names as arrays", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const { ex, stream } = start({ method: "POST", body: streamBody, bodySize: undefined })
        yield* ex.write(bytes("x"))
        yield* ex.end(["X-T", "10", "x-t", "20", "x-t", "30", "X-U", "u"])
        expect(stream.ended).toBe(true)
        stream.emit("wantTrailers")
        expect(stream.trailersSent).toEqual({ "x-t": ["10", "20", "30"], "x-u": "u" })

        const bare = start({ method: "POST", body: streamBody, bodySize: undefined })
        yield* bare.ex.end([])
        bare.stream.emit("wantTrailers")
        expect(bare.stream.trailersSent).toEqual({})
        const none = start({ method: "POST", body: streamBody, bodySize: undefined })
        yield* none.ex.end()
        none.stream.emit("wantTrailers")
        expect(none.stream.trailersSent).toEqual({})
      }))

    it.effect("trailers the session refuses fail the request with InvalidRequest header-value and reset the stream", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const { ex, stream } = start({ method: "POST", body: streamBody, bodySize: undefined })
        yield* ex.end(["x-t", "1"])
        stream.trailersThrow = new Error("Invalid trailer")
        stream.emit("wantTrailers")
        expect(ex.error).toMatchObject({
          _tag: "InvalidRequest",
          reason: "header-value",
          detail: "trailers: Invalid trailer",
          requestSent: true,
          cause: stream.trailersThrow
        })
        expect(stream.closedWith).toBe(8)
      }))

    it.effect("writing or ending after the exchange failed fails with its error; on a closed or destroyed stream with ConnectionClosed", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const failed = start({ method: "POST", body: streamBody, bodySize: undefined })
        failed.ex.fail(error)
        expect(yield* Effect.flip(failed.ex.write(bytes("a")))).toBe(error)
        expect(yield* Effect.flip(failed.ex.end())).toBe(error)

        const closed = start({ method: "POST", body: streamBody, bodySize: undefined })
        closed.driver.closed = true
        expect(yield* Effect.flip(closed.ex.write(bytes("a")))).toBeInstanceOf(ConnectionClosed)
        expect(yield* Effect.flip(closed.ex.end())).toBeInstanceOf(ConnectionClosed)

        const destroyed = start({ method: "POST", body: streamBody, bodySize: undefined })
        destroyed.stream.destroyed = true
        expect(yield* Effect.flip(destroyed.ex.write(bytes("a")))).toBeInstanceOf(ConnectionClosed)
        expect(yield* Effect.flip(destroyed.ex.end())).toBeInstanceOf(ConnectionClosed)
        expect(destroyed.stream.written).toEqual([])
        expect(destroyed.stream.ended).toBe(false)
      }))

    /** A write of 3 bytes on a new POST whose stream's window is full, forked and waiting. */
    const blockedWrite = (start: Effect.Effect.Success<ReturnType<typeof session>>["start"], recvTimeout = 5000) =>
      Effect.gen(function*() {
        const s = start({ method: "POST", body: streamBody, bodySize: undefined, recvTimeout })
        s.stream.blocked = true
        const writing = yield* Effect.fork(s.ex.write(bytes("abc")))
        yield* settle
        expect(writing.unsafePoll()).toBeNull()
        return { ...s, writing }
      })

    it.effect("flow control: a write waits for drain; the response completing meanwhile ends the wait; the stream closing fails it", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = yield* blockedWrite(start)
        a.stream.drain()
        yield* Fiber.join(a.writing)

        const b = yield* blockedWrite(start)
        b.stream.respond(200)
        b.stream.finish()
        yield* Fiber.join(b.writing)

        const c = yield* blockedWrite(start)
        c.stream.closeWith(2)
        expect(yield* Effect.flip(Fiber.join(c.writing))).toMatchObject({ reason: "stream-reset", code: 2 })
      }))

    it.effect("flow control: a peer that neither takes the body nor answers fails the blocked write with RecvTimeout", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = yield* blockedWrite(start, 1000)
        yield* TestClock.adjust(1000)
        expect(yield* Effect.flip(Fiber.join(a.writing))).toMatchObject({ _tag: "RecvTimeout" })
      }))

    it.effect("a body abandoned (the server answered first) is cancelled: CANCEL, the request not done, the session goes on", () =>
      Effect.gen(function*() {
        const { closed, conn, start } = yield* session()
        const { ex, stream } = start({ method: "POST", body: streamBody, bodySize: 100 })
        yield* ex.write(bytes("part"))
        stream.respond(200)
        stream.finish()
        stream.stuck = true
        ex.abandon()
        expect(ex.requestDone).toBe(false)
        expect(stream.closedWith).toBe(8)
        // Complete: no watch for a close that nghttp2 owes.
        yield* TestClock.adjust(resetGrace)
        yield* settle
        expect(closed()).toBe(0)
        stream.closeWith(8)
        expect(conn.release(ex)).toBe(true)
      }))

    it.effect("cancel and release do nothing to a stream already closed or destroyed", () =>
      Effect.gen(function*() {
        const { start } = yield* session()
        const a = start()
        a.stream.destroyed = true
        a.driver.cancel()
        expect(a.stream.closedWith).toBeUndefined()
        const b = start()
        b.stream.closeWith(0)
        // Closed (its close event came) though not yet destroyed.
        b.stream.destroyed = false
        b.stream.closedWith = undefined
        b.driver.cancel()
        b.driver.release()
        expect(b.stream.closedWith).toBeUndefined()
      }))

    it.effect("release resumes a paused stream", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* session()
        const { ex, stream } = start({ maxBodySize: 1 << 30 }, "stream")
        stream.respond(200)
        stream.data(new Uint8Array(highWaterMark + 1))
        expect(stream.isPaused).toBe(true)
        conn.release(ex)
        expect(stream.isPaused).toBe(false)
      }))
  })

  it.effect("the exchange's waiter ends when the session dies under it", () =>
    Effect.gen(function*() {
      const { fake, start } = yield* session()
      const { ex } = start()
      const waiting = yield* Effect.fork(ex.waitFor(ex.isComplete))
      yield* settle
      fake.end()
      const exit = yield* Fiber.await(waiting)
      expect(Exit.isFailure(exit)).toBe(true)
    }))
})
