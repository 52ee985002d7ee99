// Type-checks every ```ts example of the documentation, as Effect's docgen does, and runs the
// guide examples that are tests:
//   - the JSDoc of the public modules (src/*.ts);
//   - the ```ts blocks of the guides listed in `guides` below (and the README). Blocks not meant to
//     compile use another fence language (```erlang, ```js, ```sh…).
// Each example becomes a module under node_modules/.cache/doc-examples, with "effect-hackney"
// mapped to src/index.ts, and one `tsc --noEmit` checks them all. A guide block whose first line is
// `// file: <path>` is written under that file name (so other blocks of the same guide import it,
// e.g. `./server.js`); a guide block that imports "@effect/vitest" is a test file, and the tests are
// then run with vitest (`--no-run` skips that). Also checks that examples/README.md lists every
// examples/*.ts. Exit 1 on any error.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"

const root = resolve(new URL("..", import.meta.url).pathname)
const out = join(root, "node_modules", ".cache", "doc-examples")
const guides = ["README.md", "docs/testing.md", "docs/migrating-from-hackney.md", "docs/migrating-from-undici-got.md", "docs/multipart.md"]
const runTests = !process.argv.includes("--no-run")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const lineOf = (text, index) => text.slice(0, index).split("\n").length

let jsdoc = 0
for (const file of readdirSync(join(root, "src")).filter((f) => f.endsWith(".ts"))) {
  const text = readFileSync(join(root, "src", file), "utf8")
  const re = /```ts\n([\s\S]*?)```/g
  let m
  while ((m = re.exec(text)) !== null) {
    const body = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n")
    const line = lineOf(text, m.index)
    jsdoc++
    // `export {}` makes each example a module (own scope); the header says where it came from.
    writeFileSync(join(out, `${file.replace(/\.ts$/, "")}_${line}.ts`), `// src/${file}:${line}\n${body}\nexport {}\n`)
  }
}

let guideExamples = 0
const testFiles = []
for (const guide of guides) {
  const text = readFileSync(join(root, guide), "utf8")
  const dir = join(out, guide.replace(/\.md$/, "").replace(/[/.]/g, "_"))
  mkdirSync(dir, { recursive: true })
  // Fenced blocks at the start of a line (not indented): ```ts … ```
  const re = /^```ts\n([\s\S]*?)^```$/gm
  let m
  while ((m = re.exec(text)) !== null) {
    const body = m[1]
    const line = lineOf(text, m.index)
    const named = /^\/\/ file: (\S+)\n/.exec(body)
    const isTest = /from "@effect\/vitest"/.test(body)
    const name = named ? basename(named[1]) : `L${line}${isTest ? ".test" : ""}.ts`
    guideExamples++
    writeFileSync(join(dir, name), `// ${guide}:${line}\n${body}\nexport {}\n`)
    if (isTest) testFiles.push(`${guide}:${line}`)
  }
}

// Every example is listed in examples/README.md.
const examplesIndex = readFileSync(join(root, "examples", "README.md"), "utf8")
const unlisted = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts") && !examplesIndex.includes(`(${f})`))
if (unlisted.length > 0) {
  console.log(`examples/README.md does not list: ${unlisted.join(", ")}`)
  process.exit(1)
}

writeFileSync(join(out, "tsconfig.json"), JSON.stringify({
  extends: join(root, "tsconfig.base.json"),
  compilerOptions: {
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: root,
    paths: { "effect-hackney": ["src/index.ts"] }
  },
  include: [join(out, "**/*.ts")]
}, null, 2))
const total = jsdoc + guideExamples
const counts = `${jsdoc} JSDoc, ${guideExamples} in ${guides.join(", ")}`
try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], { stdio: "pipe" })
  console.log(`doc examples: ${total} passed, 0 failed (${counts})`)
} catch (e) {
  const report = String(e.stdout ?? "") + String(e.stderr ?? "")
  const errors = report.split("\n").filter((l) => l.includes("error TS"))
  const failed = new Set(errors.map((l) => l.split("(")[0]))
  console.log(errors.slice(0, 80).join("\n"))
  console.log(`doc examples: ${total - failed.size} passed, ${failed.size} failed (${counts})`)
  process.exit(1)
}

if (runTests && testFiles.length > 0) {
  // The guide tests run as written, "effect-hackney" aliased to the source. Files under
  // node_modules are inlined so vitest transforms them like any test file.
  const config = join(out, "vitest.config.mjs")
  writeFileSync(config, `export default {
  resolve: { alias: { "effect-hackney": ${JSON.stringify(join(root, "src", "index.ts"))} } },
  test: {
    root: ${JSON.stringify(out)},
    include: ["**/*.test.ts"],
    exclude: [],
    server: { deps: { inline: [/doc-examples/] } },
    testTimeout: 30000,
    pool: "forks"
  }
}
`)
  const report = join(out, "vitest.json")
  let failedRun = false
  try {
    execFileSync(join(root, "node_modules", ".bin", "vitest"), ["run", "--config", config, "--reporter=json", `--outputFile=${report}`], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000
    })
  } catch (e) {
    failedRun = true
    process.stderr.write(String(e.stdout ?? "") + String(e.stderr ?? ""))
  }
  let r
  try {
    r = JSON.parse(readFileSync(report, "utf8"))
  } catch {
    console.log(`doc tests: vitest produced no report (${testFiles.length} test files)`)
    process.exit(1)
  }
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === "failed") console.log(`FAIL ${file.name.slice(out.length + 1)} > ${t.fullName}\n  ${(t.failureMessages ?? []).join("\n  ").split("\n").slice(0, 6).join("\n  ")}`)
    }
  }
  console.log(`doc tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed (${testFiles.length} test files from the guides)`)
  if (failedRun || r.numFailedTests > 0 || r.numTotalTests === 0) process.exit(1)
}
