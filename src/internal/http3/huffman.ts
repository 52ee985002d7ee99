/**
 * The HPACK Huffman code (RFC 7541 Appendix B), used by QPACK string
 * literals (RFC 9204 §4.1.2).
 *
 * The RFC's table is a canonical Huffman code: codes are assigned in order
 * of length, then of symbol. So the table is written here as its 257 code
 * lengths (symbols 0–255, then EOS = 256) and the codes are derived from
 * them at load. The tests check the derived codes against entries of the
 * RFC's table and its Appendix C.4 examples. (The lengths were read from
 * the table of the system's libnghttp2, checked to form a complete
 * canonical code — Kraft sum exactly 1 — and spot-checked against the RFC.)
 *
 * @internal
 */
import { latin1 } from "../http1/bytes.js"

// Code length in bits of each symbol 0..255, then EOS (256).
const LENGTHS: ReadonlyArray<number> = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30
]

const EOS = 256
const MAX_LENGTH = 30

/**
 * The code of each symbol, right-aligned (`CODES[s]` has `CODE_LENGTHS[s]` bits).
 *
 * @internal
 */
export const CODES: Uint32Array = new Uint32Array(257)

/**
 * The code length of each symbol.
 *
 * @internal
 */
export const CODE_LENGTHS: Uint8Array = Uint8Array.from(LENGTHS)

// Canonical decoding tables, per code length L (1..30): the first code of
// length L, how many codes have it, and where its symbols start in SORTED.
const FIRST = new Float64Array(MAX_LENGTH + 1)
const COUNT = new Uint16Array(MAX_LENGTH + 1)
const START = new Uint16Array(MAX_LENGTH + 1)
const SORTED = new Uint16Array(257)

{
  for (const l of LENGTHS) COUNT[l]++
  let code = 0
  let start = 0
  for (let l = 1; l <= MAX_LENGTH; l++) {
    FIRST[l] = code
    START[l] = start
    start += COUNT[l]
    code = (code + COUNT[l]) * 2
  }
  const next = Float64Array.from(FIRST)
  const fill = Uint16Array.from(START)
  for (let s = 0; s <= EOS; s++) {
    const l = LENGTHS[s]
    CODES[s] = next[l]++
    SORTED[fill[l]++] = s
  }
}

/**
 * The Huffman-encoded length in bytes of the latin1 string `s` (padding
 * included).
 *
 * @internal
 */
export const huffmanLength = (s: string): number => {
  let bits = 0
  for (let i = 0; i < s.length; i++) bits += CODE_LENGTHS[s.charCodeAt(i) & 0xff]
  return Math.ceil(bits / 8)
}

/**
 * Writes the Huffman encoding of the latin1 string `s` at `offset` (the
 * caller made room for {@link huffmanLength} bytes); returns the offset
 * after it. The last byte is padded with the most significant bits of EOS
 * (ones).
 *
 * @internal
 */
export const huffmanEncode = (s: string, out: Uint8Array, offset: number): number => {
  // Pending bits, right-aligned in `acc`: fewer than 8 between symbols, so
  // at most 37 with a new code (exact in a double).
  let acc = 0
  let bits = 0
  let o = offset
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff
    const len = CODE_LENGTHS[sym]
    acc = acc * 2 ** len + CODES[sym]
    bits += len
    while (bits >= 8) {
      bits -= 8
      const div = 2 ** bits
      out[o++] = Math.floor(acc / div)
      acc -= Math.floor(acc / div) * div
    }
  }
  if (bits > 0) out[o++] = ((acc << (8 - bits)) | (0xff >> bits)) & 0xff
  return o
}

/**
 * Decodes `buf[start, end)`; `undefined` when it is not a valid encoding
 * (RFC 7541 §5.2): an EOS symbol, padding longer than 7 bits, or padding
 * that is not the EOS prefix (all ones).
 *
 * @internal
 */
export const huffmanDecode = (buf: Uint8Array, start: number, end: number): string | undefined => {
  // Each code is at least 5 bits: the decoded text is at most 8/5 of the input.
  const out = new Uint8Array(Math.floor(((end - start) * 8) / 5))
  let n = 0
  let code = 0
  let len = 0
  for (let i = start; i < end; i++) {
    const byte = buf[i]
    for (let b = 7; b >= 0; b--) {
      code = code * 2 + ((byte >> b) & 1)
      len++
      // Canonical code: a prefix of a longer code is past the codes of its length.
      const index = code - FIRST[len]
      if (index < COUNT[len]) {
        const sym = SORTED[START[len] + index]
        if (sym === EOS) return undefined
        out[n++] = sym
        code = 0
        len = 0
      }
    }
  }
  // Padding: at most 7 bits, all ones (a prefix of EOS).
  if (len > 7 || code !== 2 ** len - 1) return undefined
  return latin1(out, 0, n)
}
