/**
 * The HTTP/3 connection driver (RFC 9114): one QUIC connection
 * ({@link QuicSession}) carrying one {@link H3Stream} per request; the pool
 * treats it as it treats an HTTP/2 session.
 *
 * - **Our streams**: the control stream (SETTINGS with our field-section
 *   limit) and the QPACK encoder and decoder streams (types 0x02, 0x03;
 *   nothing more is written on them: no dynamic table), opened at once.
 * - **The peer's streams**, by type: its control stream (SETTINGS first,
 *   then GOAWAY), its QPACK streams (`QpackStreamReader`: capacity 0 only);
 *   a push stream is H3_ID_ERROR (we allow none), a second critical stream
 *   H3_STREAM_CREATION_ERROR, a critical stream ending
 *   H3_CLOSED_CRITICAL_STREAM, an unknown type is refused (STOP_SENDING
 *   H3_STREAM_CREATION_ERROR), a server-initiated bidirectional stream is
 *   H3_STREAM_CREATION_ERROR. A connection error closes the connection with
 *   its code and fails every request (`ProtocolError` `h3-…`).
 * - **Capacity** is the peer's bidirectional stream credit when the
 *   connection opened (its concurrency limit: it grants a new stream as one
 *   closes). The library refuses a stream past the credit, and the credit
 *   comes back only when the peer has seen a stream end, so `begin` queues a
 *   request until there is credit (tried again on the connection's traffic).
 * - **GOAWAY** makes it `draining`: the requests at or above its stream ID
 *   were not processed and fail as `stream-reset` `H3_REQUEST_REJECTED`
 *   (retried by the engine as HTTP/2's `REFUSED_STREAM`), queued ones as
 *   unsent; it closes when the others finish.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { X509Certificate } from "node:crypto"
import type * as net from "node:net"
import type * as tls from "node:tls"
import { ConnectionClosed, InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import { errorCodes, h3Error } from "../http3/error.js"
import type { Http3Error } from "../http3/error.js"
import { encodeControlStreamPreface, encodeFrame, FrameType, StreamType } from "../http3/frame.js"
import type { Settings } from "../http3/frame.js"
import { requestFields } from "../http3/message.js"
import { encodeFieldSection, fieldSectionSize } from "../http3/qpack.js"
import type { QuicCloseInfo, QuicSession, QuicStreamLike } from "../node/quicSession.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { Connection, ConnectionInfo, Request, ResponseHead, Status } from "./connection.js"
import type { BodyMode, Exchange } from "./exchange.js"
import { closedError } from "./exchange.js"
import { H3_NO_ERROR, h3ProtocolError, h3RequestRejected, h3SessionError, h3StreamReset } from "./h3Errors.js"
import { effectiveHeadLimits } from "./headLimits.js"
import { H3Stream } from "./h3Stream.js"
import type { H3Owner } from "./h3Stream.js"
import { readPeerStream } from "./h3PeerStreams.js"
import type { PeerStreams } from "./h3PeerStreams.js"

/** How a connection is opened. @internal */
export interface H3Options {
  /** The response-head limits of requests that set none (the pool's); `maxHeaderSize` is also our SETTINGS_MAX_FIELD_SECTION_SIZE. */
  readonly headLimits: HeadLimits
  readonly wheel: TimerWheel
  /** For errors. */
  readonly method?: string | undefined
  readonly url?: string | undefined
}

const ignore = (): void => {}

/** @internal */
export class H3Connection implements Connection, H3Owner, PeerStreams {
  readonly protocol = "h3" as const
  readonly isTls = true
  requests = 0
  idleSince: number
  readonly info: ConnectionInfo
  /** The peer's bidirectional stream credit when the connection opened (at least 1). */
  readonly capacity: number
  /** Requests begun and not yet ended (queued ones included). */
  private readonly live = new Set<H3Stream>()
  /** Requests waiting for stream credit, in order. */
  private readonly queue: Array<H3Stream> = []
  private closedFlag = false
  goawayId = Infinity
  /** The peer's SETTINGS, once its control stream gave them. */
  peerSettings: Settings | undefined = undefined
  /** Which critical streams the peer opened. */
  readonly critical = { control: false, encoder: false, decoder: false }
  /** Why the connection ended, when it failed. */
  private failureOf: ((ex: Exchange) => HackneyError) | undefined = undefined
  onClosed: (() => void) | undefined = undefined
  onChange: (() => void) | undefined = undefined
  headObserver: ((head: ResponseHead) => void) | undefined = undefined

  constructor(readonly session: QuicSession, private readonly options: H3Options) {
    this.idleSince = options.wheel.clock.unsafeCurrentTimeMillis()
    this.capacity = Math.max(1, session.bidiCredit())
    this.info = new QuicInfo(session)
    // Our critical streams: they stay open for the connection's life (never FIN).
    const preface = encodeControlStreamPreface({ maxFieldSectionSize: options.headLimits.maxHeaderSize })
    for (const bytes of [preface, Uint8Array.of(StreamType.QPACK_ENCODER), Uint8Array.of(StreamType.QPACK_DECODER)]) {
      const w = session.openUni().writable.getWriter()
      w.write(bytes).catch(ignore)
      w.releaseLock()
    }
    session.listen(this.onPeerStream, this.onQuicClose)
  }

  /**
   * The driver over an open QUIC connection (ALPN `h3`): its critical
   * streams are opened; requests may start at once (RFC 9114 §6.2.1: the
   * peer's SETTINGS need not be awaited).
   */
  static open(session: QuicSession, options: H3Options): Effect.Effect<H3Connection, HackneyError> {
    return Effect.try({
      try: () => new H3Connection(session, options),
      catch: (cause) => {
        session.close(H3_NO_ERROR)
        return new ConnectionClosed({ method: options.method, url: options.url, requestSent: false, cause })
      }
    })
  }

  get isAvailable(): boolean {
    return !this.closedFlag && this.goawayId === Infinity
  }

  get free(): number {
    return this.isAvailable ? Math.max(0, this.capacity - this.live.size) : 0
  }

  get streams(): number {
    return this.live.size
  }

  get status(): Status {
    if (this.closedFlag) return "closed"
    if (this.goawayId !== Infinity) return "draining"
    return this.live.size === 0 ? "idle" : "active"
  }

  ref(): void {
    this.session.ref()
  }

  unref(): void {
    this.session.unref()
  }

  toJSON(): unknown {
    return {
      protocol: this.protocol,
      status: this.status,
      requests: this.requests,
      streams: this.live.size,
      queued: this.queue.length,
      capacity: this.capacity,
      goawayId: this.goawayId === Infinity ? undefined : this.goawayId,
      exchanges: [...this.live].map((s) => s.ex.toJSON())
    }
  }

  /**
   * Starts `request` on a new stream, or queues it until the peer gives
   * stream credit. `traceparent`: one more field of this stream's head.
   */
  begin(request: Request, mode: BodyMode, wheel: TimerWheel, bodyFollows: boolean = request.body._tag === "Stream", traceparent?: string): Exchange {
    const limits = effectiveHeadLimits(request.headLimits, this.options.headLimits)
    const s = new H3Stream(this, request.method, request.href, mode, request.maxBodySize, request.bodySize, request.recvTimeout, wheel, limits)
    const ex = s.ex
    ex.reused = this.requests > 0
    this.requests++
    if (!this.isAvailable) {
      ex.fail(this.failureOf?.(ex) ?? new ConnectionClosed({ method: ex.method, url: ex.url, requestSent: false, reused: ex.reused }))
      return ex
    }
    const fields = requestFields(request.method, "https", request.authority, request.target, request.rawHeaders)
    if (traceparent !== undefined) fields.push("traceparent", traceparent)
    const size = request.bodySize
    if (size !== undefined && (size > 0 || request.method === "POST" || request.method === "PUT" || request.method === "PATCH")) {
      fields.push("content-length", String(size))
    }
    const peerLimit = this.peerSettings?.maxFieldSectionSize ?? Infinity
    if (fieldSectionSize(fields) > peerLimit) {
      ex.fail(new InvalidRequest({
        reason: "header-value",
        detail: `the request's header section is ${fieldSectionSize(fields)} bytes, over the server's SETTINGS_MAX_FIELD_SECTION_SIZE (${peerLimit})`,
        method: ex.method,
        url: ex.url
      }))
      return ex
    }
    s.send(encodeFrame(FrameType.HEADERS, encodeFieldSection(fields)))
    const body = request.body
    if (body._tag === "Bytes" && body.bytes.length > 0) {
      s.send(encodeFrame(FrameType.DATA, body.bytes))
      ex.bodySent = body.bytes.length
    }
    this.live.add(s)
    this.queue.push(s)
    this.flush()
    if (!bodyFollows) {
      s.endRequest()
      s.requestFinished()
    }
    return ex
  }

  /** Opens streams for queued requests while the peer gives credit; listens to traffic while some wait. */
  private flush(): void {
    while (this.queue.length > 0 && !this.closedFlag) {
      const s = this.queue[0]
      if (s.closed || s.ex.settled) {
        this.queue.shift()
        continue
      }
      if (this.session.bidiCredit() <= 0) break
      let quic: QuicStreamLike
      try {
        quic = this.session.openBidi()
      } catch {
        break
      }
      this.queue.shift()
      s.attach(quic)
    }
    this.session.onActivity = this.queue.length > 0 ? this.onActivity : undefined
  }

  private readonly onActivity = (): void => this.flush()

  release(exchange: Exchange): boolean {
    ;(exchange.driver as H3Stream).release()
    if (this.live.size === 0) this.idleSince = this.options.wheel.clock.unsafeCurrentTimeMillis()
    return this.isAvailable
  }

  abort(error: HackneyError): void {
    for (const s of [...this.live]) s.connectionDied(error)
    this.close()
  }

  /** Closes the connection (H3_NO_ERROR); open requests fail. Idempotent. */
  close(): void {
    this.shutdown(H3_NO_ERROR, (ex) => closedError(ex, undefined))
  }

  private shutdown(code: number, failure: (ex: Exchange) => HackneyError): void {
    if (this.closedFlag) return
    this.closedFlag = true
    this.failureOf ??= failure
    this.session.onActivity = undefined
    this.queue.length = 0
    for (const s of [...this.live]) s.connectionDied(this.failureOf(s.ex))
    this.session.close(code)
    const cb = this.onClosed
    this.onClosed = undefined
    if (cb !== undefined) cb()
  }

  // --- H3Owner ------------------------------------------------------------------

  streamClosed(s: H3Stream): void {
    this.live.delete(s)
    if (this.live.size === 0) {
      this.idleSince = this.options.wheel.clock.unsafeCurrentTimeMillis()
      if (this.goawayId !== Infinity) this.close()
    }
    if (this.queue.length > 0) this.flush()
  }

  failure(s: H3Stream): HackneyError | undefined {
    return this.closedFlag && this.failureOf !== undefined ? this.failureOf(s.ex) : undefined
  }

  /** A connection error we detected: close with its code; every request fails with it. */
  connectionError(e: Http3Error, _s?: H3Stream): void {
    const o = this.options
    this.shutdown(errorCode(e), (ex) => h3ProtocolError(e, ex.method ?? o.method, ex.url ?? o.url))
  }

  // --- PeerStreams ----------------------------------------------------------------

  settingsReceived(settings: Settings): void {
    this.peerSettings = settings
  }

  goawayReceived(id: number): void {
    if (id >= this.goawayId && this.goawayId !== Infinity) return
    this.goawayId = id
    for (const s of [...this.live]) {
      const sid = s.id
      if (sid === undefined) {
        s.connectionDied(new ConnectionClosed({ method: s.ex.method, url: s.ex.url, requestSent: false, reused: s.ex.reused }))
      } else if (sid >= id) {
        s.connectionDied(h3StreamRejected(s))
      }
    }
    this.queue.length = 0
    this.onChange?.()
    if (this.live.size === 0) this.close()
  }

  private readonly onPeerStream = (stream: QuicStreamLike): void => {
    if (this.closedFlag) return stream.reset(H3_NO_ERROR)
    // Server-initiated bidirectional streams (id % 4 === 1) have no meaning in HTTP/3 (RFC 9114 §6.1).
    if ((stream.id & 0x02) === 0) {
      stream.reset(0x103)
      return this.connectionError(h3Error("H3_STREAM_CREATION_ERROR", `the server opened bidirectional stream ${stream.id}`))
    }
    readPeerStream(this, stream)
  }

  private readonly onQuicClose = (info: QuicCloseInfo): void => {
    if (this.closedFlag) return
    const o = this.options
    const code = info.code
    const failed = info.byPeer && info.app && code !== undefined && code !== H3_NO_ERROR
    this.shutdown(
      H3_NO_ERROR,
      failed
        ? (ex) => h3SessionError(code, "the server closed the HTTP/3 connection with an error", ex.method ?? o.method, ex.url ?? o.url, info.cause)
        : (ex) => closedError(ex, info.cause)
    )
  }
}

const errorCode = (e: Http3Error): number => errorCodes[e.code]

const h3StreamRejected = (s: H3Stream): HackneyError => h3StreamReset(h3RequestRejected, s.ex.method, s.ex.url)

/** A QUIC connection's addresses and certificate (from its DER: Node's legacy object, without `issuerCertificate`). */
class QuicInfo implements ConnectionInfo {
  readonly alpn: string
  readonly tls = true
  constructor(private readonly session: QuicSession) {
    this.alpn = session.alpn
  }
  get peercert(): tls.DetailedPeerCertificate | undefined {
    const der = this.session.peerCertificate
    return der === undefined ? undefined : (new X509Certificate(der).toLegacyObject() as unknown as tls.DetailedPeerCertificate)
  }
  get remoteAddress(): string | undefined {
    return this.session.remoteAddress
  }
  get peername(): net.AddressInfo | undefined {
    const address = this.session.remoteAddress
    return address === undefined ? undefined : { address, family: address.includes(":") ? "IPv6" : "IPv4", port: this.session.remotePort ?? 0 }
  }
  get sockname(): net.AddressInfo | undefined {
    const address = this.session.localAddress
    return address === undefined ? undefined : { address, family: address.includes(":") ? "IPv6" : "IPv4", port: this.session.localPort ?? 0 }
  }
}
