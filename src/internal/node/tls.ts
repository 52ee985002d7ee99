/**
 * The TLS step of a dial: upgrades an already connected byte stream (a proxy
 * tunnel next) to TLS with the origin (`startTls`), or, directly after the
 * TCP hop, does both in one `tls.connect` (`dialTls`); failures after TCP is
 * up are `TlsError` reasons (certificate, hostname, handshake). Also owns
 * the TLS session cache. No timeout here: the composed dial
 * (`socket.ts`) puts one `ConnectTimeout` over all its steps.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as net from "node:net"
import type * as stream from "node:stream"
import * as tls from "node:tls"
import { ConnectError, TlsError } from "../../HackneyError.js"
import type { TlsErrorReason } from "../../HackneyError.js"
import type { SocketHolder, TcpTarget, Where } from "./tcp.js"
import { connectReason, errorCode, tcpConnectOptions } from "./tcp.js"

/**
 * TLS options of a connection. Verification is on unless `insecure` is true.
 *
 * @internal
 */
export interface TlsOptions {
  /** Trusted CA certificates (PEM). Default: Node's bundled roots. */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  /** Client certificate chain (PEM), for mutual TLS. */
  readonly cert?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  /** Client private key (PEM). */
  readonly key?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  /** Client PFX/PKCS#12 bundle. */
  readonly pfx?: string | Uint8Array | undefined
  /** Passphrase of `key` or `pfx`. */
  readonly passphrase?: string | undefined
  /** SNI and verification name. Default: the URL host (no SNI for IP literals). */
  readonly servername?: string | undefined
  /** Lowest TLS version. Default: Node's (TLSv1.2). */
  readonly minVersion?: tls.SecureVersion | undefined
  /** Highest TLS version. Default: Node's (TLSv1.3). */
  readonly maxVersion?: tls.SecureVersion | undefined
  /** Skip certificate and hostname verification. Default false. For tests only. */
  readonly insecure?: boolean | undefined
  /** Reuse TLS sessions (tickets) across connections to the same origin. Default true. */
  readonly sessionReuse?: boolean | undefined
}

/** The origin TLS is negotiated with, whatever stream carries it. @internal */
export interface TlsTarget {
  /** The origin's host: the default SNI (none for IP literals) and verification name. */
  readonly host: string
  /** The origin's port (with `host`, the session-cache key and error field). */
  readonly port: number
  readonly tls: TlsOptions
  /** ALPN protocols to offer, in preference order. */
  readonly protocols: ReadonlyArray<string>
}

/** A stream after a successful handshake. @internal */
export interface TlsOpen {
  readonly socket: tls.TLSSocket
  /** The ALPN protocol the server chose, or "http/1.1" when none. */
  readonly alpn: string
  /** The server certificate, also on a resumed session (from the session cache). */
  readonly peercert: tls.DetailedPeerCertificate | undefined
  /** How long the handshake took, in milliseconds (wall clock: from TCP up, or from the start over a connected stream). */
  readonly handshakeMillis: number
}

const certificateCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED"
])

/** Classifies an error raised during the TLS handshake. @internal */
export const tlsReason = (code: string | undefined): TlsErrorReason =>
  code === "ERR_TLS_CERT_ALTNAME_INVALID" ? "hostname" : code !== undefined && certificateCodes.has(code) ? "certificate" : "handshake"

// TLS sessions kept so a new connection can resume (RFC 8446 tickets). A session carries the
// trust decision of the handshake that made it (Node does not verify the certificate again on
// resumption, and a resumed session sends no client certificate), so it is only ever resumed by
// a connection with exactly the same TLS options, and sessions of `insecure` connections are
// never kept. The peer certificate is kept with it, for `peercert` on resumed connections.
const sessionCacheMax = 256
interface CachedSession {
  readonly session: Buffer
  cert: tls.DetailedPeerCertificate | undefined
}
const sessions = new Map<string, CachedSession>()
const rememberSession = (key: string, entry: CachedSession): void => {
  sessions.delete(key)
  sessions.set(key, entry)
  if (sessions.size > sessionCacheMax) sessions.delete(sessions.keys().next().value as string)
}

/** The session-cache key: the origin, SNI and every option that bears on trust or identity. @internal */
export const sessionKey = (host: string, port: number, servername: string | undefined, t: TlsOptions, protocols: ReadonlyArray<string> | undefined): string =>
  JSON.stringify([host, port, servername ?? null, t.ca ?? null, t.cert ?? null, t.key ?? null, t.pfx ?? null, t.passphrase ?? null, t.minVersion ?? null, t.maxVersion ?? null, protocols ?? null], (_k, v) =>
    v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)

const toBufferish = (v: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined) =>
  v as string | Buffer | Array<string | Buffer> | undefined

/** A certificate object, or undefined for Node's "no certificate" (`{}` or null). */
const certOf = (c: tls.DetailedPeerCertificate | null | undefined): tls.DetailedPeerCertificate | undefined =>
  c && Object.keys(c).length > 0 ? c : undefined

const ignore = (): void => {}

/**
 * Creates a TLS socket with the given Node options and waits for its
 * handshake: SNI and verification against `target.host` (or
 * `tls.servername`), ALPN offer, session resumption from the cache keyed by
 * the origin and the trust-bearing options, `peercert` (from the cache on a
 * resumed session). `under` is the stream TLS runs over when it was
 * connected before (destroyed with the TLS socket); without it, the TLS
 * socket makes its own TCP connection and `fail` is told whether it was up.
 */
const handshake = <E>(
  target: TlsTarget,
  holder: SocketHolder | undefined,
  under: stream.Duplex | undefined,
  open: (options: tls.ConnectionOptions) => tls.TLSSocket,
  fail: (error: Error, code: string | undefined, tcpUp: boolean) => E
): Effect.Effect<TlsOpen, E> =>
  Effect.async<TlsOpen, E>((resume) => {
    const { host, port } = target
    const t = target.tls
    const servername = t.servername ?? (net.isIP(host) !== 0 ? undefined : host)
    const reuse = t.sessionReuse !== false && t.insecure !== true
    const key = reuse ? sessionKey(host, port, servername, t, target.protocols) : ""
    const cached = reuse ? sessions.get(key) : undefined
    const tlsSocket = open({
      // The verification name when there is no SNI (an IP literal).
      host,
      ...(servername !== undefined ? { servername } : {}),
      ALPNProtocols: target.protocols as Array<string>,
      rejectUnauthorized: t.insecure !== true,
      ...(t.ca !== undefined ? { ca: toBufferish(t.ca) } : {}),
      ...(t.cert !== undefined ? { cert: toBufferish(t.cert) } : {}),
      ...(t.key !== undefined ? { key: toBufferish(t.key) } : {}),
      ...(t.pfx !== undefined ? { pfx: t.pfx as string | Buffer } : {}),
      ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
      ...(t.minVersion !== undefined ? { minVersion: t.minVersion } : {}),
      ...(t.maxVersion !== undefined ? { maxVersion: t.maxVersion } : {}),
      ...(cached !== undefined ? { session: cached.session } : {}),
      // With a custom servername, verify against it (hackney: the SNI value is the verification name).
      ...(t.servername !== undefined
        ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(t.servername!, cert) }
        : {})
    })
    if (holder !== undefined) holder.socket = tlsSocket
    let tcpUp = under !== undefined
    // A measurement, not a deadline (the connect timeout runs on the Effect Clock): the wall clock.
    let started = tcpUp ? performance.now() : 0
    const onTcp = () => {
      tcpUp = true
      started = performance.now()
    }
    if (!tcpUp) tlsSocket.once("connect", onTcp)
    if (reuse) {
      // Tickets arrive after the handshake (TLS 1.3) and may be renewed later: keep listening.
      tlsSocket.on("session", (session: Buffer) => {
        rememberSession(key, { session, cert: certOf(tlsSocket.getPeerCertificate(true)) ?? cached?.cert })
      })
    }
    const discard = () => {
      tlsSocket.removeListener("error", onError)
      tlsSocket.removeListener("secureConnect", onSecure)
      tlsSocket.on("error", ignore)
      tlsSocket.destroy()
      if (under !== undefined) {
        under.on("error", ignore)
        under.destroy()
      }
    }
    const onError = (error: Error) => {
      discard()
      resume(Effect.fail(fail(error, errorCode(error), tcpUp)))
    }
    const onSecure = () => {
      tlsSocket.removeListener("error", onError)
      const peercert = certOf(tlsSocket.getPeerCertificate(true)) ?? (tlsSocket.isSessionReused() ? cached?.cert : undefined)
      const handshakeMillis = performance.now() - started
      resume(Effect.succeed({ socket: tlsSocket, alpn: tlsSocket.alpnProtocol || "http/1.1", peercert, handshakeMillis }))
    }
    tlsSocket.once("secureConnect", onSecure)
    tlsSocket.once("error", onError)
    return Effect.sync(discard)
  })

const tlsError = (target: TlsTarget, where: Where, error: Error, code: string | undefined): TlsError =>
  new TlsError({ ...where, reason: tlsReason(code), host: target.host, port: target.port, code, cause: error })

/**
 * Starts TLS over `socket`, an already connected stream (a TCP socket, or a
 * proxy tunnel next), and waits for the handshake (see `handshake`). Takes
 * ownership of `socket`: on failure (`TlsError`) or interruption both the TLS
 * socket and `socket` are destroyed. The TLS socket is published in `holder`
 * as soon as it exists.
 *
 * `protocols` is passed as given (the caller offers only protocols it has a
 * driver for); an offer the server does not take resolves as "http/1.1".
 *
 * @internal
 */
export const startTls = (
  socket: stream.Duplex,
  target: TlsTarget,
  where: Where,
  holder?: SocketHolder
): Effect.Effect<TlsOpen, TlsError> => {
  if (socket.destroyed) {
    // Closed before TLS could start (Node would wait on it forever).
    const cause = Object.assign(new Error("the connection closed before the TLS handshake started"), { code: "ECONNRESET" })
    return Effect.fail(tlsError(target, where, cause, cause.code))
  }
  return handshake(target, holder, socket, (options) => tls.connect({ ...options, socket }), (error, code) => tlsError(target, where, error, code))
}

/**
 * TCP and TLS in one `tls.connect` (the TLS socket makes its own TCP
 * connection): the same as `dialTcp` then `startTls`, for the direct case,
 * measured cheaper (bench/connect.ts: one socket object instead of two, no
 * hand-over). Fails with `ConnectError` until TCP is up, `TlsError` after.
 *
 * @internal
 */
export const dialTls = (
  tcp: TcpTarget,
  target: TlsTarget,
  where: Where,
  holder?: SocketHolder
): Effect.Effect<TlsOpen, ConnectError | TlsError> =>
  handshake<ConnectError | TlsError>(
    target,
    holder,
    undefined,
    (options) => tls.connect({ ...tcpConnectOptions(tcp), ...options }),
    (error, code, tcpUp) =>
      tcpUp
        ? tlsError(target, where, error, code)
        : new ConnectError({ ...where, reason: connectReason(code), host: tcp.host, port: tcp.port, code, cause: error })
  )
