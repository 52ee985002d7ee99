/**
 * A pool's dial with HTTP/3 discovery (RFC 7838 Alt-Svc) and fallback, for
 * requests whose `protocols` list `"h3"` beside a TCP protocol: after it
 * (`["h2", "http/1.1", "h3"]`: discovery only) or first (`["h3", "h2",
 * "http/1.1"]`: h3 preferred, so the origin itself is tried over QUIC from
 * the first dial, as if it had announced `h3` on its own port). `["h3"]`
 * alone forces HTTP/3 instead (QUIC only, no fallback: `connection/dial.ts`).
 *
 * - The connections it opens record their responses' `Alt-Svc` in the
 *   pool's {@link AltSvcCache} (`headObserver`). A TCP connection whose
 *   origin then has an alternative to try is retired (`Connection.retire`:
 *   no new request; closed once its requests end), so the pool's next
 *   request dials, and races, instead of reusing it for as long as it lives.
 * - When the origin has a fresh h3 alternative that is not backing off
 *   after a failure (and the QUIC library loads: it is loaded in the
 *   background from the first dial on), the dial races QUIC to it (verified for the origin's
 *   name) against the usual TCP dial, which starts after the head start
 *   (300 ms) or at once when QUIC fails (`raceFallback`): the first
 *   connection wins and the other is closed, so a request never fails that
 *   TCP could serve. An alternative that lost (its QUIC dial failed, or had
 *   not connected when TCP had: UDP blocked looks like that) goes in the
 *   negative cache (5 min, doubling), so the next dials do not wait for it;
 *   a QUIC connection that won clears it.
 *
 * A spec that does not discover (no `"h3"`, `http://`, a proxy, forced h3)
 * dials as before: no observer, nothing per response.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Connection } from "../connection/connection.js"
import { preloadQuic, quicLoaded } from "../node/quic.js"
import { defaultHeadStartMillis, raceFallback } from "../connection/fallbackRace.js"
import { forcedH3, preferredH3 } from "../connection/protocols.js"
import type { DialSpec } from "./dialSpec.js"
import { altSvcRecorder, originKey } from "./altSvcCache.js"
import type { AltSvcCache, Alternative } from "./altSvcCache.js"
import type { Dial } from "./pool.js"
import { dialConnection } from "../connection/dial.js"
import { dialH3Connection } from "../connection/dialH3.js"
import type { HeadLimits } from "../http1/types.js"
import type { TimerWheel } from "../timer/wheel.js"

/**
 * Whether `spec` discovers HTTP/3 by Alt-Svc: `"h3"` listed after a TCP
 * protocol, an `https` origin, no proxy (QUIC goes through none).
 *
 * @internal
 */
export const offersH3 = (spec: DialSpec): boolean => {
  const p = spec.protocols
  return spec.transport === "tls" && spec.proxy === undefined && p !== undefined && p.includes("h3") &&
    !forcedH3(spec.transport, p)
}

/**
 * The origin itself as its HTTP/3 alternative, for a request that prefers
 * h3 (`protocols` starting with `"h3"`): the same host and port over UDP
 * (where servers answer HTTP/3 when they do), never expiring; it backs off
 * after a failure like an announced one.
 *
 * @internal
 */
export const selfAlternative = (spec: DialSpec): Alternative => ({
  protocol: "h3",
  host: spec.host.toLowerCase(),
  port: spec.port,
  expires: Infinity
})

/**
 * The spec of `alt` for a request to `spec`'s origin: its host and port,
 * the certificate checked for the origin's name (RFC 7838 §2.1).
 *
 * @internal
 */
export const alternativeSpec = (spec: DialSpec, alt: Alternative): DialSpec => ({
  ...spec,
  host: alt.host,
  port: alt.port,
  tls: { ...spec.tls, servername: spec.tls?.servername ?? spec.host }
})

const observed = (conn: Connection, cache: AltSvcCache, spec: DialSpec): Connection => {
  conn.headObserver = altSvcRecorder(cache, spec.host, spec.port, conn.retire !== undefined ? () => conn.retire!() : undefined)
  return conn
}

/**
 * `dial` (TCP), with discovery for specs that offer h3 (see the module):
 * `dialH3` opens HTTP/3 to an alternative's spec.
 *
 * @internal
 */
export const withAltSvc = (
  cache: AltSvcCache,
  dial: Dial<Connection>,
  dialH3: Dial<Connection>,
  headStartMillis: number = defaultHeadStartMillis
): Dial<Connection> =>
(spec, ctx) => {
  if (!offersH3(spec)) return dial(spec, ctx)
  // An alternative found later is dialled with the library loaded (else it loses its first race).
  preloadQuic()
  const tcp = Effect.map(dial(spec, ctx), (conn) => observed(conn, cache, spec))
  const origin = originKey(spec.host, spec.port)
  const announced = cache.lookup(origin)
  const self = announced === undefined && preferredH3(spec.transport, spec.protocols) ? selfAlternative(spec) : undefined
  const alt = announced ?? (self !== undefined && !cache.backingOff(origin, self) ? self : undefined)
  if (alt === undefined) return tcp
  let recorded = false
  const lost = () => {
    if (recorded) return
    recorded = true
    cache.failed(origin, alt)
  }
  const race = Effect.map(
    raceFallback({
      primary: dialH3(alternativeSpec(spec, alt), ctx),
      fallback: tcp,
      headStartMillis,
      discard: (conn) => conn.close(),
      onPrimaryFailure: lost
    }),
    (conn) => {
      if (conn.protocol !== "h3") {
        lost()
        return conn
      }
      cache.succeeded(origin, alt)
      return observed(conn, cache, spec)
    }
  )
  // The head start is for the handshake, not for loading the library (once per process, ~400 ms);
  // without the library (not installed, unpatched) there is nothing to race.
  return Effect.flatMap(Effect.interruptible(quicLoaded), (loaded) => (loaded ? race : tcp))
}

/**
 * The dial of real connections with discovery: `dialConnection` (TCP) and
 * `dialH3Connection` (QUIC) on `wheel`, raced through `cache` for the specs
 * that list h3 (see {@link withAltSvc}); `headLimits`: the default
 * response-head limits. What a pool dials with, and a direct (`pool:
 * false`) connection that lists h3.
 *
 * @internal
 */
export const discoveringDial = (cache: AltSvcCache, wheel: TimerWheel, headLimits?: HeadLimits | undefined): Dial<Connection> =>
  withAltSvc(
    cache,
    (spec, ctx) => dialConnection(spec, ctx.method, ctx.url, wheel, headLimits),
    (spec, ctx) => dialH3Connection(spec, ctx.method, ctx.url, wheel, headLimits)
  )
