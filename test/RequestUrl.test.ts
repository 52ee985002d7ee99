/**
 * Request URLs (issue 13, items 6 and 7): only `http`, `https` and
 * `http+unix` URLs are requested — anything else fails with
 * `InvalidRequest` before any I/O, at every entry point and on redirects;
 * a WHATWG `URL` is accepted wherever a string or `Url` is; wrong-typed
 * calls from JavaScript fail typed, never as a defect.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { Hackney, HackneyHttpClient, Pool, Url } from "../src/index.js"
import type { Echo } from "./support/hackney.js"
import { echoHandler, echoServer, rawValues, typedFailure } from "./support/hackney.js"
import { httpServer, rawServer, unixServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `request-url-test-${poolSeq++}` }))

const failure = typedFailure

const invalidOf = (e: unknown) => {
  const err = e as { _tag: string; reason: string; detail: string }
  expect(err._tag, JSON.stringify(err)).toBe("InvalidRequest")
  return err
}

/** A TCP server that counts connections and never answers. */
const silentServer = rawServer(() => {})

const echoOf = (res: Hackney.Response): Echo => res.json() as Echo

describe("request URLs: schemes", () => {
  it.scoped("only http, https and http+unix are requested: other schemes and relative URLs fail with InvalidRequest before any I/O, at every entry point", () =>
    Effect.gen(function*() {
      const srv = yield* silentServer
      const hostPort = `127.0.0.1:${srv.port}`
      const cases: ReadonlyArray<readonly [string, "scheme" | "url"]> = [
        [`mailto:x@${hostPort}`, "scheme"],
        [`ws://${hostPort}/`, "scheme"],
        [`wss://${hostPort}/`, "scheme"],
        [`socks5://${hostPort}`, "scheme"],
        [`ftp://${hostPort}/`, "scheme"],
        [`gopher://${hostPort}/`, "scheme"],
        ["file:///etc/passwd", "scheme"],
        ["file:/etc/passwd", "scheme"],
        ["data:text/plain,hi", "scheme"],
        ["javascript:alert(1)", "scheme"],
        [`user:pw@${hostPort}/`, "scheme"],
        [`http:/${hostPort}/`, "url"],
        ["/relative", "url"],
        ["./relative", "url"],
        ["../relative", "url"],
        ["?q=1", "url"],
        ["//127.0.0.1/x", "url"]
      ]
      const pool = yield* testPool
      for (const [text, reason] of cases) {
        const inputs: Array<Hackney.UrlInput> = [text]
        const parsed = Url.parse(text)
        if (Either.isRight(parsed) && reason === "scheme" && text.includes("://")) inputs.push(parsed.right)
        // (WHATWG reads "http:/host/" as "http://host/": only the scheme cases as URL objects.)
        if (reason === "scheme" && URL.canParse(text)) inputs.push(new URL(text))
        for (const input of inputs) {
          const runs = [
            Hackney.get(input, { pool }),
            Hackney.request("POST", input, { pool, body: "x" }),
            Effect.scoped(Hackney.stream("GET", input, { pool })),
            Hackney.get(input, { pool, followRedirect: true, autoDecompress: true }),
            Effect.scoped(Hackney.open("PUT", input, { pool })),
            Effect.scoped(Hackney.connect(typeof input === "string" || input instanceof URL ? input : Url.format(input)))
          ]
          for (const run of runs) {
            const e = invalidOf(yield* failure(run))
            expect(e.reason, `${String(input)}: ${e.detail}`).toBe(reason)
          }
        }
      }
      // The HttpClient layer: the platform parses the URL; a non-HTTP scheme is InvalidUrl with the typed cause.
      for (const text of [`ws://${hostPort}/`, `wss://${hostPort}/`, `ftp://${hostPort}/`, `socks5://${hostPort}/`, "mailto:x@127.0.0.1"]) {
        const e = yield* failure(
          HttpClient.get(text).pipe(Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make({ pool })))
        )
        expect(e).toMatchObject({ _tag: "RequestError", reason: "InvalidUrl" })
        expect(invalidOf(e.cause).reason).toBe("scheme")
      }
      expect(srv.accepted()).toBe(0)
    }))

  it.scoped("host, host:port and http://user:password@host stay valid request URLs", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const pool = yield* testPool
      const res = yield* Hackney.get(`127.0.0.1:${srv.port}/a?b=1`, { pool })
      expect(echoOf(res).url).toBe("/a?b=1")
      const auth = yield* Hackney.get(`http://user:pw@127.0.0.1:${srv.port}/`, { pool })
      expect(rawValues(echoOf(auth).rawHeaders, "authorization")).toEqual([`Basic ${btoa("user:pw")}`])
    }))

  it.scoped("a redirect to a non-HTTP URL is not followed: InvalidRequest naming the scheme, and the target gets nothing", () =>
    Effect.gen(function*() {
      const target = yield* silentServer
      const hostPort = `127.0.0.1:${target.port}`
      let location = ""
      const srv = yield* httpServer((_req, res) => res.writeHead(302, { location }).end())
      const pool = yield* testPool
      const cases: ReadonlyArray<readonly [string, "scheme" | "url"]> = [
        [`ws://${hostPort}/`, "scheme"],
        [`wss://${hostPort}/`, "scheme"],
        [`ftp://${hostPort}/`, "scheme"],
        [`socks5://${hostPort}`, "scheme"],
        [`mailto:x@${hostPort}`, "url"]
      ]
      for (const [to, reason] of cases) {
        location = to
        for (const run of [
          Hackney.get(`${srv.url}/`, { pool, followRedirect: true }),
          Effect.scoped(Hackney.stream("GET", `${srv.url}/`, { pool, followRedirect: true }))
        ]) {
          const e = invalidOf(yield* failure(run))
          expect(e.reason, to).toBe(reason)
          if (reason === "scheme") expect(e.detail).toContain("it was not followed (set followRedirect: false to get the 302 response)")
        }
        // Without followRedirect the 302 itself is the response.
        expect((yield* Hackney.get(`${srv.url}/`, { pool })).status).toBe(302)
        // The HttpClient's redirect follower fails the same way.
        const e = yield* failure(
          HttpClient.get(`${srv.url}/`).pipe(
            Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.followRedirects(HackneyHttpClient.make({ pool })))
          )
        )
        expect(e._tag).toBe("RequestError")
      }
      expect(target.accepted()).toBe(0)
    }))
})

describe("request URLs: WHATWG URL objects", () => {
  it.scoped("a WHATWG URL is accepted by request, the verbs, stream, open and connect", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const pool = yield* testPool
      const url = new URL(`${srv.url}/a b?c=d e#frag`)
      const res = yield* Hackney.get(url, { pool })
      expect(echoOf(res).url).toBe("/a%20b?c=d%20e")
      expect(res.url).toBe(url.href)
      const posted = yield* Hackney.request("POST", url, { pool, body: "hi" })
      expect(echoOf(posted).body).toBe("hi")
      const streamed = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, { pool }), (r) => r.text))
      expect((JSON.parse(streamed) as Echo).url).toBe("/a%20b?c=d%20e")
      const redirected = yield* Hackney.get(url, { pool, followRedirect: true })
      expect(echoOf(redirected).url).toBe("/a%20b?c=d%20e")
      const written = yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("PUT", url, { pool })
        yield* w.send("part")
        return yield* (yield* w.response).text
      }))
      expect((JSON.parse(written) as Echo).body).toBe("part")
      const viaConnect = yield* Effect.scoped(Effect.gen(function*() {
        const conn = yield* Hackney.connect(new URL(srv.url))
        return yield* conn.request({ method: "GET", path: "/c" })
      }))
      expect(echoOf(viaConnect).url).toBe("/c")
      // Userinfo of a URL object becomes Basic credentials.
      const withAuth = yield* Hackney.get(new URL(`http://us%40er:p%3Aw@127.0.0.1:${srv.port}/`), { pool })
      expect(rawValues(echoOf(withAuth).rawHeaders, "authorization")).toEqual([`Basic ${btoa("us@er:p:w")}`])
    }))

  it.scoped("an http+unix URL object reaches the unix socket", () =>
    Effect.gen(function*() {
      const path = yield* unixServer(echoHandler)
      const pool = yield* testPool
      const res = yield* Hackney.get(new URL(`http+unix://${encodeURIComponent(path)}/v1?x=1`), { pool })
      expect(echoOf(res).url).toBe("/v1?x=1")
    }))
})

describe("request URLs: wrong-typed calls from JavaScript", () => {
  it.scoped("every wrong-typed call fails with InvalidRequest, never a defect, and sends nothing", () =>
    Effect.gen(function*() {
      const srv = yield* silentServer
      const url = `${srv.url}/`
      const pool = yield* testPool
      const any = <T>(u: unknown) => u as T
      const o = (x: unknown) => any<Hackney.Options>(x)
      const cases: ReadonlyArray<readonly [string, () => Effect.Effect<unknown, unknown, any>, string]> = [
        ["a number URL", () => Hackney.get(any(42), { pool }), "url"],
        ["a null URL", () => Hackney.get(any(null), { pool }), "url"],
        ["an undefined URL", () => Hackney.get(any(undefined), { pool }), "url"],
        ["an object URL", () => Hackney.get(any({ href: url }), { pool }), "url"],
        ["a number method", () => Hackney.request(any(5), url, { pool }), "method"],
        ["a null method", () => Hackney.request(any(null), url, { pool }), "method"],
        ["null options", () => Hackney.get(url, o(null)), "option"],
        ["number options", () => Hackney.get(url, o(5)), "option"],
        ["string options", () => Hackney.get(url, o("pool")), "option"],
        ["headers: null", () => Hackney.get(url, o({ pool, headers: null })), "option"],
        ["headers: 5", () => Hackney.get(url, o({ pool, headers: 5 })), "option"],
        ["a header value object", () => Hackney.get(url, o({ pool, headers: { a: {} } })), "option"],
        ["body: 42", () => Hackney.post(url, o({ pool, body: 42 })), "body"],
        ["body: null", () => Hackney.post(url, o({ pool, body: null })), "body"],
        ["body: {}", () => Hackney.post(url, o({ pool, body: {} })), "body"],
        ["body: { file: 5 }", () => Hackney.post(url, o({ pool, body: { file: 5 } })), "body"],
        ["method: 5, feature path", () => Hackney.request(any(5), url, { pool, followRedirect: true }), "method"],
        ["a number URL, feature path", () => Hackney.get(any(42), { pool, followRedirect: true }), "url"],
        ["headers: null, feature path", () => Hackney.get(url, o({ pool, followRedirect: true, headers: null })), "option"],
        ["body: 42, feature path", () => Hackney.post(url, o({ pool, followRedirect: true, body: 42 })), "body"],
        ["stream: a number method", () => Effect.scoped(Hackney.stream(any(5), url, { pool })), "method"],
        ["stream: a number URL", () => Effect.scoped(Hackney.stream("GET", any(42), { pool })), "url"],
        ["stream: null options", () => Effect.scoped(Hackney.stream("GET", url, o(null))), "option"],
        ["open: a number URL", () => Effect.scoped(Hackney.open("PUT", any(42), { pool })), "url"],
        ["open: null options", () => Effect.scoped(Hackney.open("PUT", url, o(null))), "option"],
        ["open: a number method", () => Effect.scoped(Hackney.open(any(5), url, { pool })), "method"],
        ["connect: a number target", () => Effect.scoped(Hackney.connect(any(42))), "url"],
        ["connect: a null target", () => Effect.scoped(Hackney.connect(any(null))), "url"],
        ["connect: an unknown transport", () => Effect.scoped(Hackney.connect(any({ transport: "udp", host: "127.0.0.1" }))), "url"],
        ["connect: a number host", () => Effect.scoped(Hackney.connect(any({ transport: "tcp", host: 5 }))), "url"],
        ["connect: a string port", () => Effect.scoped(Hackney.connect(any({ transport: "tcp", host: "127.0.0.1", port: "80" }))), "url"],
        ["connect: null options", () => Effect.scoped(Hackney.connect(url, o(null))), "option"],
        ["Pool.make(null)", () => Effect.scoped(Pool.make(any(null))), "option"],
        ["Pool.prewarm with a null host", () => Pool.prewarm(pool, any(null), 80), "option"]
      ]
      for (const [what, run, reason] of cases) {
        const e = invalidOf(yield* failure(run()))
        expect(e.reason, `${what}: ${e.detail}`).toBe(reason)
      }
      expect(srv.accepted()).toBe(0)
    }))

  it.scoped("requests on a connection: wrong-typed requests fail with InvalidRequest, never a defect", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const any = <T>(u: unknown) => u as T
      yield* Effect.scoped(Effect.gen(function*() {
        const conn = yield* Hackney.connect(srv.url)
        const cases: ReadonlyArray<readonly [string, unknown, string]> = [
          ["null", null, "option"],
          ["a string", "GET /", "option"],
          ["a number method", { method: 5 }, "method"],
          ["a number path", { method: "GET", path: 5 }, "target"],
          ["headers: null", { method: "GET", headers: null }, "option"],
          ["body: 42", { method: "POST", body: 42 }, "body"]
        ]
        for (const [what, req, reason] of cases) {
          for (const run of [conn.request(any(req)), Effect.scoped(conn.stream(any(req)))]) {
            const e = invalidOf(yield* failure(run))
            expect(e.reason, `${what}: ${e.detail}`).toBe(reason)
          }
        }
        // The connection still works.
        expect(echoOf(yield* conn.request({ method: "GET", path: "/ok" })).url).toBe("/ok")
      }))
    }))

  it.scoped("Writer.send given something else than a string or bytes fails with InvalidRequest(body), nothing of it sent", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const pool = yield* testPool
      for (const chunk of [42, null, {}, [1, 2]]) {
        const body = yield* Effect.scoped(Effect.gen(function*() {
          const w = yield* Hackney.open("PUT", `${srv.url}/`, { pool })
          const e = invalidOf(yield* failure(w.send(chunk as unknown as string)))
          expect(e.reason).toBe("body")
          yield* w.send("ok")
          return yield* (yield* w.response).text
        }))
        expect((JSON.parse(body) as Echo).body).toBe("ok")
      }
    }))

  it.scoped("the HttpClient: make(null) and wrong-typed per-request options fail typed (RequestError with the InvalidRequest)", () =>
    Effect.gen(function*() {
      const srv = yield* silentServer
      for (
        const client of [
          HackneyHttpClient.make(null as unknown as HackneyHttpClient.Options),
          HackneyHttpClient.make({ headers: null } as unknown as HackneyHttpClient.Options)
        ]
      ) {
        const e = yield* failure(
          HttpClient.execute(HttpClientRequest.get(`${srv.url}/`)).pipe(Effect.provideService(HttpClient.HttpClient, client))
        )
        expect(e._tag).toBe("RequestError")
        expect(invalidOf(e.cause).reason).toBe("option")
      }
      expect(srv.accepted()).toBe(0)
    }).pipe(Effect.provide(Layer.empty)))
})
