/**
 * The engine's shared decisions (internal/engine): the one redirect decision
 * both adapters apply, and the one pool choice.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Pool } from "../src/index.js"
import { dropsCredentials, locationOf, reissue } from "../src/internal/engine/redirect.js"
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
