/**
 * HTTP/3 discovery and fallback through `Hackney` against real servers, with `protocols: ["h2",
 * "http/1.1", "h3"]` (h3 by discovery), `["h3", "h2", "http/1.1"]` (h3 preferred: raced from the
 * first dial, with fallback) and `["h3"]` (forced):
 *
 * - caddy answers h2 with `Alt-Svc: h3=":28448"`: the h2 session is retired (drained), so the
 *   pool's next request dials, and the QUIC dial wins its race against TCP: HTTP/3 from then on;
 * - nginx → httpbin's `/response-headers` sends an `Alt-Svc` to a UDP port where nothing answers
 *   (UDP blocked): the next connection goes to TCP after the head start, and the alternative backs
 *   off (the one after that does not wait).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as dgram from "node:dgram"
import { readFileSync } from "node:fs"
import { Hackney, Headers, Pool } from "../../src/index.js"
import { timed } from "./client.js"
import { need, skipPeer } from "./env.js"

const discovery = ["h2", "http/1.1", "h3"]

describe.skipIf(skipPeer("caddy"))("Alt-Svc discovery against caddy", () => {
  const env = () => need("caddy")

  it.scopedLive("h2 first, Alt-Svc recorded, the next request is HTTP/3; forced h3 works too", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ name: "interop-altsvc-caddy" })
      const options = { pool, tls: { ca: readFileSync(env().ca, "utf8") }, protocols: discovery }
      const url = `${env().url("CADDY_TLS")}/hello`
      const first = yield* Hackney.get(url, options)
      expect([first.status, first.protocol, first.text()]).toEqual([200, "h2", "hello HTTP/2.0"])
      expect(Headers.get(first.headers, "alt-svc").pipe(Option.getOrUndefined)).toMatch(/^h3=":\d+"/)
      const second = yield* Hackney.get(url, options)
      expect([second.status, second.protocol, second.text()]).toEqual([200, "h3", "hello HTTP/3.0"])
      // The HTTP/3 connection is reused while it lives.
      const third = yield* Hackney.get(url, options)
      expect(third.protocol).toBe("h3")
      const forced = yield* Hackney.get(url, { ...options, pool: false, protocols: ["h3"] })
      expect([forced.protocol, forced.text()]).toEqual(["h3", "hello HTTP/3.0"])
    }), 30_000)
})

describe.skipIf(skipPeer("caddy") || skipPeer("nginx"))("h3 preferred: protocols [h3, h2, http/1.1]", () => {
  it.scopedLive("caddy (UDP answers): the first request is HTTP/3; nginx (no HTTP/3): h2 after the head start, then no wait", () =>
    Effect.gen(function*() {
      const caddy = need("caddy")
      const preferred = ["h3", "h2", "http/1.1"]
      const pool = yield* Pool.make({ name: "interop-h3-preferred" })
      const first = yield* Hackney.get(`${caddy.url("CADDY_TLS")}/hello`, { pool, tls: { ca: readFileSync(caddy.ca, "utf8") }, protocols: preferred })
      expect([first.status, first.protocol, first.text()]).toEqual([200, "h3", "hello HTTP/3.0"])
      const nginx = need("nginx")
      const options = { pool, tls: { ca: readFileSync(nginx.ca, "utf8") }, protocols: preferred }
      const [fallback, raced] = yield* timed(Hackney.get(`${nginx.url("NGINX_TLS")}/`, options))
      expect([fallback.status, fallback.protocol]).toEqual([200, "h2"])
      expect(raced).toBeGreaterThanOrEqual(290)
      const [again, direct] = yield* timed(Hackney.get(`${nginx.url("NGINX_TLS")}/`, options))
      expect(again.protocol).toBe("h2")
      expect(direct).toBeLessThan(250)
    }), 30_000)
})

describe.skipIf(skipPeer("nginx") || skipPeer("httpbin"))("Alt-Svc fallback when UDP is blocked (nginx → httpbin)", () => {
  const env = () => need("nginx")

  it.scopedLive("an Alt-Svc to a UDP port nobody answers: requests succeed over TCP; after one lost race h3 is skipped", () =>
    Effect.gen(function*() {
      const udp = yield* Effect.acquireRelease(
        Effect.async<dgram.Socket>((resume) => {
          const s = dgram.createSocket("udp4")
          s.on("message", () => {})
          s.bind(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) => Effect.sync(() => s.close())
      )
      const pool = yield* Pool.make({ name: "interop-altsvc-blocked" })
      const options = { pool, tls: { ca: readFileSync(env().ca, "utf8") }, protocols: discovery }
      const altSvc = encodeURIComponent(`h3=":${udp.address().port}"; ma=60`)
      const url = `${env().url("NGINX_TLS")}/httpbin/response-headers?Alt-Svc=${altSvc}`
      const first = yield* Hackney.get(url, options)
      expect([first.status, first.protocol]).toEqual([200, "h2"])
      expect(Headers.get(first.headers, "alt-svc").pipe(Option.getOrUndefined)).toBe(`h3=":${udp.address().port}"; ma=60`)
      // The h2 session that announced it was retired: this request dials and races.
      const [second, raced] = yield* timed(Hackney.get(url, options))
      expect([second.status, second.protocol]).toEqual([200, "h2"])
      expect(raced).toBeGreaterThanOrEqual(290)
      // Backed off: the session that won is kept and reused, without a race.
      const [third, direct] = yield* timed(Hackney.get(url, options))
      expect(third.protocol).toBe("h2")
      expect(direct).toBeLessThan(250)
    }), 30_000)
})
