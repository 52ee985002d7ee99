/**
 * The engine's exchange steps (internal/engine/exchange.ts: a streamed body
 * sent, the checkout, begin, taking an idle connection) and connection
 * sources (internal/engine/source.ts), through the whole client over
 * in-memory connections (test/support/memoryPool.ts), and the direct source
 * over a loopback socket.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { Hackney } from "../src/index.js"
import type { Outgoing } from "../src/internal/client/prepare.js"
import { takesIdle } from "../src/internal/engine/exchange.js"
import { defaultSource, direct, unknownPool } from "../src/internal/engine/source.js"
import type { Connection } from "../src/internal/connection/connection.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import { onRequestHead, rawServer } from "./support/servers.js"
import { recordingTracer } from "./support/tracer.js"
import { settle } from "./support/driver.js"

const bytes = (s: string) => new TextEncoder().encode(s)

describe("engine: a streamed body", () => {
  it.scoped("is sent chunked through the exchange and ended, and the connection is reused", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `got ${req.body}`))
      const body = Stream.make(bytes("ab"), bytes("cd"), bytes("e"))
      const res = yield* Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body })
      expect(res.text()).toBe("got abcde")
      expect(s.peers[0].written().toLowerCase()).toContain("transfer-encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n")
      const again = yield* Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body: Stream.make(bytes("x")) })
      expect(again.text()).toBe("got x")
      expect(s.peers.length).toBe(1)
    }))

  it.scoped("that fails fails the request with BodyError carrying the cause and what was sent; the connection is closed", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, req.body))
      const boom = new Error("disk gone")
      const body = Stream.concat(Stream.make(bytes("abc")), Stream.fail(boom))
      const e = yield* Effect.flip(Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body }))
      expect(e._tag).toBe("BodyError")
      if (e._tag !== "BodyError") return
      expect(e.cause).toBe(boom)
      expect(e.requestSent).toBe(true)
      expect(e.bodyBytesSent).toBe(3)
      expect(e.method).toBe("POST")
      expect(e.url).toBe(`${s.url}/up`)
      // The connection broke its framing: a new request dials again.
      const res = yield* Hackney.get(`${s.url}/next`, { pool: s.pool })
      expect(res.status).toBe(200)
      expect(s.peers.length).toBe(2)
    }))

  it.scoped("that fails before its first chunk reports nothing of the body sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, req.body))
      const e = yield* Effect.flip(Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body: Stream.fail("nope") }))
      expect(e).toMatchObject({ _tag: "BodyError", cause: "nope", bodyBytesSent: 0 })
    }))

  it.scoped("that dies (a defect) stays a defect, and the connection is not reused", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, req.body))
      const body = Stream.concat(Stream.make(bytes("a")), Stream.die(new Error("bug")))
      const exit = yield* Effect.exit(Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) expect((Cause.squash(exit.cause) as Error).message).toBe("bug")
      yield* Hackney.get(`${s.url}/next`, { pool: s.pool })
      expect(s.peers.length).toBe(2)
    }))

  it.scoped("stops being pulled once the response is complete; the connection is closed, not reused", () =>
    Effect.gen(function*() {
      let answered = false
      const s = yield* memoryServer(() => undefined)
      let pulled = 0
      // An endless body: the server answers after its head, before reading it.
      const body = Stream.repeatEffect(Effect.sync(() => {
        pulled++
        if (pulled === 3 && !answered) {
          answered = true
          s.peers[0].send(reply(200, "early"))
        }
        return bytes("z")
      }))
      const res = yield* Hackney.request("POST", `${s.url}/up`, { pool: s.pool, body })
      expect(res.text()).toBe("early")
      expect(pulled).toBeLessThan(10)
      // Not reused: the chunked body was never ended.
      expect(s.peers[0].written()).not.toContain("0\r\n\r\n")
      const fiber = yield* Effect.fork(Hackney.get(`${s.url}/next`, { pool: s.pool }))
      yield* settle
      expect(s.peers.length).toBe(2)
      s.peers[1].send(reply(200, "second"))
      expect((yield* Fiber.join(fiber)).text()).toBe("second")
    }))

  it.scoped("a streaming request's body is sent while the response is read", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(201, req.body.toUpperCase()))
      const res = yield* Hackney.stream("PUT", `${s.url}/s`, { pool: s.pool, body: Stream.make(bytes("hello"), bytes(" there")) })
      expect(res.status).toBe(201)
      expect(yield* res.text).toBe("HELLO THERE")
    }))
})

describe("engine: a streamed body and the response's wait", () => {
  it.effect("the recv timeout starts once the body is sent: a body slower than recvTimeout is not timed out", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `got ${req.body}`))
      const body = Stream.concat(Stream.make(bytes("a")), Stream.fromEffect(Effect.as(Effect.sleep(3000), bytes("b"))))
      const f = yield* Effect.fork(Hackney.request("POST", `${s.url}/slow`, { pool: s.pool, body, recvTimeout: 1000 }))
      yield* settle
      yield* TestClock.adjust(2500)
      yield* settle
      expect(f.unsafePoll()).toBeNull()
      yield* TestClock.adjust(500)
      expect((yield* Fiber.join(f)).text()).toBe("got ab")
    }).pipe(Effect.scoped))

  it.effect("a stream whose body fails: the reader waiting for the head gets the BodyError", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const e = yield* Effect.flip(Hackney.stream("POST", `${s.url}/s`, { pool: s.pool, body: Stream.fail("gone"), recvTimeout: Infinity }))
      expect(e).toMatchObject({ _tag: "BodyError", cause: "gone" })
    }).pipe(Effect.scoped))

  it.effect("a stream whose body dies: the reader waiting for the head dies with the defect", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const exit = yield* Effect.exit(Hackney.stream("POST", `${s.url}/s`, { pool: s.pool, body: Stream.die("bug"), recvTimeout: Infinity }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) expect(Cause.squash(exit.cause)).toBe("bug")
    }).pipe(Effect.scoped))
})

describe("engine: checkout", () => {
  it.scoped("a traced request's queue wait is recorded on its span", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined, { maxPerHost: 1, maxConnections: 1 })
      const { spans, tracer } = recordingTracer()
      const first = yield* Effect.fork(Hackney.get(`${s.url}/1`, { pool: s.pool, tracing: true }).pipe(Effect.withTracer(tracer)))
      yield* settle
      const second = yield* Effect.fork(Hackney.get(`${s.url}/2`, { pool: s.pool, tracing: true }).pipe(Effect.withTracer(tracer)))
      yield* settle
      s.peers[0].send(reply(200, "one"))
      yield* Fiber.join(first)
      yield* settle
      s.peers[0].send(reply(200, "two"))
      expect((yield* Fiber.join(second)).text()).toBe("two")
      const requests = spans.filter((sp) => sp.name === "HTTP GET")
      expect(requests.length).toBe(2)
      expect(requests[1].events).toContain("hackney.pool.queued")
      expect(requests[1].events).toContain("hackney.pool.dequeued")
    }))
})

describe("engine: a checkout's context", () => {
  it.effect("the request's checkoutTimeout and maxPerHost reach the pool; the timeout names the request", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined, { maxPerHost: 5 })
      const first = yield* Effect.fork(Hackney.get(`${s.url}/1`, { pool: s.pool, maxPerHost: 1, recvTimeout: Infinity }))
      yield* settle
      const second = yield* Effect.fork(Hackney.get(`${s.url}/2`, { pool: s.pool, maxPerHost: 1, checkoutTimeout: 300 }))
      yield* settle
      expect(s.peers).toHaveLength(1)
      yield* TestClock.adjust(299)
      expect(second.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Effect.flip(Fiber.join(second))).toMatchObject({ _tag: "CheckoutTimeout", method: "GET", url: `${s.url}/2` })
      yield* Fiber.interrupt(first)
    }).pipe(Effect.scoped))
})

describe("engine: an idle connection taken with the write", () => {
  it.scoped("only from a source that offers it, and not for a streamed body (written after begin)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      const o = (tag: "None" | "Bytes" | "Stream") => ({ body: { _tag: tag } }) as unknown as Outgoing
      expect(takesIdle(o("None"), s.pool)).toBe(true)
      expect(takesIdle(o("Bytes"), s.pool)).toBe(true)
      expect(takesIdle(o("Stream"), s.pool)).toBe(false)
      expect(takesIdle(o("None"), direct)).toBe(false)
    }))
})

describe("engine: connection sources", () => {
  const spec = (port: number) => ({
    key: `direct-${port}`,
    transport: "tcp" as const,
    host: "127.0.0.1",
    port,
    connectTimeout: 5000,
    recvTimeout: 5000
  })

  it.scopedLive("direct: each checkout dials its own connection, and checkin closes it", () =>
    Effect.gen(function*() {
      let accepted = 0
      const srv = yield* rawServer((socket) => {
        accepted++
        socket.on("data", () => {})
      })
      const ctx = { checkoutTimeout: 1000, method: "GET", url: `${srv.url}/` }
      const a = yield* direct.checkout(spec(srv.port), ctx)
      const b = yield* direct.checkout(spec(srv.port), ctx)
      expect(a).not.toBe(b)
      expect(a.isAvailable).toBe(true)
      direct.checkin(a, true)
      expect(a.status).toBe("closed")
      direct.checkin(b, false)
      expect(b.status).toBe("closed")
      yield* Effect.repeat(Effect.sync(() => accepted), { until: (n) => n === 2 })
    }))

  it.scopedLive("direct: the environment's proxy (read from the fiber's ConfigProvider) is used when the request names none", () =>
    Effect.gen(function*() {
      const heads: Array<string> = []
      const proxy = yield* rawServer((socket) =>
        onRequestHead(socket, (head) => {
          heads.push(head.split("\r\n")[0])
          socket.end("HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nproxied")
        }))
      const env = ConfigProvider.fromMap(new Map([["HTTP_PROXY", proxy.url]]))
      const res = yield* Hackney.get("http://target.test/x", { pool: false }).pipe(Effect.withConfigProvider(env))
      expect(res.text()).toBe("proxied")
      expect(heads).toEqual(["GET http://target.test/x HTTP/1.1"])
    }))

  it("an unknown pool name fails every checkout, naming the option; its checkin closes what it is given", () =>
    Effect.gen(function*() {
      const source = unknownPool("nobody-here")
      const e = yield* Effect.flip(source.checkout(spec(1), { checkoutTimeout: 1, method: "PUT", url: "http://x.test/" }))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "PUT", url: "http://x.test/" })
      expect(e._tag === "InvalidRequest" && e.detail.startsWith("pool: ")).toBe(true)
      expect(e._tag === "InvalidRequest" && e.detail).toContain("nobody-here")
      let closed = 0
      source.checkin({ close: () => closed++ } as unknown as Connection, true)
      expect(closed).toBe(1)
    }).pipe(Effect.runPromise))

  it("the default source is the process-wide pool named \"default\"", () => {
    expect(defaultSource().name).toBe("default")
    expect(defaultSource()).toBe(defaultSource())
  })
})
