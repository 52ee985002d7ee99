/**
 * The metrics' keys are a contract with dashboards (OpenTelemetry's HTTP client
 * names, hackney's mapped ones): each name, instrument type, description,
 * histogram boundaries and counter mode is pinned here, and each name must be
 * in docs/observability.md.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricKeyType } from "effect"
import * as fs from "node:fs"
import * as M from "../src/internal/observe/metrics.js"

const seconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
const bytes = Array.from({ length: 11 }, (_, i) => 64 * 4 ** i)
const connection = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

type Expected = { readonly type: "Histogram" | "Counter" | "Gauge"; readonly description: string; readonly boundaries?: ReadonlyArray<number>; readonly incremental?: boolean }

const expected: Record<string, Expected> = {
  "http.client.request.duration": { type: "Histogram", description: "Duration of HTTP client requests, in seconds.", boundaries: seconds },
  "http.client.active_requests": { type: "Counter", description: "Number of active HTTP requests.", incremental: false },
  "http.client.open_connections": { type: "Gauge", description: "Number of outbound HTTP connections that are currently active or idle on the client." },
  "http.client.connection.duration": { type: "Histogram", description: "The duration of the successfully established outbound HTTP connections, in seconds.", boundaries: connection },
  "http.client.request.body.size": { type: "Histogram", description: "Size of HTTP client request bodies, in bytes.", boundaries: bytes },
  "http.client.response.body.size": { type: "Histogram", description: "Size of HTTP client response bodies, in bytes.", boundaries: bytes },
  "hackney.pool.checkout.duration": { type: "Histogram", description: "Time a request waited for a connection of its pool, in seconds.", boundaries: seconds },
  "hackney.pool.queued": { type: "Gauge", description: "Requests waiting for a connection of the pool." },
  "hackney.pool.connections.created": { type: "Counter", description: "Connections the pool opened for a request.", incremental: true },
  "hackney.pool.connections.reused": { type: "Counter", description: "Requests served by an idle connection of the pool.", incremental: true },
  "hackney.pool.stale_retries": { type: "Counter", description: "Requests resent on a new connection because a kept-alive one was closed by the server.", incremental: true },
  "hackney.tls.handshake.duration": { type: "Histogram", description: "Duration of the TLS handshakes of new connections, in seconds.", boundaries: seconds },
  "hackney.connect.timeouts": { type: "Counter", description: "Connection attempts that timed out.", incremental: true },
  "hackney.connect.errors": { type: "Counter", description: "Connection attempts that failed (refused, DNS, TLS, proxy, …).", incremental: true }
}

describe("the metrics' keys", () => {
  it.effect("each metric has its documented name, instrument, description, boundaries and counter mode", () =>
    Effect.gen(function*() {
      const series = [
        M.requestDurationSeries, M.activeRequestsSeries, M.openConnectionsSeries, M.connectionDurationSeries,
        M.requestBodySizeSeries, M.responseBodySizeSeries, M.checkoutDurationSeries, M.queuedSeries,
        M.connectionsCreatedSeries, M.connectionsReusedSeries, M.staleRetriesSeries, M.connectTimeoutsSeries, M.connectErrorsSeries
      ]
      // Registers each key with one label set of this test, so a snapshot lists it.
      const mark = M.labels(["test"], ["Observe.metrics"])
      for (const s of series) s.series(mark)
      yield* Metric.update(Metric.tagged(M.tlsHandshakeDuration, "test", "Observe.metrics"), 0)
      const snapshot = (yield* Metric.snapshot).filter((p) => p.metricKey.tags.some((t) => t.key === "test" && t.value === "Observe.metrics"))
      const seen: Record<string, Expected> = {}
      for (const p of snapshot) {
        const k = p.metricKey
        const kt = k.keyType as unknown as { readonly _tag?: string; readonly boundaries?: { readonly values: ReadonlyArray<number> }; readonly incremental?: boolean }
        const type = MetricKeyType.isCounterKey(k.keyType) ? "Counter" : MetricKeyType.isGaugeKey(k.keyType) ? "Gauge" : MetricKeyType.isHistogramKey(k.keyType) ? "Histogram" : "other"
        const entry: { -readonly [K in keyof Expected]: Expected[K] } = { type: type as Expected["type"], description: k.description._tag === "Some" ? k.description.value : "" }
        if (kt.boundaries !== undefined) entry.boundaries = kt.boundaries.values.filter(Number.isFinite)
        if (type === "Counter") entry.incremental = kt.incremental === true
        seen[k.name] = entry
      }
      expect(seen).toEqual(expected)
    }))

  it("every metric name is in docs/observability.md", () => {
    const doc = fs.readFileSync(new URL("../docs/observability.md", import.meta.url), "utf8")
    for (const name of Object.keys(expected)) expect(doc, name).toContain(`\`${name}\``)
  })
})
