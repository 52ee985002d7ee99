/**
 * L2 transport: the dial, composed of steps. A dial opens a first stream
 * (`dialTcp` or `dialUnix`, `tcp.ts`), then runs each further step over the
 * stream so far (today only `startTls`, `tls.ts`; right after TCP it is
 * fused with it, `dialTls`), all under one `ConnectTimeout` on Effect's
 * Clock (`Effect.timeoutFail`, so tests move it with `TestClock`).
 * Interrupting a dial (or its timeout) destroys whatever socket the current
 * step holds. This and the other files under
 * `internal/node/` are the only places that import `node:net`/`node:tls`.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as net from "node:net"
import { ConnectTimeout } from "../../HackneyError.js"
import type { ConnectError, TlsError } from "../../HackneyError.js"
import type { OpenSocket } from "../transport/duplex.js"
import { dialTcp, dialUnix } from "./tcp.js"
import type { SocketHolder, TcpTarget, Where } from "./tcp.js"
import { dialTls, startTls } from "./tls.js"
import type { TlsOpen, TlsOptions, TlsTarget } from "./tls.js"

export type { OpenSocket } from "../transport/duplex.js"
export type { TlsOptions } from "./tls.js"

/**
 * Where and how to connect. The pool's `DialSpec` extends it (with the pool
 * key), so everything that changes the chain of steps must be a field here
 * and take part in the key.
 *
 * @internal
 */
export interface ConnectOptions {
  readonly transport: "tcp" | "tls" | "unix"
  /** Host name or IP literal (without brackets); for `unix`, the socket path. */
  readonly host: string
  readonly port: number
  /** Milliseconds before `ConnectTimeout` (every step: TCP connect plus TLS handshake). */
  readonly connectTimeout: number
  readonly tls?: TlsOptions | undefined
  /** ALPN protocols to offer, in preference order (already checked by `alpnOffer`). Default `["http/1.1"]`. */
  readonly protocols?: ReadonlyArray<string> | undefined
  /** Custom DNS lookup, as `net.connect`'s `lookup`. */
  readonly lookup?: net.LookupFunction | undefined
  /** Local address to bind. */
  readonly localAddress?: string | undefined
  /** Prefer one address family (4 or 6). Default: both, RFC 8305 style. */
  readonly family?: 0 | 4 | 6 | undefined
  /** For error messages: the request method and URL. */
  readonly method?: string | undefined
  readonly url?: string | undefined
}

/** The first stream of a dial. @internal */
export type FirstHop =
  | { readonly _tag: "Tcp"; readonly target: TcpTarget }
  | { readonly _tag: "Unix"; readonly path: string }

/**
 * A step over an already open stream.
 *
 * Extension point (proxies, issue 15): a proxy is a field of
 * `ConnectOptions` (so it is part of the pool key) that changes the plan:
 * `first` dials the proxy, and a tunnel step — `{ _tag: "HttpTunnel" }`
 * (CONNECT to the origin) or `{ _tag: "Socks5" }` — goes before `Tls`, which
 * then negotiates with the origin through the tunnel (`startTls` takes any
 * connected stream). Adding a step kind is a member here, a case in
 * `runStep` (the compiler checks it is exhaustive) and its place in `plan`.
 *
 * @internal
 */
export type DialStep = { readonly _tag: "Tls"; readonly target: TlsTarget }

/** A dial as data: the first hop, then the steps in order. @internal */
export interface DialPlan {
  readonly first: FirstHop
  readonly steps: ReadonlyArray<DialStep>
}

const defaultProtocols: ReadonlyArray<string> = ["http/1.1"]

/** The plan of a dial: TCP or Unix, then TLS with the origin for `tls`. @internal */
export const plan = (options: ConnectOptions): DialPlan => {
  const { host, port } = options
  if (options.transport === "unix") return { first: { _tag: "Unix", path: host }, steps: [] }
  const first: FirstHop = { _tag: "Tcp", target: options }
  if (options.transport === "tcp") return { first, steps: [] }
  return {
    first,
    steps: [{ _tag: "Tls", target: { host, port, tls: options.tls ?? {}, protocols: options.protocols ?? defaultProtocols } }]
  }
}

/** What steps pass along: an open connection over a Node stream (which the next step may wrap). */
interface Opened extends OpenSocket {
  readonly socket: net.Socket
}

const plainOpen = (socket: net.Socket): Opened => ({ socket, alpn: "http/1.1", tls: false })

/** Runs one step over `open`; the step owns `open.socket` from here (destroys it on failure). */
const runStep = (
  open: Opened,
  step: DialStep,
  where: Where,
  holder: SocketHolder | undefined
): Effect.Effect<Opened, ConnectError | TlsError> => {
  switch (step._tag) {
    case "Tls":
      return Effect.map(startTls(open.socket, step.target, where, holder), tlsOpened)
  }
}

const tlsOpened = (t: TlsOpen): Opened => ({ socket: t.socket, alpn: t.alpn, tls: true, peercert: t.peercert })

/** Runs `steps[from..]` over what `opened` gives. */
const runSteps = (
  opened: Effect.Effect<Opened, ConnectError | TlsError>,
  steps: ReadonlyArray<DialStep>,
  from: number,
  where: Where,
  holder: SocketHolder | undefined
): Effect.Effect<Opened, ConnectError | TlsError> =>
  from >= steps.length
    ? opened
    : Effect.flatMap(opened, (open) => Effect.reduce(steps.slice(from), open, (o, step) => runStep(o, step, where, holder)))

/** How many steps the first hop absorbs: a `Tls` step right after TCP (`dialTls`). */
const fusedWithFirst = (dial: DialPlan): 0 | 1 =>
  dial.first._tag === "Tcp" && dial.steps.length > 0 && dial.steps[0]._tag === "Tls" ? 1 : 0

/**
 * Runs a plan: the first hop, then every step in order. A `Tls` step right
 * after the TCP hop is fused with it (`dialTls`: one `tls.connect` that makes
 * its own TCP connection), which is measurably cheaper than `startTls` over
 * the connected socket and classifies errors the same way.
 *
 * @internal
 */
export const runPlan = (
  dial: DialPlan,
  where: Where,
  holder?: SocketHolder
): Effect.Effect<OpenSocket, ConnectError | TlsError> => {
  const { first, steps } = dial
  if (fusedWithFirst(dial) === 1 && first._tag === "Tcp") {
    return runSteps(Effect.map(dialTls(first.target, steps[0].target, where, holder), tlsOpened), steps, 1, where, holder)
  }
  const hop = first._tag === "Tcp" ? dialTcp(first.target, where, holder) : dialUnix(first.path, where, holder)
  return runSteps(Effect.map(hop, plainOpen), steps, 0, where, holder)
}

/**
 * Opens a connection: runs the plan of `options` under one `ConnectTimeout`.
 * Fails with `ConnectTimeout`, `ConnectError` (TCP/Unix connect) or
 * `TlsError` (only once TCP is up). On interruption (or timeout) the
 * half-open socket is destroyed.
 *
 * @internal
 */
export const connect = (
  options: ConnectOptions,
  /** Receives the current socket as soon as it exists, so a caller interrupted right after success can still destroy it. */
  holder?: SocketHolder
): Effect.Effect<OpenSocket, ConnectTimeout | ConnectError | TlsError> => {
  const where: Where = { method: options.method, url: options.url }
  const dialPlan = plan(options)
  let dial: Effect.Effect<OpenSocket, ConnectError | TlsError>
  if (dialPlan.steps.length === fusedWithFirst(dialPlan)) {
    // One Effect.async from start to end: no gap between steps.
    dial = runPlan(dialPlan, where, holder)
  } else {
    // Between two steps no step owns the socket, the holder does: an interruption there destroys it too.
    const current: SocketHolder = holder ?? {}
    dial = Effect.onInterrupt(runPlan(dialPlan, where, current), () => Effect.sync(() => current.socket?.destroy()))
  }
  return Effect.timeoutFail(dial, {
    duration: Duration.millis(options.connectTimeout),
    onTimeout: () =>
      new ConnectTimeout({ ...where, host: options.host, port: options.port, timeoutMillis: options.connectTimeout })
  })
}
