/**
 * Option values (issue 13, item 5): every request and pool option is checked
 * once per options object; a wrong type or a value out of range fails with
 * `InvalidRequest` (`reason: "option"`) naming the option, the value and
 * what it accepts, before any I/O. The documented meanings of `0` and
 * `Infinity` hold.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Layer, Schedule, TestClock } from "effect"
import { Hackney, HackneyHttpClient, Pool } from "../src/index.js"
import { typedFailure } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = (options: Pool.Options = {}) => Effect.suspend(() => Pool.make({ name: `options-test-${poolSeq++}`, ...options }))

const failure = typedFailure

const invalidOf = (e: unknown) => {
  const err = e as { _tag: string; reason: string; detail: string; message: string }
  expect(err._tag).toBe("InvalidRequest")
  return err
}

// [option, value, how the value is shown in the error]
const invalidRequestOptions: ReadonlyArray<readonly [string, unknown, string]> = [
  ["maxPerHost", 0, "0"],
  ["maxPerHost", -1, "-1"],
  ["maxPerHost", 1.5, "1.5"],
  ["maxPerHost", "5", `"5"`],
  ["maxPerHost", NaN, "NaN"],
  ["recvTimeout", 0, "0"],
  ["recvTimeout", -1, "-1"],
  ["recvTimeout", NaN, "NaN"],
  ["recvTimeout", "5 secs", `"5 secs"`],
  ["recvTimeout", "-1 seconds", `"-1 seconds"`],
  ["recvTimeout", true, "true"],
  ["recvTimeout", Duration.zero, "an object"],
  ["connectTimeout", 0, "0"],
  ["connectTimeout", NaN, "NaN"],
  ["connectTimeout", -5, "-5"],
  ["connectTimeout", "bogus", `"bogus"`],
  ["connectTimeout", -1n, "-1n"],
  ["connectTimeout", [1, -5], "an array of 2"],
  ["checkoutTimeout", -1, "-1"],
  ["checkoutTimeout", NaN, "NaN"],
  ["checkoutTimeout", "soon", `"soon"`],
  ["continueTimeout", -1, "-1"],
  ["maxBodySize", -1, "-1"],
  ["maxBodySize", 1.5, "1.5"],
  ["maxBodySize", NaN, "NaN"],
  ["maxBodySize", "10", `"10"`],
  ["maxRedirect", -1, "-1"],
  ["maxRedirect", Infinity, "Infinity"],
  ["maxRedirect", 2.5, "2.5"],
  ["family", 5, "5"],
  ["insecure", "yes", `"yes"`],
  ["followRedirect", 1, "1"],
  ["locationTrusted", "no", `"no"`],
  ["autoDecompress", 1, "1"],
  ["retryNonIdempotent", "true", `"true"`],
  ["pool", true, "true"],
  ["pool", 3, "3"],
  ["basicAuth", ["user"], "an array of 1"],
  ["basicAuth", "user:pw", `"user:pw"`],
  ["protocols", "http/1.1", `"http/1.1"`],
  ["lookup", "dns", `"dns"`],
  ["localAddress", 127, "127"],
  ["retry", 3, "3"],
  ["retryStatuses", [700], "an array of 1"],
  ["retryStatuses", 503, "503"],
  ["cookie", 5, "5"],
  ["cookie", [["a"]], "an array of 1"],
  ["cookieJar", {}, "an object"],
  ["headers", null, "null"],
  ["headers", 5, "5"],
  ["headers", "accept: */*", `"accept: */*"`],
  ["headers", [["accept"]], "an array of 1"],
  ["headers", { accept: {} }, "an object"],
  ["tls", "strict", `"strict"`],
  ["tls.minVersion", "TLSv9", `"TLSv9"`],
  ["tls.ca", 5, "5"],
  ["tls.sessionReuse", "no", `"no"`]
]

const optionsWith = (name: string, value: unknown): Hackney.Options =>
  (name.startsWith("tls.") ? { tls: { [name.slice(4)]: value } } : { [name]: value }) as Hackney.Options

describe("request options: validation", () => {
  it.scoped("every invalid option value fails with InvalidRequest naming the option, the value and the range; nothing is sent", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const url = `${srv.url}/`
      const pool = yield* testPool()
      for (const [name, value, shown] of invalidRequestOptions) {
        const options = { ...optionsWith(name, value), pool: name === "pool" ? (value as false) : pool }
        for (const run of [
          (o: Hackney.Options) => Hackney.get(url, o),
          (o: Hackney.Options) => Effect.scoped(Hackney.stream("GET", url, o)),
          // The feature path (redirects) checks them too.
          (o: Hackney.Options) => Hackney.get(url, { followRedirect: true, ...o })
        ]) {
          const e = invalidOf(yield* failure(run(options)))
          expect(e.reason, `${name}: ${shown}`).toBe("option")
          expect(e.detail).toContain(`the option ${name} is ${shown};`)
          expect(e.detail).toMatch(/it takes .+/)
          expect(e.message).toContain(`(GET ${url})`)
        }
      }
      expect(srv.accepted()).toBe(0)
    }))

  it.scoped("the error says what the option accepts and what 0 and Infinity mean", () =>
    Effect.gen(function*() {
      const detail = (o: Hackney.Options) => Effect.map(failure(Hackney.get("http://127.0.0.1:1/", o)), (e) => invalidOf(e).detail)
      expect(yield* detail({ maxPerHost: 0 })).toBe("the option maxPerHost is 0; it takes an integer from 1, or Infinity for no limit")
      expect(yield* detail({ recvTimeout: -1 })).toBe(
        `the option recvTimeout is -1; it takes a duration above zero (a number of milliseconds, a Duration, or text such as "5 seconds"), or Infinity for no limit`
      )
      expect(yield* detail({ maxBodySize: -1 })).toBe(
        "the option maxBodySize is -1; it takes an integer from 0 (0 accepts only empty bodies), or Infinity for no limit"
      )
      expect(yield* detail({ maxRedirect: -1 })).toBe(
        "the option maxRedirect is -1; it takes an integer from 0 (0 fails at the first redirect with TooManyRedirects)"
      )
      expect(yield* detail({ checkoutTimeout: "soon" as Duration.DurationInput })).toContain("0 fails at once when no connection is free, Infinity for no limit")
    }))

  it.scoped("Hackney.open, Hackney.connect and the HttpClient check their options too, before any I/O", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const url = `${srv.url}/`
      const bad = { recvTimeout: 0 }
      for (
        const run of [
          Hackney.open("PUT", url, bad),
          Hackney.connect(url, bad),
          Hackney.connect(url, { connectTimeout: "later" as Duration.DurationInput })
        ]
      ) {
        const e = invalidOf(yield* failure(run))
        expect(e.reason).toBe("option")
      }
      const clientError = yield* failure(HttpClient.get(url).pipe(Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make({ maxBodySize: -1 }))))
      expect(clientError._tag).toBe("RequestError")
      const cause = invalidOf(clientError.cause)
      expect(cause.detail).toContain("the option maxBodySize is -1;")
      const perRequest = yield* failure(
        HttpClient.get(url).pipe(
          Effect.provideService(HackneyHttpClient.RequestOptions, { maxPerHost: 0 }),
          Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make())
        )
      )
      expect(invalidOf(perRequest.cause).detail).toContain("the option maxPerHost is 0;")
      expect(srv.accepted()).toBe(0)
    }))

  it.scoped("an options object is validated once: later requests with it do not read its timeouts again", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* testPool()
      let reads = 0
      const options: Hackney.Options = {
        pool,
        get recvTimeout(): Duration.DurationInput {
          reads++
          return "2 seconds"
        }
      }
      yield* Hackney.get(`${srv.url}/`, options)
      const first = reads
      expect(first).toBeGreaterThan(0)
      for (let i = 0; i < 5; i++) yield* Hackney.get(`${srv.url}/`, options)
      expect(reads).toBe(first)
      // An invalid object is not remembered as valid: it fails every time.
      const bad: Hackney.Options = { pool, maxPerHost: 0 }
      for (let i = 0; i < 2; i++) expect(invalidOf(yield* failure(Hackney.get(`${srv.url}/`, bad))).reason).toBe("option")
    }))
})

describe("request options: the meaning of 0 and Infinity", () => {
  it.scoped("accepted edge values: Infinity timeouts and limits, 0 where documented, every duration form", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* testPool()
      for (
        const o of [
          { recvTimeout: Infinity },
          { connectTimeout: Infinity },
          { connectTimeout: Duration.infinity },
          { checkoutTimeout: Infinity },
          { checkoutTimeout: 0 },
          { maxPerHost: Infinity },
          { maxBodySize: Infinity },
          { maxRedirect: 0 },
          { continueTimeout: 0 },
          { recvTimeout: Duration.seconds(2) },
          { recvTimeout: "2 seconds" as Duration.DurationInput },
          { recvTimeout: [2, 0] as const },
          { recvTimeout: 2_000_000_000n },
          { retry: Schedule.recurs(1), retryStatuses: [503] },
          { headers: [["x-a", "1"]] as Array<[string, string]>, tls: { minVersion: "TLSv1.2" as const } }
        ] satisfies ReadonlyArray<Hackney.Options>
      ) {
        const res = yield* Hackney.get(`${srv.url}/`, { pool, ...o })
        expect(res.text()).toBe("x")
      }
    }))

  it.scoped("maxBodySize: 0 accepts an empty body and fails a non-empty one with BodyTooLarge", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => res.end(req.url === "/empty" ? "" : "x"))
      const pool = yield* testPool()
      expect((yield* Hackney.get(`${srv.url}/empty`, { pool, maxBodySize: 0 })).body.length).toBe(0)
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/full`, { pool, maxBodySize: 0 }))
      expect(e._tag).toBe("BodyTooLarge")
    }))

  it.scoped("maxRedirect: 0 fails the first redirect with TooManyRedirects", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        if (req.url === "/a") res.writeHead(302, { location: "/b" }).end()
        else res.end("b")
      })
      const pool = yield* testPool()
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/a`, { pool, followRedirect: true, maxRedirect: 0 }))
      expect(e._tag).toBe("TooManyRedirects")
    }))

  it.scoped("checkoutTimeout: 0 fails at once with CheckoutTimeout when no connection is free", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* testPool({ maxPerHost: 1 })
      // Hold the only connection: a streamed response not yet read.
      yield* Hackney.stream("GET", `${srv.url}/`, { pool })
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool, checkoutTimeout: 0 }))
      expect(e._tag).toBe("CheckoutTimeout")
    }))
})

// [option, value, how the value is shown]
const invalidPoolOptions: ReadonlyArray<readonly [string, unknown, string]> = [
  ["maxPerHost", 0, "0"],
  ["maxPerHost", -1, "-1"],
  ["maxPerHost", "50", `"50"`],
  ["maxConnections", -1, "-1"],
  ["maxConnections", NaN, "NaN"],
  ["maxConnections", 2.5, "2.5"],
  ["keepaliveTimeout", -1, "-1"],
  ["keepaliveTimeout", NaN, "NaN"],
  ["keepaliveTimeout", "2 secs", `"2 secs"`],
  ["checkoutTimeout", -1, "-1"],
  ["checkoutTimeout", "never", `"never"`],
  ["prewarmCount", -1, "-1"],
  ["prewarmCount", Infinity, "Infinity"],
  ["tlsPooling", "yes", `"yes"`],
  ["name", "", `""`],
  ["name", 5, "5"]
]

describe("pool options: validation", () => {
  it.effect("Pool.make and Pool.layer fail with InvalidRequest naming the option; Pool.layerConfig and Hackney.layerConfig with a ConfigError", () =>
    Effect.gen(function*() {
      for (const [name, value, shown] of invalidPoolOptions) {
        const options = { [name]: value } as Pool.Options
        const made = invalidOf(yield* failure(Effect.scoped(Pool.make(options))))
        expect(made.reason).toBe("option")
        expect(made.detail).toContain(`the option ${name} is ${shown};`)
        const layered = invalidOf(yield* failure(Pool.stats("x").pipe(Effect.provide(Layer.fresh(Pool.layer(options))))))
        expect(layered.detail).toBe(made.detail)
        const config = Config.succeed(options)
        for (const layer of [Pool.layerConfig(config), Hackney.layerConfig(config)]) {
          const e = yield* failure(Pool.stats("x").pipe(Effect.provide(Layer.fresh(layer))))
          expect(e).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
          expect(String(e)).toContain(`the option ${name} is ${shown};`)
        }
      }
    }))

  it.effect("Pool.layerConfig: an out-of-range value read from the environment is a ConfigError", () =>
    Effect.gen(function*() {
      const config = Config.all({ maxPerHost: Config.integer("POOL_MAX_PER_HOST") })
      const provider = ConfigProvider.fromMap(new Map([["POOL_MAX_PER_HOST", "0"]]))
      const e = yield* failure(Pool.stats("x").pipe(Effect.provide(Pool.layerConfig(config)), Effect.withConfigProvider(provider)))
      expect(e).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
      expect(String(e)).toContain("the option maxPerHost is 0; it takes an integer from 1")
    }))

  it.effect("edge values: maxConnections 0, keepaliveTimeout 0 and Infinity, maxPerHost Infinity are accepted", () =>
    Effect.gen(function*() {
      for (
        const o of [
          { maxConnections: 0 },
          { maxConnections: Infinity },
          { keepaliveTimeout: 0 },
          { keepaliveTimeout: Infinity },
          { maxPerHost: Infinity },
          { checkoutTimeout: 0 },
          { prewarmCount: 0 }
        ] satisfies ReadonlyArray<Pool.Options>
      ) {
        const stats = yield* Effect.scoped(Effect.flatMap(testPool(o), (p) => Pool.stats(p)))
        expect(stats.inUse).toBe(0)
      }
    }))

  it.scoped("maxConnections: 0 and keepaliveTimeout: 0 keep no idle connection", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      for (const o of [{ maxConnections: 0 }, { keepaliveTimeout: 0 }]) {
        const pool = yield* testPool(o)
        yield* Hackney.get(`${srv.url}/`, { pool })
        yield* TestClock.adjust("1 millis")
        expect((yield* Pool.stats(pool)).free, JSON.stringify(o)).toBe(0)
      }
    }))

  it.effect("Pool.prewarm checks its arguments and request options", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Effect.Effect<number, unknown>, string]> = [
        [Pool.prewarm("default", 5 as unknown as string, 80), "the host is 5;"],
        [Pool.prewarm("default", "127.0.0.1", 70000), "the port is 70000;"],
        [Pool.prewarm("default", "127.0.0.1", 80, -1), "the count is -1;"],
        [Pool.prewarm("default", "127.0.0.1", 80, 1, { scheme: "ftp" as "http" }), `the option scheme is "ftp";`],
        [Pool.prewarm("default", "127.0.0.1", 80, 1, { connectTimeout: 0 }), "the option connectTimeout is 0;"]
      ]
      for (const [run, detail] of cases) expect(invalidOf(yield* failure(run)).detail).toContain(detail)
    }).pipe(Effect.provide(Layer.fresh(Hackney.layer))))
})

describe("request options: body", () => {
  it.scoped("a request body of the wrong type fails with InvalidRequest(body)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      for (const body of [42, null, true, {}, { file: 5 }, { form: "a=1" }, { multipart: "a=1" }]) {
        const options = { body } as unknown as Hackney.Options
        const e = invalidOf(yield* failure(Hackney.post(`${srv.url}/`, options)))
        expect(e.reason).toBe("body")
        expect(e.detail).toContain("give a string, a Uint8Array, { form }, { file: path }, { multipart: parts } or a Stream<Uint8Array>")
      }
      expect(srv.accepted()).toBe(0)
    }))
})
