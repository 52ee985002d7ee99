/**
 * One case convention for every error `reason`: kebab-case. Each reason union
 * is listed here with a compile-time check that the list is exactly the union
 * (a value added to a union and not here fails `npm run check`), and each
 * value is checked at runtime against the kebab-case pattern. The HTTP/1
 * parser keeps its PascalCase vocabulary; its mapping to ProtocolErrorReason
 * is total and one-to-one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HackneyError } from "../src/index.js"
import { Hackney, Http1 } from "../src/index.js"
import { protocolReasons } from "../src/internal/connection/protocolError.js"
import { onRequestHead, rawServer } from "./support/servers.js"

/** `L` lists exactly the members of `U`: compiles to `true` only then. */
type Exactly<U, L extends ReadonlyArray<unknown>> = [U] extends [L[number]] ? [L[number]] extends [U] ? true : false
  : false
const exactly = <U>() => <const L extends ReadonlyArray<U>>(list: L & (Exactly<U, L> extends true ? unknown : never)) =>
  list

const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
const pascal = /^[A-Z][a-zA-Z0-9]*$/

const protocolErrorReasons = exactly<HackneyError.ProtocolErrorReason>()([
  "invalid-status-line",
  "invalid-request-line",
  "invalid-version",
  "invalid-line-ending",
  "invalid-header-name",
  "invalid-header-value",
  "obsolete-line-folding",
  "whitespace-before-headers",
  "invalid-content-length",
  "transfer-encoding-and-content-length",
  "invalid-transfer-encoding",
  "invalid-chunk-size",
  "invalid-chunk-extension",
  "invalid-chunk-data",
  "start-line-too-long",
  "header-section-too-large",
  "too-many-headers",
  "chunk-extension-too-long",
  "trailer-section-too-large",
  "too-many-empty-lines",
  "unexpected-data",
  "incomplete-message",
  "stopped",
  "too-many-informational",
  "multiple-locations",
  "unsupported-protocol",
  "decompression",
  "stream-reset",
  "session-error",
  "internal",
  "h3-general-protocol-error",
  "h3-internal-error",
  "h3-stream-creation-error",
  "h3-closed-critical-stream",
  "h3-frame-unexpected",
  "h3-frame-error",
  "h3-excessive-load",
  "h3-id-error",
  "h3-settings-error",
  "h3-missing-settings",
  "h3-message-error",
  "qpack-decompression-failed",
  "qpack-encoder-stream-error",
  "qpack-decoder-stream-error"
])

const parseErrorReasons = exactly<Http1.ParseErrorReason>()([
  "InvalidStatusLine",
  "InvalidRequestLine",
  "InvalidVersion",
  "InvalidLineEnding",
  "InvalidHeaderName",
  "InvalidHeaderValue",
  "ObsoleteLineFolding",
  "WhitespaceBeforeHeaders",
  "InvalidContentLength",
  "TransferEncodingAndContentLength",
  "InvalidTransferEncoding",
  "InvalidChunkSize",
  "InvalidChunkExtension",
  "InvalidChunkData",
  "StartLineTooLong",
  "HeaderSectionTooLarge",
  "TooManyHeaders",
  "ChunkExtensionTooLong",
  "TrailerSectionTooLarge",
  "TooManyEmptyLines",
  "UnexpectedData",
  "IncompleteMessage",
  "Stopped"
])

/** Every error class with a `reason`, and the whole of its union. */
const reasonUnions: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["ConnectError", exactly<HackneyError.ConnectErrorReason>()(["refused", "dns", "unreachable", "reset", "other"])],
  ["TlsError", exactly<HackneyError.TlsErrorReason>()(["certificate", "hostname", "handshake"])],
  ["ProtocolError", protocolErrorReasons],
  [
    "InvalidRequest",
    exactly<HackneyError.InvalidRequestReason>()([
      "url",
      "scheme",
      "method",
      "target",
      "header-name",
      "header-value",
      "body",
      "option",
      "middleware",
      "private-address"
    ])
  ],
  [
    "ProxyError",
    exactly<HackneyError.ProxyErrorReason>()([
      "connect-refused",
      "auth-required",
      "auth-failed",
      "socks5",
      "invalid-response"
    ])
  ],
  ["DecodeError", exactly<HackneyError.DecodeErrorReason>()(["json", "schema"])],
  ["ResponseClosed", exactly<HackneyError.ResponseClosedReason>()(["scope-closed", "already-read"])],
  [
    "MultipartError",
    exactly<HackneyError.MultipartErrorReason>()([
      "invalid-content-type",
      "missing-boundary",
      "invalid-boundary",
      "missing-closing-boundary",
      "invalid-header",
      "header-too-large",
      "too-many-headers",
      "too-many-parts",
      "too-large",
      "body-unavailable"
    ])
  ]
]

// Every tag with a `reason` field is listed above: a new one must join the convention.
type TagsWithReason = Extract<HackneyError.HackneyError, { readonly reason: unknown }>["_tag"]
const tagsWithReason = exactly<TagsWithReason>()([
  "ConnectError",
  "TlsError",
  "ProtocolError",
  "InvalidRequest",
  "ProxyError",
  "DecodeError",
  "ResponseClosed",
  "MultipartError"
])

describe("error reasons: one case convention", () => {
  it("every error class's reason union is kebab-case", () => {
    expect(reasonUnions.map(([tag]) => tag).sort()).toEqual([...tagsWithReason].sort())
    for (const [tag, reasons] of reasonUnions) {
      for (const reason of reasons) expect(reason, tag).toMatch(kebab)
    }
  })

  it("every ProtocolErrorReason is kebab-case and distinct", () => {
    for (const reason of protocolErrorReasons) expect(reason).toMatch(kebab)
    expect(new Set(protocolErrorReasons).size).toBe(protocolErrorReasons.length)
  })

  it("the parser keeps its PascalCase reasons, mapped totally and one-to-one to ProtocolErrorReason", () => {
    for (const reason of parseErrorReasons) expect(reason).toMatch(pascal)
    expect(Object.keys(protocolReasons).sort()).toEqual([...parseErrorReasons].sort())
    const mapped = parseErrorReasons.map((r) => protocolReasons[r])
    expect(new Set(mapped).size).toBe(parseErrorReasons.length)
    for (const r of parseErrorReasons) {
      // The kebab-case form of the parser's name, nothing else.
      expect(protocolReasons[r]).toBe(r.replace(/(?<!^)([A-Z])/g, "-$1").toLowerCase())
      expect(protocolErrorReasons).toContain(protocolReasons[r])
    }
  })

  it.scoped("a parser error reaches the caller as a kebab-case ProtocolError with the parser error as cause", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"))
      )
      const e = yield* Effect.flip(Hackney.get(srv.url, { pool: false }))
      expect(e).toMatchObject({ _tag: "ProtocolError", reason: "invalid-chunk-size" })
      expect(e.cause).toBeInstanceOf(Http1.Http1ParseError)
      expect(e.cause).toMatchObject({ reason: "InvalidChunkSize" })
      expect(e.message).toContain("(invalid-chunk-size: ")
    }))
})
