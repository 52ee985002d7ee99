/**
 * Middleware (hackney 4.x): order (outermost first, the pool's outside the
 * request's), rewriting the request and the response, one call per redirect
 * hop and retry attempt, typed errors, and the two built-ins (redacted
 * logging, bearer token refreshed on 401).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel, Schedule, Stream } from "effect"
import type * as http from "node:http"
import { Hackney, HackneyError, Headers, Middleware, Pool } from "../src/index.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = (options: Pool.Options = {}) => Effect.suspend(() => Pool.make({ name: `mw-test-${poolSeq++}`, ...options }))

/** Echoes what it got: method, URL and the headers named by `x-echo`. */
const echo: http.RequestListener = (req, res) => {
  req.resume()
  req.on("end", () => {
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    res.end(body)
  })
}

const trace = (log: Array<string>, name: string): Middleware.Middleware => (request, next) =>
  Effect.sync(() => log.push(`${name}>`)).pipe(
    Effect.zipRight(next(request)),
    Effect.tap(() => Effect.sync(() => log.push(`<${name}`)))
  )

describe("middleware", () => {
  it.scoped("runs outermost first; the pool's list is the default, a request's own list replaces it ([] runs none)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const log: Array<string> = []
      const pool = yield* testPool({ middleware: [trace(log, "p1"), trace(log, "p2")] })
      yield* Hackney.get(srv.url, { pool })
      expect(log).toEqual(["p1>", "p2>", "<p2", "<p1"])
      log.length = 0
      const res = yield* Hackney.get(srv.url, { pool, middleware: [trace(log, "a"), trace(log, "b")] })
      expect(res.status).toBe(200)
      expect(log).toEqual(["a>", "b>", "<b", "<a"])
      log.length = 0
      yield* Hackney.get(srv.url, { pool, middleware: [] })
      expect(log).toEqual([])
    }))

  it.scoped("Pool.layer({ middleware }) applies to the requests of the layer's pool", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const log: Array<string> = []
      yield* Hackney.get(srv.url).pipe(Effect.provide(Pool.layer({ name: `mw-layer-${poolSeq++}`, middleware: [trace(log, "layer")] })))
      expect(log).toEqual(["layer>", "<layer"])
    }))

  it.scoped("can rewrite the request's headers and URL, and the response's headers and body", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const pool = yield* testPool()
      const rewrite: Middleware.Middleware = (request, next) =>
        Effect.map(
          next({ ...request, url: `${srv.url}/rewritten`, headers: Headers.set(request.headers, "x-added", "1") }),
          (res) => ({
            ...res,
            status: res.status,
            reason: res.reason,
            url: res.url,
            headers: Headers.set(res.headers, "x-seen", "yes"),
            body: Stream.map(res.body, (chunk) => new Uint8Array([...chunk].reverse()))
          })
        )
      const res = yield* Hackney.get(`${srv.url}/original`, { pool, middleware: [rewrite] })
      expect(res.header("x-seen")).toBe("yes")
      const sent = JSON.parse(new TextDecoder().decode(new Uint8Array([...res.body].reverse())))
      expect(sent.url).toBe("/rewritten")
      expect(sent.headers["x-added"]).toBe("1")
    }))

  it.scoped("the request it sees is immutable: a middleware's change reaches only what it passes on", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const pool = yield* testPool()
      let seen: Middleware.Request | undefined
      const inner: Middleware.Middleware = (request, next) => {
        seen = request
        return next(request)
      }
      const outer: Middleware.Middleware = (request, next) => {
        return next({ ...request, headers: Headers.set(request.headers, "x-a", "1") })
      }
      const headers = Headers.fromInput({ "x-orig": "o" })
      yield* Hackney.get(srv.url, { pool, headers, middleware: [outer, inner] })
      expect(Headers.getOrUndefined(seen!.headers, "x-a")).toBe("1")
      expect(Headers.getOrUndefined(headers, "x-a")).toBeUndefined()
    }))

  it.scoped("runs around every redirect hop and every retry attempt", () =>
    Effect.gen(function*() {
      let hits = 0
      const srv = yield* httpServer((req, res) => {
        req.resume()
        hits++
        if (req.url === "/start") {
          res.writeHead(302, { location: "/flaky", "content-length": 0 })
          return res.end()
        }
        if (hits <= 2) {
          res.writeHead(503, { "content-length": 0 })
          return res.end()
        }
        res.writeHead(200, { "content-length": 2 })
        res.end("ok")
      })
      const pool = yield* testPool()
      const urls: Array<string> = []
      const record: Middleware.Middleware = (request, next) =>
        Effect.zipRight(Effect.sync(() => urls.push(new URL(request.url).pathname)), next(request))
      const res = yield* Hackney.get(`${srv.url}/start`, {
        pool,
        followRedirect: true,
        retry: Schedule.recurs(2),
        middleware: [record]
      })
      expect(res.status).toBe(200)
      // hop 1 (302), hop 2 (503, retried once → 200)
      expect(urls).toEqual(["/start", "/flaky", "/flaky"])
    }))

  it.scoped("a middleware's HackneyError fails the request as it is; a throw or a response without next is InvalidRequest 'middleware'", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const pool = yield* testPool()
      const failing: Middleware.Middleware = () => Effect.fail(new HackneyError.InvalidRequest({ reason: "option", detail: "nope" }))
      const e1 = yield* Effect.flip(Hackney.get(srv.url, { pool, middleware: [failing] }))
      expect(e1._tag).toBe("InvalidRequest")
      expect((e1 as HackneyError.InvalidRequest).detail).toBe("nope")

      const throwing: Middleware.Middleware = () => {
        throw new Error("boom")
      }
      const e2 = yield* Effect.flip(Hackney.get(srv.url, { pool, middleware: [throwing] }))
      expect(e2).toMatchObject({ _tag: "InvalidRequest", reason: "middleware" })
      expect((e2 as HackneyError.InvalidRequest).detail).toContain("boom")

      const forged: Middleware.Middleware = (request) =>
        Effect.succeed({ status: 200, reason: "OK", url: request.url, headers: Headers.empty, body: Stream.empty })
      const e3 = yield* Effect.flip(Hackney.get(srv.url, { pool, middleware: [forged] }))
      expect(e3).toMatchObject({ _tag: "InvalidRequest", reason: "middleware" })

      const notEffect = (() => 42) as unknown as Middleware.Middleware
      const e4 = yield* Effect.flip(Hackney.get(srv.url, { pool, middleware: [notEffect] }))
      expect(e4).toMatchObject({ _tag: "InvalidRequest", reason: "middleware" })

      const e5 = yield* Effect.flip(Hackney.get(srv.url, { pool, middleware: 5 as never }))
      expect(e5).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect((e5 as HackneyError.InvalidRequest).detail).toContain("middleware")
      const e6 = yield* Effect.flip(Pool.make({ name: "mw-bad", middleware: [1] as never }))
      expect(e6).toMatchObject({ _tag: "InvalidRequest", reason: "option", found: "pool" })
    }))

  it.scoped("streaming requests run the middleware too", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const pool = yield* testPool()
      const log: Array<string> = []
      const res = yield* Hackney.stream("GET", srv.url, { pool, middleware: [trace(log, "s")] })
      expect(res.status).toBe(200)
      yield* res.text
      expect(log).toEqual(["s>", "<s"])
    }))
})

describe("Middleware.bearerToken", () => {
  it.scoped("sends the token; on 401 fetches a new one and sends the request once more on the same connection", () =>
    Effect.gen(function*() {
      let valid = "t2"
      const seen: Array<string | undefined> = []
      const srv = yield* httpServer((req, res) => {
        req.resume()
        seen.push(req.headers.authorization)
        if (req.headers.authorization !== `Bearer ${valid}`) {
          res.writeHead(401, { "content-length": 6 })
          return res.end("denied")
        }
        res.writeHead(200, { "content-length": 2 })
        res.end("ok")
      })
      const pool = yield* testPool()
      let fetched = 0
      const token = Effect.sync(() => `t${++fetched}`)
      const auth = Middleware.bearerToken(token)
      const res = yield* Hackney.get(srv.url, { pool, middleware: [auth] })
      expect(res.status).toBe(200)
      expect(seen).toEqual(["Bearer t1", "Bearer t2"])
      expect(srv.accepted()).toBe(1)
      // Kept: the next request uses t2 without fetching.
      yield* Hackney.get(srv.url, { pool, middleware: [auth] })
      expect(fetched).toBe(2)
      // Still 401 after the refresh: the second 401 is the answer (one re-run only).
      valid = "never"
      const denied = yield* Hackney.get(srv.url, { pool, middleware: [auth] })
      expect(denied.status).toBe(401)
      expect(fetched).toBe(3)
      expect(seen.slice(3)).toEqual(["Bearer t2", "Bearer t3"])
    }))

  it.scoped("a Stream body cannot be re-sent: the 401 re-run fails with InvalidRequest 'body'", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        req.resume()
        req.on("end", () => {
          res.writeHead(401, { "content-length": 0 })
          res.end()
        })
      })
      const pool = yield* testPool()
      const e = yield* Effect.flip(
        Hackney.post(srv.url, {
          pool,
          body: Stream.make(new TextEncoder().encode("x")),
          middleware: [Middleware.bearerToken(Effect.succeed("t"))]
        })
      )
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
    }))
})

describe("Middleware.logging", () => {
  it.scoped("logs each exchange, without userinfo, query string or credentials", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const pool = yield* testPool()
      const lines: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        lines.push(`${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
      })
      const url = srv.url.replace("http://", "http://user:secret@") + "/path?token=abc"
      yield* Hackney.get(url, {
        pool,
        headers: { authorization: "Bearer abc", "x-key": "k1" },
        middleware: [Middleware.logging({ headers: true, redactHeaders: ["x-key"] })]
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Info))
      expect(lines.length).toBe(1)
      const line = lines[0]
      expect(line).toContain(`GET ${srv.url}/path -> 200`)
      expect(line).toContain(`"http.response.status_code":200`)
      expect(line).not.toMatch(/secret|user:|token=|abc|k1/)
      expect(line).toContain("<redacted>")
      expect(Middleware.redact("https://u:p@a.test:8443/x/y?q=1#f")).toBe("https://a.test:8443/x/y")
    }))

  it.scoped("a failed exchange is logged with its error type", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => {
        lines.push(String(message))
      })
      const e = yield* Effect.flip(
        Hackney.get("http://127.0.0.1:1/", { pool: false, middleware: [Middleware.logging()] }).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
      )
      expect(e._tag).toBe("ConnectError")
      expect(lines).toEqual([expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:1\/ failed: ConnectError \(\d+ ms\)$/)])
    }))
})
