/**
 * QUIC variable-length integers (RFC 9000 §16): the two high bits of the
 * first byte give the length (1, 2, 4 or 8 bytes), the rest is the value,
 * big-endian. HTTP/3 frames, settings and stream types are written with them.
 *
 * Values are JavaScript numbers: exact up to 2^53 - 1. An 8-byte varint
 * above that decodes to a nearby number ≥ 2^53, which can never equal a
 * known type, identifier or limit, so the callers' decisions stay exact.
 *
 * @internal
 */

/**
 * The largest value this module encodes (the format's own limit is 2^62 - 1).
 *
 * @internal
 */
export const MAX_VARINT = Number.MAX_SAFE_INTEGER

/**
 * The number of bytes of the varint that starts with `firstByte`.
 *
 * @internal
 */
export const varintSizeOf = (firstByte: number): 1 | 2 | 4 | 8 => (1 << (firstByte >> 6)) as 1 | 2 | 4 | 8

/**
 * The number of bytes `value` takes encoded.
 *
 * @internal
 */
export const varintLength = (value: number): 1 | 2 | 4 | 8 =>
  value < 0x40 ? 1 : value < 0x4000 ? 2 : value < 0x40000000 ? 4 : 8

/**
 * Reads the varint at `offset`; `-1` when `buf` ends before it does (read
 * its length with {@link varintSizeOf}).
 *
 * @internal
 */
export const readVarint = (buf: Uint8Array, offset: number): number => {
  if (offset >= buf.length) return -1
  const b = buf[offset]
  const size = varintSizeOf(b)
  if (offset + size > buf.length) return -1
  switch (size) {
    case 1:
      return b & 0x3f
    case 2:
      return ((b & 0x3f) << 8) | buf[offset + 1]
    case 4:
      return (((b & 0x3f) << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0
    default: {
      const hi = (((b & 0x3f) << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0
      const lo = ((buf[offset + 4] << 24) | (buf[offset + 5] << 16) | (buf[offset + 6] << 8) | buf[offset + 7]) >>> 0
      return hi * 0x100000000 + lo
    }
  }
}

/**
 * Writes `value` (an integer in [0, {@link MAX_VARINT}]) at `offset` in its
 * shortest form; returns the offset after it. The caller sized `buf`
 * with {@link varintLength}.
 *
 * @internal
 */
export const writeVarint = (buf: Uint8Array, offset: number, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a QUIC varint value: ${value}`)
  if (value < 0x40) {
    buf[offset] = value
    return offset + 1
  }
  if (value < 0x4000) {
    buf[offset] = 0x40 | (value >> 8)
    buf[offset + 1] = value & 0xff
    return offset + 2
  }
  if (value < 0x40000000) {
    buf[offset] = 0x80 | (value >>> 24)
    buf[offset + 1] = (value >>> 16) & 0xff
    buf[offset + 2] = (value >>> 8) & 0xff
    buf[offset + 3] = value & 0xff
    return offset + 4
  }
  const hi = Math.floor(value / 0x100000000)
  const lo = value >>> 0
  buf[offset] = 0xc0 | (hi >>> 24)
  buf[offset + 1] = (hi >>> 16) & 0xff
  buf[offset + 2] = (hi >>> 8) & 0xff
  buf[offset + 3] = hi & 0xff
  buf[offset + 4] = lo >>> 24
  buf[offset + 5] = (lo >>> 16) & 0xff
  buf[offset + 6] = (lo >>> 8) & 0xff
  buf[offset + 7] = lo & 0xff
  return offset + 8
}

/**
 * `value` encoded alone.
 *
 * @internal
 */
export const encodeVarint = (value: number): Uint8Array => {
  const out = new Uint8Array(varintLength(value))
  writeVarint(out, 0, value)
  return out
}
