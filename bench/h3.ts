/**
 * HTTP/3 vs HTTP/2 vs HTTP/1.1 on the same server: the interop peers' caddy (TLS h1/h2 on TCP
 * 28448, HTTP/3 on UDP 28448), each protocol forced with `protocols`, through `Hackney` and one
 * `Pool` per protocol. Not part of `npm run bench` (its nginx has no HTTP/3). Needs the peers
 * (`bash scripts/peers.sh up`); reads `.peers/env.json` for the URL and the test CA.
 *
 *   npx tsx bench/h3.ts [--url https://localhost:28448] [--ca PEM] [--duration MS] [--rounds R]
 *                       [--concurrency C] [--path /hello] [--file /files/10m.bin]
 *
 * Scenarios, per protocol, interleaved round by round (median reported):
 * - `get`       GET `--path` (default `/hello`, 14 bytes) from C concurrent loops for MS → requests/s;
 * - `download`  GET `--file` (caddy's `/files/` route of peers.sh: the peers' static files), body
 *               streamed and discarded, repeated for MS → MB/s. Skipped when the route answers no 200.
 *
 * The h3 contender runs only when this build has an HTTP/3 driver: `protocols: ["h3"]` refused as
 * an invalid option means none, and h3 is reported as skipped, not failed.
 */
import { Effect, Stream } from "effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { Hackney, Pool } from "../src/index.js"

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const argv = process.argv.slice(2)
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const peersEnv: Record<string, string> = (() => {
  const file = path.join(process.env.HACKNEY_PEERS_DIR ?? path.join(REPO, ".peers"), "env.json")
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {}
})()
const base = opt("--url") ?? process.env.HACKNEY_PEER_CADDY_TLS ?? peersEnv.HACKNEY_PEER_CADDY_TLS
const caFile = opt("--ca") ?? process.env.HACKNEY_PEER_CA ?? peersEnv.HACKNEY_PEER_CA
if (base === undefined || caFile === undefined) {
  console.error("bench/h3: no caddy URL or CA: start the peers (bash scripts/peers.sh up) or pass --url and --ca")
  process.exit(2)
}
const ca = readFileSync(caFile, "utf8")
const durationMs = Number(opt("--duration") ?? 3000)
const rounds = Number(opt("--rounds") ?? 3)
const concurrency = Number(opt("--concurrency") ?? 10)
const smallPath = opt("--path") ?? "/hello"
const filePath = opt("--file") ?? "/files/10m.bin"

const protocols = { h1: ["http/1.1"], h2: ["h2"], h3: ["h3"] } as const
type Name = keyof typeof protocols

const optionsOf = (name: Name): Hackney.Options => ({ tls: { ca }, protocols: protocols[name], recvTimeout: 30_000 })

/** Runs `effect` with a fresh pool of `concurrency` connections per host. */
const withPool = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(Effect.provide(effect, Pool.layer({ maxPerHost: concurrency })))

/** Whether `name` works here: undefined, or why it is skipped. Any error but a refused option is a failure. */
const probe = async (name: Name): Promise<string | undefined> => {
  const exit = await Effect.runPromiseExit(Hackney.get(`${base}${smallPath}`, { ...optionsOf(name), pool: false }))
  if (exit._tag === "Success") {
    const want = name === "h1" ? "http/1.1" : name
    if (exit.value.protocol !== want) throw new Error(`${name}: the response came over ${exit.value.protocol}`)
    return undefined
  }
  const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (name === "h3" && e?._tag === "InvalidRequest" && e.reason === "option") return `no HTTP/3 driver in this build (${e.message})`
  throw new Error(`${name}: ${String(exit.cause)}`)
}

/** Requests per second of `concurrency` GET loops for `durationMs`. */
const getRate = (name: Name): Promise<number> =>
  withPool(Effect.gen(function*() {
    const url = `${base}${smallPath}`
    const options = optionsOf(name)
    // Warm-up: the pool's connections open.
    yield* Effect.forEach(Array.from({ length: concurrency }), () => Hackney.get(url, options), { concurrency: "unbounded" })
    let count = 0
    const end = performance.now() + durationMs
    const t0 = performance.now()
    yield* Effect.forEach(Array.from({ length: concurrency }), () =>
      Effect.whileLoop({
        while: () => performance.now() < end,
        body: () => Hackney.get(url, options),
        step: () => void count++
      }), { concurrency: "unbounded", discard: true })
    return count / ((performance.now() - t0) / 1000)
  }))

/** MB/s (10^6 bytes) of one download at a time of `filePath` for `durationMs` (at least one). */
const downloadRate = (name: Name): Promise<number> =>
  withPool(Effect.gen(function*() {
    const url = `${base}${filePath}`
    const options = optionsOf(name)
    const one = Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, options), (r) => Stream.runFold(r.body, 0, (n, c) => n + c.length)))
    yield* one
    let bytes = 0
    const t0 = performance.now()
    do bytes += yield* one
    while (performance.now() - t0 < durationMs)
    return bytes / 1e6 / ((performance.now() - t0) / 1000)
  }))

const fileServed = async (): Promise<boolean> => {
  const exit = await Effect.runPromiseExit(Hackney.request("HEAD", `${base}${filePath}`, { tls: { ca }, pool: false }))
  return exit._tag === "Success" && exit.value.status === 200
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const names: Array<Name> = []
for (const name of ["h1", "h2", "h3"] as const) {
  const skip = await probe(name)
  if (skip === undefined) names.push(name)
  else console.log(`${name}: skipped — ${skip}`)
}
const download = await fileServed()
if (!download) console.log(`download: skipped — ${base}${filePath} answers no 200 (caddy's /files/ route comes with peers.sh)`)

const gets = new Map<Name, Array<number>>()
const downloads = new Map<Name, Array<number>>()
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? names : [...names].reverse()
  for (const name of order) gets.set(name, [...(gets.get(name) ?? []), await getRate(name)])
  if (download) for (const name of order) downloads.set(name, [...(downloads.get(name) ?? []), await downloadRate(name)])
}
console.log(`caddy ${base}, ${rounds} rounds of ${durationMs} ms, medians (node ${process.version})`)
for (const name of names) {
  const get = `get ${smallPath} c=${concurrency}: ${median(gets.get(name)!).toFixed(0).padStart(6)} req/s`
  const dl = download ? `   download ${filePath}: ${median(downloads.get(name)!).toFixed(1).padStart(6)} MB/s` : ""
  console.log(`${name}  ${get}${dl}`)
}
