/**
 * POST a JSON body (the `json` option) and read a JSON answer.
 *
 *   npx tsx examples/post-json.ts
 */
import { Effect } from "effect"
import { Hackney } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  // `json`: serialised with JSON.stringify, sent with Content-Type: application/json.
  const res = yield* Hackney.post(`${server.url}/echo`, { json: { name: "effect-hackney", stars: 5 } })
  const echo = res.json() as { method: string; headers: Record<string, string>; body: string }
  console.log(res.status, res.header("content-type"), "|", echo.method, echo.headers["content-type"])
  console.log("the server got:", JSON.parse(echo.body))
  // A form body: application/x-www-form-urlencoded, as hackney's {form, KVs}.
  const form = yield* Hackney.post(`${server.url}/echo`, { body: { form: { q: "effect hackney", page: "1" } } })
  console.log("form body on the wire:", (form.json() as { body: string }).body)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
