/**
 * The HTTP/1 parser refuses a line as soon as the bytes received so far can
 * never become a valid line, before its LF arrives (a peer cannot keep it
 * waiting on a line that is already wrong), and not earlier: a prefix that
 * can still be completed into a valid line raises nothing. Each case is a
 * partial line, pushed whole, then in two pieces at every point, then byte
 * by byte: the same error at the same offset.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Http1 from "../src/Http1.js"
import { enc } from "./support/http1.js"

type Early = { readonly reason: Http1.ParseErrorReason; readonly offset: number; readonly detail?: string } | undefined

/** Pushes `pieces` in order: the error, or undefined. */
const pushAll = (pieces: ReadonlyArray<string>, options: Http1.ParserOptions): { error: Early } => {
  const p = new Http1.Http1Parser(options)
  for (let i = 0; i < pieces.length; i++) {
    try {
      p.push(enc(pieces[i]))
    } catch (e) {
      if (!(e instanceof Http1.Http1ParseError)) throw e
      return { error: { reason: e.reason, offset: e.offset, ...(e.detail === undefined ? {} : { detail: e.detail }) } }
    }
  }
  return { error: undefined }
}

/** `input` (no final LF) raises `expected` (its detail too, when given), however it is split. */
const early = (input: string, expected: Early, options: Http1.ParserOptions = {}) => {
  const strip = (r: { error: Early }) =>
    ({ error: r.error === undefined || expected?.detail !== undefined ? r.error : { reason: r.error.reason, offset: r.error.offset } })
  const pushAll2 = (pieces: ReadonlyArray<string>, o: Http1.ParserOptions) => strip(pushAll(pieces, o))
  const whole = pushAll2([input], options)
  expect(whole.error, `${JSON.stringify(input)} whole`).toEqual(expected)
  for (let i = 1; i < input.length; i++) {
    const two = pushAll2([input.slice(0, i), input.slice(i)], options)
    expect(two.error, `${JSON.stringify(input)} split at ${i}`).toEqual(expected)
  }
  expect(pushAll2(input.split(""), options).error, `${JSON.stringify(input)} byte by byte`).toEqual(expected)
}

const request = { mode: "request" } as const
const auto = { mode: "auto" } as const
const head = "HTTP/1.1 200 OK\r\n"
const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

describe("a status line refused before its end", () => {
  it("prefixes of a valid status line raise nothing", () => {
    for (const ok of ["H", "HTTP/", "HTTP/1", "HTTP/1.", "HTTP/1.0", "HTTP/1.1 ", "HTTP/1.1 0", "HTTP/1.1 9", "HTTP/1.1 20", "HTTP/1.1 200", "HTTP/1.1 200\r", "HTTP/1.1 200 OK", "\r"]) {
      early(ok, undefined)
    }
  })

  it("the protocol name, the version, the space after it", () => {
    early("X", { reason: "InvalidStatusLine", offset: 0 })
    early("HTTX", { reason: "InvalidStatusLine", offset: 3, detail: "expected HTTP/" })
    early("HTTP1", { reason: "InvalidStatusLine", offset: 4 })
    early("HTTP/x", { reason: "InvalidVersion", offset: 5, detail: "expected a version digit" })
    early("HTTP/:", { reason: "InvalidVersion", offset: 5 })
    early("HTTP//", { reason: "InvalidVersion", offset: 5 })
    early("HTTP/1,", { reason: "InvalidVersion", offset: 6, detail: "expected a dot in the version" })
    early("HTTP/1.2", { reason: "InvalidVersion", offset: 5 })
    early("HTTP/0.9", { reason: "InvalidVersion", offset: 5, detail: "unsupported HTTP version" })
    early("HTTP/9.1", { reason: "InvalidVersion", offset: 5, detail: "unsupported HTTP version" })
    early("HTTP/2.0", { reason: "InvalidVersion", offset: 5 })
    early("HTTP/1./", { reason: "InvalidVersion", offset: 5 })
    early("HTTP/1.:", { reason: "InvalidVersion", offset: 5 })
    early("HTTP/1.1x", { reason: "InvalidVersion", offset: 8, detail: "expected SP after the version" })
    early("HTTP/1.1\r", { reason: "InvalidVersion", offset: 8 })
  })

  it("the three status digits and the space after them", () => {
    early("HTTP/1.1 x", { reason: "InvalidStatusLine", offset: 9, detail: "the status code is not three digits" })
    early("HTTP/1.1 /", { reason: "InvalidStatusLine", offset: 9 })
    early("HTTP/1.1 :", { reason: "InvalidStatusLine", offset: 9 })
    early("HTTP/1.1 2:", { reason: "InvalidStatusLine", offset: 10 })
    early("HTTP/1.1 20/", { reason: "InvalidStatusLine", offset: 11 })
    early("HTTP/1.1 2000", { reason: "InvalidStatusLine", offset: 12 })
    early("HTTP/1.1 200x", { reason: "InvalidStatusLine", offset: 12, detail: "expected SP after the status code" })
  })

  it("a CR followed by anything but LF is a bare CR, wherever it is", () => {
    early("HTTP/1.1 200 OK\rX", { reason: "InvalidLineEnding", offset: 16, detail: "CR not followed by LF" })
    early("\rX", { reason: "InvalidLineEnding", offset: 1 })
    early("HTTP/1.1 200 OK\r\r", { reason: "InvalidLineEnding", offset: 16 })
    // The earliest error wins: a bad status digit before the bare CR.
    early("HTTP/1.1 2x0 O\rK", { reason: "InvalidStatusLine", offset: 10 })
    // The CR itself, or the byte just before it, can be that earlier error.
    early("HTTP/1.1 20\rX", { reason: "InvalidStatusLine", offset: 11, detail: "the status code is not three digits" })
    early("HTTP/1.1 2x\rX", { reason: "InvalidStatusLine", offset: 10, detail: "the status code is not three digits" })
  })
})

describe("a request line refused before its end", () => {
  it("prefixes of a valid request line raise nothing", () => {
    for (const ok of ["G", "GET", "GET ", "GET /", "GET /a?b=c", "GET / ", "GET / H", "GET / HTTP/1.", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "PRI * HTTP/2.0", "\r"]) {
      early(ok, undefined, request)
    }
  })

  it("the method, the target, the version and what follows it", () => {
    early(" ", { reason: "InvalidRequestLine", offset: 0 }, request)
    early("GE(", { reason: "InvalidRequestLine", offset: 2, detail: "invalid method" }, request)
    early("GET  ", { reason: "InvalidRequestLine", offset: 4 }, request)
    early("GET /\x01", { reason: "InvalidRequestLine", offset: 5, detail: "invalid request target" }, request)
    early("GET /a\x7f", { reason: "InvalidRequestLine", offset: 6 }, request)
    early("GET /\xe9", { reason: "InvalidRequestLine", offset: 5 }, request)
    early("GET / X", { reason: "InvalidRequestLine", offset: 6 }, request)
    early("GET / HTTP-", { reason: "InvalidRequestLine", offset: 10, detail: "expected HTTP/" }, request)
    early("GET / HTTP/x", { reason: "InvalidVersion", offset: 11 }, request)
    early("GET / HTTP/1-", { reason: "InvalidVersion", offset: 12 }, request)
    early("GET / HTTP/1.2", { reason: "InvalidVersion", offset: 11 }, request)
    early("GET / HTTP/2.1", { reason: "InvalidVersion", offset: 11 }, request)
    early("GET / HTTP/3.0", { reason: "InvalidVersion", offset: 11 }, request)
    early("GET / HTTP/1.1 ", { reason: "InvalidRequestLine", offset: 14 }, request)
    early("GET / HTTP/1.1x", { reason: "InvalidRequestLine", offset: 14, detail: "unexpected bytes after the version" }, request)
  })
})

describe("auto mode decides on the first bytes as the complete line would", () => {
  it("HTTP/ starts a status line; anything else a request line; fewer bytes decide nothing", () => {
    for (const ok of ["H", "HTTP", "HTTP/1.1 200", "HTTPS", "HTTX / HTTP/1.1", "GET / HTTP/1.1"]) early(ok, undefined, auto)
    early("HTTP/1.1 2x", { reason: "InvalidStatusLine", offset: 10 }, auto)
    early("HTTP/1.1 200x", { reason: "InvalidStatusLine", offset: 12 }, auto)
    early("HTTPX/1.1 200", { reason: "InvalidRequestLine", offset: 5 }, auto)
    early("HTT(", { reason: "InvalidRequestLine", offset: 3 }, auto)
    early("GET / HTTP/1.1x", { reason: "InvalidRequestLine", offset: 14 }, auto)
  })
})

describe("header and trailer lines refused before their end", () => {
  it("prefixes of a valid field line raise nothing", () => {
    for (const ok of ["F", "Foo", "Foo:", "Foo: b", "Foo\r", "\r", "A: b\r\n c", "A: b\r\n\tc"]) early(head + ok, undefined)
  })

  it("a byte that no field name has, before the colon, or an empty name", () => {
    early(head + "Fo o", { reason: "InvalidHeaderName", offset: 19, detail: "an invalid byte in the header name" })
    early(head + "Foo(", { reason: "InvalidHeaderName", offset: 20 })
    early(head + ":", { reason: "InvalidHeaderName", offset: 17 })
    early(head + "A: b\r\nC\x00", { reason: "InvalidHeaderName", offset: 24 })
    early(`${chunked}0\r\nT o`, { reason: "InvalidHeaderName", offset: 51 })
    early(`${chunked}0\r\n:`, { reason: "InvalidHeaderName", offset: 50 })
  })

  it("a line starting with whitespace: nothing to continue right after the start line or as the first trailer; never in a request", () => {
    early(head + " ", { reason: "WhitespaceBeforeHeaders", offset: 17 })
    early(head + "\t", { reason: "WhitespaceBeforeHeaders", offset: 17 })
    early(`${chunked}0\r\n `, { reason: "WhitespaceBeforeHeaders", offset: 50 })
    early("GET / HTTP/1.1\r\nA: b\r\n ", { reason: "ObsoleteLineFolding", offset: 22 }, request)
    early(`${chunked}0\r\nT: 1\r\n two`, undefined)
  })

  it("a bare CR in a field line", () => {
    early(head + "A: b\rc", { reason: "InvalidLineEnding", offset: 22 })
    early(head + "A\rc", { reason: "InvalidLineEnding", offset: 19 })
  })
})

describe("chunk-size lines refused before their end", () => {
  it("hex digits, then `;` or the CR of the line end", () => {
    for (const ok of ["1", "1f", "Ab", "1;", "1;x=\"y z", "1\r", "0"]) early(chunked + ok, undefined)
    early(`${chunked}z`, { reason: "InvalidChunkSize", offset: 47 })
    early(`${chunked}1 `, { reason: "InvalidChunkSize", offset: 48 })
    early(`${chunked}1g`, { reason: "InvalidChunkSize", offset: 48, detail: "invalid byte in chunk size" })
    early(`${chunked}1\rx`, { reason: "InvalidLineEnding", offset: 49 })
    early(`${chunked}1\r\nx\r\n 2`, { reason: "InvalidChunkSize", offset: 53 })
  })
})

describe("long lines and the line buffer", () => {
  it("a status line longer than 256 bytes, arriving in pieces, is accepted", () => {
    const line = `HTTP/1.1 200 ${"x".repeat(300)} y${"z".repeat(40)}\r\n`
    for (let i = 1; i < line.length; i += 7) {
      expect(pushAll([line.slice(0, i), line.slice(i), "Content-Length: 0\r\n\r\n"], {}).error, `split at ${i}`).toBeUndefined()
    }
  })

  it("a partial request line is judged by its own bytes, not by a longer line left in the line buffer", () => {
    const first = "GET / HTTP/1.1\r\nX-Aaaaaaaaaaaaaaaa:\xe9\r\n\r\n"
    expect(pushAll(`${first}GET /a HTTP/1.1\r\n\r\n`.split(""), request).error).toBeUndefined()
    early(`${first}GET /a`, undefined, request)
  })
})
