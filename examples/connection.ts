/**
 * One connection held by a scope (hackney's connect / send_request /
 * peername / sockname / close): requests run one at a time over keep-alive.
 *
 *   npx tsx examples/connection.ts
 */
import { Effect } from "effect"
import { Hackney } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  yield* Effect.scoped(
    Effect.gen(function*() {
      const conn = yield* Hackney.connect(server.url)
      const peer = yield* conn.peername
      const me = yield* conn.sockname
      console.log(`connected ${me?.address}:${me?.port} -> ${peer?.address}:${peer?.port}`)
      for (const path of ["/hello", "/echo", "/missing"]) {
        const res = yield* conn.request({ method: path === "/echo" ? "POST" : "GET", path, body: path === "/echo" ? "hi" : undefined })
        console.log(`${path}: ${res.status}`)
      }
    })
  ) // the socket is closed here
  console.log(`the server accepted ${server.connections()} connection(s)`)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
