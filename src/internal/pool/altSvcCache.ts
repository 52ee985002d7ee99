/**
 * What a pool knows of its origins' HTTP/3 alternatives (RFC 7838): the
 * `Alt-Svc` entries its h1/h2 responses announced, each fresh for its `ma`
 * (default 24 h), and the alternatives that failed lately (a negative cache
 * with exponential backoff, as browsers keep "broken" alternatives). One per
 * pool; time is the pool's Effect `Clock`, so `TestClock` drives expiry and
 * backoff.
 *
 * - A new `Alt-Svc` field replaces everything known of that origin (RFC 7838
 *   §3); `clear` forgets it; a field with nothing valid is ignored. Only
 *   alternatives of a protocol this client speaks over QUIC are kept (`h3`).
 * - A failed alternative (QUIC handshake, or its connection failing before
 *   any response) is skipped for 5 minutes, doubling with each consecutive
 *   failure up to 48 hours; a success resets it. A new `Alt-Svc` field does
 *   not reset it (the server keeps announcing what is broken).
 * - Bounded: at most `maxOrigins` origins and as many failure records, the
 *   least recently used dropped first.
 * - Keyed by `host:port` of an `https` origin (lower-case host), never
 *   with userinfo.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import type { ResponseHead } from "../connection/connection.js"
import { altSvcField, parseAltSvc } from "../http3/altSvc.js"
import type { AltService } from "../http3/altSvc.js"

/** A usable HTTP/3 alternative of an origin. @internal */
export interface Alternative {
  /** ALPN id (`"h3"`). */
  readonly protocol: string
  /** The host to dial; the origin's when the field named none. */
  readonly host: string
  readonly port: number
  /** Clock time (ms) until which it is fresh. */
  readonly expires: number
}

interface Broken {
  /** Consecutive failures. */
  failures: number
  /** Clock time (ms) until which it is not tried. */
  until: number
}

/** The ALPN ids kept from `Alt-Svc` (what the HTTP/3 driver speaks: RFC 9114, not the drafts). @internal */
export const quicProtocols: ReadonlySet<string> = new Set(["h3"])

/** The first backoff after a failure, in ms: 5 minutes. @internal */
export const baseBackoffMillis = 5 * 60_000
/** The longest backoff, in ms: 48 hours. @internal */
export const maxBackoffMillis = 48 * 3_600_000
/** Origins remembered per pool by default. @internal */
export const defaultMaxOrigins = 1_000

/** The cache key of an `https` origin. @internal */
export const originKey = (host: string, port: number): string => `${host.toLowerCase()}:${port}`

const brokenKey = (origin: string, alt: Alternative): string => `${origin} ${alt.protocol} ${alt.host}:${alt.port}`

/** Moves `key` to the most recently used end, and drops the least recently used beyond `max`. */
const touch = <V>(map: Map<string, V>, key: string, value: V, max: number): void => {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value!)
}

/** @internal */
export class AltSvcCache {
  private readonly entries = new Map<string, ReadonlyArray<Alternative>>()
  private readonly broken = new Map<string, Broken>()

  constructor(
    private readonly clock: Clock.Clock,
    readonly maxOrigins: number = defaultMaxOrigins
  ) {}

  /** Origins with entries (fresh or not yet swept). */
  get size(): number {
    return this.entries.size
  }

  /**
   * Records the `Alt-Svc` field `value` an `origin` (its {@link originKey},
   * host `host`) sent: its h3 alternatives replace what was known, `clear`
   * forgets them, an invalid field changes nothing.
   */
  record(origin: string, host: string, value: string): void {
    const parsed = parseAltSvc(value)
    if (parsed === undefined) return
    if (parsed._tag === "Clear") {
      this.entries.delete(origin)
      return
    }
    const now = this.clock.unsafeCurrentTimeMillis()
    const alternatives: Array<Alternative> = []
    for (const a of parsed.alternatives) {
      if (quicProtocols.has(a.protocol) && a.maxAge > 0) alternatives.push(toAlternative(a, host, now))
    }
    if (alternatives.length === 0) this.entries.delete(origin)
    else touch(this.entries, origin, alternatives, this.maxOrigins)
  }

  /** The first fresh alternative of `origin` not backing off after a failure; undefined when none. */
  lookup(origin: string): Alternative | undefined {
    const alts = this.entries.get(origin)
    if (alts === undefined) return undefined
    const now = this.clock.unsafeCurrentTimeMillis()
    let fresh = 0
    let found: Alternative | undefined
    for (const a of alts) {
      if (a.expires <= now) continue
      fresh++
      if (found === undefined) {
        const b = this.broken.get(brokenKey(origin, a))
        if (b === undefined || b.until <= now) found = a
      }
    }
    if (fresh === 0) this.entries.delete(origin)
    else touch(this.entries, origin, alts, this.maxOrigins)
    return found
  }

  /** Whether `alt` of `origin` is skipped now, after a failure (see {@link failed}). */
  backingOff(origin: string, alt: Alternative): boolean {
    const b = this.broken.get(brokenKey(origin, alt))
    return b !== undefined && b.until > this.clock.unsafeCurrentTimeMillis()
  }

  /** `alt` of `origin` failed: skip it for the backoff (5 min, doubling per consecutive failure, at most 48 h). */
  failed(origin: string, alt: Alternative): void {
    const key = brokenKey(origin, alt)
    const failures = (this.broken.get(key)?.failures ?? 0) + 1
    const backoff = Math.min(maxBackoffMillis, baseBackoffMillis * 2 ** Math.min(failures - 1, 30))
    touch(this.broken, key, { failures, until: this.clock.unsafeCurrentTimeMillis() + backoff }, this.maxOrigins)
  }

  /** `alt` of `origin` worked: its failures are forgotten. */
  succeeded(origin: string, alt: Alternative): void {
    this.broken.delete(brokenKey(origin, alt))
  }

  /** The consecutive failures recorded for `alt` of `origin` (0: none). */
  failures(origin: string, alt: Alternative): number {
    return this.broken.get(brokenKey(origin, alt))?.failures ?? 0
  }

  /** Its state, for debugging. */
  toJSON(): unknown {
    return { origins: [...this.entries.keys()], broken: [...this.broken.keys()] }
  }
}

const toAlternative = (a: AltService, host: string, now: number): Alternative => ({
  protocol: a.protocol,
  host: a.host ?? host.toLowerCase(),
  port: a.port,
  expires: now + a.maxAge * 1000
})

/**
 * What a connection to `host:port` (an `https` origin) is given as its
 * `headObserver`: records each response's `Alt-Svc` in `cache`, then calls
 * `usable` (if given) when the origin has an alternative to use now. One
 * per connection; a response without the field costs a scan of its names.
 *
 * @internal
 */
export const altSvcRecorder = (
  cache: AltSvcCache,
  host: string,
  port: number,
  usable?: (() => void) | undefined
): (head: ResponseHead) => void => {
  const origin = originKey(host, port)
  return (head) => {
    const value = altSvcField(head.rawHeaders)
    if (value === undefined) return
    cache.record(origin, host, value)
    if (usable !== undefined && cache.lookup(origin) !== undefined) usable()
  }
}
