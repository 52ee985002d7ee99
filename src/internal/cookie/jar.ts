/**
 * The cookie jar's pure core: RFC 6265 §5.3 storage and §5.4 retrieval, with
 * the RFC 6265bis rules that protect an HTTP client (a non-secure origin
 * cannot set or overwrite `Secure` cookies; `__Secure-` / `__Host-`
 * prefixes). Public-suffix protection comes from `tldts` (the Public Suffix
 * List, ICANN and private sections). No clock: every operation takes `now`
 * (epoch milliseconds).
 *
 * @internal
 */
import { getPublicSuffix } from "tldts"
import type { Cookie, SameSite } from "../../Cookie.js"
import { parseSetCookie } from "./cookie.js"
import { isIpLiteral } from "../url/ip.js"
import { domainToAscii } from "../url/normalize.js"

/** Where a cookie comes from or goes to: scheme, canonical (lower-case ASCII) host, path. @internal */
export interface Target {
  readonly scheme: string
  readonly host: string
  /** The URI path, as sent on the wire (percent-encoded), without the query. */
  readonly path: string
}

/** The fields of the public `CookieJar.StoredCookie` (declared here, at L0, where the jar lives). @internal */
export interface StoredCookieFields {
  readonly name: string
  readonly value: string
  /** The host (for a host-only cookie) or the domain it was set for, lower-case ASCII. */
  readonly domain: string
  readonly path: string
  /** Expiry, epoch milliseconds; `Infinity` for a session cookie. */
  readonly expires: number
  /** Whether it had `Max-Age` or `Expires` (false: a session cookie). */
  readonly persistent: boolean
  /** Sent to exactly `domain` only (no `Domain` attribute was given). */
  readonly hostOnly: boolean
  readonly secure: boolean
  readonly httpOnly: boolean
  /** Recorded, not enforced: an HTTP client has no notion of a "site for cookies". */
  readonly sameSite: SameSite | undefined
  /** Creation time, epoch milliseconds (kept when a cookie is replaced). */
  readonly creation: number
  readonly lastAccess: number
}

/** A cookie as stored: the public `StoredCookie`, its `lastAccess` updated in place. @internal */
export interface StoredCookie extends Omit<StoredCookieFields, "lastAccess"> {
  lastAccess: number
  /** Insertion order among equal creation times (a pinned clock). */
  readonly seq: number
}

/** Limits (RFC 6265 §6.1 minimums, as browsers). @internal */
export interface JarLimits {
  readonly maxPerDomain: number
  readonly maxTotal: number
}

/** @internal */
export const defaultLimits: JarLimits = { maxPerDomain: 50, maxTotal: 3000 }

/** Why a Set-Cookie was not stored. @internal */
export type Rejection =
  | "parse"
  | "public-suffix"
  | "domain-mismatch"
  | "secure-from-insecure"
  | "http-only"
  | "prefix"
  | "expired"

const isSecureScheme = (scheme: string): boolean => scheme === "https" || scheme === "wss"

/** RFC 6265 §5.1.3 domain-match. @internal */
export const domainMatch = (host: string, domain: string): boolean => {
  if (host === domain) return true
  return host.length > domain.length && host.endsWith(domain) &&
    host.charCodeAt(host.length - domain.length - 1) === 0x2e && !isIpLiteral(host)
}

/** RFC 6265 §5.1.4 default-path of a request path. @internal */
export const defaultPath = (path: string): string => {
  if (path.length === 0 || path.charCodeAt(0) !== 0x2f) return "/"
  const last = path.lastIndexOf("/")
  return last === 0 ? "/" : path.slice(0, last)
}

/** RFC 6265 §5.1.4 path-match. @internal */
export const pathMatch = (requestPath: string, cookiePath: string): boolean => {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.charCodeAt(cookiePath.length - 1) === 0x2f || requestPath.charCodeAt(cookiePath.length) === 0x2f
}

/** Whether `domain` is a public suffix (and so may not carry cookies for its subdomains). @internal */
export const isPublicSuffix = (domain: string): boolean => {
  if (isIpLiteral(domain)) return false
  const suffix = getPublicSuffix(domain, { allowPrivateDomains: true })
  return suffix !== null && suffix === domain
}

/** Canonicalises a Domain attribute value (RFC 6265 §5.1.2): IDNA to ASCII, lower case. */
const canonicalDomain = (domain: string): string | undefined => {
  const d = domain.endsWith(".") ? undefined : domainToAscii(domain)
  return d === undefined || d.length === 0 ? undefined : d
}

const keyOf = (domain: string, path: string, name: string): string => `${domain};${path};${name}`

/**
 * A mutable cookie store. Owned by one holder at a time (the client
 * serialises nothing: operations are synchronous and short).
 *
 * @internal
 */
export class Jar {
  private readonly cookies = new Map<string, StoredCookie>()
  private seq = 0

  constructor(readonly limits: JarLimits = defaultLimits) {}

  /** The number of cookies held (expired ones included until the next sweep). */
  get size(): number {
    return this.cookies.size
  }

  /**
   * Stores one cookie received in a Set-Cookie header from `target`
   * (RFC 6265 §5.3). `http: false` marks a non-HTTP API (HttpOnly cookies are
   * then refused). Returns the stored cookie or why it was rejected.
   */
  set(
    input: string | Cookie,
    target: Target,
    now: number,
    options: { readonly http?: boolean } = {}
  ): StoredCookie | Rejection {
    const http = options.http ?? true
    const c = typeof input === "string" ? parseSetCookie(input) : input
    if (c === undefined) return "parse"
    const secureOrigin = isSecureScheme(target.scheme)
    // Step 3: Max-Age wins over Expires; neither means a session cookie.
    let expires = Infinity
    let persistent = false
    if (c.maxAge !== undefined) {
      persistent = true
      expires = c.maxAge <= 0 ? -Infinity : now + c.maxAge * 1000
    } else if (c.expires !== undefined) {
      persistent = true
      expires = c.expires.getTime()
    }
    // Steps 4-6: the domain, public suffixes, host-only.
    let domain = ""
    if (c.domain !== undefined) {
      const d = canonicalDomain(c.domain)
      if (d === undefined) return "domain-mismatch"
      domain = d
    }
    if (domain !== "" && isPublicSuffix(domain)) {
      if (domain === target.host) domain = ""
      else return "public-suffix"
    }
    let hostOnly: boolean
    if (domain !== "") {
      if (!domainMatch(target.host, domain)) return "domain-mismatch"
      hostOnly = false
    } else {
      hostOnly = true
      domain = target.host
    }
    // Step 7: the path.
    const path = c.path ?? defaultPath(target.path)
    // RFC 6265bis: only a secure origin sets Secure cookies.
    if (c.secure && !secureOrigin) return "secure-from-insecure"
    if (c.httpOnly && !http) return "http-only"
    // RFC 6265bis §4.1.3 prefixes (case-insensitive, as browsers).
    const lower = c.name.toLowerCase()
    if (lower.startsWith("__secure-") && !(c.secure && secureOrigin)) return "prefix"
    if (lower.startsWith("__host-") && !(c.secure && secureOrigin && hostOnly && path === "/")) return "prefix"
    // RFC 6265bis: a non-secure origin may not overwrite a Secure cookie that domain-matches it.
    if (!c.secure && !secureOrigin) {
      for (const old of this.cookies.values()) {
        if (
          old.secure && old.name === c.name &&
          (domainMatch(domain, old.domain) || domainMatch(old.domain, domain)) && pathMatch(path, old.path)
        ) return "secure-from-insecure"
      }
    }
    // Step 11: replace an existing cookie, keeping its creation time.
    const key = keyOf(domain, path, c.name)
    const old = this.cookies.get(key)
    if (old !== undefined) {
      if (old.httpOnly && !http) return "http-only"
      this.cookies.delete(key)
    }
    if (expires <= now) return "expired"
    const stored: StoredCookie = {
      name: c.name,
      value: c.value,
      domain,
      path,
      expires,
      persistent,
      hostOnly,
      secure: c.secure,
      httpOnly: c.httpOnly,
      sameSite: c.sameSite,
      creation: old?.creation ?? now,
      lastAccess: now,
      seq: old?.seq ?? this.seq++
    }
    this.cookies.set(key, stored)
    this.evict(domain, now)
    return stored
  }

  /** The cookies to send to `target` (RFC 6265 §5.4), in order: longer paths first, then older. */
  get(target: Target, now: number, options: { readonly http?: boolean } = {}): Array<StoredCookie> {
    const http = options.http ?? true
    const secure = isSecureScheme(target.scheme)
    const out: Array<StoredCookie> = []
    for (const [key, c] of this.cookies) {
      if (c.expires <= now) {
        this.cookies.delete(key)
        continue
      }
      if (c.hostOnly ? c.domain !== target.host : !domainMatch(target.host, c.domain)) continue
      if (!pathMatch(target.path.length === 0 ? "/" : target.path, c.path)) continue
      if (c.secure && !secure) continue
      if (c.httpOnly && !http) continue
      out.push(c)
    }
    out.sort((a, b) => b.path.length - a.path.length || a.creation - b.creation || a.seq - b.seq)
    for (const c of out) c.lastAccess = now
    return out
  }

  /** The Cookie header value for `target`, or undefined when no cookie applies. */
  header(target: Target, now: number): string | undefined {
    const cookies = this.get(target, now)
    if (cookies.length === 0) return undefined
    let out = ""
    for (const c of cookies) {
      if (out.length > 0) out += "; "
      out += c.name.length === 0 ? c.value : `${c.name}=${c.value}`
    }
    return out
  }

  /** Every unexpired cookie, in storage order. */
  all(now: number): Array<StoredCookie> {
    this.removeExpired(now)
    return [...this.cookies.values()]
  }

  /** Drops expired cookies. */
  removeExpired(now: number): void {
    for (const [key, c] of this.cookies) if (c.expires <= now) this.cookies.delete(key)
  }

  /** Drops the session (non-persistent) cookies, as ending a session does. */
  removeSession(): void {
    for (const [key, c] of this.cookies) if (!c.persistent) this.cookies.delete(key)
  }

  /** Drops every cookie, or those of one domain (exact match of the stored domain). */
  clear(domain?: string): void {
    if (domain === undefined) this.cookies.clear()
    else for (const [key, c] of this.cookies) if (c.domain === domain) this.cookies.delete(key)
  }

  /** RFC 6265 §5.3 "excess cookies": expired first, then least recently used. */
  private evict(domain: string, now: number): void {
    const { maxPerDomain, maxTotal } = this.limits
    let inDomain = 0
    for (const c of this.cookies.values()) if (c.domain === domain) inDomain++
    if (inDomain <= maxPerDomain && this.cookies.size <= maxTotal) return
    this.removeExpired(now)
    const drop = (pick: (c: StoredCookie) => boolean, excess: number) => {
      if (excess <= 0) return
      const victims = [...this.cookies.entries()].filter(([, c]) => pick(c))
        .sort(([, a], [, b]) => a.lastAccess - b.lastAccess || a.seq - b.seq)
      for (let i = 0; i < excess && i < victims.length; i++) this.cookies.delete(victims[i][0])
    }
    let count = 0
    for (const c of this.cookies.values()) if (c.domain === domain) count++
    drop((c) => c.domain === domain, count - maxPerDomain)
    drop(() => true, this.cookies.size - maxTotal)
  }
}
