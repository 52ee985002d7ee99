/**
 * The feature path (internal/client/dispatch.ts, pipeline.ts, middleware.ts)
 * through the whole client over in-memory connections
 * (test/support/memoryPool.ts): cookies, the attempt deadline, the retry
 * policy, decompression, progress, middleware, and the pipeline's checks.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schedule, Stream, TestClock } from "effect"
import { gzipSync } from "node:zlib"
import { CookieJar, Hackney, Headers } from "../src/index.js"
import type { Middleware } from "../src/index.js"
import { needsPipeline } from "../src/internal/client/pipeline.js"
import { direct } from "../src/internal/engine/source.js"
import { settle } from "./support/driver.js"
import type { MemoryRequest } from "./support/memoryPool.js"
import { memoryServer, reply, staleSecond } from "./support/memoryPool.js"

const bytes = (s: string) => new TextEncoder().encode(s)
const headerOf = (r: MemoryRequest, name: string) => r.headers.filter(([k]) => k === name).map(([, v]) => v)

describe("feature path: cookies", () => {
  it.scoped("the jar's cookies are sent after the option's and the header's, and Set-Cookie is stored", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => r.target === "/set" ? reply(200, "", [["set-cookie", "sid=1; Path=/"]]) : reply(200))
      const jar = CookieJar.make()
      yield* Hackney.get(`${s.url}/set`, { pool: s.pool, cookieJar: jar })
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool, cookieJar: jar })
      expect(headerOf(s.requests[1], "cookie")).toEqual(["sid=1"])
      yield* Hackney.get(`${s.url}/b`, { pool: s.pool, cookieJar: jar, cookie: "o=2" })
      expect(headerOf(s.requests[2], "cookie")).toEqual(["o=2; sid=1"])
      yield* Hackney.get(`${s.url}/c`, { pool: s.pool, cookieJar: jar, headers: { cookie: "h=3" } })
      expect(headerOf(s.requests[3], "cookie")).toEqual(["h=3; sid=1"])
      yield* Hackney.get(`${s.url}/d`, { pool: s.pool, cookie: "only=4" })
      expect(headerOf(s.requests[4], "cookie")).toEqual(["only=4"])
      yield* Hackney.get(`${s.url}/e`, { pool: s.pool, cookie: [["x", "1"], ["y", "2"]] })
      expect(headerOf(s.requests[5], "cookie")).toEqual(["x=1; y=2"])
      yield* Hackney.get(`${s.url}/f`, { pool: s.pool, followRedirect: true })
      expect(headerOf(s.requests[6], "cookie")).toEqual([])
    }))

  it.scoped("a cookie option that cannot be a Cookie header fails typed, naming it, before anything is sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      const e = yield* Effect.flip(Hackney.get(`${s.url}/x`, { pool: s.pool, cookie: [["a", "x;y\r\n"]] }))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: `${s.url}/x` })
      expect(e._tag === "InvalidRequest" && e.detail.startsWith("cookie: ")).toBe(true)
      expect(s.requests).toEqual([])
    }))

  it.scoped("a bad method or URL fails typed before anything is sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      expect(yield* Effect.flip(Hackney.request("GE T", `${s.url}/x`, { pool: s.pool, followRedirect: true }))).toMatchObject({ _tag: "InvalidRequest" })
      expect(yield* Effect.flip(Hackney.request("GET", 42 as never, { pool: s.pool, followRedirect: true }))).toMatchObject({ _tag: "InvalidRequest", method: "GET" })
      expect(s.requests).toEqual([])
      const res = yield* Hackney.request("delete", `${s.url}/x`, { pool: s.pool, followRedirect: true })
      expect(res.status).toBe(200)
      expect(s.requests[0].method).toBe("DELETE")
    }))
})

describe("feature path: attempt deadline and retry policy", () => {
  it.effect("attemptTimeout fails the attempt at its head with RequestTimeout naming the option", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const f = yield* Effect.fork(Hackney.get(`${s.url}/slow`, { pool: s.pool, attemptTimeout: 300, recvTimeout: Infinity }))
      yield* settle
      yield* TestClock.adjust(299)
      expect(f.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Effect.flip(Fiber.join(f))).toMatchObject({
        _tag: "RequestTimeout", option: "attemptTimeout", until: "head", timeoutMillis: 300, method: "GET", url: `${s.url}/slow`
      })
    }).pipe(Effect.scoped))

  it.scoped("retry: an idempotent request is retried on the default statuses; a POST only with retryNonIdempotent", () =>
    Effect.gen(function*() {
      let n = 0
      const s = yield* memoryServer(() => (++n % 2 === 1 ? reply(503, "busy") : reply(200, "ok")))
      const retry = Schedule.recurs(2)
      expect((yield* Hackney.get(`${s.url}/g`, { pool: s.pool, retry })).text()).toBe("ok")
      expect((yield* Hackney.post(`${s.url}/p`, { pool: s.pool, retry, body: "x" })).status).toBe(503)
      n = 0
      expect((yield* Hackney.post(`${s.url}/p`, { pool: s.pool, retry, body: "x", retryNonIdempotent: true })).text()).toBe("ok")
      // A Stream body is sent once only.
      n = 0
      const body = Stream.make(bytes("s"))
      expect((yield* Hackney.put(`${s.url}/s`, { pool: s.pool, retry, body })).status).toBe(503)
      expect(s.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
        "GET /g", "GET /g", "POST /p", "POST /p", "POST /p", "PUT /s"
      ])
    }))

  it.scoped("retry: retryStatuses replaces the default statuses", () =>
    Effect.gen(function*() {
      let n = 0
      const s = yield* memoryServer(() => (++n === 1 ? reply(418, "tea") : reply(200, "ok")))
      expect((yield* Hackney.get(`${s.url}/a`, { pool: s.pool, retry: Schedule.recurs(1), retryStatuses: [418] })).text()).toBe("ok")
      n = 1
      const s2 = yield* memoryServer(() => reply(503, "busy"))
      expect((yield* Hackney.get(`${s2.url}/b`, { pool: s2.pool, retry: Schedule.recurs(1), retryStatuses: [418] })).status).toBe(503)
      expect(s2.requests).toHaveLength(1)
    }))
})

describe("feature path: decompression", () => {
  it.scoped("asks for the encodings it decodes unless Accept-Encoding is given, and decodes without the coding headers", () =>
    Effect.gen(function*() {
      const gz = gzipSync(Buffer.from("hello hello hello")).toString("latin1")
      const s = yield* memoryServer(() => reply(200, gz, [["content-encoding", "gzip"]]))
      const res = yield* Hackney.get(`${s.url}/z`, { pool: s.pool, autoDecompress: true })
      expect(res.text()).toBe("hello hello hello")
      expect(res.header("content-encoding")).toBeUndefined()
      expect(res.header("content-length")).toBeUndefined()
      expect(headerOf(s.requests[0], "accept-encoding")[0]).toMatch(/gzip/)
      const own = yield* Hackney.get(`${s.url}/z`, { pool: s.pool, autoDecompress: true, headers: { "accept-encoding": "gzip" } })
      expect(own.text()).toBe("hello hello hello")
      expect(headerOf(s.requests[1], "accept-encoding")).toEqual(["gzip"])
      const streamed = yield* Hackney.stream("GET", `${s.url}/z`, { pool: s.pool, autoDecompress: true })
      expect(yield* streamed.text).toBe("hello hello hello")
      // maxBodySize bounds the decoded body.
      const e = yield* Effect.flip(Hackney.get(`${s.url}/z`, { pool: s.pool, autoDecompress: true, maxBodySize: 5 }))
      expect(e._tag).toBe("BodyTooLarge")
      // Without coding, the body and its headers are as sent.
      const s2 = yield* memoryServer(() => reply(200, "plain"))
      const plain = yield* Hackney.get(`${s2.url}/p`, { pool: s2.pool, autoDecompress: true })
      expect(plain.text()).toBe("plain")
      expect(plain.header("content-length")).toBe("5")
    }))
})

describe("feature path: progress", () => {
  it.scoped("uploadProgress of a body of bytes: one event once sent; of a Stream, per chunk", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "abcd"))
      const events: Array<string> = []
      const up = (p: { transferred: number; total?: number | undefined }) => Effect.sync(() => events.push(`${p.transferred}/${p.total}`))
      yield* Hackney.post(`${s.url}/u`, { pool: s.pool, body: "12345", uploadProgress: up })
      expect(events).toEqual(["5/5"])
      events.length = 0
      yield* Hackney.post(`${s.url}/u`, { pool: s.pool, body: Stream.concat(Stream.make(bytes("ab")), Stream.make(bytes("c"))), uploadProgress: up })
      expect(events).toEqual(["2/undefined", "3/undefined"])
      events.length = 0
      yield* Hackney.get(`${s.url}/d`, { pool: s.pool, downloadProgress: up })
      expect(events.at(-1)).toBe("4/4")
    }))

  it.scoped("open: each send counted with the Content-Length total; the response's body too", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "xyz", [["x", "y"]]))
      const events: Array<string> = []
      const on = (tag: string) => (p: { transferred: number; total?: number | undefined }) => Effect.sync(() => events.push(`${tag} ${p.transferred}/${p.total}`))
      const w = yield* Hackney.open("POST", `${s.url}/o`, { pool: s.pool, headers: { "content-length": "4" }, uploadProgress: on("up"), downloadProgress: on("down") })
      yield* w.send("hé")
      yield* w.send(bytes("!"))
      const res = yield* w.response
      expect(yield* res.text).toBe("xyz")
      expect(events).toEqual(["up 3/4", "up 4/4", "down 3/3"])
      events.length = 0
      const w2 = yield* Hackney.open("POST", `${s.url}/o`, { pool: s.pool, uploadProgress: on("up") })
      yield* w2.send("ab")
      expect(yield* (yield* w2.response).text).toBe("xyz")
      expect(events).toEqual(["up 2/undefined"])
    }))
})

describe("feature path: middleware", () => {
  it.scoped("sees the hop's method, URL and headers; may rewrite them; its response replaces the hop's", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `${r.method} ${r.target} ${headerOf(r, "x-m").join(",")}`, [["x-s", "1"]]))
      const seen: Array<string> = []
      const mw: Middleware.Middleware = (req, next) => {
        seen.push(`${req.method} ${req.url} ${Headers.getOrUndefined(req.headers, "x-in")}`)
        return Effect.map(next({ method: "patch", url: `${s.url}/rewritten`, headers: Headers.set(req.headers, "x-m", "yes") }), (r) => ({
          ...r,
          headers: Headers.set(r.headers, "x-added", "2"),
          body: Stream.map(r.body, (b) => bytes(new TextDecoder().decode(b).toUpperCase()))
        }))
      }
      const res = yield* Hackney.get(`${s.url}/orig`, { pool: s.pool, middleware: [mw], headers: { "x-in": "v" } })
      expect(seen).toEqual([`GET ${s.url}/orig v`])
      expect(res.text()).toBe("PATCH /REWRITTEN YES")
      expect(res.header("x-added")).toBe("2")
      // Unchanged when it returns next's response as is.
      const same: Middleware.Middleware = (req, next) => next(req)
      const plain = yield* Hackney.get(`${s.url}/p`, { pool: s.pool, middleware: [same] })
      expect(plain.text()).toBe("GET /p ")
      expect(plain.header("x-s")).toBe("1")
    }))

  it.scoped("the request's list replaces the pool's, outermost first", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const tag = (name: string): Middleware.Middleware => (req, next) =>
        Effect.sync(() => log.push(`${name} in`)).pipe(Effect.zipRight(next(req)), Effect.tap(() => log.push(`${name} out`)))
      const s = yield* memoryServer(() => reply(200), { features: { middleware: [tag("pool")] } })
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      expect(log).toEqual(["pool in", "pool out"])
      log.length = 0
      yield* Hackney.get(`${s.url}/b`, { pool: s.pool, middleware: [tag("outer"), tag("inner")] })
      expect(log).toEqual(["outer in", "inner in", "inner out", "outer out"])
      log.length = 0
      yield* Hackney.get(`${s.url}/c`, { pool: s.pool, middleware: [] })
      expect(log).toEqual([])
    }))

  it.scoped("misuse fails typed: a throw, a value that is not an Effect, a response without next", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "x"))
      const thrower: Middleware.Middleware = () => {
        throw new Error("oops")
      }
      const e1 = yield* Effect.flip(Hackney.get(`${s.url}/t`, { pool: s.pool, middleware: [thrower] }))
      expect(e1).toMatchObject({ _tag: "InvalidRequest", reason: "middleware", method: "GET", url: `${s.url}/t` })
      expect(e1._tag === "InvalidRequest" && e1.detail).toBe(
        "a middleware threw oops; return an Effect that fails with a HackneyError instead"
      )
      const e1b = yield* Effect.flip(Hackney.get(`${s.url}/t`, { pool: s.pool, middleware: [() => { throw "str" }] }))
      expect(e1b._tag === "InvalidRequest" && e1b.detail).toBe("a middleware threw str; return an Effect that fails with a HackneyError instead")
      const e2 = yield* Effect.flip(Hackney.get(`${s.url}/t`, { pool: s.pool, middleware: [(() => 42) as never] }))
      expect(e2._tag === "InvalidRequest" && e2.detail).toBe(
        "a middleware returned a value that is not an Effect; return next(request) or an Effect of a response"
      )
      const fake: Middleware.Middleware = (req) => Effect.succeed({ status: 200, reason: "OK", url: req.url, headers: Headers.empty, body: Stream.empty })
      const e3 = yield* Effect.flip(Hackney.get(`${s.url}/t`, { pool: s.pool, middleware: [fake] }))
      expect(e3._tag === "InvalidRequest" && e3.detail).toBe(
        "a middleware returned a response without calling next; build the response from next(request)"
      )
      expect(s.requests).toEqual([])
    }))

  it.scoped("next called twice drains the first response (one connection); a Stream body cannot be sent twice", () =>
    Effect.gen(function*() {
      let n = 0
      const s = yield* memoryServer((r): string => reply(200, `${r.target} #${++n}`))
      const twice: Middleware.Middleware = (req, next) => Effect.zipRight(next(req), next(req))
      const res = yield* Hackney.post(`${s.url}/t`, { pool: s.pool, middleware: [twice], body: "b" })
      expect(res.text()).toBe("/t #2")
      expect(s.peers).toHaveLength(1)
      const e = yield* Effect.flip(Hackney.post(`${s.url}/s`, { pool: s.pool, middleware: [twice], body: Stream.make(bytes("x")) }))
      expect(e).toMatchObject({
        _tag: "InvalidRequest",
        reason: "body",
        detail: "a middleware sent the request again, but its body is a Stream, which can be sent once only",
        method: "POST",
        url: `${s.url}/s`,
        requestSent: true
      })
    }))
})

describe("feature path: when it runs", () => {
  it("a jar, a feature option, the pool's middleware or a progress option", () => {
    expect(needsPipeline({}, CookieJar.make(), direct)).toBe(true)
    expect(needsPipeline({ uploadProgress: () => Effect.void }, undefined, direct)).toBe(true)
    expect(needsPipeline({ downloadProgress: () => Effect.void }, undefined, direct)).toBe(true)
    expect(needsPipeline({ middleware: [] }, undefined, direct)).toBe(true)
    expect(needsPipeline({ followRedirect: false, autoDecompress: false }, undefined, direct)).toBe(false)
    expect(needsPipeline({}, undefined, { ...direct, features: { metrics: true } })).toBe(false)
  })
})

describe("feature path: hops", () => {
  it.scoped("redirects are recorded on one-shot and streaming responses; basicAuth and the body go with each hop", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) =>
        r.target === "/r" ? reply(307, "", [["location", "/final"]]) : reply(200, `${r.target} ${headerOf(r, "authorization").join()} ${r.body}`)
      )
      const res = yield* Hackney.post(`${s.url}/r`, { pool: s.pool, followRedirect: true, basicAuth: ["u", "p"], body: "b" })
      expect(res.text()).toBe(`/final Basic ${Buffer.from("u:p").toString("base64")} b`)
      expect(res.redirects).toEqual([{ status: 307, url: `${s.url}/r`, location: `${s.url}/final` }])
      expect(res.url).toBe(`${s.url}/final`)
      const streamed = yield* Hackney.stream("GET", `${s.url}/r`, { pool: s.pool, followRedirect: true })
      expect(streamed.redirects.map((r) => r.status)).toEqual([307])
      expect(streamed.url).toBe(`${s.url}/final`)
      expect(yield* streamed.text).toBe("/final  ")
      // The intermediate hop's connection was given back: one connection for all.
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("the stale keep-alive race is resent on a fresh connection on this path too", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool, followRedirect: true })
      const res = yield* Hackney.get(`${s.url}/b`, { pool: s.pool, followRedirect: true })
      expect(res.text()).toBe("/b on 2")
    }))

  it.scoped("retry drains the response it discards: one connection", () =>
    Effect.gen(function*() {
      let n = 0
      const s = yield* memoryServer(() => (++n === 1 ? reply(503, "busy busy") : reply(200, "ok")))
      expect((yield* Hackney.get(`${s.url}/a`, { pool: s.pool, retry: Schedule.recurs(1) })).text()).toBe("ok")
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("with autoDecompress, maxBodySize bounds the decoded body, not the encoded one", () =>
    Effect.gen(function*() {
      const text = "hello hello hello"
      const gz = gzipSync(Buffer.from(text)).toString("latin1")
      expect(gz.length).toBeGreaterThan(20)
      const s = yield* memoryServer(() => reply(200, gz, [["content-encoding", "gzip"]]))
      const res = yield* Hackney.get(`${s.url}/z`, { pool: s.pool, autoDecompress: true, maxBodySize: 20 })
      expect(res.text()).toBe(text)
      // Without decoding, the raw body counts.
      const e = yield* Effect.flip(Hackney.get(`${s.url}/z`, { pool: s.pool, followRedirect: true, maxBodySize: 20 }))
      expect(e._tag).toBe("BodyTooLarge")
    }))
})
