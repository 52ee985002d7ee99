/**
 * The HTTP/2 connection driver: one `node:http2` client session over a
 * socket our transport dialled (TLS verification, Unix sockets, proxy
 * tunnels stay ours; `http2.connect` is given it through `createConnection`),
 * carrying one {@link H2Stream} per request. nghttp2 does the framing, HPACK
 * and flow control.
 *
 * - **Capacity** is the peer's `SETTINGS_MAX_CONCURRENT_STREAMS`, read from
 *   its first SETTINGS (the dial waits for it) and followed afterwards; the
 *   pool is told through `onChange`.
 * - **GOAWAY** makes the session `draining`: no new stream; the streams the
 *   server took (id ≤ last-stream-id) finish; those above were never
 *   processed and fail with `stream-reset` `REFUSED_STREAM`, which the engine
 *   retries on a new session (as an `RST_STREAM(REFUSED_STREAM)`).
 * - **A dead session** (socket closed, a protocol error nghttp2 detected,
 *   GOAWAY with an error) fails only its own streams: `ConnectionClosed`, or
 *   `ProtocolError` `session-error` with the HTTP/2 code. A flood nghttp2
 *   detects is told to a stream first: it is recorded as the session's
 *   failure, so the stream fails with it. A session nghttp2 ended silently
 *   (its own GOAWAY, no Node event) is found by a reset stream that does not
 *   close within `resetGrace`, and closed.
 * - **Health.** A stream whose receive timeout fires when nothing at all
 *   arrived on the session since that stream's last frame (no frame of any
 *   stream, no SETTINGS, no PING) puts the session in doubt: it is PINGed
 *   and takes no new stream until the answer (its `capacity` is 0, so the
 *   pool uses or dials another connection; an idle one in doubt is closed
 *   rather than handed out); its other streams go on. The PING answered,
 *   the session takes streams again; unanswered within that stream's
 *   `recvTimeout` (on the Clock), the session is closed and what still ran
 *   on it fails with `RecvTimeout`. A stalled or silently ended session thus
 *   costs the requests it carried, not the ones that came after. No timer
 *   runs per session: the sign is a stream's own timeout (Go's http2 pings
 *   on a read-idle timer instead).
 * - Server push is refused (`SETTINGS_ENABLE_PUSH = 0`); the peer's header
 *   lists are bounded (`SETTINGS_MAX_HEADER_LIST_SIZE`); a stream's receive
 *   window is 1 MiB, the session's 16 MiB, so a slow reader makes the server
 *   wait instead of us buffering.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as http2 from "node:http2"
import type * as net from "node:net"
import { ConnectionClosed, ConnectTimeout, InvalidRequest, ProtocolError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"
import type { OpenSocket } from "../transport/duplex.js"
import type { Connection, ConnectionInfo, Request, ResponseHead, Status } from "./connection.js"
import { recvTimeoutError } from "./exchange.js"
import type { BodyMode, Exchange } from "./exchange.js"
import { h2ErrorName, h2Headers } from "./h2Request.js"
import { effectiveHeadLimits } from "./headLimits.js"
import { H2Stream } from "./h2Stream.js"
import { SocketInfo } from "./socketInfo.js"
import type { StreamOwner } from "./h2Stream.js"

/** A stream's receive window (bytes): what a server may send ahead of a slow reader. @internal */
export const streamWindow = 1024 * 1024

/** The session's receive window (bytes), across its streams. @internal */
export const sessionWindow = 16 * 1024 * 1024

/**
 * How long a reset stream may stay open (ms) before its session is taken as
 * stopped. nghttp2 answers some protocol errors of the peer (DATA on stream
 * 0, a frame over SETTINGS_MAX_FRAME_SIZE) by sending GOAWAY and ending the
 * session without Node emitting anything: no frame goes out any more, so a
 * reset stream never closes. @internal
 */
export const resetGrace = 2000

/** How a session is opened. @internal */
export interface H2Options {
  /** The `:scheme` of its requests. */
  readonly scheme: "http" | "https"
  /** The host and port dialled (for `http2.connect` and errors). */
  readonly host: string
  readonly port: number
  /** The response-head limits of requests that set none (the pool's); `maxHeaderSize` is also sent as `SETTINGS_MAX_HEADER_LIST_SIZE`. */
  readonly headLimits: HeadLimits
  readonly wheel: TimerWheel
  /** How long to wait for the server's first SETTINGS (the rest of the connect timeout), ms. */
  readonly settingsTimeout: number
  /** For errors. */
  readonly method?: string | undefined
  readonly url?: string | undefined
}

/** An nghttp2-detected failure of the session (not a socket error). */
const isProtocolFailure = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | undefined)?.code
  return code === "ERR_HTTP2_ERROR" || code === "ERR_HTTP2_SESSION_ERROR" || code === "ERR_HTTP2_GOAWAY_SESSION"
}

/** @internal */
export class H2Connection implements Connection, StreamOwner {
  readonly protocol = "h2" as const
  requests = 0
  idleSince: number
  readonly socket: net.Socket
  readonly alpn: string
  /** Its addresses, ALPN and certificate, read from the socket when asked. */
  readonly info: ConnectionInfo
  readonly isTls: boolean
  /** Streams open now (begun, not yet closed). */
  private readonly live = new Set<H2Stream>()
  private closedFlag = false
  /** A GOAWAY arrived: no new stream. */
  private goingAway = false
  /** The GOAWAY's last stream id; streams above it were never processed. */
  lastStreamId = Infinity
  private goawayCode = 0
  /** A reset stream did not close within `resetGrace`: nghttp2 ended the session silently. */
  private stalled = false
  /**
   * Frames received, counted (each stream's response head, 1xx, DATA,
   * trailers, end; the peer's SETTINGS and PINGs): a stream that times
   * out with the count it saw at its last frame found the session silent.
   */
  framesIn = 0
  /** The health probe: a PING in flight, answered within this deadline or the session is closed. */
  private probe: Deadline | undefined = undefined
  /** The probe's timeout (ms), for the error of the streams it fails. */
  private probeMillis = 0
  /** Why the session ended, when it failed. */
  closeCause: unknown = undefined
  onClosed: (() => void) | undefined = undefined
  onChange: (() => void) | undefined = undefined
  headObserver: ((head: ResponseHead) => void) | undefined = undefined

  constructor(
    open: OpenSocket,
    readonly session: http2.ClientHttp2Session,
    private readonly options: H2Options
  ) {
    this.socket = open.socket as net.Socket
    this.alpn = open.alpn === "http/1.1" ? "h2c" : open.alpn
    this.isTls = open.tls
    this.info = new SocketInfo(this.socket, this.alpn, this.isTls, open.peercert, open.handshakeMillis)
    this.idleSince = options.wheel.clock.unsafeCurrentTimeMillis()
    session.on("remoteSettings", this.onSettings)
    session.on("ping", this.onFrame)
    session.on("goaway", this.onGoaway)
    session.on("error", this.onError)
    session.on("close", this.onClose)
  }

  /**
   * Opens a session over `open` (its socket becomes the session's) and waits
   * for the server's first SETTINGS, so the stream limit is known when the
   * pool first hands it out. Fails with `ConnectTimeout` when none comes
   * within `settingsTimeout`, `ConnectionClosed`/`ProtocolError` when the
   * session ends first; interrupted, it destroys the socket.
   */
  static open(open: OpenSocket, options: H2Options): Effect.Effect<H2Connection, HackneyError> {
    return Effect.async<H2Connection, HackneyError>((resume) => {
      const socket = open.socket as net.Socket
      let session: http2.ClientHttp2Session
      try {
        session = http2.connect(`${options.scheme}://localhost`, {
          createConnection: () => socket,
          settings: { enablePush: false, initialWindowSize: streamWindow, maxHeaderListSize: options.headLimits.maxHeaderSize },
          // nghttp2's own bound on fields per list (ours, maxHeaderCount, is checked per response), pseudo-headers included.
          maxHeaderListPairs: options.headLimits.maxHeaderCount + 8
        })
      } catch (e) {
        socket.destroy()
        return resume(Effect.fail(new ConnectionClosed({ method: options.method, url: options.url, requestSent: false, cause: e })))
      }
      const conn = new H2Connection(open, session, options)
      const timer = options.wheel.schedule(options.settingsTimeout, () => {
        cleanup()
        conn.close()
        resume(Effect.fail(new ConnectTimeout({
          method: options.method,
          url: options.url,
          host: options.host,
          port: options.port,
          timeoutMillis: options.settingsTimeout
        })))
      })
      const onSettings = () => {
        cleanup()
        try {
          session.setLocalWindowSize(sessionWindow)
        } catch {
          // A session that closed meanwhile fails its first request instead.
        }
        resume(Effect.succeed(conn))
      }
      const onEnd = () => {
        cleanup()
        conn.close()
        resume(Effect.fail(conn.sessionFailure() ?? new ConnectionClosed({ method: options.method, url: options.url, requestSent: false, cause: conn.closeCause })))
      }
      const cleanup = () => {
        timer.cancel()
        session.removeListener("remoteSettings", onSettings)
        session.removeListener("close", onEnd)
      }
      session.once("remoteSettings", onSettings)
      session.once("close", onEnd)
      return Effect.sync(() => {
        cleanup()
        conn.close()
      })
    })
  }

  /** Takes new streams: open, no GOAWAY, below the stream limit. */
  get isAvailable(): boolean {
    return !this.closedFlag && !this.goingAway && !this.session.destroyed && !this.session.closed
  }

  /**
   * Streams it may carry at once: the peer's `SETTINGS_MAX_CONCURRENT_STREAMS`
   * (at least 1), or 0 while its health is in doubt (a PING probe in flight).
   */
  get capacity(): number {
    if (this.probe !== undefined) return 0
    const max = this.session.remoteSettings?.maxConcurrentStreams
    return max === undefined ? 100 : Math.max(1, Math.min(max, 0x7fffffff))
  }

  get free(): number {
    return this.isAvailable ? Math.max(0, this.capacity - this.live.size) : 0
  }

  /** Open streams. */
  get streams(): number {
    return this.live.size
  }

  get status(): Status {
    if (this.closedFlag) return "closed"
    if (this.goingAway || this.session.closed) return "draining"
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
      capacity: this.capacity,
      probing: this.probe !== undefined,
      alpn: this.alpn,
      tls: this.isTls,
      lastStreamId: this.lastStreamId === Infinity ? undefined : this.lastStreamId,
      exchanges: [...this.live].map((s) => s.ex.toJSON())
    }
  }

  /**
   * Opens a stream for `request`: its HTTP/2 head (`h2Request.ts`), a bytes
   * body in DATA frames after it; a streamed body follows through the
   * exchange. The stream's recv timeout runs on `wheel`. `traceparent`: one
   * more field of this stream's head.
   */
  begin(request: Request, mode: BodyMode, wheel: TimerWheel, bodyFollows: boolean = request.body._tag === "Stream", traceparent?: string): Exchange {
    const s = new H2Stream(
      this,
      request.method,
      request.href,
      mode,
      request.maxBodySize,
      request.bodySize,
      request.recvTimeout,
      wheel,
      effectiveHeadLimits(request.headLimits, this.options.headLimits)
    )
    const ex = s.ex
    ex.reused = this.requests > 0
    this.requests++
    if (!this.isAvailable) {
      ex.fail(new ConnectionClosed({ method: ex.method, url: ex.url, requestSent: false, reused: ex.reused, cause: this.closeCause }))
      return ex
    }
    const body = request.body
    const bytes = body._tag === "Bytes" && body.bytes.length > 0 ? body.bytes : undefined
    let stream: http2.ClientHttp2Stream
    try {
      stream = this.session.request(h2Headers(request, this.options.scheme, traceparent), {
        endStream: !bodyFollows && bytes === undefined,
        // Trailers can only follow a body of unknown size (as over HTTP/1.1): wait for them.
        waitForTrailers: bodyFollows && request.bodySize === undefined
      })
    } catch (e) {
      const closing = (e as { code?: string }).code === "ERR_HTTP2_GOAWAY_SESSION" || (e as { code?: string }).code === "ERR_HTTP2_INVALID_SESSION"
      ex.fail(
        closing
          ? new ConnectionClosed({ method: ex.method, url: ex.url, requestSent: false, reused: ex.reused, cause: e })
          : new InvalidRequest({ reason: "header-value", detail: String((e as Error).message), method: ex.method, url: ex.url, cause: e })
      )
      return ex
    }
    this.live.add(s)
    s.attach(stream)
    ex.requestSent = true
    if (bytes !== undefined && !bodyFollows) stream.end(bytes)
    else if (bytes !== undefined) stream.write(bytes)
    if (!bodyFollows) s.requestFinished()
    return ex
  }

  /** Ends `exchange`: its stream is freed (reset with CANCEL if still open); whether the session takes more requests. */
  release(exchange: Exchange): boolean {
    const s = exchange.driver as H2Stream
    s.release()
    if (this.live.size === 0) this.idleSince = this.options.wheel.clock.unsafeCurrentTimeMillis()
    return this.isAvailable
  }

  /** Fails every open stream with `error`, then closes the session. */
  abort(error: HackneyError): void {
    for (const s of this.live) s.sessionDied(error)
    this.close()
  }

  /** Destroys the session and its socket; open streams fail. Idempotent. */
  close(): void {
    if (this.closedFlag) return
    this.closedFlag = true
    this.probe?.cancel()
    this.probe = undefined
    // Each stream's error names its own request (not the one that dialled the session).
    for (const s of this.live) s.sessionDied(this.sessionFailure(s) ?? s.closedError(this.closeCause))
    if (!this.session.destroyed) this.session.destroy()
    this.socket.destroy()
    const cb = this.onClosed
    this.onClosed = undefined
    if (cb !== undefined) cb()
  }

  // --- StreamOwner ------------------------------------------------------------

  streamClosed(s: H2Stream): void {
    this.live.delete(s)
    if (this.live.size === 0) {
      this.idleSince = this.options.wheel.clock.unsafeCurrentTimeMillis()
      // Drained after a GOAWAY: nothing more will run on it.
      if (this.goingAway && !this.closedFlag) this.close()
    }
  }

  /** The error of a stream lost with the session, when the session failed (undefined while it lives). */
  sessionFailure(s?: H2Stream): HackneyError | undefined {
    if (!this.closedFlag && !this.session.destroyed) return undefined
    const ex = s?.ex
    if (this.goawayCode !== 0 || this.stalled || isProtocolFailure(this.closeCause)) {
      const code = this.goawayCode !== 0 ? this.goawayCode : (this.closeCause as { errno?: number } | undefined)?.errno
      return new ProtocolError({
        method: ex?.method ?? this.options.method,
        url: ex?.url ?? this.options.url,
        reason: "session-error",
        detail: this.goawayCode !== 0
          ? "the server sent GOAWAY with an error"
          : this.stalled
          ? `a reset stream did not close within ${resetGrace} ms: the session stopped after a protocol error of the server`
          : String((this.closeCause as Error).message),
        ...(code !== undefined && this.goawayCode !== 0 ? { code, codeName: h2ErrorName(code) } : {}),
        cause: this.closeCause
      })
    }
    return s?.closedError(this.closeCause)
  }

  // --- session events -----------------------------------------------------------

  private readonly onSettings = (): void => {
    this.framesIn++
    this.onChange?.()
  }

  /**
   * The peer's PING: it is alive. (The ACK of our first SETTINGS is not counted: it may come just
   * after a first stream started, and would hide that stream's silent session.)
   */
  private readonly onFrame = (): void => {
    this.framesIn++
  }

  /**
   * A stream's receive timeout fired; `mark` is {@link framesIn} as of its
   * last frame. Nothing received on the whole session since: the session is
   * in doubt, and PINGed (see the module's **Health**); `millis` bounds the
   * wait for the answer. A session already probed, closing or draining is
   * left as it is.
   */
  streamTimedOut(mark: number, millis: number): void {
    if (mark !== this.framesIn || this.probe !== undefined || !this.isAvailable) return
    let sent = false
    try {
      sent = this.session.ping(this.onPingAck)
    } catch {
      // The session is gone: its `close` fails what is left.
    }
    // No PING could go out (too many unanswered ones): the session is not trusted with new streams again.
    if (!sent) return this.retire()
    this.probeMillis = millis
    this.probe = this.options.wheel.schedule(millis, this.onProbeTimeout)
    this.onChange?.()
  }

  private readonly onPingAck = (error: Error | null): void => {
    // A PING cancelled by the session's end: `close` decides.
    if (error !== null || this.probe === undefined || this.closedFlag) return
    this.probe.cancel()
    this.probe = undefined
    this.framesIn++
    this.onChange?.()
  }

  /** The PING went unanswered: the session is dead; what still runs on it fails with `RecvTimeout`. */
  private readonly onProbeTimeout = (): void => {
    this.probe = undefined
    if (this.closedFlag) return
    for (const s of this.live) s.sessionDied(recvTimeoutError(s.ex, this.probeMillis))
    this.close()
  }

  /** No new stream: drains as after a GOAWAY (closed when its streams end), the pool told. */
  retire(): void {
    if (this.goingAway || this.closedFlag) return
    this.goingAway = true
    this.onChange?.()
    if (this.live.size === 0) this.close()
  }

  private readonly onGoaway = (code: number, lastStreamId: number): void => {
    this.goingAway = true
    this.goawayCode = code
    if (lastStreamId < this.lastStreamId) this.lastStreamId = lastStreamId
    if (code !== 0) this.closeCause ??= new Error(`GOAWAY ${h2ErrorName(code)} (code ${code})`)
    this.onChange?.()
    if (this.live.size === 0) this.close()
  }

  private readonly onError = (error: Error): void => {
    this.closeCause ??= error
  }

  sessionError(error: Error): void {
    if (isProtocolFailure(error)) this.closeCause ??= error
  }

  resetSent(s: H2Stream): void {
    this.options.wheel.schedule(resetGrace, () => {
      if (s.closed || this.closedFlag) return
      this.stalled = true
      this.close()
    })
  }

  private readonly onClose = (): void => {
    this.close()
  }
}
