/**
 * Replays mscdex/dicer's multipart fixtures (`mscdex-dicer/test/fixtures`,
 * read in place) through `Multipart.decode`. The test parameters live in
 * dicer's `test/test-multipart.js`, not in the data (SOURCES.md §4.2): they
 * are the table below. Each case is decoded with the input cut in dicer's
 * chunk size, in two at every byte offset, and one byte at a time; it
 * passes when every cutting gives the expected parts (headers, lower-cased
 * name → values, and body bytes) and the expected outcome (complete, or a
 * `MultipartError` for the truncated and wrong-boundary bodies).
 * `nested-full` starts with its own header block: once with the boundary
 * given (the block is preamble), once with the boundary read from that
 * block's Content-Type (dicer's `setBoundary`).
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { MultipartError } from "../../../src/HackneyError.js"
import * as Headers from "../../../src/Headers.js"
import * as Multipart from "../../../src/Multipart.js"
import { parseHeaderBlock } from "../../../src/internal/multipart/decoder.js"
import type { Corpus } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

interface Case {
  readonly fixture: string
  readonly boundary: string
  readonly chunkSize: number
  readonly parts: number
  /** The decoding must fail (dicer reports an error). */
  readonly error: boolean
  /** The body starts with its own header block (dicer's `headerFirst`); read the boundary from it. */
  readonly headerFirst?: "given-boundary" | "boundary-from-header"
}

const cases: ReadonlyArray<Case> = [
  { fixture: "nested", boundary: "AaB03x", chunkSize: 32, parts: 2, error: false },
  { fixture: "many", boundary: "----WebKitFormBoundaryWLHCs9qmcJJoyjKR", chunkSize: 16, parts: 7, error: false },
  { fixture: "many-wrongboundary", boundary: "LOLOLOL", chunkSize: 8, parts: 0, error: true },
  { fixture: "many-noend", boundary: "----WebKitFormBoundaryWLHCs9qmcJJoyjKR", chunkSize: 16, parts: 7, error: true },
  { fixture: "nested-full", boundary: "AaB03x", chunkSize: 32, parts: 2, error: false, headerFirst: "given-boundary" },
  { fixture: "nested-full", boundary: "AaB03x", chunkSize: 32, parts: 2, error: false, headerFirst: "boundary-from-header" }
]

interface Got {
  readonly parts: Array<{ headers: Record<string, Array<string>>; body: string }>
  readonly error: string | undefined
}

const grouped = (h: Headers.Headers): Record<string, Array<string>> => {
  const out: Record<string, Array<string>> = {}
  for (const [k, v] of h) (out[k.toLowerCase()] ??= []).push(v)
  return out
}

const decode = (contentType: string, chunks: ReadonlyArray<Uint8Array>): Promise<Got> => {
  const parts: Got["parts"] = []
  return Effect.runPromise(
    Multipart.decode(contentType)(Stream.fromIterable(chunks)).pipe(
      Stream.runForEach((p) => {
        // The part counts once its headers are read (a truncated body then fails).
        const part = { headers: grouped(p.headers), body: "" }
        parts.push(part)
        return Effect.map(Stream.runCollect(p.body), (c) => {
          part.body = Buffer.concat(Chunk.toArray(c)).toString("latin1")
        })
      }),
      Effect.match({ onFailure: (e) => ({ parts, error: e._tag === "MultipartError" ? e.reason : String(e) }), onSuccess: () => ({ parts, error: undefined }) })
    )
  )
}

const cuttings = (bytes: Buffer, chunkSize: number): Array<[string, Array<Uint8Array>]> => {
  const out: Array<[string, Array<Uint8Array>]> = []
  const sized = (n: number) => {
    const cs: Array<Uint8Array> = []
    for (let i = 0; i < bytes.length; i += n) cs.push(bytes.subarray(i, i + n))
    return cs
  }
  out.push([`chunks of ${chunkSize}`, sized(chunkSize)], ["one byte at a time", sized(1)])
  for (let i = 0; i <= bytes.length; i++) out.push([`split at ${i}`, [bytes.subarray(0, i), bytes.subarray(i)]])
  return out
}

const readOr = (path: string, fallback: string): string => (existsSync(path) ? readFileSync(path, "latin1") : fallback)

const corpus: Corpus = {
  name: "multipart",
  run: async (root) => {
    const outcome = emptyOutcome()
    const base = join(root, "mscdex-dicer", "test", "fixtures")
    for (const c of cases) {
      const dir = join(base, c.fixture)
      const label = `${c.fixture}${c.headerFirst ? ` (${c.headerFirst})` : ""}`
      if (!existsSync(join(dir, "original"))) {
        outcome.skipped++
        continue
      }
      let input = readFileSync(join(dir, "original"))
      let contentType = `multipart/form-data; boundary=${c.boundary}`
      let problem: string | undefined
      if (c.headerFirst !== undefined) {
        const end = input.indexOf("\r\n\r\n")
        const head = parseHeaderBlock(input.subarray(0, end).toString("utf8"), 64)
        const want = JSON.parse(readFileSync(join(dir, "preamble.header"), "utf8"))
        if (head instanceof MultipartError) problem = `the header block did not parse: ${head.message}`
        else {
          const h = Headers.fromRaw(head)
          if (JSON.stringify(grouped(h)) !== JSON.stringify(want)) problem = `header block ${JSON.stringify(grouped(h))}, expected ${JSON.stringify(want)}`
          if (c.headerFirst === "boundary-from-header") {
            contentType = Headers.getOrUndefined(h, "content-type") ?? ""
            input = input.subarray(end + 4)
          }
        }
      }
      const expected: Got["parts"] = []
      for (let i = 1; i <= c.parts; i++) {
        expected.push({
          headers: JSON.parse(readFileSync(join(dir, `part${i}.header`), "utf8")),
          body: readOr(join(dir, `part${i}`), "")
        })
      }
      for (const [how, chunks] of cuttings(input, c.chunkSize)) {
        if (problem !== undefined) break
        const got = await decode(contentType, chunks)
        if (c.error ? got.error !== "missing-closing-boundary" : got.error !== undefined) {
          problem = `${how}: outcome ${got.error ?? "complete"}, expected ${c.error ? "missing-closing-boundary" : "complete"}`
        } else if (got.parts.length !== c.parts) {
          problem = `${how}: ${got.parts.length} parts, expected ${c.parts}`
        } else {
          const i = got.parts.findIndex((p, k) =>
            JSON.stringify(p.headers) !== JSON.stringify(expected[k].headers) ||
            // A truncated last part has no expected body (dicer reports it as a part error).
            (!(c.error && k === c.parts - 1) && p.body !== expected[k].body)
          )
          if (i >= 0) problem = `${how}: part ${i + 1} is ${JSON.stringify(got.parts[i])}, expected ${JSON.stringify(expected[i])}`
        }
      }
      record(outcome, label, problem)
    }
    return outcome
  }
}

export default corpus
