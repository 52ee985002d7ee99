/**
 * Download progress: a 100 MiB body streamed to nowhere while a progress bar
 * is drawn from the `downloadProgress` events ({ transferred, total }).
 *
 *   npx tsx examples/progress.ts
 */
import { Effect, Stream } from "effect"
import { Hackney } from "effect-hackney"
import type { Progress } from "effect-hackney"
import { local } from "./server.js"

const width = 40
let drawn = -1
const bar = ({ total, transferred }: Progress.Progress) =>
  Effect.sync(() => {
    const ratio = total ? transferred / total : 0
    const filled = Math.round(ratio * width)
    if (filled === drawn && transferred !== total) return // redraw only when the bar moves
    drawn = filled
    const mib = (n: number) => (n / 1048576).toFixed(1)
    process.stdout.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${mib(transferred)}/${total ? mib(total) : "?"} MiB`)
  })

const program = Effect.gen(function*() {
  const server = yield* local
  const bytes = yield* Effect.scoped(
    Effect.gen(function*() {
      const res = yield* Hackney.stream("GET", `${server.url}/big?mb=100`, { downloadProgress: bar })
      return yield* res.body.pipe(Stream.runFold(0, (n, chunk) => n + chunk.length))
    })
  )
  process.stdout.write(`\ndownloaded ${bytes} bytes\n`)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
