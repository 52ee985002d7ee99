import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import * as fc from "fast-check"
import { InvalidRequest } from "../src/HackneyError.js"
import * as QueryString from "../src/QueryString.js"

describe("QueryString.decode", () => {
  it("keeps order and repeated keys; a bare key is true", () => {
    expect(QueryString.decode("a=1&flag&a=2")).toEqual(Either.right([["a", "1"], ["flag", true], ["a", "2"]]))
  })

  it("drops empty tokens and splits at the first =", () => {
    expect(QueryString.decode("")).toEqual(Either.right([]))
    expect(QueryString.decode("&a=b&&c&")).toEqual(Either.right([["a", "b"], ["c", true]]))
    expect(QueryString.decode("a=b=c")).toEqual(Either.right([["a", "b=c"]]))
    expect(QueryString.decode("a=&=b&=")).toEqual(Either.right([["a", ""], ["", "b"], ["", ""]]))
  })

  it("decodes + and %XX as UTF-8", () => {
    expect(QueryString.decode("q=caf%C3%A9+au+lait&k%2Bey=%26")).toEqual(
      Either.right([["q", "café au lait"], ["k+ey", "&"]])
    )
  })

  it("rejects an invalid escape in a key or a value, or skips it", () => {
    for (const input of ["a=100%", "a%zz=1", "k=%4", "%"]) {
      const result = QueryString.decode(input)
      if (Either.isRight(result)) throw new Error(`expected a Left for ${input}`)
      expect(result.left).toBeInstanceOf(InvalidRequest)
      expect(result.left.reason).toBe("url")
    }
    expect(QueryString.decode("a=100%&b%zz", "skip")).toEqual([["a", "100%"], ["b%zz", true]])
    expect(QueryString.decode("a=%FF", "skip")).toEqual([["a", "\ufffd"]])
  })
})

describe("QueryString.encode", () => {
  it("encodes pairs, records and iterables", () => {
    expect(QueryString.encode([["a", "b c"], ["flag", true], ["a", "é&="]])).toBe("a=b+c&flag&a=%C3%A9%26%3D")
    expect(QueryString.encode({ q: "x", tags: ["a", "b"], skip: undefined, on: true })).toBe("q=x&tags=a&tags=b&on")
    expect(QueryString.encode(new URLSearchParams([["a", "1"], ["b", "2"]]))).toBe("a=1&b=2")
    expect(QueryString.encode(new Map([["k", "v"]]))).toBe("k=v")
    expect(QueryString.encode([])).toBe("")
    expect(QueryString.encode({})).toBe("")
  })

  it("honours noplus and lower", () => {
    expect(QueryString.encode({ "a b": "é f" }, { noplus: true, lower: true })).toBe("a%20b=%c3%a9%20f")
  })
})

describe("getters", () => {
  it("get and getAll", () => {
    const qs: QueryString.QueryString = [["a", "1"], ["b", true], ["a", "2"]]
    expect(QueryString.get(qs, "a")).toEqual(Option.some("1"))
    expect(QueryString.get(qs, "b")).toEqual(Option.some(true))
    expect(QueryString.get(qs, "z")).toEqual(Option.none())
    expect(QueryString.getAll(qs, "a")).toEqual(["1", "2"])
    expect(QueryString.getAll(qs, "z")).toEqual([])
  })
})

describe("properties", () => {
  const pair: fc.Arbitrary<QueryString.Pair> = fc
    .tuple(fc.string({ unit: "grapheme" }), fc.oneof(fc.string({ unit: "grapheme" }), fc.constant(true as const)))
    .filter(([k, v]) => !(k === "" && v === true))

  it("decode ∘ encode is the identity on pairs", () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), fc.boolean(), (pairs, noplus, lower) => {
        expect(QueryString.decode(QueryString.encode(pairs, { noplus, lower }))).toEqual(Either.right(pairs))
      })
    )
  })

  it("decode never throws, skip or crash", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        QueryString.decode(s)
        expect(Array.isArray(QueryString.decode(s, "skip"))).toBe(true)
      })
    )
  })
})
