import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Http1 from "../src/Http1.js"
import { feed } from "./support/http1.js"

const enc = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}
const dec = (b: Uint8Array): string => String.fromCharCode(...b)

/** Events as plain data, adjacent Data merged. */
const simplify = (events: ReadonlyArray<Http1.Http1Event>): Array<unknown> => {
  const out: Array<any> = []
  for (const e of events) {
    if (e._tag === "Data") {
      const last = out[out.length - 1]
      if (last !== undefined && last._tag === "Data") last.data += dec(e.chunk)
      else out.push({ _tag: "Data", data: dec(e.chunk) })
    } else if (e._tag === "Upgrade") out.push({ _tag: "Upgrade", rest: dec(e.rest) })
    else out.push(e)
  }
  return out
}

const parse = (input: string, options?: Http1.ParserOptions, methods: Array<string> = []) => {
  const p = new Http1.Http1Parser(options)
  for (const m of methods) p.expectResponseTo(m)
  return simplify(p.push(enc(input)))
}

const parseError = (input: string, options?: Http1.ParserOptions, methods: Array<string> = []) => {
  const p = new Http1.Http1Parser(options)
  for (const m of methods) p.expectResponseTo(m)
  try {
    p.push(enc(input))
  } catch (e) {
    expect(e).toBeInstanceOf(Http1.Http1ParseError)
    return e as Http1.Http1ParseError
  }
  throw new Error("expected an Http1ParseError")
}

const head = (over: Partial<Http1.ResponseHead>): Http1.ResponseHead => ({
  versionMajor: 1,
  versionMinor: 1,
  status: 200,
  reason: "OK",
  rawHeaders: [],
  keepAlive: true,
  body: "none",
  contentLength: undefined,
  upgrade: false,
  ...over
})

describe("Http1Parser (responses)", () => {
  it("Content-Length body", () => {
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer:  x  \r\n\r\nhello")).toEqual([
      {
        _tag: "ResponseHead",
        head: head({ rawHeaders: ["Content-Length", "5", "Server", "x"], body: "length", contentLength: 5 })
      },
      { _tag: "Data", data: "hello" },
      { _tag: "Done", keepAlive: true }
    ])
  })

  it("chunked body with extensions and trailers", () => {
    const input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=value;q=\"a \\\" b\"\r\nhello\r\n1\r\n!\r\n0\r\nX-Sum: 1\r\nX-B:  2 \r\n\r\n"
    expect(parse(input)).toEqual([
      { _tag: "ResponseHead", head: head({ rawHeaders: ["Transfer-Encoding", "chunked"], body: "chunked" }) },
      { _tag: "Data", data: "hello!" },
      { _tag: "Trailers", rawTrailers: ["X-Sum", "1", "X-B", "2"] },
      { _tag: "Done", keepAlive: true }
    ])
  })

  it("read until close, completed by finish", () => {
    const p = new Http1.Http1Parser()
    const a = simplify(p.push(enc("HTTP/1.1 200 OK\r\n\r\nsome")))
    const b = simplify(p.push(enc(" data")))
    const c = simplify(p.end())
    expect([...a, ...b, ...c]).toEqual([
      { _tag: "ResponseHead", head: head({ body: "close", keepAlive: false }) },
      { _tag: "Data", data: "some" },
      { _tag: "Data", data: " data" },
      { _tag: "Done", keepAlive: false }
    ])
  })

  it("Transfer-Encoding not ending in chunked on a response: read until close (RFC 9112 §6.3)", () => {
    const events = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz")
    expect(events[0]).toMatchObject({ head: { body: "close", keepAlive: false } })
  })

  it("no body after HEAD, 204, 304, and pipelined responses keep their methods", () => {
    const input = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" +
      "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n" +
      "HTTP/1.1 304 Not Modified\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    const tags = parse(input, undefined, ["HEAD", "GET", "GET", "GET"]).map((e: any) => e._tag)
    expect(tags).toEqual(["ResponseHead", "Done", "ResponseHead", "Done", "ResponseHead", "Done", "ResponseHead", "Data", "Done"])
  })

  it("1xx informational then the final response", () => {
    const input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    expect(parse(input)).toEqual([
      { _tag: "Informational", head: head({ status: 100, reason: "Continue" }) },
      {
        _tag: "Informational",
        head: head({ status: 103, reason: "Early Hints", rawHeaders: ["Link", "</a>; rel=preload"] })
      },
      { _tag: "ResponseHead", head: head({ rawHeaders: ["Content-Length", "0"], body: "length", contentLength: 0 }) },
      { _tag: "Done", keepAlive: true }
    ])
  })

  it("101 Switching Protocols hands over the rest", () => {
    expect(parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x00")).toEqual([
      {
        _tag: "ResponseHead",
        head: head({
          status: 101,
          reason: "Switching Protocols",
          rawHeaders: ["Upgrade", "websocket", "Connection", "Upgrade"],
          keepAlive: false,
          upgrade: true
        })
      },
      { _tag: "Done", keepAlive: false },
      { _tag: "Upgrade", rest: "\x81\x00" }
    ])
  })

  it("2xx to CONNECT is an upgrade; the parser then stops", () => {
    const p = new Http1.Http1Parser()
    p.expectResponseTo("CONNECT")
    const events = simplify(p.push(enc("HTTP/1.1 200 Connection established\r\n\r\n")))
    expect(events.map((e: any) => e._tag)).toEqual(["ResponseHead", "Done", "Upgrade"])
    expect(() => p.push(enc("x"))).toThrow(expect.objectContaining({ reason: "Stopped" }))
  })

  it("keep-alive: HTTP/1.0 defaults, Connection tokens across headers", () => {
    const ka = (s: string) => (parse(s)[0] as any).head.keepAlive
    expect(ka("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).toBe(false)
    expect(ka("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")).toBe(true)
    expect(ka("HTTP/1.1 200 OK\r\nConnection: foo\r\nConnection: bar, CLOSE\r\nContent-Length: 0\r\n\r\n")).toBe(false)
    expect(Http1.shouldKeepAlive(1, 1, [])).toBe(true)
    expect(Http1.shouldKeepAlive(1, 0, ["connection", "keep-alive"])).toBe(true)
    expect(Http1.shouldKeepAlive(1, 1, ["Connection", "keep-alive", "CONNECTION", " close "])).toBe(false)
  })

  it("empty reason, latin1 values, isIdle", () => {
    const p = new Http1.Http1Parser()
    expect(p.isIdle).toBe(true)
    p.push(enc("HTTP/1.1 200"))
    expect(p.isIdle).toBe(false)
    const events = simplify(p.push(enc("\r\nX: caf\xe9\r\nContent-Length: 0\r\n\r\n")))
    expect(events[0]).toMatchObject({ head: { reason: "", rawHeaders: ["X", "caf\xe9", "Content-Length", "0"] } })
    expect(p.isIdle).toBe(true)
  })

  it("bare LF in a response is accepted by default, rejected with allowBareLf: false", () => {
    expect(parseError("HTTP/1.1 200 OK\nContent-Length: 0\n\n", { allowBareLf: false }).reason).toBe("InvalidLineEnding")
    expect(parse("HTTP/1.1 200 OK\nContent-Length: 0\n\n").length).toBe(2)
    // Every byte before the LF is kept: nothing is taken for a CR that is not there.
    expect(parse("HTTP/1.1 200 Fine\nA: b\nContent-Length: 1\n\nx")).toEqual([
      { _tag: "ResponseHead", head: head({ reason: "Fine", rawHeaders: ["A", "b", "Content-Length", "1"], body: "length", contentLength: 1 }) },
      { _tag: "Data", data: "x" },
      { _tag: "Done", keepAlive: true }
    ])
  })

  it("body data are views into the input", () => {
    const input = enc("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    const chunks: Array<Uint8Array> = []
    new Http1.Http1Parser().execute(input, { onData: (c) => chunks.push(c), onMessageComplete: () => {} })
    expect(chunks[0].buffer).toBe(input.buffer)
    expect(chunks[0].byteOffset).toBe(input.length - 3)
  })
})

describe("Http1Parser (errors)", () => {
  // [name, input, reason, offset of the offending byte (where the framing is decided for a framing conflict)]
  const cases: Array<[string, string, Http1.ParseErrorReason, number]> = [
    ["status code of 4 digits", "HTTP/1.1 2000 OK\r\n\r\n", "InvalidStatusLine", 12],
    ["not HTTP", "HTTQ/1.1 200 OK\r\n\r\n", "InvalidStatusLine", 3],
    ["version 1.2", "HTTP/1.2 200 OK\r\n\r\n", "InvalidVersion", 5],
    ["TE and CL", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", "TransferEncodingAndContentLength", 64],
    ["differing CL", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "InvalidContentLength", 52],
    ["negative CL", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "InvalidContentLength", 33],
    ["overflowing CL", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "InvalidContentLength", 33],
    ["CL list", "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n", "InvalidContentLength", 33],
    ["non-hex chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "InvalidChunkSize", 47],
    ["overflowing chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", "InvalidChunkSize", 60],
    ["space after chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n", "InvalidChunkSize", 48],
    ["bad chunk extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\n", "InvalidChunkExtension", 49],
    ["no CRLF after chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab", "InvalidChunkData", 51],
    ["no colon", "HTTP/1.1 200 OK\r\nFoo\r\n\r\n", "InvalidHeaderName", 20],
    ["space before colon", "HTTP/1.1 200 OK\r\nFoo : bar\r\n\r\n", "InvalidHeaderName", 20],
    ["empty name", "HTTP/1.1 200 OK\r\n: bar\r\n\r\n", "InvalidHeaderName", 17],
    ["obs-fold in Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\n", "ObsoleteLineFolding", 36],
    ["whitespace before the first header", "HTTP/1.1 200 OK\r\n Foo: bar\r\n\r\n", "WhitespaceBeforeHeaders", 17],
    ["NUL in value", "HTTP/1.1 200 OK\r\nFoo: b\x00r\r\n\r\n", "InvalidHeaderValue", 23],
    ["bare CR in value", "HTTP/1.1 200 OK\r\nFoo: b\rar\r\n\r\n", "InvalidLineEnding", 24],
    ["bytes after a closing message", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxy", "UnexpectedData", 58],
    ["too many empty lines", "\r\n".repeat(11) + "HTTP/1.1 200 OK\r\n\r\n", "TooManyEmptyLines", 20]
  ]
  for (const [name, input, reason, offset] of cases) {
    it(`${name}: ${reason} at offset ${offset}`, () => {
      const e = parseError(input)
      expect(e.reason).toBe(reason)
      expect(e._tag).toBe("Http1ParseError")
      expect(e.offset).toBe(offset)
      // Fed one byte at a time, the same error at the same offset.
      const p = new Http1.Http1Parser()
      expect(() => {
        for (let i = 0; i < input.length; i++) p.push(enc(input[i]))
      }).toThrow(expect.objectContaining({ reason, offset }))
    })
  }

  it("reports the offset of the offending byte", () => {
    expect(parseError("HTTP/1.1 200 OK\r\nFoo : bar\r\n\r\n").offset).toBe(20)
    expect(parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").offset).toBe(47)
  })

  it("limits", () => {
    expect(parseError("HTTP/1.1 200 " + "x".repeat(100), { maxStartLineLength: 64 }).reason).toBe("StartLineTooLong")
    expect(parseError("HTTP/1.1 200 OK\r\nA: " + "x".repeat(200), { maxHeaderSize: 128 }).reason).toBe(
      "HeaderSectionTooLarge"
    )
    expect(parseError("HTTP/1.1 200 OK\r\n" + "A: b\r\n".repeat(5), { maxHeaderCount: 4 }).reason).toBe(
      "TooManyHeaders"
    )
    expect(
      parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=" + "b".repeat(100) + "\r\n", {
        maxChunkExtensionLength: 64
      }).reason
    ).toBe("ChunkExtensionTooLong")
    expect(
      parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + "T: v\r\n".repeat(20), {
        maxTrailerSize: 64
      }).reason
    ).toBe("TrailerSectionTooLarge")
  })

  it("finish mid-message says where; the parser is then unusable", () => {
    const p = new Http1.Http1Parser()
    p.push(enc("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
    expect(() => p.end()).toThrow(expect.objectContaining({ reason: "IncompleteMessage", detail: expect.stringContaining("7 bytes short") }))
    expect(() => p.push(enc("x"))).toThrow(expect.objectContaining({ reason: "Stopped" }))
    const q = new Http1.Http1Parser()
    q.push(enc("HTTP/1.1 200 OK\r\nFoo"))
    expect(() => q.end()).toThrow(expect.objectContaining({ reason: "IncompleteMessage" }))
    expect(new Http1.Http1Parser().end()).toEqual([])
  })
})

describe("Http1Parser (the error does not depend on the split)", () => {
  /** The outcome for `text` whole, and cut at every pair of points: all equal. */
  const sameAtEverySplit = (text: string, mode: Http1.ParserOptions["mode"]) => {
    const input = enc(text)
    const whole = feed([input], { mode }, [], true)
    for (let a = 1; a < input.length; a++) {
      for (const b of [a + 1, input.length - 1]) {
        if (b <= a || b >= input.length) continue
        const split = feed([input.subarray(0, a), input.subarray(a, b), input.subarray(b)], { mode }, [], true)
        expect([a, b, split]).toEqual([a, b, whole])
      }
    }
    return whole
  }

  it("a short start line stashed after a longer one is read within its own bytes (no stale bytes of the earlier line)", () => {
    // The line buffer still holds "HTTP/1.1 100 …" when the one-byte line "H" is stashed in it.
    const text = "HTTP/1.1 100  Continue\r\n\r\nHTTP/1.1 204 No Content\r\nDate: x\r\n\r\nH\nTP/1.1 200 OK\r\n\r\n"
    expect(sameAtEverySplit(text, "response").error).toBe("InvalidStatusLine")
    expect(sameAtEverySplit("GET /a HTTP/1.1\r\nHost: x\r\n\r\nG\r\n", "request").error).toBe("InvalidRequestLine")
  })

  it("a NUL in a value followed by a bare CR in the same line: the bare CR, as a byte-by-byte feed finds first, whatever the split", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding:\x00 chunked\r\r\n\r\n"
    expect(sameAtEverySplit(text, "response").error).toBe("InvalidLineEnding")
  })
})

describe("Http1Parser (requests and auto)", () => {
  it("request with body, then a pipelined one", () => {
    const input = "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.0\r\n\r\n"
    expect(parse(input, { mode: "request" })).toEqual([
      {
        _tag: "RequestHead",
        head: {
          method: "POST",
          target: "/a?b=1",
          versionMajor: 1,
          versionMinor: 1,
          rawHeaders: ["Host", "x", "Content-Length", "2"],
          keepAlive: true,
          body: "length",
          contentLength: 2,
          upgrade: false
        }
      },
      { _tag: "Data", data: "hi" },
      { _tag: "Done", keepAlive: true },
      {
        _tag: "RequestHead",
        head: {
          method: "GET",
          target: "/",
          versionMajor: 1,
          versionMinor: 0,
          rawHeaders: [],
          keepAlive: false,
          body: "none",
          contentLength: undefined,
          upgrade: false
        }
      },
      { _tag: "Done", keepAlive: false }
    ])
  })

  it("request Transfer-Encoding other than a final chunked is rejected", () => {
    expect(parseError("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", { mode: "request" }).reason).toBe(
      "InvalidTransferEncoding"
    )
    expect(
      parseError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", {
        mode: "request"
      }).reason
    ).toBe("InvalidTransferEncoding")
  })

  it("a request pipelined after Connection: close is UnexpectedData", () => {
    expect(
      parseError("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n", { mode: "request" }).reason
    ).toBe("UnexpectedData")
  })

  it("CONNECT and Upgrade requests", () => {
    const c = parse("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n\x16\x03", { mode: "request" })
    expect(c).toEqual([
      {
        _tag: "RequestHead",
        head: {
          method: "CONNECT",
          target: "a.test:443",
          versionMajor: 1,
          versionMinor: 1,
          rawHeaders: ["Host", "a.test:443"],
          keepAlive: false,
          body: "none",
          contentLength: undefined,
          upgrade: true
        }
      },
      { _tag: "Done", keepAlive: false },
      { _tag: "Upgrade", rest: "\x16\x03" }
    ])
    const u = parse("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 1\r\n\r\nXrest", {
      mode: "request"
    })
    expect(u).toEqual([
      expect.objectContaining({ _tag: "RequestHead", head: expect.objectContaining({ upgrade: true, keepAlive: false }) }),
      { _tag: "Data", data: "X" },
      { _tag: "Done", keepAlive: false },
      { _tag: "Upgrade", rest: "rest" }
    ])
  })

  it("auto mode detects the first message's kind", () => {
    expect((parse("GET / HTTP/1.1\r\n\r\n", { mode: "auto" })[0] as any)._tag).toBe("RequestHead")
    expect((parse("HTTP/1.1 204 No Content\r\n\r\n", { mode: "auto" })[0] as any)._tag).toBe("ResponseHead")
  })
})

describe("encoder", () => {
  const right = <A>(e: Either.Either<A, unknown>): A => {
    if (Either.isLeft(e)) throw new Error(String(e.left))
    return e.right
  }
  const left = (e: Either.Either<unknown, any>): string => {
    if (Either.isRight(e)) throw new Error("expected Left")
    return e.left.reason
  }

  it("writes the Host first, then the headers, then the framing header", () => {
    expect(
      right(Http1.encodeRequestHead({
        method: "POST",
        target: "/items?x=1",
        host: "api.test:8080",
        rawHeaders: ["content-type", "application/json", "X-Id", "7"],
        framing: { _tag: "Length", length: 13 }
      }))
    ).toBe(
      "POST /items?x=1 HTTP/1.1\r\nHost: api.test:8080\r\ncontent-type: application/json\r\nX-Id: 7\r\nContent-Length: 13\r\n\r\n"
    )
  })

  it("keeps the caller's Host, and drops the caller's framing headers", () => {
    expect(
      right(Http1.encodeRequestHead({
        method: "PUT",
        target: "/",
        host: "ignored.test",
        rawHeaders: ["host", "mine.test", "Content-Length", "99", "transfer-encoding", "gzip"],
        framing: { _tag: "Chunked" }
      }))
    ).toBe("PUT / HTTP/1.1\r\nhost: mine.test\r\nTransfer-Encoding: chunked\r\n\r\n")
  })

  it("Content-Length: 0 only for an empty POST/PUT/PATCH", () => {
    const enc0 = (method: string) =>
      right(Http1.encodeRequestHead({ method, target: "/", host: "h", rawHeaders: [], framing: { _tag: "Length", length: 0 } }))
    expect(enc0("POST")).toBe("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
    expect(enc0("PATCH")).toBe("PATCH / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
    expect(enc0("GET")).toBe("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(enc0("DELETE")).toBe("DELETE / HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(
      right(Http1.encodeRequestHead({ method: "GET", target: "*", host: undefined, rawHeaders: [], framing: { _tag: "None" } }))
    ).toBe("GET * HTTP/1.1\r\n\r\n")
  })

  it("rejects CR, LF, NUL and invalid tokens", () => {
    const base = { method: "GET", target: "/", host: "h", rawHeaders: [] as Array<string>, framing: { _tag: "None" } as const }
    expect(left(Http1.encodeRequestHead({ ...base, method: "GE\r\nT" }))).toBe("method")
    expect(left(Http1.encodeRequestHead({ ...base, method: "" }))).toBe("method")
    expect(left(Http1.encodeRequestHead({ ...base, target: "/a\r\nX: y" }))).toBe("target")
    expect(left(Http1.encodeRequestHead({ ...base, target: "/a b" }))).toBe("target")
    expect(left(Http1.encodeRequestHead({ ...base, target: "/\x00" }))).toBe("target")
    expect(left(Http1.encodeRequestHead({ ...base, rawHeaders: ["X\n", "v"] }))).toBe("header-name")
    expect(left(Http1.encodeRequestHead({ ...base, rawHeaders: ["X Y", "v"] }))).toBe("header-name")
    expect(left(Http1.encodeRequestHead({ ...base, rawHeaders: ["X", "a\r\nInjected: 1"] }))).toBe("header-value")
    expect(left(Http1.encodeRequestHead({ ...base, rawHeaders: ["X", "a\x00"] }))).toBe("header-value")
    expect(left(Http1.encodeRequestHead({ ...base, host: "h\r\n" }))).toBe("header-value")
    expect(left(Http1.encodeRequestHead({ ...base, framing: { _tag: "Length", length: -1 } }))).toBe("body")
  })

  it("chunk framing", () => {
    expect(Http1.encodeChunkHeader(1)).toBe("1\r\n")
    expect(Http1.encodeChunkHeader(1048576)).toBe("100000\r\n")
    expect(right(Http1.encodeLastChunk())).toBe("0\r\n\r\n")
    expect(right(Http1.encodeLastChunk(["X-Sum", "abc", "x-b", ""]))).toBe("0\r\nX-Sum: abc\r\nx-b: \r\n\r\n")
    expect(left(Http1.encodeLastChunk(["X-Sum", "a\nb"]))).toBe("header-value")
  })

  it("round-trips through the parser", () => {
    const head = right(Http1.encodeRequestHead({
      method: "PUT",
      target: "/up",
      host: "h",
      rawHeaders: ["X", "1"],
      framing: { _tag: "Chunked" }
    }))
    const wire = head + Http1.encodeChunkHeader(3) + "abc\r\n" + right(Http1.encodeLastChunk(["T", "v"]))
    expect(parse(wire, { mode: "request" })).toEqual([
      expect.objectContaining({
        _tag: "RequestHead",
        head: expect.objectContaining({ rawHeaders: ["Host", "h", "X", "1", "Transfer-Encoding", "chunked"], body: "chunked" })
      }),
      { _tag: "Data", data: "abc" },
      { _tag: "Trailers", rawTrailers: ["T", "v"] },
      { _tag: "Done", keepAlive: true }
    ])
  })
})

describe("Http1Parser (framing and limits, pinned by mutation testing)", () => {
  const ok = (over: Partial<Http1.ResponseHead>) => ({ _tag: "ResponseHead", head: head(over) })

  it("the header-section limit counts the whole head, not only the longest line", () => {
    // Each line is short; together they pass the limit. The head's size counts the start line, every
    // header line and the empty line, with their CRLFs: 17 + 12 × 6 + 2 = 91 bytes.
    const input = "HTTP/1.1 204 OK\r\n" + "A: b\r\n".repeat(12) + "\r\n"
    expect(input.length).toBe(91)
    expect(parse(input, { maxHeaderSize: 91 })[0]).toMatchObject({ _tag: "ResponseHead" })
    const e = parseError(input, { maxHeaderSize: 90 })
    expect(e.reason).toBe("HeaderSectionTooLarge")
    expect(e.offset).toBe(89)
    // A second message on the connection starts counting from zero.
    const p = new Http1.Http1Parser({ maxHeaderSize: 91 })
    expect(p.push(enc(input + input)).filter((x) => x._tag === "Done")).toHaveLength(2)
  })

  it("two identical Content-Length fields are one length; different ones are an error", () => {
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")).toEqual([
      ok({ rawHeaders: ["Content-Length", "3", "Content-Length", "3"], body: "length", contentLength: 3 }),
      { _tag: "Data", data: "abc" },
      { _tag: "Done", keepAlive: true }
    ])
    expect(parseError("HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 03\r\nContent-Length: 4\r\n\r\n").reason)
      .toBe("InvalidContentLength")
  })

  it("only the framing fields themselves frame: look-alike names of the same length are plain fields", () => {
    // 14, 17, 10 and 7 letters, like Content-Length, Transfer-Encoding, Connection and Upgrade.
    const rawHeaders = ["X-Content-Leng", "nope", "X-Transfer-Encodi", "chunked", "Connexion_", "close", "Upgradz", "h2c"]
    const input = "HTTP/1.1 200 OK\r\n" +
      "X-Content-Leng: nope\r\nX-Transfer-Encodi: chunked\r\nConnexion_: close\r\nUpgradz: h2c\r\nContent-Length: 2\r\n\r\nhi"
    expect(parse(input)).toEqual([
      ok({ rawHeaders: [...rawHeaders, "Content-Length", "2"], body: "length", contentLength: 2, keepAlive: true }),
      { _tag: "Data", data: "hi" },
      { _tag: "Done", keepAlive: true }
    ])
    // A request whose only Upgrade look-alike is not an upgrade.
    const r = parse("GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgradz: websocket\r\n\r\n", { mode: "request" })
    expect(r[0]).toMatchObject({ _tag: "RequestHead", head: { upgrade: false, keepAlive: true } })
    expect(r).toHaveLength(2)
  })

  it("trailers are their message's own: reset between pipelined messages, and never read as framing", () => {
    const chunked = (trailer: string) =>
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" + trailer + "\r\n"
    const events = parse(
      chunked("X-A: 1\r\nContent-Length: nope\r\nTransfer-Encoding: gzip\r\n") + chunked("X-B: 2\r\n") + chunked(""),
      undefined,
      ["GET", "GET", "GET"]
    )
    expect(events.filter((e: any) => e._tag === "Trailers")).toEqual([
      { _tag: "Trailers", rawTrailers: ["X-A", "1", "Content-Length", "nope", "Transfer-Encoding", "gzip"] },
      { _tag: "Trailers", rawTrailers: ["X-B", "2"] }
    ])
    expect(events.filter((e: any) => e._tag === "Done")).toEqual([
      { _tag: "Done", keepAlive: true },
      { _tag: "Done", keepAlive: true },
      { _tag: "Done", keepAlive: true }
    ])
    // The trailer limit is per message too: two sections of 40 bytes under a 64-byte limit.
    const forty = "T: " + "v".repeat(35) + "\r\n"
    expect(forty.length + 2).toBe(42)
    const p = new Http1.Http1Parser({ maxTrailerSize: 64 })
    expect(p.push(enc(chunked(forty) + chunked(forty))).filter((e) => e._tag === "Trailers")).toHaveLength(2)
  })

  it("only a 2xx answer to CONNECT opens a tunnel: a 407 (or 300) is a response with a body, and the connection stays HTTP", () => {
    const refused = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope"
    expect(parse(refused + "HTTP/1.1 200 OK\r\n\r\n", undefined, ["CONNECT", "CONNECT"])).toEqual([
      ok({
        status: 407,
        reason: "Proxy Authentication Required",
        rawHeaders: ["Content-Length", "4"],
        body: "length",
        contentLength: 4
      }),
      { _tag: "Data", data: "nope" },
      { _tag: "Done", keepAlive: true },
      ok({ keepAlive: false, upgrade: true }),
      { _tag: "Done", keepAlive: false },
      { _tag: "Upgrade", rest: "" }
    ])
    expect(parse("HTTP/1.1 300 Multiple Choices\r\nContent-Length: 0\r\n\r\n", undefined, ["CONNECT"])).toEqual([
      ok({ status: 300, reason: "Multiple Choices", rawHeaders: ["Content-Length", "0"], body: "length", contentLength: 0 }),
      { _tag: "Done", keepAlive: true }
    ])
    expect(parse("HTTP/1.1 299 Fine\r\n\r\nTLS", undefined, ["CONNECT"])).toEqual([
      ok({ status: 299, reason: "Fine", keepAlive: false, upgrade: true }),
      { _tag: "Done", keepAlive: false },
      { _tag: "Upgrade", rest: "TLS" }
    ])
  })

  it("a request upgrades only with both Upgrade and Connection: upgrade", () => {
    const request = (headers: string) =>
      parse(`GET /ws HTTP/1.1\r\nHost: x\r\n${headers}\r\n`, { mode: "request" })[0] as any
    expect(request("Upgrade: websocket\r\n").head).toMatchObject({ upgrade: false, keepAlive: true })
    expect(request("Connection: upgrade\r\n").head).toMatchObject({ upgrade: false, keepAlive: true })
    expect(request("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n").head).toMatchObject({
      upgrade: true,
      keepAlive: false
    })
  })
})

describe("Http1Parser (errors say what and where, limits hold on partial lines)", () => {
  const failing: Array<[string, Http1.ParserOptions, Array<string>, Http1.ParseErrorReason, number, string]> = [
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", {}, [], "TransferEncodingAndContentLength", 64, "both Transfer-Encoding and Content-Length"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", {}, [], "InvalidTransferEncoding", 54, "chunked is applied more than once in Transfer-Encoding"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", { mode: "request" }, [], "InvalidTransferEncoding", 42, "a request's Transfer-Encoding must end with one chunked"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", {}, [], "InvalidContentLength", 33, "Content-Length overflow"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", {}, [], "InvalidContentLength", 33, "invalid Content-Length"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", {}, [], "InvalidContentLength", 52, "two Content-Length fields with different values"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n T: v\r\n\r\n", {}, [], "WhitespaceBeforeHeaders", 50, "whitespace at the start of the trailer section"],
    ["HTTP/1.1 200 OK\r\n Foo: bar\r\n\r\n", {}, [], "WhitespaceBeforeHeaders", 17, "whitespace between the start line and the first header"],
    ["GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", { mode: "request" }, [], "ObsoleteLineFolding", 22, "(obs-fold) is not accepted in a request"],
    ["HTTP/1.1 200 OK\r\nX: 1\r\nContent-Length: 1\r\n 2\r\n\r\n", {}, [], "ObsoleteLineFolding", 42, "obs-fold in a Content-Length field makes the body framing ambiguous"],
    ["\r\n".repeat(11) + "HTTP/1.1 200 OK\r\n\r\n", {}, [], "TooManyEmptyLines", 20, "more than 10 empty lines before the start line"],
    ["HTTP/1.1 204 OK\r\n" + "A: b\r\n".repeat(12) + "\r\n", { maxHeaderSize: 90 }, [], "HeaderSectionTooLarge", 89, "header section larger than 90 bytes; raise the maxHeaderSize option"],
    ["HTTP/1.1 200 OK\nA: b\n\n", { allowBareLf: false }, [], "InvalidLineEnding", 15, "LF without CR"],
    ["GET / HTTP/1.1\n\n", { mode: "auto" }, [], "InvalidLineEnding", 14, "LF without CR"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 12345\r\n\r\n", { maxTrailerSize: 11 }, [], "TrailerSectionTooLarge", 60, "trailer section larger than 11 bytes"]
  ]
  for (const [input, options, methods, reason, offset, detail] of failing) {
    it(`${reason} at ${offset}: "${detail}"`, () => {
      const e = parseError(input, options, methods)
      expect({ reason: e.reason, offset: e.offset }).toEqual({ reason, offset })
      expect(e.detail).toContain(detail)
    })
  }

  it("a trailer section at its limit (CRLFs included) is accepted", () => {
    const input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 12345\r\n\r\n"
    expect(parse(input, { maxTrailerSize: 12 })).toContainEqual({ _tag: "Trailers", rawTrailers: ["T", "12345"] })
  })

  it("a header-field count at the limit is accepted; one more is TooManyHeaders", () => {
    const input = "HTTP/1.1 204 OK\r\n" + "A: b\r\n".repeat(4) + "\r\n"
    expect(parse(input, { maxHeaderCount: 4 })[0]).toMatchObject({ _tag: "ResponseHead" })
    expect(parseError(input, { maxHeaderCount: 3 }).reason).toBe("TooManyHeaders")
  })

  /** Pushes `input` (no line end yet): the error it raises at once, or undefined. */
  const partial = (input: string, options: Http1.ParserOptions) => {
    try {
      new Http1.Http1Parser(options).push(enc(input))
      return undefined
    } catch (e) {
      return { reason: (e as Http1.Http1ParseError).reason, offset: (e as Http1.Http1ParseError).offset }
    }
  }

  it("a line still arriving is held to its limit before its end is seen, and not before it passes it", () => {
    // Start line: at most maxStartLineLength bytes.
    expect(partial("HTTP/1.1 200 " + "x".repeat(51), { maxStartLineLength: 64 })).toBeUndefined()
    expect(partial("HTTP/1.1 200 " + "x".repeat(52), { maxStartLineLength: 64 })).toEqual({ reason: "StartLineTooLong", offset: 64 })
    // Header section: the head so far plus the line arriving.
    const head = "HTTP/1.1 200 OK\r\n"
    expect(partial(head + "A: " + "x".repeat(108), { maxHeaderSize: 128 })).toBeUndefined()
    expect(partial(head + "A: " + "x".repeat(109), { maxHeaderSize: 128 })).toEqual({ reason: "HeaderSectionTooLarge", offset: 17 })
    // A chunk-size line: its extensions' limit plus 32.
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    expect(partial(chunked + "1;a=" + "b".repeat(92), { maxChunkExtensionLength: 64 })).toBeUndefined()
    expect(partial(chunked + "1;a=" + "b".repeat(93), { maxChunkExtensionLength: 64 })).toEqual({
      reason: "ChunkExtensionTooLong",
      offset: 47
    })
    // Trailers: the section so far plus the line arriving.
    expect(partial(chunked + "0\r\nT: 1\r\nU: " + "v".repeat(6), { maxTrailerSize: 15 })).toBeUndefined()
    expect(partial(chunked + "0\r\nT: 1\r\nU: " + "v".repeat(7), { maxTrailerSize: 15 })).toEqual({
      reason: "TrailerSectionTooLarge",
      offset: 56
    })
  })

  it("a sink without the optional callbacks gets through every kind of message", () => {
    const done: Array<boolean> = []
    const data: Array<string> = []
    const sink: Http1.ParserSink = { onData: (c) => data.push(dec(c)), onMessageComplete: (k) => done.push(k) }
    const res = new Http1.Http1Parser()
    for (const m of ["GET", "GET", "CONNECT"]) res.expectResponseTo(m)
    res.execute(
      enc(
        "HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: v\r\n\r\n" +
          "HTTP/1.1 204 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
      ),
      sink
    )
    expect({ data, done }).toEqual({ data: ["x"], done: [true, true, false] })
    const req = new Http1.Http1Parser({ mode: "request" })
    req.execute(enc("GET / HTTP/1.1\r\n\r\nCONNECT a:1 HTTP/1.1\r\n\r\n"), sink)
    expect(done).toEqual([true, true, false, true, false])
    const up = new Http1.Http1Parser()
    up.execute(enc("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n"), sink)
    expect(done).toEqual([true, true, false, true, false, false])
  })

  it("HEAD, 204 and 304 have no body, yet Transfer-Encoding with Content-Length is still refused there", () => {
    const both = "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
    expect(parseError(`HTTP/1.1 200 OK\r\n${both}`, {}, ["HEAD"]).reason).toBe("TransferEncodingAndContentLength")
    expect(parseError(`HTTP/1.1 304 Not Modified\r\n${both}`).reason).toBe("TransferEncodingAndContentLength")
    // Either one alone is fine, and announces no body.
    expect(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 204 OK\r\nContent-Length: 5\r\n\r\n", {}, ["HEAD"]))
      .toEqual([
        ok2({ rawHeaders: ["Transfer-Encoding", "chunked"] }),
        { _tag: "Done", keepAlive: true },
        ok2({ status: 204, rawHeaders: ["Content-Length", "5"] }),
        { _tag: "Done", keepAlive: true }
      ])
  })

  it("an empty Transfer-Encoding field adds nothing to the list: chunked stays the final coding", () => {
    const e = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: \r\n\r\n0\r\n\r\n")
    expect(e[0]).toMatchObject({ head: { body: "chunked" } })
  })

  it("a response with no request recorded is read as the answer to a GET", () => {
    const p = new Http1.Http1Parser()
    p.expectResponseTo("HEAD")
    const events = simplify(p.push(enc("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")))
    expect(events).toEqual([
      ok2({ rawHeaders: ["Content-Length", "2"], contentLength: 2, body: "none" }),
      { _tag: "Done", keepAlive: true },
      ok2({ rawHeaders: ["Content-Length", "2"], contentLength: 2, body: "length" }),
      { _tag: "Data", data: "hi" },
      { _tag: "Done", keepAlive: true }
    ])
  })

  it("leading whitespace of a field value is not part of it; obs-fold joins with one space", () => {
    expect(parse("HTTP/1.1 204 OK\r\nA: \t x\r\nB:y\r\n  z\r\n\r\n")[0]).toMatchObject({ head: { rawHeaders: ["A", "x", "B", "y z"] } })
  })
})

const ok2 = (over: Partial<Http1.ResponseHead>) => {
  const h = head(over)
  return { _tag: "ResponseHead", head: { ...h, contentLength: h.body === "length" ? h.contentLength : undefined } }
}
