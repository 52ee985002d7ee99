/**
 * The shape of every error message: one line; what happened, then what to
 * do; the request at most once (also once the HttpClient layer wraps it in a
 * RequestError / ResponseError); options it names exist.
 */
import { HttpClient, HttpClientRequest, HttpIncomingMessage } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, TestClock } from "effect"
import * as Hackney from "../src/Hackney.js"
import * as HackneyError from "../src/HackneyError.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Pool from "../src/Pool.js"
import { requestError } from "../src/internal/httpclient/error.js"
import { isHackneyOption } from "../src/internal/httpclient/options.js"
import { eventually } from "./support/hackney.js"
import { httpServer, rawServer } from "./support/servers.js"

const method = "GET"
const url = "https://api.test:8443/v1/items?id=1"
const req = { method, url }
const host = "api.test"
const port = 8443
/** OpenSSL's text as Node reports it: with a trailing newline. */
const openssl = new Error(
  "800C11331B7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n"
)

/** At least one sample of every tag (the type makes a new tag without samples a compile error). */
const samples: { readonly [K in HackneyError.HackneyError["_tag"]]: ReadonlyArray<HackneyError.HackneyError> } = {
  ConnectTimeout: [new HackneyError.ConnectTimeout({ ...req, host, port, timeoutMillis: 8000 })],
  CheckoutTimeout: [new HackneyError.CheckoutTimeout({ ...req, pool: "default", host, port, timeoutMillis: 8000 })],
  RecvTimeout: [
    new HackneyError.RecvTimeout({ ...req, timeoutMillis: 5000, phase: "headers" }),
    new HackneyError.RecvTimeout({ ...req, timeoutMillis: 5000, phase: "body" })
  ],
  RequestTimeout: [
    new HackneyError.RequestTimeout({ ...req, timeoutMillis: 10000, until: "response" }),
    new HackneyError.RequestTimeout({ ...req, timeoutMillis: 10000, until: "head" }),
    new HackneyError.RequestTimeout({ ...req, timeoutMillis: 2000, until: "head", option: "attemptTimeout" })
  ],
  ConnectError: (["refused", "dns", "unreachable", "reset", "other"] as const).map((reason) =>
    new HackneyError.ConnectError({ ...req, reason, host, port, code: "ECONNREFUSED", cause: new Error("connect ECONNREFUSED\n") })
  ),
  TlsError: (["certificate", "hostname", "handshake"] as const).map((reason) =>
    new HackneyError.TlsError({ ...req, reason, host, port, code: "ERR_SSL_WRONG_VERSION_NUMBER", cause: openssl })
  ),
  ConnectionClosed: [
    new HackneyError.ConnectionClosed({ ...req, requestSent: false, cause: new Error("read ECONNRESET\n") }),
    new HackneyError.ConnectionClosed({ ...req, requestSent: true, reused: true }),
    new HackneyError.ConnectionClosed({ ...req, requestSent: true, responseStarted: true })
  ],
  ProtocolError: [
    new HackneyError.ProtocolError({ ...req, reason: "invalid-chunk-size", detail: "non-hex\r\ndigit", offset: 12 })
  ],
  TooManyRedirects: [
    new HackneyError.TooManyRedirects({ ...req, max: 2, chain: [url, "https://api.test:8443/a", "https://api.test:8443/b"] }),
    new HackneyError.TooManyRedirects({ ...req, max: 0, chain: [url] })
  ],
  InvalidRequest: (["url", "scheme", "method", "target", "header-name", "header-value", "body", "option"] as const).map(
    (reason) => new HackneyError.InvalidRequest({ ...req, reason, detail: "it is wrong\nin two lines." })
  ).concat([
    new HackneyError.InvalidRequest({ ...req, reason: "body", detail: "send after finish", requestSent: true }),
    new HackneyError.InvalidRequest({ ...req, reason: "scheme", detail: "the 302 redirect points to ftp://a.test/a", found: "redirect" })
  ]),
  ProxyError: (["connect-refused", "auth-required", "auth-failed", "socks5", "invalid-response"] as const).map((reason) =>
    new HackneyError.ProxyError({ ...req, reason, proxy: "http://u:p@127.0.0.1:3128", status: 407, detail: "a\nb" })
  ),
  BodyTooLarge: [new HackneyError.BodyTooLarge({ ...req, limit: 1024, direction: "response" })],
  PoolClosed: [new HackneyError.PoolClosed({ ...req, pool: "api" })],
  BodyError: [
    new HackneyError.BodyError({ ...req, requestSent: true, bodyBytesSent: 10, cause: new Error("disk gone\n") }),
    new HackneyError.BodyError({ ...req, requestSent: false, bodyBytesSent: 0, cause: "nope" })
  ],
  ResponseClosed: [
    new HackneyError.ResponseClosed({ ...req, reason: "scope-closed" }),
    new HackneyError.ResponseClosed({ ...req, reason: "already-read" })
  ],
  DecodeError: [
    new HackneyError.DecodeError({ ...req, reason: "json", detail: "Unexpected token 'n', \"{not json\" is not valid JSON" }),
    new HackneyError.DecodeError({ ...req, reason: "schema", detail: "at id: Expected number, actual \"1\"\n(and 1 more issue)" })
  ],
  MultipartError: (["missing-closing-boundary", "too-many-parts", "body-unavailable"] as const).map((reason) =>
    new HackneyError.MultipartError({ ...req, reason, detail: "the input ended\ninside part 2" })
  )
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1

/** One line, at least two sentences (what happened, then what to do), ends with a period. */
const expectShape = (label: string, message: string) => {
  expect([label, message.includes("\n") || message.includes("\r")]).toEqual([label, false])
  expect([label, /\.$/.test(message)]).toEqual([label, true])
  expect([label, message, /[A-Za-z0-9)"`'\]]\. [A-Z`]/.test(message)]).toEqual([label, message, true])
  expect([label, /\.\.|: \.|\s\./.test(message)]).toEqual([label, false])
}

describe("error messages", () => {
  it("every error class has samples", () => {
    const classes = Object.entries(HackneyError)
      .filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Error)
      .map(([k]) => k)
      .sort()
    expect(classes).toEqual(Object.keys(samples).sort())
  })

  it("every message: one line, what happened then what to do, the request once, only existing options named", () => {
    for (const [tag, list] of Object.entries(samples)) {
      for (const e of list) {
        const label = `${tag}/${(e as { reason?: string }).reason ?? ""}`
        expectShape(label, e.message)
        expect([label, occurrences(e.message, url)]).toEqual([label, 1])
        expect([label, occurrences(e.message, `${method} ${url}`)]).toEqual([label, 1])
        expect([label, e.message]).not.toContain("u:p@")
        for (const m of e.message.matchAll(/`([a-z][A-Za-z]*)(?:\.[A-Za-z]+)?`/g)) {
          expect([label, m[1], isHackneyOption(m[1])]).toEqual([label, m[1], true])
        }
        // Without the request part, the message is still whole (what the HttpClient layer shows).
        const bare = HackneyError.messageWithoutRequest(e)
        expectShape(label, bare)
        expect([label, occurrences(bare, url)]).toEqual([label, 0])
      }
    }
  })

  it("a URL with control characters (an invalid request) is shown percent-encoded, on one line", () => {
    const e = new HackneyError.InvalidRequest({ reason: "url", detail: "the URL contains a control character", method, url: "http://a.test/x\r\nInjected: 1" })
    expectShape("InvalidRequest/url", e.message)
    expect(e.message).toContain("(GET http://a.test/x%0D%0AInjected: 1)")
    expect(HackneyError.messageWithoutRequest(e)).not.toContain("a.test")
  })

  it("RecvTimeout is not retryable, even for an idempotent method (the request was sent)", () => {
    for (const m of ["GET", "HEAD", "PUT", "DELETE", "POST"]) {
      expect([m, HackneyError.isRetryable(new HackneyError.RecvTimeout({ method: m, timeoutMillis: 1, phase: "headers" }))])
        .toEqual([m, false])
    }
  })

  it.scoped("...but the retry option does retry a RecvTimeout of an idempotent method, as its JSDoc says (on the TestClock)", () =>
    Effect.gen(function*() {
      let hits = 0
      let answer = false
      const s = yield* httpServer((_req, res) => {
        hits++
        if (answer) res.end("late but fine") // until then, requests never get an answer
      })
      const options = { recvTimeout: "50 millis", retry: Schedule.recurs(1), pool: false } as const
      const get = yield* Effect.fork(Hackney.get(s.url, options))
      yield* eventually(() => hits === 1, 2000, "the first GET")
      answer = true
      yield* TestClock.adjust("50 millis")
      expect((yield* Fiber.join(get)).text()).toBe("late but fine")
      expect(hits).toBe(2)
      hits = 0
      answer = false
      const post = yield* Effect.fork(Effect.flip(Hackney.post(s.url, options)))
      yield* eventually(() => hits === 1, 2000, "the POST")
      answer = true
      yield* TestClock.adjust("50 millis")
      // A retried POST would have been answered ("late but fine"): it fails with its RecvTimeout instead.
      const e = yield* Fiber.join(post)
      expect([e._tag, hits]).toEqual(["RecvTimeout", 1])
    }))

  it("the HttpClient layer's RequestError names the request once", () => {
    const request = HttpClientRequest.get(url)
    for (const [tag, list] of Object.entries(samples)) {
      for (const e of list) {
        const m = requestError(request, e).message
        const label = `${tag}/${(e as { reason?: string }).reason ?? ""}`
        expect([label, m.includes("\n")]).toEqual([label, false])
        expect([label, occurrences(m, url)]).toEqual([label, 1])
      }
    }
  })
})

describe("error messages of real failures", () => {
  /** A port that speaks plain HTTP, so TLS to it fails with OpenSSL's "wrong version number". */
  const plain = rawServer((s) => s.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"))

  const expectOnce = (label: string, message: string, target: string) => {
    expect([label, message.includes("\n")]).toEqual([label, false])
    expect([label, occurrences(message, target)]).toEqual([label, 1])
  }

  it.scoped("an invalid pool option says no request was made (not \"nothing was sent\" of a request)", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Pool.make({ maxPerHost: 0 }))
      expectShape("InvalidRequest/pool", e.message)
      expect(e.found).toBe("pool")
      expect(e.message).toMatch(/^Invalid pool options or arguments \(option\): .*no request was made/)
      expect(e.message).not.toContain("nothing was sent")
    }))

  it.effect("Pool.stats of a pool that does not run, and bad Pool.prewarm arguments, say no request was made", () =>
    Effect.gen(function*() {
      const unknown = yield* Effect.flip(Pool.stats("no-such-pool"))
      const badPort = yield* Effect.flip(Pool.prewarm("default", "127.0.0.1", -1))
      for (const e of [unknown, badPort]) {
        expectShape("InvalidRequest/pool call", e.message)
        expect(e.found).toBe("pool")
        expect(e.message).toContain("no request was made")
        expect(e.message).not.toContain("nothing was sent")
      }
    }))

  it.scopedLive("a redirect to a scheme that cannot be requested says the redirecting request was answered", () =>
    Effect.gen(function*() {
      const s = yield* httpServer((_req, res) => {
        res.writeHead(302, { location: "ftp://files.test/a" })
        res.end()
      })
      const e = yield* Effect.flip(Hackney.get(s.url, { followRedirect: true, pool: false }))
      expect([e._tag, (e as HackneyError.InvalidRequest).found]).toEqual(["InvalidRequest", "redirect"])
      expectShape("InvalidRequest/redirect", e.message)
      expect(e.message).toContain("redirect not followed")
      expect(e.message).not.toContain("nothing was sent")
    }))

  it.scopedLive("HttpClient layer: an unfollowable redirect says the redirecting request was answered", () =>
    Effect.gen(function*() {
      const s = yield* httpServer((_req, res) => {
        res.writeHead(302, { location: "http://[bad" })
        res.end()
      })
      const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects())
      const e = yield* Effect.flip(client.get(s.url))
      const cause = (e as { cause?: unknown }).cause as HackneyError.InvalidRequest
      expect([cause._tag, cause.found]).toEqual(["InvalidRequest", "redirect"])
      expect(e.message).not.toContain("nothing was sent")
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.scopedLive("TlsError from a handshake with a plain-HTTP port: one line, the request once", () =>
    Effect.gen(function*() {
      const s = yield* plain
      const target = `https://127.0.0.1:${s.port}/`
      const e = yield* Effect.flip(Hackney.get(target, { insecure: true, pool: false }))
      expect(e._tag).toBe("TlsError")
      expectShape("TlsError", e.message)
      expectOnce("TlsError", e.message, target)
      const viaClient = yield* Effect.flip(
        HttpClient.get(target).pipe(
          Effect.provideService(HackneyHttpClient.RequestOptions, { insecure: true }),
          Effect.provide(HackneyHttpClient.layer)
        )
      )
      expectOnce("RequestError(TlsError)", viaClient.message, target)
    }))

  it.scopedLive("HttpClient errors name the request once: refused, invalid JSON, body too large, redirect loop", () =>
    Effect.gen(function*() {
      const s = yield* httpServer((r, res) => {
        if (r.url === "/start" || r.url!.startsWith("/hop")) {
          res.writeHead(302, { location: `/hop${r.url!.length}` })
          return void res.end()
        }
        res.end(r.url === "/big" ? "x".repeat(10_000) : "{not json")
      })
      const errors: Array<[string, HttpClientError.HttpClientError, string]> = []
      const refusedUrl = `http://127.0.0.1:1/`
      errors.push(["refused", yield* Effect.flip(HttpClient.get(refusedUrl)), refusedUrl])
      errors.push(["json", yield* Effect.flip(HttpClient.get(`${s.url}/bad`).pipe(Effect.flatMap((r) => r.json))), `${s.url}/bad`])
      errors.push([
        "too large",
        yield* Effect.flip(
          HttpClient.get(`${s.url}/big`).pipe(
            Effect.flatMap((r) => r.text),
            HttpIncomingMessage.withMaxBodySize(Option.some(100))
          )
        ),
        `${s.url}/big`
      ])
      const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ maxRedirects: 2 }))
      errors.push(["loop", yield* Effect.flip(client.get(`${s.url}/start`)), `${s.url}/start`])
      for (const [label, e, target] of errors) {
        expectOnce(label, e.message, target)
        expect([label, /\. [A-Z]/.test(e.message)]).toEqual([label, true])
      }
    }).pipe(Effect.provide(HackneyHttpClient.layer)))
})
