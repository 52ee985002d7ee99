/**
 * effect-hackney over TLS against nginx's TLS ports (and caddy's / nghttpd's when present):
 * verification against the test CA, the failures that must be typed (`TlsError` with reason
 * `certificate`, `hostname` or `handshake`), mutual TLS, `insecure`, keep-alive and large bodies.
 * The server certificate names `localhost`, `127.0.0.1` and `::1` (see docs/interop.md).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as dns from "node:dns"
import { readFileSync } from "node:fs"
import type * as net from "node:net"
import * as Hackney from "../../src/Hackney.js"
import type { HackneyError } from "../../src/HackneyError.js"
import * as Headers from "../../src/Headers.js"
import * as Pool from "../../src/Pool.js"
import { countingLookup, sha256, streamDigest, withPool } from "./client.js"
import { need, skipPeer } from "./env.js"

/** A lookup that answers 127.0.0.1 for every name: a host the certificate does not name. */
const toLoopback: net.LookupFunction = (_hostname, options, callback) => {
  dns.lookup("127.0.0.1", options as dns.LookupAllOptions, callback as (err: NodeJS.ErrnoException | null, addresses: Array<dns.LookupAddress>) => void)
}

const expectTlsError = (error: HackneyError, reason: "certificate" | "hostname" | "handshake", port: number): void => {
  expect(error._tag).toBe("TlsError")
  if (error._tag !== "TlsError") return
  expect(error.reason).toBe(reason)
  expect(error.port).toBe(port)
  expect(error.message).toContain(reason)
}

describe.skipIf(skipPeer("nginx"))("TLS client against nginx", () => {
  const env = () => need("nginx")
  const ca = () => readFileSync(env().ca, "utf8")
  const tlsUrl = () => env().url("NGINX_TLS") // https://localhost:28443, ALPN h2 + http/1.1
  const h1Url = () => env().url("NGINX_TLS_H1") // ALPN http/1.1 only
  const mtlsUrl = () => env().url("NGINX_MTLS")
  const portOf = (url: string) => Number(new URL(url).port)

  describe("verification", () => {
    it.live("with the test CA: verifies; h2 where ALPN offers it (the default), HTTP/1.1 where it does not or when asked", () =>
      Effect.gen(function*() {
        const h2 = yield* Hackney.get(`${tlsUrl()}/echo`, { tls: { ca: ca() } })
        expect(h2.status).toBe(200)
        expect(h2.protocol).toBe("h2")
        // nginx's $server_protocol: what nginx itself parsed
        expect(h2.text()).toBe(`GET /echo HTTP/2.0 localhost:${portOf(tlsUrl())}\n`)
        const h1 = yield* Hackney.get(`${h1Url()}/echo`, { tls: { ca: ca() } })
        expect(h1.protocol).toBe("http/1.1")
        expect(h1.text()).toBe(`GET /echo HTTP/1.1 localhost:${portOf(h1Url())}\n`)
        const explicit = yield* Hackney.get(`${tlsUrl()}/echo`, { tls: { ca: ca() }, protocols: ["http/1.1"] })
        expect(explicit.protocol).toBe("http/1.1")
        expect(explicit.text()).toBe(`GET /echo HTTP/1.1 localhost:${portOf(tlsUrl())}\n`)
      }).pipe(withPool({ name: "tls-verify" })))

    it.live("the CA may be given as bytes or as a list", () =>
      Effect.gen(function*() {
        const bytes = readFileSync(env().ca)
        expect((yield* Hackney.get(`${h1Url()}/hello`, { tls: { ca: new Uint8Array(bytes) } })).text()).toBe("hello\n")
        expect((yield* Hackney.get(`${h1Url()}/hello`, { tls: { ca: [ca()] } })).text()).toBe("hello\n")
      }).pipe(withPool({ name: "tls-ca-forms" })))

    it.live("by IP literal: 127.0.0.1 and [::1] are in the certificate's SANs and verify", () =>
      Effect.gen(function*() {
        const port = portOf(h1Url())
        const v4 = yield* Hackney.get(`https://127.0.0.1:${port}/echo`, { tls: { ca: ca() } })
        expect(v4.text()).toBe(`GET /echo HTTP/1.1 127.0.0.1:${port}\n`)
        const v6 = yield* Hackney.get(`https://[::1]:${port}/echo`, { tls: { ca: ca() } })
        expect(v6.text()).toBe(`GET /echo HTTP/1.1 [::1]:${port}\n`)
      }).pipe(withPool({ name: "tls-ip" })))

    it.live("Hackney.connect exposes the verified server certificate", () =>
      Effect.scoped(Effect.gen(function*() {
        // sessionReuse: false keeps this test independent of sessions other tests left
        const conn = yield* Hackney.connect(h1Url(), { tls: { ca: ca(), sessionReuse: false } })
        const cert = yield* conn.peercert
        expect(cert?.subjectaltname).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1")
        expect(cert?.issuer.CN).toBe("effect-hackney test CA")
        const res = yield* conn.request({ method: "GET", path: "/hello" })
        expect(res.text()).toBe("hello\n")
      })))

    it.live("without the CA: TlsError(certificate), UNABLE_TO_VERIFY_LEAF_SIGNATURE", () =>
      Effect.gen(function*() {
        // sessionReuse: false, not the default, only to be independent of earlier tests
        const error = yield* Effect.flip(Hackney.get(`${tlsUrl()}/hello`, { tls: { sessionReuse: false } }))
        expectTlsError(error, "certificate", portOf(tlsUrl()))
        if (error._tag === "TlsError") {
          expect(error.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE")
          expect(error.host).toBe("localhost")
          expect(error.url).toBe(`${tlsUrl()}/hello`)
        }
        const connectError = yield* Effect.flip(Effect.scoped(Hackney.connect(h1Url(), { tls: { sessionReuse: false } })))
        expectTlsError(connectError, "certificate", portOf(h1Url()))
      }).pipe(withPool({ name: "tls-no-ca" })))

    it.live("servername not in the certificate (wrong.test): TlsError(hostname)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Hackney.get(`${tlsUrl()}/hello`, {
          tls: { ca: ca(), servername: "wrong.test", sessionReuse: false }
        }))
        expectTlsError(error, "hostname", portOf(tlsUrl()))
        if (error._tag === "TlsError") expect(error.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID")
        // the servername that is in the certificate verifies, whatever the URL host
        const ok = yield* Hackney.get(`https://127.0.0.1:${portOf(tlsUrl())}/hello`, { tls: { ca: ca(), servername: "localhost" } })
        expect(ok.text()).toBe("hello\n")
      }).pipe(withPool({ name: "tls-wrong-servername" })))

    it.live("a host name that resolves to the server but is not in its certificate: TlsError(hostname)", () =>
      Effect.gen(function*() {
        const port = portOf(h1Url())
        const error = yield* Effect.flip(Hackney.get(`https://other.test:${port}/hello`, { tls: { ca: ca() }, lookup: toLoopback }))
        expectTlsError(error, "hostname", port)
        if (error._tag === "TlsError") expect(error.host).toBe("other.test")
      }).pipe(withPool({ name: "tls-other-host" })))

    it.live("insecure: true works without the CA, and with a servername the certificate does not name", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`${tlsUrl()}/hello`, { insecure: true })
        expect(res.status).toBe(200)
        expect(res.text()).toBe("hello\n")
        const wrong = yield* Hackney.get(`${h1Url()}/hello`, { insecure: true, tls: { servername: "wrong.test" } })
        expect(wrong.text()).toBe("hello\n")
      }).pipe(withPool({ name: "tls-insecure" })))
  })

  describe("protocol versions and mismatches", () => {
    it.live("TLS 1.2 only and TLS 1.3 only both work (nginx: ssl_protocols TLSv1.2 TLSv1.3)", () =>
      Effect.gen(function*() {
        for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
          const res = yield* Hackney.get(`${h1Url()}/hello`, { tls: { ca: ca(), minVersion: version, maxVersion: version } })
          expect(res.text()).toBe("hello\n")
        }
      }).pipe(withPool({ name: "tls-versions" })))

    it.live("TLS 1.1 at most: the handshake fails with TlsError(handshake)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Hackney.get(`${h1Url()}/hello`, {
          tls: { ca: ca(), minVersion: "TLSv1", maxVersion: "TLSv1.1" }
        }))
        expectTlsError(error, "handshake", portOf(h1Url()))
      }).pipe(withPool({ name: "tls-old-version" })))

    it.live("https:// to a cleartext port: TlsError(handshake), quickly", () =>
      Effect.gen(function*() {
        const port = portOf(env().url("NGINX_H1"))
        const error = yield* Effect.flip(Hackney.get(`https://localhost:${port}/hello`, {
          tls: { ca: ca() },
          connectTimeout: "3 seconds"
        }))
        expectTlsError(error, "handshake", port)
      }).pipe(withPool({ name: "tls-to-cleartext" })))

    it.live("http:// to a TLS port: nginx answers 400 (plain HTTP sent to the HTTPS port)", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`http://127.0.0.1:${portOf(h1Url())}/hello`)
        expect(res.status).toBe(400)
        expect(res.text()).toContain("The plain HTTP request was sent to HTTPS port")
      }).pipe(withPool({ name: "tls-cleartext-to-tls" })))
  })

  describe("mutual TLS", () => {
    it.live("with the client certificate: 200", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`${mtlsUrl()}/echo`, {
          tls: { ca: ca(), cert: readFileSync(env().clientCert, "utf8"), key: readFileSync(env().clientKey, "utf8") }
        })
        expect(res.status).toBe(200)
        expect(res.protocol).toBe("h2")
        expect(res.text()).toBe(`GET /echo HTTP/2.0 localhost:${portOf(mtlsUrl())}\n`)
      }).pipe(withPool({ name: "tls-mtls" })))

    it.live("without a client certificate: nginx answers 400 (not a TLS alert)", () =>
      Effect.gen(function*() {
        // sessionReuse: false only for independence from the test above
        const res = yield* Hackney.get(`${mtlsUrl()}/hello`, { tls: { ca: ca(), sessionReuse: false } })
        expect(res.status).toBe(400)
        expect(res.text()).toContain("No required SSL certificate was sent")
      }).pipe(withPool({ name: "tls-mtls-none" })))

    it.live("with and without the certificate in one pool: each TLS identity gets its own connections", () =>
      Effect.gen(function*() {
        const identity = { cert: readFileSync(env().clientCert, "utf8"), key: readFileSync(env().clientKey, "utf8") }
        const a = countingLookup()
        const b = countingLookup()
        // sessionReuse: false: with resumption on, the second identity resumes the first's session
        // HTTP/1.1: nginx closes the connection after each 400 and says so (over h2 see http2.interop.test.ts)
        const withCert = { lookup: a.lookup, tls: { ca: ca(), ...identity, sessionReuse: false }, protocols: ["http/1.1"] }
        const without = { lookup: b.lookup, tls: { ca: ca(), sessionReuse: false }, protocols: ["http/1.1"] }
        for (let i = 0; i < 3; i++) {
          expect((yield* Hackney.get(`${mtlsUrl()}/hello`, withCert)).status).toBe(200)
          const refused = yield* Hackney.get(`${mtlsUrl()}/hello`, without)
          expect(refused.status).toBe(400)
          expect(Headers.getOrUndefined(refused.headers, "connection")).toBe("close")
        }
        // the certified connection is kept and reused; nginx closes after each 400, so those re-dial
        expect(a.dials()).toBe(1)
        expect(b.dials()).toBe(3)
      }).pipe(withPool({ name: "tls-mtls-mixed" })))
  })

  describe("keep-alive and bodies over TLS", () => {
    it.live("50 sequential requests dial one TLS connection", () =>
      Effect.gen(function*() {
        const { dials, lookup } = countingLookup()
        const pool = yield* Pool.Pool
        for (let i = 0; i < 50; i++) {
          const res = yield* Hackney.get(`${h1Url()}/echo?i=${i}`, { tls: { ca: ca() }, lookup })
          expect(res.text()).toBe(`GET /echo?i=${i} HTTP/1.1 localhost:${portOf(h1Url())}\n`)
        }
        expect(dials()).toBe(1)
        expect(yield* Pool.hostStats(pool, "localhost", portOf(h1Url()))).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
      }).pipe(withPool({ name: "tls-keepalive" })))

    it.live("the static files byte-exact over TLS, one-shot and streamed", () =>
      Effect.gen(function*() {
        for (const file of env().files.filter((f) => f.size <= 16 * 1024 * 1024)) {
          const res = yield* Hackney.get(`${h1Url()}${file.path}`, { tls: { ca: ca() } })
          expect(res.body.length).toBe(file.size)
          expect(sha256(res.body)).toBe(file.sha256)
          const streamed = yield* Effect.scoped(Effect.flatMap(
            Hackney.stream("GET", `${tlsUrl()}${file.path}`, { tls: { ca: ca() } }),
            (r) => streamDigest(r.body)
          ))
          expect(streamed).toMatchObject({ sha256: file.sha256, length: file.size })
        }
      }).pipe(withPool({ name: "tls-files" })))

    it.live("an upload over TLS to the sink (4 MiB)", () =>
      Effect.gen(function*() {
        const body = new Uint8Array(4 * 1024 * 1024).fill(0x5a)
        const res = yield* Hackney.post(`${h1Url()}${env().url("NGINX_UPLOAD_PATH")}`, { tls: { ca: ca() }, body })
        expect(res.status).toBe(200)
        expect(res.json()).toEqual({ received: body.length })
      }).pipe(withPool({ name: "tls-upload" })))

    it.live("20 concurrent HTTPS requests all succeed", () =>
      Effect.gen(function*() {
        const results = yield* Effect.forEach(
          Array.from({ length: 60 }, (_, i) => i),
          (i) => Hackney.get(`${h1Url()}/echo?c=${i}`, { tls: { ca: ca() } }),
          { concurrency: 20 }
        )
        results.forEach((res, i) => expect(res.text()).toBe(`GET /echo?c=${i} HTTP/1.1 localhost:${portOf(h1Url())}\n`))
      }).pipe(withPool({ name: "tls-concurrent" })))
  })
})

describe.skipIf(skipPeer("nginx"))("TLS session resumption respects the TLS options (regression)", () => {
  // Found by this suite: the session cache was keyed by host:port:servername only, and Node neither
  // re-verifies the server nor sends a client certificate on resumption. Sessions are now keyed by
  // every trust-relevant TLS option, never kept for `insecure` connections, and keep the peer
  // certificate for `peercert`.
  const env = () => need("nginx")
  const ca = () => readFileSync(env().ca, "utf8")
  const h1Url = () => env().url("NGINX_TLS_H1")
  const mtlsUrl = () => env().url("NGINX_MTLS")

  it.live("a session made with `ca` must not let a request without `ca` skip verification", () =>
    Effect.gen(function*() {
      expect((yield* Hackney.get(`${h1Url()}/hello`, { tls: { ca: ca() } })).status).toBe(200)
      const error = yield* Effect.flip(Hackney.get(`${h1Url()}/hello`, { pool: false }))
      expect(error._tag).toBe("TlsError")
    }).pipe(withPool({ name: "bug-session-ca" })))

  it.live("a session made with `insecure: true` must not let a verifying request skip verification", () =>
    Effect.gen(function*() {
      const url = `https://127.0.0.1:${new URL(h1Url()).port}/hello`
      expect((yield* Hackney.get(url, { insecure: true })).status).toBe(200)
      const error = yield* Effect.flip(Hackney.get(url, { pool: false }))
      expect(error._tag).toBe("TlsError")
    }).pipe(withPool({ name: "bug-session-insecure" })))

  it.live("a session made with a client certificate must not be resumed by a request without one", () =>
    Effect.gen(function*() {
      const identity = { cert: readFileSync(env().clientCert, "utf8"), key: readFileSync(env().clientKey, "utf8") }
      expect((yield* Hackney.get(`${mtlsUrl()}/hello`, { tls: { ca: ca(), ...identity } })).status).toBe(200)
      expect((yield* Hackney.get(`${mtlsUrl()}/hello`, { tls: { ca: ca() } })).status).toBe(400)
    }).pipe(withPool({ name: "bug-session-mtls" })))

  it.live("a resumed connection still exposes the server certificate (peercert)", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* Effect.scoped(Effect.flatMap(Hackney.connect(h1Url(), { tls: { ca: ca() } }), (c) => c.request({ method: "GET" })))
      const conn = yield* Hackney.connect(h1Url(), { tls: { ca: ca() } })
      expect((yield* conn.peercert)?.subjectaltname).toContain("DNS:localhost")
    })))
})

describe.skipIf(skipPeer("caddy"))("TLS client against caddy (HTTP/1.1 when asked, over ALPN)", () => {
  const env = () => need("caddy")
  const ca = () => readFileSync(env().ca, "utf8")

  it.live("answers over HTTP/1.1 and proxies to httpbin, which sees our headers", () =>
    Effect.gen(function*() {
      const url = env().url("CADDY_TLS")
      const hello = yield* Hackney.get(`${url}/hello`, { tls: { ca: ca() }, protocols: ["http/1.1"] })
      expect(hello.text()).toBe("hello HTTP/1.1")
      expect(Headers.getOrUndefined(hello.headers, "alt-svc")).toContain("h3=")
      const got = yield* Hackney.get(`${url}/httpbin/get?via=caddy`, { tls: { ca: ca() }, headers: { "x-through": "caddy" } })
      const body = got.json() as { args: Record<string, string>; headers: Record<string, string> }
      expect(body.args).toEqual({ via: "caddy" })
      expect(body.headers["X-Through"]).toBe("caddy")
    }).pipe(withPool({ name: "tls-caddy" })))
})
