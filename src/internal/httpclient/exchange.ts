/**
 * Running one request through the engine for the `HttpClient` layer, without
 * a Scope or a fiber per request: the connection is checked out, the request
 * written, and the response head awaited; from then on a {@link Lease} owns
 * the connection and gives it back exactly once —
 *
 * - to the pool, as soon as the body has been read to the end (so the
 *   platform's later `abort()` finds nothing to do);
 * - destroyed, when the response is aborted (interrupt, timeout,
 *   `Stream.take`, scope close, or the platform's GC registry) before that.
 *
 * A request body that is a Stream is written by a daemon fiber, the only
 * fiber this adds, interrupted if the response is released first.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { identity } from "effect/Function"
import type { HackneyError } from "../../HackneyError.js"
import { begin, checkout, sendStream, staleRetryable, takesIdle, withStaleRetry } from "../engine/exchange.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { Outgoing, StreamBody } from "../client/prepare.js"
import type { ConnectionSource } from "../engine/source.js"
import type { Exchange } from "../connection/exchange.js"
import type { Connection } from "../connection/connection.js"
import { requestEnded, requestStarted } from "../observe/requestMeter.js"

/** The abort listener's options (one object for every lease). */
const once = { once: true } as const

/**
 * The connection of one exchange, held until the response lets it go. It is
 * its own abort listener (`handleEvent`): no closure per lease. @internal
 */
export class Lease {
  released = false
  /** The daemon fiber writing a streamed request body, while it runs. */
  sender: Fiber.RuntimeFiber<void, never> | undefined = undefined
  sending = false
  /** Called once when the connection is given back (the request metrics, with `metrics: true`). */
  onRelease: (() => void) | undefined = undefined
  private signal: AbortSignal | undefined = undefined

  constructor(readonly conn: Connection, readonly ex: Exchange, readonly source: ConnectionSource) {}

  /** Gives the connection back: pooled when the exchange completed with keep-alive, destroyed otherwise. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    if (this.signal !== undefined) {
      this.signal.removeEventListener("abort", this)
      this.signal = undefined
    }
    if (this.sending) {
      // The request body is still being written: the connection cannot be reused.
      this.sending = false
      this.sender?.unsafeInterruptAsFork(FiberId.none)
      this.conn.close()
    }
    this.source.checkin(this.conn, this.conn.release(this.ex))
    this.onRelease?.()
  }

  /** The watched signal aborted. */
  handleEvent(): void {
    this.release()
  }

  /** Releases when `signal` aborts (until released otherwise). */
  watch(signal: AbortSignal): void {
    if (this.released) return
    if (signal.aborted) {
      this.release()
      return
    }
    this.signal = signal
    signal.addEventListener("abort", this, once)
  }
}

/**
 * Writes a streamed body (see `engine/exchange.sendStream`) and clears `sending`; a
 * failure (which failed the exchange) also closes the connection: a
 * half-written request leaves it unusable.
 */
const sendBody = (o: Outgoing, lease: Lease, body: StreamBody): Effect.Effect<void> =>
  Effect.matchEffect(sendStream(o, lease.ex, body), {
    onFailure: () =>
      Effect.sync(() => {
        lease.sending = false
        lease.conn.close()
      }),
    onSuccess: () =>
      Effect.sync(() => {
        lease.sending = false
      })
  })

const attempt = <A>(
  o: Outgoing,
  source: ConnectionSource,
  wheel: TimerWheel,
  fresh: boolean,
  onHead: (lease: Lease) => A
): Effect.Effect<A, HackneyError> =>
  Effect.uninterruptibleMask((restore) =>
    // The checkout runs uninterruptibly (only its dial and wait are interruptible inside), so the connection can't be lost.
    Effect.flatMap(checkout(o, source, fresh, wheel), (conn) => {
      const body = o.body
      const ex = begin(o, conn, "stream", wheel)
      const lease = new Lease(conn, ex, source)
      // The sender runs interruptibly (forked fibers inherit our uninterruptible region otherwise).
      const start = body._tag === "Stream"
        ? Effect.suspend(() => {
          lease.sending = true
          return Effect.map(
            Effect.forkDaemon(Effect.interruptible(sendBody(o, lease, body))),
            (fiber) => {
              lease.sender = fiber
            }
          )
        })
        : Effect.void
      return Effect.zipRight(start, restore(ex.waitFor(ex.hasHead))).pipe(
        Effect.onExit((exit) => (exit._tag === "Failure" ? Effect.sync(() => lease.release()) : Effect.void)),
        // Still uninterruptible: whatever owns the lease from now on is created before anything can interrupt.
        Effect.map(() => onHead(lease))
      )
    })
  )

/** {@link attempt}, and once more on a fresh connection after the stale keep-alive race ({@link withStaleRetry}). */
const attemptRetried = <A>(
  o: Outgoing,
  source: ConnectionSource,
  wheel: TimerWheel,
  onHead: (lease: Lease) => A
): Effect.Effect<A, HackneyError> =>
  withStaleRetry(o, attempt(o, source, wheel, false, onHead), () => attempt(o, source, wheel, true, onHead))

/**
 * {@link attempt} for a request without a streamed body on a pool's idle
 * connection: taken without a separate checkout step (uninterruptibly, with
 * the lease made at once), written, and the head awaited in one
 * `Effect.async`, the only interruptible part. Without an idle connection
 * nothing is reserved and {@link attempt} runs.
 */
const attemptIdle = <A, E>(
  o: Outgoing,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  onHead: (lease: Lease) => A,
  toError: (e: HackneyError) => E
): Effect.Effect<A, E> =>
  Effect.uninterruptibleMask((restore) => {
    const conn = source.checkoutIdle!(o.spec, o.maxPerHost, fiber)
    if (conn === undefined) return restore(Effect.mapError(attemptRetried(o, source, wheel, onHead), toError))
    const ex = begin(o, conn, "stream", wheel)
    const lease = new Lease(conn, ex, source)
    const wait = Effect.async<A, HackneyError>((resume) => {
      const check = (): void => {
        if (ex.error === undefined && ex.head === undefined) return ex.onWake(check)
        if (ex.error !== undefined) {
          lease.release()
          return resume(ex.failure())
        }
        // The response is made when the fiber runs (the rest of the read, often the whole body, parsed by then),
        // still inside the guard below: interrupted before, the guard releases the lease. The response then
        // owns it: given back at once when the body came whole, else on the request's abort signal (which the
        // platform aborts on an interruption after this).
        resume(Effect.sync(() => onHead(lease)))
      }
      check()
    })
    // Only the wait is interruptible. The guard (run uninterruptibly, as the failure leaves `restore`) is the
    // wait's only canceller: it releases the lease (idempotent; unfinished, the connection is closed, and a later
    // wake finds the lease released and its resume ignored) on any failure or interruption, also one at a yield
    // point before the wait is registered. A canceller returned from the registration would add an `onInterrupt`
    // of Effect's own (Effect.async installs it after the registration, so the guard is needed anyway). It also
    // resends after the stale keep-alive race (what `withStaleRetry` does) and makes the failure the caller's
    // (what a `mapError` would): a request that succeeds runs no step for either.
    return Effect.catchAllCause(restore(wait), (cause) => {
      lease.release()
      const failure = Cause.failureOrCause(cause)
      return failure._tag === "Left" && staleRetryable(failure.left, o)
        ? restore(Effect.mapError(attempt(o, source, wheel, true, onHead), toError))
        : Effect.failCause(Cause.map(cause, toError))
    })
  })

/**
 * Sends the request, waits for the response head and hands the lease to
 * `onHead` (uninterruptibly, so the lease always has an owner). A request that met a
 * stale kept-alive connection (closed before any response byte) is sent once
 * more on a fresh connection when it is idempotent and has no streamed body
 * (the adapter's streamed bodies are never replayable). Its deadlines run
 * on `wheel`: the Clock of the fiber that made the request. It fails with
 * what `toError` makes of its `HackneyError`.
 *
 * @internal
 */
export const send = <A, E>(
  o: Outgoing,
  source: ConnectionSource,
  wheel: TimerWheel,
  onHead: (lease: Lease) => A,
  /** The requesting fiber: a bytes or empty request may take an idle connection in one step. */
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined,
  toError: (e: HackneyError) => E
): Effect.Effect<A, E> =>
  fiber !== undefined && takesIdle(o, source)
    ? attemptIdle(o, source, wheel, fiber, onHead, toError)
    : Effect.mapError(attemptRetried(o, source, wheel, onHead), toError)

/**
 * {@link send} with the request metrics (a pool with `metrics: true`): the
 * request counts as active until its lease is released (body read, or
 * the response aborted), or until it fails.
 *
 * @internal
 */
export const sendMetered: typeof send = (o, source, wheel, onHead, fiber, toError) =>
  Effect.suspend(() => {
    const clock = wheel.clock
    const started = requestStarted(o.method, o.spec.key, o.spec.host, o.spec.port, clock.unsafeCurrentTimeNanos())
    const sent = o.body._tag === "Bytes" ? o.body.bytes.length : undefined
    const counted = Effect.tapError(
      send(o, source, wheel, (lease) => {
        lease.onRelease = () =>
          requestEnded(started, clock.unsafeCurrentTimeNanos(), {
            status: lease.ex.head!.status,
            protocol: lease.conn.protocol,
            sent: sent ?? lease.ex.bodySent,
            received: lease.ex.received
          })
        return onHead(lease)
      }, fiber, identity),
      (e) => Effect.sync(() => requestEnded(started, clock.unsafeCurrentTimeNanos(), { error: e._tag }))
    )
    return Effect.mapError(counted, toError)
  })
