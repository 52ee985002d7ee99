/**
 * Where a request gets its connection: a pool, or a fresh direct connection
 * (`pool: false`) closed after the exchange.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { HackneyError } from "../../HackneyError.js"
import { H1Connection } from "../connection/h1Connection.js"
import { connect } from "../node/socket.js"
import type { CheckoutContext, DialSpec } from "../pool/pool.js"
import { currentWheel } from "../timer/wheel.js"

/** @internal */
export interface ConnectionSource {
  readonly checkout: (spec: DialSpec, ctx: CheckoutContext) => Effect.Effect<H1Connection, HackneyError>
  /** Gives the connection back; `reusable` when its last exchange left it idle and keep-alive. */
  readonly checkin: (conn: H1Connection, reusable: boolean) => void
}

/** No pool: each request dials and closes its own connection. @internal */
export const direct: ConnectionSource = {
  checkout: (spec) =>
    Effect.flatMap(currentWheel, (wheel) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.map(restore(connect(spec)), (open) => new H1Connection(open, { recvTimeout: spec.recvTimeout, wheel }))
      )),
  checkin: (conn) => conn.close()
}
