/**
 * HackneyHttpClient options: every option the type keeps works through both
 * entry points (the layer with `RequestOptions`, and `make(options)`); every
 * `Hackney.Options` field it drops fails typed, naming the combinator to use;
 * and the platform's combinators for those features work over our client.
 */
import { Cookies, HttpClient, HttpClientRequest, HttpIncomingMessage } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Ref, Stream } from "effect"
import type * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"
import * as CookieJar from "../src/CookieJar.js"
import * as Hackney from "../src/Hackney.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Pool from "../src/Pool.js"
import { cert, httpServer, httpsServer } from "./support/servers.js"

type Entry = (
  options: HackneyHttpClient.Options
) => <A, E>(self: Effect.Effect<A, E, HttpClient.HttpClient>) => Effect.Effect<A, E>

/** The two ways to give engine options: per request through the layer, or to `make`. */
const entries: ReadonlyArray<readonly [string, Entry]> = [
  [
    "layer + RequestOptions",
    (options) => (self) =>
      self.pipe(Effect.provideService(HackneyHttpClient.RequestOptions, options), Effect.provide(HackneyHttpClient.layer))
  ],
  [
    "make(options)",
    (options) => (self) =>
      self.pipe(Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make(options)), Effect.provide(Hackney.layer))
  ]
]

const echo: http.RequestListener = (req, res) => {
  if (req.url === "/hang") return
  if (req.url === "/big") return void res.end("x".repeat(100_000))
  if (req.url === "/held") {
    res.writeHead(200, { "content-length": 10 })
    res.write("12345")
    return
  }
  res.end(JSON.stringify({
    a: req.headers["x-a"] ?? null,
    auth: req.headers["authorization"] ?? null,
    cookie: req.headers["cookie"] ?? null,
    peer: req.socket.remoteAddress ?? null
  }))
}

const plainText = "hello, decoded world ".repeat(50)
const bigSize = 1 << 20
const acceptEncoding = "createZstdDecompress" in zlib ? "gzip, deflate, br, zstd" : "gzip, deflate, br"

/** Serves `/text` and `/big` encoded per `?coding=` (applied left to right, as Content-Encoding lists them). */
const compressed: http.RequestListener = (req, res) => {
  const u = new URL(req.url ?? "/", "http://x")
  if (u.pathname === "/corrupt") {
    res.writeHead(200, { "content-encoding": "gzip" })
    return void res.end(Buffer.concat([zlib.gzipSync(plainText).subarray(0, 20), Buffer.from("garbage!garbage!")]))
  }
  const codings = (u.searchParams.get("coding") ?? "").split(",").map((c) => c.trim()).filter(Boolean)
  let body = u.pathname === "/big"
    ? Buffer.alloc(bigSize)
    : Buffer.from(`accept-encoding: ${req.headers["accept-encoding"] ?? "none"}; ${plainText}`)
  for (const c of codings) {
    body = c === "gzip" ? zlib.gzipSync(body) : c === "br" ? zlib.brotliCompressSync(body) : zlib.deflateSync(body)
  }
  res.writeHead(200, { "content-encoding": codings.join(", "), "content-length": body.length })
  res.end(body)
}

const json = (url: string) => HttpClient.get(url).pipe(Effect.flatMap((r) => r.json))

/** The typed HackneyError under a RequestError or ResponseError. */
const causeTag = (e: HttpClientError.HttpClientError): string => (e.cause as { _tag: string })._tag

describe("HackneyHttpClient: every kept option works through the layer and make", () => {
  for (const [name, via] of entries) {
    describe(name, () => {
      it.scopedLive("headers and basicAuth are sent", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const body = yield* json(s.url).pipe(via({ headers: { "x-a": "1" }, basicAuth: ["u", "p"] }))
          expect(body).toMatchObject({ a: "1", auth: `Basic ${Buffer.from("u:p").toString("base64")}` })
        }))

      it.scopedLive("recvTimeout fails a silent server with a RecvTimeout cause", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const e = yield* Effect.flip(json(`${s.url}/hang`).pipe(via({ recvTimeout: "100 millis" })))
          expect([e._tag, causeTag(e)]).toEqual(["RequestError", "RecvTimeout"])
        }))

      it.scopedLive("connectTimeout bounds the connect (a lookup that never answers)", () =>
        Effect.gen(function*() {
          const never: net.LookupFunction = () => {}
          const e = yield* Effect.flip(json("http://never.test:1/").pipe(via({ connectTimeout: "100 millis", lookup: never })))
          expect([e._tag, causeTag(e)]).toEqual(["RequestError", "ConnectTimeout"])
        }))

      it.scopedLive("lookup resolves the host name", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const asked: Array<string> = []
          const lookup: net.LookupFunction = (host, options, cb) => {
            asked.push(host)
            if ((options as { all?: boolean }).all === true) (cb as any)(null, [{ address: "127.0.0.1", family: 4 }])
            else cb(null, "127.0.0.1", 4)
          }
          const body = yield* json(`http://api.hackney.test:${s.port}/`).pipe(via({ lookup }))
          expect(body).toMatchObject({ peer: "127.0.0.1" })
          expect(asked).toContain("api.hackney.test")
        }))

      it.scopedLive("family: 4 reaches an IPv4 server by name, 6 does not", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const ok = yield* json(`http://localhost:${s.port}/`).pipe(via({ family: 4 }))
          expect(ok).toMatchObject({ peer: "127.0.0.1" })
          const e = yield* Effect.flip(json(`http://localhost:${s.port}/`).pipe(via({ family: 6, connectTimeout: "1 second" })))
          expect([e._tag, causeTag(e)]).toEqual(["RequestError", "ConnectError"])
        }))

      it.scopedLive("localAddress binds the local end", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const body = yield* json(s.url).pipe(via({ localAddress: "127.0.0.2" }))
          expect(body).toMatchObject({ peer: "127.0.0.2" })
        }))

      it.scopedLive("maxPerHost and checkoutTimeout: a second request waits, then fails with CheckoutTimeout", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const e = yield* Effect.gen(function*() {
            const held = yield* HttpClient.get(`${s.url}/held`)
            expect(held.status).toBe(200)
            return yield* Effect.flip(HttpClient.get(s.url))
          }).pipe(via({ maxPerHost: 1, checkoutTimeout: "100 millis" }))
          expect([e._tag, causeTag(e)]).toEqual(["RequestError", "CheckoutTimeout"])
        }))

      it.scopedLive("pool: the request goes through the given pool", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const pool = yield* Pool.make({ name: `options-${name}` })
          yield* json(s.url).pipe(via({ pool }))
          expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 1 })
          yield* json(s.url).pipe(via({ pool: false }))
          expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 1 })
        }))

      it.scopedLive("maxBodySize: a larger body fails with a BodyTooLarge cause", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(echo)
          const e = yield* Effect.flip(
            HttpClient.get(`${s.url}/big`).pipe(Effect.flatMap((r) => r.text), via({ maxBodySize: 1000 }))
          )
          expect(causeTag(e)).toBe("BodyTooLarge")
        }))

      it.scopedLive("tls.ca trusts the test CA; insecure skips verification; protocols is the ALPN offer", () =>
        Effect.gen(function*() {
          const s = yield* httpsServer(echo)
          const untrusted = yield* Effect.flip(json(s.url).pipe(via({})))
          expect(causeTag(untrusted)).toBe("TlsError")
          expect(yield* json(s.url).pipe(via({ tls: { ca: cert("ca.pem") } }))).toMatchObject({ peer: "127.0.0.1" })
          expect(yield* json(s.url).pipe(via({ insecure: true }))).toMatchObject({ peer: "127.0.0.1" })
          expect(yield* json(s.url).pipe(via({ insecure: true, protocols: ["http/1.1"] }))).toMatchObject({ peer: "127.0.0.1" })
          // A protocol this client does not know: refused before any I/O, as not retryable.
          const alpn = yield* Effect.flip(json(s.url).pipe(via({ insecure: true, protocols: ["spdy/3"] })))
          expect([causeTag(alpn), (alpn as HttpClientError.RequestError).reason]).toEqual(["InvalidRequest", "Encode"])
        }))

      it.scopedLive("autoDecompress: asks for and decodes gzip/br/deflate, whole or streamed; off, the body is as sent", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(compressed)
          for (const coding of ["gzip", "br", "deflate", "gzip, br"]) {
            const res = yield* HttpClient.get(`${s.url}/text?coding=${encodeURIComponent(coding)}`).pipe(
              via({ autoDecompress: true })
            )
            expect([coding, res.headers["content-encoding"], res.headers["content-length"]]).toEqual([coding, undefined, undefined])
            expect([coding, yield* res.text]).toEqual([coding, `accept-encoding: ${acceptEncoding}; ${plainText}`])
            // Read again (memoised), and as a stream.
            expect((yield* res.arrayBuffer).byteLength).toBe(Buffer.byteLength(`accept-encoding: ${acceptEncoding}; ${plainText}`))
          }
          const streamed = yield* HttpClient.get(`${s.url}/big?coding=gzip`).pipe(
            Effect.map((r) => r.stream),
            Stream.unwrap,
            Stream.runFold(0, (n, c) => n + c.length),
            via({ autoDecompress: true })
          )
          expect(streamed).toBe(bigSize)
          const raw = yield* HttpClient.get(`${s.url}/text?coding=gzip`).pipe(via({}))
          expect(raw.headers["content-encoding"]).toBe("gzip")
          expect(zlib.gunzipSync(new Uint8Array(yield* raw.arrayBuffer)).toString()).toBe(`accept-encoding: none; ${plainText}`)
          // A request's own Accept-Encoding is kept.
          const own = yield* HttpClient.execute(
            HttpClientRequest.get(`${s.url}/text?coding=gzip`).pipe(HttpClientRequest.setHeader("accept-encoding", "gzip"))
          ).pipe(Effect.flatMap((r) => r.text), via({ autoDecompress: true }))
          expect(own).toBe(`accept-encoding: gzip; ${plainText}`)
        }))

      it.scopedLive("autoDecompress: maxBodySize bounds the decoded bytes; a corrupt body fails with a decompression cause", () =>
        Effect.gen(function*() {
          const s = yield* httpServer(compressed)
          // 1 MiB of zeros is ~1 KiB of gzip: the limit applies to what it decodes to.
          const bomb = yield* Effect.flip(
            HttpClient.get(`${s.url}/big?coding=gzip`).pipe(Effect.flatMap((r) => r.text), via({ autoDecompress: true, maxBodySize: 10_000 }))
          )
          expect([bomb._tag, causeTag(bomb)]).toEqual(["ResponseError", "BodyTooLarge"])
          const capped = yield* Effect.flip(
            HttpClient.get(`${s.url}/big?coding=gzip`).pipe(
              Effect.flatMap((r) => r.text),
              HttpIncomingMessage.withMaxBodySize(Option.some(10_000)),
              via({ autoDecompress: true })
            )
          )
          expect(causeTag(capped)).toBe("BodyTooLarge")
          const corrupt = yield* Effect.flip(
            HttpClient.get(`${s.url}/corrupt`).pipe(Effect.flatMap((r) => r.text), via({ autoDecompress: true }))
          )
          expect([corrupt._tag, causeTag(corrupt), (corrupt.cause as { reason: string }).reason])
            .toEqual(["ResponseError", "ProtocolError", "decompression"])
          const chunks = yield* HttpClient.get(`${s.url}/corrupt`).pipe(
            Effect.map((r) => r.stream),
            Stream.unwrap,
            Stream.runCollect,
            Effect.flip,
            via({ autoDecompress: true })
          )
          expect(causeTag(chunks)).toBe("ProtocolError")
        }))
    })
  }
})

describe("HackneyHttpClient: options the layer does not honour are rejected, not ignored", () => {
  const dropped: ReadonlyArray<readonly [string, unknown, string]> = [
    ["followRedirect", true, "followRedirects"],
    ["maxRedirect", 3, "followRedirects"],
    ["locationTrusted", true, "followRedirects"],
    ["cookie", "a=1", "Cookie"],
    ["cookieJar", {}, "withCookieJar"],
    ["retry", {}, "HttpClient.retry"],
    ["retryNonIdempotent", true, "HttpClient.retry"],
    ["retryStatuses", [503], "retryTransient"],
    ["continueTimeout", "1 second", "Hackney.open"],
    ["body", "x", "HttpClientRequest"],
    ["followRedirects", true, "HackneyHttpClient.Options"]
  ]
  for (const [name, via] of entries) {
    it.scopedLive(`${name}: each fails with Encode / InvalidRequest(option) naming what to use, and sends nothing`, () =>
      Effect.gen(function*() {
        let hits = 0
        const s = yield* httpServer((_req, res) => {
          hits++
          res.end("{}")
        })
        for (const [key, value, advice] of dropped) {
          const e = yield* Effect.flip(json(s.url).pipe(via({ [key]: value } as HackneyHttpClient.Options)))
          const cause = e.cause as { _tag: string; reason: string; message: string }
          expect([key, e._tag, (e as HttpClientError.RequestError).reason]).toEqual([key, "RequestError", "Encode"])
          expect([key, cause._tag, cause.reason]).toEqual([key, "InvalidRequest", "option"])
          expect(cause.message).toContain(`\`${key}\``)
          expect(cause.message).toContain(advice)
        }
        expect(hits).toBe(0)
        // An option set to undefined is no option.
        expect(yield* json(s.url).pipe(via({ followRedirect: undefined } as HackneyHttpClient.Options))).toEqual({})
      }))
  }
})

describe("HackneyHttpClient with the platform's combinators for the dropped features", () => {
  const site: http.RequestListener = (req, res) => {
    if (req.url === "/login") {
      res.writeHead(302, { location: "/me", "set-cookie": "session=s1; Path=/" })
      return void res.end()
    }
    if (req.url === "/flaky") {
      flaky++
      if (flaky < 3) {
        res.writeHead(503)
        return void res.end()
      }
    }
    echo(req, res)
  }
  let flaky = 0

  it.scopedLive("withCookiesRef under followRedirects: the cookie set by a redirect is sent on the next hop", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(site)
      const cookies = yield* Ref.make(Cookies.empty)
      const base = yield* HttpClient.HttpClient
      const hackney = base.pipe(HttpClient.withCookiesRef(cookies), HackneyHttpClient.followRedirects())
      expect(yield* hackney.get(`${s.url}/login`).pipe(Effect.flatMap((r) => r.json))).toMatchObject({
        cookie: "session=s1"
      })
      const platform = base.pipe(HttpClient.withCookiesRef(cookies), HttpClient.followRedirects())
      expect(yield* platform.get(`${s.url}/login`).pipe(Effect.flatMap((r) => r.json))).toMatchObject({
        cookie: "session=s1"
      })
      expect(Object.keys((yield* Ref.get(cookies)).cookies)).toEqual(["session"])
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scopedLive("retryTransient retries 503s; a Cookie header replaces the cookie option", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(site)
      flaky = 0
      const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk, HttpClient.retryTransient({ times: 3 }))
      expect(yield* client.get(`${s.url}/flaky`).pipe(Effect.flatMap((r) => r.json))).toMatchObject({ cookie: null })
      expect(flaky).toBe(3)
      const body = yield* HttpClient.execute(HttpClientRequest.get(s.url).pipe(HttpClientRequest.setHeader("cookie", "a=1")))
        .pipe(Effect.flatMap((r) => r.json))
      expect(body).toMatchObject({ cookie: "a=1" })
    }).pipe(Effect.provide(HackneyHttpClient.layer)))
})

describe("HackneyHttpClient.withCookieJar", () => {
  const site: http.RequestListener = (req, res) => {
    const host = req.headers.host ?? ""
    if (req.url === "/login") {
      res.writeHead(302, {
        location: "/app/me",
        "set-cookie": [
          "session=s1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
          "pref=dark; Path=/app",
          "admin=1; Path=/admin"
        ]
      })
      return void res.end()
    }
    if (req.url === "/cross") {
      // The same server under another host name: the cookies of 127.0.0.1 must not go there.
      res.writeHead(302, { location: `http://localhost:${host.split(":")[1]}/app/me` })
      return void res.end()
    }
    res.end(JSON.stringify({ cookie: req.headers["cookie"] ?? null }))
  }
  const cookieOf = (client: HttpClient.HttpClient, url: string) =>
    client.get(url).pipe(Effect.flatMap((r) => r.json), Effect.map((b) => (b as { cookie: string | null }).cookie))

  it.scopedLive("under followRedirects: a cookie set by a 302 is sent on the next hop, by domain and path, once", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(site)
      const jar = CookieJar.make()
      const client = (yield* HttpClient.HttpClient).pipe(
        HackneyHttpClient.withCookieJar(jar),
        HackneyHttpClient.followRedirects()
      )
      // The cookie with a date (a comma inside) is kept whole; /admin's cookie is not for /app.
      expect(yield* cookieOf(client, `${s.url}/login`)).toBe("pref=dark; session=s1")
      expect((yield* CookieJar.cookies(jar)).map((c) => c.name).sort()).toEqual(["admin", "pref", "session"])
      // A request's own Cookie header is kept; same-named cookies take the jar's value.
      const own = yield* client.execute(
        HttpClientRequest.get(`${s.url}/app/x`).pipe(HttpClientRequest.setHeader("cookie", "mine=1; session=old"))
      ).pipe(Effect.flatMap((r) => r.json))
      expect(own).toEqual({ cookie: "mine=1; pref=dark; session=s1" })
      // Another host gets none of them (withCookiesRef would send them all).
      expect(yield* cookieOf(client, `${s.url}/cross`)).toBeNull()
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scopedLive("without a jar it uses the CookieJar service (CookieJar.layer), and does nothing without one", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(site)
      const client = (yield* HttpClient.HttpClient).pipe(
        HackneyHttpClient.withCookieJar(),
        HackneyHttpClient.followRedirects()
      )
      expect(yield* cookieOf(client, `${s.url}/login`).pipe(Effect.provide(CookieJar.layer))).toBe("pref=dark; session=s1")
      expect(yield* cookieOf(client, `${s.url}/login`)).toBeNull()
    }).pipe(Effect.provide(HackneyHttpClient.layer)))
})
