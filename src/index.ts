/**
 * effect-hackney: hackney's HTTP client, rebuilt on Effect.
 *
 * Each public module is exported as a namespace:
 *
 * @example
 * ```ts
 * import { HackneyError, Url } from "effect-hackney"
 * ```
 *
 * @since 0.1.0
 */

/**
 * The error vocabulary: tagged errors, the `HackneyError` union, `isTimeout`, `isRetryable`.
 *
 * @since 0.1.0
 */
export * as HackneyError from "./HackneyError.js"
