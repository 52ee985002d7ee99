/**
 * Opening a connection: the transport's dial, then the driver the
 * negotiated protocol names (`driver.ts`). What a pool is given as its dial,
 * and what a direct connection (`pool: false`, `Hackney.connect`) runs.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Tracer from "effect/Tracer"
import type * as net from "node:net"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import { basicCredentials } from "../node/httpTunnel.js"
import { connect } from "../node/socket.js"
import type { DialSpec } from "../pool/dialSpec.js"
import type { TimerWheel } from "../timer/wheel.js"
import { openConnection } from "./driver.js"
import type { ForwardProxy } from "./forwardProxy.js"
import type { Connection } from "./connection.js"
import { forcedH3, priorKnowledgeH2, tcpOffer } from "./protocols.js"
import { dialH3Connection } from "./dialH3.js"
import { InvalidRequest } from "../../HackneyError.js"
import { defaultHeadLimits } from "../http1/types.js"
import { debug, debugOn, traceConnect } from "../observe/log.js"

/** The forwarding HTTP proxy of a spec: an `http(s)://` proxy and a `tcp` target (no tunnel). */
const forwardOf = (spec: DialSpec): ForwardProxy | undefined => {
  const proxy = spec.proxy
  if (proxy === undefined || proxy.kind === "socks5" || spec.transport !== "tcp") return undefined
  return {
    proxy: proxy.display,
    ...(proxy.user !== undefined ? { authorization: basicCredentials(proxy.user, proxy.password ?? "") } : {})
  }
}

/**
 * Dials `spec` and starts the driver of the negotiated protocol; `method`
 * and `url` name the request in errors. Only the connect is interruptible
 * (its socket is destroyed then, even right after it connected); the
 * connection's own timers run on `wheel`; `headLimits`: the response-head
 * limits of requests that set none (the pool's).
 *
 * @internal
 */
export const dialConnection = (
  spec: DialSpec,
  method: string | undefined,
  url: string | undefined,
  wheel: TimerWheel,
  headLimits?: HeadLimits | undefined
): Effect.Effect<Connection, HackneyError> =>
  Effect.withFiberRuntime((fiber) => {
    const protocols = spec.protocols
    if (protocols !== undefined && protocols[0] === "h3") {
      if (forcedH3(spec.transport, protocols)) return withObservation(dialH3Connection(spec, method, url, wheel, headLimits), spec, wheel, fiber)
      // Preferred h3 ([h3, h2, …]): the pool's dial races QUIC (altSvcDial.ts); this is the TCP side.
      if (tcpOffer(protocols).length === 0) {
        return Effect.fail(new InvalidRequest({
          method,
          url,
          reason: "option",
          detail: `protocols is ["h3"], but HTTP/3 needs an https:// URL; add "http/1.1" or "h2" to the list, or use https`
        }))
      }
    }
    const holder: { socket?: net.Socket | undefined } = {}
    const dial = Effect.uninterruptible(Effect.flatMap(
      Effect.interruptible(connect(method === undefined ? spec : { ...spec, method, url }, holder)).pipe(
        Effect.onInterrupt(() => Effect.sync(() => holder.socket?.destroy()))
      ),
      (open) => {
        const forward = forwardOf(spec)
        return openConnection(
          open,
          { recvTimeout: spec.recvTimeout, wheel, headLimits, forward },
          method,
          url,
          {
            scheme: spec.transport === "tls" ? "https" : "http",
            host: spec.host,
            port: spec.port,
            headLimits: headLimits ?? defaultHeadLimits,
            wheel,
            settingsTimeout: spec.connectTimeout,
            method,
            url
          },
          // h2c with prior knowledge: asked for, and no HTTP/1.1 forwarding proxy in between.
          forward === undefined && spec.transport !== "tls" && priorKnowledgeH2(spec.protocols)
        )
      }
    ))
    return withObservation(dial, spec, wheel, fiber)
  })

/** A dial traced and logged when the fiber asks for it (else as is). */
const withObservation = (
  dial: Effect.Effect<Connection, HackneyError>,
  spec: DialSpec,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<Connection, HackneyError> => {
  const traced = fiber.getFiberRef(traceConnect)
  const logged = debugOn(fiber)
  if (traced === undefined && !logged) return dial
  return observed(dial, spec, wheel, traced, logged)
}

/** The connect span's TLS handshake time (`hackney.tls.handshake.duration`, seconds), on TLS connections. */
const tlsAttribute = (conn: Connection): Effect.Effect<void> => {
  const ms = conn.info.tlsHandshakeMillis
  return ms === undefined ? Effect.void : Effect.annotateCurrentSpan("hackney.tls.handshake.duration", ms / 1000)
}

/** A dial with its `hackney.connect` span (under a traced attempt) and its Debug logs. */
const observed = (
  dial: Effect.Effect<Connection, HackneyError>,
  spec: DialSpec,
  wheel: TimerWheel,
  traced: Tracer.Span | undefined,
  logged: boolean
): Effect.Effect<Connection, HackneyError> => {
  const where = { "server.address": spec.host, "server.port": spec.port, "hackney.transport": spec.transport }
  const start = wheel.clock.unsafeCurrentTimeMillis()
  const logs = logged
    ? Effect.tapBoth(dial, {
      onFailure: (e) =>
        debug(`hackney: dial to ${spec.host}:${spec.port} failed: ${e._tag}`, { ...where, "error.type": e._tag }),
      onSuccess: (conn) =>
        debug(
          `hackney: connected to ${spec.host}:${spec.port} (${spec.transport}, ${conn.protocol}) in ${wheel.clock.unsafeCurrentTimeMillis() - start} ms`,
          { ...where, "network.protocol.name": conn.protocol }
        )
    })
    : dial
  return traced !== undefined
    ? Effect.withSpan(Effect.tap(logs, tlsAttribute), "hackney.connect", {
      kind: "internal",
      parent: traced,
      captureStackTrace: false,
      attributes: { ...where, ...(spec.proxy !== undefined ? { "hackney.proxy": spec.proxy.kind } : {}) }
    })
    : logs
}
