/**
 * The dial spec of a request (`internal/pool/dialSpec.ts`): what a pool dials with and the key it
 * files the connection under, built from the URL and the request's connection options; the
 * options' checks (`tls.*`), the per-origin memo, and the pool options' resolution
 * (`internal/pool/config.ts`) beside it. Pure: no I/O.
 */
import { describe, expect, it } from "@effect/vitest"
import { InvalidRequest } from "../src/HackneyError.js"
import { Url } from "../src/index.js"
import { poolConfig } from "../src/internal/pool/config.js"
import {
  buildDialSpec,
  checkTls,
  dialDefaults,
  dialRules,
  memoDialSpec,
  millis,
  poolKey,
  setsDialOption,
  tlsRules
} from "../src/internal/pool/dialSpec.js"
import type { DialOptions, DialSpec } from "../src/internal/pool/dialSpec.js"
import { poolDefaults } from "../src/internal/pool/registry.js"
import { check } from "../src/internal/options/rules.js"

const url = (s: string) => Url.unsafeParse(s)

describe("buildDialSpec", () => {
  it("an http origin: tcp, its host and port, the timeouts given, nothing else set", () => {
    const spec = buildDialSpec(url("http://Example.test:8080/a?b"), {}, 1234, 5678)
    expect(spec).toStrictEqual({
      key: "http://example.test:8080",
      envProxy: { scheme: "http" },
      transport: "tcp",
      host: "example.test",
      port: 8080,
      connectTimeout: 1234,
      recvTimeout: 5678,
      multiplex: false
    })
  })

  it("an https origin: tls, the key carries the TLS options, ALPN and insecure; it may multiplex (h2 offered)", () => {
    const plain = buildDialSpec(url("https://example.test/"), {}, 1, 2)
    expect(plain.transport).toBe("tls")
    expect(plain.key).toBe("https://example.test:443|")
    expect(plain.multiplex).toBe(true)
    expect("tls" in plain).toBe(false)
    expect("protocols" in plain).toBe(false)

    const options: DialOptions = { tls: { servername: "s.test" }, insecure: true, protocols: ["http1"] }
    const spec = buildDialSpec(url("https://example.test/"), options, 1, 2)
    expect(spec.key).toBe(`https://example.test:443|${JSON.stringify([{ servername: "s.test" }, true, ["http1"]])}`)
    expect(spec.tls).toEqual({ servername: "s.test", insecure: true })
    expect(spec.protocols).toEqual(["http/1.1"])
    expect(spec.multiplex).toBe(false)
  })

  it("tls alone, insecure alone and protocols alone each make their own key; insecure: false is kept", () => {
    const u = url("https://example.test/")
    const keys = [
      {},
      { tls: { ca: "x" } },
      { insecure: true },
      { insecure: false },
      { protocols: ["h2"] }
    ].map((o) => buildDialSpec(u, o as DialOptions, 1, 2).key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(buildDialSpec(u, { insecure: false }, 1, 2).tls).toStrictEqual({ insecure: false })
    // No insecure option: no insecure field (not one set to undefined).
    expect(buildDialSpec(u, { tls: { ca: "x" } }, 1, 2).tls).toStrictEqual({ ca: "x" })
    expect(buildDialSpec(u, { insecure: true }, 1, 2).key).toBe(`https://example.test:443|${JSON.stringify([null, true, null])}`)
    expect(buildDialSpec(u, { protocols: ["h2"] }, 1, 2).key).toBe(`https://example.test:443|${JSON.stringify([null, false, ["h2"]])}`)
  })

  it("the TLS options of an http origin are neither in its key nor in its spec", () => {
    const spec = buildDialSpec(url("http://example.test/"), { tls: { ca: "x" }, insecure: true }, 1, 2)
    expect(spec.key).toBe("http://example.test:80")
    expect(spec.tls).toBeUndefined()
    expect(poolKey(url("http://example.test/"), { tls: { ca: "x" } })).toBe("http://example.test:80")
  })

  it("the pool key memoises the TLS part per options object", () => {
    const options: { tls: { servername: string } } = { tls: { servername: "a.test" } }
    const first = poolKey(url("https://example.test/"), options)
    options.tls.servername = "b.test"
    // The same object: the key computed first (options are validated and not changed by the client).
    expect(poolKey(url("https://example.test/"), options)).toBe(first)
    expect(poolKey(url("https://example.test/"), { tls: { servername: "b.test" } })).not.toBe(first)
  })

  it("h2c with prior knowledge (protocols [h2, …] without TLS) is another connection than HTTP/1.1, and may multiplex", () => {
    const u = url("http://example.test/")
    const h2c = buildDialSpec(u, { protocols: ["h2", "http/1.1"] }, 1, 2)
    expect(h2c.key).toBe("http://example.test:80|h2c")
    expect(h2c.multiplex).toBe(true)
    expect(h2c.protocols).toEqual(["h2", "http/1.1"])
    const h1 = buildDialSpec(u, { protocols: ["http/1.1", "h2"] }, 1, 2)
    expect(h1.key).toBe("http://example.test:80")
    expect(h1.multiplex).toBe(false)
    // Over TLS, h2 first is ALPN, not prior knowledge.
    expect(buildDialSpec(url("https://example.test/"), { protocols: ["h2"] }, 1, 2).key.endsWith("|h2c")).toBe(false)
  })

  it("a proxy: in the spec and the key; an HTTP proxy's plain-http requests do not multiplex, a SOCKS5 one's may", () => {
    const u = url("http://example.test/")
    const viaHttp = buildDialSpec(u, { proxy: "http://proxy.test:3128", protocols: ["h2"] }, 1, 2)
    expect(viaHttp.proxy).toMatchObject({ kind: "http", host: "proxy.test", port: 3128 })
    expect(viaHttp.key).toBe("http://example.test:80|h2c|proxy=http://proxy.test:3128")
    expect(viaHttp.multiplex).toBe(false)
    expect(viaHttp.envProxy).toBeUndefined()
    const viaSocks = buildDialSpec(u, { proxy: "socks5://proxy.test", protocols: ["h2"] }, 1, 2)
    expect(viaSocks.proxy).toMatchObject({ kind: "socks5" })
    expect(viaSocks.multiplex).toBe(true)
    // https through an HTTP proxy is a tunnel: h2 inside it may multiplex.
    expect(buildDialSpec(url("https://example.test/"), { proxy: "http://proxy.test:3128" }, 1, 2).multiplex).toBe(true)
  })

  it("proxy: false and a NO_PROXY match dial directly: no proxy, no environment", () => {
    const direct = buildDialSpec(url("http://example.test/"), { proxy: false }, 1, 2)
    expect(direct.proxy).toBeUndefined()
    expect(direct.envProxy).toBeUndefined()
    expect(direct.key).toBe("http://example.test:80")
    const bypassed = buildDialSpec(url("http://example.test/"), { proxy: "http://p.test", noProxy: ["example.test"] }, 1, 2)
    expect(bypassed.proxy).toBeUndefined()
    expect(bypassed.envProxy).toBeUndefined()
  })

  it("without a proxy option, the environment decides at checkout: the spec keeps the scheme and the proxy options", () => {
    const auth: readonly [string, string] = ["u", "p"]
    const spec = buildDialSpec(url("https://example.test/"), {
      proxyAuth: auth,
      noProxy: ["x.test"],
      socks5Resolve: "local",
      proxyTls: { servername: "p.test" }
    }, 1, 2)
    expect(spec.envProxy).toStrictEqual({
      scheme: "https",
      proxyAuth: auth,
      noProxy: ["x.test"],
      socks5Resolve: "local",
      proxyTls: { servername: "p.test" }
    })
    expect(spec.proxy).toBeUndefined()
  })

  it("a unix socket: transport unix, never a proxy, even one given", () => {
    const spec = buildDialSpec(url("http+unix://%2Ftmp%2Fapp.sock/"), { proxy: "http://p.test" }, 1, 2)
    expect(spec.transport).toBe("unix")
    expect(spec.host).toBe("/tmp/app.sock")
    expect(spec.proxy).toBeUndefined()
    expect(spec.envProxy).toBeUndefined()
    expect(spec.tls).toBeUndefined()
  })

  it("each proxy option the environment needs is kept alone: no field for the ones not set", () => {
    const u = url("http://example.test/")
    expect(buildDialSpec(u, { noProxy: ["a.test"] }, 1, 2).envProxy).toStrictEqual({ scheme: "http", noProxy: ["a.test"] })
    expect(buildDialSpec(u, { proxyAuth: ["u", "p"] }, 1, 2).envProxy).toStrictEqual({ scheme: "http", proxyAuth: ["u", "p"] })
    expect(buildDialSpec(u, { socks5Resolve: "remote" }, 1, 2).envProxy).toStrictEqual({ scheme: "http", socks5Resolve: "remote" })
    expect(buildDialSpec(u, { proxyTls: { ca: "c" } }, 1, 2).envProxy).toStrictEqual({ scheme: "http", proxyTls: { ca: "c" } })
  })

  it("protocols that were not validated (not an offer) fall back to the default offer, [h2, http/1.1]", () => {
    expect(buildDialSpec(url("https://example.test/"), { protocols: [] }, 1, 2).protocols).toEqual(["h2", "http/1.1"])
    expect(buildDialSpec(url("https://example.test/"), { protocols: ["spdy"] }, 1, 2).protocols).toEqual(["h2", "http/1.1"])
  })

  it("lookup, family and localAddress are carried when set", () => {
    const lookup = () => {}
    const spec = buildDialSpec(url("http://example.test/"), { lookup, family: 6, localAddress: "::1" }, 1, 2)
    expect(spec.lookup).toBe(lookup)
    expect(spec.family).toBe(6)
    expect(spec.localAddress).toBe("::1")
    const none = buildDialSpec(url("http://example.test/"), {}, 1, 2)
    expect(["lookup", "family", "localAddress"].filter((k) => k in none)).toEqual([])
  })
})

describe("memoDialSpec", () => {
  it("one spec per origin (scheme, host, port), built once", () => {
    const memo = new Map<string, DialSpec>()
    const a = memoDialSpec(memo, url("http://a.test/x"), {}, 1, 2)
    expect(memoDialSpec(memo, url("http://a.test/y?z"), {}, 1, 2)).toBe(a)
    const b = memoDialSpec(memo, url("http://a.test:81/"), {}, 1, 2)
    expect(b).not.toBe(a)
    expect(b.port).toBe(81)
    const c = memoDialSpec(memo, url("https://a.test/"), {}, 1, 2)
    expect(c.transport).toBe("tls")
    expect([...memo.keys()]).toEqual(["http://a.test:80", "http://a.test:81", "https://a.test:443"])
  })

  it("is bounded: past 4,096 origins it starts over", () => {
    const memo = new Map<string, DialSpec>()
    for (let i = 0; i < 4096; i++) memoDialSpec(memo, url(`http://h${i}.test/`), {}, 1, 2)
    expect(memo.size).toBe(4096)
    const first = memo.get("http://h0.test:80")!
    memoDialSpec(memo, url("http://h4096.test/"), {}, 1, 2)
    expect(memo.size).toBe(1)
    expect(memoDialSpec(memo, url("http://h0.test/"), {}, 1, 2)).not.toBe(first)
  })
})

describe("connection options", () => {
  it("setsDialOption: any one connection option, and nothing else, counts", () => {
    expect(setsDialOption({})).toBe(false)
    expect(setsDialOption({ followRedirect: true } as DialOptions)).toBe(false)
    for (const name of Object.keys(dialRules)) {
      expect(setsDialOption({ [name]: name === "proxy" ? false : 1 } as DialOptions)).toBe(true)
    }
    expect(setsDialOption({ connectTimeout: undefined })).toBe(false)
  })

  it("millis: undefined takes the default; durations in milliseconds", () => {
    expect(millis(undefined, 42)).toBe(42)
    expect(millis("2 seconds", 42)).toBe(2000)
    expect(millis(15, 42)).toBe(15)
    expect(dialDefaults).toEqual({ connectTimeout: 8000, recvTimeout: 5000 })
  })

  it("the tls fields: PEM text, bytes or arrays of them; TLS versions by name; sessionReuse a boolean", () => {
    const ok = { ca: ["a", new Uint8Array(1)], cert: "c", key: new Uint8Array(2), pfx: "p", passphrase: "s", servername: "n", minVersion: "TLSv1.2", maxVersion: "TLSv1.3", sessionReuse: false }
    expect(check(ok, tlsRules, "tls.")).toBeUndefined()
    for (const v of ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]) expect(check({ minVersion: v }, tlsRules, "tls.")).toBeUndefined()
    const bad = (o: Record<string, unknown>) => check(o, tlsRules, "tls.")
    expect(bad({ ca: 1 })?.detail).toContain("tls.ca")
    expect(bad({ ca: ["a", 1] })?.detail).toContain("PEM text or bytes, or an array of them")
    expect(bad({ cert: {} })?.detail).toContain("tls.cert")
    expect(bad({ cert: {} })?.detail).toContain("PEM text or bytes, or an array of them")
    expect(bad({ key: [{}] })?.detail).toContain("tls.key")
    expect(bad({ key: [{}] })?.detail).toContain("PEM text or bytes, or an array of them")
    expect(bad({ passphrase: 1 })?.detail).toContain("a string")
    expect(bad({ servername: 1 })?.detail).toContain("a string")
    expect(bad({ pfx: ["a"] })?.detail).toContain("a PKCS#12 bundle as text or bytes")
    expect(bad({ passphrase: 1 })?.detail).toContain("tls.passphrase")
    expect(bad({ servername: 1 })?.detail).toContain("tls.servername")
    expect(bad({ minVersion: "TLSv1.4" })?.detail).toContain(`"TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"`)
    expect(bad({ maxVersion: 1.3 })?.detail).toContain("tls.maxVersion")
    expect(bad({ sessionReuse: "yes" })?.detail).toContain("tls.sessionReuse")
  })

  it("the dial options' rules: protocols, lookup, family, localAddress, tls", () => {
    const bad = (o: Record<string, unknown>) => check(o, dialRules)
    expect(bad({ protocols: ["h2", "h3", "http/1.1"], lookup: () => {}, family: 0, localAddress: "1.2.3.4", tls: {} })).toBeUndefined()
    expect(bad({ family: 4 })).toBeUndefined()
    expect(bad({ family: 6 })).toBeUndefined()
    expect(bad({ protocols: [] })?.detail).toContain("protocols")
    expect(bad({ protocols: ["spdy"] })?.detail).toContain(`a non-empty array of "http/1.1", "h2" and "h3"`)
    expect(bad({ lookup: "dns" })?.detail).toContain("a function, as net.connect's lookup")
    expect(bad({ family: 5 })?.detail).toContain("0, 4 or 6")
    expect(bad({ localAddress: 1 })?.detail).toContain("an IP address as a string")
    expect(bad({ tls: "x" })?.detail).toContain("an object of TLS options")
    expect(bad({ connectTimeout: 0 })?.detail).toContain("connectTimeout")
    expect(bad({ recvTimeout: -1 })?.detail).toContain("recvTimeout")
  })

  it("checkTls: the tls object, then proxyTls, then the proxy URL", () => {
    expect(checkTls({})).toBeUndefined()
    expect(checkTls({ tls: "not an object" })).toBeUndefined() // the tls rule itself refuses it
    expect(checkTls({ tls: { servername: 1 } })?.detail).toContain("tls.servername")
    expect(checkTls({ proxyTls: { servername: 1 } })?.detail).toContain("proxyTls.servername")
    expect(checkTls({ proxy: "ftp://p.test" })).toBeInstanceOf(InvalidRequest)
    expect(checkTls({ tls: { ca: 1 }, proxyTls: { ca: 1 } })?.detail).toContain("tls.ca")
    expect(checkTls({ tls: {}, proxyTls: { ca: 1 }, proxy: "ftp://p.test" })?.detail).toContain("proxyTls.ca")
  })
})

describe("poolConfig (Pool.Options resolved)", () => {
  it("defaults, as hackney", () => {
    const c = poolConfig({})
    expect(c).not.toBeInstanceOf(InvalidRequest)
    expect(c).toEqual({
      name: "default",
      maxPerHost: 50,
      maxConnections: 50,
      keepaliveTimeout: 2000,
      checkoutTimeout: undefined,
      prewarmCount: 4,
      tlsPooling: true,
      headLimits: poolDefaults.headLimits
    })
  })

  it("every option resolved: durations to milliseconds, the proxy and its options, the features", () => {
    const c = poolConfig({
      name: "api",
      maxPerHost: 3,
      maxConnections: 0,
      keepaliveTimeout: "3 seconds",
      checkoutTimeout: "0 millis",
      prewarmCount: 0,
      tlsPooling: false,
      proxy: "http://p.test:3128",
      proxyAuth: ["u", "p"],
      noProxy: ["x.test"],
      socks5Resolve: "remote",
      proxyTls: { servername: "p.test" }
    })
    expect(c).toMatchObject({
      name: "api",
      maxPerHost: 3,
      maxConnections: 0,
      keepaliveTimeout: 3000,
      checkoutTimeout: 0,
      prewarmCount: 0,
      tlsPooling: false,
      proxy: "http://p.test:3128",
      proxyOptions: { proxyAuth: ["u", "p"], noProxy: ["x.test"], socks5Resolve: "remote", proxyTls: { servername: "p.test" } }
    })
    expect(poolConfig({ checkoutTimeout: "5 seconds" })).toMatchObject({ checkoutTimeout: 5000 })
    expect(poolConfig({ keepaliveTimeout: 0 })).toMatchObject({ keepaliveTimeout: 0 })
  })

  it("only the proxy options set are kept; none set: no proxyOptions", () => {
    expect("proxyOptions" in (poolConfig({}) as object)).toBe(false)
    expect("proxy" in (poolConfig({}) as object)).toBe(false)
    expect((poolConfig({ noProxy: ["a.test"] }) as { proxyOptions: unknown }).proxyOptions).toEqual({ noProxy: ["a.test"] })
    expect((poolConfig({ socks5Resolve: "local" }) as { proxyOptions: unknown }).proxyOptions).toEqual({ socks5Resolve: "local" })
  })

  it("the head limits and the request features of a pool: set ones kept, none asked for none", () => {
    expect((poolConfig({ maxHeaderSize: 100 }) as { headLimits: unknown }).headLimits).toEqual({
      ...poolDefaults.headLimits,
      maxHeaderSize: 100
    })
    const mw = [(r: unknown, next: (r: unknown) => unknown) => next(r)]
    expect((poolConfig({ metrics: true, middleware: mw }) as { features: unknown }).features).toEqual({ metrics: true, middleware: mw })
    expect((poolConfig({ propagate: false }) as { features: unknown }).features).toEqual({ propagate: false })
    for (const none of [{}, { metrics: false }, { tracing: false }, { middleware: [] }]) {
      expect("features" in (poolConfig(none) as object)).toBe(false)
    }
  })

  it("a bad option is an InvalidRequest found in the pool's options, naming it", () => {
    const notObject = poolConfig("x")
    expect(notObject).toBeInstanceOf(InvalidRequest)
    expect((notObject as InvalidRequest).detail).toContain("the pool options are")
    expect((notObject as InvalidRequest).found).toBe("pool")
    for (const [options, name] of [
      [{ name: "" }, "name"],
      [{ maxPerHost: 0 }, "maxPerHost"],
      [{ maxConnections: -1 }, "maxConnections"],
      [{ keepaliveTimeout: -1 }, "keepaliveTimeout"],
      [{ checkoutTimeout: "soon" }, "checkoutTimeout"],
      [{ prewarmCount: 1.5 }, "prewarmCount"],
      [{ tlsPooling: "yes" }, "tlsPooling"],
      [{ proxy: "ftp://p.test" }, "proxy"],
      [{ proxyTls: { ca: 1 } }, "proxyTls.ca"]
    ] as const) {
      const e = poolConfig(options)
      expect(e).toBeInstanceOf(InvalidRequest)
      expect((e as InvalidRequest).found).toBe("pool")
      expect((e as InvalidRequest).reason).toBe("option")
      expect((e as InvalidRequest).detail).toContain(name)
    }
  })

  it("the ranges say what 0 and Infinity mean", () => {
    const detail = (o: object) => (poolConfig(o) as InvalidRequest).detail
    expect(detail({ maxPerHost: 0 })).toContain("an integer from 1, or Infinity for no limit")
    expect(detail({ maxConnections: -1 })).toContain("an integer from 0 (0 keeps no idle connection), or Infinity for no limit")
    expect(detail({ keepaliveTimeout: -1 })).toContain("0 keeps no idle connection, Infinity for no limit")
    expect(detail({ checkoutTimeout: -1 })).toContain("0 fails at once when no connection is free, Infinity for no limit")
  })
})
