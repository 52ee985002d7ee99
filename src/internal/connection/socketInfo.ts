/**
 * A connection's addresses and peer certificate, read from its socket: what
 * `ConnectionInfo` gives for every driver (HTTP/1.1 and HTTP/2 alike).
 *
 * @internal
 */
import type * as net from "node:net"
import type * as tls from "node:tls"
import type { Duplex } from "../transport/duplex.js"

/** The peer's address; `undefined` once the socket closed. @internal */
export const peernameOf = (socket: Duplex): net.AddressInfo | undefined => {
  const address = socket.remoteAddress
  if (address === undefined) return undefined
  return { address, family: socket.remoteFamily ?? "", port: socket.remotePort ?? 0 }
}

/** The local address; `undefined` once the socket closed. @internal */
export const socknameOf = (socket: Duplex): net.AddressInfo | undefined => {
  const a = socket.address()
  return typeof a === "object" && "port" in a ? (a as net.AddressInfo) : undefined
}

/** The peer's certificate chain over TLS (`dialled`: the one the dial saw, for resumed sessions). @internal */
export const peercertOf = (
  socket: Duplex,
  isTls: boolean,
  dialled: tls.DetailedPeerCertificate | undefined
): tls.DetailedPeerCertificate | undefined => {
  if (!isTls) return undefined
  const c = (socket as unknown as tls.TLSSocket).getPeerCertificate(true)
  return c && Object.keys(c).length > 0 ? c : dialled
}
