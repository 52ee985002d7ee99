/**
 * Multipart through the client: `{ multipart }` bodies on `Hackney.post`
 * (exact Content-Length, files from disk, a caller's multipart type), an
 * encoded body sent through `Hackney.open`'s Writer, the `HttpClient`
 * layer's FormData with the same encoder, and `StreamingResponse.multipart`.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import type * as http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Hackney from "../src/Hackney.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Multipart from "../src/Multipart.js"
import { httpServer } from "./support/servers.js"

const dir = mkdtempSync(join(tmpdir(), "hackney-mp-client-"))
const file = join(dir, "report.csv")
const fileBytes = Buffer.from("a,b\r\n1,2\r\n".repeat(5000))
writeFileSync(file, fileBytes)

interface Seen {
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

/** A server that records each request and answers with what undici's FormData parser found. */
const echoForm = (seen: Array<Seen>) =>
  httpServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", async () => {
      const body = Buffer.concat(chunks)
      seen.push({ headers: req.headers, body })
      try {
        const form = await new Response(body, { headers: { "content-type": String(req.headers["content-type"]) } }).formData()
        const out: Array<unknown> = []
        for (const [k, v] of form) out.push(typeof v === "string" ? [k, v] : [k, v.name, v.type, v.size])
        res.end(JSON.stringify(out))
      } catch (e) {
        res.statusCode = 400
        res.end(String(e))
      }
    })
  })

describe("Multipart bodies on Hackney", () => {
  it.scopedLive("Hackney.post({ multipart }) uploads fields and a file with an exact Content-Length", () =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const srv = yield* echoForm(seen)
      const res = yield* Hackney.post(`${srv.url}/upload`, {
        pool: false,
        body: { multipart: [{ name: "title", value: "Q3 ✓" }, { name: "report", file }] }
      })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text())).toEqual([["title", "Q3 ✓"], ["report", "report.csv", "text/csv", fileBytes.length]])
      const h = seen[0].headers
      expect(h["transfer-encoding"]).toBeUndefined()
      expect(Number(h["content-length"])).toBe(seen[0].body.length)
      expect(h["content-type"]).toMatch(/^multipart\/form-data; boundary=-{27}[b-z]{16}$/)
    }))

  it.scopedLive("a stream part without a size goes chunked; a caller's multipart type keeps its type and gets the boundary", () =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const srv = yield* echoForm(seen)
      yield* Hackney.post(`${srv.url}/`, {
        pool: false,
        headers: { "content-type": "multipart/form-data; charset=utf-8" },
        body: { multipart: [{ name: "s", stream: Stream.make(new Uint8Array([1, 2, 3])), filename: "s.bin" }] }
      })
      expect(seen[0].headers["transfer-encoding"]).toBe("chunked")
      expect(seen[0].headers["content-type"]).toMatch(/^multipart\/form-data; charset=utf-8; boundary=-{27}[b-z]{16}$/)
      const res = yield* Hackney.post(`${srv.url}/`, {
        pool: false,
        headers: { "content-type": "multipart/form-data; boundary=given-one" },
        body: { multipart: [{ name: "a", value: "1" }] }
      })
      expect(res.status).toBe(200)
      expect(seen[1].body.toString()).toContain("--given-one--")
    }))

  it.effect("a { multipart } body with a bad part fails with InvalidRequest before anything is sent", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.post("http://127.0.0.1:1/", { pool: false, body: { multipart: [{ name: "f", file: join(dir, "nope") }] } }))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "body", method: "POST" })
      const e2 = yield* Effect.flip(Hackney.post("http://127.0.0.1:1/", { pool: false, body: { multipart: [{ name: "a", value: "x", contentType: "a\r\nb" }] } }))
      expect(e2).toMatchObject({ _tag: "InvalidRequest", reason: "header-value" })
    }))

  it.scopedLive("Hackney.open: an encoded body sent through the Writer", () =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const srv = yield* echoForm(seen)
      const enc = yield* Multipart.encode([{ name: "a", value: "1" }, { name: "report", file }])
      const w = yield* Hackney.open("POST", `${srv.url}/`, {
        pool: false,
        headers: { "content-type": enc.contentType, "content-length": String(enc.contentLength) }
      })
      yield* Stream.runForEach(enc.body, w.send)
      const res = yield* w.response
      expect(JSON.parse(yield* res.text)).toEqual([["a", "1"], ["report", "report.csv", "text/csv", fileBytes.length]])
    }))

  it.scopedLive("the HttpClient layer's FormData bodies go through the same encoder", () =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const srv = yield* echoForm(seen)
      const form = new FormData()
      form.append("a", "1")
      form.append("f", new File(["xyz"], "f.txt", { type: "text/plain" }))
      const client = yield* HttpClient.HttpClient
      const res = yield* client.execute(HttpClientRequest.post(`${srv.url}/`).pipe(HttpClientRequest.bodyFormData(form)))
      expect(JSON.parse(yield* res.text)).toEqual([["a", "1"], ["f", "f.txt", "text/plain", 3]])
      expect(String(seen[0].headers["content-type"])).toMatch(/^multipart\/form-data; boundary=-{27}[b-z]{16}$/)
      expect(Number(seen[0].headers["content-length"])).toBe(seen[0].body.length)
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scopedLive("StreamingResponse.multipart decodes a response part by part (hackney's stream_multipart)", () =>
    Effect.gen(function*() {
      const big = Buffer.alloc(300 * 1024, 7)
      const srv = yield* httpServer((_req, res) => {
        res.setHeader("content-type", "multipart/mixed; boundary=\"re sp\"")
        res.write("preamble\r\n--re sp\r\nContent-Type: text/plain\r\n\r\nhello\r\n--re sp\r\nContent-Disposition: attachment; filename*=UTF-8''%E2%82%AC.bin\r\n\r\n")
        res.write(big)
        res.end("\r\n--re sp--\r\n")
      })
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      const parts = yield* res.multipart().pipe(
        Stream.mapEffect((p) => Effect.map(Stream.runCollect(p.body), (c) => [p.contentType, p.filename, Buffer.concat(Chunk.toArray(c)).length] as const)),
        Stream.runCollect
      )
      expect(Chunk.toArray(parts)).toEqual([["text/plain", undefined, 5], [undefined, "€.bin", big.length]])
    }))

  it.scopedLive("StreamingResponse.multipart of a truncated body fails with MultipartError", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => {
        res.setHeader("content-type", "multipart/form-data; boundary=B")
        res.end("--B\r\n\r\nno end")
      })
      const res = yield* Hackney.stream("GET", srv.url, { pool: false })
      const e = yield* Effect.flip(Stream.runDrain(Stream.flatMap(res.multipart(), (p) => p.body)))
      expect(e).toMatchObject({ _tag: "MultipartError", reason: "missing-closing-boundary" })
    }))
})
