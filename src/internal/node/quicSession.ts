/**
 * A QUIC connection as the HTTP/3 driver sees it ({@link QuicSession}):
 * open streams (bidirectional for requests, unidirectional for the control
 * and QPACK streams), take the peer's streams, know the peer's stream
 * credit, reset a stream or close the connection with an application error
 * code, and hear that the connection ended. {@link quicSession} adapts an
 * open `@matrixai/quic` connection (`dialQuic`); a test double implements the
 * same interface in memory, so the driver is testable without UDP.
 *
 * A stream's `readable` errors with a {@link QuicStreamReset} when the peer
 * reset it (RESET_STREAM, its code); a stream reset locally errors its own
 * pending reads with the same kind of value.
 *
 * @internal
 */
import type { ReadableStream, WritableStream } from "node:stream/web"
import type { QuicOpen } from "./quic.js"

/** One QUIC stream. @internal */
export interface QuicStreamLike {
  readonly id: number
  /** The peer's bytes (not for a local unidirectional stream). */
  readonly readable: ReadableStream<Uint8Array>
  /** Our bytes; `close` is FIN (not for a peer's unidirectional stream). */
  readonly writable: WritableStream<Uint8Array>
  /** Resets both directions with an application error code (RESET_STREAM and STOP_SENDING). Idempotent. */
  reset(code: number): void
}

/** How a QUIC connection ended. @internal */
export interface QuicCloseInfo {
  /** The peer closed it (CONNECTION_CLOSE received), rather than us or a timeout. */
  readonly byPeer: boolean
  /** The idle timeout closed it (no packet for `maxIdleTimeout`). */
  readonly idle: boolean
  /** The error code of the CONNECTION_CLOSE, when there was one. */
  readonly code: number | undefined
  /** An application code (HTTP/3's) rather than a QUIC transport code. */
  readonly app: boolean
  readonly cause: unknown
}

/** @internal */
export interface QuicSession {
  /** The ALPN protocol negotiated. */
  readonly alpn: string
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  /** The peer's certificate (DER), when verified. */
  readonly peerCertificate: Uint8Array | undefined
  /** How many more bidirectional streams the peer allows us to open now. */
  bidiCredit(): number
  /** Opens a bidirectional stream (the caller checked `bidiCredit`). */
  openBidi(): QuicStreamLike
  /** Opens a unidirectional stream. */
  openUni(): QuicStreamLike
  /**
   * Starts delivering, once: the streams the peer opened (those opened
   * since the handshake first) and the end of the connection (once).
   */
  listen(onStream: (stream: QuicStreamLike) => void, onClose: (info: QuicCloseInfo) => void): void
  /** Set by the driver: packets were exchanged (the peer's stream credit may have grown). Only while set. */
  onActivity: (() => void) | undefined
  /** Closes with an application error code (CONNECTION_CLOSE), and frees the UDP socket. Idempotent. */
  close(code: number): void
  /** Whether the connection keeps the process alive. */
  ref(): void
  unref(): void
}

/**
 * Why a stream's readable or writable errored: a reset with `code` (by the
 * peer, or ours).
 *
 * @internal
 */
export class QuicStreamReset extends Error {
  constructor(readonly appCode: number, readonly byPeer: boolean) {
    super(`stream reset with code 0x${appCode.toString(16)}${byPeer ? " by the peer" : ""}`)
  }
}

/**
 * The library's stream error code of a local reason (a {@link QuicStreamReset}
 * we gave, else `fallback`), and the reason of a code the peer sent: the
 * `reasonToCode` / `codeToReason` of `dialQuic`.
 *
 * @internal
 */
export const codeOfReason = (reason: unknown, fallback: number): number =>
  reason instanceof QuicStreamReset ? reason.appCode : fallback

/** @internal */
export const reasonOfCode = (code: number): QuicStreamReset => new QuicStreamReset(code, true)

interface LibStream {
  readonly streamId: number
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  cancel(reason?: unknown): void
}

const wrap = (s: LibStream): QuicStreamLike => ({
  id: s.streamId,
  readable: s.readable,
  writable: s.writable,
  reset: (code) => {
    try {
      s.cancel(new QuicStreamReset(code, false))
    } catch {
      // Already closed in quiche: nothing to reset.
    }
  }
})

// The library's event names (its classes' names, as it dispatches them).
const STREAM = "EventQUICConnectionStream"
const SEND = "EventQUICConnectionSend"
const CLOSE = "EventQUICConnectionClose"

/**
 * The {@link QuicSession} of a connection `dialQuic` opened.
 *
 * @internal
 */
export const quicSession = (open: QuicOpen): QuicSession => {
  const conn = open.connection
  const quiche = (conn as unknown as { conn: { peerStreamsLeftBidi(): number } }).conn
  const udp = (open.client as unknown as { socket?: { socket?: { ref?(): void; unref?(): void } } }).socket?.socket
  let closed = false
  let handleStream: ((stream: QuicStreamLike) => void) | undefined
  let handleClose: ((info: QuicCloseInfo) => void) | undefined
  // What arrived before `listen`: the peer's streams, the end.
  const pending: Array<QuicStreamLike> = []
  let ended: QuicCloseInfo | undefined
  const session: QuicSession = {
    alpn: open.alpn,
    get remoteAddress() {
      return closed ? undefined : conn.remoteHost
    },
    get remotePort() {
      return closed ? undefined : conn.remotePort
    },
    get localAddress() {
      return closed ? undefined : conn.localHost
    },
    get localPort() {
      return closed ? undefined : conn.localPort
    },
    get peerCertificate() {
      return conn.getRemoteCertsChain()[0]
    },
    bidiCredit: () => {
      try {
        return quiche.peerStreamsLeftBidi()
      } catch {
        return 0
      }
    },
    openBidi: () => wrap(conn.newStream("bidi") as unknown as LibStream),
    openUni: () => wrap(conn.newStream("uni") as unknown as LibStream),
    listen: (stream, close) => {
      handleStream = stream
      handleClose = close
      for (const s of pending.splice(0)) stream(s)
      if (ended !== undefined) close(ended)
    },
    onActivity: undefined,
    close: (code) => {
      if (closed) return
      closed = true
      conn.removeEventListener(STREAM, onStream)
      conn.removeEventListener(SEND, onSend)
      conn.removeEventListener(CLOSE, onClose)
      void open.close(code)
    },
    ref: () => udp?.ref?.(),
    unref: () => udp?.unref?.()
  }
  const onStream = (evt: Event) => {
    const s = wrap((evt as unknown as { detail: LibStream }).detail)
    if (handleStream !== undefined) handleStream(s)
    else pending.push(s)
  }
  const onSend = () => session.onActivity?.()
  const onClose = (evt: Event) => end((evt as unknown as { detail?: unknown }).detail)
  const end = (detail: unknown) => {
    conn.removeEventListener(STREAM, onStream)
    conn.removeEventListener(SEND, onSend)
    conn.removeEventListener(CLOSE, onClose)
    if (closed) return
    closed = true
    const error = detail as { name?: string; data?: { isApp?: boolean; errorCode?: number } } | undefined
    const name = error?.name ?? ""
    const data = error?.data
    ended = {
      byPeer: name.startsWith("ErrorQUICConnectionPeer"),
      idle: name === "ErrorQUICConnectionIdleTimeout",
      code: data?.errorCode,
      app: data?.isApp === true,
      cause: error
    }
    handleClose?.(ended)
    void open.close(0)
  }
  conn.addEventListener(STREAM, onStream)
  conn.addEventListener(SEND, onSend)
  conn.addEventListener(CLOSE, onClose, { once: true })
  for (const evt of open.takeEarlyStreams()) onStream(evt)
  // A backstop: the connection is gone however it ended (its socket stopped, say).
  void conn.closedP.then(() => end(undefined))
  return session
}
