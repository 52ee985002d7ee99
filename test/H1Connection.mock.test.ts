/**
 * The HTTP/1.1 driver over the in-memory transport (test/support/mockTransport.ts):
 * no socket, no server; the test plays the peer byte by byte. Deadlines run on
 * the TestClock. These are the driver's own tests: what it writes, how it
 * routes the parser's events to the exchange, when the connection stays
 * reusable and when it closes, and the exchange's waiters.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, TestClock } from "effect"
import { ConnectionClosed, RecvTimeout } from "../src/HackneyError.js"
import type { Request } from "../src/internal/connection/connection.js"
import { Exchange } from "../src/internal/connection/exchange.js"
import type { BodyMode } from "../src/internal/connection/exchange.js"
import type { ForwardProxy } from "../src/internal/connection/forwardProxy.js"
import { H1Connection, highWaterMark } from "../src/internal/connection/h1Connection.js"
import { requestHeadLimits } from "../src/internal/connection/headLimits.js"
import { Http1ParseError } from "../src/internal/http1/parser.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import type { HeadLimits } from "../src/internal/http1/types.js"
import { currentWheel, wheelFor } from "../src/internal/timer/wheel.js"
import type { TimerWheel } from "../src/internal/timer/wheel.js"
import { bytes, pausedReaderIsNotStalled, settle, streamBody, testRequest, text } from "./support/driver.js"
import { mockTransport } from "./support/mockTransport.js"

const head = "GET /items HTTP/1.1\r\nhost: example.test\r\n\r\n"
const url = "http://example.test/items"
const ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

/** A request as the engine gives it to `begin`: a GET of `url` without body, its head encoded as `head`. */
const request = (over: Partial<Request> = {}): Request => testRequest(url, { h1: head, ...over })

/** A connection over a mock transport (the TestClock's wheel unless `wheel` is given). */
const connection = (
  options: { readonly forward?: ForwardProxy; readonly headLimits?: HeadLimits; readonly wheel?: TimerWheel } = {}
) =>
  Effect.gen(function*() {
    const wheel = yield* currentWheel
    const { open, peer } = mockTransport()
    const conn = new H1Connection(open, { recvTimeout: 5000, ...options, wheel: options.wheel ?? wheel })
    /** Starts an exchange of `request(over)` on the TestClock's wheel; `bodyFollows` as the engine passes it. */
    const start = (over: Partial<Request> = {}, mode: BodyMode = "collect", bodyFollows = over.body?._tag === "Stream") =>
      conn.begin(request(over), mode, wheel, bodyFollows)
    return { conn, peer, start, socket: open.socket as unknown as { readable: boolean; writable: boolean } }
  })


describe("H1Connection over a mock transport", () => {
  it.effect("writes the request, reads a response fed byte by byte, and stays reusable", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const post = "POST /items HTTP/1.1\r\ncontent-length: 5\r\n\r\n"
      const ex = start({ method: "POST", h1: post, bodySize: 5, body: { _tag: "Bytes", bytes: bytes("hello") } })
      // Head and body leave in one flush.
      expect(peer.flushes()).toEqual([`${post}hello`])
      expect(ex.requestSent).toBe(true)
      expect(ex.requestDone).toBe(true)
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      yield* settle
      peer.sendBytewise("HTTP/1.1 200 OK\r\ncontent-length: 11\r\nx-a: b\r\n\r\nhello")
      expect(ex.head?.status).toBe(200)
      expect(ex.responseStarted).toBe(true)
      expect(done.unsafePoll()).toBeNull()
      peer.sendBytewise(" world")
      yield* Fiber.join(done)
      expect(text(ex.chunks)).toBe("hello world")
      expect(ex.head?.rawHeaders).toEqual(["content-length", "11", "x-a", "b"])
      expect(ex.keepAlive).toBe(true)
      expect(conn.release(ex)).toBe(true)
      expect(conn.isAvailable).toBe(true)
      expect(conn.info.peername).toEqual({ address: "127.0.0.1", family: "IPv4", port: 80 })
    }))

  it.effect("a head given as data is encoded by the driver once and kept on the request", () =>
    Effect.gen(function*() {
      const { conn, peer } = yield* connection()
      const r = request({ h1: undefined, rawHeaders: ["x-a", "1"] })
      const ex = conn.begin(r, "collect", yield* currentWheel, false)
      expect(peer.written()).toBe("GET /items HTTP/1.1\r\nHost: example.test\r\nx-a: 1\r\n\r\n")
      expect(r.h1).toBe(peer.written())
      expect(ex.method).toBe("GET")
      expect(ex.url).toBe(url)
    }))

  it.effect("a peer close mid-body fails the exchange with ConnectionClosed (response started), the parser's error as cause", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      expect(peer.written()).toBe(head)
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      peer.sendBytewise("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
      peer.end()
      const exit = yield* Fiber.await(done)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = ex.error
      expect(error?._tag).toBe("ConnectionClosed")
      if (error?._tag === "ConnectionClosed") {
        expect(error.requestSent).toBe(true)
        expect(error.responseStarted).toBe(true)
        expect(error.reused).toBe(false)
        expect(error.cause).toBeInstanceOf(Http1ParseError)
      }
      expect(conn.state).toBe("closed")
      expect(conn.isAvailable).toBe(false)
    }))

  it.effect("a reset before any response byte is ConnectionClosed with responseStarted false and the socket error as cause", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      peer.reset()
      const error = yield* Effect.flip(Fiber.join(done))
      expect(error._tag).toBe("ConnectionClosed")
      if (error._tag === "ConnectionClosed") {
        expect(error.responseStarted).toBe(false)
        expect(error.cause).toMatchObject({ code: "ECONNRESET" })
      }
      expect(conn.state).toBe("closed")
      expect(conn.closeCause).toMatchObject({ code: "ECONNRESET" })
    }))

  it.effect("a body read until the peer closes completes at the close, not reusable", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 200 OK\r\n\r\nabc")
      expect(ex.complete).toBe(false)
      peer.end()
      yield* ex.waitFor(ex.isComplete)
      expect(text(ex.chunks)).toBe("abc")
      expect(ex.keepAlive).toBe(false)
      expect(conn.release(ex)).toBe(false)
      expect(conn.state).toBe("closed")
    }))

  it.effect("stream mode pauses the transport above the high-water mark and resumes when drained", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start({ maxBodySize: 1 << 30 }, "stream")
      const body = 300 * 1024
      peer.send(`HTTP/1.1 200 OK\r\ncontent-length: ${body}\r\n\r\n`)
      peer.send(new Uint8Array(200 * 1024))
      expect(peer.paused()).toBe(false)
      peer.send(new Uint8Array(highWaterMark - 200 * 1024))
      // At the mark, not above it: still reading.
      expect(peer.paused()).toBe(false)
      peer.send(new Uint8Array(8 * 1024))
      expect(peer.paused()).toBe(true)
      // Bytes sent while paused wait in the transport.
      peer.send(new Uint8Array(body - 264 * 1024))
      expect(ex.received).toBe(264 * 1024)
      ex.takeChunks()
      expect(peer.paused()).toBe(false)
      yield* ex.waitFor(ex.isComplete)
      expect(ex.received).toBe(body)
    }))

  it.effect("releasing a paused stream exchange before its response ended closes the connection", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start({ maxBodySize: 1 << 30 }, "stream")
      peer.send(`HTTP/1.1 200 OK\r\ncontent-length: ${highWaterMark * 2}\r\n\r\n`)
      peer.send(new Uint8Array(highWaterMark + 1))
      expect(peer.paused()).toBe(true)
      peer.send(new Uint8Array(10))
      expect(conn.release(ex)).toBe(false)
      expect(conn.state).toBe("closed")
    }))

  it.effect("a connection's second exchange is marked reused; requests counts both", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      expect(conn.requests).toBe(0)
      const first = start()
      peer.send(ok)
      yield* first.waitFor(first.isComplete)
      expect(first.reused).toBe(false)
      expect(conn.release(first)).toBe(true)
      const second = start()
      expect(second.reused).toBe(true)
      expect(conn.requests).toBe(2)
    }))

  it.effect("contract: capacity 1, free and status follow the state; toJSON; ref and unref reach the socket", () =>
    Effect.gen(function*() {
      const { conn, peer, socket, start } = yield* connection()
      expect(conn.protocol).toBe("http/1.1")
      expect([conn.capacity, conn.streams, conn.free, conn.status, conn.isAvailable]).toEqual([1, 0, 1, "idle", true])
      const ex = start()
      expect([conn.free, conn.status, conn.isAvailable]).toEqual([0, "active", false])
      peer.send(ok)
      expect(conn.state).toBe("done")
      expect([conn.free, conn.status]).toEqual([0, "active"])
      expect(conn.toJSON()).toEqual({
        protocol: "http/1.1",
        state: "done",
        requests: 1,
        idleSince: 0,
        alpn: "http/1.1",
        tls: false,
        paused: false,
        exchange: ex.toJSON()
      })
      conn.unref()
      expect(peer.refd()).toBe(false)
      conn.ref()
      expect(peer.refd()).toBe(true)
      expect(conn.release(ex)).toBe(true)
      socket.writable = false
      expect([conn.isAvailable, conn.free]).toEqual([false, 0])
      socket.writable = true
      socket.readable = false
      expect(conn.isAvailable).toBe(false)
      socket.readable = true
      expect(conn.isAvailable).toBe(true)
      conn.close()
      expect([conn.free, conn.status, conn.isAvailable]).toEqual([0, "closed", false])
    }))

  it.effect("toJSON of an idle connection has no exchange", () =>
    Effect.gen(function*() {
      const { conn } = yield* connection()
      expect(conn.toJSON()).toMatchObject({ state: "idle", requests: 0, exchange: undefined })
    }))

  it.effect("begin: by default a body follows the head exactly when the request's body is a stream", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const streamed = yield* connection()
      const ex = streamed.conn.begin(request({ body: streamBody, bodySize: undefined }), "collect", wheel)
      expect(ex.requestDone).toBe(false)
      const plain = yield* connection()
      expect(plain.conn.begin(request(), "collect", wheel).requestDone).toBe(true)
      const sized = yield* connection()
      const bytesEx = sized.conn.begin(request({ bodySize: 2, body: { _tag: "Bytes", bytes: bytes("hi") } }), "collect", wheel)
      expect(bytesEx.requestDone).toBe(true)
    }))

  it.effect("the head and its body are written as latin1: a field value's obs-text byte stays one byte", () =>
    Effect.gen(function*() {
      const withObsText = "GET /items HTTP/1.1\r\nx-name: caf\u00e9\r\n\r\n"
      const bare = yield* connection()
      bare.start({ h1: withObsText })
      expect(Buffer.from(bare.peer.written(), "latin1").includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d]))).toBe(true)
      expect(bare.peer.written()).toBe(withObsText)
      const withBody = yield* connection()
      withBody.start({ h1: withObsText, bodySize: 1, body: { _tag: "Bytes", bytes: bytes("x") } })
      expect(withBody.peer.written()).toBe(`${withObsText}x`)
    }))

  it.effect("a socket destroyed elsewhere (close without end or error) closes the connection and fails the exchange", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      let closed = 0
      conn.onClosed = () => closed++
      const ex = start()
      peer.destroy()
      yield* settle
      expect(conn.state).toBe("closed")
      expect(closed).toBe(1)
      expect(ex.error).toBeInstanceOf(ConnectionClosed)
    }))

  it.effect("the peer closing inside the status line: ConnectionClosed (response started), not an incomplete-message parse error", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 20")
      peer.end()
      yield* settle
      expect(ex.error).toBeInstanceOf(ConnectionClosed)
      expect(ex.error).toMatchObject({ responseStarted: true })
      expect((ex.error as ConnectionClosed).cause).not.toBeInstanceOf(Http1ParseError)
    }))

  it.effect("collect mode never pauses the socket, whatever it buffers", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start({ maxBodySize: 1 << 30 })
      peer.send(`HTTP/1.1 200 OK\r\ncontent-length: ${highWaterMark * 2}\r\n\r\n`)
      peer.send(new Uint8Array(highWaterMark + 1))
      expect(peer.paused()).toBe(false)
      expect(ex.buffered).toBe(highWaterMark + 1)
    }))

  describe("through a forward proxy", () => {
    const forward = { proxy: "http://proxy.test:3128", authorization: "Basic dTpw" }

    it.effect("the head names the absolute URL and carries the proxy's credentials (a caller's own replaced)", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection({ forward })
        const ex = start({ rawHeaders: ["Proxy-Authorization", "Basic b2xk", "x-a", "1"] })
        expect(peer.written()).toBe(
          "GET http://example.test/items HTTP/1.1\r\nHost: example.test\r\nx-a: 1\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
        )
        peer.send(ok)
        yield* ex.waitFor(ex.isComplete)
        expect(conn.release(ex)).toBe(true)
      }))

    it.effect("a 407 from the proxy fails the request with ProxyError and closes the connection", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection({ forward })
        const ex = start()
        peer.send("HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"p\"\r\ncontent-length: 0\r\n\r\n")
        expect(ex.error).toMatchObject({ _tag: "ProxyError", reason: "auth-failed", status: 407, proxy: "http://proxy.test:3128", method: "GET", url })
        expect(ex.head).toBeUndefined()
        expect(conn.state).toBe("closed")
      }))

    it.effect("without a forward proxy a 407 is an ordinary response", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start()
        peer.send("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
        expect(ex.error).toBeUndefined()
        expect(ex.head?.status).toBe(407)
      }))
  })

  it.effect("idleSince is the Clock time of the last release", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      expect(conn.idleSince).toBe(0)
      const ex = start()
      peer.send(ok)
      yield* TestClock.adjust(1234)
      expect(conn.release(ex)).toBe(true)
      expect(conn.idleSince).toBe(1234)
    }))

  it.effect("releasing an exchange that is not the connection's own changes nothing and says whether it is available", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      const stranger = new Exchange("GET", url, "collect", 1, 0, conn)
      expect(conn.release(stranger)).toBe(false)
      expect(conn.state).toBe("active")
      peer.send(ok)
      expect(conn.release(ex)).toBe(true)
      expect(conn.release(stranger)).toBe(true)
      expect(conn.state).toBe("idle")
    }))

  it.effect("Connection: close in the response: the exchange completes without keep-alive, and release closes", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok")
      expect(ex.complete).toBe(true)
      expect(ex.keepAlive).toBe(false)
      expect(conn.release(ex)).toBe(false)
      expect(conn.state).toBe("closed")
    }))

  it.effect("a HEAD response's Content-Length announces no body: complete at the head, reusable", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start({ method: "HEAD", h1: "HEAD /items HTTP/1.1\r\n\r\n" })
      peer.send("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
      expect(ex.complete).toBe(true)
      expect(conn.release(ex)).toBe(true)
    }))

  it.effect("response trailers are kept on the exchange", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nx-t: 1\r\n\r\n")
      yield* ex.waitFor(ex.isComplete)
      expect(ex.rawTrailers).toEqual(["x-t", "1"])
      expect(text(ex.chunks)).toBe("ok")
    }))

  it.effect("the final head is told to the head observer; informational heads are kept, not observed", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const seen: Array<number> = []
      conn.headObserver = (h) => seen.push(h.status)
      const ex = start()
      peer.send("HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
      expect(seen).toEqual([200])
      expect(ex.informational.map((h) => [h.status, h.rawHeaders])).toEqual([[103, ["link", "</a>"]]])
    }))

  it.effect("an informational response wakes the reader (Expect: 100-continue waits on it)", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start()
      const waiting = yield* Effect.fork(ex.waitFor((e) => e.informational.length > 0))
      yield* settle
      peer.send("HTTP/1.1 100 Continue\r\n\r\n")
      yield* Fiber.join(waiting)
      expect(ex.head).toBeUndefined()
    }))

  it.effect("more than 100 informational responses fail the request with ProtocolError too-many-informational and close", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 102 Processing\r\n\r\n".repeat(100))
      expect(ex.error).toBeUndefined()
      peer.send("HTTP/1.1 102 Processing\r\n\r\n")
      expect(ex.error).toMatchObject({ _tag: "ProtocolError", reason: "too-many-informational" })
      expect(conn.state).toBe("closed")
    }))

  it.effect("stream mode wakes the reader at the head and at each chunk; collect mode only at the end", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const streamed = start({}, "stream")
      const atHead = yield* Effect.fork(streamed.waitFor(streamed.hasHead))
      yield* settle
      peer.send("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
      yield* settle
      expect(atHead.unsafePoll()).not.toBeNull()
      const atData = yield* Effect.fork(streamed.waitFor((e) => e.buffered > 0))
      yield* settle
      expect(atData.unsafePoll()).toBeNull()
      peer.send("o")
      yield* settle
      expect(atData.unsafePoll()).not.toBeNull()

      const other = yield* connection()
      const collected = other.start()
      const waiting = yield* Effect.fork(collected.waitFor(collected.hasHead))
      yield* settle
      other.peer.send("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\no")
      yield* settle
      expect(collected.head?.status).toBe(200)
      expect(waiting.unsafePoll()).toBeNull()
      other.peer.send("k")
      yield* Fiber.join(waiting)
    }))

  it.effect("a body over maxBodySize fails with BodyTooLarge and the connection closes; a body of exactly maxBodySize is fine", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start({ maxBodySize: 4 })
      peer.send("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
      expect(ex.error).toMatchObject({ _tag: "BodyTooLarge", limit: 4, direction: "response" })
      expect(ex.chunks).toEqual([])
      // The message's end in the same read does not complete a failed exchange.
      expect(ex.complete).toBe(false)
      yield* settle
      expect(conn.state).toBe("closed")

      const exact = yield* connection()
      const fits = exact.start({ maxBodySize: 5 })
      exact.peer.send("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
      yield* fits.waitFor(fits.isComplete)
      expect(fits.received).toBe(5)
      expect(fits.buffered).toBe(5)
    }))

  it.effect("a request's head limits, laid over the connection's, bound the response head", () =>
    Effect.gen(function*() {
      const twoFields = "HTTP/1.1 200 OK\r\na: 1\r\ncontent-length: 0\r\n\r\n"
      const own = yield* connection()
      const refused = own.start({ headLimits: requestHeadLimits({ maxHeaderCount: 1 }) })
      own.peer.send(twoFields)
      expect(refused.error).toMatchObject({ _tag: "ProtocolError", reason: "too-many-headers" })
      expect(own.conn.state).toBe("closed")

      const pooled = yield* connection({ headLimits: { ...defaultHeadLimits, maxHeaderCount: 1 } })
      const byPool = pooled.start()
      pooled.peer.send(twoFields)
      expect(byPool.error).toMatchObject({ _tag: "ProtocolError", reason: "too-many-headers" })

      const wider = yield* connection({ headLimits: { ...defaultHeadLimits, maxHeaderCount: 1 } })
      const fits = wider.start({ headLimits: requestHeadLimits({ maxHeaderCount: 2 }) })
      wider.peer.send(twoFields)
      expect(fits.error).toBeUndefined()
      expect(fits.complete).toBe(true)
    }))

  it.effect("a malformed response fails with the parser's ProtocolError (reason, offset) and closes", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start()
      peer.send("HTTP/1.1 2x0 OK\r\n\r\n")
      expect(ex.error).toMatchObject({ _tag: "ProtocolError", reason: "invalid-status-line", method: "GET", url })
      expect(conn.state).toBe("closed")
    }))

  it.effect("an exception thrown while routing an event fails the request with ProtocolError internal and closes", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      conn.headObserver = () => {
        throw new Error("observer broke")
      }
      const ex = start()
      peer.send(ok)
      expect(ex.error).toMatchObject({ _tag: "ProtocolError", reason: "internal", detail: "Error: observer broke" })
      expect(conn.state).toBe("closed")
    }))

  it.effect("the peer closing an idle connection closes it", () =>
    Effect.gen(function*() {
      const { conn, peer } = yield* connection()
      peer.end()
      expect(conn.state).toBe("closed")
    }))

  describe("unsolicited bytes close the connection; a completed exchange keeps its response", () => {
    it.effect("while idle", () =>
      Effect.gen(function*() {
        const { conn, peer } = yield* connection()
        let closed = 0
        conn.onClosed = () => closed++
        peer.send("x")
        expect(conn.state).toBe("closed")
        expect(conn.closeCause).toBe("the server sent bytes while idle: the connection is out of sync and was closed")
        expect(closed).toBe(1)
      }))

    it.effect("after the response, in the same read", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start()
        peer.send(`${ok}HTTP/1.1`)
        expect(ex.complete).toBe(true)
        expect(ex.error).toBeUndefined()
        expect(text(ex.chunks)).toBe("ok")
        expect(conn.state).toBe("closed")
        expect(String(conn.closeCause)).toContain("after the response")
        expect(conn.release(ex)).toBe(false)
      }))

    it.effect("a whole second message in the same read touches nothing of the completed exchange", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start()
        peer.send(`${ok}HTTP/1.1 201 Created\r\ncontent-length: 1\r\n\r\nx`)
        expect(ex.head?.status).toBe(200)
        expect(text(ex.chunks)).toBe("ok")
        expect(ex.received).toBe(2)
        expect(conn.state).toBe("closed")
        expect(conn.closeCause).toBe("the server sent bytes after the response: the connection is out of sync and was closed")
        expect(conn.release(ex)).toBe(false)
      }))

    it.effect("an informational response after the response in the same read is not recorded", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start()
        peer.send(`${ok}HTTP/1.1 100 Continue\r\n\r\n`)
        expect(ex.informational).toEqual([])
        expect(conn.state).toBe("closed")
        expect(conn.closeCause).toBe("the server sent bytes after the response: the connection is out of sync and was closed")
      }))

    it.effect("trailers of a second message in the same read do not reach the completed exchange", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start()
        peer.send(`${ok}HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\nx-evil: 1\r\n\r\n`)
        expect(ex.rawTrailers).toBeUndefined()
        expect(ex.complete).toBe(true)
      }))

    it.effect("after the response, in a later read", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start()
        peer.send(ok)
        expect(conn.state).toBe("done")
        peer.send("\r\n")
        expect(conn.state).toBe("closed")
        expect(String(conn.closeCause)).toContain("sent bytes after the response:")
        expect(ex.error).toBeUndefined()
        expect(conn.release(ex)).toBe(false)
      }))

    it.effect("after the exchange failed", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start({ maxBodySize: 1 })
        peer.send("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nab")
        expect(ex.error?._tag).toBe("BodyTooLarge")
        peer.send("cd")
        expect(conn.state).toBe("closed")
        expect(String(conn.closeCause)).toContain("after the exchange failed")
        expect(ex.error?._tag).toBe("BodyTooLarge")
      }))
  })

  describe("recv timeout (TestClock)", () => {
    it.effect("the request's recvTimeout, not the connection's, runs from the end of the request: RecvTimeout (headers) closes", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* connection()
        const ex = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(999)
        expect(ex.error).toBeUndefined()
        yield* TestClock.adjust(1)
        yield* settle
        expect(ex.error).toEqual(new RecvTimeout({ method: "GET", url, timeoutMillis: 1000, phase: "headers" }))
        expect(conn.state).toBe("closed")
      }))

    it.effect("each read pushes the deadline back; a stall in the body is RecvTimeout (body)", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(900)
        peer.send("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab")
        yield* TestClock.adjust(900)
        yield* settle
        expect(ex.error).toBeUndefined()
        yield* TestClock.adjust(100)
        yield* settle
        expect(ex.error).toMatchObject({ _tag: "RecvTimeout", phase: "body", timeoutMillis: 1000 })
      }))

    it.effect("with a body to follow, the timeout starts when the body ends, not at the head", () =>
      Effect.gen(function*() {
        const { start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: undefined, recvTimeout: 1000 })
        expect(ex.requestDone).toBe(false)
        yield* TestClock.adjust(5000)
        yield* settle
        expect(ex.error).toBeUndefined()
        yield* ex.write(bytes("hi"))
        yield* ex.end()
        expect(ex.requestDone).toBe(true)
        yield* TestClock.adjust(999)
        yield* settle
        expect(ex.error).toBeUndefined()
        yield* TestClock.adjust(1)
        yield* settle
        expect(ex.error?._tag).toBe("RecvTimeout")
      }))

    it.effect("a declared-length body: the timeout starts at its end too", () =>
      Effect.gen(function*() {
        const { start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: 2, recvTimeout: 1000 })
        yield* ex.write(bytes("hi"))
        yield* TestClock.adjust(5000)
        yield* settle
        expect(ex.error).toBeUndefined()
        yield* ex.end()
        yield* TestClock.adjust(1000)
        yield* settle
        expect(ex.error?._tag).toBe("RecvTimeout")
      }))

    it.effect("a deadline firing after the reader gave the exchange up changes nothing: the connection waits for its release", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* connection()
        const ex = start({ recvTimeout: 1000 })
        const gone = new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" })
        ex.close(gone)
        yield* TestClock.adjust(1000)
        yield* settle
        expect(ex.error).toBe(gone)
        expect(conn.state).toBe("active")
        expect(conn.release(ex)).toBe(false)
      }))

    it.effect("an infinite recvTimeout never fires", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* connection()
        const ex = start({ recvTimeout: Infinity })
        yield* TestClock.adjust(365 * 24 * 3600 * 1000)
        yield* settle
        expect(ex.error).toBeUndefined()
        expect(conn.state).toBe("active")
      }))

    it.effect("a paused stream reader is not a stalled peer: the deadline waits again until the reader drains", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start({ recvTimeout: 1000, maxBodySize: 1 << 30 }, "stream")
        peer.send(`HTTP/1.1 200 OK\r\ncontent-length: ${highWaterMark * 2}\r\n\r\n`)
        peer.send(new Uint8Array(highWaterMark + 1))
        expect(peer.paused()).toBe(true)
        yield* pausedReaderIsNotStalled(ex)
      }))

    it.effect("no timeout once the response is complete", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start({ recvTimeout: 1000 })
        peer.send(ok)
        yield* TestClock.adjust(5000)
        yield* settle
        expect(ex.error).toBeUndefined()
        expect(conn.state).toBe("done")
        expect(conn.release(ex)).toBe(true)
        yield* TestClock.adjust(5000)
        yield* settle
        expect(conn.state).toBe("idle")
      }))

    it.effect("the timeout runs on the Clock of the fiber that makes the request, whoever made the connection", () =>
      Effect.gen(function*() {
        // The connection was made on another Clock (the live one): its requests' deadlines still follow the TestClock.
        const { start } = yield* connection({ wheel: wheelFor(Clock.make()) })
        const ex = start({ recvTimeout: 1000 })
        yield* TestClock.adjust(1000)
        yield* settle
        expect(ex.error?._tag).toBe("RecvTimeout")
      }))
  })

  describe("the request body, framed by the driver", () => {
    it.effect("an empty bytes body: the head alone, in one flush", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        start({ body: { _tag: "Bytes", bytes: new Uint8Array(0) } })
        expect(peer.flushes()).toEqual([head])
      }))

    it.effect("unknown size: each chunk framed in one flush, an empty chunk writes nothing, the last chunk carries the trailers", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: undefined, h1: undefined })
        expect(peer.written()).toContain("Transfer-Encoding: chunked")
        yield* ex.write(bytes("hello world, 17 b"))
        yield* ex.write(new Uint8Array(0))
        yield* ex.end(["x-t", "1"])
        expect(peer.flushes().slice(1)).toEqual(["11\r\nhello world, 17 b\r\n", "0\r\nx-t: 1\r\n\r\n"])
        expect(ex.bodySent).toBe(17)
        expect(ex.requestDone).toBe(true)
      }))

    it.effect("trailers are written as latin1: a value's obs-text byte stays one byte", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start({ body: streamBody, bodySize: undefined })
      yield* ex.end(["x-t", "caf\u00e9"])
      expect(peer.flushes().slice(1)).toEqual(["0\r\nx-t: caf\u00e9\r\n\r\n"])
    }))

  it.effect("unknown size without trailers ends with the bare last chunk", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: undefined })
        yield* ex.end()
        expect(peer.flushes().slice(1)).toEqual(["0\r\n\r\n"])
      }))

    it.effect("invalid trailers fail with InvalidRequest (trailers: …) and nothing of them is written", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: undefined })
        const e = yield* Effect.flip(ex.end(["bad name", "v"]))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "header-name", requestSent: true, method: "GET", url })
        expect(e).toMatchObject({ detail: expect.stringMatching(/^trailers: /) })
        expect(peer.flushes()).toEqual([head])
        expect(ex.requestDone).toBe(false)
      }))

    it.effect("a declared length: the bytes as given; one more fails at write, fewer at end, trailers are refused", () =>
      Effect.gen(function*() {
        const { peer, start } = yield* connection()
        const exact = start({ body: streamBody, bodySize: 5 })
        yield* exact.write(bytes("hel"))
        yield* exact.write(bytes("lo"))
        yield* exact.end()
        expect(peer.flushes().slice(1)).toEqual(["hel", "lo"])
        expect(exact.requestDone).toBe(true)

        const over = (yield* connection()).start({ body: streamBody, bodySize: 5 })
        yield* over.write(bytes("hello"))
        const more = yield* Effect.flip(over.write(bytes("!")))
        expect(more).toMatchObject({ _tag: "InvalidRequest", reason: "body", requestSent: true })
        expect(more).toMatchObject({ detail: "the body gave more than the declared 5 bytes; the connection was closed" })

        const under = (yield* connection()).start({ body: streamBody, bodySize: 5 })
        yield* under.write(bytes("hell"))
        const fewer = yield* Effect.flip(under.end())
        expect(fewer).toMatchObject({ detail: "the body gave 4 bytes, 5 were declared; the connection was closed" })
        expect(under.requestDone).toBe(false)

        const trailed = (yield* connection()).start({ body: streamBody, bodySize: 0 })
        const refused = yield* Effect.flip(trailed.end(["x-t", "1"]))
        expect(refused).toMatchObject({ detail: "trailers need a body of unknown size (chunked), but a Content-Length was declared" })
        // An empty trailer list is no trailers.
        yield* trailed.end([])
        expect(trailed.requestDone).toBe(true)
      }))

    it.effect("writing or ending after the exchange failed fails with its error; after the socket closed, with ConnectionClosed", () =>
      Effect.gen(function*() {
        const failed = (yield* connection()).start({ body: streamBody, bodySize: undefined })
        const error = new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" })
        failed.fail(error)
        expect(yield* Effect.flip(failed.write(bytes("a")))).toBe(error)
        expect(yield* Effect.flip(failed.end())).toBe(error)

        const { peer, start } = yield* connection()
        const cut = start({ body: streamBody, bodySize: undefined })
        peer.reset()
        const onWrite = yield* Effect.flip(cut.write(bytes("a")))
        expect(onWrite).toBeInstanceOf(ConnectionClosed)
        expect(onWrite).toMatchObject({ requestSent: true, responseStarted: false })
        const onEnd = yield* Effect.flip(cut.end())
        expect(onEnd).toBeInstanceOf(ConnectionClosed)
        expect(peer.flushes()).toEqual(["GET /items HTTP/1.1\r\nhost: example.test\r\n\r\n"])

        const declared = yield* connection()
        const cutDeclared = declared.start({ body: streamBody, bodySize: 3 })
        declared.peer.reset()
        expect(yield* Effect.flip(cutDeclared.write(bytes("a")))).toBeInstanceOf(ConnectionClosed)
      }))

    it.effect("backpressure: a write waits for the socket to drain (chunked and declared)", () =>
      Effect.gen(function*() {
        for (const bodySize of [undefined, 10]) {
          const { peer, start } = yield* connection()
          const ex = start({ body: streamBody, bodySize })
          peer.block()
          const writing = yield* Effect.fork(ex.write(bytes("hello")))
          yield* settle
          expect(writing.unsafePoll()).toBeNull()
          peer.drain()
          yield* Fiber.join(writing)
        }
      }))

    it.effect("backpressure: the wait ends when the response completes meanwhile, and fails when the exchange fails", () =>
      Effect.gen(function*() {
        const answered = yield* connection()
        const ex = answered.start({ body: streamBody, bodySize: undefined })
        answered.peer.block()
        const writing = yield* Effect.fork(ex.write(bytes("hello")))
        yield* settle
        answered.peer.send(ok)
        yield* Fiber.join(writing)
        expect(ex.complete).toBe(true)

        const broken = yield* connection()
        const ex2 = broken.start({ body: streamBody, bodySize: undefined })
        broken.peer.block()
        const writing2 = yield* Effect.fork(ex2.write(bytes("hello")))
        yield* settle
        broken.peer.reset()
        const e = yield* Effect.flip(Fiber.join(writing2))
        expect(e).toBeInstanceOf(ConnectionClosed)
      }))

    it.effect("backpressure: a peer that neither reads nor answers fails the blocked write with RecvTimeout; once drained, no timeout until the body ends", () =>
      Effect.gen(function*() {
        const stalled = yield* connection()
        const ex = stalled.start({ body: streamBody, bodySize: undefined, recvTimeout: 1000 })
        stalled.peer.block()
        const writing = yield* Effect.fork(ex.write(bytes("hello")))
        yield* settle
        yield* TestClock.adjust(1000)
        const e = yield* Effect.flip(Fiber.join(writing))
        expect(e).toMatchObject({ _tag: "RecvTimeout", phase: "headers" })

        const slow = yield* connection()
        const ex2 = slow.start({ body: streamBody, bodySize: undefined, recvTimeout: 1000 })
        slow.peer.block()
        const writing2 = yield* Effect.fork(ex2.write(bytes("hello")))
        yield* settle
        yield* TestClock.adjust(500)
        slow.peer.drain()
        yield* Fiber.join(writing2)
        yield* TestClock.adjust(5000)
        yield* settle
        expect(ex2.error).toBeUndefined()
      }))

    it.effect("a body cut short (the server answered first) is abandoned: the connection is not reused", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start({ body: streamBody, bodySize: 100 })
        yield* ex.write(bytes("part"))
        peer.send(ok)
        ex.abandon()
        expect(ex.requestDone).toBe(false)
        expect(conn.release(ex)).toBe(false)
        expect(conn.state).toBe("closed")
      }))
  })

  it.effect("a body abandoned before the response ended: the recv timeout guards the rest of the response", () =>
    Effect.gen(function*() {
      const { peer, start } = yield* connection()
      const ex = start({ body: streamBody, bodySize: 100, recvTimeout: 1000 })
      yield* ex.write(bytes("part"))
      // The server answers before reading the whole body, then stalls in its own body.
      peer.send("HTTP/1.1 413 Content Too Large\r\ncontent-length: 10\r\n\r\ntoo")
      ex.abandon()
      yield* TestClock.adjust(1000)
      yield* settle
      expect(ex.error).toMatchObject({ _tag: "RecvTimeout", timeoutMillis: 1000, phase: "body" })
    }))

  it.effect("a writer ending or abandoning its body after the reader released the exchange changes nothing", () =>
    Effect.gen(function*() {
      const { conn, peer, start } = yield* connection()
      const ex = start({ body: streamBody, bodySize: 2 })
      yield* ex.write(bytes("hi"))
      peer.send(ok)
      expect(conn.release(ex)).toBe(false)
      yield* ex.end()
      ex.abandon()
      expect(conn.state).toBe("closed")
    }))

  describe("retire, abort, close", () => {
    it.effect("retire: an idle connection closes now; a busy one at its release", () =>
      Effect.gen(function*() {
        const idle = yield* connection()
        idle.conn.retire()
        expect(idle.conn.state).toBe("closed")

        const { conn, peer, start } = yield* connection()
        const ex = start()
        conn.retire()
        expect(conn.state).toBe("active")
        peer.send(ok)
        yield* ex.waitFor(ex.isComplete)
        expect(conn.release(ex)).toBe(false)
        expect(conn.state).toBe("closed")
      }))

    it.effect("abort fails the exchange in flight with the given error, then closes; onClosed runs once", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* connection()
        let closed = 0
        conn.onClosed = () => closed++
        const ex = start()
        const error = new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" })
        conn.abort(error)
        expect(ex.error).toBe(error)
        expect(conn.state).toBe("closed")
        conn.close()
        conn.abort(error)
        expect(closed).toBe(1)
      }))

    it.effect("abort of an idle connection closes it", () =>
      Effect.gen(function*() {
        const { conn } = yield* connection()
        conn.abort(new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" }))
        expect(conn.state).toBe("closed")
      }))

    it.effect("abort after the response completed keeps the response", () =>
      Effect.gen(function*() {
        const { conn, peer, start } = yield* connection()
        const ex = start()
        peer.send(ok)
        conn.abort(new RecvTimeout({ method: "GET", url, timeoutMillis: 1, phase: "headers" }))
        expect(ex.error).toBeUndefined()
        expect(ex.complete).toBe(true)
        expect(conn.state).toBe("closed")
      }))

    it.effect("close fails the exchange in flight with ConnectionClosed carrying the close cause", () =>
      Effect.gen(function*() {
        const { conn, start } = yield* connection()
        const ex = start()
        conn.closeCause = "why"
        conn.close()
        expect(ex.error).toBeInstanceOf(ConnectionClosed)
        expect(ex.error).toMatchObject({ requestSent: true, reused: false, responseStarted: false, cause: "why" })
      }))
  })
})
