/**
 * A pool's middleware on the requests of the `HttpClient` layer built on it:
 * order, request and response rewriting, re-sending (bearer token on 401),
 * the redirect hops of `followRedirects`, and typed failures — the same
 * contract as on Hackney's own requests.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import type * as http from "node:http"
import { HackneyError, HackneyHttpClient, Headers, Middleware, Pool } from "../src/index.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const clientLayer = (options: Pool.Options) =>
  Layer.provide(HackneyHttpClient.layerWithoutHackney, Pool.layer({ name: `hc-mw-${poolSeq++}`, ...options }))

/** Echoes method, URL and headers as JSON; `/redirect` answers 302 to `/final`; `/secret` wants `Bearer fresh`. */
const echo: http.RequestListener = (req, res) => {
  req.resume()
  req.on("end", () => {
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "/final", "content-length": 0 })
      res.end()
      return
    }
    if (req.url === "/secret" && req.headers.authorization !== "Bearer fresh") {
      res.writeHead(401, { "content-length": 0 })
      res.end()
      return
    }
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-server": "echo" })
    res.end(body)
  })
}

const trace = (log: Array<string>, name: string): Middleware.Middleware => (request, next) =>
  Effect.sync(() => log.push(`${name}> ${new URL(request.url).pathname}`)).pipe(
    Effect.zipRight(next(request)),
    Effect.tap((res) => Effect.sync(() => log.push(`<${name} ${res.status}`)))
  )

interface Echoed {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
}

describe("HttpClient layer: the pool's middleware", () => {
  it.scoped("runs outermost first around each request, and the response is the engine's when returned unchanged", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const log: Array<string> = []
      const res = yield* HttpClient.get(`${srv.url}/a`).pipe(
        Effect.provide(clientLayer({ middleware: [trace(log, "outer"), trace(log, "inner")] }))
      )
      expect(log).toEqual(["outer> /a", "inner> /a", "<inner 200", "<outer 200"])
      expect(res.status).toBe(200)
      expect(((yield* res.json) as Echoed).url).toBe("/a")
    }))

  it.scoped("a middleware rewrites the request (method, URL, headers) and the response (headers, body)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const rewrite: Middleware.Middleware = (request, next) =>
        Effect.map(
          next({
            method: "PUT",
            url: request.url.replace("/original", "/rewritten"),
            headers: Headers.set(request.headers, "x-added", "yes")
          }),
          (res) => ({
            ...res,
            headers: Headers.set(res.headers, "x-from-middleware", "1"),
            body: Stream.map(res.body, (chunk) => new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()))
          })
        )
      const res = yield* HttpClient.get(`${srv.url}/original`, { headers: { "x-kept": "k" } }).pipe(
        Effect.provide(clientLayer({ middleware: [rewrite] }))
      )
      expect(res.status).toBe(200)
      expect(res.headers["x-from-middleware"]).toBe("1")
      expect(res.headers["x-server"]).toBe("echo")
      const body = JSON.parse(yield* res.text) as { METHOD: string; URL: string; HEADERS: Record<string, string> }
      expect(body.METHOD).toBe("PUT")
      expect(body.URL).toBe("/REWRITTEN")
      expect(body.HEADERS["X-ADDED"]).toBe("YES")
      expect(body.HEADERS["X-KEPT"]).toBe("K")
    }))

  it.scoped("Middleware.bearerToken refreshes on 401 and sends the request once more", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      let tokens = 0
      const token = Effect.sync(() => (tokens++ === 0 ? "stale" : "fresh"))
      const res = yield* HttpClient.get(`${srv.url}/secret`).pipe(
        Effect.provide(clientLayer({ middleware: [Middleware.bearerToken(token)] }))
      )
      expect(res.status).toBe(200)
      expect(((yield* res.json) as Echoed).headers.authorization).toBe("Bearer fresh")
      expect(tokens).toBe(2)
    }))

  it.scoped("with followRedirects the chain runs once per hop", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const log: Array<string> = []
      const res = yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
        HackneyHttpClient.followRedirects(client).get(`${srv.url}/redirect`)).pipe(
          Effect.provide(clientLayer({ middleware: [trace(log, "m")] }))
        )
      expect(res.status).toBe(200)
      expect(log).toEqual(["m> /redirect", "<m 302", "m> /final", "<m 200"])
    }))

  it.scoped("a middleware's failure is the RequestError's typed cause; a throw or a response without next is InvalidRequest", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const refuse: Middleware.Middleware = () =>
        Effect.fail(new HackneyError.InvalidRequest({ reason: "header-value", detail: "refused by policy" }))
      const throws: Middleware.Middleware = () => {
        throw new Error("boom")
      }
      const noNext: Middleware.Middleware = (request) =>
        Effect.succeed({ status: 200, reason: "OK", url: request.url, headers: Headers.empty, body: Stream.empty })
      const failure = (mw: Middleware.Middleware) =>
        HttpClient.get(srv.url).pipe(Effect.provide(clientLayer({ middleware: [mw] })), Effect.flip)
      const refused = yield* failure(refuse)
      expect(refused).toBeInstanceOf(HttpClientError.RequestError)
      expect((refused.cause as HackneyError.InvalidRequest).detail).toBe("refused by policy")
      for (const mw of [throws, noNext]) {
        const e = yield* failure(mw)
        const cause = e.cause as HackneyError.InvalidRequest
        expect(cause._tag).toBe("InvalidRequest")
        expect(cause.reason).toBe("middleware")
      }
    }))

  it.scoped("a middleware failing after next leaves no connection in use (a body still streaming)", () =>
    Effect.gen(function*() {
      // The head first, the rest of the body later: the response holds its connection until it is released.
      const srv = yield* httpServer((_req, res) => {
        res.writeHead(200, { "content-length": 4 })
        res.write("ab")
        setTimeout(() => res.end("cd"), 300)
      })
      const pool = yield* Pool.make({ name: `hc-mw-fail-${poolSeq++}`, middleware: [(request, next) =>
        Effect.zipRight(next(request), Effect.fail(new HackneyError.InvalidRequest({ reason: "header-value", detail: "after next" })))] })
      const e = yield* HttpClient.get(srv.url).pipe(
        Effect.provide(Layer.provide(HackneyHttpClient.layerWithoutHackney, Layer.succeed(Pool.Pool, pool))),
        Effect.flip
      )
      expect((e.cause as HackneyError.InvalidRequest).detail).toBe("after next")
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("sending a Stream body twice fails typed (reason body)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer(echo)
      const twice: Middleware.Middleware = (request, next) => Effect.zipRight(next(request), next(request))
      const e = yield* HttpClient.execute(
        HttpClientRequest.post(srv.url).pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2, 3]))))
      ).pipe(Effect.provide(clientLayer({ middleware: [twice] })), Effect.flip)
      const cause = e.cause as HackneyError.InvalidRequest
      expect(cause._tag).toBe("InvalidRequest")
      expect(cause.reason).toBe("body")
    }))

  it.scoped("re-sending drains the earlier response: both sends use one connection", () =>
    Effect.gen(function*() {
      let requests = 0
      const srv = yield* httpServer((req, res) => {
        requests++
        echo(req, res)
      })
      const twice: Middleware.Middleware = (request, next) => Effect.zipRight(next(request), next(request))
      const res = yield* HttpClient.get(srv.url).pipe(Effect.provide(clientLayer({ middleware: [twice] })))
      yield* res.text
      expect(requests).toBe(2)
      expect(srv.accepted()).toBe(1)
    }))
})
