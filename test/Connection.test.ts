/**
 * The connection contract (internal/connection/connection.ts), through the
 * HTTP/1.1 driver on a loopback socket: capacity and status, info, the
 * request head given as data and encoded by the driver (once per head), the
 * body framed by the driver (chunked with trailers, a declared length
 * checked), and `Expect: 100-continue` read from the head's fields.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import fc from "fast-check"
import * as net from "node:net"
import { expectsContinue } from "../src/internal/connection/connection.js"
import type { Connection, Request } from "../src/internal/connection/connection.js"
import { openConnection } from "../src/internal/connection/driver.js"
import { checkAndEncodeHead, encodeCheckedHead, encodeRequestHead } from "../src/internal/http1/encoder.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import { rawServer } from "./support/servers.js"

/**
 * A raw server that records every byte it receives and answers `answer` once
 * per connection, when the request ended (its head; a chunked body's last chunk).
 */
const recordingServer = (answer: string) =>
  Effect.suspend(() => {
    const received: Array<Buffer> = []
    const text = () => Buffer.concat(received).toString("latin1")
    const ended = (t: string) =>
      t.includes("Transfer-Encoding: chunked") ? /\r\n0\r\n(.*\r\n)*\r\n$/.test(t) : t.endsWith("\r\n\r\n")
    const srv = rawServer((s) => {
      let answered = false
      s.on("data", (d: Buffer) => {
        received.push(d)
        if (!answered && ended(text())) {
          answered = true
          s.write(answer)
        }
      })
    })
    return Effect.map(srv, (srv) => ({ srv, text }))
  })

const dial = (port: number) =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.async<Connection>((resume) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        resume(Effect.orDie(openConnection({ socket, alpn: "http/1.1", tls: false }, { recvTimeout: 5000, wheel: wheelFor(clock) })))
      })
    }))

/** A request as data (its HTTP/1.1 encoding not yet known). */
const request = (
  method: string,
  target: string,
  authority: string,
  rawHeaders: ReadonlyArray<string>,
  bodySize: number | undefined,
  body: Request["body"] = { _tag: "None" }
): Request => ({
  method,
  target,
  authority,
  rawHeaders,
  bodySize,
  h1: undefined,
  href: "http://127.0.0.1/",
  body,
  maxBodySize: Infinity,
  recvTimeout: 5000,
  headLimits: undefined
})

const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

describe("connection contract (HTTP/1.1 driver)", () => {
  it.scoped("capacity 1; free is 1 when idle and 0 while a request is in flight; status, info and toJSON follow", () =>
    Effect.gen(function*() {
      const { srv } = yield* recordingServer(ok)
      const conn = yield* dial(srv.port)
      expect(conn.protocol).toBe("http/1.1")
      expect([conn.status, conn.capacity, conn.free, conn.isAvailable]).toEqual(["idle", 1, 1, true])
      expect(conn.info.peername?.port).toBe(srv.port)
      expect(conn.info.remoteAddress).toBe("127.0.0.1")
      expect(conn.info.sockname?.address).toBe("127.0.0.1")
      expect([conn.info.alpn, conn.info.tls, conn.info.peercert]).toEqual(["http/1.1", false, undefined])
      const wheel = wheelFor(yield* Effect.clock)
      const ex = conn.begin(request("GET", "/", "a.test", [], 0), "collect", wheel)
      expect([conn.status, conn.capacity, conn.free, conn.isAvailable]).toEqual(["active", 1, 0, false])
      yield* ex.waitFor(ex.isComplete)
      expect(conn.toJSON()).toMatchObject({ protocol: "http/1.1", state: "done", requests: 1, exchange: { status: 200, complete: true } })
      expect(conn.release(ex)).toBe(true)
      expect([conn.status, conn.free]).toEqual(["idle", 1])
      conn.close()
      expect([conn.status, conn.free, conn.isAvailable]).toEqual(["closed", 0, false])
    }))

  it.scoped("the driver encodes a request given as data, once: the encoding is kept in its h1 cache", () =>
    Effect.gen(function*() {
      const { srv, text } = yield* recordingServer(ok)
      const conn = yield* dial(srv.port)
      const wheel = wheelFor(yield* Effect.clock)
      const req = request("GET", "/p?q=1", "a.test:8080", ["User-Agent", "t"], 0)
      expect(req.h1).toBeUndefined()
      const ex = conn.begin(req, "collect", wheel)
      const encoded = req.h1
      expect(encoded).toBe("GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nUser-Agent: t\r\n\r\n")
      yield* ex.waitFor(ex.isComplete)
      conn.release(ex)
      expect(text()).toBe(encoded)
    }))

  it.scoped("a body of unknown size is chunked by the driver and ends with the trailers given to end", () =>
    Effect.gen(function*() {
      const { srv, text } = yield* recordingServer(ok)
      const conn = yield* dial(srv.port)
      const wheel = wheelFor(yield* Effect.clock)
      const ex = conn.begin(request("POST", "/", "a.test", [], undefined, { _tag: "Stream" }), "collect", wheel)
      yield* ex.write(new TextEncoder().encode("hello"))
      yield* ex.write(new Uint8Array(0))
      yield* ex.end(["X-Checksum", "abc"])
      yield* ex.waitFor(ex.isComplete)
      expect(conn.release(ex)).toBe(true)
      expect(text()).toBe("POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n")
    }))

  it.scoped("a declared length is checked by the driver: more bytes fail at write, fewer at end, trailers are refused", () =>
    Effect.gen(function*() {
      const { srv } = yield* recordingServer(ok)
      const wheel = wheelFor(yield* Effect.clock)
      const start = Effect.map(dial(srv.port), (conn) => ({
        conn,
        ex: conn.begin(request("PUT", "/", "a.test", [], 3, { _tag: "Stream" }), "collect", wheel)
      }))
      const bytes = new Uint8Array([1, 2])
      const over = yield* start
      yield* over.ex.write(bytes)
      const e1 = yield* Effect.flip(over.ex.write(bytes))
      expect([e1._tag, e1._tag === "InvalidRequest" && e1.reason]).toEqual(["InvalidRequest", "body"])
      expect(e1.message).toContain("more than the declared 3 bytes")
      over.conn.close()
      const short = yield* start
      yield* short.ex.write(bytes)
      const e2 = yield* Effect.flip(short.ex.end())
      expect(e2.message).toContain("2 bytes, 3 were declared")
      const e3 = yield* Effect.flip(short.ex.end(["X-T", "1"]))
      expect(e3.message).toContain("trailers need a body of unknown size")
      // The request never ended: the connection is not reused.
      expect(short.conn.release(short.ex)).toBe(false)
      expect(short.conn.status).toBe("closed")
    }))

  it.scoped("invalid trailers fail with InvalidRequest and nothing of them is written", () =>
    Effect.gen(function*() {
      const { srv, text } = yield* recordingServer(ok)
      const conn = yield* dial(srv.port)
      const wheel = wheelFor(yield* Effect.clock)
      const ex = conn.begin(request("POST", "/", "a.test", [], undefined, { _tag: "Stream" }), "collect", wheel)
      const e = yield* Effect.flip(ex.end(["X-Bad", "a\r\nInjected: 1"]))
      expect(e._tag).toBe("InvalidRequest")
      expect(text()).not.toContain("Injected")
      conn.close()
    }))

  it("Expect: 100-continue is read from the head's fields, in any case, not from encoded text", () => {
    const with_ = (raw: Array<string>) => expectsContinue(request("PUT", "/", "a", raw, 1))
    expect(with_(["Expect", "100-continue"])).toBe(true)
    expect(with_(["expect", " 100-Continue"])).toBe(true)
    expect(with_(["X-Expect", "100-continue"])).toBe(false)
    expect(with_(["Expect", "something-else"])).toBe(false)
    expect(with_(["X-Note", "expect: 100-continue"])).toBe(false)
    expect(with_([])).toBe(false)
  })

  it("checkAndEncodeHead accepts exactly what encodeRequestHead encodes, and encodeCheckedHead encodes it the same", () => {
    const text = fc.oneof(fc.constantFrom("GET", "a b", "", "x\r\ny", "é", "Host", "content-length", "/p?q"), fc.string({ maxLength: 6 }))
    fc.assert(
      fc.property(
        text,
        text,
        fc.option(text, { nil: undefined }),
        fc.array(text, { maxLength: 6 }).map((a) => (a.length % 2 === 0 ? a : a.slice(1))),
        fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 5 })),
        (method, target, host, raw, size) => {
          const framing = size === undefined ? { _tag: "Chunked" as const } : { _tag: "Length" as const, length: size }
          const encoded = encodeRequestHead({ method, target, host, rawHeaders: raw, framing })
          const checked = checkAndEncodeHead(method, target, host, raw, size)
          if (Either.isRight(encoded)) {
            expect(checked).toBe(encoded.right)
            expect(encodeCheckedHead(method, target, host, raw, size)).toBe(encoded.right)
          } else {
            expect(typeof checked === "string" ? checked : checked.detail).toBe(encoded.left.detail)
          }
        }
      )
    )
  })
})
