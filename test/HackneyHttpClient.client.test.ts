/**
 * The `HttpClient` adapter's client and combinators over in-memory
 * connections (test/support/memoryPool.ts): the cookie jar combinator, the
 * redirect policy (with `blockPrivateRedirects`), the client's pool and
 * options from context, and the public module's dual forms. Another
 * `HttpClient` is played by `HttpClient.make` over web `Response`s.
 */
import { HttpBody, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Stream } from "effect"
import { InvalidRequest, isHackneyError, TooManyRedirects } from "../src/HackneyError.js"
import type { ProtocolError } from "../src/HackneyError.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import { CookieJar, Headers, Observability, Pool } from "../src/index.js"
import { labels } from "../src/internal/observe/metrics.js"
import type { Middleware } from "../src/index.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import type { MemoryRequest, MemoryServer, Respond } from "./support/memoryPool.js"
import type { MockPeer } from "./support/mockTransport.js"

const clientOf = (s: MemoryServer, options: HackneyHttpClient.Options = {}): HttpClient.HttpClient =>
  HttpClient.withTracerPropagation(HackneyHttpClient.make({ pool: s.pool, ...options }), false)

const headerOf = (req: MemoryRequest, name: string): string | undefined => req.headers.find(([k]) => k === name)?.[1]

/** Another `HttpClient`: `answer` makes a web Response for each request; `seen` records them. */
const otherClient = (answer: (req: HttpClientRequest.HttpClientRequest, url: URL) => Response) => {
  const seen: Array<HttpClientRequest.HttpClientRequest> = []
  const client = HttpClient.make((req, url) =>
    Effect.sync(() => {
      seen.push(req)
      return HttpClientResponse.fromWeb(req, answer(req, url))
    })
  )
  return { client, seen }
}

/** Answers with `head` and `first` now and each of `rest` on a later turn of the event loop (a body read after the head). */
const held = (peer: MockPeer, head: string, first: string, ...rest: ReadonlyArray<string>): undefined => {
  peer.send(head + first)
  rest.forEach((part, i) => setTimeout(() => peer.send(part), 1 + 5 * i))
  return undefined
}

const textOf = <E, R>(effect: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>) =>
  Effect.flatMap(effect, (r) => r.text)

describe("withCookieJar", () => {
  it.scoped("sends the jar's cookies for the URL, merged into the request's own Cookie header", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const jar = CookieJar.make()
      CookieJar.setCookieAt(jar, "a=jar; Path=/app", `${s.url}/app/`, 0)
      const client = clientOf(s).pipe(HackneyHttpClient.withCookieJar(jar))
      yield* textOf(client.get(`${s.url}/app/x`))
      expect(headerOf(s.requests[0], "cookie")).toBe("a=jar")
      // Outside the cookie's path: nothing.
      yield* textOf(client.get(`${s.url}/other`))
      expect(headerOf(s.requests[1], "cookie")).toBeUndefined()
      // The request's own cookies are kept, first; a same-named one takes the jar's value.
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(
        HttpClientRequest.setHeader("cookie", " mine=1 ; a=own;; other=2")
      )))
      expect(headerOf(s.requests[2], "cookie")).toBe("mine=1; other=2; a=jar")
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "a=own"))))
      expect(headerOf(s.requests[3], "cookie")).toBe("a=jar")
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "  "))))
      expect(headerOf(s.requests[4], "cookie")).toBe("a=jar")
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/other`).pipe(HttpClientRequest.setHeader("cookie", "mine=1"))))
      expect(headerOf(s.requests[5], "cookie")).toBe("mine=1")
      // A cookie pair without "=": its name is "" (kept unless the jar has a nameless cookie).
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "flag"))))
      expect(headerOf(s.requests[6], "cookie")).toBe("flag; a=jar")
      // Names are compared without the spaces around them.
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "a =own; b=1"))))
      expect(headerOf(s.requests[7], "cookie")).toBe("b=1; a=jar")
      // "fla" is not the name of the pair "flag".
      CookieJar.setCookieAt(jar, "fla=1; Path=/app", `${s.url}/app/`, 0)
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "flag"))))
      expect(headerOf(s.requests[8], "cookie")).toMatch(/^flag; /)
    }))

  it.scoped("stores every Set-Cookie line against the URL that sent it, same-named cookies of other paths apart", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) =>
        req.target === "/login?x=1"
          ? "HTTP/1.1 200 OK\r\nset-cookie: id=x; Path=/x\r\nset-cookie: id=y; Path=/y\r\n" +
            "set-cookie: when=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT\r\ncontent-length: 0\r\n\r\n"
          : reply(200, "ok")
      )
      const jar = CookieJar.make()
      const client = clientOf(s).pipe(HackneyHttpClient.withCookieJar(jar))
      yield* textOf(client.execute(HttpClientRequest.get(`${s.url}/login`).pipe(HttpClientRequest.setUrlParam("x", "1"))))
      expect(CookieJar.cookieHeaderAt(jar, `${s.url}/x`, 0)).toEqual(Option.some("id=x; when=1"))
      expect(CookieJar.cookieHeaderAt(jar, `${s.url}/y`, 0)).toEqual(Option.some("id=y; when=1"))
      yield* textOf(client.get(`${s.url}/y/z`))
      expect(headerOf(s.requests[1], "cookie")).toBe("id=y; when=1")
      // A response without Set-Cookie stores nothing.
      yield* textOf(client.get(`${s.url}/none`))
      expect(CookieJar.cookiesAt(jar, 0)).toHaveLength(3)
    }))

  it.scoped("over a scoped request (the platform's own response, unwrapped) the lines are stored the same", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "HTTP/1.1 200 OK\r\nset-cookie: id=x; Path=/x\r\nset-cookie: id=y; Path=/y\r\ncontent-length: 0\r\n\r\n")
      const jar = CookieJar.make()
      const client = HttpClient.withScope(clientOf(s)).pipe(HackneyHttpClient.withCookieJar(jar))
      yield* Effect.scoped(textOf(client.get(`${s.url}/login`)))
      expect(CookieJar.cookieHeaderAt(jar, `${s.url}/x`, 0)).toEqual(Option.some("id=x"))
      expect(CookieJar.cookieHeaderAt(jar, `${s.url}/y`, 0)).toEqual(Option.some("id=y"))
    }))

  it.scoped("without a jar: the CookieJar service of the request's context, or nothing at all", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "HTTP/1.1 200 OK\r\nset-cookie: s=1\r\ncontent-length: 0\r\n\r\n")
      const client = clientOf(s).pipe(HackneyHttpClient.withCookieJar())
      yield* textOf(client.get(`${s.url}/a`))
      yield* textOf(client.get(`${s.url}/b`))
      expect(headerOf(s.requests[1], "cookie")).toBeUndefined()
      const jar = CookieJar.make()
      yield* Effect.provideService(
        Effect.zipRight(textOf(client.get(`${s.url}/c`)), textOf(client.get(`${s.url}/d`))),
        CookieJar.CookieJar,
        jar
      )
      expect(headerOf(s.requests[2], "cookie")).toBeUndefined()
      expect(headerOf(s.requests[3], "cookie")).toBe("s=1")
      expect(CookieJar.cookieHeaderAt(jar, `${s.url}/`, 0)).toEqual(Option.some("s=1"))
    }))

  it.scoped("a request whose URL cannot be built passes through untouched: the client's InvalidUrl", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "ok"))
      const jar = CookieJar.make()
      const e = yield* Effect.flip(clientOf(s).pipe(HackneyHttpClient.withCookieJar(jar)).get("not a url"))
      expect(e._tag).toBe("RequestError")
      expect(e.reason).toBe("InvalidUrl")
      expect(s.requests).toHaveLength(0)
    }))

  it.effect("over another client: its cookies, re-serialised, are stored; the jar's are sent", () =>
    Effect.gen(function*() {
      const { client, seen } = otherClient((req) =>
        new Response("", { headers: req.url.endsWith("/set") ? [["set-cookie", "o=1; Path=/"], ["set-cookie", "p=2"]] : [] })
      )
      const jar = CookieJar.make()
      const withJar = HackneyHttpClient.withCookieJar(client, jar)
      yield* withJar.get("http://other.test/set")
      yield* withJar.get("http://other.test/next")
      expect(seen[1].headers["cookie"]).toBe("o=1; p=2")
    }))
})

/** A memory server that redirects `/r/<status>?to=<location>` and echoes anything else. */
const redirector: Respond = (req) => {
  const m = /^\/r\/(\d+)(?:\?to=(.*))?$/.exec(req.target)
  if (m !== null) {
    const to = m[2] === undefined ? undefined : decodeURIComponent(m[2])
    return reply(Number(m[1]), "redirect body", to === undefined ? [] : [["location", to]])
  }
  if (req.target === "/many") return "HTTP/1.1 302 Found\r\nlocation: /a\r\nlocation: /b\r\ncontent-length: 0\r\n\r\n"
  if (req.target === "/same") return "HTTP/1.1 302 Found\r\nlocation: /a\r\nlocation: /a\r\ncontent-length: 0\r\n\r\n"
  if (req.target.startsWith("/loop")) return reply(302, "", [["location", `/loop${req.target.length}`]])
  return reply(200, `${req.method} ${req.target} on ${req.connection} ${req.body}`)
}
const go = (status: number, to: string) => `/r/${status}?to=${encodeURIComponent(to)}`

describe("followRedirects", () => {
  it.scoped("301/302/303 re-issue as GET without the body and its headers; HEAD stays HEAD; 307/308 keep both", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      const post = (status: number) =>
        HttpClientRequest.post(`${s.url}${go(status, "/end")}`).pipe(HttpClientRequest.bodyText("data", "text/x"))
      for (const status of [301, 302, 303]) {
        expect(yield* textOf(client.execute(post(status)))).toBe("GET /end on 1 ")
        const last = s.requests[s.requests.length - 1]
        expect(headerOf(last, "content-type")).toBeUndefined()
        expect(headerOf(last, "content-length")).toBeUndefined()
      }
      for (const status of [307, 308]) {
        expect(yield* textOf(client.execute(post(status)))).toBe("POST /end on 1 data")
        expect(headerOf(s.requests[s.requests.length - 1], "content-type")).toBe("text/x")
      }
      const head = yield* client.execute(HttpClientRequest.head(`${s.url}${go(302, "/end")}`))
      expect(head.status).toBe(200)
      expect(s.requests[s.requests.length - 1].method).toBe("HEAD")
    }))

  it.scoped("a 307 of a Stream body fails Encode: the body cannot be sent again", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      const e = yield* Effect.flip(client.execute(
        HttpClientRequest.post(`${s.url}${go(307, "/end")}`).pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1]))))
      ))
      expect(e.reason).toBe("Encode")
      const cause = e.cause as InvalidRequest
      expect(cause.reason).toBe("body")
      expect(cause.detail).toBe("a 307 redirect must resend the body, and a Stream body cannot be replayed")
      expect(cause.found).toBe("redirect")
      // A 303 drops the body: followed.
      expect(yield* textOf(client.execute(
        HttpClientRequest.post(`${s.url}${go(303, "/end")}`).pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1]))))
      ))).toMatch(/^GET \/end/)
    }))

  it.scoped("a change of origin drops Authorization, Cookie, Proxy-Authorization and userinfo unless trusted", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const creds = (url: string) =>
        HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders({
          authorization: "Bearer t",
          cookie: "c=1",
          "proxy-authorization": "Basic p",
          "x-keep": "k"
        }))
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      yield* textOf(client.execute(creds(`${s.url}${go(302, "http://other.test/end")}`)))
      const cross = s.requests[s.requests.length - 1]
      expect(headerOf(cross, "host")).toBe("other.test")
      expect(headerOf(cross, "authorization")).toBeUndefined()
      expect(headerOf(cross, "cookie")).toBeUndefined()
      expect(headerOf(cross, "proxy-authorization")).toBeUndefined()
      expect(headerOf(cross, "x-keep")).toBe("k")
      yield* textOf(client.execute(creds(`${s.url}${go(302, "/end")}`)))
      const same = s.requests[s.requests.length - 1]
      expect(headerOf(same, "authorization")).toBe("Bearer t")
      expect(headerOf(same, "cookie")).toBe("c=1")
      const trusted = clientOf(s).pipe(HackneyHttpClient.followRedirects({ trusted: true }))
      yield* textOf(trusted.execute(creds(`${s.url}${go(302, "http://other.test/end")}`)))
      const kept = s.requests[s.requests.length - 1]
      expect(headerOf(kept, "authorization")).toBe("Bearer t")
      expect(headerOf(kept, "cookie")).toBe("c=1")
      // Userinfo in the Location: dropped with the origin change, kept when trusted.
      yield* textOf(client.get(`${s.url}${go(302, "http://u:p@other.test/ui")}`))
      expect(headerOf(s.requests[s.requests.length - 1], "authorization")).toBeUndefined()
      yield* textOf(trusted.get(`${s.url}${go(302, "http://u:p@other.test/ui")}`))
      expect(headerOf(s.requests[s.requests.length - 1], "authorization")).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`)
    }))

  it.scoped("a relative Location resolves against the request's URL with its parameters; surrounding spaces are ignored", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) =>
        req.target.startsWith("/dir/start") ? reply(302, "", [["location", "  next?b=2  "]]) : reply(200, req.target)
      )
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      const res = yield* client.execute(HttpClientRequest.get(`${s.url}/dir/start`).pipe(HttpClientRequest.setUrlParam("a", "1")))
      expect(yield* res.text).toBe("/dir/next?b=2")
      expect(s.requests[0].target).toBe("/dir/start?a=1")
    }))

  it.scoped("an intermediate body is drained: every hop on one connection", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      expect(yield* textOf(client.get(`${s.url}${go(302, go(301, "/end"))}`))).toBe("GET /end on 1 ")
      expect(s.peers).toHaveLength(1)
    }))

  it.scopedLive("an intermediate body read after its head is drained up to 64 KiB: a short one keeps its connection, a long one not", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req, peer) =>
        req.target === "/short"
          ? held(peer, "HTTP/1.1 302 Found\r\nlocation: /end\r\ncontent-length: 10\r\n\r\n", "12345", "67890")
          : req.target === "/long"
          ? held(peer, "HTTP/1.1 302 Found\r\nlocation: /end\r\ncontent-length: 70000\r\n\r\n", "x".repeat(1000), "y".repeat(65000), "z".repeat(4000))
          : reply(200, `${req.target} on ${req.connection}`)
      )
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      expect(yield* textOf(client.get(`${s.url}/short`))).toBe("/end on 1")
      expect(yield* textOf(client.get(`${s.url}/long`))).toBe("/end on 2")
      expect(s.peers[0].closed()).toBe(true)
    }))

  it.scoped("a 3xx without a Location, or with an empty one, is the response", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      const none = yield* client.get(`${s.url}/r/302`)
      expect(none.status).toBe(302)
      expect(yield* none.text).toBe("redirect body")
      const empty = yield* client.get(`${s.url}${go(301, "")}`)
      expect(empty.status).toBe(301)
      // Not a redirect status: not followed.
      const other = yield* client.get(`${s.url}${go(300, "/end")}`)
      expect(other.status).toBe(300)
      expect(s.requests).toHaveLength(3)
    }))

  it.scoped("past maxRedirects: RequestError with TooManyRedirects and the chain; maxRedirects 0 follows none", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const e = yield* Effect.flip(clientOf(s).pipe(HackneyHttpClient.followRedirects({ maxRedirects: 2 })).get(`${s.url}/loop`))
      expect(e._tag).toBe("RequestError")
      expect(e.reason).toBe("Transport")
      const cause = e.cause as TooManyRedirects
      expect(cause).toBeInstanceOf(TooManyRedirects)
      expect(cause.max).toBe(2)
      expect(cause.chain).toEqual([`${s.url}/loop`, `${s.url}/loop5`, `${s.url}/loop6`])
      expect(cause.method).toBe("GET")
      expect(cause.url).toBe(`${s.url}/loop`)
      expect(s.requests).toHaveLength(3)
      // The default is 5.
      const d = yield* Effect.flip(clientOf(s).pipe(HackneyHttpClient.followRedirects()).get(`${s.url}/loop`))
      expect((d.cause as TooManyRedirects).max).toBe(5)
      expect((d.cause as TooManyRedirects).chain).toHaveLength(6)
      const zero = yield* Effect.flip(clientOf(s).pipe(HackneyHttpClient.followRedirects({ maxRedirects: 0 })).get(`${s.url}/loop`))
      expect((zero.cause as TooManyRedirects).chain).toEqual([`${s.url}/loop`])
    }))

  it.scoped("an invalid Location fails InvalidUrl; several different ones fail with multiple-locations; repeats count once", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects())
      const bad = yield* Effect.flip(client.get(`${s.url}${go(302, "http://[bad")}`))
      expect(bad.reason).toBe("InvalidUrl")
      const cause = bad.cause as InvalidRequest
      expect(cause.reason).toBe("url")
      expect(cause.detail).toBe("the redirect Location \"http://[bad\" is not a valid URL")
      expect(cause.found).toBe("redirect")
      const many = yield* Effect.flip(client.get(`${s.url}/many`))
      expect(many.reason).toBe("Transport")
      expect((many.cause as ProtocolError).reason).toBe("multiple-locations")
      expect((many.cause as ProtocolError).url).toBe(`${s.url}/many`)
      expect(yield* textOf(client.get(`${s.url}/same`))).toMatch(/^GET \/a on/)
    }))

  it.effect("over another client: the same rules", () =>
    Effect.gen(function*() {
      const { client, seen } = otherClient((req, url) =>
        url.pathname === "/start"
          ? new Response(null, { status: 302, headers: { location: "http://two.test/end" } })
          : new Response(`${req.method} ${url.pathname}`)
      )
      const res = yield* HackneyHttpClient.followRedirects(client, { maxRedirects: 1 }).execute(
        HttpClientRequest.post("http://one.test/start").pipe(
          HttpClientRequest.bodyText("x"),
          HttpClientRequest.setHeader("authorization", "Bearer t")
        )
      )
      expect(yield* res.text).toBe("GET /end")
      expect(seen[1].headers["authorization"]).toBeUndefined()
      expect(seen[1].body).toBe(HttpBody.empty)
    }))
})

describe("followRedirects({ blockPrivateRedirects })", () => {
  it.scoped("over this client: a hop whose connection is to a private address is refused, nothing sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      const e = yield* Effect.flip(client.get(`${s.url}${go(302, "http://other.test/secret")}`))
      expect(e._tag).toBe("RequestError")
      const cause = e.cause as InvalidRequest
      expect(cause).toBeInstanceOf(InvalidRequest)
      expect(cause.reason).toBe("private-address")
      expect(s.requests.map((r) => r.target)).toEqual([go(302, "http://other.test/secret")])
      // The same without the option: followed.
      expect(yield* textOf(clientOf(s).pipe(HackneyHttpClient.followRedirects()).get(`${s.url}${go(302, "http://other.test/secret")}`)))
        .toMatch(/^GET \/secret/)
    }))

  it.scoped("over this client: a hop to a public address is followed", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector, {}, { remoteAddress: "93.184.215.14" })
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      expect(yield* textOf(client.get(`${s.url}${go(302, "http://other.test/public")}`))).toMatch(/^GET \/public on/)
      // The request options of the context are kept on the guarded hop.
      const withOptions = yield* textOf(client.get(`${s.url}${go(302, "http://other.test/public2")}`)).pipe(
        Effect.provideService(HackneyHttpClient.RequestOptions, { headers: { "x-opt": "1" } })
      )
      expect(withOptions).toMatch(/^GET \/public2 on/)
      expect(headerOf(s.requests[s.requests.length - 1], "x-opt")).toBe("1")
    }))

  it.scoped("over this client: a guarded hop that meets a stale kept-alive connection is sent again on a new one", () =>
    Effect.gen(function*() {
      let n = 0
      const s = yield* memoryServer((req, peer) => {
        n++
        if (n === 1) return reply(302, "", [["location", "/end"]])
        if (n === 2) {
          peer.end()
          return undefined
        }
        return reply(200, `${req.target} on ${req.connection}`)
      }, {}, { remoteAddress: "93.184.215.14" })
      const client = clientOf(s).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      expect(yield* textOf(client.get(`${s.url}/start`))).toBe("/end on 2")
      expect(s.requests.map((r) => `${r.target} ${r.connection}`)).toEqual(["/start 1", "/end 1", "/end 2"])
    }))

  it.effect("over another client it fails instead of being ignored", () =>
    Effect.gen(function*() {
      const { client, seen } = otherClient((_req, url) =>
        url.pathname === "/start"
          ? new Response("drained", { status: 302, headers: { location: "http://two.test/end" } })
          : new Response("end")
      )
      const e = yield* Effect.flip(HackneyHttpClient.followRedirects(client, { blockPrivateRedirects: true }).get("http://one.test/start"))
      const cause = e.cause as InvalidRequest
      expect(cause.reason).toBe("option")
      expect(cause.detail).toBe(
        "blockPrivateRedirects checks the address of each hop's connection, which only HackneyHttpClient's client knows; " +
          "compose followRedirects over it, or leave the option unset"
      )
      expect(cause.url).toBe("http://two.test/end")
      expect(seen).toHaveLength(2)
    }))
})

describe("the client", () => {
  it.scoped("without a pool option: the Pool service of the request's context", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `from memory ${req.target}`))
      const client = HttpClient.withTracerPropagation(HackneyHttpClient.make(), false)
      const text = yield* textOf(client.get(`${s.url}/ctx`)).pipe(Effect.provideService(Pool.Pool, s.pool))
      expect(text).toBe("from memory /ctx")
    }))

  it.scoped("a pool without metrics records none of its requests", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "x"))
      yield* textOf(clientOf(s).get("http://hc-no-metrics.test/"))
      const done = labels(
        ["http.request.method", "server.address", "server.port", "http.response.status_code", "network.protocol.version"],
        ["GET", "hc-no-metrics.test", 80, 200, "1.1"]
      )
      expect(Observability.metrics.requestDuration.unsafeValue(done).count).toBe(0)
    }))

  it.scoped("layerWithoutHackney: the layer's pool; what else the layer was given reaches each request", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "layer"))
      const plain = yield* Effect.provide(HttpClient.HttpClient, HackneyHttpClient.layerWithoutHackney.pipe(
        Layer.provide(Layer.succeed(Pool.Pool, s.pool))
      ))
      expect(yield* textOf(plain.get(`${s.url}/p`))).toBe("layer")
      const withOptions = yield* Effect.provide(HttpClient.HttpClient, HackneyHttpClient.layerWithoutHackney.pipe(
        Layer.provide(Layer.succeed(Pool.Pool, s.pool)),
        Layer.provide(Layer.succeed(HackneyHttpClient.RequestOptions, { headers: { "x-layer": "1" } }))
      ))
      yield* textOf(withOptions.get(`${s.url}/o`))
      expect(headerOf(s.requests[1], "x-layer")).toBe("1")
      // A request's own RequestOptions win over the layer's.
      yield* textOf(withOptions.get(`${s.url}/o`)).pipe(
        Effect.provideService(HackneyHttpClient.RequestOptions, { headers: { "x-layer": "2" } })
      )
      expect(headerOf(s.requests[2], "x-layer")).toBe("2")
    }))

  it.scoped("a pool's middleware runs around the adapter's requests; its failure is the RequestError's cause", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const s = yield* memoryServer((req) => reply(200, `${req.method} ${headerOf(req, "x-mw") ?? "-"}`), {
        features: {
          middleware: [(req, next) => {
            seen.push(`${req.method} ${req.url}`)
            if (req.url.endsWith("/fail")) return Effect.fail(new InvalidRequest({ reason: "middleware", detail: "refused" }))
            return next({ ...req, method: "put" })
          }]
        }
      })
      const client = clientOf(s)
      expect(yield* textOf(client.get(`${s.url}/m`))).toBe("PUT -")
      expect(seen).toEqual([`GET ${s.url}/m`])
      const e = yield* Effect.flip(client.get(`${s.url}/fail`))
      expect(e._tag).toBe("RequestError")
      expect((e.cause as InvalidRequest).detail).toBe("refused")
    }))
})

describe("a pool's middleware on the adapter's requests", () => {
  const withMiddleware = (respond: Respond, ...middleware: ReadonlyArray<Middleware.Middleware>) =>
    Effect.map(memoryServer(respond, { features: { middleware } }), (s) => ({ s, client: clientOf(s) }))
  const echoHead: Respond = (req) =>
    reply(200, `${req.method} ${req.target} ${req.headers.filter(([k]) => k.startsWith("x-")).map(([k, v]) => `${k}=${v}`).join(",")}`)

  it.scoped("sees the method, the URL and the headers; an unchanged request is sent as it was", () =>
    Effect.gen(function*() {
      const seen: Array<Middleware.Request> = []
      const { client, s } = yield* withMiddleware(echoHead, (req, next) => {
        seen.push(req)
        return next(req)
      })
      const res = yield* client.execute(HttpClientRequest.post(`${s.url}/a?q=1`).pipe(
        HttpClientRequest.setHeader("x-a", "1"),
        HttpClientRequest.bodyText("body")
      ))
      expect(yield* res.text).toBe("POST /a?q=1 x-a=1")
      expect(res.remoteAddress).toEqual(Option.some("127.0.0.1"))
      expect(seen[0].method).toBe("POST")
      expect(seen[0].url).toBe(`${s.url}/a?q=1`)
      expect(Headers.get(seen[0].headers, "x-a")).toEqual(Option.some("1"))
      expect(s.requests[0].body).toBe("body")
    }))

  it.scoped("a rewritten method is upper-cased; rewritten headers are sent, repeated ones joined; the URL is followed", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(echoHead, (req, next) =>
        next({
          method: req.url.endsWith("/m") ? "patch" : req.method,
          url: req.url.endsWith("/u") ? req.url.replace("/u", "/moved") : req.url,
          headers: req.url.endsWith("/h") ? Headers.fromRaw(["X-B", "1", "x-b", "2", "X-C", "3"]) : req.headers
        }))
      expect(yield* textOf(client.get(`${s.url}/m`, { headers: { "x-a": "1" } }))).toBe("PATCH /m x-a=1")
      expect(yield* textOf(client.get(`${s.url}/h`, { headers: { "x-a": "1" } }))).toBe("GET /h x-b=1, 2,x-c=3")
      expect(s.peers[0].written()).toContain("\r\nx-b: 1, 2\r\n")
      expect(yield* textOf(client.get(`${s.url}/u`))).toBe("GET /moved ")
    }))

  it.scoped("an invalid URL from a middleware fails the request with InvalidRequest url, sending nothing", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(echoHead, (req, next) => next({ ...req, url: "not a url" }))
      const e = yield* Effect.flip(client.get(`${s.url}/x`))
      const cause = e.cause as InvalidRequest
      expect(cause.reason).toBe("url")
      expect(cause.detail).toBe("a middleware passed an invalid URL \"not a url\"")
      expect(cause.url).toBe(`${s.url}/x`)
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("a rewritten response: the middleware's headers, reason and body with the server's status; none for 204", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(
        (req) =>
          req.target === "/empty"
            ? "HTTP/1.1 204 No Content\r\n\r\n"
            : req.target === "/304"
            ? "HTTP/1.1 304 Not Modified\r\n\r\n"
            : req.target === "/205"
            ? "HTTP/1.1 205 Reset Content\r\ncontent-length: 0\r\n\r\n"
            : reply(201, "abc"),
        (req, next) =>
          Effect.map(next(req), (res) => ({
            ...res,
            reason: "Rewritten",
            headers: Headers.fromRaw(["x-mw", "1", "x-mw", "2"]),
            body: Stream.map(res.body, (c) => new TextEncoder().encode(new TextDecoder().decode(c).toUpperCase()))
          }))
      )
      const res = yield* client.get(`${s.url}/r`)
      expect(res.status).toBe(201)
      expect(res.headers["x-mw"]).toBe("1, 2")
      expect(res.headers["content-length"]).toBeUndefined()
      expect(yield* res.text).toBe("ABC")
      expect(res.headers["undefined"]).toBeUndefined()
      expect(Object.keys(res.headers)).toEqual(["x-mw"])
      for (const [path, status] of [["/empty", 204], ["/304", 304], ["/205", 205]] as const) {
        const empty = yield* client.get(`${s.url}${path}`)
        expect(empty.status).toBe(status)
        expect(yield* empty.text).toBe("")
      }
    }))

  it.scoped("a rewritten response that cannot be an HttpClientResponse fails with InvalidRequest middleware", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(
        () => reply(200, "x"),
        (req, next) => Effect.map(next(req), (res) => ({ ...res, headers: Headers.fromRaw(["bad name", "v"]) }))
      )
      const e = yield* Effect.flip(client.get(`${s.url}/r`))
      const cause = e.cause as InvalidRequest
      expect(cause.reason).toBe("middleware")
      expect(cause.detail).toMatch(/^the response a middleware returned cannot be an HttpClientResponse \(.+\); return the response of next, or one with valid headers$/)
    }))

  it.scoped("the engine's body failing, read through the middleware's view, fails with its HackneyError", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(
        (_req, peer) => {
          peer.send("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12")
          peer.reset()
          return undefined
        },
        (req, next) => Effect.flatMap(next(req), (res) => Effect.as(Stream.runDrain(res.body), res))
      )
      const e = yield* Effect.flip(client.get(`${s.url}/r`))
      expect(e._tag).toBe("RequestError")
      expect(isHackneyError(e.cause)).toBe(true)
      expect((e.cause as { _tag: string })._tag).not.toBe("ProtocolError")
    }))

  it.scoped("next called twice drains the first response (one connection); a Stream body cannot be sent twice", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(
        (req) => reply(200, `${req.body} on ${req.connection}`),
        (req, next) => Effect.zipRight(next(req), next(req))
      )
      expect(yield* textOf(client.execute(HttpClientRequest.post(`${s.url}/t`).pipe(HttpClientRequest.bodyText("b"))))).toBe("b on 1")
      expect(s.requests).toHaveLength(2)
      expect(s.peers).toHaveLength(1)
      const e = yield* Effect.flip(client.execute(
        HttpClientRequest.post(`${s.url}/t`).pipe(HttpClientRequest.bodyStream(Stream.make(new Uint8Array([65]))))
      ))
      expect((e.cause as InvalidRequest).reason).toBe("body")
      expect(s.requests).toHaveLength(3)
    }))

  it.scopedLive("next called again drains a first body read after its head up to 64 KiB: short, one connection; long, two", () =>
    Effect.gen(function*() {
      const seen = new Map<string, number>()
      const { client, s } = yield* withMiddleware(
        (req, peer) => {
          const n = (seen.get(req.target) ?? 0) + 1
          seen.set(req.target, n)
          return n === 1 && req.target === "/short"
            ? held(peer, "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n", "12345", "67890")
            : n === 1 && req.target === "/long"
            ? held(peer, "HTTP/1.1 200 OK\r\ncontent-length: 70000\r\n\r\n", "x".repeat(1000), "y".repeat(65000), "z".repeat(4000))
            : reply(200, `${req.target} on ${req.connection}`)
        },
        (req, next) => Effect.zipRight(next(req), next(req))
      )
      expect(yield* textOf(client.get(`${s.url}/short`))).toBe("/short on 1")
      expect(yield* textOf(client.get(`${s.url}/long`))).toBe("/long on 2")
      expect(s.peers[0].closed()).toBe(true)
    }))

  it.scoped("a middleware failing after next gives the connection up (destroyed: its body was not read)", () =>
    Effect.gen(function*() {
      const { client, s } = yield* withMiddleware(
        (req, peer) => {
          if (req.target === "/held") {
            peer.send("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12")
            return undefined
          }
          return reply(200, `on ${req.connection}`)
        },
        (req, next) =>
          req.url.endsWith("/held")
            ? Effect.zipRight(next(req), Effect.fail(new InvalidRequest({ reason: "middleware", detail: "after" })))
            : next(req)
      )
      const e = yield* Effect.flip(client.get(`${s.url}/held`))
      expect((e.cause as InvalidRequest).detail).toBe("after")
      expect(s.peers[0].closed()).toBe(true)
      expect(yield* textOf(client.get(`${s.url}/next`))).toBe("on 2")
    }))
})

describe("the public module's dual forms", () => {
  it.scoped("followRedirects and withCookieJar take the client first or last, options or not", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(redirector)
      const base = clientOf(s)
      const forms: ReadonlyArray<HttpClient.HttpClient.With<HttpClientError.HttpClientError>> = [
        HackneyHttpClient.followRedirects(base),
        HackneyHttpClient.followRedirects(base, { maxRedirects: 1 }),
        HackneyHttpClient.followRedirects()(base),
        HackneyHttpClient.followRedirects({ maxRedirects: 1 })(base)
      ]
      for (const c of forms) expect(yield* textOf(c.get(`${s.url}${go(302, "/end")}`))).toMatch(/^GET \/end/)
      const one = yield* Effect.flip(HackneyHttpClient.followRedirects(base, { maxRedirects: 0 }).get(`${s.url}${go(302, "/end")}`))
      expect(one.cause).toBeInstanceOf(TooManyRedirects)
      const jar = CookieJar.make()
      CookieJar.setCookieAt(jar, "j=1", `${s.url}/`, 0)
      for (const c of [HackneyHttpClient.withCookieJar(base, jar), HackneyHttpClient.withCookieJar(jar)(base)]) {
        yield* textOf(c.get(`${s.url}/c`))
        expect(headerOf(s.requests[s.requests.length - 1], "cookie")).toBe("j=1")
      }
      const fromContext = HackneyHttpClient.withCookieJar(base)
      yield* textOf(fromContext.get(`${s.url}/c`)).pipe(Effect.provideService(CookieJar.CookieJar, jar))
      expect(headerOf(s.requests[s.requests.length - 1], "cookie")).toBe("j=1")
    }))
})
