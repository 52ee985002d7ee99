/**
 * The HTTP/1.1 connection driver: owns one socket and one sans-IO parser,
 * writes requests, feeds socket bytes to the parser and routes the events to
 * the current {@link Exchange}. Plain callbacks inside (this is the hot path);
 * Effects only where a fiber waits.
 *
 * States (see {@link ConnectionState}): `idle` → `active` (one exchange in
 * flight) → `done` (its response complete, the exchange frozen) → `idle`
 * again on release, or `closed` (terminal). HTTP/1.1 without pipelining
 * means the server speaks only while a response is outstanding, that is in
 * `active`: a byte in any other state — after the response's end in the
 * same read, later, or while idle in the pool — is unsolicited, and closes
 * the connection (hackney drops an idle connection that receives data). The
 * completed exchange keeps the response it had; a pool never hands the
 * connection out again.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { BodyTooLarge, InvalidRequest, ProtocolError } from "../../HackneyError.js"
import type { ConnectionClosed, HackneyError } from "../../HackneyError.js"
import { encodeCheckedHead, encodeChunkHeader, encodeLastChunk, withField } from "../http1/encoder.js"
import { Http1ParseError, Http1Parser } from "../http1/parser.js"
import type { HeadLimits, ParserSink, ResponseHead } from "../http1/parser.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"
import type { Duplex, OpenSocket } from "../transport/duplex.js"
import type { Connection, ConnectionInfo, Request, RequestHead, ResponseHead as Head, Status } from "./connection.js"
import { forwardHead, forwardRefusal } from "./forwardProxy.js"
import type { ForwardProxy } from "./forwardProxy.js"
import { effectiveHeadLimits } from "./headLimits.js"
import { fromParseError } from "./protocolError.js"
import { awaitDrain } from "./drain.js"
import { closedError, Exchange, recvTimeoutError } from "./exchange.js"
import { addInformational } from "./informational.js"
import { SocketInfo } from "./socketInfo.js"
import type { BodyDriver, BodyMode } from "./exchange.js"

/** Stream-mode buffer size above which the socket is paused (backpressure). @internal */
export const highWaterMark = 256 * 1024

export { maxInformational, maxInformationalBytes } from "./informational.js"

/**
 * - `idle`: no exchange, nothing received since the last response ended;
 *   reusable.
 * - `active`: an exchange is in flight and its response not complete: the
 *   only state in which the parser's events reach an exchange.
 * - `done`: the exchange's response is complete; it is frozen until the
 *   reader releases it. Any byte now is unsolicited.
 * - `closed`: the socket is destroyed; terminal.
 *
 * @internal
 */
export type ConnectionState = "idle" | "active" | "done" | "closed"

/** @internal */
export interface ConnectionOptions {
  /** Inactivity timeout while a response is awaited, in ms. */
  readonly recvTimeout: number
  readonly wheel: TimerWheel
  /** The response-head limits of requests that set none (the pool's). Default: the parser's. */
  readonly headLimits?: HeadLimits | undefined
  /** An HTTP proxy that forwards the requests (absolute-form, `Proxy-Authorization`, 407 → `ProxyError`). */
  readonly forward?: ForwardProxy | undefined
}

/** The HTTP/1.1 encoding of a head, encoded once per head object (kept in `h1`). @internal */
export const encodeHead = (head: RequestHead): string =>
  head.h1 ??= encodeCheckedHead(head.method, head.target, head.authority, head.rawHeaders, head.bodySize)

/** A body that broke its declared framing: the head was sent already. */
const bodyError = (ex: Exchange, detail: string) =>
  new InvalidRequest({ reason: "body", detail, method: ex.method, url: ex.url, requestSent: true })

const stateStatus: Record<ConnectionState, Status> = { idle: "idle", active: "active", done: "active", closed: "closed" }

/** @internal */
export class H1Connection implements Connection, BodyDriver, ParserSink {
  readonly protocol = "http/1.1" as const
  state: ConnectionState = "idle"
  /** Requests started on this connection. */
  requests = 0
  /** Clock time the connection last became idle. */
  idleSince: number
  readonly socket: Duplex
  readonly alpn: string
  /** Its addresses, ALPN and certificate, read from the socket when asked. */
  readonly info: ConnectionInfo
  readonly isTls: boolean
  private readonly parser = new Http1Parser({ mode: "response" })
  private ex: Exchange | undefined = undefined
  /**
   * The recv-inactivity deadline, reused across this connection's requests;
   * on the wheel of the Clock of the fiber that made the current request.
   */
  private deadline: Deadline
  private paused = false
  private recvTimeout: number
  /** Called once when the connection closes (peer close, error, or `close()`). */
  onClosed: (() => void) | undefined = undefined
  /** The pool's hook for capacity changes: never called (HTTP/1.1 carries one request, always). */
  onChange: (() => void) | undefined = undefined
  /** Why the connection closed, when the peer or an error closed it. */
  closeCause: unknown = undefined
  headObserver: ((head: Head) => void) | undefined = undefined
  /** {@link retire}d: closed at its release. */
  private retiring = false

  constructor(open: OpenSocket, readonly options: ConnectionOptions) {
    this.socket = open.socket
    this.alpn = open.alpn
    this.isTls = open.tls
    this.info = new SocketInfo(this.socket, this.alpn, this.isTls, open.peercert, open.handshakeMillis)
    this.recvTimeout = options.recvTimeout
    this.idleSince = options.wheel.clock.unsafeCurrentTimeMillis()
    this.deadline = options.wheel.deadline(this.onRecvTimeout)
    const socket = this.socket
    socket.on("data", this.onSocketData)
    socket.on("end", this.onSocketEnd)
    socket.on("error", this.onSocketError)
    socket.on("close", this.onSocketClose)
  }

  /** Reusable for a new request: idle, open, not told to close. */
  get isAvailable(): boolean {
    return this.state === "idle" && !this.socket.destroyed && this.socket.readable && this.socket.writable
  }

  /** Requests it carries at once: HTTP/1.1 carries one (no pipelining). */
  get capacity(): number {
    return 1
  }

  /** No multiplexed streams over HTTP/1.1. */
  get streams(): number {
    return 0
  }

  /** Requests it can take now: 1 when idle and open, else 0. */
  get free(): number {
    return this.isAvailable ? 1 : 0
  }

  get status(): Status {
    return stateStatus[this.state]
  }


  /** In use: the socket keeps the process alive. */
  ref(): void {
    this.socket.ref()
  }

  /** Idle in a pool: the socket does not keep the process alive. */
  unref(): void {
    this.socket.unref()
  }

  toJSON(): unknown {
    return {
      protocol: this.protocol,
      state: this.state,
      requests: this.requests,
      idleSince: this.idleSince,
      alpn: this.alpn,
      tls: this.isTls,
      paused: this.paused,
      exchange: this.ex?.toJSON()
    }
  }


  /**
   * Starts an exchange: encodes the request head (once per head object) and
   * writes it (with a bytes body, in the same flush); returns the exchange
   * the response will fill. The caller must have checked `isAvailable`. The
   * recv timeout runs on `wheel`: the Clock of the fiber that makes the
   * request, whoever dialled the connection. `traceparent`: one more line
   * in this request's head (the memoised head is left as it is).
   */
  begin(request: Request, mode: BodyMode, wheel: TimerWheel, bodyFollows: boolean = request.body._tag === "Stream", traceparent?: string): Exchange {
    if (wheel !== this.deadline.wheel) {
      this.deadline.cancel()
      this.deadline = wheel.deadline(this.onRecvTimeout)
    }
    const method = request.method
    const ex = new Exchange(method, request.href, mode, request.maxBodySize, request.bodySize, this)
    this.ex = ex
    this.state = "active"
    ex.reused = this.requests > 0
    this.requests++
    this.recvTimeout = request.recvTimeout
    this.parser.setHeadLimits(effectiveHeadLimits(request.headLimits, this.options.headLimits))
    this.parser.expectResponseTo(method)
    const socket = this.socket
    const forward = this.options.forward
    const head = forward === undefined ? request.h1 ?? encodeHead(request) : forwardHead(request, forward)
    const encoded = traceparent === undefined ? head : withField(head, "traceparent", traceparent)
    ex.requestSent = true
    const body = request.body
    if (body._tag === "Bytes" && body.bytes.length > 0) {
      socket.cork()
      socket.write(encoded, "latin1")
      socket.write(body.bytes)
      socket.uncork()
    } else {
      socket.write(encoded, "latin1")
    }
    if (!bodyFollows) {
      ex.requestDone = true
      this.armRecvTimeout()
    }
    return ex
  }

  /**
   * Writes request body bytes of `ex`: a chunk (size line, data, CRLF, in one
   * flush) when the body's size is unknown, else the bytes, checked against
   * the declared size. Resolves when the socket accepted them (backpressure).
   */
  writeBody(ex: Exchange, chunk: Uint8Array): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      if (ex.error !== undefined) return Effect.fail(ex.error)
      if (this.socket.destroyed) return Effect.fail(this.closedError(ex))
      const length = ex.bodySize
      ex.bodySent += chunk.length
      if (length === undefined) return this.writeChunk(chunk, ex)
      if (ex.bodySent > length) {
        return Effect.fail(bodyError(ex, `the body gave more than the declared ${length} bytes; the connection was closed`))
      }
      return this.write(chunk, ex)
    })
  }

  /**
   * Ends the request body of `ex`: the last chunk (with `rawTrailers`) when
   * chunked, else checks that the declared size was written. The recv timeout
   * starts now.
   */
  endBody(ex: Exchange, rawTrailers: ReadonlyArray<string> | undefined): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      const length = ex.bodySize
      let end: Effect.Effect<void, HackneyError>
      if (length === undefined) {
        const last = encodeLastChunk(rawTrailers)
        if (Either.isLeft(last)) {
          const e = last.left
          return Effect.fail(new InvalidRequest({ reason: e.reason, detail: `trailers: ${e.detail}`, method: ex.method, url: ex.url, requestSent: true }))
        }
        if (ex.error !== undefined) return Effect.fail(ex.error)
        if (this.socket.destroyed) return Effect.fail(this.closedError(ex))
        end = this.write(last.right, ex)
      } else if (rawTrailers !== undefined && rawTrailers.length > 0) {
        return Effect.fail(bodyError(ex, "trailers need a body of unknown size (chunked), but a Content-Length was declared"))
      } else if (ex.bodySent !== length) {
        return Effect.fail(bodyError(ex, `the body gave ${ex.bodySent} bytes, ${length} were declared; the connection was closed`))
      } else end = Effect.void
      return Effect.tap(end, () => this.requestFinished())
    })
  }

  /** The body of `ex` is cut short (the server answered first): the framing is broken, the connection not reused. */
  abandonBody(_ex: Exchange): void {
    this.requestFinished(false)
  }

  /** A stream-mode reader drained the buffer: resume the socket. */
  drained(): void {
    if (this.paused) {
      this.paused = false
      this.socket.resume()
    }
  }

  /** Writes bytes (the exchange is live, the socket open); resolves when the socket accepted them (backpressure). */
  private write(chunk: Uint8Array | string, ex: Exchange): Effect.Effect<void, HackneyError> {
    const ok = typeof chunk === "string" ? this.socket.write(chunk, "latin1") : this.socket.write(chunk)
    return ok ? Effect.void : this.awaitDrain(ex)
  }

  /** Writes one chunk of a chunked body (size line, data, CRLF) in one flush. */
  private writeChunk(chunk: Uint8Array, ex: Exchange): Effect.Effect<void, HackneyError> {
    if (chunk.length === 0) return Effect.void
    const socket = this.socket
    socket.cork()
    socket.write(encodeChunkHeader(chunk.length), "latin1")
    socket.write(chunk)
    const ok = socket.write("\r\n", "latin1")
    socket.uncork()
    return ok ? Effect.void : this.awaitDrain(ex)
  }

  /**
   * Waits until the socket drains. Also returns when the response completed
   * meanwhile (the server answered without reading the whole body: the
   * caller stops sending; see `bodyAbandoned`), and fails when the exchange
   * fails. A peer that neither reads nor answers for `recvTimeout` fails it
   * with `RecvTimeout`.
   */
  private awaitDrain(ex: Exchange): Effect.Effect<void, HackneyError> {
    return awaitDrain(this.socket, ex, () => this.closedError(ex), () => this.armRecvTimeout(), () => {
      if (!ex.requestDone && !ex.settled) this.disarm()
    })
  }

  /**
   * The request body is done: the recv timeout starts now. `complete` false
   * means the body was cut short (the server answered before it was sent):
   * the framing is broken, so the connection will not be reused.
   */
  private requestFinished(complete = true): void {
    const ex = this.ex
    if (ex === undefined) return
    ex.requestDone = complete
    if (!ex.settled) this.armRecvTimeout()
  }

  /**
   * Ends the current exchange from the reader's side. When the response was
   * complete and allowed keep-alive the connection becomes idle (reusable);
   * otherwise it is closed. Returns whether it is reusable.
   */
  /** No new request: closed now if idle, else at its release. */
  retire(): void {
    if (this.ex === undefined) this.close()
    else this.retiring = true
  }

  release(ex: Exchange): boolean {
    if (this.ex !== ex) return this.isAvailable
    this.ex = undefined
    this.disarm()
    if (this.retiring) {
      this.close()
      return false
    }
    if (this.paused) {
      this.paused = false
      this.socket.resume()
    }
    // Reusable only when both messages ended cleanly (a request body cut short leaves the peer
    // mid-message) and nothing came after the response (`done`, not `closed`).
    if (this.state === "done" && ex.requestDone && ex.keepAlive) {
      // The invariant `done` keeps: the parser is between messages, nothing of another one buffered.
      if (!this.parser.isIdle) {
        this.unsolicited("after the response (found at release)")
        return false // (unreachable while onSocketData keeps the invariant: it closes such a connection first)
      }
      this.state = "idle"
      this.idleSince = this.options.wheel.clock.unsafeCurrentTimeMillis()
      return true
    }
    this.close()
    return false
  }

  /** Fails the exchange in flight (if any) with `error`, then closes. */
  abort(error: HackneyError): void {
    const ex = this.ex
    if (ex !== undefined && !ex.settled) ex.fail(error)
    this.close()
  }

  /** Destroys the socket. Idempotent. */
  close(): void {
    if (this.state === "closed") return
    this.state = "closed"
    this.disarm()
    const socket = this.socket
    socket.destroy()
    const ex = this.ex
    if (ex !== undefined && !ex.settled) ex.fail(this.closedError(ex))
    const cb = this.onClosed
    this.onClosed = undefined
    if (cb !== undefined) cb()
  }

  // --- socket callbacks -------------------------------------------------

  private readonly onSocketData = (data: Buffer): void => {
    const ex = this.ex
    if (this.state !== "active" || ex === undefined || ex.error !== undefined) {
      this.unsolicited(
        this.state === "done" ? "after the response" : this.state === "active" ? "after the exchange failed" : "while idle"
      )
      return
    }
    ex.responseStarted = true
    this.deadline.touch(this.recvTimeout)
    try {
      this.parser.execute(data, this)
    } catch (e) {
      this.failProtocol(ex, e)
      return
    }
    // The response ended inside this read: whatever followed it (a partial head, a blank line) is unsolicited.
    // (A response that closes the connection left the parser in its closed state, which rejects such bytes.)
    if (ex.complete && ex.keepAlive && !this.parser.isIdle) {
      this.unsolicited("after the response")
      return
    }
    if (ex.mode === "stream" && ex.buffered > highWaterMark && !this.paused && !ex.settled) {
      this.paused = true
      this.socket.pause()
    }
  }

  private readonly onSocketEnd = (): void => {
    const ex = this.ex
    if (ex !== undefined && !ex.settled && ex.head !== undefined) {
      // A body read until the close completes here; a message the parser finds unfinished fails the
      // exchange as a closed connection, the parser's error as its cause.
      try {
        this.parser.finish(this)
      } catch (e) {
        ex.fail(this.closedError(ex, e))
      }
    }
    this.close()
  }

  private readonly onSocketError = (error: Error): void => {
    this.closeCause = error
    this.close()
  }

  private readonly onSocketClose = (): void => {
    this.close()
  }

  // --- parser sink ----------------------------------------------------------

  // Each event is for the exchange in flight only: in any other state it belongs to
  // a message nobody asked for, and never touches the (frozen) exchange.

  onResponseHead(head: ResponseHead): void {
    if (this.state !== "active") return this.unsolicited("after the response")
    const ex = this.ex!
    if (this.options.forward !== undefined) {
      const refusal = forwardRefusal(head, this.options.forward, ex.method, ex.url)
      if (refusal !== undefined) {
        ex.fail(refusal)
        this.close()
        return
      }
    }
    ex.head = head
    if (this.headObserver !== undefined) this.headObserver(head)
    if (ex.mode === "stream") ex.wake()
  }

  onInformational(head: ResponseHead): void {
    if (this.state !== "active") return this.unsolicited("after the response")
    const ex = this.ex!
    if (ex.settled) return
    const tooMany = addInformational(ex, head)
    if (tooMany !== undefined) {
      ex.fail(tooMany)
      this.close()
      return
    }
    ex.wake()
  }

  onData(chunk: Uint8Array): void {
    if (this.state !== "active") return this.unsolicited("after the response")
    const ex = this.ex!
    ex.received += chunk.length
    if (ex.received > ex.maxBodySize) {
      ex.fail(new BodyTooLarge({ method: ex.method, url: ex.url, limit: ex.maxBodySize, direction: "response" }))
      // The rest of the body will not be read: the connection cannot be reused.
      queueMicrotask(() => this.close())
      return
    }
    ex.chunks.push(chunk)
    ex.buffered += chunk.length
    if (ex.mode === "stream") ex.wake()
  }

  onTrailers(rawTrailers: ReadonlyArray<string>): void {
    if (this.state !== "active") return this.unsolicited("after the response")
    this.ex!.rawTrailers = rawTrailers
  }

  onMessageComplete(keepAlive: boolean): void {
    if (this.state !== "active") return this.unsolicited("after the response") // a message nobody asked for ends
    const ex = this.ex!
    if (ex.settled) return
    ex.keepAlive = keepAlive
    ex.complete = true
    this.state = "done"
    this.disarm()
    ex.wake()
  }

  // --- helpers ----------------------------------------------------------------

  /**
   * Bytes, or a parser event, that no request asked for: the connection is
   * out of sync with the server and is closed. Only reached when there is no
   * exchange in flight or it is settled, so nothing is failed: a completed
   * exchange keeps its response.
   */
  private unsolicited(when: string): void {
    if (this.state === "closed") return
    this.closeCause = `the server sent bytes ${when}: the connection is out of sync and was closed`
    this.close()
  }

  private failProtocol(ex: Exchange, e: unknown): void {
    if (e instanceof Http1ParseError) {
      ex.fail(fromParseError(e, ex.method, ex.url))
    } else {
      ex.fail(new ProtocolError({ method: ex.method, url: ex.url, reason: "internal", detail: String(e), cause: e }))
    }
    this.close()
  }

  private closedError(ex: Exchange, cause: unknown = this.closeCause): ConnectionClosed {
    return closedError(ex, cause)
  }

  private armRecvTimeout(): void {
    if (Number.isFinite(this.recvTimeout)) this.deadline.restart(this.recvTimeout)
  }

  private disarm(): void {
    this.deadline.cancel()
  }

  private readonly onRecvTimeout = (): void => {
    const ex = this.ex
    if (ex === undefined || ex.settled) return
    if (this.paused) {
      // Our reader is slow, not the peer: wait again.
      this.armRecvTimeout()
      return
    }
    ex.fail(recvTimeoutError(ex, this.recvTimeout))
    this.close()
  }
}
