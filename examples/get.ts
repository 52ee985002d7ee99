/**
 * A one-shot GET: the body comes back with the response (hackney's request/5).
 *
 *   npx tsx examples/get.ts
 */
import { Effect } from "effect"
import { Hackney, Headers } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  const res = yield* Hackney.get(`${server.url}/hello`)
  console.log(res.status, res.reason)
  console.log("content-length:", Headers.getOrUndefined(res.headers, "content-length"))
  console.log(res.text().trim())
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
