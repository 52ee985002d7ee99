/**
 * A pool's metrics (`metrics: true` on the pool): the connection gauges
 * (`http.client.open_connections`, active and idle per host, set from the
 * pool's own counts after each event, so they return to 0 when the pool
 * closes), the queue gauge, checkout wait, new and reused connections,
 * stale-connection resends, connect timeouts and errors, and each pooled
 * connection's life. A pool without metrics has no meter: its path tests
 * one field.
 *
 * @internal
 */
import type { HackneyError } from "../../HackneyError.js"
import * as M from "./metrics.js"

const hostNames = ["server.address", "server.port"] as const
const stateNames = ["http.connection.state", "server.address", "server.port"] as const
const poolNames = ["hackney.pool"] as const
const poolHostNames = ["hackney.pool", "server.address", "server.port"] as const
const errorNames = ["server.address", "server.port", "error.type", "hackney.reason"] as const

/** What the meter reads of the pool: its connections to a host (its pool keys' hosts are lower case) and its queue. @internal */
export interface PoolCounts {
  readonly connectionCounts: (host: string, port: number) => { readonly inUse: number; readonly free: number }
  readonly queued: () => number
}

/** A host of the pool, by its pool key (its `DialSpec` or `HostState`). @internal */
export interface HostRef {
  readonly key: string
  readonly host: string
  readonly port: number
}

/** A host's series, resolved once. */
interface HostSeries {
  readonly active: M.Series
  readonly idle: M.Series
  readonly reused: M.Series
  readonly poolHost: ReturnType<typeof M.labels>
}

/** @internal */
export class PoolMeter<C extends { readonly info?: { readonly tlsHandshakeMillis?: number | undefined } | undefined }> {
  private readonly openedAt = new WeakMap<C, number>()
  private readonly poolLabels: ReturnType<typeof M.labels>
  private readonly queued: M.Series
  private readonly checkoutDuration: M.Series
  /** Series by pool key (no string is built, no series looked up per event). */
  private readonly hosts = new Map<string, HostSeries>()
  constructor(readonly pool: string, private readonly counts: PoolCounts, private readonly now: () => number) {
    this.poolLabels = M.labels(poolNames, [pool])
    this.queued = M.queuedSeries.series(this.poolLabels)
    this.checkoutDuration = M.checkoutDurationSeries.series(this.poolLabels)
  }

  private labelsOf(h: HostRef): HostSeries {
    let l = this.hosts.get(h.key)
    if (l === undefined) {
      const poolHost = M.labels(poolHostNames, [this.pool, h.host, h.port])
      l = {
        active: M.openConnectionsSeries.series(M.labels(stateNames, ["active", h.host, h.port])),
        idle: M.openConnectionsSeries.series(M.labels(stateNames, ["idle", h.host, h.port])),
        reused: M.connectionsReusedSeries.series(poolHost),
        poolHost
      }
      if (this.hosts.size >= 4096) this.hosts.clear()
      this.hosts.set(h.key, l)
    }
    return l
  }

  /** The gauges of `h`'s host and port and the queue, from the pool's counts. */
  sync(h: HostRef): void {
    const s = this.counts.connectionCounts(h.host, h.port)
    const l = this.labelsOf(h)
    l.active.update(s.inUse)
    l.idle.update(s.free)
    this.queued.update(this.counts.queued())
  }

  /** A checkout began; `fresh`: the resend after a stale kept-alive connection. */
  checkoutStarted(fresh: boolean, h: HostRef): number {
    if (fresh) M.staleRetries.unsafeUpdate(1, this.labelsOf(h).poolHost)
    return this.now()
  }

  /** A checkout got its connection, `created` (dialled for it) or reused. */
  checkedOut(started: number, created: boolean, h: HostRef): void {
    this.checkoutDuration.update((this.now() - started) / 1000)
    const l = this.labelsOf(h)
    if (created) M.connectionsCreated.unsafeUpdate(1, l.poolHost)
    else l.reused.update(1)
  }

  /** A checkout served at once by an idle connection (started at `started`, default now): its wait, the reuse, the gauges. */
  reused(h: HostRef, started = this.now()): void {
    this.checkedOut(started, false, h)
    this.sync(h)
  }

  /** A dial failed. */
  dialFailed(error: HackneyError, host: string, port: number): void {
    if (error._tag === "ConnectTimeout") M.connectTimeouts.unsafeUpdate(1, M.labels(hostNames, [host, port]))
    else if (error._tag !== "PoolClosed") {
      const reason = "reason" in error && typeof error.reason === "string" ? error.reason : ""
      M.connectErrors.unsafeUpdate(1, M.labels(errorNames, [host, port, error._tag, reason]))
    }
  }

  /** A connection joined the pool: its TLS handshake time (when it has one), and the start of its life. */
  opened(conn: C, host: string, port: number): void {
    this.openedAt.set(conn, this.now())
    const tls = conn.info?.tlsHandshakeMillis
    if (tls !== undefined) M.tlsHandshakeDuration.unsafeUpdate(tls / 1000, M.labels(hostNames, [host, port]))
  }

  /** A connection left the pool (closed): its life, once. */
  closed(conn: C, host: string, port: number): void {
    const t = this.openedAt.get(conn)
    if (t === undefined) return
    this.openedAt.delete(conn)
    M.connectionDuration.unsafeUpdate((this.now() - t) / 1000, M.labels(hostNames, [host, port]))
  }
}
