/**
 * The chaos soak as a command (test/support/chaos.ts; the short mode runs in
 * `npm test`, test/Chaos.soak.test.ts):
 *
 *   npm run soak                      # 2,000 requests, a fresh seed
 *   npm run soak -- --long            # 20,000 requests
 *   npm run soak -- --seed 123 --requests 5000 --concurrency 32
 *   npm run soak -- --seed 123 --only 4795,9392   # replays those requests of the seed's plan
 *
 * Prints the seed first and the report last; exits 1 on any violation.
 */
import * as Effect from "effect/Effect"
import { formatReport, runSoak } from "../test/support/chaos.js"
import { newSeed } from "../test/support/faults.js"

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i < 0 ? undefined : args[i + 1]
}
const long = args.includes("--long")
const seed = flag("seed") !== undefined ? Number(flag("seed")) : newSeed()
const requests = Number(flag("requests") ?? (long ? 20_000 : 2000))
const concurrency = Number(flag("concurrency") ?? 32)
const only = flag("only")?.split(",").map(Number)

console.log(`chaos soak seed ${seed}: ${requests} requests, concurrency ${concurrency} (replay: npm run soak -- --seed ${seed} --requests ${requests})`)
const report = await Effect.runPromise(
  runSoak({
    protocol: "http/1.1",
    seed,
    requests,
    concurrency,
    faultRate: 0.3,
    interruptRate: 0.08,
    recvTimeoutMs: 1500,
    only,
    log: (line) => console.log(line)
  })
)
console.log(formatReport(report))
process.exit(report.violations.length === 0 ? 0 : 1)
