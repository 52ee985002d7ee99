/**
 * Bounded memory for big multipart bodies (env-gated: the default run stays
 * fast), and one fast check that a streamed request body is not retained
 * as it is sent. `HACKNEY_MULTIPART_BIG=1 npx vitest run test/Multipart.memory.test.ts`
 * uploads a 1 GiB file as a form part to an in-process server that counts
 * the bytes, then decodes a 1 GiB part of a streamed multipart response,
 * sampling the RSS every 10 ms: the peak growth over the start must stay
 * under 64 MB. `HACKNEY_MULTIPART_BIG_MIB` changes the size (default 1024).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as Hackney from "../src/Hackney.js"
import { httpServer } from "./support/servers.js"

const size = Number(process.env.HACKNEY_MULTIPART_BIG_MIB ?? 1024) * 1024 * 1024
const limit = 64 * 1024 * 1024

/** Runs `self` while sampling the RSS; returns its result and the peak growth in bytes. */
const peakGrowth = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    ;(globalThis as { gc?: () => void }).gc?.()
    const start = process.memoryUsage.rss()
    let peak = start
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
    }, 10)
    const a = yield* Effect.ensuring(self, Effect.sync(() => clearInterval(timer)))
    peak = Math.max(peak, process.memoryUsage.rss())
    return [a, peak - start] as const
  })

// A collector to call: what is still in memory after it ran is held by something.
v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

describe("streamed request bodies in bounded memory", () => {
  it.scopedLive("a streamed request body is not held in memory as it is sent (64 MiB sent, under 32 MiB of buffers live)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.on("data", () => {})
        req.on("end", () => res.end("ok"))
      })
      const n = 256
      gc()
      const base = process.memoryUsage().arrayBuffers
      let live = 0
      let i = 0
      // Fresh 256 KiB chunks; after 250 of them, whatever the send path still holds is counted.
      const body = Stream.tap(Stream.take(Stream.repeatEffect(Effect.sync(() => Buffer.allocUnsafe(256 * 1024))), n), () =>
        Effect.sync(() => {
          if (++i === 250) {
            gc()
            live = process.memoryUsage().arrayBuffers - base
          }
        }))
      const res = yield* Hackney.post(`${srv.url}/`, { pool: false, body, headers: { "content-length": String(n * 256 * 1024) } })
      expect(res.status).toBe(200)
      expect(live).toBeLessThan(32 * 1024 * 1024)
    }))
})

describe.skipIf(process.env.HACKNEY_MULTIPART_BIG !== "1")("Multipart: 1 GiB in bounded memory", () => {
  it.scopedLive("a 1 GiB file uploaded as a form part: exact Content-Length, RSS growth under 64 MB", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "hackney-mp-big-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const path = join(dir, "big.bin")
      const fd = openSync(path, "w")
      ftruncateSync(fd, size)
      closeSync(fd)
      let received = 0
      let declared = 0
      const srv = yield* httpServer((req, res) => {
        declared = Number(req.headers["content-length"])
        req.on("data", (c: Buffer) => (received += c.length))
        req.on("end", () => res.end("ok"))
      })
      const [res, growth] = yield* peakGrowth(
        Hackney.post(`${srv.url}/upload`, { pool: false, recvTimeout: "60 seconds", body: { multipart: [{ name: "a", value: "1" }, { name: "big", file: path }] } })
      )
      console.log(`multipart upload: ${size} B file, ${received} B sent, peak RSS growth ${(growth / 1048576).toFixed(1)} MB`)
      expect(res.status).toBe(200)
      expect(received).toBe(declared)
      expect(received).toBeGreaterThan(size)
      expect(growth).toBeLessThan(limit)
    }), 600_000)

  it.scopedLive("a 1 GiB part of a multipart response decoded part by part: RSS growth under 64 MB", () =>
    Effect.gen(function*() {
      const piece = Buffer.alloc(64 * 1024, 0x0d) // CRs everywhere: the delimiter search's worst case
      const srv = yield* httpServer((_req, res) => {
        res.setHeader("content-type", "multipart/form-data; boundary=BIG")
        res.write("--BIG\r\nContent-Disposition: form-data; name=\"small\"\r\n\r\nx\r\n--BIG\r\nContent-Disposition: form-data; name=\"big\"; filename=\"b.bin\"\r\n\r\n")
        let sent = 0
        const pump = () => {
          while (sent < size) {
            const n = Math.min(piece.length, size - sent)
            sent += n
            if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) return void res.once("drain", pump)
          }
          res.end("\r\n--BIG--\r\n")
        }
        pump()
      })
      const [parts, growth] = yield* peakGrowth(Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", srv.url, { pool: false, recvTimeout: "60 seconds" })
        return yield* res.multipart().pipe(
          Stream.mapEffect((p) => Effect.map(Stream.runFold(p.body, 0, (n, b) => n + b.length), (n) => [p.name, n] as const)),
          Stream.runCollect
        )
      })))
      expect(Array.from(parts)).toEqual([["small", 1], ["big", size]])
      console.log(`multipart decode: ${size} B part, peak RSS growth ${(growth / 1048576).toFixed(1)} MB`)
      expect(growth).toBeLessThan(limit)
    }), 600_000)
})
