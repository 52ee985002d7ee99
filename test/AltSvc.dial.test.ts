/**
 * The pool's dial with Alt-Svc discovery (pool/altSvcDial.ts), with fake TCP and QUIC dials on the
 * TestClock: which dial runs, the race, the negative cache, what the connections record.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { ConnectError } from "../src/HackneyError.js"
import type { HackneyError } from "../src/HackneyError.js"
import type { Connection, ResponseHead } from "../src/internal/connection/connection.js"
import { quicLoaded } from "../src/internal/node/quic.js"
import { AltSvcCache, baseBackoffMillis, originKey } from "../src/internal/pool/altSvcCache.js"
import { alternativeSpec, offersH3, withAltSvc } from "../src/internal/pool/altSvcDial.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"
import type { Dial } from "../src/internal/pool/pool.js"

const spec = (protocols: ReadonlyArray<string> = ["h2", "http/1.1", "h3"]): DialSpec => ({
  key: "k",
  transport: "tls",
  host: "example.test",
  port: 8443,
  connectTimeout: 8000,
  recvTimeout: 5000,
  tls: { ca: "CA" },
  protocols
})
const origin = originKey("example.test", 8443)

interface FakeConn {
  readonly protocol: "h2" | "h3"
  closed: boolean
  retired: number
  headObserver: ((head: ResponseHead) => void) | undefined
  close(): void
  retire?: () => void
}
const conn = (protocol: "h2" | "h3"): FakeConn => {
  const c: FakeConn = {
    protocol,
    closed: false,
    retired: 0,
    headObserver: undefined,
    close() {
      c.closed = true
    }
  }
  // As the drivers: TCP connections can be retired, HTTP/3 ones are not.
  if (protocol === "h2") c.retire = () => void c.retired++
  return c
}
const altSvcHead = (value: string): ResponseHead => ({ status: 200, reason: "", rawHeaders: ["alt-svc", value] })

/** A fake dial: after `ms` on the Clock, a connection of `protocol`, or a ConnectError; records its specs and results. */
const fakeDial = (protocol: "h2" | "h3", ms: number, fail = false, stubborn = false) => {
  const d = {
    specs: [] as Array<DialSpec>,
    made: [] as Array<FakeConn>,
    dial: ((s) =>
      Effect.uninterruptible(Effect.gen(function*() {
        d.specs.push(s)
        // A stubborn dial cannot be stopped: it completes even after losing the race.
        yield* (stubborn ? Effect.sleep(ms) : Effect.interruptible(Effect.sleep(ms)))
        if (fail) return yield* Effect.fail<HackneyError>(new ConnectError({ reason: "refused", host: s.host, port: s.port }))
        const c = conn(protocol)
        d.made.push(c)
        return c as unknown as Connection
      }))) as Dial<Connection>
  }
  return d
}

/** One real macrotask: the dial's wait for the (loaded) QUIC library resolves, its timers are scheduled. */
const settle = Effect.promise(() => new Promise<void>((r) => setImmediate(r)))

const run = (dial: Dial<Connection>, s: DialSpec, ms: number) =>
  Effect.gen(function*() {
    expect(yield* quicLoaded).toBe(true)
    const fiber = yield* Effect.fork(Effect.uninterruptible(dial(s, { checkoutTimeout: undefined })))
    yield* settle
    yield* TestClock.adjust(ms)
    return (yield* Fiber.join(fiber)) as unknown as FakeConn
  })

describe("withAltSvc (the pool's dial with HTTP/3 discovery)", () => {
  it("discovers only for https, no proxy, h3 listed beside a TCP protocol (h3 alone is forced, elsewhere)", () => {
    expect(offersH3(spec())).toBe(true)
    expect(offersH3(spec(["h3", "h2"]))).toBe(true)
    expect(offersH3(spec(["h3"]))).toBe(false)
    expect(offersH3(spec(["h2"]))).toBe(false)
    expect(offersH3({ ...spec(), transport: "tcp" })).toBe(false)
  })

  it("an alternative is dialled at its host and port, verified for the origin's name", () => {
    const alt = { protocol: "h3", host: "alt.test", port: 443, expires: 1 }
    expect(alternativeSpec(spec(), alt)).toMatchObject({ host: "alt.test", port: 443, tls: { ca: "CA", servername: "example.test" } })
    expect(alternativeSpec({ ...spec(), tls: { servername: "name.test" } }, alt).tls).toEqual({ servername: "name.test" })
    const { tls: _none, ...noTls } = spec()
    expect(alternativeSpec(noTls, alt).tls).toEqual({ servername: "example.test" })
  })

  it.effect("without a cached alternative: TCP only, and the connection records Alt-Svc", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 10)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(), 10)
      expect(c.protocol).toBe("h2")
      expect(quic.specs).toEqual([])
      c.headObserver!({ status: 200, reason: "", rawHeaders: ["content-type", "text/plain"] })
      expect(c.retired).toBe(0)
      c.headObserver!(altSvcHead(`h3=":9443"; ma=100`))
      expect(cache.lookup(origin)).toMatchObject({ host: "example.test", port: 9443 })
      // The origin now has an alternative: the TCP connection takes no new request, so the next one dials (and races).
      expect(c.retired).toBe(1)
    }))

  it.effect("a TCP connection is not retired while the alternative backs off, nor for an Alt-Svc without h3", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const dial = withAltSvc(cache, fakeDial("h2", 10).dial, fakeDial("h3", 20, true).dial)
      const c = yield* run(dial, spec(), 30)
      expect(c.protocol).toBe("h2")
      c.headObserver!(altSvcHead(`h3=":9443"`))
      c.headObserver!(altSvcHead(`h2=":9443"`))
      expect(c.retired).toBe(0)
    }))

  it.effect("an HTTP/3 connection records Alt-Svc (clear) and is never retired", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const c = yield* run(withAltSvc(cache, fakeDial("h2", 10).dial, fakeDial("h3", 5).dial), spec(), 10)
      expect(c.protocol).toBe("h3")
      expect(c.retire).toBeUndefined()
      c.headObserver!(altSvcHead("clear"))
      expect(cache.lookup(origin)).toBeUndefined()
    }))

  it.effect("an HTTP/3 connection (no retire) seeing an h3 Alt-Svc records it and is left as it is", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const c = yield* run(withAltSvc(cache, fakeDial("h2", 10).dial, fakeDial("h3", 5).dial), spec(), 10)
      expect(c.protocol).toBe("h3")
      c.headObserver!(altSvcHead(`h3=":9444"`))
      expect(cache.lookup(origin)?.port).toBe(9444)
      expect(c.closed).toBe(false)
    }))

  it.effect("a dial that completes after the other won (it could not be stopped) is closed", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const tcp = fakeDial("h2", 10, false, true)
      const quic = fakeDial("h3", 320, false, true)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(), 320)
      const made = [...tcp.made, ...quic.made]
      expect(made.length).toBe(2)
      expect(made.filter((m) => m.closed)).toEqual(made.filter((m) => m !== c))
      expect(c.closed).toBe(false)
    }))

  it.effect("a spec that does not discover gets the plain dial: no observer", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 10)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(["h2", "http/1.1"]), 10)
      expect(c.headObserver).toBeUndefined()
      expect(quic.specs).toEqual([])
    }))

  it.effect("with a fresh alternative: QUIC to it wins within the head start; TCP never starts", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 50)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(), 1000)
      expect(c.protocol).toBe("h3")
      expect(c.headObserver).toBeDefined()
      expect(quic.specs[0]).toMatchObject({ host: "example.test", port: 9443, tls: { servername: "example.test" } })
      expect(tcp.specs).toEqual([])
    }))

  it.effect("QUIC failing falls back to TCP at once and backs the alternative off: the next dials skip it until the backoff ends", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"; ma=86400`)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 20, true)
      const dial = withAltSvc(cache, tcp.dial, quic.dial)
      const c = yield* run(dial, spec(), 30)
      expect(c.protocol).toBe("h2")
      expect(cache.lookup(origin)).toBeUndefined()
      expect(cache.failures(origin, { protocol: "h3", host: "example.test", port: 9443, expires: 0 })).toBe(1)
      yield* run(dial, spec(), 10)
      expect(quic.specs.length).toBe(1)
      yield* TestClock.adjust(baseBackoffMillis)
      yield* run(dial, spec(), 40)
      expect(quic.specs.length).toBe(2)
    }))

  it.effect("UDP blocked (QUIC never answers): TCP after the head start wins, QUIC is stopped, the alternative backs off", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 1_000_000)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(), 310)
      expect(c.protocol).toBe("h2")
      expect(tcp.specs.length).toBe(1)
      expect(cache.lookup(origin)).toBeUndefined()
      yield* TestClock.adjust(1_000_000)
      expect(quic.made).toEqual([])
    }))

  it.effect("h3 preferred ([h3, h2, http/1.1]) without an announced alternative: QUIC to the origin itself races TCP from the first dial", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 50)
      const c = yield* run(withAltSvc(cache, tcp.dial, quic.dial), spec(["h3", "h2", "http/1.1"]), 1000)
      expect(c.protocol).toBe("h3")
      expect(quic.specs[0]).toMatchObject({ host: "example.test", port: 8443, tls: { servername: "example.test" } })
      expect(tcp.specs).toEqual([])
    }))

  it.effect("h3 preferred, UDP blocked: TCP after the head start; the origin's own h3 backs off, so the next dial goes straight to TCP", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      const tcp = fakeDial("h2", 10)
      const quic = fakeDial("h3", 1_000_000)
      const dial = withAltSvc(cache, tcp.dial, quic.dial)
      const preferred = spec(["h3", "h2", "http/1.1"])
      const c = yield* run(dial, preferred, 310)
      expect(c.protocol).toBe("h2")
      expect(quic.specs.length).toBe(1)
      expect(cache.failures(origin, { protocol: "h3", host: "example.test", port: 8443, expires: 0 })).toBe(1)
      const d = yield* run(dial, preferred, 10)
      expect(d.protocol).toBe("h2")
      expect(quic.specs.length).toBe(1)
      // An announced alternative is still tried while the origin's own port backs off.
      cache.record(origin, "example.test", `h3=":9443"`)
      yield* run(dial, preferred, 1_000_000)
      expect(quic.specs.map((s) => s.port)).toEqual([8443, 9443])
    }))

  it.effect("both failing fails with TCP's error", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.test", `h3=":9443"`)
      const dial = withAltSvc(cache, fakeDial("h2", 10, true).dial, fakeDial("h3", 10, true).dial)
      const fiber = yield* Effect.fork(Effect.uninterruptible(dial(spec(), { checkoutTimeout: undefined })))
      yield* settle
      yield* TestClock.adjust(100)
      const e = yield* Effect.flip(Fiber.join(fiber))
      expect(e).toMatchObject({ _tag: "ConnectError", port: 8443 })
    }))
})
