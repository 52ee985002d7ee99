/**
 * In-process servers for behaviour tests, each on port 0 and closed with its scope.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import * as tls from "node:tls"
import { tmpdir } from "node:os"
import { join } from "node:path"

const certDir = new URL("../fixtures/certs/", import.meta.url)
/** Reads a file of the committed test PKI (test/fixtures/certs). */
export const cert = (name: string): string => readFileSync(new URL(name, certDir), "utf8")

/** A listening server's address, and the sockets it accepted (open ones). */
export interface Listening {
  readonly port: number
  readonly url: string
  readonly sockets: Set<net.Socket>
  /** Connections accepted in total. */
  readonly accepted: () => number
  /** The most connections open at once. */
  readonly peak: () => number
}

const track = (server: net.Server, scheme: string, host = "127.0.0.1"): Effect.Effect<Listening, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Listening>((resume) => {
      const sockets = new Set<net.Socket>()
      let accepted = 0
      let peak = 0
      server.on(server instanceof tls.Server ? "secureConnection" : "connection", (s: net.Socket) => {
        accepted++
        sockets.add(s)
        peak = Math.max(peak, sockets.size)
        s.on("close", () => sockets.delete(s))
      })
      if (server instanceof tls.Server) server.on("tlsClientError", () => {})
      server.listen(0, host, () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ port, url: `${scheme}://${host}:${port}`, sockets, accepted: () => accepted, peak: () => peak }))
      })
    }),
    (l) =>
      Effect.async<void>((resume) => {
        for (const s of l.sockets) s.destroy()
        server.close(() => resume(Effect.void))
      })
  )

/** Listens on 127.0.0.1 port 0 with any server, tracking its sockets, closed with the scope. */
export const listen = (server: net.Server, scheme: string): Effect.Effect<Listening, never, Scope.Scope> => track(server, scheme)

/** A node:http server running `handler`. */
export const httpServer = (handler: http.RequestListener) => {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler)
  return track(server, "http")
}

/** A node:https server with the test PKI's `server.pem`; `requestCert` for mTLS. */
export const httpsServer = (
  handler: http.RequestListener,
  options: { readonly certName?: string; readonly requestCert?: boolean } = {}
) => {
  const name = options.certName ?? "server"
  const server = https.createServer(
    {
      cert: cert(`${name}.pem`),
      key: cert(`${name}-key.pem`),
      ca: cert("ca.pem"),
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.requestCert ?? false,
      ALPNProtocols: ["http/1.1"]
    },
    handler
  )
  return track(server, "https")
}

/** A node:http server on a unix socket in a fresh temporary directory (removed with the scope); gives the socket path. */
export const unixServer = (handler: http.RequestListener): Effect.Effect<string, never, Scope.Scope> => {
  const dir = mkdtempSync(join(tmpdir(), "hackney-unix-"))
  const path = join(dir, "s.sock")
  const server = http.createServer(handler)
  return Effect.acquireRelease(
    Effect.async<string>((resume) => {
      server.listen(path, () => resume(Effect.succeed(path)))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => {
          rmSync(dir, { recursive: true, force: true })
          resume(Effect.void)
        })
      })
  )
}

/** A raw TCP server: `onConnection` gets every socket, to send exact bytes; `tls`: over TLS with `server.pem`. */
export const rawServer = (onConnection: (socket: net.Socket) => void, options: { readonly tls?: boolean } = {}) => {
  const listener = (s: net.Socket) => {
    s.on("error", () => {})
    onConnection(s)
  }
  const server = options.tls === true
    ? tls.createServer({ cert: cert("server.pem"), key: cert("server-key.pem"), ALPNProtocols: ["http/1.1"] }, listener)
    : net.createServer(listener)
  return track(server, options.tls === true ? "https" : "http")
}

/** Reads one request head (up to the blank line) from a raw socket, then calls back with the text. */
export const onRequestHead = (socket: net.Socket, f: (head: string, rest: Buffer) => void): void => {
  let buf = Buffer.alloc(0)
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d])
    const i = buf.indexOf("\r\n\r\n")
    if (i >= 0) {
      socket.removeListener("data", onData)
      f(buf.subarray(0, i + 4).toString("latin1"), buf.subarray(i + 4))
    }
  }
  socket.on("data", onData)
}
