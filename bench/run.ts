/**
 * The benchmark orchestrator, started by bench/run.sh once its nginx is up (BENCH_HTTP,
 * BENCH_HTTPS, BENCH_H2, BENCH_CA in the environment). See bench/README.md.
 *
 *   --quick          1 round, 0.5 s per GET run, one 100 MB transfer per run (CI smoke run)
 *   --rounds N       rounds (default 3; quick 1)
 *   --duration MS    measured time per run (default 3000; quick 500)
 *   --only a,b       contenders to run (names as in CONTENDERS, plus wrk)
 *   --scenarios a,b  scenarios to run (ids as in SCENARIOS; the scaling ones, scale-c* and
 *                    origins-*, run in full runs and when named)
 *   --no-wait        do not wait for the 1-minute load average to drop below 1.5 (full runs wait)
 *   --no-profile     skip the --cpu-prof runs
 *   --docs/--no-docs write docs/benchmarks.md + docs/benchmarks.svg (default: full runs only)
 *
 * Every (round, scenario, contender) is a fresh process; rounds are interleaved (round-robin
 * over contenders within each round), and the reported figure is the median over rounds.
 */
import { execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Job, Sample } from "./contender.js"
import { summarize } from "./cpuprofile.js"
import type { CpuProfile, Summary } from "./cpuprofile.js"
import { writeDocs } from "./report.js"

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
// bundles live under node_modules (not linted, not committed); their externals resolve from there
const BUILD = path.join(REPO, "node_modules/.cache/effect-hackney-bench")
const argv = process.argv.slice(2)
const flag = (f: string) => argv.includes(f)
const opt = (f: string) => {
  const i = argv.indexOf(f)
  return i >= 0 ? argv[i + 1] : undefined
}
const quick = flag("--quick")
const rounds = Number(opt("--rounds") ?? (quick ? 1 : 3))
const durationMs = Number(opt("--duration") ?? (quick ? 500 : 3000))
const warmupMs = quick ? 200 : 1000
const env = (k: string) => {
  const v = process.env[k]
  if (v === undefined) throw new Error(`${k} is not set: run bench/run.sh (npm run bench), not this file`)
  return v
}
const HTTP = env("BENCH_HTTP")
const HTTPS = env("BENCH_HTTPS")
const H2 = env("BENCH_H2")
const CA = env("BENCH_CA")
const MB100 = 100 * 1024 * 1024
const ORIGINS_PORT = Number(process.env.BENCH_ORIGINS_PORT ?? 0)
const ORIGINS = Number(process.env.BENCH_ORIGINS ?? 0)

export const CONTENDERS = [
  "hackney",
  "hackney-user",
  "undici-user",
  "hackney-httpclient",
  "undici-request",
  "undici-fetch",
  "node-http",
  "got",
  "platform-node",
  "platform-undici",
  "platform-fetch",
  // HTTP/2 scenarios only (see Scenario.contenders)
  "undici-h2",
  "node-http2"
] as const

/**
 * The user-style contenders (bench/user-style.mjs, issue 20): plain node on the built dist/ (not
 * bundled); small GETs only. `hackney-loop` (the harness's whileLoop style on dist/) is there to
 * `--only` it.
 */
export const USER_STYLE: ReadonlyArray<string> = ["hackney-user", "undici-user", "hackney-loop"]
/** Who runs the scaling scenarios: both native styles of each side. */
export const SCALING_CONTENDERS: ReadonlyArray<string> = ["hackney", "undici-request", "hackney-user", "undici-user"]
/** The HTTP/2 scenarios' contenders: ours (h2 by ALPN, the default), undici with allowH2, node:http2; h2load is the ceiling. */
const H2_CONTENDERS: ReadonlyArray<string> = ["hackney", "hackney-httpclient", "undici-h2", "node-http2", "h2load"]
/** Contenders that speak only HTTP/2 (and its ceiling): in the HTTP/2 scenarios only. */
const H2_ONLY: ReadonlyArray<string> = ["undici-h2", "node-http2", "h2load"]

export interface Scenario {
  readonly id: string
  readonly title: string
  readonly kind: Job["kind"]
  readonly url: string
  readonly concurrency: number
  /** the headline figure */
  readonly unit: "req/s" | "MB/s"
  /** scaling scenarios (run by SCALING_CONTENDERS; not in quick runs unless named with --scenarios) */
  readonly scaling?: { readonly axis: "concurrency" | "origins"; readonly x: number } | undefined
  /** the workers spread over these origins */
  readonly urls?: ReadonlyArray<string> | undefined
  /** connections per origin (default 50) */
  readonly maxPerHost?: number | undefined
  /** who runs it (default: the HTTP/1.1 contenders and wrk) */
  readonly contenders?: ReadonlyArray<string>
}
const SCENARIOS: ReadonlyArray<Scenario> = [
  { id: "get-c1", title: "small GET (1 KiB), c=1", kind: "get", url: `${HTTP}/1k.bin`, concurrency: 1, unit: "req/s" },
  { id: "get-c50", title: "small GET (1 KiB), c=50", kind: "get", url: `${HTTP}/1k.bin`, concurrency: 50, unit: "req/s" },
  { id: "https-c50", title: "HTTPS small GET, c=50", kind: "get", url: `${HTTPS}/1k.bin`, concurrency: 50, unit: "req/s" },
  { id: "download", title: "100 MB download", kind: "download", url: `${HTTP}/100m.bin`, concurrency: 1, unit: "MB/s" },
  { id: "upload", title: "100 MB streamed upload", kind: "upload", url: `${HTTP}/upload`, concurrency: 1, unit: "MB/s" },
  // scaling: concurrency on one origin (one connection per request stream), and origins with 10 in flight each
  ...[1, 10, 100, 1000].map((c): Scenario => ({
    id: `scale-c${c}`,
    title: `small GET, c=${c}, 1 origin`,
    kind: "get",
    url: `${HTTP}/1k.bin`,
    concurrency: c,
    unit: "req/s",
    maxPerHost: c,
    scaling: { axis: "concurrency", x: c }
  })),
  ...[1, 100, 1000].filter((n) => n <= ORIGINS).map((n): Scenario => ({
    id: `origins-${n}`,
    title: `small GET, ${n} origin(s) × 10 in flight`,
    kind: "get",
    url: `http://127.0.0.1:${ORIGINS_PORT}/1k.bin`,
    urls: Array.from({ length: n }, (_, i) => `http://127.0.0.1:${ORIGINS_PORT + i}/1k.bin`),
    concurrency: 10 * n,
    unit: "req/s",
    maxPerHost: 10,
    scaling: { axis: "origins", x: n }
  })),
  // HTTP/2 over TLS (nginx's h2 port): many concurrent small GETs multiplexed on one session, and one big stream
  { id: "h2-c100", title: "HTTP/2 small GET, c=100", kind: "get", url: `${H2}/1k.bin`, concurrency: 100, unit: "req/s", contenders: H2_CONTENDERS },
  { id: "h2-download", title: "HTTP/2 100 MB download", kind: "download", url: `${H2}/100m.bin`, concurrency: 1, unit: "MB/s", contenders: H2_CONTENDERS }
]

/** Whether contender `c` runs scenario `sc`. */
const runsIn = (c: string, sc: Scenario): boolean => {
  if (sc.contenders !== undefined) return sc.contenders.includes(c)
  if (H2_ONLY.includes(c)) return false
  if (c === "wrk" && sc.kind === "upload") return false
  if (USER_STYLE.includes(c) && sc.kind !== "get") return false
  return sc.scaling === undefined || SCALING_CONTENDERS.includes(c)
}

/** One run's figures (derived from a Sample, or from wrk's report). */
export interface Figures {
  readonly rps: number
  readonly mbps: number
  readonly cpuUsPerReq: number | undefined
  readonly p50Ms: number
  readonly p99Ms: number
  readonly rssDeltaMB: number | undefined
  readonly requests: number
}

export interface Result {
  readonly date: string
  readonly command: string
  readonly quick: boolean
  readonly rounds: number
  readonly durationMs: number
  readonly warmupMs: number
  readonly machine: Record<string, string | number>
  readonly loadBefore: ReadonlyArray<number>
  readonly loadAfter: ReadonlyArray<number>
  readonly scenarios: ReadonlyArray<Scenario>
  readonly contenders: ReadonlyArray<string>
  /** scenario id → contender → per-round figures */
  readonly runs: Record<string, Record<string, Array<Figures>>>
  /** scenario id → contender → median figures */
  readonly median: Record<string, Record<string, Figures>>
  readonly errors: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<string>
  readonly parser: string
  readonly profiles: Record<string, Summary & { readonly requests: number; readonly cpuUsPerReq: number }>
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`)
const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ------------------------------------------------------------------------------------- processes

const active = new Set<ChildProcess>()
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const c of active) c.kill("SIGKILL")
    process.exit(130)
  })
}

/** Runs a command with a time limit; kills it (by its PID) when the limit passes or we are stopped. */
const run = (cmd: string, args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}, limitMs = 180_000) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] })
    active.add(child)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => stdout += c.toString())
    child.stderr.on("data", (c: Buffer) => stderr += c.toString())
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${limitMs} ms)`
      child.kill("SIGKILL")
    }, limitMs)
    child.on("close", (code) => {
      active.delete(child)
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

const bundle = (entry: string, out: string, external: ReadonlyArray<string>) =>
  execFileSync(path.join(REPO, "node_modules/.bin/esbuild"), [
    entry,
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--log-level=warning",
    `--outfile=${out}`,
    ...external.map((e) => `--external:${e}`),
    // CommonJS modules inside the bundle call require() for node built-ins
    "--banner:js=import { createRequire as __bench_cr } from 'node:module'; const require = __bench_cr(import.meta.url);"
  ], { cwd: REPO, stdio: "inherit" })

const figuresOf = (s: Sample): Figures => ({
  rps: s.requests / (s.elapsedMs / 1000),
  mbps: s.bytes / 1e6 / (s.elapsedMs / 1000),
  cpuUsPerReq: s.cpuUs / s.requests,
  p50Ms: s.p50Ms,
  p99Ms: s.p99Ms,
  rssDeltaMB: (s.rssPeak - s.rssIdle) / (1 << 20),
  requests: s.requests
})

const jobOf = (sc: Scenario, dur = durationMs): Job => ({
  kind: sc.kind,
  url: sc.url,
  urls: sc.urls,
  maxPerHost: sc.maxPerHost,
  // scaling: our pools keep every connection the job opens idle-able, as undici's do (the default idle cap is 50)
  maxConnections: sc.scaling === undefined ? undefined : sc.concurrency,
  concurrency: sc.concurrency,
  warmupMs,
  // transfers: quick runs measure exactly one 100 MB transfer (after one warm-up transfer)
  durationMs: sc.kind === "get" ? dur : quick ? 0 : dur,
  size: MB100
})

const contenderRun = async (name: string, sc: Scenario): Promise<Sample> => {
  const script = USER_STYLE.includes(name) ? path.join(REPO, "bench/user-style.mjs") : path.join(BUILD, "contender.mjs")
  const r = await run(process.execPath, [script, name, JSON.stringify(jobOf(sc))], {
    NODE_EXTRA_CA_CERTS: CA
  })
  const line = r.stdout.trim().split("\n").pop() ?? ""
  if (r.code !== 0 || !line.startsWith("{")) throw new Error(`${name} ${sc.id}: exit ${r.code}: ${r.stderr.trim().slice(-600)}`)
  return JSON.parse(line) as Sample
}

// ------------------------------------------------------------------------------------------ wrk

/** A size in bytes from a load tool's figure and unit. */
const bytes = (v: string, u: string) => Number(v) * ({ B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as Record<string, number>)[u]

/** The children's user and system CPU (seconds) from the `times` line that ends a load tool's output. */
const childrenCpu = (out: string): { readonly times: ReadonlyArray<string>; readonly cpuS: number } => {
  const times = out.trim().split("\n").pop()!.match(/(\d+)m([\d.]+)s/g) ?? []
  const cpuS = times.map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!
    return Number(m[1]) * 60 + Number(m[2])
  }).reduce((a, b) => a + b, 0)
  return { times, cpuS }
}

const wrkAvailable = () => {
  try {
    execFileSync("wrk", ["-v"], { stdio: "ignore" })
    return true
  } catch (e) {
    // `wrk -v` exits 1 after printing its version
    return (e as { status?: number }).status === 1
  }
}

const wrkRun = async (sc: Scenario): Promise<Figures> => {
  const secs = Math.max(1, Math.round(durationMs / 1000))
  // `times` prints the children's user and system CPU: wrk's own CPU cost
  const script = `wrk -t1 -c${sc.concurrency} -d${secs}s --latency '${sc.url}'; times`
  const r = await run("bash", ["-c", script], {}, (secs + 30) * 1000)
  const out = r.stdout
  const num = (re: RegExp) => {
    const m = re.exec(out)
    if (!m) throw new Error(`wrk ${sc.id}: cannot parse ${re}: ${out}${r.stderr}`)
    return m
  }
  const timeMs = (v: string, u: string) => Number(v) * ({ us: 1e-3, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[u]
  const rps = Number(num(/Requests\/sec:\s+([\d.]+)/).at(1))
  const tr = num(/Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/)
  const p50 = num(/50%\s+([\d.]+)(us|ms|s|m)\b/)
  const p99 = num(/99%\s+([\d.]+)(us|ms|s|m)\b/)
  const total = Number(num(/(\d+) requests in/).at(1))
  const { times, cpuS } = childrenCpu(out)
  return {
    rps,
    mbps: bytes(tr[1], tr[2]) / 1e6,
    cpuUsPerReq: total > 0 && times.length === 2 ? (cpuS * 1e6) / total : undefined,
    p50Ms: timeMs(p50[1], p50[2]),
    p99Ms: timeMs(p99[1], p99[2]),
    rssDeltaMB: undefined,
    requests: total
  }
}

// --------------------------------------------------------------------------------------- h2load

const h2loadAvailable = () => {
  try {
    execFileSync("h2load", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/** nghttp2's h2load: the HTTP/2 ceiling (one connection, `concurrency` streams; one stream per 100 MB download). */
const h2loadRun = async (sc: Scenario): Promise<Figures> => {
  const secs = Math.max(1, Math.round(durationMs / 1000))
  const args = sc.kind === "get"
    ? `-c1 -t1 -m${sc.concurrency} -D${secs} --warm-up-time=1`
    : `-c1 -t1 -m1 -n${quick ? 1 : 3}`
  const r = await run("bash", ["-c", `h2load ${args} '${sc.url}'; times`], {}, (secs + 60) * 1000)
  const out = r.stdout
  const fin = /finished in ([\d.]+)(ms|s), ([\d.]+) req\/s, ([\d.]+)(B|KB|MB|GB)\/s/.exec(out)
  const done = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded/.exec(out)
  const perReq = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(out)
  if (!fin || !done || !perReq) throw new Error(`h2load ${sc.id}: cannot parse: ${out}${r.stderr}`)
  if (Number(done[3]) !== Number(done[1])) throw new Error(`h2load ${sc.id}: ${done[1]} requests, ${done[3]} succeeded`)
  const ms = (v: string, u: string) => Number(v) * ({ us: 1e-3, ms: 1, s: 1000 } as Record<string, number>)[u]
  const total = Number(done[3])
  const { times, cpuS } = childrenCpu(out)
  return {
    rps: Number(fin[3]),
    mbps: bytes(fin[4], fin[5]) / 1e6,
    cpuUsPerReq: total > 0 && times.length === 2 ? (cpuS * 1e6) / total : undefined,
    // h2load reports the mean time per request, not percentiles
    p50Ms: ms(perReq[5], perReq[6]),
    p99Ms: ms(perReq[3], perReq[4]),
    rssDeltaMB: undefined,
    requests: total
  }
}

// -------------------------------------------------------------------------------------- profile

const profileRun = async (name: string, sc: Scenario) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hackney-prof-"))
  try {
    const job = { ...jobOf(sc, quick ? 1000 : 5000) }
    const r = await run(process.execPath, [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      "--cpu-prof-interval=100",
      path.join(BUILD, "contender.mjs"),
      name,
      JSON.stringify(job)
    ], { NODE_EXTRA_CA_CERTS: CA })
    const line = r.stdout.trim().split("\n").pop() ?? ""
    if (r.code !== 0 || !line.startsWith("{")) throw new Error(`profile ${name}: exit ${r.code}: ${r.stderr.slice(-400)}`)
    const s = JSON.parse(line) as Sample
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile
    const summary = summarize(profile, path.join(BUILD, "contender.mjs"), { startUs: s.monoStartUs, endUs: s.monoEndUs })
    return { ...summary, requests: s.requests, cpuUsPerReq: s.cpuUs / s.requests }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ----------------------------------------------------------------------------------------- main

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const medianFigures = (fs_: ReadonlyArray<Figures>): Figures => {
  const m = (k: keyof Figures) => {
    const xs = fs_.map((f) => f[k]).filter((x): x is number => x !== undefined)
    return xs.length ? median(xs) : undefined
  }
  return {
    rps: m("rps")!,
    mbps: m("mbps")!,
    cpuUsPerReq: m("cpuUsPerReq"),
    p50Ms: m("p50Ms")!,
    p99Ms: m("p99Ms")!,
    rssDeltaMB: m("rssDeltaMB"),
    requests: m("requests")!
  }
}

const machine = (): Record<string, string | number> => {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8")
  const version = (p: string) => (JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", p, "package.json"), "utf8")) as { version: string }).version
  const sh = (c: string) => {
    try {
      return execFileSync("bash", ["-c", c], { encoding: "utf8" }).trim()
    } catch {
      return "?"
    }
  }
  return {
    nproc: os.availableParallelism(),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "?",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    nginx: sh("/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\\///'"),
    wrk: sh("wrk -v 2>&1 | head -1 | awk '{print $2}'"),
    undici: version("undici"),
    got: version("got"),
    effect: version("effect"),
    "@effect/platform": version("@effect/platform"),
    "@effect/platform-node": version("@effect/platform-node"),
    commit: sh(`git -C '${REPO}' rev-parse --short HEAD`)
  }
}

const main = async () => {
  const t0 = Date.now()
  const only = opt("--only")?.split(",")
  // scaling scenarios: full runs only, unless named (quick CI runs stay quick)
  const scenarios = SCENARIOS.filter((s) => opt("--scenarios")?.split(",").includes(s.id) ?? (!quick || s.scaling === undefined))
  const hasWrk = wrkAvailable()
  const hasH2load = h2loadAvailable()
  const ceilings = [...(hasWrk ? ["wrk"] : []), ...(hasH2load ? ["h2load"] : [])]
  const contenders: Array<string> = only?.filter((c) => (c !== "wrk" || hasWrk) && (c !== "h2load" || hasH2load)) ??
    [...CONTENDERS, ...ceilings]
  const skipped: Array<string> = []
  if (!hasWrk) skipped.push("wrk: not installed (Debian package wrk); no HTTP/1.1 ceiling figures")
  if (!hasH2load) skipped.push("h2load: not installed (Debian package nghttp2-client); no HTTP/2 ceiling figures")

  log("bundling contenders with esbuild (undici and got stay external)")
  fs.mkdirSync(BUILD, { recursive: true })
  bundle("bench/contender.ts", path.join(BUILD, "contender.mjs"), ["undici", "got"])
  bundle("bench/http1-parser.ts", path.join(BUILD, "http1-parser.mjs"), [])
  if (contenders.some((c) => USER_STYLE.includes(c))) {
    log("building dist/ for the user-style contenders (npm run build)")
    execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO, stdio: "inherit" })
  }

  // the machine is shared: a full run waits (bounded) for a quiet moment
  if (!quick && !flag("--no-wait")) {
    const deadline = Date.now() + Number(opt("--max-wait") ?? 20) * 60_000
    while (os.loadavg()[0] >= 1.5 && Date.now() < deadline) {
      log(`load average ${loadavg().join(" ")} ≥ 1.5; waiting (until ${new Date(deadline).toISOString()})`)
      await sleep(20_000)
    }
  }
  const loadBefore = loadavg()
  log(`load average before the run: ${loadBefore.join(" ")}`)

  const runs: Result["runs"] = {}
  const errors: Array<string> = []
  for (let r = 0; r < rounds; r++) {
    for (const sc of scenarios) {
      for (const c of contenders) {
        if (!runsIn(c, sc)) continue
        try {
          const f = c === "wrk" ? await wrkRun(sc) : c === "h2load" ? await h2loadRun(sc) : figuresOf(await contenderRun(c, sc))
          ;((runs[sc.id] ??= {})[c] ??= []).push(f)
          const head = sc.unit === "req/s" ? `${f.rps.toFixed(0)} req/s` : `${f.mbps.toFixed(0)} MB/s`
          log(
            `round ${r + 1}/${rounds} ${sc.id.padEnd(9)} ${c.padEnd(18)} ${head.padStart(12)}` +
              `  cpu ${f.cpuUsPerReq === undefined ? "-" : f.cpuUsPerReq.toFixed(1)} µs/req` +
              (sc.concurrency === 1 && sc.kind === "get" ? `  p50 ${(f.p50Ms * 1000).toFixed(0)} µs p99 ${(f.p99Ms * 1000).toFixed(0)} µs` : "") +
              (sc.kind !== "get" && f.rssDeltaMB !== undefined ? `  peak RSS +${f.rssDeltaMB.toFixed(1)} MB` : "")
          )
        } catch (e) {
          errors.push(`round ${r + 1}: ${(e as Error).message}`)
          log(`ERROR ${(e as Error).message}`)
        }
      }
    }
  }
  for (const s of skipped) log(s)

  log("parser microbenchmark (bench/http1-parser.ts)")
  const pr = await run(process.execPath, [path.join(BUILD, "http1-parser.mjs"), ...(quick ? ["--quick"] : [])])
  const parser = pr.code === 0 ? pr.stdout.trim() : `failed: ${pr.stderr.slice(-400)}`
  process.stderr.write(parser + "\n")

  const profiles: Result["profiles"] = {}
  const c50 = scenarios.find((s) => s.id === "get-c50") ?? SCENARIOS[1]
  if (!flag("--no-profile")) {
    for (const name of ["hackney", "undici-request"].filter((c) => contenders.includes(c))) {
      log(`--cpu-prof: ${name}, ${c50.id}`)
      try {
        profiles[name] = await profileRun(name, c50)
      } catch (e) {
        errors.push((e as Error).message)
      }
    }
  }

  const median_: Result["median"] = {}
  for (const [sc, byC] of Object.entries(runs)) {
    median_[sc] = Object.fromEntries(Object.entries(byC).map(([c, fs_]) => [c, medianFigures(fs_)]))
  }
  const date = new Date().toISOString()
  const result: Result = {
    date,
    command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
    quick,
    rounds,
    durationMs,
    warmupMs,
    machine: machine(),
    loadBefore,
    loadAfter: loadavg(),
    scenarios,
    contenders,
    runs,
    median: median_,
    errors,
    skipped,
    parser,
    profiles
  }
  const dir = path.join(REPO, "bench/results", quick ? "quick" : "")
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}.json`)
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n")
  log(`results: ${path.relative(REPO, file)}`)

  const docs = flag("--docs") || (!quick && !flag("--no-docs"))
  const md = await writeDocs(result, path.relative(REPO, file), docs ? REPO : undefined)
  process.stdout.write(md + "\n")
  if (docs) log("wrote docs/benchmarks.md and docs/benchmarks.svg")
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; load average after: ${result.loadAfter.join(" ")}`)
  if (errors.length > 0) {
    log(`${errors.length} run(s) failed:\n  ${errors.join("\n  ")}`)
    process.exitCode = 1
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
