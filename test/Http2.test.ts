/**
 * HTTP/2 behaviour against in-process node:http2 servers: secure (ALPN h2,
 * the test CA) and h2c (prior knowledge). Multiplexing, the stream limit,
 * GOAWAY, RST_STREAM, per-stream timeouts, flow control, uploads, trailers,
 * 1xx, limits.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Fiber, Option, Stream, TestClock } from "effect"
import * as http2 from "node:http2"
import { Hackney, HackneyError, HackneyHttpClient, Headers, Pool } from "../src/index.js"
import { eventually } from "./support/hackney.js"
import { ca, h2Server, respond } from "./support/h2.js"

const concurrent = <A, E, R>(n: number, f: (i: number) => Effect.Effect<A, E, R>) =>
  Effect.forEach(Array.from({ length: n }, (_, i) => i), f, { concurrency: "unbounded" })

describe("HTTP/2", () => {
  it.scoped("https: h2 is negotiated by default; status, headers and body arrive; Response.protocol is h2", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) =>
        respond(stream, `${headers[":method"]} ${headers[":path"]} ${headers[":authority"]} ${headers[":scheme"]}`, { "x-a": "1" })
      )
      const r = yield* Hackney.get(`${srv.url}/p?q=1`, { pool: false, tls: ca })
      expect(r.status).toBe(200)
      expect(r.reason).toBe("")
      expect(r.protocol).toBe("h2")
      expect(r.header("x-a")).toBe("1")
      expect(r.text()).toBe(`GET /p?q=1 localhost:${srv.port} https`)
    }))

  it.scoped("h2c: protocols [h2] on http:// speaks HTTP/2 with prior knowledge", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => respond(stream, `${headers[":scheme"]}`), { secure: false })
      const r = yield* Hackney.get(`${srv.url}/`, { pool: false, protocols: ["h2"] })
      expect(r.protocol).toBe("h2")
      expect(r.text()).toBe("http")
    }))

  it.scoped("multiplexing: 100 concurrent requests run as streams on 1 server session", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => setTimeout(() => respond(stream, String(headers[":path"])), 20))
      const pool = yield* Pool.make({ name: "h2-mux", maxPerHost: 50 })
      const bodies = yield* concurrent(100, (i) => Effect.map(Hackney.get(`${srv.url}/${i}`, { pool, tls: ca }), (r) => r.text()))
      expect(bodies).toEqual(Array.from({ length: 100 }, (_, i) => `/${i}`))
      expect(srv.sessions()).toBe(1)
      expect(srv.peakStreams()).toBeGreaterThan(50)
      const host = yield* Pool.hostStats(pool, "localhost", srv.port)
      expect(host).toMatchObject({ active: 0, inUse: 0, free: 1 })
      // Streams close just after their response ends (Node's close event follows).
      yield* eventually(() => pool.hostStats("localhost", srv.port).streams === 0, 3000, "0 open streams")
    }))

  it.scoped("hostStats counts a session as one connection and its open streams", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const held = new Promise<void>((r) => {
        release = r
      })
      const srv = yield* h2Server((stream) => void held.then(() => respond(stream, "ok")))
      const pool = yield* Pool.make({ name: "h2-stats" })
      const fiber = yield* Effect.fork(concurrent(5, () => Hackney.get(`${srv.url}/`, { pool, tls: ca })))
      yield* eventually(() => srv.openStreams() === 5, 3000, "5 streams open")
      const during = yield* Pool.hostStats(pool, "localhost", srv.port)
      expect(during).toEqual({ active: 1, inUse: 1, free: 0, streams: 5 })
      release()
      yield* Fiber.join(fiber)
    }))

  it.scoped("the peer's SETTINGS_MAX_CONCURRENT_STREAMS bounds the streams; with maxPerHost 1 the rest queue (FIFO) on the one session", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => setTimeout(() => respond(stream, String(headers[":path"])), 10), {
        settings: { maxConcurrentStreams: 3 }
      })
      const pool = yield* Pool.make({ name: "h2-limit", maxPerHost: 1 })
      const bodies = yield* concurrent(20, (i) => Effect.map(Hackney.get(`${srv.url}/${i}`, { pool, tls: ca }), (r) => r.text()))
      expect(bodies.length).toBe(20)
      expect(srv.sessions()).toBe(1)
      expect(srv.peakStreams()).toBeLessThanOrEqual(3)
    }))

  it.scoped("beyond the stream limit, another session opens while maxPerHost allows", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => setTimeout(() => respond(stream, "ok"), 30), { settings: { maxConcurrentStreams: 2 } })
      const pool = yield* Pool.make({ name: "h2-spill", maxPerHost: 3 })
      // The first session teaches the pool the limit.
      yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })
      yield* concurrent(6, () => Hackney.get(`${srv.url}/`, { pool, tls: ca }))
      expect(srv.sessions()).toBe(3)
      expect(srv.peakStreams()).toBeLessThanOrEqual(6)
    }))

  it.scoped("GOAWAY under load: no GET fails; new requests go to a new session", () =>
    Effect.gen(function*() {
      let n = 0
      const srv = yield* h2Server((stream) => {
        n++
        if (n === 10) {
          // Graceful shutdown: the streams up to this one are processed, later ones refused.
          stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id)
        }
        setTimeout(() => respond(stream, "ok"), 5)
      })
      const pool = yield* Pool.make({ name: "h2-goaway" })
      const bodies = yield* concurrent(60, () => Effect.map(Hackney.get(`${srv.url}/`, { pool, tls: ca }), (r) => r.text()))
      expect(bodies.every((b) => b === "ok")).toBe(true)
      expect(srv.sessions()).toBeGreaterThanOrEqual(2)
    }))

  it.scoped("REFUSED_STREAM is retried once on a new session, whatever the method, when the body can be replayed", () =>
    Effect.gen(function*() {
      let refused = 0
      const srv = yield* h2Server((stream, headers) => {
        if (refused === 0) {
          refused++
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
          return
        }
        let body = ""
        stream.on("data", (d) => body += d)
        stream.on("end", () => respond(stream, `${headers[":method"]} ${body}`))
      })
      const r = yield* Hackney.post(`${srv.url}/`, { body: "payload", tls: ca, pool: false })
      expect(r.text()).toBe("POST payload")
      expect(refused).toBe(1)
    }))

  it.scoped("RST_STREAM on one stream: that request fails with ProtocolError stream-reset (code, name); the others complete on the same session", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => {
        if (headers[":path"] === "/reset") setTimeout(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), 10)
        else setTimeout(() => respond(stream, "ok"), 30)
      })
      const pool = yield* Pool.make({ name: "h2-rst" })
      const results = yield* concurrent(5, (i) => Effect.either(Hackney.get(`${srv.url}/${i === 2 ? "reset" : "ok"}`, { pool, tls: ca })))
      const e = results[2]
      expect(e._tag).toBe("Left")
      if (e._tag === "Left") {
        expect(e.left._tag).toBe("ProtocolError")
        if (e.left._tag === "ProtocolError") {
          expect(e.left.reason).toBe("stream-reset")
          expect(e.left.code).toBe(2)
          expect(e.left.codeName).toBe("INTERNAL_ERROR")
          expect(e.left.message).toContain("reset the HTTP/2 stream")
          expect(HackneyError.isRetryable(e.left)).toBe(false)
        }
      }
      expect(results.filter((r) => r._tag === "Right").length).toBe(4)
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("an interrupted request sends RST_STREAM(CANCEL) and frees its stream; the session stays", () =>
    Effect.gen(function*() {
      const codes: Array<number> = []
      const srv = yield* h2Server((stream, headers) => {
        stream.on("close", () => codes.push(stream.rstCode ?? -1))
        if (headers[":path"] !== "/hang") respond(stream, "ok")
      })
      const pool = yield* Pool.make({ name: "h2-cancel" })
      const fiber = yield* Effect.fork(Hackney.get(`${srv.url}/hang`, { pool, tls: ca }))
      yield* eventually(() => srv.openStreams() === 1, 3000, "the stream to open")
      yield* Fiber.interrupt(fiber)
      yield* eventually(() => codes.includes(http2.constants.NGHTTP2_CANCEL), 3000, "RST_STREAM(CANCEL)")
      const host = yield* Pool.hostStats(pool, "localhost", srv.port)
      expect(host.streams).toBe(0)
      const r = yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })
      expect(r.text()).toBe("ok")
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("recvTimeout is per stream (TestClock): a stalled stream fails with RecvTimeout; the session, silent meanwhile, is PINGed and, answered, serves the next request", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => {
        if (headers[":path"] !== "/stall") respond(stream, "ok")
      })
      const pool = yield* Pool.make({ name: "h2-recv" })
      yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })
      const fiber = yield* Effect.fork(Effect.flip(Hackney.get(`${srv.url}/stall`, { pool, tls: ca, recvTimeout: 30_000 })))
      yield* eventually(() => srv.openStreams() === 1, 3000, "the stalled stream")
      yield* TestClock.adjust("30 seconds")
      const e = yield* Fiber.join(fiber)
      expect(e._tag).toBe("RecvTimeout")
      // Until the PING's answer the session takes no new stream (a request then would dial another).
      const entries = () => (pool.toJSON() as { hosts: Array<{ entries: Array<{ capacity: number }> }> }).hosts.flatMap((h) => h.entries)
      yield* eventually(() => entries().length === 1 && entries()[0].capacity > 0, 3000, "the PING's answer")
      const r = yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })
      expect(r.text()).toBe("ok")
      expect(srv.sessions()).toBe(1)
    }))

  it.live("flow control: a reader that does not read keeps the server's writes blocked (bounded buffering); reading resumes them", () =>
    Effect.gen(function*() {
      const total = 64 * 1024 * 1024
      let accepted = 0
      const srv = yield* h2Server((stream) => {
        stream.respond({ ":status": 200 })
        const piece = Buffer.alloc(64 * 1024, 1)
        const pump = () => {
          while (accepted < total) {
            accepted += piece.length
            if (!stream.write(piece)) return void stream.once("drain", pump)
          }
          stream.end()
        }
        pump()
      })
      const r = yield* Effect.scoped(Effect.gen(function*() {
        const r = yield* Hackney.stream("GET", `${srv.url}/big`, { pool: false, tls: ca, recvTimeout: 60_000 })
        yield* Effect.sleep("300 millis")
        const stalled = accepted
        expect(stalled).toBeLessThan(8 * 1024 * 1024)
        return yield* Stream.runFold(r.body, 0, (n, c) => n + c.length)
      }))
      expect(r).toBe(total)
    }).pipe(Effect.scoped), 20_000)

  it.live("a streamed body is pulled per event-loop turn, not per DATA frame: a 4 MiB body of 16 KiB frames arrives in far fewer pulls than frames", () =>
    Effect.gen(function*() {
      const total = 4 * 1024 * 1024
      const srv = yield* h2Server((stream) => {
        stream.respond({ ":status": 200 })
        // Written at once: nghttp2 sends DATA frames of at most 16 KiB (the default SETTINGS_MAX_FRAME_SIZE).
        stream.end(Buffer.alloc(total, 7))
      })
      const { bytes, pulls } = yield* Effect.scoped(Effect.gen(function*() {
        const r = yield* Hackney.stream("GET", `${srv.url}/big`, { pool: false, tls: ca })
        return yield* Stream.runFold(r.body.pipe(Stream.chunks), { bytes: 0, pulls: 0 }, (acc, chunk) => ({
          bytes: acc.bytes + Chunk.reduce(chunk, 0, (n, c) => n + c.length),
          pulls: acc.pulls + 1
        }))
      }))
      expect(bytes).toBe(total)
      // 256 frames of 16 KiB; woken per frame the reader would pull ~256 times (each pull costs a
      // fiber resumption and the Stream's per-pull work: the 100 MB download ran at half undici's speed).
      expect(pulls).toBeLessThan(total / (16 * 1024) / 3)
    }).pipe(Effect.scoped))

  it.scoped("streamed upload of unknown size (Hackney.open): DATA frames, then the end of the stream", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => {
        let n = 0
        stream.on("data", (d: Buffer) => n += d.length)
        stream.on("end", () => respond(stream, `${n} ${headers["content-length"] ?? "no-length"}`))
      })
      const w = yield* Hackney.open("POST", `${srv.url}/up`, { pool: false, tls: ca })
      for (let i = 0; i < 10; i++) yield* w.send(new Uint8Array(10_000))
      yield* w.finish
      const r = yield* w.response
      expect(r.protocol).toBe("h2")
      expect(new TextDecoder().decode(yield* r.bytes)).toBe("100000 no-length")
    }))

  it.scoped("a Stream body of unknown size is sent as DATA frames", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => {
        let n = 0
        stream.on("data", (d: Buffer) => n += d.length)
        stream.on("end", () => respond(stream, String(n)))
      })
      const body = Stream.fromChunk(Chunk.fromIterable(Array.from({ length: 50 }, () => new Uint8Array(4096))))
      const r = yield* Hackney.post(`${srv.url}/`, { pool: false, tls: ca, body })
      expect(r.text()).toBe(String(50 * 4096))
    }))

  it.scoped("response trailers and 103 Early Hints arrive", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => {
        stream.additionalHeaders({ ":status": 103, link: "</a.css>; rel=preload" })
        stream.respond({ ":status": 200 }, { waitForTrailers: true })
        stream.on("wantTrailers", () => stream.sendTrailers({ "x-checksum": "42" }))
        stream.end("body")
      })
      const r = yield* Hackney.get(`${srv.url}/`, { pool: false, tls: ca })
      expect(r.text()).toBe("body")
      expect(Headers.get(r.trailers!, "x-checksum")).toEqual(Option.some("42"))
      expect(r.informational.map((i) => i.status)).toEqual([103])
    }))

  it.scoped("maxBodySize over h2: BodyTooLarge, and the session serves the next request", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => respond(stream, headers[":path"] === "/big" ? "x".repeat(100_000) : "ok"))
      const pool = yield* Pool.make({ name: "h2-max" })
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/big`, { pool, tls: ca, maxBodySize: 1000 }))
      expect(e._tag).toBe("BodyTooLarge")
      expect((yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })).text()).toBe("ok")
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("the request head follows RFC 9113 §8: connection-specific fields dropped, names lower-cased, Host as :authority", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => respond(stream, JSON.stringify(headers)))
      const r = yield* Hackney.get(`${srv.url}/`, {
        pool: false,
        tls: ca,
        headers: { Connection: "keep-alive", "Keep-Alive": "5", "X-Mixed": "v", TE: "trailers, deflate", Host: "example.test" }
      })
      const h = r.json() as Record<string, string>
      expect(h[":authority"]).toBe("example.test")
      expect(h["x-mixed"]).toBe("v")
      expect(h.te).toBe("trailers")
      expect(h.connection).toBeUndefined()
      expect(h["keep-alive"]).toBeUndefined()
      expect(h.host).toBeUndefined()
    }))

  it.scoped("a session that dies fails only its own streams, typed (ConnectionClosed, requestSent)", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => {
        stream.respond({ ":status": 200 })
        stream.write("partial")
      })
      srv.server.on("secureConnection", (socket) => setTimeout(() => socket.destroy(), 100))
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool: false, tls: ca }))
      expect(e._tag).toBe("ConnectionClosed")
      if (e._tag === "ConnectionClosed") expect(e.requestSent).toBe(true)
    }))

  it.scoped("GOAWAY with an error code: the streams on the session fail with ProtocolError session-error (code, name)", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => {
        setTimeout(() => stream.session?.goaway(http2.constants.NGHTTP2_PROTOCOL_ERROR, stream.id), 10)
      })
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/`, { pool: false, tls: ca }))
      expect(e._tag).toBe("ProtocolError")
      if (e._tag === "ProtocolError") {
        expect(e.reason).toBe("session-error")
        expect(e.code).toBe(1)
        expect(e.codeName).toBe("PROTOCOL_ERROR")
      }
    }))

  it.scoped("a response header list over the limit (SETTINGS_MAX_HEADER_LIST_SIZE) fails typed, and the next request works", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => {
        if (headers[":path"] === "/huge") respond(stream, "x", { "x-big": "v".repeat(40_000) })
        else respond(stream, "ok")
      })
      const pool = yield* Pool.make({ name: "h2-headers" })
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/huge`, { pool, tls: ca }))
      expect(e._tag).toBe("ProtocolError")
      if (e._tag === "ProtocolError") expect(e.reason).toBe("header-section-too-large")
      expect((yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })).text()).toBe("ok")
    }))

  it.scoped("the session's capacity follows the peer's later SETTINGS (the pool is told)", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => setTimeout(() => respond(stream, "ok"), 20))
      const pool = yield* Pool.make({ name: "h2-settings", maxPerHost: 1 })
      yield* Hackney.get(`${srv.url}/`, { pool, tls: ca })
      for (const s of srv.live) s.settings({ maxConcurrentStreams: 2 })
      yield* Effect.sleep("50 millis").pipe(Effect.withClock(Clock.make()))
      yield* concurrent(8, () => Hackney.get(`${srv.url}/`, { pool, tls: ca }))
      expect(srv.peakStreams()).toBeLessThanOrEqual(2)
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("Hackney.connect over h2: its requests run as streams of one session", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream, headers) => respond(stream, String(headers[":path"])))
      const c = yield* Hackney.connect(srv.url, { tls: ca })
      expect((yield* c.request({ method: "GET", path: "/a" })).text()).toBe("/a")
      const r = yield* c.request({ method: "GET", path: "/b" })
      expect(r.text()).toBe("/b")
      expect(r.protocol).toBe("h2")
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("HackneyHttpClient over h2: a streamed body, over a pool's session", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server((stream) => respond(stream, "x".repeat(100_000)))
      const pool = yield* Pool.make({ name: "h2-httpclient" })
      const client = HackneyHttpClient.make({ tls: ca, pool })
      const n = yield* client.get(`${srv.url}/`).pipe(
        Effect.flatMap((res) => Stream.runFold(res.stream, 0, (n, c) => n + c.length)),
        Effect.scoped
      )
      expect(n).toBe(100_000)
      expect(srv.sessions()).toBe(1)
    }))

  it.scoped("Expect: 100-continue over h2 (Hackney.open): the body waits for 100, then goes out", () =>
    Effect.gen(function*() {
      const events: Array<string> = []
      const srv = yield* h2Server((stream, headers) => {
        let n = 0
        stream.on("data", (d: Buffer) => {
          events.push("data")
          n += d.length
        })
        stream.on("end", () => respond(stream, String(n)))
        if (headers.expect === "100-continue") {
          setTimeout(() => {
            events.push("100")
            stream.additionalHeaders({ ":status": 100 })
          }, 50)
        }
      })
      const w = yield* Hackney.open("PUT", `${srv.url}/`, { pool: false, tls: ca, headers: { expect: "100-continue" } })
      yield* w.send("hello")
      yield* w.finish
      const r = yield* w.response
      expect(new TextDecoder().decode(yield* r.bytes)).toBe("5")
      expect(r.informational.map((i) => i.status)).toEqual([100])
      expect(events[0]).toBe("100")
    }))
})
