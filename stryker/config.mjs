/**
 * The Stryker options every module shares; `STRYKER_MODULE` picks the
 * module (see modules.mjs). Run through `npm run mutation -- <module>`.
 */
import { modules } from "./modules.mjs"

const name = process.env.STRYKER_MODULE
const module = modules[name]
if (module === undefined) {
  throw new Error(`STRYKER_MODULE=${JSON.stringify(name)} is not a module; one of: ${Object.keys(modules).join(", ")}`)
}

// The TypeScript checker is slow on a shared 2-core machine (one tsc pass per mutant): opt in with
// STRYKER_TYPECHECK=1 (`npm run mutation -- --typecheck`). Without it, a mutant that would not compile
// still runs (vitest strips types) and counts like any other.
const typecheck = process.env.STRYKER_TYPECHECK === "1"

// Incremental (`npm run mutation -- <module> --incremental`): Stryker reuses the results of the module's last
// incremental run (reports/mutation/<module>.incremental.json) for mutants whose code and covering tests did not
// change, and runs the rest: a re-run after new tests costs the mutants they cover, not the whole module.
const incremental = process.env.STRYKER_INCREMENTAL === "1"

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "stryker/vitest.config.mjs", related: false },
  plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker"],
  checkers: typecheck ? ["typescript"] : [],
  tsconfigFile: "stryker/tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: module.mutate,
  coverageAnalysis: "perTest",
  concurrency: 1,
  // A mutant that hangs a test is cut off after the test's own time plus this; modules whose tests run in
  // memory (no server) set a shorter one, as a hang there is found in milliseconds.
  timeoutMS: module.timeoutMS ?? 10_000,
  reporters: ["clear-text", "json", "progress"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: `.stryker-tmp/${name}`,
  incremental,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  ignorePatterns: ["dist", "bench/results", "reports", ".stryker-tmp", ".peers", "coverage"],
  cleanTempDir: true
}
