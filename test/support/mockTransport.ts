/**
 * An in-memory transport: a `Duplex` (src/internal/transport/duplex.ts) whose
 * other end the test plays by hand, so a connection driver runs without a
 * socket, byte by byte, with every peer behaviour on demand.
 *
 * Semantics follow `net.Socket` with `allowHalfOpen: false`: `data` is
 * delivered synchronously by `peer.send` (or on `resume` if paused); the
 * peer's `end` makes the stream unreadable, ends our side too and closes;
 * `destroy` (ours) and `peer.reset` close on the next microtask, `error`
 * first for a reset; writes after `destroy` are dropped and return false.
 */
import { EventEmitter } from "node:events"
import type { AddressInfo } from "node:net"
import type { Duplex, OpenSocket } from "../../src/internal/transport/duplex.js"

/** The test's end of a {@link mockTransport}. */
export interface MockPeer {
  /** Everything the client wrote, in order, as latin1 text. */
  readonly written: () => string
  /** The client's writes grouped by flush: one entry per uncorked write or per `uncork`. */
  readonly flushes: () => ReadonlyArray<string>
  /** Sends bytes to the client (one `data` event, or buffered while the client paused). */
  readonly send: (bytes: string | Uint8Array) => void
  /** Sends each byte of `bytes` as its own `data` event. */
  readonly sendBytewise: (bytes: string | Uint8Array) => void
  /** The peer closes its side (FIN): `end`, then `close`. */
  readonly end: () => void
  /** The connection breaks: `error` (ECONNRESET), then `close`. */
  readonly reset: () => void
  /** The socket is destroyed by someone else, without an error: only `close`. */
  readonly destroy: () => void
  /** The client stopped reading (`pause`) and has not resumed. */
  readonly paused: () => boolean
  /** From now on each write is taken but returns false (the send buffer is full) until {@link drain}. */
  readonly block: () => void
  /** The send buffer emptied: writes return true again, and `drain` is emitted. */
  readonly drain: () => void
  /** Whether the socket is referenced (keeps the process alive). */
  readonly refd: () => boolean
  /** Our side destroyed the socket (closed the connection). */
  readonly closed: () => boolean
}

const toBuffer = (bytes: string | Uint8Array): Buffer =>
  typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes)

class MockDuplex extends EventEmitter implements Duplex {
  destroyed = false
  readable = true
  writable = true
  readonly remoteAddress: string | undefined
  readonly remoteFamily: string | undefined
  readonly remotePort: number | undefined
  readonly flushed: Array<Buffer> = []
  private corked: Array<Buffer> | undefined = undefined
  isPaused = false
  private inbox: Array<Buffer> = []
  refd = true
  /** Writes return false (a full send buffer), see `MockPeer.block`. */
  blocked = false
  private closing = false

  constructor(private readonly local: AddressInfo, remote: AddressInfo) {
    super()
    this.remoteAddress = remote.address
    this.remoteFamily = remote.family
    this.remotePort = remote.port
  }

  write(chunk: Uint8Array | string, encoding?: BufferEncoding): boolean {
    if (this.destroyed || !this.writable) return false
    const b = typeof chunk === "string" ? Buffer.from(chunk, encoding ?? "utf8") : Buffer.from(chunk)
    if (this.corked !== undefined) this.corked.push(b)
    else this.flushed.push(b)
    return !this.blocked
  }
  end(): void {
    this.writable = false
  }
  cork(): void {
    this.corked ??= []
  }
  uncork(): void {
    const c = this.corked
    this.corked = undefined
    if (c !== undefined && c.length > 0) this.flushed.push(Buffer.concat(c))
  }
  pause(): void {
    this.isPaused = true
  }
  resume(): void {
    this.isPaused = false
    while (!this.isPaused && !this.destroyed && this.inbox.length > 0) this.emit("data", this.inbox.shift())
  }
  destroy(error?: Error): void {
    if (this.destroyed) return
    this.destroyed = true
    this.readable = false
    this.writable = false
    this.closeSoon(error)
  }
  ref(): void {
    this.refd = true
  }
  unref(): void {
    this.refd = false
  }
  address(): AddressInfo {
    return this.local
  }

  deliver(b: Buffer): void {
    if (this.destroyed || !this.readable) return
    if (this.isPaused) this.inbox.push(b)
    else this.emit("data", b)
  }
  peerEnd(): void {
    if (this.destroyed || !this.readable) return
    this.readable = false
    this.emit("end")
    // allowHalfOpen false: our side ends too, then the stream closes.
    this.writable = false
    this.destroyed = true
    this.closeSoon(undefined)
  }
  closeSoon(error: Error | undefined): void {
    if (this.closing) return
    this.closing = true
    queueMicrotask(() => {
      if (error !== undefined) this.emit("error", error)
      this.emit("close")
    })
  }
}

/**
 * A connected in-memory transport, as a dial would return it (`OpenSocket`,
 * cleartext; `alpn` as if negotiated, default "http/1.1"; `remoteAddress` the
 * peer's, default 127.0.0.1, undefined: unknown), and the test's end of it.
 */
export const mockTransport = (
  options: { readonly alpn?: string; readonly remoteAddress?: string | undefined } = {}
): { readonly open: OpenSocket; readonly peer: MockPeer } => {
  const socket = new MockDuplex(
    { address: "127.0.0.1", family: "IPv4", port: 50000 },
    { address: "remoteAddress" in options ? options.remoteAddress! : "127.0.0.1", family: "IPv4", port: 80 }
  )
  const peer: MockPeer = {
    written: () => Buffer.concat(socket.flushed).toString("latin1"),
    flushes: () => socket.flushed.map((b) => b.toString("latin1")),
    send: (bytes) => socket.deliver(toBuffer(bytes)),
    sendBytewise: (bytes) => {
      const b = toBuffer(bytes)
      for (let i = 0; i < b.length; i++) socket.deliver(b.subarray(i, i + 1))
    },
    end: () => socket.peerEnd(),
    reset: () => {
      if (socket.destroyed) return
      socket.destroyed = true
      socket.readable = false
      socket.writable = false
      socket.closeSoon(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))
    },
    destroy: () => socket.destroy(),
    paused: () => socket.isPaused,
    block: () => {
      socket.blocked = true
    },
    drain: () => {
      socket.blocked = false
      socket.emit("drain")
    },
    refd: () => socket.refd,
    closed: () => socket.destroyed
  }
  return { open: { socket, alpn: options.alpn ?? "http/1.1", tls: false }, peer }
}
