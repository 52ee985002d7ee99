/**
 * A request's preparation without a server (src/internal/client/prepare.ts,
 * requestUrl.ts, query.ts): the head it encodes, the headers a body implies,
 * credentials, the URL checks before parsing, and the `query` option's
 * encoding and joining.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import type { Hackney } from "../src/index.js"
import * as Headers from "../src/Headers.js"
import * as Url from "../src/Url.js"
import {
  annotate,
  basicAuthorization,
  bodySizeOf,
  checkMethod,
  hasHeader,
  headerValue,
  idempotentMethods,
  prepare,
  prepareResolved,
  withoutHeader
} from "../src/internal/client/prepare.js"
import type { OpenFile, Prepared, StreamBody } from "../src/internal/client/prepare.js"
import { appendQuery, appendToText, encodeQuery, isQuery, pairsOf } from "../src/internal/client/query.js"
import * as RequestUrl from "../src/internal/client/requestUrl.js"
import { resolve } from "../src/internal/client/options.js"
import type { Resolved } from "../src/internal/client/options.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import { userAgent } from "../src/internal/client/version.js"

const noFile: OpenFile = (path) => new Error(`no file ${path}`)
const ok = (method: string, url: string | Url.Url | URL, options: Hackney.Options = {}, openFile = noFile): Prepared =>
  Either.getOrThrow(prepare(method, url, options, openFile))
const fail = (method: unknown, url: unknown, options: unknown = {}, openFile = noFile) => {
  const r = prepare(method as string, url as string, options as Hackney.Options, openFile)
  if (Either.isRight(r)) throw new Error("prepared")
  return r.left
}
/** The Content-Type lines of a prepared request. */
const contentTypes = (p: Prepared) => {
  const out: Array<string> = []
  for (let i = 0; i < p.rawHeaders.length; i += 2) if (p.rawHeaders[i].toLowerCase() === "content-type") out.push(p.rawHeaders[i + 1])
  return out
}
const headers = (p: Prepared) => {
  const out: Array<string> = []
  for (let i = 0; i < p.rawHeaders.length; i += 2) out.push(`${p.rawHeaders[i]}: ${p.rawHeaders[i + 1]}`)
  return out
}

describe("prepare: the head", () => {
  it("no headers, no body: the method upper-cased, origin-form target, Host and the User-Agent", () => {
    const p = ok("get", "http://a.test:8080/p?q=1#frag")
    expect([p.method, p.target, p.authority, p.href, p.bodySize, p.body]).toEqual(["GET", "/p?q=1", "a.test:8080", "http://a.test:8080/p?q=1#frag", 0, { _tag: "None" }])
    expect(headers(p)).toEqual([`User-Agent: ${userAgent}`])
    expect(p.h1).toBe(`GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nUser-Agent: ${userAgent}\r\n\r\n`)
    // The same URL and method again: the same head (cached per URL and method), another method another head.
    expect(ok("GET", "http://a.test:8080/p?q=1#frag").h1).toBe(p.h1)
    expect(ok("DELETE", "http://a.test:8080/p?q=1#frag").h1).toMatch(/^DELETE \/p\?q=1 HTTP\/1\.1\r\n/)
  })

  it("idempotent: GET, HEAD, OPTIONS, TRACE, PUT, DELETE, QUERY; not POST, PATCH or CONNECT", () => {
    expect([...idempotentMethods].sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "QUERY", "TRACE"])
    expect(["get", "put", "post", "patch"].map((m) => ok(m, "http://a.test/").idempotent)).toEqual([true, true, false, false])
  })

  it("a caller's User-Agent replaces the default (any case); other headers are kept in order", () => {
    const p = ok("GET", "http://a.test/", { headers: { "user-agent": "mine", Accept: "text/plain" } })
    expect(headers(p)).toEqual(["user-agent: mine", "Accept: text/plain"])
    expect(headers(ok("GET", "http://a.test/", { headers: { Accept: "x" } }))).toEqual(["Accept: x", `User-Agent: ${userAgent}`])
  })

  it("credentials: basicAuth replaces a caller Authorization; URL userinfo wins over basicAuth", () => {
    const p = ok("GET", "http://a.test/", { basicAuth: ["user", "pw"], headers: { AUTHORIZATION: "Bearer x" } })
    expect(headers(p)).toEqual([`Authorization: ${basicAuthorization("user", "pw")}`, `User-Agent: ${userAgent}`])
    expect(basicAuthorization("user", "pw")).toBe("Basic dXNlcjpwdw==")
    expect(basicAuthorization("é", "")).toBe("Basic w6k6") // UTF-8 before base64
    const fromUrl = ok("GET", "http://u%40x:p@a.test/", { basicAuth: ["user", "pw"] })
    expect(headerValue(fromUrl.rawHeaders, "authorization")).toBe(basicAuthorization("u@x", "p"))
    expect(fromUrl.h1).toContain(`Authorization: ${basicAuthorization("u@x", "p")}\r\n`)
  })

  it("credentials without headers or body: basicAuth alone, or URL userinfo alone, still send Authorization", () => {
    expect(headerValue(ok("GET", "http://a.test/", { basicAuth: ["user", "pw"] }).rawHeaders, "authorization")).toBe(basicAuthorization("user", "pw"))
    expect(ok("GET", "http://u:p@a.test/").h1).toContain(`Authorization: ${basicAuthorization("u", "p")}\r\n`)
  })

  it("an invalid method is InvalidRequest, with or without headers", () => {
    expect(fail("GE T", "http://a.test/")).toMatchObject({ _tag: "InvalidRequest", method: "GE T" })
    expect(fail("GE T", "http://a.test/", { headers: { a: "1" } })).toMatchObject({ _tag: "InvalidRequest" })
  })

  it("a Headers value given as options.headers is not changed by the request's additions", () => {
    const given = Headers.fromInput({ accept: "x" })
    const p = ok("POST", "http://a.test/", { headers: given, body: "x", basicAuth: ["u", "p"] })
    expect(headers(p)).toHaveLength(4)
    expect(Headers.toRaw(given)).toEqual(["accept", "x"])
  })

  it("an invalid head (a CR in a header value) is InvalidRequest with the method and URL", () => {
    const e = fail("post", "http://a.test/x", { headers: { "x-a": "b\r\nc" } })
    expect(e).toMatchObject({ _tag: "InvalidRequest", method: "POST", url: "http://a.test/x" })
  })
})

describe("prepare: the body and the headers it implies", () => {
  const body = (b: Hackney.Body, more: Hackney.Options = {}, openFile = noFile) => ok("POST", "http://a.test/", { ...more, body: b }, openFile)

  it("a string: UTF-8 bytes, text/plain unless a Content-Type is given", () => {
    const p = body("é")
    expect(p.body).toEqual({ _tag: "Bytes", bytes: new Uint8Array([0xc3, 0xa9]) })
    expect([p.bodySize, headerValue(p.rawHeaders, "content-type")]).toEqual([2, "text/plain; charset=utf-8"])
    expect(p.h1).toContain("Content-Length: 2\r\n")
    expect(contentTypes(body("x", { headers: { "Content-Type": "text/csv" } }))).toEqual(["text/csv"])
  })

  it("bytes: application/octet-stream when not empty and not given", () => {
    expect(headerValue(body(new Uint8Array([1])).rawHeaders, "content-type")).toBe("application/octet-stream")
    expect(hasHeader(body(new Uint8Array(0)).rawHeaders, "content-type")).toBe(false)
    expect(contentTypes(body(new Uint8Array([1]), { headers: { "content-type": "image/png" } }))).toEqual(["image/png"])
    expect(body(new Uint8Array([1, 2])).body).toEqual({ _tag: "Bytes", bytes: new Uint8Array([1, 2]) })
  })

  it("a Stream: chunked, or its declared Content-Length (trimmed); not replayable; no Content-Type added", () => {
    const s = Stream.make(new Uint8Array([1]))
    expect(body(s).body).toMatchObject({ _tag: "Stream", length: undefined, replayable: false })
    expect(bodySizeOf(body(s).body)).toBeUndefined()
    expect(body(s, { headers: { "Content-Length": " 1 " } }).body).toMatchObject({ _tag: "Stream", length: 1, replayable: false })
    expect(hasHeader(body(s).rawHeaders, "content-type")).toBe(false)
    const e = fail("POST", "http://a.test/", { body: s, headers: { "content-length": "1x" } })
    expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "header-value", method: "POST", url: "http://a.test/" })
    expect(e.detail).toBe(`Content-Length "1x" is not a number`)
    expect(fail("POST", "http://a.test/", { body: s, headers: { "content-length": "x1" } })).toMatchObject({ reason: "header-value" })
    expect(body(s, { headers: { "Content-Length": "12" } }).body).toMatchObject({ length: 12 })
  })

  it("a form: urlencoded, with its Content-Type unless given", () => {
    const p = body({ form: { a: "1 2", b: "é" } })
    expect(new TextDecoder().decode((p.body as { bytes: Uint8Array }).bytes)).toBe("a=1+2&b=%C3%A9")
    expect(headerValue(p.rawHeaders, "content-type")).toBe("application/x-www-form-urlencoded; charset=utf-8")
    expect(contentTypes(body({ form: {} }, { headers: { "content-type": "x/y" } }))).toEqual(["x/y"])
    expect(p.body._tag).toBe("Bytes")
  })

  it("a file: opened once, its size the length, replayable, octet-stream unless given; an unreadable one is InvalidRequest", () => {
    const opened: Array<string> = []
    const open: OpenFile = (path) => (opened.push(path), { stream: Stream.make(new Uint8Array([1, 2, 3])), size: 3 })
    const p = body({ file: "/f" }, {}, open)
    expect(p.body).toMatchObject({ _tag: "Stream", length: 3, replayable: true })
    expect(opened).toEqual(["/f"])
    expect(headerValue(p.rawHeaders, "content-type")).toBe("application/octet-stream")
    expect(contentTypes(body({ file: "/f" }, { headers: { "content-type": "a/b" } }, open))).toEqual(["a/b"])
    const e = fail("PUT", "http://a.test/", { body: { file: "/none" } })
    expect(e).toMatchObject({ reason: "body", method: "PUT" })
    expect(e.detail).toBe(`cannot read file "/none": no file /none`)
  })

  it.effect("multipart: our boundary in our Content-Type; a caller's type keeps its own boundary, or gets ours", () =>
    Effect.gen(function*() {
      const parts = [{ name: "a", value: "1" }] as const
      const ours = body({ multipart: parts })
      const type = headerValue(ours.rawHeaders, "content-type")!
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)![1]
      expect(ours.body).toMatchObject({ _tag: "Stream", replayable: true })
      const chunks = yield* Stream.runCollect((ours.body as StreamBody).stream).pipe(Effect.orDie)
      const text = Chunk.toReadonlyArray(chunks).map((c) => new TextDecoder().decode(c)).join("")
      expect(text).toContain(`--${boundary}\r\n`)
      expect(bodySizeOf(ours.body)).toBe(new TextEncoder().encode(text).length)
      const given = body({ multipart: parts }, { headers: { "Content-Type": "multipart/related; boundary=xyz" } })
      expect(headerValue(given.rawHeaders, "content-type")).toBe("multipart/related; boundary=xyz")
      const givenChunks = yield* Stream.runCollect((given.body as StreamBody).stream).pipe(Effect.orDie)
      expect(Chunk.toReadonlyArray(givenChunks).map((c) => new TextDecoder().decode(c)).join("")).toContain("--xyz\r\n")
      const typed = body({ multipart: parts }, { headers: { "X-A": "1", "Content-Type": "multipart/related" } })
      expect(headerValue(typed.rawHeaders, "content-type")).toMatch(/^multipart\/related; boundary=.+$/)
      expect(headerValue(typed.rawHeaders, "x-a")).toBe("1")
      // A Content-Type that does not parse has no boundary: ours is appended.
      const odd = body({ multipart: parts }, { headers: { "Content-Type": "not a type" } })
      expect(headerValue(odd.rawHeaders, "content-type")).toMatch(/^not a type; boundary=.+$/)
      // A part that cannot be encoded (an unreadable file) fails the request.
      expect(fail("POST", "http://a.test/", { body: { multipart: [{ name: "f", file: "/none" }] } })).toMatchObject({ _tag: "InvalidRequest" })
      expect(headers(typed).filter((h) => h.toLowerCase().startsWith("content-type"))).toHaveLength(1)
    }))

  it("a body of the wrong type is InvalidRequest(body) with the method and URL", () => {
    expect(fail("POST", "http://a.test/", { body: 5 })).toMatchObject({ reason: "body", method: "POST", url: "http://a.test/" })
  })
})

describe("prepare: method and URL errors", () => {
  it("a method that is not a string: InvalidRequest(method) naming it, with the URL", () => {
    const e = fail(5, "http://a.test/")
    expect(e).toMatchObject({ reason: "method", url: "http://a.test/" })
    expect(e.method).toBeUndefined()
    expect(e.detail).toBe(`the method is 5; give a string such as "GET"`)
    expect(checkMethod("GET", "x")).toBeUndefined()
  })

  it("a bad URL, Url or input: InvalidRequest with the method (and the URL when it is text)", () => {
    expect(fail("get", "/relative")).toMatchObject({ reason: "url", method: "GET", url: "/relative" })
    expect(fail("get", 5)).toMatchObject({ reason: "url", method: "GET", url: undefined })
    const ftp = Either.getOrThrow(Url.parse("ftp://a.test/"))
    expect(fail("get", ftp)).toMatchObject({ reason: "scheme", method: "GET", url: "ftp://a.test/" })
  })

  it("a Url value or a WHATWG URL is prepared like its text", () => {
    const url = Either.getOrThrow(Url.parse("http://a.test/x?y"))
    expect(ok("GET", url).h1).toBe(ok("GET", "http://a.test/x?y").h1)
    expect(ok("GET", new URL("http://a.test/x?y")).h1).toBe(ok("GET", "http://a.test/x?y").h1)
  })

  it("annotate: the request's method upper-cased and its URL as text, when they are valid", () => {
    const e = fail("GET", "http://a.test/", { maxPerHost: 0 })
    expect(annotate(e, "post", new URL("http://b.test/"))).toMatchObject({ method: "POST", url: "http://b.test/", reason: e.reason })
    expect(annotate(e, 5, 5)).toMatchObject({ method: undefined, url: undefined })
    expect(annotate(e, "get", Either.getOrThrow(Url.parse("http://c.test/x"))).url).toBe("http://c.test/x")
    expect(fail("get", "http://a.test/", { maxPerHost: 0 })).toMatchObject({ reason: "option", method: "GET", url: "http://a.test/" })
  })
})

describe("raw header helpers", () => {
  const raw = ["Accept", "a", "X-Y", "1", "x-y", "2"]
  it("find names in any case; withoutHeader drops every line of a name", () => {
    expect([hasHeader(raw, "x-y"), hasHeader(raw, "accept"), hasHeader(raw, "x-z"), hasHeader(["XY", "1"], "x-")]).toEqual([true, true, false, false])
    expect([headerValue(raw, "x-y"), headerValue(raw, "nope")]).toEqual(["1", undefined])
    expect(withoutHeader(raw, "x-y")).toEqual(["Accept", "a"])
    expect(bodySizeOf({ _tag: "Bytes", bytes: new Uint8Array(4) })).toBe(4)
  })
})

describe("request URL checks before parsing", () => {
  const reason = (text: string) => RequestUrl.checkText(text)?.reason
  it("relative references (/, ., ?, #) are refused as relative; scheme:host:port and scheme://… are not refused", () => {
    for (const t of ["/p", "./p", "?q", "#f", "  /p"]) expect([t, reason(t)]).toEqual([t, "url"])
    expect(RequestUrl.checkText("/p")?.detail).toBe(`"/p" is a relative URL; give an absolute one such as http://host/path`)
    expect(RequestUrl.checkText("localhost:x80")?.reason).toBe("scheme")
    for (const t of ["http://a.test", "a.test", "localhost:8080", "localhost:8080/p", "h:1?q", "h:1#f", "h:1", "a_b:80"]) {
      expect([t, RequestUrl.checkText(t)]).toEqual([t, undefined])
    }
  })
  it("http: without //: says to write http://; another scheme is refused by name", () => {
    expect(RequestUrl.checkText("HTTP:a.test")?.detail).toBe(`"HTTP:a.test" has no "//" after "http:"; write http://host/path`)
    expect(RequestUrl.checkText("http:8080x")?.reason).toBe("url")
    const mail = RequestUrl.checkText("mailto:a@b.test")!
    expect([mail.reason, mail.detail]).toEqual([
      "scheme",
      `the scheme "mailto" of "mailto:a@b.test" cannot be requested; use an http, https or http+unix URL (credentials go in http://user:password@host)`
    ])
  })
  it("inputOf, parse and toUrl: text, Url and URL inputs; anything else, or a Url of another scheme, is InvalidRequest", () => {
    expect(RequestUrl.inputOf(new URL("http://a.test/x"))).toBe("http://a.test/x")
    expect((RequestUrl.inputOf(null) as { detail: string }).detail).toBe("the URL is null; give a string, a Url or a URL")
    expect(Either.getOrThrow(RequestUrl.toUrl("http://a.test/")).host).toBe("a.test")
    const ftp = Either.getOrThrow(Url.parse("ftp://a.test/"))
    expect(Either.flip(RequestUrl.toUrl(ftp)).pipe(Either.getOrThrow).detail).toBe(
      `the scheme "ftp" cannot be requested; use an http, https or http+unix URL`
    )
    expect(Either.flip(RequestUrl.toUrl({})).pipe(Either.getOrThrow).reason).toBe("url")
    expect(Either.flip(RequestUrl.parse("/x")).pipe(Either.getOrThrow).detail).toContain("is a relative URL")
    expect(Either.getOrThrow(RequestUrl.toUrl("http+unix://%2Frun%2Fx.sock/")).scheme).toBe("http+unix")
    expect(Either.isLeft(RequestUrl.parse("ftp://a.test/"))).toBe(true)
    expect(Either.isLeft(RequestUrl.parse("/x"))).toBe(true)
    expect(Either.getOrThrow(RequestUrl.toUrl(Either.getOrThrow(Url.parse("https://a.test/")))).scheme).toBe("https")
  })
})

describe("the query option", () => {
  it("isQuery: records of strings, finite numbers, booleans and arrays of them, pairs, URLSearchParams; nothing else", () => {
    for (const q of [{}, { a: "1", b: 2, c: true, d: undefined, e: ["x", 1, false] }, [["a", "1"], ["b", 2]], new URLSearchParams("a=1")]) {
      expect([q, isQuery(q)]).toEqual([q, true])
    }
    for (const q of [null, "a=1", 5, { a: NaN }, { a: Infinity }, { a: {} }, { a: [{}] }, { a: null }, [["a"]], [["a", 1, 2]], [["a", "1"], ["b"]], { a: ["x", {}] }, [[1, "a"]], [["a", {}]], new Map([["a", "1"]])]) {
      expect([q, isQuery(q)]).toEqual([q, false])
    }
  })

  it("pairsOf: in order, arrays repeated, undefined skipped, values as text", () => {
    expect(pairsOf({ a: 1, b: undefined, c: [true, "x"] })).toEqual([["a", "1"], ["c", "true"], ["c", "x"]])
    expect(pairsOf([["a", 1], ["a", 2]])).toEqual([["a", "1"], ["a", "2"]])
    expect(pairsOf(new URLSearchParams("x=1&y=2"))).toEqual([["x", "1"], ["y", "2"]])
    expect(encodeQuery({ "a b": "c&d" })).toBe("a+b=c%26d")
  })

  it("appended before the fragment, after an existing query (one & between), or as the query", () => {
    expect(appendToText("http://a.test/p", "x=1")).toBe("http://a.test/p?x=1")
    expect(appendToText("http://a.test/p#f", "x=1")).toBe("http://a.test/p?x=1#f")
    expect(appendToText("http://a.test/p?a=1#f", "x=1")).toBe("http://a.test/p?a=1&x=1#f")
    expect(appendToText("http://a.test/p?a=1&", "x=1")).toBe("http://a.test/p?a=1&x=1")
    expect(appendToText("http://a.test/p?", "x=1")).toBe("http://a.test/p?x=1")
    expect(appendToText("http://a.test/p?a=1", "")).toBe("http://a.test/p?a=1")
  })

  it("appendQuery: to text, a URL or a Url; an empty query or a non-URL input is returned as it is", () => {
    expect(appendQuery("http://a.test/", { x: 1 })).toBe("http://a.test/?x=1")
    expect(appendQuery(new URL("http://a.test/?a=1"), { x: 1 })).toBe("http://a.test/?a=1&x=1")
    const url = Either.getOrThrow(Url.parse("http://a.test/?a=1"))
    expect(Url.format(appendQuery(url, { x: 1 }) as Url.Url)).toBe("http://a.test/?a=1&x=1")
    expect(appendQuery(url, {})).toBe(url)
    expect(appendQuery(5, { x: 1 })).toBe(5)
  })
})

describe("prepare: the dial spec", () => {
  /** Resolved options whose origin → spec map counts its lookups. */
  const counted = (options: Hackney.Options) => {
    const r = resolve(options) as Resolved
    const lookups = { n: 0 }
    const specs = new (class extends Map<string, DialSpec> {
      override get(k: string) {
        lookups.n++
        return super.get(k)
      }
    })()
    return { r: { ...r, specs } satisfies Resolved, lookups }
  }
  const spec = (url: string, r: Resolved) => Either.getOrThrow(prepareResolved("GET", url, r, noFile)).spec

  it("a URL asked again with the same options looks nothing up by origin: the lookups grow with the origins, not the requests", () => {
    const { lookups, r } = counted({})
    const urls = Array.from({ length: 100 }, (_, i) => `http://origin-${i}.spec.test:${1000 + i}/1k.bin`)
    for (let round = 0; round < 10; round++) for (const u of urls) spec(u, r)
    expect(lookups.n).toBe(100)
    expect(spec(urls[7], r)).toMatchObject({ host: "origin-7.spec.test", port: 1007, transport: "tcp" })
  })

  it("alternating options with other connection settings each get their own spec for the same URL", () => {
    const a = counted({})
    const b = counted({ connectTimeout: 1234 })
    const url = "http://alternating.spec.test/x"
    for (let i = 0; i < 3; i++) {
      expect(spec(url, a.r).connectTimeout).toBe(a.r.connectTimeout)
      expect(spec(url, b.r).connectTimeout).toBe(1234)
    }
    // Each switch of options looks the origin up again in that options' map (and finds it after the first).
    expect([a.lookups.n, b.lookups.n]).toEqual([3, 3])
  })
})
