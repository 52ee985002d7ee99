import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import { pathToFileURL } from "node:url"
import * as Cookie from "../src/Cookie.js"
import type { InvalidRequest } from "../src/HackneyError.js"
import * as Headers from "../src/Headers.js"
import { conformancePath } from "./support/conformance.js"

const parse = (s: string): Cookie.Cookie => Cookie.parseSetCookie(s).pipe(Option.getOrThrow)
const left = <A>(e: Either.Either<A, InvalidRequest>): InvalidRequest => Either.getLeft(e).pipe(Option.getOrThrow)
const plain = { secure: false, httpOnly: false, partitioned: false, extensions: [] }

describe("Cookie.parseSetCookie (RFC 6265 §5.2)", () => {
  it("reads name, value and every attribute", () => {
    expect(
      parse(
        "sid=abc; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600; Domain=.Example.COM; Path=/app; " +
          "Secure; HttpOnly; SameSite=lax; Partitioned; Priority=High; Flag"
      )
    ).toEqual({
      name: "sid",
      value: "abc",
      expires: new Date(Date.UTC(2015, 9, 21, 7, 28, 0)),
      maxAge: 3600,
      domain: "example.com",
      path: "/app",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      partitioned: true,
      extensions: [["Priority", "High"], ["Flag", ""]]
    })
    expect(parse("a=b")).toEqual({ name: "a", value: "b", ...plain })
  })

  it("trims SP/HTAB around name, value and attributes, keeps quotes and inner '='", () => {
    expect(parse("  A  = BC  ;foo;;;   bar")).toMatchObject({ name: "A", value: "BC", extensions: [["foo", ""], ["bar", ""]] })
    expect(parse("  A=== BC  ")).toMatchObject({ name: "A", value: "== BC" })
    expect(parse('aBc="zzz "   ;')).toMatchObject({ name: "aBc", value: '"zzz "' })
    expect(parse("x=")).toMatchObject({ name: "x", value: "" })
    expect(parse("\tn\t=\tv\t; PATH = /p ")).toMatchObject({ name: "n", value: "v", path: "/p" })
  })

  it("matches attribute names ignoring case", () => {
    expect(parse("a=b; seCURe; HTTPONLY; max-AGE=5; DOMAIN=x.test; pAtH=/; samesite=STRICT; PARTITIONED")).toMatchObject({
      secure: true,
      httpOnly: true,
      maxAge: 5,
      domain: "x.test",
      path: "/",
      sameSite: "Strict",
      partitioned: true
    })
  })

  it("Expires: read leniently; an unparsable date is ignored", () => {
    expect(parse("a=b; expires=Thu, 19/Apr\\2007 16:00:00 GMT").expires).toEqual(new Date(Date.UTC(2007, 3, 19, 16)))
    expect(parse("a=b; Expires=never").expires).toBeUndefined()
    expect(parse("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Expires=garbage").expires).toEqual(
      new Date(Date.UTC(2015, 9, 21, 7, 28))
    )
  })

  it("Max-Age: digits with an optional leading '-'; anything else is ignored", () => {
    expect(parse("a=b; Max-Age=0").maxAge).toBe(0)
    expect(parse("a=b; Max-Age=-20").maxAge).toBe(-20)
    expect(parse("a=b; Max-Age=-0").maxAge).toBe(0)
    expect(parse("a=b; Max-Age=99999999999999999999999").maxAge).toBe(Number.MAX_SAFE_INTEGER)
    for (const bad of ["", "abc", "1a", "+5", "-", "1.5", " 1 2"]) {
      expect(parse(`a=b; Max-Age=${bad}`).maxAge).toBeUndefined()
    }
    expect(parse("a=b; Max-Age=10; Max-Age=x").maxAge).toBe(10)
  })

  it("Domain: leading dot dropped, lower-cased; empty ignored; a bare dot clears", () => {
    expect(parse("a=b; Domain=..x.test").domain).toBe(".x.test")
    expect(parse("a=b; Domain=").domain).toBeUndefined()
    expect(parse("a=b; Domain=x.test; Domain=").domain).toBe("x.test")
    expect(parse("a=b; Domain=x.test; Domain=.").domain).toBeUndefined()
  })

  it("Path: only a value starting with '/' counts; another clears it (default path)", () => {
    expect(parse("a=b; Path=/x; Path=y").path).toBeUndefined()
    expect(parse("a=b; Path=").path).toBeUndefined()
    expect(parse("a=b; Path=y; Path=/z").path).toBe("/z")
  })

  it("SameSite: Strict/Lax/None in any case; another value leaves it absent and is kept as an extension", () => {
    expect(parse("a=b; SameSite=None").sameSite).toBe("None")
    const c = parse("a=b; SameSite=Lax; SameSite=bogus")
    expect(c.sameSite).toBeUndefined()
    expect(c.extensions).toEqual([["SameSite", "bogus"]])
  })

  it("ignores the line without '=', with an empty name, with CTLs, or too large", () => {
    for (const bad of ["foo", "", "   ", "=", "=ABC", " =x", "; a=b", '"BLA\\"HHH"; path=/;', "a=b\u0000c", "a=b\rc", "a=b\nc", "a=\u007f"]) {
      expect(Cookie.parseSetCookie(bad)).toEqual(Option.none())
    }
    expect(Option.isSome(Cookie.parseSetCookie("a=b\tc"))).toBe(true)
    expect(Option.isSome(Cookie.parseSetCookie(`a=${"x".repeat(4095)}`))).toBe(true)
    expect(Cookie.parseSetCookie(`a=${"x".repeat(4096)}`)).toEqual(Option.none())
    expect(Cookie.parseSetCookie(`a=${"é".repeat(2048)}`)).toEqual(Option.none()) // 4096 UTF-8 bytes + 1
    expect(parse(`a=b; Path=/${"p".repeat(1023)}`).path).toHaveLength(1024)
    expect(parse(`a=b; Path=/${"p".repeat(1024)}`).path).toBeUndefined()
  })

  it("parseSetCookies reads every Set-Cookie line of a Headers, in order", () => {
    const h = Headers.fromRaw(["Set-Cookie", "a=1", "Content-Type", "text/plain", "set-cookie", "junk", "SET-COOKIE", "b=2; Secure"])
    expect(Cookie.parseSetCookies(h).map((c) => [c.name, c.value, c.secure])).toEqual([["a", "1", false], ["b", "2", true]])
    expect(Cookie.parseSetCookies(Headers.empty)).toEqual([])
  })

  const root = conformancePath("salesforce-tough-cookie", "lib", "__tests__", "data", "parser.ts")
  it.skipIf(root === undefined)("finds every cookie tough-cookie's parser.ts cases expect to be sent (name and value)", async () => {
    const cases = (await import(pathToFileURL(root!).href)).default as ReadonlyArray<{
      test: string
      received: ReadonlyArray<string>
      sent: ReadonlyArray<{ name: string; value: string }>
    }>
    let checked = 0
    for (const c of cases) {
      if (c.test.startsWith("DISABLED_")) continue
      const parsed = c.received.flatMap((r) => Option.toArray(Cookie.parseSetCookie(r)))
      for (const s of c.sent) {
        expect(parsed.some((p) => p.name === s.name && p.value === s.value), `${c.test}: ${s.name}=${s.value}`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(100)
  })
})

describe("Cookie.parseCookieHeader (hackney parse_cookie/1)", () => {
  const ok = (s: string) => Cookie.parseCookieHeader(s).pipe(Option.getOrThrow)

  it("reads pairs, skips $-attributes and separators, flags names without '='", () => {
    expect(ok("name=value; name2=value2")).toEqual([["name", "value"], ["name2", "value2"]])
    expect(ok("$Version=1; Customer=WILE_E_COYOTE; $Path=/acme")).toEqual([["Customer", "WILE_E_COYOTE"]])
    expect(ok("foo=v;Path=/;Expires=Fri, 09-Jun-2017 09:32:51 GMT;Secure;HttpOnly")).toEqual([
      ["foo", "v"],
      ["Path", "/"],
      ["Expires", "Fri, 09-Jun-2017 09:32:51 GMT"],
      ["Secure", true],
      ["HttpOnly", true]
    ])
    expect(ok(" ,; a=\"quoted value\"  ;; , b= lead,comma ")).toEqual([["a", "\"quoted value\""], ["b", " lead,comma"]])
    expect(ok("x=")).toEqual([["x", ""]])
    expect(ok("")).toEqual([])
    expect(ok(" ; ,\t")).toEqual([])
  })

  it("refuses what hackney refuses", () => {
    for (const bad of ["=", "=x", "a=1; =2", "a b=c", "a\tb=c", "a,b=c", "a\r=b", "a\n=b", "a\u000b=b", "a\u000c=b", "a=b\tc", "a=b\rc", "a=b\nc", "a=\u000b", "a=\u000c", "flag other"]) {
      expect(Cookie.parseCookieHeader(bad)).toEqual(Option.none())
    }
  })
})

describe("Cookie.serializeCookieHeader", () => {
  it("joins pairs or a record with '; '", () => {
    expect(Cookie.serializeCookieHeader([["a", "1"], ["b", "x y"]])).toEqual(Either.right("a=1; b=x y"))
    expect(Cookie.serializeCookieHeader({ sid: "abc", theme: "\"dark\"" })).toEqual(Either.right("sid=abc; theme=\"dark\""))
    expect(Cookie.serializeCookieHeader([])).toEqual(Either.right(""))
    expect(Cookie.serializeCookieHeader([["", "nameless"], ["a", "1"]])).toEqual(Either.right("nameless; a=1"))
  })

  it("refuses '=' or ';' in a name, ';' in a value, and bytes no header may carry", () => {
    for (const pair of [["a=b", "1"], ["a;b", "1"], ["a", "1;2"], ["a\r\n", "1"], ["a", "1\r\nX: y"], ["a", "\u0000"], ["a", "\u20ac"]] as const) {
      const e = left(Cookie.serializeCookieHeader([pair]))
      expect(e._tag).toBe("InvalidRequest")
      expect(e.reason).toBe("header-value")
    }
  })

  it("parseCookieHeader ∘ serializeCookieHeader is the identity on token names and cookie-octet values", () => {
    const name = fc.stringMatching(/^[!#%&'*+\-.^_`|~0-9A-Za-z][!#$%&'*+\-.^_`|~0-9A-Za-z]{0,12}$/)
    const value = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,20}$/)
    fc.assert(fc.property(fc.array(fc.tuple(name, value), { maxLength: 10 }), (pairs) => {
      const header = Cookie.serializeCookieHeader(pairs).pipe(Either.getOrThrow)
      expect(Cookie.parseCookieHeader(header)).toEqual(Option.some(pairs))
    }), { numRuns: 300 })
  })
})

describe("Cookie.serializeSetCookie (hackney setcookie/3)", () => {
  it("writes the attributes in a fixed order", () => {
    expect(Cookie.serializeSetCookie("Customer", "WILE_E_COYOTE", { path: "/acme" })).toEqual(
      Either.right("Customer=WILE_E_COYOTE; Path=/acme")
    )
    expect(
      Cookie.serializeSetCookie("sid", "\"abc\"", {
        expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
        maxAge: 60,
        domain: ".example.com",
        path: "/",
        secure: true,
        httpOnly: true,
        sameSite: "None",
        partitioned: true
      })
    ).toEqual(
      Either.right(
        "sid=\"abc\"; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=60; Domain=.example.com; Path=/; Secure; HttpOnly; SameSite=None; Partitioned"
      )
    )
    expect(Cookie.serializeSetCookie("a", "")).toEqual(Either.right("a="))
    expect(Cookie.serializeSetCookie("a", "b", { secure: false, httpOnly: false, partitioned: false })).toEqual(Either.right("a=b"))
  })

  it("setcookie_max_age_test: maxAge 0 also writes a past Expires; a negative one is refused", () => {
    expect(Cookie.serializeSetCookie("a", "b", { maxAge: 0 })).toEqual(
      Either.right("a=b; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0")
    )
    expect(Cookie.serializeSetCookie("a", "b", { maxAge: 0, expires: 0 })).toEqual(
      Either.right("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0")
    )
    expect(Cookie.serializeSetCookie("a", "b", { maxAge: 3600 })).toEqual(Either.right("a=b; Max-Age=3600"))
    for (const maxAge of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(left(Cookie.serializeSetCookie("a", "b", { maxAge })).reason).toBe("option")
    }
  })

  it("setcookie_failures_test_: invalid names and values are refused, not crashed on", () => {
    for (const [name, value] of [["Na=me", "Value"], ["Name;", "Value"], ["\r\name", "Value"], ["Name", "Value;"], ["Name", "\\value"], ["Name", "\value\r\n"], ["", "v"], ["a b", "v"], ["a", "x y"], ["a", "a,b"], ["a", "\"unbalanced"], ["a", "é"]]) {
      const e = left(Cookie.serializeSetCookie(name, value))
      expect(e.reason).toBe("header-value")
    }
  })

  it("setcookie_domain_path_injection_test_ (GHSA-mp55): CR LF, ';' and spaces in Domain or Path are refused", () => {
    for (const domain of ["a.test\r\nSet-Cookie: x=1", "a.test; Secure", "a .test", "ex\u00e4mple.test", ""]) {
      expect(Either.isLeft(Cookie.serializeSetCookie("a", "b", { domain }))).toBe(true)
    }
    for (const path of ["/\r\nSet-Cookie: x=1", "/a;Secure", "/a b", "/\u0000", "/\u00e9"]) {
      expect(left(Cookie.serializeSetCookie("a", "b", { path })).reason).toBe("header-value")
    }
    expect(left(Cookie.serializeSetCookie("a", "b", { path: "relative" })).reason).toBe("option")
  })

  it("refuses an invalid expires or sameSite", () => {
    expect(left(Cookie.serializeSetCookie("a", "b", { expires: new Date(Number.NaN) })).reason).toBe("option")
    expect(left(Cookie.serializeSetCookie("a", "b", { expires: Date.UTC(10000, 0, 1) })).reason).toBe("option")
    expect(left(Cookie.serializeSetCookie("a", "b", { sameSite: "lax" as Cookie.SameSite })).reason).toBe("option")
  })

  it("parseSetCookie ∘ serializeSetCookie keeps everything", () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/)
    const value = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,20}$/)
    const options = fc.record({
      expires: fc.integer({ min: Date.UTC(1601, 0, 1) / 1000, max: Date.UTC(9999, 11, 31) / 1000 }).map((s) => new Date(s * 1000)),
      maxAge: fc.nat(),
      domain: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
      path: fc.stringMatching(/^\/[\x21-\x3a\x3c-\x7e]{0,20}$/),
      secure: fc.boolean(),
      httpOnly: fc.boolean(),
      sameSite: fc.constantFrom("Strict" as const, "Lax" as const, "None" as const),
      partitioned: fc.boolean()
    }, { requiredKeys: [] })
    fc.assert(fc.property(token, value, options, (name, v, o) => {
      const line = Cookie.serializeSetCookie(name, v, o).pipe(Either.getOrThrow)
      const c = parse(line)
      expect(c.name).toBe(name)
      expect(c.value).toBe(v)
      expect(c.maxAge).toBe(o.maxAge)
      expect(c.domain).toBe(o.domain)
      expect(c.path).toBe(o.path)
      expect(c.secure).toBe(o.secure === true)
      expect(c.httpOnly).toBe(o.httpOnly === true)
      expect(c.sameSite).toBe(o.sameSite)
      expect(c.partitioned).toBe(o.partitioned === true)
      expect(c.extensions).toEqual([])
      if (o.expires !== undefined) expect(c.expires).toEqual(o.expires)
      else if (o.maxAge === 0) expect(c.expires).toEqual(new Date(1000))
      else expect(c.expires).toBeUndefined()
    }), { numRuns: 300 })
  })
})
