/**
 * The user-style contenders (issue 20): the request loop as a user writes it, against the package
 * as published — plain node running `dist/index.js` (run `npm run build` first), not a bundle.
 *
 *   node bench/user-style.mjs <contender> <job-json>
 *
 * - `hackney-user`: one Effect program, `Hackney.layer` provided with `Effect.provide`, `c` fibers
 *   each running `while (…) { const r = yield* Effect.either(Hackney.request("GET", url, { maxPerHost: c })) }`
 *   inside `Effect.gen` (a fresh options object per request, as such code does);
 * - `hackney-loop`: the harness's native style (bench/contender.ts `hackney`: `Effect.whileLoop`,
 *   `Hackney.get(url, options)` with one shared options object, `Pool.layer({ maxPerHost: c })`), unbundled;
 * - `hackney-loop+metrics`, `hackney-loop+tracing`, `hackney-loop+metrics+tracing`: `hackney-loop`
 *   with the pool's `metrics` and/or `tracing` on (issue 18's cost; Effect's default tracer);
 *   `+parent`: each fiber's loop under a span of its own (the trace id inherited, as in a server's
 *   handler); `+minimal`: `bench/minimalTracer.ts` as the tracer (the default tracer's own cost apart);
 * - `undici-user`: undici `Pool(origin, { connections: c }).request()` + `body.arrayBuffer()` in `c`
 *   async loops.
 *
 * Both read the whole body. A job with `urls` spreads the workers over those origins (worker i asks
 * `urls[i % n]`), `maxPerHost` connections each (default: the concurrency); `maxConnections` raises
 * our pool's idle cap (default 50) to the connections the job opens. The job is bench/contender.ts's `Job`; it prints the same `Sample`
 * JSON line. Extra job fields for load-insensitive measurements (bench/measure.mjs):
 * `count` — stop after exactly this many measured requests (and `warmupCount` before them)
 * instead of running for a time; `probe` — also report `gcCount`, `heapUsedDelta` (bytes) over
 * the measured phase and `resumes` (fiber run-loop entries: each is one scheduler round trip);
 * `heapProfile` — a file: write a sampling heap profile of the measured phase there, garbage
 * included (every allocation, by function); with `heapLive: true`, only what is still alive at its
 * end (what outlives the requests: retained or promoted); with `heapSurvivors: true`, what survived a
 * young-generation collection (garbage collected only by a full one included; run node with --expose-gc so the
 * garbage left at the end is collected first): what the scavenges copy and promote.
 */
import { Effect, Either, Supervisor } from "effect"
import * as fs from "node:fs"
import { Session } from "node:inspector/promises"
import { PerformanceObserver } from "node:perf_hooks"

// HACKNEY_DIST: another build's dist/index.js (an absolute path), for before/after measurements
const { Hackney, Pool } = await import(process.env.HACKNEY_DIST ?? "../dist/index.js")

const [name, jobJson] = process.argv.slice(2)
const job = JSON.parse(jobJson)
const c = job.concurrency
// Scaling jobs (bench/run.ts `origins-*`) spread the workers over several origins: worker i asks urls[i % n].
const urls = job.urls ?? [job.url]
const urlOf = (i) => urls[i % urls.length]
// connections per origin (the pool's per-host limit); default: one per worker
const perHost = job.maxPerHost ?? c

/** A phase: until `deadline` (performance.now) or until `left()` says no more requests. */
const phaseOf = (deadline, count) => {
  let issued = 0
  return count === undefined
    ? { more: () => performance.now() < deadline, took: () => issued++, get issued() { return issued } }
    : { more: () => issued < count, took: () => issued++, get issued() { return issued } }
}

/** Counts fiber run-loop entries (Supervisor.onResume): one per scheduler round trip of a fiber. */
class ResumeCounter extends Supervisor.AbstractSupervisor {
  resumes = 0
  get value() {
    return Effect.void
  }
  onResume() {
    this.resumes++
  }
}

// `maxConnections` (scaling jobs): the pool's idle cap raised to the connections the job opens, as
// undici's pools keep all theirs; with the default cap (50) a pool closes whatever is released above
// 50 idle connections, and at high concurrency re-dials all the time.
const idleCap = job.maxConnections === undefined ? {} : { maxConnections: job.maxConnections }

/**
 * An Effect contender: `c` fibers running `loop(phase, lat, url, ...)` in one program that
 * provides `layer` (and, probing, counts the fibers' resumptions).
 */
const effectContender = (layer, loop, before = Effect.succeed(undefined)) => {
  const counter = new ResumeCounter()
  const run = (phase, lat) =>
    Effect.flatMap(before, (x) =>
      Effect.all(Array.from({ length: c }, (_, i) => loop(phase, lat, urlOf(i), x)), { concurrency: "unbounded", discard: true }))
  return {
    counter,
    main: (measure) =>
      Effect.runPromise(measure(run).pipe(job.probe ? Effect.supervised(counter) : (x) => x, Effect.provide(layer)))
  }
}

/** `Effect.whileLoop` over `request(url, x)`, timing each. */
const whileLoop = (request) => (phase, lat, url, x) =>
  Effect.suspend(() => {
    let t0 = 0
    return Effect.whileLoop({
      while: () => phase.more(),
      body: () => {
        phase.took()
        t0 = performance.now()
        return request(url, x)
      },
      step: () => lat?.push(performance.now() - t0)
    })
  })

const hackneyUser = () =>
  effectContender(
    // the program provides Hackney.layer (the "default" pool); scaling jobs raise its idle cap
    job.maxConnections === undefined ? Hackney.layer : Pool.layer(idleCap),
    (phase, lat, url) =>
      Effect.gen(function*() {
        while (phase.more()) {
          phase.took()
          const t0 = performance.now()
          const r = yield* Effect.either(Hackney.request("GET", url, { maxPerHost: perHost }))
          if (Either.isLeft(r)) throw r.left
          lat?.push(performance.now() - t0)
        }
      })
  )

/**
 * The harness's native style (bench/contender.ts `hackney`), unbundled: `Effect.whileLoop`, one shared
 * options object. `observed`: the pool's `metrics`/`tracing`; `parent`: each fiber's loop runs under a
 * span of its own (a server handler's: the request spans inherit its trace id); `tracer`: the fibers'
 * tracer (Effect's default otherwise).
 */
const hackneyLoop = ({ parent = false, tracer = undefined, ...observed } = {}) => {
  const noOptions = {}
  const loop = whileLoop((url) => Hackney.get(url, noOptions))
  const parented = parent ? (...args) => Effect.withSpan(loop(...args), "incoming request") : loop
  const traced = tracer === undefined ? parented : (...args) => Effect.withTracer(parented(...args), tracer)
  return effectContender(Pool.layer({ maxPerHost: perHost, ...idleCap, ...observed }), traced)
}

/**
 * `bench/minimalTracer.ts` (counter ids, no attributes kept: what tells the default tracer's own cost
 * from ours), loaded through tsx's loader, only by the contenders that name it.
 */
const minimalTracer = async () => {
  const { register } = await import("tsx/esm/api")
  register()
  return (await import("./minimalTracer.ts")).minimalTracer
}

/** `hackney-loop+a+b`: `hackneyLoop` with `a` and `b` on (`minimal`: the minimal tracer). */
const observedLoop = async (name) => {
  const on = Object.fromEntries(name.split("+").slice(1).map((k) => [k, true]))
  const { minimal = false, ...rest } = on
  return hackneyLoop(minimal ? { ...rest, tracer: await minimalTracer() } : rest)
}

/**
 * `HttpClient` contenders for the adapter's share (issue 20, item 4): `client.get(url)` + `arrayBuffer`
 * in `Effect.whileLoop` fibers through `HackneyHttpClient.layer` (`httpclient-hackney`),
 * `NodeHttpClient.layerUndici` (`httpclient-undici`), or `HttpClient.make` over a null transport that
 * sends nothing and answers at once with a minimal response object holding a 1 KiB body
 * (`httpclient-null`: the platform's own wrapper). `job.untraced`: `Layer.setTracerEnabled(false)`.
 */
const httpClient = async (kind) => {
  const { Headers, HttpClient, HttpClientResponse, HttpIncomingMessage } = await import("@effect/platform")
  const { Layer, Option } = await import("effect")
  // the least a response can be: status, no headers, the body at hand (no web Response, no stream)
  const arrayBuffer = Effect.succeed(new Uint8Array(1024).buffer)
  const nullResponse = (request) => ({
    [HttpClientResponse.TypeId]: HttpClientResponse.TypeId,
    [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId,
    request,
    status: 200,
    headers: Headers.empty,
    cookies: undefined,
    remoteAddress: Option.none(),
    formData: Effect.die("null transport"),
    arrayBuffer,
    text: Effect.succeed(""),
    json: Effect.succeed(null),
    urlParamsBody: Effect.die("null transport"),
    stream: Effect.die("null transport")
  })
  const layer = kind === "hackney"
    ? (await import(process.env.HACKNEY_DIST ?? "../dist/index.js")).HackneyHttpClient.layer
    : kind === "undici"
    ? (await import("@effect/platform-node/NodeHttpClient")).layerUndici
    : Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) => Effect.succeed(nullResponse(request))))
  return effectContender(
    job.untraced ? Layer.merge(layer, Layer.setTracerEnabled(false)) : layer,
    whileLoop((url, client) => Effect.flatMap(client.get(url), (r) => r.arrayBuffer)),
    HttpClient.HttpClient
  )
}

const undiciUser = async () => {
  const { Pool } = await import("undici")
  const pools = new Map()
  const poolOf = (u) => {
    let p = pools.get(u.origin)
    if (p === undefined) pools.set(u.origin, p = new Pool(u.origin, { connections: perHost }))
    return p
  }
  const run = async (phase, lat) => {
    const loop = async (_, i) => {
      const u = new URL(urlOf(i))
      const pool = poolOf(u)
      const path = u.pathname
      while (phase.more()) {
        phase.took()
        const t0 = performance.now()
        const r = await pool.request({ path, method: "GET" })
        await r.body.arrayBuffer()
        lat?.push(performance.now() - t0)
      }
    }
    await Promise.all(Array.from({ length: c }, loop))
  }
  return {
    counter: undefined,
    main: async (measure) => {
      const out = await Effect.runPromise(measure((phase, lat) => Effect.promise(() => run(phase, lat))))
      await Promise.all([...pools.values()].map((p) => p.close()))
      return out
    }
  }
}

const percentile = (xs, p) => {
  if (xs.length === 0) return 0
  const s = Float64Array.from(xs).sort()
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

const main = async () => {
  const contender = name === "hackney-user"
    ? hackneyUser()
    : name === "hackney-loop"
    ? hackneyLoop()
    : name.startsWith("hackney-loop+")
    ? await observedLoop(name)
    : name === "undici-user"
    ? await undiciUser()
    : name.startsWith("httpclient-")
    ? await httpClient(name.slice("httpclient-".length))
    : undefined
  if (contender === undefined) throw new Error(`unknown user-style contender ${name}`)
  let gcCount = 0
  const gcs = new PerformanceObserver((list) => gcCount += list.getEntries().length)
  const measure = (run) =>
    Effect.gen(function*() {
      const rssIdle = process.memoryUsage.rss()
      const warm = phaseOf(performance.now() + job.warmupMs, job.warmupCount)
      yield* run(warm, undefined)
      const lat = []
      if (job.probe) {
        globalThis.gc?.()
        gcs.observe({ entryTypes: ["gc"] })
      }
      const session = job.heapProfile === undefined ? undefined : new Session()
      if (session !== undefined) {
        session.connect()
        yield* Effect.promise(() =>
          session.post("HeapProfiler.startSampling", {
            samplingInterval: 512,
            includeObjectsCollectedByMajorGC: job.heapLive !== true,
            includeObjectsCollectedByMinorGC: job.heapLive !== true && job.heapSurvivors !== true
          })
        )
      }
      const heap0 = process.memoryUsage().heapUsed
      const resumes0 = contender.counter?.resumes ?? 0
      const mono = () => Number(process.hrtime.bigint() / 1000n)
      const monoStartUs = mono()
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      const phase = phaseOf(t0 + job.durationMs, job.count)
      yield* run(phase, lat)
      const elapsedMs = performance.now() - t0
      const cpu = process.cpuUsage(c0)
      const monoEndUs = mono()
      const heapUsedDelta = process.memoryUsage().heapUsed - heap0
      const resumes = (contender.counter?.resumes ?? 0) - resumes0
      gcs.disconnect()
      if (session !== undefined) {
        // Survivors only: the garbage made since the last young-generation collection goes first (needs --expose-gc).
        if (job.heapSurvivors === true) for (let i = 0; i < 2; i++) globalThis.gc?.({ type: "minor" })
        const { profile } = yield* Effect.promise(() => session.post("HeapProfiler.stopSampling"))
        fs.writeFileSync(job.heapProfile, JSON.stringify(profile))
        session.disconnect()
      }
      return {
        requests: phase.issued,
        elapsedMs,
        bytes: 0,
        cpuUs: cpu.user + cpu.system,
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        rssIdle,
        rssPeak: process.resourceUsage().maxRSS * 1024,
        warmupRequests: warm.issued,
        monoStartUs,
        monoEndUs,
        ...(job.probe ? { gcCount, heapUsedDelta, resumes } : {})
      }
    })
  const sample = await contender.main(measure)
  process.stdout.write(JSON.stringify(sample) + "\n")
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
