/**
 * A named pool as a Layer: per-host limits, keep-alive reuse, stats.
 *
 *   npx tsx examples/pool.ts
 */
import { Effect } from "effect"
import { Hackney, Pool } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  // 20 requests, at most 4 connections to the host at a time.
  yield* Effect.forEach(
    Array.from({ length: 20 }, (_, i) => i),
    () => Hackney.get(`${server.url}/hello`),
    { concurrency: 20, discard: true }
  )
  console.log("pool stats:", yield* Pool.stats("api"))
  const port = Number(new URL(server.url).port)
  console.log("host stats:", yield* Pool.hostStats("api", "127.0.0.1", port))
  console.log(`20 requests over ${server.connections()} connection(s)`)
}).pipe(Effect.provide(Pool.layer({ name: "api", maxPerHost: 4, keepaliveTimeout: "2 seconds" })))

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
