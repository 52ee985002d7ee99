/**
 * Hackney.connect (hackney's connect / send_request / peername / sockname /
 * peercert / close; hackney_conn_tests' connect, reconnect after close,
 * request returns to connected state).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { Hackney, Headers } from "../src/index.js"
import type { Echo } from "./support/hackney.js"
import { echoServer, eventually, realSleep } from "./support/hackney.js"
import { cert, httpServer, httpsServer, rawServer } from "./support/servers.js"
import { mkdtempSync } from "node:fs"
import * as http from "node:http"
import * as http2 from "node:http2"
import { tmpdir } from "node:os"
import { join } from "node:path"

describe("Hackney.connect", () => {
  it.scoped("several requests in sequence over one keep-alive connection", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      expect(srv.accepted()).toBe(1)
      const a = yield* conn.request({ method: "GET", path: "/a?x=1" })
      const b = yield* conn.request({ method: "post", path: "b", body: "payload", headers: { "x-h": "1" } })
      const c = yield* conn.request({ method: "HEAD" })
      const ea = a.json() as Echo
      const eb = b.json() as Echo
      expect(ea.url).toBe("/a?x=1")
      expect(eb.method).toBe("POST")
      expect(eb.url).toBe("/b")
      expect(eb.body).toBe("payload")
      expect(c.status).toBe(200)
      expect(c.body.length).toBe(0)
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("streaming requests on a connection, then one-shot ones", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => res.end(`hello ${req.url}`))
      const conn = yield* Hackney.connect(srv.url)
      const text = yield* Effect.scoped(Effect.flatMap(conn.stream({ method: "GET", path: "/s" }), (r) => r.text))
      expect(text).toBe("hello /s")
      const r = yield* conn.request({ method: "GET", path: "/r" })
      expect(r.text()).toBe("hello /r")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("reconnects after the server closed the connection", () =>
    Effect.gen(function*() {
      let n = 0
      const srv = yield* httpServer((_req, res) => {
        n++
        if (n === 1) res.setHeader("connection", "close")
        res.end(`#${n}`)
      })
      const conn = yield* Hackney.connect(srv.url)
      expect((yield* conn.request({ method: "GET" })).text()).toBe("#1")
      yield* eventually(() => srv.sockets.size === 0, 2000, "the server close")
      expect((yield* conn.request({ method: "GET" })).text()).toBe("#2")
      expect((yield* conn.request({ method: "GET" })).text()).toBe("#3")
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("reconnects after the server dropped an idle connection", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      yield* conn.request({ method: "GET" })
      for (const s of srv.sockets) s.destroy()
      yield* realSleep(30)
      const r = yield* conn.request({ method: "GET", path: "/again" })
      expect((r.json() as Echo).url).toBe("/again")
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("close() closes the socket now; the next request re-dials", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      yield* conn.request({ method: "GET" })
      yield* conn.close
      yield* eventually(() => srv.sockets.size === 0, 2000, "the close")
      expect(yield* conn.peername).toBeUndefined()
      yield* conn.request({ method: "GET" })
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("peername and sockname", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      const peer = yield* conn.peername
      const local = yield* conn.sockname
      expect(peer).toMatchObject({ address: "127.0.0.1", port: srv.port })
      expect(local?.address).toBe("127.0.0.1")
      const serverSide = [...srv.sockets][0]
      expect(local?.port).toBe(serverSide.remotePort)
      expect(yield* conn.peercert).toBeUndefined()
    }))

  it.scoped("over TLS: peercert is the server's certificate", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end("secure"))
      const conn = yield* Hackney.connect(`https://localhost:${srv.port}`, { tls: { ca: cert("ca.pem") } })
      const pc = yield* conn.peercert
      expect(pc?.subject?.CN).toBe("localhost")
      expect(pc?.issuer?.CN).toBe("effect-hackney test CA")
      expect(JSON.stringify(pc?.subjectaltname ?? "")).toContain("localhost")
      const r = yield* conn.request({ method: "GET" })
      expect(r.text()).toBe("secure")
    }))

  it.scoped("closed when its scope closes", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const scope = yield* Scope.make()
      const conn = yield* Scope.extend(Hackney.connect(srv.url), scope)
      yield* conn.request({ method: "GET" })
      expect(srv.sockets.size).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* eventually(() => srv.sockets.size === 0, 2000, "the close")
    }))

  it.scoped("a stream request left unread closes the connection; the next request re-dials", () =>
    Effect.gen(function*() {
      const big = "x".repeat(2 * 1024 * 1024)
      const srv = yield* httpServer((req, res) => res.end(req.url === "/big" ? big : "small"))
      const conn = yield* Hackney.connect(srv.url)
      const status = yield* Effect.scoped(Effect.map(conn.stream({ method: "GET", path: "/big" }), (r) => r.status))
      expect(status).toBe(200)
      const r = yield* conn.request({ method: "GET", path: "/small" })
      expect(r.text()).toBe("small")
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("concurrent requests on one connection run one at a time", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let maxInFlight = 0
      const srv = yield* httpServer((req, res) => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        setTimeout(() => {
          inFlight--
          res.end(req.url)
        }, 5)
      })
      const conn = yield* Hackney.connect(srv.url)
      const bodies = yield* Effect.all(
        Array.from({ length: 8 }, (_, i) => Effect.map(conn.request({ method: "GET", path: `/${i}` }), (r) => r.text())),
        { concurrency: "unbounded" }
      )
      expect(bodies.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `/${i}`).sort())
      expect(maxInFlight).toBe(1)
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("connect errors surface at connect time", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.connect("http://127.0.0.1:1"))
      expect(e._tag).toBe("ConnectError")
    }))

  it.scoped("responses carry the headers of each exchange", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        res.setHeader("x-path", req.url ?? "")
        res.end()
      })
      const conn = yield* Hackney.connect(srv.url)
      const a = yield* conn.request({ method: "GET", path: "/one" })
      const b = yield* conn.request({ method: "GET", path: "/two" })
      expect(Headers.getOrUndefined(a.headers, "x-path")).toBe("/one")
      expect(Headers.getOrUndefined(b.headers, "x-path")).toBe("/two")
    }))

  it.scoped("takes hackney's { transport, host, port } too (tcp and unix)", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect({ transport: "tcp", host: "127.0.0.1", port: srv.port })
      expect((yield* conn.request({ method: "GET", path: "/t" })).status).toBe(200)
      const dir = mkdtempSync(join(tmpdir(), "hk-"))
      const path = join(dir, "s.sock")
      const server = http.createServer((_req, res) => res.end("unix"))
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(path, () => resume(Effect.void))),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const u = yield* Hackney.connect({ transport: "unix", host: path })
      expect((yield* u.request({ method: "GET", path: "/" })).text()).toBe("unix")
    }))

  it.scoped("peername is undefined once the peer closed the connection", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      yield* conn.request({ method: "GET", path: "/" })
      expect(yield* conn.peername).toMatchObject({ address: "127.0.0.1", port: srv.port })
      for (const s of srv.sockets) s.destroy()
      yield* eventually(() => srv.sockets.size === 0)
      yield* realSleep(20)
      expect(yield* conn.peername).toBeUndefined()
    }))
})

describe("Hackney.connect interrupted", () => {
  it.scopedLive("interrupted while an HTTP/2 session starts (the server's SETTINGS late), it leaves no socket open", () =>
    Effect.gen(function*() {
      // h2c whose SETTINGS come 150 ms after accept: the dial ends (uninterruptibly) after the interruption.
      const h2 = http2.createServer()
      h2.on("session", (s) => s.on("error", () => {}))
      const srv = yield* rawServer((s) => void setTimeout(() => h2.emit("connection", s), 150))
      for (let i = 0; i < 3; i++) {
        const fiber = yield* Effect.fork(Effect.scoped(Hackney.connect(srv.url, { protocols: ["h2"] })))
        yield* realSleep(40)
        yield* Fiber.interrupt(fiber)
      }
      yield* eventually(() => srv.accepted() === 3, 2000, "3 connections")
      // Each interrupted connect closes its socket (the server sees the close).
      yield* eventually(() => srv.sockets.size === 0, 3000, "every socket closed")
    }))
})
