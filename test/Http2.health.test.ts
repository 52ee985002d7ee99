/**
 * HTTP/2 session health (src/internal/connection/h2Connection.ts, **Health**):
 * a stream whose receive timeout fires while the whole session stayed silent
 * puts the session in doubt — it is PINGed and takes no new stream until the
 * answer; unanswered, it is closed and what ran on it fails typed. Against the
 * hand-written h2c peer (test/support/h2frames.ts), deadlines on the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { Hackney, Pool } from "../src/index.js"
import { resetGrace } from "../src/internal/connection/h2Connection.js"
import { eventually, realSleep, typedFailure } from "./support/hackney.js"
import { Flag, frame, FrameType, h2Peer, ok, settings, status200 } from "./support/h2frames.js"
import type { Frame, PeerConnection } from "./support/h2frames.js"

const bound = 10_000

/** For each session of the pool, whether it is in doubt (capacity 0: a PING probe in flight). */
const inDoubt = (pool: Pool.Pool): Array<boolean> => {
  const json = pool.toJSON() as { hosts: Array<{ entries: Array<{ capacity: number }> }> }
  return json.hosts.flatMap((h) => h.entries.map((e) => e.capacity === 0))
}

/**
 * A peer whose first connection answers its first request, then `later` for
 * each frame after it (PINGs included); later connections answer every
 * request with 200. Counts the PINGs each connection received.
 */
const peer = (later: (c: PeerConnection, f: Frame) => void) => {
  const pings: Array<number> = []
  let firstClosed = false
  return Effect.map(
    h2Peer({
      onConnect: (c) => {
        c.write(settings())
        if (c.index === 1) c.socket.once("close", () => (firstClosed = true))
      },
      onFrame: (c, f) => {
        if (f.type === FrameType.PING && (f.flags & Flag.ACK) === 0) pings[c.index] = (pings[c.index] ?? 0) + 1
        if (c.index === 1) {
          if (f.type === FrameType.HEADERS && f.streamId === 1) return ok(c, 1)
          return later(c, f)
        }
        if (f.type === FrameType.HEADERS) ok(c, f.streamId)
      }
    }),
    (srv) => ({ ...srv, pings: (index: number) => pings[index] ?? 0, firstClosed: () => firstClosed })
  )
}

const silent = () => {}

describe("HTTP/2 session health", () => {
  it.scoped("a session silent through a stream's receive timeout is PINGed and takes no new stream: the next request goes to a new session; the PING unanswered, the session is closed and its other request fails with RecvTimeout", () =>
    Effect.gen(function*() {
      const srv = yield* peer(silent)
      const pool = yield* Pool.make({ name: "h2-health-silent", keepaliveTimeout: "1 minute" })
      const url = `${srv.url}/`
      expect((yield* Hackney.get(url, { pool, protocols: ["h2"] })).status).toBe(200)
      const timedOut = yield* Effect.fork(typedFailure(Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 500 })))
      const other = yield* Effect.fork(typedFailure(Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 60_000 })))
      yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 2, 3000, "both streams open on the first session")
      yield* realSleep(50)
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(timedOut)).toMatchObject({ _tag: "RecvTimeout", timeoutMillis: 500, phase: "headers" })
      yield* eventually(() => srv.pings(1) === 1, 3000, "a PING on the first session")
      expect(inDoubt(pool)).toEqual([true])
      // Not on the session in doubt: a new one.
      const next = yield* Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 60_000 })
      expect(next.status).toBe(200)
      expect(srv.accepted()).toBe(2)
      expect(srv.pings(2)).toBe(0)
      // The PING gets no answer within the timed-out stream's recvTimeout: the session is closed.
      expect(Option.isNone(yield* Fiber.poll(other))).toBe(true)
      yield* realSleep(20)
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(other)).toMatchObject({ _tag: "RecvTimeout", timeoutMillis: 500, phase: "headers" })
      yield* eventually(() => srv.firstClosed(), 3000, "the client to close the first session's socket")
      yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 0, 3000, "0 streams")
      expect(inDoubt(pool)).toEqual([false])
    }), bound)

  it.scoped("the PING answered, the session takes streams again: the next request reuses it (one connection)", () =>
    Effect.gen(function*() {
      let pending: (() => void) | undefined
      const srv = yield* peer((c, f) => {
        // The PING is answered when the test says so.
        if (f.type === FrameType.PING && (f.flags & Flag.ACK) === 0) pending = () => c.write(frame(FrameType.PING, Flag.ACK, 0, f.payload))
        // Stream 3 gets nothing; later streams are answered.
        else if (f.type === FrameType.HEADERS && f.streamId > 3) ok(c, f.streamId)
      })
      const pool = yield* Pool.make({ name: "h2-health-answered", keepaliveTimeout: "1 minute" })
      const url = `${srv.url}/`
      yield* Hackney.get(url, { pool, protocols: ["h2"] })
      const timedOut = yield* Effect.fork(typedFailure(Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 500 })))
      yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 1, 3000, "the stream open")
      yield* realSleep(50)
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(timedOut)).toMatchObject({ _tag: "RecvTimeout" })
      yield* eventually(() => pending !== undefined, 3000, "a PING")
      expect(inDoubt(pool)).toEqual([true])
      pending!()
      yield* eventually(() => inDoubt(pool)[0] === false, 3000, "the PING's answer")
      const r = yield* Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 60_000 })
      expect(r.status).toBe(200)
      expect(srv.accepted()).toBe(1)
      // The answered probe's deadline does not close the session later.
      yield* TestClock.adjust(resetGrace + 1000)
      expect(srv.firstClosed()).toBe(false)
      expect((yield* Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 60_000 })).status).toBe(200)
      expect(srv.accepted()).toBe(1)
    }), bound)

  it.scoped("a stream that times out while the session receives another stream's DATA is no sign: no PING, the session keeps taking streams", () =>
    Effect.gen(function*() {
      let dataSent = 0
      const srv = yield* peer((c, f) => {
        if (f.type !== FrameType.HEADERS) return
        // Stream 3 stalls; stream 5 gets its head, then a DATA frame every 10 ms (END_STREAM on the 40th).
        if (f.streamId !== 5) return
        c.write(frame(FrameType.HEADERS, Flag.END_HEADERS, 5, status200))
        const tick = () => {
          if (c.socket.destroyed) return
          dataSent++
          c.write(frame(FrameType.DATA, dataSent === 40 ? Flag.END_STREAM : 0, 5, Buffer.from("x")))
          if (dataSent < 40) setTimeout(tick, 10)
        }
        tick()
      })
      const pool = yield* Pool.make({ name: "h2-health-alive", keepaliveTimeout: "1 minute" })
      const url = `${srv.url}/`
      yield* Hackney.get(url, { pool, protocols: ["h2"] })
      const stalled = yield* Effect.fork(typedFailure(Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 500 })))
      yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 1, 3000, "the stalled stream open")
      const slow = yield* Effect.fork(Hackney.get(url, { pool, protocols: ["h2"], recvTimeout: 60_000 }))
      yield* eventually(() => dataSent >= 5, 3000, "DATA on the other stream")
      yield* TestClock.adjust(500)
      expect(yield* Fiber.join(stalled)).toMatchObject({ _tag: "RecvTimeout" })
      yield* realSleep(50)
      expect(srv.pings(1)).toBe(0)
      expect(inDoubt(pool)).toEqual([false])
      expect((yield* Fiber.join(slow)).text()).toBe("x".repeat(40))
      expect(srv.accepted()).toBe(1)
    }), bound)
})
