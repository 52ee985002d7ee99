/**
 * The client's small request-path modules, called directly or through the
 * whole client over in-memory connections (test/support/memoryPool.ts):
 * `connect` targets, JSON bodies both ways, response header reads, the
 * shorthands (query, json, timeout), a client's defaults, the options
 * `open` and `connect` refuse, the progress options.
 */
import { describe, expect, it } from "@effect/vitest"
import { InvalidRequest } from "../src/HackneyError.js"
import { connectUrl } from "../src/internal/client/connectTarget.js"
import * as Url from "../src/Url.js"

const detailOf = (r: string | InvalidRequest): string => (r instanceof InvalidRequest ? `${r.reason}: ${r.detail}` : `ok ${r}`)

describe("connect targets", () => {
  it("a ConnectTarget is the URL of its transport, host and port; IPv6 hosts are bracketed once", () => {
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 8080 })).toBe("http://example.test:8080")
    expect(connectUrl({ transport: "tls", host: "example.test", port: 8443 })).toBe("https://example.test:8443")
    expect(connectUrl({ transport: "tls", host: "example.test" })).toBe("https://example.test")
    expect(connectUrl({ transport: "tcp", host: "::1", port: 80 })).toBe("http://[::1]:80")
    expect(connectUrl({ transport: "tcp", host: "[::1]", port: 80 })).toBe("http://[::1]:80")
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 0 })).toBe("http://example.test:0")
    expect(connectUrl({ transport: "tcp", host: "example.test", port: 65535 })).toBe("http://example.test:65535")
    expect(connectUrl({ transport: "unix", host: "/tmp/a b.sock" })).toBe("http+unix://%2Ftmp%2Fa%20b.sock")
  })

  it("a URL as text, a WHATWG URL or a Url is the URL's text", () => {
    expect(connectUrl("http://example.test:81/")).toBe("http://example.test:81/")
    expect(connectUrl(new URL("http://example.test:82/x"))).toBe("http://example.test:82/x")
    const u = Url.parse("http://example.test:83/y")
    if (u._tag === "Left") throw new Error("parse")
    expect(connectUrl(u.right)).toBe(Url.format(u.right))
  })

  it("a target of the wrong type, transport, host or port fails typed, naming what to give", () => {
    for (const bad of [42, null, undefined, true]) {
      const r = connectUrl(bad)
      expect(r).toBeInstanceOf(InvalidRequest)
      expect(detailOf(r)).toMatch(/^url: the connect target is .*; give a URL \(a string, a Url or a URL\) or a ConnectTarget$/)
      expect((r as InvalidRequest).method).toBe("CONNECT")
    }
    expect(detailOf(connectUrl({ transport: "udp", host: "h" }))).toBe(
      "url: the connect target's transport is \"udp\"; give \"tcp\", \"tls\" or \"unix\""
    )
    expect(detailOf(connectUrl({ host: "h" }))).toMatch(/^url: the connect target's transport is undefined/)
    expect(detailOf(connectUrl({ transport: "tcp", host: "" }))).toMatch(/^url: the connect target's host is .*; give a host name/)
    expect(detailOf(connectUrl({ transport: "tcp", host: 7 }))).toMatch(/^url: the connect target's host is/)
    for (const port of [-1, 65536, 1.5, "80", Number.NaN]) {
      expect(detailOf(connectUrl({ transport: "tcp", host: "h", port }))).toMatch(
        /^url: the connect target's port is .*; give an integer from 0 to 65535$/
      )
    }
  })
})
