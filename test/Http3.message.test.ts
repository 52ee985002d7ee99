import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import { requestFields, responseHead, trailerFields } from "../src/internal/http3/message.js"

describe("HTTP/3 messages as field sections (RFC 9114 §4.2, §4.3)", () => {
  it("a request: pseudo-headers first, names lower-cased, Host as :authority, forbidden fields dropped", () => {
    expect(requestFields("GET", "https", "a.test:8443", "/p?q=1", [
      "Accept", "*/*", "Host", "b.test", "Connection", "keep-alive", "Keep-Alive", "5", "Transfer-Encoding", "chunked",
      "Upgrade", "x", "Proxy-Connection", "close", "TE", "gzip", "X-Id", "7"
    ])).toEqual([":method", "GET", ":scheme", "https", ":authority", "b.test", ":path", "/p?q=1", "accept", "*/*", "x-id", "7"])
    expect(requestFields("POST", "https", "a.test", "/", ["TE", "trailers", "Content-Length", "3"])).toEqual([
      ":method", "POST", ":scheme", "https", ":authority", "a.test", ":path", "/", "te", "trailers", "content-length", "3"
    ])
  })

  it("a response head: :status and the fields", () => {
    expect(responseHead([":status", "200", "content-type", "text/plain", "server", "Caddy"])).toEqual({
      status: 200,
      reason: "",
      rawHeaders: ["content-type", "text/plain", "server", "Caddy"]
    })
    expect(responseHead([":status", "103", "link", "</a>"])).toMatchObject({ status: 103 })
  })

  it("a malformed response head is H3_MESSAGE_ERROR", () => {
    const bad: ReadonlyArray<ReadonlyArray<string>> = [
      [],
      ["content-type", "x"],
      [":status", "200", ":status", "200"],
      [":status", "20"],
      [":status", "2000"],
      [":status", "099"],
      [":status", "101"],
      [":status", "200", ":path", "/"],
      [":method", "GET", ":status", "200"],
      ["server", "x", ":status", "200"],
      [":status", "200", "Content-Type", "x"],
      [":status", "200", "bad name", "x"],
      [":status", "200", "", "x"],
      [":status", "200", "x", "a\r\nb"],
      [":status", "200", "x", "a\0b"],
      [":status", "200", "connection", "close"],
      [":status", "200", "transfer-encoding", "chunked"],
      [":status", "200", "te", "gzip"]
    ]
    for (const fields of bad) expect(responseHead(fields)).toMatchObject({ _tag: "Http3Error", code: "H3_MESSAGE_ERROR" })
  })

  it("trailers: fields without pseudo-headers", () => {
    expect(trailerFields(["grpc-status", "0"])).toEqual(["grpc-status", "0"])
    expect(trailerFields([":status", "200"])).toMatchObject({ code: "H3_MESSAGE_ERROR" })
    expect(trailerFields(["X", "1"])).toMatchObject({ code: "H3_MESSAGE_ERROR" })
  })

  it("never throws on arbitrary field lines", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 10 }), (strings) => {
        const fields = strings.length % 2 === 0 ? strings : strings.slice(1)
        const r = responseHead(fields)
        expect("status" in r || r._tag === "Http3Error").toBe(true)
        const t = trailerFields(fields)
        expect(Array.isArray(t) || (t as { _tag: string })._tag === "Http3Error").toBe(true)
      })
    )
  })
})
