/**
 * The connection contract: the one thing the pool and the engine know about a
 * connection, whatever its protocol (a driver: `H1Connection` today, an
 * HTTP/2 session next) and whatever carried it (TCP, TLS, a Unix socket, a
 * tunnel).
 *
 * A connection says how many requests it carries at once (`capacity`: 1 for
 * HTTP/1.1, the peer's stream limit for HTTP/2) and how many more it can take
 * now ({@link Connection.free}), whether it is
 * idle, closed, or draining, and starts a request: `begin` takes the request
 * as structured data ({@link Request}, {@link RequestHead}: method, target,
 * authority, headers, body size) and returns its {@link Exchange}, through
 * which the caller writes the body (`write`, `end`, `abandon`), reads the
 * response (head, body, trailers: protocol-neutral {@link ResponseHead}s) and
 * aborts. The driver alone encodes the head, frames the body (chunked for
 * HTTP/1.1 when its size is unknown) and checks a declared length. `release`
 * ends an exchange from the reader's side and says whether the connection can
 * be reused; `info` gives the peer and local addresses, the negotiated ALPN
 * and the TLS certificate (`peername`, `sockname`, `peercert`).
 *
 * The one function that picks a driver, by negotiated ALPN, is
 * `driver.openConnection`.
 *
 * @internal
 */
import type * as net from "node:net"
import type * as tls from "node:tls"
import type { Poolable } from "../pool/pool.js"
import type { RequestLimits } from "./headLimits.js"
import type { TimerWheel } from "../timer/wheel.js"
import type { BodyMode, Exchange } from "./exchange.js"

/** A protocol a connection speaks (the ALPN identifiers). @internal */
export type Protocol = "http/1.1" | "h2" | "h3"

/**
 * A response head, whatever the protocol: HTTP/1.1's status line and fields,
 * or an HTTP/2 HEADERS frame's `:status` and fields. @internal
 */
export interface ResponseHead {
  /** The three-digit status code. */
  readonly status: number
  /** The reason phrase (HTTP/1.1 only; `""` when absent, always `""` over HTTP/2). */
  readonly reason: string
  /** `[name0, value0, name1, value1, …]`, names as received. */
  readonly rawHeaders: ReadonlyArray<string>
}

/**
 * A request head as data, validated (RFC 9110 tokens and field values) but not
 * encoded: the driver of the connection that sends it encodes it (an HTTP/1.1
 * head; HTTP/2 pseudo-headers, later; an absolute-form target through a
 * proxy, later). `h1` caches the HTTP/1.1 encoding (origin-form): filled by
 * the validating pass (`checkAndEncodeHead`) or by the driver on first use;
 * heads memoised per URL and method hand their cached encoding to each request.
 *
 * @internal
 */
export interface RequestHead {
  readonly method: string
  /** The origin-form target: path and query. */
  readonly target: string
  /** The authority (`Host` for HTTP/1.1 unless `rawHeaders` has one; `:authority` for HTTP/2). */
  readonly authority: string
  /** The caller's fields as `[name, value, …]`; framing fields (`Content-Length`, `Transfer-Encoding`) are the driver's. */
  readonly rawHeaders: ReadonlyArray<string>
  /** The body's size in bytes; `undefined` when unknown (a stream without a declared length). `0`: no body. */
  readonly bodySize: number | undefined
  /** The HTTP/1.1 driver's encoding of this head, once encoded (a cache, not an input). */
  h1: string | undefined
}


/**
 * Whether the head asks the server to confirm before the body is sent
 * (`Expect: 100-continue`, RFC 9110 §10.1.1).
 *
 * @internal
 */
export const expectsContinue = (head: RequestHead): boolean => {
  const raw = head.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 6 && name.toLowerCase() === "expect" && /^[ \t]*100-continue/i.test(raw[i + 1])) return true
  }
  return false
}

/**
 * A request as a connection starts it: its head (the fields themselves, not a
 * separate object, so a request costs one allocation) and what the driver
 * needs to run it.
 *
 * @internal
 */
export interface Request extends RequestHead {
  /** The URL as text, for errors. */
  readonly href: string
  /** Bytes are written with the head, in one flush; a stream is written after `begin` through the exchange. */
  readonly body:
    | { readonly _tag: "None" }
    | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
    | { readonly _tag: "Stream" }
  /** The largest response body accepted, in bytes. */
  readonly maxBodySize: number
  /** Inactivity timeout while the response is awaited, in ms. */
  readonly recvTimeout: number
  /** The request's response-head limits, laid over the connection's; undefined: the connection's. */
  readonly headLimits: RequestLimits | undefined
}

/** The addresses and security of a connection. @internal */
export interface ConnectionInfo {
  /** The peer's IP address (no allocation: read per response); `undefined` once closed. */
  readonly remoteAddress: string | undefined
  /** The peer's address; `undefined` once the connection closed. */
  readonly peername: net.AddressInfo | undefined
  /** The local address; `undefined` once the connection closed. */
  readonly sockname: net.AddressInfo | undefined
  /** The peer's certificate chain (TLS only). */
  readonly peercert: tls.DetailedPeerCertificate | undefined
  /** The protocol negotiated over ALPN (`"http/1.1"` when none was). */
  readonly alpn: string
  readonly tls: boolean
  /** How long the TLS handshake took, in milliseconds (TLS only; wall clock). */
  readonly tlsHandshakeMillis?: number | undefined
}

/**
 * - `idle`: no request in flight; reusable.
 * - `active`: at capacity for now (HTTP/1.1: one request in flight, or its
 *   response complete and not yet released).
 * - `draining`: takes no new request; those in flight finish (HTTP/2 GOAWAY).
 * - `closed`: terminal.
 *
 * @internal
 */
export type Status = "idle" | "active" | "draining" | "closed"

/**
 * A connection, as the engine sees it; what the pool needs of it
 * ({@link Poolable}: capacity, availability, close/abort, ref/unref) is part of it.
 *
 * @internal
 */
export interface Connection extends Poolable {
  readonly protocol: Protocol
  /** Where the connection stands (see {@link Status}). */
  readonly status: Status
  /** How many more requests it can take now: 0 when closed, draining or at `capacity` (the most at once). */
  readonly free: number
  /** Requests started on it. */
  readonly requests: number
  /** Clock time it last became idle. */
  readonly idleSince: number
  readonly info: ConnectionInfo
  /**
   * Starts `request` (the caller checked `isAvailable`): sends its head (and a
   * bytes body in the same flush) and returns the exchange its response will
   * fill. `bodyFollows`: a body is written through the exchange after this (by
   * default when the body is a stream). Its recv timeout runs on `wheel`, the
   * requesting fiber's Clock. `traceparent`: a W3C `traceparent` value sent
   * as one more field of this request only (a traced request: its
   * `rawHeaders` and memoised head are shared, and are not copied for it).
   */
  begin(request: Request, mode: BodyMode, wheel: TimerWheel, bodyFollows?: boolean, traceparent?: string): Exchange
  /**
   * Told of each final response head it receives, when set by whoever dialled
   * it (the pool records `Alt-Svc` with it when `h3` is offered); undefined:
   * nobody, and a response costs nothing more.
   */
  headObserver: ((head: ResponseHead) => void) | undefined
  /**
   * Takes no new request, and closes once those in flight ended: a better
   * connection exists for its origin (HTTP/3, announced by `Alt-Svc`).
   * HTTP/1.1 closes at its release; HTTP/2 drains as after a GOAWAY.
   * Absent on HTTP/3 connections (nothing replaces them).
   */
  retire?(): void
  /** Ends `exchange` from the reader's side; whether the connection can be reused (else it was closed). */
  release(exchange: Exchange): boolean
  /** Its state, for debugging. */
  toJSON(): unknown
}
