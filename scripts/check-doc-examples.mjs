// Type-checks every ```ts example in the JSDoc of the public modules (src/*.ts), as Effect's
// docgen does: each example becomes a module under node_modules/.cache/doc-examples, with
// "effect-hackney" mapped to src/index.ts, and `tsc --noEmit` checks them all. Exit 1 on errors.
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"

const root = resolve(new URL("..", import.meta.url).pathname)
const out = join(root, "node_modules", ".cache", "doc-examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

let count = 0
for (const file of readdirSync(join(root, "src")).filter((f) => f.endsWith(".ts"))) {
  const text = readFileSync(join(root, "src", file), "utf8")
  const re = /```ts\n([\s\S]*?)```/g
  let m
  while ((m = re.exec(text)) !== null) {
    const body = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n")
    const line = text.slice(0, m.index).split("\n").length
    count++
    // `export {}` makes each example a module (own scope); the header says where it came from.
    writeFileSync(join(out, `${file.replace(/\.ts$/, "")}_${line}.ts`), `// src/${file}:${line}\n${body}\nexport {}\n`)
  }
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
  include: [join(out, "*.ts")]
}, null, 2))
try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], { stdio: "pipe" })
  console.log(`doc examples: ${count} passed, 0 failed`)
} catch (e) {
  const report = String(e.stdout ?? "") + String(e.stderr ?? "")
  const failed = new Set(report.split("\n").filter((l) => l.includes("error TS")).map((l) => l.split("(")[0]))
  console.log(report.split("\n").filter((l) => l.includes("error TS")).slice(0, 80).join("\n"))
  console.log(`doc examples: ${count - failed.size} passed, ${failed.size} failed`)
  process.exit(1)
}
