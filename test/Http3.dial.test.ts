/**
 * `dialH3Connection`, the one entry for HTTP/3: its `ConnectTimeout` on the Effect Clock over a
 * QUIC dial that never completes (the QUIC library's client stood in for, no UDP), and the pool's
 * response-head limits reaching the HTTP/3 connection (in-process HTTP/3 server on real QUIC).
 */
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { QUICClient } from "@matrixai/quic"
import { Effect, Fiber, Option, TestClock } from "effect"
import { Hackney, Pool } from "../src/index.js"
import { dialH3Connection } from "../src/internal/connection/dialH3.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import { startH3Server } from "./support/h3Server.js"
import { certs } from "./support/quicServer.js"

afterEach(() => {
  vi.restoreAllMocks()
})

describe("dialH3Connection", () => {
  it.effect("a QUIC dial that does not complete fails with ConnectTimeout after connectTimeout on the Effect Clock, the handshake aborted", () =>
    Effect.gen(function*() {
      const signals: Array<AbortSignal> = []
      vi.spyOn(QUICClient, "createQUICClient").mockImplementation(((_options: unknown, ctx: { signal: AbortSignal }) => {
        signals.push(ctx.signal)
        return new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)))
      }) as never)
      const spec = { key: "k", transport: "tls", host: "127.0.0.1", port: 4433, connectTimeout: 1000, recvTimeout: 5000 } as unknown as DialSpec
      const fiber = yield* Effect.fork(dialH3Connection(spec, "GET", "https://127.0.0.1:4433/", wheelFor(yield* Effect.clock)))
      yield* Effect.promise(() => vi.waitFor(() => expect(signals.length).toBe(1)))
      yield* TestClock.adjust("999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const e = yield* Effect.flip(Fiber.join(fiber))
      expect(e).toMatchObject({ _tag: "ConnectTimeout", host: "127.0.0.1", port: 4433, timeoutMillis: 1000, method: "GET", url: "https://127.0.0.1:4433/" })
      expect(signals[0].aborted).toBe(true)
    }))

  it.live("the pool's maxHeaderSize is the HTTP/3 connection's limit for requests that set none", () =>
    Effect.scoped(Effect.gen(function*() {
      const srv = yield* Effect.acquireRelease(
        Effect.promise(() => startH3Server(() => ({ status: 200, fields: ["x-big", "v".repeat(500)], body: "ok" }))),
        (s) => Effect.promise(() => s.stop())
      )
      const url = `https://127.0.0.1:${srv.port}/`
      const tls = { ca: certs("ca") }
      const small = yield* Pool.make({ name: "h3-small-head", maxHeaderSize: 300 })
      const e = yield* Effect.flip(Hackney.get(url, { pool: small, tls, protocols: ["h3"] as const }))
      expect(e).toMatchObject({ reason: "header-section-too-large" })
      const roomy = yield* Pool.make({ name: "h3-roomy-head", maxHeaderSize: 2000 })
      const ok = yield* Hackney.get(url, { pool: roomy, tls, protocols: ["h3"] as const })
      expect([ok.status, ok.protocol, ok.text()]).toEqual([200, "h3", "ok"])
    })), 20_000)
})
