#!/usr/bin/env node
// check-layers.mjs — the layering of docs/architecture.md, enforced: every module of src/ has a
// layer (L0 values → L1 sans-IO protocol → L2 IO and resources → L3 client API); a module imports
// only from its own layer or below (type-only imports included: a type from above is a design
// dependency too), and runtime (value) imports form no cycle. Prints each violation; exits 1 on any.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const src = join(root, "src")

/** Layer of a module, by path (relative to src/, POSIX). First match wins. */
const layers = [
  [/^HackneyError\.ts$/, 0],
  [/^(Url|QueryString|Headers|HttpDate|Cookie)\.ts$/, 0],
  [/^internal\/(url|headers|cookie|multipart|options|error)\//, 0],
  [/^(Http1)\.ts$/, 1],
  [/^internal\/http1\//, 1],
  [/^internal\/proxy\//, 1],
  [/^internal\/http3\//, 1],
  [/^(CookieJar|Pool|Multipart|Middleware|Observability|Progress)\.ts$/, 2],
  [/^internal\/(node|timer|connection|pool|transport|observe)\//, 2],
  [/^(Hackney|HackneyClient|HackneyHttpClient)\.ts$/, 3],
  [/^internal\/(client|httpclient|engine)\//, 3],
  [/^index\.ts$/, 4]
]
const layerOf = (rel) => {
  for (const [re, n] of layers) if (re.test(rel)) return n
  return undefined
}

const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (p.endsWith(".ts")) files.push(p)
  }
}
walk(src)

const problems = []
/** Value-import graph, for the cycle check. */
const graph = new Map()
const importRe = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*["'](\.[^"']+)["']/gm
for (const file of files) {
  const rel = relative(src, file).split("\\").join("/")
  const layer = layerOf(rel)
  if (layer === undefined) {
    problems.push(`${rel}: no layer (add it to scripts/check-layers.mjs and docs/architecture.md)`)
    continue
  }
  const text = readFileSync(file, "utf8")
  const edges = []
  for (const m of text.matchAll(importRe)) {
    const target = resolve(dirname(file), m[4].replace(/\.js$/, ".ts"))
    const trel = relative(src, target).split("\\").join("/")
    const tl = layerOf(trel)
    if (tl !== undefined && tl > layer) problems.push(`${rel} (L${layer}) imports ${trel} (L${tl}): a layer imports only from below`)
    const typeOnly = m[2] !== undefined || /^\{\s*(type\s+[^,}]+,?\s*)+\}$/.test(m[3])
    if (!typeOnly) edges.push(target)
  }
  graph.set(file, edges)
}

// Value cycles: depth-first search with colours.
const colour = new Map()
const stack = []
const visit = (f) => {
  colour.set(f, 1)
  stack.push(f)
  for (const g of graph.get(f) ?? []) {
    if (!graph.has(g)) continue
    if (colour.get(g) === 1) {
      const cycle = stack.slice(stack.indexOf(g)).concat(g).map((x) => relative(src, x)).join(" → ")
      problems.push(`value import cycle: ${cycle}`)
    } else if (colour.get(g) === undefined) visit(g)
  }
  stack.pop()
  colour.set(f, 2)
}
for (const f of graph.keys()) if (colour.get(f) === undefined) visit(f)

if (problems.length > 0) {
  for (const p of problems) console.error(`layers: ${p}`)
  console.error(`layers: ${problems.length} problem(s) in ${files.length} modules`)
  process.exit(1)
}
console.log(`layers: ${files.length} modules, no upward import, no value cycle`)
