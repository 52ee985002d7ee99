/**
 * File request bodies: size from `statSync`, contents streamed from disk in
 * 64 KiB reads as an Effect `Stream` (pull-based, so the socket's
 * backpressure paces the reads). L2: the only file-system access.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"

const chunkSize = 64 * 1024

/** Opens `path` for a request body: its size, and a replayable stream of its bytes. @internal */
export const openFile = (path: string): { stream: Stream.Stream<Uint8Array, unknown>; size: number } | Error => {
  let size: number
  try {
    const st = fs.statSync(path)
    if (!st.isFile()) return new Error("not a regular file")
    size = st.size
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
  const stream = Stream.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.try({ try: () => fs.openSync(path, "r"), catch: (e) => e }),
        (fd) => Effect.sync(() => fs.closeSync(fd))
      ),
      (fd) => {
        let position = 0
        return Stream.repeatEffectOption(
          Effect.async<Uint8Array, Option.Option<unknown>>((resume) => {
            const buf = Buffer.allocUnsafe(chunkSize)
            fs.read(fd, buf, 0, chunkSize, position, (err, n) => {
              if (err) resume(Effect.fail(Option.some(err)))
              else if (n === 0) resume(Effect.fail(Option.none()))
              else {
                position += n
                resume(Effect.succeed(buf.subarray(0, n)))
              }
            })
          })
        )
      }
    )
  )
  return { stream, size }
}
