/**
 * The HTTP/1 framing values (internal/http1/framing.ts) and the keep-alive
 * rule (internal/http1/keepAlive.ts), called directly: Content-Length values,
 * Transfer-Encoding lists, chunk-size lines with their extensions, and the
 * Connection tokens. The parser's tests reach them through whole messages;
 * these pin the edges (boundaries, offsets, separators) one value at a time.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseChunkSizeLine, parseContentLength, scanTransferEncoding } from "../src/internal/http1/framing.js"
import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_UPGRADE, connectionTokens, keepAliveFrom, shouldKeepAlive } from "../src/internal/http1/keepAlive.js"
import { enc } from "./support/http1.js"

/**
 * `f` over `text` placed between bytes that are not part of it, the same
 * whatever those bytes are (separators, quotes, `=`, line ends, digits): the
 * functions read only `[start, end)`.
 */
const within = <A>(text: string, f: (b: Uint8Array, start: number, end: number) => A): A => {
  const results = ["7,chunked", ",", " ", "\t", "=x", "\"", ";", "\r\n", "\n", "close"].map((after) => {
    const b = enc(`9,x${text}${after}`)
    return f(b, 3, 3 + text.length)
  })
  for (const r of results.slice(1)) expect(r, JSON.stringify(text)).toEqual(results[0])
  return results[0]
}

describe("Content-Length values", () => {
  it("digits only, from 0 to Number.MAX_SAFE_INTEGER; -1 when malformed, -2 on overflow", () => {
    const cl = (s: string) => within(s, parseContentLength)
    expect(cl("0")).toBe(0)
    expect(cl("9")).toBe(9)
    expect(cl("0042")).toBe(42)
    expect(cl("1234567890")).toBe(1234567890)
    expect(cl(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER)
    expect(cl(String(Number.MAX_SAFE_INTEGER + 1))).toBe(-2)
    expect(cl("99999999999999999999")).toBe(-2)
    // The bytes just outside the digits ("/" and ":"), a sign, a list, whitespace, nothing.
    for (const bad of ["", "1/", "/1", "9:", ":", "+1", "-1", "1,1", " 1", "1 ", "0x1"]) expect(cl(bad), bad).toBe(-1)
  })
})

describe("Transfer-Encoding lists", () => {
  const te = (s: string) => {
    const bits = within(s, scanTransferEncoding)
    return { chunked: bits >> 2, final: (bits & 2) !== 0, nonEmpty: (bits & 1) !== 0 }
  }

  it("counts chunked (any case) and says whether it is the final coding", () => {
    expect(te("chunked")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("CHUNKED")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("gzip")).toEqual({ chunked: 0, final: false, nonEmpty: true })
    expect(te("gzip, chunked")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("chunked, gzip")).toEqual({ chunked: 1, final: false, nonEmpty: true })
    expect(te("chunked,chunked")).toEqual({ chunked: 2, final: true, nonEmpty: true })
    expect(te("Chunked, gzip, chunked")).toEqual({ chunked: 2, final: true, nonEmpty: true })
  })

  it("only the whole token chunked counts: longer, shorter and look-alike codings do not", () => {
    for (const other of ["chunkedx", "xchunked", "chunke", "hunked", "chunk ed", "chunkee", "dhunked"]) {
      expect(te(other), other).toEqual({ chunked: 0, final: false, nonEmpty: true })
    }
  })

  it("spaces, tabs and empty list members around the codings are skipped; an empty list is empty", () => {
    expect(te(" \t chunked \t ")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("gzip \t,\t chunked")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("chunked \t, gzip")).toEqual({ chunked: 1, final: false, nonEmpty: true })
    // Trailing and repeated separators add no member: chunked stays final.
    expect(te("chunked, ")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te("chunked,,\t,")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    expect(te(",,chunked")).toEqual({ chunked: 1, final: true, nonEmpty: true })
    for (const empty of ["", " ", "\t", ",", " , ,\t"]) expect(te(empty), JSON.stringify(empty)).toEqual({ chunked: 0, final: false, nonEmpty: false })
  })
})

describe("chunk-size lines", () => {
  /** The size, or the error's reason, offset and detail. `base` 100: offsets are absolute. */
  const size = (line: string, maxExtension = 64) =>
    within(line, (b, s, e) => {
      try {
        return parseChunkSizeLine(b, s, e, 100, maxExtension)
      } catch (err: any) {
        return { reason: err.reason, offset: err.offset, detail: err.detail }
      }
    })

  it("hex digits of either case, up to Number.MAX_SAFE_INTEGER", () => {
    expect(size("0")).toBe(0)
    expect(size("9")).toBe(9)
    expect(size("a")).toBe(10)
    expect(size("F")).toBe(15)
    expect(size("1f")).toBe(31)
    expect(size("00FF")).toBe(255)
    expect(size("1fffffffffffff")).toBe(Number.MAX_SAFE_INTEGER)
    expect(size("20000000000000")).toEqual({ reason: "InvalidChunkSize", offset: 113, detail: "chunk size overflow" })
  })

  it("no digits, a non-hex byte, whitespace or a line-ending byte: the reason and the offset of the byte", () => {
    expect(size("")).toEqual({ reason: "InvalidChunkSize", offset: 100, detail: "no hex digits in chunk size" })
    expect(size(";a")).toEqual({ reason: "InvalidChunkSize", offset: 100, detail: "no hex digits in chunk size" })
    expect(size("g")).toEqual({ reason: "InvalidChunkSize", offset: 100, detail: "no hex digits in chunk size" })
    expect(size("1g")).toEqual({ reason: "InvalidChunkSize", offset: 101, detail: "invalid byte in chunk size" })
    expect(size("12 ")).toEqual({ reason: "InvalidChunkSize", offset: 102, detail: "invalid byte in chunk size" })
    expect(size("1\r")).toEqual({ reason: "InvalidLineEnding", offset: 101, detail: "invalid byte in chunk size" })
    expect(size("1\n")).toEqual({ reason: "InvalidLineEnding", offset: 101, detail: "invalid byte in chunk size" })
    expect(size("\r")).toEqual({ reason: "InvalidLineEnding", offset: 100, detail: "no hex digits in chunk size" })
    // An empty line, whatever ends it, has no digits.
    expect(size("")).toEqual({ reason: "InvalidChunkSize", offset: 100, detail: "no hex digits in chunk size" })
  })

  it("extensions: names, token values, quoted values with escapes, several in a row", () => {
    for (
      const ok of [
        "5;a",
        "5;a=b",
        "5;name=value;other",
        "5;a=\"\"",
        "5;a=\"b c\"",
        "5;a=\"tab\there\"",
        "5;a=\"\\\"q\\\"\"",
        "5;a=\"\\\\\"",
        "5;a=\"latin1 \xe9 \x80\xff\"",
        "5;a=\"x\";b=y"
      ]
    ) expect(size(ok), JSON.stringify(ok)).toBe(5)
  })

  it("malformed extensions fail at the offending byte", () => {
    const ext = (line: string, offset: number) =>
      expect(size(line), JSON.stringify(line)).toEqual({ reason: "InvalidChunkExtension", offset, detail: "malformed chunk extension" })
    ext("5;", 102) // empty name
    ext("5;=b", 102) // empty name before the value
    ext("5;a=", 104) // empty value
    ext("5;a=;b", 104) // empty value before the next extension
    ext("5;a b", 103) // whitespace
    ext("5;a=b c", 105)
    ext("5;a=\"open", 109) // the line ends inside the quotes
    ext("5;a=\"x\"y", 107) // a byte after the closing quote
    ext("5;a=\"x\\", 107) // an escape at the end of the line
    ext("5;a=\"\x01\"", 105) // a control byte inside the quotes
    ext("5;a=\"\x1f\"", 105)
    ext("5;a=\"\x7f\"", 105) // DEL inside the quotes
    ext("5;a=\"\\\x7f\"", 106) // an escaped DEL
    ext("5;a=\"\\\x00\"", 106) // an escaped NUL
    ext("5;a;", 104)
  })

  it("the extensions' length is bounded by maxExtension: at the limit accepted, one more byte refused", () => {
    expect(size("a;bc=d", 5)).toBe(10)
    expect(size("a;bc=de", 5)).toEqual({ reason: "ChunkExtensionTooLong", offset: 101, detail: "chunk extensions longer than 5 bytes" })
    expect(size("fff;bc=de", 5)).toEqual({ reason: "ChunkExtensionTooLong", offset: 103, detail: "chunk extensions longer than 5 bytes" })
  })
})

describe("Connection tokens and keep-alive", () => {
  const tokens = (s: string) => within(s, connectionTokens)

  it("close, keep-alive and upgrade, in any case, as bits; other tokens add nothing", () => {
    expect(tokens("close")).toBe(CONN_CLOSE)
    expect(tokens("Keep-Alive")).toBe(CONN_KEEP_ALIVE)
    expect(tokens("UPGRADE")).toBe(CONN_UPGRADE)
    expect(tokens("close, keep-alive, upgrade")).toBe(CONN_CLOSE | CONN_KEEP_ALIVE | CONN_UPGRADE)
    expect(tokens("x-foo, upgrade")).toBe(CONN_UPGRADE)
    expect([CONN_CLOSE, CONN_KEEP_ALIVE, CONN_UPGRADE]).toEqual([1, 2, 4])
    for (const other of ["", "closed", "clos", "xclose", "keep-alivex", "keepalive", "upgrades", "te", "close-it"]) {
      expect(tokens(other), other).toBe(0)
    }
  })

  it("spaces, tabs and commas around the tokens are skipped", () => {
    expect(tokens(" \tclose \t")).toBe(CONN_CLOSE)
    expect(tokens(",,upgrade\t ,close ,")).toBe(CONN_UPGRADE | CONN_CLOSE)
    expect(tokens("keep-alive \t,x")).toBe(CONN_KEEP_ALIVE)
    expect(tokens(" , \t,")).toBe(0)
  })

  it("close always closes; HTTP/1.1 (and later) persists by default; HTTP/1.0 only with keep-alive", () => {
    expect(keepAliveFrom(1, 1, 0)).toBe(true)
    expect(keepAliveFrom(1, 1, CONN_KEEP_ALIVE)).toBe(true)
    expect(keepAliveFrom(1, 1, CONN_CLOSE)).toBe(false)
    expect(keepAliveFrom(1, 1, CONN_UPGRADE)).toBe(true)
    expect(keepAliveFrom(1, 0, 0)).toBe(false)
    expect(keepAliveFrom(1, 0, CONN_UPGRADE)).toBe(false)
    expect(keepAliveFrom(1, 0, CONN_KEEP_ALIVE)).toBe(true)
    expect(keepAliveFrom(1, 0, CONN_KEEP_ALIVE | CONN_CLOSE)).toBe(false)
    expect(keepAliveFrom(2, 0, 0)).toBe(true)
    expect(keepAliveFrom(2, 0, CONN_CLOSE)).toBe(false)
    expect(keepAliveFrom(0, 9, 0)).toBe(false)
    expect(keepAliveFrom(0, 9, CONN_KEEP_ALIVE)).toBe(true)
  })

  it("over raw headers: every Connection field counts, names in any case, only whole names", () => {
    expect(shouldKeepAlive(1, 1, [])).toBe(true)
    expect(shouldKeepAlive(1, 1, ["Connection", "close"])).toBe(false)
    expect(shouldKeepAlive(1, 1, ["CONNECTION", "x, Close"])).toBe(false)
    expect(shouldKeepAlive(1, 1, ["Connection", "keep-alive", "connection", "close"])).toBe(false)
    expect(shouldKeepAlive(1, 0, ["connection", "Keep-Alive"])).toBe(true)
    expect(shouldKeepAlive(1, 0, ["X", "keep-alive"])).toBe(false)
    // Look-alike names, and a value that only sits where a name could be.
    expect(shouldKeepAlive(1, 1, ["Connections", "close", "Connectio", "close", "X-Connection", "close"])).toBe(true)
    expect(shouldKeepAlive(1, 1, ["X", "Connection", "Y", "close"])).toBe(true)
    // Other names of Connection's length, and a CR where a token has a dash.
    expect(shouldKeepAlive(1, 1, ["X-Conn-Foo", "close", "Connectiom", "close"])).toBe(true)
    expect(shouldKeepAlive(1, 0, ["Connection", "keep\ralive"])).toBe(false)
    // A name without a value is ignored.
    expect(shouldKeepAlive(1, 1, ["X", "y", "Connection"])).toBe(true)
    expect(shouldKeepAlive(1, 0, ["Connection"])).toBe(false)
  })
})
