/**
 * A request body written piece by piece (hackney's send_body /
 * finish_send_body / start_response), chunked on the wire, with
 * Expect: 100-continue; then a Stream body with a known length.
 *
 *   npx tsx examples/stream-upload.ts
 */
import { Effect, Stream } from "effect"
import { Hackney } from "effect-hackney"
import { local } from "./server.js"

const program = Effect.gen(function*() {
  const server = yield* local
  const text = yield* Effect.scoped(
    Effect.gen(function*() {
      const w = yield* Hackney.open("PUT", `${server.url}/upload`, { headers: { expect: "100-continue" } })
      for (let i = 0; i < 10; i++) yield* w.send(`line ${i}\n`)
      const res = yield* w.response // finishes the body, then awaits the response
      console.log("informational:", res.informational.map((i) => i.status))
      return yield* res.text
    })
  )
  console.log(text.trim())
  // A Stream body with Content-Length: sent as is (identity), the byte count checked.
  const piece = new Uint8Array(64 * 1024)
  const res = yield* Hackney.put(`${server.url}/upload`, {
    headers: { "content-length": String(16 * piece.length) },
    body: Stream.repeatValue(piece).pipe(Stream.take(16))
  })
  console.log(res.text().trim())
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
