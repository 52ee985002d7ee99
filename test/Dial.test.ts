/**
 * The dial as steps (src/internal/node/{tcp,tls,socket}.ts): the plan, `startTls` over a stream
 * that is already connected (as a proxy tunnel will give it), error classification per step,
 * session resumption, and cleanup on interruption.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { mkdtempSync } from "node:fs"
import * as https from "node:https"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type * as tls from "node:tls"
import { connect, plan, runPlan } from "../src/internal/node/socket.js"
import { dialTcp, dialUnix } from "../src/internal/node/tcp.js"
import { startTls } from "../src/internal/node/tls.js"
import { cert, httpServer, httpsServer, rawServer } from "./support/servers.js"

const ca = cert("ca.pem")
const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
/** Polls `cond` on real time, for at most ~2 s. */
const eventually = (cond: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && !cond(); i++) yield* sleep(10)
    expect(cond()).toBe(true)
  })

/** A TCP relay to 127.0.0.1:`port`: what a proxy tunnel looks like once CONNECT succeeded. */
const relayTo = (port: number) =>
  rawServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port })
    upstream.on("error", () => client.destroy())
    client.on("close", () => upstream.destroy())
    upstream.on("close", () => client.destroy())
    client.pipe(upstream).pipe(client)
  })

/** Sends one GET over `socket` and resolves with the raw response text once the server closes. */
const roundTrip = (socket: net.Socket) =>
  Effect.async<string>((resume) => {
    const parts: Array<Buffer> = []
    socket.on("data", (d: Buffer) => parts.push(d))
    socket.on("close", () => resume(Effect.succeed(Buffer.concat(parts).toString("latin1"))))
    socket.write("GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
  })

describe("Dial plan", () => {
  it("tcp and unix are one hop; tls adds a Tls step with the origin and the default ALPN offer", () => {
    const base = { host: "example.test", port: 443, connectTimeout: 1000 }
    expect(plan({ ...base, transport: "tcp" }).steps).toEqual([])
    expect(plan({ ...base, transport: "unix", host: "/run/x.sock" })).toEqual({ first: { _tag: "Unix", path: "/run/x.sock" }, steps: [] })
    const p = plan({ ...base, transport: "tls", tls: { ca } })
    expect(p.first._tag).toBe("Tcp")
    expect(p.steps).toEqual([{ _tag: "Tls", target: { host: "example.test", port: 443, tls: { ca }, protocols: ["h2", "http/1.1"] } }])
  })
})

describe("Dial steps", () => {
  it.scoped("startTls over an already connected stream (a relay) verifies the origin, not the relay", () =>
    Effect.gen(function*() {
      const origin = yield* httpsServer((_req, res) => res.end("through"))
      const relay = yield* relayTo(origin.port)
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: relay.port }, {})
      const open = yield* startTls(tcp, { host: "localhost", port: origin.port, tls: { ca }, protocols: ["http/1.1"] }, {})
      expect(open.alpn).toBe("http/1.1")
      expect(open.peercert?.subject.CN).toBe("localhost")
      const response = yield* roundTrip(open.socket)
      expect(response.startsWith("HTTP/1.1 200")).toBe(true)
      expect(response.endsWith("through")).toBe(true)
    }))

  it.scoped("startTls through a relay to the wrong origin name: TlsError(hostname), both sockets destroyed", () =>
    Effect.gen(function*() {
      const origin = yield* httpsServer((_req, res) => res.end())
      const relay = yield* relayTo(origin.port)
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: relay.port }, {})
      const error = yield* Effect.flip(
        startTls(tcp, { host: "example.test", port: origin.port, tls: { ca }, protocols: ["http/1.1"] }, { method: "GET", url: "https://example.test/" })
      )
      expect(error._tag).toBe("TlsError")
      expect(error.reason).toBe("hostname")
      expect(error.host).toBe("example.test")
      expect(error.url).toBe("https://example.test/")
      expect(tcp.destroyed).toBe(true)
      yield* eventually(() => relay.sockets.size === 0)
    }))

  it.scoped("an IP literal origin is verified against the certificate's IP address (no SNI)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const open = yield* connect({ transport: "tls", host: "127.0.0.1", port: srv.port, connectTimeout: 8000, tls: { ca } })
      expect(open.tls).toBe(true)
      expect((open.socket as tls.TLSSocket).servername).toBeFalsy()
      open.socket.destroy()
    }))

  it.effect("a refused TLS dial is ConnectError(refused): TlsError only once TCP is up", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(connect({ transport: "tls", host: "127.0.0.1", port: 1, connectTimeout: 8000, tls: { ca } }))
      expect(error._tag).toBe("ConnectError")
      if (error._tag === "ConnectError") expect(error.reason).toBe("refused")
    }))

  it.scoped("a peer that drops the connection during the handshake: TlsError(handshake)", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((s) => s.once("data", () => s.destroy()))
      const error = yield* Effect.flip(connect({ transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000, tls: { ca } }))
      expect(error._tag).toBe("TlsError")
      if (error._tag === "TlsError") expect(error.reason).toBe("handshake")
    }))

  // In-process counterparts of the TLS interop expectations (test/interop/tls.interop.test.ts).
  it.scoped("https to a cleartext HTTP server: TlsError(handshake)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end())
      const error = yield* Effect.flip(connect({ transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000, tls: { ca } }))
      expect(error._tag).toBe("TlsError")
      if (error._tag === "TlsError") expect(error.reason).toBe("handshake")
    }))

  it.scoped("TLS 1.1 at most against a TLS 1.2+ server: TlsError(handshake)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const error = yield* Effect.flip(connect({
        transport: "tls",
        host: "localhost",
        port: srv.port,
        connectTimeout: 8000,
        tls: { ca, minVersion: "TLSv1", maxVersion: "TLSv1.1" }
      }))
      expect(error._tag).toBe("TlsError")
      if (error._tag === "TlsError") expect(error.reason).toBe("handshake")
    }))

  it.scoped("a servername is the SNI and the verification name, whatever the host dialled", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const base = { transport: "tls", host: "127.0.0.1", port: srv.port, connectTimeout: 8000 } as const
      const error = yield* Effect.flip(connect({ ...base, tls: { ca, servername: "wrong.test", sessionReuse: false } }))
      expect(error._tag).toBe("TlsError")
      if (error._tag === "TlsError") {
        expect(error.reason).toBe("hostname")
        expect(error.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID")
      }
      const open = yield* connect({ ...base, tls: { ca, servername: "localhost" } })
      expect((open.socket as tls.TLSSocket).servername).toBe("localhost")
      open.socket.destroy()
    }))

  it.scoped("a second dial resumes the TLS session and still reports the peer certificate", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const options = { transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000, tls: { ca } } as const
      const first = yield* connect(options)
      expect((first.socket as tls.TLSSocket).isSessionReused()).toBe(false)
      // TLS 1.3 tickets arrive after the handshake.
      yield* sleep(50)
      first.socket.destroy()
      const second = yield* connect(options)
      expect((second.socket as tls.TLSSocket).isSessionReused()).toBe(true)
      expect(second.peercert?.subject.CN).toBe("localhost")
      second.socket.destroy()
      // sessionReuse: false never resumes.
      const third = yield* connect({ ...options, tls: { ca, sessionReuse: false } })
      expect((third.socket as tls.TLSSocket).isSessionReused()).toBe(false)
      third.socket.destroy()
    }))

  it.scoped("TLS sessions never cross trust settings: an insecure dial's session is not kept, another CA's is not resumed", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const options = { transport: "tls", host: "localhost", port: srv.port, connectTimeout: 8000 } as const
      // insecure: its session is never cached, so a verifying dial after it does a full handshake.
      const insecure = yield* connect({ ...options, tls: { ca, insecure: true } })
      yield* sleep(50)
      insecure.socket.destroy()
      const verified = yield* connect({ ...options, tls: { ca } })
      expect((verified.socket as tls.TLSSocket).isSessionReused()).toBe(false)
      yield* sleep(50)
      verified.socket.destroy()
      // A verified session is not offered to a dial that trusts other roots (Node's own): it verifies, and fails.
      const otherRoots = yield* Effect.flip(connect(options))
      expect(otherRoots._tag).toBe("TlsError")
      // …while the same trust settings resume it.
      const again = yield* connect({ ...options, tls: { ca } })
      expect((again.socket as tls.TLSSocket).isSessionReused()).toBe(true)
      again.socket.destroy()
    }))

  it.scoped("interrupting a dial during the TLS handshake destroys the socket", () =>
    Effect.gen(function*() {
      // Accepts TCP and reads (so it notices the close), never speaks TLS.
      const srv = yield* rawServer((s) => s.resume())
      const fiber = yield* Effect.fork(connect({ transport: "tls", host: "127.0.0.1", port: srv.port, connectTimeout: 60_000, tls: { ca } }))
      yield* eventually(() => srv.sockets.size === 1)
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => srv.sockets.size === 0)
    }))

  it.scoped("startTls over a stream that already closed fails at once with TlsError(handshake)", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end())
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      tcp.destroy()
      const error = yield* Effect.flip(startTls(tcp, { host: "localhost", port: srv.port, tls: { ca }, protocols: ["http/1.1"] }, {}))
      expect(error._tag).toBe("TlsError")
      expect(error.reason).toBe("handshake")
    }))

  it.scoped("a TCP socket reset before the next step listens is destroyed, not an uncaught error", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer(() => {})
      const tcp = yield* dialTcp({ host: "127.0.0.1", port: srv.port }, {})
      yield* eventually(() => srv.sockets.size === 1)
      for (const s of srv.sockets) s.resetAndDestroy()
      yield* eventually(() => tcp.destroyed)
    }))

  it.scoped("a Tls step after another hop runs over that hop's stream (here a Unix socket)", () =>
    Effect.gen(function*() {
      const path = join(mkdtempSync(join(tmpdir(), "hackney-dial-")), "tls.sock")
      const server = https.createServer({ cert: cert("server.pem"), key: cert("server-key.pem") }, (_req, res) => res.end("over unix"))
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(path, () => resume(Effect.void))),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const open = yield* runPlan(
        { first: { _tag: "Unix", path }, steps: [{ _tag: "Tls", target: { host: "localhost", port: 443, tls: { ca }, protocols: ["http/1.1"] } }] },
        {}
      )
      expect(open.tls).toBe(true)
      expect(open.peercert?.subject.CN).toBe("localhost")
      const response = yield* roundTrip(open.socket as net.Socket)
      expect(response.endsWith("over unix")).toBe(true)
    }))

  it.effect("dialUnix on a missing path is ConnectError(refused) naming the path", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(dialUnix("/nonexistent/hackney.sock", {}))
      expect(error.reason).toBe("refused")
      expect(error.host).toBe("/nonexistent/hackney.sock")
    }))
})
