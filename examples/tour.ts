/**
 * The tour (`npm start`): effect-hackney against an embedded local server —
 * one-shot GET and POST (`json` body, `query` parameters, `res.header`), a
 * client with defaults (`HackneyClient`: base URL, headers, `timeout`), a
 * streaming response, a streaming upload, the connection API, pool stats,
 * typed errors caught with catchTag (`RecvTimeout`, `RequestTimeout`), a
 * redirect followed with a cookie jar, automatic decompression, and the
 * same engine behind @effect/platform's HttpClient.
 * Everything runs on 127.0.0.1; the process exits by itself.
 */
import { HttpClient } from "@effect/platform"
import { Effect, Stream } from "effect"
import { CookieJar, Hackney, HackneyClient, HackneyError, HackneyHttpClient, Pool } from "effect-hackney"
import { local } from "./server.js"

const step = (title: string, line: string) => console.log(`- ${title.padEnd(20)} ${line}`)

const tour = Effect.gen(function*() {
  const server = yield* local
  console.log(`effect-hackney tour (embedded server at ${server.url})`)

  // 1. One-shot requests: the body comes back with the response.
  const hello = yield* Hackney.get(`${server.url}/hello`)
  step("GET", `${hello.status} ${hello.text().trim()}`)
  // `json` serialises the value and sets Content-Type: application/json; `query` is appended to the URL.
  const posted = yield* Hackney.post(`${server.url}/echo`, { json: { hello: "world" }, query: { lang: "en", page: 2 } })
  const echo = posted.json() as { url: string; body: string; headers: Record<string, string> }
  step("POST json + query", `${posted.status} ${posted.header("content-type")}; the server got ${echo.body} at ${echo.url}`)

  // 1b. A client with defaults: a base URL (RFC 3986 resolution), headers and a total timeout for every request.
  const api = HackneyClient.make({ baseUrl: `${server.url}/`, headers: { "x-app": "tour" }, timeout: "2 seconds" })
  const viaClient = (yield* api.get("echo")).json() as { url: string; headers: Record<string, string> }
  step("HackneyClient", `GET ${viaClient.url} with x-app: ${viaClient.headers["x-app"]}`)

  // 2. A streaming response: pulled chunk by chunk, with backpressure.
  const streamed = yield* Effect.scoped(
    Effect.flatMap(Hackney.stream("GET", `${server.url}/big?mb=8`), (res) =>
      res.body.pipe(Stream.runFold(0, (n, chunk) => n + chunk.length)))
  )
  step("stream response", `${streamed} bytes without buffering them`)

  // 3. A streaming upload: send pieces, then await the response.
  const uploaded = yield* Effect.scoped(
    Effect.gen(function*() {
      const w = yield* Hackney.open("PUT", `${server.url}/upload`)
      for (let i = 0; i < 4; i++) yield* w.send(new Uint8Array(16 * 1024))
      const res = yield* w.response
      return yield* res.text
    })
  )
  step("stream upload", uploaded.trim())

  // 4. The connection API: one socket, several requests.
  const before = server.connections()
  const statuses = yield* Effect.scoped(
    Effect.gen(function*() {
      const conn = yield* Hackney.connect(server.url)
      const a = yield* conn.request({ method: "GET", path: "/hello" })
      const b = yield* conn.request({ method: "GET", path: "/missing" })
      return [a.status, b.status]
    })
  )
  step("connection", `${statuses.join(", ")} over ${server.connections() - before} connection`)

  // 5. A pool: 10 concurrent requests, at most 3 connections.
  const stats = yield* Effect.gen(function*() {
    yield* Effect.forEach(Array.from({ length: 10 }), () => Hackney.get(`${server.url}/hello`), {
      concurrency: "unbounded",
      discard: true
    })
    return yield* Pool.stats("tour")
  }).pipe(Effect.scoped, Effect.provide(Pool.layer({ name: "tour", maxPerHost: 3 })))
  step("pool", `10 requests; in use ${stats.inUse}, idle ${stats.free}, queued ${stats.queued}`)

  // 6. Typed errors: a timeout is a value you can catch by tag.
  const timedOut = yield* Hackney.get(`${server.url}/slow?ms=5000`, { recvTimeout: "100 millis" }).pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTag("RecvTimeout", (e) => Effect.succeed(`RecvTimeout after ${e.timeoutMillis} ms, retryable: ${HackneyError.isRetryable(e)}`))
  )
  step("catchTag", timedOut)
  // `timeout` bounds the whole exchange (connect, send, head, body) on Effect's Clock.
  const deadline = yield* api.get("slow?ms=5000", { timeout: "100 millis" }).pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTag("RequestTimeout", (e) => Effect.succeed(`RequestTimeout after ${e.timeoutMillis} ms (the whole exchange)`))
  )
  step("timeout", deadline)

  // 7. Redirects and cookies: /login sets a cookie and redirects; the jar sends it to /me.
  const me = yield* Hackney.get(`${server.url}/login`, { followRedirect: true }).pipe(
    Effect.provide(CookieJar.layer)
  )
  step("redirect + jar", `${me.text().trim()} (via ${me.redirects.map((r) => r.status).join(", ")})`)

  // 8. Automatic decompression, in one-shot and stream mode alike.
  const gz = yield* Hackney.get(`${server.url}/gzip`, { autoDecompress: true })
  step("autoDecompress", gz.text().trim())

  // 9. The same engine behind @effect/platform's HttpClient: one Effect.provide.
  const viaPlatform = yield* HttpClient.get(`${server.url}/hello`).pipe(
    Effect.flatMap((res) => res.text),
    Effect.provide(HackneyHttpClient.layer)
  )
  step("HttpClient layer", viaPlatform.trim())
  console.log("done")
})

Effect.runPromise(Effect.scoped(tour)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
