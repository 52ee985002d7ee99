/**
 * CookieJar: RFC 6265 §5.3 storage and §5.4 matching on the pure API (time
 * as a parameter), then the client: the Layer, the per-request option,
 * cookies stored from every hop of a redirect chain, expiry on the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import type * as http from "node:http"
import { pathToFileURL } from "node:url"
import * as CookieJar from "../src/CookieJar.js"
import { Hackney, Pool } from "../src/index.js"
import type { Echo } from "./support/hackney.js"
import { conformancePath } from "./support/conformance.js"
import { rawValues } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

const T0 = Date.UTC(2030, 0, 1)
const names = (jar: CookieJar.CookieJar, url: string, now = T0) =>
  CookieJar.getCookiesAt(jar, url, now).map((c) => `${c.name}=${c.value}`)

describe("CookieJar: storage and matching", () => {
  it("host-only vs Domain cookies", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "host=1", "http://www.example.test/", T0)
    CookieJar.setCookieAt(jar, "dom=1; Domain=.Example.TEST", "http://www.example.test/", T0)
    expect(names(jar, "http://www.example.test/")).toEqual(["host=1", "dom=1"])
    expect(names(jar, "http://api.example.test/")).toEqual(["dom=1"])
    expect(names(jar, "http://example.test/")).toEqual(["dom=1"])
    expect(names(jar, "http://notexample.test/")).toEqual([])
    const [dom] = CookieJar.getCookiesAt(jar, "http://example.test/", T0)
    expect(dom.hostOnly).toBe(false)
    expect(dom.domain).toBe("example.test")
  })

  it("a Domain that does not cover the host, or is a public suffix, is refused", () => {
    const jar = CookieJar.make()
    expect(CookieJar.setCookieAt(jar, "a=1; Domain=other.test", "http://www.example.test/", T0)).toEqual(
      Either.left("domain-mismatch")
    )
    expect(CookieJar.setCookieAt(jar, "a=1; Domain=co.uk", "http://shop.co.uk/", T0)).toEqual(Either.left("public-suffix"))
    expect(CookieJar.setCookieAt(jar, "a=1; Domain=com", "http://example.com/", T0)).toEqual(Either.left("public-suffix"))
    // Private section of the list: github.io is a public suffix.
    expect(CookieJar.setCookieAt(jar, "a=1; Domain=github.io", "https://me.github.io/", T0)).toEqual(
      Either.left("public-suffix")
    )
    // The request host itself being a public suffix: stored host-only.
    const r = CookieJar.setCookieAt(jar, "a=1; Domain=github.io", "https://github.io/", T0)
    expect(Either.isRight(r) && r.right.hostOnly).toBe(true)
    expect(jar && names(jar, "https://me.github.io/")).toEqual([])
  })

  it("paths: default-path, path-match, longer paths first", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "root=1; Path=/", "http://a.test/x/y", T0)
    CookieJar.setCookieAt(jar, "def=1", "http://a.test/x/y", T0)
    CookieJar.setCookieAt(jar, "deep=1; Path=/x/y", "http://a.test/", T0)
    expect(names(jar, "http://a.test/x/y/z")).toEqual(["deep=1", "def=1", "root=1"])
    expect(names(jar, "http://a.test/x")).toEqual(["def=1", "root=1"])
    expect(names(jar, "http://a.test/xy")).toEqual(["root=1"])
  })

  it("Secure and HttpOnly; SameSite is recorded", () => {
    const jar = CookieJar.make()
    expect(CookieJar.setCookieAt(jar, "s=1; Secure", "http://a.test/", T0)).toEqual(Either.left("secure-from-insecure"))
    CookieJar.setCookieAt(jar, "s=1; Secure; SameSite=Strict", "https://a.test/", T0)
    CookieJar.setCookieAt(jar, "h=1; HttpOnly", "https://a.test/", T0)
    expect(names(jar, "http://a.test/")).toEqual(["h=1"])
    expect(names(jar, "https://a.test/")).toEqual(["s=1", "h=1"])
    expect(CookieJar.getCookiesAt(jar, "https://a.test/", T0)[0].sameSite).toBe("Strict")
    // A plain-HTTP origin cannot overwrite the Secure cookie; a non-HTTP API cannot set HttpOnly.
    expect(CookieJar.setCookieAt(jar, "s=2", "http://a.test/", T0)).toEqual(Either.left("secure-from-insecure"))
    expect(CookieJar.setCookieAt(jar, "x=1; HttpOnly", "https://a.test/", T0, { http: false })).toEqual(
      Either.left("http-only")
    )
  })

  it("__Secure- and __Host- prefixes", () => {
    const jar = CookieJar.make()
    expect(Either.isLeft(CookieJar.setCookieAt(jar, "__Secure-a=1", "https://a.test/", T0))).toBe(true)
    expect(Either.isRight(CookieJar.setCookieAt(jar, "__Secure-a=1; Secure", "https://a.test/", T0))).toBe(true)
    expect(Either.isLeft(CookieJar.setCookieAt(jar, "__Host-b=1; Secure; Domain=a.test; Path=/", "https://a.test/", T0)))
      .toBe(true)
    expect(Either.isRight(CookieJar.setCookieAt(jar, "__Host-b=1; Secure; Path=/", "https://a.test/", T0))).toBe(true)
  })

  it("Expires and Max-Age (Max-Age wins); 0 deletes; replacement keeps the creation time", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "e=1; Expires=Wed, 01 Jan 2031 00:00:00 GMT", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "m=1; Max-Age=60; Expires=Wed, 01 Jan 2020 00:00:00 GMT", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "s=1", "http://a.test/", T0)
    expect(names(jar, "http://a.test/")).toEqual(["e=1", "m=1", "s=1"])
    expect(names(jar, "http://a.test/", T0 + 61_000)).toEqual(["e=1", "s=1"])
    expect(names(jar, "http://a.test/", Date.UTC(2031, 0, 1))).toEqual(["s=1"])
    const jar2 = CookieJar.make()
    CookieJar.setCookieAt(jar2, "a=1", "http://a.test/", T0)
    CookieJar.setCookieAt(jar2, "a=2", "http://a.test/", T0 + 5)
    expect(CookieJar.getCookiesAt(jar2, "http://a.test/", T0 + 5).map((c) => [c.value, c.creation])).toEqual([["2", T0]])
    expect(CookieJar.setCookieAt(jar2, "a=3; Max-Age=0", "http://a.test/", T0 + 6)).toEqual(Either.left("expired"))
    expect(names(jar2, "http://a.test/")).toEqual([])
  })

  it("limits evict the least recently used cookies of a domain", () => {
    const jar = CookieJar.make({ maxPerDomain: 3 })
    for (let i = 0; i < 5; i++) CookieJar.setCookieAt(jar, `c${i}=1`, "http://a.test/", T0 + i)
    expect(names(jar, "http://a.test/", T0 + 10)).toEqual(["c2=1", "c3=1", "c4=1"])
  })

  it("cookieHeaderAt joins the pairs; unparsable URLs store nothing", () => {
    const jar = CookieJar.make()
    CookieJar.setCookieAt(jar, "a=1", "http://a.test/", T0)
    CookieJar.setCookieAt(jar, "b=2", "http://a.test/", T0)
    expect(CookieJar.cookieHeaderAt(jar, "http://a.test/", T0)).toEqual(Option.some("a=1; b=2"))
    expect(CookieJar.cookieHeaderAt(jar, "http://b.test/", T0)).toEqual(Option.none())
    expect(CookieJar.setCookieAt(jar, "a=1", "not a url", T0)).toEqual(Either.left("url"))
  })
})

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `cookie-test-${poolSeq++}` }))

/** `/set?c=...` sets the cookie; `/hop` sets `hop=1` and redirects to `/final`; anything else echoes. */
const cookieServer = () => {
  const handler: http.RequestListener = (req, res) => {
    req.resume()
    const u = new URL(req.url!, "http://x")
    if (u.pathname === "/set") {
      res.writeHead(200, { "set-cookie": u.searchParams.getAll("c"), "content-length": 0 })
      res.end()
    } else if (u.pathname === "/hop") {
      res.writeHead(302, { "set-cookie": "hop=1; Path=/", location: "/final", "content-length": 0 })
      res.end()
    } else {
      const out = JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: "" })
      res.writeHead(200, { "content-length": Buffer.byteLength(out) })
      res.end(out)
    }
  }
  return httpServer(handler)
}

const sentCookies = (res: Hackney.Response) => rawValues((res.json() as Echo).rawHeaders, "cookie")

describe("CookieJar: the http-state cases (tough-cookie's parser.ts, shared/conformance)", () => {
  const file = conformancePath("salesforce-tough-cookie", "lib", "__tests__", "data", "parser.ts")
  // Each case: the Set-Cookie lines received from http://home.example.org:8888/cookie-parser?<test>, and the
  // cookies (in order) sent to http://home.example.org:8888/cookie-parser-result?<test> (or its sent-to path).
  it.skipIf(file === undefined)("the jar sends exactly the cookies each case expects, in order", async () => {
    const cases = (await import(pathToFileURL(file!).href)).default as ReadonlyArray<{
      test: string
      received: ReadonlyArray<string>
      sent: ReadonlyArray<{ name: string; value: string }>
      "sent-to"?: string
    }>
    const now = Date.UTC(2020, 0, 1) // the cases' dates are in 2007 (past), 2027 and 9999 (future)
    let checked = 0
    for (const c of cases) {
      if (c.test.startsWith("DISABLED_")) continue
      const jar = CookieJar.make()
      for (const line of c.received) CookieJar.setCookieAt(jar, line, `http://home.example.org:8888/cookie-parser?${c.test}`, now)
      const to = new URL(c["sent-to"] ?? `/cookie-parser-result?${c.test}`, "http://home.example.org:8888/cookie-parser").href
      const sent = CookieJar.getCookiesAt(jar, to, now).map((k) => `${k.name}=${k.value}`)
      expect([c.test, sent]).toEqual([c.test, c.sent.map((k) => `${k.name}=${k.value}`)])
      checked++
    }
    expect(checked).toBeGreaterThan(150)
  })
})

describe("CookieJar: the client", () => {
  it.scoped("as a Layer: stored from responses, sent on later requests; expiry on the TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* cookieServer()
      const pool = yield* testPool
      yield* Hackney.get(`${srv.url}/set?c=${encodeURIComponent("a=1; Max-Age=10")}&c=b=2`, { pool })
      expect(sentCookies(yield* Hackney.get(`${srv.url}/echo`, { pool }))).toEqual(["a=1; b=2"])
      yield* TestClock.adjust("11 seconds")
      expect(sentCookies(yield* Hackney.get(`${srv.url}/echo`, { pool }))).toEqual(["b=2"])
      // cookieJar: false opts out.
      expect(sentCookies(yield* Hackney.get(`${srv.url}/echo`, { pool, cookieJar: false }))).toEqual([])
    }).pipe(Effect.provide(CookieJar.layer)))

  it.scoped("per request; cookies of every hop of a redirect chain are stored; the cookie option comes first", () =>
    Effect.gen(function*() {
      const srv = yield* cookieServer()
      const pool = yield* testPool
      const jar = CookieJar.make()
      const res = yield* Hackney.get(`${srv.url}/hop`, { pool, cookieJar: jar, followRedirect: true })
      // The redirect's Set-Cookie was stored before the next hop was sent.
      expect(sentCookies(res)).toEqual(["hop=1"])
      const both = yield* Hackney.get(`${srv.url}/echo`, { pool, cookieJar: jar, cookie: [["explicit", "x"]] })
      expect(sentCookies(both)).toEqual(["explicit=x; hop=1"])
      // Without a jar, nothing is stored.
      const none = yield* Hackney.get(`${srv.url}/hop`, { pool, followRedirect: true })
      expect(sentCookies(none)).toEqual([])
    }))
})
