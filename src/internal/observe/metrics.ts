/**
 * The metrics of effect-hackney, created once: the OpenTelemetry HTTP client
 * semantic-convention set (`http.client.*`) and the pool's own
 * (`hackney.*`). Updates go through {@link labels}: one label array per
 * distinct label set, kept in a bounded table, so a request allocates no
 * metric key (Effect caches a tagged metric's hook by the label array).
 * Labels never carry a path, a query or userinfo: host and port only.
 *
 * @internal
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import type * as MetricHook from "effect/MetricHook"
import * as MetricKey from "effect/MetricKey"
import type * as MetricKeyType from "effect/MetricKeyType"
import * as MetricLabel from "effect/MetricLabel"

/**
 * One series of a metric (the metric with one label set): its hook in the
 * global registry, resolved once per label set — `Metric.unsafeUpdate` looks
 * the hook up in a WeakMap on every call.
 *
 * @internal
 */
export interface Series {
  readonly update: (value: number) => void
}

/** A metric of `key`, and the {@link Series} of its label sets. @internal */
export interface Defined<Type extends MetricKeyType.MetricKeyType<number, any>> {
  readonly metric: Metric.Metric<Type, number, MetricKeyType.MetricKeyType.OutType<Type>>
  readonly series: (labels: ReadonlyArray<MetricLabel.MetricLabel>) => Series
}

const define = <Type extends MetricKeyType.MetricKeyType<number, any>>(key: MetricKey.MetricKey<Type>): Defined<Type> => ({
  metric: Metric.fromMetricKey(key) as Defined<Type>["metric"],
  series: (labels) =>
    Metric.globalMetricRegistry.get(MetricKey.taggedWithLabels(key, labels)) as MetricHook.MetricHook<number, unknown>
})

// The OpenTelemetry advice for http.client.request.duration (seconds).
const secondsBoundaries = MetricBoundaries.fromIterable([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10
])

const bytesBoundaries = MetricBoundaries.exponential({ start: 64, factor: 4, count: 12 })

/** `http.client.request.duration` (s): per request, to the end of its response (or its failure). @internal */
export const requestDurationSeries = define(MetricKey.histogram(
  "http.client.request.duration",
  secondsBoundaries,
  "Duration of HTTP client requests, in seconds."
))
/** @internal */
export const requestDuration = requestDurationSeries.metric

/** `http.client.active_requests`: requests in flight (an up-down counter). @internal */
export const activeRequestsSeries = define(MetricKey.counter("http.client.active_requests", {
  description: "Number of active HTTP requests."
}))
/** @internal */
export const activeRequests = activeRequestsSeries.metric

/** `http.client.open_connections` by `http.connection.state` (active, idle). @internal */
export const openConnectionsSeries = define(MetricKey.gauge("http.client.open_connections", {
  description: "Number of outbound HTTP connections that are currently active or idle on the client."
}))
/** @internal */
export const openConnections = openConnectionsSeries.metric

/** `http.client.connection.duration` (s): a pooled connection's life. @internal */
export const connectionDurationSeries = define(MetricKey.histogram(
  "http.client.connection.duration",
  MetricBoundaries.fromIterable([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]),
  "The duration of the successfully established outbound HTTP connections, in seconds."
))
/** @internal */
export const connectionDuration = connectionDurationSeries.metric

/** `http.client.request.body.size` (By). @internal */
export const requestBodySizeSeries = define(MetricKey.histogram(
  "http.client.request.body.size",
  bytesBoundaries,
  "Size of HTTP client request bodies, in bytes."
))
/** @internal */
export const requestBodySize = requestBodySizeSeries.metric

/** `http.client.response.body.size` (By). @internal */
export const responseBodySizeSeries = define(MetricKey.histogram(
  "http.client.response.body.size",
  bytesBoundaries,
  "Size of HTTP client response bodies, in bytes."
))
/** @internal */
export const responseBodySize = responseBodySizeSeries.metric

/** `hackney.pool.checkout.duration` (s): the wait for a pooled connection (0 when one was free). @internal */
export const checkoutDurationSeries = define(MetricKey.histogram(
  "hackney.pool.checkout.duration",
  secondsBoundaries,
  "Time a request waited for a connection of its pool, in seconds."
))
/** @internal */
export const checkoutDuration = checkoutDurationSeries.metric

/** `hackney.pool.queued`: requests waiting for a connection. @internal */
export const queuedSeries = define(MetricKey.gauge("hackney.pool.queued", {
  description: "Requests waiting for a connection of the pool."
}))
/** @internal */
export const queued = queuedSeries.metric

/** `hackney.pool.connections.created`: connections dialled for a request (new). @internal */
export const connectionsCreatedSeries = define(MetricKey.counter("hackney.pool.connections.created", {
  description: "Connections the pool opened for a request.",
  incremental: true
}))
/** @internal */
export const connectionsCreated = connectionsCreatedSeries.metric

/** `hackney.pool.connections.reused`: requests served by an idle pooled connection. @internal */
export const connectionsReusedSeries = define(MetricKey.counter("hackney.pool.connections.reused", {
  description: "Requests served by an idle connection of the pool.",
  incremental: true
}))
/** @internal */
export const connectionsReused = connectionsReusedSeries.metric

/** `hackney.pool.stale_retries`: requests sent again on a fresh connection after a kept-alive one was closed. @internal */
export const staleRetriesSeries = define(MetricKey.counter("hackney.pool.stale_retries", {
  description: "Requests resent on a new connection because a kept-alive one was closed by the server.",
  incremental: true
}))
/** @internal */
export const staleRetries = staleRetriesSeries.metric

/** `hackney.tls.handshake.duration` (s): a new connection's TLS handshake, from TCP up to the handshake's end. @internal */
export const tlsHandshakeDuration = Metric.histogram(
  "hackney.tls.handshake.duration",
  secondsBoundaries,
  "Duration of the TLS handshakes of new connections, in seconds."
)

/** `hackney.connect.timeouts`. @internal */
export const connectTimeoutsSeries = define(MetricKey.counter("hackney.connect.timeouts", {
  description: "Connection attempts that timed out.",
  incremental: true
}))
/** @internal */
export const connectTimeouts = connectTimeoutsSeries.metric

/** `hackney.connect.errors` by `error.type` (the error's tag) and `hackney.reason`. @internal */
export const connectErrorsSeries = define(MetricKey.counter("hackney.connect.errors", {
  description: "Connection attempts that failed (refused, DNS, TLS, proxy, …).",
  incremental: true
}))
/** @internal */
export const connectErrors = connectErrorsSeries.metric

const tables = new Map<ReadonlyArray<string>, Map<string, ReadonlyArray<MetricLabel.MetricLabel>>>()

/**
 * The label array of a label set (`names[i]` = `values[i]`), one per
 * distinct set: a table per `names` array (a module constant) keyed by the
 * values joined, cleared past 4096 sets (labels are bounded: method, host,
 * port, status, protocol).
 *
 * @internal
 */
export const labels = (names: ReadonlyArray<string>, values: ReadonlyArray<string | number>): ReadonlyArray<MetricLabel.MetricLabel> => {
  let table = tables.get(names)
  if (table === undefined) {
    table = new Map()
    tables.set(names, table)
  }
  const key = values.join("\u0000")
  let hit = table.get(key)
  if (hit === undefined) {
    hit = names.map((n, i) => MetricLabel.make(n, String(values[i])))
    if (table.size >= 4096) table.clear()
    table.set(key, hit)
  }
  return hit
}
