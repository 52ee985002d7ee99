import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigError, ConfigProvider, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import type * as http from "node:http"
import * as Hackney from "../src/Hackney.js"
import * as HackneyError from "../src/HackneyError.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Pool from "../src/Pool.js"
import { cert, httpServer, httpsServer, onRequestHead, rawServer } from "./support/servers.js"

/** Real (wall-clock) wait, for socket I/O to happen while the TestClock stands still. */
const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

/** Polls `f` in real time until it holds (at most ~2 s). */
const eventually = (f: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && !f(); i++) yield* realSleep(10)
    expect(f()).toBe(true)
  })

/** A handler that holds every response until `release()` is called. */
const holdingHandler = () => {
  const held: Array<http.ServerResponse> = []
  const handler: http.RequestListener = (_req, res) => {
    held.push(res)
  }
  return {
    handler,
    held,
    release: () => {
      for (const r of held.splice(0)) r.end("ok")
    }
  }
}

describe("Pool: checkout queue", () => {
  it.scoped("a waiter fails with CheckoutTimeout exactly at its deadline, not before", () =>
    Effect.gen(function*() {
      const h = holdingHandler()
      const srv = yield* httpServer(h.handler)
      const pool = yield* Pool.make({ name: "t-checkout", maxPerHost: 1 })
      const opts = { pool, recvTimeout: "1 hour", checkoutTimeout: "1 second" } as const
      const first = yield* Effect.fork(Hackney.get(`${srv.url}/a`, opts))
      yield* eventually(() => h.held.length === 1)
      const second = yield* Effect.fork(Hackney.get(`${srv.url}/b`, opts))
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).queued === 1)
      yield* TestClock.adjust("999 millis")
      expect(second.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(second))
      expect(error._tag).toBe("CheckoutTimeout")
      expect(HackneyError.isRetryable(error)).toBe(true)
      const stats = yield* Pool.stats(pool)
      expect(stats.queued).toBe(0)
      h.release()
      const res = yield* Fiber.join(first)
      expect(res.status).toBe(200)
    }))

  it.scoped("a request's maxPerHost (hackney's request option) overrides the pool's", () =>
    Effect.gen(function*() {
      const h = holdingHandler()
      const srv = yield* httpServer(h.handler)
      const pool = yield* Pool.make({ name: "t-request-limit", maxPerHost: 10 })
      const opts = { pool, maxPerHost: 1, recvTimeout: "1 hour", checkoutTimeout: "1 second" } as const
      const first = yield* Effect.fork(Hackney.get(`${srv.url}/a`, opts))
      yield* eventually(() => h.held.length === 1)
      const second = yield* Effect.fork(Hackney.get(`${srv.url}/b`, opts))
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).queued === 1)
      yield* TestClock.adjust("1 second")
      expect((yield* Effect.flip(Fiber.join(second)))._tag).toBe("CheckoutTimeout")
      // Without the option the pool's limit (10) applies: no wait.
      const third = yield* Effect.fork(Hackney.get(`${srv.url}/c`, { pool, recvTimeout: "1 hour" }))
      yield* eventually(() => h.held.length === 2)
      h.release()
      expect((yield* Fiber.join(first)).status).toBe(200)
      expect((yield* Fiber.join(third)).status).toBe(200)
    }))

  it.scoped("waiters are served in FIFO order as connections come back", () =>
    Effect.gen(function*() {
      const h = holdingHandler()
      const order: Array<string> = []
      const srv = yield* httpServer((req, res) => {
        order.push(req.url!)
        h.handler(req, res)
      })
      const pool = yield* Pool.make({ name: "t-fifo", maxPerHost: 1 })
      const opts = { pool, recvTimeout: "1 hour", checkoutTimeout: "1 hour" } as const
      const fibers = []
      for (const p of ["/1", "/2", "/3", "/4"]) {
        fibers.push(yield* Effect.fork(Hackney.get(`${srv.url}${p}`, opts)))
        yield* eventually(() => order.length === 1 || Effect.runSync(Pool.stats(pool)).queued === fibers.length - 1)
      }
      for (let i = 1; i <= 4; i++) {
        yield* eventually(() => h.held.length === 1)
        h.release()
      }
      for (const f of fibers) expect((yield* Fiber.join(f)).status).toBe(200)
      expect(order).toEqual(["/1", "/2", "/3", "/4"])
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("an interrupted waiter leaves the queue", () =>
    Effect.gen(function*() {
      const h = holdingHandler()
      const srv = yield* httpServer(h.handler)
      const pool = yield* Pool.make({ name: "t-interrupt-waiter", maxPerHost: 1 })
      const opts = { pool, recvTimeout: "1 hour", checkoutTimeout: "1 hour" } as const
      const first = yield* Effect.fork(Hackney.get(`${srv.url}/a`, opts))
      yield* eventually(() => h.held.length === 1)
      const waiter = yield* Effect.fork(Hackney.get(`${srv.url}/b`, opts))
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).queued === 1)
      yield* Fiber.interrupt(waiter)
      expect((yield* Pool.stats(pool)).queued).toBe(0)
      h.release()
      yield* Fiber.join(first)
      // The slot went back to the pool, not to the interrupted waiter.
      const stats = yield* Pool.stats(pool)
      expect(stats).toMatchObject({ inUse: 0, free: 1, queued: 0 })
    }))

  it.scoped("closing the pool fails its waiters with PoolClosed and closes its sockets", () =>
    Effect.gen(function*() {
      const h = holdingHandler()
      const srv = yield* httpServer(h.handler)
      const scope = yield* Effect.scope
      void scope
      const outcome = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* Pool.make({ name: "t-close", maxPerHost: 1 })
        const opts = { pool, recvTimeout: "1 hour", checkoutTimeout: "1 hour" } as const
        yield* Effect.forkDaemon(Hackney.get(`${srv.url}/a`, opts))
        yield* eventually(() => h.held.length === 1)
        const waiter = yield* Effect.forkDaemon(Hackney.get(`${srv.url}/b`, opts))
        yield* eventually(() => Effect.runSync(Pool.stats(pool)).queued === 1)
        return waiter
      }))
      const exit = yield* Fiber.await(outcome)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(Fiber.join(outcome))
      expect(error._tag).toBe("PoolClosed")
      yield* eventually(() => srv.sockets.size === 0)
    }))
})

describe("Pool: keep-alive", () => {
  it.scoped("reuses one connection for sequential requests (LIFO idle stack)", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: "t-reuse" })
      for (let i = 0; i < 20; i++) yield* Hackney.get(`${srv.url}/`, { pool })
      expect(srv.accepted()).toBe(1)
      expect(yield* Pool.hostStats(pool, "127.0.0.1", srv.port)).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
    }))

  it.scoped("an idle connection closes exactly at keepaliveTimeout", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: "t-keepalive", keepaliveTimeout: "2 seconds" })
      yield* Hackney.get(`${srv.url}/`, { pool })
      expect((yield* Pool.stats(pool)).free).toBe(1)
      yield* TestClock.adjust("1999 millis")
      expect((yield* Pool.stats(pool)).free).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect((yield* Pool.stats(pool)).free).toBe(0)
      yield* eventually(() => srv.sockets.size === 0)
    }))

  it.scoped("maxConnections caps idle connections across hosts", () =>
    Effect.gen(function*() {
      const a = yield* httpServer((_req, res) => setTimeout(() => res.end("a"), 20))
      const pool = yield* Pool.make({ name: "t-maxconn", maxConnections: 2 })
      yield* Effect.forEach([1, 2, 3, 4], () => Hackney.get(`${a.url}/`, { pool }), { concurrency: 4, discard: true })
      expect(a.accepted()).toBe(4)
      expect((yield* Pool.stats(pool)).free).toBe(2)
      yield* eventually(() => a.sockets.size === 2)
    }))

  it.scoped("a connection the peer closed while idle is never handed out", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: "t-peer-closed" })
      yield* Hackney.get(`${srv.url}/`, { pool })
      for (const s of srv.sockets) s.destroy()
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).free === 0)
      const res = yield* Hackney.get(`${srv.url}/`, { pool })
      expect(res.status).toBe(200)
      expect(srv.accepted()).toBe(2)
    }))

  it.scoped("a connection that received bytes while idle is discarded", () =>
    Effect.gen(function*() {
      let n = 0
      const srv = yield* rawServer((socket) => {
        n++
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
          // Garbage after the response, while the connection sits idle in the pool.
          setTimeout(() => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 10)
          onRequestHead(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"))
        })
      })
      const pool = yield* Pool.make({ name: "t-idle-bytes" })
      const a = yield* Hackney.get(`${srv.url}/`, { pool })
      expect(a.text()).toBe("x")
      // Not a fixed sleep (the machine may be loaded): until the pool has let the poisoned connection go.
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).free === 0)
      expect(Effect.runSync(Pool.stats(pool)).free).toBe(0)
      const b = yield* Hackney.get(`${srv.url}/`, { pool })
      expect(b.text()).toBe("x")
      expect(n).toBe(2)
    }))

  it.scoped("tlsPooling: false closes TLS connections after each request; plain HTTP and the default keep them", () =>
    Effect.gen(function*() {
      const tlsSrv = yield* httpsServer((_req, res) => res.end("x"))
      const tls = { ca: cert("ca.pem") }
      const url = `https://localhost:${tlsSrv.port}/`
      const off = yield* Pool.make({ name: "t-tlspooling-off", tlsPooling: false })
      expect((yield* Hackney.get(url, { pool: off, tls })).text()).toBe("x")
      expect((yield* Hackney.get(url, { pool: off, tls })).text()).toBe("x")
      expect(tlsSrv.accepted()).toBe(2)
      expect((yield* Pool.stats(off)).free).toBe(0)
      // The default (tlsPooling: true) reuses the TLS connection.
      const on = yield* Pool.make({ name: "t-tlspooling-on" })
      yield* Hackney.get(url, { pool: on, tls })
      yield* Hackney.get(url, { pool: on, tls })
      expect(tlsSrv.accepted()).toBe(3)
      expect((yield* Pool.stats(on)).free).toBe(1)
      // Plain HTTP is unaffected by tlsPooling.
      const srv = yield* httpServer((_req, res) => res.end("x"))
      yield* Hackney.get(`${srv.url}/`, { pool: off })
      yield* Hackney.get(`${srv.url}/`, { pool: off })
      expect(srv.accepted()).toBe(1)
    }))
})

describe("Pool: prewarm", () => {
  it.scoped("opens idle connections ahead of use, and counts what is already idle", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: "t-prewarm", prewarmCount: 3 })
      expect(yield* Pool.prewarm(pool, "127.0.0.1", srv.port)).toBe(3)
      expect((yield* Pool.stats(pool)).free).toBe(3)
      yield* eventually(() => srv.accepted() === 3)
      expect(yield* Pool.prewarm(pool, "127.0.0.1", srv.port, 3)).toBe(0)
      // A request takes one idle connection; the warm host replaces it in the background.
      yield* Hackney.get(`${srv.url}/`, { pool })
      yield* eventually(() => srv.accepted() === 4)
      // Three kept warm, plus the one the request gave back.
      yield* eventually(() => Effect.runSync(Pool.stats(pool)).free === 4)
    }))

  it.scoped("prewarm refills after idle connections expire", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const pool = yield* Pool.make({ name: "t-prewarm-refill", keepaliveTimeout: "1 second" })
      expect(yield* Pool.prewarm(pool, "127.0.0.1", srv.port, 2)).toBe(2)
      yield* TestClock.adjust("1 second")
      expect((yield* Pool.stats(pool)).free).toBe(0)
      expect(yield* Pool.prewarm(pool, "127.0.0.1", srv.port, 2)).toBe(2)
      expect((yield* Pool.stats(pool)).free).toBe(2)
    }))
})

describe("Pool: layers and names", () => {
  it.effect("Pool.layer provides the default pool of requests and registers its name", () =>
    Effect.gen(function*() {
      const outcome = yield* Effect.scoped(Effect.gen(function*() {
        const srv = yield* httpServer((_req, res) => res.end("x"))
        yield* Hackney.get(`${srv.url}/`)
        yield* Hackney.get(`${srv.url}/`, { pool: "t-layer" })
        return { stats: yield* Pool.stats("t-layer"), accepted: srv.accepted() }
      }).pipe(Effect.provide(Layer.fresh(Pool.layer({ name: "t-layer" })))))
      expect(outcome.stats).toMatchObject({ name: "t-layer", inUse: 0, free: 1 })
      expect(outcome.accepted).toBe(1)
      const gone = yield* Effect.flip(Pool.stats("t-layer"))
      expect(gone._tag).toBe("InvalidRequest")
    }))

  it.scoped("a request naming a pool that no layer created fails with InvalidRequest, as Pool.stats does", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool: "t-no-such-pool" }))
      expect(e._tag).toBe("InvalidRequest")
      expect(e).toMatchObject({ reason: "option" })
      expect(e.message).toContain(`no pool named "t-no-such-pool"`)
      expect(e.message).toContain("Pool.layer")
      const s = yield* Effect.flip(Effect.scoped(Hackney.stream("GET", `${srv.url}/`, { pool: "t-no-such-pool" })))
      expect(s._tag).toBe("InvalidRequest")
      const f = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool: "t-no-such-pool", followRedirect: true }))
      expect(f._tag).toBe("InvalidRequest")
      const viaClient = yield* Effect.flip(HackneyHttpClient.make({ pool: "t-no-such-pool" }).get(`${srv.url}/`))
      expect(viaClient.cause).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect(srv.accepted()).toBe(0)
      // Consistent with Pool.stats: the name is not created by being asked for.
      expect((yield* Effect.flip(Pool.stats("t-no-such-pool")))._tag).toBe("InvalidRequest")
    }))

  it.scoped("the pool named \"default\" works without a layer, for requests and Pool.stats alike", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      expect((yield* Hackney.get(`${srv.url}/`, { pool: "default" })).status).toBe(200)
      expect((yield* Hackney.get(`${srv.url}/`)).status).toBe(200)
      expect(yield* Pool.stats("default")).toMatchObject({ name: "default", inUse: 0 })
      expect(yield* Pool.hostStats("default", "127.0.0.1", srv.port)).toMatchObject({ inUse: 0 })
    }))

  it.scoped("a pool name is served once its layer runs, and fails again once the layer closed", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      const inside = yield* Effect.scoped(
        Effect.provide(Hackney.get(`${srv.url}/`, { pool: "t-named-later" }), Layer.fresh(Pool.layer({ name: "t-named-later" })))
      )
      expect(inside.status).toBe(200)
      const after = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool: "t-named-later" }))
      expect(after._tag).toBe("InvalidRequest")
    }))

  it.effect("Pool.layerConfig reads the options from Config, and fails the layer on bad config", () =>
    Effect.gen(function*() {
      const config = Config.all({
        name: Config.string("POOL_NAME"),
        maxPerHost: Config.integer("POOL_MAX_PER_HOST")
      })
      const provider = ConfigProvider.fromMap(new Map([["POOL_NAME", "t-config"], ["POOL_MAX_PER_HOST", "3"]]))
      const stats = yield* Pool.stats("t-config").pipe(
        Effect.provide(Pool.layerConfig(config)),
        Effect.withConfigProvider(provider)
      )
      expect(stats.name).toBe("t-config")
      const bad = ConfigProvider.fromMap(new Map([["POOL_NAME", "x"], ["POOL_MAX_PER_HOST", "many"]]))
      const error = yield* Effect.flip(Pool.stats("x").pipe(Effect.provide(Hackney.layerConfig(config)), Effect.withConfigProvider(bad)))
      // The layer fails with Config's own error, naming the key and what it read.
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(error).toMatchObject({ _op: "InvalidData", path: ["POOL_MAX_PER_HOST"] })
      expect(String(error)).toContain(`received "many"`)
    }))

  it.scoped("pool: false uses a direct connection, closed after the request", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("x"))
      yield* Hackney.get(`${srv.url}/`, { pool: false })
      yield* Hackney.get(`${srv.url}/`, { pool: false })
      expect(srv.accepted()).toBe(2)
      yield* eventually(() => srv.sockets.size === 0)
    }))
})
