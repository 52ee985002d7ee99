/**
 * A connection's addresses and peer certificate, read from its socket: what
 * `ConnectionInfo` gives for every driver (HTTP/1.1 and HTTP/2 alike).
 *
 * @internal
 */
import type * as net from "node:net"
import type * as tls from "node:tls"
import type { Duplex } from "../transport/duplex.js"
import type { ConnectionInfo } from "./connection.js"

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

/**
 * A connection's {@link ConnectionInfo}, read from its socket when asked (one
 * per connection, shared by every driver).
 *
 * @internal
 */
export class SocketInfo implements ConnectionInfo {
  constructor(
    private readonly socket: Duplex,
    readonly alpn: string,
    readonly tls: boolean,
    /** The certificate the dial saw (a resumed session's socket may not give it again). */
    private readonly dialledCert: tls.DetailedPeerCertificate | undefined,
    readonly tlsHandshakeMillis?: number | undefined
  ) {}
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress
  }
  get peername(): net.AddressInfo | undefined {
    return peernameOf(this.socket)
  }
  get sockname(): net.AddressInfo | undefined {
    return socknameOf(this.socket)
  }
  get peercert(): tls.DetailedPeerCertificate | undefined {
    return peercertOf(this.socket, this.tls, this.dialledCert)
  }
}
