/**
 * Multipart (hackney's `{multipart, Parts}` and `stream_multipart`): a form
 * with text fields, a file streamed from disk and a nested
 * `multipart/mixed` part, uploaded with an exact Content-Length; the
 * embedded server mirrors it back and `StreamingResponse.multipart` reads
 * it part by part, each body as a Stream. Then `Multipart.encode` on its
 * own, and a truncated body failing with a typed `MultipartError`.
 *
 *   npx tsx examples/multipart-upload.ts
 */
import { Effect, Stream } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Hackney, Multipart } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  const dir = mkdtempSync(join(tmpdir(), "multipart-example-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const report = join(dir, "report.csv")
  writeFileSync(report, "quarter,revenue\nQ1,10\nQ2,12\n")

  const parts: ReadonlyArray<Multipart.Part> = [
    { name: "title", value: "Quarterly report ✓" },
    { name: "report", file: report }, // streamed from disk; text/csv from mime-types
    { name: "attachments", parts: [{ name: "a", value: "first" }, { name: "b", value: new Uint8Array([1, 2, 3]) }] }
  ]

  // Upload: the body's length is known, so it goes out with Content-Length.
  const res = yield* Hackney.stream("POST", `${server.url}/mirror`, { body: { multipart: parts } })
  console.log(`sent with Content-Length: ${res.header("x-request-content-length")}`)
  console.log(`Content-Type: ${res.header("content-type")}`)

  // Decode the mirrored response part by part (hackney's stream_multipart).
  yield* res.multipart().pipe(
    Stream.runForEach((part) =>
      Effect.gen(function*() {
        if (part.contentType?.startsWith("multipart/")) {
          // A nested multipart/mixed body decodes the same way.
          const inner = yield* Multipart.decodeAll(part.contentType)(part.body)
          console.log(`- ${part.name}: ${inner.length} nested parts (${inner.map((p) => `${p.name}=${p.bytes.length} B`).join(", ")})`)
          return
        }
        const size = yield* Stream.runFold(part.body, 0, (n, b) => n + b.length)
        console.log(`- ${part.name}${part.filename ? ` (${part.filename}, ${part.contentType})` : ""}: ${size} bytes`)
      })
    )
  )

  // The encoder on its own: a content type, a length, a Stream of bytes.
  const enc = yield* Multipart.encode([{ name: "q", value: "effect" }], { boundary: "example-boundary" })
  console.log(`Multipart.encode: ${enc.contentType}, ${enc.contentLength} bytes`)

  // Malformed input is a typed error, never a throw.
  const truncated = new TextEncoder().encode("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ncut")
  const reason = yield* Multipart.decodeAll("multipart/form-data; boundary=B")(Stream.succeed(truncated)).pipe(
    Effect.map(() => "decoded"),
    Effect.catchTag("MultipartError", (e) => Effect.succeed(e.reason))
  )
  console.log(`a truncated body: ${reason}`)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
