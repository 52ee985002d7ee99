/**
 * Complete start lines (internal/http1/parser.ts: the status line, the
 * request line, the version, auto mode's guess): what each one yields, and
 * the reason and offset of each malformed one, including lines cut short by
 * a bare LF, which only the complete-line checks can judge. Each input is
 * parsed whole, in two pieces at every point and byte by byte, with the same
 * outcome.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Http1 from "../src/Http1.js"
import { enc } from "./support/http1.js"

type Result = { readonly reason: Http1.ParseErrorReason; readonly offset: number; readonly detail?: string | undefined } | ReadonlyArray<unknown>

const run = (pieces: ReadonlyArray<Uint8Array>, options: Http1.ParserOptions): Result => {
  const p = new Http1.Http1Parser(options)
  const events: Array<unknown> = []
  try {
    for (const piece of pieces) {
      events.push(...p.push(piece))
      // After an upgrade the bytes are no longer HTTP/1: the caller stops feeding the parser.
      if (events.some((e: any) => e._tag === "Upgrade")) break
    }
  } catch (e) {
    if (!(e instanceof Http1.Http1ParseError)) throw e
    return { reason: e.reason, offset: e.offset, detail: e.detail }
  }
  return events.filter((e: any) => e._tag !== "Data").map((e: any) => e._tag === "Done" ? e : { _tag: e._tag, ...e.head })
}

/** The outcome of `input`, the same at every split point and byte by byte. */
const outcome = (input: string, options: Http1.ParserOptions = {}): Result => {
  const b = enc(input)
  const whole = run([b], options)
  for (let i = 1; i < b.length; i++) expect(run([b.subarray(0, i), b.subarray(i)], options), `split at ${i}`).toEqual(whole)
  expect(run(Array.from(b, (_, i) => b.subarray(i, i + 1)), options), "byte by byte").toEqual(whole)
  return whole
}

const fails = (input: string, reason: Http1.ParseErrorReason, offset: number, options: Http1.ParserOptions = {}, detail?: string) =>
  expect(outcome(input, options), JSON.stringify(input)).toMatchObject(detail === undefined ? { reason, offset } : { reason, offset, detail })

describe("status lines", () => {
  it("a status line cut short by a bare LF fails where it stops", () => {
    fails("HTT\n\n", "InvalidStatusLine", 3, {}, "expected HTTP/")
    fails("HTTP\n\n", "InvalidStatusLine", 4, {}, "expected HTTP/")
    fails("HTTP/\n\n", "InvalidVersion", 5, {}, "expected a version digit")
    fails("HTTP/1\n\n", "InvalidVersion", 6, {}, "expected a dot in the version")
    fails("HTTP/1.\n\n", "InvalidVersion", 7, {}, "expected a version digit")
    fails("HTTP/1.1\n\n", "InvalidVersion", 8, {}, "expected SP after the version")
    fails("HTTP/1.1 \n\n", "InvalidStatusLine", 9, {}, "the status code is not three digits")
    fails("HTTP/1.1 2\n\n", "InvalidStatusLine", 10, {}, "the status code is not three digits")
    fails("HTTP/1.1 20\n\n", "InvalidStatusLine", 11, {}, "the status code is not three digits")
    fails("HTTP/1.1 20\r\n\r\n", "InvalidStatusLine", 11)
    fails("HTTP/1.1\r\n\r\n", "InvalidVersion", 8)
  })

  it("the reason phrase: visible bytes, SP, HTAB and obs-text; a control byte or DEL fails at its offset", () => {
    const reason = (input: string) => (outcome(input) as Array<any>)[0].reason
    expect(reason("HTTP/1.1 204 O\tK \xe9\xff\r\n\r\n")).toBe("O\tK \xe9\xff")
    expect(reason("HTTP/1.1 204\r\n\r\n")).toBe("")
    expect(reason("HTTP/1.1 204 \r\n\r\n")).toBe("")
    expect(reason("HTTP/1.1 204\n\n")).toBe("")
    fails("HTTP/1.1 204 O\x01K\r\n\r\n", "InvalidStatusLine", 14, {}, "invalid byte in the reason phrase")
    fails("HTTP/1.1 204 OK\x7f\n\n", "InvalidStatusLine", 15)
    fails("HTTP/1.1 204 \x00\n\n", "InvalidStatusLine", 13)
  })

  it("the status code and version are read as numbers", () => {
    const first = (input: string) => {
      const [h] = outcome(input) as Array<any>
      return { status: h.status, versionMajor: h.versionMajor, versionMinor: h.versionMinor }
    }
    expect(first("HTTP/1.1 299 A\r\nContent-Length: 0\r\n\r\n")).toEqual({ status: 299, versionMajor: 1, versionMinor: 1 })
    expect(first("HTTP/1.0 404 A\r\nContent-Length: 0\r\n\r\n")).toEqual({ status: 404, versionMajor: 1, versionMinor: 0 })
    expect(first("HTTP/1.1 599 A\r\nContent-Length: 0\r\n\r\n")).toEqual({ status: 599, versionMajor: 1, versionMinor: 1 })
    expect(first("HTTP/1.1 100 A\r\n\r\nHTTP/1.1 204 B\r\n\r\n")).toEqual({ status: 100, versionMajor: 1, versionMinor: 1 })
    fails("HTTP/2.0 200 OK\r\n\r\n", "InvalidVersion", 5)
    fails("HTTP/0.9 200 OK\r\n\r\n", "InvalidVersion", 5)
  })
})

describe("request lines", () => {
  const lax = { mode: "request", allowBareLf: true } as const
  const strict = { mode: "request" } as const

  it("a request line cut short by a bare LF fails where it stops", () => {
    fails("GET\n\n", "InvalidRequestLine", 3, lax, "invalid method")
    fails("GET \n\n", "InvalidRequestLine", 4, lax, "invalid request target")
    fails("GET /\n\n", "InvalidRequestLine", 5, lax, "invalid request target")
    fails("GET / \n\n", "InvalidRequestLine", 6, lax, "expected HTTP/ after the request target")
    fails("GET / HTTP/1.\n\n", "InvalidRequestLine", 6, lax, "expected HTTP/ after the request target")
    fails("GET / HTTP/1\n\n", "InvalidRequestLine", 6, lax)
    fails("GET / HTTP/1.1 \n\n", "InvalidRequestLine", 14, lax)
    // With CRLF the same lines fail at the same bytes.
    fails("GET / \r\n\r\n", "InvalidRequestLine", 6, strict)
    fails("GET / HTTP/1.\r\n\r\n", "InvalidVersion", 11, strict) // the CR where the minor digit belongs: the version, at its start
  })

  it("method, target and version as received; HTTP/2.0 only in the PRI preface, which upgrades", () => {
    const head = (input: string, options: Http1.ParserOptions = strict) => (outcome(input, options) as Array<any>)[0]
    expect(head("DELETE /a/b?c=%20 HTTP/1.0\r\n\r\n")).toMatchObject({ method: "DELETE", target: "/a/b?c=%20", versionMajor: 1, versionMinor: 0 })
    expect(head("M-SEARCH * HTTP/1.1\n\n", lax)).toMatchObject({ method: "M-SEARCH", target: "*", versionMinor: 1 })
    const pri = outcome("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", strict) as Array<any>
    expect(pri[0]).toMatchObject({ _tag: "RequestHead", method: "PRI", versionMajor: 2, versionMinor: 0, upgrade: true, keepAlive: false })
    expect(pri.slice(1)).toEqual([{ _tag: "Done", keepAlive: false }, { _tag: "Upgrade" }])
    expect(head("GET / HTTP/1.1\r\n\r\n")).toMatchObject({ upgrade: false, keepAlive: true })
    fails("GET / HTTP/2.0\r\n\r\n", "InvalidVersion", 11, strict, "HTTP/2.0 outside the PRI preface")
    fails("PRI * HTTP/2.1\r\n\r\n", "InvalidVersion", 11, strict)
    fails("GET / HTTP/3.0\r\n\r\n", "InvalidVersion", 11, strict)
    fails("GET / HTTP/1.2\r\n\r\n", "InvalidVersion", 11, strict)
  })
})

describe("auto mode", () => {
  const auto = { mode: "auto" } as const

  it("exactly HTTP/ at the start makes a status line; any other first five bytes a request line", () => {
    expect((outcome("HTTP/1.1 204 OK\r\n\r\n", auto) as Array<any>)[0]._tag).toBe("ResponseHead")
    fails("HTTP/\n\n", "InvalidVersion", 5, auto)
    for (let k = 0; k < 5; k++) {
      const line = "HTTP/1.1 204 OK".slice(0, k) + "X" + "HTTP/1.1 204 OK".slice(k + 1)
      const r = outcome(`${line}\r\n\r\n`, auto)
      expect(r, line).toMatchObject({ reason: "InvalidRequestLine" })
    }
    expect((outcome("HTTX / HTTP/1.1\r\n\r\n", auto) as Array<any>)[0]).toMatchObject({ _tag: "RequestHead", method: "HTTX" })
    fails("HTTP\n\n", "InvalidRequestLine", 4, { mode: "auto", allowBareLf: true })
  })
})

describe("start lines read within their own bytes", () => {
  it("a malformed byte is refused at once, never skipped over to a line that would then parse", () => {
    for (let k = 0; k < 5; k++) {
      fails(`${"HTTP/1.1 204 OK".slice(0, k)}X${"HTTP/1.1 204 OK".slice(k + 1)}\r\n\r\n`, "InvalidStatusLine", k)
      fails(`GET / ${"HTTP/1.1".slice(0, k)}X${"HTTP/1.1".slice(k + 1)}\r\n\r\n`, "InvalidRequestLine", 6 + k, { mode: "request" })
    }
    fails("HTTP/1.1x204 OK\r\n\r\n", "InvalidVersion", 8)
    fails("HTTP/1x1 204 OK\r\n\r\n", "InvalidVersion", 6)
    fails("HTTP/1./ 204 OK\r\n\r\n", "InvalidVersion", 5)
    const request = { mode: "request" } as const
    fails(" / HTTP/1.1\r\n\r\n", "InvalidRequestLine", 0, request)
    fails("GET(/ HTTP/1.1\r\n\r\n", "InvalidRequestLine", 3, request)
    fails("GET  HTTP/1.1\r\n\r\n", "InvalidRequestLine", 4, request)
    fails("GET /a\x01HTTP/1.1\r\n\r\n", "InvalidRequestLine", 6, request)
    fails("GET / HTTP/1x1\r\n\r\n", "InvalidVersion", 12, request)
    fails("GET / HTTP/1./\r\n\r\n", "InvalidVersion", 11, request)
  })

  it("a second message's start line: offsets from the start of the input, and no byte of the longer line before it is read", () => {
    // Byte by byte, every line goes through the line buffer, which still holds the first start line's bytes.
    const first = "HTTP/1.1 204 OK\r\n\r\n"
    fails(`${first}HTTP/1.1 204 O\x01K\r\n\r\n`, "InvalidStatusLine", 33, {}, "invalid byte in the reason phrase")
    fails(`${first}HTT\n\n`, "InvalidStatusLine", 22, {}, "expected HTTP/")
    fails(`${first}HTTP/\n\n`, "InvalidVersion", 24, {}, "expected a version digit")
    fails(`${first}HTTP/1\n\n`, "InvalidVersion", 25, {}, "expected a dot in the version")
    fails(`${first}HTTP/1.\n\n`, "InvalidVersion", 26, {}, "expected a version digit")
    fails(`${first}HTTP/1.1\n\n`, "InvalidVersion", 27, {}, "expected SP after the version")
    fails(`${first}HTTP/1.1 2\n\n`, "InvalidStatusLine", 29, {}, "the status code is not three digits")
    const lax = { mode: "request", allowBareLf: true } as const
    const req = "GETX /ab HTTP/1.1\r\n\r\n"
    fails(`${req}GET\n\n`, "InvalidRequestLine", 24, lax, "invalid method")
    fails("GET / HTTP/1.1\r\n\r\nGET\n\n", "InvalidRequestLine", 21, lax, "invalid method")
    fails(`${req}GET \n\n`, "InvalidRequestLine", 25, lax, "invalid request target")
    fails(`${req}GETX /\n\n`, "InvalidRequestLine", 27, lax, "invalid request target")
    fails(`${req}GETX /ab\n\n`, "InvalidRequestLine", 29, lax, "invalid request target")
    fails(`${req}GETX /ab \n\n`, "InvalidRequestLine", 30, lax, "expected HTTP/ after the request target")
    fails(`${req}GETX /ab HTTP/1.\n\n`, "InvalidRequestLine", 30, lax, "expected HTTP/ after the request target")
  })
})
