import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as HackneyError from "../src/HackneyError.js"

describe("HackneyError", () => {
  it("redacts userinfo from the URL", () => {
    const e = new HackneyError.ConnectTimeout({
      method: "GET",
      url: "https://alice:s3cret@api.test:8443/x?y=1",
      host: "api.test",
      port: 8443,
      timeoutMillis: 8000
    })
    expect(e.url).toBe("https://api.test:8443/x?y=1")
    expect(e.message).not.toContain("s3cret")
    expect(e.message).toContain("connectTimeout")
  })

  it("redacts proxy URLs and redirect chains", () => {
    const p = new HackneyError.ProxyError({ reason: "auth-required", proxy: "http://u:p@127.0.0.1:3128", status: 407 })
    expect(p.proxy).toBe("http://127.0.0.1:3128")
    const r = new HackneyError.TooManyRedirects({ max: 1, chain: ["http://u:p@a.test/", "http://a.test/2"] })
    expect(r.chain).toEqual(["http://a.test/", "http://a.test/2"])
  })

  it.effect("errors are yieldable and caught by tag", () =>
    Effect.gen(function*() {
      const result = yield* new HackneyError.RecvTimeout({ timeoutMillis: 5, phase: "body" }).pipe(
        Effect.catchTag("RecvTimeout", (e) => Effect.succeed(e.phase))
      )
      expect(result).toBe("body")
    }))

  it("answers isTimeout and isRetryable", () => {
    const cases: Array<[HackneyError.HackneyError, boolean, boolean]> = [
      [new HackneyError.ConnectTimeout({ host: "h", port: 1, timeoutMillis: 1 }), true, true],
      [new HackneyError.CheckoutTimeout({ pool: "p", host: "h", port: 1, timeoutMillis: 1 }), true, true],
      [new HackneyError.RecvTimeout({ timeoutMillis: 1, phase: "headers" }), true, false],
      [new HackneyError.ConnectError({ reason: "refused", host: "h", port: 1 }), false, true],
      [new HackneyError.TlsError({ reason: "handshake", host: "h", port: 1 }), false, true],
      [new HackneyError.TlsError({ reason: "certificate", host: "h", port: 1 }), false, false],
      [new HackneyError.ConnectionClosed({ requestSent: false }), false, true],
      [new HackneyError.ConnectionClosed({ requestSent: true }), false, false],
      [new HackneyError.ConnectionClosed({ requestSent: true, reused: true, responseStarted: false }), false, true],
      [new HackneyError.ConnectionClosed({ requestSent: true, reused: true, responseStarted: true }), false, false],
      [new HackneyError.ProtocolError({ reason: "invalid-chunk-size" }), false, false],
      [new HackneyError.InvalidRequest({ reason: "url", detail: "x" }), false, false],
      [new HackneyError.BodyTooLarge({ limit: 1, direction: "response" }), false, false],
      [new HackneyError.PoolClosed({ pool: "p" }), false, false],
      [new HackneyError.BodyError({ requestSent: true, bodyBytesSent: 3, cause: "boom" }), false, false],
      [new HackneyError.ResponseClosed({ reason: "scope-closed" }), false, false],
      [new HackneyError.DecodeError({ reason: "json", detail: "x" }), false, false]
    ]
    for (const [e, timeout, retryable] of cases) {
      expect(HackneyError.isHackneyError(e)).toBe(true)
      expect([e._tag, HackneyError.isTimeout(e)]).toEqual([e._tag, timeout])
      expect([e._tag, HackneyError.isRetryable(e)]).toEqual([e._tag, retryable])
      expect(e.message.length).toBeGreaterThan(20)
    }
    expect(HackneyError.isHackneyError(new Error("x"))).toBe(false)
    expect(HackneyError.isRetryable("nope")).toBe(false)
  })
})
