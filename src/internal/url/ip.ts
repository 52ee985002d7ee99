/**
 * IP literal recognition (no `node:net`: L0 stays runtime-neutral).
 *
 * @internal
 */

/** Strict dotted-quad: four decimal parts 0-255, no leading zeros. @internal */
export const isIpv4Strict = (input: string): boolean => {
  const parts = input.split(".")
  if (parts.length !== 4) return false
  for (const part of parts) {
    if (part.length === 0 || part.length > 3) return false
    if (part.length > 1 && part.charCodeAt(0) === 48) return false
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i)
      if (c < 48 || c > 57) return false
    }
    if (Number(part) > 255) return false
  }
  return true
}

const parseNumberPart = (part: string): number | undefined => {
  if (part.length === 0) return undefined
  let radix = 10
  let digits = part
  if (part.length >= 2 && part[0] === "0" && (part[1] === "x" || part[1] === "X")) {
    radix = 16
    digits = part.slice(2)
    if (digits.length === 0) return 0
  } else if (part.length >= 2 && part[0] === "0") {
    radix = 8
    digits = part.slice(1)
  }
  let value = 0
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i)
    let d: number
    if (c >= 48 && c <= 57) d = c - 48
    else if (c >= 97 && c <= 102) d = c - 87
    else if (c >= 65 && c <= 70) d = c - 55
    else return undefined
    if (d >= radix) return undefined
    value = value * radix + d
    if (value > 0xffffffff) return undefined
  }
  return value
}

/**
 * Every IPv4 spelling the POSIX resolver (`inet_aton`) and the WHATWG host
 * parser turn into an address: one to four parts, each decimal, octal
 * (leading `0`) or hexadecimal (`0x`), the last part filling the remaining
 * bytes (`127.1`, `0x7f.0.0.1`, `2130706433`); one trailing dot is allowed.
 *
 * @internal
 */
export const isIpv4Numeric = (input: string): boolean => {
  const text = input.endsWith(".") ? input.slice(0, -1) : input
  if (text.length === 0) return false
  const parts = text.split(".")
  if (parts.length > 4) return false
  for (let i = 0; i < parts.length; i++) {
    const value = parseNumberPart(parts[i]!)
    if (value === undefined) return false
    const last = i === parts.length - 1
    if (!last && value > 255) return false
    if (last && value >= 2 ** (8 * (5 - parts.length))) return false
  }
  return true
}

const isHexGroup = (group: string): boolean => {
  if (group.length === 0 || group.length > 4) return false
  for (let i = 0; i < group.length; i++) {
    const c = group.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false
  }
  return true
}

/** RFC 4291 §2.2 text forms, including `::` and an embedded dotted quad. No zone id. @internal */
export const isIpv6 = (input: string): boolean => {
  if (input.length < 2 || input.length > 45) return false
  const double = input.indexOf("::")
  if (double !== -1 && input.indexOf("::", double + 1) !== -1) return false
  const countGroups = (text: string, allowV4Tail: boolean): number => {
    if (text.length === 0) return 0
    const groups = text.split(":")
    let count = 0
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!
      if (allowV4Tail && i === groups.length - 1 && g.indexOf(".") !== -1) {
        if (!isIpv4Strict(g)) return -1
        count += 2
      } else if (isHexGroup(g)) count += 1
      else return -1
    }
    return count
  }
  if (double === -1) return countGroups(input, true) === 8
  const head = countGroups(input.slice(0, double), false)
  const tail = countGroups(input.slice(double + 2), true)
  return head >= 0 && tail >= 0 && head + tail <= 7
}

/** @internal */
export const isIpLiteral = (host: string): boolean => {
  const bare = host.length >= 2 && host[0] === "[" && host[host.length - 1] === "]" ? host.slice(1, -1) : host
  return isIpv6(bare) || isIpv4Numeric(bare)
}
