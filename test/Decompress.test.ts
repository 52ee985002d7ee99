/**
 * `autoDecompress`: gzip, deflate (zlib-wrapped and raw) and br bodies in
 * one-shot and stream mode, Accept-Encoding, corrupt and truncated input,
 * and a 809-byte brotli bomb that expands to 1 GiB.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { readFileSync } from "node:fs"
import type * as http from "node:http"
import * as zlib from "node:zlib"
import { Hackney, Headers, Pool } from "../src/index.js"
import { acceptEncoding, decodingPlan } from "../src/internal/node/decompress.js"
import { rawValues } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `decompress-test-${poolSeq++}` }))

const text = "hello, decompressed world! ".repeat(2000)
const plain = Buffer.from(text)
const gz = zlib.gzipSync(plain)
/** 1 GiB of zeros, brotli quality 5, window 24: 809 bytes. */
const bomb = Buffer.from(readFileSync(new URL("./fixtures/bomb-1g.br.b64", import.meta.url), "utf8").trim(), "base64")

const bodies: Record<string, readonly [string, Buffer]> = {
  "/gzip": ["gzip", gz],
  "/x-gzip": ["x-gzip", gz],
  "/deflate": ["deflate", zlib.deflateSync(plain)],
  "/deflate-raw": ["deflate", zlib.deflateRawSync(plain)],
  "/br": ["br", zlib.brotliCompressSync(plain)],
  "/gzip-br": ["gzip, br", zlib.brotliCompressSync(gz)],
  "/identity": ["identity", plain],
  "/truncated": ["gzip", gz.subarray(0, gz.length - 20)],
  "/corrupt": ["gzip", Buffer.concat([gz.subarray(0, 10), Buffer.alloc(64, 0xff)])],
  "/bomb": ["br", bomb],
  "/empty": ["gzip", Buffer.alloc(0)]
}

const encodedServer = () => {
  const seen: Array<ReadonlyArray<string>> = []
  const handler: http.RequestListener = (req, res) => {
    seen.push(req.rawHeaders)
    const entry = bodies[req.url!]
    if (entry === undefined) {
      res.writeHead(404, { "content-length": 0 })
      res.end()
      return
    }
    const [encoding, body] = entry
    // Chunked for the bomb (as a streaming server would); Content-Length otherwise.
    res.writeHead(200, {
      "content-encoding": encoding,
      ...(req.url === "/bomb" ? {} : { "content-length": body.length })
    })
    res.end(req.method === "HEAD" ? undefined : body)
  }
  return Effect.map(httpServer(handler), (srv) => ({ ...srv, seen }))
}

describe("autoDecompress", () => {
  it("plans: codings undone in reverse, identity dropped, unknown left alone", () => {
    expect(decodingPlan("gzip")).toEqual(["gzip"])
    expect(decodingPlan("gzip, br")).toEqual(["br", "gzip"])
    expect(decodingPlan("identity")).toEqual([])
    expect(decodingPlan("compress")).toBeUndefined()
    expect(acceptEncoding.startsWith("gzip, deflate, br")).toBe(true)
  })

  it.scoped("one-shot: gzip, x-gzip, deflate (both forms), br, gzip+br, identity", () =>
    Effect.gen(function*() {
      const srv = yield* encodedServer()
      const pool = yield* testPool
      for (const path of ["/gzip", "/x-gzip", "/deflate", "/deflate-raw", "/br", "/gzip-br", "/identity"]) {
        const res = yield* Hackney.get(`${srv.url}${path}`, { pool, autoDecompress: true })
        expect(res.text(), path).toBe(text)
        const decoded = path !== "/identity"
        expect(Headers.has(res.headers, "content-encoding"), path).toBe(!decoded)
        expect(Headers.has(res.headers, "content-length"), path).toBe(!decoded)
      }
      // Accept-Encoding was sent; a caller's own is kept.
      expect(rawValues(srv.seen[0], "accept-encoding")).toEqual([acceptEncoding])
      yield* Hackney.get(`${srv.url}/gzip`, { pool, autoDecompress: true, headers: { "accept-encoding": "gzip" } })
      expect(rawValues(srv.seen[srv.seen.length - 1], "accept-encoding")).toEqual(["gzip"])
      // Off (the default): the raw bytes and headers.
      const raw = yield* Hackney.get(`${srv.url}/gzip`, { pool })
      expect(Buffer.from(raw.body).equals(gz)).toBe(true)
      expect(rawValues(srv.seen[srv.seen.length - 1], "accept-encoding")).toEqual([])
      // Empty bodies (HEAD, or an empty gzip body) decode to nothing.
      expect((yield* Hackney.head(`${srv.url}/gzip`, { pool, autoDecompress: true })).body.length).toBe(0)
      expect((yield* Hackney.get(`${srv.url}/empty`, { pool, autoDecompress: true })).body.length).toBe(0)
    }))

  it.scoped("stream mode decodes as it streams", () =>
    Effect.gen(function*() {
      const srv = yield* encodedServer()
      const pool = yield* testPool
      for (const path of ["/gzip", "/deflate", "/deflate-raw", "/br"]) {
        const res = yield* Hackney.stream("GET", `${srv.url}${path}`, { pool, autoDecompress: true })
        expect(Headers.has(res.headers, "content-encoding")).toBe(false)
        const chunks = yield* Stream.runCollect(res.body)
        expect(Buffer.concat([...chunks]).toString(), path).toBe(text)
      }
    }))

  it.scoped("truncated or corrupt input fails with ProtocolError (decompression), in both modes", () =>
    Effect.gen(function*() {
      const srv = yield* encodedServer()
      const pool = yield* testPool
      for (const path of ["/truncated", "/corrupt"]) {
        const e = yield* Effect.flip(Hackney.get(`${srv.url}${path}`, { pool, autoDecompress: true }))
        expect(e._tag, path).toBe("ProtocolError")
        expect(e._tag === "ProtocolError" && e.reason, path).toBe("decompression")
        const s = yield* Hackney.stream("GET", `${srv.url}${path}`, { pool, autoDecompress: true })
        const f = yield* Effect.flip(s.text)
        expect(f._tag === "ProtocolError" && f.reason, path).toBe("decompression")
      }
    }))

  it.scoped("a 809-byte body that inflates to 1 GiB fails with BodyTooLarge in bounded memory", () =>
    Effect.gen(function*() {
      const srv = yield* encodedServer()
      const pool = yield* testPool
      const limit = 8 * 1024 * 1024
      global.gc?.()
      const before = process.memoryUsage().rss
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/bomb`, { pool, autoDecompress: true, maxBodySize: limit }))
      expect(e._tag).toBe("BodyTooLarge")
      expect(e._tag === "BodyTooLarge" && e.limit).toBe(limit)
      const s = yield* Hackney.stream("GET", `${srv.url}/bomb`, { pool, autoDecompress: true, maxBodySize: limit })
      let seen = 0
      const f = yield* Effect.flip(Stream.runForEach(s.body, (c) => Effect.sync(() => (seen += c.length))))
      expect(f._tag).toBe("BodyTooLarge")
      expect(seen).toBeLessThanOrEqual(limit)
      const growth = process.memoryUsage().rss - before
      expect(growth).toBeLessThan(64 * 1024 * 1024)
    }))
})
