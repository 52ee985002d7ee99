/**
 * Request bodies the server does not (fully) read: early responses, stalls,
 * and several fibers waiting on one exchange.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream, TestClock } from "effect"
import * as Hackney from "../src/Hackney.js"
import * as Headers from "../src/Headers.js"
import * as Pool from "../src/Pool.js"
import { onRequestHead, rawServer } from "./support/servers.js"

const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

/** An endless body: 64 KiB chunks, forever. */
const endless = Stream.repeatValue(new Uint8Array(64 * 1024))

describe("Hackney: request bodies the server does not read", () => {
  it.scopedLive("an early response during a one-shot streamed upload is returned, the upload stops, the socket closes", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => {
        onRequestHead(socket, () => {
          // Answer at once and stop reading.
          socket.pause()
          socket.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig")
        })
      })
      const pool = yield* Pool.make({ name: "early-response" })
      const res = yield* Hackney.post(`${srv.url}/upload`, { pool, body: endless, recvTimeout: "10 seconds" }).pipe(
        Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("hung") })
      )
      expect(res.status).toBe(413)
      expect(res.text()).toBe("big")
      // The request was cut short: the connection is closed, not kept.
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
    }))

  it.effect("a server that neither reads the body nor answers fails with RecvTimeout at the deadline", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => socket.pause())
      const big = Stream.make(new Uint8Array(32 * 1024 * 1024))
      const fiber = yield* Effect.fork(Hackney.put(`${srv.url}/`, { body: big, recvTimeout: "2 seconds", pool: false }))
      // Let the socket buffers fill for real; then the write waits for a drain that never comes.
      yield* realSleep(200)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("RecvTimeout")
    }).pipe(Effect.scoped))

  it.scopedLive("two fibers waiting on one response (trailers and body) are both woken", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) => {
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n")
          setTimeout(() => socket.write("2\r\nok\r\n"), 20)
          setTimeout(() => socket.write("0\r\nx-sum: 42\r\n\r\n"), 40)
        })
      })
      const [body, trailer] = yield* Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${srv.url}/`)
        const trailers = yield* Effect.fork(res.trailers)
        yield* realSleep(5)
        const text = yield* res.text
        const t = yield* Fiber.join(trailers)
        return [text, t === undefined ? undefined : Headers.getOrUndefined(t, "x-sum")] as const
      }).pipe(Effect.scoped, Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("hung") }))
      expect(body).toBe("ok")
      expect(trailer).toBe("42")
    }))
})
