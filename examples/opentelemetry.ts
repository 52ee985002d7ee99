/**
 * Metrics and traces exported with @effect/opentelemetry, offline: spans go
 * to an in-memory exporter, metrics to an in-memory reader, and both are
 * printed. Swap in an OTLP exporter (`@opentelemetry/exporter-trace-otlp-http`,
 * `@effect/opentelemetry/Otlp`) to send them to a collector.
 *
 *   npx tsx examples/opentelemetry.ts
 */
import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import { MetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"
import { Hackney, Pool } from "effect-hackney"
import { local } from "./server.js"

// A reader we pull from on demand (a PeriodicExportingMetricReader would push).
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter()
const reader = new OnDemandReader()

const TracingLive = OtelTracer.layer.pipe(
  Layer.provide(Layer.succeed(OtelTracer.OtelTracerProvider, new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })))
)
const OtelLive = Layer.mergeAll(TracingLive, OtelMetrics.layer(() => reader)).pipe(
  Layer.provideMerge(OtelResource.layer({ serviceName: "effect-hackney-example" }))
)

// Metrics and tracing for every request of the pool (both are off by default).
const PoolLive = Pool.layer({ name: "otel-example", metrics: true, tracing: true })

const program = Effect.gen(function*() {
  const server = yield* local
  yield* Hackney.get(`${server.url}/hello`)
  yield* Hackney.get(`${server.url}/login`, { followRedirect: true })
  yield* Hackney.get(`${server.url}/hello`)

  console.log("spans:")
  for (const s of spans.getFinishedSpans()) {
    const parent = s.parentSpanContext?.spanId ?? "-"
    console.log(`  ${s.name} (${s.spanContext().spanId} <- ${parent})`, JSON.stringify(s.attributes))
  }
  const { resourceMetrics } = yield* Effect.promise(() => reader.collect())
  console.log("metrics:")
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (!metric.descriptor.name.startsWith("http.client") && !metric.descriptor.name.startsWith("hackney.")) continue
      for (const point of metric.dataPoints) {
        const value = typeof point.value === "number" ? point.value : JSON.stringify({ count: (point.value as { count: number }).count })
        console.log(`  ${metric.descriptor.name} ${JSON.stringify(point.attributes)} ${value}`)
      }
    }
  }
}).pipe(Effect.withSpan("example"))

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(PoolLive), Effect.provide(OtelLive))).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
