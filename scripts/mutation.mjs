#!/usr/bin/env node
/**
 * `npm run mutation [-- <module> …] [--typecheck] [--incremental] [--report-only] [--survivors]`: runs Stryker on each
 * module of stryker/modules.mjs (all by default), one after the other, with
 * only that module's test files, then prints one table of scores from the
 * JSON reports in reports/mutation/. `--report-only` prints the table from
 * the reports already there; `--typecheck` adds the TypeScript checker
 * (mutants that do not compile are then left out of the score; slower);
 * `--survivors` lists the surviving mutants that are not marked equivalent
 * in stryker/equivalent.mjs (those count as neither killed nor survived). Not part of CI: a full run takes many minutes.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { equivalent } from "../stryker/equivalent.mjs"
import { modules } from "../stryker/modules.mjs"

const args = process.argv.slice(2)
const reportOnly = args.includes("--report-only")
const typecheck = args.includes("--typecheck")
const incremental = args.includes("--incremental")
const names = args.filter((a) => !a.startsWith("--"))
for (const n of names) {
  if (!(n in modules)) {
    console.error(`unknown module "${n}"; the modules are: ${Object.keys(modules).join(", ")}`)
    process.exit(2)
  }
}
const selected = names.length > 0 ? names : Object.keys(modules)

let failed = false
if (!reportOnly) {
  for (const name of selected) {
    const run = spawnSync("npx", ["stryker", "run", "stryker/config.mjs"], {
      stdio: "inherit",
      env: {
        ...process.env,
        STRYKER_MODULE: name,
        ...(typecheck ? { STRYKER_TYPECHECK: "1" } : {}),
        ...(incremental ? { STRYKER_INCREMENTAL: "1" } : {})
      }
    })
    if (run.status !== 0) {
      console.error(`stryker failed on ${name} (exit ${run.status})`)
      failed = true
    }
  }
}

/** The equivalent-mutant entry (stryker/equivalent.mjs) a surviving mutant matches, if any. */
const equivalentOf = (file, source, m) =>
  equivalent.find((q) =>
    file.endsWith(q.file) && q.mutator === m.mutatorName && q.replacement === m.replacement &&
    source[m.location.start.line - 1].includes(q.line)
  )

/**
 * Counts a module's mutants by status from its Stryker JSON report. A
 * survivor listed in stryker/equivalent.mjs counts as equivalent: out of
 * the score, like Stryker's ignored mutants. Prints the other survivors.
 */
const summarize = (name, verbose) => {
  const file = `reports/mutation/${name}.json`
  if (!existsSync(file)) return undefined
  const report = JSON.parse(readFileSync(file, "utf8"))
  const c = { mutants: 0, Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, Equivalent: 0 }
  for (const [path, f] of Object.entries(report.files)) {
    const source = f.source.split("\n")
    for (const m of f.mutants) {
      c.mutants++
      const status = (m.status === "Survived" || m.status === "NoCoverage") && equivalentOf(path, source, m) !== undefined
        ? "Equivalent"
        : m.status
      c[status] = (c[status] ?? 0) + 1
      if (verbose && (status === "Survived" || status === "NoCoverage")) {
        const at = `${path}:${m.location.start.line}:${m.location.start.column}`
        console.log(`${status} ${at} ${m.mutatorName} ${JSON.stringify(m.replacement)} | ${source[m.location.start.line - 1].trim()}`)
      }
    }
  }
  // Stryker's mutation score: detected (killed + timeout) over the mutants that ran or had no test.
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage
  return { ...c, valid, score: valid === 0 ? NaN : (100 * (c.Killed + c.Timeout)) / valid }
}

const verbose = args.includes("--survivors")
const rows = [["module", "mutants", "valid", "killed", "survived", "timeout", "no-cov", "compile-err", "equivalent", "score"]]
for (const name of selected) {
  const s = summarize(name, verbose)
  if (s === undefined) rows.push([name, "no report", "", "", "", "", "", "", "", ""])
  else {
    rows.push([
      name, s.mutants, s.valid, s.Killed, s.Survived, s.Timeout, s.NoCoverage, s.CompileError + s.RuntimeError, s.Equivalent,
      `${s.score.toFixed(2)}%`
    ].map(String))
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const r of rows) console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  "))
process.exit(failed ? 1 : 0)
