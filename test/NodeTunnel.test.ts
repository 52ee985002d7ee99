/**
 * The proxy handshakes byte by byte (src/internal/node/{socks5,httpTunnel,
 * handshake}.ts) over an in-memory socket the test answers by hand: what the
 * client sends at each step, every refusal and malformed answer with its
 * typed error, the bytes past the handshake handed to the next reader, and
 * the socket destroyed on failure or interruption. (test/Proxy.dial.test.ts
 * runs the same steps through the dial against in-process proxies.)
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { EventEmitter } from "node:events"
import type * as net from "node:net"
import { ConnectError, InvalidRequest, ProxyError } from "../src/HackneyError.js"
import { more, runHandshake } from "../src/internal/node/handshake.js"
import type { Handshake } from "../src/internal/node/handshake.js"
import { authority, basicCredentials, connectHead, httpTunnel } from "../src/internal/node/httpTunnel.js"
import { socks5Address, socks5Replies, socks5Tunnel } from "../src/internal/node/socks5.js"
import type { Socks5Target } from "../src/internal/node/socks5.js"

/** The part of a `net.Socket` a handshake uses, in memory: what was written, destroyed, paused, put back. */
class FakeSocket extends EventEmitter {
  readonly written: Array<Buffer> = []
  readonly unshifted: Array<Buffer> = []
  destroyed = false
  paused = false
  write(b: Uint8Array): boolean {
    this.written.push(Buffer.from(b))
    return true
  }
  destroy(): this {
    this.destroyed = true
    return this
  }
  pause(): this {
    this.paused = true
    return this
  }
  resume(): this {
    this.paused = false
    return this
  }
  unshift(b: Buffer): void {
    this.unshifted.push(b)
  }
  /** The proxy sends `bytes`. */
  answer(...bytes: Array<number>): void {
    this.emit("data", Buffer.from(bytes))
  }
  /** Every listener of the handshake's events (data, error, end, close). */
  listeners4(): number {
    return this.listenerCount("data") + this.listenerCount("error") + this.listenerCount("end") + this.listenerCount("close")
  }
  last(): Array<number> {
    return [...this.written[this.written.length - 1]]
  }
}

const where = { method: "GET", url: "https://origin.test/" }
const asNet = (s: FakeSocket) => s as unknown as net.Socket

/** Forks `effect`, lets it start, and gives its fiber and a look at its outcome now. */
const start = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* Effect.yieldNow()
    const now = Effect.gen(function*() {
      yield* Effect.yieldNow()
      return yield* Fiber.poll(fiber)
    })
    return { fiber, now }
  })
const failureOf = <A, E>(exit: Option.Option<Exit.Exit<A, E>>): E => {
  if (Option.isNone(exit) || Exit.isSuccess(exit.value)) throw new Error(`not failed: ${JSON.stringify(exit)}`)
  return Option.getOrThrow(Cause.failureOption(exit.value.cause))
}
const succeeded = <A, E>(exit: Option.Option<Exit.Exit<A, E>>): boolean => Option.isSome(exit) && Exit.isSuccess(exit.value)

const target = (over: Partial<Socks5Target> = {}): Socks5Target => ({
  host: "origin.test",
  port: 443,
  proxy: "socks5://proxy.test:1080",
  ...over
})
const name = [...Buffer.from("origin.test")]
/** A CONNECT request to origin.test:443 by name. */
const byName = [5, 1, 0, 3, name.length, ...name, 1, 187]
/** A success reply with an IPv4 bound address. */
const okV4 = [5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90]

describe("SOCKS5", () => {
  it("the address field: IPv4 (1), IPv6 (4), or a name (3) of 1 to 255 bytes", () => {
    expect([...socks5Address("10.1.2.3")!]).toEqual([1, 10, 1, 2, 3])
    expect([...socks5Address("::1")!]).toEqual([4, ...Array(15).fill(0), 1])
    expect([...socks5Address("a.b")!]).toEqual([3, 3, 97, 46, 98])
    expect(socks5Address("")).toBeUndefined()
    expect(socks5Address("a".repeat(255))?.length).toBe(257)
    expect(socks5Address("a".repeat(256))).toBeUndefined()
    expect(Object.keys(socks5Replies)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"])
  })

  it.effect("no authentication: hello, the CONNECT by name, the reply; bytes past it put back; the socket handed over paused", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const { now } = yield* start(socks5Tunnel(asNet(s), target(), where))
      expect(s.written.map((b) => [...b])).toEqual([[5, 1, 0]])
      s.answer(5)
      expect(s.written).toHaveLength(1)
      s.answer(0)
      expect(s.last()).toEqual(byName)
      // The reply, a byte at a time: not done before its last byte.
      for (const b of okV4.slice(0, -1)) s.answer(b)
      expect(Option.isNone(yield* now)).toBe(true)
      s.answer(okV4[okV4.length - 1], 0x41, 0x42)
      expect(succeeded(yield* now)).toBe(true)
      expect(s.unshifted.map((b) => b.toString())).toEqual(["AB"])
      expect(s.listeners4()).toBe(0)
      expect(s.destroyed).toBe(false)
      expect(s.paused).toBe(true)
      // Flowing again once the next reader listens, on the next tick.
      s.on("data", () => {})
      expect(s.paused).toBe(true)
      yield* Effect.promise(() => new Promise((r) => process.nextTick(r)))
      expect(s.paused).toBe(false)
      // Only the first reader restarts it: the hand-over stops watching then.
      expect(s.listenerCount("newListener")).toBe(0)
    }))

  it.effect("a reply with a name or an IPv6 address is read to its end; nothing past it, nothing put back", () =>
    Effect.gen(function*() {
      const a = new FakeSocket()
      const ra = yield* start(socks5Tunnel(asNet(a), target({ host: "10.0.0.9", port: 80 }), where))
      a.answer(5, 0)
      expect(a.last()).toEqual([5, 1, 0, 1, 10, 0, 0, 9, 0, 80])
      a.answer(5, 0, 0, 3, 3, 97, 98, 99, 0)
      expect(Option.isNone(yield* ra.now)).toBe(true)
      a.answer(80)
      expect(succeeded(yield* ra.now)).toBe(true)
      expect(a.unshifted).toEqual([])

      const b = new FakeSocket()
      const rb = yield* start(socks5Tunnel(asNet(b), target({ host: "::1", port: 258 }), where))
      b.answer(5, 0)
      expect(b.last()).toEqual([5, 1, 0, 4, ...Array(15).fill(0), 1, 1, 2])
      b.answer(5, 0, 0, 4, ...Array(16).fill(0), 0)
      expect(Option.isNone(yield* rb.now)).toBe(true)
      b.answer(1, 7)
      expect(succeeded(yield* rb.now)).toBe(true)
      expect(b.unshifted.map((x) => [...x])).toEqual([[7]])
    }))

  it.effect("user and password (RFC 1929): offered with no-auth; sent when chosen; then the CONNECT", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const { now } = yield* start(socks5Tunnel(asNet(s), target({ user: "ü", password: "pw" }), where))
      expect(s.last()).toEqual([5, 2, 0, 2])
      s.answer(5, 2)
      expect(s.last()).toEqual([1, 2, 0xc3, 0xbc, 2, 112, 119])
      s.answer(1)
      expect(s.written).toHaveLength(2)
      s.answer(0)
      expect(s.last()).toEqual(byName)
      s.answer(...okV4)
      expect(succeeded(yield* now)).toBe(true)

      // A user without a password sends an empty one; the proxy may still choose no authentication.
      const t = new FakeSocket()
      yield* start(socks5Tunnel(asNet(t), target({ user: "u" }), where))
      t.answer(5, 2)
      expect(t.last()).toEqual([1, 1, 117, 0])
      const n = new FakeSocket()
      yield* start(socks5Tunnel(asNet(n), target({ user: "u", password: "p" }), where))
      n.answer(5, 0)
      expect(n.last()).toEqual(byName)
    }))

  const refused = (
    name: string,
    over: Partial<Socks5Target>,
    answers: ReadonlyArray<ReadonlyArray<number>>,
    reason: string,
    detail: string
  ) =>
    it.effect(`${name}: ProxyError ${reason}, socket destroyed`, () =>
      Effect.gen(function*() {
        const s = new FakeSocket()
        const { now } = yield* start(socks5Tunnel(asNet(s), target(over), where))
        for (const a of answers) s.answer(...a)
        const e = failureOf(yield* now)
        expect(e).toBeInstanceOf(ProxyError)
        expect(e).toMatchObject({ ...where, proxy: "socks5://proxy.test:1080", reason, detail })
        expect(s.destroyed).toBe(true)
        expect(s.listenerCount("data")).toBe(0)
      }))

  refused("not SOCKS5", {}, [[4, 0]], "invalid-response", "the proxy does not speak SOCKS5")
  refused(
    "the proxy wants a password none was given",
    {},
    [[5, 2]],
    "socks5",
    "the proxy requires a user name and password; give them in the proxy URL or proxyAuth"
  )
  refused("no acceptable method", { user: "u" }, [[5, 0xff]], "socks5", "the proxy accepts none of the offered authentication methods")
  refused("no acceptable method (1)", {}, [[5, 1]], "socks5", "the proxy accepts none of the offered authentication methods")
  refused("credentials refused", { user: "u", password: "p" }, [[5, 2], [1, 1]], "socks5", "the proxy refused the user name and password")
  refused("a reply that is not SOCKS5", {}, [[5, 0], [4, 0, 0, 1, 0]], "invalid-response", "the proxy's reply is not SOCKS5")
  refused("reply 5", {}, [[5, 0], [5, 5, 0, 1, 0]], "socks5", "the proxy could not connect: connection refused (reply 5)")
  refused("reply 1", {}, [[5, 0], [5, 1, 0, 1, 0]], "socks5", "the proxy could not connect: general SOCKS server failure (reply 1)")
  refused("reply 8", {}, [[5, 0], [5, 8, 0, 1, 0]], "socks5", "the proxy could not connect: address type not supported (reply 8)")
  refused("an unknown reply code", {}, [[5, 0], [5, 9, 0, 1, 0]], "socks5", "the proxy could not connect: unknown reply (reply 9)")

  it("every RFC 1928 reply code has its meaning", () => {
    expect(socks5Replies).toEqual({
      1: "general SOCKS server failure",
      2: "connection not allowed by ruleset",
      3: "network unreachable",
      4: "host unreachable",
      5: "connection refused",
      6: "TTL expired",
      7: "command not supported",
      8: "address type not supported"
    })
  })
  refused("an unknown address type", {}, [[5, 0], [5, 0, 0, 2, 0]], "invalid-response", "the proxy's reply has an unknown address type 2")

  it.effect("a close, an end or an error mid-handshake: invalid-response; a socket already closed fails without writing", () =>
    Effect.gen(function*() {
      for (const event of ["end", "close"] as const) {
        const s = new FakeSocket()
        const { now } = yield* start(socks5Tunnel(asNet(s), target(), where))
        s.answer(5)
        s.emit(event)
        expect(failureOf(yield* now)).toMatchObject({
          reason: "invalid-response",
          detail: "the proxy closed the connection during the handshake"
        })
        expect(s.destroyed).toBe(true)
        expect(s.listeners4()).toBe(1) // only the error sink left on a destroyed socket
      }
      const s = new FakeSocket()
      const { now } = yield* start(socks5Tunnel(asNet(s), target(), where))
      const cause = new Error("read ECONNRESET")
      s.emit("error", cause)
      const e = failureOf(yield* now)
      expect(e).toMatchObject({ reason: "invalid-response", detail: "the connection to the proxy failed during the handshake" })
      expect((e as ProxyError).cause).toBe(cause)
      // Later errors of the destroyed socket are swallowed, not thrown.
      expect(() => s.emit("error", new Error("again"))).not.toThrow()

      const gone = new FakeSocket()
      gone.destroyed = true
      const r = yield* start(socks5Tunnel(asNet(gone), target(), where))
      expect(failureOf(yield* r.now)).toMatchObject({ detail: "the proxy closed the connection during the handshake" })
      expect(gone.written).toEqual([])
    }))

  it.effect("interrupted mid-handshake: the socket destroyed and left; later bytes are not read", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const { fiber } = yield* start(socks5Tunnel(asNet(s), target(), where))
      yield* Fiber.interrupt(fiber)
      expect(s.destroyed).toBe(true)
      expect(s.listenerCount("data")).toBe(0)
      expect(s.listenerCount("error")).toBe(1)
      expect(() => s.emit("error", new Error("late"))).not.toThrow()
    }))

  it.effect("a user name or password over 255 bytes, or a name over 255 bytes: InvalidRequest(option), nothing sent", () =>
    Effect.gen(function*() {
      for (const over of [{ user: "u".repeat(256) }, { user: "u", password: "p".repeat(256) }]) {
        const s = new FakeSocket()
        const e = yield* Effect.flip(socks5Tunnel(asNet(s), target(over), where))
        expect(e).toBeInstanceOf(InvalidRequest)
        expect(e).toMatchObject({
          ...where,
          reason: "option",
          detail: "proxyAuth: a SOCKS5 user name and password are at most 255 bytes each (RFC 1929)"
        })
        expect(s.destroyed).toBe(true)
        expect(s.written).toEqual([])
      }
      // 255 bytes each is allowed.
      const ok = new FakeSocket()
      yield* start(socks5Tunnel(asNet(ok), target({ user: "u".repeat(255), password: "p".repeat(255) }), where))
      expect(ok.last()).toEqual([5, 2, 0, 2])
      const long = new FakeSocket()
      const e = yield* Effect.flip(socks5Tunnel(asNet(long), target({ host: "h".repeat(256) }), where))
      expect(e).toMatchObject({ reason: "option", detail: "the target host name is longer than SOCKS5 allows (255 bytes)" })
      expect(long.destroyed).toBe(true)
      expect(long.written).toEqual([])
    }))

  it.effect("socks5Resolve local: the name is looked up here (family given) and sent as an address; an IP literal is not looked up", () =>
    Effect.gen(function*() {
      const asked: Array<unknown> = []
      const lookup = ((host: string, options: unknown, cb: (e: null, a: string, f: number) => void) => {
        asked.push([host, options])
        cb(null, "10.9.8.7", 4)
      }) as unknown as net.LookupFunction
      const s = new FakeSocket()
      yield* start(socks5Tunnel(asNet(s), target({ resolve: "local", lookup, family: 4 }), where))
      expect(asked).toEqual([["origin.test", { family: 4 }]])
      s.answer(5, 0)
      expect(s.last()).toEqual([5, 1, 0, 1, 10, 9, 8, 7, 1, 187])
      const d = new FakeSocket()
      yield* start(socks5Tunnel(asNet(d), target({ resolve: "local", lookup }), where))
      expect(asked[1]).toEqual(["origin.test", { family: 0 }])

      const literal = new FakeSocket()
      yield* start(socks5Tunnel(asNet(literal), target({ host: "10.0.0.1", resolve: "local", lookup }), where))
      expect(asked).toHaveLength(2)
      // Remote resolution (the default) sends the name.
      const remote = new FakeSocket()
      yield* start(socks5Tunnel(asNet(remote), target({ lookup }), where))
      remote.answer(5, 0)
      expect(remote.last()).toEqual(byName)
      expect(asked).toHaveLength(2)
    }))

  it.effect("socks5Resolve local with a name too long for SOCKS5: InvalidRequest, no lookup", () =>
    Effect.gen(function*() {
      let looked = 0
      const lookup = ((_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => {
        looked++
        cb(null, "10.0.0.1", 4)
      }) as unknown as net.LookupFunction
      const s = new FakeSocket()
      const e = yield* Effect.flip(socks5Tunnel(asNet(s), target({ host: "h".repeat(256), resolve: "local", lookup }), where))
      expect(e).toMatchObject({ _tag: "InvalidRequest", detail: "the target host name is longer than SOCKS5 allows (255 bytes)" })
      expect(looked).toBe(0)
    }))

  it.effect("socks5Resolve local, the lookup fails: ConnectError with its reason (dns for an unknown code), socket destroyed", () =>
    Effect.gen(function*() {
      const failing = (code: string) =>
        ((_h: string, _o: unknown, cb: (e: NodeJS.ErrnoException) => void) =>
          cb(Object.assign(new Error(code), { code }))) as unknown as net.LookupFunction
      const s = new FakeSocket()
      const e = yield* Effect.flip(socks5Tunnel(asNet(s), target({ resolve: "local", lookup: failing("ENOTFOUND") }), where))
      expect(e).toBeInstanceOf(ConnectError)
      expect(e).toMatchObject({ ...where, reason: "dns", host: "origin.test", port: 443, code: "ENOTFOUND" })
      expect(s.destroyed).toBe(true)
      expect(s.written).toEqual([])
      const odd = yield* Effect.flip(socks5Tunnel(asNet(new FakeSocket()), target({ resolve: "local", lookup: failing("EWHATEVER") }), where))
      expect(odd).toMatchObject({ reason: "dns", code: "EWHATEVER" })
      const refusedLookup = yield* Effect.flip(socks5Tunnel(asNet(new FakeSocket()), target({ resolve: "local", lookup: failing("ECONNREFUSED") }), where))
      expect(refusedLookup).toMatchObject({ reason: "refused" })
    }))
})

describe("HTTP CONNECT", () => {
  const tunnel = { host: "origin.test", port: 443, proxy: "http://proxy.test:3128" }

  it("the head: CONNECT and Host with the authority (IPv6 in brackets), Proxy-Authorization when given", () => {
    expect(connectHead(tunnel, where)).toBe("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n")
    expect(connectHead({ ...tunnel, host: "::1", authorization: "Basic eDp5" }, where))
      .toBe("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\nProxy-Authorization: Basic eDp5\r\n\r\n")
    expect(authority("10.0.0.1", 8080)).toBe("10.0.0.1:8080")
    expect(basicCredentials("ü", "p:w")).toBe(`Basic ${Buffer.from("ü:p:w", "utf8").toString("base64")}`)
    expect(basicCredentials("u", "")).toBe("Basic dTo=")
  })

  it.effect("the head goes out as latin1 bytes, one byte per character", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      yield* start(httpTunnel(asNet(s), { ...tunnel, host: "\u00e9.test" }, where))
      expect([...s.written[0].subarray(8, 10)]).toEqual([0xe9, 0x2e])
    }))

  it.effect("CR, LF or NUL in the host or the credentials: InvalidRequest(target), nothing sent, socket destroyed", () =>
    Effect.gen(function*() {
      for (const over of [{ host: "a\r\nX: y" }, { host: "a\nb" }, { host: "a\0b" }, { authorization: "Basic x\r\nX: y" }]) {
        const bad = connectHead({ ...tunnel, ...over }, where)
        expect(bad).toBeInstanceOf(InvalidRequest)
        expect(bad).toMatchObject({ ...where, reason: "target" })
        const s = new FakeSocket()
        const e = yield* Effect.flip(httpTunnel(asNet(s), { ...tunnel, ...over }, where))
        expect(e).toMatchObject({
          reason: "target",
          detail: "the CONNECT target or the proxy credentials contain CR, LF or NUL; remove them"
        })
        expect(s.destroyed).toBe(true)
        expect(s.written).toEqual([])
      }
    }))

  const answer = (s: FakeSocket, text: string) => s.emit("data", Buffer.from(text, "latin1"))

  it.effect("a 2xx opens the tunnel (bytes past the head put back); the answer may come in pieces", () =>
    Effect.gen(function*() {
      for (const status of ["200 Connection established", "299 Fine"]) {
        const s = new FakeSocket()
        const { now } = yield* start(httpTunnel(asNet(s), tunnel, where))
        expect(s.written.map((b) => b.toString())).toEqual(["CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n"])
        answer(s, `HTTP/1.1 ${status}\r\nVia: p`)
        expect(Option.isNone(yield* now)).toBe(true)
        answer(s, "\r\n\r\n\x16\x03")
        expect(succeeded(yield* now)).toBe(true)
        expect(s.unshifted.map((b) => b.toString("latin1"))).toEqual(["\x16\x03"])
        expect(s.listeners4()).toBe(0)
      }
    }))

  const refusal = (status: string, headers: string, over: object, expected: object) =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const { now } = yield* start(httpTunnel(asNet(s), { ...tunnel, ...over }, where))
      answer(s, `HTTP/1.1 ${status}\r\n${headers}content-length: 4\r\n\r\nnope`)
      const e = failureOf(yield* now)
      expect(e).toBeInstanceOf(ProxyError)
      expect(e).toMatchObject({ ...where, proxy: "http://proxy.test:3128", ...expected })
      expect(s.destroyed).toBe(true)
    })

  it.effect("a 407 or 401 is auth-required, or auth-failed when credentials were sent, with the challenge", () =>
    Effect.gen(function*() {
      yield* refusal("407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"p\"\r\n", {}, {
        reason: "auth-required",
        status: 407,
        detail: "Basic realm=\"p\""
      })
      yield* refusal("407 Nope", "", { authorization: "Basic eDp5" }, { reason: "auth-failed", status: 407, detail: "no authentication challenge" })
      yield* refusal("401 Unauthorized", "WWW-Authenticate: Basic\r\n", {}, { reason: "auth-required", status: 401, detail: "Basic" })
    }))

  it.effect("any other status is invalid-response naming it (a 3xx, a 5xx); an interim 1xx is skipped", () =>
    Effect.gen(function*() {
      yield* refusal("500 Broken", "", {}, { reason: "invalid-response", status: 500, detail: "the proxy answered 500 Broken" })
      yield* refusal("300 Choices", "", {}, { reason: "invalid-response", status: 300, detail: "the proxy answered 300 Choices" })
      const s = new FakeSocket()
      const { now } = yield* start(httpTunnel(asNet(s), tunnel, where))
      answer(s, "HTTP/1.1 100 Continue\r\n\r\n")
      expect(Option.isNone(yield* now)).toBe(true)
      answer(s, "HTTP/1.1 200 OK\r\n\r\n")
      expect(succeeded(yield* now)).toBe(true)
    }))

  it.effect("an answer that is not HTTP: invalid-response with the parse error as cause; a refusal's garbage body keeps the refusal", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const { now } = yield* start(httpTunnel(asNet(s), tunnel, where))
      answer(s, "SSH-2.0-OpenSSH\r\n\r\n")
      const e = failureOf(yield* now)
      expect(e).toMatchObject({ reason: "invalid-response", detail: "the proxy's answer to CONNECT is not HTTP" })
      expect((e as ProxyError).cause).toBeDefined()
      expect((e as { cause: { _tag: string } }).cause._tag).toBe("Http1ParseError")

      // A request line is not an answer: the parser reads responses only.
      const q = new FakeSocket()
      const rq = yield* start(httpTunnel(asNet(q), tunnel, where))
      answer(q, "GET / HTTP/1.1\r\n\r\n")
      const eq = failureOf(yield* rq.now)
      expect(eq).toMatchObject({ reason: "invalid-response", detail: "the proxy's answer to CONNECT is not HTTP" })
      expect((eq as { cause: { _tag: string } }).cause._tag).toBe("Http1ParseError")

      const r = new FakeSocket()
      const rr = yield* start(httpTunnel(asNet(r), tunnel, where))
      answer(r, "HTTP/1.1 502 Bad Gateway\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n")
      expect(failureOf(yield* rr.now)).toMatchObject({ reason: "invalid-response", status: 502, detail: "the proxy answered 502 Bad Gateway" })
    }))
})

describe("runHandshake", () => {
  it.effect("a reader that throws fails the handshake (its broken error, the throw as cause); Send writes its bytes", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      const boom = new Error("boom")
      let n = 0
      const handshake: Handshake<string, { why: string; cause?: unknown }> = {
        hello: Uint8Array.of(1),
        broken: (why, cause) => ({ why, cause }),
        read: () => {
          n++
          if (n === 1) return { _tag: "Send", bytes: Uint8Array.of(2, 3) }
          if (n === 2) return more
          throw boom
        }
      }
      const { now } = yield* start(runHandshake(asNet(s), handshake))
      s.answer(0)
      expect(s.written.map((b) => [...b])).toEqual([[1], [2, 3]])
      s.answer(0)
      expect(Option.isNone(yield* now)).toBe(true)
      s.answer(0)
      expect(failureOf(yield* now)).toEqual({ why: "the proxy's answer could not be read", cause: boom })
      expect(s.destroyed).toBe(true)
      // Nothing is read after the end.
      s.answer(0)
      expect(n).toBe(3)
    }))

  it.effect("done: data after it goes to the next reader, not the handshake; an interruption after it destroys nothing", () =>
    Effect.gen(function*() {
      const s = new FakeSocket()
      let reads = 0
      const handshake: Handshake<number, string> = {
        hello: Uint8Array.of(1),
        broken: (why) => why,
        read: () => (reads++, { _tag: "Done", value: 7, rest: new Uint8Array(0) })
      }
      const { fiber, now } = yield* start(runHandshake(asNet(s), handshake))
      s.answer(9)
      const exit = yield* now
      expect(Option.isSome(exit) && Exit.isSuccess(exit.value) && exit.value.value).toBe(7)
      expect(s.unshifted).toEqual([])
      s.emit("end")
      s.emit("close")
      expect(reads).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(s.destroyed).toBe(false)
      // Other listeners than "data" do not restart the flow.
      s.on("end", () => {})
      yield* Effect.promise(() => new Promise((r) => process.nextTick(r)))
      expect(s.paused).toBe(true)
    }))
})
