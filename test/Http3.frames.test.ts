import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import { errorCodes, Http3Error } from "../src/internal/http3/error.js"
import {
  encodeControlStreamPreface,
  encodeFrame,
  encodeFrameHeader,
  encodeGoaway,
  FrameType,
  parseSettings
} from "../src/internal/http3/frame.js"
import type { Settings } from "../src/internal/http3/frame.js"
import { FrameReader } from "../src/internal/http3/frameReader.js"
import type { FrameLimits, FrameStreamKind } from "../src/internal/http3/frameReader.js"
import { encodeVarint, readVarint, varintLength, varintSizeOf } from "../src/internal/http3/varint.js"

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"))
const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => Uint8Array.from(Buffer.concat(parts))

type Event =
  | { readonly data: string }
  | { readonly headers: string }
  | { readonly settings: Settings }
  | { readonly goaway: number }
  | { readonly error: string; readonly limit?: string | undefined }

/** Feeds `pieces` to a reader of `kind`, then ends the stream when asked; the events, DATA joined. */
const read = (
  kind: FrameStreamKind,
  pieces: ReadonlyArray<Uint8Array>,
  end = false,
  limits?: FrameLimits
): Array<Event> => {
  const events: Array<Event> = []
  const reader = new FrameReader(kind, {
    data: (c) => {
      const last = events[events.length - 1]
      const text = Buffer.from(c).toString("latin1")
      if (last !== undefined && "data" in last) events[events.length - 1] = { data: last.data + text }
      else events.push({ data: text })
      return undefined
    },
    headers: (b) => (events.push({ headers: Buffer.from(b).toString("hex") }), undefined),
    settings: (s) => (events.push({ settings: s }), undefined),
    goaway: (id) => (events.push({ goaway: id }), undefined)
  }, limits)
  for (const p of pieces) {
    const e = reader.push(p)
    if (e !== undefined) return [...events, { error: e.code, limit: e.limit }]
  }
  if (end) {
    const e = reader.end()
    if (e !== undefined) return [...events, { error: e.code, limit: e.limit }]
  }
  return events
}

/** `bytes` cut at `cuts`. */
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [0, ...[...cuts].map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end))
}

const settingsFrame = (...pairs: ReadonlyArray<number>): Uint8Array =>
  encodeFrame(FrameType.SETTINGS, concat(...pairs.map(encodeVarint)))

describe("QUIC variable-length integers (RFC 9000 §16)", () => {
  it("decodes the RFC 9000 Appendix A.1 examples", () => {
    expect(readVarint(hex("c2197c5eff14e88c"), 0)).toBe(Number(151288809941952652n))
    expect(readVarint(hex("9d7f3e7d"), 0)).toBe(494878333)
    expect(readVarint(hex("7bbd"), 0)).toBe(15293)
    expect(readVarint(hex("25"), 0)).toBe(37)
    expect(readVarint(hex("4025"), 0)).toBe(37)
  })

  it("encodes in the shortest form, at each length boundary", () => {
    expect(Buffer.from(encodeVarint(494878333)).toString("hex")).toBe("9d7f3e7d")
    expect(Buffer.from(encodeVarint(15293)).toString("hex")).toBe("7bbd")
    for (const [v, n] of [[0, 1], [63, 1], [64, 2], [16383, 2], [16384, 4], [2 ** 30 - 1, 4], [2 ** 30, 8]] as const) {
      expect(varintLength(v)).toBe(n)
      expect(encodeVarint(v).length).toBe(n)
    }
  })

  it("round-trips every safe integer, and reports a truncated varint as -1", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const bytes = encodeVarint(v)
        expect(varintSizeOf(bytes[0])).toBe(bytes.length)
        expect(readVarint(bytes, 0)).toBe(v)
        expect(readVarint(bytes.subarray(0, bytes.length - 1), 0)).toBe(-1)
      })
    )
  })
})

describe("HTTP/3 SETTINGS (RFC 9114 §7.2.4)", () => {
  it("reads known settings and ignores unknown (reserved) identifiers", () => {
    const s = parseSettings(concat(...[0x06, 16384, 0x01, 0, 0x07, 0, 0x21, 7, 0x08, 1, 0x33, 1].map(encodeVarint)))
    expect(s).toEqual({
      qpackMaxTableCapacity: 0,
      maxFieldSectionSize: 16384,
      qpackBlockedStreams: 0,
      enableConnectProtocol: true,
      h3Datagram: true
    })
  })

  it("gives the defaults for an empty SETTINGS: no field-section limit, no dynamic table", () => {
    expect(parseSettings(new Uint8Array(0))).toMatchObject({ maxFieldSectionSize: Infinity, qpackMaxTableCapacity: 0 })
  })

  it("refuses HTTP/2's identifiers, duplicates and non-boolean booleans with H3_SETTINGS_ERROR", () => {
    for (const id of [0x00, 0x02, 0x03, 0x04, 0x05]) {
      expect(parseSettings(concat(encodeVarint(id), encodeVarint(1)))).toMatchObject({ code: "H3_SETTINGS_ERROR" })
    }
    expect(parseSettings(concat(...[0x06, 1, 0x06, 2].map(encodeVarint)))).toMatchObject({ code: "H3_SETTINGS_ERROR" })
    expect(parseSettings(concat(...[0x08, 2].map(encodeVarint)))).toMatchObject({ code: "H3_SETTINGS_ERROR" })
  })

  it("refuses a payload that ends inside a pair with H3_FRAME_ERROR", () => {
    expect(parseSettings(hex("06"))).toMatchObject({ code: "H3_FRAME_ERROR" })
    expect(parseSettings(hex("0640"))).toMatchObject({ code: "H3_FRAME_ERROR" })
  })

  it("the client's control stream preface is the stream type, then SETTINGS with the limit and a reserved setting", () => {
    const preface = encodeControlStreamPreface({ maxFieldSectionSize: 65536 })
    expect(preface[0]).toBe(0x00)
    const events = read("control", [preface.subarray(1)])
    expect(events).toEqual([{ settings: expect.objectContaining({ maxFieldSectionSize: 65536 }) }])
    expect(Buffer.from(encodeControlStreamPreface({})).toString("hex")).toBe("0004022100")
  })
})

describe("HTTP/3 frame reader (RFC 9114 §7)", () => {
  const response = concat(
    encodeFrame(FrameType.HEADERS, hex("0000d9")),
    encodeFrameHeader(FrameType.DATA, 5),
    Buffer.from("hello"),
    encodeFrame(0x21, hex("abcdef")), // reserved type: skipped
    encodeFrameHeader(FrameType.DATA, 0),
    encodeFrameHeader(FrameType.DATA, 3),
    Buffer.from("!!!"),
    encodeFrame(0x1f * 1000 + 0x21, new Uint8Array(100)), // a large reserved type, skipped
    encodeFrame(FrameType.HEADERS, hex("0000"))
  )
  const expected: Array<Event> = [{ headers: "0000d9" }, { data: "hello!!!" }, { headers: "0000" }]

  it("reads HEADERS and DATA of a request stream, skipping unknown and reserved frame types", () => {
    expect(read("request", [response], true)).toEqual(expected)
  })

  it("gives the same frames however the bytes are split", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(read("request", split(response, cuts), true)).toEqual(expected)
      })
    )
    // Byte by byte.
    expect(read("request", Array.from(response, (b) => Uint8Array.of(b)), true)).toEqual(expected)
  })

  it("hands DATA on as it arrives, without waiting for the frame's end", () => {
    const frame = concat(encodeFrameHeader(FrameType.DATA, 10), Buffer.from("abcd"))
    expect(read("request", [frame])).toEqual([{ data: "abcd" }])
  })

  it("refuses a stream that ends inside a frame with H3_FRAME_ERROR", () => {
    expect(read("request", [response.subarray(0, 9)], true).at(-1)).toEqual({ error: "H3_FRAME_ERROR" })
    expect(read("request", [hex("40")], true).at(-1)).toEqual({ error: "H3_FRAME_ERROR" })
  })

  it("refuses HTTP/2's frame types (PRIORITY, PING, WINDOW_UPDATE, CONTINUATION) with H3_FRAME_UNEXPECTED", () => {
    for (const type of [0x02, 0x06, 0x08, 0x09]) {
      expect(read("request", [encodeFrame(type, hex("00"))])).toEqual([{ error: "H3_FRAME_UNEXPECTED" }])
      expect(read("control", [settingsFrame(), encodeFrame(type, hex("00"))]).at(-1)).toEqual({ error: "H3_FRAME_UNEXPECTED" })
    }
  })

  it("refuses control frames on a request stream, and pushes a client never allowed", () => {
    for (const type of [FrameType.SETTINGS, FrameType.GOAWAY, FrameType.CANCEL_PUSH, FrameType.MAX_PUSH_ID]) {
      expect(read("request", [encodeFrame(type, hex("00"))])).toEqual([{ error: "H3_FRAME_UNEXPECTED" }])
    }
    expect(read("request", [encodeFrame(FrameType.PUSH_PROMISE, hex("0000"))])).toEqual([{ error: "H3_ID_ERROR" }])
  })

  it("a control stream must start with SETTINGS (H3_MISSING_SETTINGS), has it once, and carries GOAWAY", () => {
    expect(read("control", [encodeGoaway(0)])).toEqual([{ error: "H3_MISSING_SETTINGS" }])
    expect(read("control", [encodeFrame(0x21, hex(""))])).toEqual([{ error: "H3_MISSING_SETTINGS" }])
    expect(read("control", [settingsFrame(), settingsFrame()])).toEqual([
      { settings: expect.anything() },
      { error: "H3_FRAME_UNEXPECTED" }
    ])
    expect(read("control", [settingsFrame(0x06, 100), encodeFrame(0x21, hex("00")), encodeGoaway(8), encodeGoaway(4)])).toEqual([
      { settings: expect.objectContaining({ maxFieldSectionSize: 100 }) },
      { goaway: 8 },
      { goaway: 4 }
    ])
    for (const type of [FrameType.DATA, FrameType.HEADERS, FrameType.PUSH_PROMISE, FrameType.MAX_PUSH_ID]) {
      expect(read("control", [settingsFrame(), encodeFrame(type, hex("00"))]).at(-1)).toEqual({ error: "H3_FRAME_UNEXPECTED" })
    }
    expect(read("control", [settingsFrame(), encodeFrame(FrameType.CANCEL_PUSH, hex("00"))]).at(-1)).toEqual({
      error: "H3_ID_ERROR"
    })
  })

  it("refuses a GOAWAY that is not a client bidirectional stream, raises its ID, or is malformed", () => {
    expect(read("control", [settingsFrame(), encodeGoaway(2)]).at(-1)).toEqual({ error: "H3_ID_ERROR" })
    expect(read("control", [settingsFrame(), encodeGoaway(4), encodeGoaway(8)]).at(-1)).toEqual({ error: "H3_ID_ERROR" })
    expect(read("control", [settingsFrame(), encodeFrame(FrameType.GOAWAY, hex("0000"))]).at(-1)).toEqual({
      error: "H3_FRAME_ERROR"
    })
    expect(read("control", [settingsFrame(), encodeFrame(FrameType.GOAWAY, hex(""))]).at(-1)).toEqual({
      error: "H3_FRAME_ERROR"
    })
  })

  it("the end of the control stream is H3_CLOSED_CRITICAL_STREAM", () => {
    expect(read("control", [settingsFrame()], true).at(-1)).toEqual({ error: "H3_CLOSED_CRITICAL_STREAM" })
  })

  it("refuses a HEADERS frame over the limit before buffering it, naming the limit", () => {
    const limits = { maxHeadersFrame: 10, maxControlFrame: 8 }
    expect(read("request", [encodeFrameHeader(FrameType.HEADERS, 11)], false, limits)).toEqual([
      { error: "H3_EXCESSIVE_LOAD", limit: "field-section-size" }
    ])
    expect(read("request", [encodeFrame(FrameType.HEADERS, new Uint8Array(10))], false, limits)).toHaveLength(1)
    expect(read("control", [encodeFrameHeader(FrameType.SETTINGS, 9)], false, limits)).toEqual([
      { error: "H3_EXCESSIVE_LOAD", limit: "frame-size" }
    ])
    // An unknown frame of any size is skipped, not buffered.
    expect(read("request", [encodeFrameHeader(0x21, 2 ** 40)], false, limits)).toEqual([])
  })

  it("stops at the first error and returns it again", () => {
    const reader = new FrameReader("request", {
      data: () => undefined,
      headers: () => new Http3Error({ code: "QPACK_DECOMPRESSION_FAILED", detail: "x" }),
      settings: () => undefined,
      goaway: () => undefined
    })
    const e = reader.push(response)
    expect(e?.code).toBe("QPACK_DECOMPRESSION_FAILED")
    expect(reader.push(hex("00"))).toBe(e)
    expect(reader.end()).toBe(e)
  })

  it("never throws on arbitrary bytes: each outcome is frames or an HTTP/3 error with a known code", () => {
    const codes = new Set(Object.keys(errorCodes))
    fc.assert(
      fc.property(
        fc.constantFrom<FrameStreamKind>("control", "request"),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (kind, bytes, cuts, end) => {
          const events = read(kind, split(bytes, cuts), end, { maxHeadersFrame: 64, maxControlFrame: 64 })
          for (const e of events) if ("error" in e) expect(codes.has(e.error)).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
  })
})
