/**
 * Leak test (hackney's #1 complaint, §6.2): 1,000 requests interrupted at
 * random points — before connect, mid-headers, mid-body, mid-upload — over
 * pooled and direct connections, through every API. Afterwards no socket is
 * open on either side and the pool holds nothing in use. Loopback only,
 * a few seconds at most.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Scope, Stream } from "effect"
import type * as net from "node:net"
import { Hackney, Pool } from "../src/index.js"
import { eventually } from "./support/hackney.js"
import { httpProxy, socks5Server } from "./support/proxies.js"
import { rawServer } from "./support/servers.js"
import type * as http2 from "node:http2"
import { ca as h2ca, h2Server } from "./support/h2.js"

/** Active handles by type (TCPSocketWrap, TCPServerWrap, Timeout, …). */
const resources = (): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}

/** Serves keep-alive responses whose head and body are dribbled out a few bytes at a time. */

const dribbler = (socket: net.Socket) => {
  // Each piece its own segment, without Nagle/delayed-ACK stalls.
  socket.setNoDelay(true)
  let buf = ""
  let busy = false
  const timers = new Set<NodeJS.Timeout>()
  socket.on("close", () => {
    for (const t of timers) clearTimeout(t)
  })
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      if (!socket.destroyed) f()
    }, ms)
    timers.add(t)
  }
  const serve = () => {
    const i = buf.indexOf("\r\n\r\n")
    if (busy || i < 0) return
    const head = buf.slice(0, i)
    const cl = /content-length:\s*(\d+)/i.exec(head)
    const chunked = /transfer-encoding:\s*chunked/i.test(head)
    let end = i + 4
    if (cl !== null) {
      end += Number(cl[1])
      if (buf.length < end) return
    } else if (chunked) {
      const j = buf.indexOf("0\r\n\r\n", i + 4)
      if (j < 0) return
      end = j + 5
    }
    buf = buf.slice(end)
    busy = true
    const pieces = ["HTTP/1.1 200 OK\r\n", "content-type: text/plain\r\n", "content-length: 40\r\n", "\r\n"]
    for (let k = 0; k < 10; k++) pieces.push("abcd")
    let k = 0
    const step = () => {
      socket.write(pieces[k++])
      if (k < pieces.length) later(1, step)
      else {
        busy = false
        serve()
      }
    }
    step()
  }
  socket.on("data", (d: Buffer) => {
    buf += d.toString("latin1")
    serve()
  })
}

describe("Hackney: no leaks under random interruption", () => {
  it.live("1,000 requests interrupted at random points leave no socket open and no handle behind", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      const srv = yield* Scope.extend(rawServer(dribbler), serverScope)
      const before = resources()
      const poolScope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name: "hackney-leak", maxPerHost: 20 }), poolScope)
      const url = `${srv.url}/x`
      const piece = new Uint8Array(1024)
      const kinds = [
        // one-shot, pooled and direct
        () => Effect.map(Hackney.get(url, { pool }), (r) => r.body.length),
        () => Effect.map(Hackney.get(url, { pool: false }), (r) => r.body.length),
        // streaming response, read in full or cut short
        () => Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, { pool }), (r) => Effect.map(r.bytes, (b) => b.length))),
        () => Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, { pool }), (r) => Stream.runCount(Stream.take(r.body, 1)))),
        // streamed upload (chunked), then the response
        () =>
          Effect.scoped(Effect.gen(function*() {
            const w = yield* Hackney.open("POST", url, { pool })
            for (let i = 0; i < 4; i++) yield* w.send(piece)
            const r = yield* w.response
            return (yield* r.bytes).length
          })),
        // a Stream body
        () => Effect.map(Hackney.post(url, { pool, body: Stream.make(piece, piece, piece) }), (r) => r.body.length),
        // a connection, two requests
        () =>
          Effect.scoped(Effect.gen(function*() {
            const c = yield* Hackney.connect(srv.url)
            yield* c.request({ method: "GET", path: "/a" })
            return (yield* c.request({ method: "GET", path: "/b" })).body.length
          }))
      ]
      let completed = 0
      let interrupted = 0
      let failed = 0
      const started = Date.now()
      yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => {
          const run = kinds[i % kinds.length]()
          // 0–150 ms: before the connect, in the pool queue, mid-head, mid-body; one in five is left to complete.
          const after = i % 5 === 4 ? 5000 : Math.floor(Math.random() * 151)
          return Effect.timeoutOption(run, `${after} millis`).pipe(
            Effect.match({
              onFailure: () => {
                failed++
              },
              onSuccess: (o) => {
                if (Option.isSome(o)) {
                  expect(o.value).toBeGreaterThanOrEqual(1)
                  completed++
                } else interrupted++
              }
            })
          )
        },
        { concurrency: 50, discard: true }
      )
      const elapsed = Date.now() - started
      // Nothing in use or queued; every remaining connection is idle.
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse).toBe(0)
      expect(stats.queued).toBe(0)
      const host = yield* Pool.hostStats(pool, "127.0.0.1", srv.port)
      expect(host.inUse).toBe(0)
      expect(host.active).toBe(0)
      yield* Scope.close(poolScope, Exit.void)
      // The server sees every connection closed…
      yield* eventually(() => srv.sockets.size === 0, 3000, `server sockets to close (${srv.sockets.size} open)`)
      // …and the client process holds no more socket handles than before.
      yield* eventually(
        () => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0),
        3000,
        `client socket handles to go (${JSON.stringify(resources())} vs ${JSON.stringify(before)})`
      )
      const after = resources()
      console.log(
        `leak test: ${completed} completed, ${interrupted} interrupted, ${failed} failed in ${elapsed} ms; ` +
          `${srv.accepted()} server connections; handles before ${JSON.stringify(before)} after ${JSON.stringify(after)}`
      )
      expect(completed + interrupted + failed).toBe(1000)
      expect(interrupted).toBeGreaterThan(100)
      expect(completed).toBeGreaterThan(100)
      expect(failed).toBe(0)
      expect(elapsed).toBeLessThan(15_000)
      yield* Scope.close(serverScope, Exit.void)
    }), 30_000)

  it.live("400 requests through proxies (HTTP forwarding, SOCKS5), interrupted at random points, leave no socket open", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      const srv = yield* Scope.extend(rawServer(dribbler), serverScope)
      const http = yield* Scope.extend(httpProxy(), serverScope)
      const socks = yield* Scope.extend(socks5Server(), serverScope)
      const before = resources()
      const poolScope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name: "hackney-leak-proxy", maxPerHost: 20 }), poolScope)
      const url = `${srv.url}/x`
      const viaHttp = `http://127.0.0.1:${http.port}`
      const viaSocks = `socks5://127.0.0.1:${socks.port}`
      const kinds = [
        () => Effect.map(Hackney.get(url, { pool, proxy: viaHttp }), (r) => r.body.length),
        () => Effect.map(Hackney.get(url, { pool: false, proxy: viaHttp }), (r) => r.body.length),
        () => Effect.map(Hackney.get(url, { pool, proxy: viaSocks }), (r) => r.body.length),
        () =>
          Effect.scoped(
            Effect.flatMap(Hackney.stream("GET", url, { pool: false, proxy: viaSocks }), (r) => Effect.map(r.bytes, (b) => b.length))
          )
      ]
      let completed = 0
      let interrupted = 0
      let failed = 0
      yield* Effect.forEach(
        Array.from({ length: 400 }, (_, i) => i),
        (i) => {
          const after = i % 5 === 4 ? 5000 : Math.floor(Math.random() * 151)
          return Effect.timeoutOption(kinds[i % kinds.length](), `${after} millis`).pipe(
            Effect.match({
              onFailure: () => {
                failed++
              },
              onSuccess: (o) => {
                if (Option.isSome(o)) completed++
                else interrupted++
              }
            })
          )
        },
        { concurrency: 40, discard: true }
      )
      expect((yield* Pool.stats(pool)).inUse).toBe(0)
      yield* Scope.close(poolScope, Exit.void)
      yield* eventually(() => http.sockets.size === 0 && socks.sockets.size === 0, 3000, "proxy sockets to close")
      yield* eventually(() => srv.sockets.size === 0, 3000, `server sockets to close (${srv.sockets.size} open)`)
      yield* eventually(
        () => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0),
        3000,
        `client socket handles to go (${JSON.stringify(resources())} vs ${JSON.stringify(before)})`
      )
      console.log(`proxy leak test: ${completed} completed, ${interrupted} interrupted, ${failed} failed`)
      expect(completed + interrupted + failed).toBe(400)
      expect(interrupted).toBeGreaterThan(50)
      expect(completed).toBeGreaterThan(50)
      expect(failed).toBe(0)
      yield* Scope.close(serverScope, Exit.void)
    }), 30_000)

  it.live("1,000 requests over HTTP/2 (TLS and h2c), interrupted at random points, leave 0 streams and 0 sessions", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      // Each response dribbled out: head after 1 ms, then 10 pieces 1 ms apart.
      const slow = (stream: http2.ServerHttp2Stream) => {
        const timers = new Set<NodeJS.Timeout>()
        const later = (ms: number, f: () => void) => {
          const t = setTimeout(() => {
            timers.delete(t)
            if (!stream.destroyed && !stream.closed) f()
          }, ms)
          timers.add(t)
        }
        stream.on("close", () => {
          for (const t of timers) clearTimeout(t)
        })
        stream.resume()
        let k = 0
        const step = () => {
          if (k++ < 10) {
            stream.write("abcd")
            later(1, step)
          } else stream.end()
        }
        later(1, () => {
          stream.respond({ ":status": 200 })
          step()
        })
      }
      const tls = yield* Scope.extend(h2Server(slow), serverScope)
      const h2c = yield* Scope.extend(h2Server(slow, { secure: false }), serverScope)
      const before = resources()
      const poolScope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name: "hackney-leak-h2", maxPerHost: 4 }), poolScope)
      const piece = new Uint8Array(1024)
      // A generous recvTimeout: on a loaded machine a dribbled response must not time out instead of being interrupted.
      const secure = { tls: h2ca, recvTimeout: 30_000 }
      const prior = { protocols: ["h2"], recvTimeout: 30_000 }
      const kinds = [
        () => Effect.map(Hackney.get(`${tls.url}/x`, { pool, ...secure }), (r) => r.body.length),
        () => Effect.map(Hackney.get(`${h2c.url}/x`, { pool, ...prior }), (r) => r.body.length),
        () => Effect.map(Hackney.get(`${tls.url}/x`, { pool: false, ...secure }), (r) => r.body.length),
        () =>
          Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${tls.url}/x`, { pool, ...secure }), (r) => Effect.map(r.bytes, (b) => b.length))),
        () =>
          Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${h2c.url}/x`, { pool, ...prior }), (r) => Stream.runCount(Stream.take(r.body, 1)))),
        () =>
          Effect.scoped(Effect.gen(function*() {
            const w = yield* Hackney.open("POST", `${tls.url}/x`, { pool, ...secure })
            for (let i = 0; i < 4; i++) yield* w.send(piece)
            const r = yield* w.response
            return (yield* r.bytes).length
          })),
        () => Effect.map(Hackney.post(`${h2c.url}/x`, { pool, ...prior, body: Stream.make(piece, piece, piece) }), (r) => r.body.length)
      ]
      let completed = 0
      let interrupted = 0
      const failures: Array<string> = []
      yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => {
          const after = i % 5 === 4 ? 5000 : Math.floor(Math.random() * 41)
          return Effect.timeoutOption(kinds[i % kinds.length](), `${after} millis`).pipe(
            Effect.match({
              onFailure: (e) => {
                failures.push(`${e._tag}#${i % kinds.length}`)
              },
              onSuccess: (o) => {
                if (Option.isSome(o)) completed++
                else interrupted++
              }
            })
          )
        },
        { concurrency: 50, discard: true }
      )
      // Nothing in use: no stream open on either host's sessions.
      for (const srv of [tls, h2c]) {
        const name = srv.url.includes("localhost") ? "localhost" : "127.0.0.1"
        // An interrupted request's stream is reset at once; its slot is given back when the stream closes (a tick later).
        yield* eventually(() => pool.hostStats(name, srv.port).inUse === 0, 3000, "0 connections in use")
        yield* eventually(() => pool.hostStats(name, srv.port).streams === 0, 3000, "0 client streams")
        yield* eventually(() => srv.openStreams() === 0, 3000, `0 server streams (${srv.openStreams()})`)
      }
      expect((yield* Pool.stats(pool)).queued).toBe(0)
      yield* Scope.close(poolScope, Exit.void)
      yield* eventually(() => tls.openSessions() === 0 && h2c.openSessions() === 0, 3000, "0 server sessions")
      yield* eventually(
        () => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0),
        3000,
        `client socket handles to go (${JSON.stringify(resources())} vs ${JSON.stringify(before)})`
      )
      console.log(
        `h2 leak test: ${completed} completed, ${interrupted} interrupted, ${failures.length} failed (${failures.join(",")}); ` +
          `${tls.sessions()} + ${h2c.sessions()} server sessions`
      )
      expect(completed + interrupted + failures.length).toBe(1000)
      expect(interrupted).toBeGreaterThan(100)
      expect(completed).toBeGreaterThan(100)
      expect(failures).toEqual([])
      yield* Scope.close(serverScope, Exit.void)
    }), 30_000)
})
