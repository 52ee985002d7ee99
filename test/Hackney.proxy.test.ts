/**
 * Proxies through the client APIs: the `proxy`, `proxyAuth`, `noProxy`,
 * `socks5Resolve` and `proxyTls` options, the proxy environment read through
 * a ConfigProvider, pool keys that never mix proxied and direct connections,
 * and errors that never carry the credentials.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, TestClock } from "effect"
import type * as http from "node:http"
import { Hackney, HackneyClient, HackneyHttpClient, Pool } from "../src/index.js"
import { eventually } from "./support/hackney.js"
import { httpProxy, socks5Server } from "./support/proxies.js"
import { cert, httpServer, httpsServer } from "./support/servers.js"

const ca = { ca: cert("ca.pem") }
let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-proxy-${poolSeq++}` }))

/** An origin that records the headers it got and answers with its name. */
const origin = (secure: boolean) =>
  Effect.gen(function*() {
    const seen: Array<http.IncomingHttpHeaders> = []
    const handler: http.RequestListener = (req, res) => {
      seen.push(req.headers)
      res.end(`origin ${req.url}`)
    }
    const server = secure ? yield* httpsServer(handler) : yield* httpServer(handler)
    return { ...server, seen }
  })

const withEnv = (vars: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

describe("proxy option", () => {
  it.scoped("https target through an authenticating HTTP proxy: CONNECT with Proxy-Authorization, none at the origin", () =>
    Effect.gen(function*() {
      const o = yield* origin(true)
      const proxy = yield* httpProxy({ auth: "alice:s3cret" })
      const r = yield* Hackney.get(`https://localhost:${o.port}/a`, {
        pool: false,
        tls: ca,
        proxy: `http://alice:s3cret@127.0.0.1:${proxy.port}`
      })
      expect(r.text()).toBe("origin /a")
      expect(proxy.received.map((x) => x.method)).toEqual(["CONNECT"])
      expect(proxy.received[0]!.headers["proxy-authorization"]).toBe(`Basic ${Buffer.from("alice:s3cret").toString("base64")}`)
      expect(o.seen[0]!["proxy-authorization"]).toBeUndefined()
    }))

  it.scoped("an http target is forwarded in absolute-form with Proxy-Authorization on each request, over one pooled proxy connection", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const o = yield* origin(false)
      const proxy = yield* httpProxy({ auth: "bob:pw" })
      const options = { pool: pool.name, proxy: `http://127.0.0.1:${proxy.port}`, proxyAuth: ["bob", "pw"] as const }
      expect((yield* Hackney.get(`http://localhost:${o.port}/1?q=1`, options)).text()).toBe("origin /1?q=1")
      expect((yield* Hackney.post(`http://localhost:${o.port}/2`, { ...options, body: "hi" })).text()).toBe("origin /2")
      expect(proxy.received.map((x) => `${x.method} ${x.target}`)).toEqual([
        `GET http://localhost:${o.port}/1?q=1`,
        `POST http://localhost:${o.port}/2`
      ])
      const basic = `Basic ${Buffer.from("bob:pw").toString("base64")}`
      expect(proxy.received.map((x) => x.headers["proxy-authorization"])).toEqual([basic, basic])
      expect(proxy.received.map((x) => x.headers["host"])).toEqual([`localhost:${o.port}`, `localhost:${o.port}`])
      expect(proxy.accepted()).toBe(1)
      expect(o.seen.map((h) => [h["proxy-authorization"], h["via"]])).toEqual([[undefined, "1.1 test-proxy"], [undefined, "1.1 test-proxy"]])
    }))

  it.scoped("a 407 to an absolute-form request is a ProxyError, not a response", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const proxy = yield* httpProxy({ auth: "bob:pw" })
      const url = `http://localhost:${o.port}/`
      const e1 = yield* Effect.flip(Hackney.get(url, { pool: false, proxy: `http://127.0.0.1:${proxy.port}` }))
      expect(e1).toMatchObject({ _tag: "ProxyError", reason: "auth-required", status: 407, detail: `Basic realm="test"`, url })
      const e2 = yield* Effect.flip(Hackney.get(url, { pool: false, proxy: `http://bob:nope@127.0.0.1:${proxy.port}` }))
      expect(e2).toMatchObject({ _tag: "ProxyError", reason: "auth-failed", status: 407 })
      expect(e2.message).not.toContain("nope")
      expect(o.seen).toEqual([])
    }))

  it.scoped("a proxied connection is never shared with a direct one or another proxy's", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const o = yield* origin(false)
      const p1 = yield* httpProxy()
      const p2 = yield* httpProxy()
      const url = `http://localhost:${o.port}/`
      yield* Hackney.get(url, { pool: pool.name, proxy: false })
      yield* Hackney.get(url, { pool: pool.name, proxy: `http://127.0.0.1:${p1.port}` })
      yield* Hackney.get(url, { pool: pool.name, proxy: `http://127.0.0.1:${p2.port}` })
      yield* Hackney.get(url, { pool: pool.name, proxy: `http://u:x@127.0.0.1:${p2.port}` })
      yield* Hackney.get(url, { pool: pool.name, proxy: false })
      expect(o.accepted()).toBe(4)
      expect([p1.received.length, p2.received.length]).toEqual([1, 2])
    }))

  it.scoped("a 407 is a ProxyError (auth-required, challenge in detail), whose message has no credentials", () =>
    Effect.gen(function*() {
      const proxy = yield* httpProxy({ auth: "a:b" })
      const e1 = yield* Effect.flip(Hackney.get("https://localhost:1/", { pool: false, proxy: `http://127.0.0.1:${proxy.port}` }))
      expect(e1).toMatchObject({ _tag: "ProxyError", reason: "auth-required", status: 407, detail: `Basic realm="test"` })
      const e2 = yield* Effect.flip(
        Hackney.get("https://localhost:1/", { pool: false, proxy: `http://a:hunter2@127.0.0.1:${proxy.port}` })
      )
      expect(e2).toMatchObject({ _tag: "ProxyError", reason: "auth-failed", proxy: `http://127.0.0.1:${proxy.port}` })
      expect(e2.message).not.toContain("hunter2")
    }))

  it.scoped("SOCKS5 through Hackney.stream, Hackney.open and Hackney.connect", () =>
    Effect.gen(function*() {
      const o = yield* origin(true)
      const socks = yield* socks5Server({ auth: "u:p" })
      const options = { pool: false as const, tls: ca, proxy: `socks5://u:p@127.0.0.1:${socks.port}` }
      const s = yield* Hackney.stream("GET", `https://localhost:${o.port}/s`, options)
      expect(s.status).toBe(200)
      const w = yield* Hackney.open("GET", `https://localhost:${o.port}/o`, options)
      yield* w.finish
      expect((yield* w.response).status).toBe(200)
      const { pool: _, ...connectOptions } = options
      const conn = yield* Hackney.connect(`https://localhost:${o.port}`, connectOptions)
      const r = yield* conn.request({ method: "GET", path: "/c" })
      expect(r.text()).toBe("origin /c")
      expect(socks.received.map((x) => x.host)).toEqual(["localhost", "localhost", "localhost"])
      expect(o.seen.map((h) => h["proxy-authorization"])).toEqual([undefined, undefined, undefined])
    }))

  it.effect("option checks: a bad proxy URL, bad proxyAuth, bad socks5Resolve are InvalidRequest; credentials not echoed", () =>
    Effect.gen(function*() {
      const bad = [
        { proxy: "ftp://u:hunter2@p:1" },
        { proxy: "http://u:hunter2@p:1\r\n" },
        { proxy: 3128 },
        { proxyAuth: ["u", "hunter2\r\nX: 1"] },
        { proxyAuth: "u:p" },
        { socks5Resolve: "nearby" },
        { noProxy: 5 },
        { proxyTls: { minVersion: "TLSv9" } }
      ]
      for (const options of bad) {
        const e = yield* Effect.flip(Hackney.get("http://localhost:1/", { pool: false, ...(options as object) }))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
        expect(e.message).not.toContain("hunter2")
      }
    }))

  it.scoped("noProxy sends matching hosts direct", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const proxy = yield* httpProxy()
      const r = yield* Hackney.get(`http://localhost:${o.port}/`, { pool: false, proxy: `http://127.0.0.1:${proxy.port}`, noProxy: "localhost" })
      expect(r.status).toBe(200)
      expect(proxy.received).toEqual([])
    }))

  it.effect("a refused proxy: ProxyError connect-refused", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.get("http://localhost:1/", { pool: false, proxy: "http://127.0.0.1:1" }))
      expect(e).toMatchObject({ _tag: "ProxyError", reason: "connect-refused" })
    }))
})

describe("proxy environment", () => {
  it.scoped("HTTPS_PROXY from the ConfigProvider serves https targets; NO_PROXY and proxy: false go direct", () =>
    Effect.gen(function*() {
      const o = yield* origin(true)
      const proxy = yield* httpProxy()
      const env = withEnv({ HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: "direct.test" })
      const url = `https://localhost:${o.port}/e`
      expect((yield* env(Hackney.get(url, { pool: false, tls: ca }))).text()).toBe("origin /e")
      expect(proxy.received).toHaveLength(1)
      yield* env(Hackney.get(url, { pool: false, tls: ca, proxy: false }))
      yield* env(Hackney.get(url, { pool: false, tls: ca, noProxy: "localhost" }))
      expect(proxy.received).toHaveLength(1)
      // HTTPS_PROXY does not apply to http targets.
      const plain = yield* origin(false)
      yield* env(Hackney.get(`http://localhost:${plain.port}/`, { pool: false }))
      expect(proxy.received).toHaveLength(1)
    }))

  it.scoped("httpoxy: with REQUEST_METHOD set, HTTP_PROXY is ignored; http_proxy is used", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const proxy = yield* httpProxy()
      const url = `http://localhost:${o.port}/`
      yield* withEnv({ REQUEST_METHOD: "GET", HTTP_PROXY: `http://127.0.0.1:${proxy.port}` })(Hackney.get(url, { pool: false }))
      expect(proxy.received).toHaveLength(0)
      yield* withEnv({ REQUEST_METHOD: "GET", http_proxy: `http://127.0.0.1:${proxy.port}` })(Hackney.get(url, { pool: false }))
      expect(proxy.received).toHaveLength(1)
    }))

  it.scoped("a pooled request under an environment proxy is keyed apart from direct ones", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const o = yield* origin(false)
      const socks = yield* socks5Server()
      const url = `http://localhost:${o.port}/`
      yield* Hackney.get(url, { pool: pool.name })
      yield* withEnv({ ALL_PROXY: `socks5://127.0.0.1:${socks.port}` })(Hackney.get(url, { pool: pool.name }))
      yield* Hackney.get(url, { pool: pool.name })
      expect(socks.received).toHaveLength(1)
      expect(o.accepted()).toBe(2)
    }))

  it.effect("an unreadable proxy variable fails the request with InvalidRequest naming the variable", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(withEnv({ HTTP_PROXY: "gopher://p:1" })(Hackney.get("http://localhost:1/", { pool: false })))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect(e.message).toContain("HTTP_PROXY")
    }))
})

describe("redirects and interruption", () => {
  it.scoped("a redirect re-selects the proxy per hop: a hop to a NO_PROXY host goes direct", () =>
    Effect.gen(function*() {
      const b = yield* origin(false)
      const a = yield* httpServer((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.1:${b.port}/b` })
        res.end()
      })
      const proxy = yield* httpProxy({ auth: "u:p" })
      const env = withEnv({ HTTP_PROXY: `http://u:p@127.0.0.1:${proxy.port}`, NO_PROXY: "127.0.0.1" })
      const r = yield* env(Hackney.get(`http://localhost:${a.port}/a`, { pool: false, followRedirect: true }))
      expect(r.text()).toBe("origin /b")
      expect(proxy.received.map((x) => `${x.method} ${x.target}`)).toEqual([`GET http://localhost:${a.port}/a`])
      expect(proxy.received[0]!.headers["proxy-authorization"]).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`)
      expect(b.seen[0]!["proxy-authorization"]).toBeUndefined()
    }))

  it.scoped("a request interrupted while the proxy stalls its handshake leaves no socket open", () =>
    Effect.gen(function*() {
      const proxy = yield* httpProxy({ mode: "stall" })
      const fiber = yield* Effect.fork(Hackney.get("https://localhost:1/", { pool: false, proxy: `http://127.0.0.1:${proxy.port}` }))
      yield* eventually(() => proxy.received.length === 1)
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => proxy.sockets.size === 0)
    }))

  it.scoped("connectTimeout covers the proxy handshake (TestClock)", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const proxy = yield* socks5Server({ mode: "stall" })
      const fiber = yield* Effect.fork(
        Hackney.get("http://localhost:1/", { pool: pool.name, proxy: `socks5://127.0.0.1:${proxy.port}`, connectTimeout: 2000 })
      )
      yield* eventually(() => proxy.accepted() === 1)
      yield* TestClock.adjust("2 seconds")
      const e = yield* Effect.flip(Fiber.join(fiber))
      expect(e._tag).toBe("ConnectTimeout")
      yield* eventually(() => proxy.sockets.size === 0)
    }))
})

describe("HackneyClient", () => {
  it.scoped("proxy options as client defaults apply to its requests", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const socks = yield* socks5Server()
      const api = HackneyClient.make({ baseUrl: `http://localhost:${o.port}/`, pool: false, proxy: `socks5://127.0.0.1:${socks.port}` })
      expect((yield* api.get("x")).text()).toBe("origin /x")
      expect(socks.received.map((r) => r.port)).toEqual([o.port])
    }))
})

describe("HackneyHttpClient", () => {
  it.scoped("the proxy options reach the layer", () =>
    Effect.gen(function*() {
      const o = yield* origin(true)
      const proxy = yield* httpProxy({ auth: "c:d" })
      const options = { pool: false, tls: ca, proxy: `http://127.0.0.1:${proxy.port}`, proxyAuth: ["c", "d"] } as const
      const get = Effect.flatMap(HttpClient.get(`https://localhost:${o.port}/hc`), (r) => r.text)
      // Per request through the layer, and given to make.
      const viaLayer = yield* get.pipe(
        Effect.provideService(HackneyHttpClient.RequestOptions, options),
        Effect.provide(HackneyHttpClient.layer)
      )
      const viaMake = yield* get.pipe(Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make(options)))
      expect([viaLayer, viaMake]).toEqual(["origin /hc", "origin /hc"])
      expect(proxy.received).toHaveLength(2)
      expect(o.seen.map((h) => h["proxy-authorization"])).toEqual([undefined, undefined])
    }))
})

describe("Pool proxy default", () => {
  it.scoped("Pool.layer({ proxy }) sends the pool's requests through it, in place of the environment; a request's proxy: false wins", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const socks = yield* socks5Server()
      const envProxy = yield* httpProxy()
      const url = `http://localhost:${o.port}/p`
      const program = Effect.gen(function*() {
        yield* Hackney.get(url)
        yield* Hackney.get(url, { proxy: false })
        return yield* Pool.hostStats("default", "localhost", o.port)
      }).pipe(
        Effect.provide(Pool.layer({ proxy: `socks5://127.0.0.1:${socks.port}` })),
        withEnv({ HTTP_PROXY: `http://127.0.0.1:${envProxy.port}` })
      )
      const stats = yield* program
      // Both idle connections (proxied and direct) count for the origin.
      expect(stats).toMatchObject({ inUse: 0, free: 2 })
      expect(socks.received).toHaveLength(1)
      expect(envProxy.received).toEqual([])
      expect(o.accepted()).toBe(2)
    }))

  it.scoped("Pool.layer's proxyAuth and noProxy apply to its requests; a request's own option wins", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const proxy = yield* httpProxy({ auth: "carol:pw" })
      const direct = `http://localhost:${o.port}/direct`
      const viaIp = `http://127.0.0.1:${o.port}/proxied`
      const program = Effect.gen(function*() {
        // 127.0.0.1 is not in the pool's noProxy: through the proxy, with the pool's credentials.
        expect((yield* Hackney.get(viaIp)).text()).toBe("origin /proxied")
        // localhost is in the pool's noProxy: direct.
        expect((yield* Hackney.get(direct)).text()).toBe("origin /direct")
        // A request's own noProxy replaces the pool's: localhost goes through the proxy.
        expect((yield* Hackney.get(direct, { noProxy: "example.test" })).text()).toBe("origin /direct")
        // A request's own proxyAuth wins over the pool's: the proxy refuses it.
        return yield* Effect.flip(Hackney.get(viaIp, { proxyAuth: ["carol", "wrong"] }))
      }).pipe(
        Effect.provide(Pool.layer({ name: "proxy-defaults", proxy: `http://127.0.0.1:${proxy.port}`, proxyAuth: ["carol", "pw"], noProxy: "localhost" }))
      )
      const e = yield* program
      expect(e).toMatchObject({ _tag: "ProxyError", reason: "auth-failed" })
      const basic = `Basic ${Buffer.from("carol:pw").toString("base64")}`
      expect(proxy.received.map((x) => [x.target, x.headers["proxy-authorization"]])).toEqual([
        [viaIp, basic],
        [direct, basic],
        [viaIp, `Basic ${Buffer.from("carol:wrong").toString("base64")}`]
      ])
      expect(o.seen.every((h) => h["proxy-authorization"] === undefined)).toBe(true)
    }))

  it.scoped("Pool.layer's noProxy without a pool proxy applies to the environment's proxy", () =>
    Effect.gen(function*() {
      const o = yield* origin(false)
      const envProxy = yield* httpProxy()
      const program = Effect.gen(function*() {
        yield* Hackney.get(`http://localhost:${o.port}/a`)
        yield* Hackney.get(`http://127.0.0.1:${o.port}/b`)
      }).pipe(
        Effect.provide(Pool.layer({ name: "proxy-env-noproxy", noProxy: ["localhost"] })),
        withEnv({ HTTP_PROXY: `http://127.0.0.1:${envProxy.port}` })
      )
      yield* program
      expect(envProxy.received.map((x) => x.target)).toEqual([`http://127.0.0.1:${o.port}/b`])
    }))

  it.effect("Pool.make checks its proxy options: bad proxyAuth, noProxy, socks5Resolve, proxyTls are InvalidRequest (found: pool)", () =>
    Effect.gen(function*() {
      for (const bad of [{ proxyAuth: ["u"] }, { noProxy: 5 }, { socks5Resolve: "both" }, { proxyTls: "x" }, { proxyTls: { minVersion: "SSLv3" } }]) {
        const e = yield* Effect.flip(Effect.scoped(Pool.make({ name: "bad-proxy-options", ...(bad as object) })))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
      }
    }))

  it.effect("a bad pool proxy fails Pool.make with InvalidRequest (found: pool), credentials not echoed", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Effect.scoped(Pool.make({ name: "bad-proxy", proxy: "ftp://u:hunter2@p:1" })))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
      expect(e.message).not.toContain("hunter2")
    }))
})
