/**
 * The request metrics (`http.client.request.duration`, `active_requests`,
 * request and response body sizes), recorded the same way by both adapters:
 * {@link requestStarted} when a request starts, {@link requestEnded} when its
 * response ends (body read or released) or it fails.
 *
 * @internal
 */
import type { Protocol } from "../connection/connection.js"
import * as M from "./metrics.js"

const activeNames = ["http.request.method", "server.address", "server.port"] as const
const doneNames = [
  "http.request.method",
  "server.address",
  "server.port",
  "http.response.status_code",
  "network.protocol.version"
] as const
const failedNames = ["http.request.method", "server.address", "server.port", "error.type"] as const

/** `network.protocol.version` of a connection's protocol. @internal */
export const protocolVersion = (p: Protocol): string => (p === "h2" ? "2" : p === "h3" ? "3" : "1.1")

/** The series a completed request updates, of one label set. */
interface Done {
  readonly duration: M.Series
  readonly sent: M.Series
  readonly received: M.Series
}

/** The series of one origin (by its pool key), resolved once per label set: no string or lookup of Effect's per request. @internal */
export interface Origin {
  readonly host: string
  readonly port: number
  readonly active: Map<string, M.Series>
  readonly done: Map<string, Map<number, Map<string, Done>>>
  readonly failed: Map<string, Map<string, M.Series>>
}

const origins = new Map<string, Origin>()

/** The series of an origin (`key`: its pool key, or `host:port`). @internal */
export const originOf = (key: string, host: string, port: number): Origin => {
  let o = origins.get(key)
  if (o === undefined) {
    o = { host, port, active: new Map(), done: new Map(), failed: new Map() }
    if (origins.size >= 1024) origins.clear()
    origins.set(key, o)
  }
  return o
}

const child = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let v = map.get(key)
  if (v === undefined) {
    v = make()
    map.set(key, v)
  }
  return v
}

/** A request in flight: its origin's labels, method and start (`since`: nanoseconds of its fiber's Clock). @internal */
export interface Started {
  readonly origin: Origin
  readonly method: string
  readonly since: bigint
  readonly active: M.Series
}

/** A request's outcome: its response (status, protocol, body bytes both ways) or its error's tag. @internal */
export type Outcome =
  | { readonly status: number; readonly protocol: Protocol; readonly sent: number; readonly received: number }
  | { readonly error: string }

/**
 * Counts a request in `http.client.active_requests`; `key` names its origin
 * (a pool key, or `host:port`).
 *
 * @internal
 */
export const requestStarted = (method: string, key: string, host: string, port: number, start: bigint): Started => {
  const origin = originOf(key, host, port)
  return { origin, method, since: start, active: countActive(origin, method) }
}

/**
 * Counts a request of `method` to `origin` in `http.client.active_requests`;
 * gives the series to count it out of ({@link Started}'s `active`).
 *
 * @internal
 */
export const countActive = (origin: Origin, method: string): M.Series => {
  const active = child(origin.active, method, () => M.activeRequestsSeries.series(M.labels(activeNames, [method, origin.host, origin.port])))
  active.update(1)
  return active
}

/** Records a request's end: duration and sizes, labelled with its status or error. @internal */
export const requestEnded = (s: Started, end: bigint, outcome: Outcome): void => {
  if ("error" in outcome) requestFailed(s, end, outcome.error)
  else requestSucceeded(s, end, outcome.status, outcome.protocol, outcome.sent, outcome.received)
}

/** Records a request's failure (`tag`: its error's), with no outcome object. @internal */
export const requestFailed = (s: Started, end: bigint, tag: string): void => {
  s.active.update(-1)
  const { host, port } = s.origin
  const method = s.method
  const failed = child(child(s.origin.failed, method, () => new Map<string, M.Series>()), tag, () =>
    M.requestDurationSeries.series(M.labels(failedNames, [method, host, port, tag])))
  failed.update(Number(end - s.since) / 1e9)
}

/** Records a request's response: duration and body sizes both ways, with no outcome object. @internal */
export const requestSucceeded = (s: Started, end: bigint, status: number, protocol: Protocol, sent: number, received: number): void => {
  s.active.update(-1)
  const { host, port } = s.origin
  const method = s.method
  const version = protocolVersion(protocol)
  const byStatus = child(s.origin.done, method, () => new Map<number, Map<string, Done>>())
  const done = child(child(byStatus, status, () => new Map<string, Done>()), version, () => {
    const l = M.labels(doneNames, [method, host, port, status, version])
    return { duration: M.requestDurationSeries.series(l), sent: M.requestBodySizeSeries.series(l), received: M.responseBodySizeSeries.series(l) }
  })
  done.duration.update(Number(end - s.since) / 1e9)
  done.sent.update(sent)
  done.received.update(received)
}
