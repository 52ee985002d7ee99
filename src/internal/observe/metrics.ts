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
import * as MetricLabel from "effect/MetricLabel"

// The OpenTelemetry advice for http.client.request.duration (seconds).
const secondsBoundaries = MetricBoundaries.fromIterable([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10
])

const bytesBoundaries = MetricBoundaries.exponential({ start: 64, factor: 4, count: 12 })

/** `http.client.request.duration` (s): per request, to the end of its response (or its failure). @internal */
export const requestDuration = Metric.histogram(
  "http.client.request.duration",
  secondsBoundaries,
  "Duration of HTTP client requests, in seconds."
)

/** `http.client.active_requests`: requests in flight (an up-down counter). @internal */
export const activeRequests = Metric.counter("http.client.active_requests", {
  description: "Number of active HTTP requests."
})

/** `http.client.open_connections` by `http.connection.state` (active, idle). @internal */
export const openConnections = Metric.gauge("http.client.open_connections", {
  description: "Number of outbound HTTP connections that are currently active or idle on the client."
})

/** `http.client.connection.duration` (s): a pooled connection's life. @internal */
export const connectionDuration = Metric.histogram(
  "http.client.connection.duration",
  MetricBoundaries.fromIterable([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]),
  "The duration of the successfully established outbound HTTP connections, in seconds."
)

/** `http.client.request.body.size` (By). @internal */
export const requestBodySize = Metric.histogram(
  "http.client.request.body.size",
  bytesBoundaries,
  "Size of HTTP client request bodies, in bytes."
)

/** `http.client.response.body.size` (By). @internal */
export const responseBodySize = Metric.histogram(
  "http.client.response.body.size",
  bytesBoundaries,
  "Size of HTTP client response bodies, in bytes."
)

/** `hackney.pool.checkout.duration` (s): the wait for a pooled connection (0 when one was free). @internal */
export const checkoutDuration = Metric.histogram(
  "hackney.pool.checkout.duration",
  secondsBoundaries,
  "Time a request waited for a connection of its pool, in seconds."
)

/** `hackney.pool.queued`: requests waiting for a connection. @internal */
export const queued = Metric.gauge("hackney.pool.queued", {
  description: "Requests waiting for a connection of the pool."
})

/** `hackney.pool.connections.created`: connections dialled for a request (new). @internal */
export const connectionsCreated = Metric.counter("hackney.pool.connections.created", {
  description: "Connections the pool opened for a request.",
  incremental: true
})

/** `hackney.pool.connections.reused`: requests served by an idle pooled connection. @internal */
export const connectionsReused = Metric.counter("hackney.pool.connections.reused", {
  description: "Requests served by an idle connection of the pool.",
  incremental: true
})

/** `hackney.pool.stale_retries`: requests sent again on a fresh connection after a kept-alive one was closed. @internal */
export const staleRetries = Metric.counter("hackney.pool.stale_retries", {
  description: "Requests resent on a new connection because a kept-alive one was closed by the server.",
  incremental: true
})

/** `hackney.tls.handshake.duration` (s): a new connection's TLS handshake, from TCP up to the handshake's end. @internal */
export const tlsHandshakeDuration = Metric.histogram(
  "hackney.tls.handshake.duration",
  secondsBoundaries,
  "Duration of the TLS handshakes of new connections, in seconds."
)

/** `hackney.connect.timeouts`. @internal */
export const connectTimeouts = Metric.counter("hackney.connect.timeouts", {
  description: "Connection attempts that timed out.",
  incremental: true
})

/** `hackney.connect.errors` by `error.type` (the error's tag) and `hackney.reason`. @internal */
export const connectErrors = Metric.counter("hackney.connect.errors", {
  description: "Connection attempts that failed (refused, DNS, TLS, proxy, …).",
  incremental: true
})

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
