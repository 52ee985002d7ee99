/**
 * HTTP/3 against caddy's HTTP/3 port (udp 28448): the QUIC transport step (`dialQuic` on the
 * patched @matrixai/quic) with the same verification as TLS over TCP; one HTTP/3 exchange written
 * with the sans-IO core (frames, SETTINGS, QPACK); then every request API with `protocols:
 * ["h3"]` forced (the driver, `H3Connection`): request, stream (read fully and partly), open,
 * connect, the HttpClient layer, 100 concurrent streams, stream-credit queueing past caddy's limit,
 * a connection that dies mid-stream (a UDP relay that stops forwarding), 1,000 connects.
 */
import { describe, expect, it } from "@effect/vitest"
import type { QUICStream } from "@matrixai/quic"
import { events } from "@matrixai/quic"
import { HttpClient } from "@effect/platform"
import { Chunk, Either, Stream } from "effect"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as dgram from "node:dgram"
import { readFileSync } from "node:fs"
import { Hackney, HackneyHttpClient, Pool, Url } from "../../src/index.js"
import { dialH3Connection } from "../../src/internal/connection/dialH3.js"
import { buildDialSpec } from "../../src/internal/pool/dialSpec.js"
import { wheelFor } from "../../src/internal/timer/wheel.js"
import { encodeControlStreamPreface, encodeFrame, FrameType, StreamType } from "../../src/internal/http3/frame.js"
import type { Settings } from "../../src/internal/http3/frame.js"
import { FrameReader } from "../../src/internal/http3/frameReader.js"
import { requestFields, responseHead } from "../../src/internal/http3/message.js"
import type { Http3ResponseHead } from "../../src/internal/http3/message.js"
import { decodeFieldSection, encodeFieldSection } from "../../src/internal/http3/qpack.js"
import { readVarint, varintSizeOf } from "../../src/internal/http3/varint.js"
import { dialQuic } from "../../src/internal/node/quic.js"
import type { QuicOpen } from "../../src/internal/node/quic.js"
import { quicTarget, unhandledRejections } from "./client.js"
import { need, skipPeer } from "./env.js"

const readAll = async (stream: QUICStream): Promise<Uint8Array> => {
  const parts: Array<Uint8Array> = []
  for await (const chunk of stream.readable) parts.push(chunk)
  return Uint8Array.from(Buffer.concat(parts))
}

/** One GET over `open` with the HTTP/3 core; also reads the server's control stream for its SETTINGS. */
const get = async (open: QuicOpen, authority: string, path: string) => {
  let settings: Settings | undefined
  const errors: Array<string> = []
  open.connection.addEventListener(events.EventQUICConnectionStream.name, (evt: unknown) => {
    const stream = (evt as unknown as { detail: QUICStream }).detail
    void (async () => {
      let reader: FrameReader | undefined
      let type = -1
      for await (const chunk of stream.readable) {
        let bytes = chunk
        if (type < 0) {
          type = readVarint(bytes, 0)
          bytes = bytes.subarray(varintSizeOf(bytes[0]))
          if (type === StreamType.CONTROL) {
            reader = new FrameReader("control", {
              data: () => undefined,
              headers: () => undefined,
              settings: (s) => (settings = s, undefined),
              goaway: () => undefined
            })
          }
        }
        const e = reader?.push(bytes)
        if (e !== undefined) errors.push(e.code)
      }
    })().catch(() => {})
  })
  const control = open.connection.newStream("uni")
  const controlWriter = control.writable.getWriter()
  await controlWriter.write(encodeControlStreamPreface({ maxFieldSectionSize: 65536 }))
  const request = open.connection.newStream("bidi")
  const writer = request.writable.getWriter()
  await writer.write(encodeFrame(
    FrameType.HEADERS,
    encodeFieldSection(requestFields("GET", "https", authority, path, ["User-Agent", "effect-hackney-test", "Connection", "close"]))
  ))
  await writer.close()
  let head: Http3ResponseHead | undefined
  const body: Array<Buffer> = []
  const reader = new FrameReader("request", {
    data: (c) => (body.push(Buffer.from(c)), undefined),
    headers: (block) => {
      const decoded = decodeFieldSection(block, 65536)
      if (!Array.isArray(decoded)) return decoded
      const h = responseHead(decoded)
      if ("_tag" in h) return h
      head = h
      return undefined
    },
    settings: () => undefined,
    goaway: () => undefined
  })
  const e = reader.push(await readAll(request)) ?? reader.end()
  if (e !== undefined) errors.push(e.code)
  controlWriter.releaseLock()
  return { head, body: Buffer.concat(body).toString("latin1"), settings: () => settings, errors }
}

describe.skipIf(skipPeer("caddy"))("HTTP/3 core and dialQuic against caddy", () => {
  const env = () => need("caddy")
  const port = () => Number(new URL(env().url("CADDY_TLS")).port)
  const target = quicTarget("caddy", "CADDY_TLS")

  it("GET /hello over HTTP/3: status, headers and body decoded by the core; caddy's SETTINGS read", async () => {
    const open = await Effect.runPromise(dialQuic(target(), {}))
    try {
      expect(open.alpn).toBe("h3")
      const r = await get(open, `localhost:${port()}`, "/hello")
      expect(r.errors).toEqual([])
      expect(r.head?.status).toBe(200)
      expect(r.head?.rawHeaders).toContain("server")
      expect(r.body).toBe("hello HTTP/3.0")
      // The server's control stream arrives with the response or soon after.
      for (let i = 0; i < 50 && r.settings() === undefined; i++) await new Promise((res) => setTimeout(res, 20))
      expect(r.settings()).toBeDefined()
    } finally {
      await open.close()
    }
  })

  it("verifies as TLS over TCP: the IP SAN of 127.0.0.1 without servername; a wrong CA or name is a typed TlsError", async () => {
    const ip = await Effect.runPromise(dialQuic(target({ tls: { ca: readFileSync(env().ca, "utf8") } }), {}))
    await ip.close()
    const wrongCa = await Effect.runPromiseExit(dialQuic(target({ tls: { servername: "localhost" } }), {}))
    if (Exit.isFailure(wrongCa)) expect(wrongCa.cause).toMatchObject({ error: { _tag: "TlsError", reason: "certificate" } })
    else expect.fail("connected with Node's roots to the test CA's certificate")
    const wrongName = await Effect.runPromiseExit(
      dialQuic(target({ tls: { ca: readFileSync(env().ca, "utf8"), servername: "example.com" } }), {})
    )
    if (Exit.isFailure(wrongName)) expect(wrongName.cause).toMatchObject({ error: { _tag: "TlsError", reason: "hostname" } })
    else expect.fail("connected for a name the certificate does not have")
  })

  it("30 connections while caddy opens its control and QPACK streams: no unhandled rejection (the patched race)", async () => {
    expect(
      await unhandledRejections(async () => {
        for (let i = 0; i < 30; i++) {
          const open = await Effect.runPromise(dialQuic(target(), {}))
          await new Promise((r) => setTimeout(r, 20))
          await open.close()
        }
      })
    ).toEqual([])
  })
})

/** A UDP relay between the client and caddy that can stop forwarding (the server "dies" mid-stream). */
const udpRelay = (target: number) =>
  Effect.acquireRelease(
    Effect.async<{ port: number; kill: () => void; socket: dgram.Socket }>((resume) => {
      const socket = dgram.createSocket("udp4")
      let client: { address: string; port: number } | undefined
      let dead = false
      socket.on("message", (msg, from) => {
        if (dead) return
        if (from.port === target) {
          if (client !== undefined) socket.send(msg, client.port, client.address)
        } else {
          client = { address: from.address, port: from.port }
          socket.send(msg, target, "127.0.0.1")
        }
      })
      socket.bind(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: socket.address().port, kill: () => void (dead = true), socket })))
    }),
    ({ socket }) => Effect.sync(() => socket.close())
  )

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("UDP")).length

describe.skipIf(skipPeer("caddy"))("HTTP/3 through the client API (protocols: [\"h3\"]) against caddy", () => {
  const env = () => need("caddy")
  const base = () => env().url("CADDY_TLS")
  const options = () => ({ tls: { ca: readFileSync(env().ca, "utf8") }, protocols: ["h3"] as const })

  it.scoped("Hackney.request: GET and POST over h3, the response says HTTP/3.0", () =>
    Effect.gen(function*() {
      const r = yield* Hackney.get(`${base()}/hello`, { ...options(), pool: false })
      expect([r.status, r.protocol, r.text()]).toEqual([200, "h3", "hello HTTP/3.0"])
      const p = yield* Hackney.post(`${base()}/httpbin/post`, { ...options(), pool: false, body: "abc", headers: { "x-h": "1" } })
      expect(p.protocol).toBe("h3")
      const echo = JSON.parse(p.text())
      expect([echo.data, echo.headers["X-H"], echo.headers["Content-Length"]]).toEqual(["abc", "1", "3"])
    }), 30_000)

  it.scoped("Hackney.stream: a body read fully, and one read partly then dropped; the pooled connection serves on", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ name: "h3-stream" })
      const opts = { ...options(), pool }
      const full = yield* Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${base()}/httpbin/bytes/100000`, opts)
        expect(res.protocol).toBe("h3")
        return yield* Stream.runFold(res.body, 0, (n, c) => n + c.length)
      }))
      expect(full).toBe(100000)
      const part = yield* Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${base()}/httpbin/bytes/100000`, opts)
        return yield* Stream.runCollect(Stream.take(res.body, 1))
      }))
      expect(Chunk.size(part)).toBe(1)
      const again = yield* Hackney.get(`${base()}/hello`, opts)
      expect(again.text()).toBe("hello HTTP/3.0")
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse).toBe(0)
    }), 30_000)

  // With a declared length: caddy 2.6's HTTP/3 server (an old quic-go) forwards a request without
  // Content-Length to its upstream as an empty body (the same streamed upload over h2 arrives whole).
  it.scoped("Hackney.open: a streamed upload over h3", () =>
    Effect.gen(function*() {
      const w = yield* Hackney.open("POST", `${base()}/httpbin/post`, {
        ...options(),
        pool: false,
        headers: { "content-length": "15" }
      })
      yield* w.send("streamed ")
      yield* w.send("upload")
      yield* w.finish
      const res = yield* w.response
      expect(res.protocol).toBe("h3")
      expect(JSON.parse(yield* res.text).data).toBe("streamed upload")
    }), 30_000)

  it.scoped("Hackney.connect: one HTTP/3 connection, several requests", () =>
    Effect.gen(function*() {
      const conn = yield* Hackney.connect(base(), options())
      const a = yield* conn.request({ method: "GET", path: "/hello" })
      const b = yield* conn.request({ method: "POST", path: "/httpbin/post", body: "x" })
      expect([a.protocol, a.text(), b.protocol, JSON.parse(b.text()).data]).toEqual(["h3", "hello HTTP/3.0", "h3", "x"])
      expect((yield* conn.peername)?.port).toBe(Number(new URL(base()).port))
    }), 30_000)

  it.effect("HackneyHttpClient.layer: an HttpClient request over h3", () =>
    Effect.gen(function*() {
      const text = yield* HttpClient.get(`${base()}/hello`).pipe(
        Effect.flatMap((res) => res.text),
        Effect.provideService(HackneyHttpClient.RequestOptions, options()),
        Effect.provide(HackneyHttpClient.layer)
      )
      expect(text).toBe("hello HTTP/3.0")
    }), 30_000)

  it.scoped("100 concurrent requests share one QUIC connection (multiplexed streams)", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ name: "h3-100" })
      const rs = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => Hackney.get(`${base()}/httpbin/anything/${i}`, { ...options(), pool }),
        { concurrency: "unbounded" }
      )
      expect(rs.every((r, i) => r.protocol === "h3" && JSON.parse(r.text()).url.endsWith(`/anything/${i}`))).toBe(true)
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse + stats.free).toBe(1)
    }), 60_000)

  it.effect("stream-credit queueing: 250 requests begun at once on one connection (caddy allows 100 streams) all complete", () =>
    Effect.gen(function*() {
      const wheel = wheelFor(yield* Effect.clock)
      const url = new URL(base())
      const spec = buildDialSpec(Either.getOrThrow(Url.parse(base())), options(), 8000, 10_000)
      const conn = yield* dialH3Connection(spec, "GET", base(), wheel)
      try {
        expect(conn.capacity).toBeLessThanOrEqual(100)
        const exchanges = Array.from({ length: 250 }, (_, i) =>
          conn.begin({
            method: "GET",
            target: `/httpbin/anything/${i}`,
            authority: url.host,
            rawHeaders: [],
            bodySize: 0,
            h1: undefined,
            href: `${base()}/httpbin/anything/${i}`,
            body: { _tag: "None" },
            maxBodySize: 1 << 20,
            recvTimeout: 10_000,
            headLimits: undefined
          }, "collect", wheel))
        yield* Effect.forEach(exchanges, (ex) => ex.waitFor(ex.isComplete), { concurrency: "unbounded" })
        expect(exchanges.every((ex, i) => JSON.parse(Buffer.concat(ex.chunks).toString()).url.endsWith(`/anything/${i}`))).toBe(true)
        for (const ex of exchanges) conn.release(ex)
      } finally {
        conn.close()
      }
    }), 60_000)

  it.scopedLive("the server dies (its packets stop) with a request in flight: a typed RecvTimeout within the recv timeout, no hang", () =>
    Effect.gen(function*() {
      const relay = yield* udpRelay(Number(new URL(base()).port))
      const pool = yield* Pool.make({ name: "h3-dies" })
      const opts = { ...options(), pool, recvTimeout: "1500 millis" as const }
      const url = `https://127.0.0.1:${relay.port}/hello`
      // (caddy buffers httpbin's slow responses whole, so the connection is cut between a request and its response)
      const first = yield* Hackney.get(url, opts)
      expect([first.protocol, first.text()]).toEqual(["h3", "hello HTTP/3.0"])
      relay.kill()
      const started = Date.now()
      const e = yield* Effect.flip(Hackney.get(url, opts))
      expect(e).toMatchObject({ _tag: "RecvTimeout", phase: "headers", timeoutMillis: 1500 })
      expect(Date.now() - started).toBeLessThan(3000)
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
    }), 30_000)

  it("1,000 connections (request, close): no unhandled rejection, no UDP socket left", async () => {
    const rejections: Array<unknown> = []
    const onRejection = (e: unknown) => rejections.push(e)
    process.on("unhandledRejection", onRejection)
    const before = udpHandles()
    try {
      const opts = { ...options(), pool: false as const }
      for (let i = 0; i < 1000; i++) {
        const r = await Effect.runPromise(Hackney.get(`${base()}/hello`, opts))
        if (r.status !== 200) throw new Error(`status ${r.status}`)
      }
      for (let i = 0; i < 50 && udpHandles() > before; i++) await new Promise((r) => setTimeout(r, 50))
      expect(rejections.map(String)).toEqual([])
      // (earlier tests' pooled connections may close meanwhile: at most the sockets there were before)
      expect(udpHandles()).toBeLessThanOrEqual(before)
    } finally {
      process.off("unhandledRejection", onRejection)
    }
  }, 240_000)
})
