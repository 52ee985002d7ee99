/**
 * The cost of the request conveniences (`query`, `json`, `timeout`) to a
 * request that does not use them: the synchronous part of the request path
 * (options resolved, request prepared) with and without the one check the
 * conveniences add (`hasShorthands`: three property reads), interleaved,
 * median of 11 rounds.
 *
 *   npx tsx bench/shorthands.ts
 */
import { resolve } from "../src/internal/client/options.js"
import { prepareResolved } from "../src/internal/client/prepare.js"
import { hasShorthands } from "../src/internal/client/shorthands.js"
import { openFile } from "../src/internal/node/file.js"
import { InvalidRequest } from "../src/HackneyError.js"

const url = "http://127.0.0.1:8080/items?page=2"
const optionSets = { none: {}, typical: { headers: { accept: "application/json" }, recvTimeout: 2000 } }
let sink = 0
const without = (o: object) => {
  const r = resolve(o)
  if (r instanceof InvalidRequest) throw r
  const p = prepareResolved("GET", url, r, openFile)
  sink += p._tag === "Right" ? (p.right.h1 ?? "").length : 0
}
const withCheck = (o: object) => {
  const r = resolve(o)
  if (r instanceof InvalidRequest) throw r
  if (hasShorthands(o as never)) throw new Error("no")
  const p = prepareResolved("GET", url, r, openFile)
  sink += p._tag === "Right" ? (p.right.h1 ?? "").length : 0
}
const N = 1_000_000
const time = (f: (o: object) => void, o: object) => {
  const t = process.hrtime.bigint()
  for (let i = 0; i < N; i++) f(o)
  return Number(process.hrtime.bigint() - t) / N
}
for (const [name, o] of Object.entries(optionSets)) {
  const a: number[] = [], b: number[] = []
  for (let round = 0; round < 11; round++) {
    if (round % 2 === 0) { a.push(time(without, o)); b.push(time(withCheck, o)) }
    else { b.push(time(withCheck, o)); a.push(time(without, o)) }
  }
  a.sort((x, y) => x - y); b.sort((x, y) => x - y)
  console.log(`${name}: prepare without the check ${a[5].toFixed(1)} ns/op, with hasShorthands ${b[5].toFixed(1)} ns/op (median of 11 × ${N})`)
}
if (sink === 0) console.log("(nothing prepared)")
