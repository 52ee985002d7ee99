import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as Http1 from "../src/Http1.js"
import { enc, feed } from "./support/http1.js"
import type { Outcome } from "./support/http1.js"

/** Feeds `input` cut at `cuts` (any order). */
const run = (
  input: Uint8Array,
  cuts: ReadonlyArray<number>,
  options: Http1.ParserOptions,
  methods: ReadonlyArray<string>,
  finish: boolean
): Outcome => {
  const points = [0, ...[...cuts].sort((a, b) => a - b), input.length]
  return feed(points.slice(1).map((end, i) => input.subarray(points[i], end)), options, methods, finish)
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/)
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/)
const headers = fc.array(fc.tuple(token, value), { maxLength: 8 }).map((hs) =>
  hs.filter(([n]) => !/^(content-length|transfer-encoding|connection|upgrade)$/i.test(n))
)
const body = fc.string({ maxLength: 40 })

/** Response templates: given the line ending (CRLF, or the bare LF accepted by default), the bytes. */
const responseTemplate: fc.Arbitrary<(eol: string) => string> = fc.oneof(
  fc.tuple(headers, body).map(([hs, b]) => (eol: string) =>
    `HTTP/1.1 200 OK${eol}${hs.map(([n, v]) => `${n}: ${v}${eol}`).join("")}Content-Length: ${b.length}${eol}${eol}${b}`
  ),
  fc.tuple(headers, fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 4 }), headers).map(
    ([hs, chunks, trailers]) => (eol: string) =>
      `HTTP/1.1 201 Created${eol}${hs.map(([n, v]) => `${n}: ${v}${eol}`).join("")}Transfer-Encoding: chunked${eol}${eol}` +
      chunks.map((c) => `${c.length.toString(16)};x=y${eol}${c}${eol}`).join("") +
      `0${eol}${trailers.map(([n, v]) => `${n}: ${v}${eol}`).join("")}${eol}`
  ),
  fc.constant((eol: string) => `HTTP/1.1 100 Continue${eol}${eol}HTTP/1.1 204 No Content${eol}Date: x${eol}${eol}`),
  fc.constant((eol: string) => `HTTP/1.1 304 Not Modified${eol}ETag: "a"${eol}${eol}`)
)
const response = responseTemplate.map((t) => t("\r\n"))

/** A response whose header values are folded (obs-fold) over several lines, and the values it must report. */
const folded = fc.array(fc.tuple(token, fc.array(value, { minLength: 1, maxLength: 3 }), fc.constantFrom(" ", "\t", " \t ")), {
  minLength: 1,
  maxLength: 4
}).map((hs) => ({
  text: `HTTP/1.1 200 OK\r\n${
    hs.map(([n, [v, ...more], ws]) => `X-${n}: ${v}\r\n${more.map((m) => `${ws}${m}\r\n`).join("")}`).join("")
  }Content-Length: 0\r\n\r\n`,
  raw: hs.flatMap(([n, vs]) => [`X-${n}`, vs.join(" ")]).concat(["Content-Length", "0"])
}))

describe("Http1Parser properties", () => {
  it.prop(
    "any split of a pipelined response stream yields the same events",
    [fc.array(response, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 })],
    ([responses, rawCuts]) => {
      const input = enc(responses.join(""))
      const cuts = rawCuts.map((c) => c % (input.length + 1))
      const whole = run(input, [], {}, [], false)
      expect(whole.error).toBeUndefined()
      expect(run(input, cuts, {}, [], false)).toEqual(whole)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "bare-LF responses parse as their CRLF twins, whatever the split",
    [fc.array(responseTemplate, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 12 })],
    ([templates, rawCuts]) => {
      const lf = enc(templates.map((t) => t("\n")).join(""))
      const cuts = rawCuts.map((c) => c % (lf.length + 1))
      const crlf = run(enc(templates.map((t) => t("\r\n")).join("")), [], {}, [], false)
      expect(crlf.error).toBeUndefined()
      expect(run(lf, cuts, {}, [], false)).toEqual(crlf)
      expect(run(lf, [], { allowBareLf: false }, [], false).error).toBe("InvalidLineEnding")
    },
    { fastCheck: { numRuns: 150 } }
  )

  it.prop(
    "obs-fold in a response joins the lines with one SP, whatever the split",
    [folded, fc.array(fc.nat(), { maxLength: 12 })],
    ([{ raw, text }, rawCuts]) => {
      const input = enc(text)
      const cuts = rawCuts.map((c) => c % (input.length + 1))
      const r = run(input, cuts, {}, [], false)
      expect(r.error).toBeUndefined()
      expect(r.events[0]).toMatchObject({ _tag: "ResponseHead", head: { rawHeaders: raw } })
      expect(run(input, [], { mode: "request" }, [], false).error).toBeDefined()
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.prop(
    "every single-byte split of a read-until-close response and a request stream",
    [fc.tuple(headers, body)],
    ([[hs, b]]) => {
      const res = enc(`HTTP/1.0 200 OK\r\n${hs.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n${b}`)
      const all = Array.from({ length: res.length }, (_, i) => i)
      expect(run(res, all, {}, [], true)).toEqual(run(res, [], {}, [], true))
      const req = enc(
        `POST /x HTTP/1.1\r\n${hs.map(([n, v]) => `${n}: ${v}\r\n`).join("")}Content-Length: ${b.length}\r\n\r\n${b}` +
          `GET /y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n`
      )
      const allReq = Array.from({ length: req.length }, (_, i) => i)
      const whole = run(req, [], { mode: "request" }, [], false)
      expect(whole.error).toBeUndefined()
      expect(run(req, allReq, { mode: "request" }, [], false)).toEqual(whole)
    },
    { fastCheck: { numRuns: 60 } }
  )
})

describe("Http1Parser fuzz", () => {
  const mutate = (bytes: Uint8Array, edits: ReadonlyArray<[number, number, number]>): Uint8Array => {
    let out = Array.from(bytes)
    for (const [kind, at, b] of edits) {
      const i = out.length === 0 ? 0 : at % out.length
      if (kind === 0) out[i] = b
      else if (kind === 1) out.splice(i, 0, b)
      else if (kind === 2) out.splice(i, 1)
      else out = out.concat(out.slice(i, i + 16))
    }
    return Uint8Array.from(out)
  }
  const interesting = fc.constantFrom(0, 9, 10, 13, 32, 48, 58, 59, 0x22, 0x7f, 0xff, 0x66, 0x2d, 0x2c)
  const edit = fc.tuple(fc.nat(3), fc.nat(), fc.oneof(interesting, fc.nat(255)))

  const limits: Http1.ParserOptions = {
    maxStartLineLength: 256,
    maxHeaderSize: 1024,
    maxHeaderCount: 16,
    maxChunkExtensionLength: 64,
    maxTrailerSize: 256
  }

  it.prop(
    "mutated responses: only Http1ParseError, no hang, bounded",
    [fc.array(response, { minLength: 1, maxLength: 3 }), fc.array(edit, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 6 })],
    ([responses, edits, rawCuts]) => {
      const input = mutate(enc(responses.join("")), edits)
      const cuts = rawCuts.map((c) => c % (input.length + 1))
      for (const mode of ["response", "request", "auto"] as const) {
        const r = run(input, cuts, { ...limits, mode }, ["GET", "HEAD", "CONNECT"], true)
        // Same outcome whatever the split.
        expect(run(input, [], { ...limits, mode }, ["GET", "HEAD", "CONNECT"], true)).toEqual(r)
      }
    },
    { fastCheck: { numRuns: 400 } }
  )

  it.prop(
    "random bytes: only Http1ParseError",
    [fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 6 })],
    ([input, rawCuts]) => {
      const cuts = rawCuts.map((c) => c % (input.length + 1))
      run(input, cuts, limits, [], true)
      run(input, cuts, { ...limits, mode: "request" }, [], true)
    },
    { fastCheck: { numRuns: 400 } }
  )

  it("a peer streaming an endless header line stops at the limit (memory bounded)", () => {
    const p = new Http1.Http1Parser({ maxHeaderSize: 4096 })
    p.push(enc("HTTP/1.1 200 OK\r\nX: "))
    const chunk = enc("a".repeat(1000))
    let error: unknown
    try {
      for (let i = 0; i < 100; i++) p.push(chunk)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ reason: "HeaderSectionTooLarge" })
  })
})
