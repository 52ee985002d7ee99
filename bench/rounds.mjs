/**
 * CPU µs per request as medians of interleaved rounds, for builds × user-style contenders
 * (bench/user-style.mjs): in each round every (build, contender) pair runs once, in its own
 * process, a fixed number of requests after a fixed warm-up; the load average is printed per
 * round. For a loaded machine: read the medians and the per-round ratios, never one run.
 *
 *   node bench/rounds.mjs [--url U] [--c 50] [--count 15000] [--warmup 5000] [--rounds 7]
 *                         [--only hackney-user,undici-user] [--builds before=/path/dist/index.js,after=]
 *
 * A build with an empty path is this checkout's `dist/`; a contender `name:untraced` runs with the tracer off. Needs the benchmark's nginx
 * (`bash bench/run.sh --serve`). Prints one markdown table.
 */
import { spawnSync } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"

const argv = process.argv.slice(2)
const opt = (f, d) => {
  const i = argv.indexOf(f)
  return i >= 0 ? argv[i + 1] : d
}
const here = path.dirname(new URL(import.meta.url).pathname)
const url = opt("--url", `${process.env.BENCH_HTTP ?? "http://127.0.0.1:29180"}/1k.bin`)
const c = Number(opt("--c", "50"))
const count = Number(opt("--count", "15000"))
const warmup = Number(opt("--warmup", "5000"))
const rounds = Number(opt("--rounds", "7"))
const contenders = opt("--only", "hackney-user,undici-user").split(",")
const builds = opt("--builds", "this=").split(",").map((b) => {
  const i = b.indexOf("=")
  return { name: b.slice(0, i), dist: b.slice(i + 1) }
})
const script = path.join(here, "user-style.mjs")

/** `name:untraced`: the contender with the tracer off (the `HttpClient` ones). */
const runOnce = (build, contender) => {
  const [name, mode] = contender.split(":")
  const job = JSON.stringify({ kind: "get", url, concurrency: c, warmupMs: 0, durationMs: 0, warmupCount: warmup, count, untraced: mode === "untraced" })
  const env = { ...process.env }
  if (build.dist !== "") env.HACKNEY_DIST = build.dist
  else delete env.HACKNEY_DIST
  const r = spawnSync(process.execPath, [script, name, job], { encoding: "utf8", env })
  if (r.status !== 0) throw new Error(`${build.name} ${name}: exit ${r.status}: ${r.stderr.slice(-600)}`)
  const s = JSON.parse(r.stdout.trim().split("\n").pop())
  return s.cpuUs / s.requests
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const cells = new Map()
const loads = []
for (let r = 0; r < rounds; r++) {
  loads.push(os.loadavg()[0])
  for (const name of contenders) {
    for (const build of builds) {
      const k = `${build.name} ${name}`
      const v = runOnce(build, name)
      cells.set(k, [...(cells.get(k) ?? []), v])
      process.stderr.write(`[rounds] ${r + 1} ${k}: ${v.toFixed(1)} µs/req (load ${os.loadavg()[0].toFixed(1)})\n`)
    }
  }
}
console.log(`${url}, c=${c}, ${count.toLocaleString("en-US")} requests after ${warmup.toLocaleString("en-US")} warm-up, ${rounds} interleaved rounds; 1-min load average at the rounds' starts: ${loads.map((l) => l.toFixed(1)).join(", ")}`)
console.log("")
console.log(`| contender | ${builds.map((b) => `${b.name} CPU µs/req (median; min–max)`).join(" | ")} |`)
console.log(`|---|${builds.map(() => "--:").join("|")}|`)
for (const name of contenders) {
  const row = builds.map((b) => {
    const xs = cells.get(`${b.name} ${name}`)
    return `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`
  })
  console.log(`| ${name} | ${row.join(" | ")} |`)
}
