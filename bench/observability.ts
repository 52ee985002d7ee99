/**
 * The cost of metrics and tracing: CPU µs per small GET (1 KiB body, keep-alive,
 * 8 concurrent) with both off (the default), `metrics: true`, `tracing: true`
 * and both on the pool (Effect's default tracer: spans are made, not
 * exported), and `tracing` with a minimal custom tracer (`minimalTracer.ts`: counter ids, no
 * attributes kept), which tells the default tracer's own cost from ours; and both tracers with the
 * requests under one parent span (a server handler's: the trace id is inherited, not made). The server runs in a child process, so this process's CPU time
 * (`process.cpuUsage`, user + system) is the client's alone. Rounds run the
 * modes in alternating order; the median per mode is reported. Indicative on a shared machine.
 *
 *   npx tsx bench/observability.ts [requestsPerRound=20000] [rounds=5] [modes=all]
 *
 * `modes`: a comma-separated subset of the mode names below, e.g. `tracing` to
 * profile one (`node --cpu-prof --import tsx …`); the first is the base of the
 * percentages.
 */
import { spawn } from "node:child_process"
import { Effect } from "effect"
import type { Tracer } from "effect"
import * as os from "node:os"
import { Hackney, Pool } from "../src/index.js"
import { minimalTracer } from "./minimalTracer.js"

const perRound = Number(process.argv[2] ?? 20000)
const rounds = Number(process.argv[3] ?? 5)
const only = process.argv[4]?.split(",")

const serverSource = `
const http = require("node:http")
const body = Buffer.alloc(1024, 97)
const s = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume()
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
  res.end(body)
})
s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"))
`

const startServer = () =>
  new Promise<{ port: number; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", serverSource], { stdio: ["ignore", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout.once("data", (d: Buffer) => resolve({ port: Number(d.toString().trim()), stop: () => child.kill() }))
  })

/** How a mode runs its requests: with its own tracer (else Effect's default), under one parent span. */
interface Mode {
  readonly tracer?: Tracer.Tracer
  readonly parent?: boolean
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const main = async () => {
  const server = await startServer()
  const url = `http://127.0.0.1:${server.port}/1k`
  const run = (pool: Pool.Pool, n: number, mode: Mode) => {
    const requests = Effect.forEach(Array.from({ length: n }), () => Hackney.get(url, { pool }), { concurrency: 8, discard: true })
    // Under a parent span: the request spans inherit its trace id (what a server's handler does).
    const parented = mode.parent === true ? Effect.withSpan(requests, "incoming request") : requests
    return mode.tracer === undefined ? parented : Effect.withTracer(parented, mode.tracer)
  }
  const measure = (pool: Pool.Pool, mode: Mode) =>
    Effect.gen(function*() {
      const before = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      yield* run(pool, perRound, mode)
      const cpu = process.cpuUsage(before)
      const wall = Number(process.hrtime.bigint() - t0) / 1e9
      return { cpuUs: (cpu.user + cpu.system) / perRound, rps: perRound / wall }
    })
  const allModes: ReadonlyArray<readonly [string, Pool.Options, Mode?]> = [
    ["off", {}],
    ["metrics", { metrics: true }],
    ["tracing", { tracing: true }],
    ["tracing no traceparent", { tracing: true, propagate: false }],
    ["metrics+tracing", { metrics: true, tracing: true }],
    ["tracing minimal tracer", { tracing: true }, { tracer: minimalTracer }],
    ["tracing under a parent span", { tracing: true }, { parent: true }],
    ["tracing minimal tracer under a parent span", { tracing: true }, { tracer: minimalTracer, parent: true }]
  ]
  const modes = only === undefined ? allModes : allModes.filter(([name]) => only.includes(name))
  const program = Effect.gen(function*() {
    const pools: Array<Pool.Pool> = []
    for (const [name, options] of modes) pools.push(yield* Pool.make({ name: `bench-${name}`, maxPerHost: 8, ...options }))
    for (let i = 0; i < pools.length; i++) yield* run(pools[i], 2000, modes[i][2] ?? {}) // warm-up (JIT, connections)
    const cpu = modes.map(() => [] as Array<number>)
    const rps = modes.map(() => [] as Array<number>)
    for (let r = 0; r < rounds; r++) {
      // Alternate the order, so drift in the machine's load spreads over all modes.
      const order = r % 2 === 0 ? modes.map((_, i) => i) : modes.map((_, i) => modes.length - 1 - i)
      for (const i of order) {
        const m = yield* measure(pools[i], modes[i][2] ?? {})
        cpu[i].push(m.cpuUs)
        rps[i].push(m.rps)
      }
      console.log(`round ${r + 1}: ${modes.map(([name], i) => `${name} ${cpu[i][r].toFixed(1)} µs`).join(", ")}`)
    }
    const off = median(cpu[0])
    const offMin = Math.min(...cpu[0])
    const pct = (c: number, base: number) => `${c >= base ? "+" : ""}${((c / base - 1) * 100).toFixed(1)}%`
    for (let i = 0; i < modes.length; i++) {
      const c = median(cpu[i])
      const lo = Math.min(...cpu[i])
      console.log(
        `${modes[i][0].padEnd(44)} CPU per small GET: median ${c.toFixed(1)} µs` + (i === 0 ? "" : ` (${pct(c, off)})`) +
          `, min ${lo.toFixed(1)} µs` + (i === 0 ? "" : ` (${pct(lo, offMin)})`) + `; ${median(rps[i]).toFixed(0)} req/s`
      )
    }
    console.log(
      `(${perRound} requests × ${rounds} rounds, 8 concurrent, 1 KiB responses; Effect's default tracer unless named; ` +
        `load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`
    )
  })
  try {
    await Effect.runPromise(Effect.scoped(program))
  } finally {
    server.stop()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
