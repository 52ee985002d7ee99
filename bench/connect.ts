/**
 * The connect path, alone: sequential fresh connections (`pool: false`) against in-process
 * servers on 127.0.0.1, so a change to the transport (src/internal/node) can be compared
 * before/after on the same machine state. Not part of `npm run bench`.
 *
 *   npx tsx bench/connect.ts [--http N] [--https N] [--rounds R]
 *
 * Scenarios (each run R times, interleaved; the median run is reported):
 * - `http`        N × `Hackney.get(url, { pool: false })`: TCP connect, one request, close;
 * - `https`       N × the same over TLS (session tickets reused, as by default);
 * - `https-full`  N × the same with `sessionReuse: false` (a full handshake every time);
 * - `dial-tls`    N × the transport's `connect` alone (TCP + TLS, no request), then destroy.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import { Hackney } from "../src/index.js"
import { connect } from "../src/internal/node/socket.js"

const argv = process.argv.slice(2)
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name)
  return i >= 0 ? Number(argv[i + 1]) : dflt
}
const nHttp = opt("--http", 2000)
const nHttps = opt("--https", 500)
const rounds = opt("--rounds", 3)

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

const times = async (n: number, one: Effect.Effect<unknown, unknown>): Promise<number> => {
  const loop = Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* one
  })
  const t0 = performance.now()
  await Effect.runPromise(loop)
  return performance.now() - t0
}

const scenarios: ReadonlyArray<readonly [string, number, Effect.Effect<unknown, unknown>]> = [
  ["http", nHttp, Hackney.get(`http://127.0.0.1:${httpPort}/`, { pool: false })],
  ["https", nHttps, Hackney.get(`https://localhost:${httpsPort}/`, { pool: false, tls: { ca } })],
  ["https-full", nHttps, Hackney.get(`https://localhost:${httpsPort}/`, { pool: false, tls: { ca, sessionReuse: false } })],
  [
    "dial-tls",
    nHttps,
    Effect.map(
      connect({ transport: "tls", host: "localhost", port: httpsPort, connectTimeout: 8000, tls: { ca } }),
      (open) => open.socket.destroy()
    )
  ]
]

// Warm-up: JIT, the session cache, the servers' accept path.
for (const [, n, one] of scenarios) await times(Math.ceil(n / 10), one)

const samples = new Map<string, Array<number>>()
for (let r = 0; r < rounds; r++) {
  for (const [name, n, one] of scenarios) {
    const ms = await times(n, one)
    samples.set(name, [...(samples.get(name) ?? []), ms])
  }
}
for (const [name, n] of scenarios) {
  const all = [...samples.get(name)!].sort((a, b) => a - b)
  const median = all[Math.floor(all.length / 2)]
  console.log(
    `${name.padEnd(10)} n=${String(n).padStart(5)}  median ${median.toFixed(0).padStart(6)} ms  ` +
      `${((median / n) * 1000).toFixed(0).padStart(5)} µs/connect  runs ${all.map((x) => x.toFixed(0)).join(" ")}`
  )
}
plain.close()
secure.close()
plain.closeAllConnections()
secure.closeAllConnections()
