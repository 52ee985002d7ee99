/**
 * The one place a connection driver is chosen: by the protocol the transport
 * negotiated (ALPN), or HTTP/2 with prior knowledge (h2c) when the caller
 * asked for it on a connection without ALPN; never assumed. A protocol
 * without a driver closes the socket and fails typed.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { ProtocolError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { OpenSocket } from "../node/socket.js"
import type { Connection } from "./connection.js"
import { H1Connection } from "./h1Connection.js"
import type { ConnectionOptions } from "./h1Connection.js"
import { H2Connection } from "./h2Connection.js"
import type { H2Options } from "./h2Connection.js"

/**
 * A driver for the negotiated protocol of `open` (HTTP/2 when ALPN chose
 * `h2`, or when `h2c` is given and the connection has no TLS), or a
 * `ProtocolError` (socket destroyed). An HTTP/2 session is ready once the
 * server's first SETTINGS arrived.
 *
 * @internal
 */
export const openConnection = (
  open: OpenSocket,
  options: ConnectionOptions,
  method?: string,
  url?: string,
  h2?: H2Options | undefined,
  h2c = false
): Effect.Effect<Connection, HackneyError> => {
  if (h2 !== undefined && (open.alpn === "h2" || (h2c && !open.tls))) return H2Connection.open(open, h2)
  if (open.alpn === "http/1.1") return Effect.succeed(new H1Connection(open, options))
  open.socket.destroy()
  return Effect.fail(
    new ProtocolError({
      reason: "unsupported-protocol",
      detail: `the server negotiated ALPN "${open.alpn}", which this client has no driver for`,
      method,
      url
    })
  )
}
