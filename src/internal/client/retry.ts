/**
 * Retrying one request (one hop of a redirect chain) on a user `Schedule`:
 * transport errors that left the server untouched (`isRetryable`), plus
 * `RecvTimeout` / `ConnectionClosed` for idempotent methods, and the
 * statuses 408/429/502/503/504 (configurable). `Retry-After` (delta-seconds
 * or an HTTP date) is a floor under the schedule's delay. Every delay is an
 * `Effect.sleep`, so it runs on Effect's Clock.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import { isRetryable } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as HttpDate from "../../HttpDate.js"

/** The statuses retried by default. @internal */
export const defaultRetryStatuses: ReadonlyArray<number> = [408, 429, 502, 503, 504]

/** What a retry schedule is stepped with: the error, or the response status that asked for a retry. @internal */
export type RetryInput = HackneyError | {
  readonly _tag: "Status"
  readonly status: number
  readonly headers: Headers.Headers
}

/** Whether an error may be retried for a request of this kind. @internal */
export const retryableError = (e: HackneyError, idempotent: boolean): boolean =>
  isRetryable(e) ||
  (idempotent &&
    (e._tag === "RecvTimeout" || e._tag === "ConnectionClosed" || (e._tag === "RequestTimeout" && e.option === "attemptTimeout")))

/**
 * `Retry-After` in milliseconds from `now`: delta-seconds or an HTTP date;
 * 0 when absent, invalid or in the past.
 *
 * @internal
 */
export const retryAfterMillis = (headers: Headers.Headers, now: number): number => {
  const v = Headers.getOrUndefined(headers, "retry-after")?.trim()
  if (v === undefined || v === "") return 0
  if (/^\d+$/.test(v)) return Math.min(Number(v), 365 * 86400) * 1000
  const d = HttpDate.parse(v)
  return d._tag === "Some" ? Math.max(0, d.value.getTime() - now) : 0
}

/** An attempt's outcome: a response to keep or to retry (then `discard` releases it). @internal */
export interface Attempted<A> {
  readonly value: A
  readonly status: number
  readonly headers: Headers.Headers
  /** Releases a response that will be retried (drain or close its connection). */
  readonly discard: Effect.Effect<void>
}

/** @internal */
export interface RetryPolicy {
  readonly schedule: Schedule.Schedule<unknown, RetryInput>
  /** Idempotent (or the caller allowed non-idempotent retries) and the body replayable. */
  readonly allowed: boolean
  readonly idempotent: boolean
  readonly statuses: ReadonlySet<number>
}

/**
 * Runs `attempt` and retries it per the policy. When the schedule is done,
 * the last error fails and the last retryable-status response is returned.
 *
 * @internal
 */
export const retrying = <A>(
  policy: RetryPolicy | undefined,
  attempt: Effect.Effect<Attempted<A>, HackneyError>
): Effect.Effect<A, HackneyError> => {
  if (policy === undefined || !policy.allowed) return Effect.map(attempt, (a) => a.value)
  const { schedule, statuses } = policy
  const loop = (state: unknown): Effect.Effect<A, HackneyError> =>
    Effect.flatMap(Effect.either(attempt), (result) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        let input: RetryInput
        let floor = 0
        if (result._tag === "Left") {
          if (!retryableError(result.left, policy.idempotent)) return Effect.fail(result.left)
          input = result.left
        } else {
          const r = result.right
          if (!statuses.has(r.status)) return Effect.succeed(r.value)
          input = { _tag: "Status", status: r.status, headers: r.headers }
          floor = retryAfterMillis(r.headers, now)
        }
        return Effect.flatMap(schedule.step(now, input, state), ([next, , decision]) => {
          if (ScheduleDecision.isDone(decision)) {
            return result._tag === "Left" ? Effect.fail(result.left) : Effect.succeed(result.right.value)
          }
          const delay = Math.max(0, Intervals.start(decision.intervals) - now, floor)
          const release = result._tag === "Right" ? result.right.discard : Effect.void
          return release.pipe(
            Effect.zipRight(Effect.sleep(Duration.millis(delay))),
            Effect.zipRight(Effect.suspend(() => loop(next)))
          )
        })
      }))
  return Effect.suspend(() => loop(schedule.initial))
}
