/**
 * Through a proxy: an embedded HTTP proxy (CONNECT only, Basic auth) on
 * 127.0.0.1 and the local server behind it. Shows the `proxy` and
 * `proxyAuth` options, `ProxyError` for a missing password, and the proxy
 * environment read through a ConfigProvider (`HTTP_PROXY`, `NO_PROXY`).
 *
 *   npx tsx examples/proxy.ts
 */
import { ConfigProvider, Effect } from "effect"
import * as net from "node:net"
import { Hackney } from "../src/index.js"
import { local } from "./server.js"

/** A tiny CONNECT proxy requiring `Proxy-Authorization: Basic demo:demo`; logs what it tunnels. */
const embeddedProxy = Effect.acquireRelease(
  Effect.async<net.Server & { url: string }>((resume) => {
    const expected = `Basic ${Buffer.from("demo:demo").toString("base64")}`
    const server = net.createServer((client) => {
      client.on("error", () => {})
      client.once("data", (head: Buffer) => {
        const text = head.toString("latin1")
        const [method, target] = text.split(" ")
        const auth = /\r\nproxy-authorization: *([^\r]*)/i.exec(text)?.[1]
        if (auth !== expected) {
          return void client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"demo\"\r\n\r\n")
        }
        console.log(`  proxy: ${method} ${target}`)
        const colon = target!.lastIndexOf(":")
        const upstream = net.connect(Number(target!.slice(colon + 1)), "127.0.0.1", () => {
          client.write("HTTP/1.1 200 Connection established\r\n\r\n")
          client.pipe(upstream).pipe(client)
        })
        upstream.on("error", () => client.destroy())
        client.on("close", () => upstream.destroy())
      })
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed(Object.assign(server, { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` }))))
  }),
  (server) => Effect.sync(() => server.close())
)

const program = Effect.gen(function*() {
  const origin = yield* local
  const proxy = yield* embeddedProxy
  const target = origin.url.replace("127.0.0.1", "localhost")

  // 1. The proxy option, with credentials.
  const res = yield* Hackney.get(`${target}/hello`, { proxy: proxy.url, proxyAuth: ["demo", "demo"] })
  console.log("through the proxy:", res.status, res.text().trim())

  // 2. Without the password: a ProxyError, not a response.
  const failure = yield* Effect.flip(Hackney.get(`${target}/hello`, { proxy: proxy.url, pool: false }))
  console.log("without the password:", failure._tag, failure._tag === "ProxyError" ? failure.reason : "")

  // 3. The environment, through effect/Config: HTTP_PROXY with userinfo (the same proxy and
  //    credentials as in 1., so the pooled tunnel is reused: no new CONNECT); NO_PROXY sends
  //    127.0.0.1 direct.
  const env = ConfigProvider.fromMap(new Map([
    ["HTTP_PROXY", proxy.url.replace("http://", "http://demo:demo@")],
    ["NO_PROXY", "127.0.0.1"]
  ]))
  const viaEnv = yield* Effect.withConfigProvider(Hackney.get(`${target}/hello`), env)
  const direct = yield* Effect.withConfigProvider(Hackney.get(`${origin.url}/hello`), env)
  console.log("HTTP_PROXY (pooled tunnel):", viaEnv.status, "| NO_PROXY host (direct):", direct.status)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
