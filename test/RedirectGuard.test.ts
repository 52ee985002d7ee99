/**
 * `blockPrivateRedirects` (Hackney) and `followRedirects({ blockPrivateRedirects })`
 * (HackneyHttpClient): a redirect to a loopback/private/link-local address is
 * refused before any byte of the request reaches it — on an IP literal before
 * dialling, and on the connected address for a name (a custom `lookup` stands
 * for DNS answering, or rebinding to, 127.0.0.1) and for a pooled connection.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as http from "node:http"
import type * as net from "node:net"
import { Hackney, HackneyError, HackneyHttpClient, Pool } from "../src/index.js"
import type { Connection } from "../src/internal/connection/connection.js"
import { guardedSource, guardMark } from "../src/internal/engine/redirectGuard.js"
import type { ConnectionSource } from "../src/internal/engine/source.js"
import { isPrivateAddress, isPrivateHost } from "../src/internal/node/privateAddress.js"
import type { DialSpec } from "../src/internal/pool/pool.js"
import { h2Server, respond } from "./support/h2.js"
import { eventually } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `redirect-guard-${poolSeq++}` }))

/** A server answering 200 "inner" and counting the requests (and bytes) it got. */
const inner = () => {
  let hits = 0
  const handler: http.RequestListener = (_req, res) => {
    hits++
    res.writeHead(200, { "content-length": 5 })
    res.end("inner")
  }
  return Effect.map(httpServer(handler), (srv) => ({ ...srv, hits: () => hits }))
}

/** A server that redirects `/go?to=L` with a 302 to L. */
const redirector = () =>
  httpServer((req, res) => {
    const to = new URL(req.url!, "http://x").searchParams.get("to")!
    res.writeHead(302, { location: to, "content-length": 0 })
    res.end()
  })

const go = (base: string, to: string) => `${base}/go?to=${encodeURIComponent(to)}`

/** A `lookup` answering every name with 127.0.0.1: what a rebinding DNS does on the second query. */
const toLoopback: net.LookupFunction = (_host, options, callback) => {
  const cb = callback as unknown as (e: null, a: string | Array<{ address: string; family: number }>, f?: number) => void
  if ((options as { all?: boolean }).all === true) cb(null, [{ address: "127.0.0.1", family: 4 }])
  else cb(null, "127.0.0.1", 4)
}

const expectRefused = (e: unknown) => {
  expect(e).toBeInstanceOf(HackneyError.InvalidRequest)
  const r = e as HackneyError.InvalidRequest
  expect(r.reason).toBe("private-address")
  expect(r.found).toBe("redirect")
  expect(r.message).toContain("blockPrivateRedirects")
}

describe("non-public addresses", () => {
  it("isPrivateAddress: loopback, RFC 1918, CGNAT, link-local, unique local, mapped IPv4, multicast; not public ones", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.31.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "0.0.0.0",
      "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1",
      "::ffff:10.0.0.1", "ff02::1", "not-an-ip"]) expect([a, isPrivateAddress(a)]).toEqual([a, true])
    for (const a of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, false])
    }
  })

  it("isPrivateAddress: each non-public range at both ends, and the public addresses just outside it", () => {
    // [first, last, just below, just above] of every range the guard refuses (undefined: no public neighbour there)
    const ranges: ReadonlyArray<readonly [string, string, string | undefined, string | undefined]> = [
      ["0.0.0.0", "0.255.255.255", undefined, "1.0.0.0"],
      ["10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"],
      ["100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"],
      ["127.0.0.0", "127.255.255.255", "126.255.255.255", "128.0.0.0"],
      ["169.254.0.0", "169.254.255.255", "169.253.255.255", "169.255.0.0"],
      ["172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"],
      ["192.0.0.0", "192.0.0.255", "191.255.255.255", "192.0.1.0"],
      ["192.0.2.0", "192.0.2.255", "192.0.1.255", "192.0.3.0"],
      ["192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"],
      ["198.18.0.0", "198.19.255.255", "198.17.255.255", "198.20.0.0"],
      ["198.51.100.0", "198.51.100.255", "198.51.99.255", "198.51.101.0"],
      ["203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"],
      ["224.0.0.0", "255.255.255.255", "223.255.255.255", undefined],
      ["::", "::", undefined, "::2"],
      ["::1", "::1", undefined, "::2"],
      ["64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "64:ff9b:2::"],
      ["100::", "100::ffff:ffff:ffff:ffff", "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "100:0:0:1::"],
      ["2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"],
      ["fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"],
      ["fe80::", "fecf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", undefined],
      ["fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", undefined, "ff00::"],
      ["ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", undefined]
    ]
    for (const [first, last, below, above] of ranges) {
      expect([first, last].map((a) => [a, isPrivateAddress(a)])).toEqual([[first, true], [last, true]])
      const outside = [below, above].filter((a) => a !== undefined && !ranges.some(([f, l]) => a === f || a === l))
      for (const a of outside) expect([a, isPrivateAddress(a!)]).toEqual([a, false])
    }
  })

  it("isPrivateHost: IP literals (bracketed IPv6 too) and localhost names; other names wait for the connected address", () => {
    for (const h of ["127.0.0.1", "[::1]", "localhost", "LOCALHOST.", "api.localhost", "[fe80::1]"]) {
      expect([h, isPrivateHost(h)]).toEqual([h, true])
    }
    for (const h of ["example.com", "8.8.8.8", "[2606:4700::1]", "localhost.example"]) expect([h, isPrivateHost(h)]).toEqual([h, false])
  })
})

describe("guardedSource (the guard over a fake source)", () => {
  /** A source whose checkout hands out a connection with `remoteAddress` and `status`, recording checkouts and checkins. */
  const fake = (remoteAddress: string | undefined, status = "idle") => {
    const log: Array<string> = []
    const conn = { info: { remoteAddress }, status } as unknown as Connection
    const source: ConnectionSource = {
      checkout: (spec) => Effect.sync(() => (log.push(`checkout ${spec.host}`), conn)),
      checkin: (c, reusable) => void log.push(`checkin ${c === conn} ${reusable}`)
    }
    return { log, conn, guarded: guardedSource(source) }
  }
  const spec = (host: string, more: Partial<DialSpec> = {}) =>
    ({ key: host, transport: "tcp", host, port: 80, recvTimeout: 1000, ...more }) as DialSpec
  const ctx = { checkoutTimeout: 1000, method: "GET", url: "http://user:secret@example.test/x" }

  it.effect("a connection to a public address is handed over; one to a private address goes back reusable and fails naming host and address", () =>
    Effect.gen(function*() {
      const pub = fake("8.8.8.8")
      expect(yield* pub.guarded.checkout(spec("example.test"), ctx)).toBe(pub.conn)
      expect(pub.log).toEqual(["checkout example.test"])
      const priv = fake("10.0.0.1")
      const e = yield* Effect.flip(priv.guarded.checkout(spec("example.test"), ctx))
      expectRefused(e)
      expect(e.message).toContain("leads to example.test (10.0.0.1), a loopback")
      expect(e.message).toContain("leave the option unset to follow such redirects")
      expect(priv.log).toEqual(["checkout example.test", "checkin true true"])
    }))

  it.effect("a connection whose address is unknown, or that is closed, is refused and not given back as reusable", () =>
    Effect.gen(function*() {
      const unknown = fake(undefined)
      const e = yield* Effect.flip(unknown.guarded.checkout(spec("example.test"), ctx))
      expectRefused(e)
      expect(e.message).toContain("leads to example.test, a loopback")
      expect(unknown.log).toEqual(["checkout example.test", "checkin true false"])
      const closed = fake("127.0.0.1", "closed")
      expectRefused(yield* Effect.flip(closed.guarded.checkout(spec("example.test"), ctx)))
      expect(closed.log).toEqual(["checkout example.test", "checkin true false"])
    }))

  it.effect("through a proxy only the host is checked (the connected address is the proxy's)", () =>
    Effect.gen(function*() {
      const viaProxy = fake("127.0.0.1")
      const proxied = spec("example.test", { proxy: { _tag: "http", host: "127.0.0.1", port: 3128 } } as never)
      expect(yield* viaProxy.guarded.checkout(proxied, ctx)).toBe(viaProxy.conn)
      expect(viaProxy.log).toEqual(["checkout example.test"])
    }))

  it.effect("a Unix socket or a private host literal is refused before any checkout, naming it; the URL is redacted", () =>
    Effect.gen(function*() {
      const f = fake("8.8.8.8")
      const unix = yield* Effect.flip(f.guarded.checkout(spec("/run/x.sock", { transport: "unix" } as never), ctx))
      expectRefused(unix)
      expect(unix.message).toContain("leads to the Unix socket /run/x.sock, a loopback")
      expect(unix.message).toContain("the redirect to http://example.test/x leads") // userinfo redacted
      expect(unix.message).not.toContain("secret")
      const literal = yield* Effect.flip(f.guarded.checkout(spec("127.0.0.1"), { checkoutTimeout: 1000 }))
      expect(literal.message).toContain("the redirect to its target leads to 127.0.0.1, a loopback")
      expect(f.log).toEqual([])
    }))

  it("guardMark is the registry symbol \"effect-hackney/blockPrivateRedirects\" (the same in two copies of the package)", () => {
    expect(Symbol.keyFor(guardMark)).toBe("effect-hackney/blockPrivateRedirects")
  })
})

describe("Hackney blockPrivateRedirects", () => {
  it.scoped("a redirect to a loopback IP literal is refused and the target gets no request", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* redirector()
      const b = yield* inner()
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, `${b.url}/secret`), { pool, followRedirect: true, blockPrivateRedirects: true })
      )
      expectRefused(e)
      expect(b.accepted()).toBe(0)
      expect(b.hits()).toBe(0)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("default off: the same redirect is followed (the first request is never checked)", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* redirector()
      const b = yield* inner()
      const res = yield* Hackney.get(go(a.url, `${b.url}/secret`), { pool, followRedirect: true })
      expect(res.status).toBe(200)
      expect(b.hits()).toBe(1)
      // The option alone does not check the first request (the caller chose its URL).
      const direct = yield* Hackney.get(`${b.url}/x`, { pool, followRedirect: true, blockPrivateRedirects: true })
      expect(direct.status).toBe(200)
    }))

  it.scoped("a name resolving to loopback (DNS rebinding) is refused on the connected address, before the request is written", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* redirector()
      const b = yield* inner()
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, `http://rebind.example:${b.port}/secret`), {
          pool,
          followRedirect: true,
          blockPrivateRedirects: true,
          lookup: toLoopback
        })
      )
      expectRefused(e)
      expect((e as HackneyError.InvalidRequest).detail).toContain("rebind.example (127.0.0.1)")
      expect(b.hits()).toBe(0)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("a pooled connection to a private address is not used by a guarded redirect, and stays pooled", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* redirector()
      const b = yield* inner()
      const target = `http://rebind.example:${b.port}/secret`
      yield* Hackney.get(target, { pool, lookup: toLoopback })
      expect(b.hits()).toBe(1)
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, target), { pool, followRedirect: true, blockPrivateRedirects: true, lookup: toLoopback })
      )
      expectRefused(e)
      expect(b.hits()).toBe(1)
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse).toBe(0)
      expect(b.accepted()).toBe(1)
      // The pooled connection was given back reusable: the next plain request takes it.
      yield* Hackney.get(target, { pool, lookup: toLoopback })
      expect(b.accepted()).toBe(1)
      expect(b.hits()).toBe(2)
    }))

  it.scoped("a redirect to an http+unix socket is refused", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* redirector()
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, "http+unix://%2Ftmp%2Fnope.sock/x"), { pool, followRedirect: true, blockPrivateRedirects: true })
      )
      expectRefused(e)
    }))

  it("blockPrivateRedirects is validated", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.get("http://127.0.0.1:1/", { blockPrivateRedirects: "yes" as never }))
      expect(e).toBeInstanceOf(HackneyError.InvalidRequest)
      expect((e as HackneyError.InvalidRequest).reason).toBe("option")
    }).pipe(Effect.runPromise))
})

describe("HackneyHttpClient followRedirects({ blockPrivateRedirects })", () => {
  it.scoped("a redirect to loopback fails with RequestError caused by InvalidRequest private-address; the target gets nothing", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* inner()
      const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      const e = yield* Effect.flip(client.get(go(a.url, `${b.url}/secret`)))
      expect(e._tag).toBe("RequestError")
      expectRefused((e as { cause: unknown }).cause)
      expect(b.accepted()).toBe(0)
      const followed = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects())
      expect((yield* followed.get(go(a.url, `${b.url}/secret`))).status).toBe(200)
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scoped("rebinding: a name that resolves to loopback is refused on the connected address", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* inner()
      const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      const e = yield* Effect.flip(
        client.get(go(a.url, `http://rebind.example:${b.port}/secret`)).pipe(
          Effect.provideService(HackneyHttpClient.RequestOptions, { lookup: toLoopback })
        )
      )
      expectRefused((e as { cause: unknown }).cause)
      expect(b.hits()).toBe(0)
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scoped("over another HttpClient the guard cannot check addresses, so it fails instead of being ignored", () =>
    Effect.gen(function*() {
      const a = yield* redirector()
      const b = yield* inner()
      const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ blockPrivateRedirects: true }))
      const e = yield* Effect.flip(client.get(go(a.url, `${b.url}/secret`)))
      const cause = (e as { cause: unknown }).cause as HackneyError.InvalidRequest
      expect(cause).toBeInstanceOf(HackneyError.InvalidRequest)
      expect(cause.reason).toBe("option")
      expect(cause.detail).toContain("only HackneyHttpClient")
    }).pipe(
      Effect.provide(FetchHttpClient.layer),
      // fetch's own redirect handling off: the 302 reaches followRedirects.
      Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" })
    ))
})

describe("blockPrivateRedirects over HTTP/2", () => {
  /** An h2c server (prior knowledge) counting its streams: `/go?to=L` redirects (302) to L, anything else answers "inner". */
  const h2c = () =>
    h2Server((stream, headers) => {
      const to = new URL(String(headers[":path"]), "http://x").searchParams.get("to")
      if (to !== null) {
        stream.respond({ ":status": 302, location: to })
        stream.end()
      } else respond(stream, "inner")
    }, { secure: false })

  it.scoped("h2c: a redirect to a loopback IP literal is refused and the target gets no session", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* h2c()
      const b = yield* h2c()
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, `${b.url}/secret`), { pool, protocols: ["h2"], followRedirect: true, blockPrivateRedirects: true })
      )
      expectRefused(e)
      expect(b.sessions()).toBe(0)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("h2c: a name resolving to loopback is refused on the connected address, before any stream is opened", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* h2c()
      const b = yield* h2c()
      const e = yield* Effect.flip(
        Hackney.get(go(a.url, `http://rebind.example:${b.port}/secret`), {
          pool,
          protocols: ["h2"],
          followRedirect: true,
          blockPrivateRedirects: true,
          lookup: toLoopback
        })
      )
      expectRefused(e)
      expect((e as HackneyError.InvalidRequest).detail).toContain("rebind.example (127.0.0.1)")
      expect(b.peakStreams()).toBe(0)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }))

  it.scoped("h2c: a pooled session to a private address carries no stream of a guarded redirect, and stays pooled", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* h2c()
      const b = yield* h2c()
      const target = `http://rebind.example:${b.port}/secret`
      const options = { pool, protocols: ["h2"], lookup: toLoopback } as const
      expect((yield* Hackney.get(target, options)).text()).toBe("inner")
      const e = yield* Effect.flip(Hackney.get(go(a.url, target), { ...options, followRedirect: true, blockPrivateRedirects: true }))
      expectRefused(e)
      yield* eventually(() => b.openStreams() === 0, 2000, "no open stream")
      // One session, and the refused redirect opened no stream on it: the next plain request is its second.
      let streams = 0
      b.server.on("stream", () => streams++)
      expect((yield* Hackney.get(target, options)).text()).toBe("inner")
      expect(streams).toBe(1)
      expect(b.sessions()).toBe(1)
    }))
})
