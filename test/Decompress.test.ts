/**
 * `autoDecompress`: gzip, deflate (zlib-wrapped and raw) and br bodies in
 * one-shot and stream mode, Accept-Encoding, corrupt and truncated input,
 * and a 809-byte brotli bomb that expands to 1 GiB.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { readFileSync } from "node:fs"
import type * as http from "node:http"
import * as zlib from "node:zlib"
import { Hackney, Headers, Pool } from "../src/index.js"
import {
  acceptEncoding,
  corruptBody,
  decode,
  decodeOne,
  decodingPlan,
  encodingsWith,
  limitDecoded
} from "../src/internal/node/decompress.js"
import type { DecodeFailure } from "../src/internal/node/decompress.js"
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

describe("decoding a body Stream (no server)", () => {
  /** The stream's bytes as text, or its failure. */
  const run = <E>(s: Stream.Stream<Uint8Array, E>) =>
    Effect.map(Effect.either(Stream.runCollect(s)), (r) =>
      Either.map(r, (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)).toString()))
  const bytes = (b: Buffer, size: number) => {
    const out: Array<Uint8Array> = []
    for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size))
    return Stream.fromIterable(out)
  }
  const corrupt = (f: DecodeFailure) => `corrupt ${f.coding}: ${f.detail}`
  const small = Buffer.from("hello hello hello")

  it.effect("a zlib-wrapped deflate body whose first chunk is one byte is still read as zlib (not raw)", () =>
    Effect.gen(function*() {
      expect(yield* run(decodeOne(bytes(zlib.deflateSync(small), 1), "deflate", corrupt))).toEqual(Either.right(small.toString()))
      expect(yield* run(decodeOne(bytes(zlib.deflateRawSync(small), 1), "deflate", corrupt))).toEqual(Either.right(small.toString()))
      const first = zlib.deflateSync(small)
      const split = Stream.fromIterable([first.subarray(0, 1), new Uint8Array(0), first.subarray(1)])
      expect(yield* run(decodeOne(split, "deflate", corrupt))).toEqual(Either.right(small.toString()))
    }))

  it.effect("a one-byte deflate body is handed to zlib at the end (corrupt), not dropped as empty", () =>
    Effect.gen(function*() {
      const r = yield* run(decodeOne(Stream.make(new Uint8Array([0x78])), "deflate", corrupt))
      expect(Either.isLeft(r) && r.left.startsWith("corrupt deflate: ")).toBe(true)
    }))

  it.effect("an empty body, or empty chunks only, decode to nothing; empty chunks in between are skipped", () =>
    Effect.gen(function*() {
      for (const coding of ["gzip", "deflate", "br"]) {
        expect(yield* run(decodeOne(Stream.empty, coding, corrupt))).toEqual(Either.right(""))
        expect(yield* run(decodeOne(Stream.make(new Uint8Array(0)), coding, corrupt))).toEqual(Either.right(""))
      }
      const gz = zlib.gzipSync(small)
      const withEmpty = Stream.fromIterable([gz.subarray(0, 5), new Uint8Array(0), gz.subarray(5)])
      expect(yield* run(decodeOne(withEmpty, "gzip", corrupt))).toEqual(Either.right(small.toString()))
    }))

  it.effect("every coding, in chunks of 1, 7 and whole; a plan of several is undone in order", () =>
    Effect.gen(function*() {
      const encoded: Record<string, Buffer> = {
        gzip: zlib.gzipSync(small),
        "x-gzip": zlib.gzipSync(small),
        deflate: zlib.deflateSync(small),
        br: zlib.brotliCompressSync(small)
      }
      for (const [coding, b] of Object.entries(encoded)) {
        for (const size of [1, 7, b.length]) {
          expect([coding, size, yield* run(decodeOne(bytes(b, size), coding, corrupt))]).toEqual([coding, size, Either.right(small.toString())])
        }
      }
      const twice = zlib.brotliCompressSync(zlib.gzipSync(small))
      const plan = decodingPlan("gzip, br")!
      expect(plan).toEqual(["br", "gzip"])
      expect(yield* run(decode(bytes(twice, 3), plan, corrupt))).toEqual(Either.right(small.toString()))
      expect(yield* run(decode(bytes(small, 3), [], corrupt))).toEqual(Either.right(small.toString()))
    }))

  it.effect("a large body comes out whole through the inflater's backpressure", () =>
    Effect.gen(function*() {
      const big = Buffer.alloc(3 * 1024 * 1024, "abcdefgh")
      const r = yield* run(decodeOne(bytes(zlib.gzipSync(big), 1024), "gzip", corrupt))
      expect(Either.map(r, (t) => t.length)).toEqual(Either.right(big.length))
    }))

  it.effect("corrupt input fails with onCorrupt's error naming the coding; the input's own failure passes through", () =>
    Effect.gen(function*() {
      const bad = yield* run(decodeOne(Stream.make(new Uint8Array(64).fill(0xff)), "gzip", corrupt))
      expect(bad).toEqual(Either.left("corrupt gzip: incorrect header check"))
      const failing = Stream.concat(Stream.make(zlib.gzipSync(small).subarray(0, 5)), Stream.fail("input broke"))
      expect(yield* run(decodeOne(failing, "gzip", corrupt))).toEqual(Either.left("input broke"))
      const noDecoder = yield* run(decodeOne(Stream.make(new Uint8Array([1, 2])), "zstd", corrupt, undefined))
      expect(noDecoder).toEqual(Either.left("corrupt zstd: no zstd decoder on this Node"))
    }))

  it("the plan: codings undone last first, case and spaces ignored, identity and empty entries dropped; an unknown one: undefined", () => {
    expect(decodingPlan(undefined)).toEqual([])
    expect(decodingPlan(" GZIP , identity,, x-gzip ")).toEqual(["x-gzip", "gzip"])
    expect(decodingPlan("deflate, compress")).toBeUndefined()
    expect(decodingPlan("zstd", undefined)).toBeUndefined()
    expect(decodingPlan("zstd", () => zlib.createGunzip())).toEqual(["zstd"])
    expect(encodingsWith(undefined)).toEqual(["gzip", "deflate", "br"])
    expect(encodingsWith(() => zlib.createGunzip())).toEqual(["gzip", "deflate", "br", "zstd"])
  })

  it.effect("limitDecoded: up to the limit passes, one byte more fails with BodyTooLarge; no finite limit: the body itself", () =>
    Effect.gen(function*() {
      const body = Stream.make(new Uint8Array(3), new Uint8Array(2))
      expect(Either.map(yield* run(limitDecoded(body, 5, "GET", "http://a.test/")), (t) => t.length)).toEqual(Either.right(5))
      const over = yield* Effect.flip(Stream.runDrain(limitDecoded(body, 4, "GET", "http://a.test/")))
      expect(over).toMatchObject({ _tag: "BodyTooLarge", limit: 4, direction: "response", method: "GET", url: "http://a.test/" })
      expect(limitDecoded(body, Infinity, "GET", "u")).toBe(body)
    }))

  it("corruptBody: ProtocolError(decompression) naming the coding, with the cause", () => {
    const cause = new Error("bad")
    const e = corruptBody({ coding: "br", detail: "bad", cause }, "GET", "http://a.test/")
    expect(e).toMatchObject({ _tag: "ProtocolError", reason: "decompression", detail: "invalid br body: bad", method: "GET", url: "http://a.test/" })
    expect(e.cause).toBe(cause)
  })
})
