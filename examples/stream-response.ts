/**
 * A streaming response: headers first, then the body pulled as a Stream with
 * backpressure (hackney's async / stream_body). Stopping early closes the socket.
 *
 *   npx tsx examples/stream-response.ts
 */
import { Effect, Stream } from "effect"
import { Hackney, Headers } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  // Read 16 MiB without holding it in memory.
  const total = yield* Effect.scoped(
    Effect.gen(function*() {
      const res = yield* Hackney.stream("GET", `${server.url}/big?mb=16`)
      console.log("status", res.status, "content-length", Headers.getOrUndefined(res.headers, "content-length"))
      return yield* res.body.pipe(Stream.runFold(0, (n, chunk) => n + chunk.length))
    })
  )
  console.log(`streamed ${total} bytes`)
  // Only the first two chunks: the rest is never read, the connection is closed.
  const firstTwo = yield* Effect.scoped(
    Effect.flatMap(Hackney.stream("GET", `${server.url}/big?mb=64`), (res) => res.body.pipe(Stream.take(2), Stream.runCollect))
  )
  console.log(`took ${firstTwo.length} chunks and stopped`)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
