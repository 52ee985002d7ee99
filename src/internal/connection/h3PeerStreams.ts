/**
 * The server's unidirectional streams on an HTTP/3 connection (RFC 9114
 * §6.2, RFC 9204 §4.2), read by type (the varint that starts each): its
 * control stream through `FrameReader("control")` (SETTINGS, GOAWAY), its
 * QPACK encoder and decoder streams through `QpackStreamReader`. A push
 * stream is H3_ID_ERROR (this client allows no push), a second stream of a
 * critical type H3_STREAM_CREATION_ERROR, a critical stream ending or reset
 * H3_CLOSED_CRITICAL_STREAM; a stream of an unknown type is refused
 * (STOP_SENDING H3_STREAM_CREATION_ERROR) and the connection goes on.
 *
 * @internal
 */
import { h3Error } from "../http3/error.js"
import type { Http3Error } from "../http3/error.js"
import { StreamType } from "../http3/frame.js"
import type { Settings } from "../http3/frame.js"
import { FrameReader } from "../http3/frameReader.js"
import { QpackStreamReader } from "../http3/qpackStreams.js"
import { readVarint, varintSizeOf } from "../http3/varint.js"
import { QuicStreamReset } from "../node/quicSession.js"
import type { QuicStreamLike } from "../node/quicSession.js"

/** What the peer's streams tell the connection. @internal */
export interface PeerStreams {
  /** Which critical streams the peer opened so far. */
  readonly critical: { control: boolean; encoder: boolean; decoder: boolean }
  settingsReceived(settings: Settings): void
  goawayReceived(id: number): void
  /** A connection error: the connection closes with its code. */
  connectionError(e: Http3Error): void
}

/** H3_STREAM_CREATION_ERROR, the STOP_SENDING code of a refused stream. */
const STREAM_CREATION_ERROR = 0x103

interface Sink {
  push(chunk: Uint8Array): Http3Error | undefined
  end(): Http3Error | undefined
}

/** The reader of a stream of `type`, or the error of opening it; `undefined`: an unknown type, refused. */
const sinkFor = (conn: PeerStreams, type: number): Sink | Http3Error | undefined => {
  const c = conn.critical
  switch (type) {
    case StreamType.CONTROL:
      if (c.control) return h3Error("H3_STREAM_CREATION_ERROR", "the server opened a second control stream")
      c.control = true
      return new FrameReader("control", {
        data: () => undefined,
        headers: () => undefined,
        settings: (s) => (conn.settingsReceived(s), undefined),
        goaway: (id) => (conn.goawayReceived(id), undefined)
      })
    case StreamType.QPACK_ENCODER:
    case StreamType.QPACK_DECODER: {
      const kind = type === StreamType.QPACK_ENCODER ? "encoder" : "decoder"
      if (c[kind]) return h3Error("H3_STREAM_CREATION_ERROR", `the server opened a second QPACK ${kind} stream`)
      c[kind] = true
      return new QpackStreamReader(kind)
    }
    case StreamType.PUSH:
      return h3Error("H3_ID_ERROR", "the server opened a push stream, but this client allows no push")
    default:
      return undefined
  }
}

/**
 * Reads the peer's unidirectional `stream` until it ends, routing its bytes
 * by its type to the connection.
 *
 * @internal
 */
export const readPeerStream = (conn: PeerStreams, stream: QuicStreamLike): void => {
  const reader = stream.readable.getReader()
  let sink: Sink | undefined
  // The stream type's bytes so far (a varint may be split across reads).
  let head: Uint8Array | undefined
  const stop = (e: Http3Error | undefined): void => {
    reader.cancel().catch(() => {})
    if (e !== undefined) conn.connectionError(e)
  }
  const onChunk = (r: { done: boolean; value?: Uint8Array | undefined }): void => {
    if (r.done) {
      // A critical stream must not end (RFC 9114 §6.2.1, RFC 9204 §4.2).
      if (sink !== undefined) return stop(sink.end() ?? h3Error("H3_CLOSED_CRITICAL_STREAM", "the server closed a critical stream"))
      return
    }
    let bytes = r.value!
    if (sink === undefined) {
      bytes = head === undefined ? bytes : Uint8Array.from([...head, ...bytes])
      if (bytes.length === 0 || bytes.length < varintSizeOf(bytes[0])) {
        head = bytes
        return next()
      }
      const type = readVarint(bytes, 0)
      const s = sinkFor(conn, type)
      if (s === undefined) return stream.reset(STREAM_CREATION_ERROR)
      if ("_tag" in s) return stop(s)
      sink = s
      bytes = bytes.subarray(varintSizeOf(bytes[0]))
    }
    const e = sink.push(bytes)
    if (e !== undefined) return stop(e)
    next()
  }
  const onError = (reason: unknown): void => {
    // Only the peer's reset; the connection ending errors every stream too, and says why itself.
    if (sink !== undefined && reason instanceof QuicStreamReset && reason.byPeer) conn.connectionError(h3Error("H3_CLOSED_CRITICAL_STREAM", "the server reset a critical stream"))
  }
  const next = (): void => {
    reader.read().then(onChunk, onError)
  }
  next()
}
