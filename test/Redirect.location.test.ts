/**
 * The Location field of a redirect (issue 12, items 4 and 5), on both
 * redirect paths — `Hackney` with `followRedirect` and
 * `HackneyHttpClient.followRedirects`:
 *
 * - raw non-ASCII bytes are percent-encoded from the bytes the server sent
 *   (`%D8%A2`), not read as latin1 and encoded again as UTF-8;
 * - an empty or absent Location is not a redirect to follow: the 3xx is
 *   the response;
 * - several different Location fields are ambiguous: the request fails with
 *   `ProtocolError` (reason `"multiple-locations"`), nothing is followed;
 *   identical repeats are one Location.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as net from "node:net"
import { Hackney, HackneyHttpClient, Pool } from "../src/index.js"
import { onRequests } from "./support/hackney.js"
import { referenceFromOctets } from "../src/internal/url/percent.js"
import { rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `redirect-location-${poolSeq++}` }))

/**
 * A raw server: `/start` answers with `redirect` (exact bytes, latin1);
 * anything else answers 200 with the request line it received as the body.
 * Every request line is logged.
 */
const locationServer = (redirect: string) =>
  Effect.suspend(() => {
    const log: Array<string> = []
    return Effect.map(
      rawServer((socket: net.Socket) =>
        onRequests(socket, (request) => {
          const line = request.slice(0, request.indexOf("\r\n"))
          log.push(line)
          if (line.startsWith("GET /start ")) socket.write(Buffer.from(redirect, "latin1"))
          else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(line, "latin1")}\r\n\r\n${line}`, "latin1")
        })
      ),
      (srv) => ({ ...srv, log })
    )
  })

const found = (fields: string, body = "") =>
  `HTTP/1.1 302 Found\r\n${fields}Content-Length: ${body.length}\r\n\r\n${body}`

/** What a redirect path returned: the final status and body. */
interface Outcome {
  readonly status: number
  readonly body: string
}
const paths: ReadonlyArray<readonly [string, (url: string, pool: Pool.Pool) => Effect.Effect<Outcome, unknown>]> = [
  [
    "Hackney followRedirect",
    (url, pool) =>
      Effect.map(Hackney.get(url, { pool, followRedirect: true }), (r) => ({ status: r.status, body: r.text() }))
  ],
  [
    "HackneyHttpClient.followRedirects",
    (url, pool) =>
      Effect.scoped(
        Effect.flatMap(
          HackneyHttpClient.make({ pool }).pipe(HackneyHttpClient.followRedirects()).get(url),
          (r) => Effect.map(r.text, (body) => ({ status: r.status, body }))
        )
      )
  ]
]

/** The ProtocolError behind a failure of either path (the HttpClient wraps it in a RequestError). */
const protocolReason = (e: unknown): string | undefined => {
  const inner = (e as { _tag?: string; cause?: unknown })._tag === "RequestError" ? (e as { cause: unknown }).cause : e
  const pe = inner as { _tag?: string; reason?: string }
  return pe._tag === "ProtocolError" ? pe.reason : undefined
}

describe("redirects: a Location with raw non-ASCII bytes is encoded from those bytes", () => {
  for (const [name, get] of paths) {
    it.scoped(`${name}: UTF-8 bytes (Ø¢ read as latin1) become %D8%A2, in path and query`, () =>
      Effect.gen(function*() {
        // "/آ?q=آ" in UTF-8: U+0622 is D8 A2.
        const srv = yield* locationServer(found("Location: /\xd8\xa2/x?q=\xd8\xa2\r\n"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r.body).toBe("GET /%D8%A2/x?q=%D8%A2 HTTP/1.1")
        expect(srv.log[1]).toBe("GET /%D8%A2/x?q=%D8%A2 HTTP/1.1")
      }))

    it.scoped(`${name}: bytes that are not UTF-8 (latin1 é) are percent-encoded as they are: %E9`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location: /caf\xe9\r\n"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r.body).toBe("GET /caf%E9 HTTP/1.1")
      }))

    it.scoped(`${name}: an already encoded Location is sent as it is`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location: /%D8%A2\r\n"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r.body).toBe("GET /%D8%A2 HTTP/1.1")
      }))
  }
})

describe("redirects: an empty, absent or ambiguous Location is not followed", () => {
  for (const [name, get] of paths) {
    it.scoped(`${name}: an empty Location: the 302 is the response, nothing followed`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location:\r\n", "moved?"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r).toEqual({ status: 302, body: "moved?" })
        expect(srv.log).toEqual(["GET /start HTTP/1.1"])
      }))

    it.scoped(`${name}: a Location of only whitespace is empty too`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location:  \t \r\n"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r.status).toBe(302)
        expect(srv.log.length).toBe(1)
      }))

    it.scoped(`${name}: no Location: the 302 is the response`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("", "no"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r).toEqual({ status: 302, body: "no" })
        expect(srv.log.length).toBe(1)
      }))

    it.scoped(`${name}: two different Locations: ProtocolError(multiple-locations), nothing followed`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location: /a\r\nLocation: /b\r\n"))
        const e = yield* Effect.flip(get(`${srv.url}/start`, yield* testPool))
        expect(protocolReason(e)).toBe("multiple-locations")
        expect(String((e as { message: string }).message)).toContain("2 different Location")
        expect(srv.log.length).toBe(1)
      }))

    it.scoped(`${name}: the same Location twice is one Location, followed`, () =>
      Effect.gen(function*() {
        const srv = yield* locationServer(found("Location: /a\r\nLocation: /a\r\n"))
        const r = yield* get(`${srv.url}/start`, yield* testPool)
        expect(r).toEqual({ status: 200, body: "GET /a HTTP/1.1" })
      }))
  }
})

describe("referenceFromOctets: a field value's octets as a URI reference", () => {
  it("decodes valid UTF-8 (so a host is IDNA-mapped, a path percent-encoded from the same octets)", () => {
    expect(referenceFromOctets("http://b\xc3\xbccher.test/\xd8\xa2")).toBe("http://bücher.test/\u0622")
    expect(new URL(referenceFromOctets("http://b\xc3\xbccher.test/\xd8\xa2")).href).toBe("http://xn--bcher-kva.test/%D8%A2")
  })
  it("percent-encodes octets that are not UTF-8, and leaves ASCII and non-octet strings alone", () => {
    expect(referenceFromOctets("/caf\xe9?x=\xff")).toBe("/caf%E9?x=%FF")
    expect(referenceFromOctets("/plain?a=b")).toBe("/plain?a=b")
    expect(referenceFromOctets("/\u0622")).toBe("/\u0622")
  })
})
