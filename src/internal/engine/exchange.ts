/**
 * The engine's exchange lifecycle, once for both adapters: check a
 * connection out of a source, begin the request on it (the driver encodes and
 * frames it), send a streamed body, and resend once on a fresh connection
 * after the stale keep-alive race ({@link withStaleRetry}). What holds the
 * exchange afterwards (a Scope for `Hackney`, a lease for the `HttpClient`
 * adapter) is the adapter's.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import { BodyError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { Outgoing, StreamBody } from "../client/prepare.js"
import type { Connection } from "../connection/connection.js"
import { refusedStream } from "../connection/h2Request.js"
import { h3RequestRejected } from "../error/http3Reason.js"
import type { BodyMode, Exchange } from "../connection/exchange.js"
import { traceConnect } from "../observe/log.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { ConnectionSource } from "./source.js"

// The response completed while the body was being sent: stop pulling it (not an error).
const stopped = { _tag: "BodyStopped" } as const

/**
 * Sends a streamed body through the exchange (the driver frames it and checks
 * a declared length). Stops pulling the body when the response completes
 * first (the connection is then not reused). Any failure fails the exchange
 * too, so the connection is closed, never reused: the body Stream's own error
 * as a {@link BodyError} carrying it (and how much was sent), a framing
 * mistake as `InvalidRequest`, a socket error as itself. A defect of the body
 * Stream stays a defect: the exchange's waiters die with it.
 *
 * @internal
 */
export const sendStream = (p: Outgoing, ex: Exchange, body: StreamBody): Effect.Effect<void, HackneyError> => {
  // Stops pulling the body once the response is complete: the server answered without reading it all. Not
  // `Stream.runForEachWhile`: its sink keeps every element it was given until the stream ends (a `catchAll`
  // per element on the channel's stack, effect 3.22), so a 1 GiB upload held 1 GiB; a sentinel failure stops instead.
  const writeOrStop = (chunk: Uint8Array) => Effect.flatMap(ex.write(chunk), () => (ex.complete ? Effect.fail(stopped) : Effect.void))
  // The caller's errors, told apart from ours (a body may be another response's body, failing with a HackneyError).
  const source = Stream.mapError(body.stream, (cause): HackneyError =>
    new BodyError({ method: p.method, url: p.href, requestSent: ex.requestSent, bodyBytesSent: ex.bodySent, cause }))
  return Stream.runForEach(source, writeOrStop).pipe(
    Effect.catchIf((e): e is typeof stopped => e === stopped, () => Effect.void),
    Effect.tapDefect((cause) =>
      Effect.sync(() => {
        const defect = Cause.squash(cause)
        ex.die(defect, new BodyError({ method: p.method, url: p.href, requestSent: ex.requestSent, bodyBytesSent: ex.bodySent, cause: defect }))
      })
    ),
    Effect.flatMap(() => {
      if (ex.complete) {
        // Abandoned: the framing is broken, so the connection will be closed, not reused.
        ex.abandon()
        return Effect.void
      }
      return ex.end()
    }),
    Effect.tapError((e) => Effect.sync(() => ex.fail(e)))
  )
}

/**
 * A request the server did not process, sent again once on a fresh
 * connection when its body can be sent again:
 *
 * - nothing was sent (an HTTP/2 session that closed before the stream
 *   went out): whatever the method;
 * - the stale keep-alive race: a reused connection closed before any
 *   response byte (the server may have read it: idempotent requests only);
 * - HTTP/2 `REFUSED_STREAM` (RFC 9113 §8.7), also what a stream above a
 *   `GOAWAY`'s last stream id gets (§6.8): never processed, so whatever the
 *   method; HTTP/3's `H3_REQUEST_REJECTED` alike (RFC 9114 §4.1.1, §5.2).
 *
 * @internal
 */
export const staleRetryable = (e: HackneyError, p: Outgoing): boolean =>
  (e._tag === "ConnectionClosed"
    ? !e.requestSent || (e.reused === true && e.responseStarted !== true && p.idempotent)
    : e._tag === "ProtocolError" && e.reason === "stream-reset" && (e.code === refusedStream || e.code === h3RequestRejected)) &&
  (p.body._tag !== "Stream" || p.body.replayable)

/**
 * Checks a connection out for `o`. Callers run it uninterruptibly, never
 * under `restore` (see `oneShotOnce`). `wheel`: the requesting fiber's Clock,
 * which times the wait for a pooled connection. `dialParent`: a traced
 * request's span, under which its dial (`hackney.connect`) or queue wait, if
 * any, is recorded.
 *
 * @internal
 */
export const checkout = (
  o: Outgoing,
  source: ConnectionSource,
  fresh: boolean,
  wheel: TimerWheel,
  dialParent?: Tracer.Span
): Effect.Effect<Connection, HackneyError> => {
  const c = source.checkout(o.spec, {
    checkoutTimeout: o.checkoutTimeout,
    maxPerHost: o.maxPerHost,
    fresh,
    method: o.method,
    url: o.href,
    wheel
  })
  // Traced: the dial or the queue wait, if any, is recorded under the request's span (read only on this path).
  return dialParent === undefined ? c : Effect.locally(c, traceConnect, dialParent)
}

/**
 * Starts the exchange of `o` on `conn`: the driver writes the head (and a
 * bytes body); `bodyFollows` when a body will be written after (by default: a
 * streamed body). The recv timeout runs on `wheel`, the requesting fiber's
 * Clock. `traceparent`: a traced request's, one more field of its head
 * (`Connection.begin`).
 *
 * @internal
 */
export const begin = (
  o: Outgoing,
  conn: Connection,
  mode: BodyMode,
  wheel: TimerWheel,
  bodyFollows: boolean = o.body._tag === "Stream",
  traceparent?: string
): Exchange => conn.begin(o, mode, wheel, bodyFollows, traceparent)

/**
 * Whether `o` may take a pool's idle connection in the same step as its write
 * (`ConnectionSource.checkoutIdle`): the source offers it and the body is not
 * a Stream (written after `begin`, by another fiber).
 *
 * @internal
 */
export const takesIdle = (o: Outgoing, source: ConnectionSource): boolean =>
  source.checkoutIdle !== undefined && o.body._tag !== "Stream"

/**
 * Runs `first` (on a pooled connection), and `again` (on a fresh one) when it
 * met the stale keep-alive race ({@link staleRetryable}).
 *
 * @internal
 */
export const withStaleRetry = <A, R, A2, R2>(
  o: Outgoing,
  first: Effect.Effect<A, HackneyError, R>,
  again: () => Effect.Effect<A2, HackneyError, R2>
): Effect.Effect<A | A2, HackneyError, R | R2> => Effect.catchIf(first, (e) => staleRetryable(e, o), again)
