/**
 * Every deadline of a request runs on the Clock of the fiber that made it,
 * whatever pool serves it: a 30-second `recvTimeout` fires under `TestClock`
 * within milliseconds of real time, through every entry point — bare
 * `Hackney.get` (the process-wide default pool, built on the live Clock),
 * `Hackney.layer`, `Pool.layer`, `HackneyHttpClient.layer` and
 * `HackneyHttpClient.make`.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import type * as net from "node:net"
import { Hackney, HackneyHttpClient, Pool } from "../src/index.js"
import type { HackneyError } from "../src/HackneyError.js"
import { eventually, realSleep } from "./support/hackney.js"
import { rawServer } from "./support/servers.js"

/** A server that reads requests and never answers. */
const silent = Effect.gen(function*() {
  let heads = 0
  const srv = yield* rawServer((socket: net.Socket) => {
    socket.on("data", () => {
      heads++
    })
  })
  return { ...srv, heads: () => heads }
})

/** The cause of a platform error, or the error itself. */
const typed = (e: unknown): HackneyError => ((e as { cause?: unknown }).cause ?? e) as HackneyError

/**
 * Forks `request` (a 30-second recvTimeout), waits (real time) until the
 * server read its head, moves the TestClock 29.999 s (nothing happens), then
 * 1 ms more: the request fails with RecvTimeout at once.
 */
const thirtySecondsInOneMilli = <E>(
  srv: { readonly heads: () => number },
  request: Effect.Effect<unknown, E>
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.flip(request))
    yield* eventually(() => srv.heads() > 0, 2000, "the request head")
    yield* TestClock.adjust("29999 millis")
    yield* realSleep(20)
    expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
    yield* TestClock.adjust("1 millis")
    const started = Date.now()
    const error = typed(yield* Fiber.join(fiber).pipe(Effect.timeout("2 seconds"), Effect.withClock(liveClock)))
    expect(error._tag).toBe("RecvTimeout")
    expect(Date.now() - started).toBeLessThan(1000)
  })

// The live Clock, to bound the join in real time while a TestClock is in force.
const liveClock = Effect.runSync(Effect.clock)

const options = { recvTimeout: "30 seconds" } as const

describe("recvTimeout runs on the requesting fiber's Clock", () => {
  it.scoped("bare Hackney.get (process-wide default pool): a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, Hackney.get(srv.url, options))
    }))

  it.scoped("bare Hackney.get on a pool named by the option: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, Hackney.get(srv.url, { ...options, pool: "default" }))
    }))

  it.scoped("bare Hackney.stream: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, Effect.scoped(Hackney.stream("GET", srv.url, options)))
    }))

  it.scoped("bare Hackney.get with retry (the feature path): a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, Hackney.get(srv.url, { ...options, followRedirect: true }))
    }))

  it.scoped("Hackney.layer: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, Effect.provide(Hackney.get(srv.url, options), Hackney.layer))
    }))

  it.scoped("Pool.layer: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(
        srv,
        Effect.provide(Hackney.get(srv.url, options), Pool.layer({ name: "clock-test" }))
      )
    }))

  it.scoped("a Pool.layer built on the live Clock, used under TestClock: a 30-second recvTimeout in 1 ms", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      const pool = yield* Effect.withClock(Pool.make({ name: "clock-test-live" }), liveClock)
      yield* thirtySecondsInOneMilli(srv, Hackney.get(srv.url, { ...options, pool }))
    }))

  it.scoped("HackneyHttpClient.layer: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      const request = HttpClient.get(srv.url).pipe(
        Effect.provideService(HackneyHttpClient.RequestOptions, options),
        Effect.provide(HackneyHttpClient.layer)
      )
      yield* thirtySecondsInOneMilli(srv, request)
    }))

  it.scoped("HackneyHttpClient.make (process-wide default pool): a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      yield* thirtySecondsInOneMilli(srv, HackneyHttpClient.make(options).get(srv.url))
    }))

  it.scoped("HackneyHttpClient.make with a layer's pool: a 30-second recvTimeout in 1 ms of TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      const request = HackneyHttpClient.make(options).get(srv.url).pipe(
        Effect.provide(Layer.fresh(Pool.layer({ name: "clock-test-make" })))
      )
      yield* thirtySecondsInOneMilli(srv, request)
    }))
})

describe("the checkout wait runs on the requesting fiber's Clock", () => {
  it.scoped("bare Hackney.get (process-wide default pool): a 10-second checkoutTimeout fires on TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* silent
      const opts = { recvTimeout: "1 hour", checkoutTimeout: "10 seconds", maxPerHost: 1 } as const
      const holder = yield* Effect.fork(Hackney.get(srv.url, opts))
      yield* eventually(() => srv.heads() > 0, 2000, "the first request head")
      const waiter = yield* Effect.fork(Effect.flip(Hackney.get(srv.url, opts)))
      yield* realSleep(20)
      yield* TestClock.adjust("9999 millis")
      yield* realSleep(20)
      expect(Option.isNone(yield* Fiber.poll(waiter))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const e = yield* Fiber.join(waiter).pipe(Effect.timeout("2 seconds"), Effect.withClock(liveClock))
      expect(e._tag).toBe("CheckoutTimeout")
      yield* Fiber.interrupt(holder)
    }))
})
