/**
 * The HTTP/1.1 request encoder (internal/http1/encoder.ts), called directly:
 * what each check refuses and what it says, the byte boundaries of the
 * target and value checks, the Host and framing fields, the head checked
 * once (checkAndEncodeHead) and encoded again without checks
 * (encodeCheckedHead), a field added to an encoded head, and the chunk lines.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import type { BodyFraming } from "../src/internal/http1/encoder.js"
import {
  checkAndEncodeHead,
  encodeCheckedHead,
  encodeChunkHeader,
  encodeLastChunk,
  encodeRequestHead,
  withField
} from "../src/internal/http1/encoder.js"

/** The head text, or the error's reason and detail. */
const head = (
  method: string,
  target: string,
  host: string | undefined,
  rawHeaders: ReadonlyArray<string>,
  bodySize: number | undefined | null
) => {
  const r = checkAndEncodeHead(method, target, host, rawHeaders, bodySize)
  return typeof r === "string" ? r : { reason: r.reason, detail: r.detail }
}

const get = (over: { target?: string; host?: string | undefined; raw?: ReadonlyArray<string> }) =>
  head("GET", over.target ?? "/", "host" in over ? over.host : "h", over.raw ?? [], null)

describe("request head checks", () => {
  it("the method must be a token: empty, separators, controls and non-ASCII are refused", () => {
    expect(head("PATCH", "/", "h", [], null)).toBe("PATCH / HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(head("M-SEARCH", "*", undefined, [], null)).toBe("M-SEARCH * HTTP/1.1\r\n\r\n")
    for (const bad of ["", "GE T", "GET\r\n", "G(T", "GÉT", "G\u0141T"]) {
      expect(head(bad, "/", "h", [], null), JSON.stringify(bad)).toEqual({
        reason: "method",
        detail: `method ${JSON.stringify(bad)} is not an RFC 9110 token`
      })
    }
  })

  it("the target: visible latin1 only; SP, controls, DEL and characters above U+00FF are refused, named with their index", () => {
    expect(get({ target: "/a!~%20?q=\x80\xff" })).toBe("GET /a!~%20?q=\x80\xff HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(get({ target: "" })).toEqual({ reason: "target", detail: "empty request target" })
    const bad = (target: string, what: string) =>
      expect(get({ target }), JSON.stringify(target)).toEqual({ reason: "target", detail: `request target contains ${what}` })
    bad("/a b", "SP at index 2")
    bad("/\r", "CR at index 1")
    bad("/x\n", "LF at index 2")
    bad("\x00", "NUL at index 0")
    bad("/\x1f", "U+001f at index 1")
    bad("/\x7f", "U+007f at index 1")
    bad("/\u0100", "U+0100 at index 1")
    bad("/\u{1f600}", "U+d83d at index 1")
  })

  it("a Host is added only when none is given; it must be non-empty, without CR, LF or NUL", () => {
    expect(get({ host: "a.test:81" })).toBe("GET / HTTP/1.1\r\nHost: a.test:81\r\n\r\n")
    expect(get({ host: undefined })).toBe("GET / HTTP/1.1\r\n\r\n")
    expect(get({ host: "" })).toEqual({ reason: "header-value", detail: "empty Host" })
    expect(get({ host: "a\rb" })).toEqual({ reason: "header-value", detail: "Host contains CR at index 1" })
    expect(get({ host: "\u0100" })).toEqual({ reason: "header-value", detail: "Host contains U+0100 at index 0" })
    // The caller's Host, in any case, replaces it: the given host is then neither written nor checked.
    expect(get({ host: "", raw: ["HOST", "mine"] })).toBe("GET / HTTP/1.1\r\nHOST: mine\r\n\r\n")
    expect(get({ host: "x", raw: ["A", "1", "host", "mine"] })).toBe("GET / HTTP/1.1\r\nA: 1\r\nhost: mine\r\n\r\n")
    expect(get({ host: "x", raw: ["Hosts", "1", "Hos", "2"] })).toBe("GET / HTTP/1.1\r\nHost: x\r\nHosts: 1\r\nHos: 2\r\n\r\n")
  })

  it("fields: token names, values without CR, LF, NUL or characters above U+00FF; pairs only", () => {
    expect(get({ raw: ["X-A", "tab\there \x01 latin1 \xff", "B", ""] })).toBe(
      "GET / HTTP/1.1\r\nHost: h\r\nX-A: tab\there \x01 latin1 \xff\r\nB: \r\n\r\n"
    )
    expect(get({ raw: ["A", "1", "B"] })).toEqual({ reason: "header-name", detail: "rawHeaders must hold name/value pairs" })
    expect(get({ raw: ["X Y", "v"] })).toEqual({ reason: "header-name", detail: "header name \"X Y\" is not an RFC 9110 token" })
    expect(get({ raw: ["", "v"] })).toEqual({ reason: "header-name", detail: "header name \"\" is not an RFC 9110 token" })
    expect(get({ raw: ["A", "ok", "\u0141", "v"] })).toEqual({ reason: "header-name", detail: "header name \"\u0141\" is not an RFC 9110 token" })
    const value = (v: string, what: string) =>
      expect(get({ raw: ["A", "ok", "X", v] }), JSON.stringify(v)).toEqual({ reason: "header-value", detail: `value of X contains ${what}` })
    value("a\r\nB: c", "CR at index 1")
    value("\n", "LF at index 0")
    value("ab\x00", "NUL at index 2")
    value("\u0100", "U+0100 at index 0")
  })

  it("framing fields of the caller are dropped (any case); the encoder writes its own after the others", () => {
    const raw = ["content-length", "1", "X", "1", "Transfer-Encoding", "gzip", "TRANSFER-ENCODING", "x", "Content-Lengths", "2"]
    expect(head("POST", "/", "h", raw, 3)).toBe("POST / HTTP/1.1\r\nHost: h\r\nX: 1\r\nContent-Lengths: 2\r\nContent-Length: 3\r\n\r\n")
    expect(head("POST", "/", "h", raw, undefined)).toBe(
      "POST / HTTP/1.1\r\nHost: h\r\nX: 1\r\nContent-Lengths: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    expect(head("POST", "/", "h", raw, null)).toBe("POST / HTTP/1.1\r\nHost: h\r\nX: 1\r\nContent-Lengths: 2\r\n\r\n")
  })

  it("Content-Length: 0 is written for POST, PUT and PATCH only; a body size must be a safe non-negative integer", () => {
    for (const m of ["POST", "PUT", "PATCH"]) expect(head(m, "/", "h", [], 0)).toBe(`${m} / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n`)
    for (const m of ["GET", "DELETE", "OPTIONS", "post", "Put"]) expect(head(m, "/", "h", [], 0)).toBe(`${m} / HTTP/1.1\r\nHost: h\r\n\r\n`)
    expect(head("GET", "/", "h", [], 1)).toBe("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\n")
    expect(head("PUT", "/", "h", [], Number.MAX_SAFE_INTEGER)).toBe(
      `PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: ${Number.MAX_SAFE_INTEGER}\r\n\r\n`
    )
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(head("PUT", "/", "h", [], bad), String(bad)).toEqual({ reason: "body", detail: `invalid body length ${bad}` })
    }
  })
})

describe("encoding a checked head", () => {
  it("encodeCheckedHead writes what checkAndEncodeHead accepted, byte for byte", () => {
    const cases: Array<[string, string, string | undefined, Array<string>, number | undefined | null]> = [
      ["GET", "/", "h", [], null],
      ["POST", "/p?q", "h:1", ["host", "x", "Content-Length", "9", "A", "b"], 0],
      ["PUT", "*", undefined, ["A", "b"], undefined],
      ["DELETE", "/d", "h", [], 12]
    ]
    for (const [m, t, h, raw, size] of cases) expect(encodeCheckedHead(m, t, h, raw, size)).toBe(checkAndEncodeHead(m, t, h, raw, size))
  })

  it("encodeCheckedHead does not check again (the hot path trusts the head it was given)", () => {
    expect(encodeCheckedHead("PUT", "/a b", "", ["X", "a\r\n"], -1)).toBe("PUT /a b HTTP/1.1\r\nHost: \r\nX: a\r\n\r\nContent-Length: -1\r\n\r\n")
  })

  it("encodeRequestHead: the framing's tag picks the field; errors come as Left", () => {
    const enc = (framing: BodyFraming) => encodeRequestHead({ method: "PUT", target: "/", host: "h", rawHeaders: [], framing })
    expect(enc({ _tag: "None" })).toEqual(Either.right("PUT / HTTP/1.1\r\nHost: h\r\n\r\n"))
    expect(enc({ _tag: "Chunked" })).toEqual(Either.right("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"))
    expect(enc({ _tag: "Length", length: 0 })).toEqual(Either.right("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"))
    expect(enc({ _tag: "Length", length: 7 })).toEqual(Either.right("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n"))
    const e = enc({ _tag: "Length", length: -2 })
    expect(Either.isLeft(e) && { tag: e.left._tag, reason: e.left.reason }).toEqual({ tag: "InvalidRequest", reason: "body" })
  })

  it("withField adds one field before the blank line of an encoded head", () => {
    expect(withField("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "traceparent", "00-ab-cd-01")).toBe(
      "GET / HTTP/1.1\r\nHost: h\r\ntraceparent: 00-ab-cd-01\r\n\r\n"
    )
    expect(withField(withField("GET / HTTP/1.1\r\n\r\n", "A", "1"), "B", "")).toBe("GET / HTTP/1.1\r\nA: 1\r\nB: \r\n\r\n")
  })
})

describe("chunk lines", () => {
  it("a chunk's size line is its length in lower-case hex", () => {
    expect(encodeChunkHeader(1)).toBe("1\r\n")
    expect(encodeChunkHeader(255)).toBe("ff\r\n")
    expect(encodeChunkHeader(0xabcdef)).toBe("abcdef\r\n")
  })

  it("the last chunk carries the trailers as given (framing names included), checked like fields", () => {
    expect(encodeLastChunk()).toEqual(Either.right("0\r\n\r\n"))
    expect(encodeLastChunk([])).toEqual(Either.right("0\r\n\r\n"))
    expect(encodeLastChunk(["X-Sum", "abc"])).toEqual(Either.right("0\r\nX-Sum: abc\r\n\r\n"))
    expect(encodeLastChunk(["Content-Length", "5", "transfer-encoding", "x"])).toEqual(
      Either.right("0\r\nContent-Length: 5\r\ntransfer-encoding: x\r\n\r\n")
    )
    const left = (raw: Array<string>) => {
      const r = encodeLastChunk(raw)
      return Either.isLeft(r) ? { reason: r.left.reason, detail: r.left.detail } : r.right
    }
    expect(left(["X"])).toEqual({ reason: "header-name", detail: "rawHeaders must hold name/value pairs" })
    expect(left(["X:", "v"])).toEqual({ reason: "header-name", detail: "header name \"X:\" is not an RFC 9110 token" })
    expect(left(["X", "a\nb"])).toEqual({ reason: "header-value", detail: "value of X contains LF at index 1" })
  })
})
