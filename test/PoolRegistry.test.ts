/**
 * Named pools (`internal/pool/registry.ts`) and the pool put together (`internal/pool/make.ts`):
 * a pool is registered under its name for its scope's life, `"default"` resolves without one to a
 * process-wide pool, any other unknown name to nothing. No I/O: pools are made and looked up only.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { Pool } from "../src/index.js"
import { makePool } from "../src/internal/pool/make.js"
import { defaultName, defaultPool, lookup, poolDefaults, register, unknownPoolDetail, unregister } from "../src/internal/pool/registry.js"
import type { PoolConfig } from "../src/internal/pool/pool.js"

const config = (name: string): PoolConfig => ({ name, ...poolDefaults })

describe("the pool registry", () => {
  it.effect("a pool is found by its name while its scope is open, and not after", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(Pool.make({ name: "reg-a" }), scope)
      expect(lookup("reg-a")).toBe(pool)
      expect(lookup("reg-b")).toBeUndefined()
      yield* Scope.close(scope, Exit.void)
      expect(lookup("reg-a")).toBeUndefined()
    }))

  it.effect("unregistering a pool leaves another pool registered under the same name since", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const first = yield* Scope.extend(makePool(config("reg-same")), scope)
      const second = yield* Scope.extend(makePool(config("reg-same")), scope)
      register(first)
      register(second)
      expect(lookup("reg-same")).toBe(second)
      unregister(first)
      expect(lookup("reg-same")).toBe(second)
      unregister(second)
      expect(lookup("reg-same")).toBeUndefined()
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("\"default\": without a layer, one process-wide pool with hackney's defaults; a registered one takes its place", () =>
    Effect.gen(function*() {
      expect(defaultName).toBe("default")
      const process = defaultPool()
      expect(process.name).toBe("default")
      expect(defaultPool()).toBe(process)
      expect(lookup("default")).toBe(process)
      expect((process as unknown as { config: PoolConfig }).config).toMatchObject({
        maxPerHost: 50,
        maxConnections: 50,
        keepaliveTimeout: 2000,
        prewarmCount: 4,
        tlsPooling: true
      })
      const scope = yield* Scope.make()
      const mine = yield* Scope.extend(Pool.make({ name: "default", maxPerHost: 2 }), scope)
      expect(defaultPool()).toBe(mine)
      expect(lookup("default")).toBe(mine)
      yield* Scope.close(scope, Exit.void)
      expect(defaultPool()).toBe(process)
    }))

  it("the process-wide pool never logs its lifecycle (it is made outside any fiber's log level)", () => {
    expect((defaultPool() as unknown as { logs: boolean }).logs).toBe(false)
  })

  it("the process-wide pool, once closed, is made again on next use", () => {
    const first = defaultPool()
    first.close()
    const again = defaultPool()
    expect(again).not.toBe(first)
    expect((again as unknown as { closed: boolean }).closed).toBe(false)
    expect(defaultPool()).toBe(again)
  })

  it("an unknown name's detail says how to get the pool", () => {
    expect(unknownPoolDetail("api")).toBe(
      `no pool named "api" is running; provide Pool.layer({ name: "api" }) or pass a Pool value (only "default" exists without a layer)`
    )
  })

  it("the defaults, as hackney", () => {
    expect(poolDefaults).toMatchObject({
      maxPerHost: 50,
      maxConnections: 50,
      keepaliveTimeout: 2000,
      checkoutTimeout: undefined,
      prewarmCount: 4,
      tlsPooling: true
    })
  })
})

describe("makePool", () => {
  it.effect("a pool living in the scope: closed with it; its Alt-Svc cache on the pool's Clock", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const pool = yield* Scope.extend(makePool(config("make-a")), scope)
      expect(pool.closed).toBe(false)
      expect(pool.name).toBe("make-a")
      yield* Scope.close(scope, Exit.void)
      expect(pool.closed).toBe(true)
    }))
})
