/**
 * The cookie jar's rules at their edges (RFC 6265 §5.1.3 domain-match,
 * §5.1.4 paths, §5.3 storage, §5.4 retrieval, RFC 6265bis Secure and
 * prefixes, eviction), on the pure API with time as a parameter.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import * as CookieJar from "../src/CookieJar.js"
import * as Headers from "../src/Headers.js"
import * as Url from "../src/Url.js"
import { defaultPath, domainMatch, isPublicSuffix, Jar, pathMatch } from "../src/internal/cookie/jar.js"

const T0 = Date.UTC(2030, 0, 1)
const pairs = (jar: CookieJar.CookieJar, url: string, now = T0) =>
  CookieJar.getCookiesAt(jar, url, now).map((c) => `${c.name}=${c.value}`)
const rejection = (r: Either.Either<CookieJar.StoredCookie, CookieJar.CookieRejection>) => (Either.isLeft(r) ? r.left : "stored")

describe("cookie matching rules", () => {
  it("domainMatch: the same host, or a subdomain at a dot boundary, never for an IP address", () => {
    expect(domainMatch("example.test", "example.test")).toBe(true)
    expect(domainMatch("a.example.test", "example.test")).toBe(true)
    expect(domainMatch("a.b.example.test", "example.test")).toBe(true)
    expect(domainMatch("aexample.test", "example.test")).toBe(false)
    expect(domainMatch("example.test", "a.example.test")).toBe(false)
    expect(domainMatch("xample.test", "example.test")).toBe(false)
    expect(domainMatch("1.2.3.4", "2.3.4")).toBe(false)
    expect(domainMatch("1.2.3.4", "1.2.3.4")).toBe(true)
    expect(domainMatch("[::1]", "::1]")).toBe(false)
  })

  it("defaultPath: the directory of the request path; / when it has none", () => {
    expect(["", "x", "/", "/a", "/a/b", "/a/b/", "//a"].map(defaultPath)).toEqual(["/", "/", "/", "/", "/a", "/a/b", "/"])
  })

  it("pathMatch: the same path, or a prefix ending at a / (the cookie's or the next request character)", () => {
    expect(pathMatch("/a", "/a")).toBe(true)
    expect(pathMatch("/a/b", "/a")).toBe(true)
    expect(pathMatch("/a/b", "/a/")).toBe(true)
    expect(pathMatch("/ab", "/a")).toBe(false)
    expect(pathMatch("/a", "/a/")).toBe(false)
    expect(pathMatch("/b/a", "/a")).toBe(false)
    expect(pathMatch("/anything", "/")).toBe(true)
  })

  it("isPublicSuffix: ICANN and private sections; a registrable domain or an IP is not one", () => {
    expect(["com", "co.uk", "github.io"].map(isPublicSuffix)).toEqual([true, true, true])
    expect(["example.com", "me.github.io", "127.0.0.1", "localhost.example"].map(isPublicSuffix)).toEqual([false, false, false, false])
  })
})

describe("cookie storage rules", () => {
  it("Max-Age: seconds from now; 0 and negative expire at once; it wins over Expires", () => {
    const jar = CookieJar.make()
    const r = CookieJar.setCookieAt(jar, "a=1; Max-Age=2", "http://a.test/", T0)
    expect(Either.isRight(r) && [r.right.expires, r.right.persistent]).toEqual([T0 + 2000, true])
    expect(pairs(jar, "http://a.test/", T0 + 1999)).toEqual(["a=1"])
    expect(pairs(jar, "http://a.test/", T0 + 2000)).toEqual([])
    expect(rejection(CookieJar.setCookieAt(jar, "b=1; Max-Age=0", "http://a.test/", T0))).toBe("expired")
    expect(rejection(CookieJar.setCookieAt(jar, "b=1; Max-Age=-5; Expires=Wed, 01 Jan 2031 00:00:00 GMT", "http://a.test/", T0))).toBe("expired")
    const session = CookieJar.setCookieAt(jar, "s=1", "http://a.test/", T0)
    expect(Either.isRight(session) && [session.right.expires, session.right.persistent]).toEqual([Infinity, false])
    // An Expires exactly now is expired; a millisecond later it is kept.
    expect(rejection(CookieJar.setCookieAt(jar, "e=1; Expires=Tue, 01 Jan 2030 00:00:00 GMT", "http://a.test/", T0))).toBe("expired")
    expect(rejection(CookieJar.setCookieAt(jar, "e=1; Expires=Tue, 01 Jan 2030 00:00:00 GMT", "http://a.test/", T0 - 1))).toBe("stored")
  })

  it("an expired Set-Cookie deletes the cookie it replaces", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "a=1; Path=/p", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "a=2", "http://a.test/", T0)
    expect(rejection(CookieJar.setCookieAt(jar, "a=x; Path=/p; Max-Age=0", "http://a.test/", T0))).toBe("expired")
    expect(pairs(jar, "http://a.test/p/q")).toEqual(["a=2"])
  })

  it("Domain: a trailing dot, an empty value after the dot, or another site are refused; a public suffix equal to the host is host-only", () => {
    const jar = CookieJar.make()
    expect(rejection(CookieJar.setCookieAt(jar, "a=1; Domain=a.test.", "http://a.test/", T0))).toBe("domain-mismatch")
    expect(rejection(CookieJar.setCookieAt(jar, "a=1; Domain=b.test", "http://a.test/", T0))).toBe("domain-mismatch")
    expect(rejection(CookieJar.setCookieAt(jar, "a=1; Domain=sub.a.test", "http://a.test/", T0))).toBe("domain-mismatch")
    const idn = CookieJar.setCookieAt(jar, "a=1; Domain=BÜCHER.example", "http://www.xn--bcher-kva.example/", T0)
    expect(Either.isRight(idn) && [idn.right.domain, idn.right.hostOnly]).toEqual(["xn--bcher-kva.example", false])
    const ps = CookieJar.setCookieAt(jar, "p=1; Domain=CO.UK", "http://co.uk/", T0)
    expect(Either.isRight(ps) && [ps.right.domain, ps.right.hostOnly]).toEqual(["co.uk", true])
    expect(pairs(jar, "http://shop.co.uk/")).toEqual([])
  })

  it("Secure and HttpOnly: who may set and overwrite them", () => {
    const jar = CookieJar.make()
    expect(rejection(CookieJar.setCookieAt(jar, "s=1; Secure", "wss://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "t=1; Secure; Path=/x", "https://a.test/", T0))).toBe("stored")
    // A plain origin cannot shadow a Secure cookie: same name, a domain either way, a path inside its path.
    expect(rejection(CookieJar.setCookieAt(jar, "s=2; Domain=a.test", "http://www.a.test/", T0))).toBe("secure-from-insecure")
    expect(rejection(CookieJar.setCookieAt(jar, "t=2; Path=/x/y", "http://a.test/", T0))).toBe("secure-from-insecure")
    // Outside the Secure cookie's path, or another name, or another site: allowed.
    expect(rejection(CookieJar.setCookieAt(jar, "t=2; Path=/y", "http://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "u=2", "http://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "s=2", "http://b.test/", T0))).toBe("stored")
    // A secure origin may overwrite it without Secure.
    expect(rejection(CookieJar.setCookieAt(jar, "s=3", "https://a.test/", T0))).toBe("stored")
    // HttpOnly: a non-HTTP API can neither set one nor overwrite one.
    CookieJar.setCookieAt(jar, "h=1; HttpOnly", "http://a.test/", T0)
    expect(rejection(CookieJar.setCookieAt(jar, "h=2", "http://a.test/", T0, { http: false }))).toBe("http-only")
    expect(pairs(jar, "http://a.test/")).toContain("h=1")
    expect(rejection(CookieJar.setCookieAt(jar, "n=2", "http://a.test/", T0, { http: false }))).toBe("stored")
  })

  it("prefixes, case-insensitive: __Secure- needs Secure from a secure origin; __Host- also host-only at path /", () => {
    const jar = CookieJar.make()
    expect(rejection(CookieJar.setCookieAt(jar, "__SECURE-a=1", "https://a.test/", T0))).toBe("prefix")
    expect(rejection(CookieJar.setCookieAt(jar, "__secure-a=1; Secure", "https://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "__host-b=1; Secure", "https://a.test/x/y", T0))).toBe("prefix")
    expect(rejection(CookieJar.setCookieAt(jar, "__Host-b=1; Secure; Path=/x", "https://a.test/", T0))).toBe("prefix")
    expect(rejection(CookieJar.setCookieAt(jar, "__Host-b=1; Path=/", "https://a.test/", T0))).toBe("prefix")
    expect(rejection(CookieJar.setCookieAt(jar, "__HOST-b=1; Secure; Path=/", "https://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "__Hostile=1", "http://a.test/", T0))).toBe("stored")
    expect(rejection(CookieJar.setCookieAt(jar, "__Secured=1", "http://a.test/", T0))).toBe("stored")
  })

  it("a replaced cookie keeps its creation time and its place among equal creation times", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "a=1", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "b=1", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "a=2", "http://a.test/", T0)
    expect(pairs(jar, "http://a.test/")).toEqual(["a=2", "b=1"])
    const [a] = CookieJar.getCookiesAt(jar, "http://a.test/", T0 + 7)
    expect([a.creation, a.lastAccess]).toEqual([T0, T0 + 7])
  })
})

describe("cookie retrieval and the jar's operations", () => {
  it("order: longer paths first, then older, then set first; lastAccess updated", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "late=1; Path=/", "http://a.test/", T0 + 5)
    CookieJar.setCookieAt(jar, "early=1; Path=/", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "same1=1; Path=/", "http://a.test/", T0 + 3)
    CookieJar.setCookieAt(jar, "same2=1; Path=/", "http://a.test/", T0 + 3)
    CookieJar.setCookieAt(jar, "deep=1; Path=/d", "http://a.test/", T0 + 9)
    expect(pairs(jar, "http://a.test/d/x", T0 + 10)).toEqual(["deep=1", "early=1", "same1=1", "same2=1", "late=1"])
    expect(CookieJar.cookiesAt(jar, T0 + 10).map((c) => c.lastAccess)).toEqual(Array(5).fill(T0 + 10))
  })

  it("Secure cookies go to https and wss only; an empty request path is /; a nameless cookie is sent as its value", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "s=1; Secure", "https://a.test/", T0)
    CookieJar.setCookieAt(jar, { name: "", value: "bare", secure: false, httpOnly: false, partitioned: false, extensions: [] }, "http://a.test/", T0)
    expect(pairs(jar, "wss://a.test/")).toEqual(["s=1", "=bare"])
    expect(pairs(jar, "ws://a.test/")).toEqual(["=bare"])
    expect(CookieJar.cookieHeaderAt(jar, "https://a.test", T0)).toEqual(Option.some("s=1; bare"))
    expect(CookieJar.cookieHeaderAt(jar, Url.unsafeParse("http://a.test/x"), T0)).toEqual(Option.some("bare"))
    // Host-only: exactly the host.
    expect(pairs(jar, "http://www.a.test/")).toEqual([])
  })

  it("HttpOnly cookies are left out for a non-HTTP reader", () => {
    const jar = new Jar()
    const target = { scheme: "http", host: "a.test", path: "/" }
    jar.set("h=1; HttpOnly", target, T0)
    jar.set("p=1", target, T0)
    expect(jar.get(target, T0, { http: false }).map((c) => c.name)).toEqual(["p"])
    expect(jar.get(target, T0).map((c) => c.name)).toEqual(["h", "p"])
    expect(jar.header(target, T0)).toBe("h=1; p=1")
    expect(jar.header({ ...target, host: "b.test" }, T0)).toBeUndefined()
  })

  it("expired cookies are dropped when read; size counts them until then", () => {
    const jar = new Jar()
    const target = { scheme: "http", host: "a.test", path: "/" }
    jar.set("a=1; Max-Age=1", target, T0)
    jar.set("b=1", target, T0)
    expect(jar.size).toBe(2)
    expect(jar.all(T0 + 999).map((c) => c.name)).toEqual(["a", "b"])
    expect(jar.all(T0 + 1000).map((c) => c.name)).toEqual(["b"])
    expect(jar.size).toBe(1)
    jar.set("c=1; Max-Age=1", target, T0)
    jar.removeExpired(T0 + 1000)
    expect(jar.size).toBe(1)
    jar.set("d=1; Max-Age=1", target, T0)
    expect(jar.get(target, T0 + 1000).map((c) => c.name)).toEqual(["b"])
    expect(jar.size).toBe(1)
  })

  it("clear: everything, or one stored domain exactly; removeSessionCookies keeps the persistent ones", () =>
    Effect.gen(function*() {
      const jar = CookieJar.make()
      CookieJar.setCookieAt(jar, "a=1", "http://a.test/", T0)
      CookieJar.setCookieAt(jar, "w=1", "http://www.a.test/", T0)
      CookieJar.setCookieAt(jar, "p=1; Max-Age=100", "http://b.test/", T0)
      CookieJar.setCookieAt(jar, "s=1", "http://b.test/", T0)
      yield* CookieJar.clear(jar, "a.test")
      expect(CookieJar.cookiesAt(jar, T0).map((c) => c.name)).toEqual(["w", "p", "s"])
      yield* CookieJar.removeSessionCookies(jar)
      expect(CookieJar.cookiesAt(jar, T0).map((c) => c.name)).toEqual(["p"])
      yield* CookieJar.clear(jar)
      expect(CookieJar.cookiesAt(jar, T0)).toEqual([])
    }).pipe(Effect.runSync))

  it("eviction: a domain over maxPerDomain loses its least recently used; the jar over maxTotal loses the least recently used of all; expired go first", () => {
    const jar = CookieJar.make({ maxPerDomain: 2, maxTotal: 3 })
    CookieJar.setCookieAt(jar, "a1=1", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "a2=1", "http://a.test/", T0 + 1)
    // Reading a1 makes a2 the least recently used.
    expect(pairs(jar, "http://a.test/", T0 + 2)).toEqual(["a1=1", "a2=1"])
    CookieJar.getCookiesAt(jar, "http://a.test/", T0 + 3)
    CookieJar.setCookieAt(jar, "b1=1", "http://b.test/", T0 + 4)
    // Exactly at the limits: nothing evicted.
    expect(CookieJar.cookiesAt(jar, T0 + 4).map((c) => c.name)).toEqual(["a1", "a2", "b1"])
    CookieJar.setCookieAt(jar, "b2=1", "http://b.test/", T0 + 5)
    // Over maxTotal: the oldest access of all goes (a1 and a2 were read at T0 + 3; a1 set first).
    expect(CookieJar.cookiesAt(jar, T0 + 5).map((c) => c.name)).toEqual(["a2", "b1", "b2"])
    CookieJar.setCookieAt(jar, "b3=1", "http://b.test/", T0 + 6)
    // Over maxPerDomain for b.test: b1 goes; the total is then 3 again.
    expect(CookieJar.cookiesAt(jar, T0 + 6).map((c) => c.name)).toEqual(["a2", "b2", "b3"])
    // An expired cookie is dropped before a live one.
    const j2 = CookieJar.make({ maxPerDomain: 2 })
    CookieJar.setCookieAt(j2, "x=1", "http://c.test/", T0)
    CookieJar.setCookieAt(j2, "short=1; Max-Age=1", "http://c.test/", T0 + 1)
    CookieJar.setCookieAt(j2, "y=1", "http://c.test/", T0 + 5000)
    expect(CookieJar.cookiesAt(j2, T0 + 5000).map((c) => c.name)).toEqual(["x", "y"])
  })

  it("make's defaults: 50 per domain, 3000 in all", () => {
    const jar = CookieJar.make()
    for (let i = 0; i < 51; i++) CookieJar.setCookieAt(jar, `c${i}=1`, "http://a.test/", T0 + i)
    expect(CookieJar.cookiesAt(jar, T0 + 100).length).toBe(50)
    expect(CookieJar.cookiesAt(jar, T0 + 100)[0].name).toBe("c1")
    expect((jar as unknown as Jar).limits).toEqual({ maxPerDomain: 50, maxTotal: 3000 })
    expect((CookieJar.make({ maxTotal: 7 }) as unknown as Jar).limits).toEqual({ maxPerDomain: 50, maxTotal: 7 })
  })

  it("setCookiesAt stores every Set-Cookie line it can and counts them; a bad URL stores nothing", () => {
    const jar = CookieJar.make()
    const headers = Headers.fromInput([["set-cookie", "a=1"], ["set-cookie", "bad"], ["set-cookie", "s=1; Secure"], ["set-cookie", "b=2"]])
    expect(CookieJar.setCookiesAt(jar, headers, "http://a.test/", T0)).toBe(2)
    expect(CookieJar.setCookiesAt(jar, headers, "::not a url", T0)).toBe(0)
    expect(CookieJar.getCookiesAt(jar, "::not a url", T0)).toEqual([])
    expect(CookieJar.cookieHeaderAt(jar, "::not a url", T0)).toEqual(Option.none())
    expect(pairs(jar, "HTTP://A.TEST/")).toEqual(["a=1", "b=2"])
    expect(CookieJar.isCookieJar(jar)).toBe(true)
    expect([null, {}, "jar", 5].map(CookieJar.isCookieJar)).toEqual([false, false, false, false])
  })

  it.effect("the Effect functions read the Clock", () =>
    Effect.gen(function*() {
      const jar = CookieJar.make()
      yield* TestClock.setTime(T0)
      expect(rejection(yield* CookieJar.setCookie(jar, "a=1; Max-Age=10", "http://a.test/"))).toBe("stored")
      expect(yield* CookieJar.setCookies(jar, Headers.fromInput({ "set-cookie": "b=1; Max-Age=20" }), "http://a.test/")).toBe(1)
      expect((yield* CookieJar.getCookies(jar, "http://a.test/")).map((c) => c.name)).toEqual(["a", "b"])
      yield* TestClock.adjust("10 seconds")
      expect(yield* CookieJar.cookieHeader(jar, "http://a.test/")).toEqual(Option.some("b=1"))
      expect((yield* CookieJar.cookies(jar)).map((c) => [c.name, c.expires])).toEqual([["b", T0 + 20_000]])
    }))
})
