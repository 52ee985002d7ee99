/**
 * Metrics and traces of effect-hackney, through Effect's `Metric` and
 * `Tracer` (export them with `@effect/opentelemetry`; see
 * docs/observability.md). Both are off by default and cost nothing then;
 * turn them on for every request of a pool (`Pool.layer({ metrics: true,
 * tracing: true })`) or for one request (`{ metrics: true }`), a request's
 * switch winning over its pool's.
 *
 * The metrics carry the OpenTelemetry HTTP client semantic-convention names
 * (`http.client.request.duration`, …) and the pool's own (`hackney.*`); their
 * labels are method, host, port, status, protocol and error type — never a
 * path, a query or userinfo.
 *
 * @since 0.2.0
 */
import type * as Metric from "effect/Metric"
import type * as MetricKeyType from "effect/MetricKeyType"
import type * as MetricState from "effect/MetricState"
import * as M from "./internal/observe/metrics.js"

/**
 * The observability switches of a request or a pool.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Pool } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/").pipe(
 *   Effect.provide(Pool.layer({ metrics: true, tracing: true }))
 * )
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Record the metrics of {@link metrics}. On a request: its request metrics
   * (duration, active requests, body sizes); on a pool: those of all its
   * requests and the pool's own (connections, queue, checkout wait, connect
   * errors). Default false.
   */
  readonly metrics?: boolean | undefined
  /**
   * One span per request (`HTTP GET`, kind client) with a child span per
   * attempt (each redirect hop and retry), through the `Tracer` in context.
   * Default false.
   */
  readonly tracing?: boolean | undefined
  /**
   * With `tracing`: send the W3C `traceparent` header of each attempt's span
   * (not when the request has one already). Default true.
   */
  readonly propagate?: boolean | undefined
}

type Histogram = Metric.Metric<MetricKeyType.MetricKeyType.Histogram, number, MetricState.MetricState.Histogram>
type Counter = Metric.Metric.Counter<number>
type Gauge = Metric.Metric.Gauge<number>

/**
 * Every metric, by name; read them with `Metric.value` (tagged with their
 * labels) or export them with `@effect/opentelemetry`.
 *
 * | name | type | unit | labels |
 * | --- | --- | --- | --- |
 * | `http.client.request.duration` | histogram | s | `http.request.method`, `server.address`, `server.port`, `http.response.status_code` or `error.type`, `network.protocol.version` |
 * | `http.client.active_requests` | up-down counter | {request} | `http.request.method`, `server.address`, `server.port` |
 * | `http.client.open_connections` | gauge | {connection} | `http.connection.state` (`active`, `idle`), `server.address`, `server.port` |
 * | `http.client.connection.duration` | histogram | s | `server.address`, `server.port` |
 * | `http.client.request.body.size` | histogram | By | as the duration |
 * | `http.client.response.body.size` | histogram | By | as the duration |
 * | `hackney.pool.checkout.duration` | histogram | s | `hackney.pool` |
 * | `hackney.pool.queued` | gauge | {request} | `hackney.pool` |
 * | `hackney.pool.connections.created` / `.reused` | counter | {connection} | `hackney.pool`, `server.address`, `server.port` |
 * | `hackney.pool.stale_retries` | counter | {request} | `hackney.pool`, `server.address`, `server.port` |
 * | `hackney.connect.timeouts` | counter | {attempt} | `server.address`, `server.port` |
 * | `hackney.connect.errors` | counter | {attempt} | `server.address`, `server.port`, `error.type`, `hackney.reason` |
 * | `hackney.tls.handshake.duration` | histogram | s | `server.address`, `server.port` |
 *
 * @example
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Observability } from "effect-hackney"
 * const active = Metric.value(Observability.metrics.activeRequests)
 * ```
 * @since 0.2.0
 * @category metrics
 */
export const metrics: {
  readonly requestDuration: Histogram
  readonly activeRequests: Counter
  readonly openConnections: Gauge
  readonly connectionDuration: Histogram
  readonly requestBodySize: Histogram
  readonly responseBodySize: Histogram
  readonly checkoutDuration: Histogram
  readonly queued: Gauge
  readonly connectionsCreated: Counter
  readonly connectionsReused: Counter
  readonly staleRetries: Counter
  readonly connectTimeouts: Counter
  readonly connectErrors: Counter
  readonly tlsHandshakeDuration: Histogram
} = {
  requestDuration: M.requestDuration,
  activeRequests: M.activeRequests,
  openConnections: M.openConnections,
  connectionDuration: M.connectionDuration,
  requestBodySize: M.requestBodySize,
  responseBodySize: M.responseBodySize,
  checkoutDuration: M.checkoutDuration,
  queued: M.queued,
  connectionsCreated: M.connectionsCreated,
  connectionsReused: M.connectionsReused,
  staleRetries: M.staleRetries,
  connectTimeouts: M.connectTimeouts,
  connectErrors: M.connectErrors,
  tlsHandshakeDuration: M.tlsHandshakeDuration
}
