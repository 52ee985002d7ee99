/**
 * HTTPS through Hackney (hackney_ssl_tests' verification cases,
 * hackney_cacertfile_bug_test, hackney_h1_reuse_tests): verification on by
 * default, `tls.ca`, `insecure`, mutual TLS, pooled TLS reuse.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as tls from "node:tls"
import { Hackney, Pool } from "../src/index.js"
import { cert, httpsServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-tls-${poolSeq++}` }))

const ok = (_req: unknown, res: { end: (s: string) => void }) => res.end("secure")
const ca = { ca: cert("ca.pem") }

describe("Hackney over TLS", () => {
  it.scoped("tls.ca: the test CA is trusted; the body arrives", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok)
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls: ca })
      expect(r.status).toBe(200)
      expect(r.text()).toBe("secure")
    }))

  it.scoped("without the CA (Node's roots only): TlsError(certificate)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok)
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${srv.port}/`, { pool: false }))
      expect(e._tag).toBe("TlsError")
      if (e._tag === "TlsError") expect(e.reason).toBe("certificate")
    }))

  it.scoped("a self-signed certificate: TlsError(certificate)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok, { certName: "self-signed" })
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls: ca }))
      expect(e._tag).toBe("TlsError")
      if (e._tag === "TlsError") expect(e.reason).toBe("certificate")
    }))

  it.scoped("an expired certificate: TlsError(certificate)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok, { certName: "expired" })
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls: ca }))
      expect(e._tag).toBe("TlsError")
      if (e._tag === "TlsError") expect(e.reason).toBe("certificate")
    }))

  it.scoped("a hostname mismatch: TlsError(hostname)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok, { certName: "wrong-host" })
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls: ca }))
      expect(e._tag).toBe("TlsError")
      if (e._tag === "TlsError") expect(e.reason).toBe("hostname")
    }))

  it.scoped("insecure: true connects to a self-signed server", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok, { certName: "self-signed" })
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, insecure: true })
      expect(r.text()).toBe("secure")
    }))

  it.scoped("mutual TLS: the client certificate is presented and verified by the server", () =>
    Effect.gen(function*() {
      let subject: string | undefined
      const srv = yield* httpsServer((req, res) => {
        const peer = (req.socket as tls.TLSSocket).getPeerCertificate()
        subject = peer.subject === undefined ? undefined : String(peer.subject.CN)
        res.end((req.socket as tls.TLSSocket).authorized ? "authorized" : "no")
      }, { requestCert: true })
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, {
        pool: false,
        tls: { ...ca, cert: cert("client.pem"), key: cert("client-key.pem") }
      })
      expect(r.text()).toBe("authorized")
      expect(subject).toBe("effect-hackney test client")
    }))

  it.scoped("mutual TLS without a client certificate fails with a typed error", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok, { requestCert: true })
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls: ca }))
      expect(["TlsError", "ConnectionClosed"]).toContain(e._tag)
    }))

  it.scoped("pooled TLS: 20 sequential requests reuse one connection, bodies intact", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((req, res) => res.end(`body ${req.url} ${"z".repeat(10_000)}`))
      const pool = yield* testPool
      for (let i = 0; i < 20; i++) {
        const r = yield* Hackney.get(`https://localhost:${srv.port}/${i}`, { pool, tls: ca })
        expect(r.text()).toBe(`body /${i} ${"z".repeat(10_000)}`)
      }
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("different TLS options never share a pooled connection", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer(ok)
      const pool = yield* testPool
      const url = `https://localhost:${srv.port}/`
      yield* Hackney.get(url, { pool, tls: ca })
      yield* Hackney.get(url, { pool, tls: { ...ca, minVersion: "TLSv1.2" } })
      yield* Hackney.get(url, { pool, insecure: true })
      expect(srv.accepted()).toBe(3)
      // …and a verifying request is never served by the insecure connection.
      const e = yield* Effect.flip(Hackney.get(url, { pool }))
      expect(e._tag).toBe("TlsError")
    }))
})
