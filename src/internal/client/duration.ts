/**
 * Option durations: an Effect `DurationInput` (or a number of milliseconds)
 * to milliseconds, with `Infinity` for "no timeout".
 *
 * @internal
 */
import * as Duration from "effect/Duration"

/** Milliseconds of a duration option, or `fallback` when absent. @internal */
export const millis = (input: Duration.DurationInput | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  if (typeof input === "number") return input
  return Duration.toMillis(Duration.decode(input))
}
