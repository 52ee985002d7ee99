/**
 * Hackney.ts's own logic, without a socket (the whole client over
 * test/support/memoryPool.ts): each verb's method, the bare path and the
 * observed one, bad options and bad URLs failing typed with the method and
 * URL, what `open` and `connect` refuse before any I/O, `open`'s
 * shorthands and progress, and the layers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Fiber, Layer, RuntimeFlags, RuntimeFlagsPatch, Schedule, Supervisor, TestClock } from "effect"
import { Hackney, Pool } from "../src/index.js"
import type { HackneyError } from "../src/HackneyError.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import type { MemoryRequest } from "./support/memoryPool.js"
import { recordingTracer } from "./support/tracer.js"

/** Answers each request with its method, target and body. */
const echo = () => (r: MemoryRequest) => reply(200, `${r.method} ${r.target} ${r.body}`)

const summary = (e: HackneyError) => {
  const x = e as unknown as { _tag: string; reason?: string; method?: string; url?: string; detail?: string }
  return { _tag: x._tag, reason: x.reason, method: x.method, url: x.url }
}

describe("the verbs", () => {
  it.scoped("each verb sends its own method, as request and stream do with theirs", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const o = { pool: s.pool }
      const sent = [
        yield* Hackney.get(`${s.url}/get`, o),
        yield* Hackney.head(`${s.url}/head`, o),
        yield* Hackney.post(`${s.url}/post`, { ...o, body: "b" }),
        yield* Hackney.put(`${s.url}/put`, o),
        yield* Hackney.patch(`${s.url}/patch`, o),
        yield* Hackney.delete(`${s.url}/delete`, o),
        yield* Hackney.options(`${s.url}/options`, o),
        yield* Hackney.trace(`${s.url}/trace`, o),
        yield* Hackney.query(`${s.url}/query`, o),
        yield* Hackney.request("PROPFIND", `${s.url}/request`, o)
      ]
      expect(sent.map((r) => r.status)).toEqual(Array(10).fill(200))
      expect(s.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
        "GET /get", "HEAD /head", "POST /post", "PUT /put", "PATCH /patch", "DELETE /delete", "OPTIONS /options", "TRACE /trace",
        "QUERY /query", "PROPFIND /request"
      ])
      expect(sent[2].text()).toBe("POST /post b")
      const streamed = yield* Hackney.stream("MKCOL", `${s.url}/stream`, o)
      expect(yield* streamed.text).toBe("MKCOL /stream ")
    }))

  it.scoped("without options a request goes to the pool in context", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const res = yield* Effect.provide(Hackney.get(`${s.url}/ctx`), Layer.succeed(Pool.Pool, s.pool))
      expect(res.text()).toBe("GET /ctx ")
      const st = yield* Effect.provide(Hackney.stream("GET", `${s.url}/ctx2`), Layer.succeed(Pool.Pool, s.pool))
      expect(yield* st.text).toBe("GET /ctx2 ")
    }))
})

describe("bad options and URLs fail typed, naming the method and URL, before any I/O", () => {
  it.scoped("request, stream and open: a bad option; a bad URL or method", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const url = `${s.url}/x`
      const bad = { pool: s.pool, recvTimeout: -1 }
      expect(summary(yield* Effect.flip(Hackney.request("PUT", url, bad)))).toEqual({ _tag: "InvalidRequest", reason: "option", method: "PUT", url })
      expect(summary(yield* Effect.flip(Hackney.get(url, bad)))).toEqual({ _tag: "InvalidRequest", reason: "option", method: "GET", url })
      expect(summary(yield* Effect.flip(Hackney.stream("POST", url, bad)))).toEqual({ _tag: "InvalidRequest", reason: "option", method: "POST", url })
      expect(summary(yield* Effect.flip(Hackney.open("PATCH", url, bad)))).toEqual({ _tag: "InvalidRequest", reason: "option", method: "PATCH", url })
      expect((yield* Effect.flip(Hackney.request("G T", url, { pool: s.pool })))._tag).toBe("InvalidRequest")
      expect((yield* Effect.flip(Hackney.stream("G T", url, { pool: s.pool })))._tag).toBe("InvalidRequest")
      expect((yield* Effect.flip(Hackney.open("G T", url, { pool: s.pool })))._tag).toBe("InvalidRequest")
      expect(yield* Effect.flip(Hackney.get("ftp://memory.test/", { pool: s.pool }))).toMatchObject({ _tag: "InvalidRequest", reason: "scheme" })
      expect(yield* Effect.flip(Hackney.stream("GET", "http://[bad/", { pool: s.pool }))).toMatchObject({ _tag: "InvalidRequest", reason: "url" })
      expect(yield* Effect.flip(Hackney.open("GET", "http://[bad/", { pool: s.pool }))).toMatchObject({ _tag: "InvalidRequest", reason: "url" })
      expect(s.requests).toEqual([])
      expect(s.peers).toEqual([])
    }))

  it.effect("connect: a bad target, a bad option, per-request options, attemptTimeout, a feature, a URL it cannot dial", () =>
    Effect.gen(function*() {
      const url = "http://never.test:81/"
      const flip = (e: Effect.Effect<unknown, HackneyError, never>) => Effect.map(Effect.flip(e), summary)
      const connect = (...a: Parameters<typeof Hackney.connect>) => flip(Effect.scoped(Hackney.connect(...a)))
      expect(yield* connect(42 as never)).toMatchObject({ _tag: "InvalidRequest", reason: "url", method: "CONNECT" })
      expect(yield* connect(url, { recvTimeout: -1 })).toEqual({ _tag: "InvalidRequest", reason: "option", method: "CONNECT", url })
      expect(yield* connect(url, { query: { a: 1 } } as never)).toEqual({ _tag: "InvalidRequest", reason: "option", method: "CONNECT", url })
      expect(yield* connect(url, { json: 1 } as never)).toEqual({ _tag: "InvalidRequest", reason: "option", method: "CONNECT", url })
      expect(yield* connect(url, { attemptTimeout: 5 } as never)).toEqual({ _tag: "InvalidRequest", reason: "option", method: "CONNECT", url })
      const feature = yield* Effect.flip(Effect.scoped(Hackney.connect(url, { retry: Schedule.recurs(1) } as never)))
      expect(summary(feature)).toEqual({ _tag: "InvalidRequest", reason: "option", method: "CONNECT", url })
      expect((feature as { detail: string }).detail).toMatch(/^Hackney\.connect does not run the retry option/)
      const details = [
        (yield* Effect.flip(Effect.scoped(Hackney.connect(url, { query: { a: 1 } } as never)))) as { detail: string },
        (yield* Effect.flip(Effect.scoped(Hackney.connect(url, { attemptTimeout: 5 } as never)))) as { detail: string }
      ].map((e) => e.detail)
      expect(details[0]).not.toBe(details[1])
      expect(yield* connect("ftp://never.test/")).toMatchObject({ _tag: "InvalidRequest", reason: "scheme", method: "CONNECT", url: "ftp://never.test/" })
    }))
})

describe("what open refuses and what it runs", () => {
  it.scoped("a bad option is reported before open's own refusals (json, attemptTimeout)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      for (const more of [{ json: 1 }, { attemptTimeout: 5 }]) {
        const e = yield* Effect.flip(Hackney.open("POST", `${s.url}/o`, { pool: s.pool, recvTimeout: -1, ...more } as never))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "POST" })
        expect((e as { detail: string }).detail).toMatch(/recvTimeout/)
      }
    }))

  it.scoped("json, attemptTimeout and the feature options fail typed, naming the method and URL; nothing is sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const url = `${s.url}/o`
      const refused = (options: object) => Effect.flip(Hackney.open("POST", url, { pool: s.pool, ...options } as never))
      const json = yield* refused({ json: { a: 1 } })
      const attempt = yield* refused({ attemptTimeout: 100 })
      const retry = yield* refused({ retry: Schedule.recurs(1) })
      for (const e of [json, attempt, retry]) expect(summary(e)).toMatchObject({ _tag: "InvalidRequest", method: "POST", url })
      const details = [json, attempt, retry].map((e) => (e as { detail: string }).detail)
      expect(new Set(details).size).toBe(3)
      expect(details[2]).toMatch(/^Hackney\.open does not run the retry option/)
      expect(s.requests).toEqual([])
    }))

  it.scoped("open sends to its pool, with its query shorthand, and reports upload progress", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const seen: Array<number> = []
      const w = yield* Hackney.open("PUT", `${s.url}/w`, {
        pool: s.pool,
        query: { a: "1" },
        uploadProgress: (p) => Effect.sync(() => seen.push(p.transferred))
      })
      yield* w.send("ab")
      yield* w.send("cde")
      const res = yield* w.response
      expect(res.status).toBe(200)
      expect(s.requests.map((r) => `${r.method} ${r.target} ${r.body}`)).toEqual(["PUT /w?a=1 abcde"])
      expect(seen).toEqual([2, 5])
    }))

  it.effect("open with Expect: 100-continue sends the body after continueTimeout on the Clock", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => (r.body === "" && r.headers.some(([k]) => k === "expect") ? undefined : reply(200, r.body)))
      const w = yield* Hackney.open("POST", `${s.url}/c`, {
        pool: s.pool,
        continueTimeout: 300,
        headers: { expect: "100-continue", "content-length": "2" }
      })
      const sent = yield* Effect.fork(w.send("hi"))
      yield* TestClock.adjust(299)
      expect(s.peers[0].written()).not.toContain("\r\n\r\nhi")
      yield* TestClock.adjust(1)
      yield* sent.await
      expect(s.peers[0].written()).toMatch(/\r\n\r\nhi$/)
    }).pipe(Effect.scoped))
})

describe("the timeout shorthand", () => {
  it.effect("bounds a request's whole response, a stream's head: the RequestTimeout says which", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const request = yield* Effect.fork(Hackney.get(`${s.url}/r`, { pool: s.pool, timeout: 100 }))
      const stream = yield* Effect.fork(Effect.scoped(Hackney.stream("GET", `${s.url}/s`, { pool: s.pool, timeout: 100 })))
      yield* TestClock.adjust(100)
      expect(yield* Effect.flip(Fiber.join(request))).toMatchObject({ _tag: "RequestTimeout", until: "response", timeoutMillis: 100, method: "GET" })
      expect(yield* Effect.flip(Fiber.join(stream))).toMatchObject({ _tag: "RequestTimeout", until: "head", timeoutMillis: 100, method: "GET" })
    }).pipe(Effect.scoped))
})

/** Counts the Effect operations fibers run (one `onEffect` per run-loop step). */
class OpCounter extends Supervisor.AbstractSupervisor<void> {
  ops = 0
  get value() {
    return Effect.void
  }
  override onEffect(): void {
    this.ops++
  }
}

describe("the observed path", () => {
  it.scoped("a stream without feature options takes the bare path: fewer Effect operations than the feature path's same exchange", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "hello"))
      const opsOf = (options: object) =>
        Effect.gen(function*() {
          const counter = new OpCounter()
          const text = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${s.url}/c`, { pool: s.pool, ...options }), (r) => r.text)).pipe(
            Effect.supervised(counter),
            Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
          )
          expect(text).toBe("hello")
          return counter.ops
        })
      yield* opsOf({})
      const bare = yield* opsOf({})
      const feature = yield* opsOf({ middleware: [] })
      expect(bare).toBeLessThan(feature)
    }))

  it.scoped("tracing: a request span per request and stream, on the bare path as with features", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      const { spans, tracer } = recordingTracer()
      yield* Hackney.get(`${s.url}/t`, { pool: s.pool, tracing: true }).pipe(Effect.withTracer(tracer))
      const st = yield* Hackney.stream("DELETE", `${s.url}/t`, { pool: s.pool, tracing: true }).pipe(Effect.withTracer(tracer))
      yield* st.text
      expect(spans.map((x) => x.name)).toEqual(expect.arrayContaining(["HTTP GET", "HTTP DELETE"]))
      const before = spans.length
      yield* Hackney.get(`${s.url}/t`, { pool: s.pool }).pipe(Effect.withTracer(tracer))
      expect(spans.length).toBe(before)
    }))

  it.scoped("a feature option takes the feature path: followRedirect follows, in request and stream", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => (r.target === "/from" ? reply(302, "", [["location", "/to"]]) : reply(200, `at ${r.target}`)))
      const res = yield* Hackney.get(`${s.url}/from`, { pool: s.pool, followRedirect: true })
      expect([res.status, res.text(), res.redirects.length]).toEqual([200, "at /to", 1])
      const st = yield* Hackney.stream("GET", `${s.url}/from`, { pool: s.pool, followRedirect: true })
      expect(yield* st.text).toBe("at /to")
      const plain = yield* Hackney.get(`${s.url}/from`, { pool: s.pool })
      expect(plain.status).toBe(302)
    }))

  it.scoped("the query shorthand in request and stream", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(echo())
      expect((yield* Hackney.get(`${s.url}/q`, { pool: s.pool, query: { a: "b c" } })).text()).toBe("GET /q?a=b+c ")
      const st = yield* Hackney.stream("GET", `${s.url}/q`, { pool: s.pool, query: [["x", 1]] })
      expect(yield* st.text).toBe("GET /q?x=1 ")
    }))
})

describe("the layers", () => {
  it.effect("Hackney.layer is a pool named \"default\"; layerConfig one from Config", () =>
    Effect.gen(function*() {
      const pool = yield* Effect.provide(Pool.Pool, Layer.fresh(Hackney.layer))
      expect(pool.name).toBe("default")
      expect(pool.config.maxPerHost).toBe(50)
      const config = Config.all({ name: Config.string("N"), maxPerHost: Config.integer("M") })
      const provider = ConfigProvider.fromMap(new Map([["N", "hk-config"], ["M", "6"]]))
      const fromConfig = yield* Effect.provide(Pool.Pool, Layer.fresh(Hackney.layerConfig(config))).pipe(Effect.withConfigProvider(provider))
      expect([fromConfig.name, fromConfig.config.maxPerHost]).toEqual(["hk-config", 6])
    }))
})

