/**
 * The HTTP/3 codec's exact behaviour where the protocol tests (Http3.frames, Http3.qpack,
 * Http3.message, AltSvc) check only the outcome's kind: each error's code and detail (what the connection reports), the varint and
 * frame encoders' bytes, the readers' positions, limits and boundaries, and Alt-Svc's edge cases.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseAltSvc, altSvcField } from "../src/internal/http3/altSvc.js"
import { codeName, Http3Error } from "../src/internal/http3/error.js"
import {
  defaultSettings,
  encodeFrame,
  encodeFrameHeader,
  encodeGoaway,
  FrameType,
  parseSettings,
  parseSingleVarint
} from "../src/internal/http3/frame.js"
import { defaultFrameLimits, FrameReader } from "../src/internal/http3/frameReader.js"
import type { FrameLimits, FrameStreamKind } from "../src/internal/http3/frameReader.js"
import { requestFields, responseHead, trailerFields } from "../src/internal/http3/message.js"
import { decodeFieldSection, encodeFieldSection } from "../src/internal/http3/qpack.js"
import { QpackStreamReader } from "../src/internal/http3/qpackStreams.js"
import { encodeVarint, MAX_VARINT, varintLength, writeVarint } from "../src/internal/http3/varint.js"

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const bytes = (...b: ReadonlyArray<number>): Uint8Array => Uint8Array.from(b)
const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => Uint8Array.from(Buffer.concat(parts))
/** An error's code and detail, or the value itself. */
const outcome = (v: unknown): unknown => (v instanceof Http3Error ? [v.code, v.detail] : v)

describe("HTTP/3 errors", () => {
  it("say their code and detail; codeName names a wire code, or nothing for an unknown one", () => {
    expect(new Http3Error({ code: "H3_FRAME_ERROR", detail: "a bad frame" }).message).toBe("HTTP/3 error H3_FRAME_ERROR: a bad frame")
    expect([codeName(0x100), codeName(0x10c), codeName(0x202), codeName(0x999), codeName(0)]).toEqual([
      "H3_NO_ERROR",
      "H3_REQUEST_CANCELLED",
      "QPACK_DECODER_STREAM_ERROR",
      undefined,
      undefined
    ])
  })
})

describe("QUIC varints: lengths, offsets and range", () => {
  it("varintLength at each boundary, and writeVarint returns the offset after the varint it wrote", () => {
    expect([0, 63, 64, 16383, 16384, 2 ** 30 - 1, 2 ** 30, MAX_VARINT].map(varintLength)).toEqual([1, 1, 2, 2, 4, 4, 8, 8])
    expect([0x40, 2 ** 30].map((v) => toHex(encodeVarint(v)))).toEqual(["4040", "c000000040000000"])
    const buf = new Uint8Array(20)
    expect([writeVarint(buf, 3, 5), writeVarint(buf, 3, 300), writeVarint(buf, 3, 70_000), writeVarint(buf, 3, 2 ** 40)]).toEqual([4, 5, 7, 11])
  })

  it("writeVarint refuses a negative, fractional or unsafe value with a RangeError naming it; 0 and 2^53 - 1 are fine", () => {
    const buf = new Uint8Array(8)
    for (const v of [-1, 1.5, 2 ** 53]) expect(() => writeVarint(buf, 0, v)).toThrow(new RangeError(`not a QUIC varint value: ${v}`))
    expect(writeVarint(buf, 0, 0)).toBe(1)
    expect(writeVarint(buf, 0, MAX_VARINT)).toBe(8)
  })
})

describe("HTTP/3 frames: encoders and SETTINGS", () => {
  it("frame headers, whole frames and GOAWAY, byte for byte", () => {
    expect(toHex(encodeFrameHeader(FrameType.DATA, 5))).toBe("0005")
    expect(toHex(encodeFrameHeader(0x21, 300))).toBe("21412c")
    expect(toHex(encodeFrame(FrameType.HEADERS, bytes(1, 2, 3)))).toBe("0103010203")
    expect(toHex(encodeFrame(FrameType.HEADERS, new Uint8Array(64)))).toBe("014040" + "00".repeat(64))
    expect([toHex(encodeGoaway(4)), toHex(encodeGoaway(100))]).toEqual(["070104", "07024064"])
  })

  it("SETTINGS: the defaults, blocked streams, the two booleans each on its own", () => {
    const none = { qpackMaxTableCapacity: 0, maxFieldSectionSize: Infinity, qpackBlockedStreams: 0, enableConnectProtocol: false, h3Datagram: false }
    expect(defaultSettings).toEqual(none)
    expect(parseSettings(new Uint8Array(0))).toEqual(none)
    expect(parseSettings(bytes(0x07, 5))).toEqual({ ...none, qpackBlockedStreams: 5 })
    expect(parseSettings(bytes(0x08, 1))).toEqual({ ...none, enableConnectProtocol: true })
    expect(parseSettings(concat(bytes(0x33), bytes(1)))).toEqual({ ...none, h3Datagram: true })
    expect(parseSettings(bytes(0x08, 0, 0x33, 0))).toEqual(none)
  })

  it("SETTINGS errors say what is wrong", () => {
    expect(outcome(parseSettings(bytes(0x40)))).toEqual(["H3_FRAME_ERROR", "SETTINGS ends inside an identifier"])
    expect(outcome(parseSettings(bytes(0x06, 0x40)))).toEqual(["H3_FRAME_ERROR", "SETTINGS ends inside a value"])
    expect(outcome(parseSettings(bytes(0x02, 0)))).toEqual(["H3_SETTINGS_ERROR", "SETTINGS has the HTTP/2 identifier 0x2, reserved in HTTP/3"])
    expect(outcome(parseSettings(bytes(0x06, 1, 0x06, 2)))).toEqual(["H3_SETTINGS_ERROR", "SETTINGS has identifier 0x6 twice"])
    expect(outcome(parseSettings(bytes(0x33, 2)))).toEqual(["H3_SETTINGS_ERROR", "SETTINGS 0x33 is 2, not 0 or 1"])
  })

  it("a single-varint payload: 0 is a value; anything but exactly one varint is H3_FRAME_ERROR naming the frame", () => {
    expect([parseSingleVarint(bytes(0), "GOAWAY"), parseSingleVarint(bytes(0x40, 8), "GOAWAY")]).toEqual([0, 8])
    for (const p of [bytes(), bytes(0x40), bytes(4, 0)]) {
      expect(outcome(parseSingleVarint(p, "MAX_PUSH_ID"))).toEqual(["H3_FRAME_ERROR", "MAX_PUSH_ID payload is not one variable-length integer"])
    }
  })
})

/** A reader that records what its sink got; `fail` makes a sink callback return an error. */
const recorder = (kind: FrameStreamKind, limits?: FrameLimits, fail?: "data" | "headers") => {
  const got: Array<unknown> = []
  const sinkError = new Http3Error({ code: "H3_MESSAGE_ERROR", detail: "refused by the sink" })
  const reader = new FrameReader(kind, {
    data: (c) => (got.push(["data", c]), fail === "data" ? sinkError : undefined),
    headers: (b) => (got.push(["headers", b]), fail === "headers" ? sinkError : undefined),
    settings: (s) => (got.push(["settings", s]), undefined),
    goaway: (id) => (got.push(["goaway", id]), undefined)
  }, limits)
  return { reader, got, sinkError }
}
// Built in the tests, not at import: a mutant that throws in the encoders fails them instead of the file's loading.
const settingsFrame = (): Uint8Array => encodeFrame(FrameType.SETTINGS, new Uint8Array(0))

describe("HTTP/3 frame reader: exact behaviour", () => {
  it("a varint split after its first byte (2- and 4-byte lengths) reads whole, and position counts the bytes consumed", () => {
    const data = new Uint8Array(300).fill(0x61)
    const frames = concat(encodeFrameHeader(FrameType.DATA, 300), data, encodeFrame(FrameType.HEADERS, new Uint8Array(16_384)))
    for (const cut of [1, 2, 3, 5, 11]) {
      const { reader, got } = recorder("request", { maxHeadersFrame: 20_000, maxControlFrame: 100 })
      for (let i = 0; i < frames.length; i += cut) expect(reader.push(frames.subarray(i, i + cut))).toBeUndefined()
      const dataBytes = got.filter((g) => (g as Array<unknown>)[0] === "data").reduce((n: number, g) => n + ((g as [string, Uint8Array])[1]).length, 0)
      const headers = got.filter((g) => (g as Array<unknown>)[0] === "headers") as Array<[string, Uint8Array]>
      expect([dataBytes, headers.length, headers[0][1].length]).toEqual([300, 1, 16_384])
      expect([reader.position, reader.atFrameBoundary, reader.end()]).toEqual([frames.length, true, undefined])
    }
  })

  it("a DATA payload that is the whole chunk is handed on as that chunk; a whole HEADERS payload as a view of it, not a copy", () => {
    const { reader, got } = recorder("request")
    reader.push(encodeFrameHeader(FrameType.DATA, 4))
    const chunk = bytes(1, 2, 3, 4)
    reader.push(chunk)
    const frame = encodeFrame(FrameType.HEADERS, bytes(0, 0, 0xd9))
    reader.push(frame)
    expect((got[0] as [string, Uint8Array])[1]).toBe(chunk)
    const block = (got[1] as [string, Uint8Array])[1]
    expect([toHex(block), block.buffer === frame.buffer]).toEqual(["0000d9", true])
  })

  it("an error from the sink stops the reader (DATA, a HEADERS payload in one piece or collected), at the bytes consumed", () => {
    for (const [fail, pieces] of [
      ["data", [concat(encodeFrameHeader(FrameType.DATA, 2), bytes(1, 2), encodeFrameHeader(FrameType.DATA, 1), bytes(3))]],
      ["headers", [encodeFrame(FrameType.HEADERS, bytes(0, 0)), encodeFrame(FrameType.HEADERS, bytes(0, 0))]],
      ["headers", [bytes(FrameType.HEADERS, 2, 0), bytes(0, FrameType.DATA, 1, 9)]]
    ] as const) {
      const { reader, got, sinkError } = recorder("request", undefined, fail)
      let e: Http3Error | undefined
      for (const p of pieces) if ((e = reader.push(p)) !== undefined) break
      expect(e).toBe(sinkError)
      expect(got).toHaveLength(1)
      expect(reader.push(bytes(0, 0))).toBe(sinkError)
      expect(reader.end()).toBe(sinkError)
      expect(reader.position).toBe(fail === "data" ? 4 : 4)
    }
  })

  it("empty DATA and empty unknown frames leave the reader between frames, with no DATA handed on", () => {
    const { reader, got } = recorder("request")
    expect(reader.push(bytes(FrameType.DATA, 0))).toBeUndefined()
    expect([reader.atFrameBoundary, got]).toEqual([true, []])
    expect(reader.push(bytes(0x21, 0))).toBeUndefined()
    expect([reader.atFrameBoundary, reader.position, reader.end()]).toEqual([true, 4, undefined])
  })

  it("HEADERS has its own limit, control frames theirs; a frame at the limit is accepted", () => {
    const limits = { maxHeadersFrame: 50, maxControlFrame: 10 }
    const { reader, got } = recorder("request", limits)
    expect(reader.push(encodeFrame(FrameType.HEADERS, new Uint8Array(50)))).toBeUndefined()
    expect(got).toHaveLength(1)
    expect(outcome(reader.push(encodeFrameHeader(FrameType.HEADERS, 51)))).toEqual(["H3_EXCESSIVE_LOAD", "a HEADERS frame of 51 bytes exceeds the limit of 50"])
    const control = recorder("control", limits)
    expect(control.reader.push(encodeFrame(FrameType.SETTINGS, bytes(0x21, 0, 0x22, 0, 0x23, 0, 0x24, 0, 0x25, 0)))).toBeUndefined()
    expect(control.got).toHaveLength(1)
    const over = recorder("control", limits)
    expect(outcome(over.reader.push(encodeFrameHeader(FrameType.SETTINGS, 11)))).toEqual(["H3_EXCESSIVE_LOAD", "a control frame of 11 bytes exceeds the limit of 10"])
    expect(defaultFrameLimits).toEqual({ maxHeadersFrame: 262_144, maxControlFrame: 16_384 })
  })

  it("GOAWAY: 0 and the same ID again are accepted; a raised or non-client ID is H3_ID_ERROR saying which", () => {
    const { reader, got } = recorder("control")
    expect(reader.push(concat(settingsFrame(), encodeGoaway(8), encodeGoaway(8), encodeGoaway(0)))).toBeUndefined()
    expect(got.slice(1)).toEqual([["goaway", 8], ["goaway", 8], ["goaway", 0]])
    expect(outcome(reader.push(encodeGoaway(4)))).toEqual(["H3_ID_ERROR", "GOAWAY raised its stream ID from 0 to 4"])
    const odd = recorder("control")
    expect(outcome(odd.reader.push(concat(settingsFrame(), encodeGoaway(2))))).toEqual(["H3_ID_ERROR", "GOAWAY names stream 2, not a client-initiated bidirectional stream"])
    const bad = recorder("control")
    expect(outcome(bad.reader.push(concat(settingsFrame(), encodeFrame(FrameType.GOAWAY, bytes(4, 0)))))).toEqual(["H3_FRAME_ERROR", "GOAWAY payload is not one variable-length integer"])
  })

  it("a malformed SETTINGS is the reader's error, never handed to the sink", () => {
    const { reader, got } = recorder("control")
    expect(outcome(reader.push(encodeFrame(FrameType.SETTINGS, bytes(0x02, 0))))).toEqual(["H3_SETTINGS_ERROR", "SETTINGS has the HTTP/2 identifier 0x2, reserved in HTTP/3"])
    expect(got).toEqual([])
  })

  it("each frame-order error says what is wrong", () => {
    const first = (kind: FrameStreamKind, ...pieces: ReadonlyArray<Uint8Array>) => {
      const { reader } = recorder(kind)
      for (const p of pieces) {
        const e = reader.push(p)
        if (e !== undefined) return outcome(e)
      }
      return outcome(reader.end())
    }
    expect(first("control", bytes(FrameType.GOAWAY, 1, 0))).toEqual(["H3_MISSING_SETTINGS", "the control stream starts with frame type 0x7, not SETTINGS"])
    expect(first("control", settingsFrame(), settingsFrame())).toEqual(["H3_FRAME_UNEXPECTED", "a second SETTINGS frame on the control stream"])
    expect(first("control", settingsFrame(), bytes(FrameType.CANCEL_PUSH, 1, 0))).toEqual(["H3_ID_ERROR", "CANCEL_PUSH for a push this client never allowed"])
    expect(first("control", settingsFrame(), bytes(FrameType.MAX_PUSH_ID, 1, 0))).toEqual(["H3_FRAME_UNEXPECTED", "frame type 0xd on the control stream"])
    expect(first("control", settingsFrame(), bytes(0x06, 0))).toEqual(["H3_FRAME_UNEXPECTED", "HTTP/2 frame type 0x6, reserved in HTTP/3"])
    expect(first("control", settingsFrame())).toEqual(["H3_CLOSED_CRITICAL_STREAM", "the peer closed its control stream"])
    expect(first("request", bytes(FrameType.PUSH_PROMISE, 1, 0))).toEqual(["H3_ID_ERROR", "PUSH_PROMISE, but this client never allowed pushes"])
    expect(first("request", bytes(FrameType.GOAWAY, 1, 0))).toEqual(["H3_FRAME_UNEXPECTED", "frame type 0x7 on a request stream"])
    expect(first("request", bytes(FrameType.DATA, 2, 0))).toEqual(["H3_FRAME_ERROR", "the stream ended inside a frame"])
  })
})

describe("QPACK field sections: exact behaviour", () => {
  it("long strings and many lines: integers with continuation bytes, and the output buffer grows", () => {
    // 300 bytes that Huffman would make longer: raw, length 300 = 127 + 173 → 7f ad 01.
    const raw = "\u0000".repeat(300)
    const block = encodeFieldSection(["x-raw", raw])
    const valueAt = block.indexOf(0x7f, 3)
    expect(toHex(block.subarray(valueAt, valueAt + 3))).toBe("7fad01")
    expect(block.length).toBe(valueAt + 3 + 300)
    const fields = Array.from({ length: 40 }, (_, i) => [`x-field-${i}`, "\u00ff".repeat(i * 20)]).flat()
    expect(decodeFieldSection(encodeFieldSection(fields), Infinity)).toEqual(fields)
    expect(decodeFieldSection(block, Infinity)).toEqual(["x-raw", raw])
    // A first line larger than twice the initial buffer; a length of exactly 127 + 128 (continuation byte 0x80, then 1).
    const big = ["x-big", "\u0000".repeat(2000)]
    expect(decodeFieldSection(encodeFieldSection(big), Infinity)).toEqual(big)
    const edge = encodeFieldSection(["x", "\u0000".repeat(255)])
    expect(toHex(edge.subarray(0, 7))).toBe("0000" + "2178" + "7f8001")
    expect(decodeFieldSection(edge, Infinity)).toEqual(["x", "\u0000".repeat(255)])
  })

  it("proxy-authorization is never-indexed too (N bit on a literal name)", () => {
    const block = encodeFieldSection(["proxy-authorization", "Basic x"])
    expect(block[2] & 0xf0).toBe(0x30) // 0 0 1 N=1
    expect(decodeFieldSection(block, Infinity)).toEqual(["proxy-authorization", "Basic x"])
    expect(encodeFieldSection(["x-authorization", "a"])[2] & 0x10).toBe(0)
  })

  it("prefixed integers: a zero continuation past 2^32 in scale, a value over 2^32, exactly 2^32", () => {
    const ric = (b: Uint8Array) => outcome(decodeFieldSection(concat(b, bytes(0)), Infinity))
    expect(ric(bytes(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00))).toEqual(["QPACK_DECOMPRESSION_FAILED", "the field section prefix is truncated"])
    expect(ric(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))).toEqual(["QPACK_DECOMPRESSION_FAILED", "the field section prefix is truncated"])
    // 2^32 = 255 + 4294967041, in base 128 with continuation bits.
    const digits: Array<number> = []
    for (let v = 2 ** 32 - 255; v > 0; v = Math.floor(v / 128)) digits.push(v % 128)
    const twoTo32 = bytes(0xff, ...digits.map((d, i) => (i < digits.length - 1 ? d | 0x80 : d)))
    expect(ric(twoTo32)).toEqual(["QPACK_DECOMPRESSION_FAILED", "Required Insert Count 4294967296, but the dynamic table capacity is 0"])
    expect(ric(bytes(0xff, 0x01))).toEqual(["QPACK_DECOMPRESSION_FAILED", "Required Insert Count 256, but the dynamic table capacity is 0"])
  })

  it("each decoding error says what is wrong", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["", "the field section prefix is truncated"],
      ["00", "the field section prefix is truncated"],
      ["007f", "the field section prefix is truncated"],
      ["0100", "Required Insert Count 1, but the dynamic table capacity is 0"],
      ["0081", "a negative Base (Required Insert Count 0, Delta Base 1)"],
      ["000080", "an indexed field line refers to the dynamic table"],
      ["0000ff24", "static table index 99 does not exist"],
      ["000040", "a literal field line refers to a name in the dynamic table"],
      ["00005f5401", "static table index 99 does not exist"],
      ["000051", "the field section ends before a string literal"],
      ["00005105", "a string literal runs past the end of the field section"],
      ["00005181ff", "an invalid Huffman-coded string literal"],
      ["00002361", "a string literal runs past the end of the field section"],
      ["00002161", "the field section ends before a string literal"],
      ["000029ff0161", "an invalid Huffman-coded string literal"],
      ["000010", "a field line refers to the dynamic table (post-Base index)"]
    ]
    for (const [h, detail] of cases) expect([h, outcome(decodeFieldSection(hex(h), Infinity))]).toEqual([h, ["QPACK_DECOMPRESSION_FAILED", detail]])
    expect(outcome(decodeFieldSection(hex("0000d1"), 40))).toEqual(["H3_EXCESSIVE_LOAD", "the field section exceeds 40 bytes (names, values and 32 per line)"])
  })
})

describe("QPACK encoder and decoder streams: exact behaviour", () => {
  const push = (kind: "encoder" | "decoder", ...chunks: ReadonlyArray<Uint8Array>) => {
    const r = new QpackStreamReader(kind)
    let e: Http3Error | undefined
    for (const c of chunks) e = r.push(c)
    return outcome(e)
  }

  it("multi-byte integers: their value, the byte after them, and a value too large", () => {
    expect(push("encoder", bytes(0x3f, 0xe1, 0x1f))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: Set Dynamic Table Capacity 4096, above the maximum of 0"])
    expect(push("encoder", bytes(0x3f), bytes(0x00))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: Set Dynamic Table Capacity 31, above the maximum of 0"])
    expect(push("decoder", bytes(0x3f, 0x01))).toEqual(["QPACK_DECODER_STREAM_ERROR", "QPACK decoder stream: Insert Count Increment 64, but no entry was inserted"])
    expect(push("decoder", bytes(0x7f, 0x01, 0x80))).toEqual(["QPACK_DECODER_STREAM_ERROR", "QPACK decoder stream: Section Acknowledgment, but no field section used the dynamic table"])
    expect(push("decoder", bytes(0x41, 0x01))).toEqual(["QPACK_DECODER_STREAM_ERROR", "QPACK decoder stream: Insert Count Increment 1, but no entry was inserted"])
    expect(push("encoder", bytes(0x3f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: an integer too large"])
    // The limit is 2^45: exactly 2^45 is a (refused) capacity, not an integer too large.
    const digits: Array<number> = []
    for (let v = 2 ** 45 - 31; v > 0; v = Math.floor(v / 128)) digits.push(v % 128)
    const limit = bytes(0x3f, ...digits.map((d, i) => (i < digits.length - 1 ? d | 0x80 : d)))
    expect(push("encoder", limit)).toEqual(["QPACK_ENCODER_STREAM_ERROR", `QPACK encoder stream: Set Dynamic Table Capacity ${2 ** 45}, above the maximum of 0`])
    expect(push("decoder", bytes(0x40, 0x7f, 0xff, 0x7f))).toBeUndefined()
  })

  it("each refused instruction says what it was; after an error, the reader returns it again", () => {
    expect(push("encoder", bytes(0x80))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: Insert with Name Reference, but the dynamic table capacity is 0"])
    expect(push("encoder", bytes(0x40))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: Insert with Literal Name, but the dynamic table capacity is 0"])
    expect(push("encoder", bytes(0x00))).toEqual(["QPACK_ENCODER_STREAM_ERROR", "QPACK encoder stream: Duplicate, but the dynamic table is empty"])
    expect(push("encoder", bytes(0x20, 0x20))).toBeUndefined()
    const r = new QpackStreamReader("encoder")
    const e = r.push(bytes(0x21))
    expect(r.push(bytes(0x20))).toBe(e)
    expect(r.end()).toBe(e)
    expect(outcome(new QpackStreamReader("decoder").end())).toEqual(["H3_CLOSED_CRITICAL_STREAM", "the peer closed its QPACK decoder stream"])
  })
})

describe("HTTP/3 messages: exact behaviour", () => {
  it("a request keeps TE: trailers in any case and spacing", () => {
    expect(requestFields("GET", "https", "a.test", "/", ["TE", " Trailers ", "te", "gzip"]).slice(8)).toEqual(["te", " Trailers "])
  })

  it("response field names: upper case A and Z refused, a non-token refused, obs-text values accepted, te: trailers accepted", () => {
    const head = (...f: ReadonlyArray<string>) => outcome(responseHead([":status", "200", ...f]))
    const msg = (d: string) => ["H3_MESSAGE_ERROR", `malformed message: ${d}`]
    expect(head("A", "x")).toEqual(msg(`field name "A" has upper-case letters`))
    expect(head("xZ", "x")).toEqual(msg(`field name "xZ" has upper-case letters`))
    expect(head("a b", "x")).toEqual(msg(`field name "a b" is not a token`))
    expect(head("a\u0100", "x")).toEqual(msg(`field name "a\u0100" is not a token`))
    expect(head("", "x")).toEqual(msg("an empty field name"))
    expect(head("x", "a\u0000b")).toEqual(msg(`field "x" has a control character in its value`))
    expect(head("x", "\u0100")).toEqual(msg(`field "x" has a control character in its value`))
    expect(head("connection", "close")).toEqual(msg(`connection-specific field "connection"`))
    expect(head("te", "gzip")).toEqual(msg(`field "te" is not "trailers"`))
    expect(head("x", "\u00ff", "te", "trailers", "te", " TRAILERS ")).toEqual({ status: 200, reason: "", rawHeaders: ["x", "\u00ff", "te", "trailers", "te", " TRAILERS "] })
  })

  it("response pseudo-headers and status errors say what is wrong", () => {
    const msg = (d: string) => ["H3_MESSAGE_ERROR", `malformed message: ${d}`]
    expect(outcome(responseHead(["x", "1", ":status", "200"]))).toEqual(msg(`pseudo-header ":status" after a regular field`))
    expect(outcome(responseHead([":path", "/", ":status", "200"]))).toEqual(msg(`pseudo-header ":path" in a response`))
    expect(outcome(responseHead([":status", "200", ":status", "200"]))).toEqual(msg("a second :status"))
    expect(outcome(responseHead([":status", "1200"]))).toEqual(msg(`:status "1200" is not three digits`))
    expect(outcome(responseHead([":status", "101"]))).toEqual(msg("status 101 (Switching Protocols) does not exist in HTTP/3"))
    expect(outcome(responseHead(["x", "1"]))).toEqual(msg("no :status"))
    expect(outcome(trailerFields(["x", "1", ":status", "200"]))).toEqual(msg(`pseudo-header ":status" in trailers`))
    expect(outcome(trailerFields(["x", "1", "X", "2"]))).toEqual(msg(`field name "X" has upper-case letters`))
  })
})

describe("Alt-Svc: exact behaviour", () => {
  const ports = (v: string) => {
    const p = parseAltSvc(v)
    return p === undefined ? undefined : p._tag === "Clear" ? p : p.alternatives.map((a) => a.port)
  }

  it("a malformed alt-value is skipped to the next comma outside quoted-strings, quoted-pairs included", () => {
    expect(ports(`x=":443" junk "a, h3=":9"`)).toBeUndefined()
    expect(ports(`x=":443" junk "a\\", h3=", h3=":9"`)).toEqual([9])
    expect(parseAltSvc(`h3=":443"`)).toEqual({ _tag: "Alternatives", alternatives: [{ protocol: "h3", host: undefined, port: 443, maxAge: 86_400, persist: false }] })
  })

  it("refuses an authority without a colon, a bad IPv6 literal, a protocol or parameter without '=', a parameter name without value, a stray token", () => {
    for (const v of [
      `h3="443"`,
      `h3="[zz]:443"`,
      `h3="[::1]x]:443"`,
      `h3 ":443"`,
      `h3=":443" ma=5`,
      `h3=":443"; ma 5`,
      `h3=":443"; =5`,
      `h3=":443"; x=`,
      `h3=":443"; ma=12x`,
      `h3=":443"; ma="5`
    ]) expect([v, ports(v)]).toEqual([v, undefined])
    expect(ports(`h3=":65535", h3="[::1]:1"`)).toEqual([65535, 1])
  })

  it("only persist=1 sets persist; altSvcField takes only Alt-Svc lines", () => {
    expect(parseAltSvc(`h3=":443"; x=1`)).toMatchObject({ alternatives: [{ persist: false }] })
    expect(altSvcField(["expires", "0", "Alt-Svc", `h3=":443"`, "alt-svcs", "x", "alt-svc", `h3=":1"`])).toBe(`h3=":443", h3=":1"`)
  })
})
