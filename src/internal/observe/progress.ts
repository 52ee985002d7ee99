/**
 * Progress of a byte Stream: a count kept as chunks pass, reported to an
 * Effect callback whose failures and defects are ignored (progress never
 * fails a transfer).
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** What a progress callback gets. @internal */
export interface ProgressEvent {
  readonly transferred: number
  readonly total: number | undefined
}

/** Runs a progress callback, ignoring whatever it fails or dies with. @internal */
export const report = (
  onProgress: (progress: ProgressEvent) => Effect.Effect<void>,
  event: ProgressEvent
): Effect.Effect<void> =>
  Effect.suspend(() => onProgress(event)).pipe(Effect.catchAllCause(() => Effect.void))

/** `stream` with one progress event per chunk. @internal */
export const tracked = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  total: number | undefined,
  onProgress: (progress: ProgressEvent) => Effect.Effect<void>
): Stream.Stream<Uint8Array, E, R> =>
  Stream.suspend(() => {
    let transferred = 0
    return Stream.mapChunksEffect(stream, (chunk) => {
      transferred += Chunk.reduce(chunk, 0, (n, c) => n + c.length)
      return Effect.as(report(onProgress, { transferred, total }), chunk)
    })
  })
