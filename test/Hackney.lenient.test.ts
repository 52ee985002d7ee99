/**
 * Issue 12, items 2, 3, 6, 7 through `Hackney.request`: raw in-process
 * servers write exact bytes (several messages in one write, or one byte per
 * write); repeated `chunked`, Transfer-Encoding lists, obs-fold, bare LF, and
 * the head limits as request and pool options.
 */
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Option } from "effect"
import type * as net from "node:net"
import { Hackney, HackneyHttpClient, Headers, Pool } from "../src/index.js"
import { rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = (options: Pool.Options = {}) => Pool.make({ ...options, name: `lenient-${poolSeq++}` })

/**
 * A raw server answering each GET head on a connection with the next of
 * `responses` (the last one repeats); `perByte` writes one byte per write.
 */
const answering = (responses: ReadonlyArray<string>, perByte = false) =>
  rawServer((socket: net.Socket) => {
    let buf = ""
    let n = 0
    socket.on("data", (d: Buffer) => {
      buf += d.toString("latin1")
      for (let i = buf.indexOf("\r\n\r\n"); i >= 0; i = buf.indexOf("\r\n\r\n")) {
        buf = buf.slice(i + 4)
        const bytes = Buffer.from(responses[Math.min(n++, responses.length - 1)], "latin1")
        if (!perByte) socket.write(bytes)
        else {
          let k = 0
          const next = () => {
            if (k < bytes.length && !socket.destroyed) socket.write(bytes.subarray(k, ++k), () => setImmediate(next))
          }
          next()
        }
      }
    })
  })

const text = (body: Uint8Array) => Buffer.from(body).toString("latin1")
const header = (res: Hackney.Response, name: string) => Option.getOrUndefined(Headers.get(res.headers, name))

describe("Hackney: Transfer-Encoding lists", () => {
  const framed = "5\r\nhello\r\n0\r\n\r\n"

  it.scoped("chunked, chunked fails with ProtocolError instead of returning the chunk framing as the body", () =>
    Effect.gen(function*() {
      const srv = yield* answering([`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n${framed}`])
      const pool = yield* testPool()
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "invalid-transfer-encoding" })
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
    }))

  it.scoped("two Transfer-Encoding: chunked fields fail fast on a kept-alive connection (no RecvTimeout)", () =>
    Effect.gen(function*() {
      const srv = yield* answering([
        `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${framed}`
      ])
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false, recvTimeout: "30 seconds" }).pipe(Effect.timeout("3 seconds")))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "invalid-transfer-encoding" })
    }))

  it.scoped("gzip, chunked: the chunked body is decoded and the connection reused", () =>
    Effect.gen(function*() {
      const srv = yield* answering([`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${framed}`])
      const pool = yield* testPool()
      for (let i = 0; i < 2; i++) expect(text((yield* Hackney.get(srv.url, { pool })).body)).toBe("hello")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("chunked, gzip: the body is read until the server closes", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nopaque bytes"))
      )
      const res = yield* Hackney.get(srv.url, { pool: false })
      expect(text(res.body)).toBe("opaque bytes")
    }))
})

describe("Hackney: obs-fold in a response", () => {
  const folded = "HTTP/1.1 200 OK\r\nX-Folded: one\r\n two\r\n\tthree\r\nContent-Length: 2\r\n\r\nok"

  it.scoped("an obs-folded header value is returned with each fold replaced by one SP", () =>
    Effect.gen(function*() {
      const srv = yield* answering([folded])
      const res = yield* Hackney.get(srv.url, { pool: false })
      expect(header(res, "x-folded")).toBe("one two three")
      expect(text(res.body)).toBe("ok")
    }))

  it.scoped("an obs-folded head written one byte per write, twice on one pooled connection", () =>
    Effect.gen(function*() {
      const srv = yield* answering([folded], true)
      const pool = yield* testPool()
      for (let i = 0; i < 2; i++) expect(header(yield* Hackney.get(srv.url, { pool }), "x-folded")).toBe("one two three")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("whitespace before the first header fails with ProtocolError whitespace-before-headers", () =>
    Effect.gen(function*() {
      const srv = yield* answering(["HTTP/1.1 200 OK\r\n X-A: b\r\nContent-Length: 0\r\n\r\n"])
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "whitespace-before-headers" })
    }))
})

describe("Hackney: bare LF line endings", () => {
  const lf = "HTTP/1.1 200 OK\nX-A: 1\nTransfer-Encoding: chunked\n\n5\nhello\n6;e=1\n world\n0\nX-T: t\n\n"

  it.scoped("a response ending every line with a bare LF is read, trailers included, and the connection reused", () =>
    Effect.gen(function*() {
      const srv = yield* answering([lf, lf.replace("hello", "again")])
      const pool = yield* testPool()
      const first = yield* Hackney.get(srv.url, { pool })
      expect(first.status).toBe(200)
      expect(header(first, "x-a")).toBe("1")
      expect(text(first.body)).toBe("hello world")
      expect(first.trailers && Option.getOrUndefined(Headers.get(first.trailers, "x-t"))).toBe("t")
      expect(text((yield* Hackney.get(srv.url, { pool })).body)).toBe("again world")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("bare LF with Content-Length, written one byte per write", () =>
    Effect.gen(function*() {
      const srv = yield* answering(["HTTP/1.1 200 OK\nContent-Length: 5\n\nhello"], true)
      expect(text((yield* Hackney.get(srv.url, { pool: false })).body)).toBe("hello")
    }))

  it.scoped("a bare CR still fails with ProtocolError invalid-line-ending", () =>
    Effect.gen(function*() {
      const srv = yield* answering(["HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n"])
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "invalid-line-ending" })
    }))
})

describe("Hackney: head limits as options", () => {
  const big = `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(18 * 1024)}\r\nContent-Length: 2\r\n\r\nok`

  it.scoped("an 18 KB head fails by default, and the error names the option to raise", () =>
    Effect.gen(function*() {
      const srv = yield* answering([big])
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "header-section-too-large" })
      expect(e.message).toContain("maxHeaderSize")
    }))

  it.scoped("an 18 KB head works when the request raises maxHeaderSize", () =>
    Effect.gen(function*() {
      const srv = yield* answering([big])
      const res = yield* Hackney.get(srv.url, { pool: false, maxHeaderSize: 32 * 1024 })
      expect(text(res.body)).toBe("ok")
      expect(header(res, "x-big")?.length).toBe(18 * 1024)
    }))

  it.scoped("the pool's maxHeaderSize is the default of its requests; a request's own limit wins, per request on one connection", () =>
    Effect.gen(function*() {
      const srv = yield* answering([big])
      const pool = yield* testPool({ maxHeaderSize: 32 * 1024 })
      expect(text((yield* Hackney.get(srv.url, { pool })).body)).toBe("ok")
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool, maxHeaderSize: 16 * 1024 }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "header-section-too-large" })
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("maxHeaderCount and maxStartLineLength as request and pool options", () =>
    Effect.gen(function*() {
      const srv = yield* answering(["HTTP/1.1 200 A rather long reason phrase\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n"])
      const e1 = yield* Effect.flip(Hackney.get(srv.url, { pool: false, maxHeaderCount: 2 }))
      expect(e1).toMatchObject({ _tag: "ProtocolError", reason: "too-many-headers" })
      expect(e1.message).toContain("maxHeaderCount")
      const e2 = yield* Effect.flip(Hackney.get(srv.url, { pool: false, maxStartLineLength: 20 }))
      expect(e2).toMatchObject({ _tag: "ProtocolError", reason: "start-line-too-long" })
      expect(e2.message).toContain("maxStartLineLength")
      const pool = yield* testPool({ maxHeaderCount: 2 })
      expect(yield* Effect.flip(Hackney.get(srv.url, { pool }))).toMatchObject({ reason: "too-many-headers" })
      expect((yield* Hackney.get(srv.url, { pool, maxHeaderCount: 3 })).status).toBe(200)
    }))

  it.scoped("HackneyHttpClient takes the limits from its request options", () =>
    Effect.gen(function*() {
      const srv = yield* answering([big])
      const client = HackneyHttpClient.make({ pool: false, maxHeaderSize: 32 * 1024 })
      const body = yield* client.get(srv.url).pipe(Effect.flatMap((r) => r.text))
      expect(body).toBe("ok")
      const e = yield* Effect.flip(HackneyHttpClient.make({ pool: false, maxHeaderSize: 0 }).get(srv.url))
      expect(String(e.cause)).toContain("maxHeaderSize")
      expect(srv.accepted()).toBe(1)
    }))

  const invalid: Array<[string, Hackney.Options]> = [
    ["zero", { maxHeaderSize: 0 }],
    ["negative", { maxHeaderCount: -1 }],
    ["fractional", { maxStartLineLength: 1.5 }],
    ["NaN", { maxHeaderSize: Number.NaN }],
    ["a string", { maxHeaderCount: "100" as unknown as number }]
  ]
  for (const [label, options] of invalid) {
    it.scoped(`an invalid head-limit option (${label}) fails with InvalidRequest naming it, nothing sent`, () =>
      Effect.gen(function*() {
        const srv = yield* answering(["HTTP/1.1 204 No Content\r\n\r\n"])
        const e = yield* Effect.flip(Hackney.get(srv.url, { ...options, pool: false }))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
        expect(e.message).toContain(Object.keys(options)[0])
        const p = yield* Effect.flip(testPool(options))
        expect(p).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
        expect(p.message).toContain(Object.keys(options)[0])
        expect(srv.accepted()).toBe(0)
      }))
  }

  it.effect("Pool.layerConfig reads the limits; an invalid one fails the layer with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const config = Config.all({ name: Config.string("NAME"), maxHeaderSize: Config.integer("MAX_HEADER_SIZE") })
      const run = (env: Record<string, string>) =>
        Effect.scoped(Layer.build(Pool.layerConfig(config))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      yield* run({ NAME: `lenient-config-${poolSeq++}`, MAX_HEADER_SIZE: "32768" })
      const e = yield* Effect.flip(run({ NAME: `lenient-config-${poolSeq++}`, MAX_HEADER_SIZE: "-5" }))
      expect(String(e)).toContain("maxHeaderSize")
    }))
})
