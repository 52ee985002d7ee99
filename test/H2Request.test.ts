/**
 * The HTTP/2 request head (RFC 9113 §8.3) from a request as data: pure.
 */
import { describe, expect, it } from "@effect/vitest"
import type { RequestHead } from "../src/internal/connection/connection.js"
import { h2ErrorName, h2Headers } from "../src/internal/connection/h2Request.js"

const head = (over: Partial<RequestHead>): RequestHead => ({
  method: "GET",
  target: "/a?b=1",
  authority: "example.test:8443",
  rawHeaders: [],
  bodySize: 0,
  h1: undefined,
  ...over
})

describe("h2Headers", () => {
  it("pseudo-headers first: :method, :scheme, :path, :authority", () => {
    const h = h2Headers(head({}), "https")
    expect(Object.keys(h)).toEqual([":method", ":scheme", ":path", ":authority"])
    expect(h).toEqual({ ":method": "GET", ":scheme": "https", ":path": "/a?b=1", ":authority": "example.test:8443" })
  })

  it("connection-specific fields are dropped; names lower-cased; repeated names kept in order", () => {
    const h = h2Headers(
      head({
        rawHeaders: [
          "Connection", "close", "Keep-Alive", "5", "Proxy-Connection", "x", "Transfer-Encoding", "chunked", "Upgrade", "h2c",
          "X-A", "1", "x-a", "2", "Accept", "*/*"
        ]
      }),
      "http"
    )
    expect(h["x-a"]).toEqual(["1", "2"])
    // A third value joins the list.
    expect(h2Headers(head({ rawHeaders: ["x-b", "1", "X-B", "2", "x-b", "3"] }), "http")["x-b"]).toEqual(["1", "2", "3"])
    expect(h.accept).toBe("*/*")
    for (const name of ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "Connection"]) {
      expect(h[name]).toBeUndefined()
    }
  })

  it("Host becomes :authority and is not sent as a field", () => {
    const h = h2Headers(head({ rawHeaders: ["Host", "other.test"] }), "https")
    expect(h[":authority"]).toBe("other.test")
    expect(h.host).toBeUndefined()
    // Only Host: another four-letter field is a field.
    const other = h2Headers(head({ rawHeaders: ["Date", "Mon", "hos", "x", "hostx", "y"] }), "https")
    expect(other[":authority"]).toBe("example.test:8443")
    expect([other.date, other.hos, other.hostx]).toEqual(["Mon", "x", "y"])
  })

  it("te is sent only as trailers", () => {
    expect(h2Headers(head({ rawHeaders: ["TE", "gzip, trailers"] }), "https").te).toBe("trailers")
    expect(h2Headers(head({ rawHeaders: ["TE", "gzip"] }), "https").te).toBeUndefined()
    expect(h2Headers(head({ rawHeaders: ["TE", "trailersx"] }), "https").te).toBeUndefined()
    expect(h2Headers(head({ rawHeaders: ["TE", "trailers"] }), "https").te).toBe("trailers")
    expect(h2Headers(head({ rawHeaders: ["TE", "trailers, gzip"] }), "https").te).toBe("trailers")
    expect(h2Headers(head({ rawHeaders: ["TE", "gzip,trailers"] }), "https").te).toBe("trailers")
    expect(h2Headers(head({ rawHeaders: ["TE", "gzip,  trailers;q=1"] }), "https").te).toBe("trailers")
  })

  it("content-length from the body's size (a caller's own is replaced); none for an empty GET, 0 for an empty POST, none for unknown", () => {
    expect(h2Headers(head({ bodySize: 5, method: "PUT", rawHeaders: ["Content-Length", "99"] }), "https")["content-length"]).toBe("5")
    expect(h2Headers(head({ bodySize: 0 }), "https")["content-length"]).toBeUndefined()
    expect(h2Headers(head({ bodySize: 0, method: "POST" }), "https")["content-length"]).toBe("0")
    expect(h2Headers(head({ bodySize: undefined, method: "POST" }), "https")["content-length"]).toBeUndefined()
    expect(h2Headers(head({ bodySize: 0, method: "PUT" }), "https")["content-length"]).toBe("0")
    expect(h2Headers(head({ bodySize: 0, method: "PATCH" }), "https")["content-length"]).toBe("0")
    expect(h2Headers(head({ bodySize: 0, method: "DELETE" }), "https")["content-length"]).toBeUndefined()
    expect(h2Headers(head({ bodySize: 5 }), "https")["content-length"]).toBe("5")
    // Unknown size: a caller's own Content-Length is dropped too (the body's framing is the stream's end).
    expect(h2Headers(head({ bodySize: undefined, method: "POST", rawHeaders: ["Content-Length", "5"] }), "https")["content-length"])
      .toBeUndefined()
  })

  it("CONNECT has only :method and :authority", () => {
    expect(h2Headers(head({ method: "CONNECT" }), "https")).toEqual({ ":method": "CONNECT", ":authority": "example.test:8443" })
  })

  it("h2ErrorName names RFC 9113 §7 codes; unknown codes in hex", () => {
    expect(Array.from({ length: 14 }, (_, code) => h2ErrorName(code))).toEqual([
      "NO_ERROR",
      "PROTOCOL_ERROR",
      "INTERNAL_ERROR",
      "FLOW_CONTROL_ERROR",
      "SETTINGS_TIMEOUT",
      "STREAM_CLOSED",
      "FRAME_SIZE_ERROR",
      "REFUSED_STREAM",
      "CANCEL",
      "COMPRESSION_ERROR",
      "CONNECT_ERROR",
      "ENHANCE_YOUR_CALM",
      "INADEQUATE_SECURITY",
      "HTTP_1_1_REQUIRED"
    ])
    expect(h2ErrorName(0x42)).toBe("UNKNOWN_0x42")
  })
})
