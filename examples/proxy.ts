/**
 * Through a proxy: an embedded HTTP forward proxy (Basic auth) on
 * 127.0.0.1 and the local server behind it. Shows the `proxy` and
 * `proxyAuth` options, `ProxyError` for a missing password, and the proxy
 * environment read through a ConfigProvider (`HTTP_PROXY`, `NO_PROXY`).
 *
 *   npx tsx examples/proxy.ts
 */
import { ConfigProvider, Effect } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { Hackney } from "effect-hackney"
import { local } from "./server.js"

/**
 * A tiny forward proxy requiring `Proxy-Authorization: Basic demo:demo`: it
 * gets each request in absolute-form (`GET http://origin/path`), logs it and
 * forwards it (an `https:` target would come as `CONNECT host:port`).
 */
const embeddedProxy = Effect.acquireRelease(
  Effect.async<http.Server & { url: string }>((resume) => {
    const expected = `Basic ${Buffer.from("demo:demo").toString("base64")}`
    const server = http.createServer((req, res) => {
      if (req.headers["proxy-authorization"] !== expected) {
        return void res.writeHead(407, { "proxy-authenticate": `Basic realm="demo"`, "content-length": "0" }).end()
      }
      console.log(`  proxy: ${req.method} ${req.url}`)
      const target = new URL(req.url!)
      const { "proxy-authorization": _credentials, ...headers } = req.headers
      const upstream = http.request({ host: "127.0.0.1", port: target.port, path: target.pathname, method: req.method, headers }, (up) => {
        const { connection: _hopByHop, ...upHeaders } = up.headers
        res.writeHead(up.statusCode ?? 502, upHeaders)
        up.pipe(res)
      })
      upstream.on("error", () => res.destroy())
      req.pipe(upstream)
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
  //    credentials as in 1., so its pooled connection is reused); NO_PROXY sends 127.0.0.1 direct.
  const env = ConfigProvider.fromMap(new Map([
    ["HTTP_PROXY", proxy.url.replace("http://", "http://demo:demo@")],
    ["NO_PROXY", "127.0.0.1"]
  ]))
  const viaEnv = yield* Effect.withConfigProvider(Hackney.get(`${target}/hello`), env)
  const direct = yield* Effect.withConfigProvider(Hackney.get(`${origin.url}/hello`), env)
  console.log("HTTP_PROXY:", viaEnv.status, "| NO_PROXY host (direct, not logged by the proxy):", direct.status)
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
