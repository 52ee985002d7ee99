/**
 * The proxy environment (L0, src/internal/proxy/): NO_PROXY matching, the
 * choice of proxy variable per target scheme (lower case wins, httpoxy) and
 * proxy URL parsing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { ipBytes, samePrefix } from "../src/internal/proxy/address.js"
import type { ProxyEnvName } from "../src/internal/proxy/env.js"
import { emptyProxyEnv, proxyEnvOf, proxyFromEnv } from "../src/internal/proxy/env.js"
import { bypasses, emptyNoProxy, parseNoProxy } from "../src/internal/proxy/noProxy.js"
import { parseProxyUrl } from "../src/internal/proxy/proxyUrl.js"

// [NO_PROXY, host, port, bypasses?]
const table: ReadonlyArray<readonly [string, string, number, boolean]> = [
  ["", "example.com", 80, false],
  ["*", "anything.test", 443, true],
  ["foo.com, *", "bar.com", 80, true],
  ["example.com", "example.com", 80, true],
  ["example.com", "www.example.com", 443, true],
  ["example.com", "a.b.example.com", 80, true],
  ["example.com", "badexample.com", 80, false],
  ["example.com", "example.com.evil.test", 80, false],
  [".example.com", "example.com", 80, true],
  [".example.com", "sub.example.com", 80, true],
  ["*.example.com", "sub.example.com", 80, true],
  ["EXAMPLE.COM", "www.Example.Com", 80, true],
  ["example.com.", "www.example.com", 80, true],
  ["example.com", "example.com.", 80, true],
  [" foo.test ,  example.com ", "example.com", 80, true],
  ["foo.test,,bar.test", "bar.test", 80, true],
  ["example.com:8080", "example.com", 8080, true],
  ["example.com:8080", "example.com", 80, false],
  ["example.com:8080", "api.example.com", 8080, true],
  ["10.1.2.3", "10.1.2.3", 80, true],
  ["10.1.2.3", "10.1.2.4", 80, false],
  ["10.1.2.3:443", "10.1.2.3", 443, true],
  ["10.1.2.3:443", "10.1.2.3", 80, false],
  ["10.0.0.0/8", "10.200.3.4", 80, true],
  ["10.0.0.0/8", "11.0.0.1", 80, false],
  ["192.168.0.0/23", "192.168.1.200", 80, true],
  ["192.168.0.0/23", "192.168.2.1", 80, false],
  ["0.0.0.0/0", "8.8.8.8", 80, true],
  ["10.0.0.0/8", "ten.example", 80, false],
  ["::1", "::1", 80, true],
  ["::1", "[::1]", 80, true],
  ["[::1]", "::1", 80, true],
  ["[::1]:8080", "[::1]", 8080, true],
  ["[::1]:8080", "[::1]", 80, false],
  ["2001:DB8::1", "2001:db8:0:0:0:0:0:1", 443, true],
  ["2001:db8::/32", "2001:db8:ffff::1", 443, true],
  ["2001:db8::/32", "2001:db9::1", 443, false],
  ["fd00::/8", "[fdab::1]", 80, true],
  ["::ffff:10.0.0.0/104", "::ffff:10.9.9.9", 80, true],
  ["10.0.0.0/8", "::ffff:10.1.1.1", 80, false],
  ["127.0.0.1", "localhost", 80, false],
  ["localhost", "localhost", 3000, true],
  ["10.0.0.0/99,example.com", "example.com", 80, true],
  ["bad:port:x", "bad", 80, false]
]

describe("NO_PROXY matching", () => {
  it("has at least 30 rows", () => expect(table.length).toBeGreaterThanOrEqual(30))
  for (const [list, host, port, expected] of table) {
    it(`NO_PROXY=${JSON.stringify(list)} ${host}:${port} → ${expected ? "direct" : "proxy"}`, () => {
      expect(bypasses(parseNoProxy(list), host, port)).toBe(expected)
    })
  }
  it("an array of entries reads like a comma list", () => {
    const np = parseNoProxy(["a.test", "b.test, c.test"])
    expect(["a.test", "b.test", "c.test", "d.test"].map((h) => bypasses(np, h, 80))).toEqual([true, true, true, false])
  })
  it("IPv6 literals become their sixteen bytes", () => {
    expect(Array.from(ipBytes("::ffff:1.2.3.4")!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4])
    expect(Array.from(ipBytes("1::")!).slice(0, 2)).toEqual([0, 1])
    expect(ipBytes("example.com")).toBeUndefined()
  })
})

const envOf = (vars: Partial<Record<ProxyEnvName, string>>) => proxyEnvOf((name) => vars[name])

describe("proxy environment", () => {
  it("no variables: no proxy", () => {
    const env = envOf({})
    expect(proxyFromEnv(env, "http", "a.test", 80)).toBeUndefined()
    expect(proxyFromEnv(env, "https", "a.test", 443)).toBeUndefined()
  })
  it("HTTP_PROXY serves http targets, HTTPS_PROXY https targets", () => {
    const env = envOf({ HTTP_PROXY: "http://p1:1", HTTPS_PROXY: "http://p2:2" })
    expect(proxyFromEnv(env, "http", "a.test", 80)).toBe("http://p1:1")
    expect(proxyFromEnv(env, "ws", "a.test", 80)).toBe("http://p1:1")
    expect(proxyFromEnv(env, "https", "a.test", 443)).toBe("http://p2:2")
    expect(proxyFromEnv(env, "http+unix", "/x", 0)).toBeUndefined()
  })
  it("the lower-case name wins over the upper-case one; empty counts as unset", () => {
    expect(envOf({ HTTP_PROXY: "http://upper:1", http_proxy: "http://lower:1" }).http).toBe("http://lower:1")
    expect(envOf({ HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:1" }).https).toBe("http://lower:1")
    expect(envOf({ HTTP_PROXY: "http://upper:1", http_proxy: "" }).http).toBe("http://upper:1")
  })
  it("ALL_PROXY is the fallback for both schemes, all_proxy winning", () => {
    const env = envOf({ ALL_PROXY: "socks5://up:1", all_proxy: "socks5://low:1", HTTPS_PROXY: "http://s:2" })
    expect(env.http).toBe("socks5://low:1")
    expect(env.https).toBe("http://s:2")
  })
  it("httpoxy: with REQUEST_METHOD set, upper-case HTTP_PROXY is ignored (lower case still read)", () => {
    expect(envOf({ REQUEST_METHOD: "GET", HTTP_PROXY: "http://evil:1" }).http).toBeUndefined()
    expect(envOf({ REQUEST_METHOD: "GET", HTTP_PROXY: "http://evil:1", ALL_PROXY: "http://ok:1" }).http).toBe("http://ok:1")
    expect(envOf({ REQUEST_METHOD: "GET", http_proxy: "http://ok:1" }).http).toBe("http://ok:1")
    expect(envOf({ REQUEST_METHOD: "GET", HTTPS_PROXY: "http://ok:2" }).https).toBe("http://ok:2")
  })
  it("NO_PROXY (no_proxy winning) sends matching hosts direct", () => {
    const env = envOf({ HTTP_PROXY: "http://p:1", NO_PROXY: "a.test", no_proxy: "b.test" })
    expect(proxyFromEnv(env, "http", "a.test", 80)).toBe("http://p:1")
    expect(proxyFromEnv(env, "http", "b.test", 80)).toBeUndefined()
  })
})

const ok = (text: string) => Either.getOrThrow(parseProxyUrl(text))
const err = (text: string) => {
  const r = parseProxyUrl(text)
  if (Either.isRight(r)) throw new Error(`parsed ${text}`)
  return r.left
}

describe("proxy URL", () => {
  it("http, https, socks5, socks5h with default ports; no scheme means http", () => {
    expect(ok("http://proxy.test")).toEqual({ kind: "http", host: "proxy.test", port: 80, display: "http://proxy.test:80" })
    expect(ok("https://proxy.test").port).toBe(443)
    expect(ok("socks5://proxy.test").port).toBe(1080)
    expect(ok("socks5h://proxy.test:9050/").kind).toBe("socks5")
    expect(ok("Proxy.Test:3128")).toMatchObject({ kind: "http", host: "proxy.test", port: 3128 })
    expect(ok("http://[::1]:3128")).toMatchObject({ host: "::1", port: 3128, display: "http://[::1]:3128" })
  })
  it("credentials are percent-decoded and left out of display", () => {
    const p = ok("http://us%40er:p%3Ass%20w@proxy.test:3128")
    expect(p).toMatchObject({ user: "us@er", password: "p:ss w", display: "http://proxy.test:3128" })
    expect(ok("http://user@proxy.test:1")).toMatchObject({ user: "user", password: "" })
  })
  it("CR, LF or NUL, raw or percent-encoded in the credentials, is InvalidRequest without echoing them", () => {
    for (const bad of ["http://proxy.test:1\r\nX: y", "http://us%0Der:pw@proxy.test:1", "http://user:p%0Aw@p:1", "http://u:%00@p:1"]) {
      const e = err(bad)
      expect(e._tag).toBe("InvalidRequest")
      expect(e.reason).toBe("option")
      expect(e.message).not.toMatch(/pw|p%0Aw/)
    }
  })
  it("other schemes, paths, bad ports and bad hosts are refused", () => {
    for (const bad of ["ftp://p:1", "http://p:1/path", "http://p:0", "http://p:65536", "http://p:x", "http://", "http://[zz]:1", "http://a b:1"]) {
      expect(err(bad)._tag).toBe("InvalidRequest")
    }
  })
})

describe("NO_PROXY entries as parsed", () => {
  const entries = (list: string) => parseNoProxy(list).entries.map((e) =>
    e._tag === "Domain" ? `domain ${e.suffix}:${e.port}` : `${e._tag.toLowerCase()} ${Array.from(e.bytes).join(".")}/${e.bits}:${e.port}`
  )

  it("nothing usable, or no list, is the shared empty value", () => {
    expect(emptyNoProxy).toEqual({ all: false, entries: [] })
    for (const list of [undefined, "", " , ,", ".", ":80", "a.test:x", "a.test:99999", "a.test:1e3", "a.test:0x50"]) {
      expect([list, parseNoProxy(list)]).toEqual([list, emptyNoProxy])
      expect(parseNoProxy(list)).toBe(emptyNoProxy)
    }
    expect(bypasses(emptyNoProxy, "10.0.0.1", 80)).toBe(false)
  })

  it("host[:port] entries: ports from 0 to 65535, digits only; bracketed IPv6 with or without a port", () => {
    expect(entries("a.test:8080, b.test:65535, c.test, *.d.test, .e.test, f.test.")).toEqual([
      "domain a.test:8080",
      "domain b.test:65535",
      "domain c.test:undefined",
      "domain d.test:undefined",
      "domain e.test:undefined",
      "domain f.test:undefined"
    ])
    expect(entries("[::1], [::1]:80, ::2")).toEqual([
      `ip ${"0.".repeat(15)}1/128:undefined`,
      `ip ${"0.".repeat(15)}1/128:80`,
      `ip ${"0.".repeat(15)}2/128:undefined`
    ])
    for (const bad of ["[::1", "[::1]x", "[::1]x80", "[::1]:x", "[::1]:99999"]) expect([bad, entries(bad)]).toEqual([bad, []])
    expect(entries("[foo]")).toEqual(["domain foo:undefined"])
  })

  it("CIDR entries: an address, a slash and 1 to 3 digits of at most the address's bits", () => {
    expect(entries("10.0.0.0/8, 10.1.2.3/32, ::/0")).toEqual([
      "ip 10.0.0.0/8:undefined",
      "ip 10.1.2.3/32:undefined",
      `ip ${"0.".repeat(15)}0/0:undefined`
    ])
    for (const bad of ["10.0.0.0/33", "10.0.0.0/x", "10.0.0.0/8x", "10.0.0.0/x8", "10.0.0.0/1234", "foo/8", "::/129"]) {
      expect([bad, entries(bad)]).toEqual([bad, []])
    }
  })

  it("an IPv4 prefix never matches an IPv6 host (nor the reverse), even /0", () => {
    expect(bypasses(parseNoProxy("0.0.0.0/0"), "::1", 80)).toBe(false)
    expect(bypasses(parseNoProxy("::/0"), "10.0.0.1", 80)).toBe(false)
    expect(samePrefix(new Uint8Array([10, 1]), new Uint8Array([10, 2]), 8)).toBe(true)
    expect(samePrefix(new Uint8Array([10, 1]), new Uint8Array([10, 2]), 15)).toBe(false)
  })

  it("ipBytes: only a well-formed address; brackets only around an IPv6 one", () => {
    for (const bad of ["1:2:3:4:5:6:7:zz", "10000::1", "[::1", "1::1]", "1.2.3.4.5", "1.2.3", "[1.2.3.4]x"]) {
      expect([bad, ipBytes(bad)]).toEqual([bad, undefined])
    }
    expect(Array.from(ipBytes("[2001:db8::ff00:42:8329]")!)).toEqual([32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 255, 0, 0, 66, 131, 41])
  })
})

describe("proxy environment values", () => {
  it("values are trimmed; blank ones count as unset; no proxy variable gives the shared empty environment", () => {
    expect(envOf({ HTTP_PROXY: " http://p:1 " }).http).toBe("http://p:1")
    expect(envOf({ http_proxy: "  ", HTTP_PROXY: "http://upper:1" }).http).toBe("http://upper:1")
    expect(envOf({})).toBe(emptyProxyEnv)
    expect(envOf({ NO_PROXY: "a.test" })).toBe(emptyProxyEnv)
  })
})

describe("proxy URL details", () => {
  it("each refusal says what is wrong", () => {
    const detail = (t: string) => err(t).detail
    expect(detail("http://p:1\r\n")).toBe("proxy: the proxy URL has a CR, LF or NUL character; remove it")
    expect(detail("http://u%0A:p@p:1")).toBe("proxy: the proxy credentials decode to a CR, LF or NUL character; remove it")
    expect(detail("http://[::1")).toBe("proxy: the proxy's IPv6 address is not valid")
    expect(detail("http://[::1]x")).toBe("proxy: the proxy host is not valid; give scheme://host:port")
    expect(detail("http://a b:1")).toBe("proxy: the proxy host is missing or not valid; give scheme://host:port")
    expect(detail("http://p:0")).toBe(`proxy: the proxy port "0" is not a number from 1 to 65535`)
    expect(detail("ftp://p:1")).toBe(`proxy: the scheme "ftp" is not a proxy scheme; use http://, https://, socks5:// or socks5h://`)
    expect(detail("http://p:1/x")).toBe("proxy: a proxy URL has no path, query or fragment; give scheme://host:port")
  })

  it("ports: 1 to 65535, digits only; an empty port is the default; surrounding spaces are ignored", () => {
    expect(ok("http://p:65535").port).toBe(65535)
    expect(ok("http://p:").port).toBe(80)
    expect(ok("http://[::1]").port).toBe(80)
    expect(ok("http://[::1]:").port).toBe(80)
    expect(ok("  https://p:8443/  ")).toStrictEqual({ kind: "https", host: "p", port: 8443, display: "https://p:8443" })
    for (const bad of ["http://p:1x", "http://p:x1", "http://p:1e3", "http://p:123456"]) expect([bad, err(bad)._tag]).toEqual([bad, "InvalidRequest"])
  })

  it("credentials: %XX decoded, + kept, a bad escape kept as it is; no userinfo, no credential keys", () => {
    expect(ok("http://a+b%zz:c+d%zz@p:1")).toMatchObject({ user: "a+b%zz", password: "c+d%zz" })
    expect(Object.keys(ok("http://p:1"))).toEqual(["kind", "host", "port", "display"])
    expect(ok("https://p").kind).toBe("https")
  })
})

