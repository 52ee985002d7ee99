/**
 * The engine's shared decisions (internal/engine): the one redirect decision
 * both adapters apply, the one redirect loop, and the one pool choice.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import { ConnectError, ConnectionClosed, ProtocolError } from "../src/HackneyError.js"
import { Pool } from "../src/index.js"
import type { Outgoing } from "../src/internal/client/prepare.js"
import { staleRetryable, withStaleRetry } from "../src/internal/engine/exchange.js"
import { dropsCredentials, follow, locationOf, reissue } from "../src/internal/engine/redirect.js"
import type { FollowSteps } from "../src/internal/engine/redirect.js"
import { defaultSource, direct, sourceFor } from "../src/internal/engine/source.js"

describe("engine: redirect decision", () => {
  it("301/302/303 re-issue as GET without the body (HEAD stays HEAD); 307/308 keep method and body", () => {
    for (const status of [301, 302, 303]) {
      expect(reissue(status, "POST")).toEqual({ method: "GET", keepsBody: false })
      expect(reissue(status, "HEAD")).toEqual({ method: "HEAD", keepsBody: false })
      expect(reissue(status, "DELETE")).toEqual({ method: "GET", keepsBody: false })
    }
    for (const status of [307, 308]) {
      expect(reissue(status, "POST")).toEqual({ method: "POST", keepsBody: true })
      expect(reissue(status, "HEAD")).toEqual({ method: "HEAD", keepsBody: true })
    }
  })

  it("credentials are dropped on a change of origin unless trusted", () => {
    expect(dropsCredentials(false, false)).toBe(true)
    expect(dropsCredentials(false, true)).toBe(false)
    expect(dropsCredentials(true, false)).toBe(false)
  })

  it("Location: empty ones are absent, identical repeats are one, different ones are ambiguous", () => {
    expect(locationOf([])).toEqual({ _tag: "Absent" })
    expect(locationOf([" ", ""])).toEqual({ _tag: "Absent" })
    expect(locationOf(["/a", " /a "])).toEqual({ _tag: "Target", reference: "/a" })
    expect(locationOf(["/a", "/b"])).toEqual({ _tag: "Ambiguous", count: 2 })
  })
})

describe("engine: pool choice", () => {
  it.scoped("false is a direct connection; unset is the Pool in context, else \"default\"; a Pool is itself", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.make({ name: "engine-choice" })
      expect(sourceFor(false, pool)).toBe(direct)
      expect(sourceFor(undefined, pool)).toBe(pool)
      expect(sourceFor(undefined, undefined)).toBe(defaultSource())
      expect(sourceFor(pool, undefined)).toBe(pool)
      expect(sourceFor("engine-choice", undefined)).toBe(pool)
    }))

  it.effect("a name no layer runs fails every checkout with InvalidRequest before any I/O", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(sourceFor("engine-nobody", undefined).checkout(
        { key: "k", transport: "tcp", host: "127.0.0.1", port: 1, connectTimeout: 1000, recvTimeout: 1000 },
        { checkoutTimeout: 1000, method: "GET", url: "http://127.0.0.1:1/" }
      ))
      expect(e._tag).toBe("InvalidRequest")
    }))
})

describe("engine: the redirect loop (follow)", () => {
  // A fake adapter: requests are URLs, responses a status and Location values; what happens is logged.
  interface Res {
    readonly url: string
    readonly status: number
    readonly locations: ReadonlyArray<string>
  }
  const run = (routes: Record<string, Res>, max: number) => {
    const log: Array<string> = []
    const send = (url: string) => Effect.sync(() => (log.push(`send ${url}`), routes[url]))
    const steps: FollowSteps<string, Res, string, string, never> = {
      max,
      send,
      status: (r) => r.status,
      locations: (r) => r.locations,
      next: (_url, _r, reference) =>
        reference.startsWith("bad") ? Either.left(`cannot follow ${reference}`) : Either.right({ request: reference, record: reference }),
      drain: (r) => Effect.sync(() => log.push(`drain ${r.url}`)),
      giveUp: (r) => Effect.sync(() => log.push(`give up ${r.url}`)),
      ambiguous: (_url, r, count) => `ambiguous ${r.url} ${count}`,
      tooMany: (r, chain, next) => `too many ${[...chain, next].join(",")} from ${r.url}`
    }
    return { log, effect: follow(steps, "a", send("a")) }
  }
  const redirect = (url: string, ...locations: Array<string>): Res => ({ url, status: 302, locations })
  const ok = (url: string): Res => ({ url, status: 200, locations: [] })

  it.effect("follows each Location, draining every followed response, and records the chain", () =>
    Effect.gen(function*() {
      const { effect, log } = run({ a: redirect("a", "b"), b: redirect("b", "c"), c: ok("c") }, 5)
      const out = yield* effect
      expect(out.response.url).toBe("c")
      expect(out.chain).toEqual(["b", "c"])
      expect(log).toEqual(["send a", "drain a", "send b", "drain b", "send c"])
    }))

  it.effect("a 3xx without Location, or a 200 with one, is the response", () =>
    Effect.gen(function*() {
      expect((yield* run({ a: redirect("a") }, 5).effect).response.url).toBe("a")
      expect((yield* run({ a: { url: "a", status: 200, locations: ["b"] } }, 5).effect).chain).toEqual([])
    }))

  it.effect("more than max redirects: the last response is given up and the error names the whole chain", () =>
    Effect.gen(function*() {
      const { effect, log } = run({ a: redirect("a", "b"), b: redirect("b", "c"), c: redirect("c", "d") }, 2)
      expect(yield* Effect.flip(effect)).toBe("too many b,c,d from c")
      expect(log).toEqual(["send a", "drain a", "send b", "drain b", "send c", "give up c"])
    }))

  it.effect("several Locations, or a Location that cannot be followed, fail after giving the response up", () =>
    Effect.gen(function*() {
      const two = run({ a: redirect("a", "b", "c") }, 5)
      expect(yield* Effect.flip(two.effect)).toBe("ambiguous a 2")
      expect(two.log).toEqual(["send a", "give up a"])
      const bad = run({ a: redirect("a", "bad:x") }, 5)
      expect(yield* Effect.flip(bad.effect)).toBe("cannot follow bad:x")
      expect(bad.log).toEqual(["send a", "give up a"])
    }))

  it.effect("the Effect can run twice (a caller's retry): each run starts a new chain", () =>
    Effect.gen(function*() {
      const { effect } = run({ a: redirect("a", "b"), b: ok("b") }, 1)
      expect((yield* effect).chain).toEqual(["b"])
      expect((yield* effect).chain).toEqual(["b"])
    }))
})

describe("engine: the resend after the stale keep-alive race (staleRetryable)", () => {
  const outgoing = (idempotent: boolean, body: Outgoing["body"] = { _tag: "None" }) => ({ idempotent, body }) as Outgoing
  const get = outgoing(true)
  const post = outgoing(false)
  const stale = new ConnectionClosed({ requestSent: true, reused: true })

  it("nothing sent: resent whatever the method", () => {
    const unsent = new ConnectionClosed({ requestSent: false })
    expect([staleRetryable(unsent, get), staleRetryable(unsent, post)]).toEqual([true, true])
  })

  it("a reused connection closed before any response byte: resent for idempotent methods only", () => {
    expect([staleRetryable(stale, get), staleRetryable(stale, post)]).toEqual([true, false])
    expect(staleRetryable(new ConnectionClosed({ requestSent: true, reused: false }), get)).toBe(false)
    expect(staleRetryable(new ConnectionClosed({ requestSent: true, reused: true, responseStarted: true }), get)).toBe(false)
  })

  it("HTTP/2 REFUSED_STREAM: resent whatever the method; another reset code or reason is not", () => {
    const reset = (code: number, reason: ProtocolError["reason"] = "stream-reset") => new ProtocolError({ reason, code })
    expect([staleRetryable(reset(7), get), staleRetryable(reset(7), post)]).toEqual([true, true])
    expect(staleRetryable(reset(8), get)).toBe(false)
    expect(staleRetryable(reset(7, "invalid-status-line"), get)).toBe(false)
    expect(staleRetryable(new ConnectError({ reason: "refused", host: "h", port: 1 }), get)).toBe(false)
  })

  it("a Stream body is resent only when replayable (a file)", () => {
    const body = (replayable: boolean) => ({ _tag: "Stream", stream: Stream.empty, length: undefined, replayable }) as const
    expect(staleRetryable(stale, outgoing(true, body(true)))).toBe(true)
    expect(staleRetryable(stale, outgoing(true, body(false)))).toBe(false)
    expect(staleRetryable(stale, outgoing(true, { _tag: "Bytes", bytes: new Uint8Array(1) }))).toBe(true)
  })

  it.effect("withStaleRetry runs `again` after a stale failure only", () =>
    Effect.gen(function*() {
      const again = () => Effect.succeed("again")
      expect(yield* withStaleRetry(get, Effect.fail(stale), again)).toBe("again")
      expect(yield* Effect.flip(withStaleRetry(post, Effect.fail(stale), again))).toBe(stale)
      expect(yield* withStaleRetry(get, Effect.succeed("first"), again)).toBe("first")
    }))
})
