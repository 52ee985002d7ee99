/**
 * One request/response exchange on a connection (see `connection.ts`): the
 * response head, the buffered body chunks, completion or failure, and the
 * waiters (the fiber reading the response; a writer may wait too). Filled by
 * the driver's callbacks, drained by the reading fiber. The request body goes
 * through it too (`write`, `end`, `abandon`): the driver frames it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { ConnectionClosed, RecvTimeout } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { ResponseHead } from "./connection.js"
import { emptyArray } from "../http1/young.js"

/** How body bytes are delivered to the reader. @internal */
export type BodyMode =
  /** Collect everything; wake the reader only on completion (one-shot requests). */
  | "collect"
  /** Wake the reader on every chunk; pause the socket above the high-water mark. */
  | "stream"

/**
 * The driver side of an exchange's request body: the connection frames it
 * (HTTP/1.1: chunked when its size is unknown, identity checked against the
 * declared length otherwise). @internal
 */
export interface BodyDriver {
  writeBody(ex: Exchange, chunk: Uint8Array): Effect.Effect<void, HackneyError>
  endBody(ex: Exchange, rawTrailers: ReadonlyArray<string> | undefined): Effect.Effect<void, HackneyError>
  abandonBody(ex: Exchange): void
  /** A stream-mode reader drained the buffer: resume reading. */
  drained(): void
}

// Shared predicates (not per-exchange closures: this is the hot path).
const hasHead = (ex: Exchange): boolean => ex.head !== undefined
const isComplete = (ex: Exchange): boolean => ex.complete
const hasData = (ex: Exchange): boolean => ex.buffered > 0 || ex.complete

/** @internal */
export class Exchange {
  head: ResponseHead | undefined = undefined
  // Not array literals: see `http1/young.ts` (per-request arrays made old by V8's pretenuring).
  readonly informational: Array<ResponseHead> = emptyArray()
  /** Bytes of the informational heads received (bounded by the connection). */
  informationalBytes = 0
  chunks: Array<Uint8Array> = emptyArray()
  /** Bytes buffered in `chunks`. */
  buffered = 0
  /** Bytes of body received in total. */
  received = 0
  rawTrailers: ReadonlyArray<string> | undefined = undefined
  complete = false
  error: HackneyError | undefined = undefined
  /** Any byte of the request was handed to the socket. */
  requestSent = false
  /** The connection had served earlier requests. */
  reused = false
  /** The whole request (head and body) was written. */
  requestDone = false
  /** Any byte of the response arrived. */
  responseStarted = false
  /** Whether the connection may serve another request after this one. */
  keepAlive = false
  /** Request body bytes written through `write`. */
  bodySent = 0
  /** The body was delivered to its reader to the end (a second read fails: `ResponseClosed`). */
  bodyEnded = false
  /** Its connection was given back to its source (by the adapter holding it): at most once. */
  givenBack = false
  /** The request body Stream died: waiters die with `defect` (the exchange's `error` records it). */
  private hasDefect = false
  private defect: unknown = undefined
  /** Fibers waiting on this exchange (usually one: the reader; a writer may wait too). */
  private waiter: (() => void) | undefined = undefined
  private moreWaiters: Array<() => void> | undefined = undefined

  constructor(
    readonly method: string,
    readonly url: string,
    public mode: BodyMode,
    readonly maxBodySize: number,
    /** The request body's declared size; `undefined`: unknown (chunked over HTTP/1.1). */
    readonly bodySize: number | undefined,
    /** Who frames the request body (the connection; an HTTP/2 stream). */
    readonly driver: BodyDriver
  ) {}

  /**
   * Writes request body bytes; resolves when the transport accepted them
   * (backpressure), or when the response completed meanwhile (the server
   * answered without reading the whole body: the caller stops, see
   * `abandon`). More bytes than the declared size fail with `InvalidRequest`.
   */
  write(chunk: Uint8Array): Effect.Effect<void, HackneyError> {
    return this.driver.writeBody(this, chunk)
  }

  /**
   * Ends the request body (with trailers, when its size was unknown); fails
   * with `InvalidRequest` when fewer bytes than declared were written. The
   * recv timeout starts now.
   */
  end(rawTrailers?: ReadonlyArray<string>): Effect.Effect<void, HackneyError> {
    return this.driver.endBody(this, rawTrailers)
  }

  /** The body will not be finished (the server answered first): the connection will not be reused. */
  abandon(): void {
    this.driver.abandonBody(this)
  }

  /** Wakes every waiting fiber (each re-checks its condition and may wait again). */
  wake(): void {
    const w = this.waiter
    const more = this.moreWaiters
    this.waiter = undefined
    this.moreWaiters = undefined
    if (w !== undefined) w()
    if (more !== undefined) for (const m of more) m()
  }

  /** Registers a one-shot wake-up callback. */
  onWake(f: () => void): void {
    if (this.waiter === undefined) this.waiter = f
    else (this.moreWaiters ??= []).push(f)
  }

  /** Unregisters a wake-up callback. */
  offWake(f: () => void): void {
    if (this.waiter === f) this.waiter = undefined
    else if (this.moreWaiters !== undefined) {
      const i = this.moreWaiters.indexOf(f)
      if (i >= 0) this.moreWaiters.splice(i, 1)
    }
  }

  /** True once nothing more will arrive (complete or failed). */
  get settled(): boolean {
    return this.complete || this.error !== undefined
  }

  fail(error: HackneyError): void {
    if (this.settled) return
    this.error = error
    this.wake()
  }

  /** The request body Stream died: fails the exchange with `error`, and its waiters die with `defect`. */
  die(defect: unknown, error: HackneyError): void {
    if (this.settled) return
    this.hasDefect = true
    this.defect = defect
    this.fail(error)
  }

  /**
   * The reader's side is gone (the scope holding the response closed): every
   * wait from now on fails with `error` at once, and any waiter is woken.
   */
  close(error: HackneyError): void {
    this.error = error
    this.hasDefect = false
    this.wake()
  }

  /** How a waiter ends once the exchange failed (dying with the body's defect, else failing with `error`). */
  failure(): Effect.Effect<never, HackneyError> {
    return this.hasDefect ? Effect.die(this.defect) : Effect.fail(this.error!)
  }

  /** Its state, for debugging. */
  toJSON(): unknown {
    return {
      method: this.method,
      status: this.head?.status,
      informational: this.informational.length,
      buffered: this.buffered,
      received: this.received,
      bodySent: this.bodySent,
      requestDone: this.requestDone,
      complete: this.complete,
      keepAlive: this.keepAlive,
      reused: this.reused,
      error: this.error?._tag
    }
  }

  /** Suspends until `ready(this)` holds or the exchange failed. */
  waitFor(ready: (ex: Exchange) => boolean): Effect.Effect<void, HackneyError> {
    return Effect.suspend(() => {
      if (this.error !== undefined) return this.failure()
      if (ready(this)) return Effect.void
      return Effect.async<void, HackneyError>((resume) => {
        const check = () => {
          if (this.error !== undefined) resume(this.failure())
          else if (ready(this)) resume(Effect.void)
          else this.onWake(check)
        }
        this.onWake(check)
        return Effect.sync(() => this.offWake(check))
      })
    })
  }

  /** The head has arrived. */
  readonly hasHead: (ex: Exchange) => boolean = hasHead
  /** The message is complete. */
  readonly isComplete: (ex: Exchange) => boolean = isComplete
  /** Body bytes are buffered, or nothing more will come. */
  readonly hasData: (ex: Exchange) => boolean = hasData

  /** Takes everything buffered (stream mode), resuming the socket if it was paused. */
  takeChunks(): Array<Uint8Array> {
    const out = this.chunks
    this.chunks = emptyArray()
    this.buffered = 0
    this.driver.drained()
    return out
  }
}

/**
 * The `ConnectionClosed` of an exchange whose connection (or HTTP/2 session)
 * ended under it: what was sent and received so far, and why.
 *
 * @internal
 */
export const closedError = (ex: Exchange, cause: unknown): ConnectionClosed =>
  new ConnectionClosed({
    method: ex.method,
    url: ex.url,
    requestSent: ex.requestSent,
    reused: ex.reused,
    responseStarted: ex.responseStarted,
    cause
  })

/**
 * The `RecvTimeout` of an exchange that received nothing for `timeoutMillis`:
 * in the `headers` phase until its response head came, in `body` after.
 *
 * @internal
 */
export const recvTimeoutError = (ex: Exchange, timeoutMillis: number): RecvTimeout =>
  new RecvTimeout({ method: ex.method, url: ex.url, timeoutMillis, phase: ex.head === undefined ? "headers" : "body" })
