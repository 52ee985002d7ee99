/**
 * Hackney.open (hackney's body `stream` + send_body / finish_send_body /
 * start_response; hackney_conn_tests' stream body cases): chunked and
 * Content-Length bodies, Expect: 100-continue.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { Hackney, Pool } from "../src/index.js"
import { captureServer, eventually, readBody } from "./support/hackney.js"
import { onRequestHead, rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-open-${poolSeq++}` }))

/** A node:http server with a `checkContinue` handler, on port 0. */
const continueServer = (accept: (req: http.IncomingMessage) => boolean) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; bodies: Array<string>; continued: () => number }>((resume) => {
      const bodies: Array<string> = []
      let continued = 0
      const server = http.createServer((req, res) => {
        readBody(req).then((b) => {
          bodies.push(b.toString())
          res.end(`got ${b.length}`)
        })
      })
      server.on("checkContinue", (req, res) => {
        if (accept(req)) {
          continued++
          res.writeContinue()
          server.emit("request", req, res)
        } else {
          res.writeHead(417, { "content-length": "0" })
          res.end()
        }
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, bodies, continued: () => continued, server }))
      })
    }),
    (s) =>
      Effect.async<void>((resume) => {
        const server = (s as unknown as { server: http.Server }).server
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

describe("Hackney.open", () => {
  it.scoped("send / finish / response: chunked on the wire, exact bytes", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer("HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\ndone")
      const w = yield* Hackney.open("PUT", `${srv.url}/upload`, { pool: false, headers: { "content-type": "text/plain" } })
      yield* w.send("hello ")
      yield* w.send(new TextEncoder().encode("streamed"))
      yield* w.send("") // an empty piece must not end the body
      yield* w.send(" world")
      yield* w.finish
      const res = yield* w.response
      expect(res.status).toBe(201)
      expect(yield* res.text).toBe("done")
      expect(srv.captured).toHaveLength(1)
      const req = srv.captured[0]
      expect(req).toMatch(/^PUT \/upload HTTP\/1\.1\r\n/)
      expect(req).toMatch(/\r\nTransfer-Encoding: chunked\r\n/)
      expect(req).not.toMatch(/content-length/i)
      expect(req.slice(req.indexOf("\r\n\r\n") + 4)).toBe("6\r\nhello \r\n8\r\nstreamed\r\n6\r\n world\r\n0\r\n\r\n")
    }))

  it.scoped("response finishes the body if the caller did not", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const w = yield* Hackney.open("POST", srv.url, { pool: false })
      yield* w.send("abc")
      const res = yield* w.response
      expect(res.status).toBe(200)
      expect(srv.captured[0].endsWith("\r\n\r\n3\r\nabc\r\n0\r\n\r\n")).toBe(true)
    }))

  it.scoped("an empty chunked body: just the last chunk", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const w = yield* Hackney.open("POST", srv.url, { pool: false })
      const res = yield* w.response
      expect(res.status).toBe(200)
      expect(srv.captured[0].endsWith("Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).toBe(true)
    }))

  it.scoped("Content-Length mode: identity bytes, the header once", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const w = yield* Hackney.open("PUT", srv.url, { pool: false, headers: { "Content-Length": "11" } })
      yield* w.send("hello")
      yield* w.send(" world")
      const res = yield* w.response
      expect(res.status).toBe(200)
      const req = srv.captured[0]
      expect(req.match(/content-length:[^\r]*/gi)).toEqual(["Content-Length: 11"])
      expect(req).not.toMatch(/transfer-encoding/i)
      expect(req.endsWith("\r\n\r\nhello world")).toBe(true)
    }))

  it.scoped("Content-Length mode: sending more than declared fails with InvalidRequest", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((s) => s.resume())
      const w = yield* Hackney.open("PUT", srv.url, { pool: false, headers: { "Content-Length": "3" } })
      const e = yield* Effect.flip(w.send("toolong"))
      expect(e._tag).toBe("InvalidRequest")
    }))

  it.scoped("Content-Length mode: finishing short fails with InvalidRequest", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((s) => s.resume())
      const w = yield* Hackney.open("PUT", srv.url, { pool: false, headers: { "Content-Length": "10" } })
      yield* w.send("abc")
      const e = yield* Effect.flip(w.finish)
      expect(e._tag).toBe("InvalidRequest")
    }))

  it.scoped("send after finish fails with InvalidRequest that says the request was already sent (not \"nothing was sent\")", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const w = yield* Hackney.open("POST", srv.url, { pool: false })
      yield* w.finish
      const e = yield* Effect.flip(w.send("late"))
      expect(e._tag).toBe("InvalidRequest")
      expect(e).toMatchObject({ reason: "body", requestSent: true })
      expect(e.message).toContain("after finish")
      expect(e.message).toContain("part of it had already been sent")
      expect(e.message).not.toContain("nothing was sent")
    }))

  it.scoped("a large body written piece by piece arrives intact; the connection is then reused", () =>
    Effect.gen(function*() {
      const srv = yield* continueServer(() => true)
      const pool = yield* testPool
      const piece = "0123456789abcdef".repeat(4096) // 64 KiB
      yield* Effect.scoped(
        Effect.gen(function*() {
          const w = yield* Hackney.open("POST", srv.url, { pool })
          for (let i = 0; i < 64; i++) yield* w.send(piece)
          const res = yield* w.response
          expect(yield* res.text).toBe(`got ${64 * piece.length}`)
        })
      )
      expect(srv.bodies[0]).toBe(piece.repeat(64))
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 1 })
    }))

  it.scoped("Expect: 100-continue: the body waits for 100, then goes", () =>
    Effect.gen(function*() {
      const srv = yield* continueServer(() => true)
      const w = yield* Hackney.open("PUT", srv.url, { pool: false, headers: { expect: "100-continue" } })
      yield* w.send("after continue")
      const res = yield* w.response
      expect(res.status).toBe(200)
      expect(yield* res.text).toBe(`got ${"after continue".length}`)
      expect(res.informational.map((i) => i.status)).toEqual([100])
      expect(srv.continued()).toBe(1)
      expect(srv.bodies).toEqual(["after continue"])
    }))

  it.scoped("Expect: 100-continue with Content-Length: 100 path", () =>
    Effect.gen(function*() {
      const srv = yield* continueServer(() => true)
      const w = yield* Hackney.open("PUT", srv.url, {
        pool: false,
        headers: { expect: "100-continue", "content-length": "5" }
      })
      yield* w.send("12345")
      const res = yield* w.response
      expect(yield* res.text).toBe("got 5")
    }))

  it.scoped("Expect: 100-continue rejected (417, node:http): the body is not sent, the response is the 417", () =>
    Effect.gen(function*() {
      const srv = yield* continueServer(() => false)
      const w = yield* Hackney.open("PUT", srv.url, { pool: false, headers: { expect: "100-continue" } })
      yield* w.send("must not be sent")
      const res = yield* w.response
      expect(res.status).toBe(417)
      expect(srv.bodies).toEqual([])
    }))

  for (const mode of ["chunked", "content-length"] as const) {
    it.scoped(`Expect: 100-continue rejected (raw server, ${mode}): no body byte on the wire, connection not reused`, () =>
      Effect.gen(function*() {
        const after: Array<Buffer> = []
        const srv = yield* rawServer((socket) =>
          onRequestHead(socket, (_head, rest) => {
            if (rest.length > 0) after.push(rest)
            socket.on("data", (d: Buffer) => after.push(d))
            socket.write("HTTP/1.1 417 Expectation Failed\r\ncontent-length: 0\r\n\r\n")
          })
        )
        const pool = yield* testPool
        const headers: Record<string, string> = mode === "chunked"
          ? { expect: "100-continue" }
          : { expect: "100-continue", "content-length": "16" }
        const status = yield* Effect.scoped(
          Effect.gen(function*() {
            const w = yield* Hackney.open("PUT", srv.url, { pool, headers })
            yield* w.send("must not be sent")
            const res = yield* w.response
            return res.status
          })
        )
        expect(status).toBe(417)
        // Not a byte of the body (not even a last chunk); the connection, mid-message, is closed.
        yield* eventually(() => srv.sockets.size === 0, 2000, "the connection to close")
        expect(Buffer.concat(after).toString("latin1")).toBe("")
        expect((yield* Pool.stats(pool)).free).toBe(0)
      }))
  }

  it.scoped("Expect: 100-continue, a server that never answers: the body goes after continueTimeout (TestClock)", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const w = yield* Hackney.open("PUT", srv.url, {
        pool: false,
        headers: { expect: "100-continue" },
        continueTimeout: "2 seconds"
      })
      const { TestClock, Fiber } = yield* Effect.promise(() => import("effect"))
      const sending = yield* Effect.fork(w.send("late body"))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
      expect(sending.unsafePoll()).toBeNull()
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(sending)
      const res = yield* w.response
      expect(res.status).toBe(200)
      expect(srv.captured[0].endsWith("\r\n\r\n9\r\nlate body\r\n0\r\n\r\n")).toBe(true)
    }))
})
