import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import { errorCodes } from "../src/internal/http3/error.js"
import { CODE_LENGTHS, CODES, huffmanDecode, huffmanEncode, huffmanLength } from "../src/internal/http3/huffman.js"
import { decodeFieldSection, encodeFieldSection, fieldSectionSize } from "../src/internal/http3/qpack.js"
import { STATIC_TABLE } from "../src/internal/http3/qpackStatic.js"
import { QpackStreamReader } from "../src/internal/http3/qpackStreams.js"

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const huff = (s: string): string => {
  const out = new Uint8Array(huffmanLength(s))
  expect(huffmanEncode(s, out, 0)).toBe(out.length)
  return toHex(out)
}
const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 60 })

describe("HPACK Huffman code (RFC 7541 Appendix B)", () => {
  it("derives the RFC's codes from the code lengths (entries of the Appendix B table)", () => {
    const table: ReadonlyArray<readonly [number, number, number]> = [
      [0, 0x1ff8, 13],
      [1, 0x7fffd8, 23],
      [9, 0xffffea, 24],
      [10, 0x3ffffffc, 30],
      [13, 0x3ffffffd, 30],
      [22, 0x3ffffffe, 30],
      [32, 0x14, 6],
      [48, 0x0, 5],
      [97, 0x3, 5],
      [127, 0xffffffc, 28],
      [128, 0xfffe6, 20],
      [200, 0x3ffffe2, 26],
      [255, 0x3ffffee, 26],
      [256, 0x3fffffff, 30]
    ]
    for (const [sym, code, len] of table) {
      expect([sym, CODES[sym], CODE_LENGTHS[sym]]).toEqual([sym, code, len])
    }
  })

  it("encodes and decodes the RFC 7541 Appendix C.4 and C.6 examples", () => {
    const examples: ReadonlyArray<readonly [string, string]> = [
      ["www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"],
      ["no-cache", "a8eb 1064 9cbf"],
      ["custom-key", "25a8 49e9 5ba9 7d7f"],
      ["custom-value", "25a8 49e9 5bb8 e8b4 bf"],
      ["302", "6402"],
      ["307", "640e ff"],
      ["private", "aec3 771a 4b"],
      ["gzip", "9bd9 ab"],
      ["Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"],
      ["https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"],
      [
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
        "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"
      ]
    ]
    for (const [text, code] of examples) {
      expect(huff(text)).toBe(code.replace(/ /g, ""))
      const bytes = hex(code)
      expect(huffmanDecode(bytes, 0, bytes.length)).toBe(text)
    }
  })

  it("round-trips every latin1 string, all 256 byte values included", () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))
    const bytes = hex(huff(all))
    expect(huffmanDecode(bytes, 0, bytes.length)).toBe(all)
    fc.assert(
      fc.property(latin1, (s) => {
        const b = hex(huff(s))
        expect(huffmanDecode(b, 0, b.length)).toBe(s)
      })
    )
  })

  it("refuses EOS, padding over 7 bits, and padding that is not ones (RFC 7541 §5.2)", () => {
    const bad = (h: string) => {
      const b = hex(h)
      return huffmanDecode(b, 0, b.length)
    }
    expect(bad("ffffffff")).toBeUndefined() // EOS (30 ones) inside the string
    expect(bad("f1e3c2e5f23a6ba0ab90f4fe")).toBeUndefined() // a zero in the padding
    expect(bad("1f")).toBe("a") // "a" is 00011, then 3 bits of padding
    expect(bad("1fff")).toBeUndefined() // "a", then 11 bits of padding
    expect(bad("")).toBe("")
  })
})

describe("QPACK field sections without a dynamic table (RFC 9204 §4.5)", () => {
  it("has the 99 entries of the static table (Appendix A)", () => {
    expect(STATIC_TABLE).toHaveLength(99)
    expect(STATIC_TABLE[0]).toEqual([":authority", ""])
    expect(STATIC_TABLE[17]).toEqual([":method", "GET"])
    expect(STATIC_TABLE[25]).toEqual([":status", "200"])
    expect(STATIC_TABLE[63]).toEqual([":status", "100"])
    expect(STATIC_TABLE[98]).toEqual(["x-frame-options", "sameorigin"])
  })

  it("decodes the RFC 9204 Appendix B.1 example (literal with a static name reference)", () => {
    expect(decodeFieldSection(hex("0000 510b 2f69 6e64 6578 2e68 746d 6c"), Infinity)).toEqual([":path", "/index.html"])
  })

  it("encodes static matches as indexed lines, static names as name references, others as literals", () => {
    // :method GET = 17 → 0xc0|17; :path / = 1 → 0xc1; :status 200 = 25 → 0xd9.
    expect(toHex(encodeFieldSection([":method", "GET", ":path", "/", ":status", "200"]))).toBe("0000d1c1d9")
    // :authority (0) with a Huffman value: 0101 0000, then H=1 and the length.
    expect(toHex(encodeFieldSection([":authority", "www.example.com"]))).toBe("000050" + "8c" + "f1e3c2e5f23a6ba0ab90f4ff")
    // A literal name: 0010 H=1 len(3+) = 7 + 1, the Huffman name (C.4.3); "a" is no shorter coded, so raw.
    expect(toHex(encodeFieldSection(["custom-key", "a"]))).toBe("0000" + "2f01" + "25a849e95ba97d7f" + "0161")
  })

  it("marks authorization never-indexed, even when the static table has its name", () => {
    const block = encodeFieldSection(["authorization", ""])
    expect(block[2] & 0xf0).toBe(0x70) // 0 1 N=1 T=1
    expect(decodeFieldSection(block, Infinity)).toEqual(["authorization", ""])
  })

  it("round-trips field lines: static, partly static and literal names, latin1 values", () => {
    const staticLine = fc.constantFrom(...STATIC_TABLE).map(([n, v]) => [n, v] as const)
    const staticName = fc.tuple(fc.constantFrom(...STATIC_TABLE.map(([n]) => n)), latin1)
    const literal = fc.tuple(fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,40}$/), latin1)
    fc.assert(
      fc.property(fc.array(fc.oneof(staticLine, staticName, literal), { maxLength: 20 }), (lines) => {
        const fields = lines.flatMap(([n, v]) => [n, v])
        expect(decodeFieldSection(encodeFieldSection(fields), Infinity)).toEqual(fields)
      })
    )
  })

  it("refuses references to the dynamic table with QPACK_DECOMPRESSION_FAILED (capacity 0)", () => {
    // RFC 9204 B.2 stream 4: Required Insert Count 2, post-Base indexed lines.
    expect(decodeFieldSection(hex("0381 10 11"), Infinity)).toMatchObject({ code: "QPACK_DECOMPRESSION_FAILED" })
    // Required Insert Count 0, then a dynamic indexed line (T = 0), a dynamic name reference, post-Base forms.
    for (const block of ["0000 80", "0000 4000", "0000 10", "0000 0000"]) {
      expect(decodeFieldSection(hex(block), Infinity)).toMatchObject({ code: "QPACK_DECOMPRESSION_FAILED" })
    }
    // A negative Base (S = 1) with Required Insert Count 0.
    expect(decodeFieldSection(hex("0080"), Infinity)).toMatchObject({ code: "QPACK_DECOMPRESSION_FAILED" })
  })

  it("refuses a static index past the table, truncated sections and strings, bad Huffman", () => {
    for (const block of ["0000 ff24", "0000 5f54 00", "", "00", "0000 51", "0000 5105 2f", "0000 ff", "0000 5181 ff"]) {
      expect(decodeFieldSection(hex(block), Infinity)).toMatchObject({ code: "QPACK_DECOMPRESSION_FAILED" })
    }
    expect(decodeFieldSection(hex("0000 ff23"), Infinity)).toEqual(["x-frame-options", "sameorigin"])
  })

  it("refuses a field section over the size limit (names, values, 32 per line) with H3_EXCESSIVE_LOAD", () => {
    const fields = [":status", "200", "x-a", "b".repeat(50)]
    const block = encodeFieldSection(fields)
    const size = fieldSectionSize(fields)
    expect(size).toBe(7 + 3 + 32 + 3 + 50 + 32)
    expect(decodeFieldSection(block, size)).toEqual(fields)
    expect(decodeFieldSection(block, size - 1)).toMatchObject({ code: "H3_EXCESSIVE_LOAD", limit: "field-section-size" })
  })

  it("never throws on arbitrary bytes: fields or an error with a known code", () => {
    const codes = new Set(Object.keys(errorCodes))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, prefixed) => {
        const block = prefixed ? Uint8Array.from([0, 0, ...bytes]) : bytes
        const r = decodeFieldSection(block, 4096)
        if (!Array.isArray(r)) expect(codes.has(r.code)).toBe(true)
        const h = huffmanDecode(bytes, 0, bytes.length)
        expect(h === undefined || typeof h === "string").toBe(true)
      }),
      { numRuns: 3000 }
    )
  })
})

describe("QPACK encoder and decoder streams with capacity 0 (RFC 9204 §4.3, §4.4)", () => {
  const push = (kind: "encoder" | "decoder", ...pieces: ReadonlyArray<string>) => {
    const r = new QpackStreamReader(kind)
    for (const p of pieces) {
      const e = r.push(hex(p))
      if (e !== undefined) return e.code
    }
    return "ok"
  }

  it("encoder stream: accepts Set Dynamic Table Capacity 0; refuses a capacity above 0 and insertions", () => {
    expect(push("encoder", "20", "20")).toBe("ok")
    expect(push("encoder", "3fbd01")).toBe("QPACK_ENCODER_STREAM_ERROR") // B.2: capacity 220
    expect(push("encoder", "3f", "bd", "01")).toBe("QPACK_ENCODER_STREAM_ERROR") // split
    expect(push("encoder", "3f", "bd")).toBe("ok") // not complete yet
    expect(push("encoder", "c00f7777772e6578616d706c652e636f6d")).toBe("QPACK_ENCODER_STREAM_ERROR") // B.2 insert
    expect(push("encoder", "4a637573746f6d2d6b65790c637573746f6d2d76616c7565")).toBe("QPACK_ENCODER_STREAM_ERROR") // B.3
    expect(push("encoder", "02")).toBe("QPACK_ENCODER_STREAM_ERROR") // B.4 duplicate
  })

  it("decoder stream: accepts Stream Cancellation; refuses Section Acknowledgment and Insert Count Increment", () => {
    expect(push("decoder", "48", "7f", "01")).toBe("ok") // cancel stream 8, then stream 64 split
    expect(push("decoder", "84")).toBe("QPACK_DECODER_STREAM_ERROR") // B.2: acknowledge stream 4
    expect(push("decoder", "01")).toBe("QPACK_DECODER_STREAM_ERROR") // B.3: increment 1
    expect(push("decoder", "00")).toBe("QPACK_DECODER_STREAM_ERROR") // increment 0 is an error too
  })

  it("either stream ending is H3_CLOSED_CRITICAL_STREAM", () => {
    expect(new QpackStreamReader("encoder").end().code).toBe("H3_CLOSED_CRITICAL_STREAM")
    expect(new QpackStreamReader("decoder").end().code).toBe("H3_CLOSED_CRITICAL_STREAM")
  })

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.constantFrom("encoder" as const, "decoder" as const), fc.uint8Array({ maxLength: 60 }), (kind, bytes) => {
        const e = new QpackStreamReader(kind).push(bytes)
        expect(e === undefined || e._tag === "Http3Error").toBe(true)
      })
    )
  })
})
