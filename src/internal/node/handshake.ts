/**
 * A proxy handshake over a connected stream: send bytes, read the answer,
 * maybe send more, until the reader says done (the stream then belongs to
 * the next step, with any bytes read past the handshake put back) or
 * failed. The mechanism shared by the HTTP CONNECT and SOCKS5 steps. No
 * timeout here: the dial's one `ConnectTimeout` covers it; interruption (or
 * failure) destroys the stream.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as net from "node:net"

/** What the reader of a handshake decides after some bytes. @internal */
export type HandshakeStep<A, E> =
  | { readonly _tag: "More" }
  | { readonly _tag: "Send"; readonly bytes: Uint8Array }
  | { readonly _tag: "Done"; readonly value: A; readonly rest: Uint8Array }
  | { readonly _tag: "Fail"; readonly error: E }

/** A handshake as a state machine: its first bytes, and a reader fed each chunk received. @internal */
export interface Handshake<A, E> {
  readonly hello: Uint8Array
  readonly read: (chunk: Uint8Array) => HandshakeStep<A, E>
  /** The error when the stream ends or fails before the reader is done. */
  readonly broken: (why: string, cause?: unknown) => E
}

/** @internal */
export const more: HandshakeStep<never, never> = { _tag: "More" }

/**
 * Runs `handshake` over `socket`. On success its listeners are removed and
 * the socket handed over (`handOver`); on failure or interruption it is
 * destroyed.
 *
 * @internal
 */
export const runHandshake = <A, E>(socket: net.Socket, handshake: Handshake<A, E>): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    let settled = false
    const cleanup = () => {
      settled = true
      socket.removeListener("data", onData)
      socket.removeListener("error", onError)
      socket.removeListener("end", onEnd)
      socket.removeListener("close", onEnd)
    }
    const fail = (error: E) => {
      cleanup()
      socket.on("error", ignore)
      socket.destroy()
      resume(Effect.fail(error))
    }
    const onData = (chunk: Buffer) => {
      if (settled) return
      let step: HandshakeStep<A, E>
      try {
        step = handshake.read(chunk)
      } catch (cause) {
        return fail(handshake.broken("the proxy's answer could not be read", cause))
      }
      switch (step._tag) {
        case "More":
          return
        case "Send":
          socket.write(step.bytes)
          return
        case "Fail":
          return fail(step.error)
        case "Done":
          cleanup()
          handOver(socket, step.rest)
          resume(Effect.succeed(step.value))
      }
    }
    const onError = (cause: Error) => {
      if (!settled) fail(handshake.broken("the connection to the proxy failed during the handshake", cause))
    }
    const onEnd = () => {
      if (!settled) fail(handshake.broken("the proxy closed the connection during the handshake"))
    }
    socket.on("data", onData)
    socket.on("error", onError)
    socket.on("end", onEnd)
    socket.on("close", onEnd)
    if (socket.destroyed) onEnd()
    else socket.write(handshake.hello)
    return Effect.sync(() => {
      if (settled) return
      cleanup()
      socket.on("error", ignore)
      socket.destroy()
    })
  })

const ignore = (): void => {}

/**
 * Leaves `socket` to its next reader: paused (nothing read is lost), with
 * the bytes past the handshake put back, flowing again as soon as a `data`
 * listener is added (as a fresh socket would; TLS over it reads the handle
 * directly).
 */
const handOver = (socket: net.Socket, rest: Uint8Array): void => {
  socket.pause()
  if (rest.length > 0) socket.unshift(Buffer.from(rest))
  const onListener = (event: string | symbol) => {
    if (event !== "data") return
    socket.removeListener("newListener", onListener)
    process.nextTick(() => socket.resume())
  }
  socket.on("newListener", onListener)
}
