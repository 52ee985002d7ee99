/**
 * The heap after garbage collection, measured so that it is the heap still
 * reachable, not what a collection has yet to free: full collections, each a
 * turn and a timer apart (so the close callbacks of destroyed handles,
 * `FinalizationRegistry` callbacks and `WeakRef` targets — kept alive until
 * the end of the job that read them — are dealt with in between), repeated
 * until two measurements in a row agree within 1 MB. Each measurement also
 * keeps the size of every V8 heap space, so growth can be placed (old
 * objects, large objects — big arrays and strings —, code).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** `global.gc`, made available at run time. */
const gc = (): (() => void) => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) return g
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
}

export interface HeapMeasure {
  /** `heapUsed` after the last collection, bytes. */
  readonly used: number
  /** Each measurement's `heapUsed`, MB (how it settled). */
  readonly rounds: ReadonlyArray<number>
  /** Used bytes per V8 space. */
  readonly spaces: Readonly<Record<string, number>>
}

const mb = (n: number) => Math.round(n / 104857.6) / 10

/** Collects until the heap stops changing (at most `maxRounds` rounds) and measures it. */
export const heapAfterGc = async (maxRounds = 10): Promise<HeapMeasure> => {
  const collect = gc()
  const rounds: Array<number> = []
  let used = Infinity
  for (let i = 0; i < maxRounds; i++) {
    collect()
    await new Promise((r) => setImmediate(r))
    await new Promise((r) => setTimeout(r, 30))
    collect()
    const now = process.memoryUsage().heapUsed
    rounds.push(mb(now))
    const settled = Math.abs(used - now) < 1048576
    used = now
    if (settled) break
  }
  const spaces: Record<string, number> = {}
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = s.space_used_size
  return { used, rounds, spaces }
}

/** What grew from `before` to `after`, per space, largest first (MB; spaces that grew by 0.5 MB or more). */
export const heapGrowth = (before: HeapMeasure, after: HeapMeasure): string =>
  Object.keys(after.spaces)
    .map((k) => [k, after.spaces[k] - (before.spaces[k] ?? 0)] as const)
    .filter(([, d]) => d >= 524288)
    .sort((a, b) => b[1] - a[1])
    .map(([k, d]) => `${k} +${mb(d)} MB`)
    .join(", ")

/**
 * Writes a heap snapshot to `dir` (when `dir` is set; the soak's
 * `--heap-snapshots <dir>`) and returns its path: one at the baseline and one
 * at the end, to diff in DevTools (Comparison view) or count by constructor
 * (`node scripts/heap-diff.mjs a b`).
 */
export const heapSnapshot = (dir: string | undefined, name: string): string | undefined => {
  if (dir === undefined) return undefined
  fs.mkdirSync(dir, { recursive: true })
  return v8.writeHeapSnapshot(path.join(dir, `${name}.heapsnapshot`))
}
