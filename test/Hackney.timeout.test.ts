/**
 * The `timeout` option: one deadline for the whole exchange, on Effect's
 * Clock (TestClock here: 30 seconds in a millisecond of real time), failing
 * with `RequestTimeout`; the request's connection is closed. `request`
 * covers the body read, retries and their delays; `stream` and `open` end
 * at the response head.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, Stream, TestClock } from "effect"
import type * as net from "node:net"
import * as Hackney from "../src/Hackney.js"
import * as HackneyError from "../src/HackneyError.js"
import { eventually, realSleep, typedFailure } from "./support/hackney.js"
import { rawServer } from "./support/servers.js"

// The live Clock, to bound a join in real time while a TestClock is in force.
const liveClock = Effect.runSync(Effect.clock)

/** A raw server: `answer` decides what each connection gets once its request head arrived. */
const server = (answer: (socket: net.Socket, n: number) => void) =>
  Effect.gen(function*() {
    let heads = 0
    let closed = 0
    const srv = yield* rawServer((socket: net.Socket) => {
      let seen = ""
      socket.on("close", () => closed++)
      socket.on("data", (d) => {
        seen += d.toString("latin1")
        if (!seen.includes("\r\n\r\n")) return
        seen = ""
        answer(socket, ++heads)
      })
    })
    return { ...srv, heads: () => heads, closed: () => closed }
  })

const joinTyped = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Fiber.join(fiber).pipe(Effect.timeout("2 seconds"), Effect.withClock(liveClock))

/** Forks `request`, waits (real time) for `ready`, then moves the TestClock to just before and to the deadline. */
const atDeadline = <A, E>(request: Effect.Effect<A, E>, ready: () => boolean, millis: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.flip(request))
    yield* eventually(ready, 2000, "the request at the server")
    yield* TestClock.adjust(millis - 1)
    yield* realSleep(20)
    expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
    yield* TestClock.adjust(1)
    return yield* joinTyped(fiber)
  })

const never = { recvTimeout: Infinity, connectTimeout: Infinity } as const

describe("timeout option", () => {
  it.scoped("a server that never answers: RequestTimeout at 30 s of TestClock, not before, and the connection is closed", () =>
    Effect.gen(function*() {
      const s = yield* server(() => {})
      const e = yield* atDeadline(Hackney.get(s.url, { ...never, timeout: "30 seconds" }), () => s.heads() === 1, 30_000)
      expect(e).toBeInstanceOf(HackneyError.RequestTimeout)
      const t = e as HackneyError.RequestTimeout
      expect([t.timeoutMillis, t.until, t.method, t.url]).toEqual([30_000, "response", "GET", s.url])
      expect(HackneyError.isTimeout(t)).toBe(true)
      expect(HackneyError.isRetryable(t)).toBe(false)
      yield* eventually(() => s.closed() === 1, 2000, "the connection closed")
    }))

  it.scoped("request: the deadline covers the body read (head sent, body stalls)", () =>
    Effect.gen(function*() {
      const s = yield* server((socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"))
      const e = yield* atDeadline(Hackney.get(s.url, { ...never, timeout: 10_000 }), () => s.heads() === 1, 10_000)
      expect([e._tag, (e as HackneyError.RequestTimeout).until]).toEqual(["RequestTimeout", "response"])
      yield* eventually(() => s.closed() === 1, 2000, "the connection closed")
    }))

  it.scoped("request: the deadline covers retries and their delays (overall, not per attempt)", () =>
    Effect.gen(function*() {
      const s = yield* server((socket) => socket.write("HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n"))
      const options = { ...never, timeout: "25 seconds", retry: Schedule.spaced("10 seconds") } as const
      const fiber = yield* Effect.fork(Effect.flip(Hackney.get(s.url, options)))
      for (const n of [1, 2, 3]) {
        yield* eventually(() => s.heads() === n, 2000, `attempt ${n}`)
        yield* TestClock.adjust("10 seconds")
      }
      // 30 s have passed on the TestClock; the deadline (25 s) fired during the third delay.
      const e = yield* joinTyped(fiber)
      expect([e._tag, s.heads()]).toEqual(["RequestTimeout", 3])
    }))

  it.scoped("stream: the deadline ends at the response head; the body is read after it", () =>
    Effect.gen(function*() {
      let socket: net.Socket | undefined
      const s = yield* server((sock) => {
        socket = sock
        sock.write("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabc")
      })
      const res = yield* Hackney.stream("GET", s.url, { ...never, timeout: "5 seconds" })
      yield* TestClock.adjust("1 minute")
      socket!.write("def")
      expect(yield* res.text).toBe("abcdef")
    }))

  it.scoped("stream: a head that does not arrive in time fails with RequestTimeout (until: head)", () =>
    Effect.gen(function*() {
      const s = yield* server(() => {})
      const e = yield* atDeadline(
        Effect.scoped(Hackney.stream("GET", s.url, { ...never, timeout: 2000 })),
        () => s.heads() === 1,
        2000
      )
      expect([e._tag, (e as HackneyError.RequestTimeout).until]).toEqual(["RequestTimeout", "head"])
    }))

  it.scoped("open: one deadline from the call to the response head, the time between sends included", () =>
    Effect.gen(function*() {
      const s = yield* server(() => {})
      const e = yield* atDeadline(
        Effect.scoped(Effect.gen(function*() {
          const w = yield* Hackney.open("POST", s.url, { ...never, timeout: "8 seconds" })
          yield* w.send("part")
          yield* Effect.sleep("5 seconds") // the caller takes its time before the response: it counts
          return yield* w.response
        })),
        () => s.heads() === 1,
        8000
      )
      expect([e._tag, (e as HackneyError.RequestTimeout).timeoutMillis]).toEqual(["RequestTimeout", 8000])
    }))

  it.scoped("a response in time is returned as if there were no timeout", () =>
    Effect.gen(function*() {
      const s = yield* server((socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"))
      const res = yield* Hackney.get(s.url, { timeout: "1 second" })
      expect(res.text()).toBe("ok")
      const streamed = yield* Hackney.stream("GET", s.url, { timeout: "1 second" })
      expect(yield* Stream.runCollect(streamed.body).pipe(Effect.map((c) => c.length))).toBe(1)
    }))

  it.effect("a timeout of zero, negative or not a duration fails with InvalidRequest (option)", () =>
    Effect.gen(function*() {
      for (const timeout of [0, -1, "soon"]) {
        const e = yield* typedFailure(Hackney.get("http://127.0.0.1:1/", { timeout: timeout as never }))
        expect([e._tag, e.reason, String(e.detail).startsWith("the option timeout is")]).toEqual(["InvalidRequest", "option", true])
      }
    }))
})

describe("timeout option on Hackney.connect", () => {
  it.scoped("connect's timeout bounds each request; a request's own timeout replaces it", () =>
    Effect.gen(function*() {
      const s = yield* server(() => {})
      const conn = yield* Hackney.connect(s.url, { ...never, timeout: "4 seconds" })
      const e = yield* atDeadline(conn.request({ method: "GET", path: "/a" }), () => s.heads() === 1, 4000)
      expect([e._tag, (e as HackneyError.RequestTimeout).timeoutMillis]).toEqual(["RequestTimeout", 4000])
      const own = yield* atDeadline(conn.request({ method: "GET", path: "/b", timeout: "9 seconds" }), () => s.heads() === 2, 9000)
      expect([own._tag, (own as HackneyError.RequestTimeout).timeoutMillis]).toEqual(["RequestTimeout", 9000])
    }))
})

describe("attemptTimeout option", () => {
  it.scoped("bounds each attempt until its head; retry retries it; the overall timeout still bounds the whole", () =>
    Effect.gen(function*() {
      // The first two attempts never get an answer; the third does.
      const s = yield* server((socket, n) => {
        if (n >= 3) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
      })
      const options = { ...never, attemptTimeout: "2 seconds", retry: Schedule.spaced("1 second") } as const
      const fiber = yield* Effect.fork(Hackney.get(s.url, options))
      for (const n of [1, 2]) {
        yield* eventually(() => s.heads() === n, 2000, `attempt ${n}`)
        yield* TestClock.adjust("1999 millis")
        yield* realSleep(20)
        expect(s.heads()).toBe(n)
        yield* TestClock.adjust("1 millis") // the attempt fails: RequestTimeout (attemptTimeout), retried
        yield* realSleep(20)
        yield* TestClock.adjust("1 second") // the retry delay
      }
      const res = yield* joinTyped(fiber)
      expect([res.status, res.text(), s.heads()]).toEqual([200, "ok", 3])
      yield* eventually(() => s.closed() === 2, 2000, "the timed-out attempts' connections closed")
    }))

  it.scoped("without retry: the one attempt fails with RequestTimeout naming attemptTimeout", () =>
    Effect.gen(function*() {
      const s = yield* server(() => {})
      const e = yield* atDeadline(Hackney.get(s.url, { ...never, attemptTimeout: 3000 }), () => s.heads() === 1, 3000)
      const t = e as HackneyError.RequestTimeout
      expect([t._tag, t.option, t.until, t.timeoutMillis]).toEqual(["RequestTimeout", "attemptTimeout", "head", 3000])
      expect(t.message).toContain("`attemptTimeout` of 3000 ms")
    }))

  it.effect("open and connect make one attempt: attemptTimeout fails typed", () =>
    Effect.gen(function*() {
      const a = yield* typedFailure(Effect.scoped(Hackney.open("PUT", "http://127.0.0.1:1/", { attemptTimeout: 1000 } as never)))
      const b = yield* typedFailure(Effect.scoped(Hackney.connect("http://127.0.0.1:1/", { attemptTimeout: 1000 } as never)))
      expect([a._tag, a.reason, b._tag, b.reason]).toEqual(["InvalidRequest", "option", "InvalidRequest", "option"])
    }))
})
