/**
 * The HTTP/3 connection driver's state and edges (`H3Connection`, `H3Stream`, the peer's
 * streams), over the in-memory QUIC double (test/support/quicDouble.ts): what the pool reads of
 * it (status, capacity, free, idleSince, info, toJSON), what its requests carry, and how each way
 * of ending fails its requests. Deterministic, no UDP (Http3.driver.test.ts has the main flows).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import type { Request } from "../src/internal/connection/connection.js"
import { H3Connection } from "../src/internal/connection/h3Connection.js"
import { h3CodeName, h3ProtocolError, isStreamError } from "../src/internal/connection/h3Errors.js"
import { h3Error } from "../src/internal/http3/error.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import { readVarint } from "../src/internal/http3/varint.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import type { TimerWheel } from "../src/internal/timer/wheel.js"
import type { MemStream } from "./support/quicDouble.js"
import { complete, dataFrame, failure, goawayFrame, headersFrame, MemSession, openDriver, tick } from "./support/quicDouble.js"

const request = (over: Partial<Request> = {}): Request => ({
  method: "GET",
  target: "/",
  authority: "example.test",
  rawHeaders: [],
  bodySize: 0,
  h1: undefined,
  href: "https://example.test/",
  body: { _tag: "None" },
  maxBodySize: 1 << 30,
  recvTimeout: 5000,
  headLimits: undefined,
  ...over
})

const setup = (credit = 100, headLimits = defaultHeadLimits) => openDriver(credit, headLimits, "GET", "https://example.test/")

const begin = (conn: H3Connection, wheel: TimerWheel, over: Partial<Request> = {}, mode: "collect" | "stream" = "collect") =>
  conn.begin(request(over), mode, wheel)

/** The header fields of the request's first frame. */
const headFields = (s: MemStream): Array<string> => (s.frames()[0] as { fields: Array<string> }).fields

const answer = (s: MemStream, fields: ReadonlyArray<string> = [":status", "200"], body?: string) => {
  s.send(headersFrame(fields))
  if (body !== undefined) s.send(dataFrame(body))
  s.end()
}

describe("H3Connection: what the pool reads", () => {
  it.effect("status idle → active → idle; free counts the capacity left; idleSince is the Clock time it went idle", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("1 second")
      const { session, conn, wheel } = yield* setup(3)
      expect(conn.idleSince).toBe(1000)
      expect(conn.capacity).toBe(3)
      expect([conn.status, conn.free, conn.streams, conn.isTls]).toEqual(["idle", 3, 0, true])
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      expect([conn.status, conn.free, conn.streams]).toEqual(["active", 1, 2])
      yield* tick
      yield* TestClock.adjust("1 second")
      answer(session.requests()[0], [":status", "200"], "a")
      yield* complete(a)
      conn.release(a)
      yield* tick
      // One still in flight: not idle, idleSince unchanged.
      expect([conn.status, conn.free, conn.idleSince]).toEqual(["active", 2, 1000])
      yield* TestClock.adjust("1 second")
      answer(session.requests()[1])
      yield* complete(b)
      expect(conn.release(b)).toBe(true)
      yield* tick
      expect([conn.status, conn.free, conn.streams, conn.idleSince]).toEqual(["idle", 3, 0, 3000])
    }))

  it.effect("the capacity is the peer's stream credit when it opened, at least 1", () =>
    Effect.gen(function*() {
      expect((yield* setup(0)).conn.capacity).toBe(1)
      expect((yield* setup(1)).conn.capacity).toBe(1)
      expect((yield* setup(7)).conn.capacity).toBe(7)
    }))

  it.effect("free is 0 once draining or closed, whatever the room", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(5)
      begin(conn, wheel)
      yield* tick
      session.serverControl([], goawayFrame(100))
      yield* tick
      expect([conn.status, conn.free, conn.isAvailable]).toEqual(["draining", 0, false])
      conn.close()
      expect([conn.status, conn.free]).toEqual(["closed", 0])
    }))

  it.effect("info: ALPN h3, TLS, the QUIC addresses; no certificate from the double; ref/unref go to the session", () =>
    Effect.gen(function*() {
      const { session, conn } = yield* setup()
      expect(conn.info.alpn).toBe("h3")
      expect(conn.info.tls).toBe(true)
      expect(conn.info.remoteAddress).toBe("127.0.0.1")
      expect(conn.info.peername).toEqual({ address: "127.0.0.1", family: "IPv4", port: 443 })
      expect(conn.info.sockname).toEqual({ address: "127.0.0.1", family: "IPv4", port: 50000 })
      expect(conn.info.peercert).toBeUndefined()
      const v6 = Object.assign(new MemSession(), { remoteAddress: "::1", remotePort: undefined, localAddress: undefined })
      const c6 = new H3Connection(v6, { headLimits: defaultHeadLimits, wheel: wheelFor((yield* Effect.clock)) })
      expect(c6.info.peername).toEqual({ address: "::1", family: "IPv6", port: 0 })
      expect(c6.info.sockname).toBeUndefined()
      conn.ref()
      conn.ref()
      conn.unref()
      expect(session.refs).toBe(1)
    }))

  it.effect("toJSON: protocol, status, requests, streams, queued, capacity, the GOAWAY ID once one came", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(1)
      begin(conn, wheel)
      begin(conn, wheel)
      yield* tick
      const j = conn.toJSON() as Record<string, unknown>
      expect(j).toMatchObject({ protocol: "h3", status: "active", requests: 2, streams: 2, queued: 1, capacity: 1, goawayId: undefined })
      expect((j.exchanges as Array<unknown>).length).toBe(2)
      session.serverControl([], goawayFrame(8))
      yield* tick
      expect(conn.toJSON()).toMatchObject({ status: "draining", goawayId: 8, queued: 0 })
    }))

  it.effect("the critical streams: a control stream with our SETTINGS_MAX_FIELD_SECTION_SIZE (the pool's maxHeaderSize)", () =>
    Effect.gen(function*() {
      const { session } = yield* setup(1, { ...defaultHeadLimits, maxHeaderSize: 1234 })
      yield* tick
      const control = session.uniStreams()[0].bytes()
      // type 0x00, SETTINGS 0x04, length, then pairs: 0x06 → 1234 (2-byte varint 0x44d2).
      expect(control[0]).toBe(0x00)
      expect(control[1]).toBe(0x04)
      const payload = control.subarray(3, 3 + control[2])
      expect(readVarint(payload, 0)).toBe(0x06)
      expect(readVarint(payload, 1)).toBe(1234)
    }))

  it.effect("open: a session whose streams cannot be opened is closed, and the failure is ConnectionClosed before sending", () =>
    Effect.gen(function*() {
      const session = new MemSession()
      session.openUni = () => {
        throw new Error("no streams")
      }
      const wheel = wheelFor(yield* Effect.clock)
      const e = yield* Effect.flip(H3Connection.open(session, { headLimits: defaultHeadLimits, wheel, method: "GET", url: "https://x.test/" }))
      expect(e).toMatchObject({ _tag: "ConnectionClosed", requestSent: false, method: "GET", url: "https://x.test/" })
      expect(session.closedWith).toBe(0x100)
      const ok = yield* H3Connection.open(new MemSession(), { headLimits: defaultHeadLimits, wheel })
      expect(ok.status).toBe("idle")
    }))
})

describe("H3Connection: the request's head", () => {
  it.effect("content-length: sent for a body, and for an empty POST, PUT or PATCH; not for an empty GET or an unknown length", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const cases: Array<[Partial<Request>, string | undefined]> = [
        [{ method: "GET", bodySize: 0 }, undefined],
        [{ method: "DELETE", bodySize: 0 }, undefined],
        [{ method: "POST", bodySize: 0 }, "0"],
        [{ method: "PUT", bodySize: 0 }, "0"],
        [{ method: "PATCH", bodySize: 0 }, "0"],
        [{ method: "GET", bodySize: 2, body: { _tag: "Bytes", bytes: Buffer.from("ab") } }, "2"],
        [{ method: "POST", bodySize: undefined, body: { _tag: "Stream" } }, undefined]
      ]
      for (const [over] of cases) begin(conn, wheel, over)
      yield* tick
      const got = session.requests().map((s) => {
        const f = headFields(s)
        const i = f.indexOf("content-length")
        return i < 0 ? undefined : f[i + 1]
      })
      expect(got).toEqual(cases.map(([, cl]) => cl))
    }))

  it.effect("an empty bytes body sends no DATA frame; the request ends with the head", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel, { method: "POST", bodySize: 0, body: { _tag: "Bytes", bytes: new Uint8Array(0) } })
      yield* tick
      const s = session.requests()[0]
      expect(s.frames().length).toBe(1)
      expect(s.fin).toBe(true)
      expect(ex.bodySent).toBe(0)
    }))

  it.effect("a head over the peer's SETTINGS_MAX_FIELD_SECTION_SIZE fails InvalidRequest header-value before any stream opens", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      // The default request's head: 4 pseudo-header fields of 178 bytes as RFC 9114 §4.2.2 counts them.
      session.serverControl([0x06, 178])
      yield* tick
      expect(conn.peerSettings?.maxFieldSectionSize).toBe(178)
      const big = begin(conn, wheel, { rawHeaders: ["x", ""] })
      expect(big.error).toMatchObject({ _tag: "InvalidRequest", reason: "header-value" })
      expect(big.error?.message).toContain("the request's header section is 211 bytes, over the server's SETTINGS_MAX_FIELD_SECTION_SIZE (178)")
      // A head exactly at the limit goes out.
      const small = begin(conn, wheel)
      expect(small.error).toBeUndefined()
      yield* tick
      expect(session.requests().length).toBe(1)
      expect(conn.streams).toBe(1)
    }))

  it.effect("reused: the first request on the connection is not, the next ones are", () =>
    Effect.gen(function*() {
      const { conn, wheel } = yield* setup()
      expect(begin(conn, wheel).reused).toBe(false)
      expect(begin(conn, wheel).reused).toBe(true)
      expect(conn.requests).toBe(2)
    }))
})

describe("H3Connection: ending", () => {
  it.effect("after a connection error, a new request fails with that error (not a plain ConnectionClosed)", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const a = begin(conn, wheel)
      yield* tick
      session.requests()[0].send(dataFrame("x"))
      expect(yield* failure(a)).toMatchObject({ reason: "h3-frame-unexpected" })
      const b = begin(conn, wheel)
      expect(b.error).toMatchObject({ _tag: "ProtocolError", reason: "h3-frame-unexpected", method: "GET", url: "https://example.test/" })
    }))

  it.effect("a server-initiated bidirectional stream is H3_STREAM_CREATION_ERROR: the stream is reset, the connection closed", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      const s = session.serverBidi()
      expect(s.resetCode).toBe(0x103)
      expect(session.closedWith).toBe(0x103)
      expect(yield* failure(ex)).toMatchObject({ _tag: "ProtocolError", reason: "h3-stream-creation-error", code: 0x103 })
    }))

  it.effect("a stream the peer opens after the connection closed is reset with H3_NO_ERROR, and changes nothing", () =>
    Effect.gen(function*() {
      const { session, conn } = yield* setup()
      conn.close()
      const s = session.serverUni(Uint8Array.of(0x00))
      expect(s.resetCode).toBe(0x100)
      expect(session.closedWith).toBe(0x100)
    }))

  it.effect("the server closing with H3_NO_ERROR, or with a transport code, is ConnectionClosed, not session-error", () =>
    Effect.gen(function*() {
      for (const info of [{ app: true, code: 0x100 }, { app: false, code: 0x1 }, { app: true, code: 0x101, byPeer: false }]) {
        const { session, conn, wheel } = yield* setup()
        const ex = begin(conn, wheel)
        yield* tick
        session.serverClose(info)
        expect(yield* failure(ex)).toMatchObject({ _tag: "ConnectionClosed" })
        expect(conn.status).toBe("closed")
        // Closing is once: a second end changes nothing.
        session.serverClose({ app: true, code: 0x101 })
        expect(conn.status).toBe("closed")
      }
    }))

  it.effect("close is idempotent: onClosed is called once, the session closed once; abort fails the open requests with its error", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      let closed = 0
      conn.onClosed = () => closed++
      const ex = begin(conn, wheel)
      yield* tick
      const why = h3ProtocolError(h3Error("H3_INTERNAL_ERROR", "test"), "GET", "https://example.test/")
      conn.abort(why)
      conn.close()
      expect(closed).toBe(1)
      expect(yield* failure(ex)).toBe(why)
      expect(session.closedWith).toBe(0x100)
    }))

  it.effect("GOAWAY: a later GOAWAY with a higher ID changes nothing; a lower one rejects more; the connection closes when the last request ends", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      let changes = 0
      conn.onChange = () => changes++
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      const c = begin(conn, wheel)
      yield* tick
      expect(session.requests().map((s) => s.id)).toEqual([0, 4, 8])
      const control = session.serverControl([], goawayFrame(8))
      yield* tick
      expect(conn.goawayId).toBe(8)
      expect(yield* failure(c)).toMatchObject({ reason: "stream-reset", code: 0x10b })
      // The same ID again (a higher one is the frame reader's H3_ID_ERROR): nothing changes.
      control.send(goawayFrame(8))
      yield* tick
      expect(conn.goawayId).toBe(8)
      expect(changes).toBe(1)
      control.send(goawayFrame(4))
      yield* tick
      expect(conn.goawayId).toBe(4)
      expect(changes).toBe(2)
      expect(yield* failure(b)).toMatchObject({ reason: "stream-reset", codeName: "H3_REQUEST_REJECTED" })
      expect(conn.status).toBe("draining")
      answer(session.requests()[0])
      expect(Either.isRight(yield* complete(a))).toBe(true)
      conn.release(a)
      yield* tick
      expect(conn.status).toBe("closed")
    }))

  it.effect("GOAWAY with no request open closes the connection at once", () =>
    Effect.gen(function*() {
      const { session, conn } = yield* setup()
      let closed = 0
      conn.onClosed = () => closed++
      session.serverControl([], goawayFrame(0))
      yield* tick
      expect(conn.status).toBe("closed")
      expect(closed).toBe(1)
    }))

  it.effect("a stream the server resets at or above the GOAWAY ID is H3_REQUEST_REJECTED whatever its code", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const a = begin(conn, wheel)
      const b = begin(conn, wheel)
      yield* tick
      session.serverControl([], goawayFrame(4))
      yield* tick
      // b (id 4) is failed by the GOAWAY itself; a (id 0) reset by the server keeps its own code.
      session.requests()[0].serverReset(0x102)
      expect(yield* failure(a)).toMatchObject({ reason: "stream-reset", code: 0x102 })
      expect(yield* failure(b)).toMatchObject({ reason: "stream-reset", code: 0x10b })
    }))
})

describe("H3Stream: the response", () => {
  it.effect("content-length is checked against the DATA for a 200, not for HEAD, 204 or 304, nor a non-numeric value", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const cases: Array<[Partial<Request>, Array<string>, string, boolean]> = [
        [{}, [":status", "200", "content-length", "3"], "ab", false],
        [{}, [":status", "200", "content-length", "2"], "ab", true],
        [{ method: "HEAD" }, [":status", "200", "content-length", "3"], "", true],
        [{}, [":status", "204", "content-length", "3"], "", true],
        [{}, [":status", "304", "content-length", "3"], "", true],
        [{}, [":status", "200", "content-length", "x3"], "ab", true],
        [{}, [":status", "200", "content-length", "1234567890123456"], "ab", true]
      ]
      const exs = cases.map(([over]) => begin(conn, wheel, over))
      yield* tick
      for (const [i, s] of session.requests().entries()) answer(s, cases[i][1], cases[i][2] === "" ? undefined : cases[i][2])
      const ok = []
      for (const ex of exs) ok.push(Either.isRight(yield* complete(ex)))
      expect(ok).toEqual(cases.map((c) => c[3]))
    }))

  it.effect("a response ending without a final head (only a 1xx) is h3-message-error; the connection goes on", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel)
      yield* tick
      answer(session.requests()[0], [":status", "103"])
      expect(yield* failure(ex)).toMatchObject({ _tag: "ProtocolError", reason: "h3-message-error" })
      expect(conn.isAvailable).toBe(true)
    }))

  it.effect("maxBodySize: DATA past it fails BodyTooLarge (response) and resets the stream", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const at = begin(conn, wheel, { maxBodySize: 4 })
      const over = begin(conn, wheel, { maxBodySize: 4 })
      yield* tick
      const [s1, s2] = session.requests()
      answer(s1, [":status", "200"], "abcd")
      answer(s2, [":status", "200"], "abcde")
      expect(Either.isRight(yield* complete(at))).toBe(true)
      expect(yield* failure(over)).toMatchObject({ _tag: "BodyTooLarge", limit: 4, direction: "response" })
      expect(s2.resetCode).toBe(0x10c)
    }))

  it.effect("DATA after the trailers, or HEADERS after the trailers, is H3_FRAME_UNEXPECTED (a connection error)", () =>
    Effect.gen(function*() {
      for (const late of [dataFrame("x"), headersFrame(["x-more", "1"])]) {
        const { session, conn, wheel } = yield* setup()
        const ex = begin(conn, wheel)
        yield* tick
        const s = session.requests()[0]
        s.send(headersFrame([":status", "200"]))
        s.send(headersFrame(["x-t", "1"]))
        s.send(late)
        expect(yield* failure(ex)).toMatchObject({ _tag: "ProtocolError", reason: "h3-frame-unexpected" })
        expect(session.closedWith).toBe(0x105)
      }
    }))

  it.effect("trailers over maxHeaderSize are trailer-section-too-large; malformed trailers (a pseudo-header) h3-message-error", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup(10, { ...defaultHeadLimits, maxHeaderSize: 200 })
      const big = begin(conn, wheel)
      const bad = begin(conn, wheel)
      yield* tick
      const [s1, s2] = session.requests()
      s1.send(headersFrame([":status", "200"]))
      s1.send(headersFrame(["x-t", "v".repeat(300)]))
      s2.send(headersFrame([":status", "200"]))
      s2.send(headersFrame([":status", "200"]))
      const e = yield* failure(big)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "trailer-section-too-large" })
      expect(yield* failure(bad)).toMatchObject({ _tag: "ProtocolError", reason: "h3-message-error" })
      expect(conn.isAvailable).toBe(true)
    }))

  it.effect("the connection's headObserver sees each final head (not a 1xx); stream mode wakes the reader at the head", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const seen: Array<number> = []
      conn.headObserver = (h) => seen.push(h.status)
      const ex = begin(conn, wheel, {}, "stream")
      yield* tick
      const s = session.requests()[0]
      s.send(headersFrame([":status", "100"]))
      s.send(headersFrame([":status", "201", "alt-svc", "clear"]))
      yield* ex.waitFor(() => ex.head !== undefined)
      expect(ex.complete).toBe(false)
      expect(seen).toEqual([201])
    }))

  it.effect("recvTimeout: every frame re-arms it; a paused (full) stream does not time out; Infinity never does", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = begin(conn, wheel, { recvTimeout: 1000 })
      const never = begin(conn, wheel, { recvTimeout: Infinity })
      yield* tick
      const s = session.requests()[0]
      yield* TestClock.adjust("900 millis")
      s.send(headersFrame([":status", "200"]))
      yield* tick
      yield* TestClock.adjust("900 millis")
      s.send(dataFrame("a"))
      yield* tick
      yield* TestClock.adjust("900 millis")
      expect(ex.settled).toBe(false)
      yield* TestClock.adjust("200 millis")
      expect(yield* failure(ex)).toMatchObject({ _tag: "RecvTimeout", phase: "body", timeoutMillis: 1000 })
      yield* TestClock.adjust("1 hour")
      expect(never.settled).toBe(false)
    }))

  it.effect("the stream's reads end with an error of our own (not the peer's reset): ConnectionClosed, the stream reset", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = conn.begin(request({ method: "POST", bodySize: undefined, body: { _tag: "Stream" } }), "collect", wheel)
      yield* tick
      const s = session.requests()[0]
      // The double errors the readable with a non-peer value (as a local cancel does).
      ;(s as unknown as { errored: unknown }).errored = new Error("socket gone")
      s.send(new Uint8Array(0))
      const e = yield* failure(ex)
      expect(e).toMatchObject({ _tag: "ConnectionClosed", requestSent: true })
      expect(s.resetCode).toBe(0x10c)
    }))

  it.effect("abandoning the body (the response came first) resets the stream with H3_REQUEST_CANCELLED", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = conn.begin(request({ method: "POST", bodySize: undefined, body: { _tag: "Stream" } }), "collect", wheel)
      yield* ex.write(Buffer.from("part"))
      yield* tick
      const s = session.requests()[0]
      answer(s, [":status", "413"])
      yield* complete(ex)
      expect(ex.head?.status).toBe(413)
      conn.release(ex)
      yield* tick
      expect(s.resetCode).toBe(0x10c)
      expect(s.fin).toBe(false)
      expect(conn.streams).toBe(0)
    }))

  it.effect("a body write after the stream closed fails (ConnectionClosed); writing an empty chunk sends nothing", () =>
    Effect.gen(function*() {
      const { session, conn, wheel } = yield* setup()
      const ex = conn.begin(request({ method: "POST", bodySize: undefined, body: { _tag: "Stream" } }), "collect", wheel)
      yield* ex.write(new Uint8Array(0))
      yield* tick
      const s = session.requests()[0]
      expect(s.frames().length).toBe(1)
      conn.close()
      const e = yield* Effect.flip(ex.write(Buffer.from("x")))
      expect(e._tag).toBe("ConnectionClosed")
    }))
})

describe("h3Errors", () => {
  it("names a code by the RFC, or UNKNOWN_0x…", () => {
    expect(h3CodeName(0x10b)).toBe("H3_REQUEST_REJECTED")
    expect(h3CodeName(0x21)).toBe("UNKNOWN_0x21")
  })

  it("a stream error is a malformed message or an exceeded limit; every other error ends the connection", () => {
    expect(isStreamError(h3Error("H3_MESSAGE_ERROR", "x"))).toBe(true)
    expect(isStreamError(h3Error("H3_FRAME_ERROR", "x", "frame-size"))).toBe(true)
    expect(isStreamError(h3Error("H3_FRAME_ERROR", "x"))).toBe(false)
    expect(isStreamError(h3Error("QPACK_DECOMPRESSION_FAILED", "x"))).toBe(false)
  })

  it("a detected error becomes a ProtocolError: the RFC name in kebab case, the code; a size limit by its own reason", () => {
    const e = h3ProtocolError(h3Error("QPACK_DECOMPRESSION_FAILED", "bad"), "GET", "https://x.test/")
    expect(e).toMatchObject({ reason: "qpack-decompression-failed", code: 0x200, codeName: "QPACK_DECOMPRESSION_FAILED", detail: "bad" })
    const big = h3Error("H3_EXCESSIVE_LOAD", "big", "field-section-size")
    expect(h3ProtocolError(big, "GET", "u").reason).toBe("header-section-too-large")
    expect(h3ProtocolError(big, "GET", "u", true).reason).toBe("trailer-section-too-large")
    expect(h3ProtocolError(h3Error("H3_FRAME_ERROR", "f", "frame-size"), "GET", "u").reason).toBe("h3-frame-error")
  })
})
