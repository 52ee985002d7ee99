/**
 * Which proxy a dial goes through (src/internal/pool/proxySpec.ts) without a
 * server: the proxy options' rules, the explicit `proxy` choice, the pool-key
 * part, the environment's proxy applied to a spec (read through the
 * ConfigProvider), a pool's proxy default; and a proxy's refusal of a
 * CONNECT (src/internal/proxy/refusal.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import type { ProxyError } from "../src/HackneyError.js"
import * as Url from "../src/Url.js"
import type { ResponseHead } from "../src/internal/http1/types.js"
import type { ProxyDial } from "../src/internal/node/socket.js"
import { check, rule } from "../src/internal/options/rules.js"
import type { EnvSpec, PoolProxyDefault } from "../src/internal/pool/proxySpec.js"
import {
  checkProxy,
  checkProxyTls,
  currentProxyEnv,
  poolProxyDefault,
  proxyChoice,
  proxyKey,
  proxyRules,
  specWithEnv,
  withProxyEnv
} from "../src/internal/pool/proxySpec.js"
import { proxyRefusal } from "../src/internal/proxy/refusal.js"

const url = (text: string) => Either.getOrThrow(Url.parse(text))

describe("proxy options", () => {
  const detail = (options: Record<string, unknown>) => check(options, proxyRules)?.detail

  it("each rule accepts its forms and names them when it refuses a value", () => {
    expect(detail({ proxy: false, proxyAuth: ["u", "p"], noProxy: "a.test", socks5Resolve: "local", proxyTls: {} })).toBeUndefined()
    expect(detail({ proxy: "http://p:1", noProxy: ["a.test", "b.test"], socks5Resolve: "remote" })).toBeUndefined()
    expect(detail({ proxy: true })).toBe("the option proxy is true; it takes a proxy URL (http://, https://, socks5:// or socks5h://) or false")
    expect(detail({ proxyAuth: ["u"] })).toBe("the option proxyAuth is an array of 1; it takes [user, password]: two strings without CR, LF or NUL")
    expect(detail({ proxyAuth: "u:p" })).toContain("the option proxyAuth is \"u:p\"")
    expect(detail({ proxyAuth: ["u", 1] })).toContain("the option proxyAuth is")
    expect(detail({ proxyAuth: ["u", "p\r\nX: y"] })).toContain("the option proxyAuth is")
    expect(detail({ proxyAuth: ["u\0", "p"] })).toContain("the option proxyAuth is")
    expect(detail({ noProxy: 1 })).toBe("the option noProxy is 1; it takes a NO_PROXY list: a comma-separated string or an array of strings")
    expect(detail({ noProxy: ["a.test", 1] })).toContain("the option noProxy is")
    expect(detail({ socks5Resolve: "dns" })).toBe(`the option socks5Resolve is "dns"; it takes "remote" or "local"`)
    expect(detail({ proxyTls: "yes" })).toBe("the option proxyTls is \"yes\"; it takes an object of TLS options")
  })

  it("checkProxy parses a proxy URL given as text (only then)", () => {
    expect(checkProxy({ proxy: "http://p:1" })).toBeUndefined()
    expect(checkProxy({ proxy: false })).toBeUndefined()
    expect(checkProxy({})).toBeUndefined()
    expect(checkProxy({ proxy: "ftp://p:1" })).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
  })

  it("checkProxyTls checks proxyTls's own options, named proxyTls.<name>", () => {
    const tlsRules = { servername: rule("a host name", (v) => typeof v === "string") }
    expect(checkProxyTls({ proxyTls: { servername: 1 } }, tlsRules)?.detail).toBe(
      "the option proxyTls.servername is 1; it takes a host name"
    )
    expect(checkProxyTls({ proxyTls: { servername: "p.test" } }, tlsRules)).toBeUndefined()
    expect(checkProxyTls({ proxyTls: "x" }, tlsRules)).toBeUndefined() // the proxyTls rule refuses it
  })
})

describe("proxyChoice (an explicit proxy option)", () => {
  it("false, or a Unix socket target: direct; unset: the environment", () => {
    expect(proxyChoice(url("http://a.test/"), { proxy: false })).toBe("direct")
    expect(proxyChoice(url("http+unix://%2Frun%2Fx.sock/"), { proxy: "http://p:1" })).toBe("direct")
    expect(proxyChoice(url("http://a.test/"), {})).toBe("environment")
  })

  it("a proxy URL: its dial, with proxyAuth, socks5Resolve and proxyTls when given (and only then)", () => {
    expect(proxyChoice(url("http://a.test/"), { proxy: "http://p.test:3128" })).toStrictEqual({
      kind: "http",
      host: "p.test",
      port: 3128,
      display: "http://p.test:3128"
    })
    const tls = { servername: "p.test" }
    expect(proxyChoice(url("http://a.test/"), {
      proxy: "socks5://p.test:1080",
      proxyAuth: ["u", "pw"],
      socks5Resolve: "local",
      proxyTls: tls
    })).toEqual({
      kind: "socks5",
      host: "p.test",
      port: 1080,
      display: "socks5://p.test:1080",
      user: "u",
      password: "pw",
      socks5Resolve: "local",
      tls
    })
  })

  it("a proxy URL that does not parse (the options' check refuses it first) dials direct", () => {
    expect(proxyChoice(url("http://a.test/"), { proxy: "ftp://p.test:1" })).toBe("direct")
  })

  it("noProxy sends a matching target direct (host and port), others through the proxy", () => {
    const options = { proxy: "http://p.test:3128", noProxy: "a.test:8080, b.test" }
    expect(proxyChoice(url("http://a.test:8080/"), options)).toBe("direct")
    expect(proxyChoice(url("http://x.b.test/"), options)).toBe("direct")
    expect(proxyChoice(url("http://a.test:80/"), options)).toMatchObject({ host: "p.test" })
    expect(proxyChoice(url("http://c.test/"), options)).toMatchObject({ host: "p.test" })
  })
})

describe("proxyKey (the pool-key part of a proxy dial)", () => {
  const dial = (more: Partial<ProxyDial> = {}): ProxyDial => ({ kind: "http", host: "p", port: 1, display: "http://p:1", ...more })

  it("the display, a hash of the credentials (never them), ;local and the proxy TLS options", () => {
    expect(proxyKey(dial())).toBe("|proxy=http://p:1")
    const withUser = proxyKey(dial({ user: "u", password: "secret" }))
    expect(withUser).toMatch(/^\|proxy=http:\/\/p:1#[A-Za-z0-9_-]{22}$/)
    expect(withUser).not.toContain("secret")
    expect(proxyKey(dial({ user: "u", password: "other" }))).not.toBe(withUser)
    expect(proxyKey(dial({ user: "u", password: undefined }))).toBe(proxyKey(dial({ user: "u", password: "" })))
    // user and password are separated: ("ab", "") and ("a", "b") are different credentials.
    expect(proxyKey(dial({ user: "ab", password: "" }))).not.toBe(proxyKey(dial({ user: "a", password: "b" })))
    expect(proxyKey(dial({ socks5Resolve: "local" }))).toBe("|proxy=http://p:1;local")
    expect(proxyKey(dial({ socks5Resolve: "remote" }))).toBe("|proxy=http://p:1")
    expect(proxyKey(dial({ tls: { servername: "p" } }))).toBe(`|proxy=http://p:1;{"servername":"p"}`)
  })
})

describe("the environment's proxy applied to a spec", () => {
  const spec = (scheme: string, more: Partial<EnvSpec["envProxy"]> = {}, host = "a.test"): EnvSpec => ({
    key: `k-${host}`,
    host,
    port: 80,
    envProxy: { scheme, ...more }
  })
  const env = (vars: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(vars)))
  const where = { method: "GET", url: "http://a.test/" }
  const applied = (s: EnvSpec, vars: Record<string, string>) => Effect.withConfigProvider(withProxyEnv(s, where), env(vars))

  it.effect("HTTP_PROXY for http and ws targets, HTTPS_PROXY for https and wss ones; the key gains the proxy", () =>
    Effect.gen(function*() {
      const vars = { HTTP_PROXY: "http://plain:1", HTTPS_PROXY: "http://secure:2" }
      for (const [scheme, host] of [["http", "plain"], ["ws", "plain"], ["https", "secure"], ["wss", "secure"]]) {
        const s = yield* applied(spec(scheme), vars)
        expect([scheme, s.proxy?.host, s.envProxy, s.key]).toEqual([scheme, host, undefined, `k-a.test|proxy=${s.proxy?.display}`])
      }
    }))

  it.effect("no proxy variable, a spec without envProxy, or a NO_PROXY match: the spec itself", () =>
    Effect.gen(function*() {
      const s = spec("http")
      expect(yield* applied(s, {})).toBe(s)
      const plain = { key: "k", host: "a.test", port: 80 }
      expect(yield* applied(plain, { HTTP_PROXY: "http://p:1" })).toBe(plain)
      expect(yield* applied(s, { HTTP_PROXY: "http://p:1", NO_PROXY: "a.test" })).toBe(s)
      // The request's noProxy replaces the environment's.
      const own = spec("http", { noProxy: "a.test" })
      expect(yield* applied(own, { HTTP_PROXY: "http://p:1" })).toBe(own)
    }))

  it.effect("the request's proxyAuth, socks5Resolve and proxyTls go with the environment's proxy", () =>
    Effect.gen(function*() {
      const s = yield* applied(spec("http", { proxyAuth: ["u", "pw"], socks5Resolve: "local", proxyTls: { servername: "p" } }), {
        ALL_PROXY: "socks5://p:1080"
      })
      expect(s.proxy).toMatchObject({ kind: "socks5", user: "u", password: "pw", socks5Resolve: "local", tls: { servername: "p" } })
    }))

  it.effect("a bad proxy variable fails with InvalidRequest naming the variable and the request", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(applied(spec("https"), { HTTPS_PROXY: "ftp://p:1" }))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: "http://a.test/" })
      expect(e.detail).toMatch(/^the proxy environment \(HTTPS_PROXY or ALL_PROXY\): the scheme "ftp"/)
      const wss = yield* Effect.flip(applied(spec("wss"), { HTTPS_PROXY: "ftp://p:1" }))
      expect(wss.detail).toMatch(/^the proxy environment \(HTTPS_PROXY or ALL_PROXY\)/)
      const plain = yield* Effect.flip(applied(spec("http"), { HTTP_PROXY: "http://p:1/path" }))
      expect(plain.detail).toMatch(/^the proxy environment \(HTTP_PROXY or ALL_PROXY\): a proxy URL has no path/)
    }))

  it.effect("the environment is read once per ConfigProvider, and a spec's result is reused", () =>
    Effect.gen(function*() {
      let reads = 0
      const provider = ConfigProvider.fromMap(new Map([["HTTP_PROXY", "http://p:1"]])).pipe(
        ConfigProvider.mapInputPath((name) => (reads++, name))
      )
      const s = spec("http")
      const a = yield* Effect.withConfigProvider(withProxyEnv(s, where), provider)
      const readsAfterFirst = reads
      expect(readsAfterFirst).toBeGreaterThan(0)
      const b = yield* Effect.withConfigProvider(withProxyEnv(s, where), provider)
      expect(b).toBe(a)
      expect(reads).toBe(readsAfterFirst)
      expect(b.proxy?.host).toBe("p")
      const env = yield* Effect.withConfigProvider(currentProxyEnv, provider)
      expect(yield* Effect.withConfigProvider(currentProxyEnv, provider)).toBe(env)
      expect(reads).toBe(readsAfterFirst)
      expect(env.http).toBe("http://p:1")
    }))
})

describe("a pool's proxy default", () => {
  const spec = (more: Partial<EnvSpec["envProxy"]> = {}): EnvSpec => ({ key: "k", host: "a.test", port: 80, envProxy: { scheme: "http", ...more } })
  const run = (s: EnvSpec, pool: PoolProxyDefault | undefined, vars: Record<string, string> | ConfigProvider.ConfigProvider = {}) =>
    Effect.withConfigProvider(
      Effect.withFiberRuntime<EnvSpec, unknown>((fiber) => {
        const r = specWithEnv(s, fiber, {}, pool)
        return Effect.isEffect(r) ? r as Effect.Effect<EnvSpec, unknown> : Effect.succeed(r)
      }),
      ConfigProvider.ConfigProviderTypeId in vars ? vars as ConfigProvider.ConfigProvider : ConfigProvider.fromMap(new Map(Object.entries(vars)))
    )

  it("no proxy and no options: none; false: the empty environment; a URL: that proxy for both schemes", () => {
    expect(poolProxyDefault(undefined, undefined)).toBeUndefined()
    expect(poolProxyDefault(false, undefined)?.env).toMatchObject({ http: undefined, https: undefined })
    expect(poolProxyDefault("http://p:1", undefined)?.env).toMatchObject({ http: "http://p:1", https: "http://p:1", noProxy: { all: false } })
    expect(poolProxyDefault(undefined, { noProxy: "x" })).toMatchObject({ env: undefined, options: { noProxy: "x" } })
  })

  it.effect("the pool's proxy replaces the environment's; false sends direct whatever the environment says", () =>
    Effect.gen(function*() {
      const vars = { HTTP_PROXY: "http://env:1" }
      expect((yield* run(spec(), poolProxyDefault("http://pool:2", undefined), vars)).proxy?.host).toBe("pool")
      const s = spec()
      expect(yield* run(s, poolProxyDefault(false, undefined), vars)).toBe(s)
      const plain = { key: "k", host: "a.test", port: 80 }
      expect(yield* run(plain, undefined, vars)).toBe(plain)
      expect(yield* run(plain, poolProxyDefault("http://pool:2", undefined), vars)).toBe(plain)
    }))

  it.effect("the pool's proxy options apply to the environment's proxy; the request's own options win", () =>
    Effect.gen(function*() {
      const vars = { HTTP_PROXY: "http://env:1" }
      const pool = poolProxyDefault(undefined, { proxyAuth: ["pool", "pw"], socks5Resolve: "local", proxyTls: { servername: "pool" }, noProxy: "b.test" })
      expect((yield* run(spec(), pool, vars)).proxy).toMatchObject({
        host: "env",
        user: "pool",
        socks5Resolve: "local",
        tls: { servername: "pool" }
      })
      const own = yield* run(spec({ proxyAuth: ["me", "pw"], socks5Resolve: "remote", proxyTls: { servername: "me" }, noProxy: "c.test" }), pool, vars)
      expect(own.proxy).toMatchObject({ user: "me", socks5Resolve: "remote", tls: { servername: "me" } })
      // The pool's noProxy applies unless the request has its own.
      const b = { key: "kb", host: "b.test", port: 80, envProxy: { scheme: "http" } }
      expect(yield* run(b, pool, vars)).toBe(b)
      const bOwn = { key: "kb", host: "b.test", port: 80, envProxy: { scheme: "http", noProxy: "c.test" } }
      expect((yield* run(bOwn, pool, vars)).proxy?.host).toBe("env")
    }))

  it.effect("a pool with options derives its own specs: the same spec gets the pool's dial there, the plain one elsewhere", () =>
    Effect.gen(function*() {
      const vars = ConfigProvider.fromMap(new Map([["HTTP_PROXY", "http://env:1"]]))
      const s = spec()
      const pool = poolProxyDefault(undefined, { proxyAuth: ["pool", "pw"] })
      const plain = yield* run(s, undefined, vars)
      const pooled = yield* run(s, pool, vars)
      expect(plain.proxy?.user).toBeUndefined()
      expect(pooled.proxy?.user).toBe("pool")
      expect(yield* run(s, pool, vars)).toBe(pooled)
    }))
})

describe("a proxy's refusal of a CONNECT", () => {
  const head = (status: number, reason: string, rawHeaders: ReadonlyArray<string> = []) =>
    ({ status, reason, rawHeaders }) as unknown as ResponseHead
  const where = { method: "GET", url: "https://a.test/" }
  const fields = (e: ProxyError) => ({ reason: e.reason, status: e.status, detail: e.detail, proxy: e.proxy, url: e.url })

  it("407: auth-required, or auth-failed when credentials were sent; the detail is every Proxy-Authenticate challenge", () => {
    const challenges = head(407, "Proxy Authentication Required", ["Proxy-Authenticate", "Basic realm=\"x\"", "Via", "1.1 p", "proxy-authenticate", "Negotiate"])
    expect(fields(proxyRefusal(challenges, "http://p:1", false, where))).toEqual({
      reason: "auth-required",
      status: 407,
      detail: "Basic realm=\"x\", Negotiate",
      proxy: "http://p:1",
      url: "https://a.test/"
    })
    expect(proxyRefusal(head(407, "", []), "http://p:1", true, where)).toMatchObject({ reason: "auth-failed", detail: "no authentication challenge" })
  })

  it("401 is an authentication answer from a CONNECT (its WWW-Authenticate), any other status from anything else", () => {
    const h = head(401, "Unauthorized", ["WWW-Authenticate", "Basic", "Proxy-Authenticate", "Digest"])
    expect(proxyRefusal(h, "http://p:1", false, where)).toMatchObject({ reason: "auth-required", detail: "Basic" })
    expect(proxyRefusal(h, "http://p:1", false, where, false)).toMatchObject({ reason: "invalid-response", detail: "the proxy answered 401 Unauthorized" })
    expect(proxyRefusal(head(502, ""), "http://p:1", false, where)).toMatchObject({ reason: "invalid-response", status: 502, detail: "the proxy answered 502" })
  })
})
