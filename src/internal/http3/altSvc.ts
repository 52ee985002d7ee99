/**
 * The `Alt-Svc` response field (RFC 7838 §3): how an origin announces that
 * it is also reachable over another protocol, host or port — for HTTP/3,
 * `h3=":443"; ma=86400`. Pure: text in, alternatives out.
 *
 * ```
 * Alt-Svc       = clear / 1#alt-value
 * clear         = %s"clear"
 * alt-value     = alternative *( OWS ";" OWS parameter )
 * alternative   = protocol-id "=" alt-authority
 * protocol-id   = token                 ; percent-encoded ALPN id
 * alt-authority = quoted-string         ; [uri-host] ":" port
 * parameter     = token "=" ( token / quoted-string )
 * ```
 *
 * Malformed input never throws: an alt-value that does not parse is
 * skipped (up to the next comma outside quotes), and a field with no valid
 * alt-value at all is ignored as a whole ({@link parseAltSvc} returns
 * undefined), so a garbled header never clears what a client knows.
 *
 * @internal
 */
import { isOws, readQuotedString, readToken, skipOws } from "../headers/syntax.js"

/** One alternative service of an `Alt-Svc` field. @internal */
export interface AltService {
  /** The ALPN protocol id, percent-decoded (`"h3"`). */
  readonly protocol: string
  /** The alternative's host (an IPv6 literal without brackets); `undefined`: the origin's own host. */
  readonly host: string | undefined
  readonly port: number
  /** Freshness in seconds (`ma`): default 86400 (24 h); capped at 2^31 - 1 (RFC 9111 §1.2.2). */
  readonly maxAge: number
  /** `persist=1`: the entry outlives a network change (this client never clears on one, so it only records it). */
  readonly persist: boolean
}

/** What an `Alt-Svc` field says: forget every alternative, or these ones replace them (RFC 7838 §3). @internal */
export type AltSvc =
  | { readonly _tag: "Clear" }
  | { readonly _tag: "Alternatives"; readonly alternatives: ReadonlyArray<AltService> }

/** `ma` when absent: 24 hours (RFC 7838 §3.1). @internal */
export const defaultMaxAge = 86_400

const maxDelta = 2_147_483_647

/** An alt-value parsed, or why not (the index to resume at: its end or the next comma). */
type Step = { readonly ok: AltService | undefined; readonly next: number }

/** The index of the next top-level comma (outside quoted-strings) at or after `i`; `s.length` when none. */
const nextComma = (s: string, i: number): number => {
  let quoted = false
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (quoted) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22) quoted = false
    } else if (c === 0x22) quoted = true
    else if (c === 0x2c) return i
  }
  return s.length
}

/** `%XX` decoded (RFC 7838 §3: the protocol-id is percent-encoded); undefined when an escape is broken. */
const percentDecode = (token: string): string | undefined => {
  if (!token.includes("%")) return token
  let out = ""
  for (let i = 0; i < token.length; i++) {
    if (token[i] !== "%") {
      out += token[i]
      continue
    }
    const hex = token.slice(i + 1, i + 3)
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined
    out += String.fromCharCode(parseInt(hex, 16))
    i += 2
  }
  return out
}

/** `[uri-host] ":" port` of an alt-authority; undefined when malformed. */
const parseAuthority = (a: string): { readonly host: string | undefined; readonly port: number } | undefined => {
  const colon = a.lastIndexOf(":")
  if (colon < 0) return undefined
  const portText = a.slice(colon + 1)
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined
  const port = Number(portText)
  if (port < 1 || port > 65535) return undefined
  let host = a.slice(0, colon)
  if (host.startsWith("[")) {
    if (!host.endsWith("]") || !/^\[[0-9A-Fa-f:.]+\]$/.test(host)) return undefined
    host = host.slice(1, -1)
  } else if (host.length > 0 && !/^[A-Za-z0-9\-._~!$&'()*+,;=%]+$/.test(host)) {
    // reg-name / IPv4address (RFC 3986 §3.2.2); no userinfo, no brackets half-open.
    return undefined
  }
  return { host: host.length === 0 ? undefined : host.toLowerCase(), port }
}

/** delta-seconds (RFC 9111 §1.2.2), capped; undefined when not digits. */
const deltaSeconds = (v: string): number | undefined => {
  if (!/^[0-9]+$/.test(v)) return undefined
  const n = Number(v)
  return n > maxDelta ? maxDelta : n
}

/** Reads one alt-value starting at `i` (past OWS). */
const readAltValue = (s: string, start: number): Step => {
  const fail: Step = { ok: undefined, next: nextComma(s, start) }
  let end = readToken(s, start)
  if (end === start || s.charCodeAt(end) !== 0x3d /* = */) return fail
  const protocol = percentDecode(s.slice(start, end))
  if (protocol === undefined || protocol.length === 0) return fail
  const quoted = readQuotedString(s, end + 1)
  if (quoted === undefined) return fail
  const authority = parseAuthority(quoted.value)
  if (authority === undefined) return fail
  let maxAge = defaultMaxAge
  let persist = false
  let seenMa = false
  let i = quoted.end
  while (true) {
    i = skipOws(s, i)
    if (i >= s.length || s.charCodeAt(i) === 0x2c /* , */) break
    if (s.charCodeAt(i) !== 0x3b /* ; */) return fail
    i = skipOws(s, i + 1)
    end = readToken(s, i)
    if (end === i || s.charCodeAt(end) !== 0x3d) return fail
    const name = s.slice(i, end).toLowerCase()
    let value: string
    if (s.charCodeAt(end + 1) === 0x22) {
      const q = readQuotedString(s, end + 1)
      if (q === undefined) return fail
      value = q.value
      i = q.end
    } else {
      const vEnd = readToken(s, end + 1)
      if (vEnd === end + 1) return fail
      value = s.slice(end + 1, vEnd)
      i = vEnd
    }
    if (name === "ma") {
      const n = deltaSeconds(value)
      if (n === undefined) return fail
      // The first `ma` counts (a repeated parameter is the sender's mistake).
      if (!seenMa) maxAge = n
      seenMa = true
    } else if (name === "persist") {
      // Only "1" is defined; any other value is ignored (RFC 7838 §3.1).
      if (value === "1") persist = true
    }
    // Unknown parameters are ignored (RFC 7838 §3).
  }
  return { ok: { protocol, host: authority.host, port: authority.port, maxAge, persist }, next: i }
}

/**
 * The alternatives of an `Alt-Svc` field value (several fields joined with
 * `,`), or `Clear` for `clear`; undefined when nothing in it is valid
 * (ignored: the caller keeps what it knew).
 *
 * @internal
 */
export const parseAltSvc = (value: string): AltSvc | undefined => {
  const s = value
  const first = skipOws(s, 0)
  let last = s.length
  while (last > first && isOws(s.charCodeAt(last - 1))) last--
  if (s.slice(first, last) === "clear") return { _tag: "Clear" }
  const alternatives: Array<AltService> = []
  let i = 0
  while (i < s.length) {
    i = skipOws(s, i)
    if (i >= s.length) break
    // Empty list elements (RFC 9110 §5.6.1) are skipped.
    if (s.charCodeAt(i) === 0x2c) {
      i++
      continue
    }
    const step = readAltValue(s, i)
    if (step.ok !== undefined) alternatives.push(step.ok)
    i = step.next
  }
  return alternatives.length === 0 ? undefined : { _tag: "Alternatives", alternatives }
}

/**
 * The `Alt-Svc` field of raw response headers (`[name, value, …]`), its
 * lines joined as one list; undefined when there is none.
 *
 * @internal
 */
export const altSvcField = (rawHeaders: ReadonlyArray<string>): string | undefined => {
  let out: string | undefined
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name.length === 7 && name.toLowerCase() === "alt-svc") {
      out = out === undefined ? rawHeaders[i + 1] : `${out}, ${rawHeaders[i + 1]}`
    }
  }
  return out
}
