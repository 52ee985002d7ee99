/**
 * Counts a heap snapshot's objects by constructor and prints what grew from
 * one snapshot to another (the soak's `--heap-snapshots`):
 *
 *   node scripts/heap-diff.mjs baseline.heapsnapshot end.heapsnapshot [rows]
 *
 * Each row: constructor (node type: name), count and self size before and
 * after, largest growth in bytes first.
 */
import * as fs from "node:fs"

const count = (file) => {
  const snap = JSON.parse(fs.readFileSync(file, "utf8"))
  const fields = snap.snapshot.meta.node_fields
  const types = snap.snapshot.meta.node_types[0]
  const width = fields.length
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f))
  const out = new Map()
  const nodes = snap.nodes
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]]
    const name = type === "object" || type === "closure" || type === "native" ? snap.strings[nodes[i + iName]] : ""
    const key = `${type}: ${name.slice(0, 60)}`
    const e = out.get(key) ?? { n: 0, bytes: 0 }
    e.n++
    e.bytes += nodes[i + iSize]
    out.set(key, e)
  }
  return out
}

const [a, b, rows = "30"] = process.argv.slice(2)
const before = count(a)
const after = count(b)
const diff = [...after].map(([k, e]) => {
  const o = before.get(k) ?? { n: 0, bytes: 0 }
  return { k, n0: o.n, n1: e.n, b0: o.bytes, b1: e.bytes, d: e.bytes - o.bytes }
}).sort((x, y) => y.d - x.d).slice(0, Number(rows))
for (const r of diff) {
  console.log(`${(r.d / 1048576).toFixed(2).padStart(8)} MB  ${String(r.n0).padStart(8)} → ${String(r.n1).padStart(8)}  ${r.k}`)
}
