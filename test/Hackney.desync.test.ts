/**
 * Response desync (issue 12, item 1): bytes after a complete response — a
 * second response in the same write, a partial or complete phantom head,
 * random garbage — never change the response returned, and make the
 * connection unusable: closed, never pooled, the next request on a fresh
 * connection. For every API that reads responses (`Hackney.request`,
 * `Hackney.stream`, `Hackney.open`, `Hackney.connect`, `HackneyHttpClient`),
 * at every split point of the server's bytes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fc from "effect/FastCheck"
import type * as net from "node:net"
import type * as Scope from "effect/Scope"
import { Hackney, HackneyHttpClient, Headers, Http1, Pool } from "../src/index.js"
import { onRequests } from "./support/hackney.js"
import { rawServer } from "./support/servers.js"
import type { Listening } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-desync-${poolSeq++}` }))

const first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
const nextResponse = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"

/** The scenarios: what follows the complete first response. */
const scenarios: ReadonlyArray<readonly [string, string]> = [
  ["a second complete response in the same write", "HTTP/1.1 203 Fake\r\nX-Fake: 1\r\nContent-Length: 4\r\n\r\nEVIL"],
  ["a partial phantom head", "HTTP/1.1 200 OK\r\nX-Fake: 1\r\nContent-Le"],
  ["a complete phantom head (its body never comes)", "HTTP/1.1 200 OK\r\nX-Fake: 1\r\nContent-Length: 100\r\n\r\n"],
  ["a blank line", "\r\n"]
]

/** What a client saw of one response. */
interface Got {
  readonly status: number
  readonly fake: string | undefined
  readonly body: string
}

/** One way to send GET `path` (a fresh request each time, on the API's own pool or connection). */
type Send = (path: string) => Effect.Effect<Got, unknown>

const apis: ReadonlyArray<readonly [string, (url: string, pool: Pool.Pool) => Effect.Effect<Send, unknown, Scope.Scope>]> = [
  [
    "Hackney.request",
    (url, pool) =>
      Effect.succeed((path) =>
        Effect.map(Hackney.get(url + path, { pool }), (r) => ({
          status: r.status,
          fake: Headers.getOrUndefined(r.headers, "x-fake"),
          body: r.text()
        }))
      )
  ],
  [
    "Hackney.stream",
    (url, pool) =>
      Effect.succeed((path) =>
        Effect.scoped(Effect.flatMap(Hackney.stream("GET", url + path, { pool }), (r) =>
          Effect.map(r.text, (body) => ({ status: r.status, fake: Headers.getOrUndefined(r.headers, "x-fake"), body }))))
      )
  ],
  [
    "Hackney.open",
    (url, pool) =>
      Effect.succeed((path) =>
        Effect.scoped(Effect.flatMap(Hackney.open("GET", url + path, { pool }), (w) =>
          Effect.flatMap(w.response, (r) =>
            Effect.map(r.text, (body) => ({ status: r.status, fake: Headers.getOrUndefined(r.headers, "x-fake"), body })))))
      )
  ],
  [
    "Hackney.connect",
    (url) =>
      Effect.map(Hackney.connect(url), (conn): Send => (path) =>
        Effect.map(conn.request({ method: "GET", path }), (r) => ({
          status: r.status,
          fake: Headers.getOrUndefined(r.headers, "x-fake"),
          body: r.text()
        })))
  ],
  [
    "HackneyHttpClient",
    (url, pool) => {
      const client = HackneyHttpClient.make({ pool })
      return Effect.succeed((path) =>
        Effect.scoped(Effect.flatMap(client.get(url + path), (r) =>
          Effect.map(r.text, (body) => ({ status: r.status, fake: r.headers["x-fake"], body }))))
      )
    }
  ]
]

/**
 * A raw server answering each request by its path: `/next` with a clean
 * response; `/bytes/<id>/<k>` with registered bytes, written in two pieces
 * split at byte `k` (the second a millisecond later, so the client reads
 * them separately).
 */
const scriptedServer = Effect.gen(function*() {
  const scripts = new Map<string, Buffer>()
  const srv = yield* rawServer((socket) => {
    socket.setNoDelay(true)
    onRequests(socket, (request) => answer(socket, /^\S+ (\S+)/.exec(request)![1]))
  })
  const answer = (socket: net.Socket, path: string): void => {
    const m = /^\/bytes\/(\w+)\/(\d+)$/.exec(path)
    if (m === null) {
      socket.write(nextResponse)
      return
    }
    const bytes = scripts.get(m[1])!
    const k = Number(m[2])
    socket.write(bytes.subarray(0, k))
    if (k < bytes.length) {
      setTimeout(() => {
        if (!socket.destroyed) socket.write(bytes.subarray(k))
      }, 1)
    }
  }
  return { ...srv, scripts }
})

/** Waits (real time, 2 s at most) until the server has no open connection: the client dropped it. */
const untilAllClosed = (srv: Listening, what: string): Effect.Effect<void> =>
  Effect.promise(() =>
    new Promise<void>((resolve, reject) => {
      const start = Date.now()
      const tick = () => {
        if (srv.sockets.size === 0) resolve()
        else if (Date.now() - start > 2000) reject(new Error(`the client kept the connection open (${what})`))
        else setTimeout(tick, 1)
      }
      tick()
    })
  )

/**
 * Sends `/bytes/<id>/<k>` (the first response then `junk`), checks the
 * response is the first one intact, that the connection was not pooled (when
 * the junk came in the same read as the response's end) and was closed, and
 * that the next request goes out on a fresh connection and reads its own
 * response.
 */
const poisonedThenNext = (
  srv: Effect.Effect.Success<typeof scriptedServer>,
  send: Send,
  pool: Pool.Pool,
  id: string,
  k: number,
  sameRead: boolean
) =>
  Effect.gen(function*() {
    const what = `script ${id}, split at byte ${k}`
    const got = yield* send(`/bytes/${id}/${k}`)
    expect(got, what).toEqual({ status: 200, fake: undefined, body: "hello" })
    if (sameRead) expect((yield* Pool.stats(pool)).free, what).toBe(0)
    yield* untilAllClosed(srv, what)
    expect((yield* Pool.stats(pool)).free, what).toBe(0)
    const accepted = srv.accepted()
    const next = yield* send("/next")
    expect(next, what).toEqual({ status: 200, fake: undefined, body: "next" })
    expect(srv.accepted(), `${what}: the next request dials a fresh connection`).toBe(accepted + 1)
  })

describe("Hackney: bytes after a complete response never change it and never leave the connection usable", () => {
  for (const [api, make] of apis) {
    for (const [label, junk] of scenarios) {
      it.scopedLive(`${api}: ${label} after the response, at every split point`, () =>
        Effect.gen(function*() {
          const srv = yield* scriptedServer
          const pool = yield* testPool
          const send = yield* make(srv.url, pool)
          const bytes = Buffer.from(first + junk, "latin1")
          srv.scripts.set("s", bytes)
          for (let k = 1; k < bytes.length; k++) {
            // Split exactly at the response's end, the junk arrives in a later read (maybe once pooled).
            yield* poisonedThenNext(srv, send, pool, "s", k, k !== first.length)
          }
        }), 60_000)
    }
  }

  it.scopedLive("a next request after a complete phantom head on Hackney.connect gets its own response, no defect", () =>
    Effect.gen(function*() {
      const srv = yield* scriptedServer
      srv.scripts.set("s", Buffer.from(first + scenarios[2][1], "latin1"))
      const conn = yield* Hackney.connect(srv.url)
      const a = yield* conn.request({ method: "GET", path: "/bytes/s/1000" })
      expect(a.text()).toBe("hello")
      yield* untilAllClosed(srv, "phantom head")
      const b = yield* Effect.exit(conn.request({ method: "GET", path: "/next" }))
      expect(Exit.isSuccess(b) && b.value.text()).toBe("next")
    }))
})

describe("Hackney: random bytes appended after a complete response (property, every API)", () => {
  /** Complete responses the property appends junk to, with their expected body. */
  const responses: ReadonlyArray<readonly [string, string]> = [
    [first, "hello"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", "hello"],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", "hello"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ""]
  ]
  /** Messages whose every non-empty prefix (a phantom response, partial or whole) makes good junk. */
  const phantoms = [
    "HTTP/1.1 203 Fake\r\nX-Fake: 1\r\nContent-Length: 4\r\n\r\nEVIL",
    "HTTP/1.1 200 OK\r\nX-Fake: 1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nEVIL\r\n0\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-Fake: 1\r\nContent-Length: 0\r\n\r\n",
    "\r\n\r\nHTTP/1.0 200 OK\r\nX-Fake: 1\r\n\r\nEVIL"
  ]
  const junk = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.tuple(fc.constantFrom(...phantoms), fc.nat()).map(([m, n]) => Buffer.from(m.slice(0, 1 + (n % m.length)), "latin1")),
    // Bytes that look like HTTP, to get deep into the parser.
    fc.array(fc.constantFrom("HTTP/1.1 ", "200 OK", "203 Fake", "\r\n", "\n", "Content-Length: 3", "X-Fake: 1", ": ", "EVIL", "0\r\n", "Transfer-Encoding: chunked"), { minLength: 1, maxLength: 12 })
      .map((parts) => Buffer.from(parts.join(""), "latin1"))
  )

  for (const [api, make] of apis) {
  it.scopedLive(`never change the returned response, never leave the connection pooled (${api})`, () =>
    Effect.gen(function*() {
      const srv = yield* scriptedServer
      let id = 0
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.constantFrom(...responses), junk, fc.boolean(), async ([response, body], extra, sameWrite) => {
            const key = `p${id++}`
            const head = Buffer.from(response, "latin1")
            srv.scripts.set(key, Buffer.concat([head, extra]))
            // Split at the response's end: the junk in a later write; else the whole thing in one write.
            const k = sameWrite ? head.length + extra.length : head.length
            // A pool per run, so that a failing run cannot leave anything behind for the next.
            await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
              const pool = yield* testPool
              const send = yield* make(srv.url, pool)
              const got = yield* send(`/bytes/${key}/${k}`)
              expect(got).toEqual({ status: 200, fake: undefined, body })
              if (sameWrite) expect((yield* Pool.stats(pool)).free).toBe(0)
              yield* untilAllClosed(srv, `${JSON.stringify(extra.toString("latin1"))} after ${JSON.stringify(response)}`)
              expect((yield* Pool.stats(pool)).free).toBe(0)
              // The pool still works: the next request dials a fresh connection and reads its own response.
              const accepted = srv.accepted()
              expect(yield* send("/next")).toEqual({ status: 200, fake: undefined, body: "next" })
              expect(srv.accepted()).toBe(accepted + 1)
            })))
          }),
          { numRuns: api === "Hackney.request" ? 150 : 50 }
        )
      )
    }), 60_000)
  }
})

describe("Http1Parser.isIdle: no byte since the last message ended", () => {
  const enc = (s: string) => new TextEncoder().encode(s)
  it("a blank line after a complete response makes it not idle (a connection is reused only when idle)", () => {
    const p = new Http1.Http1Parser()
    p.expectResponseTo("GET")
    p.push(enc(first))
    expect(p.isIdle).toBe(true)
    p.push(enc("\r\n"))
    expect(p.isIdle).toBe(false)
  })
  it("a partial head after a complete response makes it not idle", () => {
    const p = new Http1.Http1Parser()
    p.expectResponseTo("GET")
    p.push(enc(first + "HTTP/1.1 2"))
    expect(p.isIdle).toBe(false)
  })
})
