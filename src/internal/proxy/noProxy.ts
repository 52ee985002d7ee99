/**
 * `NO_PROXY`: which hosts bypass the proxy. A comma list (spaces trimmed,
 * case-insensitive, empty entries skipped) of:
 * - `*`: every host;
 * - a domain, `example.com` or `.example.com` (or `*.example.com`): the
 *   domain itself and all its subdomains; a trailing dot is ignored on both
 *   sides;
 * - an IP literal, IPv4 or IPv6 (`::1`, `[::1]`): that address;
 * - a CIDR block (`10.0.0.0/8`, `fd00::/8`): every IP literal host in it
 *   (host names are not resolved);
 * - any of those with `:port` (IPv6 in brackets: `[::1]:8080`): only that
 *   port.
 * Parsed once into a matcher. Pure.
 *
 * @internal
 */
import { ipBytes, samePrefix } from "./address.js"

type Entry =
  | { readonly _tag: "Domain"; readonly suffix: string; readonly port: number | undefined }
  | { readonly _tag: "Ip"; readonly bytes: Uint8Array; readonly bits: number; readonly port: number | undefined }

/** A parsed `NO_PROXY` list. @internal */
export interface NoProxy {
  /** `*` was in the list. */
  readonly all: boolean
  readonly entries: ReadonlyArray<Entry>
}

/** The empty list: nothing bypasses the proxy. @internal */
export const emptyNoProxy: NoProxy = { all: false, entries: [] }

const stripDot = (host: string): string => (host.endsWith(".") ? host.slice(0, -1) : host)

const portOf = (text: string): number | undefined | false => {
  if (!/^\d{1,5}$/.test(text)) return false
  const n = Number(text)
  return n <= 65535 ? n : false
}

/** Splits `host[:port]`, `[v6][:port]` or a bare IPv6 literal. */
const splitHostPort = (entry: string): { host: string; port: number | undefined } | undefined => {
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]")
    if (close === -1) return undefined
    const rest = entry.slice(close + 1)
    if (rest === "") return { host: entry.slice(1, close), port: undefined }
    if (!rest.startsWith(":")) return undefined
    const port = portOf(rest.slice(1))
    return port === false ? undefined : { host: entry.slice(1, close), port }
  }
  const colon = entry.indexOf(":")
  if (colon === -1) return { host: entry, port: undefined }
  if (entry.indexOf(":", colon + 1) !== -1) return { host: entry, port: undefined } // bare IPv6
  const port = portOf(entry.slice(colon + 1))
  return port === false ? undefined : { host: entry.slice(0, colon), port }
}

const parseEntry = (raw: string): Entry | "*" | undefined => {
  const entry = raw.trim().toLowerCase()
  if (entry === "") return undefined
  if (entry === "*") return "*"
  const slash = entry.indexOf("/")
  if (slash !== -1) {
    const bytes = ipBytes(entry.slice(0, slash))
    const bitsText = entry.slice(slash + 1)
    if (bytes === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined
    const bits = Number(bitsText)
    return bits > bytes.length * 8 ? undefined : { _tag: "Ip", bytes, bits, port: undefined }
  }
  const hp = splitHostPort(entry)
  if (hp === undefined || hp.host === "") return undefined
  const bytes = ipBytes(hp.host)
  if (bytes !== undefined) return { _tag: "Ip", bytes, bits: bytes.length * 8, port: hp.port }
  let host = stripDot(hp.host)
  if (host.startsWith("*.")) host = host.slice(2)
  else if (host.startsWith(".")) host = host.slice(1)
  return host === "" ? undefined : { _tag: "Domain", suffix: host, port: hp.port }
}

/** Parses a `NO_PROXY` value (a comma list) or a list of entries; unreadable entries are skipped. @internal */
export const parseNoProxy = (input: string | ReadonlyArray<string> | undefined): NoProxy => {
  if (input === undefined) return emptyNoProxy
  const raw = typeof input === "string" ? input.split(",") : input.flatMap((e) => e.split(","))
  let all = false
  const entries: Array<Entry> = []
  for (const r of raw) {
    const e = parseEntry(r)
    if (e === "*") all = true
    else if (e !== undefined) entries.push(e)
  }
  return all || entries.length > 0 ? { all, entries } : emptyNoProxy
}

/**
 * Whether a request to `host`:`port` bypasses the proxy. `host` as in a
 * URL (IPv6 with or without brackets); `port` the effective port.
 *
 * @internal
 */
export const bypasses = (noProxy: NoProxy, host: string, port: number): boolean => {
  if (noProxy.all) return true
  if (noProxy.entries.length === 0) return false
  const name = stripDot(host.toLowerCase())
  let bytes: Uint8Array | undefined | null = null
  for (const e of noProxy.entries) {
    if (e.port !== undefined && e.port !== port) continue
    if (e._tag === "Domain") {
      if (name === e.suffix || (name.endsWith(e.suffix) && name.charCodeAt(name.length - e.suffix.length - 1) === 46)) {
        return true
      }
    } else {
      if (bytes === null) bytes = ipBytes(name)
      if (bytes !== undefined && samePrefix(bytes, e.bytes, e.bits)) return true
    }
  }
  return false
}
