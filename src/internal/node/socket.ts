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
import { ConnectTimeout, ProxyError } from "../../HackneyError.js"
import type { ConnectError, InvalidRequest, TlsError } from "../../HackneyError.js"
import { defaultOffer, tcpOffer } from "../connection/protocols.js"
import type { ProxyUrl } from "../proxy/proxyUrl.js"
import type { OpenSocket } from "../transport/duplex.js"
import { basicCredentials, httpTunnel } from "./httpTunnel.js"
import type { TunnelTarget } from "./httpTunnel.js"
import { socks5Tunnel } from "./socks5.js"
import type { Socks5Target } from "./socks5.js"
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
  /** ALPN protocols to offer, in preference order (already checked by `alpnOffer`). Default `["h2", "http/1.1"]`. */
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
  /** Dial through this proxy (not for `unix`). */
  readonly proxy?: ProxyDial | undefined
}

/**
 * A proxy to dial through: a parsed proxy URL (credentials decoded), the
 * trust options of an `https://` proxy, and who resolves a SOCKS5 target.
 * Over an `http(s)://` proxy a `tls` target gets a CONNECT tunnel; a `tcp`
 * target none: the connection forwards its requests in absolute-form
 * (`connection/forwardProxy.ts`).
 *
 * @internal
 */
export interface ProxyDial extends ProxyUrl {
  /** TLS options for the connection to an `https://` proxy (verified against the proxy's name). */
  readonly tls?: TlsOptions | undefined
  /** SOCKS5: who resolves the target's name. Default `"remote"`. */
  readonly socks5Resolve?: "remote" | "local" | undefined
}

/** The first stream of a dial. @internal */
export type FirstHop =
  | { readonly _tag: "Tcp"; readonly target: TcpTarget }
  | { readonly _tag: "Unix"; readonly path: string }

/**
 * A step over an already open stream: TLS with the peer, or a proxy tunnel
 * (`HttpTunnel`: CONNECT to the origin; `Socks5`), after which a `Tls` step
 * negotiates with the origin through the tunnel (`startTls` takes any
 * connected stream). Adding a step kind is a member here, a case in
 * `runStep` (the compiler checks it is exhaustive) and its place in `plan`.
 *
 * @internal
 */
export type DialStep =
  | { readonly _tag: "Tls"; readonly target: TlsTarget }
  | { readonly _tag: "HttpTunnel"; readonly target: TunnelTarget }
  | { readonly _tag: "Socks5"; readonly target: Socks5Target }

/** A dial as data: the first hop, then the steps in order. @internal */
export interface DialPlan {
  readonly first: FirstHop
  readonly steps: ReadonlyArray<DialStep>
}

const defaultProtocols: ReadonlyArray<string> = defaultOffer

const originTls = (options: ConnectOptions): DialStep => ({
  _tag: "Tls",
  target: { host: options.host, port: options.port, tls: options.tls ?? {}, protocols: options.protocols !== undefined ? tcpOffer(options.protocols) : defaultProtocols }
})

/** Through a proxy: TCP to it, TLS with it for `https://`, the tunnel, TLS with the origin for `tls`. */
const proxyPlan = (options: ConnectOptions, proxy: ProxyDial): DialPlan => {
  const { host, port } = options
  const first: FirstHop = {
    _tag: "Tcp",
    target: { host: proxy.host, port: proxy.port, lookup: options.lookup, localAddress: options.localAddress, family: options.family }
  }
  const steps: Array<DialStep> = []
  if (proxy.kind === "https") {
    steps.push({ _tag: "Tls", target: { host: proxy.host, port: proxy.port, tls: proxy.tls ?? {}, protocols: ["http/1.1"] } })
  }
  const credentials = proxy.user !== undefined ? { user: proxy.user, password: proxy.password ?? "" } : undefined
  if (proxy.kind === "socks5") {
    steps.push({
      _tag: "Socks5",
      target: {
        host,
        port,
        proxy: proxy.display,
        ...credentials,
        resolve: proxy.socks5Resolve,
        lookup: options.lookup,
        family: options.family
      }
    })
  } else if (options.transport === "tls") {
    steps.push({
      _tag: "HttpTunnel",
      target: {
        host,
        port,
        proxy: proxy.display,
        ...(credentials ? { authorization: basicCredentials(credentials.user, credentials.password) } : {})
      }
    })
  }
  if (options.transport === "tls") steps.push(originTls(options))
  return { first, steps }
}

/**
 * The plan of a dial: TCP or Unix, then TLS with the origin for `tls`; with
 * a proxy, see {@link ProxyDial}.
 *
 * @internal
 */
export const plan = (options: ConnectOptions): DialPlan => {
  if (options.transport === "unix") return { first: { _tag: "Unix", path: options.host }, steps: [] }
  if (options.proxy !== undefined) return proxyPlan(options, options.proxy)
  const first: FirstHop = { _tag: "Tcp", target: options }
  return options.transport === "tcp" ? { first, steps: [] } : { first, steps: [originTls(options)] }
}

/** What a dial can fail with, besides its timeout. @internal */
export type DialError = ConnectError | TlsError | ProxyError | InvalidRequest

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
): Effect.Effect<Opened, DialError> => {
  switch (step._tag) {
    case "Tls":
      return Effect.map(startTls(open.socket, step.target, where, holder), tlsOpened)
    case "HttpTunnel":
      return Effect.as(httpTunnel(open.socket, step.target, where), open)
    case "Socks5":
      return Effect.as(socks5Tunnel(open.socket, step.target, where), open)
  }
}

const tlsOpened = (t: TlsOpen): Opened => ({
  socket: t.socket,
  alpn: t.alpn,
  tls: true,
  peercert: t.peercert,
  handshakeMillis: t.handshakeMillis
})

/** Runs `steps[from..]` over what `opened` gives. */
const runSteps = (
  opened: Effect.Effect<Opened, DialError>,
  steps: ReadonlyArray<DialStep>,
  from: number,
  where: Where,
  holder: SocketHolder | undefined
): Effect.Effect<Opened, DialError> =>
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
  holder?: SocketHolder,
  /** The proxy the first hop dials, when there is one (its connect errors become `ProxyError`). */
  proxy?: ProxyDial
): Effect.Effect<OpenSocket, DialError> => {
  const { first, steps } = dial
  const step0 = steps[0]
  if (fusedWithFirst(dial) === 1 && first._tag === "Tcp" && step0?._tag === "Tls") {
    const hop = Effect.map(dialTls(first.target, step0.target, where, holder), tlsOpened)
    return runSteps(proxy === undefined ? hop : proxyRefused(hop, proxy, where), steps, 1, where, holder)
  }
  const hop = Effect.map(first._tag === "Tcp" ? dialTcp(first.target, where, holder) : dialUnix(first.path, where, holder), plainOpen)
  return runSteps(proxy === undefined ? hop : proxyRefused(hop, proxy, where), steps, 0, where, holder)
}

/** A proxy that cannot be reached: `ProxyError` `connect-refused`, the `ConnectError` as its cause. */
const proxyRefused = <A, E>(hop: Effect.Effect<A, E | ConnectError>, proxy: ProxyDial, where: Where): Effect.Effect<A, E | ProxyError> =>
  Effect.catchIf(
    hop,
    (e): e is ConnectError => (e as { _tag?: unknown })._tag === "ConnectError",
    (e) =>
      Effect.fail(
        new ProxyError({ ...where, proxy: proxy.display, reason: "connect-refused", detail: `${e.host}:${e.port}: ${e.reason}`, cause: e })
      )
  )

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
): Effect.Effect<OpenSocket, ConnectTimeout | DialError> => {
  const where: Where = { method: options.method, url: options.url }
  const dialPlan = plan(options)
  const proxy = options.transport === "unix" ? undefined : options.proxy
  let dial: Effect.Effect<OpenSocket, DialError>
  if (dialPlan.steps.length === fusedWithFirst(dialPlan)) {
    // One Effect.async from start to end: no gap between steps.
    dial = runPlan(dialPlan, where, holder, proxy)
  } else {
    // Between two steps no step owns the socket, the holder does: an interruption there destroys it too.
    const current: SocketHolder = holder ?? {}
    dial = Effect.onInterrupt(runPlan(dialPlan, where, current, proxy), () => Effect.sync(() => current.socket?.destroy()))
  }
  return Effect.timeoutFail(dial, {
    duration: Duration.millis(options.connectTimeout),
    onTimeout: () =>
      new ConnectTimeout({ ...where, host: options.host, port: options.port, timeoutMillis: options.connectTimeout })
  })
}
