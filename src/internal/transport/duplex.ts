/**
 * The open byte stream a connection driver runs over: the part of
 * `net.Socket` the drivers and the pool use, and nothing else. A Node TCP,
 * TLS or Unix socket satisfies it as is; a tunnelled stream (issue 15) or an
 * in-memory mock (`test/support/mockTransport.ts`) can too, so a driver is
 * unit-testable without the network.
 *
 * Semantics are Node's (`stream.Duplex` / `net.Socket`): `write` returns
 * false when the caller should wait for `drain`; `data` carries Buffers;
 * `end` is the peer's half-close; `close` fires once after `destroy` or
 * after both sides ended; `error` is followed by `close`.
 *
 * @internal
 */
import type { AddressInfo } from "node:net"
import type { DetailedPeerCertificate } from "node:tls"

/** @internal */
export interface Duplex {
  /** Queues bytes (a string in `encoding`); false when the buffer is full: wait for `drain`. */
  write(chunk: Uint8Array | string, encoding?: BufferEncoding): boolean
  /** Half-closes the writing side (FIN). */
  end(): unknown
  /** Buffers writes until `uncork`, so several writes leave in one flush. */
  cork(): void
  uncork(): void
  /** Stops / restarts `data` events (backpressure). */
  pause(): unknown
  resume(): unknown
  /** Closes both directions now; `close` follows. Idempotent. */
  destroy(error?: Error): unknown
  readonly destroyed: boolean
  readonly readable: boolean
  readonly writable: boolean
  /** Whether this stream keeps the process alive (an idle pooled connection must not). */
  ref(): unknown
  unref(): unknown

  on(event: "data", listener: (chunk: Buffer) => void): unknown
  on(event: "end" | "close" | "drain", listener: () => void): unknown
  on(event: "error", listener: (error: Error) => void): unknown
  removeListener(event: "data", listener: (chunk: Buffer) => void): unknown
  removeListener(event: "end" | "close" | "drain", listener: () => void): unknown
  removeListener(event: "error", listener: (error: Error) => void): unknown

  /** The peer's address (undefined once closed, or for a Unix socket). */
  readonly remoteAddress?: string | undefined
  readonly remoteFamily?: string | undefined
  readonly remotePort?: number | undefined
  /** The local address, as `net.Socket#address()` (`{}` when unknown). */
  address(): AddressInfo | object
}

/**
 * An open connection to the origin as a dial leaves it: the stream and what
 * was negotiated on the way (TLS, ALPN).
 *
 * @internal
 */
export interface OpenSocket {
  readonly socket: Duplex
  /** The ALPN protocol the server chose, or "http/1.1" when none (or no TLS). */
  readonly alpn: string
  readonly tls: boolean
  /** The server certificate (TLS), also on a resumed session. */
  readonly peercert?: DetailedPeerCertificate | undefined
  /** How long the TLS handshake took, in milliseconds (wall clock, from TCP up to `secureConnect`). */
  readonly handshakeMillis?: number | undefined
}
