/**
 * HTTP/3 through the client API without peers: `protocols: ["h3"]` on `https://` against an
 * in-process HTTP/3 server (test/support/h3Server.ts): request, POST, stream, the pool's one
 * multiplexed connection, Response.protocol.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Scope, Stream, TestClock } from "effect"
import { Hackney, Headers, Pool } from "../src/index.js"
import { startH3Server } from "./support/h3Server.js"
import { eventually } from "./support/hackney.js"
import { certs } from "./support/quicServer.js"

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("UDP")).length

const server = Effect.acquireRelease(
  Effect.promise(() =>
    startH3Server((req) => ({
      status: req.header(":path") === "/missing" ? 404 : 200,
      fields: ["content-type", "text/plain", "x-method", req.header(":method") ?? ""],
      body: `${req.header(":method")} ${req.header(":path")} ${req.body}`
    }))
  ),
  (s) => Effect.promise(() => s.stop())
)

const tls = { ca: certs("ca") }

describe("HTTP/3 forced through the client API (in-process server)", () => {
  it.scopedLive("Hackney.get and post with protocols [h3]: Response.protocol h3, the request's head and body as sent", () =>
    Effect.gen(function*() {
      const srv = yield* server
      const url = `https://127.0.0.1:${srv.port}`
      const r = yield* Hackney.get(`${url}/a?b=1`, { pool: false, tls, protocols: ["h3"] })
      expect([r.status, r.protocol, r.text(), Headers.getOrUndefined(r.headers, "x-method")]).toEqual([200, "h3", "GET /a?b=1 ", "GET"])
      const p = yield* Hackney.post(`${url}/p`, { pool: false, tls, protocols: ["http3"], body: "payload" })
      expect([p.protocol, p.text()]).toEqual(["h3", "POST /p payload"])
      expect(srv.requests[1].header("content-length")).toBe("7")
      expect(srv.requests[1].header(":authority")).toBe(`127.0.0.1:${srv.port}`)
      const missing = yield* Hackney.get(`${url}/missing`, { pool: false, tls, protocols: ["h3"] })
      expect(missing.status).toBe(404)
      // Hackney.connect over h3: addresses and the server's certificate.
      const conn = yield* Hackney.connect(url, { tls, protocols: ["h3"] })
      expect((yield* conn.request({ method: "GET", path: "/c" })).text()).toBe("GET /c ")
      expect((yield* conn.peername)?.port).toBe(srv.port)
      expect((yield* conn.peercert)?.subject.CN).toBe("localhost")
      // h3 preferred without a pool: the direct dial races QUIC against TCP too, and QUIC wins here.
      const preferred = ["h3", "h2", "http/1.1"]
      const direct = yield* Hackney.get(`${url}/d`, { pool: false, tls, protocols: preferred })
      expect([direct.protocol, direct.text()]).toEqual(["h3", "GET /d "])
      const conn2 = yield* Hackney.connect(url, { tls, protocols: preferred })
      expect((yield* conn2.request({ method: "GET", path: "/c2" })).text()).toBe("GET /c2 ")
    }), 30_000)

  it.scopedLive("a pool carries concurrent requests on one QUIC connection; Hackney.stream reads the body", () =>
    Effect.gen(function*() {
      const srv = yield* server
      const pool = yield* Pool.make({ name: "h3-unit" })
      const url = `https://127.0.0.1:${srv.port}`
      const rs = yield* Effect.forEach([1, 2, 3, 4, 5], (i) => Hackney.get(`${url}/${i}`, { pool, tls, protocols: ["h3"] }), {
        concurrency: "unbounded"
      })
      expect(rs.map((r) => r.text())).toEqual([1, 2, 3, 4, 5].map((i) => `GET /${i} `))
      expect(srv.connections()).toBe(1)
      const text = yield* Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${url}/s`, { pool, tls, protocols: ["h3"] })
        expect(res.protocol).toBe("h3")
        return yield* Stream.mkString(Stream.decodeText(res.body))
      }))
      expect(text).toBe("GET /s ")
      expect(srv.connections()).toBe(1)
    }), 30_000)

  it.live("150 requests over h3 interrupted at random points: no stream left open, no request in use, the connection closed with the pool", () =>
    Effect.gen(function*() {
      const srv = yield* Effect.promise(() =>
        startH3Server((req) => ({ status: 200, body: "x".repeat(req.header(":path") === "/big" ? 100_000 : 10) }))
      )
      const before = udpHandles()
      const poolScope = yield* Scope.make()
      const pool = yield* Pool.make({ name: "h3-leak" }).pipe(Scope.extend(poolScope))
      const url = `https://127.0.0.1:${srv.port}`
      // The connection first (a QUIC handshake takes longer than the interruptions below).
      yield* Hackney.get(`${url}/small`, { pool, tls, protocols: ["h3"] })
      let completed = 0
      let interrupted = 0
      const failures: Array<string> = []
      yield* Effect.forEach(
        Array.from({ length: 150 }, (_, i) => i),
        (i) => {
          const get = i % 3 === 0
            ? Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${url}/big`, { pool, tls, protocols: ["h3"] }), (r) => Stream.runDrain(r.body)))
            : Effect.asVoid(Hackney.get(`${url}/small`, { pool, tls, protocols: ["h3"] }))
          // Every other request runs to the end (this machine's load must not decide whether any completes).
          return (i % 2 === 0 ? Effect.asSome(get) : Effect.timeoutOption(get, `${Math.floor(Math.random() * 100)} millis`)).pipe(
            Effect.match({
              onFailure: (e) => void failures.push(e._tag),
              onSuccess: (o) => (Option.isSome(o) ? completed++ : interrupted++)
            })
          )
        },
        // Client and server share this process and the library is CPU-bound per packet: a few at a time.
        { concurrency: 5, discard: true }
      )
      expect(failures).toEqual([])
      expect(completed + interrupted).toBe(150)
      expect(completed).toBeGreaterThan(0)
      expect(interrupted).toBeGreaterThan(0)
      yield* eventually(() => Effect.runSync(Pool.hostStats(pool, "127.0.0.1", srv.port)).inUse === 0, 3000, "0 in use")
      yield* eventually(() => Effect.runSync(Pool.hostStats(pool, "127.0.0.1", srv.port)).streams === 0, 3000, "0 streams")
      yield* Scope.close(poolScope, Exit.void)
      yield* Effect.promise(() => srv.stop())
      yield* eventually(() => udpHandles() <= before, 3000, "the UDP sockets closed")
    }), 60_000)

  it.effect("connectTimeout bounds the QUIC dial on the Effect Clock: nothing answering is a ConnectTimeout, no UDP socket left", () =>
    Effect.gen(function*() {
      const srv = yield* Effect.promise(() => startH3Server(() => ({ status: 200 })))
      const port = srv.port
      yield* Effect.promise(() => srv.stop()) // nothing listens on the UDP port now
      const before = udpHandles()
      const fiber = yield* Effect.fork(
        Hackney.get(`https://127.0.0.1:${port}/`, { pool: false, tls, protocols: ["h3"], connectTimeout: "2 seconds" })
      )
      // Time moves in steps, with real turns between (the library loads and dials on real time).
      for (let i = 0; i < 5; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
        yield* TestClock.adjust("500 millis")
        if (i < 3) expect(fiber.unsafePoll()).toBeNull()
      }
      const e = yield* Effect.flip(Fiber.join(fiber))
      expect(e).toMatchObject({ _tag: "ConnectTimeout", port, timeoutMillis: 2000 })
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 200)))
      expect(udpHandles()).toBeLessThanOrEqual(before)
    }), 30_000)

  it.scopedLive("a wrong CA over QUIC is a typed TlsError, as over TCP", () =>
    Effect.gen(function*() {
      const srv = yield* server
      const e = yield* Effect.flip(Hackney.get(`https://127.0.0.1:${srv.port}/`, { pool: false, protocols: ["h3"] }))
      expect(e).toMatchObject({ _tag: "TlsError", reason: "certificate" })
    }), 30_000)
})
