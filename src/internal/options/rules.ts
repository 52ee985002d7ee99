/**
 * Option rules: what an option value may be, said in words and tested, and
 * the error naming the option, the value and what it accepts. Durations are
 * read here too (`toMillis`, which never throws). Pure: shared by the pool
 * options (L2) and the request options (L3).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import { InvalidRequest } from "../../HackneyError.js"

// Effect's duration text: a number and a unit. `Duration.decode` reads "-1 seconds" as zero; we refuse it.
const durationText = /^(-?\d+(?:\.\d+)?)\s+(?:nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)$/

/**
 * Milliseconds of any value given as a duration — a number of milliseconds,
 * a `Duration`, Effect's text (`"5 seconds"`), `[seconds, nanos]` or a bigint
 * of nanoseconds — or `undefined` when it is not a duration, or a negative or
 * NaN one (never throws, unlike `Duration.decode`).
 *
 * @internal
 */
export const toMillis = (input: unknown): number | undefined => {
  switch (typeof input) {
    case "number":
      return Number.isNaN(input) || input < 0 ? undefined : input
    case "bigint":
      return input < 0n ? undefined : Number(input) / 1e6
    case "string": {
      const m = durationText.exec(input)
      if (m === null || m[1].startsWith("-")) return undefined
      break
    }
    case "object":
      if (Duration.isDuration(input)) return Duration.toMillis(input)
      if (
        !Array.isArray(input) || input.length !== 2 ||
        !input.every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)
      ) return undefined
      break
    default:
      return undefined
  }
  try {
    return Duration.toMillis(Duration.decode(input as Duration.DurationInput))
  } catch {
    return undefined
  }
}

/** What an option accepts (said in the error) and the test of a value (never `undefined`, which means "absent"). @internal */
export interface Rule {
  readonly accepts: string
  readonly test: (value: unknown) => boolean
}

/** @internal */
export const rule = (accepts: string, test: (value: unknown) => boolean): Rule => ({ accepts, test })

const durationForms = `a number of milliseconds, a Duration, or text such as "5 seconds"`

/** A timeout that cannot be zero: above zero, or Infinity. @internal */
export const positiveDuration: Rule = rule(
  `a duration above zero (${durationForms}), or Infinity for no limit`,
  (v) => {
    const ms = toMillis(v)
    return ms !== undefined && ms > 0
  }
)

/** A duration from zero; `zero` says what 0 means. @internal */
export const durationFrom0 = (zero: string): Rule =>
  rule(`a duration (${durationForms}): 0 ${zero}, Infinity for no limit`, (v) => toMillis(v) !== undefined)

/** @internal */
export const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v)

/** An integer from `min`; `infinity` says what Infinity means (undefined: not allowed), `zero` what 0 means. @internal */
export const count = (min: number, infinity: string | undefined, zero?: string): Rule =>
  rule(
    `an integer from ${min}${zero !== undefined ? ` (0 ${zero})` : ""}${infinity !== undefined ? `, or Infinity ${infinity}` : ""}`,
    (v) => (isInteger(v) && v >= min) || (infinity !== undefined && v === Infinity)
  )

/** @internal */
export const boolean: Rule = rule("true or false", (v) => typeof v === "boolean")
/** @internal */
export const isString = (v: unknown): v is string => typeof v === "string"
/** @internal */
export const nonEmptyString: Rule = rule("a non-empty string", (v) => isString(v) && v !== "")
/** @internal */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null

/** A value as an error message shows it: strings quoted, objects by kind (never their contents). @internal */
export const describeValue = (v: unknown): string => {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v)
    case "bigint":
      return `${v}n`
    case "function":
      return "a function"
    case "symbol":
      return "a symbol"
    case "object":
      return v === null ? "null" : Array.isArray(v) ? `an array of ${v.length}` : "an object"
    default:
      return String(v)
  }
}

const optionError = (name: string, value: unknown, accepts: string) =>
  new InvalidRequest({ reason: "option", detail: `the option ${name} is ${describeValue(value)}; it takes ${accepts}` })

/** The first invalid field of `options` under `rules` (fields absent from the rules are not options: ignored). @internal */
export const check = (
  options: Record<string, unknown>,
  rules: Readonly<Record<string, Rule>>,
  prefix = ""
): InvalidRequest | undefined => {
  for (const name in rules) {
    const value = options[name]
    if (value !== undefined && !rules[name].test(value)) return optionError(prefix + name, value, rules[name].accepts)
  }
  return undefined
}

/** The error for options that are not an object. @internal */
export const notAnObject = (what: string, value: unknown): InvalidRequest =>
  new InvalidRequest({ reason: "option", detail: `the ${what} are ${describeValue(value)}; give an object (or nothing)` })
