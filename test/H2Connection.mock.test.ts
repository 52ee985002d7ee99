/**
 * The HTTP/2 session driver (H2Connection) over an in-memory `node:http2`
 * session (test/support/mockH2.ts): the test plays the session's and each
 * stream's events, so every branch of the driver runs in microseconds, on
 * the TestClock — starting streams, capacity and status, release, GOAWAY
 * and retire, the errors of a dead session, the silent-stop watch. Its
 * streams: H2Stream.mock.test.ts; its opening: H2Connection.open.test.ts.
 * What nghttp2 itself does (framing, HPACK, flow control, floods) is tested
 * against real peers in Http2*.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type * as http2 from "node:http2"
import { ConnectionClosed, InvalidRequest, ProtocolError, RecvTimeout } from "../src/HackneyError.js"
import { H2Connection, resetGrace } from "../src/internal/connection/h2Connection.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import { currentWheel } from "../src/internal/timer/wheel.js"
import { bytes, settle, streamBody, testRequest, text } from "./support/driver.js"
import { codeError, FakeSession, h2Session, h2Url } from "./support/mockH2.js"
import { mockTransport } from "./support/mockTransport.js"

const url = h2Url
const session = h2Session
const error = new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" })

describe("H2Connection over an in-memory session", () => {
  it.effect("begin: the HTTP/2 head, END_STREAM when there is no body, the request done; requests and reused counted", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      const { ex, stream } = start({ rawHeaders: ["X-A", "1", "Connection", "keep-alive"] })
      expect(stream.headers).toEqual({ ":method": "GET", ":scheme": "https", ":path": "/items", ":authority": "example.test", "x-a": "1" })
      expect(stream.options).toEqual({ endStream: true, waitForTrailers: false })
      expect(ex.requestSent).toBe(true)
      expect(ex.requestDone).toBe(true)
      expect(ex.reused).toBe(false)
      const second = start()
      expect(second.ex.reused).toBe(true)
      expect(conn.requests).toBe(2)
      expect(conn.streams).toBe(2)
      expect(fake.streams).toHaveLength(2)
    }))

  it.effect("begin: a bytes body ends the stream with it; with a body to follow it is written and the stream stays open", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const whole = start({ method: "POST", bodySize: 5, body: { _tag: "Bytes", bytes: bytes("hello") } })
      expect(whole.stream.options).toEqual({ endStream: false, waitForTrailers: false })
      expect(text(whole.stream.written)).toBe("hello")
      expect(whole.stream.ended).toBe(true)
      expect(whole.ex.requestDone).toBe(true)

      const first = start({ method: "POST", bodySize: 10, body: { _tag: "Bytes", bytes: bytes("hello") } }, "collect", true)
      expect(text(first.stream.written)).toBe("hello")
      expect(first.stream.ended).toBe(false)
      expect(first.ex.requestDone).toBe(false)

      const empty = start({ method: "POST", bodySize: 0, body: { _tag: "Bytes", bytes: new Uint8Array(0) } })
      expect(empty.stream.options).toEqual({ endStream: true, waitForTrailers: false })
      expect(empty.stream.written).toEqual([])
    }))

  it.effect("begin: a streamed body of unknown size waits for trailers; one of known size does not", () =>
    Effect.gen(function*() {
      const { start } = yield* session()
      const unknown = start({ method: "POST", bodySize: undefined, body: streamBody })
      expect(unknown.stream.options).toEqual({ endStream: false, waitForTrailers: true })
      expect(unknown.ex.requestDone).toBe(false)
      expect(unknown.stream.ended).toBe(false)
      const known = start({ method: "POST", bodySize: 3, body: streamBody })
      expect(known.stream.options).toEqual({ endStream: false, waitForTrailers: false })
    }))

  it.effect("begin: by default a body follows the head exactly when the request's body is a stream", () =>
    Effect.gen(function*() {
      const { conn, fake } = yield* session()
      const wheel = yield* currentWheel
      const streamed = conn.begin(testRequest(url, { method: "POST", bodySize: undefined, body: streamBody }), "collect", wheel)
      expect(streamed.requestDone).toBe(false)
      expect(fake.last.options).toEqual({ endStream: false, waitForTrailers: true })
      const plain = conn.begin(testRequest(url), "collect", wheel)
      expect(plain.requestDone).toBe(true)
      expect(fake.last.options).toEqual({ endStream: true, waitForTrailers: false })
    }))

  it.effect("a session without pool hooks (no onChange) takes SETTINGS, GOAWAY and retire", () =>
    Effect.gen(function*() {
      for (const end of ["retire", "goaway", "settings"] as const) {
        const { conn, fake } = yield* session()
        conn.onChange = undefined
        if (end === "retire") conn.retire()
        else if (end === "goaway") fake.goaway(0, 0)
        else fake.settings({ maxConcurrentStreams: 2 })
        expect(conn.status).toBe(end === "settings" ? "idle" : "closed")
      }
    }))

  it.effect("begin on a session that takes no stream fails at once with ConnectionClosed (nothing sent), its close cause attached", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      start()
      fake.goaway(0, 1)
      conn.closeCause = "why"
      const { ex } = start()
      expect(ex.error).toEqual(new ConnectionClosed({ method: "GET", url, requestSent: false, reused: true, cause: "why" }))
      expect(fake.streams).toHaveLength(1)
    }))

  it.effect("begin: the session refusing a request as closing is ConnectionClosed; any other refusal is InvalidRequest header-value", () =>
    Effect.gen(function*() {
      for (const code of ["ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_INVALID_SESSION"]) {
        const { conn, fake } = yield* session()
        fake.requestThrows = codeError("closing", code)
        const ex = conn.begin(testRequest(url), "collect", yield* currentWheel, false)
        expect(ex.error).toBeInstanceOf(ConnectionClosed)
        expect(ex.error).toMatchObject({ requestSent: false, cause: fake.requestThrows })
        expect(conn.streams).toBe(0)
      }
      const { conn, fake } = yield* session()
      fake.requestThrows = codeError("Invalid value for header \"x\"", "ERR_HTTP2_INVALID_HEADER_VALUE")
      const ex = conn.begin(testRequest(url), "collect", yield* currentWheel, false)
      expect(ex.error).toBeInstanceOf(InvalidRequest)
      // Its release (the engine's, after the failure) frees nothing: no stream was opened.
      expect(conn.release(ex)).toBe(true)
      expect(ex.error).toMatchObject({ reason: "header-value", detail: "Invalid value for header \"x\"" })
      expect(ex.requestSent).toBe(false)
    }))

  it.effect("ALPN: a prior-knowledge session over a connection without ALPN reports h2c; a negotiated one h2", () =>
    Effect.gen(function*() {
      expect((yield* session({ alpn: "http/1.1" })).conn.alpn).toBe("h2c")
      const { conn } = yield* session()
      expect(conn.alpn).toBe("h2")
      expect(conn.info.alpn).toBe("h2")
      expect(conn.isTls).toBe(true)
      expect(conn.protocol).toBe("h2")
    }))

  it.effect("capacity: the peer's SETTINGS_MAX_CONCURRENT_STREAMS, at least 1, at most 2^31-1; 100 before any", () =>
    Effect.gen(function*() {
      const { conn, fake } = yield* session()
      expect(conn.capacity).toBe(100)
      fake.remoteSettings = undefined
      expect(conn.capacity).toBe(100)
      fake.remoteSettings = { maxConcurrentStreams: 0 }
      expect(conn.capacity).toBe(1)
      fake.remoteSettings = { maxConcurrentStreams: 7 }
      expect(conn.capacity).toBe(7)
      fake.remoteSettings = { maxConcurrentStreams: 2 ** 32 - 1 }
      expect(conn.capacity).toBe(0x7fffffff)
    }))

  it.effect("free, status and availability follow the streams, GOAWAY and the session's state; ref and unref reach the session", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      fake.remoteSettings = { maxConcurrentStreams: 2 }
      expect([conn.free, conn.status, conn.isAvailable]).toEqual([2, "idle", true])
      const a = start()
      expect([conn.free, conn.status]).toEqual([1, "active"])
      start()
      expect([conn.free, conn.status, conn.isAvailable]).toEqual([0, "active", true])
      start()
      // Over the limit (the pool does not do this): free stays 0.
      expect(conn.free).toBe(0)
      a.stream.closeWith(0)
      expect(conn.streams).toBe(2)
      fake.closed = true
      expect([conn.isAvailable, conn.status, conn.free]).toEqual([false, "draining", 0])
      fake.closed = false
      fake.destroyed = true
      expect(conn.isAvailable).toBe(false)
      fake.destroyed = false
      conn.unref()
      expect(fake.refd).toBe(false)
      conn.ref()
      expect(fake.refd).toBe(true)
      conn.close()
      expect([conn.status, conn.isAvailable, conn.free]).toEqual(["closed", false, 0])
    }))

  it.effect("toJSON tells the session's state", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      const { ex } = start()
      expect(conn.toJSON()).toEqual({
        protocol: "h2",
        status: "active",
        requests: 1,
        streams: 1,
        capacity: 100,
        alpn: "h2",
        tls: true,
        lastStreamId: undefined,
        probing: false,
        exchanges: [ex.toJSON()]
      })
      fake.goaway(0, 5)
      expect((conn.toJSON() as { lastStreamId: number }).lastStreamId).toBe(5)
    }))

  it.effect("release frees the stream (CANCEL if still open), updates idleSince when none is left, and says whether the session takes more", () =>
    Effect.gen(function*() {
      const { conn, start } = yield* session()
      const a = start()
      const b = start()
      a.stream.respond(200)
      a.stream.finish()
      a.stream.closeWith(0)
      yield* TestClock.adjust(100)
      expect(conn.release(a.ex)).toBe(true)
      expect(a.stream.closedWith).toBeUndefined()
      yield* TestClock.adjust(100)
      expect(conn.release(b.ex)).toBe(true)
      expect(b.stream.closedWith).toBe(8)
      expect(conn.streams).toBe(1)
      yield* settle
      expect(conn.streams).toBe(0)
      expect(conn.idleSince).toBe(200)
    }))

  it.effect("release of the last stream while others remain does not move idleSince", () =>
    Effect.gen(function*() {
      const { conn, start } = yield* session()
      const a = start()
      start()
      yield* TestClock.adjust(100)
      a.stream.closeWith(0)
      expect(conn.idleSince).toBe(0)
      conn.release(a.ex)
      expect(conn.idleSince).toBe(0)
    }))

  it.effect("the last stream closing sets idleSince to the Clock time, and so does the release of the last one", () =>
    Effect.gen(function*() {
      const { conn, start } = yield* session()
      const a = start()
      yield* TestClock.adjust(300)
      a.stream.respond(200)
      a.stream.finish()
      a.stream.closeWith(0)
      expect(conn.idleSince).toBe(300)
      yield* TestClock.adjust(50)
      expect(conn.release(a.ex)).toBe(true)
      expect(conn.idleSince).toBe(350)
    }))

  it.effect("abort fails every open stream with the error, then closes the session and its socket; onClosed runs once", () =>
    Effect.gen(function*() {
      const { closed, conn, fake, peer, start } = yield* session()
      const a = start()
      const b = start()
      conn.abort(error)
      expect([a.ex.error, b.ex.error]).toEqual([error, error])
      expect(fake.destroyed).toBe(true)
      expect(conn.status).toBe("closed")
      expect(peer.written()).toBe("")
      conn.close()
      conn.abort(error)
      expect(closed()).toBe(1)
    }))

  it.effect("close: open streams fail with ConnectionClosed (the close cause) while the session lived; the socket is destroyed", () =>
    Effect.gen(function*() {
      const { conn, fake, start } = yield* session()
      const { ex } = start()
      conn.closeCause = "gone"
      fake.destroyed = true
      conn.close()
      expect(ex.error).toBeInstanceOf(ConnectionClosed)
      expect(ex.error).toMatchObject({ requestSent: true, cause: "gone" })
      expect(conn.socket.destroyed).toBe(true)
    }))

  it.effect("a session closing (Node's close event) closes the connection", () =>
    Effect.gen(function*() {
      const { closed, conn, fake, start } = yield* session()
      const { ex } = start()
      fake.end()
      expect(conn.status).toBe("closed")
      expect(closed()).toBe(1)
      expect(ex.error).toBeInstanceOf(ConnectionClosed)
    }))

  it.effect("a later SETTINGS tells the pool (onChange)", () =>
    Effect.gen(function*() {
      const { changes, conn, fake } = yield* session()
      fake.settings({ maxConcurrentStreams: 3 })
      expect(changes()).toBe(1)
      expect(conn.capacity).toBe(3)
    }))

  describe("GOAWAY and retire", () => {
    it.effect("GOAWAY(NO_ERROR): no new stream, the pool told; the streams it covers finish; the session closes when the last ends", () =>
      Effect.gen(function*() {
        const { changes, closed, conn, fake, start } = yield* session()
        const a = start()
        fake.goaway(0, 1)
        expect(changes()).toBe(1)
        expect([conn.isAvailable, conn.status, conn.lastStreamId]).toEqual([false, "draining", 1])
        expect(conn.closeCause).toBeUndefined()
        expect(closed()).toBe(0)
        a.stream.respond(200)
        a.stream.finish()
        expect(a.ex.complete).toBe(true)
        a.stream.closeWith(0)
        expect(closed()).toBe(1)
        expect(conn.status).toBe("closed")
      }))

    it.effect("GOAWAY on an idle session closes it at once", () =>
      Effect.gen(function*() {
        const { closed, fake } = yield* session()
        fake.goaway(0, 0)
        expect(closed()).toBe(1)
      }))

    it.effect("a second GOAWAY lowers the last stream id, never raises it", () =>
      Effect.gen(function*() {
        const { conn, fake, start } = yield* session()
        start()
        fake.goaway(0, 9)
        fake.goaway(0, 3)
        expect(conn.lastStreamId).toBe(3)
        fake.goaway(0, 7)
        expect(conn.lastStreamId).toBe(3)
      }))

    it.effect("a stream above the GOAWAY's last stream id was not processed: ProtocolError stream-reset REFUSED_STREAM", () =>
      Effect.gen(function*() {
        const { fake, start } = yield* session()
        const a = start()
        const b = start()
        fake.goaway(0, 1)
        // Closed without a response: a reset, not a refusal (its id is covered by the GOAWAY).
        a.stream.closeWith(0)
        expect(a.ex.error).toBeInstanceOf(ProtocolError)
        expect(a.ex.error).toMatchObject({ reason: "stream-reset", code: 0, codeName: "NO_ERROR" })
        b.stream.closeWith(0)
        expect(b.ex.error).toEqual(new ProtocolError({ method: "GET", url, reason: "stream-reset", code: 7, codeName: "REFUSED_STREAM" }))
      }))

    it.effect("GOAWAY with an error: the streams of the dead session fail with ProtocolError session-error (code, name), each naming its own request", () =>
      Effect.gen(function*() {
        const { conn, fake, start } = yield* session()
        const a = start()
        fake.goaway(2, 1)
        expect(String(conn.closeCause)).toBe("Error: GOAWAY INTERNAL_ERROR (code 2)")
        fake.end()
        expect(a.ex.error).toMatchObject({
          _tag: "ProtocolError",
          reason: "session-error",
          code: 2,
          codeName: "INTERNAL_ERROR",
          detail: "the server sent GOAWAY with an error",
          method: "GET",
          url
        })
      }))

    it.effect("a GOAWAY's error does not replace an earlier close cause", () =>
      Effect.gen(function*() {
        const { conn, fake, start } = yield* session()
        start()
        const first = new Error("first")
        fake.fail(first)
        fake.goaway(2, 1)
        expect(conn.closeCause).toBe(first)
        fake.fail(new Error("second"))
        expect(conn.closeCause).toBe(first)
      }))

    it.effect("retire drains like a GOAWAY: the pool told once, closed when the last stream ends (at once when idle)", () =>
      Effect.gen(function*() {
        const { changes, closed, conn, start } = yield* session()
        const a = start()
        conn.retire()
        conn.retire()
        expect(changes()).toBe(1)
        expect([conn.isAvailable, conn.status]).toEqual([false, "draining"])
        expect(closed()).toBe(0)
        a.stream.closeWith(0)
        expect(closed()).toBe(1)
        conn.retire()
        expect(changes()).toBe(1)

        const idle = yield* session()
        idle.conn.retire()
        expect(idle.closed()).toBe(1)
      }))
  })

  describe("a dead session's streams", () => {
    it.effect("a stream closing after its session was destroyed (before the session's close) fails with the session's failure", () =>
      Effect.gen(function*() {
        const { fake, start } = yield* session()
        const a = start()
        const flood = codeError("Flooding", "ERR_HTTP2_SESSION_ERROR")
        fake.fail(flood)
        fake.destroyed = true
        a.stream.closeWith(0)
        expect(a.ex.error).toEqual(new ProtocolError({ method: "GET", url, reason: "session-error", detail: "Flooding", cause: flood }))
      }))

    it.effect("a protocol failure nghttp2 reported (ERR_HTTP2_ERROR, …): ProtocolError session-error with its message, no code, naming the request", () =>
      Effect.gen(function*() {
        for (const code of ["ERR_HTTP2_ERROR", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_GOAWAY_SESSION"]) {
          const { fake, start } = yield* session()
          const a = start()
          const cause = codeError("Flooding", code, -902)
          fake.fail(cause)
          fake.end()
          expect(a.ex.error).toEqual(new ProtocolError({ method: "GET", url, reason: "session-error", detail: "Flooding", cause }))
        }
      }))

    it.effect("a socket error is not a protocol failure: ConnectionClosed with it as cause", () =>
      Effect.gen(function*() {
        const { fake, start } = yield* session()
        const a = start()
        const cause = codeError("read ECONNRESET", "ECONNRESET")
        fake.fail(cause)
        fake.end()
        expect(a.ex.error).toBeInstanceOf(ConnectionClosed)
        expect(a.ex.error).toMatchObject({ cause })
      }))

    it.effect("a stream told of the session's protocol failure first records it for the session; other stream errors do not", () =>
      Effect.gen(function*() {
        const { conn, fake, start } = yield* session()
        const a = start()
        a.stream.emit("error", codeError("stream reset", "ERR_HTTP2_STREAM_ERROR"))
        expect(conn.closeCause).toBeUndefined()
        const flood = codeError("Flooding", "ERR_HTTP2_SESSION_ERROR")
        a.stream.emit("error", flood)
        expect(conn.closeCause).toBe(flood)
        fake.end()
        expect(a.ex.error).toMatchObject({ _tag: "ProtocolError", reason: "session-error", detail: "Flooding" })
      }))

    it.effect("while the session lives, sessionFailure is undefined: a reset stream fails with stream-reset", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* session()
        const a = start()
        expect(conn.sessionFailure(a.driver)).toBeUndefined()
        a.stream.closeWith(2)
        expect(a.ex.error).toMatchObject({ _tag: "ProtocolError", reason: "stream-reset", code: 2, codeName: "INTERNAL_ERROR" })
      }))

    it.effect("sessionFailure without a stream names the dial's method and url", () =>
      Effect.gen(function*() {
        const wheel = yield* currentWheel
        const { open } = mockTransport({ alpn: "h2" })
        const fake = new FakeSession()
        const conn = new H2Connection(open, fake as unknown as http2.ClientHttp2Session, {
          scheme: "http",
          host: "example.test",
          port: 80,
          headLimits: defaultHeadLimits,
          wheel,
          settingsTimeout: 1000,
          method: "PUT",
          url: "http://example.test/dial"
        })
        fake.goaway(11, 0)
        expect(conn.sessionFailure()).toMatchObject({ method: "PUT", url: "http://example.test/dial", code: 11, codeName: "ENHANCE_YOUR_CALM" })
        expect(conn.sessionFailure()).toBeInstanceOf(ProtocolError)
        expect(conn.isTls).toBe(false)
      }))

    it.effect("a reset stream that does not close within resetGrace: the session stopped; it is closed and its streams fail (ProtocolError)", () =>
      Effect.gen(function*() {
        const { closed, start } = yield* session()
        const a = start()
        const b = start()
        a.stream.stuck = true
        a.driver.cancel()
        expect(a.stream.closedWith).toBe(8)
        yield* TestClock.adjust(resetGrace - 1)
        yield* settle
        expect(closed()).toBe(0)
        yield* TestClock.adjust(1)
        yield* settle
        expect(closed()).toBe(1)
        expect(b.ex.error).toMatchObject({
          _tag: "ProtocolError",
          reason: "session-error",
          detail: `a reset stream did not close within ${resetGrace} ms: the session stopped after a protocol error of the server`
        })
      }))

    it.effect("a reset stream that closes in time leaves the session alone", () =>
      Effect.gen(function*() {
        const { closed, conn, start } = yield* session()
        const a = start()
        start()
        a.driver.cancel()
        yield* settle
        expect(a.driver.closed).toBe(true)
        yield* TestClock.adjust(resetGrace)
        yield* settle
        expect(closed()).toBe(0)
        expect(conn.isAvailable).toBe(true)
      }))

    it.effect("cancelling a completed stream does not watch it", () =>
      Effect.gen(function*() {
        const { closed, start } = yield* session()
        const a = start()
        a.stream.respond(200)
        a.stream.finish()
        a.stream.stuck = true
        a.driver.cancel()
        expect(a.stream.closedWith).toBe(8)
        yield* TestClock.adjust(resetGrace)
        yield* settle
        expect(closed()).toBe(0)
      }))
  })
})
