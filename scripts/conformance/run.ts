/**
 * Replays the public conformance corpora (`../shared/conformance`, or
 * `$HACKNEY_CONFORMANCE_DIR`) through effect-hackney's modules. Prints one
 * summary line per corpus, `NAME: N passed, N failed, N skipped`, then the
 * failures, and exits non-zero when any case failed.
 */
import { existsSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { Corpus } from "./corpus.js"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(process.env.HACKNEY_CONFORMANCE_DIR ?? join(here, "..", "..", "..", "shared", "conformance"))

if (!existsSync(root)) {
  console.log(`conformance: no corpus folder at ${root} (set HACKNEY_CONFORMANCE_DIR); nothing replayed`)
  process.exit(0)
}

const only = process.argv.slice(2)
const files = readdirSync(join(here, "corpora")).filter((f) => f.endsWith(".ts")).sort()
let failed = 0
const details: Array<string> = []
for (const file of files) {
  const corpus = (await import(pathToFileURL(join(here, "corpora", file)).href)).default as Corpus
  if (only.length > 0 && !only.includes(corpus.name)) continue
  const outcome = await corpus.run(root)
  console.log(`${corpus.name}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped`)
  failed += outcome.failed
  for (const f of outcome.failures) details.push(`  [${corpus.name}] ${f}`)
}
if (details.length > 0) {
  console.log("\nfailures:")
  for (const d of details.slice(0, 200)) console.log(d)
  if (details.length > 200) console.log(`  … and ${details.length - 200} more`)
}
process.exit(failed > 0 ? 1 : 0)
