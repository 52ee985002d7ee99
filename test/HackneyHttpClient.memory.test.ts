/**
 * The `HttpClient` adapter (src/internal/httpclient/*) over in-memory
 * connections (test/support/memoryPool.ts): what a platform request becomes
 * on the wire (head, headers, credentials, every body kind), the options it
 * takes and refuses, and the errors it fails with. Microseconds per request,
 * so the adapter's mutation runs (`npm run mutation -- httpclient-request`)
 * cost milliseconds per mutant.
 */
import { Headers, HttpBody, HttpClientRequest } from "@effect/platform"
import { HttpClient } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream, TestClock } from "effect"
import { BodyError, BodyTooLarge, ConnectionClosed, InvalidRequest } from "../src/HackneyError.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import { decodeError, requestError } from "../src/internal/httpclient/error.js"
import { userAgent } from "../src/internal/client/version.js"
import { isHackneyOption, unsupportedOption } from "../src/internal/httpclient/options.js"
import { memoryServer, reply } from "./support/memoryPool.js"
import type { MemoryRequest, MemoryServer, Respond } from "./support/memoryPool.js"

const ok: Respond = (req) => reply(200, `${req.method} ${req.target}`)

/** The adapter's client over `s`, without the platform's trace headers (so a request sent again is the same). */
const clientOf = (s: MemoryServer, options: HackneyHttpClient.Options = {}): HttpClient.HttpClient =>
  HttpClient.withTracerPropagation(HackneyHttpClient.make({ pool: s.pool, ...options }), false)

const headerOf = (req: MemoryRequest, name: string): string | undefined => req.headers.find(([k]) => k === name)?.[1]
const headersNamed = (req: MemoryRequest, name: string): Array<string> =>
  req.headers.filter(([k]) => k === name).map(([, v]) => v)

/** Sends `request` through a client over `s` (or `client`); the request the server read. */
const sent = (
  s: MemoryServer,
  request: HttpClientRequest.HttpClientRequest,
  options: HackneyHttpClient.Options = {},
  client: HttpClient.HttpClient = clientOf(s, options)
) =>
  Effect.gen(function*() {
    const before = s.requests.length
    const res = yield* client.execute(request)
    yield* res.text
    expect(s.requests.length).toBe(before + 1)
    return s.requests[before]
  })

/** The RequestError a request fails with. */
const failure = (s: MemoryServer, request: HttpClientRequest.HttpClientRequest, options: HackneyHttpClient.Options = {}) =>
  Effect.flip(Effect.flatMap(clientOf(s, options).execute(request), (res) => res.text)) as Effect.Effect<
    HttpClientError.HttpClientError
  >

/** The request without the header `name` (the platform's setters cannot drop one). */
const withoutHeader = (r: HttpClientRequest.HttpClientRequest, name: string): HttpClientRequest.HttpClientRequest =>
  Object.assign(Object.create(Object.getPrototypeOf(r)), r, { headers: Headers.remove(r.headers, name) })

const causeOf = (e: HttpClientError.HttpClientError): InvalidRequest => e.cause as InvalidRequest

describe("the request head", () => {
  it.scoped("method, target with the query, no fragment, Host, the default User-Agent", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const req = yield* sent(s, HttpClientRequest.patch(`${s.url}/a/b?x=1&y=2#frag`))
      expect(req.method).toBe("PATCH")
      expect(req.target).toBe("/a/b?x=1&y=2")
      expect(headerOf(req, "host")).toBe("memory.test")
      expect(headerOf(req, "user-agent")).toBe(userAgent)
      const plain = yield* sent(s, HttpClientRequest.get(`${s.url}/p`))
      expect(plain.target).toBe("/p")
      const root = yield* sent(s, HttpClientRequest.get("http://memory.test:8080"))
      expect(root.target).toBe("/")
      expect(headerOf(root, "host")).toBe("memory.test:8080")
      // The platform's url params are part of the target.
      const params = yield* sent(s, HttpClientRequest.get(`${s.url}/q`).pipe(HttpClientRequest.setUrlParam("k", "a b")))
      expect(params.target).toBe("/q?k=a+b")
    }))

  it.scoped("a request's own User-Agent and headers are sent as given, once", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const req = yield* sent(
        s,
        HttpClientRequest.get(`${s.url}/h`).pipe(HttpClientRequest.setHeaders({ "user-agent": "mine/1", "x-a": "1" }))
      )
      expect(headersNamed(req, "user-agent")).toEqual(["mine/1"])
      expect(headersNamed(req, "x-a")).toEqual(["1"])
    }))

  it.scoped("the options' headers come first; the request's win over a same-named one (any case)", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const req = yield* sent(
        s,
        HttpClientRequest.get(`${s.url}/h`).pipe(HttpClientRequest.setHeader("x-b", "request")),
        { headers: { "X-B": "option", "X-C": "option-c" } }
      )
      expect(headersNamed(req, "x-b")).toEqual(["request"])
      expect(headersNamed(req, "x-c")).toEqual(["option-c"])
      expect(req.headers.findIndex(([k]) => k === "x-c")).toBeLessThan(req.headers.findIndex(([k]) => k === "x-b"))
      const only = yield* sent(s, HttpClientRequest.get(`${s.url}/h2`), { headers: [["x-d", "1"], ["x-d", "2"]] })
      expect(headersNamed(only, "x-d")).toEqual(["1", "2"])
    }))

  it.scoped("URL userinfo is Authorization: Basic (decoded), over basicAuth and an Authorization header", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`
      const userinfo = yield* sent(
        s,
        HttpClientRequest.get("http://us%20er:p%40ss@memory.test/u").pipe(HttpClientRequest.setHeader("authorization", "Bearer x")),
        { basicAuth: ["opt", "ion"] }
      )
      expect(headersNamed(userinfo, "authorization")).toEqual([basic("us er", "p@ss")])
      const badEscape = yield* sent(s, HttpClientRequest.get("http://a%zz:b@memory.test/u"))
      expect(headersNamed(badEscape, "authorization")).toEqual([basic("a%zz", "b")])
      const option = yield* sent(
        s,
        HttpClientRequest.get(`${s.url}/o`).pipe(HttpClientRequest.setHeader("authorization", "Bearer x")),
        { basicAuth: ["opt", "ion"] }
      )
      expect(headersNamed(option, "authorization")).toEqual([basic("opt", "ion")])
      const none = yield* sent(s, HttpClientRequest.get(`${s.url}/n`).pipe(HttpClientRequest.setHeader("authorization", "Bearer x")))
      expect(headersNamed(none, "authorization")).toEqual(["Bearer x"])
      const plain = yield* sent(s, HttpClientRequest.get(`${s.url}/n2`))
      expect(headersNamed(plain, "authorization")).toEqual([])
    }))

  it.scoped("autoDecompress asks for the codings this Node decodes, unless the request asks itself", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const asked = yield* sent(s, HttpClientRequest.get(`${s.url}/d`), { autoDecompress: true })
      expect(headersNamed(asked, "accept-encoding")).toHaveLength(1)
      expect(headerOf(asked, "accept-encoding")).toMatch(/^gzip, deflate, br/)
      const own = yield* sent(
        s,
        HttpClientRequest.get(`${s.url}/d`).pipe(HttpClientRequest.setHeader("accept-encoding", "identity")),
        { autoDecompress: true }
      )
      expect(headersNamed(own, "accept-encoding")).toEqual(["identity"])
      const off = yield* sent(s, HttpClientRequest.get(`${s.url}/d`), { autoDecompress: false })
      expect(headersNamed(off, "accept-encoding")).toEqual([])
    }))

  it.scoped("the same URL again with other headers, options or method is sent as the new request", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const url = `${s.url}/again`
      const a = yield* sent(s, HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-n", "1")))
      expect(headerOf(a, "x-n")).toBe("1")
      const b = yield* sent(s, HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-n", "2")))
      expect(headerOf(b, "x-n")).toBe("2")
      // The same headers object, other options.
      const r = HttpClientRequest.get(url)
      const c = yield* sent(s, r, { headers: { "x-o": "1" } })
      expect(headerOf(c, "x-o")).toBe("1")
      const d = yield* sent(s, r, { headers: { "x-o": "2" } })
      expect(headerOf(d, "x-o")).toBe("2")
      // One client (the same options object) and the same headers object: another method.
      const one = clientOf(s)
      const e = yield* sent(s, r, {}, one)
      expect(e.method).toBe("GET")
      const f = yield* sent(s, HttpClientRequest.setMethod(r, "DELETE"), {}, one)
      expect(f.method).toBe("DELETE")
      // The same request twice: sent twice, alike.
      const g = yield* sent(s, r, {}, one)
      const h = yield* sent(s, r, {}, one)
      expect([g.method, g.target, g.headers]).toEqual([h.method, h.target, h.headers])
      // A Raw body keeps the request's headers object: the body is sent, and not kept for the next bodiless request.
      const withBody = HttpClientRequest.setBody(r, HttpBody.raw("x"))
      expect(withBody.headers).toBe(r.headers)
      const k = yield* sent(s, withBody, {}, one)
      expect(k.body).toBe("x")
      const l = yield* sent(s, r, {}, one)
      expect(l.body).toBe("")
      expect(headerOf(l, "content-length")).toBeUndefined()
      // A body is never taken from the last request.
      const i = yield* sent(s, HttpClientRequest.bodyText(HttpClientRequest.post(url), "one"), {}, one)
      expect(i.body).toBe("one")
      const j = yield* sent(s, HttpClientRequest.bodyText(HttpClientRequest.post(url), "two"), {}, one)
      expect(j.body).toBe("two")
    }))
})

describe("request bodies", () => {
  const post = (s: MemoryServer) => HttpClientRequest.post(`${s.url}/body`)

  it.scoped("none: no Content-Length on a GET, Content-Length 0 on a POST", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const get = yield* sent(s, HttpClientRequest.get(`${s.url}/e`))
      expect(headerOf(get, "content-length")).toBeUndefined()
      expect(headerOf(get, "transfer-encoding")).toBeUndefined()
      const empty = yield* sent(s, post(s))
      expect(headerOf(empty, "content-length")).toBe("0")
      expect(empty.body).toBe("")
    }))

  it.scoped("bytes and text: Content-Length and the bytes", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const bytes = yield* sent(s, HttpClientRequest.bodyUint8Array(post(s), new TextEncoder().encode("héllo")))
      expect(headerOf(bytes, "content-length")).toBe("6")
      expect(Buffer.from(bytes.body, "latin1").toString("utf8")).toBe("héllo")
      const text = yield* sent(s, HttpClientRequest.bodyText(post(s), "text body", "text/x"))
      expect(headerOf(text, "content-length")).toBe("9")
      expect(headerOf(text, "content-type")).toBe("text/x")
      expect(text.body).toBe("text body")
    }))

  it.scoped("Raw bodies: bytes, a string, an ArrayBuffer, a view on part of one, null and undefined", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const raw = (body: unknown) => sent(s, HttpClientRequest.setBody(post(s), HttpBody.raw(body)))
      expect((yield* raw(new TextEncoder().encode("u8"))).body).toBe("u8")
      const str = yield* raw("string é")
      expect(Buffer.from(str.body, "latin1").toString("utf8")).toBe("string é")
      expect(headerOf(str, "content-length")).toBe("9")
      expect((yield* raw(new TextEncoder().encode("ab").buffer)).body).toBe("ab")
      const buf = new TextEncoder().encode("xxMIDDLExx").buffer
      const view = yield* raw(new DataView(buf, 2, 6))
      expect(view.body).toBe("MIDDLE")
      expect(headerOf(view, "content-length")).toBe("6")
      const u16 = yield* raw(new Uint16Array([0x6968]))
      expect(u16.body).toBe("hi")
      for (const nothing of [null, undefined]) {
        const r = yield* raw(nothing)
        expect(r.body).toBe("")
        expect(headerOf(r, "transfer-encoding")).toBeUndefined()
      }
    }))

  it.scoped("Raw bodies: a Blob with its size as Content-Length, a ReadableStream and an async iterable chunked", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const raw = (body: unknown) => sent(s, HttpClientRequest.setBody(post(s), HttpBody.raw(body)))
      const blob = yield* raw(new Blob(["blob ", "body"]))
      expect(blob.body).toBe("blob body")
      expect(headerOf(blob, "content-length")).toBe("9")
      expect(headerOf(blob, "transfer-encoding")).toBeUndefined()
      const web = yield* raw(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode("web "))
            c.enqueue(new TextEncoder().encode("stream"))
            c.close()
          }
        })
      )
      expect(web.body).toBe("web stream")
      expect(headerOf(web, "transfer-encoding")).toBe("chunked")
      expect(headerOf(web, "content-length")).toBeUndefined()
      async function* gen() {
        yield "it "
        yield new TextEncoder().encode("era")
        yield new Uint8Array(new TextEncoder().encode("xxble").buffer, 2, 3)
      }
      const iter = yield* raw(gen())
      expect(iter.body).toBe("it erable")
      expect(headerOf(iter, "transfer-encoding")).toBe("chunked")
    }))

  it.scoped("a Raw ReadableStream or async iterable that fails fails the request Encode, with its error as the cause", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const boom = new Error("boom")
      const web = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode("a"))
          c.error(boom)
        }
      })
      async function* gen() {
        yield "a"
        throw boom
      }
      for (const body of [web, gen()]) {
        const e = yield* failure(s, HttpClientRequest.setBody(post(s), HttpBody.raw(body)))
        expect(e.reason).toBe("Encode")
        const cause = e.cause as { _tag: string; cause: unknown }
        expect(cause._tag).toBe("BodyError")
        expect(cause.cause).toBeInstanceOf(Error)
        expect((cause.cause as Error).message).toBe("boom")
      }
    }))

  it.scoped("an unsupported Raw body fails Encode, naming what it is and what to give, and sends nothing", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const e = yield* failure(s, HttpClientRequest.setBody(post(s), HttpBody.raw(42)))
      expect(e._tag).toBe("RequestError")
      expect(e.reason).toBe("Encode")
      expect(causeOf(e)).toBeInstanceOf(InvalidRequest)
      expect(causeOf(e).reason).toBe("body")
      expect(causeOf(e).detail).toBe(
        "unsupported Raw body ([object Number]): give bytes, a string, a Blob, a ReadableStream or an async iterable"
      )
      const obj = yield* failure(s, HttpClientRequest.setBody(post(s), HttpBody.raw({ a: 1 })))
      expect(causeOf(obj).detail).toMatch(/^unsupported Raw body \(\[object Object\]\)/)
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("Stream bodies: chunked, or with the body's length or a Content-Length header", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const chunks = Stream.make(new TextEncoder().encode("str"), new TextEncoder().encode("eam"))
      const chunked = yield* sent(s, HttpClientRequest.bodyStream(post(s), chunks))
      expect(chunked.body).toBe("stream")
      expect(headerOf(chunked, "transfer-encoding")).toBe("chunked")
      const known = yield* sent(s, HttpClientRequest.bodyStream(post(s), chunks, { contentLength: 6 }))
      expect(headerOf(known, "content-length")).toBe("6")
      expect(headerOf(known, "transfer-encoding")).toBeUndefined()
      expect(known.body).toBe("stream")
      const declared = yield* sent(
        s,
        HttpClientRequest.bodyStream(post(s), chunks).pipe(HttpClientRequest.setHeader("content-length", " 6 "))
      )
      expect(headerOf(declared, "transfer-encoding")).toBeUndefined()
      expect(declared.body).toBe("stream")
      const ten = Stream.make(new TextEncoder().encode("0123456789"))
      const twoDigits = yield* sent(
        s,
        HttpClientRequest.bodyStream(post(s), ten).pipe(HttpClientRequest.setHeader("content-length", "10"))
      )
      expect(headerOf(twoDigits, "content-length")).toBe("10")
      expect(twoDigits.body).toBe("0123456789")
      // The body's own length counts without the header.
      const bodyLength = yield* sent(
        s,
        withoutHeader(HttpClientRequest.bodyStream(post(s), chunks, { contentLength: 6 }), "content-length")
      )
      expect(headerOf(bodyLength, "content-length")).toBe("6")
      expect(headerOf(bodyLength, "transfer-encoding")).toBeUndefined()
    }))

  it.scoped("a Stream body with a Content-Length header that is not a number fails Encode, saying so", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      for (const bad of ["six", "6x", "-6", ""]) {
        const e = yield* failure(
          s,
          HttpClientRequest.bodyStream(post(s), Stream.make(new Uint8Array([1]))).pipe(
            HttpClientRequest.setHeader("content-length", bad)
          )
        )
        expect(e.reason).toBe("Encode")
        expect(causeOf(e).reason).toBe("body")
        expect(causeOf(e).detail).toBe(`Content-Length ${JSON.stringify(bad)} is not a number`)
      }
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("FormData: multipart/form-data with its boundary and an exact Content-Length", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const form = new FormData()
      form.append("a", "1")
      form.append("f", new Blob(["file body"], { type: "text/plain" }), "f.txt")
      const req = yield* sent(s, HttpClientRequest.bodyFormData(post(s), form))
      const type = headerOf(req, "content-type")!
      expect(type).toMatch(/^multipart\/form-data; boundary=/)
      const boundary = type.slice(type.indexOf("boundary=") + 9)
      expect(headerOf(req, "content-length")).toBe(String(req.body.length))
      expect(req.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n`)
      expect(req.body).toContain("filename=\"f.txt\"")
      expect(req.body).toContain("file body")
      expect(req.body.endsWith(`--${boundary}--\r\n`)).toBe(true)
    }))
})

describe("requests that cannot be sent", () => {
  it.scoped("a URL that is not http or https fails InvalidUrl, naming the scheme", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      for (
        const [url, scheme] of [
          ["ws://memory.test/x", "ws"], ["ftp://memory.test/x", "ftp"], ["wss://memory.test/", "wss"],
          ["http+unix://%2Ftmp%2Fs.sock/x", "http+unix"], ["file:///tmp/x", "file"]
        ]
      ) {
        const e = yield* failure(s, HttpClientRequest.get(url))
        expect(e._tag).toBe("RequestError")
        expect(e.reason).toBe("InvalidUrl")
        expect(causeOf(e).reason).toBe("scheme")
        expect(causeOf(e).detail).toBe(`the scheme "${scheme}" cannot be requested; use an http or https URL`)
      }
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("an invalid option value fails Encode with the option's message, the method and URL", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const e = yield* failure(s, HttpClientRequest.put(`${s.url}/o#f`), { recvTimeout: -1 as never })
      expect(e.reason).toBe("Encode")
      expect(causeOf(e).reason).toBe("option")
      expect(causeOf(e).method).toBe("PUT")
      expect(causeOf(e).url).toBe(`${s.url}/o`)
      expect(causeOf(e).detail).toMatch(/recvTimeout/)
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("an invalid header fails Encode with the head's reason, the method and URL", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const e = yield* failure(s, HttpClientRequest.get(`${s.url}/h`).pipe(HttpClientRequest.setHeader("x-bad", "a\r\nb")))
      expect(e.reason).toBe("Encode")
      expect(causeOf(e)).toBeInstanceOf(InvalidRequest)
      expect(causeOf(e).reason).toBe("header-value")
      expect(causeOf(e).method).toBe("GET")
      expect(causeOf(e).url).toBe(`${s.url}/h`)
      const name = yield* failure(s, HttpClientRequest.get(`${s.url}/h`).pipe(HttpClientRequest.setHeader("x bad", "v")))
      expect(causeOf(name).reason).toBe("header-name")
      expect(s.requests).toHaveLength(0)
    }))
})

describe("the engine options of a request", () => {
  it.scoped("recvTimeout bounds the wait for the head, on Effect's Clock: a RecvTimeout cause, Transport", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const fiber = yield* Effect.fork(Effect.flip(clientOf(s, { recvTimeout: 1000 }).get(`${s.url}/silent`)))
      yield* TestClock.adjust(999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Fiber.join(fiber)
      expect(e.reason).toBe("Transport")
      expect((e.cause as { _tag: string })._tag).toBe("RecvTimeout")
    }))

  it.scoped("maxPerHost and checkoutTimeout: a second request waits for the connection, then fails CheckoutTimeout", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => undefined)
      const client = clientOf(s, { maxPerHost: 1, checkoutTimeout: 500, recvTimeout: 60_000 })
      yield* Effect.fork(client.get(`${s.url}/first`))
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(Effect.flip(client.get(`${s.url}/second`)))
      yield* TestClock.adjust(499)
      expect(second.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      const e = yield* Fiber.join(second)
      expect((e.cause as { _tag: string })._tag).toBe("CheckoutTimeout")
      expect(s.peers).toHaveLength(1)
    }))

  it.scoped("maxHeaderSize bounds the response head: a larger one fails with a ProtocolError cause", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "x", [["x-big", "y".repeat(300)]]))
      const e = yield* Effect.flip(clientOf(s, { maxHeaderSize: 200 }).get(`${s.url}/big`))
      expect((e.cause as { _tag: string; reason: string })._tag).toBe("ProtocolError")
      expect((e.cause as { reason: string }).reason).toBe("header-section-too-large")
      expect(yield* Effect.flatMap(clientOf(s, { maxHeaderSize: 1000 }).get(`${s.url}/big`), (r) => r.text)).toBe("x")
    }))

  it.scoped("maxBodySize bounds the body as sent: a larger one fails with a BodyTooLarge cause", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(() => reply(200, "0123456789"))
      const e = yield* Effect.flip(Effect.flatMap(clientOf(s, { maxBodySize: 9 }).get(`${s.url}/b`), (r) => r.text))
      expect((e.cause as { _tag: string })._tag).toBe("BodyTooLarge")
      expect(yield* Effect.flatMap(clientOf(s, { maxBodySize: 10 }).get(`${s.url}/b`), (r) => r.text)).toBe("0123456789")
    }))
})

describe("the options the layer takes", () => {
  it("a Hackney option the layer does not honour fails typed, naming what to use instead", () => {
    const e = unsupportedOption({ followRedirect: true })!
    expect(e).toBeInstanceOf(InvalidRequest)
    expect(e.reason).toBe("option")
    expect(e.detail).toBe(
      "`followRedirect` is not an option of the HttpClient layer (it would be ignored): compose `HackneyHttpClient.followRedirects()` (or `HttpClient.followRedirects`) over the client"
    )
    expect(unsupportedOption({ nonsense: 1 })!.detail).toBe(
      "`nonsense` is not an option of the HttpClient layer (it would be ignored): see `HackneyHttpClient.Options` for the options it takes"
    )
    expect(unsupportedOption({ recvTimeout: 5, followRedirect: undefined })).toBeUndefined()
    expect(unsupportedOption({})).toBeUndefined()
    expect(unsupportedOption({ recvTimeout: 5, cookie: "a=1" })!.detail).toMatch(/^`cookie` is not an option/)
    // Memoised per object: the same answer again.
    const o = { retry: 1 }
    expect(unsupportedOption(o)).toBe(unsupportedOption(o))
    const fine = { pool: "x" }
    expect(unsupportedOption(fine)).toBeUndefined()
    expect(unsupportedOption(fine)).toBeUndefined()
  })

  it("each refused option names what to use instead", () => {
    // What each advice names (the whole text is the table's in options.ts).
    const names: Record<string, string> = {
      body: "bodyStream",
      followRedirect: "followRedirects()",
      maxRedirect: "followRedirects({ maxRedirects })",
      locationTrusted: "followRedirects({ trusted: true })",
      blockPrivateRedirects: "followRedirects({ blockPrivateRedirects: true })",
      cookie: "`Cookie` header",
      cookieJar: "withCookieJar(jar)",
      retry: "HttpClient.retry` or",
      retryNonIdempotent: "HttpClient.retryTransient` over",
      retryStatuses: "HttpClient.filterStatusOk",
      continueTimeout: "100 Continue",
      query: "setUrlParams",
      json: "bodyJson",
      timeout: "transformResponse(Effect.timeout",
      attemptTimeout: "inside `HttpClient.retry`",
      middleware: "Pool.layer({ middleware })",
      metrics: "Pool.layer({ metrics: true })",
      tracing: "set nothing",
      propagate: "withTracerPropagation(false)",
      uploadProgress: "request's body Stream",
      downloadProgress: "response's `stream`"
    }
    for (const [key, name] of Object.entries(names)) {
      expect(isHackneyOption(key)).toBe(true)
      const detail = unsupportedOption({ [key]: 1 })?.detail ?? ""
      expect(detail.startsWith(`\`${key}\` is not an option of the HttpClient layer (it would be ignored): `)).toBe(true)
      expect(detail).toContain(name)
    }
    // Every option the layer takes passes.
    for (
      const key of [
        "headers", "connectTimeout", "recvTimeout", "checkoutTimeout", "maxPerHost", "pool", "maxBodySize", "basicAuth", "tls",
        "insecure", "protocols", "lookup", "family", "localAddress", "autoDecompress", "maxHeaderSize", "maxHeaderCount",
        "maxStartLineLength", "proxy", "proxyAuth", "noProxy", "socks5Resolve", "proxyTls"
      ]
    ) {
      expect(isHackneyOption(key)).toBe(true)
      expect(unsupportedOption({ [key]: 1 })).toBeUndefined()
    }
  })

  it("options that are not an object fail typed", () => {
    for (const bad of [null, 42, "x"]) {
      const e = unsupportedOption(bad as never)!
      expect(e).toBeInstanceOf(InvalidRequest)
      expect(e.reason).toBe("option")
      expect(e.detail).toMatch(/^the request options are /)
    }
  })

  it("isHackneyOption: the fields of Hackney.Options, kept or refused, and nothing else", () => {
    for (const k of ["headers", "recvTimeout", "proxyTls", "autoDecompress", "body", "followRedirect", "downloadProgress"]) {
      expect(isHackneyOption(k)).toBe(true)
    }
    for (const k of ["nonsense", "toString", "constructor", "__proto__"]) expect(isHackneyOption(k)).toBe(false)
  })

  it.scoped("make's and RequestOptions' unsupported options fail the request Encode, sending nothing", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const made = yield* failure(s, HttpClientRequest.get(`${s.url}/x`), { retry: 2 } as never)
      expect(made.reason).toBe("Encode")
      expect(causeOf(made).detail).toMatch(/^`retry` is not an option/)
      const client = clientOf(s)
      const over = yield* Effect.flip(
        client.get(`${s.url}/x`).pipe(Effect.provideService(HackneyHttpClient.RequestOptions, { cookieJar: {} } as never))
      )
      expect(over.reason).toBe("Encode")
      expect(causeOf(over).detail).toMatch(/^`cookieJar` is not an option/)
      // make's own bad option wins over a good RequestOptions.
      const both = yield* Effect.flip(
        clientOf(s, { timeout: 1 } as never).get(`${s.url}/x`).pipe(
          Effect.provideService(HackneyHttpClient.RequestOptions, { recvTimeout: 100 })
        )
      )
      expect(causeOf(both).detail).toMatch(/^`timeout` is not an option/)
      expect(s.requests).toHaveLength(0)
    }))

  it.scoped("RequestOptions override make's field by field", () =>
    Effect.gen(function*() {
      const s = yield* memoryServer(ok)
      const client = clientOf(s, { headers: { "x-make": "1" }, basicAuth: ["a", "b"] })
      yield* Effect.flatMap(client.get(`${s.url}/m`), (r) => r.text)
      expect(headerOf(s.requests[0], "x-make")).toBe("1")
      yield* Effect.flatMap(client.get(`${s.url}/m`), (r) => r.text).pipe(
        Effect.provideService(HackneyHttpClient.RequestOptions, { headers: { "x-over": "2" } })
      )
      expect(headerOf(s.requests[1], "x-make")).toBeUndefined()
      expect(headerOf(s.requests[1], "x-over")).toBe("2")
      expect(headerOf(s.requests[1], "authorization")).toBe(`Basic ${Buffer.from("a:b").toString("base64")}`)
    }))
})

describe("errors as the platform's", () => {
  const request = HttpClientRequest.get("http://memory.test/e")

  it("InvalidRequest url and scheme are InvalidUrl; other InvalidRequest and BodyError are Encode; the rest Transport", () => {
    const reasonOf = (e: Parameters<typeof requestError>[1]) => requestError(request, e).reason
    expect(reasonOf(new InvalidRequest({ reason: "url", detail: "d" }))).toBe("InvalidUrl")
    expect(reasonOf(new InvalidRequest({ reason: "scheme", detail: "d" }))).toBe("InvalidUrl")
    expect(reasonOf(new InvalidRequest({ reason: "header-name", detail: "d" }))).toBe("Encode")
    expect(reasonOf(new InvalidRequest({ reason: "body", detail: "d" }))).toBe("Encode")
    expect(reasonOf(new BodyError({ method: "GET", url: "http://memory.test/e", cause: "x", requestSent: false, bodyBytesSent: 0 }))).toBe("Encode")
    expect(reasonOf(new ConnectionClosed({ method: "GET", url: "http://memory.test/e", requestSent: true }))).toBe("Transport")
    const e = requestError(request, new InvalidRequest({ reason: "header-value", detail: "the header is bad", method: "GET", url: "http://memory.test/e" }))
    expect(e.request).toBe(request)
    expect(e.cause).toBeInstanceOf(InvalidRequest)
    // The request appears once, in the platform's part of the message.
    expect(e.message.split("http://memory.test/e")).toHaveLength(2)
    expect(e.message).toContain("the header is bad")
  })

  it("decodeError: a HackneyError's message, or what could not be decoded and why, and what to check", () => {
    const response = {} as never
    const hackney = decodeError(request, response, new BodyTooLarge({ method: "GET", url: "http://memory.test/e", limit: 3, direction: "response" }))
    expect(hackney.reason).toBe("Decode")
    expect(hackney.response).toBe(response)
    expect(hackney.cause).toBeInstanceOf(BodyTooLarge)
    expect(hackney.message.split("http://memory.test/e")).toHaveLength(2)
    const json = decodeError(request, response, new SyntaxError("Unexpected token\nat 1"), "JSON")
    expect(json.description).toBe(
      "The body could not be decoded as JSON (Unexpected token at 1). Check the response's status and Content-Type before decoding its body."
    )
    expect(decodeError(request, response, "not an error").description).toBe(
      "The body could not be decoded. Check the response's status and Content-Type before decoding its body."
    )
  })
})
