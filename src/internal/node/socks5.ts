/**
 * The SOCKS5 step: RFC 1928 with no authentication or RFC 1929
 * username/password, then CONNECT to the target. The target goes as a
 * domain name (the proxy resolves it: hackney's `socks5_resolve = remote`)
 * unless it is an IP literal or `resolve` is `"local"` (looked up here, sent
 * as an IPv4 or IPv6 address). Failures are `ProxyError` `socks5` (method
 * refused, credentials refused, a reply code other than 0, with its RFC 1928
 * meaning), or `invalid-response` (not SOCKS5, closed mid-handshake).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as dns from "node:dns"
import type * as net from "node:net"
import { ConnectError, InvalidRequest, ProxyError } from "../../HackneyError.js"
import { ipv4Bytes, ipv6Bytes } from "../proxy/address.js"
import type { Handshake, HandshakeStep } from "./handshake.js"
import { more, runHandshake } from "./handshake.js"
import { connectReason, errorCode } from "./tcp.js"
import type { Where } from "./tcp.js"

/** Where the SOCKS5 tunnel goes and how. @internal */
export interface Socks5Target {
  readonly host: string
  readonly port: number
  /** The proxy URL without credentials, for errors. */
  readonly proxy: string
  readonly user?: string | undefined
  readonly password?: string | undefined
  /** Who resolves the target's name. Default `"remote"`. */
  readonly resolve?: "remote" | "local" | undefined
  /** For `"local"`: as `net.connect`'s `lookup`. */
  readonly lookup?: net.LookupFunction | undefined
  readonly family?: 0 | 4 | 6 | undefined
}

/** RFC 1928 §6 reply codes. @internal */
export const socks5Replies: Readonly<Record<number, string>> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported"
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, "utf8")

/** The address field (ATYP and address) of a request to `host`. @internal */
export const socks5Address = (host: string): Uint8Array | undefined => {
  const v4 = ipv4Bytes(host)
  if (v4 !== undefined) return Uint8Array.of(1, ...v4)
  const v6 = ipv6Bytes(host)
  if (v6 !== undefined) return Uint8Array.of(4, ...v6)
  const name = utf8(host)
  return name.length === 0 || name.length > 255 ? undefined : Uint8Array.of(3, name.length, ...name)
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

const socks5Handshake = (
  target: Socks5Target,
  address: Uint8Array,
  where: Where
): Handshake<void, ProxyError> => {
  const withAuth = target.user !== undefined
  const error = (reason: "socks5" | "invalid-response", detail: string, cause?: unknown) =>
    new ProxyError({ ...where, proxy: target.proxy, reason, detail, cause })
  const request = Uint8Array.of(5, 1, 0, ...address, target.port >> 8, target.port & 0xff)
  let state: "method" | "auth" | "reply" = "method"
  let buffer: Uint8Array = new Uint8Array(0)
  const step = (): HandshakeStep<void, ProxyError> => {
    switch (state) {
      case "method": {
        if (buffer.length < 2) return more
        if (buffer[0] !== 5) return { _tag: "Fail", error: error("invalid-response", "the proxy does not speak SOCKS5") }
        const method = buffer[1]
        buffer = buffer.subarray(2)
        if (method === 0) {
          state = "reply"
          return { _tag: "Send", bytes: request }
        }
        if (method === 2 && withAuth) {
          state = "auth"
          const user = utf8(target.user!)
          const pass = utf8(target.password ?? "")
          return { _tag: "Send", bytes: Uint8Array.of(1, user.length, ...user, pass.length, ...pass) }
        }
        return {
          _tag: "Fail",
          error: error(
            "socks5",
            method === 2
              ? "the proxy requires a user name and password; give them in the proxy URL or proxyAuth"
              : "the proxy accepts none of the offered authentication methods"
          )
        }
      }
      case "auth": {
        if (buffer.length < 2) return more
        if (buffer[1] !== 0) return { _tag: "Fail", error: error("socks5", "the proxy refused the user name and password") }
        buffer = buffer.subarray(2)
        state = "reply"
        return { _tag: "Send", bytes: request }
      }
      case "reply": {
        if (buffer.length < 5) return more
        if (buffer[0] !== 5) return { _tag: "Fail", error: error("invalid-response", "the proxy's reply is not SOCKS5") }
        if (buffer[1] !== 0) {
          const code = buffer[1]!
          return { _tag: "Fail", error: error("socks5", `the proxy could not connect: ${socks5Replies[code] ?? "unknown reply"} (reply ${code})`) }
        }
        const atyp = buffer[3]
        const len = atyp === 1 ? 4 + 6 : atyp === 4 ? 16 + 6 : atyp === 3 ? buffer[4]! + 7 : -1
        if (len < 0) return { _tag: "Fail", error: error("invalid-response", `the proxy's reply has an unknown address type ${atyp}`) }
        if (buffer.length < len) return more
        return { _tag: "Done", value: undefined, rest: buffer.subarray(len) }
      }
    }
  }
  return {
    hello: withAuth ? Uint8Array.of(5, 2, 0, 2) : Uint8Array.of(5, 1, 0),
    broken: (why, cause) => error("invalid-response", why, cause),
    read: (chunk) => {
      buffer = concat(buffer, chunk)
      return step()
    }
  }
}

/** Looks `host` up here, for `socks5Resolve: "local"`. */
const resolveLocally = (target: Socks5Target, where: Where): Effect.Effect<string, ConnectError> =>
  Effect.async<string, ConnectError>((resume) => {
    const lookup = (target.lookup ?? dns.lookup) as (
      host: string,
      options: dns.LookupOneOptions,
      cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void
    ) => void
    lookup(target.host, { family: target.family ?? 0 }, (err, address) => {
      if (err) {
        const code = errorCode(err)
        resume(Effect.fail(new ConnectError({ ...where, reason: connectReason(code) === "other" ? "dns" : connectReason(code), host: target.host, port: target.port, code, cause: err })))
      } else resume(Effect.succeed(address))
    })
  })

/**
 * Opens a SOCKS5 tunnel through the proxy `socket` is connected to. The
 * socket is destroyed on failure or interruption.
 *
 * @internal
 */
export const socks5Tunnel = (
  socket: net.Socket,
  target: Socks5Target,
  where: Where
): Effect.Effect<void, ProxyError | InvalidRequest | ConnectError> => {
  const invalid = (detail: string): Effect.Effect<never, InvalidRequest> => {
    socket.destroy()
    return Effect.fail(new InvalidRequest({ ...where, reason: "option", detail }))
  }
  if (target.user !== undefined && (utf8(target.user).length > 255 || utf8(target.password ?? "").length > 255)) {
    return invalid("proxyAuth: a SOCKS5 user name and password are at most 255 bytes each (RFC 1929)")
  }
  const run = (host: string): Effect.Effect<void, ProxyError | InvalidRequest> => {
    const address = socks5Address(host)
    return address === undefined
      ? invalid("the target host name is longer than SOCKS5 allows (255 bytes)")
      : runHandshake(socket, socks5Handshake(target, address, where))
  }
  if (target.resolve !== "local" || socks5Address(target.host)?.[0] !== 3) return run(target.host)
  return Effect.flatMap(
    Effect.tapError(resolveLocally(target, where), () => Effect.sync(() => socket.destroy())),
    run
  )
}
