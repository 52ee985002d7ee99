/**
 * Model-based tests of the pool's policy (src/internal/pool/state.ts):
 * fast-check command sequences — checkout (fresh or not), dial success and
 * failure, interruption of a dial and of a wait (cancel), release (reusable
 * or not), peer close while idle, GOAWAY (drain) while in use, clock advance
 * with keep-alive expiry, shutdown — run against the real `PoolState` and a
 * simple model written from the rules in docs/pooling.md. After every step
 * the model's predictions are compared with the policy's decisions: which
 * connection each request holds (LIFO reuse of idle ones), who waits (FIFO,
 * `maxPerHost`), which connections were closed, and `stats()`; the written
 * invariants (`assertInvariants`) are checked too (test/support/poolInvariants.ts
 * turns them on for every event).
 *
 * The exact model covers HTTP/1.1 connections (capacity 1); multiplexed
 * connections (capacity 2–4, HTTP/2's streams) are run against a coarser
 * model: who holds what, never beyond a connection's capacity, no new
 * request on a draining connection, and every request accounted for.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { PoolState } from "../src/internal/pool/state.js"
import type { Entry, Sink, Waiter } from "../src/internal/pool/state.js"

class Conn {
  open = true
  constructor(readonly id: number) {}
}

/** The real policy, with a sink that records its decisions. */
class Real {
  readonly clock = { now: 0 }
  readonly grants: Array<[Waiter, Entry<Conn>]> = []
  readonly closed = new Set<Entry<Conn>>()
  readonly rejected = new Set<Waiter>()
  readonly aborted = new Set<Entry<Conn>>()
  readonly state: PoolState<Conn>
  /** Each request's waiter record and the entry serving it (a dial it owns, or a connection). */
  readonly waiters = new Map<number, Waiter>()
  readonly entries = new Map<number, Entry<Conn>>()
  constructor(readonly maxPerHost: number, maxIdle: number, readonly keepalive: number) {
    const sink: Sink<Conn> = {
      grant: (w, e) => void this.grants.push([w, e]),
      closeConnection: (e) => {
        if (e.conn !== undefined) e.conn.open = false
        this.closed.add(e)
      },
      parked: () => {},
      unparked: () => {},
      dialBackground: () => {
        throw new Error("no background dial in these runs")
      },
      reject: (w) => void this.rejected.add(w),
      abort: (e) => void this.aborted.add(e)
    }
    this.state = new PoolState<Conn>({ maxPerHost, maxIdle, keepalive }, sink, (c) => c.open, () => this.clock.now)
  }
  h() {
    return this.state.host("http://h:80", "h", 80)
  }
  /** Grants made since the last call, by request number. */
  takeGrants(): Map<number, Entry<Conn>> {
    const out = new Map<number, Entry<Conn>>()
    for (const [w, e] of this.grants.splice(0)) {
      const req = [...this.waiters].find(([, x]) => x === w)![0]
      out.set(req, e)
      this.entries.set(req, e)
    }
    return out
  }
}

// --- the exact model (capacity 1) -------------------------------------------

type ReqStatus = "waiting" | "dialing" | "holding" | "ended"

interface ModelReq {
  status: ReqStatus
  fresh: boolean
  /** The connection held (status "holding"). */
  conn: number | undefined
}

interface ModelConn {
  state: "idle" | "busy" | "draining" | "closed"
  expiresAt: number
}

/** The pool as docs/pooling.md describes it, for one host and HTTP/1.1 connections. */
class Model {
  now = 0
  closedPool = false
  readonly reqs = new Map<number, ModelReq>()
  readonly conns = new Map<number, ModelConn>()
  /** Idle connections, most recent last (LIFO reuse). */
  readonly idle: Array<number> = []
  /** Requests dialling, in the order their dials started. */
  readonly dials: Array<number> = []
  /** Waiting requests, oldest first (FIFO). */
  readonly queue: Array<number> = []
  /** Requests served since the last look: "dial" or the connection. */
  granted = new Map<number, number | "dial">()
  constructor(readonly maxPerHost: number, readonly maxIdle: number, readonly keepalive: number) {}

  busy(): number {
    let n = 0
    for (const c of this.conns.values()) if (c.state === "busy" || c.state === "draining") n++
    return n
  }
  /** Connections in use plus dials: what maxPerHost bounds (idle ones are not counted). */
  active(): number {
    return this.dials.length + this.busy()
  }
  /** Serves `req` now if it can be: the newest idle connection (not for a fresh request), else a dial; else nothing. */
  assign(req: number): number | "dial" | undefined {
    const r = this.reqs.get(req)!
    if (this.closedPool || this.active() >= this.maxPerHost) return undefined
    if (!r.fresh && this.idle.length > 0) {
      const c = this.idle.pop()!
      this.conns.get(c)!.state = "busy"
      r.status = "holding"
      r.conn = c
      return c
    }
    this.dials.push(req)
    r.status = "dialing"
    return "dial"
  }
  /** Serves the queue, oldest first, while it can. */
  pump(): void {
    while (this.queue.length > 0) {
      const got = this.assign(this.queue[0])
      if (got === undefined) return
      this.granted.set(this.queue.shift()!, got)
    }
  }
  close(c: number): void {
    this.conns.get(c)!.state = "closed"
  }
  /** A request's end: its connection goes back (reusable or not). */
  release(req: number, reusable: boolean): void {
    const r = this.reqs.get(req)!
    const c = r.conn!
    const conn = this.conns.get(c)!
    r.status = "ended"
    if (!reusable || conn.state === "draining" || this.closedPool) {
      this.close(c)
      return this.pump()
    }
    const head = this.queue[0]
    if (head !== undefined && !this.reqs.get(head)!.fresh) {
      // Straight to the oldest waiter.
      this.queue.shift()
      const w = this.reqs.get(head)!
      w.status = "holding"
      w.conn = c
      this.granted.set(head, c)
      return this.pump()
    }
    if (this.idle.length >= this.maxIdle || this.keepalive <= 0) this.close(c)
    else {
      conn.state = "idle"
      conn.expiresAt = this.now + this.keepalive
      this.idle.push(c)
    }
    this.pump()
  }
  dialEnded(req: number, conn: number | undefined): void {
    this.dials.splice(this.dials.indexOf(req), 1)
    const r = this.reqs.get(req)!
    if (conn === undefined) {
      r.status = "ended"
      return this.pump()
    }
    this.conns.set(conn, { state: "busy", expiresAt: Infinity })
    r.status = "holding"
    r.conn = conn
    this.pump()
  }
  idleGone(c: number): void {
    this.idle.splice(this.idle.indexOf(c), 1)
    this.close(c)
  }
}

interface Sys {
  readonly model: Model
  readonly real: Real
  /** Model connection id → the real entry. */
  readonly entryOf: Map<number, Entry<Conn>>
  nextReq: number
  nextConn: number
}

/** After every step: the model's predictions against the policy's decisions. */
const compare = (s: Sys): void => {
  const { model, real } = s
  real.state.assertInvariants()
  const grants = real.takeGrants()
  expect([...grants.keys()].sort()).toEqual([...model.granted.keys()].sort())
  for (const [req, got] of model.granted) {
    const e = grants.get(req)!
    if (got === "dial") expect(e.state).toBe("dialing")
    else expect(e).toBe(s.entryOf.get(got))
  }
  model.granted = new Map()
  for (const [req, r] of model.reqs) {
    if (r.status === "holding") expect(real.entries.get(req)).toBe(s.entryOf.get(r.conn!))
    if (r.status === "dialing") expect(real.entries.get(req)?.state).toBe("dialing")
    if (r.status === "waiting") expect(real.h().waiters).toContain(real.waiters.get(req))
  }
  for (const [c, conn] of model.conns) {
    const e = s.entryOf.get(c)!
    expect([c, real.closed.has(e) || real.aborted.has(e)]).toEqual([c, conn.state === "closed"])
    if (conn.state === "idle") expect(real.h().idle).toContain(e)
  }
  const stats = real.state.stats()
  expect(stats).toEqual({ inUse: model.closedPool ? 0 : model.busy(), free: model.idle.length, queued: model.queue.length })
}

type Cmd = fc.Command<Sys, Sys>

const holding = (s: Sys) => [...s.model.reqs].filter(([, r]) => r.status === "holding").map(([k]) => k)
const nth = <A>(xs: ReadonlyArray<A>, i: number): A | undefined => (xs.length === 0 ? undefined : xs[i % xs.length])

class Checkout implements Cmd {
  constructor(readonly fresh: boolean) {}
  check = (s: Sys) => !s.model.closedPool
  run(s: Sys): void {
    const req = s.nextReq++
    const w: Waiter = { fresh: this.fresh, limit: s.real.maxPerHost, capacity: 1, done: false, dial: undefined }
    s.real.waiters.set(req, w)
    s.model.reqs.set(req, { status: "waiting", fresh: this.fresh, conn: undefined })
    const predicted = s.model.queue.length === 0 ? s.model.assign(req) : undefined
    const e = s.real.state.checkout(s.real.h(), this.fresh, w.limit, 1)
    if (predicted === undefined) {
      expect(e).toBeUndefined()
      s.model.queue.push(req)
      s.real.state.wait(s.real.h(), w)
    } else {
      expect(e).toBeDefined()
      s.real.entries.set(req, e!)
      if (predicted === "dial") expect(e!.state).toBe("dialing")
      else expect(e).toBe(s.entryOf.get(predicted))
    }
    compare(s)
  }
  toString = () => `checkout(${this.fresh ? "fresh" : "reuse"})`
}

class DialEnds implements Cmd {
  constructor(readonly pick: number, readonly ok: boolean, readonly interrupted: boolean) {}
  check = (s: Sys) => s.model.dials.length > 0
  run(s: Sys): void {
    const req = nth(s.model.dials, this.pick)!
    const e = s.real.entries.get(req)!
    if (this.ok && !this.interrupted) {
      const c = s.nextConn++
      s.entryOf.set(c, e)
      s.model.dialEnded(req, s.model.closedPool ? undefined : c)
      if (s.model.closedPool) s.model.conns.set(c, { state: "closed", expiresAt: Infinity })
      s.real.state.dialed(e, new Conn(c), 1)
    } else {
      // A failed dial, or its requester interrupted while connecting: the slot frees.
      s.model.dialEnded(req, undefined)
      s.real.state.dialFailed(e)
    }
    compare(s)
  }
  toString = () => `dial#${this.pick} ${this.interrupted ? "interrupted" : this.ok ? "ok" : "failed"}`
}

class Release implements Cmd {
  constructor(readonly pick: number, readonly reusable: boolean) {}
  check = (s: Sys) => holding(s).length > 0
  run(s: Sys): void {
    const req = nth(holding(s), this.pick)!
    const e = s.real.entries.get(req)!
    const reusable = this.reusable && e.conn!.open
    s.model.release(req, reusable)
    s.real.state.release(e, reusable)
    compare(s)
  }
  toString = () => `release#${this.pick}(${this.reusable ? "reusable" : "broken"})`
}

class Goaway implements Cmd {
  constructor(readonly pick: number) {}
  check = (s: Sys) => holding(s).length > 0
  run(s: Sys): void {
    const req = nth(holding(s), this.pick)!
    const c = s.model.reqs.get(req)!.conn!
    const conn = s.model.conns.get(c)!
    if (conn.state === "busy") conn.state = "draining"
    s.real.state.drain(s.entryOf.get(c)!)
    compare(s)
  }
  toString = () => `goaway#${this.pick}`
}

class PeerCloseIdle implements Cmd {
  constructor(readonly pick: number) {}
  check = (s: Sys) => s.model.idle.length > 0
  run(s: Sys): void {
    const c = nth(s.model.idle, this.pick)!
    const e = s.entryOf.get(c)!
    s.model.idleGone(c)
    e.conn!.open = false
    s.real.state.connectionClosed(e)
    // The service closes a connection that closed itself; the model counts it closed.
    s.real.closed.add(e)
    compare(s)
  }
  toString = () => `peer-close-idle#${this.pick}`
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true
  run(s: Sys): void {
    s.model.now += this.ms
    s.real.clock.now += this.ms
    // Every idle connection's keep-alive timer fires once its time came (and early ones are ignored).
    for (const c of [...s.model.idle]) {
      const e = s.entryOf.get(c)!
      if (s.model.conns.get(c)!.expiresAt <= s.model.now) s.model.idleGone(c)
      s.real.state.expire(e)
    }
    compare(s)
  }
  toString = () => `advance(${this.ms} ms)`
}

class Cancel implements Cmd {
  constructor(readonly pick: number) {}
  check = (s: Sys) => s.model.queue.length > 0
  run(s: Sys): void {
    const req = nth(s.model.queue, this.pick)!
    s.model.queue.splice(s.model.queue.indexOf(req), 1)
    s.model.reqs.get(req)!.status = "ended"
    s.model.pump()
    s.real.state.cancel(s.real.h(), s.real.waiters.get(req)!)
    compare(s)
  }
  toString = () => `cancel#${this.pick}`
}

class Shutdown implements Cmd {
  check = (s: Sys) => !s.model.closedPool
  run(s: Sys): void {
    const m = s.model
    m.closedPool = true
    // Every waiter is rejected, idle connections closed, those in use aborted.
    const queued = m.queue.splice(0)
    for (const req of queued) m.reqs.get(req)!.status = "ended"
    for (const c of m.idle.splice(0)) m.close(c)
    for (const conn of m.conns.values()) if (conn.state === "busy" || conn.state === "draining") conn.state = "closed"
    s.real.state.shutdown()
    expect([...s.real.rejected]).toEqual(queued.map((req) => s.real.waiters.get(req)))
    for (const r of m.reqs.values()) if (r.status === "holding") r.status = "ended"
    compare(s)
  }
  toString = () => "shutdown"
}

const commands = [
  fc.boolean().map((fresh) => new Checkout(fresh)),
  fc.boolean().map((fresh) => new Checkout(fresh)),
  fc.tuple(fc.nat(), fc.boolean(), fc.boolean()).map(([p, ok, i]) => new DialEnds(p, ok || i, i && !ok)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p, r]) => new Release(p, r)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p]) => new Release(p, true)),
  fc.nat().map((p) => new Goaway(p)),
  fc.nat().map((p) => new PeerCloseIdle(p)),
  fc.integer({ min: 0, max: 1500 }).map((ms) => new Advance(ms)),
  fc.nat().map((p) => new Cancel(p)),
  fc.constant(new Shutdown()).filter(() => true)
]

describe("PoolState against a model (HTTP/1.1 connections)", () => {
  it("checkout/dial/release/expire/GOAWAY/cancel/shutdown sequences: every decision is the model's (LIFO reuse, FIFO waiters, maxPerHost, keep-alive, maxConnections)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0, 1000),
        fc.commands(commands, { maxCommands: 80 }),
        (maxPerHost, maxIdle, keepalive, cmds) => {
          const setup = () => {
            const sys: Sys = {
              model: new Model(maxPerHost, maxIdle, keepalive),
              real: new Real(maxPerHost, maxIdle, keepalive),
              entryOf: new Map(),
              nextReq: 0,
              nextConn: 0
            }
            return { model: sys, real: sys }
          }
          fc.modelRun(setup, cmds)
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("the model is not vacuous: a policy that reuses the oldest idle connection (FIFO) is caught", () => {
    const sys: Sys = { model: new Model(2, 2, 1000), real: new Real(2, 2, 1000), entryOf: new Map(), nextReq: 0, nextConn: 0 }
    new Checkout(false).run(sys)
    new Checkout(false).run(sys)
    new DialEnds(0, true, false).run(sys)
    new DialEnds(0, true, false).run(sys)
    new Release(0, true).run(sys)
    new Release(0, true).run(sys)
    // The model says: the newest idle connection next. Swap the model's idle order (a FIFO pool) and it must fail.
    sys.model.idle.reverse()
    expect(() => new Checkout(false).run(sys)).toThrow()
  })
})

// --- multiplexed connections (capacity above 1) -------------------------------

describe("PoolState against a model (multiplexed connections)", () => {
  type MCmd =
    | { readonly _tag: "checkout"; readonly fresh: boolean; readonly capacity: number }
    | { readonly _tag: "dial"; readonly pick: number; readonly ok: boolean; readonly capacity: number }
    | { readonly _tag: "release"; readonly pick: number; readonly reusable: boolean }
    | { readonly _tag: "goaway"; readonly pick: number }
    | { readonly _tag: "cancel"; readonly pick: number }
    | { readonly _tag: "advance"; readonly ms: number }

  const mcmd: fc.Arbitrary<MCmd> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ _tag: fc.constant("checkout" as const), fresh: fc.boolean(), capacity: fc.constantFrom(1, 2, 4) }) },
    { weight: 3, arbitrary: fc.record({ _tag: fc.constant("dial" as const), pick: fc.nat(), ok: fc.boolean(), capacity: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ _tag: fc.constant("release" as const), pick: fc.nat(), reusable: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("goaway" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("cancel" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 1500 }) }) }
  )

  it("streams on shared connections: each request held once, never beyond capacity, nothing new on a draining connection, all accounted for", () => {
    fc.assert(
      fc.property(fc.array(mcmd, { maxLength: 100 }), fc.integer({ min: 1, max: 3 }), (cmds, maxPerHost) => {
        const real = new Real(maxPerHost, 2, 1000)
        /** The model: what each request is (waiting, dialling, holding an entry), and the draining entries. */
        const status = new Map<number, "waiting" | "dialing" | "holding" | "ended">()
        const draining = new Set<Entry<Conn>>()
        const owners: Array<number> = []
        let next = 0
        const serve = (req: number, e: Entry<Conn>) => {
          expect(draining.has(e)).toBe(false)
          real.entries.set(req, e)
          status.set(req, e.state === "dialing" ? "dialing" : "holding")
          if (e.state === "dialing" && !owners.includes(req)) owners.push(req)
        }
        for (const c of cmds) {
          switch (c._tag) {
            case "checkout": {
              const req = next++
              const w: Waiter = { fresh: c.fresh, limit: maxPerHost, capacity: c.capacity, done: false, dial: undefined }
              real.waiters.set(req, w)
              const e = real.state.checkout(real.h(), c.fresh, maxPerHost, c.capacity)
              if (e !== undefined) serve(req, e)
              else {
                status.set(req, "waiting")
                real.state.wait(real.h(), w)
              }
              break
            }
            case "dial": {
              // Only a dial's owner reports it (waiters attached to it are served by `dialed`).
              const live = owners.filter((r) => status.get(r) === "dialing" && real.entries.get(r)?.state === "dialing")
              const req = nth(live, c.pick)
              if (req === undefined) break
              owners.splice(owners.indexOf(req), 1)
              const e = real.entries.get(req)!
              if (c.ok) {
                real.state.dialed(e, new Conn(next), c.capacity)
                status.set(req, "holding")
              } else {
                real.state.dialFailed(e)
                status.set(req, "ended")
              }
              break
            }
            case "release": {
              const held = [...status].filter(([r, st]) => st === "holding" && real.entries.get(r)!.state !== "dialing").map(([r]) => r)
              const req = nth(held, c.pick)
              if (req === undefined) break
              status.set(req, "ended")
              const e = real.entries.get(req)!
              real.state.release(e, c.reusable && !draining.has(e))
              break
            }
            case "goaway": {
              const busy = [...real.h().busy].filter((e) => e.state === "active")
              const e = nth(busy, c.pick)
              if (e === undefined) break
              draining.add(e)
              real.state.drain(e)
              break
            }
            case "cancel": {
              const waiting = [...status].filter(([, st]) => st === "waiting").map(([r]) => r)
              const req = nth(waiting, c.pick)
              if (req === undefined) break
              status.set(req, "ended")
              real.state.cancel(real.h(), real.waiters.get(req)!)
              break
            }
            case "advance": {
              real.clock.now += c.ms
              for (const e of [...real.h().idle]) real.state.expire(e)
              break
            }
          }
          for (const [req, e] of real.takeGrants()) serve(req, e)
          // Waiters attached to a dial that connected are served by it: they hold the connection now.
          for (const [req, st] of status) if (st === "dialing" && real.entries.get(req)!.state !== "dialing") status.set(req, "holding")
          real.state.assertInvariants()
          // Each connection carries exactly the requests the model says hold it, within its capacity.
          const perEntry = new Map<Entry<Conn>, number>()
          for (const [req, st] of status) {
            if (st !== "holding") continue
            const e = real.entries.get(req)!
            perEntry.set(e, (perEntry.get(e) ?? 0) + 1)
          }
          for (const [e, n] of perEntry) {
            if (e.state === "closed") continue
            expect(e.inFlight).toBe(n)
            expect(n).toBeLessThanOrEqual(e.capacity)
          }
          // A draining connection closes when its last request ends.
          for (const e of draining) if (!perEntry.has(e)) expect(e.state).toBe("closed")
          // Every waiting request is queued (or attached to a dial in progress), and counted.
          const waiting = [...status].filter(([, st]) => st === "waiting").length
          expect(real.state.stats().queued).toBe(waiting)
        }
      }),
      { numRuns: 1000 }
    )
  })
})

