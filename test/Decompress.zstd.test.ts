/**
 * `autoDecompress` and zstd (issue 12, item 9). zstd is advertised and
 * decoded only where this Node's zlib has `createZstdDecompress` (Node
 * 22.15+, 23.8+). Elsewhere (Node 20) it is neither advertised nor decoded:
 * a zstd body a server sends anyway comes back as it was sent, with its
 * `Content-Encoding` and `Content-Length`, so it never passes for decoded.
 *
 * End to end, the branch of the Node running the tests; the other branch
 * through the decoder's `zstd` parameter.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import type * as http from "node:http"
import * as zlib from "node:zlib"
import { Hackney, Headers, Pool } from "../src/index.js"
import { decode, decodingPlan, encodingsWith, nodeZstd } from "../src/internal/node/decompress.js"
import type { ZstdFactory } from "../src/internal/node/decompress.js"
import { rawValues } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `decompress-zstd-${poolSeq++}` }))

/** `printf 'hello zstd' | zstd -c` (zstd 1.5): one frame, one raw block, with a checksum. */
const helloZstd = Buffer.from("28b52ffd045851000068656c6c6f207a737464cfdb609c", "hex")

/** Answers every request with the zstd frame (Content-Encoding: zstd), recording the request headers. */
const zstdServer = () => {
  const seen: Array<ReadonlyArray<string>> = []
  const handler: http.RequestListener = (req, res) => {
    seen.push(req.rawHeaders)
    res.writeHead(200, { "content-encoding": "zstd", "content-length": helloZstd.length })
    res.end(helloZstd)
  }
  return Effect.map(httpServer(handler), (srv) => ({ ...srv, seen }))
}

describe("autoDecompress and zstd", () => {
  it.scoped.runIf(nodeZstd === undefined)(
    "without zlib zstd (this Node): not advertised; a zstd body sent anyway is returned as sent, Content-Encoding kept",
    () =>
      Effect.gen(function*() {
        const srv = yield* zstdServer()
        const pool = yield* testPool
        const r = yield* Hackney.get(srv.url, { pool, autoDecompress: true })
        expect(rawValues(srv.seen[0], "accept-encoding")).toEqual(["gzip, deflate, br"])
        expect(Buffer.from(r.body).equals(helloZstd)).toBe(true)
        expect(Headers.getOrUndefined(r.headers, "content-encoding")).toBe("zstd")
        expect(Headers.getOrUndefined(r.headers, "content-length")).toBe(String(helloZstd.length))
        // Stream mode alike.
        const streamed = yield* Effect.scoped(Effect.flatMap(
          Hackney.stream("GET", srv.url, { pool, autoDecompress: true }),
          (s) => Effect.map(s.bytes, (bytes) => ({ bytes, encoding: Headers.getOrUndefined(s.headers, "content-encoding") }))
        ))
        expect(Buffer.from(streamed.bytes).equals(helloZstd)).toBe(true)
        expect(streamed.encoding).toBe("zstd")
      })
  )

  it.scoped.runIf(nodeZstd !== undefined)("with zlib zstd (this Node): advertised and decoded, headers removed", () =>
    Effect.gen(function*() {
      const srv = yield* zstdServer()
      const r = yield* Hackney.get(srv.url, { pool: yield* testPool, autoDecompress: true })
      expect(rawValues(srv.seen[0], "accept-encoding")).toEqual(["gzip, deflate, br, zstd"])
      expect(r.text()).toBe("hello zstd")
      expect(Headers.has(r.headers, "content-encoding")).toBe(false)
    }))

  it("the plan and Accept-Encoding follow the zstd decoder's presence", () => {
    const factory: ZstdFactory = () => zlib.createGunzip()
    expect(encodingsWith(undefined)).toEqual(["gzip", "deflate", "br"])
    expect(encodingsWith(factory)).toEqual(["gzip", "deflate", "br", "zstd"])
    expect(decodingPlan("zstd", undefined)).toBeUndefined()
    expect(decodingPlan("gzip, zstd", undefined)).toBeUndefined()
    expect(decodingPlan("gzip, zstd", factory)).toEqual(["zstd", "gzip"])
  })

  it.effect("a zstd coding is decoded by the zstd decoder given (a gunzip stands in for it on Node 20)", () =>
    Effect.gen(function*() {
      const factory: ZstdFactory = nodeZstd ?? (() => zlib.createGunzip())
      const input = nodeZstd !== undefined ? helloZstd : zlib.gzipSync("hello zstd")
      const out = yield* Stream.runCollect(decode(Stream.make(new Uint8Array(input)), ["zstd"], (f) => f.detail, factory))
      expect(Buffer.concat(Chunk.toReadonlyArray(out)).toString()).toBe("hello zstd")
    }))

  it.effect("without a zstd decoder, decoding zstd fails typed (never raw bytes passed off as decoded)", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(
        Stream.runCollect(decode(Stream.make(new Uint8Array(helloZstd)), ["zstd"], (f) => f.detail, undefined))
      )
      expect(e).toBe("no zstd decoder on this Node")
    }))
})
