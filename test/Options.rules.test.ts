/**
 * The option rules and the request options' table, called directly (no
 * server): what each rule accepts and refuses at its edges, the words of
 * the errors, the durations `toMillis` reads, and `resolve`'s memoising and
 * defaults. `Options.test.ts` checks the same through every entry point over
 * a server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Schedule, Stream } from "effect"
import { CookieJar, Headers } from "../src/index.js"
import type { Hackney } from "../src/index.js"
import { checkBody, defaults, resolve } from "../src/internal/client/options.js"
import type { Resolved } from "../src/internal/client/options.js"
import {
  boolean,
  check,
  count,
  describeValue,
  durationFrom0,
  isObject,
  isString,
  nonEmptyString,
  notAnObject,
  positiveDuration,
  rule,
  toMillis
} from "../src/internal/options/rules.js"

const durationForms = `a number of milliseconds, a Duration, or text such as "5 seconds"`

describe("toMillis: every duration form, never a throw", () => {
  it("numbers: from 0, Infinity included; negative and NaN refused", () => {
    expect([0, 1.5, 250, Infinity].map(toMillis)).toEqual([0, 1.5, 250, Infinity])
    expect([-1, -0.001, -Infinity, NaN].map(toMillis)).toEqual([undefined, undefined, undefined, undefined])
  })

  it("bigints are nanoseconds, from 0", () => {
    expect(toMillis(2_000_000n)).toBe(2)
    expect(toMillis(0n)).toBe(0)
    expect(toMillis(1n)).toBe(0.000001)
    expect(toMillis(-1n)).toBeUndefined()
  })

  it("text: a number and a unit, singular or plural; anything else refused", () => {
    const ok: ReadonlyArray<readonly [string, number]> = [
      ["5 seconds", 5000], ["1 second", 1000], ["1.5 seconds", 1500], ["2 millis", 2], ["1 milli", 1],
      ["3000000 nanos", 3], ["1000000 nano", 1], ["4000 micros", 4], ["1000 micro", 1], ["1 minute", 60_000], ["2 minutes", 120_000],
      ["1 hour", 3_600_000], ["1 hours", 3_600_000], ["1 day", 86_400_000], ["1 week", 604_800_000], ["2 weeks", 1_209_600_000],
      ["0 seconds", 0], ["5   seconds", 5000]
    ]
    for (const [text, ms] of ok) expect(toMillis(text), text).toBe(ms)
    for (
      const text of ["-1 seconds", "5 secs", "5seconds", "seconds", "5", " 5 seconds", "5 seconds ", "x5 seconds", "5 secondsx", "1. seconds", ".5 seconds", "-0 seconds", ""]
    ) expect(toMillis(text), text).toBeUndefined()
  })

  it("objects: a Duration, or [seconds, nanos] of two finite numbers from 0", () => {
    expect(toMillis(Duration.seconds(2))).toBe(2000)
    expect(toMillis(Duration.infinity)).toBe(Infinity)
    expect(toMillis(Duration.zero)).toBe(0)
    expect(toMillis([2, 500_000_000])).toBe(2500)
    expect(toMillis([0, 0])).toBe(0)
    for (const v of [[1], [1, 2, 3], [-1, 0], [1, -1], [NaN, 0], [Infinity, 0], [0, Infinity], ["1", 0], {}, null, new Date(0)]) {
      expect(toMillis(v), JSON.stringify(v)).toBeUndefined()
    }
  })

  it("other types are not durations", () => {
    for (const v of [true, false, undefined, Symbol("x"), () => 1]) expect(toMillis(v)).toBeUndefined()
  })
})

describe("option rules", () => {
  it("positiveDuration: above zero or Infinity; says so", () => {
    expect(positiveDuration.accepts).toBe(`a duration above zero (${durationForms}), or Infinity for no limit`)
    expect([1, 0.001, Infinity, "1 millis", Duration.millis(1), [0, 1], 1n].map(positiveDuration.test)).toEqual([true, true, true, true, true, true, true])
    expect([0, -1, NaN, "0 seconds", Duration.zero, [0, 0], 0n, "soon", true].map(positiveDuration.test)).toEqual(Array(9).fill(false))
  })

  it("durationFrom0: zero and up, with the meaning of 0 in its words", () => {
    const r = durationFrom0("sends at once")
    expect(r.accepts).toBe(`a duration (${durationForms}): 0 sends at once, Infinity for no limit`)
    expect([0, Infinity, "0 seconds", Duration.zero].map(r.test)).toEqual([true, true, true, true])
    expect([-1, NaN, "now", false].map(r.test)).toEqual([false, false, false, false])
  })

  it("count: integers from min, Infinity only when it has a meaning; the words say both", () => {
    const noInf = count(1, undefined)
    expect(noInf.accepts).toBe("an integer from 1")
    expect([1, 2, Number.MAX_SAFE_INTEGER].map(noInf.test)).toEqual([true, true, true])
    expect([0, -1, 1.5, Infinity, NaN, "2", 2 ** 53, 2n].map(noInf.test)).toEqual(Array(8).fill(false))
    const withInf = count(0, "for no limit", "accepts only empty bodies")
    expect(withInf.accepts).toBe("an integer from 0 (0 accepts only empty bodies), or Infinity for no limit")
    expect([0, 5, Infinity].map(withInf.test)).toEqual([true, true, true])
    expect([-1, -Infinity, 0.5].map(withInf.test)).toEqual([false, false, false])
    expect(count(3, undefined, "is off").accepts).toBe("an integer from 3 (0 is off)")
    expect(count(2, "unbounded").accepts).toBe("an integer from 2, or Infinity unbounded")
  })

  it("boolean, nonEmptyString, isString, isObject", () => {
    expect(boolean.accepts).toBe("true or false")
    expect([true, false, 0, "true", null].map(boolean.test)).toEqual([true, true, false, false, false])
    expect(nonEmptyString.accepts).toBe("a non-empty string")
    expect(["a", "", 5].map(nonEmptyString.test)).toEqual([true, false, false])
    expect(["", "a", 5, null].map(isString)).toEqual([true, true, false, false])
    expect([{}, [], null, "x", () => 1].map(isObject)).toEqual([true, true, false, false, false])
    expect(rule("x", () => true)).toMatchObject({ accepts: "x" })
  })

  it("describeValue: strings quoted, objects by kind, never their contents", () => {
    expect(describeValue("a\"b")).toBe(`"a\\"b"`)
    expect(describeValue(5n)).toBe("5n")
    expect(describeValue(() => 1)).toBe("a function")
    expect(describeValue(Symbol("s"))).toBe("a symbol")
    expect(describeValue(null)).toBe("null")
    expect(describeValue([1, 2, 3])).toBe("an array of 3")
    expect(describeValue({ secret: "pw" })).toBe("an object")
    expect(describeValue(undefined)).toBe("undefined")
    expect(describeValue(NaN)).toBe("NaN")
    expect(describeValue(true)).toBe("true")
  })

  it("check: the first invalid option in the rules' order, with the prefix; absent values and unknown fields pass", () => {
    const rules = { a: boolean, b: count(1, undefined) }
    expect(check({}, rules)).toBeUndefined()
    expect(check({ a: undefined, b: 2, other: "anything" }, rules)).toBeUndefined()
    const e = check({ b: 0, a: "yes" }, rules, "tls.")
    expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", detail: `the option tls.a is "yes"; it takes true or false` })
    expect(check({ b: 0 }, rules)?.detail).toBe("the option b is 0; it takes an integer from 1")
    expect(notAnObject("pool options", 5)).toMatchObject({ reason: "option", detail: "the pool options are 5; give an object (or nothing)" })
  })
})

describe("request options: resolve", () => {
  const resolved = (o: unknown): Resolved => {
    const r = resolve(o)
    if (r instanceof Error) throw r
    return r
  }
  const detail = (o: unknown) => {
    const r = resolve(o)
    expect(r).toBeInstanceOf(Error)
    return (r as { detail: string }).detail
  }

  it("defaults as hackney's: connect 8 s, recv 5 s, continue 1 s, no body limit, checkout and maxPerHost the pool's", () => {
    expect(defaults).toEqual({ connectTimeout: 8000, recvTimeout: 5000, maxBodySize: Infinity, continueTimeout: 1000 })
    const r = resolved({})
    expect([r.connectTimeout, r.recvTimeout, r.checkoutTimeout, r.maxPerHost, r.maxBodySize, r.headLimits, r.continueTimeout]).toEqual([
      8000, 5000, undefined, undefined, Infinity, undefined, 1000
    ])
  })

  it("durations resolved to milliseconds; checkoutTimeout given, else undefined (the pool's)", () => {
    const r = resolved({ connectTimeout: "2 seconds", recvTimeout: [1, 0], checkoutTimeout: Duration.millis(30), continueTimeout: 0, maxBodySize: 10, maxPerHost: 3 })
    expect([r.connectTimeout, r.recvTimeout, r.checkoutTimeout, r.continueTimeout, r.maxBodySize, r.maxPerHost]).toEqual([2000, 1000, 30, 0, 10, 3])
    expect(resolved({ checkoutTimeout: 0 }).checkoutTimeout).toBe(0)
    expect(resolved({ maxHeaderSize: 100 }).headLimits?.own).toEqual({ maxHeaderSize: 100, maxHeaderCount: undefined, maxStartLineLength: undefined })
  })

  it("an object seen before resolves to the same value; a new plain object with the same content too, from a private copy", () => {
    const o: Hackney.Options = { recvTimeout: 1234, maxPerHost: 7 }
    const first = resolved(o)
    expect(first.options).toBe(o)
    expect(resolved(o)).toBe(first)
    // The same keys and values in a new object: the copy's resolution, not the caller's object.
    const same = resolved({ recvTimeout: 1234, maxPerHost: 7 })
    expect(same).not.toBe(first)
    expect(same.options).not.toBe(o)
    expect(same.options).toEqual(o)
    expect(same.recvTimeout).toBe(1234)
    expect(resolved({ maxPerHost: 7, recvTimeout: 1234 })).toBe(same)
    // One key more, one key less, or one value different: resolved on its own.
    expect(resolved({ recvTimeout: 1234, maxPerHost: 7, followRedirect: true }).options).toMatchObject({ followRedirect: true })
    const fewer = resolved({ recvTimeout: 1234 })
    expect(fewer.maxPerHost).toBeUndefined()
    expect(resolved({ recvTimeout: 999 }).recvTimeout).toBe(999)
    // A caller changing its object afterwards does not change what the copy says.
    const mutable: Record<string, unknown> = { recvTimeout: 50 }
    resolved(mutable)
    const twin = resolved({ recvTimeout: 50 })
    mutable.recvTimeout = 60
    expect(twin.recvTimeout).toBe(50)
    expect(twin.options).toEqual({ recvTimeout: 50 })
    expect(resolved(mutable).recvTimeout).toBe(50) // memoised by identity: validated once
    expect(resolved({ recvTimeout: 60 }).recvTimeout).toBe(60)
  })

  it("a class instance is never matched by content; an invalid object is never remembered", () => {
    class Opts {
      recvTimeout = 77
    }
    resolved({ recvTimeout: 77 })
    const inst = new Opts()
    const r = resolved(inst)
    expect(r.options).toBe(inst)
    const bad = { recvTimeout: 0 }
    expect(detail(bad)).toContain("the option recvTimeout is 0;")
    expect(detail(bad)).toContain("the option recvTimeout is 0;")
    expect(detail({ recvTimeout: 0 })).toContain("the option recvTimeout is 0;")
    expect(detail(null)).toBe("the request options are null; give an object (or nothing)")
    expect(detail("x")).toBe(`the request options are "x"; give an object (or nothing)`)
  })

  it("options that set no connection option share one map of dial specs; a connection option gets its own", () => {
    const a = resolved({ maxPerHost: 11 })
    const b = resolved({ followRedirect: true, maxPerHost: 12 })
    expect(a.specs).toBe(b.specs)
    const c = resolved({ connectTimeout: 100, maxPerHost: 13 })
    const d = resolved({ connectTimeout: 100, maxPerHost: 14 })
    expect(c.specs).not.toBe(a.specs)
    expect(c.specs).not.toBe(d.specs)
    // The content-matched copy shares its original's specs.
    const c2 = resolved({ connectTimeout: 100, maxPerHost: 14 })
    expect(c2.specs).toBe(d.specs)
  })

  it("each request option's rule at its edges", () => {
    const accepted: ReadonlyArray<Hackney.Options> = [
      { headers: { a: "1", b: 2, c: ["x", "y"], d: undefined } },
      { headers: [["a", "1"], ["b", ["x"]], ["c", 3]] },
      { headers: Headers.fromInput({ a: "1" }) },
      { headers: new Map([["a", "1"]]) as unknown as Headers.Input },
      { pool: false },
      { pool: "named" },
      { basicAuth: ["u", "p"] },
      { cookie: "a=1" },
      { cookie: [["a", "1"], ["b", "2"]] },
      { cookie: [] },
      { cookieJar: false },
      { cookieJar: CookieJar.make() },
      { retry: Schedule.recurs(1) },
      { retryStatuses: [100, 599] },
      { retryStatuses: [] },
      { json: undefined },
      { json: { a: 1 } },
      { json: () => 1 } as unknown as Hackney.Options,
      { timeout: 1 },
      { attemptTimeout: Infinity },
      { uploadProgress: () => undefined } as unknown as Hackney.Options,
      { downloadProgress: () => undefined } as unknown as Hackney.Options,
      { followRedirect: false, locationTrusted: true, blockPrivateRedirects: true, autoDecompress: false, retryNonIdempotent: true }
    ]
    for (const o of accepted) expect(resolve(o), JSON.stringify(o)).not.toBeInstanceOf(Error)
    const refused: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ headers: { a: Number.NaN } }, "headers"],
      [{ headers: { a: Infinity } }, "headers"],
      [{ headers: { a: [1] } }, "headers"],
      [{ headers: { a: null } }, "headers"],
      [{ headers: [["a", "1", "x"]] }, "headers"],
      [{ headers: [[1, "1"]] }, "headers"],
      [{ headers: ["a"] }, "headers"],
      [{ headers: [["a", { v: 1 }]] }, "headers"],
      [{ pool: {} }, "pool"],
      [{ pool: null }, "pool"],
      [{ basicAuth: ["u", 1] }, "basicAuth"],
      [{ basicAuth: [1, "p"] }, "basicAuth"],
      [{ basicAuth: ["u", "p", "x"] }, "basicAuth"],
      [{ cookie: [["a", 1]] }, "cookie"],
      [{ cookie: {} }, "cookie"],
      [{ cookieJar: true }, "cookieJar"],
      [{ cookieJar: null }, "cookieJar"],
      [{ retry: () => 1 }, "retry"],
      [{ retryStatuses: [99] }, "retryStatuses"],
      [{ retryStatuses: [600] }, "retryStatuses"],
      [{ retryStatuses: [500.5] }, "retryStatuses"],
      [{ retryStatuses: ["500"] }, "retryStatuses"],
      [{ timeout: 0 }, "timeout"],
      [{ attemptTimeout: -1 }, "attemptTimeout"],
      [{ uploadProgress: {} }, "uploadProgress"],
      [{ downloadProgress: "f" }, "downloadProgress"],
      [{ blockPrivateRedirects: "yes" }, "blockPrivateRedirects"],
      [{ maxPerHost: 0 }, "maxPerHost"],
      [{ maxBodySize: -1 }, "maxBodySize"],
      [{ maxRedirect: Infinity }, "maxRedirect"],
      [{ continueTimeout: -1 }, "continueTimeout"],
      [{ checkoutTimeout: NaN }, "checkoutTimeout"]
    ]
    for (const [o, name] of refused) expect(detail(o), JSON.stringify(o)).toMatch(new RegExp(`^the option ${name} is .+; it takes .+`))
    expect(detail({ pool: 3 })).toBe("the option pool is 3; it takes a pool name, a Pool, or false for a direct connection")
    expect(detail({ retryStatuses: [700] })).toBe("the option retryStatuses is an array of 1; it takes an array of HTTP statuses (integers from 100 to 599)")
    expect(detail({ cookieJar: {} })).toBe("the option cookieJar is an object; it takes a CookieJar, or false for none")
    expect(detail({ tls: { minVersion: "TLSv9" } })).toContain("the option tls.minVersion is \"TLSv9\";")
  })

  it("a pool option may be a Pool (an object with the Pool brand)", () => {
    expect(resolve({ pool: { [Symbol.for("effect-hackney/Pool")]: true } })).not.toBeInstanceOf(Error)
    expect(resolve({ cookieJar: { [Symbol.for("effect-hackney/CookieJar")]: true } })).not.toBeInstanceOf(Error)
  })
})

describe("request bodies: the types accepted", () => {
  it("a string, bytes, a Stream, { form }, { file }, { multipart }; anything else says what to give", () => {
    for (const body of ["", "x", new Uint8Array(0), Stream.empty, { form: {} }, { form: [["a", "1"]] }, { file: "/f" }, { multipart: [] }]) {
      expect(checkBody(body)).toBeUndefined()
    }
    for (const body of [undefined, null, 5, true, {}, { form: "a=1" }, { form: null }, { file: 5 }, { multipart: {} }, [1], new ArrayBuffer(1)]) {
      const e = checkBody(body)
      expect(e, describeValue(body)).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
      expect(e?.detail).toBe(
        `the body is ${describeValue(body)}; give a string, a Uint8Array, { form }, { file: path }, { multipart: parts } or a Stream<Uint8Array>`
      )
    }
  })
})
