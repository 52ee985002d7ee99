/**
 * effect-hackney through the real proxies of `scripts/peers.sh`: squid and tinyproxy (open and
 * Basic auth), dante and microsocks (open and user/password), to http (httpbin `/headers`: what
 * reached the origin) and https (nginx, verified against the test CA) targets, with squid's
 * access log as evidence from the proxy side, and the typed errors of a missing or wrong password.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Hackney from "../../src/Hackney.js"
import { need, skipPeer } from "./env.js"

type ProxyPeer = "squid" | "tinyproxy" | "dante" | "microsocks"

/** Each proxy peer: the env key of its open URL and of its authenticated URL (with credentials). */
const proxies: ReadonlyArray<{ readonly peer: ProxyPeer; readonly open: string; readonly auth?: string; readonly noCreds?: string }> = [
  { peer: "squid", open: "SQUID", auth: "SQUID_AUTH", noCreds: "SQUID_AUTH_NOCREDS" },
  { peer: "tinyproxy", open: "TINYPROXY", auth: "TINYPROXY_AUTH", noCreds: "TINYPROXY_AUTH_NOCREDS" },
  { peer: "dante", open: "DANTE" },
  { peer: "microsocks", open: "MICROSOCKS", auth: "MICROSOCKS_AUTH", noCreds: "MICROSOCKS_AUTH_NOCREDS" }
]

const squidLog = (): string => {
  try {
    return readFileSync(join(need("squid").dir, "squid", "logs", "access.log"), "utf8")
  } catch {
    return ""
  }
}

for (const { auth, noCreds, open, peer } of proxies) {
  describe.skipIf(skipPeer(peer) || skipPeer("httpbin") || skipPeer("nginx"))(`through ${peer}`, () => {
    const env = () => need(peer)
    const ca = () => readFileSync(need("nginx").url("CA"), "utf8")
    const urls = auth === undefined ? [open] : [open, auth]

    for (const key of urls) {
      it.effect(`${key}: an http target (httpbin /headers) sees no proxy credentials`, () =>
        Effect.gen(function*() {
          const r = yield* Hackney.get(`${need("httpbin").url("HTTPBIN")}/headers`, { pool: false, proxy: env().url(key) })
          expect(r.status).toBe(200)
          const headers = (r.json() as { headers: Record<string, string> }).headers
          expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain("proxy-authorization")
          // HTTP proxies forward the request in absolute-form and say so in the response's Via
          // (httpbin hides Via from /headers); SOCKS5 tunnels add nothing.
          if (peer === "squid" || peer === "tinyproxy") expect(r.header("via")).toContain(peer)
          else expect(r.header("via")).toBeUndefined()
        }))

      it.effect(`${key}: an https target (nginx), verified against localhost`, () =>
        Effect.gen(function*() {
          const before = peer === "squid" ? squidLog().length : 0
          const r = yield* Hackney.get(`${need("nginx").url("NGINX_TLS")}/hello`, {
            pool: false,
            proxy: env().url(key),
            tls: { ca: ca() }
          })
          expect(r.status).toBe(200)
          expect(r.text()).toBe("hello\n")
          if (peer === "squid") {
            // Evidence from the proxy side: squid logged the CONNECT to nginx.
            const port = new URL(need("nginx").url("NGINX_TLS")).port
            for (let i = 0; i < 50 && !squidLog().slice(before).includes(`CONNECT localhost:${port}`); i++) {
              yield* Effect.promise(() => new Promise((res) => setTimeout(res, 20)))
            }
            expect(squidLog().slice(before)).toContain(`CONNECT localhost:${port}`)
          }
        }))
    }

    if (noCreds !== undefined && (peer === "squid" || peer === "tinyproxy")) {
      it.effect(`${noCreds}: an http target without credentials is a ProxyError (auth-required), not a 407 response`, () =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(Hackney.get(`${need("httpbin").url("HTTPBIN")}/get`, { pool: false, proxy: env().url(noCreds) }))
          expect(e).toMatchObject({ _tag: "ProxyError", reason: "auth-required", status: 407 })
        }))
    }

    if (noCreds !== undefined) {
      it.effect(`${noCreds}: no credentials is a ProxyError (${peer === "microsocks" ? "socks5" : "auth-required"})`, () =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(Hackney.get(`${need("nginx").url("NGINX_TLS")}/hello`, { pool: false, proxy: env().url(noCreds), tls: { ca: ca() } }))
          expect(e._tag).toBe("ProxyError")
          if (e._tag !== "ProxyError") return
          if (peer === "microsocks") expect(e.reason).toBe("socks5")
          else {
            expect(e).toMatchObject({ reason: "auth-required", status: 407 })
            expect(e.detail).toMatch(/Basic realm=/)
          }
        }))

      it.effect(`${noCreds}: a wrong password is a ProxyError (${peer === "microsocks" ? "socks5" : "auth-failed"}), not echoed`, () =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(Hackney.get(`${need("nginx").url("NGINX_TLS")}/hello`, {
            pool: false,
            proxy: env().url(noCreds),
            proxyAuth: [peer === "microsocks" ? env().url("SOCKS_USER") : env().url("PROXY_USER"), "wrong-pass-x"],
            tls: { ca: ca() }
          }))
          expect(e._tag).toBe("ProxyError")
          if (e._tag !== "ProxyError") return
          expect(e.reason).toBe(peer === "microsocks" ? "socks5" : "auth-failed")
          expect(e.message).not.toContain("wrong-pass-x")
        }))
    }
  })
}
