/**
 * `retry`: delays on the TestClock, `Retry-After` (seconds and HTTP date) as
 * a floor, retryable statuses and transport errors, and the idempotency rule.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schedule, TestClock } from "effect"
import type * as http from "node:http"
import { Hackney, HttpDate, Pool } from "../src/index.js"
import { ConnectError, ConnectionClosed, InvalidRequest, RecvTimeout, RequestTimeout } from "../src/HackneyError.js"
import { retryableError, retryAfterMillis, retrying } from "../src/internal/client/retry.js"
import type { RetryInput, RetryPolicy } from "../src/internal/client/retry.js"
import * as Headers from "../src/Headers.js"
import { eventually, realSleep } from "./support/hackney.js"
import { httpServer, rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `retry-test-${poolSeq++}` }))

/** Answers `failures` times with `status` (and `retryAfter`), then 200 "ok". */
const flaky = (failures: number, status: number, retryAfter?: () => string) => {
  let hits = 0
  const handler: http.RequestListener = (req, res) => {
    req.resume()
    req.on("end", () => {
      hits++
      if (hits <= failures) {
        res.writeHead(status, { "content-length": 4, ...(retryAfter ? { "retry-after": retryAfter() } : {}) })
        res.end("fail")
      } else {
        res.writeHead(200, { "content-length": 2 })
        res.end("ok")
      }
    })
  }
  return Effect.map(httpServer(handler), (srv) => ({ ...srv, hits: () => hits }))
}

describe("retry", () => {
  it("Retry-After: delta-seconds or an HTTP date, 0 when absent, invalid or past", () => {
    const h = (v: string) => Headers.fromInput({ "retry-after": v })
    expect(retryAfterMillis(h("3"), 0)).toBe(3000)
    expect(retryAfterMillis(h(HttpDate.format(60_000)), 10_000)).toBe(50_000)
    expect(retryAfterMillis(h(HttpDate.format(0)), 10_000)).toBe(0)
    expect(retryAfterMillis(h("soon"), 0)).toBe(0)
    expect(retryAfterMillis(Headers.empty, 0)).toBe(0)
  })

  it("Retry-After: surrounding whitespace is ignored; delta-seconds are all digits, of any length", () => {
    const h = (v: string) => Headers.fromInput({ "retry-after": v })
    expect(retryAfterMillis(h(" 3 "), 0)).toBe(3000)
    expect(retryAfterMillis(h("30"), 0)).toBe(30_000)
    expect(retryAfterMillis(h("x3"), 0)).toBe(0)
    expect(retryAfterMillis(h("3x"), 0)).toBe(0)
  })

  it("retryable errors: the untouched-server ones for any method; RecvTimeout, ConnectionClosed and attemptTimeout for idempotent ones", () => {
    const refused = new ConnectError({ reason: "refused", host: "h", port: 1 })
    const recv = new RecvTimeout({ timeoutMillis: 1, phase: "headers" })
    const closed = new ConnectionClosed({ requestSent: true })
    const attempt = new RequestTimeout({ timeoutMillis: 1, until: "head", option: "attemptTimeout" })
    const whole = new RequestTimeout({ timeoutMillis: 1, until: "head", option: "timeout" })
    const invalid = new InvalidRequest({ reason: "url", detail: "x" })
    const table: Array<[unknown, boolean, boolean]> = [
      [refused, true, true],
      [recv, true, false],
      [closed, true, false],
      [attempt, true, false],
      [whole, false, false],
      [invalid, false, false]
    ]
    for (const [e, idempotent, other] of table) {
      expect([retryableError(e as never, true), retryableError(e as never, false)], String(e)).toEqual([idempotent, other])
    }
  })

  it.scoped("503 is retried after the schedule's delay, on the TestClock", () =>
    Effect.gen(function*() {
      const srv = yield* flaky(2, 503)
      const pool = yield* testPool
      const fiber = yield* Effect.fork(
        Hackney.get(srv.url, { pool, retry: Schedule.spaced("1 second") })
      )
      yield* eventually(() => srv.hits() === 1, 2000, "first attempt")
      yield* TestClock.adjust("999 millis")
      yield* realSleep(30)
      expect(srv.hits()).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* eventually(() => srv.hits() === 2, 2000, "second attempt")
      yield* TestClock.adjust("1 second")
      const res = yield* Fiber.join(fiber)
      expect(res.status).toBe(200)
      expect(res.text()).toBe("ok")
      expect(srv.hits()).toBe(3)
    }))

  it.scoped("Retry-After (seconds) is a floor under a shorter schedule delay", () =>
    Effect.gen(function*() {
      const srv = yield* flaky(1, 429, () => "5")
      const pool = yield* testPool
      const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool, retry: Schedule.spaced("100 millis") }))
      yield* eventually(() => srv.hits() === 1, 2000, "first attempt")
      yield* TestClock.adjust("4 seconds")
      yield* realSleep(30)
      expect(srv.hits()).toBe(1)
      yield* TestClock.adjust("1 second")
      const res = yield* Fiber.join(fiber)
      expect(res.status).toBe(200)
    }))

  it.scoped("Retry-After as an HTTP date, read against the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2030, 0, 1))
      const srv = yield* flaky(1, 503, () => HttpDate.format(Date.UTC(2030, 0, 1, 0, 0, 10)))
      const pool = yield* testPool
      const fiber = yield* Effect.fork(Hackney.get(srv.url, { pool, retry: Schedule.spaced("1 second") }))
      yield* eventually(() => srv.hits() === 1, 2000, "first attempt")
      yield* TestClock.adjust("9 seconds")
      yield* realSleep(30)
      expect(srv.hits()).toBe(1)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }))

  it.scoped("when the schedule ends, the last retryable response is returned", () =>
    Effect.gen(function*() {
      const srv = yield* flaky(10, 502)
      const pool = yield* testPool
      const res = yield* Hackney.get(srv.url, { pool, retry: Schedule.recurs(2) })
      expect(res.status).toBe(502)
      expect(srv.hits()).toBe(3)
      // 500 is not in the default set.
      const other = yield* flaky(10, 500)
      expect((yield* Hackney.get(other.url, { pool, retry: Schedule.recurs(2) })).status).toBe(500)
      expect(other.hits()).toBe(1)
    }))

  it.scoped("non-idempotent methods are not retried unless retryNonIdempotent", () =>
    Effect.gen(function*() {
      const pool = yield* testPool
      const a = yield* flaky(1, 503)
      expect((yield* Hackney.post(a.url, { pool, body: "x", retry: Schedule.recurs(3) })).status).toBe(503)
      expect(a.hits()).toBe(1)
      const b = yield* flaky(1, 503)
      const res = yield* Hackney.post(b.url, { pool, body: "x", retry: Schedule.recurs(3), retryNonIdempotent: true })
      expect(res.status).toBe(200)
      expect(b.hits()).toBe(2)
    }))

  it.scoped("transport errors: a connection closed before the response is retried for GET, not POST", () =>
    Effect.gen(function*() {
      let accepted = 0
      const srv = yield* rawServer((socket) => {
        accepted++
        socket.once("data", () => {
          if (accepted <= 2) socket.destroy()
          else socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        })
      })
      const pool = yield* testPool
      const res = yield* Hackney.get(srv.url, { pool, retry: Schedule.recurs(5) })
      expect(res.text()).toBe("ok")
      expect(accepted).toBe(3)
      accepted = 0
      const e = yield* Effect.flip(Hackney.post(srv.url, { pool: false, body: "x", retry: Schedule.recurs(5) }))
      expect(e._tag).toBe("ConnectionClosed")
      expect(accepted).toBe(1)
    }))

  /** Answers 200 with keep-alive, except that it drops the socket on the request hits listed in `drop`. */
  const dropping = (drop: ReadonlySet<number>) => {
    let hits = 0
    return Effect.map(
      rawServer((socket) => {
        socket.on("data", () => {
          hits++
          if (drop.has(hits)) socket.destroy()
          else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        })
      }),
      (srv) => ({ ...srv, hits: () => hits })
    )
  }

  it.scoped("retry Schedule is honoured after the stale-connection resend (warm pool)", () =>
    Effect.gen(function*() {
      const srv = yield* dropping(new Set([2, 3]))
      const pool = yield* testPool
      expect((yield* Hackney.get(srv.url, { pool })).status).toBe(200) // leaves an idle connection
      let seen = 0
      const schedule = Schedule.recurs(5).pipe(Schedule.tapInput(() => Effect.sync(() => seen++)))
      const res = yield* Hackney.get(srv.url, { pool, retry: schedule })
      expect(res.text()).toBe("ok")
      expect(srv.hits() - 1).toBe(3)
      // The stale connection's failure was resent internally; the Schedule saw the fresh connection's failure.
      expect(seen).toBe(1)
      expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0 })
    }))

  it.scoped("the stale-connection resend does not consume the Schedule: recurs(1) on a warm pool still succeeds", () =>
    Effect.gen(function*() {
      const srv = yield* dropping(new Set([2, 3]))
      const pool = yield* testPool
      yield* Hackney.get(srv.url, { pool })
      const res = yield* Hackney.get(srv.url, { pool, retry: Schedule.recurs(1) })
      expect(res.text()).toBe("ok")
      expect(srv.hits() - 1).toBe(3)
    }))

  it.scoped("retry Schedule sees every failure on a cold pool: success after 3 hits", () =>
    Effect.gen(function*() {
      const srv = yield* dropping(new Set([1, 2]))
      const pool = yield* testPool
      let seen = 0
      const schedule = Schedule.recurs(5).pipe(Schedule.tapInput(() => Effect.sync(() => seen++)))
      const res = yield* Hackney.get(srv.url, { pool, retry: schedule })
      expect(res.text()).toBe("ok")
      expect(srv.hits()).toBe(3)
      expect(seen).toBe(2)
    }))

  it.scoped("connection refused is retried on the schedule, then fails", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.scoped(Effect.map(httpServer((_, res) => res.end()), (s) => s.port))
      const pool = yield* testPool
      let attempts = 0
      const schedule = Schedule.recurs(2).pipe(Schedule.tapInput(() => Effect.sync(() => attempts++)))
      const e = yield* Effect.flip(Hackney.get(`http://127.0.0.1:${closed}/`, { pool, retry: schedule }))
      expect(e._tag).toBe("ConnectError")
      expect(attempts).toBe(3)
    }))
})

describe("retrying (the loop, without a server)", () => {
  const policy = (schedule: RetryPolicy["schedule"], allowed = true): RetryPolicy => ({
    schedule,
    allowed,
    idempotent: true,
    statuses: new Set([503])
  })
  /** An attempt that answers the statuses in turn, counting attempts and discarded responses. */
  const answering = (...statuses: Array<number>) => {
    const counts = { attempts: 0, discarded: 0 }
    const attempt = Effect.sync(() => {
      const status = statuses[Math.min(counts.attempts++, statuses.length - 1)]
      return {
        value: `${status}#${counts.attempts}`,
        status,
        headers: Headers.fromInput({ "x-attempt": String(counts.attempts) }),
        discard: Effect.sync(() => counts.discarded++)
      }
    })
    return { counts, attempt }
  }

  it.effect("no policy (no retry option): the attempt runs once", () =>
    Effect.gen(function*() {
      const { attempt, counts } = answering(503, 200)
      expect(yield* retrying(undefined, attempt)).toBe("503#1")
      expect(counts).toEqual({ attempts: 1, discarded: 0 })
    }))

  it.effect("a policy that does not allow retries runs the attempt once and keeps its response", () =>
    Effect.gen(function*() {
      const { attempt, counts } = answering(503, 200)
      expect(yield* retrying(policy(Schedule.recurs(3), false), attempt)).toBe("503#1")
      expect(counts).toEqual({ attempts: 1, discarded: 0 })
    }))

  it.effect("an error that is not retryable fails at once, whatever the schedule", () =>
    Effect.gen(function*() {
      let attempts = 0
      const invalid = new InvalidRequest({ reason: "url", detail: "x" })
      const attempt = Effect.suspend(() => (attempts++, Effect.fail(invalid)))
      expect(yield* Effect.flip(retrying(policy(Schedule.recurs(3)), attempt))).toBe(invalid)
      expect(attempts).toBe(1)
    }))

  it.effect("the schedule is stepped with the retried response's status and headers, and each retried response is discarded", () =>
    Effect.gen(function*() {
      const { attempt, counts } = answering(503, 503, 200)
      const seen: Array<string> = []
      const schedule = Schedule.recurWhile((i: RetryInput) => {
        if (i._tag === "Status") seen.push(`${i.status} ${Headers.getOrUndefined(i.headers, "x-attempt")}`)
        return i._tag === "Status"
      })
      expect(yield* retrying(policy(schedule), attempt)).toBe("200#3")
      expect(seen).toEqual(["503 1", "503 2"])
      expect(counts).toEqual({ attempts: 3, discarded: 2 })
    }))

  it.effect("a retryable error steps the schedule with the error itself; when the schedule ends it fails with the last one", () =>
    Effect.gen(function*() {
      let attempts = 0
      const attempt = Effect.suspend(() => Effect.fail(new ConnectError({ reason: "refused", host: "h", port: ++attempts })))
      const seen: Array<string> = []
      const schedule = Schedule.recurs(2).pipe(Schedule.tapInput((i: RetryInput) => Effect.sync(() => seen.push(i._tag))))
      const e = yield* Effect.flip(retrying(policy(schedule), attempt))
      expect(e).toMatchObject({ _tag: "ConnectError", port: 3 })
      expect(seen).toEqual(["ConnectError", "ConnectError", "ConnectError"])
    }))
})
