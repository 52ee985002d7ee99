/**
 * The chaos soak as a command (test/support/chaos.ts; the short mode runs in
 * `npm test`, test/Chaos.soak.test.ts):
 *
 *   npm run soak                      # 2,000 requests over HTTP/1.1, then 2,000 over HTTP/2; a fresh seed
 *   npm run soak -- --long            # 20,000 over HTTP/1.1, 10,000 over HTTP/2
 *   npm run soak -- --protocol h2     # one protocol only (http/1.1 or h2)
 *   npm run soak -- --seed 123 --requests 5000 --concurrency 32 --proxy-rate 0.15
 *   npm run soak -- --seed 123 --protocol h2 --only 4795,9392   # replays those requests of the seed's plan
 *   npm run soak -- --heap-snapshots /tmp/snaps   # heap snapshots at the baseline and the end (node scripts/heap-diff.mjs a b)
 *   npm run soak -- --trace-timers    # a timer left after the pool closed is reported with its creation stack (on in --long)
 *
 * A share of the requests (`--proxy-rate`, default 0.15) goes through the
 * in-process HTTP CONNECT and SOCKS5 proxies. Prints the seed first and the
 * reports last; exits 1 on any violation.
 */
import * as Effect from "effect/Effect"
import { formatReport, runSoak } from "../test/support/chaos.js"
import type { Protocol } from "../test/support/chaos.js"
import { newSeed } from "../test/support/faults.js"

// tsx turns Node's source maps on, and Node parses a module's map the first time a stack through it is
// formatted (an Error's `stack` read, `Cause.pretty`) and keeps it for the life of the process: about 5 MB
// for one `Cause.pretty` through Effect's modules, up to tens of MB when a rare path formats stacks through
// many modules after the heap baseline. That is growth of a tool's cache, not of the client, and it made the
// heap bound fail at random (seed 9001: 80.9 MB against 34.6). Stacks show the transpiled positions instead.
process.setSourceMapsEnabled(false)

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i < 0 ? undefined : args[i + 1]
}
const long = args.includes("--long")
const seed = flag("seed") !== undefined ? Number(flag("seed")) : newSeed()
const requests = (protocol: Protocol) => Number(flag("requests") ?? (long ? (protocol === "h2" ? 10_000 : 20_000) : 2000))
const concurrency = Number(flag("concurrency") ?? 32)
const proxyRate = Number(flag("proxy-rate") ?? 0.15)
// Each timer's creation stack, so a timer left after the pool closed names its owner (on in --long).
const traceTimers = long || args.includes("--trace-timers")
const only = flag("only")?.split(",").map(Number)
const protocols: ReadonlyArray<Protocol> = flag("protocol") === undefined ? ["http/1.1", "h2"] : [flag("protocol") as Protocol]

console.log(
  `chaos soak seed ${seed}: ${protocols.map((p) => `${requests(p)} requests over ${p}`).join(", ")}, concurrency ${concurrency}, ` +
    `proxy rate ${proxyRate} (replay: npm run soak -- --seed ${seed} --protocol <p> --requests <n>)`
)
let violations = 0
for (const protocol of protocols) {
  const report = await Effect.runPromise(
    runSoak({
      protocol,
      seed,
      requests: requests(protocol),
      concurrency,
      faultRate: 0.3,
      interruptRate: 0.08,
      recvTimeoutMs: 1500,
      proxyRate,
      only,
      traceTimers,
      heapSnapshots: flag("heap-snapshots"),
      log: (line) => console.log(line)
    })
  )
  console.log(formatReport(report))
  violations += report.violations.length
}
process.exit(violations === 0 ? 0 : 1)
