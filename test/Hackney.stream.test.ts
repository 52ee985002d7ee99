/**
 * Hackney.stream (hackney's async / {async, once} / stream_body,
 * hackney_stream_tests): a scoped response whose body is a pull-based Stream.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Scope, Stream } from "effect"
import type * as net from "node:net"
import { Hackney, Headers, Pool } from "../src/index.js"
import { eventually, readBody, realSleep } from "./support/hackney.js"
import { httpServer, onRequestHead, rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-stream-${poolSeq++}` }))

const total = (chunks: Chunk.Chunk<Uint8Array>) => Chunk.reduce(chunks, 0, (n, c) => n + c.length)

/** A server that writes `size` bytes in 64 KiB pieces, honouring backpressure, and counts what it wrote. */
const bigServer = (size: number) => {
  const state = { written: 0, blocked: 0, finished: false }
  const piece = Buffer.alloc(64 * 1024, 0x61)
  return Effect.map(
    httpServer((_req, res) => {
      res.writeHead(200, { "content-length": String(size) })
      const more = () => {
        while (state.written < size) {
          const n = Math.min(piece.length, size - state.written)
          state.written += n
          if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) {
            state.blocked++
            return res.once("drain", more)
          }
        }
        state.finished = true
        res.end()
      }
      more()
    }),
    (srv) => ({ ...srv, state })
  )
}

describe("Hackney.stream", () => {
  it.scoped("status and headers first; the body streams in pieces", () =>
    Effect.gen(function*() {
      const srv = yield* bigServer(1024 * 1024)
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      expect(res.status).toBe(200)
      expect(res.protocol).toBe("http/1.1")
      expect(res.url).toBe(srv.url)
      expect(Headers.getOrUndefined(res.headers, "content-length")).toBe(String(1024 * 1024))
      const chunks = yield* Stream.runCollect(res.body)
      expect(total(chunks)).toBe(1024 * 1024)
      expect(Chunk.size(chunks)).toBeGreaterThan(1)
    }))

  it.scoped("backpressure: a slow consumer blocks the server's writes and memory stays bounded", () =>
    Effect.gen(function*() {
      const size = 64 * 1024 * 1024
      const srv = yield* bigServer(size)
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      // Read one piece, then stall.
      const pull = yield* Stream.toPull(res.body)
      const first = yield* pull
      expect(total(first)).toBeGreaterThan(0)
      yield* realSleep(300)
      expect(srv.state.blocked).toBeGreaterThan(0)
      // What the server got out: our high-water mark plus the kernel's socket buffers, far from 64 MiB.
      expect(srv.state.written).toBeLessThan(16 * 1024 * 1024)
      const heldBefore = srv.state.written
      yield* realSleep(100)
      expect(srv.state.written).toBe(heldBefore)
      // Then read the rest: everything arrives, and what the server has written but the consumer
      // not yet received (kernel buffers plus ours) stays bounded all along. (Not an RSS bound:
      // RSS follows the garbage collector's timing, and failed CI on a loaded machine.)
      let got = total(first)
      let maxAhead = 0
      for (;;) {
        const next = yield* Effect.option(pull)
        if (next._tag === "None") break
        got += total(next.value)
        maxAhead = Math.max(maxAhead, srv.state.written - got)
      }
      expect(got).toBe(size)
      expect(srv.state.finished).toBe(true)
      expect(maxAhead).toBeLessThan(16 * 1024 * 1024)
    }))

  it.scoped("Stream.take stops early: the socket is closed (the server sees it), nothing is pooled", () =>
    Effect.gen(function*() {
      const srv = yield* bigServer(32 * 1024 * 1024)
      const pool = yield* testPool
      const n = yield* Effect.scoped(
        Effect.gen(function*() {
          const res = yield* Hackney.stream("GET", srv.url, { pool })
          return yield* res.body.pipe(Stream.take(2), Stream.runCount)
        })
      )
      expect(n).toBe(2)
      yield* eventually(() => srv.accepted() === 1 && srv.sockets.size === 0, 2000, "the server to see the close")
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
      expect(srv.state.finished).toBe(false)
    }))

  it.scoped("a body read to the end returns the connection to the pool (one server socket for three requests)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => res.end(`body of ${req.url}`))
      const pool = yield* testPool
      for (const path of ["/a", "/b", "/c"]) {
        const text = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${srv.url}${path}`, { pool }), (r) => r.text))
        expect(text).toBe(`body of ${path}`)
      }
      expect(srv.accepted()).toBe(1)
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 1 })
    }))

  it.scoped("a scope closed before the body arrived closes the connection", () =>
    Effect.gen(function*() {
      const srv = yield* bigServer(32 * 1024 * 1024)
      const pool = yield* testPool
      const status = yield* Effect.scoped(Effect.map(Hackney.stream("GET", srv.url, { pool }), (r) => r.status))
      expect(status).toBe(200)
      yield* eventually(() => srv.sockets.size === 0, 2000, "the server to see the close")
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
    }))

  it.scoped("a body received in full but not read still lets the connection be reused", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("unread"))
      const pool = yield* testPool
      yield* Effect.scoped(
        Effect.gen(function*() {
          const r = yield* Hackney.stream("GET", srv.url, { pool })
          yield* realSleep(20) // the whole (small) response arrives
          return r.status
        })
      )
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 1 })
      yield* Hackney.get(srv.url, { pool })
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("informational responses are observable; trailers after the body", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 103 Early Hints\r\nlink: </a.js>; rel=preload\r\n\r\n")
          socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-sum\r\n\r\n")
          socket.write("5\r\nhello\r\n")
          setTimeout(() => socket.write("6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n"), 10)
        })
      )
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      expect(res.informational.map((i) => i.status)).toEqual([103])
      expect(Headers.getOrUndefined(res.informational[0].headers, "link")).toBe("</a.js>; rel=preload")
      expect(yield* res.text).toBe("hello world")
      const trailers = yield* res.trailers
      expect(trailers && Headers.getOrUndefined(trailers, "x-sum")).toBe("42")
    }))

  it.scoped("HEAD and 204: an empty body stream; the connection is reused", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        if (req.url === "/204") {
          res.statusCode = 204
          res.end()
        } else {
          res.setHeader("content-length", "5")
          res.end(req.method === "HEAD" ? undefined : "hello")
        }
      })
      const pool = yield* testPool
      const head = yield* Effect.scoped(Effect.flatMap(Hackney.stream("HEAD", srv.url, { pool }), (r) => r.bytes))
      expect(head.length).toBe(0)
      const nc = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${srv.url}/204`, { pool }), (r) => r.bytes))
      expect(nc.length).toBe(0)
      const body = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", srv.url, { pool }), (r) => r.text))
      expect(body).toBe("hello")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("the peer closing mid-body fails the body stream with ConnectionClosed", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial")
          setTimeout(() => socket.destroy(), 10)
        })
      )
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      const e = yield* Effect.flip(Stream.runDrain(res.body))
      expect(e._tag).toBe("ConnectionClosed")
    }))

  it.scoped("maxBodySize applies to a streamed body", () =>
    Effect.gen(function*() {
      const srv = yield* bigServer(1024 * 1024)
      const res = yield* Hackney.stream("GET", srv.url, { pool: false, maxBodySize: 100_000 })
      const e = yield* Effect.flip(Stream.runDrain(res.body))
      expect(e._tag).toBe("BodyTooLarge")
      yield* eventually(() => srv.sockets.size === 0, 2000, "the socket to close")
    }))

  it.scoped("a Stream request body is sent while the response is read (echo, 4 MiB)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        res.writeHead(200)
        req.pipe(res)
      })
      const piece = new Uint8Array(64 * 1024).fill(7)
      const res = yield* Hackney.stream("PUT", srv.url, {
        pool: false,
        body: Stream.repeatValue(piece).pipe(Stream.take(64))
      })
      const n = yield* res.body.pipe(Stream.runFold(0, (a, c) => a + c.length))
      expect(n).toBe(64 * piece.length)
    }))

  it.scoped("interrupting a stream request while it connects returns at once and leaves nothing open", () =>
    Effect.gen(function*() {
      const neverResolves: net.LookupFunction = () => {}
      const scope = yield* Scope.make()
      const fiber = yield* Effect.fork(
        Scope.extend(Hackney.stream("GET", "http://stall.test/", { pool: false, lookup: neverResolves }), scope)
      )
      yield* realSleep(20)
      const outcome = yield* Effect.raceFirst(
        Effect.as(Fiber.interrupt(fiber), "interrupted" as const),
        Effect.as(realSleep(2000), "hung" as const)
      )
      expect(outcome).toBe("interrupted")
      yield* Scope.close(scope, Exit.void)
    }))

  it.scoped("interrupting a stream request queued for a pool slot returns at once", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: `hackney-stream-${poolSeq++}`, maxPerHost: 1 })
      const holder = yield* Scope.make()
      yield* Scope.extend(Hackney.stream("GET", srv.url, { pool }), holder)
      const fiber = yield* Effect.fork(Effect.scoped(Hackney.stream("GET", srv.url, { pool })))
      yield* realSleep(20)
      expect((yield* Pool.stats(pool)).queued).toBe(1)
      const outcome = yield* Effect.raceFirst(
        Effect.as(Fiber.interrupt(fiber), "interrupted" as const),
        Effect.as(realSleep(2000), "hung" as const)
      )
      expect(outcome).toBe("interrupted")
      expect((yield* Pool.stats(pool)).queued).toBe(0)
      yield* Scope.close(holder, Exit.void)
    }))

  it.scoped("a request body stream upload with a server reading it slowly completes", () =>
    Effect.gen(function*() {
      let received = 0
      const srv = yield* httpServer((req, res) => {
        req.pause()
        setTimeout(() => readBody(req).then((b) => {
          received = b.length
          res.end("done")
        }), 50)
      })
      const piece = new Uint8Array(256 * 1024)
      const res = yield* Hackney.stream("POST", srv.url, { pool: false, body: Stream.repeatValue(piece).pipe(Stream.take(32)) })
      expect(yield* res.text).toBe("done")
      expect(received).toBe(32 * piece.length)
    }))
})

describe("Hackney.stream: request bodies cut short", () => {
  it.scoped("an upload stopped by the scope (the server answered early) never returns its connection to the pool", () =>
    Effect.gen(function*() {
      // Answers at once, keeps the connection, reads the body slowly.
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nearly")
        })
      )
      const pool = yield* testPool
      const piece = new Uint8Array(64 * 1024)
      const text = yield* Effect.scoped(
        Effect.gen(function*() {
          const res = yield* Hackney.stream("PUT", srv.url, {
            pool,
            body: Stream.repeatValue(piece).pipe(Stream.take(1024)) // 64 MiB, more than the socket buffers
          })
          return yield* res.text
        })
      )
      expect(text).toBe("early")
      // The body was not finished: the framing is broken, the connection must be closed.
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
      yield* eventually(() => srv.sockets.size === 0, 2000, "the connection to close")
    }))
})

describe("Hackney.stream: reading after the scope closed, reading twice", () => {
  // The live Clock: bounds a read in real time (a hang fails the test quickly).
  const liveClock = Effect.runSync(Effect.clock)
  const bounded = <A, E>(self: Effect.Effect<A, E>) =>
    Effect.timeoutFail(self, { duration: "2 seconds", onTimeout: () => "hung" as const }).pipe(Effect.withClock(liveClock))

  it.scoped("reading a streamed body after its scope closed fails at once with ResponseClosed (scope-closed)", () =>
    Effect.gen(function*() {
      const srv = yield* bigServer(4 * 1024 * 1024)
      const pool = yield* testPool
      const res = yield* Effect.scoped(Hackney.stream("GET", srv.url, { pool }))
      const e = yield* Effect.flip(bounded(Stream.runDrain(res.body)))
      expect(e).toMatchObject({ _tag: "ResponseClosed", reason: "scope-closed", method: "GET" })
      if (e !== "hung") expect(e.message).toContain("after the scope holding the response closed")
      expect((yield* Effect.flip(bounded(res.text)))).toMatchObject({ _tag: "ResponseClosed", reason: "scope-closed" })
      expect((yield* Effect.flip(bounded(res.trailers)))).toMatchObject({ _tag: "ResponseClosed" })
    }))

  it.scoped("a body received in full but read after its scope closed fails too (the connection was given back)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("small"))
      const pool = yield* testPool
      const res = yield* Effect.scoped(Effect.tap(Hackney.stream("GET", srv.url, { pool }), () => realSleep(50)))
      expect(yield* Effect.flip(bounded(res.bytes))).toMatchObject({ _tag: "ResponseClosed", reason: "scope-closed" })
    }))

  it.scoped("a reader still waiting for the body when the scope closes fails at once with ResponseClosed", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket: net.Socket) =>
        onRequestHead(socket, () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"))
      )
      const scope = yield* Scope.make()
      const res = yield* Scope.extend(Hackney.stream("GET", srv.url, { pool: false, recvTimeout: "1 hour" }), scope)
      const reader = yield* Effect.fork(res.text)
      yield* realSleep(30)
      yield* Scope.close(scope, Exit.void)
      const exit = yield* bounded(Fiber.await(reader))
      expect(exit).toMatchObject({ _tag: "Failure" })
      if (Exit.isFailure(exit)) {
        expect(Cause.squash(exit.cause)).toMatchObject({ _tag: "ResponseClosed", reason: "scope-closed" })
      }
    }))

  it.scoped("reading text or bytes a second time fails with ResponseClosed (already-read), not an empty body", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("hello"))
      const pool = yield* testPool
      const res = yield* Hackney.stream("GET", srv.url, { pool })
      expect(yield* res.text).toBe("hello")
      const again = yield* Effect.flip(res.text)
      expect(again).toMatchObject({ _tag: "ResponseClosed", reason: "already-read" })
      expect(again.message).toContain("read to its end already")
      expect(yield* Effect.flip(res.bytes)).toMatchObject({ _tag: "ResponseClosed", reason: "already-read" })
      expect(yield* Effect.flip(Stream.runDrain(res.body))).toMatchObject({ _tag: "ResponseClosed" })
      // The trailers stay readable.
      expect(yield* res.trailers).toBeUndefined()
    }))

  it.scoped("reading a second time fails on the feature path too (autoDecompress)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("hello"))
      const pool = yield* testPool
      const res = yield* Hackney.stream("GET", srv.url, { pool, autoDecompress: true })
      expect(yield* res.text).toBe("hello")
      expect(yield* Effect.flip(res.text)).toMatchObject({ _tag: "ResponseClosed", reason: "already-read" })
    }))

  it.scoped("a body read in pieces (Stream.take, then the rest) is one cursor: nothing is lost or repeated", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket: net.Socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n")
          setTimeout(() => socket.write("3\r\ndef\r\n0\r\n\r\n"), 30)
        })
      )
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      const first = yield* Stream.runCollect(Stream.take(res.body, 1))
      expect(new TextDecoder().decode(Chunk.unsafeGet(first, 0))).toBe("abc")
      expect(yield* res.text).toBe("def")
    }))
})
