/**
 * Informational (1xx) responses (issue 12, item 8): kept in `informational`,
 * but bounded per request — at most 100 of them, 64 KiB of heads in total —
 * so an endless stream of `102 Processing` fails with a typed ProtocolError
 * instead of keeping the request alive (each one resets the inactivity
 * timer) and growing memory without bound.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Hackney, Headers } from "../src/index.js"
import { eventually } from "./support/hackney.js"
import { onRequestHead, rawServer } from "./support/servers.js"

const processing = "HTTP/1.1 102 Processing\r\n\r\n"
const final = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"

/** A raw server writing `102 Processing` every millisecond, forever, after the request head. */
const endless102 = rawServer((socket) =>
  onRequestHead(socket, () => {
    socket.resume()
    const timer = setInterval(() => {
      if (socket.destroyed) clearInterval(timer)
      else socket.write(processing.repeat(5))
    }, 1)
    socket.on("close", () => clearInterval(timer))
  })
)

const answering = (bytes: string) =>
  rawServer((socket) =>
    onRequestHead(socket, () => {
      socket.resume()
      socket.write(bytes)
    })
  )

describe("Hackney: informational (1xx) responses are bounded per request", () => {
  it.scopedLive("an endless stream of 102 Processing fails with ProtocolError(too-many-informational), socket closed", () =>
    Effect.gen(function*() {
      const srv = yield* endless102
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false, recvTimeout: "10 seconds" }))
      expect(e._tag).toBe("ProtocolError")
      if (e._tag === "ProtocolError") {
        expect(e.reason).toBe("too-many-informational")
        expect(e.message).toContain("more than 100 informational (1xx) responses")
      }
      yield* eventually(() => srv.sockets.size === 0, 2000, "the client to close the socket")
    }))

  it.scopedLive("…also in one write, and through Hackney.stream", () =>
    Effect.gen(function*() {
      const srv = yield* answering(processing.repeat(1000) + final)
      const e = yield* Effect.flip(Effect.scoped(Effect.flatMap(Hackney.stream("GET", srv.url, { pool: false }), (r) => r.text)))
      expect(e._tag === "ProtocolError" && e.reason).toBe("too-many-informational")
      yield* eventually(() => srv.sockets.size === 0, 2000, "the client to close the socket")
    }))

  it.scopedLive("exactly 100 informational responses are accepted and kept", () =>
    Effect.gen(function*() {
      const srv = yield* answering("HTTP/1.1 100 Continue\r\n\r\n" + processing.repeat(98) + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + final)
      const r = yield* Hackney.get(srv.url, { pool: false })
      expect(r.text()).toBe("done")
      expect(r.informational.length).toBe(100)
      expect(r.informational[0].status).toBe(100)
      expect(Headers.getOrUndefined(r.informational[99].headers, "link")).toBe("</a.css>; rel=preload")
    }))

  it.scopedLive("more than 64 KiB of informational heads in total fails with too-many-informational", () =>
    Effect.gen(function*() {
      // Each head is within the 16 KiB head limit; five of them are not within 64 KiB.
      const hint = `HTTP/1.1 103 Early Hints\r\nLink: ${"x".repeat(15_000)}\r\n\r\n`
      const srv = yield* answering(hint.repeat(5) + final)
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e._tag === "ProtocolError" && e.reason).toBe("too-many-informational")
      if (e._tag === "ProtocolError") expect(e.message).toContain("65536 bytes")
    }))

  it.scopedLive("four such heads (under 64 KiB) are accepted", () =>
    Effect.gen(function*() {
      const hint = `HTTP/1.1 103 Early Hints\r\nLink: ${"x".repeat(15_000)}\r\n\r\n`
      const srv = yield* answering(hint.repeat(4) + final)
      const r = yield* Hackney.get(srv.url, { pool: false })
      expect(r.informational.length).toBe(4)
    }))
})
