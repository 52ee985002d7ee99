/**
 * One request on an HTTP/2 session: a `node:http2` client stream and the
 * {@link Exchange} it fills. It frames the request body (DATA frames, the
 * declared length checked, trailers as a last HEADERS frame), routes the
 * stream's events to the exchange, pauses the stream when a streaming
 * reader falls behind (nghttp2 then stops widening the peer's window:
 * backpressure reaches the server), and times the stream out on its own
 * (`recvTimeout`): a stalled stream fails, the session goes on.
 *
 * The stream's listeners are shared functions (`this` is the stream, its
 * `H2Stream` under a symbol), not closures per request.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as http2 from "node:http2"
import { BodyTooLarge, ConnectionClosed, InvalidRequest, ProtocolError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { HeadLimits } from "../http1/types.js"
import type { Deadline, TimerWheel } from "../timer/wheel.js"
import type { ResponseHead } from "./connection.js"
import { closedError, Exchange, recvTimeoutError } from "./exchange.js"
import type { BodyDriver } from "./exchange.js"
import { cancelCode, h2ErrorName, refusedStream } from "./h2Request.js"
import { awaitDrain } from "./drain.js"
import { countBody, endProblem } from "./streamBody.js"
import { highWaterMark } from "./h1Connection.js"
import { addInformational } from "./informational.js"

const noop = (): void => {}

/** What a stream needs of its session. @internal */
export interface StreamOwner {
  /** The stream ended (closed or reset): stop counting it. */
  streamClosed(s: H2Stream): void
  /** Why the session's streams fail when it died (undefined: it did not). */
  sessionFailure(s: H2Stream): HackneyError | undefined
  /** The stream id above which a GOAWAY said nothing was processed. */
  readonly lastStreamId: number
  /** A stream saw the session's own failure (it can be told before the session's `error` event). */
  sessionError(error: Error): void
  /** `s` was reset before it completed: its `close` must follow, or the session has stopped. */
  resetSent(s: H2Stream): void
  /** Told of each final response head (the connection's, see `Connection.headObserver`). */
  readonly headObserver: ((head: ResponseHead) => void) | undefined
  /** Frames received on the session, counted: each stream adds its own. */
  framesIn: number
  /** A stream's receive timeout fired, the session's frame count `mark` as of its last frame: the session checks its health. */
  streamTimedOut(mark: number, millis: number): void
}

const owner = Symbol.for("effect-hackney/H2Stream")
type Owned = http2.ClientHttp2Stream & { [owner]: H2Stream }
const of = (stream: http2.ClientHttp2Stream): H2Stream => (stream as Owned)[owner]

/** `[name, value, …]` of a raw header list without its pseudo-header fields. */
const withoutPseudo = (raw: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i].charCodeAt(0) !== 58) out.push(raw[i], raw[i + 1])
  return out
}

/** The `{ name: value }` trailers for `sendTrailers`, names lower-cased (repeated names as arrays). */
const trailerObject = (raw: ReadonlyArray<string>): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = Object.create(null)
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    const prev = out[name]
    out[name] = prev === undefined ? raw[i + 1] : typeof prev === "string" ? [prev, raw[i + 1]] : [...prev, raw[i + 1]]
  }
  return out
}

/** @internal */
export class H2Stream implements BodyDriver {
  readonly ex: Exchange
  stream: http2.ClientHttp2Stream | undefined = undefined
  /** The stream has closed (its `close` event): its slot is free. */
  closed = false
  paused = false
  /** A wake of the stream-mode reader is scheduled (see {@link wakeReader}). */
  wakePending = false
  private readonly deadline: Deadline
  /** Trailers to send when the body ends (`wantTrailers`). */
  private trailers: Record<string, string | Array<string>> | undefined = undefined
  /** The session's `framesIn` as of this stream's last frame (or its timeout's start). */
  private mark = 0

  constructor(
    readonly session: StreamOwner,
    method: string,
    href: string,
    mode: "collect" | "stream",
    maxBodySize: number,
    bodySize: number | undefined,
    private recvTimeout: number,
    wheel: TimerWheel,
    /** The response-head limits (bytes of a header list as RFC 9113 §6.5.2 counts them, number of fields). */
    private readonly limits: HeadLimits
  ) {
    this.ex = new Exchange(method, href, mode, maxBodySize, bodySize, this)
    this.deadline = wheel.deadline(this.onRecvTimeout)
  }

  /** Takes `stream` (just opened for this request): listens to its events. */
  attach(stream: http2.ClientHttp2Stream): void {
    this.stream = stream
    ;(stream as Owned)[owner] = this
    stream.on("response", onResponse)
    stream.on("headers", onInformational)
    stream.on("data", onData)
    stream.on("trailers", onTrailers)
    stream.on("end", onEnd)
    stream.on("error", onError)
    stream.on("close", onClose)
    stream.on("wantTrailers", onWantTrailers)
  }

  /** The whole request was sent: the recv timeout starts. */
  requestFinished(complete = true): void {
    this.ex.requestDone = complete
    if (!this.ex.settled) this.arm()
  }

  writeBody(ex: Exchange, chunk: Uint8Array): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      if (ex.error !== undefined) return Effect.fail(ex.error)
      const stream = this.stream
      if (stream === undefined || this.closed || stream.destroyed) return Effect.fail(this.closedError())
      const over = countBody(ex, chunk)
      if (over !== undefined) return Effect.fail(over)
      if (chunk.length === 0) return Effect.void
      return stream.write(chunk) ? Effect.void : this.awaitDrain(stream)
    })
  }

  endBody(ex: Exchange, rawTrailers: ReadonlyArray<string> | undefined): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      const problem = endProblem(ex, rawTrailers)
      if (problem !== undefined) return Effect.fail(problem)
      const hasTrailers = rawTrailers !== undefined && rawTrailers.length > 0
      if (ex.error !== undefined) return Effect.fail(ex.error)
      const stream = this.stream
      if (stream === undefined || this.closed || stream.destroyed) return Effect.fail(this.closedError())
      if (hasTrailers) this.trailers = trailerObject(rawTrailers)
      stream.end()
      this.requestFinished()
      return Effect.void
    })
  }

  /** The response completed before the body was all sent: the rest is not needed (CANCEL); the session goes on. */
  abandonBody(_ex: Exchange): void {
    this.ex.requestDone = false
    this.cancel()
  }

  drained(): void {
    if (this.paused) {
      this.paused = false
      this.stream?.resume()
    }
  }

  /** Resets the stream with CANCEL unless it closed already (an interrupted or unfinished request). */
  cancel(): void {
    this.deadline.cancel()
    const stream = this.stream
    if (stream !== undefined && !this.closed && !stream.destroyed) {
      stream.close(cancelCode)
      if (!this.ex.complete) this.session.resetSent(this)
    }
  }

  /** The reader released the exchange: frees the stream (reset with CANCEL if it is still open). */
  release(): void {
    this.deadline.cancel()
    if (this.paused) {
      this.paused = false
      this.stream?.resume()
    }
    if (!this.closed) this.cancel()
  }

  /** Fails the exchange (if still open) with `error` and resets the stream. */
  fail(error: HackneyError): void {
    this.ex.fail(error)
    this.cancel()
  }

  /** The session is gone: the request fails with why, unless it completed. */
  sessionDied(error: HackneyError): void {
    this.deadline.cancel()
    this.ex.fail(error)
  }

  closedError(cause?: unknown): ConnectionClosed {
    return closedError(this.ex, cause)
  }

  /** Waits for the stream to take more body bytes (its flow-control window); see `drain.ts`. */
  private awaitDrain(stream: http2.ClientHttp2Stream): Effect.Effect<void, HackneyError> {
    return awaitDrain(stream, this.ex, () => this.closedError(), () => this.arm(), noop)
  }

  arm(): void {
    this.mark = this.session.framesIn
    if (Number.isFinite(this.recvTimeout)) this.deadline.restart(this.recvTimeout)
  }

  /** A frame of this stream arrived: counted on the session, and the recv timeout pushed back. */
  touch(): void {
    this.mark = ++this.session.framesIn
    if (Number.isFinite(this.recvTimeout)) this.deadline.touch(this.recvTimeout)
  }

  private readonly onRecvTimeout = (): void => {
    const ex = this.ex
    if (ex.settled) return
    if (this.paused) return this.arm()
    // Silent since this stream's last frame: the whole session may be dead (see H2Connection's **Health**).
    this.session.streamTimedOut(this.mark, this.recvTimeout)
    this.fail(recvTimeoutError(ex, this.recvTimeout))
  }

  // --- stream events (called with the stream as `this`, see the shared listeners below)

  /**
   * A received header list over the limits fails the request (nghttp2 does
   * not enforce our SETTINGS_MAX_HEADER_LIST_SIZE on what it receives).
   */
  private overLimit(raw: ReadonlyArray<string>, trailers: boolean): boolean {
    let size = 0
    for (let i = 0; i < raw.length; i += 2) size += raw[i].length + raw[i + 1].length + 32
    const limits = this.limits
    const count = raw.length / 2
    if (size <= limits.maxHeaderSize && count <= limits.maxHeaderCount) return false
    const ex = this.ex
    this.fail(new ProtocolError({
      method: ex.method,
      url: ex.url,
      reason: size > limits.maxHeaderSize ? (trailers ? "trailer-section-too-large" : "header-section-too-large") : "too-many-headers",
      detail: size > limits.maxHeaderSize
        ? `the HTTP/2 ${trailers ? "trailer" : "header"} list is ${size} bytes, over maxHeaderSize (${limits.maxHeaderSize})`
        : `${count} fields, over maxHeaderCount (${limits.maxHeaderCount})`
    }))
    return true
  }

  onResponse(headers: http2.IncomingHttpHeaders, raw: ReadonlyArray<string>): void {
    const ex = this.ex
    if (ex.settled) return
    ex.responseStarted = true
    this.touch()
    if (this.overLimit(raw, false)) return
    const head: ResponseHead = { status: Number(headers[":status"]), reason: "", rawHeaders: withoutPseudo(raw) }
    ex.head = head
    const observer = this.session.headObserver
    if (observer !== undefined) observer(head)
    if (ex.mode === "stream") ex.wake()
  }

  onInformational(headers: http2.IncomingHttpHeaders, raw: ReadonlyArray<string>): void {
    const ex = this.ex
    if (ex.settled) return
    const status = Number(headers[":status"])
    if (!(status >= 100 && status < 200)) return
    ex.responseStarted = true
    this.touch()
    if (this.overLimit(raw, false)) return
    const tooMany = addInformational(ex, { status, reason: "", rawHeaders: withoutPseudo(raw) })
    if (tooMany !== undefined) return this.fail(tooMany)
    ex.wake()
  }

  onData(chunk: Buffer): void {
    const ex = this.ex
    if (ex.settled) return
    this.touch()
    ex.received += chunk.length
    if (ex.received > ex.maxBodySize) {
      return this.fail(new BodyTooLarge({ method: ex.method, url: ex.url, limit: ex.maxBodySize, direction: "response" }))
    }
    ex.chunks.push(chunk)
    ex.buffered += chunk.length
    if (ex.mode === "stream") {
      if (ex.buffered > highWaterMark && !this.paused) {
        this.paused = true
        this.stream!.pause()
      }
      // One wake per turn of the event loop, not per DATA frame: Node runs microtasks after each
      // frame's callback, so waking here would hand the reader one 8–16 KiB frame per pull.
      if (!this.wakePending) {
        this.wakePending = true
        setImmediate(wakeReader, this)
      }
    }
  }

  onTrailers(raw: ReadonlyArray<string>): void {
    this.session.framesIn++
    if (!this.ex.settled && !this.overLimit(raw, true)) this.ex.rawTrailers = withoutPseudo(raw)
  }

  onEnd(): void {
    // Node ends the readable side of a reset stream too (and of every stream of a session that
    // died, with CANCEL): only an end without an error code is the response's END_STREAM.
    const code = this.stream!.rstCode
    if (code !== undefined && code !== 0) return
    this.session.framesIn++
    const ex = this.ex
    if (ex.settled) return
    this.deadline.cancel()
    if (ex.head === undefined) {
      return this.fail(new ProtocolError({ method: ex.method, url: ex.url, reason: "session-error", detail: "the stream ended without a response head" }))
    }
    ex.keepAlive = true
    ex.complete = true
    ex.wake()
  }

  onClose(): void {
    this.closed = true
    this.deadline.cancel()
    const ex = this.ex
    const stream = this.stream!
    this.session.streamClosed(this)
    if (ex.settled) return // its completion or failure stands
    const code = stream.rstCode
    const id = stream.id
    // Never processed: refused, or above a GOAWAY's last stream id.
    if (code === refusedStream || (id !== undefined && id > this.session.lastStreamId)) {
      return ex.fail(new ProtocolError({ method: ex.method, url: ex.url, reason: "stream-reset", code: refusedStream, codeName: h2ErrorName(refusedStream) }))
    }
    if (id === undefined) {
      // Closed before nghttp2 gave it an id: nothing of it reached the wire.
      return ex.fail(new ConnectionClosed({ method: ex.method, url: ex.url, requestSent: false, reused: ex.reused }))
    }
    const died = this.session.sessionFailure(this)
    if (died !== undefined) return ex.fail(died)
    ex.fail(new ProtocolError({ method: ex.method, url: ex.url, reason: "stream-reset", code: code ?? 0, codeName: h2ErrorName(code ?? 0) }))
  }

  onWantTrailers(): void {
    const stream = this.stream!
    const trailers = this.trailers
    this.trailers = undefined
    try {
      stream.sendTrailers(trailers ?? {})
    } catch (e) {
      const ex = this.ex
      this.fail(new InvalidRequest({ reason: "header-value", detail: `trailers: ${String((e as Error).message)}`, method: ex.method, url: ex.url, requestSent: true, cause: e }))
    }
  }
}

// Shared listeners: `this` is the stream.
function onResponse(this: http2.ClientHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw: Array<string>) {
  of(this).onResponse(headers, raw)
}
function onInformational(this: http2.ClientHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw: Array<string>) {
  of(this).onInformational(headers, raw)
}
/** Wakes a stream-mode reader once for the DATA frames of one event-loop turn. */
function wakeReader(s: H2Stream) {
  s.wakePending = false
  s.ex.wake()
}

function onData(this: http2.ClientHttp2Stream, chunk: Buffer) {
  of(this).onData(chunk)
}
function onTrailers(this: http2.ClientHttp2Stream, _headers: http2.IncomingHttpHeaders, _flags: number, raw: Array<string>) {
  of(this).onTrailers(raw)
}
function onEnd(this: http2.ClientHttp2Stream) {
  of(this).onEnd()
}
// The stream's error is read from its reset code and the session at `close`; the listener keeps it from throwing.
// A session-level failure (a flood nghttp2 detected) reaches the stream before the session's `error` event and
// the stream's `close`: the session records it, so the stream fails with it rather than as a closed connection.
function onError(this: http2.ClientHttp2Stream, error: Error) {
  of(this).session.sessionError(error)
}
function onClose(this: http2.ClientHttp2Stream) {
  of(this).onClose()
}
function onWantTrailers(this: http2.ClientHttp2Stream) {
  of(this).onWantTrailers()
}
