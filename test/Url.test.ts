import { describe, expect, it } from "@effect/vitest"
import { Either, Equal } from "effect"
import * as fc from "fast-check"
import { InvalidRequest } from "../src/HackneyError.js"
import * as Url from "../src/Url.js"

const ok = (input: string): Url.Url => Either.getOrThrow(Url.parse(input))

const fields = (url: Url.Url) => ({
  scheme: url.scheme,
  transport: url.transport,
  user: url.user,
  password: url.password,
  host: url.host,
  port: url.port,
  netloc: url.netloc,
  path: url.path,
  query: url.query,
  fragment: url.fragment,
  rawPath: url.rawPath
})

const expectUrlError = (result: Either.Either<unknown, InvalidRequest>, fragment?: string): InvalidRequest => {
  if (Either.isRight(result)) throw new Error(`expected a Left, got ${JSON.stringify(result.right)}`)
  expect(result.left).toBeInstanceOf(InvalidRequest)
  expect(result.left._tag).toBe("InvalidRequest")
  expect(result.left.reason).toBe("url")
  if (fragment !== undefined) expect(result.left.detail).toContain(fragment)
  return result.left
}

describe("Url.parse", () => {
  it("splits every component and keeps the raw path", () => {
    expect(fields(ok("https://u:p%26w@Www.Example.com:8443/a/b?x=1&y#frag"))).toEqual({
      scheme: "https",
      transport: "tls",
      user: "u",
      password: "p&w",
      host: "www.example.com",
      port: 8443,
      netloc: "Www.Example.com:8443",
      path: "/a/b",
      query: "x=1&y",
      fragment: "frag",
      rawPath: "/a/b?x=1&y#frag"
    })
  })

  it("gives each known scheme its transport and default port", () => {
    const table: Array<[string, Url.Transport | undefined, number]> = [
      ["http://h/", "tcp", 80],
      ["https://h/", "tls", 443],
      ["ws://h/", "tcp", 80],
      ["wss://h/", "tls", 443],
      ["socks5://h", "socks5", 1080],
      ["ftp://h/", undefined, 0],
      ["HTTPS://h/", "tls", 443]
    ]
    for (const [input, transport, port] of table) {
      const url = ok(input)
      expect([url.transport, url.port]).toEqual([transport, port])
    }
    expect(ok("HTTPS://h/").scheme).toBe("https")
  })

  it("reads a string without :// as http", () => {
    expect(fields(ok("localhost:8080/x?y"))).toMatchObject({ scheme: "http", host: "localhost", port: 8080, path: "/x" })
    expect(ok("mailto:user@example.com")).toMatchObject({ scheme: "http", user: "mailto", password: "user" })
    // "://" after a non-scheme prefix is not a scheme separator.
    expect(ok("a.test/r?to=http://b.test").host).toBe("a.test")
  })

  it("ends the userinfo at the last @ and decodes it (+ stays a plus)", () => {
    expect(ok("https://user@domain.com:p@ssword@host.com/p")).toMatchObject({
      user: "user@domain.com",
      password: "p@ssword",
      host: "host.com"
    })
    expect(ok("http://u:a+b%20c@h/").password).toBe("a+b c")
    expect(ok("http://:secret@h/")).toMatchObject({ user: "", password: "secret" })
  })

  it("does not take an @ in the query or fragment as userinfo", () => {
    expect(ok("http://127.0.0.1?@127.2.2.2/")).toMatchObject({ host: "127.0.0.1", query: "@127.2.2.2/" })
    expect(ok("http://example.com#-@127.2.2.2/x")).toMatchObject({ host: "example.com", fragment: "-@127.2.2.2/x" })
  })

  it("parses IPv6 literals with and without a port", () => {
    expect(ok("http://[::1]/")).toMatchObject({ host: "::1", port: 80, netloc: "[::1]" })
    expect(ok("https://[2001:db8::7]:8443")).toMatchObject({ host: "2001:db8::7", port: 8443 })
    expect(ok("http://[::ffff:10.0.0.1]:/")).toMatchObject({ host: "::ffff:10.0.0.1", port: 80 })
  })

  it("decodes the unix socket path of http+unix", () => {
    expect(fields(ok("http+unix://%2Fvar%2Frun%2Fapp.sock/v1?x#f"))).toMatchObject({
      scheme: "http+unix",
      transport: "unix",
      host: "/var/run/app.sock",
      port: 0,
      netloc: "%2Fvar%2Frun%2Fapp.sock",
      path: "/v1"
    })
  })

  it("keeps an empty host for unknown schemes", () => {
    expect(ok("file:///etc/hosts")).toMatchObject({ host: "", port: 0, path: "/etc/hosts", transport: undefined })
  })

  it("trims surrounding whitespace and treats an empty port as the default", () => {
    expect(ok("  http://h:/x \n").port).toBe(80)
  })

  it("rejects every malformed input with InvalidRequest(url)", () => {
    const rejects: Array<[string, string]> = [
      ["", "empty"],
      ["http://a.test/x\r\nHost: evil", "control character"],
      ["http://a.test/\u0000x", "control character"],
      ["http://a.test/a\tb", "control character"],
      ["http://a.test/\u007f", "control character"],
      ["http://", "needs a host"],
      ["http:///path", "needs a host"],
      ["/just/a/path", "needs a host"],
      ["https://u:p@:443/", "needs a host"],
      ["http://a.test:http/", "port"],
      ["http://a.test:65536/", "port"],
      ["http://a.test:1:2/", "port"],
      ["http://a.test:-1/", "port"],
      ["http://[::1/", "missing its `]`"],
      ["http://[not:an:ip]/", "not an IPv6 address"],
      ["http://[fe80::1%25eth0]/", "not an IPv6 address"],
      ["http://[::1]x/", "after the IPv6 literal"],
      ["http://a b.test/", "not allowed in a host"],
      ["http://a<b.test/", "not allowed in a host"],
      ["http://a^b.test/", "not allowed in a host"],
      ["http://a|b.test/", "not allowed in a host"],
      ["http://evil.test\\@good.test/", "backslash"],
      ["http://u:100%@a.test/", "userinfo"],
      ["http://u:%FF@a.test/", "userinfo"],
      ["http+unix://%2Fbad%zz/", "socket path"],
      ["http+unix:///x", "socket path is empty"],
      ["http+unix://%2Ftmp%0Asock/", "control character"]
    ]
    for (const [input, detail] of rejects) expectUrlError(Url.parse(input), detail)
  })

  it("redacts userinfo in the error's URL", () => {
    expect(expectUrlError(Url.parse("http://u:secret@a.test:99999/")).url).toBe("http://a.test:99999/")
  })

  it("unsafeParse throws the InvalidRequest", () => {
    expect(() => Url.unsafeParse("http://a.test:x/")).toThrow(InvalidRequest)
    expect(Url.unsafeParse("http://a.test").host).toBe("a.test")
  })
})

describe("Url value", () => {
  it("has structural equality and a guard", () => {
    expect(Equal.equals(ok("http://a.test/x"), ok("http://a.test/x"))).toBe(true)
    expect(Equal.equals(ok("http://a.test/x"), ok("http://a.test/y"))).toBe(false)
    expect(Url.isUrl(ok("http://a.test"))).toBe(true)
    expect(Url.isUrl({ host: "a.test" })).toBe(false)
    expect(Url.isUrl(null)).toBe(false)
  })

  it("never shows the password in String() or JSON", () => {
    const url = ok("https://alice:s3cret@a.test/x")
    expect(String(url)).toBe("https://a.test/x")
    expect(JSON.stringify(url)).not.toContain("s3cret")
    expect(Url.format(url)).toBe("https://alice:s3cret@a.test/x")
  })
})

describe("Url.format", () => {
  it("writes the userinfo url-encoded", () => {
    expect(Url.format(ok("https://user:pass%26word@h.test/p?q#f"))).toBe("https://user:pass%26word@h.test/p?q#f")
    expect(Url.format(ok("http://u:a%20b@h/"))).toBe("http://u:a%20b@h/")
    expect(Url.format(ok("http://a@b:c@h/"))).toBe("http://a%40b:c@h/")
    expect(Url.format(ok("example.test"))).toBe("http://example.test")
    expect(Url.format(ok("ftp://f.test/x"))).toBe("ftp://f.test/x")
  })
})

describe("Url.make", () => {
  it("builds and validates", () => {
    expect(Url.format(Either.getOrThrow(Url.make({ host: "a.test" })))).toBe("http://a.test")
    expect(Url.format(Either.getOrThrow(Url.make({ scheme: "https", host: "::1", port: 8443, path: "/x" }))))
      .toBe("https://[::1]:8443/x")
    expect(Either.getOrThrow(Url.make({ scheme: "http+unix", host: "/tmp/a.sock", path: "/v" })).host)
      .toBe("/tmp/a.sock")
    const full = Either.getOrThrow(
      Url.make({ scheme: "wss", host: "h.test", user: "a b", password: "p:w", query: "x=1", fragment: "f" })
    )
    expect(fields(full)).toMatchObject({ user: "a b", password: "p:w", port: 443, query: "x=1", fragment: "f" })
  })

  it("rejects bad parts", () => {
    expectUrlError(Url.make({ host: "a.test", port: 70000 }), "port")
    expectUrlError(Url.make({ host: "a.test", port: 1.5 }), "port")
    expectUrlError(Url.make({ host: "" }), "needs a host")
    expectUrlError(Url.make({ host: "a.test", path: "relative" }), "must start with")
    expectUrlError(Url.make({ host: "a b" }), "not allowed")
  })
})

describe("Url combinators", () => {
  it("sets path, query and fragment, and removes the userinfo", () => {
    const url = ok("http://u:p@a.test/x?q#f")
    expect(Url.format(Url.setPath(url, "/y"))).toBe("http://u:p@a.test/y?q#f")
    expect(Url.format(url.pipe(Url.setQuery({ a: "b c" })))).toBe("http://u:p@a.test/x?a=b+c#f")
    expect(Url.setQuery(url, "z").rawPath).toBe("/x?z#f")
    expect(Url.format(Url.setFragment(url, ""))).toBe("http://u:p@a.test/x?q")
    expect(Url.format(Url.removeUserinfo(url))).toBe("http://a.test/x?q#f")
  })
})

describe("Url.normalize", () => {
  it("applies IDNA, drops the default port and re-encodes the path", () => {
    const url = Either.getOrThrow(Url.normalize("http://B%C3%BCcher.Example:80/a b/%zz"))
    expect(fields(url)).toMatchObject({ host: "xn--bcher-kva.example", netloc: "xn--bcher-kva.example", path: "/a%20b/%25zz" })
    expect(Either.getOrThrow(Url.normalize("https://bücher.example:8443/")).netloc).toBe("xn--bcher-kva.example:8443")
    expect(Either.getOrThrow(Url.normalize(ok("http://[::1]:80/"))).netloc).toBe("[::1]")
    expect(Either.getOrThrow(Url.normalize("http://127.0.0.1:8080/")).netloc).toBe("127.0.0.1:8080")
    expect(Either.getOrThrow(Url.normalize("ftp://f.test/")).netloc).toBe("f.test")
    expect(Either.getOrThrow(Url.normalize("ftp://f.test:21/")).netloc).toBe("f.test:21")
    expect(Either.getOrThrow(Url.normalize("http+unix://%2Ftmp%2Fa.sock/x")).netloc).toBe("%2Ftmp%2Fa.sock")
  })

  it("takes a custom path encoder", () => {
    expect(Either.getOrThrow(Url.normalize("http://a.test/a b", { pathEncode: (p) => p.toUpperCase() })).path)
      .toBe("/A B")
  })

  it("rejects hosts that are or become IP literals, and invalid hosts", () => {
    const rejects: Array<[string, string]> = [
      ["http://%31%32%37%2E%30%2E%30%2E%31/admin", "IP literal"],
      ["http://127\u30020\u30020\u30021/", "IP literal"],
      ["http://%30x7f.1/", "IP literal"],
      ["http://\uff11\uff12\uff17.0.0.1/", "IP literal"],
      ["http://a%zz.test/", "percent-escape"],
      ["http://a%FF.test/", "percent-escape"],
      ["http://a%2Fb.test/", "not allowed"],
      ["http://ab\ufffdc.test/", "not a valid domain"],
      ["http://%25/", "not allowed"],
      ["http://foo.1.2.3.4/", "ends in a number"],
      ["http://0x100.2.3.4/", "ends in a number"],
      ["http://foo.0x4./", "ends in a number"],
      ["http://192.168.0.257/", "ends in a number"]
    ]
    for (const [input, detail] of rejects) expectUrlError(Url.normalize(input), detail)
    expectUrlError(Url.normalize("http://a.test:x/"), "port")
  })
})

describe("Url.resolve", () => {
  // RFC 3986 §5.4 (the "g:h" example is refused: another scheme without an authority).
  const base = "http://a/b/c/d;p?q"
  const cases: Array<[string, string]> = [
    ["g", "http://a/b/c/g"],
    ["./g", "http://a/b/c/g"],
    ["g/", "http://a/b/c/g/"],
    ["/g", "http://a/g"],
    ["//g", "http://g"],
    ["?y", "http://a/b/c/d;p?y"],
    ["g?y", "http://a/b/c/g?y"],
    ["#s", "http://a/b/c/d;p?q#s"],
    ["g#s", "http://a/b/c/g#s"],
    ["g?y#s", "http://a/b/c/g?y#s"],
    [";x", "http://a/b/c/;x"],
    ["g;x", "http://a/b/c/g;x"],
    ["g;x?y#s", "http://a/b/c/g;x?y#s"],
    ["", "http://a/b/c/d;p?q"],
    [".", "http://a/b/c/"],
    ["./", "http://a/b/c/"],
    ["..", "http://a/b/"],
    ["../", "http://a/b/"],
    ["../g", "http://a/b/g"],
    ["../..", "http://a/"],
    ["../../", "http://a/"],
    ["../../g", "http://a/g"],
    ["../../../g", "http://a/g"],
    ["../../../../g", "http://a/g"],
    ["/./g", "http://a/g"],
    ["/../g", "http://a/g"],
    ["g.", "http://a/b/c/g."],
    [".g", "http://a/b/c/.g"],
    ["g..", "http://a/b/c/g.."],
    ["..g", "http://a/b/c/..g"],
    ["./../g", "http://a/b/g"],
    ["./g/.", "http://a/b/c/g/"],
    ["g/./h", "http://a/b/c/g/h"],
    ["g/../h", "http://a/b/c/h"],
    ["g;x=1/./y", "http://a/b/c/g;x=1/y"],
    ["g;x=1/../y", "http://a/b/c/y"],
    ["g?y/./x", "http://a/b/c/g?y/./x"],
    ["g?y/../x", "http://a/b/c/g?y/../x"],
    ["g#s/./x", "http://a/b/c/g#s/./x"],
    ["g#s/../x", "http://a/b/c/g#s/../x"],
    ["http:g", "http://a/b/c/g"],
    ["https://B.test:8443/x/../y?z", "https://B.test:8443/y?z"]
  ]
  it("follows RFC 3986 §5.4", () => {
    for (const [reference, expected] of cases) {
      expect([reference, Url.resolve(base, reference).pipe(Either.map(Url.format))]).toEqual([
        reference,
        Either.right(expected)
      ])
    }
  })

  it("keeps the base userinfo and scheme for relative and network-path references", () => {
    expect(Url.format(Either.getOrThrow(Url.resolve(ok("https://u:p@a.test/x/y"), "z")))).toBe("https://u:p@a.test/x/z")
    expect(Url.format(Either.getOrThrow(Url.resolve(ok("https://a.test/x"), "//b.test/y")))).toBe("https://b.test/y")
    expect(Url.format(Either.getOrThrow(Url.resolve("http://a.test", "x")))).toBe("http://a.test/x")
    expect(Url.format(Either.getOrThrow(Url.resolve("http+unix://%2Ftmp%2Fs/a/b", "c")))).toBe(
      "http+unix://%2Ftmp%2Fs/a/c"
    )
  })

  it("refuses what cannot be followed", () => {
    expectUrlError(Url.resolve("http://a/b", "mailto:x@y"), "no authority")
    expectUrlError(Url.resolve("http://a/b", "g:h"), "no authority")
    expectUrlError(Url.resolve("http://a:x/", "y"), "port")
    expectUrlError(Url.resolve("http://a/b", "//evil\\@good/"), "backslash")
    expectUrlError(Url.resolve("http://a/b", "//"), "needs a host")
  })

  it("removeDotSegments never leaves a dot segment", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", ".", "..", ""), { maxLength: 12 }), (segments) => {
        const out = Url.removeDotSegments("/" + segments.join("/"))
        expect(out.startsWith("/")).toBe(true)
        expect(out.split("/").slice(1).some((s) => s === "." || s === "..")).toBe(false)
      })
    )
  })
})

describe("request helpers", () => {
  it("requestTarget: path and query, / when empty, never the fragment, wire-safe", () => {
    expect(Url.requestTarget(ok("http://a.test"))).toBe("/")
    expect(Url.requestTarget(ok("http://a.test?x=1#f"))).toBe("/?x=1")
    expect(Url.requestTarget(ok("http://a.test/p%20q/r?s=%41"))).toBe("/p%20q/r?s=%41")
    expect(Url.requestTarget(ok("http://a.test/a b/é?q=\"x y\"&{z}"))).toBe("/a%20b/%C3%A9?q=%22x%20y%22&{z}")
    expect(Url.requestTarget(ok("http://a.test/{x}`"))).toBe("/%7Bx%7D%60")
  })

  it("hostHeader: default port left out, IPv6 bracketed, IDNA, unix socket encoded", () => {
    expect(Url.hostHeader(ok("http://a.test:80/"))).toBe("a.test")
    expect(Url.hostHeader(ok("http://a.test:443/"))).toBe("a.test:443")
    expect(Url.hostHeader(ok("https://[::1]:443/"))).toBe("[::1]")
    expect(Url.hostHeader(ok("wss://[::1]:9000/"))).toBe("[::1]:9000")
    expect(Url.hostHeader(ok("http://bücher.example/"))).toBe("xn--bcher-kva.example")
    expect(Url.hostHeader(ok("http+unix://%2Fvar%2Frun%2Ftest.sock/"))).toBe("%2Fvar%2Frun%2Ftest.sock")
    expect(Url.hostHeader(ok("ftp://f.test/"))).toBe("f.test")
  })

  it("origin and isSameOrigin", () => {
    expect(Url.origin(ok("https://A.test/x"))).toEqual({ scheme: "https", host: "a.test", port: 443 })
    expect(Equal.equals(Url.origin(ok("http://a.test/")), Url.origin(ok("http://A.TEST:80/z")))).toBe(true)
    expect(Url.isSameOrigin(ok("http://a.test/"), ok("https://a.test/"))).toBe(false)
    expect(Url.isSameOrigin(ok("http://a.test/"), ok("http://a.test:8080/"))).toBe(false)
    expect(Url.isSameOrigin(ok("http://bücher.example/"), ok("http://xn--bcher-kva.example/"))).toBe(true)
  })

  it("defaultPort and transportScheme", () => {
    expect(["http", "HTTPS", "ws", "wss", "socks5", "http+unix", "gopher"].map(Url.defaultPort)).toEqual([
      80,
      443,
      80,
      443,
      1080,
      0,
      0
    ])
    expect((["tcp", "tls", "unix", "socks5"] as const).map(Url.transportScheme)).toEqual([
      "http",
      "https",
      "http+unix",
      "socks5"
    ])
  })
})

describe("Url.isIpLiteral", () => {
  it("recognises IPv4 in every resolver spelling and IPv6", () => {
    for (const h of ["127.0.0.1", "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "1.2.3.4.", "::1", "[::1]",
      "2001:db8::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "0x"]) expect([h, Url.isIpLiteral(h)]).toEqual([h, true])
    for (const h of ["example.test", "1.2.3.4.5", "256.256.256.256.1", "1.2.3.256x", "08.1", "1:2:3:4:5:6:7:8:9",
      "1::2::3", "::1.2.3", "[::1", "", ".", "4294967296", "1.16777216"]) {
      expect([h, Url.isIpLiteral(h)]).toEqual([h, false])
    }
  })
})

describe("percent-encoding", () => {
  it("urlencode keeps hackney's set, with noplus and lower", () => {
    expect(Url.urlencode("AZaz09.-~_*@()!$")).toBe("AZaz09.-~_*@()!$")
    expect(Url.urlencode("a b+c/é")).toBe("a+b%2Bc%2F%C3%A9")
    expect(Url.urlencode("a b", { noplus: true })).toBe("a%20b")
    expect(Url.urlencode("é", { lower: true })).toBe("%c3%a9")
  })

  it("urldecode crashes or skips on a bad escape", () => {
    expect(Url.urldecode("a+b%41%c3%a9")).toEqual(Either.right("a bAé"))
    expectUrlError(Url.urldecode("100%"), "hex")
    expectUrlError(Url.urldecode("%4"), "hex")
    expectUrlError(Url.urldecode("%G1", "crash"), "hex")
    expect(Url.urldecode("100%", "skip")).toBe("100%")
    expect(Url.urldecode("%G1%41", "skip")).toBe("%G1A")
    expect(Url.urldecode("%FF", "skip")).toBe("\ufffd")
  })

  it("pathEncode keeps valid escapes and encodes the rest", () => {
    expect(Url.pathEncode("/a b/100%/x%2fy/é/;=,:*@().-+~_")).toBe("/a%20b/100%25/x%2fy/%C3%A9/;=,:*@().-+~_")
    expect(Url.pathEncode("/x?y#z&")).toBe("/x%3Fy%23z%26")
    expect(Url.pathEncode("")).toBe("")
  })

  it("fixPath and makeUrl", () => {
    expect(Url.fixPath("//a/b//")).toBe("a/b/")
    expect(Url.fixPath("")).toBe("")
    expect(Url.makeUrl("http://h/", ["/a/", "", "/", "b"], "")).toBe("http://h/a/b")
    expect(Url.makeUrl("http://h", "p", { q: "1", flag: true })).toBe("http://h/p?q=1&flag")
    expect(Url.makeUrl("http://h", [], "raw=1")).toBe("http://h?raw=1")
  })
})

describe("properties", () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/)
  const host = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")),
    fc.constantFrom("::1", "2001:db8::7", "::ffff:10.0.0.1", "10.0.0.1")
  )
  const text = fc.string({ unit: "grapheme", maxLength: 12 })
  const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s)
  const path = fc.array(text.filter((s) => noControl(s) && !/[/?#]/.test(s)), { maxLength: 4 }).map((segments) =>
    segments.length === 0 ? "" : "/" + segments.join("/")
  )
  const query = text.filter((s) => noControl(s) && !s.includes("#"))
  const fragment = text.filter(noControl)
  const parts = fc.record({
    scheme: fc.constantFrom("http", "https", "ws", "wss"),
    host,
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    user: text,
    password: text,
    path,
    query,
    fragment
  })

  it("parse ∘ format is the identity on URLs", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const url = Either.getOrThrow(Url.make(p))
        const again = Either.getOrThrow(Url.parse(Url.format(url)))
        expect(fields(again)).toEqual(fields(url))
        expect(Equal.equals(again, url)).toBe(true)
        expect(url.user).toBe(p.user)
        expect(url.password).toBe(p.password)
      })
    )
  })

  it("format ∘ parse is the identity on canonical strings", () => {
    const safe = fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/)
    const input = fc.tuple(
      fc.constantFrom("http", "https", "ws", "wss", "ftp"),
      fc.option(fc.tuple(safe, fc.option(safe, { nil: undefined })), { nil: undefined }),
      host,
      fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      path,
      query,
      fragment
    ).map(([scheme, userinfo, h, port, p, q, f]) =>
      `${scheme}://${userinfo === undefined ? "" : userinfo[0] + (userinfo[1] === undefined ? "" : ":" + userinfo[1]) + "@"}` +
      `${h.includes(":") ? `[${h}]` : h}${port === undefined ? "" : ":" + port}${p}${q === "" ? "" : "?" + q}${
        f === "" ? "" : "#" + f
      }`
    )
    fc.assert(fc.property(input.filter((s) => !/[\u0000-\u0020]$/.test(s)), (s) => {
      expect(Url.format(Either.getOrThrow(Url.parse(s)))).toBe(s)
    }))
  })

  it("urldecode ∘ urlencode is the identity", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.boolean(), fc.boolean(), (s, noplus, lower) => {
        expect(Url.urldecode(Url.urlencode(s, { noplus, lower }))).toEqual(Either.right(s))
      })
    )
  })

  it("pathEncode is idempotent and its output is a legal path", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const once = Url.pathEncode(s)
        expect(Url.pathEncode(once)).toBe(once)
        expect(/^[A-Za-z0-9;=,:*@().+~_\-/%]*$/.test(once)).toBe(true)
      })
    )
  })

  it("parse never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const r = Url.parse(s)
        expect(Either.isLeft(r) || Url.isUrl(r.right)).toBe(true)
      })
    )
  })

  it("parse stays linear on adversarial input", () => {
    const big = "http://" + "@".repeat(100_000) + "a.test" + "/".repeat(100_000) + "?".repeat(100_000)
    const start = performance.now()
    Url.parse(big)
    Url.resolve("http://a/", "../".repeat(50_000) + "x")
    expect(performance.now() - start).toBeLessThan(1000)
  })
})
