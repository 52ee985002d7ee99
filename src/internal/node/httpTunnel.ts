/**
 * The HTTP CONNECT step (RFC 9110 §9.3.6): asks an HTTP proxy for a tunnel
 * to `host:port` (with `Host` and, when given, `Proxy-Authorization`), reads
 * the answer with the HTTP/1 parser in response mode, and hands the stream
 * on after a 2xx. A 407 (or 401) is `ProxyError` `auth-required` (no
 * credentials sent) or `auth-failed`, with the challenge as detail; any
 * other status is `invalid-response` with it; garbage or a close is
 * `invalid-response` (see {@link proxyRefusal}).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as net from "node:net"
import { InvalidRequest, ProxyError } from "../../HackneyError.js"
import { Http1Parser } from "../http1/parser.js"
import type { ResponseHead } from "../http1/types.js"
import { proxyRefusal } from "../proxy/refusal.js"
import type { Handshake, HandshakeStep } from "./handshake.js"
import { more, runHandshake } from "./handshake.js"
import type { Where } from "./tcp.js"

/** Where the tunnel goes, and who asks. @internal */
export interface TunnelTarget {
  readonly host: string
  readonly port: number
  /** The proxy URL without credentials, for errors. */
  readonly proxy: string
  /** The whole `Proxy-Authorization` value (`Basic …`), when credentials are given. */
  readonly authorization?: string | undefined
}

/** `host:port` as a request target (IPv6 in brackets). @internal */
export const authority = (host: string, port: number): string =>
  `${host.indexOf(":") !== -1 ? `[${host}]` : host}:${port}`

/** `Basic base64(user:pass)` (RFC 7617, UTF-8). @internal */
export const basicCredentials = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`

const breaksHead = /[\r\n\0]/

/** The CONNECT request head, or `InvalidRequest` when a part would break it. @internal */
export const connectHead = (target: TunnelTarget, where: Where): string | InvalidRequest => {
  if (breaksHead.test(target.host) || (target.authorization !== undefined && breaksHead.test(target.authorization))) {
    return new InvalidRequest({
      ...where,
      reason: "target",
      detail: "the CONNECT target or the proxy credentials contain CR, LF or NUL; remove them"
    })
  }
  const at = authority(target.host, target.port)
  return `CONNECT ${at} HTTP/1.1\r\nHost: ${at}\r\n` +
    (target.authorization !== undefined ? `Proxy-Authorization: ${target.authorization}\r\n` : "") + "\r\n"
}

const connectHandshake = (head: string, target: TunnelTarget, where: Where): Handshake<void, ProxyError> => {
  const parser = new Http1Parser({ mode: "response" })
  parser.expectResponseTo("CONNECT")
  let result: HandshakeStep<void, ProxyError> = more
  const sink = {
    onResponseHead: (h: ResponseHead) => {
      if (h.status < 200 || h.status > 299) result = { _tag: "Fail", error: proxyRefusal(h, target.proxy, target.authorization !== undefined, where) }
    },
    onData: () => {},
    onMessageComplete: () => {},
    onUpgrade: (rest: Uint8Array) => {
      if (result._tag === "More") result = { _tag: "Done", value: undefined, rest }
    }
  }
  const broken = (why: string, cause?: unknown) =>
    new ProxyError({ ...where, proxy: target.proxy, reason: "invalid-response", detail: why, cause })
  return {
    hello: Buffer.from(head, "latin1"),
    broken,
    read: (chunk) => {
      try {
        parser.execute(chunk, sink)
      } catch (cause) {
        if (result._tag !== "More") return result // a refusal's body does not matter
        return { _tag: "Fail", error: broken("the proxy's answer to CONNECT is not HTTP", cause) }
      }
      return result
    }
  }
}

/**
 * Opens a tunnel through the HTTP proxy `socket` is connected to. The
 * socket is destroyed on failure or interruption.
 *
 * @internal
 */
export const httpTunnel = (
  socket: net.Socket,
  target: TunnelTarget,
  where: Where
): Effect.Effect<void, ProxyError | InvalidRequest> => {
  const head = connectHead(target, where)
  if (typeof head !== "string") {
    socket.destroy()
    return Effect.fail(head)
  }
  return runHandshake(socket, connectHandshake(head, target, where))
}
