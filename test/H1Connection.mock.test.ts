/**
 * The HTTP/1.1 driver over the in-memory transport (test/support/mockTransport.ts):
 * no socket, no server; the test plays the peer byte by byte.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import type { BodyMode } from "../src/internal/connection/exchange.js"
import { H1Connection } from "../src/internal/connection/h1Connection.js"
import { currentWheel } from "../src/internal/timer/wheel.js"
import { mockTransport } from "./support/mockTransport.js"

const head = "GET /items HTTP/1.1\r\nhost: example.test\r\n\r\n"
const url = "http://example.test/items"

const connection = Effect.gen(function*() {
  const wheel = yield* currentWheel
  const { open, peer } = mockTransport()
  const conn = new H1Connection(open, { recvTimeout: 5000, wheel })
  /** Starts an exchange (the request sent in one write, no body to follow); `head` is its HTTP/1.1 encoding. */
  const begin = (method: string, head: string, body: Uint8Array | undefined, mode: BodyMode, maxBodySize: number) =>
    conn.begin({
      method,
      target: "/items",
      authority: "example.test",
      rawHeaders: [],
      bodySize: body?.length ?? 0,
      h1: head,
      href: url,
      body: body === undefined ? { _tag: "None" } : { _tag: "Bytes", bytes: body },
      maxBodySize,
      recvTimeout: 5000,
      headLimits: undefined
    }, mode, wheel, false)
  return { conn, peer, begin }
})

const text = (chunks: ReadonlyArray<Uint8Array>) => Buffer.concat(chunks).toString("latin1")

describe("H1Connection over a mock transport", () => {
  it.effect("writes the request, reads a response fed byte by byte, and stays reusable", () =>
    Effect.gen(function*() {
      const { begin, conn, peer } = yield* connection
      const ex = begin("POST", "POST /items HTTP/1.1\r\ncontent-length: 5\r\n\r\n", new TextEncoder().encode("hello"), "collect", 1 << 20)
      // Head and body leave in one flush.
      expect(peer.flushes()).toEqual(["POST /items HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello"])
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      peer.sendBytewise("HTTP/1.1 200 OK\r\ncontent-length: 11\r\nx-a: b\r\n\r\nhello")
      expect(ex.head?.status).toBe(200)
      expect(done.unsafePoll()).toBeNull()
      peer.sendBytewise(" world")
      yield* Fiber.join(done)
      expect(text(ex.chunks)).toBe("hello world")
      expect(ex.head?.rawHeaders).toEqual(["content-length", "11", "x-a", "b"])
      expect(conn.release(ex)).toBe(true)
      expect(conn.isAvailable).toBe(true)
      expect(conn.info.peername).toEqual({ address: "127.0.0.1", family: "IPv4", port: 80 })
    }))

  it.effect("a peer close mid-body fails the exchange with ConnectionClosed (response started)", () =>
    Effect.gen(function*() {
      const { begin, conn, peer } = yield* connection
      const ex = begin("GET", head, undefined, "collect", 1 << 20)
      expect(peer.written()).toBe(head)
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      peer.sendBytewise("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial")
      peer.end()
      const exit = yield* Fiber.await(done)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = ex.error
      expect(error?._tag).toBe("ConnectionClosed")
      if (error?._tag === "ConnectionClosed") {
        expect(error.requestSent).toBe(true)
        expect(error.responseStarted).toBe(true)
        expect(error.reused).toBe(false)
      }
      expect(conn.state).toBe("closed")
      expect(conn.isAvailable).toBe(false)
    }))

  it.effect("a reset before any response byte is ConnectionClosed with responseStarted false", () =>
    Effect.gen(function*() {
      const { begin, conn, peer } = yield* connection
      const ex = begin("GET", head, undefined, "collect", 1 << 20)
      const done = yield* Effect.fork(ex.waitFor(ex.isComplete))
      peer.reset()
      const error = yield* Effect.flip(Fiber.join(done))
      expect(error._tag).toBe("ConnectionClosed")
      if (error._tag === "ConnectionClosed") expect(error.responseStarted).toBe(false)
      expect(conn.state).toBe("closed")
    }))

  it.effect("stream mode pauses the transport above the high-water mark and resumes when drained", () =>
    Effect.gen(function*() {
      const { begin, peer } = yield* connection
      const ex = begin("GET", head, undefined, "stream", 1 << 30)
      const body = 300 * 1024
      peer.send(`HTTP/1.1 200 OK\r\ncontent-length: ${body}\r\n\r\n`)
      peer.send(new Uint8Array(200 * 1024))
      expect(peer.paused()).toBe(false)
      peer.send(new Uint8Array(64 * 1024))
      expect(peer.paused()).toBe(true)
      // Bytes sent while paused wait in the transport.
      peer.send(new Uint8Array(body - 264 * 1024))
      expect(ex.received).toBe(264 * 1024)
      ex.takeChunks()
      expect(peer.paused()).toBe(false)
      yield* ex.waitFor(ex.isComplete)
      expect(ex.received).toBe(body)
    }))
})
