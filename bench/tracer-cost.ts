/**
 * What one request span costs by itself, outside any request (issue 18): CPU ns per operation of
 * Effect's default tracer and of a minimal custom one (`minimalTracer.ts`: counter ids, no
 * attributes kept), for
 *
 * - `span`: the tracer's `span(…)` alone (ids, the span object);
 * - `request span`: what a traced bare GET does with its span — made through the fiber's tracer
 *   (`startClientSpan`), its 4 start attributes, its `traceparent`, its 2 end attributes, `end`;
 * - `withSpan`: `Effect.withSpan` of `Effect.void` inside a fiber's loop, over the same loop
 *   running `Effect.void` (what any Effect span costs through the public API).
 *
 * Rounds interleave the cases; the median per case is given. A loaded machine inflates all of
 * them alike, so read them as proportions of each other.
 *
 *   npx tsx bench/tracer-cost.ts [iterations=200000] [rounds=7]
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Context from "effect/Context"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import { startClientSpan, traceparentOf } from "../src/internal/observe/span.js"
import { minimalTracer } from "./minimalTracer.js"

const n = Number(process.argv[2] ?? 200000)
const rounds = Number(process.argv[3] ?? 7)

const defaultTracer = Effect.runSync(Effect.tracer)
const tracers: ReadonlyArray<readonly [string, Tracer.Tracer]> = [["default", defaultTracer], ["minimal", minimalTracer]]
const none = Option.none()
const empty = Context.empty()
let sink = 0

const cpu = (f: () => void): number => {
  const before = process.cpuUsage()
  f()
  const d = process.cpuUsage(before)
  return ((d.user + d.system) * 1000) / n
}

const spanAlone = (tracer: Tracer.Tracer) => () => {
  for (let i = 0; i < n; i++) sink += tracer.span("HTTP GET", none, empty, [], 1n, "client").spanId.length
}

/** The span work of one traced bare GET, on the running fiber (see `observeBare`). */
const requestSpans = (tracer: Tracer.Tracer) => () =>
  Effect.runSync(
    Effect.withFiberRuntime<void>((fiber) => {
      for (let i = 0; i < n; i++) {
        const span = startClientSpan(fiber, "HTTP GET", 1n)!
        span.attribute("http.request.method", "GET")
        span.attribute("server.address", "127.0.0.1")
        span.attribute("server.port", 8080)
        span.attribute("url.full", "http://127.0.0.1:8080/1k")
        sink += traceparentOf(span)?.length ?? 0
        span.attribute("http.response.status_code", 200)
        span.attribute("network.protocol.version", "1.1")
        span.end(2n, Exit.void)
      }
      return Effect.void
    }).pipe(Effect.withTracer(tracer))
  )

const loop = (body: Effect.Effect<void>, tracer: Tracer.Tracer) => () => {
  let i = 0
  Effect.runSync(
    Effect.whileLoop({ while: () => i++ < n, body: () => body, step: () => {} }).pipe(Effect.withTracer(tracer))
  )
}

const cases: ReadonlyArray<readonly [string, () => void]> = [
  ...tracers.map(([name, t]) => [`span, ${name} tracer`, spanAlone(t)] as const),
  ...tracers.map(([name, t]) => [`request span, ${name} tracer`, requestSpans(t)] as const),
  ["loop of Effect.void", loop(Effect.void, defaultTracer)],
  ...tracers.map(([name, t]) => [`loop of Effect.withSpan(Effect.void), ${name} tracer`, loop(Effect.withSpan(Effect.void, "x"), t)] as const)
]

const results = cases.map(() => [] as Array<number>)
for (const [, f] of cases) f() // warm-up
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i)
  for (const i of order) results[i].push(cpu(cases[i][1]))
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
for (let i = 0; i < cases.length; i++) {
  console.log(`${cases[i][0].padEnd(56)} ${median(results[i]).toFixed(0).padStart(6)} ns (min ${Math.min(...results[i]).toFixed(0)})`)
}
console.log(`(${n} iterations × ${rounds} rounds, median; load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")}; ${sink > 0 ? "" : "-"})`)
