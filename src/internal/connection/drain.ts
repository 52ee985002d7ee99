/**
 * Waiting for a writable side to take more request body bytes: the one
 * backpressure wait of every driver (an HTTP/1.1 socket, an HTTP/2 stream).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { HackneyError } from "../../HackneyError.js"
import type { Exchange } from "./exchange.js"

/** What is waited on: a Node stream's `drain` and `close` events. @internal */
export interface Drainable {
  on(event: "drain" | "close", listener: () => void): unknown
  removeListener(event: "drain" | "close", listener: () => void): unknown
}

/**
 * Waits until `target` drains. Also returns when the response of `ex`
 * completed meanwhile (the server answered without reading the whole body:
 * the caller stops sending), and fails when the exchange fails or `target`
 * closes (`closed()`). `arm` starts the recv timeout (a peer that neither
 * reads nor answers fails the exchange); `disarm` runs after the wait.
 *
 * @internal
 */
export const awaitDrain = (
  target: Drainable,
  ex: Exchange,
  closed: () => HackneyError,
  arm: () => void,
  disarm: () => void
): Effect.Effect<void, HackneyError> =>
  Effect.async<void, HackneyError>((resume) => {
    const onDrain = () => {
      cleanup()
      resume(Effect.void)
    }
    const onClose = () => {
      cleanup()
      resume(Effect.fail(ex.error ?? closed()))
    }
    const onExchange = () => {
      if (ex.error !== undefined) {
        cleanup()
        resume(Effect.fail(ex.error))
      } else if (ex.complete) {
        cleanup()
        resume(Effect.void)
      } else ex.onWake(onExchange)
    }
    const cleanup = () => {
      target.removeListener("drain", onDrain)
      target.removeListener("close", onClose)
      ex.offWake(onExchange)
      disarm()
    }
    target.on("drain", onDrain)
    target.on("close", onClose)
    ex.onWake(onExchange)
    arm()
    return Effect.sync(cleanup)
  })
