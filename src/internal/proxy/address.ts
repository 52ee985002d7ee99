/**
 * IP addresses as bytes, for `NO_PROXY` CIDR blocks and SOCKS5 address
 * fields (RFC 1928 §5: 4 or 16 bytes). Only the strict text forms: a
 * dotted quad, or RFC 4291 text (with `::` and an embedded dotted quad).
 * Pure, no `node:net`.
 *
 * @internal
 */
import { isIpv4Strict, isIpv6 } from "../url/ip.js"

/** The four bytes of a strict dotted quad, or `undefined`. @internal */
export const ipv4Bytes = (text: string): Uint8Array | undefined => {
  if (!isIpv4Strict(text)) return undefined
  return Uint8Array.from(text.split(".").map(Number))
}

const groupsOf = (text: string): Array<number> | undefined => {
  if (text.length === 0) return []
  const out: Array<number> = []
  const parts = text.split(":")
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (part.indexOf(".") !== -1) {
      const v4 = ipv4Bytes(part)
      if (v4 === undefined || i !== parts.length - 1) return undefined
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
    } else out.push(parseInt(part, 16))
  }
  return out
}

/** The sixteen bytes of an IPv6 literal (no brackets, no zone), or `undefined`. @internal */
export const ipv6Bytes = (text: string): Uint8Array | undefined => {
  if (!isIpv6(text)) return undefined
  const double = text.indexOf("::")
  let groups: Array<number> | undefined
  if (double === -1) groups = groupsOf(text)
  else {
    const head = groupsOf(text.slice(0, double))
    const tail = groupsOf(text.slice(double + 2))
    if (head === undefined || tail === undefined) return undefined
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  }
  if (groups === undefined || groups.length !== 8) return undefined
  const bytes = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = groups[i]! >> 8
    bytes[2 * i + 1] = groups[i]! & 0xff
  }
  return bytes
}

/** An IP literal's bytes (4 or 16; brackets around IPv6 allowed), or `undefined` for a name. @internal */
export const ipBytes = (host: string): Uint8Array | undefined => {
  const bare = host.length >= 2 && host[0] === "[" && host[host.length - 1] === "]" ? host.slice(1, -1) : host
  return ipv4Bytes(bare) ?? ipv6Bytes(bare)
}

/** Whether the first `bits` bits of `a` and `b` agree (same length only). @internal */
export const samePrefix = (a: Uint8Array, b: Uint8Array, bits: number): boolean => {
  if (a.length !== b.length) return false
  let i = 0
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false
  if (bits === 0) return true
  const mask = (0xff << (8 - bits)) & 0xff
  return (a[i]! & mask) === (b[i]! & mask)
}
