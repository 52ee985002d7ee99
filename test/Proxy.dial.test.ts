/**
 * Proxy dial steps (src/internal/node/{httpTunnel,socks5,handshake}.ts and the
 * proxy plan in socket.ts) against in-process proxies: CONNECT tunnels with
 * and without Basic auth, an https:// proxy, SOCKS5 with remote and local
 * resolution, every failure as ProxyError, timeouts on the TestClock, and no
 * socket left open on failure or interruption.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import type * as http from "node:http"
import type * as net from "node:net"
import type { ConnectOptions, ProxyDial } from "../src/internal/node/socket.js"
import { connect, plan } from "../src/internal/node/socket.js"
import { parseProxyUrl } from "../src/internal/proxy/proxyUrl.js"
import { eventually, realSleep as sleep } from "./support/hackney.js"
import { httpProxy, socks5Server } from "./support/proxies.js"
import { cert, httpServer, httpsServer } from "./support/servers.js"

const ca = cert("ca.pem")
const proxyOf = (url: string, extra: Partial<ProxyDial> = {}): ProxyDial => ({
  ...Either.getOrThrow(parseProxyUrl(url)),
  ...extra
})

/** Sends one GET over `socket`, resolves with the raw response once the server closes. */
const roundTrip = (socket: net.Socket, host = "localhost") =>
  Effect.async<string>((resume) => {
    const parts: Array<Buffer> = []
    socket.on("data", (d: Buffer) => parts.push(d))
    socket.on("close", () => resume(Effect.succeed(Buffer.concat(parts).toString("latin1"))))
    socket.resume()
    socket.write(`GET /x HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`)
  })

/** An origin that records the headers it got. */
const recordingOrigin = (secure: boolean) =>
  Effect.gen(function*() {
    const seen: Array<http.IncomingHttpHeaders> = []
    const handler: http.RequestListener = (req, res) => {
      seen.push(req.headers)
      res.end("from-origin")
    }
    const server = secure ? yield* httpsServer(handler) : yield* httpServer(handler)
    return { ...server, seen }
  })

const tlsTarget = (port: number, proxy: ProxyDial): ConnectOptions => ({
  transport: "tls",
  host: "localhost",
  port,
  connectTimeout: 8000,
  tls: { ca },
  proxy
})

describe("proxy plan", () => {
  it("http proxy: TCP to the proxy; a tls target gets CONNECT then TLS with the origin, a tcp target no tunnel (forwarding)", () => {
    const proxy = proxyOf("http://u:p@proxy.test:3128")
    const p = plan(tlsTarget(443, proxy))
    expect(p.first).toMatchObject({ _tag: "Tcp", target: { host: "proxy.test", port: 3128 } })
    expect(p.steps.map((s) => s._tag)).toEqual(["HttpTunnel", "Tls"])
    expect(p.steps[0]).toMatchObject({ target: { host: "localhost", port: 443, authorization: "Basic dTpw" } })
    expect(p.steps[1]).toMatchObject({ target: { host: "localhost", port: 443 } })
    expect(plan({ transport: "tcp", host: "o.test", port: 80, connectTimeout: 1, proxy }).steps).toEqual([])
  })
  it("https proxy: TLS with the proxy (its own options) first; socks5: the Socks5 step", () => {
    const p = plan(tlsTarget(443, proxyOf("https://proxy.test", { tls: { servername: "p" } })))
    expect(p.steps.map((s) => s._tag)).toEqual(["Tls", "HttpTunnel", "Tls"])
    expect(p.steps[0]).toMatchObject({ target: { host: "proxy.test", port: 443, tls: { servername: "p" } } })
    const s = plan({ transport: "tcp", host: "o.test", port: 80, connectTimeout: 1, proxy: proxyOf("socks5h://a:b@s.test") })
    expect(s.steps).toMatchObject([{ _tag: "Socks5", target: { host: "o.test", port: 80, user: "a", password: "b" } }])
  })
})

describe("HTTP CONNECT", () => {
  it.scoped("tunnels to an https origin, verified against the origin's name; credentials stay with the proxy", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(true)
      const proxy = yield* httpProxy({ auth: "alice:s3cret" })
      const open = yield* connect(tlsTarget(origin.port, proxyOf(`http://alice:s3cret@127.0.0.1:${proxy.port}`)))
      expect(open.tls).toBe(true)
      expect(open.peercert?.subject.CN).toBe("localhost")
      const response = yield* roundTrip(open.socket as net.Socket)
      expect(response).toMatch(/^HTTP\/1\.1 200/)
      expect(response.endsWith("from-origin")).toBe(true)
      expect(proxy.received).toHaveLength(1)
      expect(proxy.received[0]).toMatchObject({
        method: "CONNECT",
        target: `localhost:${origin.port}`,
        headers: { host: `localhost:${origin.port}`, "proxy-authorization": `Basic ${Buffer.from("alice:s3cret").toString("base64")}` }
      })
      expect(origin.seen[0]!["proxy-authorization"]).toBeUndefined()
    }))

  it.scoped("without credentials no Proxy-Authorization is sent", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(true)
      const proxy = yield* httpProxy()
      const open = yield* connect(tlsTarget(origin.port, proxyOf(`http://127.0.0.1:${proxy.port}`)))
      open.socket.destroy()
      expect(proxy.received[0]!.headers["proxy-authorization"]).toBeUndefined()
    }))

  it.scoped("an https:// proxy: TLS with the proxy (verified against its name), then the tunnel and TLS with the origin", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(true)
      const proxy = yield* httpProxy({ tls: true })
      const open = yield* connect(tlsTarget(origin.port, proxyOf(`https://localhost:${proxy.port}`, { tls: { ca } })))
      expect(open.peercert?.subject.CN).toBe("localhost")
      expect((yield* roundTrip(open.socket as net.Socket)).endsWith("from-origin")).toBe(true)
      expect(proxy.received[0]!.method).toBe("CONNECT")
      // Without the proxy's trust options, its certificate is refused.
      const error = yield* Effect.flip(connect(tlsTarget(origin.port, proxyOf(`https://localhost:${proxy.port}`))))
      expect(error._tag).toBe("TlsError")
    }))

  const failures: ReadonlyArray<[string, Parameters<typeof httpProxy>[0], boolean, Record<string, unknown>]> = [
    ["407 without credentials: auth-required with the challenge", { auth: "a:b" }, false, { reason: "auth-required", status: 407, detail: `Basic realm="test"` }],
    ["407 with wrong credentials: auth-failed", { auth: "a:b" }, true, { reason: "auth-failed", status: 407 }],
    ["401 to CONNECT with wrong credentials (tinyproxy): auth-failed, WWW-Authenticate in detail", { auth: "a:b", wrongAuth401: true }, true, { reason: "auth-failed", status: 401, detail: `Basic realm="tiny"` }],
    ["403 to CONNECT: invalid-response with the status", { mode: { status: 403 } }, false, { reason: "invalid-response", status: 403 }],
    ["a 3xx to CONNECT is not success either", { mode: { status: 302 } }, false, { reason: "invalid-response", status: 302 }],
    ["garbage instead of HTTP: invalid-response", { mode: "garbage" }, false, { reason: "invalid-response" }],
    ["the proxy closes mid-handshake: invalid-response", { mode: "close" }, false, { reason: "invalid-response" }]
  ]
  for (const [name, options, withCredentials, expected] of failures) {
    it.scoped(`${name}; the socket is closed`, () =>
      Effect.gen(function*() {
        const proxy = yield* httpProxy(options)
        const url = `http://${withCredentials ? "a:wrong@" : ""}127.0.0.1:${proxy.port}`
        const error = yield* Effect.flip(connect({ ...tlsTarget(443, proxyOf(url)), method: "GET", url: "https://localhost/" }))
        expect(error).toMatchObject({ _tag: "ProxyError", proxy: `http://127.0.0.1:${proxy.port}`, url: "https://localhost/", ...expected })
        expect(error.message).not.toContain("wrong")
        yield* eventually(() => proxy.sockets.size === 0)
      }))
  }

  it.effect("a refused proxy: ProxyError connect-refused with the ConnectError as cause", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(connect(tlsTarget(443, proxyOf("http://u:p@127.0.0.1:1"))))
      expect(error).toMatchObject({ _tag: "ProxyError", reason: "connect-refused", proxy: "http://127.0.0.1:1" })
      expect((error as { cause: { _tag: string; reason: string } }).cause).toMatchObject({ _tag: "ConnectError", reason: "refused" })
    }))

  it.scoped("CR/LF in the CONNECT target: InvalidRequest, nothing sent", () =>
    Effect.gen(function*() {
      const proxy = yield* httpProxy()
      const error = yield* Effect.flip(connect({ ...tlsTarget(443, proxyOf(`http://127.0.0.1:${proxy.port}`)), host: "a\r\nX-Evil: 1" }))
      expect(error._tag).toBe("InvalidRequest")
      yield* sleep(20)
      expect(proxy.received).toEqual([])
      yield* eventually(() => proxy.sockets.size === 0)
    }))

  it.scoped("a proxy that stalls the handshake: ConnectTimeout on the TestClock, socket closed", () =>
    Effect.gen(function*() {
      const proxy = yield* httpProxy({ mode: "stall" })
      const fiber = yield* Effect.fork(connect({ ...tlsTarget(443, proxyOf(`http://127.0.0.1:${proxy.port}`)), connectTimeout: 5000 }))
      yield* eventually(() => proxy.received.length === 1)
      yield* TestClock.adjust("4999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toMatchObject({ _tag: "Failure" })
      expect(JSON.stringify(exit)).toContain("ConnectTimeout")
      yield* eventually(() => proxy.sockets.size === 0)
    }))

  it.scoped("interrupted mid-handshake: no socket left open", () =>
    Effect.gen(function*() {
      const proxy = yield* httpProxy({ mode: "stall" })
      const fiber = yield* Effect.fork(connect(tlsTarget(443, proxyOf(`http://127.0.0.1:${proxy.port}`))))
      yield* eventually(() => proxy.received.length === 1)
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => proxy.sockets.size === 0)
    }))
})

describe("SOCKS5", () => {
  const socksTarget = (port: number, proxy: ProxyDial, transport: "tcp" | "tls" = "tls"): ConnectOptions => ({
    ...tlsTarget(port, proxy),
    transport
  })

  it.scoped("no auth, remote resolution: the name goes to the proxy; TLS with the origin through the tunnel", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(true)
      const socks = yield* socks5Server()
      const open = yield* connect(socksTarget(origin.port, proxyOf(`socks5://127.0.0.1:${socks.port}`)))
      expect(open.peercert?.subject.CN).toBe("localhost")
      expect((yield* roundTrip(open.socket as net.Socket)).endsWith("from-origin")).toBe(true)
      expect(socks.received).toEqual([{ methods: [0], atyp: 3, host: "localhost", port: origin.port }])
    }))

  it.scoped("user/password (RFC 1929) from the URL, to a plain http origin", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(false)
      const socks = yield* socks5Server({ auth: "bob:p@ss" })
      const open = yield* connect(socksTarget(origin.port, proxyOf(`socks5h://bob:p%40ss@127.0.0.1:${socks.port}`), "tcp"))
      expect((yield* roundTrip(open.socket as net.Socket)).endsWith("from-origin")).toBe(true)
      expect(socks.received[0]).toMatchObject({ methods: [0, 2], user: "bob", password: "p@ss", host: "localhost" })
    }))

  it.scoped("socks5Resolve local: the address is looked up here and sent as IPv4", () =>
    Effect.gen(function*() {
      const origin = yield* recordingOrigin(false)
      const socks = yield* socks5Server()
      const proxy = proxyOf(`socks5://127.0.0.1:${socks.port}`, { socks5Resolve: "local" })
      const open = yield* connect({ ...socksTarget(origin.port, proxy, "tcp"), host: "origin.test", lookup: ((_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, "127.0.0.1", 4)) as never })
      open.socket.destroy()
      expect(socks.received[0]).toMatchObject({ atyp: 1, host: "127.0.0.1", port: origin.port })
    }))

  it.scoped("socks5Resolve local with an IPv6 answer: sent as IPv6; a reply code is socks5 with its RFC 1928 meaning", () =>
    Effect.gen(function*() {
      const socks = yield* socks5Server({ mode: { reply: 5 } })
      const proxy = proxyOf(`socks5://127.0.0.1:${socks.port}`, { socks5Resolve: "local" })
      const error = yield* Effect.flip(connect({ ...socksTarget(8443, proxy), host: "v6.test", lookup: ((_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, "2001:db8::7", 6)) as never }))
      expect(socks.received[0]).toMatchObject({ atyp: 4, host: "2001:db8:0:0:0:0:0:7", port: 8443 })
      expect(error).toMatchObject({ _tag: "ProxyError", reason: "socks5" })
      expect((error as { detail: string }).detail).toContain("connection refused (reply 5)")
    }))

  const failures: ReadonlyArray<[string, Parameters<typeof socks5Server>[0], string, Record<string, unknown>]> = [
    ["wrong credentials: socks5", { auth: "a:b" }, "a:nope@", { reason: "socks5", detail: "the proxy refused the user name and password" }],
    ["credentials required, none given: socks5", { auth: "a:b" }, "", { reason: "socks5" }],
    ["reply 2: socks5, not allowed by ruleset", { mode: { reply: 2 } }, "", { reason: "socks5" }],
    ["garbage: invalid-response", { mode: "garbage" }, "", { reason: "invalid-response" }],
    ["closed mid-handshake: invalid-response", { mode: "close" }, "", { reason: "invalid-response" }]
  ]
  for (const [name, options, userinfo, expected] of failures) {
    it.scoped(`${name}; the socket is closed`, () =>
      Effect.gen(function*() {
        const socks = yield* socks5Server(options)
        const error = yield* Effect.flip(connect(socksTarget(443, proxyOf(`socks5://${userinfo}127.0.0.1:${socks.port}`))))
        expect(error).toMatchObject({ _tag: "ProxyError", ...expected })
        expect(error.message).not.toContain("nope")
        yield* eventually(() => socks.sockets.size === 0)
      }))
  }

  it.scoped("a SOCKS5 proxy that stalls: ConnectTimeout on the TestClock; interrupted: socket closed", () =>
    Effect.gen(function*() {
      const socks = yield* socks5Server({ mode: "stall" })
      const fiber = yield* Effect.fork(connect({ ...socksTarget(443, proxyOf(`socks5://127.0.0.1:${socks.port}`)), connectTimeout: 3000 }))
      yield* eventually(() => socks.accepted() === 1)
      yield* TestClock.adjust("3 seconds")
      expect(JSON.stringify(yield* Fiber.await(fiber))).toContain("ConnectTimeout")
      yield* eventually(() => socks.sockets.size === 0)
      const fiber2 = yield* Effect.fork(connect(socksTarget(443, proxyOf(`socks5://127.0.0.1:${socks.port}`))))
      yield* eventually(() => socks.accepted() === 2)
      yield* Fiber.interrupt(fiber2)
      yield* eventually(() => socks.sockets.size === 0)
    }))
})
