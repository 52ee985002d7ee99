/**
 * The embedded server every example runs against: node:http on 127.0.0.1,
 * port 0, so the examples run anywhere with no network. Routes:
 *
 * - `GET /hello`            → text
 * - `POST /echo`            → JSON echo of method, headers and body
 * - `GET /big?mb=N`         → N MiB, written with backpressure
 * - `PUT /upload`           → counts the bytes received (honours Expect: 100-continue)
 * - `POST /mirror`          → the request body back, with its Content-Type (`x-request-content-length`: its length)
 * - `GET /slow?ms=N`        → answers after N ms
 * - `GET /login`            → 302 to `/me`, setting a `session` cookie
 * - `GET /me`               → the Cookie header it received
 * - `GET /gzip`             → a gzip-encoded text (Content-Encoding: gzip)
 * - anything else           → 404
 */
import { Effect } from "effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type * as net from "node:net"
import * as zlib from "node:zlib"

export interface Local {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** TCP connections the server accepted. */
  readonly connections: () => number
}

const handler: http.RequestListener = (req, res) => {
  const url = new URL(req.url ?? "/", "http://x")
  const chunks: Array<Buffer> = []
  req.on("data", (d: Buffer) => chunks.push(d))
  req.on("end", () => {
    const body = Buffer.concat(chunks)
    switch (url.pathname) {
      case "/hello":
        return res.end("hello from the embedded server\n")
      case "/echo": {
        const out = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() })
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(out)
      }
      case "/big": {
        const total = Number(url.searchParams.get("mb") ?? "1") * 1024 * 1024
        const piece = Buffer.alloc(64 * 1024, 0x2e)
        res.writeHead(200, { "content-length": String(total), "content-type": "application/octet-stream" })
        let sent = 0
        const more = () => {
          while (sent < total) {
            const n = Math.min(piece.length, total - sent)
            sent += n
            if (!res.write(piece.subarray(0, n))) return res.once("drain", more)
          }
          res.end()
        }
        return more()
      }
      case "/upload":
        return res.end(`received ${body.length} bytes\n`)
      case "/mirror":
        res.writeHead(200, {
          "content-type": req.headers["content-type"] ?? "application/octet-stream",
          "x-request-content-length": req.headers["content-length"] ?? "(chunked)"
        })
        return res.end(body)
      case "/slow": {
        const t = setTimeout(() => res.end("finally\n"), Number(url.searchParams.get("ms") ?? "1000"))
        res.on("close", () => clearTimeout(t))
        return
      }
      case "/login":
        res.writeHead(302, { location: "/me", "set-cookie": "session=s3cret; Path=/; HttpOnly" })
        return res.end()
      case "/me":
        return res.end(`cookie: ${req.headers.cookie ?? "(none)"}\n`)
      case "/gzip":
        res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" })
        return res.end(zlib.gzipSync("decompressed as it streamed\n"))
      default:
        res.statusCode = 404
        return res.end("not found\n")
    }
  })
}

/** Starts the server for the life of the scope. */
export const local: Effect.Effect<Local, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<Local & { server: http.Server }>((resume) => {
    let connections = 0
    const server = http.createServer(handler)
    server.on("checkContinue", (req, res) => {
      res.writeContinue()
      server.emit("request", req, res)
    })
    server.on("connection", () => connections++)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, connections: () => connections, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)
