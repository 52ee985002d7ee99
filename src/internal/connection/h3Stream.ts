/**
 * One request on an HTTP/3 connection: a bidirectional QUIC stream and the
 * {@link Exchange} it fills. It writes the request (HEADERS, the body as
 * DATA frames, trailers as a last HEADERS, FIN), reads the response with
 * the sans-IO core (`FrameReader("request")`, QPACK, the message checks):
 * 1xx heads are informational, the final head, DATA to the exchange, then
 * trailers. A streaming reader that falls behind stops the reads (the
 * stream's QUIC flow control then stops the server); the recv timeout runs
 * on the request's wheel. A stream waiting for the peer's stream credit has
 * no QUIC stream yet (`quic` undefined): its head and body bytes wait.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ReadableStreamDefaultReader, WritableStreamDefaultWriter } from "node:stream/web"
import { BodyTooLarge, ProtocolError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import { h3Error } from "../http3/error.js"
import type { Http3Error } from "../http3/error.js"
import { encodeFrame, encodeFrameHeader, FrameType } from "../http3/frame.js"
import { FrameReader } from "../http3/frameReader.js"
import type { FrameSink } from "../http3/frameReader.js"
import { responseHead, trailerFields } from "../http3/message.js"
import { decodeFieldSection, encodeFieldSection } from "../http3/qpack.js"
import { QuicStreamReset } from "../node/quicSession.js"
import type { QuicStreamLike } from "../node/quicSession.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"
import { closedError, Exchange, recvTimeoutError } from "./exchange.js"
import type { BodyDriver } from "./exchange.js"
import type { ResponseHead } from "./connection.js"
import { highWaterMark } from "./h1Connection.js"
import { H3_REQUEST_CANCELLED, h3ProtocolError, h3RequestRejected, h3StreamReset, isStreamError } from "./h3Errors.js"
import { addInformational } from "./informational.js"
import { countBody, endProblem } from "./streamBody.js"

/** What a stream needs of its connection. @internal */
export interface H3Owner {
  /** The stream is done (both directions ended or reset): stop counting it. */
  streamClosed(s: H3Stream): void
  /** A connection error found on a request stream: the connection closes with its code. */
  connectionError(e: Http3Error, s: H3Stream): void
  /** Why the connection's streams fail when it ended (undefined while it lives). */
  failure(s: H3Stream): HackneyError | undefined
  /** The first stream ID a GOAWAY said the server will not process. */
  readonly goawayId: number
  /** Told of each final response head (the connection's, see `Connection.headObserver`). */
  readonly headObserver: ((head: ResponseHead) => void) | undefined
}

/** Lower-cased trailer fields `[name, value, …]`. */
const lowerNames = (raw: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < raw.length; i += 2) out.push(raw[i].toLowerCase(), raw[i + 1])
  return out
}

/** @internal */
export class H3Stream implements BodyDriver, FrameSink {
  readonly ex: Exchange
  quic: QuicStreamLike | undefined = undefined
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined = undefined
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined = undefined
  private readonly frames: FrameReader
  private readonly deadline: Deadline
  /** Written before the QUIC stream opened (waiting for credit): sent when it opens. */
  private pending: Array<Uint8Array> | undefined = []
  private finPending = false
  /** Waiters for the stream to open (a body write while queued). */
  private openWaiters: Array<() => void> | undefined = undefined
  private reading = false
  paused = false
  private readDone = false
  private writeDone = false
  /** Reported to the owner as closed. */
  closed = false
  private trailersSeen = false
  /** The response's declared Content-Length, when it has a body to check. */
  private expected = -1

  constructor(
    readonly owner: H3Owner,
    method: string,
    href: string,
    mode: "collect" | "stream",
    maxBodySize: number,
    bodySize: number | undefined,
    private readonly recvTimeout: number,
    wheel: TimerWheel,
    private readonly limits: HeadLimits
  ) {
    this.ex = new Exchange(method, href, mode, maxBodySize, bodySize, this)
    this.deadline = wheel.deadline(this.onRecvTimeout)
    this.frames = new FrameReader("request", this, {
      maxHeadersFrame: limits.maxHeaderSize + 1024,
      maxControlFrame: 16 * 1024
    })
  }

  /** The stream's ID, once it has one. */
  get id(): number | undefined {
    return this.quic?.id
  }

  /** Queues the request head (encoded), and a bytes body, to go first. */
  send(bytes: Uint8Array): void {
    if (this.writer !== undefined) this.write(bytes)
    else this.pending?.push(bytes)
  }

  /** The QUIC stream for this request opened: what waited is written, reading starts. */
  attach(quic: QuicStreamLike): void {
    this.quic = quic
    this.writer = quic.writable.getWriter()
    this.reader = quic.readable.getReader()
    this.ex.requestSent = true
    const pending = this.pending ?? []
    this.pending = undefined
    for (const b of pending) this.write(b)
    if (this.finPending) this.finish()
    const waiters = this.openWaiters
    this.openWaiters = undefined
    if (waiters !== undefined) for (const w of waiters) w()
    this.pump()
  }

  /** The request ends here (FIN), once the stream is open. */
  endRequest(): void {
    if (this.writer !== undefined) this.finish()
    else this.finPending = true
  }

  private finish(): void {
    this.writer!.close().then(this.onWriteDone, this.onWriteError)
  }

  /** Writes bytes; the returned promise settles when QUIC took them (its flow control). */
  private write(bytes: Uint8Array): Promise<void> {
    const p = this.writer!.write(bytes)
    p.catch(this.onWriteError)
    return p
  }

  private readonly onWriteDone = (): void => {
    this.writeDone = true
    this.maybeClosed()
  }

  private readonly onWriteError = (): void => {
    // A reset (ours or the server's STOP_SENDING): the read side says why, if it matters.
    this.writeDone = true
    this.maybeClosed()
  }

  /** The whole request was sent: the recv timeout starts. */
  requestFinished(complete = true): void {
    this.ex.requestDone = complete
    if (!this.ex.settled) this.arm()
  }

  // --- BodyDriver -------------------------------------------------------------

  writeBody(ex: Exchange, chunk: Uint8Array): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      if (ex.error !== undefined) return Effect.fail(ex.error)
      if (this.closed) return Effect.fail(closedError(ex, undefined))
      const over = countBody(ex, chunk)
      if (over !== undefined) {
        this.fail(over)
        return Effect.fail(over)
      }
      if (chunk.length === 0) return Effect.void
      return this.writer === undefined ? Effect.flatMap(this.opened(), () => this.sendData(ex, chunk)) : this.sendData(ex, chunk)
    })
  }

  /** One DATA frame; done when QUIC took it (backpressure: the stream's flow-control window). */
  private sendData(ex: Exchange, chunk: Uint8Array): Effect.Effect<void, HackneyError> {
    return Effect.async<void, HackneyError>((resume) => {
      this.write(encodeFrameHeader(FrameType.DATA, chunk.length))
      this.write(chunk).then(
        () => resume(Effect.void),
        () => resume(Effect.fail(ex.error ?? this.owner.failure(this) ?? closedError(ex, undefined)))
      )
    })
  }

  /** Waits until the stream opened (it waits for the peer's stream credit) or the exchange failed. */
  private opened(): Effect.Effect<void, HackneyError> {
    return Effect.async<void, HackneyError>((resume) => {
      const ex = this.ex
      let done = false
      const check = () => {
        if (done) return
        if (ex.error !== undefined) resume(ex.failure())
        else if (this.writer !== undefined) resume(Effect.void)
        else return ex.onWake(check)
        done = true
        ex.offWake(check)
      }
      ;(this.openWaiters ??= []).push(check)
      ex.onWake(check)
      return Effect.sync(() => {
        done = true
        ex.offWake(check)
      })
    })
  }

  endBody(ex: Exchange, rawTrailers: ReadonlyArray<string> | undefined): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      const problem = endProblem(ex, rawTrailers)
      if (problem !== undefined) return Effect.fail(problem)
      const hasTrailers = rawTrailers !== undefined && rawTrailers.length > 0
      if (ex.error !== undefined) return Effect.fail(ex.error)
      if (this.closed) return Effect.fail(closedError(ex, undefined))
      if (hasTrailers) this.send(encodeFrame(FrameType.HEADERS, encodeFieldSection(lowerNames(rawTrailers))))
      this.endRequest()
      this.requestFinished()
      return Effect.void
    })
  }

  /** The response completed before the body was all sent: the rest is not needed. */
  abandonBody(_ex: Exchange): void {
    this.ex.requestDone = false
    this.reset(H3_REQUEST_CANCELLED)
  }

  drained(): void {
    if (this.paused) {
      this.paused = false
      this.pump()
    }
  }

  // --- reading ------------------------------------------------------------------

  private pump(): void {
    if (this.reading || this.paused || this.readDone || this.reader === undefined) return
    this.reading = true
    this.reader.read().then(this.onRead, this.onReadError)
  }

  private readonly onRead = (r: { done: boolean; value?: Uint8Array | undefined }): void => {
    this.reading = false
    if (this.readDone) return
    if (r.done) return this.onEnd()
    const e = this.frames.push(r.value!)
    if (e !== undefined) return this.protocolFailure(e)
    this.pump()
  }

  private readonly onReadError = (reason: unknown): void => {
    this.reading = false
    if (this.readDone) return
    this.readDone = true
    this.deadline.cancel()
    const ex = this.ex
    if (!ex.settled) {
      const id = this.quic?.id ?? 0
      if (reason instanceof QuicStreamReset && reason.byPeer) {
        // Never processed: rejected, or at or above a GOAWAY's stream ID.
        const code = id >= this.owner.goawayId ? h3RequestRejected : reason.appCode
        ex.fail(this.owner.failure(this) ?? h3StreamReset(code, ex.method, ex.url))
      } else {
        ex.fail(this.owner.failure(this) ?? closedError(ex, reason))
      }
    }
    this.reset(H3_REQUEST_CANCELLED)
  }

  private onEnd(): void {
    this.readDone = true
    this.deadline.cancel()
    const ex = this.ex
    const e = this.frames.end()
    if (e !== undefined) return this.protocolFailure(e)
    if (!ex.settled) {
      if (ex.head === undefined) {
        return this.protocolFailure(h3Error("H3_MESSAGE_ERROR", "malformed message: the stream ended without a final response head"))
      }
      if (this.expected >= 0 && ex.received !== this.expected) {
        return this.protocolFailure(
          h3Error("H3_MESSAGE_ERROR", `malformed message: ${ex.received} bytes of DATA, content-length ${this.expected}`)
        )
      }
      ex.keepAlive = true
      ex.complete = true
      ex.wake()
    }
    this.maybeClosed()
  }

  /** An HTTP/3 error found on this stream: the request fails; a connection error closes the connection. */
  private protocolFailure(e: Http3Error): void {
    const ex = this.ex
    this.fail(h3ProtocolError(e, ex.method, ex.url, this.trailersSeen))
    if (!isStreamError(e)) this.owner.connectionError(e, this)
  }

  // --- FrameSink ----------------------------------------------------------------

  headers(block: Uint8Array): Http3Error | undefined {
    const ex = this.ex
    if (ex.settled) return undefined
    this.touch()
    ex.responseStarted = true
    if (this.trailersSeen) return h3Error("H3_FRAME_UNEXPECTED", "a HEADERS frame after the trailers")
    // After the final head, a HEADERS frame is the trailer section: its errors say so (trailer-section-too-large).
    if (ex.head !== undefined) this.trailersSeen = true
    const fields = decodeFieldSection(block, this.limits.maxHeaderSize)
    if (!Array.isArray(fields)) return fields
    if (fields.length / 2 > this.limits.maxHeaderCount) {
      this.fail(new ProtocolError({
        method: ex.method,
        url: ex.url,
        reason: "too-many-headers",
        detail: `${fields.length / 2} fields, over maxHeaderCount (${this.limits.maxHeaderCount})`
      }))
      return undefined
    }
    if (this.trailersSeen) {
      const t = trailerFields(fields)
      if (!Array.isArray(t)) return t as Http3Error
      ex.rawTrailers = t
      return undefined
    }
    const head = responseHead(fields)
    if ("_tag" in head) return head
    if (head.status < 200) {
      const tooMany = addInformational(ex, head)
      if (tooMany !== undefined) this.fail(tooMany)
      else ex.wake()
      return undefined
    }
    ex.head = head
    const observer = this.owner.headObserver
    if (observer !== undefined) observer(head)
    this.expected = this.declaredLength(head.status, head.rawHeaders)
    if (ex.mode === "stream") ex.wake()
    return undefined
  }

  /** A response's Content-Length to check DATA against (RFC 9114 §4.1.2), or -1. */
  private declaredLength(status: number, raw: ReadonlyArray<string>): number {
    if (this.ex.method === "HEAD" || status === 204 || status === 304) return -1
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i] === "content-length" && /^[0-9]{1,15}$/.test(raw[i + 1])) return Number(raw[i + 1])
    }
    return -1
  }

  data(chunk: Uint8Array): Http3Error | undefined {
    const ex = this.ex
    if (ex.settled) return undefined
    if (ex.head === undefined) return h3Error("H3_FRAME_UNEXPECTED", "a DATA frame before the response's HEADERS")
    if (this.trailersSeen) return h3Error("H3_FRAME_UNEXPECTED", "a DATA frame after the trailers")
    this.touch()
    ex.received += chunk.length
    if (ex.received > ex.maxBodySize) {
      this.fail(new BodyTooLarge({ method: ex.method, url: ex.url, limit: ex.maxBodySize, direction: "response" }))
      return undefined
    }
    if (this.expected >= 0 && ex.received > this.expected) {
      return h3Error("H3_MESSAGE_ERROR", `malformed message: more DATA than content-length ${this.expected}`)
    }
    // The library hands each read in a buffer of its own: a view of it can be kept.
    ex.chunks.push(chunk)
    ex.buffered += chunk.length
    if (ex.mode === "stream") {
      if (ex.buffered > highWaterMark) this.paused = true
      ex.wake()
    }
    return undefined
  }

  settings(): Http3Error | undefined {
    return undefined
  }

  goaway(): Http3Error | undefined {
    return undefined
  }

  // --- ending -------------------------------------------------------------------

  /** Resets both directions with `code` unless the stream ended already; a queued stream just stops waiting. */
  reset(code: number): void {
    this.deadline.cancel()
    this.paused = false
    if (this.quic !== undefined && !(this.readDone && this.writeDone)) this.quic.reset(code)
    this.readDone = true
    this.writeDone = true
    this.maybeClosed()
  }

  /** Fails the exchange (if still open) with `error` and resets the stream. */
  fail(error: HackneyError): void {
    this.ex.fail(error)
    this.reset(H3_REQUEST_CANCELLED)
  }

  /** The reader released the exchange: the stream is freed (reset if still open). */
  release(): void {
    this.deadline.cancel()
    if (!(this.readDone && this.writeDone)) this.reset(H3_REQUEST_CANCELLED)
  }

  /** The connection is gone: the request fails with why, unless it completed. */
  connectionDied(error: HackneyError): void {
    this.ex.fail(error)
    this.deadline.cancel()
    this.readDone = true
    this.writeDone = true
    this.maybeClosed()
  }

  private maybeClosed(): void {
    if (this.closed || !this.readDone || !this.writeDone) return
    this.closed = true
    this.owner.streamClosed(this)
  }

  private arm(): void {
    if (Number.isFinite(this.recvTimeout)) this.deadline.restart(this.recvTimeout)
  }

  private touch(): void {
    if (Number.isFinite(this.recvTimeout)) this.deadline.touch(this.recvTimeout)
  }

  private readonly onRecvTimeout = (): void => {
    const ex = this.ex
    if (ex.settled) return
    if (this.paused) return this.arm()
    this.fail(recvTimeoutError(ex, this.recvTimeout))
  }
}
