/**
 * Upload and download progress (what got's `uploadProgress` and
 * `downloadProgress` give): `{ transferred, total }` events through an
 * Effect callback, as request options of `Hackney.request`, `stream` and
 * `open`, or around any byte Stream with {@link track}.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { tracked } from "./internal/observe/progress.js"

/**
 * Bytes moved so far, and the total when it is known (a `Content-Length`,
 * a body of bytes, a file's size); `transferred` only grows, and the last
 * event of a complete body has `transferred === total` when `total` is known.
 *
 * @example
 * ```ts
 * import type { Progress } from "effect-hackney"
 * const percent = (p: Progress.Progress) => (p.total ? Math.floor((100 * p.transferred) / p.total) : undefined)
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  readonly transferred: number
  readonly total: number | undefined
}

/**
 * The progress options of a request. The callbacks run in the request's
 * fiber, once per chunk; a failure or defect of theirs is ignored (progress
 * never fails a request).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/big", {
 *   downloadProgress: ({ transferred, total }) => Effect.log(`${transferred}/${total ?? "?"}`)
 * })
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The request body going out: each chunk of a streamed body (a Stream, a
   * file), or the whole of a body of bytes once it was sent. Each attempt
   * (redirect hop, retry) starts again from 0. Default: none.
   */
  readonly uploadProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /**
   * The response body coming in (of the last response of a redirect chain),
   * as received on the wire: `total` is its `Content-Length`, undefined when
   * it is chunked or is being decoded (`autoDecompress`). Default: none.
   */
  readonly downloadProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

/**
 * A byte Stream reporting its progress to `onProgress` as it is pulled:
 * one event per chunk, `transferred` the bytes so far, `total` as given.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Hackney, Progress } from "effect-hackney"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const res = yield* Hackney.stream("GET", "http://127.0.0.1:8080/big")
 *   const total = Number(res.header("content-length"))
 *   return yield* Progress.track(res.body, total, (p) => Effect.log(p.transferred)).pipe(Stream.runDrain)
 * }))
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const track = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  total: number | undefined,
  onProgress: (progress: Progress) => Effect.Effect<void>
): Stream.Stream<Uint8Array, E, R> => tracked(stream, total, onProgress)
