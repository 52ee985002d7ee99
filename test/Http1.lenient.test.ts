/**
 * Issue 12, items 2, 3, 6, 7 at the parser level: repeated `chunked`, other
 * Transfer-Encoding lists, obs-fold in responses, bare LF line endings and
 * per-message head limits. Every behaviour is checked for every split of
 * the input (two pieces at each point, and byte by byte).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Http1 from "../src/Http1.js"
import { enc, everySplit } from "./support/http1.js"
import type { Outcome } from "./support/http1.js"

const heads = (o: Outcome): Array<Http1.ResponseHead> =>
  o.events.filter((e: any) => e._tag === "ResponseHead").map((e: any) => e.head)
const data = (o: Outcome): string => o.events.filter((e: any) => e._tag === "Data").map((e: any) => e.data).join("")

describe("Transfer-Encoding lists (RFC 9112 §6.1, §6.3)", () => {
  const chunkedBody = "5\r\nhello\r\n0\r\n\r\n"

  it("chunked applied twice in one field is a protocol error, never framing bytes as content", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n${chunkedBody}`, undefined, [], true)
    expect(o.error).toBe("InvalidTransferEncoding")
    expect(o.events).toEqual([])
  })

  it("chunked in two Transfer-Encoding fields is a protocol error", () => {
    const o = everySplit(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`,
      undefined,
      [],
      true
    )
    expect(o.error).toBe("InvalidTransferEncoding")
    expect(o.events).toEqual([])
  })

  it("chunked twice with another coding in between is a protocol error", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip, CHUNKED\r\n\r\n${chunkedBody}`)
    expect(o.error).toBe("InvalidTransferEncoding")
  })

  it("chunked twice in a request is rejected too", () => {
    const o = everySplit(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked,chunked\r\n\r\n${chunkedBody}`, { mode: "request" })
    expect(o.error).toBe("InvalidTransferEncoding")
  })

  it("gzip, chunked: chunked is the final coding, so the body is chunk-decoded", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${chunkedBody}`)
    expect(o.error).toBeUndefined()
    expect(heads(o)[0]).toMatchObject({ body: "chunked", keepAlive: true })
    expect(data(o)).toBe("hello")
    expect(o.events[o.events.length - 1]).toEqual({ _tag: "Done", keepAlive: true })
  })

  it("gzip and chunked in two fields combine into one list ending in chunked", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody}`)
    expect(heads(o)[0].body).toBe("chunked")
    expect(data(o)).toBe("hello")
  })

  it("chunked, gzip in a response: chunked is not final, so the body is read until close", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw bytes`, undefined, [], true)
    expect(o.error).toBeUndefined()
    expect(heads(o)[0]).toMatchObject({ body: "close", keepAlive: false })
    expect(data(o)).toBe("raw bytes")
    expect(o.events[o.events.length - 1]).toEqual({ _tag: "Done", keepAlive: false })
  })

  it("chunked then gzip in two fields: read until close", () => {
    const o = everySplit(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nxyz`, undefined, [], true)
    expect(heads(o)[0].body).toBe("close")
    expect(data(o)).toBe("xyz")
  })
})

describe("obs-fold (RFC 9112 §5.2)", () => {
  it("obs-fold in a response header is replaced with one SP", () => {
    const o = everySplit("HTTP/1.1 200 OK\r\nFoo: bar\r\n baz \r\n\t \tqux\r\nContent-Length: 2\r\n\r\nok")
    expect(o.error).toBeUndefined()
    expect(heads(o)[0].rawHeaders).toEqual(["Foo", "bar baz qux", "Content-Length", "2"])
    expect(data(o)).toBe("ok")
  })

  it("obs-fold continuing an empty value, and an empty continuation line", () => {
    const o = everySplit("HTTP/1.1 204 No Content\r\nA:\r\n  x\r\nB: y\r\n \t \r\n\r\n")
    expect(heads(o)[0].rawHeaders).toEqual(["A", "x", "B", "y"])
  })

  it("obs-fold in a response trailer is replaced with SP", () => {
    const o = everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: one\r\n two\r\n\r\n")
    expect(o.events).toContainEqual({ _tag: "Trailers", rawTrailers: ["T", "one two"] })
  })

  it("obs-fold adding a close token to Connection closes the connection", () => {
    const o = everySplit("HTTP/1.1 200 OK\r\nConnection: x-foo,\r\n close\r\nContent-Length: 0\r\n\r\n")
    expect(heads(o)[0]).toMatchObject({ keepAlive: false, rawHeaders: ["Connection", "x-foo, close", "Content-Length", "0"] })
  })

  it("obs-fold inside Content-Length or Transfer-Encoding is rejected (ambiguous framing)", () => {
    expect(everySplit("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n").error).toBe("ObsoleteLineFolding")
    expect(everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n").error).toBe("ObsoleteLineFolding")
  })

  it("an invalid byte in a continuation line is still rejected", () => {
    expect(everySplit("HTTP/1.1 200 OK\r\nFoo: a\r\n b\x00c\r\n\r\n").error).toBe("InvalidHeaderValue")
    expect(everySplit("HTTP/1.1 200 OK\r\nFoo: a\r\n b\rc\r\n\r\n").error).toBe("InvalidLineEnding")
  })

  it("obs-fold in a request is rejected", () => {
    const o = everySplit("GET / HTTP/1.1\r\nFoo: bar\r\n baz\r\n\r\n", { mode: "request" })
    expect(o.error).toBe("ObsoleteLineFolding")
  })

  it("whitespace before the first header has its own reason, in responses and requests", () => {
    expect(everySplit("HTTP/1.1 200 OK\r\n Foo: bar\r\n\r\n").error).toBe("WhitespaceBeforeHeaders")
    expect(everySplit("HTTP/1.1 200 OK\r\n\t\r\n\r\n").error).toBe("WhitespaceBeforeHeaders")
    expect(everySplit("GET / HTTP/1.1\r\n Foo: bar\r\n\r\n", { mode: "request" }).error).toBe("WhitespaceBeforeHeaders")
  })

  it("whitespace as the first trailer line has the same reason", () => {
    const o = everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n T: v\r\n\r\n")
    expect(o.error).toBe("WhitespaceBeforeHeaders")
  })
})

describe("bare LF line endings (RFC 9112 §2.2)", () => {
  const crlf = "HTTP/1.1 200 OK\r\nA: 1\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nT: v\r\n\r\n"

  it("a response with bare LF everywhere (head, chunk sizes, after chunk data, trailers) is parsed by default", () => {
    const lf = everySplit(crlf.replaceAll("\r\n", "\n"))
    expect(lf.error).toBeUndefined()
    expect(lf).toEqual(everySplit(crlf))
    expect(data(lf)).toBe("hello world")
  })

  it("mixed CRLF and bare LF, and bare LF in a Content-Length response followed by another", () => {
    const o = everySplit(
      "HTTP/1.1 200 OK\nA: b\r\nContent-Length: 2\n\nokHTTP/1.1 204 No Content\r\n\n",
      undefined,
      ["GET", "GET"]
    )
    expect(o.error).toBeUndefined()
    expect(heads(o).map((h) => h.status)).toEqual([200, 204])
    expect(data(o)).toBe("ok")
  })

  it("empty lines before the status line may be bare LF", () => {
    expect(heads(everySplit("\n\r\nHTTP/1.1 204 No Content\n\n"))[0].status).toBe(204)
  })

  it("a bare CR is still rejected", () => {
    expect(everySplit("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n").error).toBe("InvalidLineEnding")
    expect(everySplit("HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n").error).toBe("InvalidLineEnding")
    expect(everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\ra\r\n0\r\n\r\n").error).toBe(
      "InvalidLineEnding"
    )
    expect(everySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rx").error).toBe("InvalidChunkData")
  })

  it("allowBareLf: false makes the response parser strict", () => {
    const lf = crlf.replaceAll("\r\n", "\n")
    expect(everySplit(lf, { allowBareLf: false }).error).toBe("InvalidLineEnding")
    // Only the byte after the chunk data lacks its CR.
    expect(everySplit(crlf.replace("hello\r\n", "hello\n"), { allowBareLf: false }).error).toBe("InvalidChunkData")
    expect(everySplit(crlf.replace("0\r\n", "0\n"), { allowBareLf: false }).error).toBe("InvalidLineEnding")
  })

  it("request mode stays strict by default; auto mode decides with the start line", () => {
    const req = "GET / HTTP/1.1\nHost: a\n\n"
    expect(everySplit(req, { mode: "request" }).error).toBe("InvalidLineEnding")
    expect(everySplit(req, { mode: "auto" }).error).toBe("InvalidLineEnding")
    expect(everySplit("GET / HTTP/1.1\r\nHost: a\n\n", { mode: "auto" }).error).toBe("InvalidLineEnding")
    expect(everySplit(req, { mode: "request", allowBareLf: true }).error).toBeUndefined()
    expect(everySplit("HTTP/1.1 204 No Content\n\n", { mode: "auto" }).error).toBeUndefined()
  })
})

describe("head limits per message", () => {
  const big = `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(18 * 1024)}\r\nContent-Length: 0\r\n\r\n`

  it("an 18 KB head exceeds the default limit, and the error names the option to raise", () => {
    const p = new Http1.Http1Parser()
    expect(() => p.push(enc(big))).toThrow(
      expect.objectContaining({ reason: "HeaderSectionTooLarge", detail: expect.stringContaining("maxHeaderSize") })
    )
  })

  it("setHeadLimits raises and lowers the limits for the following messages", () => {
    const p = new Http1.Http1Parser()
    p.setHeadLimits({ ...Http1.defaults, maxHeaderSize: 32 * 1024 })
    expect(p.push(enc(big)).map((e) => e._tag)).toEqual(["ResponseHead", "Done"])
    p.setHeadLimits({ ...Http1.defaults, maxHeaderCount: 1 })
    expect(() => p.push(enc("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"))).toThrow(
      expect.objectContaining({ reason: "TooManyHeaders", detail: expect.stringContaining("maxHeaderCount") })
    )
    const q = new Http1.Http1Parser()
    q.setHeadLimits({ ...Http1.defaults, maxStartLineLength: 16 })
    expect(() => q.push(enc("HTTP/1.1 200 A longer reason\r\n\r\n"))).toThrow(
      expect.objectContaining({ reason: "StartLineTooLong", detail: expect.stringContaining("maxStartLineLength") })
    )
  })
})
