/**
 * HackneyClient: a base URL resolved by RFC 3986 (not concatenated), default
 * headers merged per name and query per key (the request wins), other
 * options replaced, `extend` composing, and the client as a service.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import type * as Hackney from "../src/Hackney.js"
import * as HackneyClient from "../src/HackneyClient.js"
import * as Url from "../src/Url.js"
import { echo, echoHandler, echoServer, eventually, rawValues, realSleep, typedFailure } from "./support/hackney.js"
import type { Echo } from "./support/hackney.js"
import { httpServer, rawServer } from "./support/servers.js"


describe("HackneyClient baseUrl (RFC 3986 resolution)", () => {
  it.scopedLive("references resolve as RFC 3986 says: the trailing slash, absolute paths, ../, query-only, empty", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const slash = HackneyClient.make({ baseUrl: `${s.url}/v1/a/?k=1` })
      const noSlash = HackneyClient.make({ baseUrl: `${s.url}/v1/a` })
      const cases: ReadonlyArray<readonly [HackneyClient.HackneyClient, string, string]> = [
        [slash, "items", "/v1/a/items"],
        [noSlash, "items", "/v1/items"],
        [slash, "/items", "/items"],
        [slash, "../x", "/v1/x"],
        [slash, "../../../../x", "/x"],
        [slash, "./b/./c/../d", "/v1/a/b/d"],
        [slash, "?page=2", "/v1/a/?page=2"],
        [noSlash, "?page=2", "/v1/a?page=2"],
        [slash, "", "/v1/a/?k=1"],
        [slash, "#frag", "/v1/a/?k=1"],
        [slash, "items?x=a%20b", "/v1/a/items?x=a%20b"]
      ]
      for (const [client, ref, path] of cases) {
        expect([ref, echo(yield* client.get(ref)).url]).toEqual([ref, path])
      }
    }))

  it.scopedLive("an absolute URL, a network-path reference, a URL or a Url value replaces the base", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const other = yield* httpServer(echoHandler)
      const api = HackneyClient.make({ baseUrl: `${s.url}/v1/` })
      const host = (res: Hackney.Response) => rawValues(echo(res).rawHeaders, "host")[0]
      const otherHost = other.url.slice("http://".length)
      expect(host(yield* api.get(`${other.url}/x`))).toBe(otherHost)
      expect(host(yield* api.get(`//${otherHost}/x`))).toBe(otherHost)
      expect(host(yield* api.get(new URL(`${other.url}/x`)))).toBe(otherHost)
      expect(host(yield* api.get(Either.getOrThrow(Url.parse(`${other.url}/x`))))).toBe(otherHost)
    }))

  it.effect("a baseUrl that is not an absolute http(s) URL fails every request with InvalidRequest (url)", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["/relative/", "ftp://files.test/", "mailto:a@b.test", 42]) {
        const e = yield* typedFailure(HackneyClient.make({ baseUrl: baseUrl as never }).get("x"))
        expect([String(baseUrl), e._tag, e.reason, String(e.detail).startsWith("baseUrl: ")]).toEqual([String(baseUrl), "InvalidRequest", "url", true])
      }
      const e = yield* typedFailure(HackneyClient.make(null as never).get("http://127.0.0.1:1/"))
      expect([e._tag, e.reason]).toEqual(["InvalidRequest", "option"])
    }))

  it.effect("without a baseUrl, a relative URL fails as with Hackney.get", () =>
    Effect.gen(function*() {
      const e = yield* typedFailure(HackneyClient.make({ headers: { a: "1" } }).get("/x"))
      expect([e._tag, e.reason]).toEqual(["InvalidRequest", "url"])
    }))
})

describe("HackneyClient defaults", () => {
  it.scopedLive("headers merge per name (any case), the request's replacing every default line of that name", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const api = HackneyClient.make({
        baseUrl: `${s.url}/`,
        headers: [["Accept", "text/html"], ["X-Tag", "a"], ["x-tag", "b"], ["X-Keep", "k"]]
      })
      const e = echo(yield* api.get("h", { headers: { accept: "application/json", "X-TAG": "mine" } }))
      expect(rawValues(e.rawHeaders, "accept")).toEqual(["application/json"])
      expect(rawValues(e.rawHeaders, "x-tag")).toEqual(["mine"])
      expect(rawValues(e.rawHeaders, "x-keep")).toEqual(["k"])
      const plain = echo(yield* api.get("h"))
      expect(rawValues(plain.rawHeaders, "x-tag")).toEqual(["a", "b"])
    }))

  it.scopedLive("query merges per key (the request's keys replace the defaults'), after the URL's own query", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const api = HackneyClient.make({ baseUrl: `${s.url}/`, query: { key: "k1", lang: "en" } })
      expect(echo(yield* api.get("q?x=1", { query: { lang: "fr", page: 2 } })).url).toBe("/q?x=1&key=k1&lang=fr&page=2")
      expect(echo(yield* api.get("q")).url).toBe("/q?key=k1&lang=en")
    }))

  it.scopedLive("json, stream and open take the defaults too (open without the default attemptTimeout)", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const api = HackneyClient.make({ baseUrl: `${s.url}/api/`, headers: { "x-app": "t" }, attemptTimeout: "5 seconds" })
      const posted = echo(yield* api.post("items", { json: { a: 1 } }))
      expect([posted.url, posted.body, rawValues(posted.rawHeaders, "x-app")]).toEqual(["/api/items", `{"a":1}`, ["t"]])
      const streamed = yield* Effect.scoped(Effect.flatMap(api.stream("GET", "s"), (r) => r.text))
      expect((JSON.parse(streamed) as Echo).url).toBe("/api/s")
      const opened = yield* Effect.scoped(Effect.gen(function*() {
        const w = yield* api.open("PUT", "o")
        yield* w.send("body")
        return yield* (yield* w.response).text
      }))
      expect([(JSON.parse(opened) as Echo).url, (JSON.parse(opened) as Echo).body]).toEqual(["/api/o", "body"])
    }))

  it.scoped("a default timeout applies (TestClock), and a request's undefined removes it", () =>
    Effect.gen(function*() {
      let heads = 0
      const s = yield* rawServer((socket) => socket.on("data", () => void heads++))
      const api = HackneyClient.make({ baseUrl: `${s.url}/`, timeout: "3 seconds", recvTimeout: Infinity })
      const fiber = yield* Effect.fork(Effect.flip(api.get("slow")))
      const unbounded = yield* Effect.fork(api.get("slow", { timeout: undefined }))
      yield* eventually(() => heads === 2, 2000, "both requests")
      yield* TestClock.adjust("3 seconds")
      const e = yield* Fiber.join(fiber)
      expect(e._tag).toBe("RequestTimeout")
      yield* TestClock.adjust("1 hour")
      yield* realSleep(20)
      expect(Option.isNone(yield* Fiber.poll(unbounded))).toBe(true)
      yield* Fiber.interrupt(unbounded)
    }))

  it.scopedLive("extend: a relative baseUrl resolves against the current one, headers accumulate, options replace", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const api = HackneyClient.make({ baseUrl: `${s.url}/v1/`, headers: { a: "1", b: "1" }, maxRedirect: 1 })
      const admin = api.extend({ baseUrl: "admin/", headers: { b: "2" }, maxRedirect: 3 })
      const e = echo(yield* admin.delete("users/7"))
      expect([e.method, e.url, rawValues(e.rawHeaders, "a"), rawValues(e.rawHeaders, "b")]).toEqual(["DELETE", "/v1/admin/users/7", ["1"], ["2"]])
      expect(admin.defaults.baseUrl).toBe(`${s.url}/v1/admin/`)
      expect(admin.defaults.maxRedirect).toBe(3)
      expect(echo(yield* api.get("x")).url).toBe("/v1/x") // the parent is unchanged
    }))

  it.scopedLive("as a service: HackneyClient.layer provides the HackneyClient tag", () =>
    Effect.gen(function*() {
      const s = yield* echoServer
      const res = yield* Effect.flatMap(HackneyClient.HackneyClient, (api) => api.get("health")).pipe(
        Effect.provide(HackneyClient.layer({ baseUrl: `${s.url}/svc/` }))
      )
      expect(echo(res).url).toBe("/svc/health")
    }))
})
