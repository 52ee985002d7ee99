import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import type * as net from "node:net"
import type * as tls from "node:tls"
import { connect } from "../src/internal/node/socket.js"
import { cert, httpsServer, rawServer } from "./support/servers.js"

const neverResolves: net.LookupFunction = () => {}

describe("Transport: connect", () => {
  it.scoped("connects over TCP and reports http/1.1", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer(() => {})
      const open = yield* connect({ transport: "tcp", host: "127.0.0.1", port: srv.port, connectTimeout: 8000 })
      expect(open.alpn).toBe("http/1.1")
      expect(open.tls).toBe(false)
      open.socket.destroy()
    }))

  it.effect("fails with ConnectTimeout exactly at connectTimeout (TestClock, DNS that never answers)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        connect({ transport: "tcp", host: "stall.test", port: 80, connectTimeout: 8000, lookup: neverResolves })
      )
      yield* TestClock.adjust("7999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("ConnectTimeout")
    }))

  it.effect("a refused connection is ConnectError(refused)", () =>
    Effect.gen(function*() {
      // Port 1 on loopback: nothing listens there.
      const error = yield* Effect.flip(connect({ transport: "tcp", host: "127.0.0.1", port: 1, connectTimeout: 8000 }))
      expect(error._tag).toBe("ConnectError")
      if (error._tag === "ConnectError") expect(error.reason).toBe("refused")
    }))

  it.effect("a missing unix socket is ConnectError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(connect({ transport: "unix", host: "/nonexistent/sock", port: 0, connectTimeout: 8000 }))
      expect(error._tag).toBe("ConnectError")
    }))

  it.scoped("TLS: verifies against the test CA and negotiates ALPN", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const open = yield* connect({
        transport: "tls",
        host: "localhost",
        port: srv.port,
        connectTimeout: 8000,
        tls: { ca: cert("ca.pem") }
      })
      expect(open.tls).toBe(true)
      expect(open.alpn).toBe("http/1.1")
      open.socket.destroy()
    }))

  const rejected = [
    ["an unknown issuer", "self-signed", "certificate"],
    ["an expired certificate", "expired", "certificate"],
    ["a hostname mismatch", "wrong-host", "hostname"]
  ] as const
  for (const [what, certName, reason] of rejected) {
    it.scoped(`TLS: ${what} fails with TlsError(${reason})`, () =>
      Effect.gen(function*() {
        const srv = yield* httpsServer((_req, res) => res.end(), { certName })
        const error = yield* Effect.flip(connect({
          transport: "tls",
          host: "localhost",
          port: srv.port,
          connectTimeout: 8000,
          tls: { ca: cert("ca.pem") }
        }))
        expect(error._tag).toBe("TlsError")
        if (error._tag === "TlsError") expect(error.reason).toBe(reason)
      }))
  }

  it.scoped("TLS: insecure skips verification", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end(), { certName: "self-signed" })
      const open = yield* connect({
        transport: "tls",
        host: "localhost",
        port: srv.port,
        connectTimeout: 8000,
        tls: { insecure: true }
      })
      open.socket.destroy()
    }))

  it.scoped("TLS: mTLS presents the client certificate (the server sees its subject; without it the server refuses)", () =>
    Effect.gen(function*() {
      // The server answers with the subject of the certificate the client presented.
      const srv = yield* httpsServer(
        (req, res) => res.end(String((req.socket as tls.TLSSocket).getPeerCertificate().subject?.CN)),
        { requestCert: true }
      )
      const exchange = (withCert: boolean) =>
        Effect.gen(function*() {
          const open = yield* connect({
            transport: "tls",
            host: "localhost",
            port: srv.port,
            connectTimeout: 8000,
            tls: withCert ? { ca: cert("ca.pem"), cert: cert("client.pem"), key: cert("client-key.pem") } : { ca: cert("ca.pem") }
          })
          return yield* Effect.async<string>((resume) => {
            let got = ""
            open.socket.on("data", (d: Buffer) => (got += d.toString("latin1")))
            open.socket.on("error", () => {})
            open.socket.on("close", () => resume(Effect.succeed(got)))
            open.socket.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          })
        })
      expect(yield* exchange(true)).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\neffect-hackney test client$/)
      expect(srv.accepted()).toBe(1)
      // TLS 1.3: the client's handshake completes before the server checks for a certificate; the server then refuses.
      expect(yield* exchange(false)).not.toMatch(/^HTTP/)
      expect(srv.accepted()).toBe(1)
    }))

  it.effect("TLS: a handshake that stalls fails with ConnectTimeout on the TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer(() => {}) // accepts TCP, never speaks TLS
      const fiber = yield* Effect.fork(connect({
        transport: "tls",
        host: "127.0.0.1",
        port: srv.port,
        connectTimeout: 2000,
        tls: { ca: cert("ca.pem") }
      }))
      // Let the TCP connect happen for real, then move the clock.
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      yield* TestClock.adjust("2 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("ConnectTimeout")
      expect(srv.sockets.size).toBeLessThanOrEqual(1)
    }).pipe(Effect.scoped))
})
