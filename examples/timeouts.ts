/**
 * Timeouts are typed errors: catch them by tag.
 *
 *   npx tsx examples/timeouts.ts
 */
import { Effect } from "effect"
import { Hackney } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  // The server answers after 2 s; we wait 200 ms without a byte.
  const status = yield* Hackney.get(`${server.url}/slow?ms=2000`, { recvTimeout: "200 millis" }).pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTag("RecvTimeout", (e) => Effect.succeed(`RecvTimeout after ${e.timeoutMillis} ms (${e.phase})`))
  )
  console.log(status)
  // A DNS lookup that never answers: the connect timeout fires.
  const connect = yield* Hackney.get("http://never.invalid/", {
    connectTimeout: "300 millis",
    lookup: () => {}
  }).pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTags({
      ConnectTimeout: (e) => Effect.succeed(`ConnectTimeout after ${e.timeoutMillis} ms`),
      ConnectError: (e) => Effect.succeed(`ConnectError (${e.reason})`)
    })
  )
  console.log(connect)
  // Nothing listens on port 1: refused.
  const refused = yield* Hackney.get("http://127.0.0.1:1/").pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTag("ConnectError", (e) => Effect.succeed(`ConnectError (${e.reason}): ${e.message}`))
  )
  console.log(refused)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
