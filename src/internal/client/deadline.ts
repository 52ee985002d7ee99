/**
 * The `timeout` request option: one deadline for a whole exchange, on
 * Effect's Clock (so `TestClock` drives it). When it passes, the request is
 * interrupted — its connection is closed, never reused — and fails with
 * `RequestTimeout`. It wraps the request's Effect from the outside, so the
 * per-phase timeouts (connect, recv, checkout) and the retry loop run
 * inside it unchanged.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { RequestTimeout } from "../../HackneyError.js"

/**
 * `self` bounded by `millis` (finite, above zero), failing with
 * `RequestTimeout` naming the request and the option's value `total` (the
 * time left of a deadline that started earlier is less than its total).
 *
 * @internal
 */
export const withDeadline = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  until: RequestTimeout["until"],
  method: string | undefined,
  url: string | undefined,
  total: number = millis,
  option: RequestTimeout["option"] = "timeout"
): Effect.Effect<A, E | RequestTimeout, R> =>
  Effect.timeoutFail(self, {
    duration: Duration.millis(millis),
    onTimeout: () => new RequestTimeout({ timeoutMillis: total, until, method, url, option })
  })
