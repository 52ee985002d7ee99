/**
 * The request observation of client/observe.ts without a socket (the whole
 * client over ./support/memoryPool.ts): the feature path's request span and
 * metrics (sizes, 4xx, failures), the bare path's sizes, and which switches a
 * request gets from its own options and its pool's.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, Stream } from "effect"
import { Hackney, Observability } from "../src/index.js"
import { labels } from "../src/internal/observe/metrics.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import { recordingTracer } from "./support/tracer.js"

const m = Observability.metrics
/** The labels of a request that got a response (each test its own host, so the global metrics do not mix). */
const done = (host: string, status = 200, method = "GET") =>
  labels(
    ["http.request.method", "server.address", "server.port", "http.response.status_code", "network.protocol.version"],
    [method, host, 80, status, "1.1"]
  )
const failedWith = (host: string, tag: string, method = "GET") =>
  labels(["http.request.method", "server.address", "server.port", "error.type"], [method, host, 80, tag])
const active = (host: string, method = "GET") =>
  labels(["http.request.method", "server.address", "server.port"], [method, host, 80])
const streamBody = (text: string) => Stream.fromChunk(Chunk.of(new TextEncoder().encode(text)))

describe("feature-path request metrics", () => {
  it.scoped("record the request body's bytes (bytes, none, streamed) and the response body's bytes by status", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(r.target === "/gone" ? 404 : 200, "hello"))
      const host = "fp-sizes.test"
      const url = `http://${host}`
      yield* Hackney.request("POST", `${url}/a`, { body: "abc", pool: s.pool, metrics: true, followRedirect: true })
      yield* Hackney.get(`${url}/b`, { pool: s.pool, metrics: true, followRedirect: true })
      yield* Hackney.request("PUT", `${url}/c`, { pool: s.pool, metrics: true, followRedirect: true, body: streamBody("wxyz12") })
      const post = done(host, 200, "POST")
      expect(m.requestBodySize.unsafeValue(post).sum).toBe(3)
      expect(m.responseBodySize.unsafeValue(post).sum).toBe(5)
      expect(m.requestDuration.unsafeValue(post).count).toBe(1)
      expect(m.requestBodySize.unsafeValue(done(host)).sum).toBe(0)
      expect(m.requestBodySize.unsafeValue(done(host)).count).toBe(1)
      expect(m.requestBodySize.unsafeValue(done(host, 200, "PUT")).sum).toBe(6)
      const gone = yield* Hackney.get(`${url}/gone`, { pool: s.pool, metrics: true, followRedirect: true })
      expect(gone.status).toBe(404)
      expect(m.requestDuration.unsafeValue(done(host, 404)).count).toBe(1)
      expect(m.activeRequests.unsafeValue(active(host)).count).toBe(0)
    }))

  it.scoped("a failed request is recorded by its error's tag and is no longer active", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "NOT HTTP AT ALL\r\n\r\n")
      const host = "fp-fail.test"
      const e = yield* Effect.flip(Hackney.get(`http://${host}/`, { pool: s.pool, metrics: true, followRedirect: true }))
      expect(m.requestDuration.unsafeValue(failedWith(host, e._tag)).count).toBe(1)
      expect(m.requestDuration.unsafeValue(failedWith(host, "_OTHER")).count).toBe(0)
      expect(m.activeRequests.unsafeValue(active(host)).count).toBe(0)
    }))
})

describe("feature-path request span", () => {
  it.scoped("a 400 response ends the request span with error.type 400; a 399 has none; the attempt has its reuse", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(r.target === "/bad" ? 400 : 399, "x"))
      const { spans, tracer } = recordingTracer()
      const opts = { pool: s.pool, tracing: true, followRedirect: true } as const
      yield* Hackney.get(`${s.url}/bad`, opts).pipe(Effect.withTracer(tracer))
      yield* Hackney.get(`${s.url}/odd`, opts).pipe(Effect.withTracer(tracer))
      const requests = spans.filter((x) => x.name === "HTTP GET")
      expect(requests.map((x) => [x.attrs.get("http.response.status_code"), x.attrs.get("error.type")])).toEqual([
        [400, "400"],
        [399, undefined]
      ])
      // The request span of the feature path does not say reuse (its attempts do).
      expect(requests.map((x) => x.attrs.has("hackney.connection.reused"))).toEqual([false, false])
      const attempts = spans.filter((x) => x.name === "HTTP GET attempt")
      expect(attempts.map((x) => x.attrs.get("hackney.connection.reused"))).toEqual([false, true])
      expect(attempts.map((x) => x.attrs.get("network.protocol.version"))).toEqual(["1.1", "1.1"])
      for (const x of [...requests, ...attempts]) expect(x.ended !== undefined && Exit.isSuccess(x.ended)).toBe(true)
    }))

  it.scoped("a failed request ends its request and attempt spans with the failure and error.type its tag", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "NOT HTTP AT ALL\r\n\r\n")
      const { spans, tracer } = recordingTracer()
      const e = yield* Effect.flip(
        Hackney.get(`${s.url}/`, { pool: s.pool, tracing: true, followRedirect: true }).pipe(Effect.withTracer(tracer))
      )
      const request = spans.find((x) => x.name === "HTTP GET")!
      const attempt = spans.find((x) => x.name === "HTTP GET attempt")!
      for (const x of [request, attempt]) {
        expect(x.attrs.get("error.type")).toBe(e._tag)
        expect(x.ended !== undefined && Exit.isFailure(x.ended)).toBe(true)
        expect(x.attrs.has("http.response.status_code")).toBe(false)
      }
      expect(Option.getOrThrow(attempt.parent).spanId).toBe(request.spanId)
    }))
})

describe("bare-path sizes", () => {
  it.scoped("one-shot and streaming requests record their request and response body bytes", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "hello!"))
      const host = "bare-sizes.test"
      const url = `http://${host}`
      yield* Hackney.request("POST", `${url}/a`, { body: "abcd", pool: s.pool, metrics: true })
      const post = done(host, 200, "POST")
      expect(m.requestBodySize.unsafeValue(post).sum).toBe(4)
      expect(m.responseBodySize.unsafeValue(post).sum).toBe(6)
      yield* Effect.scoped(Effect.flatMap(
        Hackney.stream("PUT", `${url}/b`, { pool: s.pool, metrics: true, body: streamBody("1234567") }),
        (r) => r.text
      ))
      const put = done(host, 200, "PUT")
      expect(m.requestBodySize.unsafeValue(put).sum).toBe(7)
      expect(m.responseBodySize.unsafeValue(put).sum).toBe(6)
      yield* Hackney.get(`${url}/c`, { pool: s.pool, metrics: true })
      expect(m.requestBodySize.unsafeValue(done(host)).sum).toBe(0)
      expect(m.requestBodySize.unsafeValue(done(host)).count).toBe(1)
    }))
})

describe("a bare request's switches: its own options over its pool's", () => {
  const traceparentOf = (headers: ReadonlyArray<readonly [string, string]>) => headers.find(([k]) => k === "traceparent")?.[1]

  it.scoped("a tracing pool traces a request that sets nothing; tracing: false turns it off; metrics: true adds metrics to the pool's tracing", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"), { features: { tracing: true } })
      const { spans, tracer } = recordingTracer()
      const host = "sw-tracing.test"
      yield* Hackney.get(`http://${host}/a`, { pool: s.pool }).pipe(Effect.withTracer(tracer))
      expect(spans.map((x) => x.name)).toEqual(["HTTP GET"])
      expect(traceparentOf(s.requests[0].headers)).toBe(`00-${spans[0].traceId}-${spans[0].spanId}-01`)
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(0)
      yield* Hackney.get(`http://${host}/b`, { pool: s.pool, tracing: false }).pipe(Effect.withTracer(tracer))
      expect(spans.length).toBe(1)
      expect(traceparentOf(s.requests[1].headers)).toBeUndefined()
      yield* Hackney.get(`http://${host}/c`, { pool: s.pool, metrics: true }).pipe(Effect.withTracer(tracer))
      expect(spans.length).toBe(2)
      expect(traceparentOf(s.requests[2].headers)).toBe(`00-${spans[1].traceId}-${spans[1].spanId}-01`)
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(1)
    }))

  it.scoped("a metered pool meters a request that sets nothing (no span); a pool with propagate alone observes nothing", () =>
    Effect.gen(function*() {
      const metered = yield* memoryServer(() => reply(200, "ok"), { features: { metrics: true } })
      const { spans, tracer } = recordingTracer()
      const host = "sw-metrics.test"
      yield* Hackney.get(`http://${host}/a`, { pool: metered.pool }).pipe(Effect.withTracer(tracer))
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(1)
      expect(spans).toEqual([])
      expect(traceparentOf(metered.requests[0].headers)).toBeUndefined()
      // The request's metrics: false over the pool's; its tracing: true beside the pool's metrics.
      yield* Hackney.get(`http://${host}/b`, { pool: metered.pool, metrics: false }).pipe(Effect.withTracer(tracer))
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(1)
      yield* Hackney.get(`http://${host}/c`, { pool: metered.pool, tracing: true }).pipe(Effect.withTracer(tracer))
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(2)
      expect(spans.map((x) => x.name)).toEqual(["HTTP GET"])

      const quiet = yield* memoryServer(() => reply(200, "ok"), { features: { propagate: true } })
      const host2 = "sw-quiet.test"
      yield* Hackney.get(`http://${host2}/a`, { pool: quiet.pool }).pipe(Effect.withTracer(tracer))
      expect(spans.length).toBe(1)
      expect(m.requestDuration.unsafeValue(done(host2)).count).toBe(0)
      expect(traceparentOf(quiet.requests[0].headers)).toBeUndefined()
    }))

  it.scoped("propagate: the request's own over its pool's, in both directions", () =>
    Effect.gen(function*() {
      const off = yield* memoryServer(() => reply(200, "ok"), { features: { tracing: true, propagate: false } })
      const { spans, tracer } = recordingTracer()
      yield* Hackney.get(`${off.url}/a`, { pool: off.pool }).pipe(Effect.withTracer(tracer))
      expect(traceparentOf(off.requests[0].headers)).toBeUndefined()
      yield* Hackney.get(`${off.url}/b`, { pool: off.pool, propagate: true }).pipe(Effect.withTracer(tracer))
      expect(traceparentOf(off.requests[1].headers)).toBe(`00-${spans[1].traceId}-${spans[1].spanId}-01`)
      const on = yield* memoryServer(() => reply(200, "ok"), { features: { tracing: true } })
      yield* Hackney.get(`${on.url}/a`, { pool: on.pool, propagate: false }).pipe(Effect.withTracer(tracer))
      expect(traceparentOf(on.requests[0].headers)).toBeUndefined()
      expect(spans.length).toBe(3)
    }))
})

describe("an invalid URL on the feature path", () => {
  it.scoped("its request span has the URL's label (no query), no host and port 0, and ends with InvalidRequest; its metrics too", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const { spans, tracer } = recordingTracer()
      const e = yield* Effect.flip(
        Hackney.get("nope://u:pw@what ever?token=1", { pool: s.pool, tracing: true, metrics: true, followRedirect: true })
          .pipe(Effect.withTracer(tracer))
      )
      expect(e._tag).toBe("InvalidRequest")
      const request = spans.find((x) => x.name === "HTTP GET")!
      expect(request.attrs.get("url.full")).toBe("nope://what ever")
      expect(request.attrs.get("server.address")).toBe("")
      expect(request.attrs.get("server.port")).toBe(0)
      expect(request.attrs.get("error.type")).toBe("InvalidRequest")
      expect(request.ended !== undefined && Exit.isFailure(request.ended)).toBe(true)
      const failed = labels(["http.request.method", "server.address", "server.port", "error.type"], ["GET", "", 0, "InvalidRequest"])
      expect(m.requestDuration.unsafeValue(failed).count).toBe(1)
      expect(s.requests).toEqual([])
    }))
})

describe("an interrupted metered request", () => {
  it.scoped("is recorded with error.type _OTHER and is no longer active (bare and feature path)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      for (const [host, extra] of [["int-bare.test", {}], ["int-feature.test", { followRedirect: true }]] as const) {
        const fiber = yield* Effect.fork(Hackney.get(`http://${host}/`, { pool: s.pool, metrics: true, ...extra }))
        const before = s.requests.length
        while (s.requests.length === before) yield* Effect.yieldNow()
        expect(m.activeRequests.unsafeValue(active(host)).count).toBe(1)
        yield* Fiber.interrupt(fiber)
        expect(m.requestDuration.unsafeValue(failedWith(host, "_OTHER")).count).toBe(1)
        expect(m.activeRequests.unsafeValue(active(host)).count).toBe(0)
      }
    }))
})

describe("a bare one-shot request with a streamed body of declared length", () => {
  it.scoped("records the declared length as the request body's bytes", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const host = "declared.test"
      yield* Hackney.request("PUT", `http://${host}/`, {
        pool: s.pool,
        metrics: true,
        headers: { "content-length": "5" },
        body: streamBody("12345")
      })
      expect(s.requests[0].body).toBe("12345")
      expect(m.requestBodySize.unsafeValue(done(host, 200, "PUT")).sum).toBe(5)
    }))

  it.scoped("records the bytes sent when no length is declared (chunked), not 0", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const host = "undeclared.test"
      yield* Hackney.request("PUT", `http://${host}/`, { pool: s.pool, metrics: true, body: streamBody("1234567") })
      expect(s.requests[0].body).toBe("1234567")
      expect(m.requestBodySize.unsafeValue(done(host, 200, "PUT")).sum).toBe(7)
      expect(m.requestBodySize.unsafeValue(done(host, 200, "PUT")).count).toBe(1)
    }))
})

describe("the feature path's traceparent", () => {
  const traceparentOf = (headers: ReadonlyArray<readonly [string, string]>) => headers.filter(([k]) => k === "traceparent").map(([, v]) => v)

  it.scoped("goes out with the attempt's span; not with propagate: false; a request's own is sent alone; none when the fiber's tracing is off", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const { spans, tracer } = recordingTracer()
      const opts = { pool: s.pool, tracing: true, followRedirect: true } as const
      yield* Hackney.get(`${s.url}/a`, opts).pipe(Effect.withTracer(tracer))
      const attempt = spans.find((x) => x.name === "HTTP GET attempt")!
      expect(traceparentOf(s.requests[0].headers)).toEqual([`00-${attempt.traceId}-${attempt.spanId}-01`])
      yield* Hackney.get(`${s.url}/b`, { ...opts, propagate: false }).pipe(Effect.withTracer(tracer))
      expect(traceparentOf(s.requests[1].headers)).toEqual([])
      const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      yield* Hackney.get(`${s.url}/c`, { ...opts, headers: { traceparent: own } }).pipe(Effect.withTracer(tracer))
      expect(traceparentOf(s.requests[2].headers)).toEqual([own])
      const before = spans.length
      const off = yield* Hackney.get(`${s.url}/d`, opts).pipe(Effect.withTracerEnabled(false), Effect.withTracer(tracer))
      expect(off.status).toBe(200)
      expect(traceparentOf(s.requests[3].headers)).toEqual([])
      expect(spans.length).toBe(before)
    }))
})

describe("one switch alone", () => {
  it.scoped("metrics alone on the feature path make no span; tracing alone records no metrics; a failed bare stream is recorded", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => r.target === "/bad" ? "NOT HTTP AT ALL\r\n\r\n" : reply(200, "ok"))
      const { spans, tracer } = recordingTracer()
      const host = "alone.test"
      yield* Hackney.get(`http://${host}/a`, { pool: s.pool, metrics: true, followRedirect: true }).pipe(Effect.withTracer(tracer))
      expect(spans).toEqual([])
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(1)
      yield* Hackney.get(`http://${host}/b`, { pool: s.pool, tracing: true, followRedirect: true }).pipe(Effect.withTracer(tracer))
      expect(spans.map((x) => x.name).sort()).toEqual(["HTTP GET", "HTTP GET attempt"])
      expect(m.requestDuration.unsafeValue(done(host)).count).toBe(1)
      const e = yield* Effect.flip(Effect.scoped(Hackney.stream("GET", `http://${host}/bad`, { pool: s.pool, metrics: true })))
      expect(m.requestDuration.unsafeValue(failedWith(host, e._tag)).count).toBe(1)
      expect(m.activeRequests.unsafeValue(active(host)).count).toBe(0)
    }))
})
