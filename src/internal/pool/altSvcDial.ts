/**
 * A pool's dial when a request offers HTTP/3 (`"h3"` in `protocols`): the
 * HTTP/1.1 and HTTP/2 connections it opens record their responses'
 * `Alt-Svc` in the pool's {@link AltSvcCache}. A spec that does not offer
 * h3 dials as before: no observer, nothing per response.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Connection } from "../connection/connection.js"
import type { DialSpec } from "./dialSpec.js"
import { altSvcRecorder } from "./altSvcCache.js"
import type { AltSvcCache } from "./altSvcCache.js"
import type { Dial } from "./pool.js"

/**
 * Whether `spec` may use HTTP/3: `"h3"` offered, an `https` origin, no
 * proxy (QUIC does not go through an HTTP or SOCKS5 tunnel).
 *
 * @internal
 */
export const offersH3 = (spec: DialSpec): boolean =>
  spec.transport === "tls" && spec.proxy === undefined && spec.protocols !== undefined && spec.protocols.includes("h3")

/**
 * `dial`, with the connections of specs that offer h3 recording `Alt-Svc`
 * in `cache`.
 *
 * @internal
 */
export const withAltSvc = (cache: AltSvcCache, dial: Dial<Connection>): Dial<Connection> => (spec, ctx) =>
  offersH3(spec)
    ? Effect.map(dial(spec, ctx), (conn) => {
      conn.headObserver = altSvcRecorder(cache, spec.host, spec.port)
      return conn
    })
    : dial(spec, ctx)
