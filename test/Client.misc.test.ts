/**
 * The client's small request-path modules, called directly or through the
 * whole client over in-memory connections (test/support/memoryPool.ts):
 * `connect` targets, JSON bodies both ways, response header reads, the
 * shorthands (query, json, timeout), a client's defaults, the options
 * `open` and `connect` refuse, the progress options.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Schedule, Schema, TestClock } from "effect"
import type { LookupFunction } from "node:net"
import { InvalidRequest } from "../src/HackneyError.js"
import * as Headers from "../src/Headers.js"
import { CookieJar, Hackney, HackneyClient, Pool } from "../src/index.js"
import { connectUrl } from "../src/internal/client/connectTarget.js"
import { withDeadline } from "../src/internal/client/deadline.js"
import { jsonContentType, serialise, withJsonContentType } from "../src/internal/client/jsonBody.js"
import { header, headerAll } from "../src/internal/client/responseHeaders.js"
import { jarOf, sourceOf } from "../src/internal/client/context.js"
import { hasShorthands } from "../src/internal/client/shorthands.js"
import { unsupported, withoutFeatures } from "../src/internal/client/singleExchange.js"
import { defaultSource, direct } from "../src/internal/engine/source.js"
import * as Url from "../src/Url.js"
import { settle } from "./support/driver.js"
import { echo, echoServer, rawValues } from "./support/hackney.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import type { MemoryServer } from "./support/memoryPool.js"

const detailOf = (r: string | InvalidRequest): string => (r instanceof InvalidRequest ? `${r.reason}: ${r.detail}` : `ok ${r}`)

describe("connect targets", () => {
  it("a ConnectTarget is the URL of its transport, host and port; IPv6 hosts are bracketed once", () => {
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 8080 })).toBe("http://example.test:8080")
    expect(connectUrl({ transport: "tls", host: "example.test", port: 8443 })).toBe("https://example.test:8443")
    expect(connectUrl({ transport: "tls", host: "example.test" })).toBe("https://example.test")
    expect(connectUrl({ transport: "tcp", host: "::1", port: 80 })).toBe("http://[::1]:80")
    expect(connectUrl({ transport: "tcp", host: "[::1]", port: 80 })).toBe("http://[::1]:80")
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 0 })).toBe("http://example.test:0")
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 65535 })).toBe("http://example.test:65535")
    expect(connectUrl({ transport: "unix", host: "/tmp/a b.sock" })).toBe("http+unix://%2Ftmp%2Fa%20b.sock")
  })

  it("a URL as text, a WHATWG URL or a Url is the URL's text", () => {
    expect(connectUrl("http://example.test:81/")).toBe("http://example.test:81/")
    expect(connectUrl(new URL("http://example.test:82/x"))).toBe("http://example.test:82/x")
    const u = Url.parse("http://example.test:83/y")
    if (u._tag === "Left") throw new Error("parse")
    expect(connectUrl(u.right)).toBe(Url.format(u.right))
  })

  it("a target of the wrong type, transport, host or port fails typed, naming what to give", () => {
    for (const bad of [42, null, undefined, true]) {
      const r = connectUrl(bad)
      expect(r).toBeInstanceOf(InvalidRequest)
      expect(detailOf(r)).toMatch(/^url: the connect target is .*; give a URL \(a string, a Url or a URL\) or a ConnectTarget$/)
      expect((r as InvalidRequest).method).toBe("CONNECT")
    }
    expect(detailOf(connectUrl({ transport: "udp", host: "h" }))).toBe(
      "url: the connect target's transport is \"udp\"; give \"tcp\", \"tls\" or \"unix\""
    )
    expect(detailOf(connectUrl({ host: "h" }))).toMatch(/^url: the connect target's transport is undefined/)
    expect(detailOf(connectUrl({ transport: "tcp", host: "" }))).toMatch(/^url: the connect target's host is .*; give a host name/)
    expect(detailOf(connectUrl({ transport: "tcp", host: 7 }))).toMatch(/^url: the connect target's host is/)
    for (const port of [-1, 65536, 1.5, "80", Number.NaN]) {
      expect(detailOf(connectUrl({ transport: "tcp", host: "h", port }))).toMatch(
        /^url: the connect target's port is .*; give an integer from 0 to 65535$/
      )
    }
  })
})

const req = (s: MemoryServer, path: string, options: Hackney.Options = {}) =>
  Hackney.request("GET", `${s.url}${path}`, { pool: s.pool, ...options })

describe("JSON bodies", () => {
  it("serialise: JSON text, or a typed body error saying why and what to give", () => {
    expect(serialise({ a: [1, "x", null] })).toBe("{\"a\":[1,\"x\",null]}")
    const big = serialise({ n: 1n })
    expect(big).toBeInstanceOf(InvalidRequest)
    expect(detailOf(big)).toMatch(/^body: the json value cannot be serialised \(.*BigInt.*\); give plain data: objects, arrays, strings, finite numbers, booleans and null$/)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect((serialise(cycle) as InvalidRequest).cause).toBeInstanceOf(TypeError)
    expect(detailOf(serialise(() => 1))).toMatch(/^body: the json value is .*function.*, which JSON cannot represent; give an object/)
    expect(detailOf(serialise(undefined))).toBe(
      "body: the json value is undefined, which JSON cannot represent; give an object, an array, a string, a number, a boolean or null"
    )
    const throwing = { toJSON: () => { throw "no" } }
    expect(detailOf(serialise(throwing))).toBe(
      "body: the json value cannot be serialised (no); give plain data: objects, arrays, strings, finite numbers, booleans and null"
    )
  })

  it("withJsonContentType adds application/json unless a Content-Type is given, in any case", () => {
    expect(Headers.getAll(Headers.fromInput(withJsonContentType(undefined)), "content-type")).toEqual([jsonContentType])
    expect(Headers.getAll(Headers.fromInput(withJsonContentType({ a: "1" })), "content-type")).toEqual(["application/json"])
    expect(Headers.getAll(Headers.fromInput(withJsonContentType({ "CONTENT-TYPE": "text/x" })), "content-type")).toEqual(["text/x"])
  })

  it.scoped("a response body as JSON: parsed, empty is null, invalid fails with DecodeError naming the URL", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => r.target === "/ok" ? reply(200, "{\"a\":1}") : r.target === "/empty" ? reply(200) : reply(200, "{nope"))
      expect(yield* Hackney.json(yield* req(s, "/ok"))).toEqual({ a: 1 })
      expect(yield* Hackney.json(yield* req(s, "/empty"))).toBeNull()
      const e = yield* Effect.flip(Hackney.json(yield* req(s, "/bad")))
      expect(e).toMatchObject({ _tag: "DecodeError", reason: "json", url: `${s.url}/bad` })
      expect(e._tag === "DecodeError" && e.detail).toMatch(/JSON/)
      expect(e._tag === "DecodeError" && e.cause).toBeInstanceOf(SyntaxError)
      // A streaming response's body, read to its end.
      const streamed = yield* Hackney.stream("GET", `${s.url}/ok`, { pool: s.pool })
      expect(yield* Hackney.json(streamed)).toEqual({ a: 1 })
      const streamedBad = yield* Hackney.stream("GET", `${s.url}/bad`, { pool: s.pool })
      expect(yield* Effect.flip(Hackney.json(streamedBad))).toMatchObject({ _tag: "DecodeError", reason: "json" })
    }))

  it.scoped("schemaJson: a mismatch fails with DecodeError naming the first issue, where, and how many more", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, r.target === "/one" ? "{\"a\":{\"b\":\"x\"},\"c\":1}" : r.target === "/three" ? "{\"a\":{\"b\":\"x\"},\"c\":\"y\",\"d\":2}" : "{\"a\":{\"b\":\"x\"},\"c\":\"y\"}"))
      const S = Schema.Struct({ a: Schema.Struct({ b: Schema.Number }), c: Schema.Number, d: Schema.optional(Schema.String) })
      const one = yield* Effect.flip(Hackney.schemaJson(S)(yield* req(s, "/one")))
      expect(one).toMatchObject({ _tag: "DecodeError", reason: "schema", url: `${s.url}/one` })
      expect(one._tag === "DecodeError" && one.detail).toMatch(/^at a\.b: Expected number, actual "x"$/)
      const two = yield* Effect.flip(Hackney.schemaJson(S)(yield* req(s, "/two")))
      expect(two._tag === "DecodeError" && two.detail).toMatch(/^at a\.b: Expected number, actual "x" \(and 1 more issue\)$/)
      const three = yield* Effect.flip(Hackney.schemaJson(S)(yield* req(s, "/three")))
      expect(three._tag === "DecodeError" && three.detail).toMatch(/ \(and [2-9] more issues\)$/)
      const top = yield* Effect.flip(Hackney.schemaJson(Schema.Number)(yield* req(s, "/one")))
      expect(top._tag === "DecodeError" && top.detail).toMatch(/^Expected number, actual/)
      const ok = yield* Hackney.schemaJson(Schema.Struct({ c: Schema.Number }))(yield* req(s, "/one"))
      expect(ok).toEqual({ c: 1 })
      // Options pass to the decoder: excess properties refused on request.
      const strict = yield* Effect.flip(Hackney.schemaJson(Schema.Struct({ c: Schema.Number }), { onExcessProperty: "error" })(yield* req(s, "/one")))
      expect(strict._tag === "DecodeError" && strict.detail).toMatch(/^at a: is unexpected/)
    }))
})

describe("response header reads", () => {
  it("a repeated field's values joined with \", \", one value as is, absent undefined; headerAll never joins", () => {
    const h = Headers.fromRaw(["a", "1", "B", "2", "a", "3"])
    expect(header(h, "A")).toBe("1, 3")
    expect(header(h, "b")).toBe("2")
    expect(header(h, "c")).toBeUndefined()
    expect(headerAll(h, "a")).toEqual(["1", "3"])
    expect(headerAll(h, "c")).toEqual([])
  })
})

describe("the timeout deadline", () => {
  it.effect("fails with RequestTimeout after exactly its millis, naming the request and the option's total", () =>
    Effect.gen(function*() {
      const f = yield* Effect.fork(withDeadline(Effect.never, 1000, "head", "GET", "http://x.test/", 1500, "attemptTimeout"))
      yield* TestClock.adjust(999)
      expect(f.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Effect.flip(Fiber.join(f))
      expect(e).toMatchObject({ _tag: "RequestTimeout", timeoutMillis: 1500, until: "head", method: "GET", url: "http://x.test/", option: "attemptTimeout" })
      const g = yield* Effect.fork(withDeadline(Effect.never, 10, "response", undefined, undefined))
      yield* TestClock.adjust(10)
      expect(yield* Effect.flip(Fiber.join(g))).toMatchObject({ timeoutMillis: 10, until: "response", option: "timeout" })
      expect(yield* withDeadline(Effect.succeed(7), 10, "response", undefined, undefined)).toBe(7)
    }))
})

describe("shorthands", () => {
  it("hasShorthands: query, json or timeout", () => {
    expect(hasShorthands({})).toBe(false)
    expect(hasShorthands({ query: { a: "1" } })).toBe(true)
    expect(hasShorthands({ json: null })).toBe(true)
    expect(hasShorthands({ timeout: 5 })).toBe(true)
  })

  it.scoped("query is appended to the URL, json becomes the body with its Content-Type", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `${r.method} ${r.target} ${r.body}`))
      const res = yield* Hackney.request("post", `${s.url}/q?x=1`, { pool: s.pool, query: { y: "2 3" }, json: { a: 1 } })
      expect(res.text()).toBe("POST /q?x=1&y=2+3 {\"a\":1}")
      expect(s.requests[0].headers).toContainEqual(["content-type", "application/json"])
      expect(res.url).toBe(`${s.url}/q?x=1&y=2+3`)
      const own = yield* Hackney.post(`${s.url}/j`, { pool: s.pool, json: [1], headers: { "content-type": "application/x+json" } })
      expect(own.text()).toBe("POST /j [1]")
      expect(s.requests[1].headers.filter(([k]) => k === "content-type")).toEqual([["content-type", "application/x+json"]])
    }))

  it.scoped("json with body, or json JSON cannot write, fails typed naming the request", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200))
      const both = yield* Effect.flip(Hackney.post(`${s.url}/b`, { pool: s.pool, json: 1, body: "x" }))
      expect(both).toMatchObject({ _tag: "InvalidRequest", reason: "body", detail: "both json and body were given; give one of them", method: "POST", url: `${s.url}/b` })
      const big = yield* Effect.flip(Hackney.post(`${s.url}/b`, { pool: s.pool, json: 2n }))
      expect(big).toMatchObject({ _tag: "InvalidRequest", reason: "body", method: "POST" })
      expect(s.requests).toEqual([])
    }))

  it.effect("timeout bounds the whole response (its body too) and names the method upper-cased and the URL with its query", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((_r, peer) => {
        peer.send("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
        return undefined
      })
      const f = yield* Effect.fork(Hackney.request("get", `${s.url}/t`, { pool: s.pool, timeout: 2000, recvTimeout: Infinity, query: { q: "1" } }))
      yield* settle
      yield* TestClock.adjust(1999)
      expect(f.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Effect.flip(Fiber.join(f))
      expect(e).toMatchObject({ _tag: "RequestTimeout", timeoutMillis: 2000, until: "response", method: "GET", url: `${s.url}/t?q=1`, option: "timeout" })
    }).pipe(Effect.scoped))

  it.effect("timeout of a stream covers its head only", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((_r, peer) => {
        peer.send("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
        return undefined
      })
      const res = yield* Hackney.stream("GET", `${s.url}/t`, { pool: s.pool, timeout: 2000, recvTimeout: Infinity })
      yield* TestClock.adjust(5000)
      expect(res.status).toBe(200)
      const more = yield* Effect.fork(res.text)
      yield* settle
      s.peers[0].send("defghij")
      expect(yield* Fiber.join(more)).toBe("abcdefghij")
    }).pipe(Effect.scoped))

  it.effect("timeout of open is one deadline from the call: the response gets what is left of it", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const w = yield* Hackney.open("POST", `${s.url}/o`, { pool: s.pool, timeout: 3000, recvTimeout: Infinity })
      yield* TestClock.adjust(1000)
      yield* w.send("abc")
      const res = yield* Effect.fork(w.response)
      yield* settle
      yield* TestClock.adjust(1999)
      expect(res.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Effect.flip(Fiber.join(res))
      expect(e).toMatchObject({ _tag: "RequestTimeout", timeoutMillis: 3000, until: "head", method: "POST", url: `${s.url}/o` })
      // A writer past its deadline still gets 1 ms, not none or a negative one.
      const late = yield* Hackney.open("POST", `${s.url}/o`, { pool: s.pool, timeout: 100, recvTimeout: Infinity })
      yield* TestClock.adjust(500)
      const r2 = yield* Effect.fork(late.response)
      yield* settle
      expect(r2.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Effect.flip(Fiber.join(r2))).toMatchObject({ _tag: "RequestTimeout", timeoutMillis: 100 })
    }).pipe(Effect.scoped))

  it.effect("an open writer within its timeout sends and gets its response; send and finish are the writer's", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `got ${r.body}`))
      const w = yield* Hackney.open("POST", `${s.url}/o`, { pool: s.pool, timeout: 3000, headers: { "content-length": "2" } })
      yield* w.send("hi")
      yield* w.finish
      const res = yield* w.response
      expect(yield* res.text).toBe("got hi")
    }).pipe(Effect.scoped))
})

describe("a client with defaults", () => {
  it.scoped("each verb sends its method to the URL resolved against baseUrl, with the defaults", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, `${r.method} ${r.target}`))
      const client = HackneyClient.make({ baseUrl: `${s.url}/v1/`, pool: s.pool })
      const verbs = [
        client.get, client.head, client.post, client.put, client.patch, client.delete, client.options, client.trace, client.query
      ]
      for (const verb of verbs) yield* verb("items")
      yield* client.request("PROPFIND", "x")
      expect(s.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
        "GET /v1/items", "HEAD /v1/items", "POST /v1/items", "PUT /v1/items", "PATCH /v1/items", "DELETE /v1/items",
        "OPTIONS /v1/items", "TRACE /v1/items", "QUERY /v1/items", "PROPFIND /v1/x"
      ])
      expect(client.defaults).toEqual({ pool: s.pool, baseUrl: `${s.url}/v1/` })
      expect(HackneyClient.make({ pool: s.pool }).defaults).toEqual({ pool: s.pool })
      const streamed = yield* client.stream("GET", "s")
      expect(yield* streamed.text).toBe("GET /v1/s")
    }))

  it.scoped("headers merge per name and query per key only when both give them; a request's undefined removes a default", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, r.target))
      const client = HackneyClient.make({ baseUrl: s.url, pool: s.pool, headers: { "x-d": "1", "x-both": "d" }, query: { a: "1", b: "2" } })
      yield* client.get("/p", { headers: { "x-both": "r", "x-r": "2" }, query: { b: "3" } })
      const r0 = s.requests[0]
      expect([r0.target, r0.headers.filter(([k]) => k.startsWith("x-"))]).toEqual([
        "/p?a=1&b=3", [["x-both", "r"], ["x-r", "2"], ["x-d", "1"]]
      ])
      yield* client.get("/q")
      expect(s.requests[1].target).toBe("/q?a=1&b=2")
      expect(s.requests[1].headers.filter(([k]) => k.startsWith("x-"))).toEqual([["x-d", "1"], ["x-both", "d"]])
      yield* client.get("/u", { headers: undefined, query: undefined })
      expect(s.requests[2].target).toBe("/u")
      expect(s.requests[2].headers.filter(([k]) => k.startsWith("x-"))).toEqual([])
      // Only the request gives them.
      const bare = HackneyClient.make({ baseUrl: s.url, pool: s.pool })
      yield* bare.get("/v", { headers: { "x-only": "1" }, query: { z: "9" } })
      expect(s.requests[3].target).toBe("/v?z=9")
      expect(s.requests[3].headers.filter(([k]) => k.startsWith("x-"))).toEqual([["x-only", "1"]])
    }))

  it.scoped("open leaves out the defaults' features and attemptTimeout, keeping the rest", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, r.body))
      const client = HackneyClient.make({
        baseUrl: s.url, pool: s.pool, followRedirect: true, attemptTimeout: 1000, headers: { "x-d": "1" }
      })
      const w = yield* client.open("POST", "/o")
      yield* w.send("body")
      expect(yield* (yield* w.response).text).toBe("body")
      expect(s.requests[0].headers).toContainEqual(["x-d", "1"])
      const plain = HackneyClient.make({ baseUrl: s.url, pool: s.pool, attemptTimeout: 1000 })
      const w2 = yield* plain.open("POST", "/o")
      yield* w2.send("two")
      expect(yield* (yield* w2.response).text).toBe("two")
    }))

  it.scoped("a reference that does not resolve fails typed naming it and the base without userinfo; a relative extend resolves", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer((r) => reply(200, r.target))
      const client = HackneyClient.make({ baseUrl: "http://user:pw@memory.test/a/", pool: s.pool })
      const e = yield* Effect.flip(client.get("http://[bad"))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "url" })
      expect(e._tag === "InvalidRequest" && e.detail).toMatch(/^"http:\/\/\[bad" against baseUrl http:\/\/memory\.test\/a\/: /)
      const again = yield* Effect.flip(client.get("http://[bad"))
      expect(again).toBe(e)
      const sub = client.extend({ baseUrl: "b/" })
      expect(sub.defaults).toMatchObject({ baseUrl: "http://user:pw@memory.test/a/b/" })
      yield* sub.get("c")
      expect(s.requests[0].target).toBe("/a/b/c")
      const badParent = HackneyClient.make({ baseUrl: "ftp://x.test/" }).extend({ baseUrl: "b/" })
      expect(yield* Effect.flip(badParent.get("c"))).toMatchObject({ _tag: "InvalidRequest", reason: "url" })
      const badRel = client.extend({ baseUrl: "http://[x" })
      const e2 = yield* Effect.flip(badRel.get("c"))
      expect(e2._tag === "InvalidRequest" && e2.detail.startsWith("baseUrl: ")).toBe(true)
      const badType = yield* Effect.flip(HackneyClient.make({ baseUrl: 7 as never }).get("c"))
      expect(badType._tag === "InvalidRequest" && badType.detail).toMatch(/^baseUrl: it is .*7.*; give an absolute http\(s\) URL \(a string, a URL or a Url\)$/)
      const notObject = yield* Effect.flip(HackneyClient.make("x" as never).get("http://memory.test/"))
      expect(notObject._tag === "InvalidRequest" && notObject.detail).toMatch(/^the client defaults are .*; give an object$/)
      // Options that are not an object reach the engine, which fails them typed.
      expect(yield* Effect.flip(client.get("c", 5 as never))).toMatchObject({ _tag: "InvalidRequest" })
    }))
})

describe("what open and connect do not run", () => {
  it("unsupported names the first option set (false is unset), and withoutFeatures drops only the features", () => {
    expect(unsupported("open", {})).toBeUndefined()
    expect(unsupported("open", { followRedirect: false, uploadProgress: () => Effect.void })).toBeUndefined()
    expect(unsupported("open", { retry: Schedule.recurs(1) })?.detail).toBe(
      "Hackney.open does not run the retry option (one exchange whose body you write); use Hackney.request or Hackney.stream for it, or remove it"
    )
    expect(unsupported("connect", { downloadProgress: () => Effect.void })?.detail).toBe(
      "Hackney.connect does not run the downloadProgress option (requests on one connection); use Hackney.request or Hackney.stream for it, or remove it"
    )
    expect(unsupported("connect", { tracing: true })?.reason).toBe("option")
    const plain = { recvTimeout: 5 }
    expect(withoutFeatures(plain)).toBe(plain)
    expect(withoutFeatures({ recvTimeout: 5, followRedirect: true, metrics: false })).toEqual({ recvTimeout: 5 })
  })
})

describe("a request's context", () => {
  it.effect("the pool option, else the Pool in context; the cookieJar option (false: none), else the CookieJar in context", () =>
    Effect.gen(function*() {
      const jar = CookieJar.make()
      const other = CookieJar.make()
      const pool = yield* Pool.make({ name: "ctx-test" })
      const ctx = Context.make(Pool.Pool, pool).pipe(Context.add(CookieJar.CookieJar, other)) as Context.Context<never>
      expect(sourceOf({}, ctx)).toBe(pool)
      expect(sourceOf({ pool: false }, ctx)).toBe(direct)
      expect(sourceOf({}, Context.empty() as Context.Context<never>)).toBe(defaultSource())
      expect(jarOf({ cookieJar: jar }, ctx)).toBe(jar)
      expect(jarOf({ cookieJar: false }, ctx)).toBeUndefined()
      expect(jarOf({}, ctx)).toBe(other)
      expect(jarOf({}, Context.empty() as Context.Context<never>)).toBeUndefined()
    }).pipe(Effect.scoped))
})

describe("Hackney.connect's requests", () => {
  it.scoped("a path without its leading slash gets one; query, json and timeout apply per request", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url, { headers: { "x-c": "1" } })
      const a = echo(yield* conn.request({ method: "post", path: "items", query: { q: "1" }, json: { k: 2 } }))
      expect([a.method, a.url, a.body]).toEqual(["POST", "/items?q=1", "{\"k\":2}"])
      expect(rawValues(a.rawHeaders, "content-type")).toEqual(["application/json"])
      expect(rawValues(a.rawHeaders, "x-c")).toEqual(["1"])
      const b = echo(yield* conn.request({ method: "GET", headers: { "x-r": "2" }, timeout: "5 seconds" }))
      expect(b.url).toBe("/")
      expect(rawValues(b.rawHeaders, "x-r")).toEqual(["2"])
      expect(rawValues(b.rawHeaders, "x-c")).toEqual([])
      const streamed = yield* conn.stream({ method: "GET", path: "/s", query: { z: "3" } })
      expect((JSON.parse(yield* streamed.text) as { url: string }).url).toBe("/s?z=3")
    }))

  it.scoped("a request that is not a ConnectionRequest, a bad method or path, or bad options fail typed, nothing sent", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const conn = yield* Hackney.connect(srv.url)
      const notObject = yield* Effect.flip(conn.request(7 as never))
      expect(notObject).toMatchObject({ _tag: "InvalidRequest", reason: "option", url: srv.url })
      expect(notObject._tag === "InvalidRequest" && notObject.detail).toMatch(/^the request is .*7.*; give \{ method, path\?, headers\?, body\? \}$/)
      expect(yield* Effect.flip(conn.request(null as never))).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect(yield* Effect.flip(conn.request({ method: "G T" }))).toMatchObject({ _tag: "InvalidRequest" })
      const badPath = yield* Effect.flip(conn.request({ method: "GET", path: 5 as never }))
      expect(badPath).toMatchObject({ _tag: "InvalidRequest", reason: "target", method: "GET", url: srv.url })
      expect(badPath._tag === "InvalidRequest" && badPath.detail).toMatch(/^the path is .*5.*; give a string such as "\/items\?page=2"$/)
      const both = yield* Effect.flip(conn.request({ method: "POST", path: "/j", json: 1, body: "x" }))
      expect(both).toMatchObject({ _tag: "InvalidRequest", reason: "body", method: "POST" })
      const badTimeout = yield* Effect.flip(conn.request({ method: "GET", timeout: -1 as never }))
      expect(badTimeout).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: `${srv.url}/` })
      expect(srv.accepted()).toBe(1)
      const ok = echo(yield* conn.request({ method: "GET", path: "/after" }))
      expect(ok.url).toBe("/after")
    }))

  it.effect("connect's timeout bounds the dial: RequestTimeout naming CONNECT", () =>
    Effect.gen(function*() {
      const dialling = yield* Deferred.make<void>()
      const lookup: LookupFunction = () => Deferred.unsafeDone(dialling, Exit.void)
      const f = yield* Effect.fork(Effect.scoped(Hackney.connect("http://never.test:81/", { lookup, timeout: 700, connectTimeout: 60_000 })))
      yield* Deferred.await(dialling)
      yield* TestClock.adjust(699)
      expect(f.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Effect.flip(Fiber.join(f))).toMatchObject({
        _tag: "RequestTimeout", timeoutMillis: 700, until: "head", method: "CONNECT", url: "http://never.test:81/"
      })
    }))
})
