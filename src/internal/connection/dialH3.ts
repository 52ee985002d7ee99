/**
 * Opening an HTTP/3 connection: `dialQuic` (ALPN `h3`, verification as TLS
 * over TCP) under the spec's `ConnectTimeout` on the Effect Clock, then the
 * {@link H3Connection} driver over it. The one entry for HTTP/3: the pool's
 * dial (`dialConnection`) calls it when `protocols` forces h3, and Alt-Svc
 * discovery with its QUIC-vs-TCP race calls it for an alternative service
 * (`spec` with the alternative's host and port).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { ConnectTimeout, InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import { defaultHeadLimits } from "../http1/types.js"
import { dialQuic } from "../node/quic.js"
import { quicSession } from "../node/quicSession.js"
import type { DialSpec } from "../pool/dialSpec.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { Connection } from "./connection.js"
import { H3_REQUEST_CANCELLED } from "./h3Errors.js"
import { H3Connection } from "./h3Connection.js"

/**
 * Dials `spec` over QUIC and opens an HTTP/3 connection on it. Fails with
 * `ConnectTimeout` (after `spec.connectTimeout`, on the Effect Clock),
 * `ConnectError`, `TlsError` (a refused certificate or name; no `h3`
 * ALPN), or `InvalidRequest` `option` when the spec cannot be served over
 * QUIC (a proxy: HTTP/3 does not go through one). Interrupted, the
 * handshake is aborted and a connection that completed meanwhile closed.
 * `method`, `url`: the request, for errors; `headLimits`: the response-head
 * limits of requests that set none (the pool's).
 *
 * @internal
 */
export const dialH3Connection = (
  spec: DialSpec,
  method: string | undefined,
  url: string | undefined,
  wheel: TimerWheel,
  headLimits?: HeadLimits | undefined
): Effect.Effect<Connection, HackneyError> => {
  const where = { method, url }
  if (spec.proxy !== undefined) {
    return Effect.fail(new InvalidRequest({
      ...where,
      reason: "option",
      detail: `protocols starts with "h3", but HTTP/3 (QUIC over UDP) cannot go through the ${spec.proxy.kind} proxy; put "h2" or "http/1.1" first to use the proxy`
    }))
  }
  const dial = Effect.timeoutFail(
    dialQuic(
      { host: spec.host, port: spec.port, tls: spec.tls ?? {}, protocols: ["h3"], cancelCode: H3_REQUEST_CANCELLED },
      where
    ),
    {
      duration: Duration.millis(spec.connectTimeout),
      onTimeout: () => new ConnectTimeout({ ...where, host: spec.host, port: spec.port, timeoutMillis: spec.connectTimeout })
    }
  )
  // Only the dial is interruptible (and its timeout must be able to interrupt it, even when the
  // caller runs the checkout uninterruptibly, as the engine does); once connected, the driver owns it.
  return Effect.uninterruptible(
    Effect.flatMap(Effect.interruptible(dial), (open) =>
      H3Connection.open(quicSession(open), { headLimits: headLimits ?? defaultHeadLimits, wheel, method, url }))
  )
}
