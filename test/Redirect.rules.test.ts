/**
 * The rules of `Hackney`'s redirect hop (internal/client/redirect.ts), without
 * sockets: which fields a re-issued request keeps, where its credentials go,
 * its fragment, the schemes it may follow, and how much of a followed 3xx
 * body is drained before its connection is given back.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Scope, Stream } from "effect"
import * as Headers from "../src/Headers.js"
import * as Url from "../src/Url.js"
import { drain, isReplayable, nextHop } from "../src/internal/client/redirect.js"
import { multipleLocations } from "../src/internal/engine/redirect.js"
import type { Hop } from "../src/internal/client/redirect.js"
import type { StreamingResponse } from "../src/Hackney.js"

const url = (s: string): Url.Url => Either.getOrThrow(Url.parse(s))

const hop = (over: Partial<Hop> = {}): Hop => ({
  method: "POST",
  input: "http://a.test/start",
  headers: Headers.fromInput({}),
  body: "payload",
  basicAuth: undefined,
  cookie: undefined,
  ...over
})

const follow = (h: Hop, from: string, status: number, location: string, trusted = false) => {
  const r = nextHop(h, url(from), status, location, trusted)
  if (Either.isLeft(r)) throw new Error(`expected a hop, got ${r.left.message}`)
  return r.right
}

const names = (h: Headers.Headers): Array<string> => Headers.toEntries(h).map(([n]) => n.toLowerCase())

const bodyFields = {
  "content-type": "text/plain",
  "content-length": "7",
  "content-encoding": "gzip",
  "content-language": "en",
  "content-location": "/doc",
  "transfer-encoding": "chunked",
  expect: "100-continue",
  "x-custom": "kept"
}

describe("redirect hop: the request that follows", () => {
  it("a 303 (and 301/302) re-issue drops the body and every field that describes it, and keeps the others", () => {
    for (const status of [301, 302, 303]) {
      const n = follow(hop({ headers: Headers.fromInput(bodyFields) }), "http://a.test/start", status, "/next")
      expect(n.hop.method).toBe("GET")
      expect(n.hop.body).toBeUndefined()
      expect(names(n.hop.headers)).toEqual(["x-custom"])
    }
    // HEAD stays HEAD.
    expect(follow(hop({ method: "HEAD", body: undefined }), "http://a.test/", 302, "/next").hop.method).toBe("HEAD")
  })

  it("a 307/308 re-issue keeps the method, the body and its fields", () => {
    for (const status of [307, 308]) {
      const n = follow(hop({ method: "PUT", headers: Headers.fromInput(bodyFields) }), "http://a.test/start", status, "/next")
      expect(n.hop.method).toBe("PUT")
      expect(n.hop.body).toBe("payload")
      expect(names(n.hop.headers)).toEqual(Object.keys(bodyFields))
    }
  })

  it("a Stream body cannot be re-sent by a 307: InvalidRequest(body), naming the target", () => {
    const r = nextHop(hop({ body: Stream.make(new Uint8Array([1])) }), url("http://a.test/s"), 307, "/t", false)
    expect(Either.isLeft(r)).toBe(true)
    if (Either.isLeft(r)) {
      expect(r.left).toMatchObject({ _tag: "InvalidRequest", reason: "body", found: "redirect", method: "POST" })
      expect(r.left.message).toContain("http://a.test/t")
      expect(r.left.message).toContain("pass a string, Uint8Array, { form } or { file } body, or set followRedirect: false")
    }
    expect([undefined, "s", new Uint8Array(), { form: {} }, { file: "/x" }].every((b) => isReplayable(b as any))).toBe(true)
    expect(isReplayable(Stream.empty as any)).toBe(false)
  })

  it("a custom Host header and the credentials do not cross origins unless trusted; they stay on the same origin", () => {
    const headers = Headers.fromInput({
      host: "a.test",
      authorization: "Bearer t",
      cookie: "s=1",
      "proxy-authorization": "Basic x",
      "x-custom": "kept"
    })
    const h = hop({ method: "GET", body: undefined, headers, basicAuth: ["u", "p"], cookie: "c=1" })
    const cross = follow(h, "http://a.test/", 302, "http://b.test/")
    expect(names(cross.hop.headers)).toEqual(["x-custom"])
    expect(cross.hop.basicAuth).toBeUndefined()
    expect(cross.hop.cookie).toBeUndefined()
    // A different port is a different origin too.
    expect(names(follow(h, "http://a.test/", 302, "http://a.test:8080/").hop.headers)).toEqual(["x-custom"])
    for (const n of [follow(h, "http://a.test/", 302, "/same"), follow(h, "http://a.test/", 302, "http://b.test/", true)]) {
      expect(names(n.hop.headers)).toEqual(["host", "authorization", "cookie", "proxy-authorization", "x-custom"])
      expect(n.hop.basicAuth).toEqual(["u", "p"])
      expect(n.hop.cookie).toBe("c=1")
    }
  })

  it("URL credentials carry over to a same-origin Location without them, never across origins, never over basicAuth", () => {
    const h = hop({ method: "GET", body: undefined })
    expect(follow(h, "http://u:pw@a.test/", 302, "http://a.test/next").hop.basicAuth).toEqual(["u", "pw"])
    expect(follow(h, "http://u:pw@a.test/", 302, "http://b.test/next").hop.basicAuth).toBeUndefined()
    expect(follow({ ...h, basicAuth: ["x", "y"] }, "http://u:pw@a.test/", 302, "http://a.test/n").hop.basicAuth).toEqual(["x", "y"])
    expect(follow(h, "http://a.test/", 302, "/n").hop.basicAuth).toBeUndefined()
    // A Location with its own userinfo: that one applies (it is in the URL), not the request's.
    const own = follow(h, "http://u:pw@a.test/", 302, "http://v:x@a.test/n")
    expect(own.hop.basicAuth).toBeUndefined()
    expect([own.url.user, own.url.password]).toEqual(["v", "x"])
  })

  it("a Location without a fragment inherits the request's (RFC 9110 §10.2.2); its own fragment wins", () => {
    expect(follow(hop(), "http://a.test/s#part", 302, "/next").url.fragment).toBe("part")
    expect(Url.format(follow(hop(), "http://a.test/s#part", 302, "/next").url)).toBe("http://a.test/next#part")
    expect(follow(hop(), "http://a.test/s#part", 302, "/next#own").url.fragment).toBe("own")
    expect(follow(hop(), "http://a.test/s", 302, "/next").url.fragment).toBe("")
  })

  it("a Location that is not a URL, or whose scheme cannot be requested, is InvalidRequest from the redirect", () => {
    const bad = nextHop(hop(), url("http://a.test/s"), 302, "http://[::1", false)
    expect(Either.isLeft(bad) && bad.left).toMatchObject({ _tag: "InvalidRequest", reason: "url", found: "redirect" })
    const ftp = nextHop(hop(), url("http://a.test/s"), 302, "ftp://a.test/f", false)
    expect(Either.isLeft(ftp) && ftp.left).toMatchObject({ _tag: "InvalidRequest", reason: "scheme", found: "redirect" })
    if (Either.isLeft(ftp)) {
      expect(ftp.left.message).toContain(`scheme "ftp"`)
      expect(ftp.left.message).toContain("set followRedirect: false to get the 302 response")
    }
    if (Either.isLeft(bad)) expect(bad.left.message).toContain(`the redirect Location "http://[::1" is not a valid URL: `)
    // Surrounding whitespace is not part of the Location.
    expect(Url.format(follow(hop(), "http://a.test/s", 302, "  /t  ").url)).toBe("http://a.test/t")
  })
})

describe("redirect hop: draining a followed 3xx", () => {
  /** Drains a body of `chunks` chunks of `size` bytes; gives the bytes pulled and whether the scope closed. */
  const drained = (chunks: number, size: number) =>
    Effect.gen(function*() {
      let pulled = 0
      const body = Stream.fromIterable(Array.from({ length: chunks }, () => new Uint8Array(size))).pipe(
        Stream.tap((c) => Effect.sync(() => (pulled += c.length)))
      )
      const scope = yield* Scope.make()
      let closed = false
      yield* Scope.addFinalizer(scope, Effect.sync(() => (closed = true)))
      yield* drain({ body } as unknown as StreamingResponse, scope)
      return { pulled, closed }
    })

  it.effect("reads the body while at most 64 KiB have been read, then stops, and releases the hop either way", () =>
    Effect.gen(function*() {
      // 1 KiB chunks: 64 of them make 64 KiB, which is not past the limit, so one more is read.
      expect(yield* drained(200, 1024)).toEqual({ pulled: 65 * 1024, closed: true })
      // A body within the limit is read to its end.
      expect(yield* drained(64, 1024)).toEqual({ pulled: 64 * 1024, closed: true })
      expect(yield* drained(1, 64 * 1024 - 1)).toEqual({ pulled: 64 * 1024 - 1, closed: true })
    }))

  it.effect("a body that fails while drained still releases the hop", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      let closed = false
      yield* Scope.addFinalizer(scope, Effect.sync(() => (closed = true)))
      const body = Stream.concat(Stream.make(new Uint8Array(3)), Stream.fail(new Error("reset")))
      yield* drain({ body } as unknown as StreamingResponse, scope)
      expect(closed).toBe(true)
    }))
})

describe("redirect decision: several Locations", () => {
  it("is a ProtocolError(multiple-locations) that names the status, the count and the request", () => {
    const e = multipleLocations(302, 2, "GET", "http://a.test/s")
    expect(e).toMatchObject({ _tag: "ProtocolError", reason: "multiple-locations", method: "GET", url: "http://a.test/s" })
    expect(e.message).toContain("a 302 redirect with 2 different Location fields, so it is not followed")
  })
})
