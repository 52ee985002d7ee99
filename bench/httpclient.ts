/**
 * Requests/s of small GETs through `@effect/platform`'s HttpClient at
 * concurrency 50: `HackneyHttpClient.layer` vs `NodeHttpClient.layerUndici`
 * (and `NodeHttpClient.layer`), in one run, against one target.
 *
 *   npx tsx bench/httpclient.ts [url | -] [requests] [rounds]
 *
 * Without a url it starts a node:http server in a child process (so the
 * server does not share the client's event loop). With the peers up:
 * `. .peers/env && npx tsx bench/httpclient.ts "$HACKNEY_PEER_NGINX_H1/"`.
 * Each round runs every client once, in turn; the figure is the best round.
 */
import { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect } from "effect"
import type { Layer } from "effect"
import { fork } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as http from "node:http"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"

if (process.argv[2] === "--server") {
  const body = "ok"
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": body.length })
    res.end(body)
  })
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as { port: number }).port))
} else {
  const startServer = (): Promise<{ url: string; child: ChildProcess }> =>
    new Promise((resolve) => {
      const child = fork(new URL(import.meta.url).pathname, ["--server"], { execArgv: ["--import", "tsx"] })
      child.once("message", (port) => resolve({ url: `http://127.0.0.1:${port}/`, child }))
    })

  const concurrency = 50
  const run = (url: string, n: number) =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const one = Effect.flatMap(client.get(url), (r) => r.text)
      const start = performance.now()
      yield* Effect.forEach(Array.from({ length: concurrency }), () =>
        Effect.gen(function*() {
          for (let i = 0; i < n / concurrency; i++) yield* one
        }), { concurrency: "unbounded", discard: true })
      return n / ((performance.now() - start) / 1000)
    })

  const main = async () => {
    const given = process.argv[2] === "" || process.argv[2] === "-" ? undefined : process.argv[2]
    const n = Number(process.argv[3] ?? 20_000)
    const rounds = Number(process.argv[4] ?? 3)
    const srv = given === undefined ? await startServer() : undefined
    const url = given ?? srv!.url
    const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
      ["HackneyHttpClient.layer", HackneyHttpClient.layer],
      ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
      ["NodeHttpClient.layer", NodeHttpClient.layer]
    ]
    const best = new Map<string, number>()
    for (let r = 0; r < rounds; r++) {
      for (const [name, layer] of clients) {
        const rps = await Effect.runPromise(
          Effect.zipRight(run(url, 2000), run(url, n)).pipe(Effect.provide(layer))
        )
        best.set(name, Math.max(best.get(name) ?? 0, rps))
        console.log(`round ${r + 1} ${name.padEnd(28)} ${rps.toFixed(0)} req/s`)
      }
    }
    const h = best.get("HackneyHttpClient.layer")!
    const u = best.get("NodeHttpClient.layerUndici")!
    console.log(`\ntarget ${url}, ${n} GETs at concurrency ${concurrency}, best of ${rounds} rounds`)
    for (const [name, rps] of best) console.log(`${name.padEnd(28)} ${rps.toFixed(0)} req/s`)
    console.log(`ratio hackney / undici layer: ${(h / u).toFixed(2)}x`)
    srv?.child.kill()
  }
  main()
}
