/**
 * The one place a connection driver is chosen: by the protocol the transport
 * negotiated (ALPN), never assumed. A protocol without a driver closes the
 * socket and fails typed.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { ProtocolError } from "../../HackneyError.js"
import type { OpenSocket } from "../node/socket.js"
import type { Connection } from "./connection.js"
import { H1Connection } from "./h1Connection.js"
import type { ConnectionOptions } from "./h1Connection.js"

/** A driver for the negotiated protocol of `open`, or a `ProtocolError` (socket destroyed). @internal */
export const openConnection = (
  open: OpenSocket,
  options: ConnectionOptions,
  method?: string,
  url?: string
): Either.Either<Connection, ProtocolError> => {
  if (open.alpn === "http/1.1") return Either.right(new H1Connection(open, options))
  open.socket.destroy()
  return Either.left(
    new ProtocolError({
      reason: "unsupported-protocol",
      detail: `the server negotiated ALPN "${open.alpn}", which this client has no driver for`,
      method,
      url
    })
  )
}
