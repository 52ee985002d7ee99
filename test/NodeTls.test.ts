/**
 * The TLS step's decisions, called directly (src/internal/node/{tls,
 * certVerify}.ts): each handshake error code's reason, the session-cache key
 * (every trust-bearing option in it), the TLS versions and the ALPN answer of
 * a real handshake, and certificate verification outside Node's TLS (QUIC):
 * parsing, validity at a given time, the chain to an anchor, the identity,
 * each refusal's sentence. (test/Dial.test.ts and test/Transport.test.ts run
 * the handshakes: verification, session reuse, SNI, mTLS.)
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { X509Certificate } from "node:crypto"
import * as tls from "node:tls"
import { parseCertificates, verifyPeerChain } from "../src/internal/node/certVerify.js"
import { connect } from "../src/internal/node/socket.js"
import { dialTcp } from "../src/internal/node/tcp.js"
import { sessionKey, startTls, tlsReason } from "../src/internal/node/tls.js"
import { cert, httpsServer, rawServer } from "./support/servers.js"

const certificateCodes = [
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED"
]

describe("TLS errors and sessions", () => {
  it("each certificate code is reason certificate; a name mismatch hostname; anything else handshake", () => {
    for (const code of certificateCodes) expect([code, tlsReason(code)]).toEqual([code, "certificate"])
    expect(tlsReason("ERR_TLS_CERT_ALTNAME_INVALID")).toBe("hostname")
    expect(tlsReason("ECONNRESET")).toBe("handshake")
    expect(tlsReason("")).toBe("handshake")
    expect(tlsReason(undefined)).toBe("handshake")
  })

  it("the session key: the origin, SNI and every trust-bearing option (bytes as base64); nothing else", () => {
    expect(sessionKey("a.test", 443, undefined, {}, undefined)).toBe(
      JSON.stringify(["a.test", 443, null, null, null, null, null, null, null, null, null])
    )
    const full = sessionKey("a.test", 443, "sni.test", {
      ca: "CA",
      cert: [new Uint8Array([1, 2])],
      key: "K",
      pfx: new Uint8Array([3]),
      passphrase: "pw",
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3"
    }, ["h2"])
    expect(JSON.parse(full)).toEqual(["a.test", 443, "sni.test", "CA", ["AQI="], "K", "Aw==", "pw", "TLSv1.2", "TLSv1.3", ["h2"]])
    // Options that do not bear on trust do not split the cache.
    expect(sessionKey("a.test", 443, undefined, { sessionReuse: true }, undefined)).toBe(sessionKey("a.test", 443, undefined, {}, undefined))
  })
})

describe("TLS handshakes", () => {
  const ca = cert("ca.pem")

  it.scoped("maxVersion and minVersion are what the handshake may use; the ALPN answer, or http/1.1 when none", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const base = { transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000 } as const
      const v12 = yield* connect({ ...base, tls: { ca, maxVersion: "TLSv1.2", sessionReuse: false } })
      expect((v12.socket as tls.TLSSocket).getProtocol()).toBe("TLSv1.2")
      expect(v12.alpn).toBe("http/1.1")
      expect(v12.tls).toBe(true)
      expect(typeof v12.handshakeMillis).toBe("number")
      expect(v12.handshakeMillis!).toBeGreaterThanOrEqual(0)
      v12.socket.destroy()
      const v13 = yield* connect({ ...base, tls: { ca, minVersion: "TLSv1.3", sessionReuse: false } })
      expect((v13.socket as tls.TLSSocket).getProtocol()).toBe("TLSv1.3")
      v13.socket.destroy()
      // A server that answers no ALPN: http/1.1.
      const noAlpn = yield* Effect.acquireRelease(
        Effect.async<tls.Server>((resume) => {
          const server = tls.createServer({ cert: cert("server.pem"), key: cert("server-key.pem") }, (s) => s.on("error", () => {}))
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const open = yield* connect({ ...base, port: (noAlpn.address() as { port: number }).port, protocols: ["h2"], tls: { ca, sessionReuse: false } })
      expect(open.alpn).toBe("http/1.1")
      open.socket.destroy()
    }))

  it.scoped("cert and key are the client certificate the handshake presents", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end("x"), { requestCert: true })
      const base = { transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000 } as const
      const withCert = yield* connect({ ...base, tls: { ca, cert: cert("client.pem"), key: cert("client-key.pem"), sessionReuse: false } })
      expect((withCert.socket as tls.TLSSocket).getCertificate()).toMatchObject({ subject: { CN: "effect-hackney test client" } })
      withCert.socket.destroy()
    }))
})

describe("TLS handshakes: what they report", () => {
  const ca = cert("ca.pem")
  /** Runs `dial` and the wall time it took, in milliseconds. */
  const timed = <A, E>(dial: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const before = performance.now()
      const value = yield* dial
      return [value, performance.now() - before] as const
    })

  it.scoped("handshakeMillis is the handshake's own time: within the dial's wall time, for one tls.connect and for startTls", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const [direct, directWall] = yield* timed(
        connect({ transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000, tls: { ca, sessionReuse: false } })
      )
      expect(direct.handshakeMillis!).toBeGreaterThanOrEqual(0)
      expect(direct.handshakeMillis!).toBeLessThanOrEqual(directWall)
      direct.socket.destroy()
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      const [over, overWall] = yield* timed(
        startTls(tcp, { host: "localhost", port: srv.port, tls: { ca, sessionReuse: false }, protocols: ["http/1.1"] }, {})
      )
      expect(over.handshakeMillis).toBeGreaterThanOrEqual(0)
      expect(over.handshakeMillis).toBeLessThanOrEqual(overWall)
      over.socket.destroy()
    }))

  it.scoped("startTls to an IP literal origin verifies that address: one the certificate does not name is reason hostname", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      // The server's certificate names localhost, 127.0.0.1 and ::1, not 127.0.0.2.
      const named = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      const open = yield* startTls(named, { host: "127.0.0.1", port: srv.port, tls: { ca, sessionReuse: false }, protocols: ["http/1.1"] }, {})
      expect(open.peercert?.subject.CN).toBe("localhost")
      open.socket.destroy()
      const other = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      const error = yield* Effect.flip(
        startTls(other, { host: "127.0.0.2", port: srv.port, tls: { ca, sessionReuse: false }, protocols: ["http/1.1"] }, {})
      )
      expect([error.reason, error.code, error.host]).toEqual(["hostname", "ERR_TLS_CERT_ALTNAME_INVALID", "127.0.0.2"])
      expect(other.destroyed).toBe(true)
    }))

  it.effect("a refused TLS dial's ConnectError names the host, port and code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(connect({ transport: "tls", host: "127.0.0.1", port: 1, connectTimeout: 8000, tls: { ca } }))
      expect(error._tag).toBe("ConnectError")
      expect(error).toMatchObject({ reason: "refused", host: "127.0.0.1", port: 1, code: "ECONNREFUSED" })
    }))

  it.scoped("a handshake refused by the certificate: TlsError with the origin's host and port and OpenSSL's code", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      // Node's own roots do not trust the test CA.
      const error = yield* Effect.flip(connect({ transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000, tls: {} }))
      expect(error).toMatchObject({
        _tag: "TlsError",
        reason: "certificate",
        host: "localhost",
        port: srv.port,
        code: "SELF_SIGNED_CERT_IN_CHAIN"
      })
    }))

  it.scoped("startTls over a stream already closed: code ECONNRESET and a sentence saying TLS never started", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer(() => {})
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      tcp.destroy()
      const error = yield* Effect.flip(startTls(tcp, { host: "localhost", port: srv.port, tls: { ca }, protocols: ["http/1.1"] }, {}))
      expect(error).toMatchObject({ reason: "handshake", code: "ECONNRESET", host: "localhost", port: srv.port })
      expect((error.cause as Error).message).toBe("the connection closed before the TLS handshake started")
    }))
})

describe("certificate verification outside Node's TLS", () => {
  const pem = (name: string) => cert(`${name}.pem`)
  const der = (name: string): Uint8Array => new Uint8Array(new X509Certificate(pem(name)).raw)
  const ca = pem("ca")
  const server = new X509Certificate(pem("server"))
  const from = Date.parse(server.validFrom)
  const to = Date.parse(server.validTo)

  it("PEM text (several certificates), PEM as bytes, DER bytes and lists of them are parsed; text without PEM is none", () => {
    const chain = pem("server-chain")
    expect(parseCertificates(chain).map((c) => c.subject)).toEqual(["CN=localhost", "CN=effect-hackney test CA"])
    expect(parseCertificates(Buffer.from(chain)).map((c) => c.subject)).toEqual(["CN=localhost", "CN=effect-hackney test CA"])
    expect(parseCertificates(der("ca")).map((c) => c.subject)).toEqual(["CN=effect-hackney test CA"])
    expect(parseCertificates([pem("server"), der("ca")]).map((c) => c.subject)).toEqual(["CN=localhost", "CN=effect-hackney test CA"])
    expect(parseCertificates("no certificate here")).toEqual([])
  })

  it("valid from its first to its last second, not before, not after: each refusal names the certificate", () => {
    expect(verifyPeerChain([der("server")], "localhost", ca, from)).toBeUndefined()
    expect(verifyPeerChain([der("server")], "localhost", ca, to)).toBeUndefined()
    expect(verifyPeerChain([der("server")], "localhost", ca, from - 1000)).toEqual({
      reason: "certificate",
      detail: `certificate "CN=localhost" is expired or not yet valid`
    })
    expect(verifyPeerChain([der("server")], "localhost", ca, to + 1000)).toEqual({
      reason: "certificate",
      detail: `certificate "CN=localhost" is expired or not yet valid`
    })
    expect(verifyPeerChain([der("expired")], "localhost", ca)).toEqual({
      reason: "certificate",
      detail: `certificate "CN=localhost" is expired or not yet valid`
    })
  })

  it("a chain the server sends with its CA reaches a trusted anchor through it; without that anchor, no issuer", () => {
    expect(verifyPeerChain([der("server"), der("ca")], "localhost", ca, from)).toBeUndefined()
    // The CA in the chain is not trusted by being sent: Node's roots do not know it.
    expect(verifyPeerChain([der("server"), der("ca")], "localhost", undefined, from)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
    // An anchor that is not a CA certificate does not issue: the server's own certificate as `ca` pins only itself.
    expect(verifyPeerChain([der("wrong-host")], "wrong.test", pem("server"), from)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
    expect(verifyPeerChain([der("server")], "localhost", pem("server"), from)).toBeUndefined()
    expect(verifyPeerChain([der("self-signed")], "localhost", ca)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
    expect(verifyPeerChain([der("server")], "localhost", "not a certificate", from)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
  })

  it("a certificate whose issuer name matches the CA but whose signature does not verify has no issuer", () => {
    // The server's certificate with one bit of its signature flipped: still parsed, still naming the CA as issuer.
    const forged = der("server").slice()
    forged[forged.length - 1] ^= 1
    expect(new X509Certificate(Buffer.from(forged)).checkIssued(new X509Certificate(ca))).toBe(true)
    expect(verifyPeerChain([forged], "localhost", ca, from)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
  })

  it("a CA certificate sent alone that no anchor issued is its own issuer only: no local issuer, not a chain loop", () => {
    expect(verifyPeerChain([der("ca")], "localhost", undefined, from)).toEqual({
      reason: "certificate",
      detail: "unable to get local issuer certificate"
    })
  })

  it("no certificate, or one that cannot be parsed, is refused with a sentence saying so", () => {
    expect(verifyPeerChain([], "localhost", ca)).toEqual({ reason: "certificate", detail: "the server sent no certificate" })
    const garbage = verifyPeerChain([Uint8Array.of(1, 2, 3)], "localhost", ca)
    expect(garbage?.reason).toBe("certificate")
    expect(garbage?.detail.startsWith("a certificate could not be parsed: ")).toBe(true)
    const badCa = verifyPeerChain([der("server")], "localhost", [Uint8Array.of(9, 9)])
    expect(badCa?.detail.startsWith("a certificate could not be parsed: ")).toBe(true)
  })

  it("the identity is Node's check: a DNS name or an IP SAN; another name is reason hostname with Node's message", () => {
    for (const name of ["localhost", "127.0.0.1", "::1"]) expect(verifyPeerChain([der("server")], name, ca, from)).toBeUndefined()
    const wrong = verifyPeerChain([der("server")], "example.com", ca, from)
    expect(wrong?.reason).toBe("hostname")
    expect(wrong?.detail).toBe(tls.checkServerIdentity("example.com", server.toLegacyObject())!.message)
  })
})
