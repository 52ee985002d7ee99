/**
 * The observability internals called directly (`internal/observe/*`): the metric series and their
 * label table, a pool's meter, the request meter, the client span and its `traceparent`, the
 * Debug switch, progress and the request features. No server: Observability.test.ts checks the
 * same through requests.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, FiberRef, Logger, LogLevel, Metric, Option, Stream, Tracer } from "effect"
import type * as MetricState from "effect/MetricState"
import { ConnectError, ConnectTimeout, PoolClosed } from "../src/HackneyError.js"
import { featureRules, featuresOf } from "../src/internal/observe/features.js"
import { debug, debugEnabled, debugOn } from "../src/internal/observe/log.js"
import * as M from "../src/internal/observe/metrics.js"
import { PoolMeter } from "../src/internal/observe/poolMeter.js"
import { report, tracked } from "../src/internal/observe/progress.js"
import { protocolVersion, requestEnded, requestStarted } from "../src/internal/observe/requestMeter.js"
import { startClientSpan, traceparentOf } from "../src/internal/observe/span.js"
import { check } from "../src/internal/options/rules.js"

type Hooked = M.Series & { readonly get: () => unknown }
const stateOf = (s: M.Series) => (s as Hooked).get()
const count = (s: M.Series) => (stateOf(s) as MetricState.MetricState.Counter<number>).count
const gauge = (s: M.Series) => (stateOf(s) as MetricState.MetricState.Gauge<number>).value
const histogram = (s: M.Series) => stateOf(s) as MetricState.MetricState.Histogram

let seq = 0
/** A host no other test labels with. */
const freshHost = () => `obs-${++seq}-${Date.now()}.test`

describe("labels", () => {
  it("one label array per label set, named in order, values as strings", () => {
    const names = ["a", "b"]
    const l = M.labels(names, ["x", 1])
    expect(l.map((x) => [x.key, x.value])).toEqual([["a", "x"], ["b", "1"]])
    expect(M.labels(names, ["x", 1])).toBe(l)
    expect(M.labels(names, ["x", 2])).not.toBe(l)
    // Another names array: another table (same values, other keys).
    expect(M.labels(["c", "d"], ["x", 1]).map((x) => x.key)).toEqual(["c", "d"])
  })

  it("values are joined with a separator no value holds: [ab, c] and [a, bc] are different sets", () => {
    const names = ["p", "q"]
    expect(M.labels(names, ["ab", "c"])).not.toBe(M.labels(names, ["a", "bc"]))
    expect(M.labels(names, ["a", "bc"]).map((x) => x.value)).toEqual(["a", "bc"])
  })

  it("the table is bounded: past 4,096 sets it starts over, and still answers right", () => {
    const names = ["bounded"]
    const first = M.labels(names, ["v0"])
    for (let i = 1; i < 4096; i++) M.labels(names, [`v${i}`])
    expect(M.labels(names, ["v0"])).toBe(first)
    M.labels(names, ["v4096"])
    const again = M.labels(names, ["v0"])
    expect(again).not.toBe(first)
    expect(again.map((x) => x.value)).toEqual(["v0"])
  })

  it("a series is the metric's hook for that label set: updates add up", () => {
    const l = M.labels(["server.address", "server.port"], [freshHost(), 1])
    const s = M.connectTimeoutsSeries.series(l)
    s.update(1)
    s.update(2)
    expect(count(M.connectTimeoutsSeries.series(l))).toBe(3)
  })
})

describe("PoolMeter", () => {
  const setup = (pool = `meter-${++seq}`) => {
    let now = 1000
    const counts = { inUse: 0, free: 0, queued: 0 }
    const seen: Array<[string, number]> = []
    const meter = new PoolMeter<{ info?: { tlsHandshakeMillis?: number } }>(
      pool,
      {
        connectionCounts: (host, port) => {
          seen.push([host, port])
          return { inUse: counts.inUse, free: counts.free }
        },
        queued: () => counts.queued
      },
      () => now
    )
    return { meter, counts, seen, pool, advance: (ms: number) => (now += ms) }
  }
  const poolHost = (pool: string, host: string, port: number) => M.labels(["hackney.pool", "server.address", "server.port"], [pool, host, port])
  const state = (st: string, host: string, port: number) =>
    M.openConnectionsSeries.series(M.labels(["http.connection.state", "server.address", "server.port"], [st, host, port]))

  it("sync sets the host's active and idle gauges and the pool's queue from the pool's counts", () => {
    const { meter, counts, seen, pool } = setup()
    const host = freshHost()
    counts.inUse = 3
    counts.free = 2
    counts.queued = 5
    meter.sync({ key: "k1", host, port: 443 })
    expect(seen).toEqual([[host, 443]])
    expect(gauge(state("active", host, 443))).toBe(3)
    expect(gauge(state("idle", host, 443))).toBe(2)
    expect(gauge(M.queuedSeries.series(M.labels(["hackney.pool"], [pool])))).toBe(5)
    counts.inUse = 0
    counts.free = 0
    counts.queued = 0
    meter.sync({ key: "k1", host, port: 443 })
    expect([gauge(state("active", host, 443)), gauge(state("idle", host, 443))]).toEqual([0, 0])
  })

  it("a checkout: its wait in seconds; created or reused counted per pool and host; a fresh one is a stale retry", () => {
    const { meter, pool, advance } = setup()
    const host = freshHost()
    const h = { key: "k", host, port: 80 }
    const started = meter.checkoutStarted(false, h)
    expect(started).toBe(1000)
    advance(250)
    meter.checkedOut(started, true, h)
    const wait = histogram(M.checkoutDurationSeries.series(M.labels(["hackney.pool"], [pool])))
    expect([wait.count, wait.sum]).toEqual([1, 0.25])
    expect(count(M.connectionsCreatedSeries.series(poolHost(pool, host, 80)))).toBe(1)
    expect(count(M.connectionsReusedSeries.series(poolHost(pool, host, 80)))).toBe(0)
    meter.checkedOut(meter.checkoutStarted(true, h), false, h)
    expect(count(M.connectionsReusedSeries.series(poolHost(pool, host, 80)))).toBe(1)
    expect(count(M.connectionsCreatedSeries.series(poolHost(pool, host, 80)))).toBe(1)
    expect(count(M.staleRetriesSeries.series(poolHost(pool, host, 80)))).toBe(1)
  })

  it("reused: an idle connection at once (no wait), or since a given start; the gauges synced", () => {
    const { meter, counts, pool, advance } = setup()
    const host = freshHost()
    const h = { key: "r", host, port: 80 }
    counts.inUse = 1
    meter.reused(h)
    const wait = () => histogram(M.checkoutDurationSeries.series(M.labels(["hackney.pool"], [pool])))
    expect([wait().count, wait().sum]).toEqual([1, 0])
    expect(gauge(state("active", host, 80))).toBe(1)
    advance(500)
    meter.reused(h, 0)
    expect(wait().sum).toBe(1.5)
    expect(count(M.connectionsReusedSeries.series(poolHost(pool, host, 80)))).toBe(2)
  })

  it("dial failures: a ConnectTimeout counts as a timeout, others as errors by tag and reason; PoolClosed is neither", () => {
    const { meter } = setup()
    const host = freshHost()
    meter.dialFailed(new ConnectTimeout({ host, port: 1, timeoutMillis: 5 }), host, 1)
    meter.dialFailed(new ConnectError({ host, port: 1, reason: "refused" }), host, 1)
    meter.dialFailed(new ConnectError({ host, port: 1, reason: "refused" }), host, 1)
    meter.dialFailed(new PoolClosed({ pool: "p" }), host, 1)
    expect(count(M.connectTimeoutsSeries.series(M.labels(["server.address", "server.port"], [host, 1])))).toBe(1)
    const errors = (tag: string, reason: string) =>
      count(M.connectErrorsSeries.series(M.labels(["server.address", "server.port", "error.type", "hackney.reason"], [host, 1, tag, reason])))
    expect(errors("ConnectError", "refused")).toBe(2)
    expect(errors("ConnectTimeout", "")).toBe(0)
    expect(errors("PoolClosed", "")).toBe(0)
  })

  it.effect("a connection's life from opened to closed, once; its TLS handshake when it had one", () =>
    Effect.gen(function*() {
      const { meter, advance } = setup()
      const host = freshHost()
      const hostLabels = M.labels(["server.address", "server.port"], [host, 443])
      const conn = { info: { tlsHandshakeMillis: 40 } }
      meter.opened(conn, host, 443)
      meter.opened({ info: {} }, host, 443)
      meter.opened({}, host, 443)
      const tls = yield* Metric.value(Metric.taggedWithLabels(M.tlsHandshakeDuration, hostLabels))
      expect([tls.count, tls.sum]).toEqual([1, 0.04])
      advance(2000)
      meter.closed(conn, host, 443)
      meter.closed(conn, host, 443)
      meter.closed({}, host, 443)
      const life = histogram(M.connectionDurationSeries.series(hostLabels))
      expect([life.count, life.sum]).toEqual([1, 2])
    }))

  it("host series are kept per pool key, bounded", () => {
    const { meter, counts } = setup()
    const host = freshHost()
    counts.free = 1
    for (let i = 0; i < 4100; i++) meter.sync({ key: `key-${i}`, host, port: i })
    expect((meter as unknown as { hosts: Map<string, unknown> }).hosts.size).toBeLessThanOrEqual(4096)
    expect(gauge(state("idle", host, 4099))).toBe(1)
  })
})

describe("the request meter", () => {
  it("protocolVersion: h2 → 2, h3 → 3, HTTP/1.1 → 1.1", () => {
    expect(protocolVersion("h2")).toBe("2")
    expect(protocolVersion("h3")).toBe("3")
    expect(protocolVersion("http/1.1")).toBe("1.1")
  })

  it("active requests go up at the start and down at the end, per method and origin", () => {
    const host = freshHost()
    const active = () => count(M.activeRequestsSeries.series(M.labels(["http.request.method", "server.address", "server.port"], ["GET", host, 80])))
    const a = requestStarted("GET", `${host}:80`, host, 80, 0n)
    const b = requestStarted("GET", `${host}:80`, host, 80, 0n)
    expect(active()).toBe(2)
    requestEnded(a, 1n, { error: "ConnectError" })
    expect(active()).toBe(1)
    requestEnded(b, 1n, { status: 200, protocol: "h2", sent: 0, received: 0 })
    expect(active()).toBe(0)
  })

  it("a response: duration in seconds and both body sizes, labelled by status and protocol version", () => {
    const host = freshHost()
    const s = requestStarted("POST", `k-${host}`, host, 443, 1_000_000_000n)
    requestEnded(s, 3_500_000_000n, { status: 201, protocol: "h3", sent: 10, received: 20 })
    const s2 = requestStarted("POST", `k-${host}`, host, 443, 0n)
    requestEnded(s2, 500_000_000n, { status: 201, protocol: "h3", sent: 1, received: 2 })
    const l = M.labels(
      ["http.request.method", "server.address", "server.port", "http.response.status_code", "network.protocol.version"],
      ["POST", host, 443, 201, "3"]
    )
    const d = histogram(M.requestDurationSeries.series(l))
    expect([d.count, d.sum]).toEqual([2, 3])
    expect(histogram(M.requestBodySizeSeries.series(l)).sum).toBe(11)
    expect(histogram(M.responseBodySizeSeries.series(l)).sum).toBe(22)
    // Another status, another series.
    const s3 = requestStarted("POST", `k-${host}`, host, 443, 0n)
    requestEnded(s3, 1n, { status: 500, protocol: "http/1.1", sent: 0, received: 0 })
    expect(histogram(M.requestDurationSeries.series(l)).count).toBe(2)
  })

  it("a failure: the duration labelled by the error's tag, no body sizes", () => {
    const host = freshHost()
    const s = requestStarted("GET", host, host, 80, 0n)
    requestEnded(s, 2_000_000_000n, { error: "RecvTimeout" })
    const l = M.labels(["http.request.method", "server.address", "server.port", "error.type"], ["GET", host, 80, "RecvTimeout"])
    const d = histogram(M.requestDurationSeries.series(l))
    expect([d.count, d.sum]).toEqual([1, 2])
  })
})

describe("the client span", () => {
  const recording = () => {
    const made: Array<{ name: string; parent: Option.Option<Tracer.AnySpan>; links: ReadonlyArray<Tracer.SpanLink>; start: bigint; kind: string; attrs: Map<string, unknown> }> = []
    const tracer = Tracer.make({
      span: (name, parent, _context, links, start, kind) => {
        const attrs = new Map<string, unknown>()
        made.push({ name, parent, links, start, kind, attrs })
        return {
          _tag: "Span",
          name,
          spanId: "00f067aa0ba902b7",
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          parent,
          context: _context,
          status: { _tag: "Started", startTime: start },
          attributes: attrs,
          links,
          sampled: true,
          kind,
          end: () => {},
          attribute: (k: string, v: unknown) => void attrs.set(k, v),
          event: () => {},
          addLinks: () => {}
        } as Tracer.Span
      },
      context: (f) => f()
    })
    return { made, tracer }
  }
  const start = (now: bigint) => Effect.withFiberRuntime<Tracer.Span | undefined>((fiber) => Effect.succeed(startClientSpan(fiber, "GET", now)))

  it.effect("a client span under the current span, at the given time, with the fiber's links and annotations", () =>
    Effect.gen(function*() {
      const { made, tracer } = recording()
      const link: Tracer.SpanLink = { _tag: "SpanLink", span: Tracer.externalSpan({ spanId: "a", traceId: "b" }), attributes: {} }
      const span = yield* start(42n).pipe(
        Effect.annotateSpans("app", "x"),
        Effect.linkSpans(link.span),
        Effect.withSpan("outer"),
        Effect.withTracer(tracer)
      )
      expect(span?.name).toBe("GET")
      const mine = made.find((m) => m.name === "GET")!
      expect(mine.kind).toBe("client")
      expect(mine.start).toBe(42n)
      expect(Option.map(mine.parent, (p) => (p as Tracer.Span).name)).toEqual(Option.some("outer"))
      expect(mine.links.length).toBe(1)
      expect(mine.attrs.get("app")).toBe("x")
    }))

  it.effect("no links and no annotations: an empty link list and no attribute", () =>
    Effect.gen(function*() {
      const { made, tracer } = recording()
      yield* start(1n).pipe(Effect.withTracer(tracer))
      expect(made[0].links).toEqual([])
      expect(made[0].attrs.size).toBe(0)
      expect(Option.isNone(made[0].parent)).toBe(true)
    }))

  it.effect("span timing off: started at 0; tracing off: no span", () =>
    Effect.gen(function*() {
      const { made, tracer } = recording()
      yield* start(99n).pipe(Effect.withTracerTiming(false), Effect.withTracer(tracer))
      expect(made[0].start).toBe(0n)
      expect(yield* start(1n).pipe(Effect.withTracerEnabled(false), Effect.withTracer(tracer))).toBeUndefined()
      expect(made.length).toBe(1)
    }))

  it.effect("the parent skips spans that disable propagation", () =>
    Effect.gen(function*() {
      const { made, tracer } = recording()
      yield* start(1n).pipe(
        Effect.withSpan("hidden", { context: Tracer.DisablePropagation.context(true) }),
        Effect.withSpan("visible"),
        Effect.withTracer(tracer)
      )
      const mine = made.find((m) => m.name === "GET")!
      expect(Option.map(mine.parent, (p) => (p as Tracer.Span).name)).toEqual(Option.some("visible"))
      made.length = 0
      yield* start(1n).pipe(
        Effect.withSpan("hidden", { context: Tracer.DisablePropagation.context(true) }),
        Effect.withTracer(tracer)
      )
      expect(Option.isNone(made.find((m) => m.name === "GET")!.parent)).toBe(true)
    }))

  it("traceparentOf: version 00, the ids, the sampled flag; nothing for ids that are not W3C ids", () => {
    const span = (traceId: string, spanId: string, sampled = true) => ({ traceId, spanId, sampled }) as Tracer.Span
    const t = "4bf92f3577b34da6a3ce929d0e0e4736"
    const s = "00f067aa0ba902b7"
    expect(traceparentOf(span(t, s))).toBe(`00-${t}-${s}-01`)
    expect(traceparentOf(span(t, s, false))).toBe(`00-${t}-${s}-00`)
    expect(traceparentOf(span("0".repeat(32), s))).toBeUndefined()
    expect(traceparentOf(span(t, "0".repeat(16)))).toBeUndefined()
    expect(traceparentOf(span(t.toUpperCase(), s))).toBeUndefined()
    expect(traceparentOf(span(t.slice(1), s))).toBeUndefined()
    expect(traceparentOf(span(t, s + "0"))).toBeUndefined()
    expect(traceparentOf(span("noop", "noop"))).toBeUndefined()
  })

  it("traceparentOf: the spans of a trace already found valid have their span id checked as strictly (its trace id not again)", () => {
    const span = (traceId: string, spanId: string, sampled = true) => ({ traceId, spanId, sampled }) as Tracer.Span
    const t = "0af7651916cd43dd8448eb211c80319c"
    const s = "b7ad6b7169203331"
    expect(traceparentOf(span(t, s))).toBe(`00-${t}-${s}-01`)
    // the same trace: each span id still checked in full
    expect(traceparentOf(span(t, "b7ad6b716920333f", false))).toBe(`00-${t}-b7ad6b716920333f-00`)
    for (const bad of ["0".repeat(16), s.toUpperCase(), s.slice(1), s + "0", "b7ad6b716920333g", "b7ad6b71 9203331", "b7ad6b7169203331\r\n"]) {
      expect(traceparentOf(span(t, bad))).toBeUndefined()
    }
    // a trace id that differs from the valid one by a character is checked whole
    const other = "0af7651916cd43dd8448eb211c80319C"
    expect(traceparentOf(span(other, s))).toBeUndefined()
    expect(traceparentOf(span(t + "\n", s))).toBeUndefined()
    // and the valid one is still known
    expect(traceparentOf(span(t, s))).toBe(`00-${t}-${s}-01`)
  })
})

describe("the Debug switch", () => {
  it.effect("debugEnabled follows the minimum log level: off at Info (the default), on at Debug and below", () =>
    Effect.gen(function*() {
      expect(yield* debugEnabled).toBe(false)
      expect(yield* Effect.locally(debugEnabled, FiberRef.currentMinimumLogLevel, LogLevel.Debug)).toBe(true)
      expect(yield* Effect.locally(debugEnabled, FiberRef.currentMinimumLogLevel, LogLevel.Trace)).toBe(true)
      expect(yield* Effect.locally(debugEnabled, FiberRef.currentMinimumLogLevel, LogLevel.Warning)).toBe(false)
      const fiber = yield* Effect.fork(Effect.never)
      expect(debugOn(fiber)).toBe(false)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("debug logs the message at Debug with its annotations", () =>
    Effect.gen(function*() {
      const lines: Array<{ message: unknown; level: string; annotations: Record<string, unknown> }> = []
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        const a: Record<string, unknown> = {}
        for (const [k, v] of annotations) a[k] = v
        lines.push({ message, level: logLevel.label, annotations: a })
      })
      yield* debug("reused", { "hackney.pool": "p" }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Debug)
      )
      expect(lines).toEqual([{ message: ["reused"], level: "DEBUG", annotations: { "hackney.pool": "p" } }])
    }))
})

describe("progress", () => {
  it.effect("one event per chunk with the bytes so far and the total; the bytes pass unchanged", () =>
    Effect.gen(function*() {
      const events: Array<[number, number | undefined]> = []
      const chunks = [new Uint8Array(3), new Uint8Array(0), new Uint8Array(4)]
      const out = yield* Stream.runCollect(
        tracked(Stream.fromIterable(chunks).pipe(Stream.rechunk(1)), 7, (e) => Effect.sync(() => void events.push([e.transferred, e.total])))
      )
      expect(Chunk.toReadonlyArray(out).map((c) => c.length)).toEqual([3, 0, 4])
      expect(events).toEqual([[3, 7], [3, 7], [7, 7]])
    }))

  it.effect("a chunk of several arrays counts all their bytes; a callback that fails or dies changes nothing", () =>
    Effect.gen(function*() {
      const events: Array<number> = []
      const out = yield* Stream.runCollect(
        tracked(Stream.fromIterable([new Uint8Array(2), new Uint8Array(5)]), undefined, (e) => {
          events.push(e.transferred)
          return e.transferred > 5 ? Effect.die("boom") : Effect.fail("no") as never
        })
      )
      expect(Chunk.size(out)).toBe(2)
      expect(events).toEqual([7])
      yield* report(() => {
        throw new Error("thrown")
      }, { transferred: 1, total: 1 })
    }))

  it.effect("each run of a tracked stream counts from 0", () =>
    Effect.gen(function*() {
      const events: Array<number> = []
      const s = tracked(Stream.make(new Uint8Array(2)), 2, (e) => Effect.sync(() => void events.push(e.transferred)))
      yield* Stream.runDrain(s)
      yield* Stream.runDrain(s)
      expect(events).toEqual([2, 2])
    }))
})

describe("request features", () => {
  const mw = [(r: unknown, next: (r: unknown) => unknown) => next(r)] as never
  it("none asked for: undefined; each one asked for kept as given", () => {
    expect(featuresOf({})).toBeUndefined()
    expect(featuresOf({ middleware: [] })).toBeUndefined()
    expect(featuresOf({ metrics: false, tracing: false })).toBeUndefined()
    expect(featuresOf({ metrics: true })).toEqual({ metrics: true })
    expect(featuresOf({ tracing: true })).toEqual({ tracing: true })
    expect(featuresOf({ propagate: false })).toEqual({ propagate: false })
    expect(featuresOf({ propagate: true })).toEqual({ propagate: true })
    expect(featuresOf({ middleware: mw })).toEqual({ middleware: mw })
    expect(featuresOf({ middleware: [], metrics: true, tracing: false })).toEqual({ metrics: true, tracing: false })
  })

  it("the rules: middleware an array of functions; the switches booleans", () => {
    expect(check({ middleware: mw, metrics: true, tracing: false, propagate: true }, featureRules)).toBeUndefined()
    expect(check({ middleware: [] }, featureRules)).toBeUndefined()
    expect(check({ middleware: [1] }, featureRules)?.detail).toContain("an array of middleware functions")
    expect(check({ middleware: () => {} }, featureRules)?.detail).toContain("middleware")
    for (const name of ["metrics", "tracing", "propagate"]) expect(check({ [name]: "yes" }, featureRules)?.detail).toContain(name)
  })
})
