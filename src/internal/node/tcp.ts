/**
 * The first step of every dial: a connected TCP or Unix-domain socket, with
 * connect failures classified as `ConnectError` reasons. No timeout here: the
 * composed dial (`socket.ts`) puts one `ConnectTimeout` over all its steps.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { ConnectError } from "../../HackneyError.js"
import type { ConnectErrorReason } from "../../HackneyError.js"

/** Who asked, for error messages: the request method and URL. @internal */
export interface Where {
  readonly method?: string | undefined
  readonly url?: string | undefined
}

/** A TCP destination and how to reach it. @internal */
export interface TcpTarget {
  /** Host name or IP literal (without brackets). */
  readonly host: string
  readonly port: number
  /** Custom DNS lookup, as `net.connect`'s `lookup`. */
  readonly lookup?: net.LookupFunction | undefined
  /** Local address to bind. */
  readonly localAddress?: string | undefined
  /** Only this address family (4 or 6). Default: both, RFC 8305 happy eyeballs. */
  readonly family?: 0 | 4 | 6 | undefined
}

const refusedCodes = new Set(["ECONNREFUSED", "ENOENT", "ECONNABORTED"])
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ENODATA"])
const unreachableCodes = new Set(["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ENETDOWN", "EHOSTDOWN", "ETIMEDOUT"])
const resetCodes = new Set(["ECONNRESET", "EPIPE"])

/** The first system error code of an error, looking inside AggregateError (happy eyeballs). @internal */
export const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === "string") return code
  const inner = (error as { errors?: unknown }).errors
  if (Array.isArray(inner)) for (const e of inner) {
    const c = errorCode(e)
    if (c !== undefined) return c
  }
  return undefined
}

/** Classifies a socket error raised while connecting. @internal */
export const connectReason = (code: string | undefined): ConnectErrorReason =>
  code === undefined
    ? "other"
    : refusedCodes.has(code)
    ? "refused"
    : dnsCodes.has(code)
    ? "dns"
    : unreachableCodes.has(code)
    ? "unreachable"
    : resetCodes.has(code)
    ? "reset"
    : "other"

/** Where the socket of a step in progress is published, so whoever interrupts the dial can destroy it. @internal */
export interface SocketHolder {
  socket?: { destroy(): unknown } | undefined
}

/** Destroys a socket a step gives up, keeping Node's own listeners (TLS cleans up on `close`). */
const discard = (socket: net.Socket, onError: (e: Error) => void, onConnect: () => void): void => {
  socket.removeListener("error", onError)
  socket.removeListener("connect", onConnect)
  socket.on("error", ignore)
  socket.destroy()
}
const ignore = (): void => {}

/**
 * Connects a socket made by `open` (called when the Effect runs). Fails with
 * `ConnectError` (socket destroyed); interruption destroys it.
 */
const connected = (
  open: () => net.Socket,
  where: Where,
  host: string,
  port: number,
  holder: SocketHolder | undefined
): Effect.Effect<net.Socket, ConnectError> =>
  Effect.async<net.Socket, ConnectError>((resume) => {
    const socket = open()
    const onError = (error: Error) => {
      discard(socket, onError, onConnect)
      const code = errorCode(error)
      resume(Effect.fail(new ConnectError({ ...where, reason: connectReason(code), host, port, code, cause: error })))
    }
    const onConnect = () => {
      socket.removeListener("error", onError)
      // Until the next step or the driver listens, an error must not be uncaught; it destroys
      // the socket, which they see.
      socket.on("error", ignore)
      resume(Effect.succeed(socket))
    }
    socket.once("connect", onConnect)
    socket.once("error", onError)
    if (holder !== undefined) holder.socket = socket
    return Effect.sync(() => discard(socket, onError, onConnect))
  })

/** `net.connect` options for `target`: Nagle off, happy eyeballs unless a family is given. @internal */
export const tcpConnectOptions = (target: TcpTarget): net.TcpNetConnectOpts => ({
  host: target.host,
  port: target.port,
  noDelay: true,
  ...(target.family ? { family: target.family } : { autoSelectFamily: true }),
  ...(target.lookup ? { lookup: target.lookup } : {}),
  ...(target.localAddress ? { localAddress: target.localAddress } : {})
})

/**
 * Opens a TCP connection (`tcpConnectOptions`). The resolved socket keeps
 * only a no-op `error` listener of ours (an error before the next step or
 * the driver listens destroys it, which they see).
 *
 * @internal
 */
export const dialTcp = (target: TcpTarget, where: Where, holder?: SocketHolder): Effect.Effect<net.Socket, ConnectError> =>
  connected(() => net.connect(tcpConnectOptions(target)), where, target.host, target.port, holder)

/**
 * Opens a Unix-domain socket at `path`. Errors name the path as the host and
 * port 0.
 *
 * @internal
 */
export const dialUnix = (path: string, where: Where, holder?: SocketHolder): Effect.Effect<net.Socket, ConnectError> =>
  connected(() => net.connect({ path }), where, path, 0, holder)
