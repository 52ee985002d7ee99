/**
 * The pool's assignment policy (src/internal/pool/state.ts) on its own: fake
 * connections, a fake clock, a sink that records decisions. No sockets.
 * Invariants are asserted after every event (test/support/poolInvariants.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { PoolState } from "../src/internal/pool/state.js"
import type { Entry, Limits, Sink, Waiter } from "../src/internal/pool/state.js"

class FakeConn {
  open = true
  constructor(readonly id: number, readonly capacity = 1) {}
}

interface TestWaiter extends Waiter {
  readonly name: string
}

const harness = (limits: Partial<Limits> = {}) => {
  const clock = { now: 0 }
  const log: Array<string> = []
  const granted = new Map<Waiter, Entry<FakeConn>>()
  const background: Array<Entry<FakeConn>> = []
  const rejected: Array<Waiter> = []
  let ids = 0
  const id = (e: Entry<FakeConn>) => e.conn?.id ?? "dial"
  const sink: Sink<FakeConn> = {
    grant: (w, e) => {
      expect(granted.has(w)).toBe(false)
      granted.set(w, e)
      log.push(`grant ${(w as TestWaiter).name} ${e.state === "dialing" ? "dial" : `#${id(e)}`}`)
    },
    closeConnection: (e) => {
      if (e.conn !== undefined) e.conn.open = false
      log.push(`close #${id(e)}`)
    },
    parked: (e) => log.push(`park #${id(e)}`),
    unparked: (e) => log.push(`unpark #${id(e)}`),
    dialBackground: (e) => {
      background.push(e)
      log.push("background dial")
    },
    reject: (w) => {
      rejected.push(w)
      log.push(`reject ${(w as TestWaiter).name}`)
    },
    abort: (e) => log.push(`abort #${id(e)}`)
  }
  const state = new PoolState<FakeConn>(
    { maxPerHost: 2, maxIdle: 10, keepalive: 1000, ...limits },
    sink,
    (c) => c.open,
    () => clock.now
  )
  /** The host record (looked up each time, as the service does: an emptied one is dropped). */
  const h = () => state.host("http://h:80", "h", 80)
  const waiter = (name: string, o: Partial<Waiter> = {}): TestWaiter => ({
    name,
    fresh: false,
    limit: state.limits.maxPerHost,
    capacity: 1,
    done: false,
    dial: undefined,
    ...o
  })
  /** A request: served now (an entry), or waiting (undefined; see `granted`). */
  const request = (w: TestWaiter): Entry<FakeConn> | undefined => {
    const e = state.checkout(h(), w.fresh, w.limit, w.capacity)
    if (e !== undefined) return e
    state.wait(h(), w)
    return granted.get(w)
  }
  const connect = (e: Entry<FakeConn>, capacity = 1): FakeConn => {
    const conn = new FakeConn(++ids, capacity)
    state.dialed(e, conn, capacity)
    return conn
  }
  return { state, h, clock, log, granted, background, rejected, waiter, request, connect }
}

describe("PoolState: limits and queue", () => {
  it("dials up to maxPerHost, then queues; stats count in use, idle and waiting", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    const b = t.request(t.waiter("b"))!
    expect([a.state, b.state]).toEqual(["dialing", "dialing"])
    expect(t.request(t.waiter("c"))).toBeUndefined()
    expect(t.h().active).toBe(2)
    t.connect(a)
    t.connect(b)
    expect(t.state.stats()).toEqual({ inUse: 2, free: 0, queued: 1 })
  })

  it("a released connection goes straight to the oldest waiter, in FIFO order, without parking", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    const waiters = ["b", "c", "d"].map((n) => t.waiter(n))
    for (const w of waiters) expect(t.request(w)).toBeUndefined()
    t.log.length = 0
    for (const w of waiters) {
      t.state.release(a, true)
      expect(t.granted.get(w)).toBe(a)
    }
    expect(t.log).toEqual(["grant b #1", "grant c #1", "grant d #1"])
    t.state.release(a, true)
    expect(t.state.stats()).toEqual({ inUse: 0, free: 1, queued: 0 })
  })

  it("a connection not reusable is closed and its slot lets the oldest waiter dial", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    const b = t.waiter("b")
    t.request(b)
    t.state.release(a, false)
    expect(t.log.slice(-2)).toEqual(["close #1", "grant b dial"])
    expect(t.granted.get(b)!.state).toBe("dialing")
  })

  it("a dial failure wakes the next waiter, which dials", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    const b = t.waiter("b")
    const c = t.waiter("c")
    t.request(b)
    t.request(c)
    t.state.dialFailed(a)
    expect(t.granted.get(b)!.state).toBe("dialing")
    expect(t.granted.has(c)).toBe(false)
    expect(t.h().active).toBe(1)
  })

  it("a request's own limit is applied to it (hackney's max_per_host request option)", () => {
    const t = harness({ maxPerHost: 10 })
    t.request(t.waiter("a", { limit: 1 }))
    expect(t.request(t.waiter("b", { limit: 1 }))).toBeUndefined()
    // Behind a waiter, even a request with a higher limit queues (FIFO).
    expect(t.request(t.waiter("c"))).toBeUndefined()
  })

  it("a fresh request (retry after a stale connection) is never handed a reused one", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.release(a, true)
    const f = t.request(t.waiter("f", { fresh: true }))!
    expect(f).not.toBe(a)
    expect(f.state).toBe("dialing")
    expect(t.state.idleCount).toBe(1)
  })

  it("taking an idle connection counts against the limit: no waiter exceeds maxPerHost by reuse", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    const b = t.request(t.waiter("b"))!
    t.connect(a)
    t.connect(b)
    // A fresh request waits at the limit; a is released while it waits: the fresh one dials, a parks.
    const f = t.waiter("f", { fresh: true })
    t.request(f)
    t.state.release(a, true)
    expect(t.granted.get(f)!.state).toBe("dialing")
    expect(t.state.idleCount).toBe(1)
    // b busy + f dialing = 2: the idle connection is not taken.
    expect(t.request(t.waiter("c"))).toBeUndefined()
    expect(t.h().active).toBe(2)
  })

  it("a cancelled waiter leaves the queue; the connection then parks", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    const b = t.waiter("b")
    t.request(b)
    t.state.cancel(t.h(), b)
    t.state.release(a, true)
    expect(t.granted.has(b)).toBe(false)
    expect(t.state.stats()).toEqual({ inUse: 0, free: 1, queued: 0 })
  })
})

describe("PoolState: idle connections", () => {
  it("reuses the most recently released connection first (LIFO)", () => {
    const t = harness({ maxPerHost: 3 })
    const [a, b] = [t.request(t.waiter("a"))!, t.request(t.waiter("b"))!]
    t.connect(a)
    t.connect(b)
    t.state.release(a, true)
    t.state.release(b, true)
    expect(t.request(t.waiter("c"))).toBe(b)
    expect(t.request(t.waiter("d"))).toBe(a)
  })

  it("an idle connection expires exactly at keepaliveTimeout (fake clock)", () => {
    const t = harness({ keepalive: 1000 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.clock.now = 500
    t.state.release(a, true)
    expect(a.expiresAt).toBe(1500)
    t.clock.now = 1499
    t.state.expire(a)
    expect(a.state).toBe("idle")
    t.clock.now = 1500
    t.state.expire(a)
    expect(a.state).toBe("closed")
    expect(t.log.at(-1)).toBe("close #1")
    expect(t.state.idleCount).toBe(0)
  })

  it("a timer of an earlier idle period does not close a connection reused since", () => {
    const t = harness({ keepalive: 1000 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.release(a, true)
    expect(t.request(t.waiter("b"))).toBe(a)
    t.clock.now = 5000
    t.state.expire(a)
    expect(a.state).toBe("active")
  })

  it("maxConnections caps idle connections; 0 (or keepaliveTimeout 0) keeps none", () => {
    for (const limits of [{ maxIdle: 1 }, { maxIdle: 0 }, { keepalive: 0 }]) {
      const t = harness({ maxPerHost: 3, ...limits })
      const es = [t.request(t.waiter("a"))!, t.request(t.waiter("b"))!]
      for (const e of es) t.connect(e)
      for (const e of es) t.state.release(e, true)
      expect(t.state.idleCount).toBe(Math.min(limits.maxIdle ?? 10, limits.keepalive === 0 ? 0 : 2))
    }
  })

  it("a connection the peer closed while idle is dropped, and never handed out", () => {
    const t = harness()
    const a = t.request(t.waiter("a"))!
    const conn = t.connect(a)
    t.state.release(a, true)
    conn.open = false
    const next = t.request(t.waiter("b"))!
    expect(next).not.toBe(a)
    expect(next.state).toBe("dialing")
    expect(a.state).toBe("closed")
    // The peer's close, reported later, changes nothing.
    t.state.connectionClosed(a)
    expect(t.state.idleCount).toBe(0)
  })

  it("connectionClosed removes an idle connection", () => {
    const t = harness()
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.release(a, true)
    t.state.connectionClosed(a)
    expect(t.state.stats()).toEqual({ inUse: 0, free: 0, queued: 0 })
    expect(t.state.hosts.size).toBe(0)
  })
})

describe("PoolState: multiplexed connections (capacity above 1)", () => {
  it("a dial in progress counts as capacity: N waiters share one upcoming connection of capacity N", () => {
    const t = harness({ maxPerHost: 4 })
    const first = t.request(t.waiter("a", { capacity: 4 }))!
    expect(first.state).toBe("dialing")
    const others = ["b", "c", "d"].map((n) => t.waiter(n, { capacity: 4 }))
    for (const w of others) expect(t.request(w)).toBeUndefined()
    expect(t.h().dialing).toBe(1)
    expect(t.state.stats().queued).toBe(3)
    t.connect(first, 4)
    for (const w of others) expect(t.granted.get(w)).toBe(first)
    expect(first.inFlight).toBe(4)
    // Full: a fifth request dials.
    expect(t.request(t.waiter("e", { capacity: 4 }))!.state).toBe("dialing")
  })

  it("when the dial turns out to carry fewer (HTTP/1.1 negotiated), the others queue again in order", () => {
    const t = harness({ maxPerHost: 4 })
    const first = t.request(t.waiter("a", { capacity: 4 }))!
    const [b, c] = [t.waiter("b", { capacity: 4 }), t.waiter("c", { capacity: 4 })]
    t.request(b)
    t.request(c)
    t.connect(first, 1)
    expect(first.inFlight).toBe(1)
    // b and c, first again and in order, each dial: the host proved HTTP/1.1 (its capacity hint is now 1).
    expect(t.granted.get(b)!.state).toBe("dialing")
    expect(t.granted.get(c)!.state).toBe("dialing")
    expect(t.granted.get(c)).not.toBe(t.granted.get(b))
    expect(t.log.filter((l) => l.startsWith("grant"))).toEqual(["grant b dial", "grant c dial"])
  })

  it("a request on a connection with room is served at once; releases keep it in use until the last", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    expect(t.request(t.waiter("b"))).toBe(a)
    expect(a.inFlight).toBe(2)
    t.state.release(a, true)
    expect(a.state).toBe("active")
    t.state.release(a, true)
    expect(a.state).toBe("idle")
  })

  it("draining (GOAWAY): no new request is given it; it closes when its last request ends", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.request(t.waiter("b"))
    t.state.drain(a)
    expect(t.request(t.waiter("c"))!.state).toBe("dialing")
    t.state.release(a, true)
    expect(a.state).toBe("draining")
    t.state.release(a, true)
    expect(a.state).toBe("closed")
    expect(t.log).toContain("close #1")
  })

  it("resize (the peer's SETTINGS_MAX_CONCURRENT_STREAMS rose): queued waiters are served on the new room, in order", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 2 }))!
    t.connect(a, 2)
    expect(t.request(t.waiter("b"))).toBe(a)
    expect(t.request(t.waiter("c"))).toBeUndefined()
    expect(t.request(t.waiter("d"))).toBeUndefined()
    t.state.resize(a, 4)
    expect(t.log.slice(-2)).toEqual(["grant c #1", "grant d #1"])
    expect(a.inFlight).toBe(4)
  })

  it("resize below what runs: those finish, no new request is given it until it has room", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.request(t.waiter("b"))
    t.request(t.waiter("c"))
    t.state.resize(a, 1)
    expect(t.request(t.waiter("d"))).toBeUndefined()
    t.state.release(a, true)
    t.state.release(a, true)
    expect(t.log.some((l) => l.startsWith("grant d"))).toBe(false)
    t.state.release(a, true)
    expect(t.log.at(-1)).toBe("grant d #1")
  })

  it("a host's next multiplexed dial expects the capacity its last session had", () => {
    const t = harness({ maxPerHost: 2 })
    expect(t.h().capacityHint).toBe(100)
    const a = t.request(t.waiter("a", { capacity: 100 }))!
    t.connect(a, 10)
    expect(t.h().capacityHint).toBe(10)
    t.state.resize(a, 20)
    expect(t.h().capacityHint).toBe(20)
  })

  it("draining an idle session (GOAWAY while parked) closes it", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.state.release(a, true)
    expect(a.state).toBe("idle")
    t.state.drain(a)
    expect(a.state).toBe("closed")
    expect(t.log).toContain("close #1")
  })

  it("a waiter attached to a dial that fails queues again and dials", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 2 }))!
    const b = t.waiter("b", { capacity: 2 })
    t.request(b)
    t.state.dialFailed(a)
    expect(t.granted.get(b)!.state).toBe("dialing")
  })

  it("a cancelled attached waiter frees its place on the dial", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 2 }))!
    const b = t.waiter("b", { capacity: 2 })
    t.request(b)
    t.state.cancel(t.h(), b)
    expect(a.inFlight).toBe(1)
    t.connect(a, 2)
    expect(t.granted.has(b)).toBe(false)
  })
})

describe("PoolState: prewarm and shutdown", () => {
  it("prewarm dials what is missing, bounded by maxPerHost; a taken idle connection is replaced", () => {
    const t = harness({ maxPerHost: 3 })
    const dials = t.state.prewarm(t.h(), 2)
    expect(dials.length).toBe(2)
    for (const e of dials) t.connect(e)
    expect(t.state.idleCount).toBe(2)
    expect(t.state.prewarm(t.h(), 2)).toEqual([])
    expect(t.state.prewarm(t.h(), 10).length).toBe(3)
    const t2 = harness({ maxPerHost: 3 })
    for (const e of t2.state.prewarm(t2.h(), 2)) t2.connect(e)
    t2.request(t2.waiter("a"))
    expect(t2.background.length).toBe(1)
    t2.connect(t2.background[0])
    expect(t2.state.idleCount).toBe(2)
  })

  it("a background dial's connection goes to a waiter first", () => {
    const t = harness({ maxPerHost: 1 })
    const [d] = t.state.prewarm(t.h(), 1)
    const w = t.waiter("w")
    expect(t.request(w)).toBeUndefined()
    const conn = t.connect(d)
    expect(t.granted.get(w)!.conn).toBe(conn)
  })

  it("shutdown rejects waiters, closes idle connections, aborts those in use; a dial ending later is closed", () => {
    const t = harness({ maxPerHost: 3 })
    const [a, b, c] = [t.request(t.waiter("a"))!, t.request(t.waiter("b"))!, t.request(t.waiter("c"))!]
    t.connect(a)
    t.connect(b)
    t.state.release(a, true)
    // Its own limit (2) is reached by b and c: it waits although a is idle.
    const w = t.waiter("w", { limit: 2 })
    expect(t.request(w)).toBeUndefined()
    t.state.shutdown()
    expect(t.rejected).toEqual([w])
    expect(t.log).toEqual(expect.arrayContaining(["close #1", "abort #2", "reject w"]))
    t.connect(c)
    expect(c.state).toBe("closed")
    expect(t.state.stats()).toEqual({ inUse: 0, free: 0, queued: 0 })
  })

  it("toJSON shows each host's entries and their states", () => {
    const t = harness()
    t.connect(t.request(t.waiter("a"))!)
    const json = JSON.parse(JSON.stringify(t.state))
    expect(json.hosts[0]).toMatchObject({ key: "http://h:80", busy: 1, idle: 0, dialing: 0 })
    expect(json.hosts[0].entries[0]).toMatchObject({ state: "active", capacity: 1, inFlight: 1 })
  })
})

describe("PoolState: invariants", () => {
  it("assertInvariants throws on a broken count (it is not vacuous)", () => {
    const t = harness()
    t.connect(t.request(t.waiter("a"))!)
    t.state.idleCount = 3
    expect(() => t.state.assertInvariants()).toThrow(/idle count/)
  })

  it("debug off: events check nothing (no recount on the hot path); debug on: every event checks", () => {
    const t = harness()
    t.connect(t.request(t.waiter("a"))!)
    t.state.idleCount = 3
    PoolState.debug = false
    try {
      expect(() => t.state.checkout(t.h(), false, 2, 1)).not.toThrow()
    } finally {
      PoolState.debug = true
    }
    expect(() => t.state.checkout(t.h(), false, 2, 1)).toThrow(/pool invariant broken: idle count 3, recounted 0 — \{/)
    expect(() => t.state.prewarm(t.h(), 0)).toThrow(/idle count 3/)
  })

  /** Turns the connection in use back into a dial with room (multiplexed), as the spare list holds them. */
  const spareDial = (t: ReturnType<typeof harness>) => {
    const e = [...t.h().busy][0]
    t.h().busy.delete(e)
    e.state = "dialing"
    t.h().dialing++
    t.h().spare.push(e)
    return e
  }

  // Each invariant of the module doc, broken on purpose: assertInvariants names it.
  const broken: Array<[string, (t: ReturnType<typeof harness>) => void, RegExp]> = [
    ["a negative dialing count", (t) => void (t.h().dialing = -1), /counts of http:\/\/h:80/],
    ["a negative refilling count", (t) => void (t.h().refilling = -1), /counts of/],
    ["more refilling than dialing", (t) => void (t.h().refilling = 1), /counts of/],
    ["an idle entry that is active", (t) => void (t.h().idle[0].state = "active"), /idle entry of http:\/\/h:80/],
    ["an idle entry with a request", (t) => void (t.h().idle[0].inFlight = 1), /idle entry of/],
    ["an idle entry twice in the stack", (t) => {
      t.h().idle.push(t.h().idle[0])
      t.state.idleCount++
    }, /idle entry of/],
    ["an idle entry also in use", (t) => void t.h().busy.add(t.h().idle[0]), /idle entry of/],
    ["an entry in use that is idle", (t) => void ([...t.h().busy][0].state = "idle"), /busy entry of http:\/\/h:80 is idle/],
    ["a negative in-flight count", (t) => void ([...t.h().busy][0].inFlight = -1), /inFlight of http:\/\/h:80/],
    ["a spare entry that is closed", (t) => {
      const e = [...t.h().busy][0]
      t.h().spare.push(e)
      e.state = "closed"
      t.h().busy.delete(e)
    }, /spare entry of http:\/\/h:80 is closed/],
    ["a spare dial past its capacity", (t) => void (spareDial(t).capacity = 0), /inFlight of a spare entry of/],
    ["a spare dial with a negative count", (t) => void (spareDial(t).inFlight = -1), /inFlight of a spare entry of/],
    ["more connections than the limit", (t) => void (t.h().dialing = 2), /http:\/\/h:80 has 3 connections/],
    ["a waiter while it may dial", (t) => void t.h().waiters.push(t.waiter("w")), /a waiter of http:\/\/h:80 waits while it may reuse or dial/],
    ["a waiter while a connection has room", (t) => {
      const e = [...t.h().busy][0]
      e.capacity = 2
      t.h().spare.push(e)
      t.h().dialing = 1
      t.h().maxLimit = 1
      t.h().waiters.push(t.waiter("w", { limit: 1 }))
    }, /waits while a connection has room/],
    ["a waiter of a closed pool", (t) => {
      t.h().dialing = 1
      t.h().waiters.push(t.waiter("w", { limit: 1 }))
      t.state.closed = true
    }, /a closed pool has waiters/],
    ["more idle than maxConnections", (t) => void (t.state.limits as { maxIdle: number }).maxIdle--, /more idle connections than maxConnections/],
    ["a closed pool with idle connections", (t) => void (t.state.closed = true), /a closed pool keeps idle connections/]
  ]
  it("an entry in use may carry more than its capacity (an HTTP/2 peer lowered its limit): not a broken invariant", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    a.inFlight = 2
    expect(() => t.state.assertInvariants()).not.toThrow()
  })

  for (const [name, corrupt, message] of broken) {
    it(`assertInvariants: ${name}`, () => {
      // One connection in use and one idle, within the limits: a sound state.
      const t = harness({ maxPerHost: 2, maxIdle: 1 })
      const a = t.request(t.waiter("a"))!
      const b = t.request(t.waiter("b"))!
      t.connect(a)
      t.connect(b)
      t.state.release(b, true)
      expect(() => t.state.assertInvariants()).not.toThrow()
      corrupt(t)
      expect(() => t.state.assertInvariants()).toThrow(message)
    })
  }

  type Command =
    | { readonly _tag: "request"; readonly fresh: boolean; readonly limit: number; readonly capacity: number }
    | { readonly _tag: "dialDone"; readonly pick: number; readonly ok: boolean; readonly capacity: number }
    | { readonly _tag: "release"; readonly pick: number; readonly reusable: boolean }
    | { readonly _tag: "peerClose"; readonly pick: number }
    | { readonly _tag: "tick"; readonly ms: number; readonly pick: number }
    | { readonly _tag: "cancel"; readonly pick: number }
    | { readonly _tag: "drain"; readonly pick: number }
    | { readonly _tag: "prewarm"; readonly count: number }
    | { readonly _tag: "shutdown" }

  const pick = fc.nat(1000)
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 50, arbitrary: fc.record({ _tag: fc.constant("request" as const), fresh: fc.boolean(), limit: fc.integer({ min: 1, max: 4 }), capacity: fc.constantFrom(1, 1, 3) }) },
    { weight: 40, arbitrary: fc.record({ _tag: fc.constant("dialDone" as const), pick, ok: fc.boolean(), capacity: fc.constantFrom(1, 2, 3) }) },
    { weight: 50, arbitrary: fc.record({ _tag: fc.constant("release" as const), pick, reusable: fc.boolean() }) },
    { weight: 10, arbitrary: fc.record({ _tag: fc.constant("peerClose" as const), pick }) },
    { weight: 10, arbitrary: fc.record({ _tag: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 1500 }), pick }) },
    { weight: 10, arbitrary: fc.record({ _tag: fc.constant("cancel" as const), pick }) },
    { weight: 10, arbitrary: fc.record({ _tag: fc.constant("drain" as const), pick }) },
    { weight: 10, arbitrary: fc.record({ _tag: fc.constant("prewarm" as const), count: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 1, arbitrary: fc.constant({ _tag: "shutdown" as const }) }
  )

  it("random event sequences never break the invariants, and every request is accounted for", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), fc.integer({ min: 0, max: 3 }), (commands, maxIdle) => {
        const t = harness({ maxPerHost: 3, maxIdle, keepalive: 1000 })
        /** Dials someone must finish: a request's own (`owner`) or a background one. */
        const dials: Array<{ e: Entry<FakeConn>; owner: boolean }> = []
        /** One element per request in flight on a connection. */
        const held: Array<Entry<FakeConn>> = []
        const waiting: Array<Waiter> = []
        const seenGrants = new Set<Waiter>()
        const at = <A>(xs: Array<A>, i: number): A | undefined => (xs.length === 0 ? undefined : xs[i % xs.length])
        const take = (e: Entry<FakeConn>, owner: boolean) => (e.state === "dialing" ? dials.push({ e, owner }) : held.push(e))
        const settleGrants = () => {
          for (const [w, e] of t.granted) {
            if (seenGrants.has(w)) continue
            seenGrants.add(w)
            waiting.splice(waiting.indexOf(w), 1)
            take(e, true)
          }
          for (const e of t.background.splice(0)) dials.push({ e, owner: false })
        }
        let n = 0
        for (const c of commands) {
          switch (c._tag) {
            case "request": {
              if (t.state.closed) break
              const w = t.waiter(`r${n++}`, { fresh: c.fresh, limit: c.limit, capacity: c.capacity })
              const e = t.state.checkout(t.h(), w.fresh, w.limit, w.capacity)
              if (e !== undefined) take(e, true)
              else {
                waiting.push(w)
                t.state.wait(t.h(), w)
              }
              break
            }
            case "dialDone": {
              const d = at(dials, c.pick)
              if (d === undefined) break
              dials.splice(dials.indexOf(d), 1)
              if (c.ok) {
                t.connect(d.e, c.capacity)
                if (d.owner && d.e.state !== "closed") held.push(d.e)
              } else t.state.dialFailed(d.e)
              break
            }
            case "release": {
              const e = at(held, c.pick)
              if (e === undefined) break
              held.splice(held.indexOf(e), 1)
              t.state.release(e, c.reusable && e.conn!.open)
              break
            }
            case "peerClose": {
              const e = at(t.h().idle, c.pick)
              if (e === undefined) break
              e.conn!.open = false
              t.state.connectionClosed(e)
              break
            }
            case "tick": {
              t.clock.now += c.ms
              const e = at(t.h().idle, c.pick)
              if (e !== undefined) t.state.expire(e)
              break
            }
            case "cancel": {
              const w = at(waiting, c.pick)
              if (w === undefined) break
              waiting.splice(waiting.indexOf(w), 1)
              t.state.cancel(t.h(), w)
              break
            }
            case "drain": {
              const e = at(held, c.pick)
              if (e !== undefined) t.state.drain(e)
              break
            }
            case "prewarm":
              for (const e of t.state.prewarm(t.h(), c.count)) dials.push({ e, owner: false })
              break
            case "shutdown":
              t.state.shutdown()
              for (const w of t.rejected.splice(0)) waiting.splice(waiting.indexOf(w), 1)
              break
          }
          settleGrants()
          t.state.assertInvariants()
          // Every request in flight is counted on its connection, never above its capacity.
          for (const e of new Set(held)) {
            const mine = held.filter((x) => x === e).length
            if (e.state !== "closed") expect(e.inFlight).toBe(mine)
            expect(mine).toBeLessThanOrEqual(e.capacity)
          }
          // Nobody waits on a pool that has room for them (checked by the invariants) or that closed.
          if (t.state.closed) expect(waiting.filter((w) => !w.done)).toEqual([])
        }
      }),
      { numRuns: 300 }
    )
  })
})

describe("PoolState: takeIdleNow (the request path's idle fast path)", () => {
  it("hands out the idle connection checkout would (LIFO), and reserves nothing when there is none", () => {
    const t = harness({ maxPerHost: 2 })
    // no idle connection: nothing dialled, nothing counted, no limit recorded
    expect(t.state.takeIdleNow(t.h(), 2)).toBeUndefined()
    expect(t.h().active).toBe(0)
    expect(t.h().maxLimit).toBe(0)
    const a = t.request(t.waiter("a"))!
    const b = t.request(t.waiter("b"))!
    t.connect(a)
    t.connect(b)
    t.state.release(a, true)
    t.state.release(b, true)
    const e = t.state.takeIdleNow(t.h(), 2)!
    expect(e).toBe(b)
    expect(e.state).toBe("active")
    expect(t.state.stats()).toEqual({ inUse: 1, free: 1, queued: 0 })
  })

  it("takes nothing at the request's limit (as checkout), for a dead connection, or once the pool is closed", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    const b = t.request(t.waiter("b"))!
    t.connect(a)
    const bConn = t.connect(b)
    t.state.release(b, true)
    // one in use, one idle: a request limited to 1 connection may not take the idle one (as checkout)
    expect(t.state.takeIdleNow(t.h(), 1)).toBeUndefined()
    expect(t.state.checkout(t.h(), false, 1, 1)).toBeUndefined()
    // a dead idle connection is closed, not handed out
    bConn.open = false
    expect(t.state.takeIdleNow(t.h(), 2)).toBeUndefined()
    expect(t.log).toContain("close #2")
    // a request wanting a fresh connection dials (the released one is parked): an idle connection, but the
    // host at its limit of 1 with that dial, so nothing is taken
    const t2 = harness({ maxPerHost: 1 })
    const c = t2.request(t2.waiter("c"))!
    t2.connect(c)
    expect(t2.request(t2.waiter("fresh", { fresh: true }))).toBeUndefined()
    t2.state.release(c, true)
    expect(t2.log.slice(-2)).toEqual(["park #1", "grant fresh dial"])
    expect(t2.state.takeIdleNow(t2.h(), 1)).toBeUndefined()
    expect(t2.state.checkout(t2.h(), false, 1, 1)).toBeUndefined()
    // once closed, nothing
    t2.state.shutdown()
    expect(t2.state.takeIdleNow(t2.h(), 1)).toBeUndefined()
  })
})

describe("PoolState: edges pinned by mutation testing", () => {
  const key = "http://h:80"

  it("a host's name is kept in lower case (hostStats matches it so)", () => {
    const t = harness()
    expect(t.state.host("http://example.test:81", "Example.TEST", 81).host).toBe("example.test")
  })

  it("a waiter whose host record was dropped since its checkout waits on the live record (or brings its own back)", () => {
    // The record is dropped between checkout and wait: the waiter brings it back and dials at once.
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    const old = t.h()
    const b = t.waiter("b")
    expect(t.state.checkout(old, false, 1, 1)).toBeUndefined()
    t.state.release(a, false)
    expect(t.state.hosts.has(key)).toBe(false)
    expect(t.state.wait(old, b)).toBe(old)
    expect(t.state.hosts.get(key)).toBe(old)
    expect(t.granted.get(b)!.state).toBe("dialing")

    // A new record was made meanwhile (by another request, with a lower limit): the waiter queues there, with its own limit.
    const u = harness({ maxPerHost: 1 })
    const c = u.request(u.waiter("c"))!
    u.connect(c)
    const stale = u.h()
    const d = u.waiter("d", { limit: 3 })
    expect(u.state.checkout(stale, false, 1, 1)).toBeUndefined()
    u.state.release(c, false)
    const e = u.request(u.waiter("e"))!
    u.connect(e)
    const live = u.state.hosts.get(key)!
    expect(live).not.toBe(stale)
    expect(u.state.wait(stale, d)).toBe(live)
    expect(u.state.hosts.get(key)).toBe(live)
    // Its limit (3) lets it dial beside e.
    expect(u.granted.get(d)!.state).toBe("dialing")
    expect(live.maxLimit).toBe(3)

    // The pool closed meanwhile: the record is not brought back.
    const v = harness({ maxPerHost: 1 })
    const f = v.request(v.waiter("f"))!
    v.connect(f)
    const gone = v.h()
    v.state.release(f, false)
    v.state.shutdown()
    v.state.wait(gone, v.waiter("g"))
    expect(v.state.hosts.size).toBe(0)
  })

  it("each decision leaves the entry in its state: closed after a failed dial, past maxConnections, at shutdown", () => {
    const t = harness({ maxPerHost: 3, maxIdle: 0 })
    const a = t.request(t.waiter("a"))!
    t.state.dialFailed(a)
    expect(a.state).toBe("closed")
    const b = t.request(t.waiter("b"))!
    const conn = t.connect(b)
    t.state.release(b, true)
    expect(b.state).toBe("closed")
    expect(conn.open).toBe(false)
    expect(t.log).toContain("close #1")
    const u = harness({ maxPerHost: 3 })
    const [c, d] = [u.request(u.waiter("c"))!, u.request(u.waiter("d"))!]
    u.connect(c)
    u.connect(d)
    u.state.release(c, true)
    u.state.shutdown()
    expect([c.state, d.state]).toEqual(["closed", "closed"])
  })

  it("a release after shutdown (of an aborted connection) changes nothing", () => {
    const t = harness()
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.shutdown()
    const before = t.log.length
    t.state.release(a, true)
    t.state.release(a, false)
    expect(t.log.length).toBe(before)
    expect(a.inFlight).toBe(1)
  })

  it("drain: an idle connection closes at once, one in use drains, a dial or a closed one is left alone", () => {
    const t = harness({ maxPerHost: 3 })
    const [a, b, c] = [t.request(t.waiter("a"))!, t.request(t.waiter("b"))!, t.request(t.waiter("c"))!]
    t.connect(a)
    t.connect(b)
    t.state.release(a, true)
    t.state.drain(a)
    expect(a.state).toBe("closed")
    expect(t.log.slice(-2)).toEqual(["unpark #1", "close #1"])
    expect(t.state.stats().free).toBe(0)
    t.state.drain(b)
    expect(b.state).toBe("draining")
    t.state.drain(c)
    expect(c.state).toBe("dialing")
    t.state.drain(a)
    expect(a.state).toBe("closed")
    // The draining one is not handed out, and closes with its request.
    t.state.release(b, true)
    expect(b.state).toBe("closed")
  })

  it("a peer close: an idle connection leaves without a second close; one in use drains; a closed one is left alone", () => {
    const t = harness({ maxPerHost: 3 })
    const [a, b] = [t.request(t.waiter("a"))!, t.request(t.waiter("b"))!]
    t.connect(a)
    t.connect(b)
    t.state.release(a, true)
    t.log.length = 0
    t.state.connectionClosed(a)
    expect(t.log).toEqual(["unpark #1"])
    expect(a.state).toBe("closed")
    t.state.connectionClosed(a)
    expect(t.log).toEqual(["unpark #1"])
    t.state.connectionClosed(b)
    expect(b.state).toBe("draining")
    // Not handed out: the next request dials.
    expect(t.request(t.waiter("c"))!.state).toBe("dialing")
  })

  it("cancel marks the waiter done and removes exactly it from the queue", () => {
    const t = harness({ maxPerHost: 1 })
    t.connect(t.request(t.waiter("a"))!)
    const [b, c, d] = ["b", "c", "d"].map((n) => t.waiter(n))
    for (const w of [b, c, d]) t.request(w)
    t.state.cancel(t.h(), b)
    expect(b.done).toBe(true)
    expect(t.h().waiters).toEqual([c, d])
    // A waiter not (or no longer) queued: the queue is unchanged.
    t.state.cancel(t.h(), b)
    expect(t.h().waiters).toEqual([c, d])
  })

  it("a cancelled waiter attached second to a dial frees its own place", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    const [b, c] = [t.waiter("b", { capacity: 3 }), t.waiter("c", { capacity: 3 })]
    t.request(b)
    t.request(c)
    expect(a.attached).toEqual([b, c])
    t.state.cancel(t.h(), c)
    expect(a.attached).toEqual([b])
    expect(a.inFlight).toBe(2)
  })

  it("prewarm counts the dials already under way", () => {
    const t = harness({ maxPerHost: 10 })
    expect(t.state.prewarm(t.h(), 2).length).toBe(2)
    expect(t.state.prewarm(t.h(), 3).length).toBe(1)
  })

  it("shutdown rejects the waiters attached to a dial and marks every waiter done", () => {
    const t = harness({ maxPerHost: 1 })
    t.request(t.waiter("a", { capacity: 3 }))
    const [b, c] = [t.waiter("b", { capacity: 3 }), t.waiter("c", { capacity: 3 })]
    t.request(b)
    t.request(c)
    const u = harness({ maxPerHost: 1 })
    u.connect(u.request(u.waiter("x"))!)
    const q = u.waiter("q")
    u.request(q)
    t.state.shutdown()
    u.state.shutdown()
    expect(t.rejected).toEqual([b, c])
    expect([b.done, c.done, q.done]).toEqual([true, true, true])
  })

  it("stats count an in-use multiplexed connection with room, which has no attached waiters", () => {
    const t = harness({ maxPerHost: 1 })
    t.connect(t.request(t.waiter("a", { capacity: 3 }))!, 3)
    expect(t.state.stats()).toEqual({ inUse: 1, free: 0, queued: 0 })
  })

  it("a fresh request does not share a multiplexed connection with room: it dials", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    const f = t.request(t.waiter("f", { fresh: true }))!
    expect(f).not.toBe(a)
    expect(f.state).toBe("dialing")
  })

  it("a full dial in progress is passed over: the next request dials its own", () => {
    const t = harness({ maxPerHost: 3 })
    // The host's last session carried 2: a multiplexed dial expects 2.
    t.h().capacityHint = 2
    const a = t.request(t.waiter("a", { capacity: 2 }))!
    const b = t.waiter("b", { capacity: 2 })
    t.request(b)
    expect(a.inFlight).toBe(2)
    const c = t.request(t.waiter("c", { capacity: 2 }))!
    expect(c).not.toBe(a)
    expect(c.state).toBe("dialing")
    expect(a.inFlight).toBe(2)
  })

  it("a multiplexed connection shares its room at once, stays shareable until full, and again after a release", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    expect(t.state.checkout(t.h(), false, 1, 1)).toBe(a)
    expect(t.state.checkout(t.h(), false, 1, 1)).toBe(a)
    expect(a.inFlight).toBe(3)
    expect(t.state.checkout(t.h(), false, 1, 1)).toBeUndefined()
    t.state.release(a, true)
    expect(t.state.checkout(t.h(), false, 1, 1)).toBe(a)
  })

  it("an idle multiplexed connection taken by one request is shared by the next", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.state.release(a, true)
    expect(a.state).toBe("idle")
    expect(t.request(t.waiter("b"))).toBe(a)
    expect(t.request(t.waiter("c"))).toBe(a)
    expect(a.inFlight).toBe(2)
  })

  it("another connection leaving the pool does not take a multiplexed one off the shared list", () => {
    const t = harness({ maxPerHost: 3 })
    const m = t.request(t.waiter("m", { capacity: 3 }))!
    t.connect(m, 3)
    const h1 = t.request(t.waiter("h1", { fresh: true }))!
    t.connect(h1)
    t.state.release(h1, false)
    expect(t.request(t.waiter("b"))).toBe(m)
  })

  it("a multiplexed connection released as not reusable while others run on it drains, and closes with the last", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.request(t.waiter("b"))
    t.state.release(a, false)
    expect(a.state).toBe("draining")
    expect(t.log).not.toContain("close #1")
    t.state.release(a, true)
    expect(a.state).toBe("closed")
    expect(t.log).toContain("close #1")
  })

  it("a warm host refills only below its target, counting dials under way, and never past maxPerHost", () => {
    // Three idle, kept warm at two: taking one leaves two (no refill); taking another leaves one (refill).
    const t = harness({ maxPerHost: 10 })
    for (const e of t.state.prewarm(t.h(), 3)) t.connect(e)
    t.state.prewarm(t.h(), 2)
    const a = t.request(t.waiter("a"))!
    expect(t.background.length).toBe(0)
    t.request(t.waiter("b"))
    expect(t.background.length).toBe(1)
    // One idle plus one refilling is the target: giving a back and taking it again dials nothing more.
    t.state.release(a, true)
    t.request(t.waiter("c"))
    expect(t.background.length).toBe(1)
    // maxPerHost 1: the one connection is in use, no refill.
    const u = harness({ maxPerHost: 1 })
    for (const e of u.state.prewarm(u.h(), 1)) u.connect(e)
    u.request(u.waiter("x"))
    expect(u.background.length).toBe(0)
  })

  it("a host record is kept while it has an idle connection or is warm", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.release(a, true)
    t.state.cancel(t.h(), t.waiter("nobody"))
    expect(t.state.hosts.has(key)).toBe(true)
    expect(t.request(t.waiter("b"))).toBe(a)
    const u = harness({ maxPerHost: 2 })
    const [d] = u.state.prewarm(u.h(), 1)
    u.state.dialFailed(d)
    expect(u.state.hosts.get(key)?.warm).toBe(1)
  })
})

describe("PoolState: HTTP/2 resize, capacity hints and draining (pinned by mutation testing)", () => {
  it("takeIdleNow takes nothing while a waiter is queued: the queue comes first (as checkout)", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    const b = t.request(t.waiter("b"))!
    t.connect(a)
    t.connect(b)
    t.state.release(b, true)
    // A fresh request limited to 1 connection waits (a is in use), beside the idle b.
    expect(t.request(t.waiter("f", { fresh: true, limit: 1 }))).toBeUndefined()
    expect(t.state.takeIdleNow(t.h(), 2)).toBeUndefined()
    expect(t.state.checkout(t.h(), false, 2, 1)).toBeUndefined()
    expect(b.state).toBe("idle")
  })

  it("takeIdleNow takes nothing while a multiplexed connection has room: checkout would share it", () => {
    const t = harness({ maxPerHost: 3 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    const b = t.request(t.waiter("b", { fresh: true }))!
    t.connect(b)
    t.state.release(b, true)
    expect(t.state.takeIdleNow(t.h(), 3)).toBeUndefined()
    expect(b.state).toBe("idle")
    expect(t.state.checkout(t.h(), false, 3, 1)).toBe(a)
  })

  it("an HTTP/1.1 dial (one request expected, one carried) leaves the host's capacity hint; a dial expected to carry one that turned out multiplexed sets it", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a"))!
    t.connect(a, 1)
    expect(t.h().capacityHint).toBe(100)
    const b = t.request(t.waiter("b"))!
    t.connect(b, 7)
    expect(t.h().capacityHint).toBe(7)
  })

  it("resize of a connection that is not live (dialing, draining) changes neither it nor the host's hint", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.state.resize(a, 9)
    expect(a.state).toBe("dialing")
    expect(t.h().capacityHint).toBe(100)
    t.connect(a, 3)
    t.request(t.waiter("b"))
    t.state.drain(a)
    t.state.resize(a, 9)
    expect(a.capacity).toBe(3)
    expect(t.h().capacityHint).toBe(3)
    expect(t.request(t.waiter("c"))!.state).toBe("dialing")
  })

  it("resize of an idle session updates its capacity and the hint, and keeps it idle (off the shared list)", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.state.release(a, true)
    t.state.resize(a, 5)
    expect(a.state).toBe("idle")
    expect(a.capacity).toBe(5)
    expect(t.h().capacityHint).toBe(5)
    expect(t.h().spare).toEqual([])
  })

  it("resize raising a connection already listed with room lists it once: a GOAWAY then takes it off the list", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.state.resize(a, 4)
    t.state.resize(a, 6)
    expect(t.h().spare).toEqual([a])
    t.state.drain(a)
    expect(t.h().spare).toEqual([])
    expect(t.request(t.waiter("b"))).toBeUndefined()
  })

  it("a connection closed again after it left the pool stays closed", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    t.state.release(a, false)
    expect(a.state).toBe("closed")
    t.state.connectionClosed(a)
    expect(a.state).toBe("closed")
    expect(t.request(t.waiter("b"))!.state).toBe("dialing")
  })

  it("queued waiters that join a dial from the queue are granted when it completes, not before", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a"))!
    t.connect(a)
    const b = t.waiter("b", { capacity: 2 })
    const c = t.waiter("c", { capacity: 2 })
    expect(t.request(b)).toBeUndefined()
    expect(t.request(c)).toBeUndefined()
    t.state.release(a, false)
    expect(t.log.slice(-2)).toEqual(["close #1", "grant b dial"])
    expect(t.granted.has(c)).toBe(false)
    t.connect(t.granted.get(b)!, 2)
    expect(t.log.at(-1)).toBe("grant c #2")
  })

  it("a cancelled waiter in the middle of the queue leaves it at once", () => {
    const t = harness({ maxPerHost: 1 })
    t.request(t.waiter("a"))
    const b = t.waiter("b")
    const c = t.waiter("c")
    const d = t.waiter("d")
    for (const w of [b, c, d]) t.request(w)
    expect(t.state.stats().queued).toBe(3)
    t.state.cancel(t.h(), c)
    expect(t.state.stats().queued).toBe(2)
    expect(t.h().waiters).toEqual([b, d])
  })

  it("shutdown rejects the waiters attached to a dial in progress that is full", () => {
    const t = harness({ maxPerHost: 1 })
    t.h().capacityHint = 2
    const a = t.request(t.waiter("a", { capacity: 2 }))!
    const b = t.waiter("b", { capacity: 2 })
    t.request(b)
    expect(a.inFlight).toBe(2)
    t.state.shutdown()
    expect(t.rejected).toEqual([b])
  })

  it("takeIdleNow with a higher limit than any before records it (invariant 3 bounds the host by it)", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { limit: 2 }))!
    t.request(t.waiter("b", { limit: 2 }))
    t.connect(a)
    t.state.release(a, true)
    t.request(t.waiter("c", { fresh: true, limit: 2 }))
    expect(t.h().active).toBe(2)
    // The invariants are asserted after the event: 3 in use is within the limit 3 this request used.
    expect(t.state.takeIdleNow(t.h(), 3)).toBe(a)
    expect(t.h().active).toBe(3)
  })

  it("a waiter with a lower limit than those before does not lower the host's recorded highest limit", () => {
    const t = harness({ maxPerHost: 1 })
    for (const name of ["a", "b", "c"]) t.request(t.waiter(name, { limit: 3 }))
    expect(t.h().active).toBe(3)
    expect(t.request(t.waiter("d", { limit: 1 }))).toBeUndefined()
    expect(t.h().maxLimit).toBe(3)
  })

  it("shutdown aborts a multiplexed connection in use with room (no waiter attached to it)", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.state.shutdown()
    expect(t.log.at(-1)).toBe("abort #1")
    expect(a.state).toBe("closed")
  })

  it("a waiter that comes after shutdown (the pool closed between its checkout and its wait) is rejected, not queued forever", () => {
    const t = harness({ maxPerHost: 1 })
    t.request(t.waiter("a"))
    const h = t.h()
    const b = t.waiter("b")
    expect(t.state.checkout(h, false, 1, 1)).toBeUndefined()
    t.state.shutdown()
    t.state.wait(h, b)
    expect(t.rejected).toEqual([b])
    expect(b.done).toBe(true)
    expect(h.waiters).toEqual([])
  })
})

describe("PoolState: a multiplexed session at capacity 0 (HTTP/2 health in doubt)", () => {
  it("resize to 0: no new request is given it, a release does not hand it to a waiter, and the host's hint is kept", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    t.request(t.waiter("b"))
    t.state.resize(a, 0)
    expect(t.h().capacityHint).toBe(3)
    expect(t.h().spare).toEqual([])
    // The next request dials instead of sharing a.
    const c = t.request(t.waiter("c"))!
    expect(c.state).toBe("dialing")
    t.connect(c, 3)
    // c has room: d shares it, never a.
    expect(t.request(t.waiter("d"))).toBe(c)
  })

  it("a released session at capacity 0 is not handed to the oldest waiter: it is parked, then closed when wanted, and the waiter dials", () => {
    const t = harness({ maxPerHost: 1 })
    const a = t.request(t.waiter("a", { capacity: 1 }))!
    t.connect(a, 1)
    const w = t.waiter("w")
    expect(t.request(w)).toBeUndefined()
    t.state.resize(a, 0)
    t.state.release(a, true)
    expect(t.log.slice(-4)).toEqual(["park #1", "unpark #1", "close #1", "grant w dial"])
    expect(a.state).toBe("closed")
  })

  it("an idle session at capacity 0 is closed instead of handed out; back to a positive capacity it is handed out again", () => {
    const t = harness({ maxPerHost: 2 })
    const a = t.request(t.waiter("a", { capacity: 3 }))!
    t.connect(a, 3)
    const b = t.request(t.waiter("b", { fresh: true, capacity: 3 }))!
    t.connect(b, 3)
    t.state.release(a, true)
    t.state.release(b, true)
    // b, parked last, is taken first (LIFO): at capacity 0 it is closed, and a is taken.
    t.state.resize(b, 0)
    expect(t.state.takeIdleNow(t.h(), 2)).toBe(a)
    expect(b.state).toBe("closed")
    expect(t.log).toContain("close #2")
    t.state.release(a, true)
    t.state.resize(a, 0)
    t.state.resize(a, 3)
    expect(t.state.takeIdleNow(t.h(), 2)).toBe(a)
    expect(t.h().capacityHint).toBe(3)
  })
})
