/**
 * The HTTP/1 core's byte tables and decoding (internal/http1/bytes.ts), its
 * error's message (error.ts) and its default limits (types.ts): each table
 * against its RFC definition written out here, latin1 decoding at every
 * length (also without a `Buffer` global), the decoded-string cache (never
 * changing a result), and the default limits' values (Http1.feed.test.ts
 * checks them in a parser built without options).
 */
import { describe, expect, it } from "@effect/vitest"
import * as bytes from "../src/internal/http1/bytes.js"
import { Http1ParseError } from "../src/internal/http1/error.js"
import { defaultHeadLimits, defaults } from "../src/internal/http1/types.js"
import { enc } from "./support/http1.js"

const all = Array.from({ length: 256 }, (_, c) => c)
const ch = (c: number) => String.fromCharCode(c)

describe("byte tables", () => {
  it("TCHAR is RFC 9110's tchar: ALPHA, DIGIT and !#$%&'*+-.^_`|~", () => {
    const tchar = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]$/
    expect(all.filter((c) => bytes.TCHAR[c] === 1)).toEqual(all.filter((c) => tchar.test(ch(c))))
    expect(all.every((c) => bytes.TCHAR[c] === 0 || bytes.TCHAR[c] === 1)).toBe(true)
  })

  it("FIELD_VALUE is HTAB, SP, VCHAR and obs-text: no other control, no DEL", () => {
    expect(all.filter((c) => bytes.FIELD_VALUE[c] === 1)).toEqual(all.filter((c) => c === 9 || (c >= 0x20 && c !== 0x7f)))
    expect(all.every((c) => bytes.FIELD_VALUE[c] <= 1)).toBe(true)
  })

  it("TARGET is visible ASCII: no SP, control, DEL or obs-text", () => {
    expect(all.filter((c) => bytes.TARGET[c] === 1)).toEqual(all.filter((c) => c >= 0x21 && c <= 0x7e))
    expect(all.every((c) => bytes.TARGET[c] <= 1)).toBe(true)
  })

  it("HEX gives each hex digit's value (either case) and 255 for every other byte", () => {
    expect(all.map((c) => bytes.HEX[c])).toEqual(all.map((c) => /^[0-9a-fA-F]$/.test(ch(c)) ? parseInt(ch(c), 16) : 255))
  })

  it("the named bytes", () => {
    expect([bytes.CR, bytes.LF, bytes.SP, bytes.HTAB, bytes.COLON, bytes.SEMI]).toEqual([13, 10, 32, 9, 58, 59])
  })
})

describe("isToken", () => {
  it("a non-empty string of tchars; a character above U+00FF is never one, whatever its low byte", () => {
    expect(bytes.isToken("X-Request-Id")).toBe(true)
    expect(bytes.isToken("!#$%&'*+-.^_`|~09azAZ")).toBe(true)
    for (const bad of ["", "a b", "a:b", "a\u0000", "\u00e9", "a\u0141", "\u0161", "\u{1f600}"]) {
      expect(bytes.isToken(bad), JSON.stringify(bad)).toBe(false)
    }
  })
})

/** Every byte value, several times, from an offset into a larger buffer: `[start, start + n)`. */
const sample = (n: number) => {
  const buf = new Uint8Array(n + 7)
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 0xff
  const view = buf.subarray(3)
  return { view, start: 2, end: 2 + n, text: Array.from(view.subarray(2, 2 + n), ch).join("") }
}

describe("latin1", () => {
  it("one byte, one UTF-16 unit (not windows-1252), at every length, from any offset", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 63, 64, 65, 1023, 1024, 1025, 3000]) {
      const { end, start, text, view } = sample(n)
      expect(bytes.latin1(view, start, end), `length ${n}`).toBe(text)
    }
    expect(bytes.latin1(Uint8Array.of(0x80, 0x9f, 0xa0, 0xff), 0, 4)).toBe("\u0080\u009f\u00a0\u00ff")
  })

  it("without Node's Buffer (other hosts): long ranges decode the same, 1024 bytes at a time", () => {
    for (const n of [0, 1, 11, 1023, 1024, 1025, 2049, 5000]) {
      const { end, start, text, view } = sample(n)
      expect(bytes.latin1Portable(view, start, end), `length ${n}`).toBe(text)
    }
  })
})

describe("StringCache", () => {
  it("returns the decoded text of every range, however the ranges share slots (a hit is checked byte by byte)", () => {
    const cache = new bytes.StringCache(bytes.COMMON_HEADER_NAMES)
    const words: Array<string> = []
    // Prefixes of each other, same-length neighbours, one byte apart: 512 slots see many collisions.
    for (let i = 0; i < 1000; i++) {
      const w = `x-${(i * 7919).toString(36)}`
      words.push(w, w.slice(0, -1), `${w}a`, w.toUpperCase())
    }
    words.push(...bytes.COMMON_HEADER_NAMES, "Content-Lengt", "content-length ", "a".repeat(64), "b".repeat(65), "Ä".repeat(70))
    for (let round = 0; round < 2; round++) {
      for (const w of words) {
        const b = enc(`::${w}::`)
        expect(cache.get(b, 2, 2 + w.length)).toBe(w)
      }
    }
    expect(cache.get(enc("abc"), 1, 1)).toBe("")
  })

  it("ranges of a two-letter alphabet at every offset of one buffer (crowded slots, look-alike neighbours) decode exactly", () => {
    const cache = new bytes.StringCache()
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16
    const buf = Uint8Array.from({ length: 96 }, () => (next() & 1) === 0 ? 0x61 : 0x62)
    const wrong: Array<string> = []
    for (let k = 0; k < 40000; k++) {
      const start = k % 2 === 0 ? next() % 88 : next() % 12
      const end = start + 1 + (k % 2 === 0 ? next() % 8 : next() % 40)
      const got = cache.get(buf, start, end)
      if (got !== String.fromCharCode(...buf.subarray(start, end))) wrong.push(`[${start}, ${end}): ${got}`)
    }
    expect(wrong).toEqual([])
  })

  it("an empty cache, and a cache seeded with names it cannot hold, still decode", () => {
    const cache = new bytes.StringCache(["", "a".repeat(300), "Host"])
    expect(cache.get(enc("Host"), 0, 4)).toBe("Host")
    expect(cache.get(enc("Hosu"), 0, 4)).toBe("Hosu")
    expect(new bytes.StringCache().get(enc("Date"), 0, 4)).toBe("Date")
  })
})

describe("concatBytes", () => {
  it("joins chunks; one chunk is returned as it is, none is an empty array", () => {
    const a = Uint8Array.of(1, 2)
    expect(bytes.concatBytes([a], 2)).toBe(a)
    expect(bytes.concatBytes([], 0)).toEqual(new Uint8Array(0))
    expect(bytes.concatBytes([a, Uint8Array.of(), Uint8Array.of(3), Uint8Array.of(4, 5, 6)], 6)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6))
  })
})

describe("Http1ParseError", () => {
  it("says the reason and the byte, then the detail when there is one", () => {
    expect(new Http1ParseError({ reason: "Stopped", offset: 3 }).message).toBe("HTTP/1 parse error Stopped at byte 3")
    expect(new Http1ParseError({ reason: "InvalidChunkSize", offset: 0, detail: "no hex digits" }).message).toBe(
      "HTTP/1 parse error InvalidChunkSize at byte 0: no hex digits"
    )
  })
})

describe("default limits", () => {
  it("are the documented ones", () => {
    expect(defaults).toEqual({
      maxStartLineLength: 8192,
      maxHeaderSize: 16384,
      maxHeaderCount: 256,
      maxChunkExtensionLength: 16384,
      maxTrailerSize: 16384,
      maxEmptyLines: 10
    })
    expect(defaultHeadLimits).toEqual({ maxStartLineLength: 8192, maxHeaderSize: 16384, maxHeaderCount: 256 })
  })
})
