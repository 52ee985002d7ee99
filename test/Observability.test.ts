/**
 * Metrics (values after known traffic, the connection gauges back to 0 when
 * the pool closes, connect errors), spans (tree and attributes with an
 * in-memory tracer), `traceparent` on the wire (switchable off, never
 * twice), and no userinfo or query string in labels or attributes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Logger, LogLevel, Metric, Option, Schedule, Scope, TestClock, Tracer } from "effect"
import type * as http from "node:http"
import { HttpClient } from "@effect/platform"
import { Hackney, HackneyHttpClient, Observability, Pool } from "../src/index.js"
import { labels } from "../src/internal/observe/metrics.js"
import { traceparentOf } from "../src/internal/observe/span.js"
import { cert, httpServer, httpsServer, onRequestHead, rawServer } from "./support/servers.js"
import { h2Server, respond } from "./support/h2.js"
import { startH3Server } from "./support/h3Server.js"
import { certs } from "./support/quicServer.js"
import { recordingTracer } from "./support/tracer.js"
import { eventually } from "./support/hackney.js"

let poolSeq = 0
const poolName = () => `obs-test-${poolSeq++}`

const ok: http.RequestListener = (req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, { "content-length": 2, "x-traceparent": String(req.headers.traceparent ?? "") })
    res.end("ok")
  })
}

const m = Observability.metrics
const done = (port: number, status = 200, method = "GET") =>
  labels(
    ["http.request.method", "server.address", "server.port", "http.response.status_code", "network.protocol.version"],
    [method, "127.0.0.1", port, status, "1.1"]
  )
const hostPort = (port: number) => labels(["server.address", "server.port"], ["127.0.0.1", port])
const poolHost = (pool: string, port: number) => labels(["hackney.pool", "server.address", "server.port"], [pool, "127.0.0.1", port])
const state = (s: "active" | "idle", port: number) => labels(["http.connection.state", "server.address", "server.port"], [s, "127.0.0.1", port])

describe("metrics", () => {
  it.scoped("after known traffic: durations, sizes, active requests, new vs reused, checkout wait, gauges back to 0 on close", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const name = poolName()
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name, metrics: true }), scope)
      for (let i = 0; i < 3; i++) yield* Hackney.post(srv.url, { pool, body: "abcd" })
      const duration = m.requestDuration.unsafeValue(done(srv.port, 200, "POST"))
      expect(duration.count).toBe(3)
      const sizes = m.requestBodySize.unsafeValue(done(srv.port, 200, "POST"))
      expect(sizes.sum).toBe(12)
      // Buckets are cumulative: 4-byte bodies fall in the first one (≤ 64 B) and every one after.
      expect(sizes.buckets[0]).toEqual([64, 3])
      expect(sizes.buckets.every(([, n]) => n === 3)).toBe(true)
      expect(sizes.min).toBe(4)
      expect(sizes.max).toBe(4)
      expect(m.responseBodySize.unsafeValue(done(srv.port, 200, "POST")).sum).toBe(6)
      expect(m.activeRequests.unsafeValue(labels(["http.request.method", "server.address", "server.port"], ["POST", "127.0.0.1", srv.port])).count).toBe(0)
      expect(m.connectionsCreated.unsafeValue(poolHost(name, srv.port)).count).toBe(1)
      expect(m.connectionsReused.unsafeValue(poolHost(name, srv.port)).count).toBe(2)
      expect(m.checkoutDuration.unsafeValue(labels(["hackney.pool"], [name])).count).toBe(3)
      expect(m.openConnections.unsafeValue(state("idle", srv.port)).value).toBe(1)
      expect(m.openConnections.unsafeValue(state("active", srv.port)).value).toBe(0)
      // A streaming response holds its connection (active) until its scope closes.
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Hackney.stream("GET", srv.url, { pool })
        expect(m.openConnections.unsafeValue(state("active", srv.port)).value).toBe(1)
        expect(m.openConnections.unsafeValue(state("idle", srv.port)).value).toBe(0)
      }))
      expect(m.openConnections.unsafeValue(state("idle", srv.port)).value).toBe(1)
      yield* Scope.close(scope, Exit.void)
      expect(m.openConnections.unsafeValue(state("idle", srv.port)).value).toBe(0)
      expect(m.openConnections.unsafeValue(state("active", srv.port)).value).toBe(0)
      expect(m.connectionDuration.unsafeValue(hostPort(srv.port)).count).toBe(1)
    }))

  it.scoped("a new TLS connection records its handshake time once; a reused one and plain HTTP record none", () =>
    Effect.gen(function*() {
      const tlsSrv = yield* httpsServer(ok)
      const plain = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName(), metrics: true })
      const tls = { ca: cert("ca.pem") }
      for (let i = 0; i < 2; i++) yield* Hackney.get(tlsSrv.url, { pool, tls, protocols: ["http/1.1"] })
      yield* Hackney.get(plain.url, { pool })
      const handshakes = m.tlsHandshakeDuration.unsafeValue(hostPort(tlsSrv.port))
      expect(handshakes.count).toBe(1)
      expect(handshakes.min).toBeGreaterThan(0)
      expect(handshakes.max).toBeLessThan(10)
      expect(m.tlsHandshakeDuration.unsafeValue(hostPort(plain.port)).count).toBe(0)
    }))

  it.scoped("connect errors by reason, and the failed request's duration by error type", () =>
    Effect.gen(function*() {
      const name = poolName()
      const pool = yield* Pool.make({ name, metrics: true })
      const e = yield* Effect.flip(Hackney.get("http://127.0.0.1:1/", { pool }))
      expect(e._tag).toBe("ConnectError")
      const errs = m.connectErrors.unsafeValue(
        labels(["server.address", "server.port", "error.type", "hackney.reason"], ["127.0.0.1", 1, "ConnectError", "refused"])
      )
      expect(errs.count).toBe(1)
      const failed = m.requestDuration.unsafeValue(
        labels(["http.request.method", "server.address", "server.port", "error.type"], ["GET", "127.0.0.1", 1, "ConnectError"])
      )
      expect(failed.count).toBeGreaterThanOrEqual(1)
    }))

  it.scoped("a request's metrics: true records its request metrics without a metered pool; off by default", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName() })
      yield* Hackney.get(srv.url, { pool })
      expect(m.requestDuration.unsafeValue(done(srv.port)).count).toBe(0)
      yield* Hackney.get(srv.url, { pool, metrics: true })
      expect(m.requestDuration.unsafeValue(done(srv.port)).count).toBe(1)
      // The pool's own metrics stay off.
      expect(m.openConnections.unsafeValue(state("idle", srv.port)).value).toBe(0)
      // A request's metrics: false turns off its metered pool's request metrics.
      const metered = yield* Pool.make({ name: poolName(), metrics: true })
      yield* Hackney.get(srv.url, { pool: metered, metrics: false })
      expect(m.requestDuration.unsafeValue(done(srv.port)).count).toBe(1)
    }))

  it.scoped("the HttpClient layer over a metered pool records the request metrics once the body is read", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName(), metrics: true })
      const text = yield* HttpClient.get(srv.url).pipe(
        Effect.flatMap((r) => r.text),
        Effect.provide(HackneyHttpClient.layerWithoutHackney),
        Effect.provideService(Pool.Pool, pool)
      )
      expect(text).toBe("ok")
      const d = m.requestDuration.unsafeValue(done(srv.port))
      expect(d.count).toBe(1)
      expect(m.responseBodySize.unsafeValue(done(srv.port)).sum).toBe(2)
    }))

  it.scoped("labels carry no userinfo, query string or path", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName(), metrics: true })
      yield* Hackney.get(`${srv.url.replace("http://", "http://user:secret@")}/a/b?token=xyz`, { pool })
      const pairs = yield* Metric.snapshot
      let checked = 0
      for (const p of pairs) {
        for (const t of p.metricKey.tags) {
          checked++
          expect(`${t.key}=${t.value}`).not.toMatch(/secret|user|token|\/a\/b|\?/)
        }
      }
      expect(checked).toBeGreaterThan(0)
    }))
})

describe("tracing", () => {
  it.scoped("one span per request with a child per attempt (redirect hop, retry), standard attributes, URL redacted", () =>
    Effect.gen(function*() {
      let hits = 0
      const srv = yield* httpServer((req, res) => {
        req.resume()
        hits++
        if (req.url?.startsWith("/start")) {
          res.writeHead(302, { location: "/next", "content-length": 0 })
          return res.end()
        }
        if (hits === 2) {
          res.writeHead(503, { "content-length": 0 })
          return res.end()
        }
        res.writeHead(200, { "content-length": 2 })
        res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const res = yield* Hackney.get(`${srv.url.replace("http://", "http://u:pw@")}/start?secret=1`, {
        pool,
        followRedirect: true,
        retry: Schedule.recurs(1)
      }).pipe(Effect.withSpan("parent"), Effect.withTracer(tracer))
      expect(res.status).toBe(200)
      const parent = spans.find((s) => s.name === "parent")!
      const request = spans.find((s) => s.name === "HTTP GET")!
      const attempts = spans.filter((s) => s.name === "HTTP GET attempt")
      expect(Option.getOrThrow(request.parent).spanId).toBe(parent.spanId)
      expect(request.kind).toBe("client")
      expect(request.attrs.get("http.request.method")).toBe("GET")
      expect(request.attrs.get("server.address")).toBe("127.0.0.1")
      expect(request.attrs.get("server.port")).toBe(srv.port)
      expect(request.attrs.get("url.full")).toBe(`${srv.url}/start`)
      expect(request.attrs.get("http.response.status_code")).toBe(200)
      expect(request.attrs.get("network.protocol.version")).toBe("1.1")
      expect(request.ended !== undefined && Exit.isSuccess(request.ended)).toBe(true)
      expect(attempts.map((a) => [a.attrs.get("http.response.status_code"), a.attrs.get("http.request.resend_count")])).toEqual([
        [302, undefined],
        [503, 1],
        [200, 2]
      ])
      for (const a of attempts) {
        expect(Option.getOrThrow(a.parent).spanId).toBe(request.spanId)
        expect(a.ended).toBeDefined()
      }
      const text = JSON.stringify(spans.map((s) => [...s.attrs.entries()]))
      expect(text).not.toMatch(/pw|u:|secret/)
    }))

  it.scoped("traceparent on the wire carries the request's span (bare path) or the attempt's (feature path); propagate: false sends none; a request's own is not doubled", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.resume()
        const raw = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i].toLowerCase() === "traceparent").length
        res.writeHead(200, { "content-length": 2, "x-tp": String(req.headers.traceparent ?? ""), "x-tp-count": String(raw) })
        res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const res = yield* Hackney.get(srv.url, { pool }).pipe(Effect.withTracer(tracer))
      const request = spans.find((s) => s.name === "HTTP GET")!
      expect(spans.filter((s) => s.name === "HTTP GET attempt")).toEqual([])
      expect(res.header("x-tp")).toBe(`00-${request.traceId}-${request.spanId}-01`)
      const featured = yield* Hackney.get(srv.url, { pool, followRedirect: true }).pipe(Effect.withTracer(tracer))
      const attempt = spans.find((s) => s.name === "HTTP GET attempt")!
      expect(featured.header("x-tp")).toBe(`00-${attempt.traceId}-${attempt.spanId}-01`)

      const off = yield* Hackney.get(srv.url, { pool, propagate: false }).pipe(Effect.withTracer(tracer))
      expect(off.header("x-tp")).toBe("")
      const offPool = yield* Pool.make({ name: poolName(), tracing: true, propagate: false })
      const off2 = yield* Hackney.get(srv.url, { pool: offPool }).pipe(Effect.withTracer(tracer))
      expect(off2.header("x-tp")).toBe("")

      const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      const mine = yield* Hackney.get(srv.url, { pool, headers: { traceparent: own } }).pipe(Effect.withTracer(tracer))
      expect(mine.header("x-tp")).toBe(own)
      expect(mine.header("x-tp-count")).toBe("1")
    }))

  it.scoped("no traceparent when tracing is disabled on the fiber (no span either) or the tracer's ids are not W3C ids", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.resume()
        res.writeHead(200, { "content-length": 2, "x-tp": String(req.headers.traceparent ?? "") })
        res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const disabled = yield* Hackney.get(srv.url, { pool }).pipe(Effect.withTracerEnabled(false), Effect.withTracer(tracer))
      expect(disabled.header("x-tp")).toBe("")
      expect(spans).toEqual([])
      // a tracer with its own id scheme: its span is made, its ids never reach the head
      const ownIds = Tracer.make({
        span: (...args) => Object.assign(tracer.span(...args), { spanId: "span-1\r\nx-injected: 1" }),
        context: (f) => f()
      })
      const res = yield* Hackney.get(srv.url, { pool }).pipe(Effect.withTracer(ownIds))
      expect(res.header("x-tp")).toBe("")
      expect(spans.map((s) => s.name)).toEqual(["HTTP GET"])
      const featured = yield* Hackney.get(srv.url, { pool, followRedirect: true }).pipe(Effect.withTracer(ownIds))
      expect(featured.header("x-tp")).toBe("")
    }))

  it.scoped("a request's span has what Effect.makeSpan would give it: the fiber's span annotations and links, its parent", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const linked = { _tag: "ExternalSpan", spanId: "b7ad6b7169203331", traceId: "0af7651916cd43dd8448eb211c80319c", sampled: true, context: Context.empty() } as const
      yield* Hackney.get(srv.url, { pool }).pipe(
        Effect.annotateSpans("app.tenant", "t1"),
        Effect.linkSpans(linked),
        Effect.withSpan("parent"),
        Effect.withTracer(tracer)
      )
      const request = spans.find((s) => s.name === "HTTP GET")!
      expect(request.attrs.get("app.tenant")).toBe("t1")
      expect(request.links.map((l) => l.span.spanId)).toEqual([linked.spanId])
      expect(Option.getOrThrow(request.parent).spanId).toBe(spans.find((s) => s.name === "parent")!.spanId)
      expect(request.kind).toBe("client")
    }))

  it.scoped("a 4xx or 5xx response ends its span as a success with error.type its status code (one-shot and streaming); a 2xx has none", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.resume()
        res.writeHead(req.url === "/missing" ? 404 : req.url === "/down" ? 503 : 200, { "content-length": 2 })
        res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      expect((yield* Hackney.get(`${srv.url}/missing`, { pool }).pipe(Effect.withTracer(tracer))).status).toBe(404)
      const streamed = (path: string) => Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${srv.url}${path}`, { pool }), (r) => r.text))
      yield* streamed("/down").pipe(Effect.withTracer(tracer))
      yield* streamed("/fine").pipe(Effect.withTracer(tracer))
      const requests = spans.filter((s) => s.name === "HTTP GET")
      expect(requests.map((s) => [s.attrs.get("http.response.status_code"), s.attrs.get("error.type")])).toEqual([
        [404, "404"],
        [503, "503"],
        [200, undefined]
      ])
      for (const s of requests) expect(s.ended !== undefined && Exit.isSuccess(s.ended)).toBe(true)
    }))

  it.scoped("a failed request ends its span with the failure and error.type", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const e = yield* Effect.flip(Hackney.get("http://127.0.0.1:1/", { pool: false, tracing: true }).pipe(Effect.withTracer(tracer)))
      expect(e._tag).toBe("ConnectError")
      const request = spans.find((s) => s.name === "HTTP GET")!
      expect(request.attrs.get("error.type")).toBe("ConnectError")
      expect(request.ended !== undefined && Exit.isFailure(request.ended)).toBe(true)
    }))

  it.scoped("an interrupted traced and metered GET ends its span with the interruption, once, and is no longer an active request", () =>
    Effect.gen(function*() {
      let received = 0
      const srv = yield* httpServer((req) => {
        received++
        req.resume()
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName() })
      const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool, tracing: true, metrics: true }).pipe(Effect.withTracer(tracer)))
      yield* eventually(() => received === 1)
      const request = spans.find((s) => s.name === "HTTP GET")!
      let ends = 0
      const end = request.end
      request.end = (t, exit) => {
        ends++
        end(t, exit)
      }
      expect(request.ended).toBeUndefined()
      const active = labels(["http.request.method", "server.address", "server.port"], ["GET", "127.0.0.1", srv.port])
      expect(m.activeRequests.unsafeValue(active).count).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(ends).toBe(1)
      expect(request.ended !== undefined && Exit.isInterrupted(request.ended)).toBe(true)
      expect(m.activeRequests.unsafeValue(active).count).toBe(0)
    }))

  it.scoped("the HttpClient layer over a tracing pool: the platform's one span and one traceparent, none of ours", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.resume()
        const raw = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i].toLowerCase() === "traceparent").length
        res.writeHead(200, { "content-length": 2, "x-tp-count": String(raw) })
        res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const res = yield* HttpClient.get(srv.url).pipe(
        Effect.provide(HackneyHttpClient.layerWithoutHackney),
        Effect.provideService(Pool.Pool, pool),
        Effect.withTracer(tracer)
      )
      expect(res.headers["x-tp-count"]).toBe("1")
      expect(spans.filter((s) => s.name.startsWith("HTTP GET")).length).toBe(0)
      expect(spans.length).toBe(1)
    }))
})

describe("a bare request observed by its exchange's own steps (issue 18's cost)", () => {
  const active = (port: number) => labels(["http.request.method", "server.address", "server.port"], ["GET", "127.0.0.1", port])

  it.scoped("an interrupted traced and metered GET on an idle pooled connection ends its span with the interruption, once, and is no longer an active request", () =>
    Effect.gen(function*() {
      let received = 0
      const srv = yield* httpServer((req, res) => {
        received++
        req.resume()
        if (req.url !== "/hang") res.end("ok")
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), metrics: true, tracing: true })
      expect((yield* Hackney.get(`${srv.url}/ok`, { pool }).pipe(Effect.withTracer(tracer))).text()).toBe("ok")
      // the idle connection is taken in the write's step: the observation starts and ends in that region
      const fiber = yield* Effect.fork(Hackney.get(`${srv.url}/hang`, { pool }).pipe(Effect.withTracer(tracer)))
      yield* eventually(() => received === 2)
      expect(srv.accepted()).toBe(1)
      const request = spans.filter((s) => s.name === "HTTP GET")[1]
      const exits: Array<Exit.Exit<unknown, unknown>> = []
      const recordEnd = request.end
      request.end = (t, exit) => (exits.push(exit), recordEnd(t, exit))
      expect([request.ended, m.activeRequests.unsafeValue(active(srv.port)).count]).toEqual([undefined, 1])
      yield* Fiber.interrupt(fiber)
      expect(exits.length).toBe(1)
      expect(Exit.isInterrupted(exits[0])).toBe(true)
      expect(m.activeRequests.unsafeValue(active(srv.port)).count).toBe(0)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("a traced and metered GET resent after the stale keep-alive race: one span, ended once with the response; its traceparent on both sends", () =>
    Effect.gen(function*() {
      const heads: Array<string> = []
      const srv = yield* rawServer((socket) => {
        const serve = (first: boolean) =>
          onRequestHead(socket, (head) => {
            heads.push(head)
            // the first connection's second request meets a close with no response byte
            if (!first && srv.accepted() === 1) return socket.destroy()
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            serve(false)
          })
        serve(true)
      })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), metrics: true, tracing: true })
      yield* Hackney.get(srv.url, { pool }).pipe(Effect.withTracer(tracer))
      const before = m.requestDuration.unsafeValue(done(srv.port)).count
      const r = yield* Hackney.get(srv.url, { pool }).pipe(Effect.withTracer(tracer))
      expect(r.text()).toBe("ok")
      expect(srv.accepted()).toBe(2)
      const requests = spans.filter((s) => s.name === "HTTP GET")
      expect(requests.length).toBe(2)
      const resent = requests[1]
      expect(resent.ended !== undefined && Exit.isSuccess(resent.ended)).toBe(true)
      expect(resent.attrs.get("http.response.status_code")).toBe(200)
      const tp = `traceparent: 00-${resent.traceId}-${resent.spanId}-01\r\n`
      expect(heads.map((h) => h.includes(tp))).toEqual([false, true, true])
      expect(heads.every((h) => h.split("traceparent:").length <= 2)).toBe(true)
      expect(m.requestDuration.unsafeValue(done(srv.port)).count).toBe(before + 1)
      expect(m.activeRequests.unsafeValue(active(srv.port)).count).toBe(0)
    }))

  it.scoped("a traced GET over HTTP/2 sends its span's traceparent as one field of its own, on a new and on a reused connection", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => respond(stream, String(headers.traceparent ?? "")), { secure: false })
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const texts = yield* Effect.forEach([1, 2], () =>
        Effect.map(Hackney.get(`${srv.url}/x`, { pool, protocols: ["h2"] }).pipe(Effect.withTracer(tracer)), (r) => [r.protocol, r.text()]))
      const requests = spans.filter((s) => s.name === "HTTP GET")
      expect(texts).toEqual(requests.map((s) => ["h2", `00-${s.traceId}-${s.spanId}-01`]))
      expect(srv.sessions()).toBe(1)
      // propagate: false sends none
      const off = yield* Hackney.get(`${srv.url}/x`, { pool, protocols: ["h2"], propagate: false }).pipe(Effect.withTracer(tracer))
      expect(off.text()).toBe("")
    }))

  it.scopedLive("a traced GET over HTTP/3 sends its span's traceparent as one field of its own", () =>
    Effect.gen(function*() {
      const srv = yield* Effect.acquireRelease(
        Effect.promise(() => startH3Server((req) => ({ status: 200, body: req.header("traceparent") ?? "" }))),
        (s) => Effect.promise(() => s.stop())
      )
      const { spans, tracer } = recordingTracer()
      const r = yield* Hackney.get(`https://127.0.0.1:${srv.port}/x`, { pool: false, tls: { ca: certs("ca") }, protocols: ["h3"], tracing: true })
        .pipe(Effect.withTracer(tracer))
      const request = spans.find((s) => s.name === "HTTP GET")!
      expect([r.protocol, r.text()]).toEqual(["h3", `00-${request.traceId}-${request.spanId}-01`])
      expect(srv.requests[0].fields.filter((f, i) => i % 2 === 0 && f === "traceparent").length).toBe(1)
    }), 30_000)
})

describe("traceparentOf", () => {
  const span = (traceId: string, spanId: string, sampled = true) => ({ traceId, spanId, sampled }) as Tracer.Span
  const t = "0af7651916cd43dd8448eb211c80319c"
  const p = "b7ad6b7169203331"
  it("gives version 00 with the ids and the sampled flag; nothing for ids that are not W3C ones", () => {
    expect(traceparentOf(span(t, p))).toBe(`00-${t}-${p}-01`)
    expect(traceparentOf(span(t, p, false))).toBe(`00-${t}-${p}-00`)
    for (
      const [traceId, spanId] of [
        ["0".repeat(32), p],
        [t, "0".repeat(16)],
        [t.toUpperCase(), p],
        [t.slice(1), p],
        [t, `${p}0`],
        [t, "span-1\r\nx-injected: 1"],
        [`${t.slice(0, 31)}-`, p],
        ["native", p]
      ]
    ) expect(traceparentOf(span(traceId, spanId))).toBeUndefined()
  })
})

describe("debug logs", () => {
  const capture = () => {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      lines.push(`${logLevel.label} ${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
    })
    return { lines, logger: Logger.replace(Logger.defaultLogger, logger) }
  }

  it.scoped("the connection lifecycle at Debug: dial, reuse, queueing, idle close — no userinfo or query", () => {
    const { lines, logger } = capture()
    return Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName(), maxPerHost: 1, keepaliveTimeout: "5 seconds" })
      const url = `${srv.url.replace("http://", "http://user:secret@")}/p?token=xyz`
      yield* Hackney.get(url, { pool })
      yield* Hackney.get(url, { pool })
      // Two at once on one connection: the second queues.
      const streamed = yield* Effect.fork(Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, { pool }), (r) => r.text)))
      const second = yield* Effect.fork(Hackney.get(url, { pool }))
      yield* Fiber.join(streamed)
      yield* Fiber.join(second)
      yield* TestClock.adjust("6 seconds")
      yield* eventually(() => lines.some((l) => l.includes("closing an idle connection")), 2000, "idle close log")
      const text = lines.join("\n")
      expect(text).toContain(`DEBUG hackney: connected to 127.0.0.1:${srv.port} (tcp, http/1.1)`)
      expect(text).toContain(`DEBUG hackney: reusing an idle connection to 127.0.0.1:${srv.port}`)
      expect(text).toContain(`DEBUG hackney: queued for a connection to 127.0.0.1:${srv.port} (1 waiting)`)
      expect(text).toContain(`"server.port":${srv.port}`)
      expect(text).not.toMatch(/secret|user:|token|xyz/)
    }).pipe(Effect.provide(logger), Logger.withMinimumLogLevel(LogLevel.Debug))
  })

  it.scoped("off at the default log level: no line", () => {
    const { lines, logger } = capture()
    return Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const pool = yield* Pool.make({ name: poolName() })
      yield* Hackney.get(srv.url, { pool })
      yield* Hackney.get(srv.url, { pool })
      expect(lines).toEqual([])
    }).pipe(Effect.provide(logger))
  })
})

describe("connect spans", () => {
  it.scoped("a traced request that queues for a connection has the wait as span events", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), maxPerHost: 1, tracing: true })
      const held = yield* Effect.fork(Effect.scoped(Effect.flatMap(Hackney.stream("GET", srv.url, { pool }), (r) =>
        Effect.zipRight(Effect.sleep("1 second"), r.text))).pipe(Effect.withTracer(tracer)))
      yield* eventually(() => spans.length === 2, 2000, "first request connected")
      const second = yield* Effect.fork(Hackney.get(srv.url, { pool }).pipe(Effect.withTracer(tracer)))
      yield* eventually(() => spans.length === 3, 2000, "second request queued")
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(held)
      yield* Fiber.join(second)
      const requests = spans.filter((s) => s.name === "HTTP GET")
      expect(requests[0].events).toEqual([])
      expect(requests[1].events).toEqual(["hackney.pool.queued", "hackney.pool.dequeued"])
    }))

  it.scoped("a traced request that dials has a hackney.connect child span; a reused connection has none (streaming: reused attribute)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(ok)
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      const streamed = Effect.scoped(Effect.flatMap(Hackney.stream("GET", srv.url, { pool }), (r) => r.text))
      yield* streamed.pipe(Effect.withTracer(tracer))
      yield* streamed.pipe(Effect.withTracer(tracer))
      // The bare path: one span per request, the connect span under it.
      const attempts = spans.filter((s) => s.name === "HTTP GET")
      const connects = spans.filter((s) => s.name === "hackney.connect")
      expect(attempts.length).toBe(2)
      expect(connects.length).toBe(1)
      expect(Option.getOrThrow(connects[0].parent).spanId).toBe(attempts[0].spanId)
      expect(connects[0].attrs.get("server.port")).toBe(srv.port)
      expect(attempts.map((a) => a.attrs.get("hackney.connection.reused"))).toEqual([false, true])
      expect(connects[0].attrs.has("hackney.tls.handshake.duration")).toBe(false)
    }))

  it.scoped("a TLS dial's hackney.connect span carries the handshake time", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok)
      const { spans, tracer } = recordingTracer()
      const pool = yield* Pool.make({ name: poolName(), tracing: true })
      yield* Hackney.get(srv.url, { pool, tls: { ca: cert("ca.pem") } }).pipe(Effect.withTracer(tracer))
      const connect = spans.find((s) => s.name === "hackney.connect")!
      expect(connect.attrs.get("hackney.transport")).toBe("tls")
      const seconds = connect.attrs.get("hackney.tls.handshake.duration") as number
      expect(seconds).toBeGreaterThan(0)
      expect(seconds).toBeLessThan(10)
    }))
})
