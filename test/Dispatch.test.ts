/**
 * The feature path's interceptors (internal/client/dispatch.ts): composed in
 * order around the bare dispatch, once per options object.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { dispatchFor } from "../src/internal/client/dispatch.js"
import { compose } from "../src/internal/engine/dispatch.js"
import type { Dispatch, Interceptor, Opened } from "../src/internal/client/dispatch.js"
import type { Hop } from "../src/internal/client/redirect.js"
import { needsPipeline } from "../src/internal/client/pipeline.js"
import { direct } from "../src/internal/engine/source.js"
import * as Headers from "../src/Headers.js"

describe("dispatch: interceptors", () => {
  const hop: Hop = { method: "GET", input: "http://127.0.0.1/", headers: Headers.empty, body: undefined, basicAuth: undefined, cookie: undefined }

  it.effect("compose: the first interceptor wraps the bare dispatch, the last is outermost", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const bare: Dispatch = () => Effect.sync(() => (log.push("bare"), {} as Opened))
      const layer = (name: string): Interceptor => (next) => (h, ctx) =>
        Effect.sync(() => log.push(`${name} in`)).pipe(Effect.zipRight(next(h, ctx)), Effect.tap(() => log.push(`${name} out`)))
      yield* compose([layer("inner"), layer("outer")], bare)(hop, {} as never)
      expect(log).toEqual(["outer in", "inner in", "bare", "inner out", "outer out"])
    }))

  it("dispatchFor composes once per options object", () => {
    const options = { followRedirect: true, retry: Schedule.recurs(1), autoDecompress: true }
    expect(dispatchFor(options)).toBe(dispatchFor(options))
    expect(dispatchFor(options)).not.toBe(dispatchFor({ ...options }))
  })

  it("a request with no feature option and no jar takes the bare path (nothing composed)", () => {
    expect(needsPipeline({}, undefined, direct)).toBe(false)
    expect(needsPipeline({ recvTimeout: 1000, headers: { a: "b" } }, undefined, direct)).toBe(false)
    // Metrics and tracing alone are observed on the bare path.
    expect(needsPipeline({ metrics: true, tracing: true }, undefined, direct)).toBe(false)
    expect(needsPipeline({}, undefined, { ...direct, features: { metrics: true, tracing: true } })).toBe(false)
    expect(needsPipeline({}, undefined, { ...direct, features: { middleware: [] } })).toBe(true)
    for (const o of [{ followRedirect: true }, { autoDecompress: true }, { retry: Schedule.recurs(1) }, { cookie: "a=b" }, { attemptTimeout: 5 }]) {
      expect(needsPipeline(o, undefined, direct)).toBe(true)
    }
  })
})
