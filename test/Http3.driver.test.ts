/**
 * The HTTP/3 driver (`H3Connection`, `H3Stream`, the peer's streams) over an in-memory QUIC
 * double (test/support/quicDouble.ts): what goes on the wire, what the exchange gets, and every
 * failure typed — deterministic, no UDP.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { isRetryable } from "../src/HackneyError.js"
import type { Request } from "../src/internal/connection/connection.js"
import type { Exchange } from "../src/internal/connection/exchange.js"
import type { H3Connection } from "../src/internal/connection/h3Connection.js"
import { requestHeadLimits } from "../src/internal/connection/headLimits.js"
import { staleRetryable } from "../src/internal/engine/exchange.js"
import { readVarint } from "../src/internal/http3/varint.js"
import type { TimerWheel } from "../src/internal/timer/wheel.js"
import { complete, dataFrame, failure, goawayFrame, headersFrame, openDriver, settle, tick } from "./support/quicDouble.js"

const request = (over: Partial<Request> = {}): Request => ({
  method: "GET",
  target: "/a?b=1",
  authority: "example.test",
  rawHeaders: ["User-Agent", "t", "Connection", "close"],
  bodySize: 0,
  h1: undefined,
  href: "https://example.test/a?b=1",
  body: { _tag: "None" },
  maxBodySize: 1 << 30,
  recvTimeout: 5000,
  headLimits: undefined,
  ...over
})

const setup = (credit = 100) => openDriver(credit)

const body = (ex: Exchange): string => Buffer.concat(ex.chunks).toString("latin1")

const begin = (conn: H3Connection, wheel: TimerWheel, over: Partial<Request> = {}, mode: "collect" | "stream" = "collect") =>
  conn.begin(request(over), mode, wheel)

describe("H3Connection over an in-memory QUIC connection", () => {
  it.effect("opens its control stream (SETTINGS) and QPACK encoder/decoder streams, and nothing else is written on them", () =>
    Effect.gen(function*() {
      const { session } = yield* setup()
      yield* tick
      const uni = session.uniStreams()
      expect(uni.map((s) => readVarint(s.bytes(), 0))).toEqual([0x00, 0x02, 0x03])
      // The control stream: type, then a SETTINGS frame (type 0x04) first.
      expect(uni[0].bytes()[1]).toBe(0x04)
      expect(uni[1].bytes().length).toBe(1)
      expect(uni[2].bytes().length).toBe(1)
      expect(uni.every((s) => !s.fin)).toBe(true)
    }))

  it.effect("a GET: HEADERS with the pseudo-headers first and no connection-specific field, FIN; the response head, body and trailers", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      const [s] = session.requests()
      expect(s.fin).toBe(true)
      const frames = s.frames()
      expect(frames).toEqual([{
        type: "headers",
        fields: [":method", "GET", ":scheme", "https", ":authority", "example.test", ":path", "/a?b=1", "user-agent", "t"]
      }])
      s.send(headersFrame([":status", "200", "content-length", "5", "server", "double"]))
      s.send(dataFrame("hel"))
      s.send(dataFrame("lo"))
      s.send(headersFrame(["x-checksum", "abc"]))
      s.end()
      const r = yield* complete(ex)
      expect(Either.isRight(r)).toBe(true)
      expect(ex.head).toEqual({ status: 200, reason: "", rawHeaders: ["content-length", "5", "server", "double"] })
      expect(body(ex)).toBe("hello")
      expect(ex.rawTrailers).toEqual(["x-checksum", "abc"])
      expect(conn.release(ex)).toBe(true)
      expect(conn.status).toBe("idle")
      expect(conn.protocol).toBe("h3")
    }))

  it.effect("a streamed body goes as DATA frames, trailers as a last HEADERS; a bytes body with the head", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = conn.begin(request({ method: "POST", bodySize: undefined, body: { _tag: "Stream" } }), "collect", wheel)
      yield* ex.write(Buffer.from("ab"))
      yield* ex.write(Buffer.from("cd"))
      yield* ex.end(["X-Sum", "9"])
      const ex2 = conn.begin(request({ method: "PUT", bodySize: 3, body: { _tag: "Bytes", bytes: Buffer.from("xyz") } }), "collect", wheel)
      yield* tick
      const [s1, s2] = session.requests()
      expect(s1.fin).toBe(true)
      expect(s1.frames().slice(1)).toEqual([{ type: "data", text: "abcd" }, { type: "headers", fields: ["x-sum", "9"] }])
      expect(s2.frames()[0]).toMatchObject({ type: "headers" })
      expect((s2.frames()[0] as { fields: Array<string> }).fields.slice(-2)).toEqual(["content-length", "3"])
      expect(s2.frames()[1]).toEqual({ type: "data", text: "xyz" })
      expect(ex2.requestSent).toBe(true)
    }))

  it.effect("a streamed body over its declared length, or short of it at the end, fails InvalidRequest body; the stream is reset", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const over = conn.begin(request({ method: "POST", bodySize: 2, body: { _tag: "Stream" } }), "collect", wheel)
      const short = conn.begin(request({ method: "POST", bodySize: 2, body: { _tag: "Stream" } }), "collect", wheel)
      yield* tick
      expect(yield* Effect.flip(over.write(Buffer.from("abc")))).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
      expect(session.requests()[0].resetCode).toBe(0x10c)
      yield* short.write(Buffer.from("a"))
      expect(yield* Effect.flip(short.end())).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
      expect(yield* Effect.flip(short.end(["x-t", "1"]))).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
    }))

  it.effect("1xx heads are informational; the final head follows", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      const [s] = session.requests()
      s.send(headersFrame([":status", "103", "link", "</a.css>"]))
      s.send(headersFrame([":status", "204"]))
      s.end()
      yield* complete(ex)
      expect(ex.informational.map((h) => h.status)).toEqual([103])
      expect(ex.head?.status).toBe(204)
    }))

  it.effect("queues requests past the peer's stream credit, and opens them as credit comes back", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(1)
      expect(conn.capacity).toBe(1)
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      const c = begin(conn, wheel)
      yield* tick
      expect(session.requests().length).toBe(1)
      expect(b.requestSent).toBe(false)
      expect(conn.streams).toBe(3)
      expect(conn.free).toBe(0)
      session.grant(1)
      yield* tick
      expect(session.requests().length).toBe(2)
      expect(b.requestSent).toBe(true)
      expect(c.requestSent).toBe(false)
      for (const [i, s] of session.requests().entries()) {
        s.send(headersFrame([":status", "200"]))
        s.send(dataFrame(`r${i}`))
        s.end()
      }
      yield* complete(a)
      yield* complete(b)
      session.grant(1)
      yield* tick
      const s3 = session.requests()[2]
      s3.send(headersFrame([":status", "200"]))
      s3.end()
      yield* complete(c)
      expect([body(a), body(b)]).toEqual(["r0", "r1"])
      expect(c.head?.status).toBe(200)
    }))

  it.effect("GOAWAY: draining; the requests at or above its stream ID fail retryable (H3_REQUEST_REJECTED), the others finish", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(1)
      let changed = 0
      conn.onChange = () => changed++
      const a = begin(conn, wheel)
      const queued = begin(conn, wheel)
      session.grant(1)
      const c = begin(conn, wheel)
      yield* tick
      expect(session.requests().map((s) => s.id)).toEqual([0, 4])
      session.serverControl([0x06, 1000], goawayFrame(4))
      yield* tick
      expect(conn.status).toBe("draining")
      expect(conn.isAvailable).toBe(false)
      expect(changed).toBe(1)
      const e = yield* failure(queued)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "stream-reset", code: 0x10b, codeName: "H3_REQUEST_REJECTED" })
      expect(isRetryable(e)).toBe(true)
      expect(staleRetryable(e, { body: { _tag: "None" }, idempotent: false } as never)).toBe(true)
      const e2 = yield* failure(c)
      expect(e2).toMatchObject({ _tag: "ConnectionClosed", requestSent: false })
      const s0 = session.requests()[0]
      s0.send(headersFrame([":status", "200"]))
      s0.end()
      expect(Either.isRight(yield* complete(a))).toBe(true)
      conn.release(a)
      yield* tick
      expect(conn.status).toBe("closed")
      expect(session.closedWith).toBe(0x100)
    }))

  it.effect("a server reset is a typed stream-reset with the H3 code; the connection goes on", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      session.requests()[0].serverReset(0x102)
      const e = yield* failure(ex)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "stream-reset", code: 0x102, codeName: "H3_INTERNAL_ERROR" })
      expect(e.message).toContain("HTTP/3 stream")
      expect(isRetryable(e)).toBe(false)
      expect(conn.isAvailable).toBe(true)
    }))

  it.effect("recvTimeout runs on the Effect Clock: a silent stream fails with RecvTimeout and is reset (H3_REQUEST_CANCELLED)", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel, { recvTimeout: 1000 })
      yield* tick
      yield* TestClock.adjust("999 millis")
      expect(ex.settled).toBe(false)
      yield* TestClock.adjust("2 millis")
      const e = yield* failure(ex)
      expect(e).toMatchObject({ _tag: "RecvTimeout", phase: "headers", timeoutMillis: 1000 })
      expect(session.requests()[0].resetCode).toBe(0x10c)
      yield* tick
      expect(conn.streams).toBe(0)
    }))

  it.effect("a frame error (DATA before HEADERS) is a connection error: closed with H3_FRAME_UNEXPECTED, every request fails typed", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      let closed = 0
      conn.onClosed = () => closed++
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      yield* tick
      session.requests()[0].send(dataFrame("x"))
      const e = yield* failure(a)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "h3-frame-unexpected", codeName: "H3_FRAME_UNEXPECTED" })
      expect(yield* failure(b)).toMatchObject({ _tag: "ProtocolError", reason: "h3-frame-unexpected" })
      expect(session.closedWith).toBe(0x105)
      expect(conn.status).toBe("closed")
      expect(closed).toBe(1)
      expect(conn.streams).toBe(0)
    }))

  it.effect("a malformed response is a stream error (h3-message-error): the connection goes on", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      const s = session.requests()[0]
      s.send(headersFrame([":status", "200", "Upper", "x"]))
      expect(yield* failure(ex)).toMatchObject({ _tag: "ProtocolError", reason: "h3-message-error" })
      expect(s.resetCode).toBe(0x10c)
      expect(conn.isAvailable).toBe(true)
      const ex2 = begin(conn, wheel)
      yield* tick
      const s2 = session.requests()[1]
      s2.send(headersFrame([":status", "200", "content-length", "4"]))
      s2.send(dataFrame("abc"))
      s2.end()
      expect(yield* failure(ex2)).toMatchObject({ _tag: "ProtocolError", reason: "h3-message-error" })
    }))

  it.effect("a header section over maxHeaderSize fails header-section-too-large; too many fields too-many-headers", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const big = begin(conn, wheel, { headLimits: requestHeadLimits({ maxHeaderSize: 100 }) })
      const many = begin(conn, wheel, { headLimits: requestHeadLimits({ maxHeaderCount: 2 }) })
      yield* tick
      const [s1, s2] = session.requests()
      s1.send(headersFrame([":status", "200", "x-big", "v".repeat(200)]))
      s2.send(headersFrame([":status", "200", "a", "1", "b", "2", "c", "3"]))
      expect(yield* failure(big)).toMatchObject({ _tag: "ProtocolError", reason: "header-section-too-large" })
      expect(yield* failure(many)).toMatchObject({ _tag: "ProtocolError", reason: "too-many-headers" })
      expect(conn.isAvailable).toBe(true)
    }))

  it.effect("the peer's streams by type: a push stream is h3-id-error, a second control stream h3-stream-creation-error", () =>
    Effect.gen(function*() {
      for (const [bytes, reason, code] of [
        [Uint8Array.of(0x01, 0x00), "h3-id-error", 0x108],
        [undefined, "h3-stream-creation-error", 0x103]
      ] as const) {
        const { session, conn, wheel } = yield* setup()
        const ex = begin(conn, wheel)
        session.serverControl()
        if (bytes !== undefined) session.serverUni(bytes)
        else session.serverControl()
        yield* tick
        expect(yield* failure(ex)).toMatchObject({ _tag: "ProtocolError", reason })
        expect(session.closedWith).toBe(code)
      }
    }))

  it.effect("the control stream must start with SETTINGS (h3-missing-settings) and never end (h3-closed-critical-stream); unknown stream types are refused", () =>
    Effect.gen(function*() {
      const one = yield* setup()
      one.session.serverUni(Uint8Array.from([0x00, ...goawayFrame(0)]))
      yield* tick
      expect(one.session.closedWith).toBe(0x10a)
      const two = yield* setup()
      two.session.serverControl().end()
      yield* tick
      expect(two.session.closedWith).toBe(0x104)
      const three = yield* setup()
      const unknown = three.session.serverUni(Uint8Array.of(0x21, 1, 2, 3))
      three.session.serverUni(Uint8Array.of(0x02, 0x20)) // QPACK encoder: Set Dynamic Table Capacity 0
      yield* tick
      expect(unknown.resetCode).toBe(0x103)
      expect(three.session.closedWith).toBe(undefined)
      expect(three.conn.isAvailable).toBe(true)
      const four = yield* setup()
      four.session.serverUni(Uint8Array.of(0x02, 0x3f, 0x01)) // capacity 32 > 0
      yield* tick
      expect(four.session.closedWith).toBe(0x201)
    }))

  it.effect("the server closing the connection with an H3 error: session-error with the code; without one: ConnectionClosed", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      session.serverClose({ app: true, code: 0x101 })
      const e = yield* failure(ex)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "session-error", code: 0x101, codeName: "H3_GENERAL_PROTOCOL_ERROR" })
      expect(e.message).toContain("HTTP/3 connection failed")
      expect(conn.status).toBe("closed")
      const two = yield* setup()
      const ex2 = begin(two.conn, two.wheel)
      yield* tick
      two.session.serverClose({ idle: true, byPeer: false })
      expect(yield* failure(ex2)).toMatchObject({ _tag: "ConnectionClosed", requestSent: true })
      expect(begin(two.conn, two.wheel).error).toMatchObject({ _tag: "ConnectionClosed", requestSent: false })
    }))

  it.effect("stream mode: reading stops above the high-water mark and resumes when the reader drains", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel, {}, "stream")
      yield* tick
      const s = session.requests()[0]
      s.send(headersFrame([":status", "200"]))
      const chunk = new Uint8Array(64 * 1024)
      for (let i = 0; i < 16; i++) s.send(dataFrame(chunk))
      s.end()
      yield* tick
      yield* Effect.promise(() => settle(20))
      // 256 KiB buffered at most (plus one read), the rest left with the peer.
      expect(ex.buffered).toBeGreaterThan(256 * 1024)
      expect(ex.buffered).toBeLessThan(400 * 1024)
      expect(s.queued.length).toBeGreaterThan(0)
      let total = 0
      while (!ex.complete) {
        total += ex.takeChunks().reduce((n, c) => n + c.length, 0)
        yield* ex.waitFor(ex.hasData)
      }
      total += ex.takeChunks().reduce((n, c) => n + c.length, 0)
      expect(total).toBe(16 * 64 * 1024)
    }))

  it.effect("close() and interruption leave nothing open: every stream reset or ended, the QUIC connection closed", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(1)
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      yield* tick
      conn.release(a)
      expect(session.requests()[0].resetCode).toBe(0x10c)
      conn.close()
      expect(yield* failure(b)).toMatchObject({ _tag: "ConnectionClosed", requestSent: false })
      expect(conn.streams).toBe(0)
      expect(session.closedWith).toBe(0x100)
      expect(session.onActivity).toBe(undefined)
    }))

  it.effect("a streamed body waits for the stream to open (queued for credit), then goes out", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(0)
      const ex = conn.begin(request({ method: "POST", bodySize: 2, body: { _tag: "Stream" } }), "collect", wheel)
      const writer = yield* Effect.fork(Effect.zipRight(ex.write(Buffer.from("hi")), ex.end()))
      yield* tick
      expect(session.requests().length).toBe(0)
      session.grant(1)
      yield* tick
      yield* Effect.promise(() => settle(10))
      const s = session.requests()[0]
      expect(s.frames().slice(1)).toEqual([{ type: "data", text: "hi" }])
      expect(s.fin).toBe(true)
      expect(writer.unsafePoll()).toBeDefined()
    }))
})
