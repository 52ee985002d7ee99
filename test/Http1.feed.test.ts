/**
 * The HTTP/1 parser's life and input loop (internal/http1/parser.ts): its
 * limits at their edges, whatever the split of the input; its state names;
 * what it does after an error, an upgrade or the end of the input; the
 * order of pipelined responses' methods; body bytes handed over as views.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Http1 from "../src/Http1.js"
import { enc, everySplit, feed } from "./support/http1.js"

describe("the start-line limit", () => {
  it("a start line of exactly maxStartLineLength bytes is accepted with CRLF as with a bare LF; one byte more is refused", () => {
    const line = "HTTP/1.1 200 " + "x".repeat(64 - 13)
    for (const eol of ["\r\n", "\n"]) {
      const ok = everySplit(`${line}${eol}Content-Length: 0${eol}${eol}`, { maxStartLineLength: 64 })
      expect(ok.error, JSON.stringify(eol)).toBeUndefined()
      expect(ok.events).toContainEqual({ _tag: "Done", keepAlive: true })
      expect(everySplit(`${line}y${eol}${eol}`, { maxStartLineLength: 64 }).error).toBe("StartLineTooLong")
    }
    const request = "GET /" + "a".repeat(64 - 14) + " HTTP/1.1"
    expect(everySplit(`${request}\r\n\r\n`, { mode: "request", maxStartLineLength: 64 }).error).toBeUndefined()
    expect(everySplit(`${request}\r\n\r\n`, { mode: "request", maxStartLineLength: 63 }).error).toBe("StartLineTooLong")
  })

  it("a CR at the limit that is not followed by LF is still refused", () => {
    const line = "HTTP/1.1 200 " + "x".repeat(64 - 13)
    const o = everySplit(`${line}\rz\r\n\r\n`, { maxStartLineLength: 64 })
    expect(o.error).toBe("StartLineTooLong")
  })
})

/** Runs `input` through a fresh parser's `push`; the thrown parse error's fields, or the events. */
const attempt = (p: Http1.Http1Parser, input: string) => {
  try {
    return p.push(enc(input))
  } catch (e) {
    if (!(e instanceof Http1.Http1ParseError)) throw e
    return { reason: e.reason, offset: e.offset, detail: e.detail }
  }
}
const atEnd = (p: Http1.Http1Parser) => {
  try {
    return p.end()
  } catch (e) {
    if (!(e instanceof Http1.Http1ParseError)) throw e
    return { reason: e.reason, offset: e.offset, detail: e.detail }
  }
}

describe("the parser's state over a message's life", () => {
  it("stateName follows a chunked body, a Content-Length body, a body read until close, an upgrade and an error", () => {
    const p = new Http1.Http1Parser()
    const names: Array<string> = [p.stateName]
    const pieces = [
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "3\r\n",
      "abc",
      "\r\n",
      "0\r\n",
      "T: v\r\n",
      "\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
      "ab",
      "HTTP/1.1 200 OK\r\n\r\n"
    ]
    for (const piece of pieces) {
      p.push(enc(piece))
      names.push(p.stateName)
    }
    p.end()
    names.push(p.stateName)
    expect(names).toEqual([
      "head",
      "chunk size",
      "chunk data",
      "CRLF after chunk data",
      "chunk size",
      "trailers",
      "trailers",
      "head",
      "body (Content-Length)",
      "head",
      "body (until close)",
      "closed"
    ])
    const half = new Http1.Http1Parser()
    half.push(enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r"))
    expect(half.stateName).toBe("CRLF after chunk data")
    const up = new Http1.Http1Parser()
    up.push(enc("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
    expect(up.stateName).toBe("upgraded")
    const bad = new Http1.Http1Parser()
    expect(() => bad.push(enc("HTTX"))).toThrow()
    expect(bad.stateName).toBe("error")
  })

  it("isIdle only between messages with no byte received since the last one ended, not even a blank line", () => {
    const p = new Http1.Http1Parser()
    expect(p.isIdle).toBe(true)
    p.push(enc("\r\n"))
    expect(p.isIdle).toBe(false)
    p.push(enc("HTTP/1.1 200 OK\r\n"))
    expect(p.isIdle).toBe(false)
    p.push(enc("Content-Length: 1\r\n\r\n"))
    expect(p.isIdle).toBe(false)
    p.push(enc("x"))
    expect(p.isIdle).toBe(true)
    p.push(enc("H"))
    expect(p.isIdle).toBe(false)
  })
})

describe("after an error, an upgrade or the end", () => {
  it("a parser that failed refuses every later call, saying it failed earlier", () => {
    const p = new Http1.Http1Parser()
    expect(attempt(p, "HTTP/1.1 200 OK\r\nA b\r\n")).toMatchObject({ reason: "InvalidHeaderName" })
    expect(attempt(p, "\r\n")).toMatchObject({ reason: "Stopped", detail: "the parser failed earlier" })
    expect(atEnd(p)).toMatchObject({ reason: "Stopped", detail: "the parser failed earlier" })
    const q = new Http1.Http1Parser()
    q.push(enc("HTTP/1.1 200 OK\r\n"))
    expect(atEnd(q)).toMatchObject({ reason: "IncompleteMessage" })
    expect(attempt(q, "\r\n")).toMatchObject({ reason: "Stopped", detail: "the parser failed earlier" })
  })

  it("an upgraded parser refuses every later call, saying the connection was upgraded; the rest is handed over once", () => {
    const rests: Array<string> = []
    const sink: Http1.ParserSink = { onData: () => {}, onMessageComplete: () => {}, onUpgrade: (r) => rests.push(String.fromCharCode(...r)) }
    const p = new Http1.Http1Parser()
    p.execute(enc("HTTP/1.1 101 Switching Protocols\r\n\r\n"), sink)
    expect(rests).toEqual([""])
    expect(() => p.execute(enc("more"), sink)).toThrow(expect.objectContaining({ reason: "Stopped", offset: 36, detail: "the connection was upgraded" }))
    expect(() => p.finish(sink)).toThrow(expect.objectContaining({ reason: "Stopped", detail: "the connection was upgraded" }))
    expect(rests).toEqual([""])
    const q = new Http1.Http1Parser()
    q.execute(enc("HTTP/1.1 101 Switching Protocols\r\n\r\nab"), sink)
    expect(rests).toEqual(["", "ab"])
    expect(() => q.execute(enc("c"), sink)).toThrow(expect.objectContaining({ reason: "Stopped", offset: 38 }))
  })

  it("the end of the input says where the message stopped, at the offset of the end", () => {
    const where = (input: string, options?: Http1.ParserOptions) => {
      const p = new Http1.Http1Parser(options)
      p.push(enc(input))
      return atEnd(p)
    }
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    expect(where("HTT")).toEqual({ reason: "IncompleteMessage", offset: 3, detail: "connection closed in the start line" })
    expect(where("HTTP/1.1 200 OK\r\nA: b")).toEqual({ reason: "IncompleteMessage", offset: 21, detail: "connection closed in the header section" })
    expect(where("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")).toEqual({
      reason: "IncompleteMessage",
      offset: 40,
      detail: "connection closed in the body, 3 bytes short of its Content-Length"
    })
    expect(where(`${chunked}5\r\nab`)).toEqual({ reason: "IncompleteMessage", offset: 52, detail: "connection closed in a chunk, 3 bytes short" })
    expect(where(`${chunked}5`)).toEqual({ reason: "IncompleteMessage", offset: 48, detail: "connection closed in the chunk size" })
    expect(where(`${chunked}1\r\nx`)).toEqual({ reason: "IncompleteMessage", offset: 51, detail: "connection closed in the CRLF after chunk data" })
    expect(where(`${chunked}1\r\nx\r`)).toEqual({ reason: "IncompleteMessage", offset: 52, detail: "connection closed in the CRLF after chunk data" })
    expect(where(`${chunked}0\r\nT: v\r\n`)).toEqual({ reason: "IncompleteMessage", offset: 56, detail: "connection closed in the trailers" })
  })

  it("the end between messages, or after blank lines only, is no error; a body read until close completes there, once", () => {
    expect(new Http1.Http1Parser().end()).toEqual([])
    const p = new Http1.Http1Parser()
    p.push(enc("HTTP/1.1 204 No Content\r\n\r\n\r\n"))
    expect(p.end()).toEqual([])
    const q = new Http1.Http1Parser()
    expect(q.push(enc("HTTP/1.1 200 OK\r\n\r\nab")).map((e) => e._tag)).toEqual(["ResponseHead", "Data"])
    expect(q.end()).toEqual([{ _tag: "Done", keepAlive: false }])
    expect(q.stateName).toBe("closed")
    expect(q.end()).toEqual([])
    // After it, only blank lines may follow.
    expect(q.push(enc("\r\n\n"))).toEqual([])
    expect(attempt(q, "x")).toEqual({
      reason: "UnexpectedData",
      offset: 24,
      detail: "bytes after a message that closes the connection (keep-alive is off)"
    })
  })
})

describe("chunk data endings", () => {
  it("chunk data must be followed by CRLF (or a bare LF where allowed), at the offset of the wrong byte", () => {
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx"
    const p = () => new Http1.Http1Parser()
    expect(attempt(p(), `${chunked}y`)).toEqual({ reason: "InvalidChunkData", offset: 51, detail: "expected CRLF after chunk data" })
    expect(attempt(p(), `${chunked}\ry`)).toEqual({ reason: "InvalidChunkData", offset: 52, detail: "expected LF after CR after chunk data" })
    expect(attempt(p(), `${chunked}\r\r`)).toEqual({ reason: "InvalidChunkData", offset: 52, detail: "expected LF after CR after chunk data" })
    expect(attempt(new Http1.Http1Parser({ allowBareLf: false }), `${chunked}\n0\r\n\r\n`)).toEqual({
      reason: "InvalidChunkData",
      offset: 51,
      detail: "expected CRLF after chunk data"
    })
    expect(everySplit(`${chunked}\n0\n\n`).events.slice(1)).toEqual([{ _tag: "Data", data: "x" }, { _tag: "Done", keepAlive: true }])
  })
})

describe("options", () => {
  it("bare LF: strict by default for requests, lenient for responses; an explicit choice holds in every mode", () => {
    const get = "GET / HTTP/1.1\nHost: a\n\n"
    const ok = "HTTP/1.1 204 OK\nA: b\n\n"
    expect(everySplit(get, { mode: "request" }).error).toBe("InvalidLineEnding")
    expect(everySplit(get, { mode: "auto" }).error).toBe("InvalidLineEnding")
    expect(everySplit(get, { mode: "request", allowBareLf: true }).error).toBeUndefined()
    expect(everySplit(get, { mode: "auto", allowBareLf: true }).error).toBeUndefined()
    expect(everySplit(ok).error).toBeUndefined()
    expect(everySplit(ok, { mode: "auto" }).error).toBeUndefined()
    expect(everySplit(ok, { mode: "response", allowBareLf: false }).error).toBe("InvalidLineEnding")
    expect(everySplit(ok, { mode: "auto", allowBareLf: false }).error).toBe("InvalidLineEnding")
  })

  it("the mode: response unless request or auto is asked for", () => {
    const kinds = (mode: Http1.ParserOptions["mode"], input: string) => feed([enc(input)], { mode }, [], false).events.map((e: any) => e._tag)
    expect(kinds(undefined, "HTTP/1.1 204 OK\r\n\r\n")).toEqual(["ResponseHead", "Done"])
    expect(feed([enc("GET / HTTP/1.1\r\n\r\n")], {}, [], false).error).toBe("InvalidStatusLine")
    expect(kinds("request", "GET / HTTP/1.1\r\n\r\n")).toEqual(["RequestHead", "Done"])
    expect(feed([enc("HTTP/1.1 204 OK\r\n\r\n")], { mode: "request" }, [], false).error).toBe("InvalidRequestLine")
    expect(kinds("auto", "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n")).toEqual(["RequestHead", "Done", "RequestHead", "Done"])
    // Auto mode decides once: a status line after a request is a bad request line.
    expect(feed([enc("GET / HTTP/1.1\r\n\r\nHTTP/1.1 204 OK\r\n\r\n")], { mode: "auto" }, [], false).error).toBe("InvalidRequestLine")
    expect(feed([enc("HTTP/1.1 204 OK\r\n\r\nGET / HTTP/1.1\r\n\r\n")], { mode: "auto" }, [], false).error).toBe("InvalidStatusLine")
  })

  it("setHeadLimits applies to the messages that follow; the same object again changes nothing", () => {
    const p = new Http1.Http1Parser()
    const small = { maxStartLineLength: 20, maxHeaderSize: 60, maxHeaderCount: 1 }
    p.setHeadLimits(small)
    expect(attempt(p, "HTTP/1.1 204 OK\r\nA: b\r\nC: d\r\n\r\n")).toMatchObject({ reason: "TooManyHeaders" })
    const q = new Http1.Http1Parser({ maxHeaderCount: 1 })
    q.setHeadLimits({ maxStartLineLength: 8192, maxHeaderSize: 16384, maxHeaderCount: 2 })
    expect(q.push(enc("HTTP/1.1 204 OK\r\nA: b\r\nC: d\r\n\r\n")).map((e) => e._tag)).toEqual(["ResponseHead", "Done"])
    q.setHeadLimits(small)
    expect(attempt(q, "HTTP/1.1 204 OK, a long reason\r\n\r\n")).toMatchObject({ reason: "StartLineTooLong", offset: 51 })
    const r = new Http1.Http1Parser()
    r.setHeadLimits(small)
    r.setHeadLimits(small)
    expect(attempt(r, `HTTP/1.1 204 OK\r\nA: ${"b".repeat(40)}\r\n\r\n`)).toMatchObject({ reason: "HeaderSectionTooLarge" })
  })
})

describe("pipelined responses", () => {
  it("each response is read as the answer to its own request's method, over hundreds of requests", () => {
    const p = new Http1.Http1Parser()
    const bodies: Array<string> = []
    let n = 0
    const sink: Http1.ParserSink = {
      onResponseHead: (h) => bodies.push(h.body),
      onData: () => {},
      onMessageComplete: () => n++
    }
    const expected: Array<string> = []
    for (let wave = 0; wave < 30; wave++) {
      const methods = Array.from({ length: 9 }, (_, i) => ((wave * 9 + i) % 7 === 3 || (wave * 9 + i) % 11 === 5 ? "HEAD" : "GET"))
      for (const m of methods) p.expectResponseTo(m)
      p.execute(enc(methods.map((m) => `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${m === "GET" ? "x" : ""}`).join("")), sink)
      expected.push(...methods.map((m) => (m === "HEAD" ? "none" : "length")))
    }
    expect(n).toBe(270)
    expect(bodies).toEqual(expected)
  })
})

describe("body bytes", () => {
  it("a body that ends exactly at the end of an input completes there; data are views, never copies", () => {
    const input = enc("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab")
    const p = new Http1.Http1Parser()
    const events = p.push(input)
    expect(events.map((e) => e._tag)).toEqual(["ResponseHead", "Data"])
    const last = enc("c")
    const rest = p.push(last)
    expect(rest).toEqual([{ _tag: "Data", chunk: last }, { _tag: "Done", keepAlive: true }])
    expect((rest[0] as any).chunk.buffer).toBe(last.buffer)
    const data = (events[1] as any).chunk as Uint8Array
    expect({ buffer: data.buffer === input.buffer, offset: data.byteOffset, length: data.length }).toEqual({ buffer: true, offset: 38, length: 2 })
  })

  it("a line longer than the line buffer, arriving in pieces, is read whole", () => {
    const value = "v".repeat(3000)
    const input = `HTTP/1.1 204 OK\r\nA: ${value}\r\nB: ${"w".repeat(700)}\r\n\r\n`
    const o = feed([enc(input.slice(0, 30)), enc(input.slice(30, 600)), enc(input.slice(600, 2900)), enc(input.slice(2900))], {}, [], false)
    expect(o.events[0]).toMatchObject({ head: { rawHeaders: ["A", value, "B", "w".repeat(700)] } })
  })
})

describe("default limits (no option given)", () => {
  const reason = (input: string) => {
    try {
      new Http1.Http1Parser().push(enc(input))
      return "accepted"
    } catch (e) {
      return (e as Http1.Http1ParseError).reason
    }
  }
  const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

  it("hold in a parser built without options, each at its edge", () => {
    // A start line of 8192 bytes (CRLF excluded).
    expect(reason(`HTTP/1.1 200 ${"x".repeat(8192 - 13)}\r\n\r\n`)).toBe("accepted")
    expect(reason(`HTTP/1.1 200 ${"x".repeat(8193 - 13)}\r\n\r\n`)).toBe("StartLineTooLong")
    // A head of 16384 bytes: 17 + (5 + n) + 2.
    expect(reason(`HTTP/1.1 204 OK\r\nA: ${"x".repeat(16384 - 24)}\r\n\r\n`)).toBe("accepted")
    expect(reason(`HTTP/1.1 204 OK\r\nA: ${"x".repeat(16385 - 24)}\r\n\r\n`)).toBe("HeaderSectionTooLarge")
    // 256 fields.
    expect(reason(`HTTP/1.1 204 OK\r\n${"A: b\r\n".repeat(256)}\r\n`)).toBe("accepted")
    expect(reason(`HTTP/1.1 204 OK\r\n${"A: b\r\n".repeat(257)}\r\n`)).toBe("TooManyHeaders")
    // Chunk extensions of 16384 bytes (from the first `;`).
    expect(reason(`${chunked}1;${"a".repeat(16383)}\r\nx\r\n0\r\n\r\n`)).toBe("accepted")
    expect(reason(`${chunked}1;${"a".repeat(16384)}\r\nx\r\n0\r\n\r\n`)).toBe("ChunkExtensionTooLong")
    // A trailer section of 16384 bytes, CRLFs included: (5 + n) + 2.
    expect(reason(`${chunked}0\r\nT: ${"v".repeat(16384 - 7)}\r\n\r\n`)).toBe("accepted")
    expect(reason(`${chunked}0\r\nT: ${"v".repeat(16385 - 7)}\r\n\r\n`)).toBe("TrailerSectionTooLarge")
    // 10 empty lines before the start line.
    expect(reason(`${"\r\n".repeat(10)}HTTP/1.1 204 OK\r\n\r\n`)).toBe("accepted")
    expect(reason(`${"\r\n".repeat(11)}HTTP/1.1 204 OK\r\n\r\n`)).toBe("TooManyEmptyLines")
  })
})

describe("header fields", () => {
  it("framing field names are matched in any case", () => {
    const first = (input: string) => (feed([enc(input)], {}, [], false).events[0] as any).head
    expect(first("HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: CHUNKED\r\n\r\n0\r\n\r\n")).toMatchObject({ body: "chunked" })
    expect(first("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n")).toMatchObject({ body: "length", contentLength: 0 })
    expect(first("HTTP/1.1 200 OK\r\nCONNECTION: CLOSE\r\nContent-Length: 0\r\n\r\n")).toMatchObject({ keepAlive: false })
    const req = feed([enc("GET / HTTP/1.1\r\nUPGRADE: x\r\nConnection: UPGRADE\r\n\r\n")], { mode: "request" }, [], false)
    expect((req.events[0] as any).head).toMatchObject({ upgrade: true })
  })

  it("a control byte in a value is refused at its offset, saying so", () => {
    expect(attempt(new Http1.Http1Parser(), "HTTP/1.1 204 OK\r\nA: b\x00c\r\n\r\n")).toEqual({
      reason: "InvalidHeaderValue",
      offset: 21,
      detail: "an invalid byte in a header value"
    })
    expect(attempt(new Http1.Http1Parser(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: \x7f\r\n\r\n")).toEqual({
      reason: "InvalidHeaderValue",
      offset: 53,
      detail: "an invalid byte in a header value"
    })
  })

  it("a value of whitespace only is empty; trailing spaces and tabs are not part of a value", () => {
    const raw = everySplit("HTTP/1.1 204 OK\r\nA: \t \r\nB:\r\nC: x \t\r\nD:\ty\tz\t\r\n\r\n").events[0] as any
    expect(raw.head.rawHeaders).toEqual(["A", "", "B", "", "C", "x", "D", "y\tz"])
  })
})
