/**
 * Opening a connection: the transport's dial, then the driver the
 * negotiated protocol names (`driver.ts`). What a pool is given as its dial,
 * and what a direct connection (`pool: false`, `Hackney.connect`) runs.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
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
import { priorKnowledgeH2 } from "./protocols.js"
import { defaultHeadLimits } from "../http1/types.js"

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
  Effect.suspend(() => {
    const holder: { socket?: net.Socket | undefined } = {}
    return Effect.uninterruptible(Effect.flatMap(
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
  })
