/**
 * The public L3 modules' own logic, without a socket: `Pool` (make and its
 * scope, the layers, `stats`/`hostStats` by name or value, `prewarm`'s
 * argument checks and the URL it builds), `Middleware` (`logging`'s lines,
 * levels, annotations and redaction; `bearerToken`'s cache and its one
 * refresh on 401), `Progress.track`, `Observability.metrics`,
 * `HackneyClient.make`/`layer` and `Multipart.boundary`. Requests run over
 * the in-memory pool of test/support/memoryPool.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigError, ConfigProvider, Context, Effect, Exit, Layer, Logger, LogLevel, Scope, Stream, TestClock } from "effect"
import { Hackney, HackneyClient, Middleware, Multipart, Observability, Pool, Progress } from "../src/index.js"
import type { HackneyError } from "../src/HackneyError.js"
import { InvalidRequest } from "../src/HackneyError.js"
import { H1Connection } from "../src/internal/connection/h1Connection.js"
import * as M from "../src/internal/observe/metrics.js"
import { makePoolWith } from "../src/internal/pool/make.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { lookup, poolDefaults } from "../src/internal/pool/registry.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import { mockTransport } from "./support/mockTransport.js"

let seq = 0
const fresh = (prefix: string) => `${prefix}-${seq++}`

/** A pool whose dials open in-memory connections (never answered) and record their spec. */
const recordingPool = (prewarmCount = 0) =>
  Effect.gen(function*() {
    const specs: Array<DialSpec> = []
    const pool = yield* makePoolWith({ ...poolDefaults, name: fresh("pub-rec"), prewarmCount, proxy: false }, (wheel) => (spec) =>
      Effect.sync(() => {
        specs.push(spec)
        const { open } = mockTransport()
        return new H1Connection(open, { recvTimeout: spec.recvTimeout, wheel })
      }))
    return { pool: pool as unknown as Pool.Pool, specs }
  })

describe("Pool.make and its layers", () => {
  it.effect("make registers the pool under its name for the scope's life, then closes it", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const name = fresh("pub-make")
      const pool = yield* Scope.extend(Pool.make({ name, maxPerHost: 3, maxConnections: 7 }), scope)
      expect(pool.name).toBe(name)
      expect(lookup(name)).toBe(pool)
      expect(yield* Pool.stats(name)).toEqual({ name, maxConnections: 7, inUse: 0, free: 0, queued: 0 })
      yield* Scope.close(scope, Exit.void)
      expect(lookup(name)).toBeUndefined()
      expect((pool as unknown as { state: { closed: boolean } }).state.closed).toBe(true)
    }))

  it.effect("make with a bad option fails with InvalidRequest naming it, found in the pool", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Effect.scoped(Pool.make({ maxPerHost: 0 })))
      expect(e).toBeInstanceOf(InvalidRequest)
      expect(e).toMatchObject({ reason: "option", found: "pool" })
      expect(e.detail).toMatch(/maxPerHost/)
      const layer = yield* Effect.flip(Effect.provide(Pool.Pool, Pool.layer({ name: "" })))
      expect(layer).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
    }))

  it.effect("make without options is the pool \"default\" with hackney's defaults", () =>
    Effect.gen(function*() {
      const pool = yield* Effect.scoped(Effect.tap(Pool.make(), (p) => Effect.sync(() => expect(lookup("default")).toBe(p))))
      expect(pool.name).toBe("default")
      expect(pool.config).toMatchObject({ maxPerHost: 50, maxConnections: 50, keepaliveTimeout: 2000, prewarmCount: 4 })
    }))

  it.effect("layer provides the Pool tag with the options; layerDefault a pool of that name with the defaults", () =>
    Effect.gen(function*() {
      const name = fresh("pub-layer")
      const viaLayer = yield* Effect.provide(Pool.Pool, Layer.fresh(Pool.layer({ name, maxConnections: 9 })))
      expect(viaLayer.name).toBe(name)
      expect(viaLayer.config.maxConnections).toBe(9)
      const named = fresh("pub-default")
      const stats = yield* Effect.provide(Pool.stats(named), Layer.fresh(Pool.layerDefault(named)))
      expect(stats).toEqual({ name: named, maxConnections: 50, inUse: 0, free: 0, queued: 0 })
      expect(lookup(named)).toBeUndefined()
    }))

  it.effect("layerConfig: options Config reads but the pool refuses fail the layer with ConfigError.InvalidData", () =>
    Effect.gen(function*() {
      const name = fresh("pub-config")
      const config = Config.all({ name: Config.string("NAME"), maxPerHost: Config.integer("MAX") })
      const good = ConfigProvider.fromMap(new Map([["NAME", name], ["MAX", "4"]]))
      const pool = yield* Effect.provide(Pool.Pool, Layer.fresh(Pool.layerConfig(config))).pipe(Effect.withConfigProvider(good))
      expect(pool.name).toBe(name)
      expect(pool.config.maxPerHost).toBe(4)
      const refused = ConfigProvider.fromMap(new Map([["NAME", name], ["MAX", "0"]]))
      const e = yield* Effect.flip(Effect.provide(Pool.Pool, Layer.fresh(Pool.layerConfig(config))).pipe(Effect.withConfigProvider(refused)))
      expect(ConfigError.isConfigError(e)).toBe(true)
      expect(e).toMatchObject({ _op: "InvalidData", path: [] })
      expect((e as { message: string }).message).toMatch(/maxPerHost/)
    }))
})

describe("Pool.stats and Pool.hostStats", () => {
  it.effect("a pool value is used as it is; a name no pool has fails with InvalidRequest (option, found in pool)", () =>
    Effect.gen(function*() {
      const { pool } = yield* recordingPool()
      expect(yield* Pool.stats(pool)).toEqual({ name: pool.name, maxConnections: 50, inUse: 0, free: 0, queued: 0 })
      expect(yield* Pool.hostStats(pool, "memory.test", 80)).toEqual({ active: 0, inUse: 0, free: 0, streams: 0 })
      const e = yield* Effect.flip(Pool.stats("pub-nobody"))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
      expect(e.detail).toBe(
        `no pool named "pub-nobody" is running; provide Pool.layer({ name: "pub-nobody" }) or pass a Pool value (only "default" exists without a layer)`
      )
      expect(yield* Effect.flip(Pool.hostStats("pub-nobody", "h", 1))).toMatchObject({ reason: "option", found: "pool" })
    }).pipe(Effect.scoped))

  it.scoped("stats and hostStats count a request's connection (hostStats: the host in any case, the port exact)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      yield* Hackney.get(`${s.url}/b`, { pool: s.pool })
      expect(yield* Pool.stats(s.pool)).toEqual({ name: "memory", maxConnections: 50, inUse: 0, free: 1, queued: 0 })
      expect(yield* Pool.hostStats(s.pool, "MEMORY.test", 80)).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
      expect(yield* Pool.hostStats(s.pool, "memory.test", 81)).toEqual({ active: 0, inUse: 0, free: 0, streams: 0 })
    }))
})

describe("Pool functions given what is not a pool, host or port", () => {
  it.scoped("stats, hostStats and prewarm of a value that is neither a pool name nor a Pool fail with InvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const fakes: Array<unknown> = [42, null, undefined, {}, { config: { name: "x" } }, [], () => 1]
      for (const fake of fakes) {
        const calls: Array<Effect.Effect<unknown, InvalidRequest>> = [Pool.stats(fake as never), Pool.hostStats(fake as never, "h.test", 80), Pool.prewarm(fake as never, "h.test", 80, 0)]
        for (const call of calls) {
          const exit = yield* Effect.exit(call)
          expect(Exit.isFailure(exit) && exit.cause._tag).toBe("Fail")
          const e = yield* Effect.flip(call)
          expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
          expect((e as InvalidRequest).detail).toMatch(/^the pool is .+; it takes a pool name or a Pool$/)
        }
      }
    }))

  it.scoped("hostStats of a host that is not a non-empty string or a port out of 0–65535 fails with InvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const { pool } = yield* recordingPool()
      const detail = (e: InvalidRequest) => `${e.reason} ${e.found} ${e.detail}`
      for (const host of [5, "", null]) {
        const e = yield* Effect.flip(Pool.hostStats(pool, host as never, 80))
        expect(detail(e)).toMatch(/^option pool the host is .*; it takes a host name or an IP address$/)
      }
      for (const port of [-1, 65536, 1.5, "80"]) {
        const e = yield* Effect.flip(Pool.hostStats(pool, "h.test", port as never))
        expect(detail(e)).toMatch(/^option pool the port is .*; it takes an integer from 0 to 65535$/)
      }
      expect(yield* Pool.hostStats(pool, "h.test", 0)).toEqual({ active: 0, inUse: 0, free: 0, streams: 0 })
      expect(yield* Pool.hostStats(pool, "h.test", 65535)).toEqual({ active: 0, inUse: 0, free: 0, streams: 0 })
    }))
})

describe("Pool.prewarm", () => {
  it.scoped("opens count idle connections to http://host:port; without count, the pool's prewarmCount", () =>
    Effect.gen(function*() {
      const { pool, specs } = yield* recordingPool(3)
      expect(yield* Pool.prewarm(pool, "warm.test", 8080, 2)).toBe(2)
      expect(specs.map((s) => [s.transport, s.host, s.port])).toEqual([["tcp", "warm.test", 8080], ["tcp", "warm.test", 8080]])
      expect(yield* Pool.hostStats(pool, "warm.test", 8080)).toMatchObject({ free: 2 })
      expect(yield* Pool.prewarm(pool, "warm.test", 8080)).toBe(1)
      expect(yield* Pool.hostStats(pool, "warm.test", 8080)).toMatchObject({ free: 3 })
      expect(yield* Pool.prewarm(pool, "zero.test", 80, 0)).toBe(0)
      expect(specs.length).toBe(3)
    }))

  it.scoped("scheme \"https\" dials TLS; an IPv6 host is bracketed in the URL once; dial options reach the spec", () =>
    Effect.gen(function*() {
      const { pool, specs } = yield* recordingPool()
      expect(yield* Pool.prewarm(pool, "tls.test", 8443, 1, { scheme: "https", connectTimeout: 1234, recvTimeout: 4321 })).toBe(1)
      expect(specs[0]).toMatchObject({ transport: "tls", host: "tls.test", port: 8443, connectTimeout: 1234, recvTimeout: 4321 })
      expect(yield* Pool.prewarm(pool, "::1", 81, 1)).toBe(1)
      expect(specs[1]).toMatchObject({ transport: "tcp", host: "::1", port: 81 })
      expect(yield* Pool.prewarm(pool, "[::2]", 82, 1)).toBe(1)
      expect(specs[2]).toMatchObject({ transport: "tcp", host: "::2", port: 82 })
      expect(yield* Pool.prewarm(pool, "plain.test", 83, 1, {})).toBe(1)
      expect(specs[3]).toMatchObject({ transport: "tcp", connectTimeout: 8000, recvTimeout: 5000 })
    }))

  it.scoped("a pool name is resolved; an unknown one fails before any argument is looked at", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200), { prewarmCount: 1 })
      const name = fresh("pub-warm")
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name, prewarmCount: 0 }), scope)
      expect(yield* Pool.prewarm(name, "h.test", 80)).toBe(0)
      yield* Scope.close(scope, Exit.void)
      expect(pool.name).toBe(name)
      expect(yield* Effect.flip(Pool.prewarm("pub-nobody", "", -1))).toMatchObject({ reason: "option", detail: expect.stringMatching(/^no pool named "pub-nobody"/) })
      expect(yield* Pool.prewarm(s.pool, "memory.test", 80)).toBe(1)
      expect(s.peers.length).toBe(1)
    }))

  it.scoped("each bad argument fails with InvalidRequest saying what it is and what it takes; nothing is dialled", () =>
    Effect.gen(function*() {
      const { pool, specs } = yield* recordingPool()
      const detail = (e: HackneyError) => `${e._tag} ${(e as InvalidRequest).reason} ${(e as InvalidRequest).found} ${(e as InvalidRequest).detail}`
      const bad = (...args: Parameters<typeof Pool.prewarm>) => Effect.map(Effect.flip(Pool.prewarm(...args)), detail)
      const any = <T>(v: unknown) => v as T
      expect(yield* bad(pool, "", 80)).toBe(`InvalidRequest option pool the host is ""; it takes a host name or an IP address`)
      expect(yield* bad(pool, any(42), 80)).toMatch(/^InvalidRequest option pool the host is 42; it takes a host name or an IP address$/)
      for (const port of [-1, 65536, 1.5, NaN]) {
        expect(yield* bad(pool, "h.test", port)).toMatch(/^InvalidRequest option pool the port is [^;]+; it takes an integer from 0 to 65535$/)
      }
      expect(yield* bad(pool, "h.test", any("80"))).toMatch(/the port is "80"; it takes an integer from 0 to 65535$/)
      for (const count of [-1, 1.5, Infinity]) {
        expect(yield* bad(pool, "h.test", 80, count)).toMatch(/^InvalidRequest option pool the count is [^;]+; it takes an integer from 0$/)
      }
      expect(yield* bad(pool, "h.test", 80, any("2"))).toMatch(/the count is "2"; it takes an integer from 0$/)
      expect(yield* bad(pool, "h.test", 80, 1, any({ scheme: "ftp" }))).toBe(
        `InvalidRequest option pool the option scheme is "ftp"; it takes "http" or "https"`
      )
      const opt = yield* Effect.flip(Pool.prewarm(pool, "h.test", 80, 1, { connectTimeout: -5 }))
      expect(opt).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: "http://h.test:80" })
      expect((opt as InvalidRequest).detail).toMatch(/connectTimeout/)
      const tls = yield* Effect.flip(Pool.prewarm(pool, "h.test", 80, 1, any({ tls: { minVersion: "TLSv9" } })))
      expect(tls).toMatchObject({ _tag: "InvalidRequest", method: "GET", url: "http://h.test:80" })
      const url = yield* Effect.flip(Pool.prewarm(pool, "bad host", 80, 1))
      expect(url._tag).toBe("InvalidRequest")
      // The edges are accepted.
      expect(yield* Pool.prewarm(pool, "edge.test", 0, 0)).toBe(0)
      expect(yield* Pool.prewarm(pool, "edge.test", 65535, 0)).toBe(0)
      expect(yield* Pool.prewarm(pool, "edge.test", 65535, 0, { scheme: "http" })).toBe(0)
      expect(yield* Pool.prewarm(pool, "edge.test", 65535, 0, { scheme: "https" })).toBe(0)
      expect(specs).toEqual([])
    }))
})

describe("Pool.prewarm's options", () => {
  it.scoped("prewarm options that are not an object fail with InvalidRequest, not a defect; nothing is dialled", () =>
    Effect.gen(function*() {
      const { pool, specs } = yield* recordingPool()
      for (const options of [null, "https", 5]) {
        const exit = yield* Effect.exit(Pool.prewarm(pool, "h.test", 80, 1, options as never))
        expect(Exit.isFailure(exit) && exit.cause._tag).toBe("Fail")
        const e = yield* Effect.flip(Pool.prewarm(pool, "h.test", 80, 1, options as never))
        expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
        expect((e as InvalidRequest).detail).toMatch(/^the prewarm options are .+; give an object \(or nothing\)$/)
      }
      expect(yield* Pool.prewarm(pool, "h.test", 80, 0, undefined)).toBe(0)
      expect(specs).toEqual([])
    }))
})

/** Runs `effect` with a logger that records each line's level, message and annotations. */
const logged = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      lines.push({ level: logLevel.label, message: String(message), annotations: Object.fromEntries(annotations) })
    })
    const exit = yield* Effect.exit(
      effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All))
    )
    return { exit, lines }
  })

describe("Middleware.logging", () => {
  it.scoped("one Info line per exchange: method, redacted URL, status and the time on the Clock; annotations without headers", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(201, "x", [["set-cookie", "a=1"]]))
      const slow: Middleware.Middleware = (request, next) => Effect.zipRight(TestClock.adjust(42), next(request))
      const { lines } = yield* logged(
        Hackney.get(`http://u:p@memory.test/p?q=1`, { pool: s.pool, middleware: [Middleware.logging(), slow] })
      )
      expect(lines).toEqual([{
        level: "INFO",
        message: "GET http://memory.test/p -> 201 (42 ms)",
        annotations: { "http.request.method": "GET", "url.full": "http://memory.test/p", "http.response.status_code": 201 }
      }])
    }))

  it.scoped("level sets the line's level; a failure logs its tag and time, with error.type", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      // The Clock does not start at 0: the time logged is the difference.
      yield* TestClock.adjust(10_000)
      const failing: Middleware.Middleware = () =>
        Effect.zipRight(TestClock.adjust(7), Effect.fail(new InvalidRequest({ reason: "middleware", detail: "no" })))
      const { exit, lines } = yield* logged(
        Hackney.get(`${s.url}/f`, { pool: s.pool, middleware: [Middleware.logging({ level: LogLevel.Warning }), failing] })
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(lines).toEqual([{
        level: "WARN",
        message: "GET http://memory.test/f failed: InvalidRequest (7 ms)",
        annotations: { "http.request.method": "GET", "url.full": "http://memory.test/f", "error.type": "InvalidRequest" }
      }])
      const ok = yield* logged(Hackney.get(`${s.url}/g`, { pool: s.pool, middleware: [Middleware.logging({ level: LogLevel.Debug })] }))
      expect(ok.lines.map((l) => [l.level, l.message])).toEqual([["DEBUG", "GET http://memory.test/g -> 200 (0 ms)"]])
    }))

  it.scoped("headers: true logs both heads as records (names lower-cased, repeats joined), credentials and redactHeaders redacted", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() =>
        reply(200, "", [["Set-Cookie", "a=1"], ["X-Secret", "s"], ["Via", "1.1 a"], ["via", "1.1 b"], ["Cookie", "c=1"]])
      )
      const { lines } = yield* logged(Hackney.get(`${s.url}/h`, {
        pool: s.pool,
        headers: [["Authorization", "Basic x"], ["X-Trace", "1"], ["x-trace", "2"], ["Proxy-Authorization", "p"], ["Cookie", "k=v"], ["X-Secret", "s2"]],
        middleware: [Middleware.logging({ headers: true, redactHeaders: ["X-SECRET"] })]
      }))
      expect(lines.length).toBe(1)
      expect(lines[0].annotations["http.request.headers"]).toEqual({
        authorization: "<redacted>",
        "x-trace": "1, 2",
        "proxy-authorization": "<redacted>",
        cookie: "<redacted>",
        "x-secret": "<redacted>"
      })
      expect(lines[0].annotations["http.response.headers"]).toEqual({
        "set-cookie": "<redacted>",
        "x-secret": "<redacted>",
        via: "1.1 a, 1.1 b",
        cookie: "<redacted>",
        "content-length": "0"
      })
      const plain = yield* logged(Hackney.get(`${s.url}/h`, {
        pool: s.pool,
        headers: { "x-a": "1" },
        middleware: [Middleware.logging({ headers: false })]
      }))
      expect(Object.keys(plain.lines[0].annotations).sort()).toEqual(["http.request.method", "http.response.status_code", "url.full"])
    }))

  it("redact drops userinfo, query and fragment", () => {
    expect(Middleware.redact("https://u:p@a.test:8443/x/y?q=1#f")).toBe("https://a.test:8443/x/y")
    expect(Middleware.redact("http://a.test/")).toBe("http://a.test/")
  })
})

describe("Middleware.bearerToken", () => {
  it.scoped("fetches the token once and reuses it; only a 401 fetches a new one and resends once with it", () =>
    Effect.gen(function*() {
      let fetched = 0
      const token = Effect.sync(() => `t${++fetched}`)
      const s = yield* memoryServer((r) => {
        const auth = r.headers.find(([k]) => k === "authorization")?.[1]
        return r.target === "/deny" ? reply(401, String(auth)) : r.target === "/old" && auth === "Bearer t1" ? reply(401) : reply(200, String(auth))
      })
      const mw = [Middleware.bearerToken(token)]
      expect((yield* Hackney.get(`${s.url}/a`, { pool: s.pool, middleware: mw })).text()).toBe("Bearer t1")
      expect((yield* Hackney.get(`${s.url}/b`, { pool: s.pool, middleware: mw })).text()).toBe("Bearer t1")
      expect(fetched).toBe(1)
      const forbidden = yield* Hackney.get(`${s.url}/old`, { pool: s.pool, middleware: mw })
      expect([forbidden.status, forbidden.text()]).toEqual([200, "Bearer t2"])
      expect(fetched).toBe(2)
      // The refreshed token is the one kept.
      expect((yield* Hackney.get(`${s.url}/c`, { pool: s.pool, middleware: mw })).text()).toBe("Bearer t2")
      // A second 401 is the response: one refresh per request.
      const denied = yield* Hackney.get(`${s.url}/deny`, { pool: s.pool, middleware: mw })
      expect([denied.status, denied.text()]).toEqual([401, "Bearer t3"])
      expect(fetched).toBe(3)
      expect(s.requests.map((r) => `${r.target} ${r.headers.find(([k]) => k === "authorization")?.[1]}`)).toEqual([
        "/a Bearer t1", "/b Bearer t1", "/old Bearer t1", "/old Bearer t2", "/c Bearer t2", "/deny Bearer t2", "/deny Bearer t3"
      ])
    }))

  it.scoped("replaces an Authorization the request had; a failing token fails the request with its error, untouched", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, r.headers.filter(([k]) => k === "authorization").map(([, v]) => v).join("|")))
      const res = yield* Hackney.get(`${s.url}/r`, {
        pool: s.pool,
        headers: { authorization: "Basic old" },
        middleware: [Middleware.bearerToken(Effect.succeed("new"))]
      })
      expect(res.text()).toBe("Bearer new")
      const err = new InvalidRequest({ reason: "middleware", detail: "no token" })
      const e = yield* Effect.flip(Hackney.get(`${s.url}/r`, { pool: s.pool, middleware: [Middleware.bearerToken(Effect.fail(err))] }))
      expect(e).toBe(err)
      expect(s.requests.length).toBe(1)
    }))
})

describe("the built-ins given what they do not take (a JS caller's wrong types)", () => {
  it.scoped("logging and bearerToken are made without a throw; each request through them fails with InvalidRequest (middleware) saying what was wrong, nothing sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const bad: ReadonlyArray<readonly [() => Middleware.Middleware, string]> = [
        [() => Middleware.logging(null as never), "options are null; it takes an object"],
        [() => Middleware.logging("info" as never), "options are"],
        [() => Middleware.logging({ level: "Debug" as never }), "level is"],
        [() => Middleware.logging({ headers: "yes" as never }), "headers is"],
        [() => Middleware.logging({ redactHeaders: "x-secret" as never }), "redactHeaders is"],
        [() => Middleware.logging({ redactHeaders: ["x-ok", 7] as never }), "redactHeaders is"],
        [() => Middleware.bearerToken("token" as never), "token is"],
        [() => Middleware.bearerToken(undefined as never), "token is undefined"]
      ]
      for (const [make, says] of bad) {
        const mw = make()
        const e = yield* Effect.flip(Hackney.get(`${s.url}/x?secret=1`, { pool: s.pool, middleware: [mw] }))
        expect(e).toBeInstanceOf(InvalidRequest)
        expect((e as InvalidRequest).reason).toBe("middleware")
        expect((e as InvalidRequest).detail).toContain(says)
        expect((e as InvalidRequest).url).toBe(`${s.url}/x`)
      }
      expect(s.requests.length).toBe(0)
      // the options it takes still pass
      const ok = yield* Hackney.get(`${s.url}/y`, {
        pool: s.pool,
        middleware: [Middleware.logging({ level: LogLevel.Debug, headers: false, redactHeaders: ["x-a"] }), Middleware.bearerToken(Effect.succeed("t"))]
      })
      expect(ok.status).toBe(200)
      expect(s.requests.length).toBe(1)
    }))
})

describe("Progress.track", () => {
  it.effect("reports each chunk's running total and the given total, and passes the bytes through", () =>
    Effect.gen(function*() {
      const seen: Array<Progress.Progress> = []
      const bytes = yield* Stream.make(new Uint8Array(3), new Uint8Array(0), new Uint8Array(5)).pipe(
        Stream.rechunk(1),
        (s) => Progress.track(s, 8, (p) => Effect.sync(() => seen.push(p))),
        Stream.runCollect
      )
      expect([...bytes].map((b) => b.length)).toEqual([3, 0, 5])
      expect(seen).toEqual([{ transferred: 3, total: 8 }, { transferred: 3, total: 8 }, { transferred: 8, total: 8 }])
      const unknown: Array<Progress.Progress> = []
      yield* Stream.runDrain(Progress.track(Stream.make(new Uint8Array(2)), undefined, (p) => Effect.sync(() => unknown.push(p))))
      expect(unknown).toEqual([{ transferred: 2, total: undefined }])
    }))
})

describe("Observability.metrics", () => {
  it("each public metric is the one the client records", () => {
    expect(Object.keys(Observability.metrics).sort()).toEqual([
      "activeRequests", "checkoutDuration", "connectErrors", "connectTimeouts", "connectionDuration", "connectionsCreated",
      "connectionsReused", "openConnections", "queued", "requestBodySize", "requestDuration", "responseBodySize", "staleRetries",
      "tlsHandshakeDuration"
    ])
    for (const [k, v] of Object.entries(Observability.metrics)) expect(v, k).toBe(M[k as keyof typeof M])
  })
})

describe("HackneyClient", () => {
  it.scoped("make applies its defaults to every verb; layer provides it as the HackneyClient service", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `${r.method} ${r.target} ${r.headers.find(([k]) => k === "x-d")?.[1]}`))
      const client = HackneyClient.make({ baseUrl: `${s.url}/api/`, pool: s.pool, headers: { "x-d": "1" } })
      expect(client.defaults).toMatchObject({ baseUrl: `${s.url}/api/`, headers: { "x-d": "1" } })
      expect((yield* client.get("items")).text()).toBe("GET /api/items 1")
      const fromLayer = yield* Effect.provide(HackneyClient.HackneyClient, HackneyClient.layer({ baseUrl: `${s.url}/v2/`, pool: s.pool }))
      expect((yield* fromLayer.post("x")).text()).toBe("POST /v2/x undefined")
    }))
})

describe("Multipart.boundary", () => {
  it("is hackney's format: 27 dashes and 16 letters in b..z, a new one each time", () => {
    const a = Multipart.boundary()
    expect(a).toMatch(/^-{27}[b-z]{16}$/)
    expect(Multipart.boundary()).not.toBe(a)
  })
})

describe("the service tags", () => {
  it.effect("are keyed by name, so a second copy of the library (another bundle) finds the same Pool and HackneyClient", () =>
    Effect.gen(function*() {
      expect(Pool.Pool.key).toBe("effect-hackney/Pool")
      expect(HackneyClient.HackneyClient.key).toBe("effect-hackney/HackneyClient")
      const { pool } = yield* recordingPool()
      const copyOfPool = Context.GenericTag<Pool.Pool>("effect-hackney/Pool")
      expect(yield* Effect.provideService(Pool.Pool, copyOfPool, pool)).toBe(pool)
      const client = HackneyClient.make({})
      const copyOfClient = Context.GenericTag<HackneyClient.HackneyClient>("effect-hackney/HackneyClient")
      expect(yield* Effect.provideService(HackneyClient.HackneyClient, copyOfClient, client)).toBe(client)
    }).pipe(Effect.scoped))
})
