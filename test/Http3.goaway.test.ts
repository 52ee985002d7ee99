/**
 * HTTP/3 GOAWAY through the client API, against the in-process HTTP/3 server on real QUIC
 * (test/support/h3Server.ts; no peer on this machine sends GOAWAY, see docs/http3.md): the request
 * below the GOAWAY's stream ID finishes on the draining connection, the one at or above it (never
 * processed, RFC 9114 §5.2) is sent again on a new connection whatever its method, new requests go
 * to the new connection, the draining one closes once its last request ends, and no UDP socket is
 * left.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { Hackney, Pool } from "../src/index.js"
import { startH3Server } from "./support/h3Server.js"
import { eventually } from "./support/hackney.js"
import { certs } from "./support/quicServer.js"

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("UDP")).length

describe("HTTP/3 GOAWAY through the client API (in-process server)", () => {
  it.live("GOAWAY: the request below its ID finishes on the draining connection, the one above is retried on a new connection, new requests use the new one", () =>
    Effect.gen(function*() {
      const udpBefore = udpHandles()
      const release = yield* Deferred.make<void>()
      yield* Effect.scoped(Effect.gen(function*() {
        const srv = yield* Effect.acquireRelease(
          Effect.promise(() =>
            startH3Server(async (req) => {
              // The first connection holds its answers until the test releases them.
              if (req.connection === 1) await Effect.runPromise(Deferred.await(release))
              return { status: 200, body: `${req.header(":method")} ${req.header(":path")} ${req.body} on ${req.connection}` }
            })
          ),
          (s) => Effect.promise(() => s.stop())
        )
        const pool = yield* Pool.make({ name: "h3-goaway" })
        const opts = { pool, tls: { ca: certs("ca") }, protocols: ["h3"] as const }
        const url = `https://127.0.0.1:${srv.port}`
        const below = yield* Effect.fork(Hackney.get(`${url}/below`, opts))
        yield* eventually(() => srv.requests.length === 1, 5000, "the first request at the server")
        const above = yield* Effect.fork(Hackney.post(`${url}/above`, { ...opts, body: "data" }))
        yield* eventually(() => srv.requests.length === 2, 5000, "the second request at the server")
        expect(srv.requests.map((r) => [r.connection, r.streamId])).toEqual([[1, 0], [1, 4]])
        // Graceful shutdown: stream 0 will be processed, stream 4 and later will not.
        yield* Effect.promise(() => srv.goaway(4))
        const retried = yield* Fiber.join(above)
        expect([retried.status, retried.protocol, retried.text()]).toEqual([200, "h3", "POST /above data on 2"])
        const fresh = yield* Hackney.get(`${url}/new`, opts)
        expect(fresh.text()).toBe("GET /new  on 2")
        expect(srv.connections()).toBe(2)
        yield* Deferred.succeed(release, undefined)
        const finished = yield* Fiber.join(below)
        expect([finished.status, finished.text()]).toEqual([200, "GET /below  on 1"])
        // The draining connection closes when its last request is done; the pool holds only the new one.
        yield* eventually(() => udpHandles() === udpBefore + 1, 5000, "the draining connection's UDP socket closed")
        const again = yield* Hackney.get(`${url}/again`, opts)
        expect(again.text()).toBe("GET /again  on 2")
      }))
      yield* eventually(() => udpHandles() === udpBefore, 5000, "no UDP socket left")
    }), 30_000)
})
