/**
 * The bare request path (internal/client/execute.ts) through the whole
 * client over in-memory connections (test/support/memoryPool.ts): one-shot
 * and streaming responses, their classes, the resend after a stale
 * keep-alive connection, the request writer of `open`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream, TestClock } from "effect"
import { Hackney, Headers, Pool } from "../src/index.js"
import { settle } from "./support/driver.js"
import { httpServer } from "./support/servers.js"
import { memoryServer, reply, staleSecond } from "./support/memoryPool.js"

const bytes = (s: string) => new TextEncoder().encode(s)

/** What `JSON.stringify` shows of a response (its `toJSON`, not in the public type). */
const toJSON = (res: unknown): unknown => (res as { toJSON(): unknown }).toJSON()

describe("one-shot responses", () => {
  it.scoped("carry status, reason, headers (repeated ones joined by header), body, URL and protocol", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => "HTTP/1.1 203 Fine Here\r\nx-a: 1\r\nX-A: 2\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"k\":1}")
      const res = yield* Hackney.get(`${s.url}/r`, { pool: s.pool })
      expect(res.status).toBe(203)
      expect(res.reason).toBe("Fine Here")
      expect(res.header("x-a")).toBe("1, 2")
      expect(res.headerAll("X-A")).toEqual(["1", "2"])
      expect(res.header("nope")).toBeUndefined()
      expect(Headers.getAll(res.headers, "x-a")).toEqual(["1", "2"])
      expect(res.text()).toBe("{\"k\":1}")
      expect(res.json()).toEqual({ k: 1 })
      expect(res.url).toBe(`${s.url}/r`)
      expect(res.protocol).toBe("http/1.1")
      expect(res.trailers).toBeUndefined()
      expect(res.informational).toEqual([])
      expect(toJSON(res)).toEqual({ status: 203, reason: "Fine Here", url: `${s.url}/r`, headers: res.headers.toJSON(), bodyLength: 7 })
      expect(toJSON(res)).not.toHaveProperty("redirects")
      expect(res.redirects).toEqual([])
      const streamed = yield* Hackney.stream("GET", `${s.url}/r`, { pool: s.pool })
      expect(yield* streamed.text).toBe("{\"k\":1}")
      expect(yield* streamed.trailers).toBeUndefined()
      expect(streamed.redirects).toEqual([])
      // The feature path records its chain, even when empty.
      const featured = yield* Hackney.get(`${s.url}/r`, { pool: s.pool, followRedirect: true })
      expect(toJSON(featured)).toMatchObject({ status: 203, bodyLength: 7, redirects: [] })
    }))

  it.scoped("carry the trailers of a chunked body and the informational responses before the final one", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() =>
        "HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n" +
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-sum\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nx-sum: 42\r\n\r\n"
      )
      const res = yield* Hackney.get(`${s.url}/t`, { pool: s.pool })
      expect(res.text()).toBe("abcde")
      expect(Headers.getAll(res.trailers!, "x-sum")).toEqual(["42"])
      expect(res.informational).toHaveLength(1)
      expect(res.informational[0]).toMatchObject({ status: 103, reason: "Early Hints" })
      expect(Headers.getAll(res.informational[0].headers, "link")).toEqual(["</a.css>"])
      const streamed = yield* Hackney.stream("GET", `${s.url}/t`, { pool: s.pool })
      expect(streamed.informational.map((i) => i.status)).toEqual([103])
      expect(yield* streamed.text).toBe("abcde")
      expect(Headers.getAll((yield* streamed.trailers)!, "x-sum")).toEqual(["42"])
    }))

  it.scoped("give the connection back to the pool for the next request, and a closing one is not reused", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => r.target === "/close" ? reply(200, "c", [["connection", "close"]]) : reply(200, "k"))
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      yield* Hackney.get(`${s.url}/b`, { pool: s.pool, body: "x", method: "POST" } as never)
      expect(s.peers.length).toBe(1)
      expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0, free: 1 })
      yield* Hackney.get(`${s.url}/close`, { pool: s.pool })
      expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0, free: 0 })
      yield* Hackney.get(`${s.url}/c`, { pool: s.pool })
      expect(s.peers.length).toBe(2)
    }))

  it.scoped("a failed response fails the request and closes its connection", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => r.target === "/bad" ? "HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n" : reply(200, "fine"))
      const e = yield* Effect.flip(Hackney.get(`${s.url}/bad`, { pool: s.pool }))
      expect(e._tag).toBe("ProtocolError")
      expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0, free: 0 })
      expect((yield* Hackney.get(`${s.url}/ok`, { pool: s.pool })).text()).toBe("fine")
      expect(s.peers.length).toBe(2)
    }))

  it.effect("interrupted while waiting for its response: the connection is closed, not reused, nothing in use", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      // The second request takes the idle connection with its write (the idle path).
      const first = yield* Effect.fork(Hackney.get(`${s.url}/1`, { pool: s.pool }))
      yield* settle
      s.peers[0].send(reply(200, "one"))
      yield* Fiber.join(first)
      for (const body of [undefined, "bytes"]) {
        const n = s.peers.length
        const f = yield* Effect.fork(Hackney.request(body === undefined ? "GET" : "POST", `${s.url}/2`, { pool: s.pool, body }))
        yield* settle
        yield* Fiber.interrupt(f)
        expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0, free: 0 })
        const next = yield* Effect.fork(Hackney.get(`${s.url}/3`, { pool: s.pool }))
        yield* settle
        expect(s.peers.length).toBe(n + 1)
        s.peers[n].send(reply(200, "three"))
        expect((yield* Fiber.join(next)).text()).toBe("three")
      }
      const streamed = yield* Effect.fork(Hackney.request("POST", `${s.url}/4`, { pool: s.pool, body: Stream.make(bytes("a")) }))
      yield* settle
      yield* Fiber.interrupt(streamed)
      expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0 })
    }).pipe(Effect.scoped))
})

describe("without a pool", () => {
  it.scopedLive("pool: false dials a connection of its own for the request and closes it after", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => res.end(`direct ${req.url}`))
      expect((yield* Hackney.get(`${srv.url}/d`, { pool: false })).text()).toBe("direct /d")
      expect((yield* Hackney.post(`${srv.url}/e`, { pool: false, body: "x" })).text()).toBe("direct /e")
      expect(srv.accepted()).toBe(2)
    }))
})

describe("the stale keep-alive race", () => {
  it.scoped("a reused connection closed before any response byte: an idempotent request is sent once more on a fresh one", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      const res = yield* Hackney.get(`${s.url}/b`, { pool: s.pool })
      expect(res.text()).toBe("/b on 2")
      expect(s.requests.map((r) => r.target)).toEqual(["/a", "/b", "/b"])
    }))

  it.scoped("as a stream too", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(staleSecond())
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      const res = yield* Hackney.stream("GET", `${s.url}/b`, { pool: s.pool })
      expect(yield* res.text).toBe("/b on 2")
    }))

  it.scoped("a PUT of bytes is sent again; a POST, or a body Stream that cannot be sent twice, is not", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r, peer) => {
        if (r.target !== "/a" && !r.body.startsWith("again")) {
          peer.end()
          return undefined
        }
        return reply(200, `${r.body} on ${r.connection}`)
      })
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      let sent = 0
      const res = yield* Hackney.request("PUT", `${s.url}/b`, { pool: s.pool, body: "put" }).pipe(
        Effect.catchAll(() => Effect.succeed(undefined))
      )
      expect(res).toBeUndefined()
      expect(s.requests.filter((r) => r.target === "/b")).toHaveLength(2)
      sent = s.requests.length
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      const body = Stream.make(bytes("pu"), bytes("t"))
      const e1 = yield* Effect.flip(Hackney.request("PUT", `${s.url}/c`, { pool: s.pool, body }))
      expect(e1).toMatchObject({ _tag: "ConnectionClosed", reused: true, requestSent: true })
      yield* Hackney.get(`${s.url}/a`, { pool: s.pool })
      const e2 = yield* Effect.flip(Hackney.request("POST", `${s.url}/d`, { pool: s.pool, body: "p" }))
      expect(e2).toMatchObject({ _tag: "ConnectionClosed", reused: true, requestSent: true })
      expect(s.requests.slice(sent).map((r) => r.target)).toEqual(["/a", "/c", "/a", "/d"])
    }))
})

describe("streaming responses", () => {
  it.scoped("the body is a cursor: read to its end once; again fails already-read; after the scope, scope-closed", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "streamed", [["x-b", "1"], ["x-b", "2"]]))
      const scope = yield* Scope.make()
      const res = yield* Hackney.stream("GET", `${s.url}/s`, { pool: s.pool }).pipe(Scope.extend(scope))
      expect(res.status).toBe(200)
      expect(res.reason).toBe("X")
      expect(res.header("x-b")).toBe("1, 2")
      expect(res.headerAll("x-b")).toEqual(["1", "2"])
      expect(res.url).toBe(`${s.url}/s`)
      expect(res.protocol).toBe("http/1.1")
      expect(new TextDecoder().decode(yield* res.bytes)).toBe("streamed")
      expect(yield* Effect.flip(res.text)).toMatchObject({ _tag: "ResponseClosed", reason: "already-read", method: "GET", url: `${s.url}/s` })
      yield* Scope.close(scope, Exit.void)
      expect(yield* Pool.stats(s.pool)).toMatchObject({ inUse: 0, free: 1 })

      const scope2 = yield* Scope.make()
      const unread = yield* Hackney.stream("GET", `${s.url}/s`, { pool: s.pool }).pipe(Scope.extend(scope2))
      yield* Scope.close(scope2, Exit.void)
      expect(yield* Effect.flip(unread.text)).toMatchObject({ _tag: "ResponseClosed", reason: "scope-closed", method: "GET", url: `${s.url}/s` })
    }))

  it.scoped("a multipart body is decoded into its parts", () =>
    Effect.gen(function*() {
      const body = "--b\r\ncontent-disposition: form-data; name=\"f\"\r\n\r\nvalue\r\n--b--\r\n"
      const s = yield* memoryServer(() => reply(200, body, [["content-type", "multipart/form-data; boundary=b"]]))
      const res = yield* Hackney.stream("GET", `${s.url}/m`, { pool: s.pool })
      const parts = yield* Stream.runCollect(Stream.mapEffect(res.multipart(), (p) =>
        Effect.map(Stream.runCollect(p.body), (c) => [p.name, Buffer.concat([...c]).toString()])))
      expect([...parts]).toEqual([["f", "value"]])
      const none = yield* Hackney.stream("GET", `${s.url}/m`, { pool: s.pool })
      expect(none.header("content-type")).toBe("multipart/form-data; boundary=b")
    }))

  it.effect("without Content-Type, multipart fails naming it", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "x"))
      const res = yield* Hackney.stream("GET", `${s.url}/m`, { pool: s.pool })
      const e = yield* Effect.flip(Stream.runDrain(res.multipart()))
      expect(JSON.stringify(e)).toContain("(no Content-Type)")
    }).pipe(Effect.scoped))
})

describe("the request writer (open)", () => {
  it.scoped("sends strings and bytes, frames them chunked, finishes once; send after finish fails typed", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `got ${r.body}`))
      const w = yield* Hackney.open("POST", `${s.url}/w`, { pool: s.pool })
      yield* w.send("hé")
      yield* w.send(bytes("!"))
      yield* w.finish
      yield* w.finish
      const e = yield* Effect.flip(w.send("late"))
      expect(e).toMatchObject({
        _tag: "InvalidRequest",
        reason: "body",
        detail: "send was called after finish, so this chunk was not sent",
        method: "POST",
        url: `${s.url}/w`,
        requestSent: true
      })
      const res = yield* w.response
      expect(yield* res.text).toBe("got hé!")
      expect(s.peers[0].written()).toContain("3\r\nh\u00c3\u00a9\r\n1\r\n!\r\n0\r\n\r\n")
      // response finishes the body itself.
      const w2 = yield* Hackney.open("PUT", `${s.url}/w`, { pool: s.pool })
      yield* w2.send("x")
      expect(yield* (yield* w2.response).text).toBe("got x")
    }))

  it.scoped("send of a value that is not a string or bytes fails typed, naming it", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      const w = yield* Hackney.open("POST", `${s.url}/w`, { pool: s.pool })
      const e = yield* Effect.flip(w.send(42 as unknown as string))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "body", requestSent: true })
      expect(e._tag === "InvalidRequest" && e.detail).toMatch(/^send was given .*42.*; give a string or a Uint8Array$/)
    }))

  it.effect("Expect: 100-continue: the body waits for 100 Continue, then goes", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "done"))
      const w = yield* Hackney.open("POST", `${s.url}/e`, { pool: s.pool, headers: { expect: "100-continue" } })
      const sent = yield* Effect.fork(w.send("body"))
      yield* settle
      expect(s.peers[0].written()).not.toContain("body")
      expect(sent.unsafePoll()).toBeNull()
      s.peers[0].send("HTTP/1.1 100 Continue\r\n\r\n")
      yield* Fiber.join(sent)
      yield* w.finish
      expect(s.peers[0].written()).toContain("4\r\nbody\r\n0\r\n\r\n")
      expect(yield* (yield* w.response).text).toBe("done")
    }).pipe(Effect.scoped))

  it.effect("Expect: 100-continue: without an answer the body goes after continueTimeout", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "late"))
      const w = yield* Hackney.open("POST", `${s.url}/e`, { pool: s.pool, headers: { expect: "100-continue" }, continueTimeout: 500 })
      const sent = yield* Effect.fork(w.send("body"))
      yield* settle
      yield* TestClock.adjust(499)
      expect(sent.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      yield* Fiber.join(sent)
      // A second chunk does not wait again.
      yield* w.send("more")
      yield* w.finish
      expect(yield* (yield* w.response).text).toBe("late")
    }).pipe(Effect.scoped))

  it.effect("Expect: 100-continue rejected with a final status: the body is not sent and the connection not reused", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/e`, { pool: s.pool, headers: { expect: "100-continue", "content-length": "4" } })
      const sent = yield* Effect.fork(w.send("body"))
      yield* settle
      s.peers[0].send(reply(417, "no"))
      yield* Fiber.join(sent)
      yield* w.send("more")
      yield* w.finish
      const res = yield* w.response
      expect(res.status).toBe(417)
      expect(yield* res.text).toBe("no")
      expect(s.peers[0].written()).not.toContain("body")
      const head = s.peers[0].written()
      expect(head.endsWith("\r\n\r\n")).toBe(true)
    }).pipe(Effect.scoped))

  it.effect("an early final status without Expect: the rest of the body is not sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/x`, { pool: s.pool })
      yield* w.send("first")
      yield* settle
      s.peers[0].send(reply(413, "too big"))
      yield* settle
      yield* w.send("second")
      yield* w.finish
      const res = yield* w.response
      expect(res.status).toBe(413)
      expect(s.peers[0].written()).toContain("first")
      expect(s.peers[0].written()).not.toContain("second")
      expect(s.peers[0].written()).not.toContain("0\r\n\r\n")
      expect(yield* res.text).toBe("too big")
    }).pipe(Effect.scoped))

  it.effect("Expect: 100-continue rejected and finished without a send: no body framing is sent, the connection is not reused", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/e`, { pool: s.pool, headers: { expect: "100-continue" } })
      yield* settle
      s.peers[0].send(reply(417, "no"))
      yield* settle
      yield* w.finish
      const res = yield* w.response
      expect(res.status).toBe(417)
      expect(yield* res.text).toBe("no")
      expect(s.peers[0].written().endsWith("\r\n\r\n")).toBe(true)
      expect(s.peers[0].written()).not.toContain("0\r\n\r\n")
    }).pipe(Effect.scoped))

  it.effect("an early 300 is a final status too: the rest of the body is not sent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/x`, { pool: s.pool })
      yield* w.send("first")
      yield* settle
      s.peers[0].send(reply(300, "choices"))
      yield* settle
      yield* w.send("second")
      yield* w.finish
      expect((yield* w.response).status).toBe(300)
      expect(s.peers[0].written()).not.toContain("second")
    }).pipe(Effect.scoped))

  it.effect("a 2xx answer before the body does not stop it", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/x`, { pool: s.pool })
      yield* w.send("first")
      yield* settle
      s.peers[0].send("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
      yield* settle
      yield* w.send("second")
      yield* w.finish
      expect(s.peers[0].written()).toContain("6\r\nsecond\r\n0\r\n\r\n")
      const res = yield* w.response
      expect(res.status).toBe(200)
    }).pipe(Effect.scoped))
})
