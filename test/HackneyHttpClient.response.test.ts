/**
 * The `HttpClient` adapter's responses and exchanges
 * (src/internal/httpclient/response.ts, exchange.ts) over in-memory
 * connections (test/support/memoryPool.ts): headers and cookies, bodies that
 * came with the head or are read later, the body limit, decoding, and what
 * happens to the connection (pooled, destroyed, the stale keep-alive
 * resend, the request metrics).
 */
import { Cookies, Headers, HttpClient, HttpClientRequest, HttpIncomingMessage, UrlParams } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, Stream } from "effect"
import * as zlib from "node:zlib"
import { BodyTooLarge, isHackneyError, ProtocolError } from "../src/HackneyError.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import { Observability } from "../src/index.js"
import { labels } from "../src/internal/observe/metrics.js"
import { repeatedLocationFields } from "../src/internal/httpclient/response.js"
import { memoryServer, reply, staleSecond } from "./support/memoryPool.js"
import type { MemoryServer, Respond } from "./support/memoryPool.js"
import type { MockPeer } from "./support/mockTransport.js"

const clientOf = (s: MemoryServer, options: HackneyHttpClient.Options = {}): HttpClient.HttpClient =>
  HttpClient.withTracerPropagation(HackneyHttpClient.make({ pool: s.pool, ...options }), false)

const get = (s: MemoryServer, path: string, options: HackneyHttpClient.Options = {}) => clientOf(s, options).get(`${s.url}${path}`)

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1")
const utf8 = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("utf8")

/** A server that sends `head` (and the start of the body) and leaves the rest to the test, through `peers`. */
const heldServer = (head: string) => {
  const peers: Array<MockPeer> = []
  const respond: Respond = (req, peer) => {
    if (req.target.startsWith("/next")) return reply(200, `next on ${req.connection}`)
    peers.push(peer)
    peer.send(head)
    return undefined
  }
  return { respond, peers }
}

/** The connection a following request is served on: 1 when the first one's was pooled, 2 when it was destroyed. */
const nextConnection = (s: MemoryServer) =>
  Effect.flatMap(get(s, "/next"), (res) => res.text)

const decodeCause = (e: HttpClientError.HttpClientError) => {
  expect(e._tag).toBe("ResponseError")
  expect(e.reason).toBe("Decode")
  return e.cause
}

describe("response heads", () => {
  it.scoped("status, lower-cased headers with repeats joined, Set-Cookie lines apart, cookies, raw lines", () =>
    Effect.gen(function*() {
      const head = "HTTP/1.1 201 Made\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT\r\n" +
        "x-cookie-1: z\r\nset-cookie: b=2\r\nLocation: /x\r\ncontent-length: 2\r\n\r\nhi"
      const s = yield* memoryServer(() => head)
      const res = yield* get(s, "/h")
      expect(res.status).toBe(201)
      // The platform wraps the engine's response (its `original`).
      const engine = (res as unknown as { original: { reason: string; setCookieLines: ReadonlyArray<string>; rawHeaderLines: ReadonlyArray<string> } }).original
      expect(engine.reason).toBe("Made")
      expect(res.headers["x-a"]).toBe("1, 2")
      expect(res.headers["location"]).toBe("/x")
      expect(res.headers["content-length"]).toBe("2")
      expect(Headers.isHeaders(res.headers)).toBe(true)
      expect(Object.keys(res.headers)).toEqual(["x-a", "set-cookie", "x-cookie-1", "location", "content-length"])
      expect(res.headers).toBe(res.headers)
      expect(repeatedLocationFields(res.headers)).toBeUndefined()
      const lines = engine.setCookieLines
      expect(lines).toEqual(["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2"])
      expect(Option.map(Cookies.get(res.cookies, "a"), (c) => c.value)).toEqual(Option.some("1"))
      expect(Option.map(Cookies.get(res.cookies, "b"), (c) => c.value)).toEqual(Option.some("2"))
      expect(Object.keys(res.cookies.cookies)).toEqual(["a", "b"])
      expect(res.cookies).toBe(res.cookies)
      expect(engine.rawHeaderLines.slice(0, 4)).toEqual(["X-A", "1", "x-a", "2"])
      expect(res.remoteAddress).toEqual(Option.some("127.0.0.1"))
      expect(yield* res.text).toBe("hi")
      const json = JSON.parse(JSON.stringify(res)) as Record<string, unknown>
      expect(json).toMatchObject({ _id: "@effect/platform/HttpClientResponse", status: 201 })
      expect(json["request"]).toMatchObject({ method: "GET", url: `${s.url}/h` })
    }))

  it.scoped("remoteAddress: None when the connection does not know its peer's address", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "x"), {}, { remoteAddress: undefined })
      const res = yield* get(s, "/a")
      expect(res.remoteAddress).toEqual(Option.none())
    }))

  it.scoped("no Set-Cookie: empty cookies; several different Location lines are kept for the redirect rules", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "HTTP/1.1 302 Found\r\nLocation: /a\r\nlocation: /b\r\nLOCATION: /c\r\ncontent-length: 0\r\n\r\n")
      const res = yield* get(s, "/l")
      expect(Cookies.isEmpty(res.cookies)).toBe(true)
      expect(res.headers["location"]).toBe("/a, /b, /c")
      expect(repeatedLocationFields(res.headers)).toEqual(["/a", "/b", "/c"])
    }))
})

describe("bodies that came with the head", () => {
  it.scoped("text, json, urlParamsBody, arrayBuffer and stream from memory; the connection is pooled at once", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) =>
        req.target === "/next"
          ? reply(200, `next on ${req.connection}`)
          : req.target === "/json"
          ? reply(200, "{\"k\":[1]}")
          : req.target === "/empty"
          ? reply(200, "")
          : req.target === "/form"
          ? reply(200, "a=1&b=x+y")
          : reply(200, `body on ${req.connection}`)
      )
      const res = yield* get(s, "/t")
      // Pooled before the body is read.
      expect(yield* nextConnection(s)).toBe("next on 1")
      expect(yield* res.text).toBe("body on 1")
      expect(yield* res.text).toBe("body on 1")
      expect(utf8(yield* res.arrayBuffer)).toBe("body on 1")
      expect((yield* res.arrayBuffer).byteLength).toBe(9)
      expect(utf8(Buffer.concat(Chunk.toArray(yield* Stream.runCollect(res.stream))))).toBe("body on 1")
      expect(yield* Effect.flatMap(get(s, "/json"), (r) => r.json)).toEqual({ k: [1] })
      expect(yield* Effect.flatMap(get(s, "/empty"), (r) => r.json)).toBeNull()
      const empty = yield* get(s, "/empty")
      expect(Chunk.size(yield* Stream.runCollect(empty.stream))).toBe(0)
      expect(yield* empty.text).toBe("")
      const params = yield* Effect.flatMap(get(s, "/form"), (r) => r.urlParamsBody)
      expect(UrlParams.toString(params)).toBe("a=1&b=x+y")
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("json that does not parse fails Decode, saying so", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "{nope"))
      const e = yield* Effect.flip(Effect.flatMap(get(s, "/j"), (r) => r.json))
      expect(decodeCause(e)).toBeInstanceOf(SyntaxError)
      expect(e.description).toMatch(/^The body could not be decoded as JSON \(.+\)\. Check the response's status/)
    }))

  it.scoped("formData of a multipart response; a body that is not one fails Decode", () =>
    Effect.gen(function*() {
      const multipart = "--b\r\ncontent-disposition: form-data; name=\"f\"\r\n\r\nvalue\r\n--b--\r\n"
      const s = yield* memoryServer((req) =>
        req.target === "/form"
          ? reply(200, multipart, [["content-type", "multipart/form-data; boundary=b"]])
          : reply(200, "plain", [["content-type", "text/plain"]])
      )
      const res = yield* get(s, "/form")
      const form = yield* res.formData
      expect(form.get("f")).toBe("value")
      expect(yield* res.formData).toBe(form)
      const e = yield* Effect.flip(Effect.flatMap(get(s, "/plain"), (r) => r.formData))
      expect(e.reason).toBe("Decode")
      expect(e.description).toMatch(/^The body could not be decoded as multipart\/form-data/)
    }))

  it.scoped("MaxBodySize bounds a body in memory: over it, Decode with BodyTooLarge", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "12345"))
      const res = yield* get(s, "/m")
      const e = yield* Effect.flip(HttpIncomingMessage.withMaxBodySize(res.text, Option.some(4)))
      const cause = decodeCause(e) as BodyTooLarge
      expect(cause).toBeInstanceOf(BodyTooLarge)
      expect(cause.limit).toBe(4)
      expect(cause.method).toBe("GET")
      expect(cause.url).toBe(`${s.url}/m`)
      expect(yield* HttpIncomingMessage.withMaxBodySize(res.text, Option.some(5))).toBe("12345")
    }))
})

describe("bodies read from the connection", () => {
  it.scoped("text reads the rest; the connection is pooled once the body ended", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const text = yield* Effect.fork(res.text)
      peers[0].send("678")
      peers[0].send("90")
      expect(yield* Fiber.join(text)).toBe("1234567890")
      expect(yield* nextConnection(s)).toBe("next on 1")
      expect(yield* res.text).toBe("1234567890")
      expect(utf8(yield* res.arrayBuffer)).toBe("1234567890")
      expect((yield* res.arrayBuffer).byteLength).toBe(10)
    }))

  it.scoped("arrayBuffer and stream read the rest; the chunks as they came", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nab")
      const s = yield* memoryServer(respond)
      const a = yield* get(s, "/held")
      const buf = yield* Effect.fork(a.arrayBuffer)
      peers[0].send("cdef")
      const ab = yield* Fiber.join(buf)
      expect(ab.byteLength).toBe(6)
      expect(utf8(ab)).toBe("abcdef")
      const b = yield* get(s, "/held")
      const chunks = yield* Effect.fork(Stream.runCollect(b.stream))
      peers[1].send("cd")
      peers[1].send("ef")
      expect(Chunk.toArray(yield* Fiber.join(chunks)).map(latin1)).toEqual(["ab", "cd", "ef"])
      expect(yield* nextConnection(s)).toBe("next on 1")
    }))

  it.scoped("MaxBodySize bounds a body read later: Decode with BodyTooLarge, and the connection is destroyed", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n123")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const text = yield* Effect.fork(Effect.flip(HttpIncomingMessage.withMaxBodySize(res.text, Option.some(4))))
      peers[0].send("45")
      const e = yield* Fiber.join(text)
      expect((decodeCause(e) as BodyTooLarge).limit).toBe(4)
      expect((decodeCause(e) as BodyTooLarge).direction).toBe("response")
      expect(peers[0].closed()).toBe(true)
      expect(yield* nextConnection(s)).toBe("next on 2")
      // Exactly the limit is fine.
      const ok = yield* get(s, "/held")
      const exact = yield* Effect.fork(HttpIncomingMessage.withMaxBodySize(ok.text, Option.some(10)))
      peers[1].send("4567890")
      expect(yield* Fiber.join(exact)).toBe("1234567890")
    }))

  it.scoped("a connection that breaks mid-body fails the read Decode with the typed cause", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n123")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const text = yield* Effect.fork(Effect.flip(res.text))
      peers[0].reset()
      const e = yield* Fiber.join(text)
      expect(isHackneyError(decodeCause(e))).toBe(true)
      const streamed = yield* get(s, "/held")
      const collected = yield* Effect.fork(Effect.flip(Stream.runCollect(streamed.stream)))
      peers[1].end()
      expect(isHackneyError(decodeCause(yield* Fiber.join(collected)))).toBe(true)
    }))

  it.scoped("a stream stopped early destroys the connection; a response discarded unread too", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n123")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const first = yield* Stream.runCollect(Stream.take(res.stream, 1))
      expect(Chunk.toArray(first).map(latin1)).toEqual(["123"])
      expect(peers[0].closed()).toBe(true)
      expect(yield* nextConnection(s)).toBe("next on 2")
      expect(peers).toHaveLength(1)
      // Scoped (no platform wrapper to abort it): the stream's end gives the connection up itself.
      const scoped = yield* Effect.scoped(Effect.gen(function*() {
        const r = yield* HttpClient.withScope(clientOf(s)).get(`${s.url}/held`)
        yield* Stream.runCollect(Stream.take(r.stream, 1))
        return peers[1].closed()
      }))
      expect(scoped).toBe(true)
    }))

  it.scoped("a request interrupted after its head destroys the connection (the platform aborts it)", () =>
    Effect.gen(function*() {
      const { respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n123")
      const s = yield* memoryServer(respond)
      yield* Effect.scoped(HttpClient.withScope(clientOf(s)).get(`${s.url}/held`))
      expect(s.peers[0].closed()).toBe(true)
      expect(yield* nextConnection(s)).toBe("next on 2")
    }))

  it.scoped("a request interrupted while awaiting its head destroys the connection", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => (req.target === "/next" ? reply(200, `next on ${req.connection}`) : undefined))
      const fiber = yield* Effect.fork(get(s, "/silent"))
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(s.requests).toHaveLength(1)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      expect(s.peers[0].closed()).toBe(true)
      expect(yield* nextConnection(s)).toBe("next on 2")
      // Again with the connection taken idle (the fast path).
      const again = yield* Effect.fork(get(s, "/silent"))
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(s.requests).toHaveLength(3)
      expect(s.requests[2].connection).toBe(2)
      yield* Fiber.interrupt(again)
      expect(s.peers[1].closed()).toBe(true)
      expect(yield* nextConnection(s)).toBe("next on 3")
    }))
})

describe("the connection of a response read later", () => {
  it.scoped("an interrupted read gives it up; so does a response discarded by a failing middleware", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n123")
      const s = yield* memoryServer(respond)
      const res = yield* Effect.scoped(Effect.gen(function*() {
        const r = yield* HttpClient.withScope(clientOf(s)).get(`${s.url}/held`)
        const reading = yield* Effect.fork(r.text)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(reading)
        return peers[0].closed()
      }))
      expect(res).toBe(true)
    }))

  it.scoped("a body delivered as a view at offset 0 of a larger buffer: arrayBuffer has exactly its bytes", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1400\r\n")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const buf = yield* Effect.fork(res.arrayBuffer)
      // One packet over the pool's size (its own ArrayBuffer): the chunk's 5,120 bytes, then the end of the body.
      peers[0].send(Buffer.concat([Buffer.alloc(5120, 97), Buffer.from("\r\n0\r\n\r\n")]))
      const ab = yield* Fiber.join(buf)
      expect(ab.byteLength).toBe(5120)
      expect(new Uint8Array(ab).every((b) => b === 97)).toBe(true)
    }))

  it.scoped("a body that reaches MaxBodySize before its end is read to its end: the connection is pooled", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n")
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held")
      const text = yield* Effect.fork(HttpIncomingMessage.withMaxBodySize(res.text, Option.some(4)))
      yield* Effect.yieldNow()
      peers[0].send("0\r\n\r\n")
      expect(yield* Fiber.join(text)).toBe("abcd")
      expect(peers[0].closed()).toBe(false)
      expect(yield* nextConnection(s)).toBe("next on 1")
    }))

  it.scoped("a streamed request body after a pooled request reuses its idle connection", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `${req.body} on ${req.connection}`))
      const client = clientOf(s)
      expect(yield* Effect.flatMap(client.get(`${s.url}/g`), (r) => r.text)).toBe(" on 1")
      const res = yield* client.execute(
        HttpClientRequest.bodyStream(HttpClientRequest.put(`${s.url}/s`), Stream.make(new TextEncoder().encode("ab")))
      )
      expect(yield* res.text).toBe("ab on 1")
      expect(s.peers).toHaveLength(1)
    }))
})

describe("decoding (autoDecompress)", () => {
  const plain = "decoded text ".repeat(40)
  const gz = latin1(zlib.gzipSync(plain))
  const gzReply = reply(200, gz, [["content-encoding", "gzip"], ["x-k", "v"]])

  it.scoped("a body in memory is decoded; its headers lose Content-Encoding and Content-Length", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => (req.target === "/identity" ? reply(200, "as is", [["content-encoding", "identity"]]) : gzReply))
      const res = yield* get(s, "/gz", { autoDecompress: true })
      expect(res.headers["content-encoding"]).toBeUndefined()
      expect(res.headers["content-length"]).toBeUndefined()
      expect(res.headers["x-k"]).toBe("v")
      expect(yield* res.text).toBe(plain)
      expect(yield* res.text).toBe(plain)
      expect(utf8(Buffer.concat(Chunk.toArray(yield* Stream.runCollect(res.stream))))).toBe(plain)
      const streamed = yield* get(s, "/gz", { autoDecompress: true })
      expect(utf8(Buffer.concat(Chunk.toArray(yield* Stream.runCollect(streamed.stream))))).toBe(plain)
      // Off: as sent.
      const raw = yield* get(s, "/gz")
      expect(raw.headers["content-encoding"]).toBe("gzip")
      expect(latin1(new Uint8Array(yield* raw.arrayBuffer))).toBe(gz)
      // Nothing to undo: the headers as sent.
      const identity = yield* get(s, "/identity", { autoDecompress: true })
      expect(identity.headers["content-encoding"]).toBe("identity")
      expect(yield* identity.text).toBe("as is")
    }))

  it.scoped("a coding this Node cannot undo: the body and its headers as sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "opaque", [["content-encoding", "x-unknown"]]))
      const res = yield* get(s, "/u", { autoDecompress: true })
      expect(res.headers["content-encoding"]).toBe("x-unknown")
      expect(res.headers["content-length"]).toBe("6")
      expect(yield* res.text).toBe("opaque")
    }))

  it.scoped("a decoded body read later: text, then stream, both decoded; MaxBodySize at exactly its size passes", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer(`HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gz.length}\r\n\r\n${gz.slice(0, 10)}`)
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held", { autoDecompress: true })
      const text = yield* Effect.fork(HttpIncomingMessage.withMaxBodySize(res.text, Option.some(plain.length)))
      yield* Effect.yieldNow()
      peers[0].send(Buffer.from(gz.slice(10), "latin1"))
      expect(yield* Fiber.join(text)).toBe(plain)
      expect(utf8(Buffer.concat(Chunk.toArray(yield* Stream.runCollect(res.stream))))).toBe(plain)
      expect(yield* HttpIncomingMessage.withMaxBodySize(res.text, Option.some(plain.length))).toBe(plain)
    }))

  it.scoped("a decoded body whose connection breaks fails Decode with the connection's error as the cause", () =>
    Effect.gen(function*() {
      const { peers, respond } = heldServer(`HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gz.length}\r\n\r\n${gz.slice(0, 10)}`)
      const s = yield* memoryServer(respond)
      const res = yield* get(s, "/held", { autoDecompress: true })
      const text = yield* Effect.fork(Effect.flip(res.text))
      yield* Effect.yieldNow()
      peers[0].reset()
      const e = yield* Fiber.join(text)
      expect(isHackneyError(decodeCause(e))).toBe(true)
    }))

  it.scoped("an empty decoded body streams nothing", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, latin1(zlib.gzipSync("")), [["content-encoding", "gzip"]]))
      const res = yield* get(s, "/e", { autoDecompress: true })
      expect(yield* res.text).toBe("")
      expect(Chunk.size(yield* Stream.runCollect(res.stream))).toBe(0)
    }))

  it.scoped("maxBodySize bounds the decoded bytes, and so does MaxBodySize", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => gzReply)
      const e = yield* Effect.flip(Effect.flatMap(get(s, "/gz", { autoDecompress: true, maxBodySize: 100 }), (r) => r.text))
      expect(decodeCause(e)).toBeInstanceOf(BodyTooLarge)
      expect((decodeCause(e) as BodyTooLarge).limit).toBe(100)
      const fits = yield* Effect.flatMap(get(s, "/gz", { autoDecompress: true, maxBodySize: plain.length }), (r) => r.text)
      expect(fits).toBe(plain)
      const res = yield* get(s, "/gz", { autoDecompress: true })
      const over = yield* Effect.flip(HttpIncomingMessage.withMaxBodySize(res.text, Option.some(10)))
      expect((decodeCause(over) as BodyTooLarge).limit).toBe(10)
      // Once decoded, the limit is checked against the decoded body.
      const whole = yield* get(s, "/gz", { autoDecompress: true })
      expect(yield* whole.text).toBe(plain)
      const again = yield* Effect.flip(HttpIncomingMessage.withMaxBodySize(whole.arrayBuffer, Option.some(10)))
      expect((decodeCause(again) as BodyTooLarge).limit).toBe(10)
      // Without decoding, maxBodySize bounds the bytes as sent (the engine's limit).
      const rawOver = yield* Effect.flip(Effect.flatMap(get(s, "/gz", { maxBodySize: 10 }), (r) => r.text))
      expect(rawOver._tag === "ResponseError" || rawOver._tag === "RequestError").toBe(true)
    }))

  it.scoped("a corrupt body fails Decode with a ProtocolError of reason decompression", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "not gzip at all", [["content-encoding", "gzip"]]))
      const e = yield* Effect.flip(Effect.flatMap(get(s, "/bad", { autoDecompress: true }), (r) => r.text))
      const cause = decodeCause(e) as ProtocolError
      expect(cause).toBeInstanceOf(ProtocolError)
      expect(cause.reason).toBe("decompression")
    }))
})

describe("exchanges", () => {
  it.scoped("an idempotent request that met a stale keep-alive connection is sent once more on a new one", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      expect(yield* Effect.flatMap(get(s, "/a"), (r) => r.text)).toBe("/a on 1")
      expect(yield* Effect.flatMap(get(s, "/b"), (r) => r.text)).toBe("/b on 2")
    }))

  it.scoped("a POST that met a stale connection is not sent again: Transport error", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      const client = clientOf(s)
      yield* Effect.flatMap(client.get(`${s.url}/a`), (r) => r.text)
      const e = yield* Effect.flip(client.post(`${s.url}/b`))
      expect(e._tag).toBe("RequestError")
      expect(e.reason).toBe("Transport")
      expect(isHackneyError(e.cause)).toBe(true)
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("a request with a Stream body that met a stale connection is not sent again (the body cannot be replayed)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      const client = clientOf(s)
      yield* Effect.flatMap(client.get(`${s.url}/a`), (r) => r.text)
      const e = yield* Effect.flip(client.execute(
        HttpClientRequest.bodyStream(HttpClientRequest.put(`${s.url}/b`), Stream.make(new TextEncoder().encode("x")))
      ))
      expect(e.reason).toBe("Transport")
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("a streamed request body is sent by a fiber of its own; its connection is pooled after", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `${req.body} on ${req.connection}`))
      const client = clientOf(s)
      const body = Stream.make(new TextEncoder().encode("ab"), new TextEncoder().encode("cd"))
      const res = yield* client.execute(HttpClientRequest.bodyStream(HttpClientRequest.put(`${s.url}/s`), body))
      expect(yield* res.text).toBe("abcd on 1")
      expect(yield* Effect.flatMap(client.get(`${s.url}/g`), (r) => r.text)).toBe(" on 1")
    }))

  it.scoped("a response that came before its streamed request body was sent closes the connection", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `on ${req.connection}`))
      const client = clientOf(s)
      let stopped = false
      const body = Stream.concat(Stream.make(new TextEncoder().encode("ab")), Stream.never).pipe(
        Stream.ensuring(Effect.sync(() => {
          stopped = true
        }))
      )
      const fiber = yield* Effect.fork(Effect.flatMap(
        client.execute(HttpClientRequest.bodyStream(HttpClientRequest.put(`${s.url}/s`), body)),
        (r) => r.text
      ))
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(s.peers).toHaveLength(1)
      s.peers[0].send(reply(413, "too much"))
      expect(yield* Fiber.join(fiber)).toBe("too much")
      // The body's sender is stopped and the half-written connection closed.
      yield* Effect.yieldNow()
      expect(stopped).toBe(true)
      expect(s.peers[0].closed()).toBe(true)
      expect(yield* Effect.flatMap(client.get(`${s.url}/g`), (r) => r.text)).toBe("on 2")
    }))

  it.scoped("a streamed request body that fails closes the connection and fails the request", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((req) => reply(200, `on ${req.connection}`))
      const client = clientOf(s)
      const body = Stream.concat(Stream.make(new TextEncoder().encode("ab")), Stream.fail("broken"))
      const e = yield* Effect.flip(client.execute(HttpClientRequest.bodyStream(HttpClientRequest.put(`${s.url}/s`), body)))
      expect(e._tag).toBe("RequestError")
      expect(e.reason).toBe("Encode")
      expect(yield* Effect.flatMap(client.get(`${s.url}/g`), (r) => r.text)).toBe("on 2")
    }))

  it.scoped("a pool with metrics: the request counts while its body is unread, then by status and sizes", () =>
    Effect.gen(function*() {
      const m = Observability.metrics
      const s = yield* memoryServer((req) => reply(req.target === "/gone" ? 404 : 200, "hello"), { features: { metrics: true } })
      const url = "http://hc-metrics.test"
      const client = clientOf(s)
      const done = (status: number, method: string) =>
        labels(
          ["http.request.method", "server.address", "server.port", "http.response.status_code", "network.protocol.version"],
          [method, "hc-metrics.test", 80, status, "1.1"]
        )
      const active = labels(["http.request.method", "server.address", "server.port"], ["POST", "hc-metrics.test", 80])
      const res = yield* client.execute(HttpClientRequest.bodyText(HttpClientRequest.post(`${url}/a`), "abc"))
      expect(yield* res.text).toBe("hello")
      expect(m.requestBodySize.unsafeValue(done(200, "POST")).sum).toBe(3)
      expect(m.responseBodySize.unsafeValue(done(200, "POST")).sum).toBe(5)
      expect(m.requestDuration.unsafeValue(done(200, "POST")).count).toBe(1)
      expect(m.activeRequests.unsafeValue(active).count).toBe(0)
      yield* client.execute(HttpClientRequest.bodyStream(HttpClientRequest.put(`${url}/b`), Stream.make(new Uint8Array([1, 2]))))
      expect(m.requestBodySize.unsafeValue(done(200, "PUT")).sum).toBe(2)
      yield* client.get(`${url}/gone`)
      expect(m.requestDuration.unsafeValue(done(404, "GET")).count).toBe(1)
    }))

  it.scoped("a pool with metrics records a failed request by its error", () =>
    Effect.gen(function*() {
      const m = Observability.metrics
      const s = yield* memoryServer(() => "NOT HTTP\r\n\r\n", { features: { metrics: true } })
      const e = yield* Effect.flip(clientOf(s).get("http://hc-metrics-fail.test/"))
      const tag = (e.cause as { _tag: string })._tag
      const failed = labels(["http.request.method", "server.address", "server.port", "error.type"], ["GET", "hc-metrics-fail.test", 80, tag])
      expect(m.requestDuration.unsafeValue(failed).count).toBe(1)
      expect(m.activeRequests.unsafeValue(labels(["http.request.method", "server.address", "server.port"], ["GET", "hc-metrics-fail.test", 80])).count).toBe(0)
    }))
})
