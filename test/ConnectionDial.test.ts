/**
 * Opening a connection, piece by piece (src/internal/connection/{dial,driver,
 * forwardProxy,socketInfo,connection}.ts): the forward proxy's request head
 * and refusal, what a connection tells of its socket, the driver chosen by
 * ALPN or prior knowledge, `Expect: 100-continue`, and the dial itself
 * (h2c, a forwarding proxy and its credentials, HTTP/3 refusals, its span and
 * Debug logs) against loopback servers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Logger, LogLevel, Option } from "effect"
import * as http2 from "node:http2"
import * as net from "node:net"
import { ProxyError } from "../src/HackneyError.js"
import { Url } from "../src/index.js"
import { expectsContinue } from "../src/internal/connection/connection.js"
import type { RequestHead } from "../src/internal/connection/connection.js"
import { dialConnection } from "../src/internal/connection/dial.js"
import { openConnection } from "../src/internal/connection/driver.js"
import { alpnOffer, forcedH3, preferredH3 } from "../src/internal/connection/protocols.js"
import { forwardHead, forwardRefusal } from "../src/internal/connection/forwardProxy.js"
import { peercertOf, peernameOf, SocketInfo, socknameOf } from "../src/internal/connection/socketInfo.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import type { ResponseHead } from "../src/internal/http1/types.js"
import { traceConnect } from "../src/internal/observe/log.js"
import { buildDialSpec } from "../src/internal/pool/dialSpec.js"
import type { Duplex } from "../src/internal/transport/duplex.js"
import { currentWheel, wheelFor } from "../src/internal/timer/wheel.js"
import { testRequest } from "./support/driver.js"
import { mockTransport } from "./support/mockTransport.js"
import { socks5Server } from "./support/proxies.js"
import { cert, onRequestHead, rawServer } from "./support/servers.js"
import { recordingTracer } from "./support/tracer.js"

const head = (over: Partial<RequestHead> = {}): RequestHead => ({
  method: "GET",
  target: "/a?b",
  authority: "origin.test:8080",
  rawHeaders: [],
  bodySize: 0,
  h1: undefined,
  ...over
})

describe("forward proxy", () => {
  it("the head goes in absolute-form; the proxy's credentials replace any Proxy-Authorization the caller set", () => {
    const forward = { proxy: "http://proxy.test:3128", authorization: "Basic bmV3" }
    expect(forwardHead(head({ rawHeaders: ["Proxy-Authorization", "Basic old", "X", "1", "PROXY-AUTHORIZATION", "x"] }), forward))
      .toBe("GET http://origin.test:8080/a?b HTTP/1.1\r\nHost: origin.test:8080\r\nX: 1\r\nProxy-Authorization: Basic bmV3\r\n\r\n")
  })

  it("without proxy credentials the caller's fields are kept as they are; OPTIONS * targets the authority", () => {
    const forward = { proxy: "http://proxy.test:3128" }
    expect(forwardHead(head({ method: "OPTIONS", target: "*", authority: "origin.test", rawHeaders: ["proxy-authorization", "Basic mine"], bodySize: 3 }), forward))
      .toBe("OPTIONS http://origin.test HTTP/1.1\r\nHost: origin.test\r\nproxy-authorization: Basic mine\r\nContent-Length: 3\r\n\r\n")
  })

  it("a 407 is the proxy's refusal (auth-required, or auth-failed when credentials were sent); a 401 or 200 is the origin's", () => {
    const where = ["GET", "http://origin.test/"] as const
    const response = (status: number, reason: string, rawHeaders: ReadonlyArray<string>): ResponseHead => ({
      versionMajor: 1,
      versionMinor: 1,
      status,
      reason,
      rawHeaders,
      keepAlive: true,
      body: "none",
      contentLength: undefined
    } as ResponseHead)
    const h407 = response(407, "Proxy Authentication Required", ["Proxy-Authenticate", "Basic realm=\"p\""])
    const required = forwardRefusal(h407, { proxy: "http://proxy.test:3128" }, ...where)
    expect(required).toBeInstanceOf(ProxyError)
    expect(required).toMatchObject({
      reason: "auth-required",
      status: 407,
      proxy: "http://proxy.test:3128",
      method: "GET",
      url: "http://origin.test/",
      detail: "Basic realm=\"p\""
    })
    expect(forwardRefusal(h407, { proxy: "http://proxy.test:3128", authorization: "Basic eDp5" }, ...where))
      .toMatchObject({ reason: "auth-failed", status: 407 })
    expect(forwardRefusal(response(401, "", ["WWW-Authenticate", "Basic"]), { proxy: "p" }, ...where))
      .toBeUndefined()
    expect(forwardRefusal(response(200, "OK", []), { proxy: "p" }, ...where)).toBeUndefined()
  })
})

describe("socket info", () => {
  const cert = { subject: { CN: "now" } }
  const socket = (over: Record<string, unknown> = {}) => {
    const calls: Array<unknown> = []
    const s = {
      remoteAddress: "10.0.0.1",
      remoteFamily: "IPv4",
      remotePort: 443,
      address: () => ({ address: "10.0.0.2", family: "IPv4", port: 5555 }),
      getPeerCertificate: (detailed: unknown) => {
        calls.push(detailed)
        return cert
      },
      ...over
    }
    return { s: s as unknown as Duplex, calls }
  }

  it("the peer's and the local address; undefined once the socket closed; the family and port default", () => {
    expect(peernameOf(socket().s)).toEqual({ address: "10.0.0.1", family: "IPv4", port: 443 })
    expect(peernameOf(socket({ remoteAddress: undefined }).s)).toBeUndefined()
    expect(peernameOf(socket({ remoteFamily: undefined, remotePort: undefined }).s)).toEqual({ address: "10.0.0.1", family: "", port: 0 })
    expect(socknameOf(socket().s)).toEqual({ address: "10.0.0.2", family: "IPv4", port: 5555 })
    expect(socknameOf(socket({ address: () => ({}) }).s)).toBeUndefined()
    expect(socknameOf(socket({ address: () => "/run/x.sock" }).s)).toBeUndefined()
  })

  it("the peer certificate: none without TLS; the socket's detailed chain; the dial's when the socket gives an empty one", () => {
    const dialled = { subject: { CN: "dialled" } } as never
    const plain = socket()
    expect(peercertOf(plain.s, false, dialled)).toBeUndefined()
    expect(plain.calls).toEqual([])
    const secure = socket()
    expect(peercertOf(secure.s, true, dialled)).toBe(cert)
    expect(secure.calls).toEqual([true])
    expect(peercertOf(socket({ getPeerCertificate: () => ({}) }).s, true, dialled)).toBe(dialled)
    expect(peercertOf(socket({ getPeerCertificate: () => null }).s, true, dialled)).toBe(dialled)
  })

  it("SocketInfo reads the socket when asked: a closed socket's addresses are gone", () => {
    const s = socket()
    const info = new SocketInfo(s.s, "h2", true, undefined, 12)
    expect([info.alpn, info.tls, info.tlsHandshakeMillis, info.remoteAddress]).toEqual(["h2", true, 12, "10.0.0.1"])
    expect(info.peername).toEqual({ address: "10.0.0.1", family: "IPv4", port: 443 })
    expect(info.sockname).toEqual({ address: "10.0.0.2", family: "IPv4", port: 5555 })
    expect(info.peercert).toBe(cert)
    ;(s.s as { remoteAddress: string | undefined }).remoteAddress = undefined
    expect(info.remoteAddress).toBeUndefined()
    expect(info.peername).toBeUndefined()
    expect(new SocketInfo(s.s, "http/1.1", false, undefined).peercert).toBeUndefined()
  })
})

describe("the protocols option", () => {
  it("a value that is not a non-empty list, or a name that is not a protocol, gets a sentence naming it", () => {
    const notList = `protocols must be a non-empty array of "http/1.1", "h2" or "h3" (hackney's "http1", "http2", "http3" too)`
    expect(alpnOffer([])).toBe(notList)
    expect(alpnOffer("h2" as never)).toBe(notList)
    expect(alpnOffer(["h2", "spdy/3"])).toBe(`unknown protocol "spdy/3" in protocols: use "http/1.1", "h2" or "h3"`)
    expect(alpnOffer(["h2", 2] as never)).toBe(`unknown protocol 2 in protocols: use "http/1.1", "h2" or "h3"`)
    expect(alpnOffer(["HTTP2", "Http1", "h2"])).toEqual(["h2", "http/1.1"])
  })

  it("no list means neither forced nor preferred HTTP/3", () => {
    expect(preferredH3("tls", undefined)).toBe(false)
    expect(forcedH3("tls", undefined)).toBe(false)
  })
})

describe("Expect: 100-continue", () => {
  it("is asked by an Expect field (any case, leading blanks) whose value starts with 100-continue", () => {
    const asks = (...raw: Array<string>) => expectsContinue(head({ rawHeaders: raw }))
    expect(asks("Expect", "100-continue")).toBe(true)
    expect(asks("X", "1", "EXPECT", " \t100-Continue")).toBe(true)
    expect(asks()).toBe(false)
    expect(asks("Expect", "200-ok")).toBe(false)
    expect(asks("Expect", "x 100-continue")).toBe(false)
    expect(asks("Expects", "100-continue")).toBe(false)
    expect(asks("Xxpect", "100-continue")).toBe(false)
    // The value of the name, not of the next field.
    expect(asks("100-continue", "Expect")).toBe(false)
  })
})

/** An h2c server (prior knowledge) on 127.0.0.1; how many sessions it saw. */
const h2cServer = Effect.acquireRelease(
  Effect.async<{ port: number; sessions: () => number; schemes: () => ReadonlyArray<string>; server: http2.Http2Server }>((resume) => {
    let sessions = 0
    const schemes: Array<string> = []
    const server = http2.createServer((req, res) => {
      schemes.push(req.scheme)
      res.end("h2c")
    })
    server.on("session", () => void sessions++)
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, sessions: () => sessions, schemes: () => schemes, server })))
  }),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

/** An HTTP/2 server over TLS (the test certificate); the `:scheme` of each request. */
const h2TlsServer = Effect.acquireRelease(
  Effect.async<{ port: number; schemes: () => ReadonlyArray<string>; server: http2.Http2SecureServer }>((resume) => {
    const schemes: Array<string> = []
    const server = http2.createSecureServer({ cert: cert("server.pem"), key: cert("server-key.pem") }, (req, res) => {
      schemes.push(req.scheme)
      res.end("h2")
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, schemes: () => schemes, server })))
  }),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

/** A TCP server that records the request head of each connection and answers 200 with `answer`'s body. */
const headServer = (answer = "ok") =>
  Effect.gen(function*() {
    const heads: Array<string> = []
    const srv = yield* rawServer((s) =>
      onRequestHead(s, (h) => {
        heads.push(h)
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${answer.length}\r\n\r\n${answer}`)
      })
    )
    return { port: srv.port, heads }
  })

const dialSocket = (port: number) =>
  Effect.async<net.Socket>((resume) => {
    const s = net.connect(port, "127.0.0.1", () => resume(Effect.succeed(s)))
  })

describe("driver choice", () => {
  const h2Options = (wheel: Parameters<typeof openConnection>[1]["wheel"]) => ({
    scheme: "http" as const,
    host: "127.0.0.1",
    port: 0,
    headLimits: defaultHeadLimits,
    wheel,
    settingsTimeout: 2000
  })

  it.scoped("ALPN h2 opens an HTTP/2 session; so does h2c prior knowledge without TLS; else HTTP/1.1", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* h2cServer
      const byAlpn = yield* openConnection({ socket: yield* dialSocket(srv.port), alpn: "h2", tls: false }, { recvTimeout: 1000, wheel }, "GET", "x", h2Options(wheel))
      yield* Effect.addFinalizer(() => Effect.sync(() => byAlpn.close()))
      expect(byAlpn.protocol).toBe("h2")
      const prior = yield* openConnection({ socket: yield* dialSocket(srv.port), alpn: "http/1.1", tls: false }, { recvTimeout: 1000, wheel }, "GET", "x", h2Options(wheel), true)
      yield* Effect.addFinalizer(() => Effect.sync(() => prior.close()))
      expect(prior.protocol).toBe("h2")
      expect(srv.sessions()).toBe(2)
      // h2c is never assumed on a TLS connection, nor without being asked.
      const overTls = mockTransport()
      const h1 = yield* openConnection({ ...overTls.open, tls: true }, { recvTimeout: 1000, wheel }, "GET", "x", h2Options(wheel), true)
      expect(h1.protocol).toBe("http/1.1")
      const notAsked = yield* openConnection(mockTransport().open, { recvTimeout: 1000, wheel }, "GET", "x", h2Options(wheel))
      expect(notAsked.protocol).toBe("http/1.1")
    }))

  it.effect("h2 negotiated where no HTTP/2 options are given: ProtocolError unsupported-protocol naming it, socket destroyed", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const { open } = mockTransport({ alpn: "h2" })
      const e = yield* Effect.flip(openConnection(open, { recvTimeout: 1000, wheel }, "GET", "https://a.test/"))
      expect(e).toMatchObject({
        _tag: "ProtocolError",
        reason: "unsupported-protocol",
        method: "GET",
        url: "https://a.test/",
        detail: `the server negotiated ALPN "h2", which this client has no driver for`
      })
      expect(open.socket.destroyed).toBe(true)
    }))
})

describe("dialConnection", () => {
  /** A logger into `lines`, and a recording tracer with a parent span to dial under. */
  const observe = () => {
    const lines: Array<string> = []
    const logger = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, logLevel, message }) =>
        void lines.push(`${logLevel.label} ${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
      )
    )
    const { spans, tracer } = recordingTracer()
    const parent = tracer.span("attempt", Option.none(), undefined as never, [], 0n, "client")
    return { lines, logger, spans, tracer, parent }
  }

  const spec = (url: string, options: Parameters<typeof buildDialSpec>[1] = {}) =>
    buildDialSpec(Either.getOrThrow(Url.parse(url)), options, 2000, 2000)

  it.scoped("protocols [h2] over http:// speaks h2c with prior knowledge; the default is HTTP/1.1", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* h2cServer
      const h2 = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`, { protocols: ["h2"] }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => h2.close()))
      expect(h2.protocol).toBe("h2")
      expect(h2.info.tls).toBe(false)
      const plain = yield* headServer()
      const h1 = yield* dialConnection(spec(`http://127.0.0.1:${plain.port}/`), undefined, undefined, wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => h1.close()))
      expect(h1.protocol).toBe("http/1.1")
    }))

  it.scoped("through a forwarding HTTP proxy: HTTP/1.1 even when h2 is asked, absolute-form, the proxy's Basic credentials", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const proxy = yield* headServer("via proxy")
      const s = spec("http://origin.test/items", { protocols: ["h2"], proxy: `http://us%20er:p%40ss@127.0.0.1:${proxy.port}` })
      const conn = yield* dialConnection(s, "GET", "http://origin.test/items", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      expect(conn.protocol).toBe("http/1.1")
      const ex = conn.begin(testRequest("http://origin.test/items", { authority: "origin.test" }), "collect", wheel)
      yield* ex.waitFor(ex.isComplete)
      expect(Buffer.concat(ex.chunks).toString()).toBe("via proxy")
      expect(proxy.heads).toHaveLength(1)
      expect(proxy.heads[0]).toMatch(/^GET http:\/\/origin\.test\/items HTTP\/1\.1\r\n/)
      expect(proxy.heads[0]).toContain(`\r\nProxy-Authorization: Basic ${Buffer.from("us er:p@ss").toString("base64")}\r\n`)
    }))

  it.scoped("a forwarding proxy without credentials sends no Proxy-Authorization; a user alone sends an empty password", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const proxy = yield* headServer()
      const conn = yield* dialConnection(spec("http://origin.test/items", { proxy: `http://127.0.0.1:${proxy.port}` }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      const ex = conn.begin(testRequest("http://origin.test/items", { authority: "origin.test" }), "collect", wheel)
      yield* ex.waitFor(ex.isComplete)
      expect(proxy.heads[0]).toMatch(/^GET http:\/\/origin\.test\/items HTTP\/1\.1\r\n/)
      expect(proxy.heads[0].toLowerCase()).not.toContain("proxy-authorization")
      // A user without a password: an empty one.
      const userOnly = yield* dialConnection(spec("http://origin.test/items", { proxy: `http://u@127.0.0.1:${proxy.port}` }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => userOnly.close()))
      const ex2 = userOnly.begin(testRequest("http://origin.test/items", { authority: "origin.test" }), "collect", wheel)
      yield* ex2.waitFor(ex2.isComplete)
      expect(proxy.heads[1]).toContain(`\r\nProxy-Authorization: Basic ${Buffer.from("u:").toString("base64")}\r\n`)
    }))

  it.effect("protocols [h3] over http:// fails with InvalidRequest(option) before any I/O", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const e = yield* Effect.flip(dialConnection(spec("http://127.0.0.1:9/", { protocols: ["h3"] }), "GET", "http://127.0.0.1:9/", wheel))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: "http://127.0.0.1:9/" })
      expect(e.message).toContain(`protocols is ["h3"], but HTTP/3 needs an https:// URL`)
    }))

  it.scoped("protocols [h3, http/1.1] over http://: the TCP side is dialled", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* headServer()
      const conn = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`, { protocols: ["h3", "http/1.1"] }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      expect(conn.protocol).toBe("http/1.1")
    }))

  it.scoped("under a traced attempt the dial has a hackney.connect span (where, proxy kind); Debug logs say connected", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* headServer()
      const { lines, logger, parent, spans, tracer } = observe()
      const conn = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`), "GET", "u", wheel).pipe(
        Effect.locally(traceConnect, parent),
        Effect.withTracer(tracer),
        Effect.provide(logger),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      const connect = spans.find((s) => s.name === "hackney.connect")!
      expect(Option.getOrThrow(connect.parent)).toBe(parent)
      expect(connect.kind).toBe("internal")
      expect(Object.fromEntries(connect.attrs)).toEqual({
        "server.address": "127.0.0.1",
        "server.port": srv.port,
        "hackney.transport": "tcp"
      })
      expect(connect.ended?._tag).toBe("Success")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(new RegExp(`^DEBUG hackney: connected to 127\\.0\\.0\\.1:${srv.port} \\(tcp, http/1\\.1\\) in \\d+ ms `))
      expect(lines[0]).toContain(`"network.protocol.name":"http/1.1"`)
      expect(lines[0]).toContain(`"hackney.transport":"tcp"`)

      // A failed dial through a proxy: the span says which kind; the log says it failed, with the error's tag.
      lines.length = 0
      const closed = yield* rawServer((s) => s.destroy())
      const failed = yield* Effect.flip(dialConnection(spec("http://origin.test/", { proxy: `socks5://127.0.0.1:${closed.port}` }), "GET", "u", wheel).pipe(
        Effect.locally(traceConnect, parent),
        Effect.withTracer(tracer),
        Effect.provide(logger),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      ))
      const second = spans.filter((s) => s.name === "hackney.connect")[1]
      expect(second.attrs.get("hackney.proxy")).toBe("socks5")
      expect(second.ended?._tag).toBe("Failure")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`DEBUG hackney: dial to origin.test:80 failed: ${failed._tag}`)
      expect(lines[0]).toContain(`"error.type":"${failed._tag}"`)
    }))

  it.scoped("neither traced nor at Debug, a dial makes no span and no log", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* headServer()
      const lines: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void lines.push(String(message))))
      const { spans, tracer } = recordingTracer()
      const conn = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`), "GET", "u", wheel).pipe(
        Effect.withTracer(tracer),
        Effect.provide(logger),
        Logger.withMinimumLogLevel(LogLevel.Info)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      expect(spans).toEqual([])
      expect(lines).toEqual([])
    }))


  it.scoped("traced without Debug: the span and no log; at Debug without a trace: the log and no span", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* headServer()
      const a = observe()
      const traced = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`), "GET", "u", wheel).pipe(
        Effect.locally(traceConnect, a.parent),
        Effect.withTracer(a.tracer),
        Effect.provide(a.logger),
        Logger.withMinimumLogLevel(LogLevel.Info)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => traced.close()))
      expect(a.spans.map((s) => s.name)).toEqual(["attempt", "hackney.connect"])
      expect(a.lines).toEqual([])
      const b = observe()
      const logged = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`), "GET", "u", wheel).pipe(
        Effect.withTracer(b.tracer),
        Effect.provide(b.logger),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => logged.close()))
      expect(b.spans.map((s) => s.name)).toEqual(["attempt"])
      expect(b.lines).toHaveLength(1)
      expect(b.lines[0]).toContain("DEBUG hackney: connected to 127.0.0.1:")
    }))

  it.scoped("the log gives the dial's time on the wheel's clock", () =>
    Effect.gen(function*() {
      const srv = yield* headServer()
      const o = observe()
      const conn = yield* dialConnection(spec(`http://127.0.0.1:${srv.port}/`), "GET", "u", wheelFor(Clock.make())).pipe(
        Effect.provide(o.logger),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      const ms = Number(/ in (\d+) ms /.exec(o.lines[0])?.[1])
      expect(ms).toBeGreaterThanOrEqual(0)
      expect(ms).toBeLessThan(60_000)
    }))

  it.scoped("a traced TLS dial's span carries the handshake time in seconds; errors name the request", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const srv = yield* h2TlsServer
      const o = observe()
      const conn = yield* dialConnection(spec(`https://localhost:${srv.port}/`, { tls: { ca: cert("ca.pem") } }), "GET", "u", wheel).pipe(
        Effect.locally(traceConnect, o.parent),
        Effect.withTracer(o.tracer)
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      const connect = o.spans.find((s) => s.name === "hackney.connect")!
      expect(conn.info.tlsHandshakeMillis).toBeGreaterThan(0)
      expect(connect.attrs.get("hackney.tls.handshake.duration")).toBe(conn.info.tlsHandshakeMillis! / 1000)
      expect(connect.attrs.get("hackney.transport")).toBe("tls")
      // A refused dial: the ConnectError carries the request's method and URL.
      const refused = yield* Effect.flip(dialConnection(spec("http://127.0.0.1:1/"), "PUT", "http://127.0.0.1:1/x", wheel))
      expect(refused).toMatchObject({ _tag: "ConnectError", method: "PUT", url: "http://127.0.0.1:1/x" })
    }))

  it.scoped("HTTP/2 requests carry the dial's scheme: http over h2c, https over TLS", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const clear = yield* h2cServer
      const h2c = yield* dialConnection(spec(`http://127.0.0.1:${clear.port}/`, { protocols: ["h2"] }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => h2c.close()))
      const a = h2c.begin(testRequest(`http://127.0.0.1:${clear.port}/items`), "collect", wheel)
      yield* a.waitFor(a.isComplete)
      const secure = yield* h2TlsServer
      const h2 = yield* dialConnection(spec(`https://localhost:${secure.port}/`, { tls: { ca: cert("ca.pem") } }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => h2.close()))
      expect(h2.protocol).toBe("h2")
      const b = h2.begin(testRequest(`https://localhost:${secure.port}/items`), "collect", wheel)
      yield* b.waitFor(b.isComplete)
      expect([clear.schemes(), secure.schemes()]).toEqual([["http"], ["https"]])
    }))

  it.scoped("through a SOCKS5 proxy the request goes in origin-form to the origin (no forwarding)", () =>
    Effect.gen(function*() {
      const wheel = yield* currentWheel
      const origin = yield* headServer("direct")
      const socks = yield* socks5Server()
      const conn = yield* dialConnection(spec(`http://127.0.0.1:${origin.port}/items`, { proxy: `socks5://127.0.0.1:${socks.port}` }), "GET", "u", wheel)
      yield* Effect.addFinalizer(() => Effect.sync(() => conn.close()))
      const ex = conn.begin(testRequest(`http://127.0.0.1:${origin.port}/items`, { authority: `127.0.0.1:${origin.port}` }), "collect", wheel)
      yield* ex.waitFor(ex.isComplete)
      expect(socks.received).toHaveLength(1)
      expect(origin.heads[0]).toMatch(/^GET \/items HTTP\/1\.1\r\n/)
    }))
})

