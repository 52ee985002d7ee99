import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import { pipe } from "effect/Function"
import * as fc from "fast-check"
import { inspect } from "node:util"
import * as Headers from "../src/Headers.js"
import { InvalidRequest } from "../src/HackneyError.js"

const entries = (h: Headers.Headers) => Headers.toEntries(h)

describe("Headers: construction and lookup", () => {
  it("fromInput takes records, pair iterables, Maps and Headers", () => {
    const r = Headers.fromInput({ "Content-Type": "text/plain", "Content-Length": 12, Accept: ["a", "b"], Skip: undefined })
    expect(entries(r)).toEqual([["Content-Type", "text/plain"], ["Content-Length", "12"], ["Accept", "a"], ["Accept", "b"]])
    const p = Headers.fromInput([["Set-Cookie", "a=1"], ["set-cookie", "b=2"]])
    expect(Headers.getAll(p, "SET-COOKIE")).toEqual(["a=1", "b=2"])
    expect(entries(Headers.fromInput(new Map([["x", "1"]])))).toEqual([["x", "1"]])
    expect(Headers.fromInput(r)).toBe(r)
    expect(Headers.fromInput({})).toBe(Headers.empty)
  })

  it("looks up ignoring case and keeps the names' case and order", () => {
    const h = Headers.fromInput([["X-A", "1"], ["x-b", "2"], ["x-a", "3"]])
    expect(Headers.get(h, "x-a")).toEqual(Option.some("1"))
    expect(pipe(h, Headers.get("X-B"))).toEqual(Option.some("2"))
    expect(Headers.get(h, "missing")).toEqual(Option.none())
    expect(Headers.getOrUndefined(h, "X-b")).toBe("2")
    expect(Headers.getOrUndefined(h, "nope")).toBeUndefined()
    expect(Headers.getAll(h, "X-A")).toEqual(["1", "3"])
    expect(Headers.getAll(h, "nope")).toEqual([])
    expect(Headers.has(h, "X-B")).toBe(true)
    expect(Headers.has(h, "x-c")).toBe(false)
    expect(Headers.size(h)).toBe(3)
    expect([...h]).toEqual([["X-A", "1"], ["x-b", "2"], ["x-a", "3"]])
    const seen: Array<string> = []
    Headers.forEach(h, (n, v, i) => seen.push(`${i}:${n}=${v}`))
    expect(seen).toEqual(["0:X-A=1", "1:x-b=2", "2:x-a=3"])
  })

  it("fromRaw keeps the array and indexes large header sets lazily", () => {
    const flat = ["Content-Type", "text/html", "Content-Length", "5"]
    const h = Headers.fromRaw(flat)
    expect(Headers.toRaw(h)).toBe(flat)
    expect(Headers.getOrUndefined(h, "content-length")).toBe("5")
    const big: Array<string> = []
    for (let i = 0; i < 40; i++) big.push(`X-H${i % 20}`, String(i))
    const hb = Headers.fromRaw(big)
    expect(Headers.getAll(hb, "x-h3")).toEqual(["3", "23"])
    expect(Headers.get(hb, "X-H19")).toEqual(Option.some("19"))
    expect(Headers.has(hb, "x-h20")).toBe(false)
    expect(Headers.getAll(Headers.remove(hb, "x-h3"), "x-h3")).toEqual([])
    expect(Headers.size(Headers.set(hb, "x-h0", "z"))).toBe(39)
  })

  it("is Equal by content, names compared ignoring case", () => {
    const a = Headers.fromInput({ "Content-Type": "a", X: "1" })
    const b = Headers.fromRaw(["content-type", "a", "x", "1"])
    expect(Equal.equals(a, b)).toBe(true)
    expect(Hash.hash(a)).toBe(Hash.hash(b))
    expect(Equal.equals(a, Headers.fromRaw(["x", "1", "content-type", "a"]))).toBe(false)
    expect(Equal.equals(a, Headers.fromRaw(["content-type", "A", "x", "1"]))).toBe(false)
    expect(Equal.equals(a, Headers.fromRaw(["content-type", "a"]))).toBe(false)
    expect(Headers.isHeaders(a)).toBe(true)
    expect(Headers.isHeaders({ raw: [] })).toBe(false)
  })
})

describe("Headers: combinators", () => {
  const base = Headers.fromInput([["accept", "a"], ["X", "1"], ["Accept", "b"]])

  it("set replaces every line in place of the first, and appends a new name", () => {
    expect(entries(Headers.set(base, "ACCEPT", "c"))).toEqual([["ACCEPT", "c"], ["X", "1"]])
    expect(entries(Headers.set(base, "accept", ["c", "d"]))).toEqual([["accept", "c"], ["accept", "d"], ["X", "1"]])
    expect(entries(pipe(base, Headers.set("y", 2)))).toEqual([...entries(base), ["y", "2"]])
    expect(entries(Headers.set(base, "accept", []))).toEqual([["X", "1"]])
    expect(entries(base)).toEqual([["accept", "a"], ["X", "1"], ["Accept", "b"]]) // unchanged
  })

  it("append adds lines; remove drops them (same value when absent)", () => {
    expect(Headers.getAll(Headers.append(base, "ACCEPT", "c"), "accept")).toEqual(["a", "b", "c"])
    expect(entries(Headers.remove(base, "ACCEPT"))).toEqual([["X", "1"]])
    expect(Headers.remove(base, "nope")).toBe(base)
    expect(Headers.remove(Headers.fromInput({ a: "1" }), "A")).toBe(Headers.empty)
  })

  it("setIfAbsent is hackney store_new: returns self when present", () => {
    expect(Headers.setIfAbsent(base, "x", "2")).toBe(base)
    expect(Headers.getOrUndefined(Headers.setIfAbsent(base, "y", "2"), "Y")).toBe("2")
  })

  it("merge keeps self's names and adds the names only `that` has", () => {
    const user = Headers.fromInput({ Accept: "text/html" })
    const merged = Headers.merge(user, { accept: "*/*", "user-agent": "hackney", "User-Agent": "dup" })
    expect(entries(merged)).toEqual([["Accept", "text/html"], ["user-agent", "hackney"], ["User-Agent", "dup"]])
    expect(Headers.merge(user, Headers.empty)).toBe(user)
    expect(Headers.merge(user, { accept: "x" })).toBe(user)
  })

  it("never joins Set-Cookie lines", () => {
    const h = Headers.fromRaw(["Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "Set-Cookie", "b=2"])
    expect(Headers.getAll(h, "set-cookie")).toHaveLength(2)
    expect(Headers.encode(h)).toEqual(
      Either.right("Set-Cookie: a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT\r\nSet-Cookie: b=2\r\n\r\n")
    )
  })
})

describe("Headers: redaction", () => {
  const h = Headers.fromInput({
    Authorization: "Basic c2VjcmV0",
    "Proxy-Authorization": "Basic cA==",
    Cookie: "sid=secret",
    "set-cookie": "sid=secret2",
    Accept: "*/*"
  })

  it("toJSON, toString and util.inspect hide credentials", () => {
    expect(h.toJSON()).toEqual({
      _id: "Headers",
      entries: [
        ["Authorization", "<redacted>"],
        ["Proxy-Authorization", "<redacted>"],
        ["Cookie", "<redacted>"],
        ["set-cookie", "<redacted>"],
        ["Accept", "*/*"]
      ]
    })
    for (const text of [String(h), inspect(h), JSON.stringify(h)]) {
      expect(text).not.toContain("secret")
      expect(text).not.toContain("c2VjcmV0")
      expect(text).toContain("*/*")
    }
    expect(Headers.getOrUndefined(h, "authorization")).toBe("Basic c2VjcmV0")
    expect(Headers.redactedNames.has("set-cookie")).toBe(true)
  })
})

describe("Headers: validation and the wire format", () => {
  it("isValidName accepts tokens only", () => {
    expect(Headers.isValidName("X-Request-Id")).toBe(true)
    expect(Headers.isValidName("!#$%&'*+-.^_`|~09azAZ")).toBe(true)
    for (const bad of ["", "a b", "a:b", "a\r", "a\n", "a\0", "é", "a(b)", "a\"", "a,b", "a/b", "a\t"]) {
      expect(Headers.isValidName(bad)).toBe(false)
    }
  })

  it("isValidValue refuses CR, LF, NUL, other controls, DEL and code points above 0xff", () => {
    expect(Headers.isValidValue("")).toBe(true)
    expect(Headers.isValidValue("text/html; q=0.9\t, caf\u00e9")).toBe(true)
    for (const bad of ["a\rb", "a\nb", "a\0b", "a\u0001", "a\u007f", "\u20ac"]) expect(Headers.isValidValue(bad)).toBe(false)
  })

  it("encode rejects a bad name with reason header-name", () => {
    for (const name of ["Bad Name", "X-Evil\r\nInjected", "nul\0", ""]) {
      const r = Headers.encode(Headers.fromRaw([name, "v"]))
      expect(Either.isLeft(r)).toBe(true)
      const e = Either.getLeft(r).pipe(Option.getOrThrow)
      expect(e).toBeInstanceOf(InvalidRequest)
      expect(e.reason).toBe("header-name")
    }
  })

  it("encode and validate reject CR, LF and NUL in values with reason header-value, never echoing the value", () => {
    for (const value of ["secret\r\nX-Injected: 1", "secret\nx", "secret\rx", "secret\0x"]) {
      const h = Headers.fromInput({ "X-Token": value })
      for (const r of [Headers.encode(h), Headers.validate(h)]) {
        const e = Either.getLeft(r as Either.Either<unknown, InvalidRequest>).pipe(Option.getOrThrow)
        expect(e.reason).toBe("header-value")
        expect(e.detail).toContain("X-Token")
        expect(e.detail).not.toContain("secret")
      }
    }
    expect(Either.isLeft(Headers.validateField("ok", "a\r\nb"))).toBe(true)
    expect(Either.isLeft(Headers.validateField("not ok", "a"))).toBe(true)
    expect(Either.isRight(Headers.validateField("ok", "a"))).toBe(true)
    const good = Headers.fromInput({ a: "1" })
    expect(Headers.validate(good)).toEqual(Either.right(good))
  })

  it("encode writes name: value lines and the blank line", () => {
    expect(Headers.encode(Headers.fromInput({ Host: "a.test", "X-N": 1 }))).toEqual(
      Either.right("Host: a.test\r\nX-N: 1\r\n\r\n")
    )
    expect(Headers.encode(Headers.empty)).toEqual(Either.right("\r\n"))
  })

  it("decode reads header sections and refuses malformed ones", () => {
    const h = Headers.decode("Host: a.test\r\nAccept:  */* \t\nX-Empty:\r\n\r\n").pipe(Option.getOrThrow)
    expect(entries(h)).toEqual([["Host", "a.test"], ["Accept", "*/*"], ["X-Empty", ""]])
    expect(Headers.decode("")).toEqual(Option.some(Headers.empty))
    expect(Option.isSome(Headers.decode("a: 1"))).toBe(true)
    for (
      const bad of [
        "NoColon\r\n",
        "Bad Name: x\r\n",
        "Host : x\r\n",
        ": x\r\n",
        "A: 1\r\n folded\r\n",
        "A: 1\r\n\r\nB: 2\r\n",
        "A: bad\0value\r\n",
        "A: x\ry\r\n"
      ]
    ) expect(Headers.decode(bad)).toEqual(Option.none())
  })

  const name = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/)
  const value = fc.stringMatching(/^([\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff\t]{0,30}[\x21-\x7e\x80-\xff])?)?$/)

  it("decode ∘ encode is the identity on valid headers", () => {
    fc.assert(fc.property(fc.array(fc.tuple(name, value), { maxLength: 30 }), (pairs) => {
      const h = Headers.fromInput(pairs)
      const wire = Headers.encode(h).pipe(Either.getOrThrow)
      const back = Headers.decode(wire).pipe(Option.getOrThrow)
      expect(Equal.equals(back, h)).toBe(true)
      expect(Headers.toEntries(back)).toEqual(pairs)
    }), { numRuns: 300 })
  })

  it("lookups agree between the scan and the index", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom("a", "B", "c", "Dd", "dD"), value), { maxLength: 40 }), (pairs) => {
      const h = Headers.fromInput(pairs)
      for (const key of ["A", "b", "C", "dd", "e"]) {
        const want = pairs.filter(([n]) => n.toLowerCase() === key.toLowerCase()).map(([, v]) => v)
        expect(Headers.getAll(h, key)).toEqual(want)
        expect(Headers.getOrUndefined(h, key)).toBe(want[0])
      }
    }), { numRuns: 200 })
  })
})

describe("Headers: media types", () => {
  it("parses type, subtype and parameters (hackney parse_content_type/1)", () => {
    expect(Headers.parseContentType("text/HTML; Charset=UTF-8")).toEqual(
      Option.some({ type: "text", subtype: "html", params: { charset: "utf-8" } })
    )
    expect(Headers.parseMediaType("text/HTML; Charset=UTF-8")).toEqual(
      Option.some({ type: "text", subtype: "html", params: { charset: "UTF-8" } })
    )
    expect(Headers.parseMediaType('multipart/form-data; boundary="a \\"b\\" \\\\c"; x=1;;  ; y=Z ')).toEqual(
      Option.some({ type: "multipart", subtype: "form-data", params: { boundary: 'a "b" \\c', x: "1", y: "Z" } })
    )
    expect(Headers.parseMediaType("application/json;a=1;A=2")).toEqual(
      Option.some({ type: "application", subtype: "json", params: { a: "1" } })
    )
    expect(Headers.parseMediaType("*")).toEqual(Option.some({ type: "*", subtype: "*", params: {} }))
    expect(Headers.parseMediaType("a/b; __proto__=x").pipe(Option.map((m) => m.params["__proto__"]))).toEqual(
      Option.some("x")
    )
    expect(Headers.contentType(Headers.fromInput({ "Content-Type": "Application/JSON" }))).toEqual(
      Option.some({ type: "application", subtype: "json", params: {} })
    )
    expect(Headers.contentType(Headers.empty)).toEqual(Option.none())
    expect(Headers.contentType(Headers.fromInput({ "Content-Type": "nonsense" }))).toEqual(Option.none())
  })

  it("refuses malformed media types", () => {
    for (
      const bad of [
        "",
        "text",
        "text/",
        "/html",
        "text /html",
        "text/html x",
        "text/html; charset",
        "text/html; charset=",
        "text/html; charset = utf-8",
        "text/html; a=\"unterminated",
        "text/html; a=\"bad\\\u0001\"",
        "text/html; a=\"ctl\u0001\"",
        "text/html; a=b c",
        "te(xt/html"
      ]
    ) expect(Headers.parseMediaType(bad)).toEqual(Option.none())
  })

  it("formatMediaType quotes when needed and refuses what cannot be written", () => {
    expect(Headers.formatMediaType({ type: "text", subtype: "plain", params: { charset: "utf-8", x: 'a "b"' } }))
      .toEqual(Either.right('text/plain; charset=utf-8; x="a \\"b\\""'))
    for (
      const bad of [
        { type: "te xt", subtype: "plain", params: {} },
        { type: "text", subtype: "", params: {} },
        { type: "text", subtype: "plain", params: { "a b": "1" } },
        { type: "text", subtype: "plain", params: { a: "\r\n" } }
      ]
    ) {
      const e = Headers.formatMediaType(bad).pipe(Either.getLeft, Option.getOrThrow)
      expect(e.reason).toBe("header-value")
    }
  })

  it("parseMediaType ∘ formatMediaType is the identity", () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9a-z]{1,10}$/)
    const pvalue = fc.stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,12}$/)
    fc.assert(fc.property(token, token, fc.dictionary(token, pvalue, { maxKeys: 4 }), (type, subtype, params) => {
      const mt = { type, subtype, params: { ...params } }
      const text = Headers.formatMediaType(mt).pipe(Either.getOrThrow)
      expect(Headers.parseMediaType(text)).toEqual(Option.some(mt))
    }), { numRuns: 300 })
  })
})
