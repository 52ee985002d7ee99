// Checks the built package: every module named in package.json `exports` loads from dist/,
// and the barrel exports one namespace per public module.
import { readFileSync } from "node:fs"
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
const names = Object.keys(pkg.exports).filter((k) => k.startsWith("./") && !k.includes("*") && k !== "./package.json")
const barrel = await import(new URL("../dist/index.js", import.meta.url).href)
const missing = []
for (const k of names) {
  const mod = k.slice(2)
  await import(new URL(`../dist/${mod}.js`, import.meta.url).href)
  if (!(mod in barrel)) missing.push(mod)
}
if (missing.length) {
  console.error(`exports: the barrel (src/index.ts) lacks: ${missing.join(", ")}`)
  process.exit(1)
}
console.log(`exports: ${names.length} public modules load from dist/: ${Object.keys(barrel).join(", ")}`)
