/**
 * Helpers for the Hackney behaviour tests: an echo server, a raw server that
 * captures exact request bytes, and small waits on real I/O.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as http from "node:http"
import type * as net from "node:net"
import { httpServer, rawServer } from "./servers.js"

/** What the echo server saw. */
export interface Echo {
  readonly method: string
  readonly url: string
  /** Raw header pairs, as received. */
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: string
}

/** Reads a node:http request body as a Buffer. */
export const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const parts: Array<Buffer> = []
    req.on("data", (d: Buffer) => parts.push(d))
    req.on("end", () => resolve(Buffer.concat(parts)))
    req.on("error", reject)
    req.resume()
  })

/** The {@link Echo} a one-shot response of the echo server carries. */
export const echo = (res: { json(): unknown }): Echo => res.json() as Echo

/** The echo handler: answers every request with a JSON {@link Echo}. */
export const echoHandler: http.RequestListener = (req, res) => {
  readBody(req).then((body) => {
    const out = JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: body.toString("utf8") })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) })
    res.end(out)
  }, () => res.destroy())
}

/** A node:http server answering with {@link Echo} JSON. */
export const echoServer = httpServer(echoHandler)

/** The values of a header (case-insensitive) in raw pairs. */
export const rawValues = (raw: ReadonlyArray<string>, name: string): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name.toLowerCase()) out.push(raw[i + 1])
  return out
}

/**
 * A raw server that captures each request's exact bytes (head and body, by
 * Content-Length or chunked) and answers `response` (default: an empty 200).
 */
export const captureServer = (response = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n") => {
  const captured: Array<string> = []
  return Effect.map(
    rawServer((socket) =>
      onRequests(socket, (request) => {
        captured.push(request)
        socket.write(response)
      })
    ),
    (srv) => ({ ...srv, captured })
  )
}

/** Calls `f` with each complete request (exact bytes, as latin1) that arrives on a raw socket, in order. */
export const onRequests = (socket: net.Socket, f: (request: string) => void): void => {
  let buf = Buffer.alloc(0)
  socket.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d])
    for (;;) {
      const n = requestLength(buf)
      if (n === undefined) return
      const request = buf.subarray(0, n).toString("latin1")
      buf = buf.subarray(n)
      f(request)
    }
  })
}

/** The length of the first complete request in `buf` (head and Content-Length or chunked body), or undefined. */
const requestLength = (buf: Buffer): number | undefined => {
  const h = buf.indexOf("\r\n\r\n")
  if (h < 0) return undefined
  const head = buf.subarray(0, h).toString("latin1")
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buf.indexOf("\r\n0\r\n\r\n", h + 2)
    if (end >= 0) return end + 7
    // An empty chunked body: "0\r\n\r\n" right after the head.
    if (buf.subarray(h + 4, h + 9).toString("latin1") === "0\r\n\r\n") return h + 9
    return undefined
  }
  const len = cl !== null ? Number(cl[1]) : 0
  return buf.length >= h + 4 + len ? h + 4 + len : undefined
}

/** Waits (real time) until `cond` holds, polling every few ms; fails the test after `timeoutMs`. */
export const eventually = (cond: () => boolean, timeoutMs = 2000, what = "condition"): Effect.Effect<void> =>
  Effect.promise(() =>
    new Promise<void>((resolve, reject) => {
      const start = Date.now()
      const tick = () => {
        if (cond()) resolve()
        else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`))
        else setTimeout(tick, 5)
      }
      tick()
    })
  )

/** Real-time sleep (for I/O to happen while a TestClock is in force). */
export const realSleep = (ms: number): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

/** Destroys a socket after writing `bytes`. */
export const writeAndClose = (socket: net.Socket, bytes: string | Buffer): void => {
  socket.end(bytes)
}

/** The typed failure of an effect; a success or a defect (`Effect.die`, a throw) fails the test. */
export const typedFailure = <R>(self: Effect.Effect<unknown, unknown, R>) =>
  Effect.map(Effect.exit(Effect.suspend(() => self)), (exit) => {
    if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
    if (Cause.isDie(exit.cause)) throw new Error(`expected a typed failure, got a defect: ${Cause.pretty(exit.cause)}`)
    return Option.getOrThrow(Cause.failureOption(exit.cause)) as { readonly _tag: string; readonly [k: string]: unknown }
  })
