/**
 * Opening an HTTP/2 session (`H2Connection.open`) over a socket to a
 * frame-level h2c peer (test/support/h2frames.ts): the client's SETTINGS, the
 * wait for the server's first SETTINGS (on the TestClock), and every way the
 * wait ends — the session ready, a timeout, the peer closing or speaking
 * something else, the opening fiber interrupted — without leaking the socket.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import * as net from "node:net"
import { ConnectionClosed } from "../src/HackneyError.js"
import { H2Connection, sessionWindow, streamWindow } from "../src/internal/connection/h2Connection.js"
import type { H2Options } from "../src/internal/connection/h2Connection.js"
import { defaultHeadLimits } from "../src/internal/http1/types.js"
import { currentWheel } from "../src/internal/timer/wheel.js"
import { eventually } from "./support/hackney.js"
import { testRequest } from "./support/driver.js"
import { Flag, frame, FrameType, h2Peer, literal, settings, status200 } from "./support/h2frames.js"
import type { Frame, PeerConnection } from "./support/h2frames.js"

const bound = 10_000

const connect = (port: number) =>
  Effect.async<net.Socket>((resume) => {
    const socket = net.connect(port, "127.0.0.1", () => resume(Effect.succeed(socket)))
  })

/** Opens a session to `port` over a fresh socket; returns the socket too. */
const open = (port: number, over: Partial<H2Options> = {}) =>
  Effect.gen(function*() {
    const wheel = yield* currentWheel
    const socket = yield* connect(port)
    const options: H2Options = {
      scheme: "http",
      host: "127.0.0.1",
      port,
      headLimits: { ...defaultHeadLimits, maxHeaderSize: 12345 },
      wheel,
      settingsTimeout: 1000,
      method: "GET",
      url: `http://127.0.0.1:${port}/`,
      ...over
    }
    return { socket, open: H2Connection.open({ socket, alpn: "http/1.1", tls: false }, options) }
  })

/** The `[id, value]` entries of a SETTINGS frame. */
const entries = (f: Frame): Array<[number, number]> => {
  const out: Array<[number, number]> = []
  for (let i = 0; i + 6 <= f.payload.length; i += 6) out.push([f.payload.readUInt16BE(i), f.payload.readUInt32BE(i + 2)])
  return out
}

describe("H2Connection.open", () => {
  it.scoped("sends its SETTINGS (no push, the stream window, the header list bound), waits for the server's, then widens the session window", () =>
    Effect.gen(function*() {
      const frames: Array<Frame> = []
      const srv = yield* h2Peer({
        onConnect: (c) => c.write(settings([[3, 7]])),
        onFrame: (_c, f) => frames.push(f)
      })
      const { open: opening, socket } = yield* open(srv.port)
      const conn = yield* opening
      expect(conn.capacity).toBe(7)
      expect(conn.alpn).toBe("h2c")
      expect(conn.isAvailable).toBe(true)
      const isSettings = (f: Frame) => f.type === FrameType.SETTINGS && f.flags === 0
      yield* eventually(() => frames.some(isSettings), 3000, "the client's SETTINGS")
      const sent = frames.find(isSettings)!
      // No push, a 1 MiB stream window, the header list bound.
      expect(new Map(entries(sent))).toEqual(new Map([[2, 0], [4, 1024 * 1024], [6, 12345]]))
      expect(streamWindow).toBe(1024 * 1024)
      yield* eventually(() => conn.session.state.localWindowSize === 16 * 1024 * 1024, 3000, "the session window widened")
      expect(sessionWindow).toBe(16 * 1024 * 1024)
      // The settings timer was cancelled: the session outlives settingsTimeout.
      yield* TestClock.adjust(5000)
      expect(conn.isAvailable).toBe(true)
      conn.close()
      expect(socket.destroyed).toBe(true)
    }), bound)

  it.scoped("a response with as many fields as maxHeaderCount (:status counted) passes nghttp2's own bound on pairs (pseudo-headers included)", () =>
    Effect.gen(function*() {
      const fields = Array.from({ length: 9 }, (_, i) => literal(`x-${i}`, "v"))
      const srv = yield* h2Peer({
        onFrame: (c, f) => {
          if (f.type === FrameType.HEADERS) {
            c.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, f.streamId, Buffer.concat([status200, ...fields])))
          }
        }
      })
      const { open: opening } = yield* open(srv.port, { headLimits: { ...defaultHeadLimits, maxHeaderCount: 10 } })
      const conn = yield* opening
      const ex = conn.begin(testRequest(`http://127.0.0.1:${srv.port}/items`), "collect", yield* currentWheel, false)
      yield* ex.waitFor(ex.isComplete)
      expect(ex.head?.status).toBe(200)
      expect(ex.head?.rawHeaders).toHaveLength(18)
      conn.close()
    }), bound)

  it.scoped("no SETTINGS within settingsTimeout (TestClock): ConnectTimeout with the host, port and time; the socket is destroyed", () =>
    Effect.gen(function*() {
      const srv = yield* h2Peer({ onConnect: (c: PeerConnection) => c.socket.pause(), onFrame: () => {} })
      const { open: opening, socket } = yield* open(srv.port)
      const fiber = yield* Effect.fork(Effect.flip(opening))
      yield* Effect.yieldNow()
      yield* TestClock.adjust(999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Fiber.join(fiber)
      expect(e).toMatchObject({ _tag: "ConnectTimeout", host: "127.0.0.1", port: srv.port, timeoutMillis: 1000, method: "GET" })
      expect(socket.destroyed).toBe(true)
    }), bound)

  it.scoped("the peer closing before its SETTINGS: ConnectionClosed, nothing sent", () =>
    Effect.gen(function*() {
      const srv = yield* h2Peer({ onConnect: (c: PeerConnection) => c.socket.end(), onFrame: () => {} })
      const { open: opening, socket } = yield* open(srv.port)
      const e = yield* Effect.flip(opening)
      expect(e).toBeInstanceOf(ConnectionClosed)
      expect(e).toMatchObject({ requestSent: false, method: "GET", url: `http://127.0.0.1:${srv.port}/` })
      expect(socket.destroyed).toBe(true)
    }), bound)

  it.scoped("a peer that speaks something else: ProtocolError session-error", () =>
    Effect.gen(function*() {
      const srv = yield* h2Peer({
        onConnect: (c: PeerConnection) => c.write(Buffer.from("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")),
        onFrame: () => {}
      })
      const { open: opening, socket } = yield* open(srv.port)
      const e = yield* Effect.flip(opening)
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "session-error" })
      expect(socket.destroyed).toBe(true)
    }), bound)

  it.scoped("interrupting the open destroys the socket; the timer is gone with it", () =>
    Effect.gen(function*() {
      const srv = yield* h2Peer({ onConnect: (c: PeerConnection) => c.socket.pause(), onFrame: () => {} })
      const { open: opening, socket } = yield* open(srv.port)
      const fiber = yield* Effect.fork(opening)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      expect(socket.destroyed).toBe(true)
      yield* TestClock.adjust(1000)
    }), bound)
})
