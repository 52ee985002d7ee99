/**
 * QPACK field sections (RFC 9204 §4.5) without a dynamic table: this
 * client advertises SETTINGS_QPACK_MAX_TABLE_CAPACITY 0 (the default), so
 * the peer's encoder may use only the static table and literals, and ours
 * does the same.
 *
 * - The encoder writes each field line as an indexed static line when the
 *   table has it, a literal with a static name reference when it has the
 *   name, or a literal with a literal name; a string is Huffman-coded when
 *   that is shorter. `authorization` and `proxy-authorization` lines are
 *   marked never-indexed (N bit, §7.1.3) for intermediaries.
 * - The decoder refuses any reference to the dynamic table, a Required
 *   Insert Count other than 0, a negative Base, a static index past the
 *   table, a truncated representation or string, a bad Huffman string
 *   (QPACK_DECOMPRESSION_FAILED, §2.2.3, §4.5.1), and a section over
 *   `maxFieldSectionSize` (RFC 9114 §4.2.2: each line counts its name and
 *   value lengths plus 32).
 *
 * Field lines are flat arrays `[name0, value0, name1, value1, …]` of
 * latin1 strings (the HTTP/1 parser's `rawHeaders` form).
 *
 * @internal
 */
import { latin1 } from "../http1/bytes.js"
import { h3Error } from "./error.js"
import type { Http3Error } from "./error.js"
import { huffmanDecode, huffmanEncode, huffmanLength } from "./huffman.js"
import { STATIC_INDEX, STATIC_TABLE } from "./qpackStatic.js"

/**
 * The per-line overhead of RFC 9114 §4.2.2 (as HPACK's entry size).
 *
 * @internal
 */
export const FIELD_LINE_OVERHEAD = 32

/**
 * The size of field lines by RFC 9114 §4.2.2.
 *
 * @internal
 */
export const fieldSectionSize = (fields: ReadonlyArray<string>): number => {
  let size = 0
  for (let i = 0; i < fields.length; i += 2) size += fields[i].length + fields[i + 1].length + FIELD_LINE_OVERHEAD
  return size
}

// ---------------------------------------------------------------------------
// Encoding

/** A growable output buffer. */
class Out {
  buf = new Uint8Array(256)
  n = 0
  room(k: number): void {
    if (this.n + k <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.n + k) size *= 2
    const b = new Uint8Array(size)
    b.set(this.buf.subarray(0, this.n))
    this.buf = b
  }
  /** A prefixed integer (RFC 9204 §4.1.1) whose first byte carries `flags` above its `prefix` bits. */
  int(flags: number, prefix: number, value: number): void {
    this.room(10)
    const max = (1 << prefix) - 1
    if (value < max) {
      this.buf[this.n++] = flags | value
      return
    }
    this.buf[this.n++] = flags | max
    let v = value - max
    while (v >= 128) {
      this.buf[this.n++] = (v % 128) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.n++] = v
  }
  /** A string literal whose length has a `prefix`-bit prefix; the H bit is the bit above it. */
  string(flags: number, prefix: number, s: string): void {
    const h = huffmanLength(s)
    if (h < s.length) {
      this.int(flags | (1 << prefix), prefix, h)
      this.room(h)
      this.n = huffmanEncode(s, this.buf, this.n)
    } else {
      this.int(flags, prefix, s.length)
      this.room(s.length)
      for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i) & 0xff
    }
  }
}

const neverIndexed = (name: string): boolean => name === "authorization" || name === "proxy-authorization"

/**
 * Encodes field lines (names already lower case, pseudo-headers first) as
 * a field section that uses no dynamic table.
 *
 * @internal
 */
export const encodeFieldSection = (fields: ReadonlyArray<string>): Uint8Array => {
  const out = new Out()
  // Required Insert Count 0, Base 0 (S = 0, Delta Base 0).
  out.buf[out.n++] = 0
  out.buf[out.n++] = 0
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]
    const value = fields[i + 1]
    const entry = STATIC_INDEX.get(name)
    const n = neverIndexed(name) ? 0x20 : 0
    if (entry !== undefined) {
      const exact = entry.values.get(value)
      if (exact !== undefined && n === 0) {
        // Indexed Field Line, static: 1 T=1 index(6+).
        out.int(0xc0, 6, exact)
        continue
      }
      // Literal Field Line with Name Reference, static: 0 1 N T=1 index(4+), then H value(7+).
      out.int(0x50 | n, 4, entry.name)
      out.string(0, 7, value)
      continue
    }
    // Literal Field Line with Literal Name: 0 0 1 N H name(3+), then H value(7+).
    out.string(0x20 | (n >> 1), 3, name)
    out.string(0, 7, value)
  }
  return out.buf.subarray(0, out.n)
}

// ---------------------------------------------------------------------------
// Decoding

const failed = (detail: string): Http3Error => h3Error("QPACK_DECOMPRESSION_FAILED", detail)

/**
 * Decodes a field section (a HEADERS frame's payload) into field lines.
 *
 * @internal
 */
export const decodeFieldSection = (block: Uint8Array, maxFieldSectionSize: number): Array<string> | Http3Error => {
  const end = block.length
  let pos = 0
  // The decoded integer of `int`; -1 when the input ends inside it or it is too large.
  const int = (prefix: number): number => {
    if (pos >= end) return -1
    const max = (1 << prefix) - 1
    let value = block[pos++] & max
    if (value < max) return value
    let scale = 1
    while (true) {
      if (pos >= end) return -1
      const b = block[pos++]
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) break
      scale *= 128
      // Nothing in a bounded field section needs more than 2^32.
      if (scale > 2 ** 32) return -1
    }
    return value > 2 ** 32 ? -1 : value
  }
  // The string literal at `pos` whose length has a `prefix`-bit prefix (the H bit just above).
  const string = (prefix: number): string | Http3Error => {
    if (pos >= end) return failed("the field section ends before a string literal")
    const huffman = (block[pos] & (1 << prefix)) !== 0
    const length = int(prefix)
    if (length < 0 || length > end - pos) return failed("a string literal runs past the end of the field section")
    const start = pos
    pos += length
    if (!huffman) return latin1(block, start, pos)
    const s = huffmanDecode(block, start, pos)
    return s === undefined ? failed("an invalid Huffman-coded string literal") : s
  }

  const ric = int(8)
  if (ric < 0) return failed("the field section prefix is truncated")
  if (ric !== 0) return failed(`Required Insert Count ${ric}, but the dynamic table capacity is 0`)
  if (pos >= end) return failed("the field section prefix is truncated")
  const negativeBase = (block[pos] & 0x80) !== 0
  const deltaBase = int(7)
  if (deltaBase < 0) return failed("the field section prefix is truncated")
  if (negativeBase) return failed(`a negative Base (Required Insert Count 0, Delta Base ${deltaBase})`)

  const fields: Array<string> = []
  let size = 0
  while (pos < end) {
    const b = block[pos]
    let name: string
    let value: string
    if ((b & 0x80) !== 0) {
      // Indexed Field Line: 1 T index(6+).
      if ((b & 0x40) === 0) return failed("an indexed field line refers to the dynamic table")
      const index = int(6)
      if (index < 0 || index >= STATIC_TABLE.length) return failed(`static table index ${index} does not exist`)
      ;[name, value] = STATIC_TABLE[index]
    } else if ((b & 0x40) !== 0) {
      // Literal Field Line with Name Reference: 0 1 N T index(4+), value.
      if ((b & 0x10) === 0) return failed("a literal field line refers to a name in the dynamic table")
      const index = int(4)
      if (index < 0 || index >= STATIC_TABLE.length) return failed(`static table index ${index} does not exist`)
      name = STATIC_TABLE[index][0]
      const v = string(7)
      if (typeof v !== "string") return v
      value = v
    } else if ((b & 0x20) !== 0) {
      // Literal Field Line with Literal Name: 0 0 1 N H namelen(3+) name, value.
      const n = string(3)
      if (typeof n !== "string") return n
      const v = string(7)
      if (typeof v !== "string") return v
      name = n
      value = v
    } else {
      // 0001: indexed with post-Base index; 0000: literal with post-Base name reference.
      return failed("a field line refers to the dynamic table (post-Base index)")
    }
    size += name.length + value.length + FIELD_LINE_OVERHEAD
    if (size > maxFieldSectionSize) {
      return h3Error(
        "H3_EXCESSIVE_LOAD",
        `the field section exceeds ${maxFieldSectionSize} bytes (names, values and 32 per line)`,
        "field-section-size"
      )
    }
    fields.push(name, value)
  }
  return fields
}
