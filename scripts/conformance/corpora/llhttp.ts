/**
 * Replays llhttp's markdown corpus (`nodejs-llhttp/test/{request,response}/*.md`,
 * read in place, never copied) through `Http1Parser`. The format is described in
 * `SOURCES.md` §1.1.
 *
 * What is compared. Our parser reports heads, body bytes, trailers, message
 * completion and upgrades, not llhttp's spans and offsets, so both sides are
 * projected onto that vocabulary and compared line by line:
 *
 * - `request <method> <url> <maj>/<min> [name: value …]` or
 *   `response <status> <reason> <maj>/<min> [...]`: from the method / url /
 *   version / status / header spans up to `headers complete` (span contents,
 *   UTF-8, exactly as llhttp reports them);
 * - `data <bytes>`: the body spans of a message, merged (chunk boundaries
 *   and chunk extensions are not part of our vocabulary);
 * - `trailers [...]`, `done`;
 * - `upgrade`: llhttp's `Pause on CONNECT/Upgrade` / `Pause on PRI/Upgrade`
 *   (the `message complete` llhttp prints just before it for CONNECT is folded in);
 * - `error`: any other llhttp error. Error codes, reasons, offsets and flags are
 *   llhttp-specific and not compared (as SOURCES.md §1.1.4 advises); a head that
 *   was mid-way when the error struck is not reported by us, so it is dropped.
 * - `*-finish` types: after the input, `finish=0` → nothing, `finish=1` → `done`
 *   (a read-until-close body ends), `finish=2` → `error` (`IncompleteMessage`).
 *
 * Every test runs for every chunk size 1 … length (only the whole input when
 * `noScan`), each with a fresh parser, as upstream does.
 *
 * Bare LF: our response parser accepts a bare LF line ending by default
 * (RFC 9112 §2.2; `allowBareLf`), llhttp only with its
 * `lenient-optional-cr-before-lf` flag. So llhttp's strict cases are replayed
 * with `allowBareLf: false` (llhttp's default, and our strict option), and
 * its `response-lenient-optional-cr-before-lf` cases with our default
 * response parser (see `LENIENT_AS_DEFAULT`).
 *
 * Skipped, with the reason:
 * - every other `*-lenient-*` type: llhttp's opt-in lenient flags (lenient headers,
 *   keep-alive, chunked length, transfer-encoding, version, data after close,
 *   optional LF after CR …), which our parser does not offer;
 * - tests with a `pause` meta key: llhttp's pause/resume API, which a sans-IO
 *   parser driven by its caller does not need;
 * - the `url` fences (`test/url.md` is not replayed: it is llhttp's URL sub-parser).
 */
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { Http1ParseError, Http1Parser } from "../../../src/internal/http1/parser.js"
import type { Http1Event, ParserSink } from "../../../src/internal/http1/parser.js"
import type { Corpus } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

interface Case {
  readonly file: string
  readonly name: string
  readonly meta: Record<string, unknown>
  readonly input: string
  readonly log: string
}

/** mdgator-style: a heading at depth >= 2 that directly holds fences is a test. */
const parseMarkdown = (file: string, text: string): Array<Case> => {
  const lines = text.split("\n")
  const cases: Array<Case> = []
  let heading = ""
  let depth = 0
  let meta: Record<string, unknown> | undefined
  let fences: Array<{ lang: string; body: string; meta: Record<string, unknown> | undefined }> = []
  const flush = () => {
    const http = fences.find((f) => f.lang === "http")
    const log = fences.find((f) => f.lang === "log")
    if (depth >= 2 && http !== undefined && log !== undefined) {
      cases.push({ file, name: heading, meta: http.meta ?? {}, input: http.body, log: log.body })
    }
    fences = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const atx = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    const setext = i + 1 < lines.length && line.trim() !== "" && /^(=+|-+)\s*$/.exec(lines[i + 1])
    if (atx !== null) {
      flush()
      depth = atx[1].length
      heading = atx[2]
      continue
    }
    if (setext && !line.startsWith("```") && !line.startsWith("<!--")) {
      flush()
      depth = lines[i + 1].startsWith("=") ? 1 : 2
      heading = line.trim()
      i++
      continue
    }
    const m = /^<!--\s*meta=(.*?)\s*-->\s*$/.exec(line)
    if (m !== null) {
      meta = JSON.parse(m[1])
      continue
    }
    const fence = /^(`{3,})(\w*)\s*$/.exec(line)
    if (fence !== null) {
      const close = fence[1]
      const body: Array<string> = []
      i++
      while (i < lines.length && lines[i].trimEnd() !== close) body.push(lines[i++])
      fences.push({ lang: fence[2], body: body.join("\n") + "\n", meta })
      meta = undefined
    }
  }
  flush()
  return cases
}

/** SOURCES.md §1.1.2: the fence text to the bytes llhttp is fed. */
const inputBytes = (fence: string): Uint8Array => {
  let s = fence.endsWith("\n") ? fence.slice(0, -1) : fence
  s = s.replace(/\\(\r\n|\r|\n)/g, "")
  s = s.replace(/\r\n|\r|\n/g, "\r\n")
  s = s.replace(/\\r/g, "\r").replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\f/g, "\f")
  s = s.replace(/\\x([0-9a-fA-F]+)/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
  s = s.replace(/\\([0-7]{1,3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
  return new Uint8Array(Buffer.from(s, "utf8"))
}

const pairs = (h: ReadonlyArray<string>): string => {
  const out: Array<string> = []
  for (let i = 0; i < h.length; i += 2) out.push(`${h[i]}: ${h[i + 1]}`)
  return `[${out.join(" | ")}]`
}

/** The expected projection from an llhttp log. */
const expected = (log: string): Array<string> => {
  const lines = log.replace(/\\t/g, "\t").replace(/\\f/g, "\f").split("\n")
  lines.pop()
  const out: Array<string> = []
  let spans: Array<[string, string]> = []
  let inBody = false
  let data = ""
  let lastName = ""
  const spanText = (name: string): string => spans.filter(([n]) => n === name).map(([, v]) => v).join("")
  const fields = (): Array<string> => {
    const h: Array<string> = []
    for (const [n, v] of spans) {
      if (n === "header_field") {
        if (lastName === "header_field") h[h.length - 2] += v
        else h.push(v, "")
      } else if (n === "header_value") h[h.length - 1] += v
      if (n === "header_field" || n === "header_value") lastName = n
    }
    lastName = ""
    return h.map((x, i) => (i % 2 === 1 ? x.replace(/[ \t]+$/, "") : x))
  }
  const flushData = () => {
    if (data.length > 0) out.push(`data ${JSON.stringify(data)}`)
    data = ""
  }
  for (const line of lines) {
    const span = /^off=\d+ len=\d+ span\[([a-z_.]+)\]=(?:"(.*)"|(cr|lf))$/s.exec(line)
    if (span !== null) {
      const [, name, quoted, crlf] = span
      const value = quoted ?? (crlf === "cr" ? "\r" : "\n")
      if (name === "body") data += value
      else if (!name.startsWith("chunk_extension")) spans.push([name, value])
      continue
    }
    const hc = /headers complete (method|status)=(\d+) v=(\d+)\/(\d+)/.exec(line)
    if (hc !== null) {
      const v = `${hc[3]}/${hc[4]}`
      const h = pairs(fields())
      out.push(
        hc[1] === "method"
          ? `request ${spanText("method")} ${spanText("url")} ${v} ${h}`
          : `response ${hc[2]} ${spanText("status")} ${v} ${h}`
      )
      spans = []
      inBody = true
      continue
    }
    if (/ message complete$/.test(line)) {
      flushData()
      if (spans.some(([n]) => n === "header_field")) out.push(`trailers ${pairs(fields())}`)
      spans = []
      inBody = false
      out.push("done")
      continue
    }
    if (/ message begin$/.test(line)) {
      spans = []
      continue
    }
    const err = /error code=(\d+)/.exec(line)
    if (err !== null) {
      flushData()
      if (err[1] === "23") {
        // llhttp matches the PRI preface as a fixed string and reports no head;
        // we report the PRI request head (no fields) and then the upgrade.
        out.push(`request ${spanText("method")} ${spanText("url")} ${spanText("version").replace(".", "/")} []`)
      }
      if (err[1] === "22" || err[1] === "23") {
        if (out[out.length - 1] === "done") out.pop()
        out.push("upgrade")
      } else out.push("error")
      return out
    }
    const fin = /^off=NULL finish=(\d)$/.exec(line)
    if (fin !== null) {
      flushData()
      if (fin[1] === "1") out.push("done")
      else if (fin[1] === "2") out.push("error")
    }
  }
  void inBody
  flushData()
  return out
}

const utf8 = (latin1: string): string => Buffer.from(latin1, "latin1").toString("utf8")

/** Our projection for one chunking of the input. */
const actual = (
  bytes: Uint8Array,
  size: number,
  mode: "request" | "response",
  finish: boolean,
  skipBody: boolean,
  lenientDefault: boolean
): Array<string> => {
  // Our defaults for the lenient types we implement; llhttp's strict CRLF otherwise.
  const allowBareLf = lenientDefault ? undefined : false
  const parser = new Http1Parser({ mode, allowBareLf })
  // llhttp's `skipBody` (on_headers_complete returning 1) is, for a response,
  // what `expectResponseTo("HEAD")` says.
  if (skipBody) for (let i = 0; i < 16; i++) parser.expectResponseTo("HEAD")
  const events: Array<Http1Event> = []
  let upgraded = false
  const sink: ParserSink = {
    onRequestHead: (head) => events.push({ _tag: "RequestHead", head }),
    onResponseHead: (head) => events.push({ _tag: "ResponseHead", head }),
    onInformational: (head) => events.push({ _tag: "Informational", head }),
    onData: (chunk) => events.push({ _tag: "Data", chunk: chunk.slice() }),
    onTrailers: (rawTrailers) => events.push({ _tag: "Trailers", rawTrailers }),
    onMessageComplete: (keepAlive) => events.push({ _tag: "Done", keepAlive }),
    onUpgrade: (rest) => {
      upgraded = true
      events.push({ _tag: "Upgrade", rest })
    }
  }
  let failed = false
  try {
    for (let i = 0; i < bytes.length && !upgraded; i += size) parser.execute(bytes.subarray(i, i + size), sink)
    if (finish && !upgraded) parser.finish(sink)
  } catch (e) {
    if (!(e instanceof Http1ParseError)) throw e
    failed = true
  }
  const out: Array<string> = []
  let data: Array<number> = []
  const flushData = () => {
    if (data.length > 0) out.push(`data ${JSON.stringify(Buffer.from(data).toString("utf8"))}`)
    data = []
  }
  for (const e of events) {
    switch (e._tag) {
      case "RequestHead": {
        const h = e.head
        out.push(`request ${utf8(h.method)} ${utf8(h.target)} ${h.versionMajor}/${h.versionMinor} ${utf8(pairs(h.rawHeaders))}`)
        break
      }
      case "ResponseHead":
      case "Informational": {
        const h = e.head
        out.push(`response ${h.status} ${utf8(h.reason)} ${h.versionMajor}/${h.versionMinor} ${utf8(pairs(h.rawHeaders))}`)
        if (e._tag === "Informational") out.push("done")
        break
      }
      case "Data":
        for (const b of e.chunk) data.push(b)
        break
      case "Trailers":
        flushData()
        out.push(`trailers ${utf8(pairs(e.rawTrailers))}`)
        break
      case "Done":
        flushData()
        out.push("done")
        break
      case "Upgrade":
        if (out[out.length - 1] === "done") out.pop()
        out.push("upgrade")
        break
    }
  }
  flushData()
  if (failed) out.push("error")
  return out
}

/**
 * Applied to both sides: a head immediately followed by an error is compared
 * as the error alone. Whether the head is reported before a framing error
 * found at the end of the head (llhttp: after on_headers_complete; we: before
 * reporting the head) is a timing artefact, not a difference in what is accepted.
 */
const normalise = (lines: Array<string>): Array<string> => {
  const n = lines.length
  if (n >= 2 && lines[n - 1] === "error" && /^(request|response) /.test(lines[n - 2])) {
    return [...lines.slice(0, n - 2), "error"]
  }
  return lines
}

const SKIP_LENIENT = "llhttp-specific lenient mode"

/** llhttp lenient types that our parser's default behaviour implements: replayed with it, not skipped. */
const LENIENT_AS_DEFAULT: ReadonlySet<string> = new Set(["response-lenient-optional-cr-before-lf"])
const SKIP_PAUSE = "llhttp pause/resume API"

/**
 * Individual tests skipped, each with its reason. They are llhttp features
 * outside HTTP/1.x or outside what RFC 9110/9112 require of a parser.
 */
const SKIP_CASES: Record<string, string> = {
  'request/content-length.md "Content-Length reset when no body is received"':
    "skipBody on a request: llhttp lets on_headers_complete ignore a request's declared body; a request body cannot be skipped (for responses skipBody is replayed as expectResponseTo(\"HEAD\"))",
  'request/invalid.md "HTTP protocol and ANNOUNCE method"':
    "llhttp accepts only the methods in its table (ANNOUNCE is RTSP-only there); RFC 9110 §9.1 allows any token method, as hackney_http does",
  'request/invalid.md "Invalid method"':
    "llhttp accepts only the methods in its table (MKCOLA is not in it); RFC 9110 §9.1 allows any token method, as hackney_http does",
  'request/method.md "SOURCE request with ICE"': "ICE/1.0 protocol (llhttp extension, not HTTP)",
  'request/method.md "OPTIONS request with RTSP"': "RTSP/1.0 protocol (llhttp extension, not HTTP)",
  'request/method.md "ANNOUNCE request with RTSP"': "RTSP/1.0 protocol (llhttp extension, not HTTP)",
  'request/sample.md "No HTTP version"': "HTTP/0.9 simple request (llhttp extension; RFC 9112 has no HTTP/0.9)",
  'response/sample.md "RTSP response"': "RTSP/1.0 protocol (llhttp extension, not HTTP)",
  'response/sample.md "ICE response"': "ICE/1.0 protocol (llhttp extension, not HTTP)",
  'response/sample.md "HTTP version 0.9"': "HTTP/0.9 status line (llhttp extension; RFC 9112 accepts 1.0 and 1.1 only)"
}

const corpus: Corpus = {
  name: "llhttp",
  run: (root) => {
    const outcome = emptyOutcome()
    const skips: Array<string> = []
    const base = join(root, "nodejs-llhttp", "test")
    for (const dir of ["request", "response"]) {
      for (const f of readdirSync(join(base, dir)).filter((x) => x.endsWith(".md")).sort()) {
        const text = readFileSync(join(base, dir, f), "utf8")
        for (const c of parseMarkdown(`${dir}/${f}`, text)) {
          const type = String(c.meta.type ?? "")
          const id = `${c.file} "${c.name}"`
          const lenientDefault = LENIENT_AS_DEFAULT.has(type)
          if ((type.includes("lenient") && !lenientDefault) || c.meta.pause !== undefined || SKIP_CASES[id] !== undefined) {
            outcome.skipped++
            skips.push(`${id}: ${SKIP_CASES[id] ?? (type.includes("lenient") ? SKIP_LENIENT : SKIP_PAUSE)}`)
            continue
          }
          const mode = type.startsWith("request") ? "request" : "response"
          const finish = type.endsWith("-finish")
          const bytes = inputBytes(c.input)
          const want = expected(c.log)
          const sizes = c.meta.noScan === true ? [bytes.length] : Array.from({ length: bytes.length }, (_, i) => i + 1)
          let error: string | undefined
          for (const size of sizes) {
            let got: Array<string>
            try {
              got = actual(bytes, Math.max(1, size), mode, finish, c.meta.skipBody === true, lenientDefault)
            } catch (e) {
              error = `chunk size ${size}: threw ${String(e)}`
              break
            }
            const a = normalise(got).join("\n")
            const w = normalise(want).join("\n")
            if (a !== w) {
              error = `chunk size ${size}:\n      expected: ${want.join("\n                ")}\n      actual:   ${got.join("\n                ")}`
              break
            }
          }
          record(outcome, id, error)
        }
      }
    }
    if (process.env.LLHTTP_LIST_SKIPS !== undefined) for (const s of skips) console.log(`skip ${s}`)
    return outcome
  }
}

export default corpus
