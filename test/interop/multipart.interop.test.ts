/**
 * Multipart uploads against a real parser: httpbin 0.7.0 (werkzeug's form
 * parser) echoes the fields under `form` and the files under `files` for
 * `POST /post`. Peers come from `scripts/peers.sh`; see docs/interop.md.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Hackney from "../../src/Hackney.js"
import { withPool } from "./client.js"
import { need, skipPeer } from "./env.js"

interface Echo {
  readonly headers: Record<string, string>
  readonly form: Record<string, string | Array<string>>
  readonly files: Record<string, string | Array<string>>
}

describe.skipIf(skipPeer("httpbin"))("multipart uploads against httpbin /post", () => {
  const base = () => need("httpbin").url("HTTPBIN")

  it.live("fields and a file from disk, with an exact Content-Length: httpbin sees them as sent", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "hackney-mp-interop-"))
      try {
        const path = join(dir, "notes.txt")
        const text = "line one\nline two ✓\n".repeat(2000)
        writeFileSync(path, text)
        const res = yield* Hackney.post(`${base()}/post`, {
          body: {
            multipart: [
              { name: "title", value: "Q3 report ✓" },
              { name: "tag", value: "a" },
              { name: "tag", value: "b" },
              { name: "notes", file: path },
              { name: "blob", stream: Stream.make(new TextEncoder().encode("streamed")), size: 8, filename: "s.txt" }
            ]
          }
        })
        expect(res.status).toBe(200)
        const body = res.json() as Echo
        expect(body.form).toEqual({ title: "Q3 report ✓", tag: ["a", "b"] })
        expect(body.files).toEqual({ notes: text, blob: "streamed" })
        expect(body.headers["Content-Type"]).toMatch(/^multipart\/form-data; boundary=-{27}[b-z]{16}$/)
        expect(Number(body.headers["Content-Length"])).toBeGreaterThan(text.length)
        expect(body.headers["Transfer-Encoding"]).toBeUndefined()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }).pipe(withPool({ name: "mp-post" })))

  it.live("a stream part of unknown size goes chunked and still parses", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.post(`${base()}/post`, {
        body: { multipart: [{ name: "a", value: "1" }, { name: "s", stream: Stream.make(new TextEncoder().encode("xyz")), filename: "x.bin" }] }
      })
      const body = res.json() as Echo
      expect(body.form).toEqual({ a: "1" })
      expect(body.files).toEqual({ s: "xyz" })
    }).pipe(withPool({ name: "mp-chunked" })))
})
