/**
 * In-process HTTP/2 servers (`node:http2`) for behaviour tests: TLS with the
 * test CA (h2 by ALPN, optionally HTTP/1.1 too) or plain (h2c, prior
 * knowledge), on 127.0.0.1 port 0, closed with their scope. They count the
 * sessions they accepted and the streams open now.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http2 from "node:http2"
import type * as net from "node:net"
import { cert } from "./servers.js"

export interface H2Listening {
  readonly port: number
  /** `https://localhost:port` (secure) or `http://127.0.0.1:port` (h2c). */
  readonly url: string
  /** Sessions accepted in total. */
  readonly sessions: () => number
  /** Sessions open now. */
  readonly openSessions: () => number
  /** Streams open now, across sessions. */
  readonly openStreams: () => number
  /** The most streams open at once. */
  readonly peakStreams: () => number
  /** The sessions open now (to send GOAWAY, change settings). */
  readonly live: Set<http2.ServerHttp2Session>
  readonly server: http2.Http2Server | http2.Http2SecureServer
}

export interface H2ServerOptions {
  readonly secure?: boolean
  /** Serve HTTP/1.1 too (ALPN), through the compatibility API's `request` event. */
  readonly allowHTTP1?: boolean
  readonly settings?: http2.Settings
}

/** An HTTP/2 server calling `onStream` for each stream. */
export const h2Server = (
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  options: H2ServerOptions = {}
): Effect.Effect<H2Listening, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<H2Listening>((resume) => {
      const secure = options.secure ?? true
      const server = secure
        ? http2.createSecureServer({
          cert: cert("server.pem"),
          key: cert("server-key.pem"),
          allowHTTP1: options.allowHTTP1 ?? false,
          ...(options.settings !== undefined ? { settings: options.settings } : {})
        })
        : http2.createServer(options.settings !== undefined ? { settings: options.settings } : {})
      const live = new Set<http2.ServerHttp2Session>()
      let sessions = 0
      let streams = 0
      let peak = 0
      server.on("session", (s: http2.ServerHttp2Session) => {
        sessions++
        live.add(s)
        s.on("error", () => {})
        s.on("close", () => live.delete(s))
      })
      server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
        streams++
        peak = Math.max(peak, streams)
        stream.on("error", () => {})
        stream.on("close", () => streams--)
        onStream(stream, headers)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({
          port,
          url: secure ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
          sessions: () => sessions,
          openSessions: () => live.size,
          openStreams: () => streams,
          peakStreams: () => peak,
          live,
          server
        }))
      })
    }),
    (l) =>
      Effect.async<void>((resume) => {
        for (const s of l.live) s.destroy()
        l.server.close(() => resume(Effect.void))
      })
  )

/** Responds 200 with `body` (text) and the request's path in `x-path`. */
export const respond = (stream: http2.ServerHttp2Stream, body: string, headers: http2.OutgoingHttpHeaders = {}): void => {
  if (stream.destroyed || stream.closed) return
  stream.respond({ ":status": 200, "content-type": "text/plain", ...headers })
  stream.end(body)
}

/** The test CA, for `tls`. */
export const ca = { ca: cert("ca.pem") }
