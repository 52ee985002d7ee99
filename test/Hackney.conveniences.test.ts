/**
 * The request conveniences: `query` (appended with hackney's encoding after
 * the URL's own query), `json` (serialised, `application/json` unless
 * given; what JSON cannot serialise fails typed) and reading one header of
 * a response (`header`, `headerAll`) — on `request`, the verbs, `stream`
 * and `open`, on the plain and the feature (redirect) paths.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import type * as http from "node:http"
import * as Hackney from "../src/Hackney.js"
import * as Url from "../src/Url.js"
import { echo, echoServer, rawValues, typedFailure } from "./support/hackney.js"
import type { Echo } from "./support/hackney.js"
import { httpServer } from "./support/servers.js"


describe("query option", () => {
  it.scopedLive("appended after the URL's own query (kept as written), in order, with hackney's encoding", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const res = yield* Hackney.get(`${s.url}/search?lang=en&x=%2F`, {
        query: { q: "a b&c", page: 2, exact: true, off: false, tag: ["x", "y"], skipped: undefined }
      })
      expect(echo(res).url).toBe("/search?lang=en&x=%2F&q=a+b%26c&page=2&exact=true&off=false&tag=x&tag=y")
    }))

  it.scopedLive("pairs and a URLSearchParams keep their order and repeated keys; a URL without a query gets one", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const pairs = yield* Hackney.get(`${s.url}/p`, { query: [["b", "2"], ["a", 1], ["b", "3"]] })
      expect(echo(pairs).url).toBe("/p?b=2&a=1&b=3")
      const params = yield* Hackney.get(`${s.url}/p`, { query: new URLSearchParams([["k", "é"], ["k", "~"]]) })
      expect(echo(params).url).toBe("/p?k=%C3%A9&k=~")
    }))

  it.scopedLive("goes before a fragment; a URL ending in ? or & is not given an empty parameter", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      expect(echo(yield* Hackney.get(`${s.url}/f#frag`, { query: { a: "1" } })).url).toBe("/f?a=1")
      expect(echo(yield* Hackney.get(`${s.url}/f?`, { query: { a: "1" } })).url).toBe("/f?a=1")
      expect(echo(yield* Hackney.get(`${s.url}/f?x=1&`, { query: { a: "1" } })).url).toBe("/f?x=1&a=1")
    }))

  it.scopedLive("an empty query (no parameters, or all undefined) leaves the URL as it is", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      expect(echo(yield* Hackney.get(`${s.url}/e?z=1`, { query: {} })).url).toBe("/e?z=1")
      expect(echo(yield* Hackney.get(`${s.url}/e`, { query: { a: undefined } })).url).toBe("/e")
    }))

  it.scopedLive("works with a WHATWG URL and a parsed Url, on stream and open, and on the redirect path", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const viaUrl = yield* Hackney.get(new URL(`${s.url}/u?a=1`), { query: { b: 2 } })
      expect(echo(viaUrl).url).toBe("/u?a=1&b=2")
      const parsed = Either.getOrThrow(Url.parse(`${s.url}/v?a=1`))
      expect(echo(yield* Hackney.get(parsed, { query: { b: 2 } })).url).toBe("/v?a=1&b=2")
      const streamed = yield* Effect.scoped(
        Effect.flatMap(Hackney.stream("GET", `${s.url}/s`, { query: { c: 3 } }), (r) => r.text)
      )
      expect((JSON.parse(streamed) as Echo).url).toBe("/s?c=3")
      const opened = yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("POST", `${s.url}/o`, { query: { d: 4 } })
        yield* w.send("x")
        return yield* (yield* w.response).text
      }))
      expect((JSON.parse(opened) as Echo).url).toBe("/o?d=4")
      const featured = yield* Hackney.get(`${s.url}/r`, { query: { e: 5 }, followRedirect: true })
      expect(echo(featured).url).toBe("/r?e=5")
    }))

  it.effect("a value that is not a string, finite number or boolean fails with InvalidRequest naming the option", () =>
    Effect.gen(function*() {
      for (const query of [{ a: NaN }, { a: { b: 1 } }, [["a"]], "a=1", new Map([["a", "1"]])]) {
        const e = yield* typedFailure(Hackney.get("http://127.0.0.1:1/", { query: query as never }))
        expect([e._tag, e.reason, String(e.detail).startsWith("the option query is ")]).toEqual(["InvalidRequest", "option", true])
      }
    }))
})

describe("json option", () => {
  it.scopedLive("serialises the value and sets Content-Type: application/json", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const e = echo(yield* Hackney.post(s.url, { json: { a: [1, "é"], b: null } }))
      expect(e.body).toBe(`{"a":[1,"é"],"b":null}`)
      expect(rawValues(e.rawHeaders, "content-type")).toEqual(["application/json"])
      expect(rawValues(e.rawHeaders, "content-length")).toEqual([String(Buffer.byteLength(e.body))])
    }))

  it.scopedLive("keeps the caller's Content-Type (any case), and serialises null, false, 0 and \"\"", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const e = echo(yield* Hackney.put(s.url, { json: [1], headers: [["CONTENT-TYPE", "application/vnd.api+json"]] }))
      expect(rawValues(e.rawHeaders, "content-type")).toEqual(["application/vnd.api+json"])
      for (const [json, body] of [[null, "null"], [false, "false"], [0, "0"], ["", `""`]] as const) {
        expect(echo(yield* Hackney.post(s.url, { json })).body).toBe(body)
      }
    }))

  it.scopedLive("on stream and on the redirect path (a 307 resends it)", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const text = yield* Effect.scoped(Effect.flatMap(Hackney.stream("PATCH", s.url, { json: { x: 1 } }), (r) => r.text))
      expect((JSON.parse(text) as Echo).body).toBe(`{"x":1}`)
      const hops = yield* httpServer((req, res) => {
        if (req.url === "/from") {
          res.writeHead(307, { location: `${s.url}/to` })
          return void res.end()
        }
        res.end()
      })
      const moved = echo(yield* Hackney.post(`${hops.url}/from`, { json: { y: 2 }, followRedirect: true }))
      expect([moved.url, moved.body, rawValues(moved.rawHeaders, "content-type")]).toEqual(["/to", `{"y":2}`, ["application/json"]])
    }))

  it.effect("json with body fails with InvalidRequest (body) before any I/O", () =>
    Effect.gen(function*() {
      const e = yield* typedFailure(Hackney.post("http://127.0.0.1:1/", { json: {}, body: "x" }))
      expect([e._tag, e.reason, e.detail]).toEqual(["InvalidRequest", "body", "both json and body were given; give one of them"])
      expect(e.message).toContain("POST http://127.0.0.1:1/")
    }))

  it.effect("a value JSON cannot serialise (BigInt, cycle, function, symbol, throwing toJSON) is InvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      const values = [{ n: 1n }, cycle, () => 1, Symbol("s"), { toJSON: () => { throw new Error("no") } }]
      for (const json of values) {
        const e = yield* typedFailure(Hackney.post("http://127.0.0.1:1/", { json }))
        expect([e._tag, e.reason]).toEqual(["InvalidRequest", "body"])
      }
    }))

  it.effect("open takes no json (a JavaScript caller's): InvalidRequest", () =>
    Effect.gen(function*() {
      const e = yield* typedFailure(Effect.scoped(Hackney.open("POST", "http://127.0.0.1:1/", { json: 1 } as never)))
      expect([e._tag, e.reason]).toEqual(["InvalidRequest", "body"])
    }))
})

describe("res.header / res.headerAll", () => {
  const handler = (_req: unknown, res: http.ServerResponse) => {
    res.setHeader("x-one", "1")
    res.setHeader("vary", ["accept", "accept-encoding"])
    res.setHeader("set-cookie", ["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2"])
    res.end("ok")
  }

  const check = (res: { header(n: string): string | undefined; headerAll(n: string): ReadonlyArray<string> }) => {
    expect(res.header("X-One")).toBe("1")
    expect(res.header("vary")).toBe("accept, accept-encoding")
    expect(res.headerAll("VARY")).toEqual(["accept", "accept-encoding"])
    expect(res.header("set-cookie")).toBe("a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT, b=2")
    expect(res.headerAll("set-cookie")).toEqual(["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2"])
    expect(res.header("absent")).toBeUndefined()
    expect(res.headerAll("absent")).toEqual([])
  }

  it.scopedLive("Response and StreamingResponse, plain and feature paths: joined with \", \", or every value", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(handler)
      check(yield* Hackney.get(s.url))
      check(yield* Hackney.get(s.url, { followRedirect: true }))
      yield* Effect.scoped(Effect.map(Hackney.stream("GET", s.url), check))
      yield* Effect.scoped(Effect.map(Hackney.stream("GET", s.url, { followRedirect: true }), check))
      yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("POST", s.url)
        const res = yield* w.response
        check(res)
        yield* Stream.runDrain(res.body)
      }))
    }))
})

describe("conveniences on Hackney.connect", () => {
  it.scopedLive("a connection's requests take query and json; query and json on connect itself fail typed", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const conn = yield* Hackney.connect(s.url)
      const got = echo(yield* conn.request({ method: "GET", path: "/c?a=1", query: { b: [2, 3] } }))
      expect(got.url).toBe("/c?a=1&b=2&b=3")
      const posted = echo(yield* conn.request({ method: "POST", path: "/j", json: { x: true } }))
      expect([posted.body, rawValues(posted.rawHeaders, "content-type")]).toEqual([`{"x":true}`, ["application/json"]])
      const streamed = yield* Effect.scoped(Effect.flatMap(conn.stream({ method: "GET", query: { s: 1 } }), (r) => r.text))
      expect((JSON.parse(streamed) as Echo).url).toBe("/?s=1")
      const bad = yield* typedFailure(conn.request({ method: "POST", json: 1n }))
      expect([bad._tag, bad.reason]).toEqual(["InvalidRequest", "body"])
      const e = yield* typedFailure(Effect.scoped(Hackney.connect(s.url, { query: { a: "1" } } as never)))
      expect([e._tag, e.reason]).toEqual(["InvalidRequest", "option"])
    }))
})
