/**
 * The whole client without a socket: a pool (the real pool service, policy
 * and HTTP/1.1 driver) whose dial opens an in-memory transport
 * (./mockTransport.ts) played by a tiny HTTP/1.1 server of the test's
 * `respond`. `Hackney.request(url, { pool })` then runs every layer above
 * the transport — options, shorthands, interceptors, the engine, the pool,
 * the driver — in microseconds, so the client modules' mutation runs cost
 * milliseconds per mutant, not the seconds of a loopback server.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { H1Connection } from "../../src/internal/connection/h1Connection.js"
import { makePoolWith } from "../../src/internal/pool/make.js"
import type { PoolConfig } from "../../src/internal/pool/pool.js"
import { poolDefaults } from "../../src/internal/pool/registry.js"
import type * as Pool from "../../src/Pool.js"
import type { MockPeer } from "./mockTransport.js"
import { mockTransport } from "./mockTransport.js"

/** A request as the memory server read it. */
export interface MemoryRequest {
  readonly method: string
  readonly target: string
  /** Header names lower-cased, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: string
  /** The connection's number, from 1. */
  readonly connection: number
}

/**
 * What the server answers: a full response as text (sent at once), or
 * undefined to answer later by hand through the connection's `peer`.
 */
export type Respond = (req: MemoryRequest, peer: MockPeer) => string | undefined

/** The test's view of the memory server. */
export interface MemoryServer {
  readonly pool: Pool.Pool
  /** Every request read, in order. */
  readonly requests: Array<MemoryRequest>
  /** The peers of the connections dialled, in order. */
  readonly peers: Array<MockPeer>
  /** The base URL requests use (`http://memory.test`). */
  readonly url: string
}

/** A response with a Content-Length body. */
export const reply = (status: number, body = "", headers: ReadonlyArray<readonly [string, string]> = []): string =>
  `HTTP/1.1 ${status} X\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}content-length: ${Buffer.byteLength(body, "latin1")}\r\n\r\n${body}`

/**
 * A server that meets the stale keep-alive race once: it closes the
 * connection on the second request without answering, and answers every
 * other with `<target> on <connection number>`.
 */
export const staleSecond = (): Respond => {
  let n = 0
  return (req, peer) => {
    if (++n === 2) {
      peer.end()
      return undefined
    }
    return reply(200, `${req.target} on ${req.connection}`)
  }
}

const headerOf = (req: { readonly headers: ReadonlyArray<readonly [string, string]> }, name: string) =>
  req.headers.find(([k]) => k === name)?.[1]

/** Reads whole requests (Content-Length or chunked bodies) off `text` from `at`; the offset after the last whole one. */
const parseRequests = (text: string, at: number, connection: number, out: Array<MemoryRequest>): number => {
  for (;;) {
    const end = text.indexOf("\r\n\r\n", at)
    if (end < 0) return at
    const lines = text.slice(at, end).split("\r\n")
    const [method, target] = lines[0].split(" ")
    const headers = lines.slice(1).map((l) => {
      const i = l.indexOf(":")
      return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as const
    })
    let pos = end + 4
    let body = ""
    const length = headerOf({ headers }, "content-length")
    if (length !== undefined) {
      if (text.length < pos + Number(length)) return at
      body = text.slice(pos, pos + Number(length))
      pos += Number(length)
    } else if (headerOf({ headers }, "transfer-encoding") === "chunked") {
      for (;;) {
        const eol = text.indexOf("\r\n", pos)
        if (eol < 0) return at
        const size = parseInt(text.slice(pos, eol), 16)
        if (text.length < eol + 2 + size + 2) return at
        body += text.slice(eol + 2, eol + 2 + size)
        pos = eol + 2 + size + 2
        if (size === 0) break
      }
    }
    out.push({ method, target, headers, body, connection })
    at = pos
  }
}

/**
 * A pool over in-memory connections answered by `respond`, closed with the
 * scope. Each dial is a new connection (numbered from 1); requests reach
 * `respond` once whole, after the client's write returned.
 */
export const memoryServer = (
  respond: Respond,
  config: Partial<PoolConfig> = {},
  /** The peer's address as the connections report it (default 127.0.0.1; undefined: unknown). */
  transport: { readonly remoteAddress?: string | undefined } = {}
): Effect.Effect<MemoryServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const requests: Array<MemoryRequest> = []
    const peers: Array<MockPeer> = []
    const pool = yield* makePoolWith({
      name: "memory",
      maxPerHost: 50,
      maxConnections: 50,
      keepaliveTimeout: 2000,
      checkoutTimeout: undefined,
      prewarmCount: 0,
      tlsPooling: true,
      headLimits: poolDefaults.headLimits,
      proxy: false,
      ...config
    }, (wheel) => (spec) =>
      Effect.sync(() => {
        const { open, peer } = mockTransport(transport)
        peers.push(peer)
        const n = peers.length
        const socket = open.socket as unknown as { write: (...a: Array<unknown>) => boolean; uncork: () => void }
        let read = 0
        let scheduled = false
        const check = () => {
          scheduled = false
          const text = peer.written()
          const before = requests.length
          read = parseRequests(text, read, n, requests)
          for (const req of requests.slice(before)) {
            const answer = respond(req, peer)
            if (answer !== undefined) peer.send(answer)
          }
        }
        const schedule = () => {
          if (!scheduled) {
            scheduled = true
            queueMicrotask(check)
          }
        }
        const write = socket.write.bind(socket)
        socket.write = (...a) => {
          const r = write(...a)
          schedule()
          return r
        }
        const uncork = socket.uncork.bind(socket)
        socket.uncork = () => {
          uncork()
          schedule()
        }
        return new H1Connection(open, { recvTimeout: spec.recvTimeout, wheel })
      }))
    return { pool: pool as unknown as Pool.Pool, requests, peers, url: "http://memory.test" }
  })
