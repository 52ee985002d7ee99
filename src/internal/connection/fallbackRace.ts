/**
 * The race of a preferred dial against its fallback, as browsers race QUIC
 * against TCP: the preferred dial (HTTP/3 over QUIC) starts at once; the
 * fallback (TCP + TLS, h2/h1) starts after a short head start, or at once
 * when the preferred one fails; the first success wins, the loser is
 * interrupted and, if it connects anyway, closed; the race fails only when
 * both failed, with the fallback's error (the preferred one's goes to
 * `onPrimaryFailure`, for the negative cache).
 *
 * Dials follow the pool's convention (`connection/dial.ts`): run from an
 * uninterruptible region, interruptible only while connecting. So both
 * contenders run in fibers forked uninterruptibly (each interruptible only
 * where it says), and the race itself is interruptible only while it waits:
 * interrupted, it interrupts both and closes what still connects. Time is
 * the running fiber's Clock (`TestClock` drives the head start).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** How long the preferred dial runs alone before the fallback starts, by default: 300 ms. @internal */
export const defaultHeadStartMillis = 300

/** @internal */
export interface FallbackRace<A, EP, EF> {
  /** The preferred dial (QUIC). */
  readonly primary: Effect.Effect<A, EP>
  /** The fallback dial (TCP). */
  readonly fallback: Effect.Effect<A, EF>
  /** Milliseconds the primary runs alone (0: both at once). */
  readonly headStartMillis: number
  /** Closes a result that lost (a dial that completed after the winner, or after the race was interrupted). */
  readonly discard: (a: A) => void
  /** Told of the primary's failure (not of its interruption when the fallback won). */
  readonly onPrimaryFailure?: ((e: EP) => void) | undefined
}

/**
 * Runs the race (see the module): the first success, or the fallback's
 * failure once both failed. A defect of either contender, before a winner,
 * is the race's defect.
 *
 * @internal
 */
export const raceFallback = <A, EP, EF>(race: FallbackRace<A, EP, EF>): Effect.Effect<A, EF> =>
  Effect.uninterruptible(Effect.gen(function*() {
    const outcome = yield* Deferred.make<A, EF>()
    const startFallback = yield* Deferred.make<void>()
    let decided = false
    let winner: { readonly value: A } | undefined
    let primaryFailed = false
    let fallbackFailure: { readonly error: EF } | undefined

    const win = (a: A): Effect.Effect<void> => {
      if (decided) {
        race.discard(a)
        return Effect.void
      }
      decided = true
      winner = { value: a }
      return Deferred.succeed(outcome, a)
    }
    const lose = (cause: Cause.Cause<EF>): Effect.Effect<void> => {
      if (decided) return Effect.void
      decided = true
      return Deferred.failCause(outcome, cause)
    }
    /** A contender that died (not failed, not interrupted) ends the race with its defect. */
    const died = (cause: Cause.Cause<unknown>): Effect.Effect<void> =>
      Cause.isInterruptedOnly(cause) ? Effect.void : lose(Cause.die(Cause.squash(cause)))

    const primary = Effect.matchCauseEffect(race.primary, {
      onSuccess: win,
      onFailure: (cause) => {
        const failure = Cause.failureOption(cause)
        if (failure._tag === "None") return died(cause)
        race.onPrimaryFailure?.(failure.value)
        primaryFailed = true
        return fallbackFailure !== undefined ? lose(Cause.fail(fallbackFailure.error)) : Deferred.succeed(startFallback, undefined)
      }
    })
    const headStart = race.headStartMillis > 0
      ? Effect.interruptible(Effect.race(Effect.sleep(race.headStartMillis), Deferred.await(startFallback)))
      : Effect.void
    const fallback = Effect.zipRight(
      headStart,
      Effect.matchCauseEffect(race.fallback, {
        onSuccess: win,
        onFailure: (cause) => {
          const failure = Cause.failureOption(cause)
          if (failure._tag === "None") return died(cause)
          if (primaryFailed) return lose(Cause.fail(failure.value))
          fallbackFailure = { error: failure.value }
          return Effect.void
        }
      })
    )
    // Forked here, uninterruptible: each contender is interruptible only where it says (its connect).
    const p = yield* Effect.forkDaemon(primary)
    const f = yield* Effect.forkDaemon(fallback)
    const stop = Effect.zipRight(Fiber.interruptFork(p), Fiber.interruptFork(f))
    const result = yield* Effect.exit(Effect.interruptible(Deferred.await(outcome)).pipe(
      Effect.onInterrupt(() =>
        Effect.suspend(() => {
          // Whatever connects from now on is closed; a winner decided meanwhile too.
          decided = true
          if (winner !== undefined) race.discard(winner.value)
          return stop
        })
      )
    ))
    yield* stop
    return yield* result
  }))

