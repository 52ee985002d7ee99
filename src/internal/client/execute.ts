/**
 * `Hackney`'s side of the engine (`../engine/exchange.ts`: checkout, begin,
 * body, stale retry): one-shot (body collected), streaming (scoped, body as a
 * pull-based Stream), and the request writer (send / finish / response), with
 * their response classes. The connection is always given back: to the pool
 * when the exchange completed with keep-alive, destroyed otherwise.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { Informational, Redirect, Response, StreamingResponse, Writer } from "../../Hackney.js"
import { InvalidRequest, ResponseClosed } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import { concatBytes } from "../http1/bytes.js"
import type * as Multipart from "../../Multipart.js"
import { decode as decodeMultipart } from "../node/multipartDecode.js"
import * as responseHeaders from "./responseHeaders.js"
import type { Exchange } from "../connection/exchange.js"
import { begin, checkout, sendStream, staleRetryable, takesIdle, withStaleRetry } from "../engine/exchange.js"
import type { Connection } from "../connection/connection.js"
import { expectsContinue } from "../connection/connection.js"
import type { Protocol, ResponseHead } from "../connection/connection.js"
import { describeValue } from "../options/rules.js"
import type { Outgoing, Prepared } from "./prepare.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { ConnectionSource } from "../engine/source.js"

const decoder = new TextDecoder()

/** Joins chunks into one array (no copy for zero or one chunk). @internal */
export const concat = concatBytes

/** Joins the chunks a `Stream.runCollect` gave. @internal */
export const concatChunk = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array =>
  concat(Chunk.toReadonlyArray(chunks), Chunk.reduce(chunks, 0, (n, c) => n + c.length))

const noRedirects: ReadonlyArray<Redirect> = []

const informationalOf = (heads: ReadonlyArray<ResponseHead>): ReadonlyArray<Informational> =>
  heads.map((h) => ({ status: h.status, reason: h.reason, headers: Headers.fromRaw(h.rawHeaders) }))

/**
 * A one-shot response, of both paths: the bare path gives the connection's
 * head, the feature path (`pipeline.ts`) also its redirect chain and, when it
 * decoded the body, the headers without `Content-Encoding`/`Content-Length`.
 *
 * @internal
 */
export class ResponseImpl implements Response {
  #headers: Headers.Headers | undefined
  readonly status: number
  readonly reason: string
  constructor(
    private readonly head: ResponseHead,
    readonly body: Uint8Array,
    readonly url: string,
    readonly protocol: Protocol,
    private readonly rawTrailers: ReadonlyArray<string> | undefined,
    private readonly informationalHeads: ReadonlyArray<ResponseHead>,
    readonly redirects: ReadonlyArray<Redirect> = noRedirects,
    headers?: Headers.Headers
  ) {
    this.status = head.status
    this.reason = head.reason
    this.#headers = headers
  }
  get headers(): Headers.Headers {
    return this.#headers ??= Headers.fromRaw(this.head.rawHeaders)
  }
  get trailers(): Headers.Headers | undefined {
    return this.rawTrailers === undefined ? undefined : Headers.fromRaw(this.rawTrailers)
  }
  get informational(): ReadonlyArray<Informational> {
    return informationalOf(this.informationalHeads)
  }
  header(name: string): string | undefined {
    return responseHeaders.header(this.headers, name)
  }
  headerAll(name: string): ReadonlyArray<string> {
    return responseHeaders.headerAll(this.headers, name)
  }
  text(): string {
    return decoder.decode(this.body)
  }
  json(): unknown {
    return JSON.parse(this.text())
  }
  toJSON(): unknown {
    const json = { status: this.status, reason: this.reason, url: this.url, headers: this.headers.toJSON(), bodyLength: this.body.length }
    // The feature path records its chain (possibly empty); the bare path has none.
    return this.redirects === noRedirects ? json : { ...json, redirects: this.redirects }
  }
}

/** A body that came after `finish`, or was not bytes: the head was sent already. */
const bodyError = (p: Outgoing, detail: string) =>
  new InvalidRequest({ reason: "body", detail, method: p.method, url: p.href, requestSent: true })

/** The one-shot response of a complete exchange (`ex.url`: its request's `href`). */
const collected = (conn: Connection, ex: Exchange): Response =>
  new ResponseImpl(ex.head!, concat(ex.chunks, ex.buffered), ex.url, conn.protocol, ex.rawTrailers, ex.informational)

/**
 * What observes one request of the bare path (its span and metrics:
 * `observe.ts`), run by the exchange's own steps rather than a region of its
 * own: {@link start}ed inside the request's uninterruptible region, ended
 * exactly once — by the watcher's completion callback with the response, by
 * the guard around the wait with a failure or interruption, or (off the idle
 * path) by the handlers of one match around the request ({@link endedBy}).
 * A second end is ignored.
 *
 * @internal
 */
export interface Observer {
  /** Starts the observation of `p` (its span, its metrics): once, inside the request's uninterruptible region. */
  start(p: Prepared): void
  /** After {@link start}: the `traceparent` this request sends (undefined: none). */
  readonly traceparent: string | undefined
  /** After {@link start}: the span a dial or queue wait of the request is recorded under (undefined: untraced). */
  readonly dialParent: Tracer.Span | undefined
  /** A streamed request body's bytes, counted as it was sent whole (before {@link responded}). */
  streamSent(n: number): void
  /** Ends the observation with a one-shot response. */
  responded(r: Response): void
  /** Ends the observation with a failure or an interruption. */
  failed(cause: Cause.Cause<HackneyError>): void
}

/**
 * The handlers of the match that ends an observation of a one-shot request
 * off the idle path (a dial, a queue wait, a stale resend): a class
 * instance, not an options literal (an allocation site V8 may pretenure, see
 * `http1/young.ts`).
 */
class OneShotEnd {
  constructor(readonly obs: Observer) {}
  readonly onFailure = (cause: Cause.Cause<HackneyError>): Effect.Effect<never, HackneyError> => {
    this.obs.failed(cause)
    return Effect.failCause(cause)
  }
  readonly onSuccess = (r: Response): Effect.Effect<Response> => {
    this.obs.responded(r)
    return Effect.succeed(r)
  }
}

/** `run` (under `restore`), its observation ended by one match: run inside the uninterruptible region that started it. */
const endedBy = (
  obs: Observer,
  restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  run: Effect.Effect<Response, HackneyError>
): Effect.Effect<Response, HackneyError> => Effect.matchCauseEffect(restore(run), new OneShotEnd(obs))

/**
 * Watches `ex` (a request whose head and bytes body are written) until it
 * completes or fails, then gives the connection back to `source` and
 * resumes with the response or the failure; before the fiber resumes, so
 * exactly once. Installs no canceller: the caller's guard gives the
 * connection back on interruption (see {@link awaitCollected}). Observed
 * (`obs`), a response ends the observation here, before the fiber resumes (a
 * failure ends it in the guard, which may resend); an exception of the
 * observer's (a tracer's `end`) fails the request as a defect, as it would
 * have in an Effect.
 */
const watchCollected = (
  source: ConnectionSource,
  conn: Connection,
  ex: Exchange,
  resume: (effect: Effect.Effect<Response, HackneyError>) => void,
  obs: Observer | undefined
): void => {
  const check = (): void => {
    if (ex.error === undefined && !ex.complete) return ex.onWake(check)
    giveBack(source, conn, ex)
    if (ex.error !== undefined) return resume(ex.failure())
    const r = collected(conn, ex)
    if (obs !== undefined) {
      try {
        obs.responded(r)
      } catch (defect) {
        return resume(Effect.die(defect))
      }
    }
    resume(Effect.succeed(r))
  }
  check()
}

/** Gives `ex`'s connection back to its source, once (the wait's end and the guard may both ask). */
const giveBack = (source: ConnectionSource, conn: Connection, ex: Exchange): void => {
  if (ex.givenBack) return
  ex.givenBack = true
  source.checkin(conn, conn.release(ex))
}

/**
 * Sends `p` and collects its response, on a fresh connection after the stale
 * keep-alive race ({@link withStaleRetry}).
 */
const oneShotRetried = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  obs: Observer | undefined
): Effect.Effect<Response, HackneyError> =>
  withStaleRetry(p, oneShotOnce(p, source, false, wheel, obs), () => oneShotOnce(p, source, true, wheel, obs))

/** Sends `p` once and collects its response; `obs` (started) gives its `traceparent` and dial parent, ending it is the caller's. */
const oneShotOnce = (
  p: Prepared,
  source: ConnectionSource,
  fresh: boolean,
  wheel: TimerWheel,
  obs: Observer | undefined
): Effect.Effect<Response, HackneyError> =>
  Effect.uninterruptibleMask((restore) =>
    // The checkout runs uninterruptibly (only its dial and wait are interruptible), so the connection can't be lost.
    Effect.flatMap(checkout(p, source, fresh, wheel, obs?.dialParent), (conn) => {
      const body = p.body
      const ex = begin(p, conn, "collect", wheel, undefined, obs?.traceparent)
      if (body._tag !== "Stream") return awaitCollected(p, source, conn, ex, restore, undefined, undefined)
      const run = Effect.map(Effect.zipRight(sendStream(p, ex, body), ex.waitFor(ex.isComplete)), () => {
        if (obs !== undefined) obs.streamSent(ex.bodySent)
        return collected(conn, ex)
      })
      return Effect.onExit(restore(run), () => Effect.sync(() => source.checkin(conn, conn.release(ex))))
    })
  )

/**
 * The response of a request whose head (and bytes body) is written: one
 * `Effect.async`, see {@link watchCollected}. Run uninterruptibly by the
 * caller, which holds the connection: only the wait is interruptible, and
 * the guard around it (run uninterruptibly, as the failure leaves `restore`)
 * gives the connection back on any failure or interruption — also one at a
 * yield point before the wait is registered. It is the wait's only
 * canceller: an `Effect.async` with a canceller would wrap itself in an
 * `onInterrupt` of its own (three more Effect operations and about 1.1 KB
 * allocated per request), installed after the registration, so the guard is
 * needed anyway. Given back unfinished, the connection is
 * closed; a later wake of the watcher finds it given back and its resume
 * ignored (the fiber was resumed by the interruption).
 *
 * `wheel` given: the guard also resends a request that met the stale
 * keep-alive race once on a fresh connection (what {@link withStaleRetry}
 * does, without a step of its own around the request).
 *
 * `obs` given (started in the same region): the request's observation ends
 * here, with no step of its own — the watcher ends it with the response, the
 * guard with a failure or interruption (or, resending, the match around the
 * resend: {@link endedBy}).
 */
const awaitCollected = (
  p: Prepared,
  source: ConnectionSource,
  conn: Connection,
  ex: Exchange,
  restore: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  wheel: TimerWheel | undefined,
  obs: Observer | undefined
): Effect.Effect<Response, HackneyError> =>
  Effect.catchAllCause(
    restore(Effect.async<Response, HackneyError>((resume) => watchCollected(source, conn, ex, resume, obs))),
    (cause) => {
      giveBack(source, conn, ex)
      if (wheel !== undefined && isStale(cause, p)) {
        const again = oneShotOnce(p, source, true, wheel, obs)
        return obs === undefined ? restore(again) : endedBy(obs, restore, again)
      }
      if (obs !== undefined) obs.failed(cause)
      return Effect.failCause(cause)
    }
  )

/** A failure (not an interruption or a defect) that {@link staleRetryable} resends. */
const isStale = (cause: Cause.Cause<HackneyError>, p: Prepared): boolean => {
  const failure = Cause.failureOrCause(cause)
  return failure._tag === "Left" && staleRetryable(failure.left, p)
}

/**
 * A request without a streamed body on a pool's idle connection: taken
 * without a separate checkout step, written, and awaited in one
 * `Effect.async` (see {@link awaitCollected}: only the wait is
 * interruptible; its guard resends after the stale keep-alive race). Without
 * an idle connection nothing is reserved and the full path runs. `obs`: its
 * observation, started and ended in the same region (see {@link Observer}).
 */
const oneShotIdle = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  obs: Observer | undefined
): Effect.Effect<Response, HackneyError> =>
  Effect.uninterruptibleMask((restore) => {
    if (obs !== undefined) obs.start(p)
    const conn = source.checkoutIdle!(p.spec, p.maxPerHost, fiber)
    if (conn === undefined) {
      const full = oneShotRetried(p, source, wheel, obs)
      return obs === undefined ? restore(full) : endedBy(obs, restore, full)
    }
    const ex = begin(p, conn, "collect", wheel, undefined, obs?.traceparent)
    return awaitCollected(p, source, conn, ex, restore, wheel, obs)
  })

/** The full path (a checkout step), observed: started and ended in one region. */
const oneShotObserved = (p: Prepared, source: ConnectionSource, wheel: TimerWheel, obs: Observer): Effect.Effect<Response, HackneyError> =>
  Effect.uninterruptibleMask((restore) => {
    obs.start(p)
    return endedBy(obs, restore, oneShotRetried(p, source, wheel, obs))
  })

/**
 * One-shot: sends the request, collects the body. A request that met a stale
 * kept-alive connection (closed before any response byte) is sent once more
 * on a fresh connection when it is idempotent and its body replayable.
 * Its deadlines run on `wheel`: the Clock of the fiber that made it; `fiber`
 * (that fiber, when the caller has it) lets a bytes or empty request take a
 * pool's idle connection without a separate checkout step. `obs`: the
 * request's observation (metrics, span: `observe.ts`), started and ended by
 * these steps, exactly once.
 *
 * @internal
 */
export const oneShot = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber?: Fiber.RuntimeFiber<unknown, unknown>,
  obs?: Observer
): Effect.Effect<Response, HackneyError> =>
  fiber !== undefined && takesIdle(p, source)
    ? oneShotIdle(p, source, wheel, fiber, obs)
    : obs === undefined
    ? oneShotRetried(p, source, wheel, undefined)
    : oneShotObserved(p, source, wheel, obs)

/** A started exchange held by a scope: released (pooled or closed) when the scope closes. */
const acquireExchange = (
  p: Prepared,
  source: ConnectionSource,
  bodyFollows: boolean,
  fresh: boolean,
  wheel: TimerWheel,
  obs?: Observer
): Effect.Effect<{ conn: Connection; ex: Exchange }, HackneyError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.map(checkout(p, source, fresh, wheel, obs?.dialParent), (conn) => ({
      conn,
      ex: begin(p, conn, "stream", wheel, bodyFollows, obs?.traceparent)
    })),
    ({ conn, ex }) =>
      Effect.sync(() => {
        source.checkin(conn, conn.release(ex))
        // Reads after this fail at once (a reader still waiting is woken).
        ex.close(new ResponseClosed({ reason: "scope-closed", method: p.method, url: p.href }))
      })
  )

/**
 * The body of a streaming exchange as a pull-based Stream. It is a cursor
 * over one body: pulled to its end, a new read fails with `ResponseClosed`
 * ("already-read"); after the response's scope closed, with `ResponseClosed`
 * ("scope-closed").
 */
const bodyStream = (ex: Exchange): Stream.Stream<Uint8Array, HackneyError> =>
  Stream.repeatEffectChunkOption(
    Effect.matchEffect(ex.waitFor(ex.hasData), {
      onFailure: (e) => Effect.fail(Option.some(e)),
      onSuccess: () => {
        if (ex.buffered > 0) return Effect.succeed(Chunk.unsafeFromArray(ex.takeChunks()))
        if (!ex.bodyEnded) {
          ex.bodyEnded = true
          return Effect.fail(Option.none())
        }
        return Effect.fail(Option.some(new ResponseClosed({ reason: "already-read", method: ex.method, url: ex.url })))
      }
    })
  )

/**
 * A streaming response, of both paths: the bare path reads the exchange's
 * head and body; the feature path (`pipeline.ts`) gives its redirect chain
 * and, when it decodes, the decoded headers and body.
 *
 * @internal
 */
export class StreamingResponseImpl implements StreamingResponse {
  readonly status: number
  readonly reason: string
  readonly informational: ReadonlyArray<Informational>
  constructor(
    readonly ex: Exchange,
    readonly url: string,
    readonly protocol: Protocol,
    readonly redirects: ReadonlyArray<Redirect> = noRedirects,
    readonly headers: Headers.Headers = Headers.fromRaw(ex.head!.rawHeaders),
    readonly body: Stream.Stream<Uint8Array, HackneyError> = bodyStream(ex)
  ) {
    const head = ex.head!
    this.status = head.status
    this.reason = head.reason
    this.informational = informationalOf(ex.informational)
  }
  header(name: string): string | undefined {
    return responseHeaders.header(this.headers, name)
  }
  headerAll(name: string): ReadonlyArray<string> {
    return responseHeaders.headerAll(this.headers, name)
  }
  get bytes(): Effect.Effect<Uint8Array, HackneyError> {
    return Effect.map(Stream.runCollect(this.body), concatChunk)
  }
  get text(): Effect.Effect<string, HackneyError> {
    return Effect.map(this.bytes, (b) => decoder.decode(b))
  }
  multipart(limits?: Multipart.Limits): Stream.Stream<Multipart.DecodedPart<HackneyError>, HackneyError> {
    return decodeMultipart(this.header("content-type") ?? "(no Content-Type)", limits)(this.body)
  }
  get trailers(): Effect.Effect<Headers.Headers | undefined, HackneyError> {
    return Effect.map(this.ex.waitFor(this.ex.isComplete), () =>
      this.ex.rawTrailers === undefined ? undefined : Headers.fromRaw(this.ex.rawTrailers))
  }
}

/**
 * Streaming: sends the request (a streamed body concurrently with reading
 * the response), waits for the response head, and returns the response with
 * its body as a Stream. The connection is released when the scope closes.
 * `fresh`: dial a new connection rather than reuse an idle one (the resend
 * after a stale keep-alive connection, see {@link staleRetryable}). Its
 * deadlines run on `wheel`: the Clock of the fiber that made the request.
 * `obs` (started): a traced request's `traceparent` and dial parent.
 *
 * @internal
 */
export const streaming = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  fresh = false,
  obs?: Observer
): Effect.Effect<StreamingResponseImpl, HackneyError, Scope.Scope> =>
  Effect.flatMap(acquireExchange(p, source, p.body._tag === "Stream", fresh, wheel, obs), ({ conn, ex }) => {
    const body = p.body
    // The sender's outcome reaches the reader through the exchange (failed, or dying with the body's defect).
    const send = body._tag === "Stream" ? Effect.forkScoped(Effect.exit(sendStream(p, ex, body))) : Effect.void
    return Effect.zipRight(
      send,
      Effect.map(ex.waitFor(ex.hasHead), () => new StreamingResponseImpl(ex, p.href, conn.protocol))
    )
  })

/**
 * {@link streaming} for one request of the bare path (`Hackney.stream`): sent
 * once more on a fresh connection after the stale keep-alive race, as
 * {@link oneShot} is (the feature path resends per hop in `dispatch.ts`).
 * `obs` (started): see {@link streaming}.
 *
 * @internal
 */
export const streamingWithStaleRetry = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  obs?: Observer
): Effect.Effect<StreamingResponseImpl, HackneyError, Scope.Scope> =>
  withStaleRetry(p, streaming(p, source, wheel, false, obs), () => streaming(p, source, wheel, true, obs))

/**
 * The request writer (hackney's send_body / finish_send_body /
 * start_response). The driver frames the body: chunked unless the caller set
 * Content-Length, in which case the byte count is checked (at `finish` for
 * too few).
 *
 * @internal
 */
export const open = (
  p: Prepared,
  source: ConnectionSource,
  wheel: TimerWheel,
  continueTimeout: Effect.Effect<void>
): Effect.Effect<Writer, HackneyError, Scope.Scope> =>
  Effect.map(acquireExchange(p, source, true, false, wheel), ({ conn, ex }) => {
    let finished = false
    const expects = expectsContinue(p)
    let mayWrite = !expects
    // The server answered with a final status before the body went out: the rest is not sent.
    let abandoned = false
    let wrote = false
    const rejected = () => ex.head !== undefined && ex.head.status >= 300
    // Expect: 100-continue — wait for 100 (or a final response, or the timeout) before the first body byte.
    const awaitContinue = Effect.suspend(() => {
      if (mayWrite) return Effect.void
      return Effect.raceFirst(
        ex.waitFor(() => ex.informational.some((h) => h.status === 100) || ex.head !== undefined),
        continueTimeout
      ).pipe(Effect.tap(() => {
        mayWrite = true
      }))
    })
    const send = (chunk: Uint8Array | string): Effect.Effect<void, HackneyError> =>
      Effect.suspend(() => {
        if (finished) return Effect.fail(bodyError(p, "send was called after finish, so this chunk was not sent"))
        if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) {
          return Effect.fail(bodyError(p, `send was given ${describeValue(chunk)}; give a string or a Uint8Array`))
        }
        const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk
        return Effect.zipRight(
          awaitContinue,
          Effect.suspend(() => {
            // The server already answered with a final status: it does not want the body.
            if (abandoned || rejected()) {
              abandoned = true
              return Effect.void
            }
            wrote ||= bytes.length > 0
            return ex.write(bytes)
          })
        )
      })
    const finish: Effect.Effect<void, HackneyError> = Effect.suspend(() => {
      if (finished) return Effect.void
      finished = true
      // A rejected Expect (or a body cut short by an early final response): end here, never reuse the connection.
      if (abandoned || (expects && !wrote && rejected())) return Effect.sync(() => ex.abandon())
      return ex.end()
    })
    const response = Effect.zipRight(
      finish,
      Effect.map(ex.waitFor(ex.hasHead), () => new StreamingResponseImpl(ex, p.href, conn.protocol) as StreamingResponse)
    )
    return { send, finish, response }
  })
