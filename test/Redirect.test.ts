/**
 * Redirects against in-process servers: the 301/302/303/307/308 × GET/HEAD/
 * POST/PUT matrix, same and cross origin (two servers = two ports = two
 * origins), with and without `locationTrusted`, asserting what the next hop
 * received; Location forms; loops; drained intermediate bodies; stream mode.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import type * as http from "node:http"
import { Hackney, Pool } from "../src/index.js"
import type { Echo } from "./support/hackney.js"
import { rawValues, readBody } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `redirect-test-${poolSeq++}` }))

/**
 * Records every request; `/redirect?status=S&to=L` answers S with Location L
 * (and a small body, or `size` bytes); `/noloc` answers 302 without Location;
 * `/loop` redirects to itself; anything else echoes the request as JSON.
 */
const redirector = () => {
  const log: Array<Echo> = []
  const handler: http.RequestListener = (req, res) => {
    readBody(req).then((body) => {
      const u = new URL(req.url!, "http://x")
      log.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body: body.toString("utf8") })
      if (u.pathname === "/redirect") {
        const size = Number(u.searchParams.get("size") ?? "5")
        const extra = u.searchParams.get("cookie")
        res.writeHead(Number(u.searchParams.get("status")), {
          location: u.searchParams.get("to")!,
          "content-length": size,
          ...(extra !== null ? { "set-cookie": extra } : {})
        })
        // `pieces`: the body is written in that many parts, 1 ms apart (so the client reads it in parts).
        const pieces = Number(u.searchParams.get("pieces") ?? "1")
        const part = Math.ceil(size / pieces)
        const write = (from: number) => {
          if (from + part >= size) return void res.end(Buffer.alloc(size - from, 0x61))
          res.write(Buffer.alloc(part, 0x61))
          setTimeout(() => write(from + part), 1)
        }
        write(0)
      } else if (u.pathname === "/noloc") {
        res.writeHead(302, { "content-length": 2 })
        res.end("no")
      } else if (u.pathname === "/loop") {
        res.writeHead(302, { location: "/loop", "content-length": 0 })
        res.end()
      } else {
        const out = JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: body.toString() })
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) })
        res.end(req.method === "HEAD" ? undefined : out)
      }
    }, () => res.destroy())
  }
  return Effect.map(httpServer(handler), (srv) => ({ ...srv, log }))
}

const redirectUrl = (base: string, status: number, to: string, extra = "") =>
  `${base}/redirect?status=${status}&to=${encodeURIComponent(to)}${extra}`

const secretHeaders = {
  authorization: "Bearer secret",
  cookie: "session=1",
  "proxy-authorization": "Basic cHJveHk6cHc=",
  "x-custom": "kept"
}

describe("redirects: the matrix", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    for (const method of ["GET", "HEAD", "POST", "PUT"]) {
      it.scoped(`${status} ${method}: method, body and headers of the next hop`, () =>
        Effect.gen(function*() {
          const a = yield* redirector()
          const b = yield* redirector()
          const pool = yield* testPool
          const rewrites = status === 301 || status === 302 || status === 303
          const expectedMethod = rewrites ? (method === "HEAD" ? "HEAD" : "GET") : method
          const withBody = method === "POST" || method === "PUT"
          for (const cross of [false, true]) {
            for (const trusted of [false, true]) {
              const target = cross ? b : a
              target.log.length = 0
              const res = yield* Hackney.request(method, redirectUrl(a.url, status, `${target.url}/final?x=1`), {
                pool,
                followRedirect: true,
                locationTrusted: trusted,
                headers: secretHeaders,
                ...(withBody ? { body: "payload" } : {})
              })
              const what = `${status} ${method} cross=${cross} trusted=${trusted}`
              expect(res.status, what).toBe(200)
              expect(res.url, what).toBe(`${target.url}/final?x=1`)
              expect(res.redirects.map((r) => r.status), what).toEqual([status])
              const hop = target.log[target.log.length - 1]
              expect(hop.url, what).toBe("/final?x=1")
              expect(hop.method, what).toBe(expectedMethod)
              const keepsBody = withBody && !rewrites
              expect(hop.body, what).toBe(keepsBody ? "payload" : "")
              expect(rawValues(hop.rawHeaders, "content-type"), what).toEqual(
                keepsBody ? ["text/plain; charset=utf-8"] : []
              )
              expect(rawValues(hop.rawHeaders, "content-length"), what).toEqual(
                keepsBody ? ["7"] : expectedMethod === "POST" || expectedMethod === "PUT" ? ["0"] : []
              )
              const credentials = !cross || trusted
              expect(rawValues(hop.rawHeaders, "authorization"), what).toEqual(credentials ? ["Bearer secret"] : [])
              expect(rawValues(hop.rawHeaders, "cookie"), what).toEqual(credentials ? ["session=1"] : [])
              expect(rawValues(hop.rawHeaders, "proxy-authorization"), what).toEqual(
                credentials ? ["Basic cHJveHk6cHc="] : []
              )
              expect(rawValues(hop.rawHeaders, "x-custom"), what).toEqual(["kept"])
              expect(rawValues(hop.rawHeaders, "host"), what).toEqual([`127.0.0.1:${target.port}`])
            }
          }
        }))
    }
  }

  it.scoped("basicAuth, URL credentials and the cookie option: kept on the same origin, dropped across origins", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* redirector()
      const pool = yield* testPool
      const basic = `Basic ${Buffer.from("u:p").toString("base64")}`
      for (const cross of [false, true]) {
        const target = cross ? b : a
        // Absolute Location without userinfo: same-origin still carries the URL's credentials.
        const withUserinfo = redirectUrl(a.url.replace("http://", "http://u:p@"), 302, `${target.url}/final`)
        yield* Hackney.get(withUserinfo, { pool, followRedirect: true, cookie: [["k", "v"]] })
        const hop1 = target.log[target.log.length - 1]
        expect(rawValues(hop1.rawHeaders, "authorization")).toEqual(cross ? [] : [basic])
        expect(rawValues(hop1.rawHeaders, "cookie")).toEqual(cross ? [] : ["k=v"])
        yield* Hackney.get(redirectUrl(a.url, 307, `${target.url}/final`), {
          pool,
          followRedirect: true,
          basicAuth: ["u", "p"]
        })
        const hop2 = target.log[target.log.length - 1]
        expect(rawValues(hop2.rawHeaders, "authorization")).toEqual(cross ? [] : [basic])
      }
    }))
})

describe("redirects: Location forms and limits", () => {
  it.scoped("relative, absolute, protocol-relative and dot-segment Locations (RFC 3986 §5)", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* redirector()
      const pool = yield* testPool
      const cases: Array<[string, string, string]> = [
        ["final?q=1", a.url, "/final?q=1"],
        ["/x/y/../../final", a.url, "/final"],
        ["./a/./b/../final", a.url, "/a/final"],
        ["../../../final", a.url, "/final"],
        [`${b.url}/abs`, b.url, "/abs"],
        [`//127.0.0.1:${b.port}/proto-relative`, b.url, "/proto-relative"]
      ]
      for (const [location, origin, path] of cases) {
        const res = yield* Hackney.get(redirectUrl(a.url, 302, location), { pool, followRedirect: true })
        expect(res.url, location).toBe(`${origin}${path}`)
        expect((res.json() as Echo).url, location).toBe(path)
        expect(res.redirects[0].location, location).toBe(`${origin}${path}`)
      }
    }))

  it.scoped("a loop fails with TooManyRedirects carrying the chain", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const pool = yield* testPool
      const e = yield* Effect.flip(Hackney.get(`${a.url}/loop`, { pool, followRedirect: true, maxRedirect: 3 }))
      expect(e._tag).toBe("TooManyRedirects")
      if (e._tag !== "TooManyRedirects") return
      expect(e.max).toBe(3)
      expect(e.chain).toEqual(Array.from({ length: 5 }, () => `${a.url}/loop`))
      expect(a.log.length).toBe(4)
      // The default is 5.
      const d = yield* Effect.flip(Hackney.get(`${a.url}/loop`, { pool, followRedirect: true }))
      expect(d._tag === "TooManyRedirects" && d.max).toBe(5)
    }))

  it.scoped("without followRedirect (the default) the 3xx is the response; without Location too", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const pool = yield* testPool
      const res = yield* Hackney.get(redirectUrl(a.url, 301, "/final"), { pool })
      expect(res.status).toBe(301)
      expect(res.redirects).toEqual([])
      const noloc = yield* Hackney.get(`${a.url}/noloc`, { pool, followRedirect: true })
      expect(noloc.status).toBe(302)
      expect(noloc.text()).toBe("no")
    }))

  it.scoped("307 with a one-shot Stream body stops with InvalidRequest; 303 drops the Stream body", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const pool = yield* testPool
      const body = Stream.make(new TextEncoder().encode("streamed"))
      const e = yield* Effect.flip(Hackney.post(redirectUrl(a.url, 307, "/final"), { pool, followRedirect: true, body }))
      expect(e._tag).toBe("InvalidRequest")
      expect(e._tag === "InvalidRequest" && e.reason).toBe("body")
      expect(e.message).toMatch(/cannot be replayed/)
      const ok = yield* Hackney.post(redirectUrl(a.url, 303, "/final"), { pool, followRedirect: true, body })
      expect((ok.json() as Echo).method).toBe("GET")
    }))

  it.scoped("an intermediate body of up to 64 KiB is drained (connection reused); a larger one closes the connection", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const pool = yield* testPool
      // Exactly the drain limit, arriving in 64 parts of 1 KiB: read to its end, the connection is reused.
      yield* Hackney.get(redirectUrl(a.url, 302, "/final", `&size=${64 * 1024}&pieces=64`), { pool, followRedirect: true })
      expect(a.accepted()).toBe(1)
      // Far past it, in parts: the drain stops and the connection is closed; the next hop dials.
      yield* Hackney.get(redirectUrl(a.url, 302, "/final", "&size=1000000&pieces=16"), { pool, followRedirect: true })
      expect(a.accepted()).toBe(2)
    }))

  it.scoped("Hackney.stream follows redirects too and records the chain", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* redirector()
      const pool = yield* testPool
      const res = yield* Hackney.stream("POST", redirectUrl(a.url, 308, `${b.url}/final`), {
        pool,
        followRedirect: true,
        body: "again"
      })
      expect(res.status).toBe(200)
      expect(res.url).toBe(`${b.url}/final`)
      expect(res.redirects).toEqual([{ status: 308, url: redirectUrl(a.url, 308, `${b.url}/final`), location: `${b.url}/final` }])
      const echo = JSON.parse(yield* res.text) as Echo
      expect(echo.method).toBe("POST")
      expect(echo.body).toBe("again")
    }))

  it.scoped("a { file } body is replayed on 307", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const pool = yield* testPool
      const file = new URL("./fixtures/certs/ca.pem", import.meta.url).pathname
      const res = yield* Hackney.put(redirectUrl(a.url, 307, "/final"), { pool, followRedirect: true, body: { file } })
      expect((res.json() as Echo).body.startsWith("-----BEGIN CERTIFICATE-----")).toBe(true)
    }))
})
