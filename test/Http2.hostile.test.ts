/**
 * HTTP/2 against a hostile peer: a hand-written h2c server (test/support/h2frames.ts)
 * that floods, violates the protocol or sends oversized header lists. Each case:
 * the request fails with a typed HackneyError, the session is closed (the pool
 * counts 0 streams and 0 connections; the next request dials a new session), and
 * nothing hangs (each case has a test timeout; deadlines run on the TestClock).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Hackney, Pool } from "../src/index.js"
import { resetGrace } from "../src/internal/connection/h2Connection.js"
import { eventually, realSleep, typedFailure } from "./support/hackney.js"
import { Flag, frame, FrameType, h2Peer, literal, ok, settings, status200, u32 } from "./support/h2frames.js"
import type { Frame, PeerConnection } from "./support/h2frames.js"

const bound = 10_000

/** The first connection misbehaves with `bad` (and `onConnect`); later ones answer every request with 200. */
const peer = (bad: (c: PeerConnection, f: Frame) => void, onConnect?: (c: PeerConnection) => void) =>
  h2Peer({
    ...(onConnect !== undefined ? { onConnect: (c: PeerConnection) => c.index === 1 ? onConnect(c) : c.write(settings()) } : {}),
    onFrame: (c, f) => {
      if (c.index === 1) bad(c, f)
      else if (f.type === FrameType.HEADERS) ok(c, f.streamId)
    }
  })

/** Answers each request's HEADERS with `bytes(streamId)` on the first connection. */
const onRequest = (bytes: (streamId: number, c: PeerConnection) => Buffer | void) =>
  peer((c, f) => {
    if (f.type !== FrameType.HEADERS) return
    const out = bytes(f.streamId, c)
    if (out !== undefined) c.write(out)
  })

type Peer = { readonly url: string; readonly port: number; readonly accepted: () => number }

/** The pool has no session and no stream left for the peer. */
const drained = (pool: Pool.Pool, srv: Peer) =>
  eventually(() => {
    const s = pool.hostStats("127.0.0.1", srv.port)
    return s.streams === 0 && s.active === 0
  }, 3000, "0 sessions and 0 streams in the pool")

/** A next request dials a new session (the peer's second connection), which answers 200. */
const recovers = (pool: Pool.Pool, srv: Peer) =>
  Effect.gen(function*() {
    yield* drained(pool, srv)
    const r = yield* Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"] })
    expect(r.status).toBe(200)
    expect(r.protocol).toBe("h2")
    expect(srv.accepted()).toBe(2)
  })

/** One request fails typed, the session is closed, a next request works on a new one; the error. */
const failsThenRecovers = (srv: Peer, name: string, options: { readonly maxHeaderSize?: number } = {}) =>
  Effect.gen(function*() {
    const pool = yield* Pool.make({ name })
    const e = yield* typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], ...options }))
    yield* recovers(pool, srv)
    return e
  })

const sessionError = (detail: RegExp) => ({ _tag: "ProtocolError", reason: "session-error", detail: expect.stringMatching(detail) })

describe("HTTP/2 against a hostile peer", () => {
  it.scoped("a SETTINGS flood (10,000 frames, no ACK awaited) fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const srv = yield* onRequest(() => Buffer.concat(Array.from({ length: 10_000 }, () => settings([[3, 100]]))))
      const e = yield* failsThenRecovers(srv, "h2-settings-flood")
      expect(e).toMatchObject(sessionError(/Flooding was detected/))
    }), bound)

  it.scoped("a PING flood (10,000 frames) fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const srv = yield* onRequest(() => Buffer.concat(Array.from({ length: 10_000 }, () => frame(FrameType.PING, 0, 0, Buffer.alloc(8)))))
      const e = yield* failsThenRecovers(srv, "h2-ping-flood")
      expect(e).toMatchObject(sessionError(/Flooding was detected/))
    }), bound)

  it.scoped("a response header list over maxHeaderSize in one HEADERS frame fails the request (header-section-too-large); the stream is reset", () =>
    Effect.gen(function*() {
      // 8 KiB of literal fields, under SETTINGS_MAX_FRAME_SIZE, over a 4 KiB maxHeaderSize.
      const fields = Buffer.concat(Array.from({ length: 8 }, (_, i) => literal(`x-big-${i}`, "a".repeat(1000))))
      const srv = yield* onRequest((id) => frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id, Buffer.concat([status200, fields])))
      const pool = yield* Pool.make({ name: "h2-big-head" })
      const e = yield* typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], maxHeaderSize: 4096 }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "header-section-too-large" })
      yield* drained(pool, srv)
    }), bound)

  it.scoped("a 1 MiB response header list (HEADERS + 256 CONTINUATION frames) fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const field = literal("x-big", "a".repeat(4000))
      const block = Buffer.concat([field, field, field, field])
      const srv = yield* onRequest((id) =>
        Buffer.concat([
          frame(FrameType.HEADERS, 0, id, status200),
          ...Array.from({ length: 256 }, (_, i) => frame(FrameType.CONTINUATION, i === 255 ? Flag.END_HEADERS : 0, id, block))
        ])
      )
      const e = yield* failsThenRecovers(srv, "h2-huge-head")
      expect(e).toMatchObject(sessionError(/CONTINUATION/))
    }), bound)

  it.scoped("an endless CONTINUATION stream fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const srv = yield* onRequest((id, c) => {
        c.write(frame(FrameType.HEADERS, 0, id, status200))
        const more = () => {
          if (c.socket.destroyed) return
          c.write(Buffer.concat(Array.from({ length: 100 }, () => frame(FrameType.CONTINUATION, 0, id, literal("x-a", "b")))))
          setTimeout(more, 1)
        }
        more()
      })
      const e = yield* failsThenRecovers(srv, "h2-continuation")
      expect(e).toMatchObject(sessionError(/CONTINUATION/))
    }), bound)

  for (
    const [what, bytes] of [
      ["DATA on stream 0", () => frame(FrameType.DATA, 0, 0, Buffer.from("x"))],
      ["a DATA frame over SETTINGS_MAX_FRAME_SIZE", (id: number) =>
        Buffer.concat([frame(FrameType.HEADERS, Flag.END_HEADERS, id, status200), frame(FrameType.DATA, 0, id, Buffer.alloc(20_000))])]
    ] as const
  ) {
    it.scoped(`${what}: nghttp2 ends the session silently; the request fails with RecvTimeout, the next one goes to a new session, and the stopped one is closed resetGrace later (ProtocolError for what was on it)`, () =>
      Effect.gen(function*() {
        // The bad bytes go out (for stream 1) when the second request's HEADERS (stream 3) arrive: both streams are
        // on the session before nghttp2 stops it, whatever the machine's load (sent at once, a busy client could see
        // the session stop first and put the second request on a new session).
        const srv = yield* onRequest((id) => (id === 3 ? bytes(1) : undefined))
        // The new session must outlive the clock moves below (keep-alive 2 s by default).
        const pool = yield* Pool.make({ name: `h2-${what}`, keepaliveTimeout: "1 minute" })
        const first = yield* Effect.fork(typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], recvTimeout: 5000 })))
        yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 1, 3000, "the request's stream open")
        // A request already on the stopped session fails when it is closed.
        const second = yield* Effect.fork(typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], recvTimeout: 60_000 })))
        yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 2, 3000, "the second stream open")
        yield* realSleep(50)
        yield* TestClock.adjust(5000)
        expect(yield* Fiber.join(first)).toMatchObject({ _tag: "RecvTimeout" })
        // The session stayed silent through that timeout: a request arriving now goes to a new session.
        const third = yield* Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], recvTimeout: 60_000 })
        expect(third.status).toBe(200)
        expect(srv.accepted()).toBe(2)
        yield* realSleep(20)
        yield* TestClock.adjust(resetGrace)
        expect(yield* Fiber.join(second)).toMatchObject(sessionError(/did not close/))
        yield* recovers(pool, srv)
      }), bound)
  }

  it.scoped("HEADERS on a stream the client never opened fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const srv = yield* onRequest(() => frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 2, status200))
      const e = yield* failsThenRecovers(srv, "h2-unopened")
      expect(e).toMatchObject(sessionError(/Protocol error/))
    }), bound)

  it.scoped("a PUSH_PROMISE when push is disabled fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      // Promised stream 2: :method GET, :path /, :scheme http (static indexes 2, 4, 6), :authority x.
      const srv = yield* onRequest((id) =>
        frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, id, Buffer.concat([u32(2), Buffer.from([0x82, 0x84, 0x86]), literal(":authority", "x")]))
      )
      const e = yield* failsThenRecovers(srv, "h2-push")
      expect(e).toMatchObject(sessionError(/Protocol error/))
    }), bound)

  it.scoped("a WINDOW_UPDATE overflowing the session window (> 2^31-1) fails the request with ProtocolError session-error and closes the session", () =>
    Effect.gen(function*() {
      const srv = yield* onRequest(() => frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0x7fffffff)))
      const e = yield* failsThenRecovers(srv, "h2-window")
      expect(e).toMatchObject(sessionError(/Flow control error/))
    }), bound)

  for (
    const [code, codeName, attempts, what] of [
      [2, "INTERNAL_ERROR", 1, "each fail once with stream-reset, none retried"],
      [7, "REFUSED_STREAM", 2, "are each retried once on a new session, then fail with stream-reset"]
    ] as const
  ) {
    it.scoped(`RST_STREAM(${codeName}) for every stream: 200 requests ${what}; the pool ends with 0 streams`, () =>
      Effect.gen(function*() {
        let resets = 0
        const srv = yield* h2Peer({
          onFrame: (c, f) => {
            if (f.type !== FrameType.HEADERS) return
            resets++
            c.write(frame(FrameType.RST_STREAM, 0, f.streamId, u32(code)))
          }
        })
        const pool = yield* Pool.make({ name: `h2-rst-${code}` })
        const errors = yield* Effect.forEach(Array.from({ length: 200 }), () => typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"] })), {
          concurrency: "unbounded"
        })
        for (const e of errors) expect(e).toMatchObject({ _tag: "ProtocolError", reason: "stream-reset", code, codeName })
        expect(resets).toBe(200 * attempts)
        yield* eventually(() => pool.hostStats("127.0.0.1", srv.port).streams === 0, 3000, "0 streams")
      }), bound)
  }

  it.scoped("garbage instead of SETTINGS fails the dial with ProtocolError session-error; the next request dials again", () =>
    Effect.gen(function*() {
      const srv = yield* peer(() => {}, (c) => c.write(Buffer.from("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")))
      const e = yield* failsThenRecovers(srv, "h2-garbage")
      expect(e).toMatchObject(sessionError(/Protocol error/))
    }), bound)

  it.scoped("a peer that sends nothing after accepting fails the dial with ConnectTimeout (connectTimeout covers the first SETTINGS)", () =>
    Effect.gen(function*() {
      // The first connection is never read (no SETTINGS ACK either) and gets nothing.
      const srv = yield* peer(() => {}, (c) => c.socket.pause())
      const pool = yield* Pool.make({ name: "h2-silent" })
      const fiber = yield* Effect.fork(typedFailure(Hackney.get(`${srv.url}/`, { pool, protocols: ["h2"], connectTimeout: 1000 })))
      yield* eventually(() => srv.accepted() === 1, 3000, "the dial")
      yield* realSleep(50)
      yield* TestClock.adjust(1000)
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ConnectTimeout" })
      yield* recovers(pool, srv)
    }), bound)
})
