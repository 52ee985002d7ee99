/**
 * Bounded load and fault tests of the pool, on loopback, with the live clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Random } from "effect"
import * as Hackney from "../src/Hackney.js"
import * as HackneyError from "../src/HackneyError.js"
import * as Pool from "../src/Pool.js"
import { httpServer, onRequestHead, rawServer } from "./support/servers.js"

const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

describe("Pool under load", () => {
  it.scopedLive("10,000 requests at concurrency 256 through maxPerHost 10", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("ok"))
      const pool = yield* Pool.make({ name: "stress-10k", maxPerHost: 10 })
      const t0 = Date.now()
      const results = yield* Effect.forEach(
        Array.from({ length: 10_000 }, (_, i) => i),
        (i) => Effect.map(Hackney.get(`${srv.url}/${i}`, { pool, checkoutTimeout: "30 seconds" }), (r) => r.status),
        { concurrency: 256 }
      )
      expect(results.every((s) => s === 200)).toBe(true)
      expect(srv.accepted()).toBeLessThanOrEqual(10)
      expect(srv.peak()).toBeLessThanOrEqual(10)
      const stats = yield* Pool.stats(pool)
      expect(stats).toMatchObject({ inUse: 0, queued: 0 })
      expect(stats.free).toBeLessThanOrEqual(10)
      expect(Date.now() - t0).toBeLessThan(30_000)
    }), 60_000)

  it.scopedLive("5,000 idempotent requests while the server closes idle connections at random: zero failures", () =>
    Effect.gen(function*() {
      let closedByServer = 0
      const srv = yield* httpServer((req, res) => {
        const socket = req.socket
        res.on("finish", () => {
          // Close the connection at a random moment after the response, if it is still idle then.
          if (Math.random() < 0.3) {
            const busyBefore = (socket as any)._httpMessage
            setTimeout(() => {
              if ((socket as any)._httpMessage === busyBefore || (socket as any)._httpMessage == null) {
                closedByServer++
                socket.destroy()
              }
            }, Math.floor(Math.random() * 3))
          }
        })
        res.end("ok")
      })
      const pool = yield* Pool.make({ name: "stress-stale", maxPerHost: 8 })
      const results = yield* Effect.forEach(
        Array.from({ length: 5_000 }),
        () => Effect.either(Hackney.get(`${srv.url}/`, { pool })),
        { concurrency: 16 }
      )
      const failures = results.filter((r) => r._tag === "Left")
      expect(failures.map((f) => (f as any).left._tag)).toEqual([])
      expect(closedByServer).toBeGreaterThan(100)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }), 60_000)

  it.scopedLive("a stale kept-alive connection: GET is retried once, POST fails typed and retryable, never resent", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      // Answers the first request on each connection, then closes it on the next one without answering.
      const srv = yield* rawServer((socket) => {
        onRequestHead(socket, (head) => {
          seen.push(head.split(" ").slice(0, 2).join(" "))
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
          onRequestHead(socket, (head2) => {
            seen.push(`stale ${head2.split(" ").slice(0, 2).join(" ")}`)
            socket.destroy()
          })
        })
      })
      const pool = yield* Pool.make({ name: "stale-methods" })
      yield* Hackney.get(`${srv.url}/warm`, { pool })
      const get = yield* Hackney.get(`${srv.url}/again`, { pool })
      expect(get.status).toBe(200)
      expect(seen).toEqual(["GET /warm", "stale GET /again", "GET /again"])
      const post = yield* Effect.flip(Hackney.post(`${srv.url}/once`, { pool, body: "x" }))
      expect(post._tag).toBe("ConnectionClosed")
      expect(HackneyError.isRetryable(post)).toBe(true)
      if (post._tag === "ConnectionClosed") {
        expect(post.requestSent).toBe(true)
        expect(post.reused).toBe(true)
        expect(post.responseStarted).toBe(false)
      }
      expect(seen.filter((s) => s.includes("POST"))).toEqual(["stale POST /once"])
    }))

  it.scopedLive("interrupting 1,000 requests at random points (40 of 50 queued) leaks no slot", () =>
    Effect.gen(function*() {
      // Dribbles the response: head, then the body in pieces.
      const srv = yield* rawServer((socket) => {
        const serve = () =>
          onRequestHead(socket, () => {
            // Each piece 1 ms after the previous one (chained: Node does not order timers of different durations).
            const pieces = ["HTTP/1.1 200 OK\r\nContent-Length: 6\r\n", "\r\nab", "cd", "ef"]
            const next = () => {
              if (!socket.writable) return
              socket.write(pieces.shift()!)
              if (pieces.length > 0) setTimeout(next, 1)
              else serve()
            }
            next()
          })
        serve()
      })
      // 50 at once through 10 per host: most requests wait in the queue, and are interrupted there too.
      const pool = yield* Pool.make({ name: "interrupts", maxPerHost: 10 })
      let peakActive = 0
      let peakQueued = 0
      const sampler = yield* Effect.fork(Effect.forever(Effect.gen(function*() {
        peakActive = Math.max(peakActive, (yield* Pool.hostStats(pool, "127.0.0.1", srv.port)).active)
        peakQueued = Math.max(peakQueued, (yield* Pool.stats(pool)).queued)
        yield* realSleep(1)
      })))
      yield* Effect.forEach(
        Array.from({ length: 1_000 }),
        () =>
          Effect.gen(function*() {
            const delay = yield* Random.nextIntBetween(0, 6)
            const fiber = yield* Effect.fork(Hackney.get(`${srv.url}/`, { pool, checkoutTimeout: "30 seconds" }))
            yield* realSleep(delay)
            yield* Fiber.interrupt(fiber)
          }),
        { concurrency: 50, discard: true }
      )
      yield* Fiber.interrupt(sampler)
      expect(peakActive).toBe(10)
      expect(peakQueued).toBeGreaterThan(0)
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse).toBe(0)
      expect(stats.queued).toBe(0)
      expect((yield* Pool.hostStats(pool, "127.0.0.1", srv.port)).active).toBe(0)
      // With no leaked slot, 10 concurrent requests all start at once: none waits for a checkout.
      const results = yield* Effect.forEach(
        Array.from({ length: 10 }),
        () => Effect.either(Hackney.get(`${srv.url}/`, { pool, checkoutTimeout: "1 millis" })),
        { concurrency: 10 }
      )
      expect(results.filter((r) => r._tag === "Left").length).toBe(0)
    }), 60_000)
})
