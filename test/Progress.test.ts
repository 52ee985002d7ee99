/**
 * Upload and download progress: events monotonic and ending at the total,
 * for `request`, `stream` and `open`; a failing callback never fails the
 * request; `Progress.track` over any Stream.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import type * as http from "node:http"
import { Hackney, Middleware, Pool, Progress } from "../src/index.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `progress-test-${poolSeq++}` }))

const size = 200_000
/** Sends `size` bytes in 10 writes with a Content-Length; reads (and counts) any body. */
const big: http.RequestListener = (req, res) => {
  let got = 0
  req.on("data", (c: Buffer) => (got += c.length))
  req.on("end", () => {
    res.writeHead(200, { "content-length": size, "x-got": String(got) })
    const part = Buffer.alloc(size / 10, 97)
    for (let i = 0; i < 10; i++) res.write(part)
    res.end()
  })
}

const recorder = () => {
  const events: Array<Progress.Progress> = []
  return { events, on: (p: Progress.Progress) => Effect.sync(() => events.push(p)) }
}

const monotonicToTotal = (events: ReadonlyArray<Progress.Progress>, total: number) => {
  expect(events.length).toBeGreaterThan(0)
  for (let i = 1; i < events.length; i++) expect(events[i].transferred).toBeGreaterThanOrEqual(events[i - 1].transferred)
  expect(events.at(-1)).toEqual({ transferred: total, total })
}

describe("progress", () => {
  it.scoped("downloadProgress of a one-shot request: monotonic, ending at the Content-Length", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(big)
      const pool = yield* testPool
      const down = recorder()
      const res = yield* Hackney.get(srv.url, { pool, downloadProgress: down.on })
      expect(res.body.length).toBe(size)
      monotonicToTotal(down.events, size)
    }))

  it.scoped("downloadProgress of a streaming response, as it is read; only the last hop of a redirect chain", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        if (req.url === "/r") {
          res.writeHead(302, { location: "/", "content-length": 5 })
          return res.end("moved")
        }
        big(req, res)
      })
      const pool = yield* testPool
      const down = recorder()
      const n = yield* Effect.scoped(Effect.flatMap(
        Hackney.stream("GET", `${srv.url}/r`, { pool, followRedirect: true, downloadProgress: down.on }),
        (r) => {
          expect(down.events).toEqual([])
          return Stream.runFold(r.body, 0, (k, c) => k + c.length)
        }
      ))
      expect(n).toBe(size)
      monotonicToTotal(down.events, size)
    }))

  it.scoped("uploadProgress of a Stream body (with its length) per chunk, and of a body of bytes once sent", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(big)
      const pool = yield* testPool
      const up = recorder()
      const chunks = Array.from({ length: 8 }, () => new Uint8Array(1000).fill(1))
      const res = yield* Hackney.post(srv.url, {
        pool,
        headers: { "content-length": 8000 },
        body: Stream.fromIterable(chunks),
        uploadProgress: up.on
      })
      expect(res.header("x-got")).toBe("8000")
      expect(up.events.length).toBeGreaterThanOrEqual(1)
      monotonicToTotal(up.events, 8000)

      const once = recorder()
      yield* Hackney.post(srv.url, { pool, body: "x".repeat(1234), uploadProgress: once.on })
      expect(once.events).toEqual([{ transferred: 1234, total: 1234 }])
    }))

  it.scoped("open: each send counted (total from Content-Length), the response's body too", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(big)
      const pool = yield* testPool
      const up = recorder()
      const down = recorder()
      const body = yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("PUT", srv.url, {
          pool,
          headers: { "content-length": 10 },
          uploadProgress: up.on,
          downloadProgress: down.on
        })
        yield* w.send("abcd")
        yield* w.send(new Uint8Array(6))
        const r = yield* w.response
        return yield* r.bytes
      }))
      expect(body.length).toBe(size)
      expect(up.events).toEqual([{ transferred: 4, total: 10 }, { transferred: 10, total: 10 }])
      monotonicToTotal(down.events, size)
    }))

  it.scoped("a failing or dying callback does not fail the request; open rejects middleware/tracing/metrics with a typed error", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(big)
      const pool = yield* testPool
      const res = yield* Hackney.get(srv.url, {
        pool,
        downloadProgress: () => Effect.die("boom"),
        uploadProgress: () => Effect.fail("nope" as never)
      })
      expect(res.status).toBe(200)
      const e = yield* Effect.flip(Effect.scoped(Hackney.open("PUT", srv.url, { pool, middleware: [Middleware.logging()] } as never)))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      const e2 = yield* Effect.flip(Hackney.get(srv.url, { pool, downloadProgress: 3 as never }))
      expect(e2).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
    }))

  it.effect("Progress.track over any byte Stream", () =>
    Effect.gen(function*() {
      const rec = recorder()
      const out = yield* Stream.make(new Uint8Array(3), new Uint8Array(2)).pipe(
        Stream.rechunk(1),
        (s) => Progress.track(s, 5, rec.on),
        Stream.runCollect
      )
      expect(Chunk.size(out)).toBe(2)
      expect(rec.events.map((e) => e.transferred)).toEqual([3, 5])
      monotonicToTotal(rec.events, 5)
    }))
})
