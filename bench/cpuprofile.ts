/**
 * Self time of a `node --cpu-prof` profile grouped by area, cut to a time window.
 *
 * The profiled program is an esbuild bundle: esbuild starts every bundled module with a
 * `// <path>` comment, so a sample's line number in the bundle tells which source module ran.
 *
 *   npx tsx bench/cpuprofile.ts <file.cpuprofile> <bundle.mjs> [requests]
 */
import * as fs from "node:fs"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}
export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export const AREAS = [
  "syscalls/writes (native)",
  "node net/streams (JS)",
  "GC",
  "V8/runtime (program)",
  "Effect runtime",
  "@effect/platform",
  "parser",
  "pool",
  "our client code",
  "undici",
  "bench harness",
  "other",
  "idle"
] as const
export type Area = typeof AREAS[number]

export interface Summary {
  /** window length, ms */
  readonly windowMs: number
  /** self time per area, ms */
  readonly areas: Record<Area, number>
  /** the heaviest functions (self ms), with their area */
  readonly top: ReadonlyArray<{ readonly name: string; readonly area: Area; readonly ms: number }>
}

/** The module that starts at each bundle line, from esbuild's `// path` comments. */
const moduleMap = (bundle: string): { lines: Array<number>; paths: Array<string> } => {
  const lines: Array<number> = []
  const paths: Array<string> = []
  bundle.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:node_modules|src|bench)\/\S+)$/.exec(l)
    if (m) {
      lines.push(i)
      paths.push(m[1])
    }
  })
  return { lines, paths }
}

const moduleAt = (map: { lines: Array<number>; paths: Array<string> }, line: number): string => {
  let lo = 0
  let hi = map.lines.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (map.lines[mid] <= line) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found < 0 ? "" : map.paths[found]
}

const areaOfModule = (path: string): Area => {
  if (path.startsWith("node_modules/effect/")) return "Effect runtime"
  if (path.startsWith("node_modules/@effect/")) return "@effect/platform"
  if (path.startsWith("node_modules/undici/")) return "undici"
  if (path.startsWith("src/internal/http1/")) return "parser"
  if (path.startsWith("src/internal/pool/")) return "pool"
  if (path.startsWith("src/")) return "our client code"
  if (path.startsWith("bench/")) return "bench harness"
  return "other"
}

export const summarize = (
  profile: CpuProfile,
  bundlePath: string,
  window?: { readonly startUs: number; readonly endUs: number }
): Summary => {
  const map = moduleMap(fs.readFileSync(bundlePath, "utf8"))
  const bundleName = bundlePath.split("/").pop()!
  const areaById = new Map<number, Area>()
  const nameById = new Map<number, string>()
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame
    let area: Area
    if (functionName === "(idle)") area = "idle"
    else if (functionName === "(garbage collector)") area = "GC"
    else if (functionName === "(program)" || functionName === "(root)") area = "V8/runtime (program)"
    else if (url === "") area = "syscalls/writes (native)"
    else if (url.startsWith("node:")) area = "node net/streams (JS)"
    else if (url.endsWith(bundleName)) area = areaOfModule(moduleAt(map, lineNumber))
    else if (url.includes("/node_modules/undici/")) area = "undici"
    else if (url.includes("/node_modules/got/") || url.includes("/node_modules/")) area = "other"
    else area = "other"
    areaById.set(n.id, area)
    const where = url.endsWith(bundleName) ? moduleAt(map, lineNumber) : url.replace(/^.*node_modules\//, "")
    nameById.set(n.id, `${functionName || "(anonymous)"} ${where}`.trim())
  }
  const areas = Object.fromEntries(AREAS.map((a) => [a, 0])) as Record<Area, number>
  const byName = new Map<string, number>()
  let t = profile.startTime
  const from = window?.startUs ?? -Infinity
  const to = window?.endUs ?? Infinity
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]
    const dt = profile.timeDeltas[i + 1] ?? 0 // the time until the next sample is spent where this one is
    if (t < from || t > to) continue
    const id = profile.samples[i]
    areas[areaById.get(id) ?? "other"] += dt / 1000
    const name = nameById.get(id) ?? "?"
    byName.set(name, (byName.get(name) ?? 0) + dt / 1000)
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, ms]) => ({
    name,
    ms,
    area: areaById.get(profile.nodes.find((n) => nameById.get(n.id) === name)?.id ?? -1) ?? "other"
  }))
  const windowMs = (Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1000
  return { windowMs, areas, top }
}

if (process.argv[1]?.endsWith("cpuprofile.ts")) {
  const [file, bundle, requests] = process.argv.slice(2)
  const s = summarize(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, bundle)
  const n = Number(requests ?? 0)
  for (const a of AREAS) {
    console.log(`${a.padEnd(28)} ${s.areas[a].toFixed(0).padStart(7)} ms${n > 0 ? `  ${(s.areas[a] * 1000 / n).toFixed(2)} µs/req` : ""}`)
  }
  for (const f of s.top) console.log(`  ${f.ms.toFixed(0).padStart(6)} ms  ${f.area.padEnd(26)} ${f.name}`)
}
