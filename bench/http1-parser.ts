/**
 * Http1Parser throughput next to Node's own llhttp binding (`HTTPParser` from
 * `_http_common`, what `node:http` uses), in one run.
 *
 *   npx tsx bench/http1-parser.ts            # ~1.5 s per case
 *   npx tsx bench/http1-parser.ts --quick    # ~0.3 s per case
 *
 * Cases:
 * - small: a 200 response with 10 headers and a 13-byte body, one response per
 *   `execute`, the parser reused (keep-alive). 64 variants with different
 *   Date values are cycled, so no parser sees the same bytes twice in a row.
 * - chunked 1 MiB: a response whose body is 1 MiB in 16 KiB chunks, fed in
 *   64 KiB reads as a socket would deliver it.
 * Both parsers receive `Buffer`s and report headers as strings and body as views.
 */
import { createRequire } from "node:module"
import { Http1Parser } from "../src/internal/http1/parser.js"
import type { ParserSink, ResponseHead } from "../src/internal/http1/parser.js"

const quick = process.argv.includes("--quick")
const budgetMs = quick ? 300 : 1500

const require = createRequire(import.meta.url)
const { HTTPParser } = require("_http_common") as { HTTPParser: any }

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

const small = (i: number): Buffer =>
  Buffer.from(
    "HTTP/1.1 200 OK\r\n" +
      "Server: nginx/1.22.1\r\n" +
      `Date: Tue, 0${(i % 7) + 1} Jul 2026 12:${String(i % 60).padStart(2, "0")}:00 GMT\r\n` +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      "Content-Length: 13\r\n" +
      "Connection: keep-alive\r\n" +
      "Cache-Control: no-cache\r\n" +
      `ETag: "64a1b2c3-${(i * 7919).toString(16)}"\r\n` +
      "Vary: Accept-Encoding\r\n" +
      "X-Request-Id: 7f3c9a2e-1b4d-4e5f-8a6b-9c0d1e2f3a4b\r\n" +
      "Accept-Ranges: bytes\r\n" +
      "\r\n" +
      "Hello, World!",
    "latin1"
  )
const smalls = Array.from({ length: 64 }, (_, i) => small(i))

const MiB = 1 << 20
const chunkedReads = ((): Array<Buffer> => {
  const parts: Array<Buffer> = [Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")]
  const chunk = Buffer.alloc(16384, 0x61)
  for (let sent = 0; sent < MiB; sent += chunk.length) parts.push(Buffer.from("4000\r\n"), chunk, Buffer.from("\r\n"))
  parts.push(Buffer.from("0\r\n\r\n"))
  const all = Buffer.concat(parts)
  const reads: Array<Buffer> = []
  for (let i = 0; i < all.length; i += 65536) reads.push(all.subarray(i, Math.min(all.length, i + 65536)))
  return reads
})()
const chunkedBytes = chunkedReads.reduce((n, b) => n + b.length, 0)

// ---------------------------------------------------------------------------
// Parsers under test: each returns a function that parses one "message unit".
// ---------------------------------------------------------------------------

let sinkBytes = 0
let sinkMessages = 0
let sinkHeaders = 0

const ours = () => {
  const parser = new Http1Parser()
  const sink: ParserSink = {
    onResponseHead: (head: ResponseHead) => {
      sinkHeaders += head.rawHeaders.length
    },
    onData: (chunk) => {
      sinkBytes += chunk.length
    },
    onMessageComplete: () => {
      sinkMessages++
    }
  }
  return {
    small: (i: number) => parser.execute(smalls[i & 63], sink),
    chunked: () => {
      for (const b of chunkedReads) parser.execute(b, sink)
    }
  }
}

const node = () => {
  const parser = new HTTPParser()
  parser.initialize(HTTPParser.RESPONSE, {}, 0, 0)
  parser[HTTPParser.kOnHeaders] = () => {}
  parser[HTTPParser.kOnHeadersComplete] = (_maj: number, _min: number, headers: Array<string>) => {
    sinkHeaders += headers.length
  }
  parser[HTTPParser.kOnBody] = (b: Buffer) => {
    sinkBytes += b.length
  }
  parser[HTTPParser.kOnMessageComplete] = () => {
    sinkMessages++
  }
  parser[HTTPParser.kOnExecute] = () => {}
  return {
    small: (i: number) => {
      const r = parser.execute(smalls[i & 63])
      if (r instanceof Error) throw r
    },
    chunked: () => {
      for (const b of chunkedReads) {
        const r = parser.execute(b)
        if (r instanceof Error) throw r
      }
    }
  }
}

// ---------------------------------------------------------------------------

const measure = (fn: (i: number) => void, unitsPerBatch: number): { perSec: number } => {
  for (let i = 0; i < unitsPerBatch * 20; i++) fn(i) // warm-up
  let n = 0
  const start = performance.now()
  let now = start
  while (now - start < budgetMs) {
    for (let i = 0; i < unitsPerBatch; i++) fn(n++)
    now = performance.now()
  }
  return { perSec: (n * 1000) / (now - start) }
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })

const rows: Array<[string, string, string, string]> = []
for (const [name, make] of [["effect-hackney Http1Parser", ours], ["node llhttp (HTTPParser binding)", node]] as const) {
  const p = make()
  const s = measure(p.small, 2000)
  rows.push([name, "small response", `${fmt(s.perSec)} msg/s`, `${fmt((s.perSec * smalls[0].length) / 1e6, 1)} MB/s`])
  const c = measure(() => p.chunked(), 4)
  rows.push([name, "1 MiB chunked", `${fmt(c.perSec, 1)} msg/s`, `${fmt((c.perSec * chunkedBytes) / 1e6, 0)} MB/s`])
}

console.log(`node ${process.version}, ${quick ? "quick" : "full"} run (${budgetMs} ms per case)`)
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "))
const ratio = (caseName: string) => {
  const [a, b] = rows.filter((r) => r[1] === caseName).map((r) => parseFloat(r[2].replace(/,/g, "")))
  return a / b
}
console.log(`ratio ours/node: small ${ratio("small response").toFixed(2)}x, chunked ${ratio("1 MiB chunked").toFixed(2)}x`)
if (sinkMessages === 0 || sinkBytes === 0 || sinkHeaders === 0) throw new Error("nothing parsed")
