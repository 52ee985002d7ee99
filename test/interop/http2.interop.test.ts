/**
 * effect-hackney over HTTP/2 against real third-party servers: nginx (TLS with ALPN h2 + http/1.1,
 * h2c with prior knowledge, mTLS), caddy 2.6 (TLS h1/h2, h2c) and nghttpd (h2 only, TLS and h2c;
 * pushes on /index.html, echoes uploads). What is checked is what the servers saw (nginx's
 * `$server_protocol`, caddy's `{http.request.proto}`), that one session carries many requests
 * (a counting DNS lookup sees every dial), byte-exact large bodies, uploads, refused pushes, and
 * the `HttpClient` layer over h2.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import * as Hackney from "../../src/Hackney.js"
import * as HackneyHttpClient from "../../src/HackneyHttpClient.js"
import * as Pool from "../../src/Pool.js"
import { countingLookup, patternBytes, sha256, streamDigest, withPool } from "./client.js"
import { need, skipPeer } from "./env.js"

const portOf = (url: string) => Number(new URL(url).port)

describe.skipIf(skipPeer("nginx"))("HTTP/2 against nginx", () => {
  const env = () => need("nginx")
  const ca = () => readFileSync(env().ca, "utf8")
  const tls = () => ({ ca: ca() })
  const tlsUrl = () => env().url("NGINX_TLS") // https://localhost:28443, ALPN h2 + http/1.1
  const h1OnlyUrl = () => env().url("NGINX_TLS_H1") // ALPN http/1.1 only
  const h2cUrl = () => env().url("NGINX_H2C") // h2c, prior knowledge only
  const files = () => env().files.filter((f) => f.size <= 16 * 1024 * 1024)

  it.live("https negotiates h2 by default; nginx saw HTTP/2.0", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.get(`${tlsUrl()}/echo?x=1`, { tls: tls() })
      expect(res.status).toBe(200)
      expect(res.protocol).toBe("h2")
      expect(res.text()).toBe(`GET /echo?x=1 HTTP/2.0 localhost:${portOf(tlsUrl())}\n`)
    }).pipe(withPool({ name: "h2-nginx-default" })))

  it.live("protocols: [\"http/1.1\"] (or hackney's \"http1\") keeps HTTP/1.1 on the h2-capable port", () =>
    Effect.gen(function*() {
      for (const protocols of [["http/1.1"], ["http1"]]) {
        const res = yield* Hackney.get(`${tlsUrl()}/echo`, { tls: tls(), protocols })
        expect(res.protocol).toBe("http/1.1")
        expect(res.text()).toBe(`GET /echo HTTP/1.1 localhost:${portOf(tlsUrl())}\n`)
      }
    }).pipe(withPool({ name: "h2-nginx-h1-forced" })))

  it.live("a server that does not offer h2 is spoken to in HTTP/1.1 with the default offer", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.get(`${h1OnlyUrl()}/echo`, { tls: tls() })
      expect(res.protocol).toBe("http/1.1")
      expect(res.text()).toBe(`GET /echo HTTP/1.1 localhost:${portOf(h1OnlyUrl())}\n`)
    }).pipe(withPool({ name: "h2-nginx-fallback" })))

  it.live("h2c with prior knowledge: protocols [\"h2\"] on http://", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.get(`${h2cUrl()}/echo`, { protocols: ["h2"] })
      expect(res.protocol).toBe("h2")
      expect(res.text()).toBe(`GET /echo HTTP/2.0 127.0.0.1:${portOf(h2cUrl())}\n`)
      // hackney's name for it
      const alias = yield* Hackney.get(`${h2cUrl()}/hello`, { protocols: ["http2"] })
      expect(alias.protocol).toBe("h2")
      expect(alias.text()).toBe("hello\n")
    }).pipe(withPool({ name: "h2-nginx-h2c" })))

  it.live("100 concurrent GETs share one session (one dial), each gets its own answer", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      const results = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => Effect.map(Hackney.get(`${tlsUrl()}/echo?i=${i}`, { tls: tls(), lookup }), (r) => [i, r] as const),
        { concurrency: "unbounded" }
      )
      for (const [i, r] of results) {
        expect(r.protocol).toBe("h2")
        expect(r.text()).toBe(`GET /echo?i=${i} HTTP/2.0 localhost:${portOf(tlsUrl())}\n`)
      }
      expect(dials()).toBe(1)
      const pool = yield* Pool.Pool
      // one session, idle again: every stream closed
      expect(yield* Pool.hostStats(pool, "localhost", portOf(tlsUrl()))).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
    }).pipe(withPool({ name: "h2-nginx-multiplex" })))

  it.live("static files: byte-exact one-shot and streamed over one h2 session", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      expect(files().map((f) => f.name)).toEqual(expect.arrayContaining(["1k", "64k", "1m", "10m"]))
      for (const file of files()) {
        const res = yield* Hackney.get(`${tlsUrl()}${file.path}`, { tls: tls(), lookup })
        expect(res.protocol).toBe("h2")
        expect(res.body.length).toBe(file.size)
        expect(sha256(res.body)).toBe(file.sha256)
        const streamed = yield* Effect.scoped(Effect.flatMap(
          Hackney.stream("GET", `${tlsUrl()}${file.path}`, { tls: tls(), lookup }),
          (r) => streamDigest(r.body)
        ))
        expect(streamed).toMatchObject({ sha256: file.sha256, length: file.size })
      }
      expect(dials()).toBe(1)
    }).pipe(withPool({ name: "h2-nginx-files" })))

  it.live("a streamed response abandoned half-way resets only its stream: the session serves the next request", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      const big = files().find((f) => f.name === "10m")!
      const first = yield* Effect.scoped(Effect.flatMap(
        Hackney.stream("GET", `${tlsUrl()}${big.path}`, { tls: tls(), lookup }),
        (r) => Stream.runCollect(Stream.take(r.body, 1))
      ))
      expect(first.length).toBe(1)
      const next = yield* Hackney.get(`${tlsUrl()}/hello`, { tls: tls(), lookup })
      expect(next.protocol).toBe("h2")
      expect(next.text()).toBe("hello\n")
      expect(dials()).toBe(1)
    }).pipe(withPool({ name: "h2-nginx-abandon" })))

  it.live("mTLS over h2: the client certificate is presented (400 without it)", () =>
    Effect.gen(function*() {
      const url = env().url("NGINX_MTLS")
      const cert = readFileSync(env().clientCert, "utf8")
      const key = readFileSync(env().clientKey, "utf8")
      const ok = yield* Hackney.get(`${url}/hello`, { tls: { ca: ca(), cert, key } })
      expect(ok.protocol).toBe("h2")
      expect(ok.status).toBe(200)
      expect(ok.text()).toBe("hello\n")
      const without = yield* Hackney.get(`${url}/hello`, { tls: { ca: ca() }, pool: false })
      expect(without.status).toBe(400)
    }).pipe(withPool({ name: "h2-nginx-mtls" })))

  it.live("a body through nginx to httpbin over h2 arrives intact (bytes and a streamed body)", () =>
    Effect.gen(function*() {
      const bytes = patternBytes(200_000, 7)
      const res = yield* Hackney.post(`${tlsUrl()}/httpbin/anything`, {
        tls: tls(),
        body: bytes,
        headers: { "content-type": "application/octet-stream" }
      })
      expect(res.protocol).toBe("h2")
      const echoed = res.json() as { data: string; headers: Record<string, string> }
      expect(echoed.headers["Content-Length"]).toBe(String(bytes.length))
      const streamed = yield* Hackney.post(`${tlsUrl()}/httpbin/anything`, {
        tls: tls(),
        body: Stream.make(new TextEncoder().encode("a="), new TextEncoder().encode("b")),
        headers: { "content-type": "text/plain" }
      })
      expect((streamed.json() as { data: string }).data).toBe("a=b")
    }).pipe(withPool({ name: "h2-nginx-upload" })))

  it.live("HackneyHttpClient uses h2 when negotiated", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const res = yield* client.execute(HttpClientRequest.get(`${tlsUrl()}/echo`))
      expect(yield* res.text).toBe(`GET /echo HTTP/2.0 localhost:${portOf(tlsUrl())}\n`)
    }).pipe(
      Effect.provideService(HttpClient.HttpClient, HackneyHttpClient.make({ tls: tls() })),
      withPool({ name: "h2-nginx-httpclient" })
    ))
})

describe.skipIf(skipPeer("caddy"))("HTTP/2 against caddy", () => {
  const env = () => need("caddy")
  const ca = () => readFileSync(env().ca, "utf8")

  it.live("TLS: h2 by ALPN (caddy saw HTTP/2.0)", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.get(`${env().url("CADDY_TLS")}/hello`, { tls: { ca: ca() } })
      expect(res.protocol).toBe("h2")
      expect(res.text()).toBe("hello HTTP/2.0")
    }).pipe(withPool({ name: "h2-caddy-tls" })))

  it.live("h2c with prior knowledge, and HTTP/1.1 on the same port without protocols", () =>
    Effect.gen(function*() {
      const url = env().url("CADDY_H2C")
      const h2 = yield* Hackney.get(`${url}/`, { protocols: ["h2", "http/1.1"] })
      expect(h2.protocol).toBe("h2")
      expect(h2.text()).toBe("caddy HTTP/2.0")
      const h1 = yield* Hackney.get(`${url}/`)
      expect(h1.protocol).toBe("http/1.1")
      expect(h1.text()).toBe("caddy HTTP/1.1")
    }).pipe(withPool({ name: "h2-caddy-h2c" })))
})

describe.skipIf(skipPeer("nghttpd"))("HTTP/2 against nghttpd (h2 only)", () => {
  const env = () => need("nghttpd")
  const ca = () => readFileSync(env().ca, "utf8")

  it.live("TLS and h2c: a page whose server wants to push gets no push (push disabled), the page intact", () =>
    Effect.gen(function*() {
      const tlsRes = yield* Hackney.get(`${env().url("NGHTTPD_TLS")}/index.html`, { tls: { ca: ca() } })
      expect(tlsRes.protocol).toBe("h2")
      expect(tlsRes.status).toBe(200)
      expect(tlsRes.text()).toContain("<link rel=stylesheet href=/style.css>")
      const h2c = yield* Hackney.get(`${env().url("NGHTTPD_H2C")}/index.html`, { protocols: ["h2"] })
      expect(h2c.protocol).toBe("h2")
      expect(h2c.text()).toContain("hi</html>")
      // The session is still usable after the refused pushes.
      const css = yield* Hackney.get(`${env().url("NGHTTPD_H2C")}/style.css`, { protocols: ["h2"] })
      expect(css.text()).toBe("body{}\n")
    }).pipe(withPool({ name: "h2-nghttpd" })))

  it.live("uploads are echoed: bytes, a 1 MiB streamed body (flow control both ways), and an open() writer", () =>
    Effect.gen(function*() {
      const url = `${env().url("NGHTTPD_H2C")}/echo`
      const small = yield* Hackney.post(url, { protocols: ["h2"], body: "hello h2" })
      expect(small.protocol).toBe("h2")
      expect(small.text()).toBe("hello h2")
      const big = patternBytes(1024 * 1024, 3)
      const chunks = Array.from({ length: 16 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536))
      const streamed = yield* Hackney.post(url, { protocols: ["h2"], body: Stream.fromIterable(chunks) })
      expect(streamed.body.length).toBe(big.length)
      expect(sha256(streamed.body)).toBe(sha256(big))
      const written = yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("POST", url, { protocols: ["h2"] })
        yield* w.send("part one, ")
        yield* w.send("part two")
        const r = yield* w.response
        return [r.protocol, yield* r.text] as const
      }))
      expect(written).toEqual(["h2", "part one, part two"])
    }).pipe(withPool({ name: "h2-nghttpd-upload" })))

  it.live("an h2-only server is refused cleanly when the caller allows only HTTP/1.1", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Hackney.get(`${env().url("NGHTTPD_TLS")}/index.html`, { tls: { ca: ca() }, protocols: ["http/1.1"], pool: false })
      )
      // nghttpd selects no ALPN for an http/1.1-only offer, reads our HTTP/1.1 request as a bad preface and
      // closes (ConnectionClosed); were its GOAWAY frame to arrive first, our parser would reject it (ProtocolError).
      expect(["ConnectionClosed", "ProtocolError"]).toContain(error._tag)
    }))
})
