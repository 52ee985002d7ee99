import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fc from "effect/FastCheck"
import { altSvcField, defaultMaxAge, parseAltSvc } from "../src/internal/http3/altSvc.js"
import type { AltService } from "../src/internal/http3/altSvc.js"
import { AltSvcCache, altSvcRecorder, baseBackoffMillis, maxBackoffMillis, originKey } from "../src/internal/pool/altSvcCache.js"

const alts = (value: string): ReadonlyArray<AltService> | "clear" | undefined => {
  const p = parseAltSvc(value)
  return p === undefined ? undefined : p._tag === "Clear" ? "clear" : p.alternatives
}
const alt = (protocol: string, port: number, rest: Partial<AltService> = {}): AltService => ({
  protocol,
  host: undefined,
  port,
  maxAge: defaultMaxAge,
  persist: false,
  ...rest
})

describe("Alt-Svc parser (RFC 7838 §3)", () => {
  it("reads h3 with ma, several alternatives, and h3 drafts", () => {
    expect(alts(`h3=":443"; ma=3600, h3-29=":8443"; ma=60`)).toEqual([
      alt("h3", 443, { maxAge: 3600 }),
      alt("h3-29", 8443, { maxAge: 60 })
    ])
  })

  it("defaults ma to 24 hours and reads persist=1 (other persist values ignored)", () => {
    expect(alts(`h3=":443"; persist=1`)).toEqual([alt("h3", 443, { persist: true })])
    expect(alts(`h3=":443"; persist=2`)).toEqual([alt("h3", 443)])
  })

  it("reads an alt-authority with a host, an IPv6 literal and quoted-pairs; lower-cases the host", () => {
    expect(alts(`h3="Alt.Example.com:443"`)).toEqual([alt("h3", 443, { host: "alt.example.com" })])
    expect(alts(`h3="[::1]:4433"`)).toEqual([alt("h3", 4433, { host: "::1" })])
    expect(alts(`h3=":4\\43"`)).toEqual([alt("h3", 443)])
  })

  it("percent-decodes the protocol-id", () => {
    expect(alts(`w%3Dx%3Ay=":80"`)).toEqual([alt("w=x:y", 80)])
    expect(alts(`h3%=":80"`)).toBeUndefined()
  })

  it("reads clear (alone, with OWS) and refuses clear inside a list", () => {
    expect(alts("clear")).toBe("clear")
    expect(alts("  clear \t")).toBe("clear")
    expect(alts(`clear, h3=":443"`)).toEqual([alt("h3", 443)])
    expect(alts("Clear")).toBeUndefined()
  })

  it("ignores unknown parameters, quoted parameter values, and the first ma wins", () => {
    expect(alts(`h3=":443"; foo=bar; ma="120"; ma=5`)).toEqual([alt("h3", 443, { maxAge: 120 })])
  })

  it("caps ma at 2^31 - 1 seconds", () => {
    expect(alts(`h3=":443"; ma=99999999999999999999`)).toEqual([alt("h3", 443, { maxAge: 2_147_483_647 })])
  })

  it("skips a malformed alt-value and keeps the valid ones", () => {
    expect(alts(`h3=443, h3=":444"`)).toEqual([alt("h3", 444)])
    expect(alts(`h3=":443"; ma=-1, h3=":444"`)).toEqual([alt("h3", 444)])
    expect(alts(`h3=":0", h3=":65536", h3=":x", h3="a", h3=":443"`)).toEqual([alt("h3", 443)])
    expect(alts(`h3="[::1:443", h3="u@h:443", h3=":445"`)).toEqual([alt("h3", 445)])
    expect(alts(`h3=":443" junk, h3=":446"`)).toEqual([alt("h3", 446)])
    // A comma inside a quoted-string does not end the alt-value that failed.
    expect(alts(`h3=":4,4"; x="a,b", h3=":447"`)).toEqual([alt("h3", 447)])
    expect(alts(`, ,h3=":448",`)).toEqual([alt("h3", 448)])
  })

  it("ignores a field with nothing valid", () => {
    for (const v of ["", " ", "h3", `h3=":443`, "=", `"h3"=":443"`, ";", `h3=":443";`]) expect(alts(v)).toBeUndefined()
  })

  it("joins several Alt-Svc lines of raw headers as one list", () => {
    expect(altSvcField(["Content-Type", "text/plain", "alt-svc", `h3=":1"`, "ALT-SVC", `h3=":2"`])).toBe(`h3=":1", h3=":2"`)
    expect(altSvcField(["Content-Type", "text/plain"])).toBeUndefined()
  })

  it("never throws on arbitrary input (fuzz), and what it returns is well-formed", () => {
    const piece = fc.constantFrom(`h3`, `=`, `"`, `:`, `443`, `;`, ` `, `,`, `ma`, `\\`, `[`, `]`, `%`, `clear`, `persist=1`, `"::1"`)
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(piece, { maxLength: 20 }).map((xs) => xs.join(""))), (s) => {
        const p = parseAltSvc(s)
        if (p?._tag === "Alternatives") {
          expect(p.alternatives.length).toBeGreaterThan(0)
          for (const a of p.alternatives) {
            expect(a.port).toBeGreaterThanOrEqual(1)
            expect(a.port).toBeLessThanOrEqual(65535)
            expect(a.maxAge).toBeGreaterThanOrEqual(0)
            expect(a.protocol.length).toBeGreaterThan(0)
          }
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("reads back what a well-formed field says (property)", () => {
    const arbAlt = fc.record({
      protocol: fc.constantFrom("h3", "h2", "h3-29"),
      host: fc.option(fc.constantFrom("a.example", "10.0.0.1", "::1"), { nil: undefined }),
      port: fc.integer({ min: 1, max: 65535 }),
      maxAge: fc.integer({ min: 0, max: 1_000_000 }),
      persist: fc.boolean()
    })
    fc.assert(
      fc.property(fc.array(arbAlt, { minLength: 1, maxLength: 4 }), fc.constantFrom(",", " , ", ",\t"), (as, sep) => {
        const text = as.map((a) => {
          const host = a.host === undefined ? "" : a.host.includes(":") ? `[${a.host}]` : a.host
          return `${a.protocol}="${host}:${a.port}"; ma=${a.maxAge}${a.persist ? "; persist=1" : ""}`
        }).join(sep)
        expect(alts(text)).toEqual(as)
      })
    )
  })
})

describe("AltSvcCache", () => {
  const origin = originKey("Example.COM", 443)

  it.effect("keeps an origin's h3 alternative for its ma, on the Clock", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.com", `h2=":444", h3=":4433"; ma=60`)
      expect(cache.lookup(origin)).toMatchObject({ protocol: "h3", host: "example.com", port: 4433 })
      yield* TestClock.adjust("59 seconds")
      expect(cache.lookup(origin)?.port).toBe(4433)
      yield* TestClock.adjust("1 seconds")
      expect(cache.lookup(origin)).toBeUndefined()
      expect(cache.size).toBe(0)
    }))

  it.effect("an entry without ma lasts 24 hours", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.com", `h3=":443"`)
      yield* TestClock.adjust("23 hours")
      expect(cache.lookup(origin)?.port).toBe(443)
      yield* TestClock.adjust("1 hours")
      expect(cache.lookup(origin)).toBeUndefined()
    }))

  it.effect("a new field replaces the origin's alternatives, clear forgets them, an invalid one changes nothing", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.com", `h3=":1"`)
      cache.record(origin, "example.com", `h3="alt.example.com:2"`)
      expect(cache.lookup(origin)).toMatchObject({ host: "alt.example.com", port: 2 })
      cache.record(origin, "example.com", `garbage`)
      expect(cache.lookup(origin)?.port).toBe(2)
      cache.record(origin, "example.com", `h2=":443"`)
      expect(cache.lookup(origin)).toBeUndefined()
      cache.record(origin, "example.com", `h3=":3"`)
      cache.record(origin, "example.com", `clear`)
      expect(cache.lookup(origin)).toBeUndefined()
      cache.record(origin, "example.com", `h3=":4"; ma=0`)
      expect(cache.lookup(origin)).toBeUndefined()
    }))

  it.effect("a failed alternative backs off 5 min, doubling up to 48 h; the next fresh one is used meanwhile; success resets", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.com", `h3=":1"; ma=9999999, h3=":2"; ma=9999999`)
      const first = cache.lookup(origin)!
      expect(first.port).toBe(1)
      cache.failed(origin, first)
      expect(cache.lookup(origin)?.port).toBe(2)
      yield* TestClock.adjust(baseBackoffMillis - 1)
      expect(cache.lookup(origin)?.port).toBe(2)
      yield* TestClock.adjust(1)
      expect(cache.lookup(origin)?.port).toBe(1)
      cache.failed(origin, first)
      yield* TestClock.adjust(2 * baseBackoffMillis - 1)
      expect(cache.lookup(origin)?.port).toBe(2)
      yield* TestClock.adjust(1)
      expect(cache.lookup(origin)?.port).toBe(1)
      // A fresh Alt-Svc does not reset the backoff.
      cache.failed(origin, first)
      cache.record(origin, "example.com", `h3=":1"; ma=9999999`)
      expect(cache.lookup(origin)).toBeUndefined()
      for (let i = 0; i < 20; i++) cache.failed(origin, first)
      expect(cache.failures(origin, first)).toBe(23)
      yield* TestClock.adjust(maxBackoffMillis - 1)
      expect(cache.lookup(origin)).toBeUndefined()
      yield* TestClock.adjust(1)
      expect(cache.lookup(origin)?.port).toBe(1)
      cache.succeeded(origin, first)
      expect(cache.failures(origin, first)).toBe(0)
    }))

  it.effect("is bounded: the least recently used origin goes first", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock, 2)
      cache.record("a:443", "a", `h3=":1"`)
      cache.record("b:443", "b", `h3=":1"`)
      expect(cache.lookup("a:443")).toBeDefined() // a is now the most recently used
      cache.record("c:443", "c", `h3=":1"`)
      expect(cache.size).toBe(2)
      expect(cache.lookup("b:443")).toBeUndefined()
      expect(cache.lookup("a:443")).toBeDefined()
      expect(cache.lookup("c:443")).toBeDefined()
    }))

  it.effect("a field that leaves no usable h3 alternative (ma=0, h2 only) keeps no entry for the origin", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      cache.record(origin, "example.com", `h3=":4"; ma=0`)
      expect(cache.size).toBe(0)
      cache.record(origin, "example.com", `h3=":4"`)
      expect(cache.size).toBe(1)
      cache.record(origin, "example.com", `h2=":443"`)
      expect(cache.size).toBe(0)
      expect(cache.toJSON()).toEqual({ origins: [], broken: [] })
    }))

  it.effect("backingOff: from a failure until its backoff ends (exclusive), not after a success; toJSON lists origins and broken ones", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      const a = { protocol: "h3", host: "example.com", port: 443, expires: Infinity }
      expect(cache.backingOff(origin, a)).toBe(false)
      cache.failed(origin, a)
      expect(cache.backingOff(origin, a)).toBe(true)
      yield* TestClock.adjust(baseBackoffMillis - 1)
      expect(cache.backingOff(origin, a)).toBe(true)
      cache.record(origin, "example.com", `h3=":443"`)
      expect(cache.toJSON()).toEqual({ origins: [origin], broken: [`${origin} h3 example.com:443`] })
      yield* TestClock.adjust(1)
      expect(cache.backingOff(origin, a)).toBe(false)
      cache.failed(origin, a)
      cache.succeeded(origin, a)
      expect(cache.backingOff(origin, a)).toBe(false)
    }))

  it.effect("altSvcRecorder: records each head's Alt-Svc; calls usable only when the origin then has an alternative to use", () =>
    Effect.gen(function*() {
      const cache = new AltSvcCache(yield* Effect.clock)
      let usable = 0
      const observe = altSvcRecorder(cache, "Example.COM", 443, () => usable++)
      const head = (raw: Array<string>) => ({ status: 200, reason: "", rawHeaders: raw })
      observe(head(["content-type", "text/plain"]))
      observe(head(["alt-svc", `h2=":443"`]))
      expect(usable).toBe(0)
      observe(head(["Alt-Svc", `h3=":8443"`]))
      expect(usable).toBe(1)
      expect(cache.lookup(origin)).toMatchObject({ host: "example.com", port: 8443 })
      observe(head(["alt-svc", "clear"]))
      expect(usable).toBe(1)
      // Without usable (an HTTP/3 connection): records only.
      altSvcRecorder(cache, "example.com", 443)(head(["alt-svc", `h3=":9443"`]))
      expect(cache.lookup(origin)?.port).toBe(9443)
    }))

  it("keys an origin by lower-case host and port only", () => {
    expect(originKey("Example.COM", 8443)).toBe("example.com:8443")
  })
})
