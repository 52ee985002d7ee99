/**
 * The first hop of a dial and the plan around it (src/internal/node/{tcp,
 * socket,file,multipartBody}.ts), called directly: connect error codes and
 * their reasons, `net.connect`'s options, the plan's steps for every proxy
 * kind, a refused proxy, the socket published to its holder, and file and
 * multipart bodies read from disk.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Stream, TestClock } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConnectError, InvalidRequest, ProxyError } from "../src/HackneyError.js"
import { openFile } from "../src/internal/node/file.js"
import { bodyStream, encodeBody, env } from "../src/internal/node/multipartBody.js"
import { connect, plan, runPlan } from "../src/internal/node/socket.js"
import type { ProxyDial } from "../src/internal/node/socket.js"
import { connectReason, dialTcp, errorCode, tcpConnectOptions } from "../src/internal/node/tcp.js"
import { parseProxyUrl } from "../src/internal/proxy/proxyUrl.js"
import { rawServer } from "./support/servers.js"

const codes = {
  refused: ["ECONNREFUSED", "ENOENT", "ECONNABORTED"],
  dns: ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ENODATA"],
  unreachable: ["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ENETDOWN", "EHOSTDOWN", "ETIMEDOUT"],
  reset: ["ECONNRESET", "EPIPE"]
}

describe("connect errors", () => {
  it("each system error code has its reason; an unknown code or none is other", () => {
    for (const [reason, list] of Object.entries(codes)) for (const code of list) expect([code, connectReason(code)]).toEqual([code, reason])
    expect(connectReason("EPERM")).toBe("other")
    expect(connectReason("")).toBe("other")
    expect(connectReason(undefined)).toBe("other")
  })

  it("the code of an error, or the first one inside an AggregateError (happy eyeballs)", () => {
    expect(errorCode(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED")
    const aggregate = new AggregateError([new Error("no code"), Object.assign(new Error("b"), { code: "ENETUNREACH" }), Object.assign(new Error("c"), { code: "ECONNREFUSED" })])
    expect(errorCode(aggregate)).toBe("ENETUNREACH")
    expect(errorCode({ code: 7, errors: [{ errors: [{ code: "EHOSTUNREACH" }] }] })).toBe("EHOSTUNREACH")
    expect(errorCode({ errors: [{}, null, "ECONNRESET"] })).toBeUndefined()
    expect(errorCode({ errors: "ECONNRESET" })).toBeUndefined()
    expect(errorCode(new Error("plain"))).toBeUndefined()
    expect(errorCode(null)).toBeUndefined()
    expect(errorCode("ECONNREFUSED")).toBeUndefined()
  })

  it("net.connect options: Nagle off, happy eyeballs unless a family is given, lookup and local address only when set", () => {
    expect(tcpConnectOptions({ host: "a.test", port: 1 })).toEqual({ host: "a.test", port: 1, noDelay: true, autoSelectFamily: true })
    expect(tcpConnectOptions({ host: "a.test", port: 1, family: 0 })).toEqual({ host: "a.test", port: 1, noDelay: true, autoSelectFamily: true })
    const lookup = (() => {}) as unknown as net.LookupFunction
    expect(tcpConnectOptions({ host: "a.test", port: 2, family: 6, lookup, localAddress: "::1" }))
      .toEqual({ host: "a.test", port: 2, noDelay: true, family: 6, lookup, localAddress: "::1" })
    expect(tcpConnectOptions({ host: "a.test", port: 2, localAddress: "" })).not.toHaveProperty("localAddress")
  })

  it.scoped("dialTcp publishes its socket to the holder at once; connected, it keeps only a no-op error listener", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer(() => {})
      const holder: { socket?: { destroy(): unknown } } = {}
      const fiber = yield* Effect.fork(dialTcp({ host: "127.0.0.1", port: srv.port }, {}, holder))
      yield* Effect.yieldNow()
      expect(holder.socket).toBeInstanceOf(net.Socket)
      const socket = yield* Fiber.join(fiber)
      expect(socket).toBe(holder.socket)
      expect(socket.listenerCount("error")).toBe(1)
      expect(socket.listenerCount("connect")).toBe(0)
      expect(() => socket.emit("error", new Error("late"))).not.toThrow()
      socket.destroy()
    }))

  it.effect("a refused dial: ConnectError naming the host, port, code and the request; the socket destroyed", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() =>
        new Promise<number>((r) => {
          const s = net.createServer().listen(0, "127.0.0.1", () => {
            const p = (s.address() as net.AddressInfo).port
            s.close(() => r(p))
          })
        })
      )
      const holder: { socket?: { destroy(): unknown } } = {}
      const e = yield* Effect.flip(dialTcp({ host: "127.0.0.1", port }, { method: "GET", url: "http://x/" }, holder))
      expect(e).toBeInstanceOf(ConnectError)
      expect(e).toMatchObject({ method: "GET", url: "http://x/", reason: "refused", host: "127.0.0.1", port, code: "ECONNREFUSED" })
      const socket = holder.socket as net.Socket
      expect(socket.destroyed).toBe(true)
      // Given up: our listeners gone, a later error swallowed.
      expect(socket.listenerCount("connect")).toBe(0)
      expect(() => socket.emit("error", new Error("late"))).not.toThrow()
    }))

  it.effect("interrupted while connecting (DNS that never answers): the socket destroyed; a timeout is ConnectTimeout naming all", () =>
    Effect.gen(function*() {
      const lookup = (() => {}) as unknown as net.LookupFunction
      const holder: { socket?: { destroy(): unknown } } = {}
      const fiber = yield* Effect.fork(dialTcp({ host: "never.test", port: 80, lookup }, {}, holder))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      const socket = holder.socket as net.Socket
      expect(socket.destroyed).toBe(true)
      expect(socket.listenerCount("connect")).toBe(0)
      const timed = yield* Effect.fork(connect({ transport: "tcp", host: "never.test", port: 81, connectTimeout: 1500, lookup, method: "GET", url: "http://never.test:81/" }))
      yield* TestClock.adjust(1500)
      const e = yield* Effect.flip(Fiber.join(timed))
      expect(e).toMatchObject({ _tag: "ConnectTimeout", method: "GET", url: "http://never.test:81/", host: "never.test", port: 81, timeoutMillis: 1500 })
    }))
})

const proxyOf = (url: string, extra: Partial<ProxyDial> = {}): ProxyDial => ({ ...Either.getOrThrow(parseProxyUrl(url)), ...extra })

describe("dial plan", () => {
  it("direct: TLS with the origin offers the given protocols without h3, or the default", () => {
    const base = { host: "o.test", port: 443, connectTimeout: 1, transport: "tls" as const }
    expect(plan({ ...base, protocols: ["h3", "http/1.1"] }).steps).toEqual([
      { _tag: "Tls", target: { host: "o.test", port: 443, tls: {}, protocols: ["http/1.1"] } }
    ])
    expect(plan(base).steps).toEqual([{ _tag: "Tls", target: { host: "o.test", port: 443, tls: {}, protocols: ["h2", "http/1.1"] } }])
    const tcp = plan({ ...base, transport: "tcp", port: 80 })
    expect(tcp).toEqual({ first: { _tag: "Tcp", target: { ...base, transport: "tcp", port: 80 } }, steps: [] })
  })

  it("through a proxy: TCP to the proxy with the dial's lookup, local address and family", () => {
    const lookup = (() => {}) as unknown as net.LookupFunction
    const p = plan({ host: "o.test", port: 80, connectTimeout: 1, transport: "tcp", lookup, localAddress: "127.0.0.2", family: 4, proxy: proxyOf("http://proxy.test:3128") })
    expect(p).toEqual({ first: { _tag: "Tcp", target: { host: "proxy.test", port: 3128, lookup, localAddress: "127.0.0.2", family: 4 } }, steps: [] })
  })

  it("an http proxy without credentials: CONNECT without authorization; with a user only, an empty password", () => {
    const none = plan({ host: "o.test", port: 443, connectTimeout: 1, transport: "tls", proxy: proxyOf("http://proxy.test:3128") })
    expect(none.steps[0]).toEqual({ _tag: "HttpTunnel", target: { host: "o.test", port: 443, proxy: "http://proxy.test:3128" } })
    const user = plan({ host: "o.test", port: 443, connectTimeout: 1, transport: "tls", proxy: proxyOf("http://u@proxy.test:3128") })
    expect(user.steps[0]).toMatchObject({ target: { authorization: `Basic ${Buffer.from("u:").toString("base64")}` } })
  })

  it("an https proxy gets TLS over http/1.1 with its own options (none: empty), then the tunnel", () => {
    const p = plan({ host: "o.test", port: 443, connectTimeout: 1, transport: "tls", protocols: ["h2"], proxy: proxyOf("https://proxy.test") })
    expect(p.steps).toEqual([
      { _tag: "Tls", target: { host: "proxy.test", port: 443, tls: {}, protocols: ["http/1.1"] } },
      { _tag: "HttpTunnel", target: { host: "o.test", port: 443, proxy: "https://proxy.test:443" } },
      { _tag: "Tls", target: { host: "o.test", port: 443, tls: {}, protocols: ["h2"] } }
    ])
  })

  it("socks5: the target, credentials (an empty password when none), who resolves, lookup and family; then TLS for https", () => {
    const lookup = (() => {}) as unknown as net.LookupFunction
    const p = plan({
      host: "o.test",
      port: 443,
      connectTimeout: 1,
      transport: "tls",
      lookup,
      family: 6,
      proxy: proxyOf("socks5://u@s.test:1080", { socks5Resolve: "local" })
    })
    expect(p.steps).toEqual([
      { _tag: "Socks5", target: { host: "o.test", port: 443, proxy: "socks5://s.test:1080", user: "u", password: "", resolve: "local", lookup, family: 6 } },
      { _tag: "Tls", target: { host: "o.test", port: 443, tls: {}, protocols: ["h2", "http/1.1"] } }
    ])
    const anonymous = plan({ host: "o.test", port: 80, connectTimeout: 1, transport: "tcp", proxy: proxyOf("socks5://s.test:1080") })
    expect(anonymous.steps[0]).not.toHaveProperty("target.user")
  })

  it.effect("a unix socket ignores a proxy: a missing path is the ConnectError itself", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(connect({ host: "/nonexistent/x.sock", port: 0, connectTimeout: 1000, transport: "unix", proxy: proxyOf("http://127.0.0.1:1") }))
      expect(e).toMatchObject({ _tag: "ConnectError", host: "/nonexistent/x.sock" })
    }))

  it("a unix socket's plan ignores a proxy", () => {
    expect(plan({ host: "/run/x.sock", port: 0, connectTimeout: 1, transport: "unix", proxy: proxyOf("http://p.test") }))
      .toEqual({ first: { _tag: "Unix", path: "/run/x.sock" }, steps: [] })
  })

  it.effect("a proxy that cannot be reached: ProxyError connect-refused naming the proxy, its address and why", () =>
    Effect.gen(function*() {
      const proxy = proxyOf("socks5://127.0.0.1:1")
      const where = { method: "GET", url: "http://o.test/" }
      const e = yield* Effect.flip(runPlan(plan({ host: "o.test", port: 80, connectTimeout: 1000, transport: "tcp", proxy }), where, undefined, proxy))
      expect(e).toBeInstanceOf(ProxyError)
      expect(e).toMatchObject({ ...where, proxy: "socks5://127.0.0.1:1", reason: "connect-refused", detail: "127.0.0.1:1: refused" })
      expect((e as ProxyError).cause).toBeInstanceOf(ConnectError)
      // Without a proxy, the ConnectError as it is.
      const direct = yield* Effect.flip(runPlan(plan({ host: "127.0.0.1", port: 1, connectTimeout: 1000, transport: "tcp" }), where))
      expect(direct).toBeInstanceOf(ConnectError)
      // The whole dial: the same, for the proxy's TLS target too (fused TCP+TLS to an https proxy).
      const https = proxyOf("https://127.0.0.1:1")
      const viaTls = yield* Effect.flip(connect({ host: "o.test", port: 443, connectTimeout: 1000, transport: "tls", proxy: https, ...where }))
      expect(viaTls).toMatchObject({ _tag: "ProxyError", reason: "connect-refused", proxy: "https://127.0.0.1:1" })
    }))
})

describe("file bodies", () => {
  const dir = mkdtempSync(join(tmpdir(), "hackney-file-"))
  const collect = (s: Stream.Stream<Uint8Array, unknown>) => Effect.map(Stream.runCollect(s), Chunk.toReadonlyArray)

  it.effect("a file's size, and its bytes in 64 KiB reads, again on each run", () =>
    Effect.gen(function*() {
      const path = join(dir, "big.bin")
      const bytes = Buffer.alloc(65536 * 2 + 5)
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251
      writeFileSync(path, bytes)
      const f = openFile(path)
      if (f instanceof Error) throw f
      expect(f.size).toBe(bytes.length)
      for (let run = 0; run < 2; run++) {
        const chunks = yield* collect(f.stream)
        expect(chunks.map((c) => c.length)).toEqual([65536, 65536, 5])
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
      }
      const empty = join(dir, "empty")
      writeFileSync(empty, "")
      const e = openFile(empty)
      if (e instanceof Error) throw e
      expect([e.size, (yield* collect(e.stream)).length]).toEqual([0, 0])
    }))

  it("a directory or a missing path: the error, no stream", () => {
    const d = openFile(dir)
    expect(d).toBeInstanceOf(Error)
    expect((d as Error).message).toBe("not a regular file")
    const missing = openFile(join(dir, "nope"))
    expect(missing).toMatchObject({ code: "ENOENT" })
  })

  it.effect("a file removed after its size was read fails the stream when it runs", () =>
    Effect.gen(function*() {
      const path = join(dir, "gone.txt")
      writeFileSync(path, "abc")
      const f = openFile(path)
      if (f instanceof Error) throw f
      const { unlinkSync } = yield* Effect.promise(() => import("node:fs"))
      unlinkSync(path)
      const e = yield* Effect.flip(Stream.runDrain(f.stream))
      expect(e).toMatchObject({ code: "ENOENT" })
    }))
})

describe("multipart bodies", () => {
  it("file names get their type from the MIME database; an unknown one none", () => {
    expect(env.typeOf("a.json")).toBe("application/json")
    expect(env.typeOf("a.unknown-extension-xyz")).toBeUndefined()
  })

  it.effect("one segment is sent as it is; a declared size given exactly passes, a short one fails naming the part", () =>
    Effect.gen(function*() {
      const one = new Uint8Array([1, 2, 3])
      expect(yield* Effect.map(Stream.runCollect(bodyStream([one])), Chunk.toReadonlyArray)).toEqual([one])
      const source = (n: number, size: number | undefined) => ({
        name: "p\"q",
        stream: Stream.make(new Uint8Array(n)),
        size
      })
      const ok = yield* Stream.runCollect(bodyStream([new Uint8Array([9]), source(2, 2) as never]))
      expect(Chunk.toReadonlyArray(ok).map((c) => c.length)).toEqual([1, 2])
      const unsized = yield* Stream.runCollect(bodyStream([new Uint8Array([9]), source(4, undefined) as never]))
      expect(Chunk.toReadonlyArray(unsized).map((c) => c.length)).toEqual([1, 4])
      const short = yield* Effect.flip(Stream.runDrain(bodyStream([new Uint8Array([9]), source(1, 2) as never])))
      expect(short).toBeInstanceOf(InvalidRequest)
      expect(short).toMatchObject({
        reason: "body",
        requestSent: true,
        detail: `the multipart part "p%22q" gave 1 bytes where its size said 2`
      })
    }))

  it.effect("encodeBody with its own file opener uses it; its errors are InvalidRequest", () =>
    Effect.gen(function*() {
      const opened: Array<string> = []
      const enc = encodeBody([{ name: "f", file: "/x/y.txt" }], { boundary: "B" }, (path) => {
        opened.push(path)
        return { size: 2, stream: Stream.make(new Uint8Array([104, 105])) }
      })
      if (enc instanceof InvalidRequest) throw enc
      expect(opened).toEqual(["/x/y.txt"])
      expect(enc.contentType).toBe("multipart/form-data; boundary=B")
      const text = Buffer.concat(Chunk.toReadonlyArray(yield* Stream.runCollect(enc.stream))).toString()
      expect(text).toContain("filename=\"y.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
      expect(enc.length).toBe(Buffer.byteLength(text))
      const bad = encodeBody([{ name: "f", file: "/x" }], undefined, () => new Error("gone"))
      expect(bad).toBeInstanceOf(InvalidRequest)
    }))
})
