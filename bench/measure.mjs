/**
 * Load-insensitive measures of the request path (issue 20), for a quiet or a busy machine alike:
 * per request, at a fixed request count (both contenders in one run, interleaved):
 *
 * - `B/req`: bytes allocated on the JS heap (a sampling heap profile of the measured phase that
 *   keeps collected objects: every allocation, garbage included);
 * - `resumes/req`: fiber run-loop entries (each a scheduler round trip; Effect contenders only);
 * - `GC/1k req`: collections during the measured phase;
 * - `writes/req`: `write`/`writev`/`sendmsg` syscalls (strace -c -f; with `--strace`);
 * - `instr/req`: instructions executed (valgrind --tool=callgrind, all threads), as the difference of
 *   two runs of N and 3N measured requests after the same warm-up (2N by default), over 2N (with
 *   `--callgrind`; slow: about a minute per 2,000 requests). JIT and GC timing make it vary by
 *   some percent between runs: compare runs made one after the other.
 *
 *   node bench/measure.mjs [--url U] [--c 50] [--count 10000] [--only hackney-user,undici-user]
 *                          [--rounds 2] [--strace] [--callgrind] [--cg-count 2000] [--cg-warmup 4000]
 *                          [--top 25]
 *
 * `--top N`: also prints, per contender, the N functions that allocated the most bytes per request
 * in the last round (self bytes of the heap profile by function and source position).
 *
 * Needs the benchmark's nginx (`bash bench/run.sh --serve`, then BENCH_HTTP, or `--url`) and a
 * built `dist/` (`npm run build`). Prints one markdown table.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const argv = process.argv.slice(2)
const opt = (f, d) => {
  const i = argv.indexOf(f)
  return i >= 0 ? argv[i + 1] : d
}
const flag = (f) => argv.includes(f)
const here = path.dirname(new URL(import.meta.url).pathname)
const url = opt("--url", `${process.env.BENCH_HTTP ?? "http://127.0.0.1:29180"}/1k.bin`)
const c = Number(opt("--c", "50"))
const count = Number(opt("--count", "10000"))
const rounds = Number(opt("--rounds", "2"))
const cgCount = Number(opt("--cg-count", "2000"))
const cgWarmup = Number(opt("--cg-warmup", String(2 * cgCount)))
const contenders = opt("--only", "hackney-user,undici-user").split(",")
const top = Number(opt("--top", "0"))
const script = path.join(here, "user-style.mjs")
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hackney-measure-"))

/** `name:untraced`: the contender with the tracer off (the `HttpClient` ones). */
const job = (extra, contender = "") =>
  JSON.stringify({ kind: "get", url, concurrency: c, warmupMs: 0, durationMs: 0, untraced: contender.endsWith(":untraced"), ...extra })
const scriptName = (contender) => contender.split(":")[0]
const sampleOf = (stdout) => JSON.parse(stdout.trim().split("\n").pop())

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(" ")}: exit ${r.status}: ${r.stderr.slice(-800)}`)
  return r
}

/** Bytes allocated per request (every sample of the heap profile, collected ones included). */
const allocated = (file, requests) => {
  let total = 0
  const walk = (n) => {
    total += n.selfSize
    for (const k of n.children ?? []) walk(k)
  }
  walk(JSON.parse(fs.readFileSync(file, "utf8")).head)
  return total / requests
}

/** The `n` allocation sites (function, file:line) with the most self bytes per request. */
const allocationSites = (file, requests, n) => {
  const by = new Map()
  const walk = (node) => {
    const f = node.callFrame
    const file = f.url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "").replace(here.replace(/bench$/, ""), "")
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`
    by.set(key, (by.get(key) ?? 0) + node.selfSize)
    for (const k of node.children ?? []) walk(k)
  }
  walk(JSON.parse(fs.readFileSync(file, "utf8")).head)
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, n).map(([site, bytes]) => [site, bytes / requests])
}

const probe = (name) => {
  const file = path.join(tmp, `${name.replace(":", "-")}.heapprofile`)
  const s = sampleOf(run(process.execPath, ["--expose-gc", script, scriptName(name), job({ warmupCount: count, count, probe: true, heapProfile: file }, name)]).stdout)
  return {
    sites: top > 0 ? allocationSites(file, s.requests, top) : undefined,
    bytes: allocated(file, s.requests),
    resumes: s.resumes / s.requests,
    gcs: (s.gcCount / s.requests) * 1000,
    cpu: s.cpuUs / s.requests
  }
}

const writes = (name) => {
  const out = path.join(tmp, `${name}.strace`)
  const counted = (n) => {
    run("strace", ["-f", "-c", "-o", out, "-e", "trace=write,writev,sendmsg,sendto", process.execPath, script, scriptName(name), job({ warmupCount: 0, count: n }, name)])
    const text = fs.readFileSync(out, "utf8")
    let calls = 0
    for (const m of text.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(write|writev|sendmsg|sendto)\s*$/gm)) calls += Number(m[1])
    return calls
  }
  return (counted(3 * count) - counted(count)) / (2 * count)
}

const instructions = (name) => {
  const counted = (n) => {
    const r = run("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, script, scriptName(name), job({ warmupCount: cgWarmup, count: n }, name)])
    const m = /Collected : (\d+)/.exec(r.stderr)
    if (m === null) throw new Error(`callgrind: no total in ${r.stderr.slice(-400)}`)
    return Number(m[1])
  }
  return (counted(3 * cgCount) - counted(cgCount)) / (2 * cgCount)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results = Object.fromEntries(contenders.map((n) => [n, { bytes: [], resumes: [], gcs: [], cpu: [], writes: [], instr: [], sites: undefined }]))
for (let r = 0; r < rounds; r++) {
  for (const name of contenders) {
    const p = probe(name)
    for (const k of ["bytes", "resumes", "gcs", "cpu"]) results[name][k].push(p[k])
    results[name].sites = p.sites
    if (flag("--strace")) results[name].writes.push(writes(name))
    if (flag("--callgrind") && r === 0) results[name].instr.push(instructions(name))
    process.stderr.write(`[measure] round ${r + 1} ${name}: ${JSON.stringify({ ...p, sites: undefined })}\n`)
  }
}
const commit = (() => {
  try {
    return execFileSync("git", ["-C", here, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
  } catch {
    return "?"
  }
})()
const f = (xs, d = 0) => (xs.length === 0 ? "–" : median(xs).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }))
console.log(`${url}, c=${c}, ${count.toLocaleString("en-US")} measured requests after as many warm-up ones, ${rounds} round(s), median; commit ${commit}`)
console.log("")
console.log("| contender | B/req allocated | resumes/req | GC per 1k req | CPU µs/req (load-sensitive) | writes/req | instr/req |")
console.log("|---|--:|--:|--:|--:|--:|--:|")
for (const name of contenders) {
  const x = results[name]
  console.log(`| ${name} | ${f(x.bytes)} | ${f(x.resumes, 2)} | ${f(x.gcs, 1)} | ${f(x.cpu, 1)} | ${f(x.writes, 2)} | ${f(x.instr)} |`)
}
for (const name of contenders) {
  const sites = results[name].sites
  if (sites === undefined) continue
  console.log("")
  console.log(`${name}: bytes allocated per request by function (last round, top ${top})`)
  console.log("")
  console.log("| B/req | function (module:line) |")
  console.log("|--:|---|")
  for (const [site, bytes] of sites) console.log(`| ${bytes.toFixed(0)} | \`${site}\` |`)
}
fs.rmSync(tmp, { recursive: true, force: true })
