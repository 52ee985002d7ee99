/**
 * The connect path, alone: sequential fresh connections (`pool: false`) against in-process
 * servers on 127.0.0.1, so a change to the transport (src/internal/node) can be compared
 * before/after on the same machine state. Not part of `npm run bench`.
 *
 *   npx tsx bench/connect.ts [--http N] [--https N] [--rounds R] [--compare DIR] [--only a,b]
 *
 * `--compare DIR` loads a second copy of the client from another checkout (e.g. the base
 * commit, `git archive BASE | tar -x -C DIR` with node_modules linked) and runs both in this
 * process, interleaved round by round, so machine noise hits both alike; it also prints the
 * median of the per-round this/compare ratios.
 *
 * Scenarios (each run R times per client, interleaved; reported: the median and fastest wall time and the
 * median CPU time of the process, client and servers together, per connect):
 * - `http`        N × `Hackney.get(url, { pool: false })`: TCP connect, one request, close;
 * - `https`       N × the same over TLS (session tickets reused, as by default);
 * - `https-full`  N × the same with `sessionReuse: false` (a full handshake every time);
 * - `dial-tcp`    N(http) × the transport's `connect` alone (TCP, no request), then destroy;
 * - `dial-tls`    N × the same over TLS (TCP + TLS handshake).
 *
 * `--only a,b` runs only the named scenarios.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as Local from "../src/index.js"
import * as LocalSocket from "../src/internal/node/socket.js"

const argv = process.argv.slice(2)
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name)
  return i >= 0 ? Number(argv[i + 1]) : dflt
}
const nHttp = opt("--http", 2000)
const nHttps = opt("--https", 500)
const rounds = opt("--rounds", 3)
const compareIndex = argv.indexOf("--compare")
const compareDir = compareIndex >= 0 ? path.resolve(argv[compareIndex + 1]) : undefined

interface Client {
  readonly name: string
  readonly Hackney: typeof Local.Hackney
  readonly connect: typeof LocalSocket.connect
}
const clients: Array<Client> = [{ name: "this", Hackney: Local.Hackney, connect: LocalSocket.connect }]
if (compareDir !== undefined) {
  const other = (await import(pathToFileURL(path.join(compareDir, "src/index.ts")).href)) as typeof Local
  const otherSocket = (await import(pathToFileURL(path.join(compareDir, "src/internal/node/socket.ts")).href)) as typeof LocalSocket
  clients.push({ name: "compare", Hackney: other.Hackney, connect: otherSocket.connect })
}

const certs = new URL("../test/fixtures/certs/", import.meta.url)
const pem = (name: string) => readFileSync(new URL(name, certs), "utf8")
const ca = pem("ca.pem")

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)))

const handler: http.RequestListener = (_req, res) => res.end("ok")
const plain = http.createServer(handler)
const secure = https.createServer({ cert: pem("server.pem"), key: pem("server-key.pem"), ALPNProtocols: ["http/1.1"] }, handler)
const httpPort = await listen(plain)
const httpsPort = await listen(secure)

/** Wall and CPU (user + system, this process: client and servers) milliseconds of `n` sequential runs. */
const times = async (n: number, one: Effect.Effect<unknown, unknown>): Promise<readonly [number, number]> => {
  const loop = Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* one
  })
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await Effect.runPromise(loop)
  const cpu = process.cpuUsage(c0)
  return [performance.now() - t0, (cpu.user + cpu.system) / 1000]
}

const onlyIndex = argv.indexOf("--only")
const only = onlyIndex >= 0 ? argv[onlyIndex + 1].split(",") : undefined
const scenarios = (c: Client): ReadonlyArray<readonly [string, number, Effect.Effect<unknown, unknown>]> =>
  allScenarios(c).filter(([name]) => only === undefined || only.includes(name))
const allScenarios = (c: Client): ReadonlyArray<readonly [string, number, Effect.Effect<unknown, unknown>]> => [
  ["http", nHttp, c.Hackney.get(`http://127.0.0.1:${httpPort}/`, { pool: false })],
  ["https", nHttps, c.Hackney.get(`https://localhost:${httpsPort}/`, { pool: false, tls: { ca } })],
  ["https-full", nHttps, c.Hackney.get(`https://localhost:${httpsPort}/`, { pool: false, tls: { ca, sessionReuse: false } })],
  [
    "dial-tcp",
    nHttp,
    Effect.map(c.connect({ transport: "tcp", host: "127.0.0.1", port: httpPort, connectTimeout: 8000 }), (open) => open.socket.destroy())
  ],
  [
    "dial-tls",
    nHttps,
    Effect.map(
      c.connect({ transport: "tls", host: "localhost", port: httpsPort, connectTimeout: 8000, tls: { ca } }),
      (open) => open.socket.destroy()
    )
  ]
]

// Warm-up: JIT, the session cache, the servers' accept path.
for (const c of clients) for (const [, n, one] of scenarios(c)) await times(Math.ceil(n / 10), one)

const samples = new Map<string, Array<readonly [number, number]>>()
for (let r = 0; r < rounds; r++) {
  for (const [i] of scenarios(clients[0]).entries()) {
    for (const c of r % 2 === 0 ? clients : [...clients].reverse()) {
      const [name, n, one] = scenarios(c)[i]
      const key = `${name} ${c.name}`
      samples.set(key, [...(samples.get(key) ?? []), await times(n, one)])
    }
  }
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
for (const [name, n] of scenarios(clients[0])) {
  for (const c of clients) {
    const runs = samples.get(`${name} ${c.name}`)!
    const us = (ms: number) => ((ms / n) * 1000).toFixed(0).padStart(5)
    console.log(
      `${name.padEnd(10)} ${c.name.padEnd(7)} n=${String(n).padStart(5)}  wall median ${us(median(runs.map((r) => r[0])))} µs/connect ` +
        `(fastest ${us(Math.min(...runs.map((r) => r[0])))})  cpu median ${us(median(runs.map((r) => r[1])))} µs/connect`
    )
  }
  if (clients.length === 2) {
    // Paired by round (both ran back to back), so machine load drifting between rounds cancels.
    const a = samples.get(`${name} this`)!
    const b = samples.get(`${name} compare`)!
    const ratio = (k: 0 | 1) => median(a.map((r, i) => r[k] / b[i][k]))
    console.log(`${name.padEnd(10)} this/compare, median of per-round ratios: wall ${ratio(0).toFixed(3)}  cpu ${ratio(1).toFixed(3)}`)
  }
}
plain.close()
secure.close()
plain.closeAllConnections()
secure.closeAllConnections()
