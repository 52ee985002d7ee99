/**
 * A client with defaults and the request conveniences: `HackneyClient.make`
 * with a `baseUrl` (resolved by RFC 3986), default headers and a `timeout`;
 * `extend` for a sub-API; `query` and `json` options; `res.header`; a
 * `RequestTimeout` caught by tag.
 *
 *   npx tsx examples/client.ts
 */
import { Effect } from "effect"
import { HackneyClient } from "effect-hackney"
import { local } from "./server.js"

interface Echo {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const program = Effect.gen(function*() {
  const server = yield* local
  // The trailing slash matters: references resolve against the base as a browser's `new URL(ref, base)`.
  const api = HackneyClient.make({
    baseUrl: `${server.url}/`,
    headers: { accept: "application/json", "x-app": "client-example" },
    timeout: "5 seconds"
  })

  // `query`: appended with hackney's encoding, after the URL's own query.
  const search = yield* api.get("echo?lang=en", { query: { q: "effect hackney", page: 2, tag: ["a", "b"] } })
  const echoed = search.json() as Echo
  console.log("GET", echoed.url, "| content-type:", search.header("content-type"))

  // `json`: serialised, Content-Type: application/json unless given. Per-request headers win per name.
  const created = yield* api.post("echo", { json: { name: "item" }, headers: { "x-app": "override" } })
  const got = created.json() as Echo
  console.log("POST", got.headers["content-type"], got.headers["x-app"], got.body)

  // `extend`: more defaults over these; a relative baseUrl resolves against the current one.
  const admin = api.extend({ baseUrl: "admin/", headers: { authorization: "Bearer admin" } })
  console.log("extend baseUrl:", admin.defaults.baseUrl)

  // `timeout`: one deadline for the whole exchange, failing with RequestTimeout.
  const slow = yield* api.get("slow?ms=2000", { timeout: "100 millis" }).pipe(
    Effect.map((res) => `${res.status}`),
    Effect.catchTag("RequestTimeout", (e) => Effect.succeed(`RequestTimeout after ${e.timeoutMillis} ms`))
  )
  console.log("slow:", slow)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
