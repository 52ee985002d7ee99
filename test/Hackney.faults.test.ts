/**
 * Faults and timeouts (hackney_recv_timeout_tests, hackney_recv_status_tests,
 * hackney_conn_tests' connect timeout / dead connection cases): malformed
 * responses, peers closing mid-response, stale kept-alive connections, and
 * connect/recv timeouts on the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import type * as net from "node:net"
import { Hackney, Pool } from "../src/index.js"
import { eventually, realSleep } from "./support/hackney.js"
import { httpServer, onRequestHead, rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-faults-${poolSeq++}` }))

/** A raw server that answers the first request head with `bytes` and keeps the socket open (reading). */
const answering = (bytes: string | Buffer) =>
  rawServer((socket) =>
    onRequestHead(socket, () => {
      socket.resume()
      socket.write(bytes)
    })
  )

describe("Hackney: malformed responses → ProtocolError, socket closed, no hang", () => {
  const h2Settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])
  const cases: Array<[string, string | Buffer, string]> = [
    ["a bad status line", "HTTP/1.1 abc OK\r\ncontent-length: 0\r\n\r\n", "invalid-status-line"],
    ["not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n\r\n", "invalid-status-line"],
    ["an HTTP/2 frame on an HTTP/1.1 connection", h2Settings, ""],
    ["a bad chunk size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "invalid-chunk-size"],
    [
      "Transfer-Encoding with Content-Length",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "transfer-encoding-and-content-length"
    ],
    ["an invalid Content-Length", "HTTP/1.1 200 OK\r\ncontent-length: 5x\r\n\r\nhello", "invalid-content-length"],
    ["two different Content-Lengths", "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!", "invalid-content-length"],
    ["an oversized header section", `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`, "header-section-too-large"],
    ["an invalid header name", "HTTP/1.1 200 OK\r\nbad header: x\r\ncontent-length: 0\r\n\r\n", "invalid-header-name"]
  ]
  for (const [label, bytes, reason] of cases) {
    it.scoped(label, () =>
      Effect.gen(function*() {
        const srv = yield* answering(bytes)
        const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
        expect(e._tag).toBe("ProtocolError")
        if (reason !== "" && e._tag === "ProtocolError") expect(e.reason).toBe(reason)
        yield* eventually(() => srv.accepted() === 1 && srv.sockets.size === 0, 2000, "the client to close the socket")
      }))
  }

  it.scoped("a malformed response on a pooled connection: ProtocolError, nothing left in the pool", () =>
    Effect.gen(function*() {
      const srv = yield* answering("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n")
      const pool = yield* testPool
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool }))
      expect(e._tag).toBe("ProtocolError")
      const stats = yield* Pool.stats(pool)
      expect(stats).toMatchObject({ inUse: 0, free: 0 })
      yield* eventually(() => srv.sockets.size === 0, 2000, "the client to close the socket")
    }))
})

describe("Hackney: the peer closes", () => {
  it.scoped("mid-body (Content-Length): ConnectionClosed with responseStarted", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b"))
      )
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e._tag).toBe("ConnectionClosed")
      if (e._tag === "ConnectionClosed") {
        expect(e.requestSent).toBe(true)
        expect(e.responseStarted).toBe(true)
      }
    }))

  it.scoped("mid-body (chunked): ConnectionClosed", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => socket.end("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"))
      )
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e._tag).toBe("ConnectionClosed")
    }))

  it.scoped("mid-headers: ConnectionClosed", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => onRequestHead(socket, () => socket.end("HTTP/1.1 200 OK\r\ncontent-le")))
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e._tag).toBe("ConnectionClosed")
    }))

  it.scoped("with a reset before any response byte: ConnectionClosed, responseStarted false", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => onRequestHead(socket, () => socket.resetAndDestroy()))
      const e = yield* Effect.flip(Hackney.post(srv.url, { pool: false, body: "x" }))
      expect(e._tag).toBe("ConnectionClosed")
      if (e._tag === "ConnectionClosed") {
        expect(e.requestSent).toBe(true)
        expect(e.responseStarted).not.toBe(true)
      }
    }))

  it.scoped("a kept-alive connection the server closed while idle is not handed out again", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
          setTimeout(() => socket.end(), 10)
        })
      )
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool })
      yield* eventually(() => srv.sockets.size === 0, 2000, "the server close")
      yield* realSleep(20)
      const b = yield* Hackney.get(srv.url, { pool })
      expect(b.text()).toBe("ok")
      expect(srv.accepted()).toBe(2)
    }))

  /** Answers "ok", except the first connection's second request, which meets a close with no response byte. */
  const staleOnSecond = Effect.gen(function*() {
    let n = 0
    const srv = yield* rawServer((socket) => {
      const serve = (first: boolean) =>
        onRequestHead(socket, () => {
          n++
          if (!first && srv.accepted() === 1) return socket.destroy()
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
          serve(false)
        })
      serve(true)
    })
    return { srv, requests: () => n }
  })

  it.scoped("a stale kept-alive connection (closed as the request goes out): an idempotent request is retried once", () =>
    Effect.gen(function*() {
      const { requests, srv } = yield* staleOnSecond
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool })
      const b = yield* Hackney.get(srv.url, { pool })
      expect(b.text()).toBe("ok")
      expect(requests()).toBe(3)
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("Hackney.stream on a stale kept-alive connection: an idempotent request is retried once, as Hackney.request is", () =>
    Effect.gen(function*() {
      const { requests, srv } = yield* staleOnSecond
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool })
      const text = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", srv.url, { pool }), (r) => r.text))
      expect(text).toBe("ok")
      expect(requests()).toBe(3)
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("…but a POST on a stale connection is not retried: ConnectionClosed(reused)", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => {
        let first = true
        const serve = () =>
          onRequestHead(socket, (_head, rest) => {
            if (!first) return socket.destroy()
            first = false
            void rest
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            serve()
          })
        serve()
      })
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool })
      const e = yield* Effect.flip(Hackney.post(srv.url, { pool, body: "x" }))
      expect(e._tag).toBe("ConnectionClosed")
      if (e._tag === "ConnectionClosed") expect(e.reused).toBe(true)
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("nothing listening: ConnectError(refused)", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.get("http://127.0.0.1:1/", { pool: false }))
      expect(e._tag).toBe("ConnectError")
      if (e._tag === "ConnectError") expect(e.reason).toBe("refused")
    }))
})

const neverResolves: net.LookupFunction = () => {}

describe("Hackney: timeouts on the TestClock", () => {
  for (const via of ["direct", "pool"] as const) {
    it.scoped(`connect timeout (${via}): ConnectTimeout exactly at connectTimeout`, () =>
      Effect.gen(function*() {
        const pool = via === "pool" ? yield* testPool : false as const
        const fiber = yield* Effect.fork(
          Hackney.get("http://stall.test/", { pool, lookup: neverResolves, connectTimeout: "3 seconds" })
        )
        yield* TestClock.adjust("2999 millis")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 millis")
        const e = yield* Effect.flip(Fiber.join(fiber))
        expect(e._tag).toBe("ConnectTimeout")
        if (e._tag === "ConnectTimeout") expect(e.timeoutMillis).toBe(3000)
        if (via === "pool") expect((yield* Pool.hostStats(pool as Pool.Pool, "stall.test", 80)).active).toBe(0)
      }))
  }

  it.scoped("the default connect timeout is 8 seconds", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Hackney.get("http://stall.test/", { pool: false, lookup: neverResolves }))
      yield* TestClock.adjust("7999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect((yield* Effect.flip(Fiber.join(fiber)))._tag).toBe("ConnectTimeout")
    }))

  for (const via of ["direct", "pool"] as const) {
    it.scoped(`recv timeout, headers phase (${via}): RecvTimeout exactly at recvTimeout, socket closed`, () =>
      Effect.gen(function*() {
        let seen = 0
        const srv = yield* rawServer((socket) =>
          onRequestHead(socket, () => {
            seen++
            socket.resume()
          })
        )
        const pool = via === "pool" ? yield* testPool : false as const
        const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool, recvTimeout: "2 seconds" }))
        yield* eventually(() => seen === 1, 2000, "the request")
        yield* TestClock.adjust("1999 millis")
        yield* realSleep(10)
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 millis")
        const e = yield* Effect.flip(Fiber.join(fiber))
        expect(e._tag).toBe("RecvTimeout")
        if (e._tag === "RecvTimeout") {
          expect(e.phase).toBe("headers")
          expect(e.timeoutMillis).toBe(2000)
        }
        yield* eventually(() => srv.sockets.size === 0, 2000, "the socket to close")
        if (pool !== false) expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
      }))
  }

  it.scoped("recv timeout, body phase: an inactivity timeout, re-armed by every read", () =>
    Effect.gen(function*() {
      let socket: net.Socket | undefined
      const srv = yield* rawServer((s) =>
        onRequestHead(s, () => {
          socket = s
          s.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
        })
      )
      const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool: false, recvTimeout: "1 second" }))
      yield* eventually(() => socket !== undefined, 2000, "the request")
      yield* realSleep(20) // the first body bytes arrive
      yield* TestClock.adjust("600 millis")
      socket!.write("def")
      yield* realSleep(20)
      // 1.2 s after the request, but only 600 ms after the last read.
      yield* TestClock.adjust("600 millis")
      yield* realSleep(10)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("399 millis")
      yield* realSleep(10)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const e = yield* Effect.flip(Fiber.join(fiber))
      expect(e._tag).toBe("RecvTimeout")
      if (e._tag === "RecvTimeout") expect(e.phase).toBe("body")
      yield* eventually(() => srv.sockets.size === 0, 2000, "the socket to close")
    }))

  it.scoped("recv timeout with a slow but steady server does not fire", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => {
        res.writeHead(200)
        res.end("ok")
      })
      const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool: false, recvTimeout: "100 millis" }))
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isSuccess(exit)).toBe(true)
    }))

  it.scoped("recv timeout on a kept-alive connection does not outlive its request", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("ok"))
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool, recvTimeout: "1 second" })
      // Past the recv timeout, within the pool's 2 s keep-alive: the idle connection survives.
      yield* TestClock.adjust("1500 millis")
      yield* realSleep(10)
      const stats = yield* Pool.stats(pool)
      expect(stats.free).toBe(1)
      const b = yield* Hackney.get(srv.url, { pool, recvTimeout: "1 second" })
      expect(b.text()).toBe("ok")
      expect(srv.accepted()).toBe(1)
      // Past the keep-alive timeout: the idle connection is closed.
      yield* TestClock.adjust("2 seconds")
      yield* eventually(() => srv.sockets.size === 0, 2000, "the keep-alive expiry")
      expect((yield* Pool.stats(pool)).free).toBe(0)
      expect(stats.inUse).toBe(0)
    }))
})
