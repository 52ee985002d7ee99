/**
 * Recording Alt-Svc: a pool's h1/h2 connections dialled for a spec that
 * offers "h3" put their responses' `Alt-Svc` in the pool's cache; other
 * specs' connections get no observer at all.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { Connection, Request } from "../src/internal/connection/connection.js"
import { originKey } from "../src/internal/pool/altSvcCache.js"
import { offersH3 } from "../src/internal/pool/altSvcDial.js"
import { poolConfig } from "../src/internal/pool/config.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { makePool } from "../src/internal/pool/make.js"
import type { PooledConnection } from "../src/internal/pool/make.js"
import type { PoolImpl } from "../src/internal/pool/pool.js"
import { currentWheel } from "../src/internal/timer/wheel.js"
import { h2Server, respond } from "./support/h2.js"
import { cert, httpsServer } from "./support/servers.js"

const discovery = ["h2", "http/1.1", "h3"]

const specOf = (port: number, protocols?: ReadonlyArray<string>): DialSpec => ({
  key: `https://localhost:${port}|${JSON.stringify(protocols ?? null)}`,
  transport: "tls",
  host: "localhost",
  port,
  connectTimeout: 5000,
  recvTimeout: 5000,
  tls: { ca: cert("ca.pem") },
  ...(protocols !== undefined ? { protocols } : {})
})

const get = (port: number): Request => ({
  method: "GET",
  target: "/",
  authority: `localhost:${port}`,
  rawHeaders: [],
  bodySize: 0,
  h1: undefined,
  href: `https://localhost:${port}/`,
  body: { _tag: "None" },
  maxBodySize: 1 << 20,
  recvTimeout: 5000,
  headLimits: undefined
})

const newPool = () => {
  const config = poolConfig({ name: "altsvc-record" })
  if (!("maxPerHost" in config)) throw config
  return makePool(config)
}

/** One GET on a connection of `pool` for `spec`; the connection, checked back in. */
const exchange = (pool: PoolImpl<PooledConnection>, spec: DialSpec) =>
  Effect.gen(function*() {
    const wheel = yield* currentWheel
    const conn: Connection = yield* Effect.uninterruptible(pool.checkout(spec, { checkoutTimeout: 5000 }))
    const ex = conn.begin(get(spec.port), "collect", wheel)
    yield* ex.waitFor(ex.isComplete)
    pool.checkin(conn, conn.release(ex))
    return conn
  })

describe("Alt-Svc recording (pool dial)", () => {
  it.scoped("an HTTP/1.1 response's Alt-Svc is cached for its origin with its ma, on the Clock", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => {
        res.setHeader("Alt-Svc", `h3=":4433"; ma=60`)
        res.end("ok")
      })
      const pool = yield* newPool()
      const conn = yield* exchange(pool, specOf(srv.port, discovery))
      expect(conn.protocol).toBe("http/1.1")
      // Retired once an alternative exists: closed at its release, not pooled.
      expect(conn.status).toBe("closed")
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))).toMatchObject({ protocol: "h3", host: "localhost", port: 4433 })
      yield* TestClock.adjust("60 seconds")
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))).toBeUndefined()
    }))

  it.scopedLive("an HTTP/2 response's Alt-Svc is cached and retires the session; a later clear forgets it", () =>
    Effect.gen(function*() {
      let altSvc = `h3="localhost:8443"`
      const srv = yield* h2Server((stream) => respond(stream, "ok", { "alt-svc": altSvc }))
      const pool = yield* newPool()
      const spec = specOf(srv.port, discovery)
      const conn = yield* exchange(pool, spec)
      expect(conn.protocol).toBe("h2")
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))?.port).toBe(8443)
      // Retired: drained as after a GOAWAY (closed once its stream ended).
      expect(conn.status).toBe("closed")
      altSvc = "clear"
      // The next connection races QUIC to localhost:8443 (nothing there) against TCP: TCP wins.
      const next = yield* exchange(pool, spec)
      expect(next).not.toBe(conn)
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))).toBeUndefined()
      // After clear, nothing to retire for: the connection stays pooled.
      expect(next.isAvailable).toBe(true)
    }))

  it.scoped("a spec that does not offer h3 gets no observer and records nothing", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => {
        res.setHeader("Alt-Svc", `h3=":4433"`)
        res.end("ok")
      })
      const pool = yield* newPool()
      for (const protocols of [undefined, ["h2", "http/1.1"]]) {
        const conn = yield* exchange(pool, specOf(srv.port, protocols))
        expect(conn.headObserver).toBeUndefined()
        expect(conn.status).toBe("idle")
      }
      expect(pool.altSvc!.size).toBe(0)
    }))

  it("h3 is offered only to an https origin without a proxy", () => {
    expect(offersH3(specOf(443, discovery))).toBe(true)
    expect(offersH3(specOf(443, ["h2"]))).toBe(false)
    expect(offersH3(specOf(443))).toBe(false)
    // h3 first with a TCP protocol prefers HTTP/3 (raced, with fallback); h3 alone forces it (no TCP dial to record from).
    expect(offersH3(specOf(443, ["h3", "h2"]))).toBe(true)
    expect(offersH3(specOf(443, ["h3"]))).toBe(false)
    expect(offersH3({ ...specOf(80, discovery), transport: "tcp" })).toBe(false)
    expect(offersH3({
      ...specOf(443, discovery),
      proxy: { kind: "socks5", host: "127.0.0.1", port: 1080, display: "socks5://127.0.0.1:1080", resolve: "remote" } as never
    })).toBe(false)
  })
})
