/**
 * HTTP/3 discovery and fallback through `Hackney`, in process: an HTTPS
 * server announces `Alt-Svc: h3` on a UDP port where nothing answers (a
 * bound socket that drops every datagram: UDP blocked), and the requests
 * still succeed over TCP; forced h3 to it fails typed within the connect
 * timeout. Real sockets and QUIC, live clock, bounded.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as dgram from "node:dgram"
import type * as Scope from "effect/Scope"
import { Hackney, Pool } from "../src/index.js"
import { originKey } from "../src/internal/pool/altSvcCache.js"
import type { PoolImpl } from "../src/internal/pool/pool.js"
import { cert, httpsServer } from "./support/servers.js"

const ca = { ca: cert("ca.pem") }
let seq = 0

/** A UDP port with a socket bound that reads and drops everything, closed with the scope. */
const blackhole: Effect.Effect<number, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<dgram.Socket>((resume) => {
    const s = dgram.createSocket("udp4")
    s.on("message", () => {})
    s.bind(0, "127.0.0.1", () => resume(Effect.succeed(s)))
  }),
  (s) =>
    Effect.async<void>((resume) => {
      s.close(() => resume(Effect.void))
    })
).pipe(Effect.map((s) => s.address().port))

describe("HTTP/3 discovery and fallback (Hackney, in process)", () => {
  it.scopedLive("Alt-Svc to a blocked UDP port: every request succeeds over TCP; after one lost race h3 is not tried again", () =>
    Effect.gen(function*() {
      const udp = yield* blackhole
      let requests = 0
      const srv = yield* httpsServer((_req, res) => {
        requests++
        // A new connection per request, so each request dials (and may race).
        res.setHeader("Connection", "close")
        res.setHeader("Alt-Svc", `h3=":${udp}"; ma=3600`)
        res.end("tcp")
      })
      const pool = (yield* Pool.make({ name: `h3-fallback-${seq++}` })) as unknown as PoolImpl<never>
      const options = { pool: pool as never, tls: ca, protocols: ["h2", "http/1.1", "h3"] }
      const url = `https://localhost:${srv.port}/`
      // Userinfo never reaches the cache's keys.
      const first = yield* Hackney.get(`https://user:s3cret@localhost:${srv.port}/`, options)
      expect([first.status, first.protocol, first.text()]).toEqual([200, "http/1.1", "tcp"])
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))?.port).toBe(udp)
      expect(JSON.stringify(pool.altSvc!.toJSON())).not.toMatch(/user|s3cret/)
      // The race: QUIC to the blackhole gets its 300 ms head start, then TCP wins.
      const t0 = Date.now()
      const second = yield* Hackney.get(url, options)
      const raced = Date.now() - t0
      expect([second.status, second.protocol]).toEqual([200, "http/1.1"])
      expect(raced).toBeGreaterThanOrEqual(290)
      // Backed off: no QUIC, no head start.
      expect(pool.altSvc!.lookup(originKey("localhost", srv.port))).toBeUndefined()
      const t1 = Date.now()
      const third = yield* Hackney.get(url, options)
      expect(third.protocol).toBe("http/1.1")
      expect(Date.now() - t1).toBeLessThan(250)
      expect(requests).toBe(3)
    }), 15_000)

  it.scopedLive("forced h3 to a blocked UDP port fails with ConnectTimeout within the connect timeout", () =>
    Effect.gen(function*() {
      const udp = yield* blackhole
      const t0 = Date.now()
      const e = yield* Effect.flip(Hackney.get(`https://localhost:${udp}/`, { pool: false, tls: ca, protocols: ["h3"], connectTimeout: 400 }))
      expect(e._tag).toBe("ConnectTimeout")
      expect(Date.now() - t0).toBeLessThan(3000)
    }), 15_000)

  it.scopedLive("forced h3 through a pool: interrupting the request stops the QUIC handshake at once", () =>
    Effect.gen(function*() {
      const udp = yield* blackhole
      const pool = yield* Pool.make({ name: `h3-forced-${seq++}` })
      const t0 = Date.now()
      const exit = yield* Effect.exit(Effect.timeout(
        Hackney.get(`https://localhost:${udp}/`, { pool, tls: ca, protocols: ["h3"], connectTimeout: 10_000 }),
        "200 millis"
      ))
      expect(exit._tag).toBe("Failure")
      expect(Date.now() - t0).toBeLessThan(2000)
    }), 15_000)
})
