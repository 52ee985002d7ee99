/**
 * L2 transport: opening TCP, TLS and Unix-domain sockets with Node, as
 * Effects with typed errors. This and the other files under
 * `internal/node/` are the only places that import `node:net`/`node:tls`.
 *
 * Every timeout here runs on Effect's Clock (`Effect.timeoutFail`), so tests
 * move it with `TestClock`. Interrupting a connect destroys the socket.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import * as tls from "node:tls"
import { ConnectError, ConnectTimeout, TlsError } from "../../HackneyError.js"
import type { ConnectErrorReason, TlsErrorReason } from "../../HackneyError.js"

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

/**
 * Where and how to connect.
 *
 * @internal
 */
export interface ConnectOptions {
  readonly transport: "tcp" | "tls" | "unix"
  /** Host name or IP literal (without brackets); for `unix`, the socket path. */
  readonly host: string
  readonly port: number
  /** Milliseconds before `ConnectTimeout` (TCP connect plus TLS handshake). */
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

/** An open socket and what was negotiated. @internal */
export interface OpenSocket {
  readonly socket: net.Socket
  /** The ALPN protocol the server chose, or "http/1.1" when none. */
  readonly alpn: string
  readonly tls: boolean
  /** The server certificate (TLS), also on a resumed session. */
  readonly peercert?: tls.DetailedPeerCertificate | undefined
}

const refusedCodes = new Set(["ECONNREFUSED", "ENOENT", "ECONNABORTED"])
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA", "ENODATA"])
const unreachableCodes = new Set(["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ENETDOWN", "EHOSTDOWN", "ETIMEDOUT"])
const resetCodes = new Set(["ECONNRESET", "EPIPE"])

/** The first system error code of an error, looking inside AggregateError (happy eyeballs). @internal */
export const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === "string") return code
  const inner = (error as { errors?: unknown }).errors
  if (Array.isArray(inner)) for (const e of inner) {
    const c = errorCode(e)
    if (c !== undefined) return c
  }
  return undefined
}

/** Classifies a socket error raised while connecting. @internal */
export const connectReason = (code: string | undefined): ConnectErrorReason =>
  code === undefined
    ? "other"
    : refusedCodes.has(code)
    ? "refused"
    : dnsCodes.has(code)
    ? "dns"
    : unreachableCodes.has(code)
    ? "unreachable"
    : resetCodes.has(code)
    ? "reset"
    : "other"

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

const isIp = (host: string): boolean => net.isIP(host) !== 0

/** The TCP part of a TCP or TLS connect: Nagle off, happy eyeballs unless a family is given. */
const tcpOptions = (options: ConnectOptions) => ({
  host: options.host,
  port: options.port,
  noDelay: true,
  ...(options.family ? { family: options.family } : { autoSelectFamily: true }),
  ...(options.lookup ? { lookup: options.lookup } : {}),
  ...(options.localAddress ? { localAddress: options.localAddress } : {})
})

/**
 * Opens a socket. Fails with `ConnectTimeout`, `ConnectError` or `TlsError`.
 * On interruption (or timeout) the half-open socket is destroyed.
 *
 * @internal
 */
export const connect = (
  options: ConnectOptions,
  /** Receives the socket as soon as it exists, so a caller interrupted right after success can still destroy it. */
  holder?: { socket?: net.Socket | undefined }
): Effect.Effect<OpenSocket, ConnectTimeout | ConnectError | TlsError> => {
  const { host, port } = options
  const where = { method: options.method, url: options.url }
  const attempt = Effect.async<OpenSocket, ConnectError | TlsError>((resume) => {
    let socket: net.Socket
    let stage: "tcp" | "tls" = "tcp"
    const fail = (error: Error) => {
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
      const code = errorCode(error)
      // Before the TCP connection is up, a TLS connect fails like a plain one.
      if (stage === "tls" && tcpConnected) {
        resume(Effect.fail(new TlsError({ ...where, reason: tlsReason(code), host, port, code, cause: error })))
        return
      }
      resume(Effect.fail(new ConnectError({ ...where, reason: connectReason(code), host, port, code, cause: error })))
    }
    let tcpConnected = false
    if (options.transport !== "tls") {
      socket = net.connect(options.transport === "unix" ? { path: host } : tcpOptions(options))
      socket.once("connect", () => {
        socket.removeListener("error", fail)
        resume(Effect.succeed({ socket, alpn: "http/1.1", tls: false }))
      })
    } else {
      stage = "tls"
      const t = options.tls ?? {}
      const servername = t.servername ?? (isIp(host) ? undefined : host)
      const reuse = t.sessionReuse !== false && t.insecure !== true
      const key = reuse ? sessionKey(host, port, servername, t, options.protocols) : ""
      const cached = reuse ? sessions.get(key) : undefined
      const tlsOptions: tls.ConnectionOptions & { noDelay: boolean } = {
        ...tcpOptions(options),
        ...(servername !== undefined ? { servername } : {}),
        ALPNProtocols: (options.protocols ?? ["http/1.1"]) as Array<string>,
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
      }
      const tlsSocket = tls.connect(tlsOptions)
      socket = tlsSocket
      tlsSocket.once("connect", () => {
        tcpConnected = true
      })
      if (reuse) {
        tlsSocket.on("session", (session: Buffer) => {
          const c = tlsSocket.getPeerCertificate(true)
          rememberSession(key, { session, cert: c && Object.keys(c).length > 0 ? c : cached?.cert })
        })
      }
      tlsSocket.once("secureConnect", () => {
        tlsSocket.removeListener("error", fail)
        const c = tlsSocket.getPeerCertificate(true)
        const peercert = c && Object.keys(c).length > 0 ? c : tlsSocket.isSessionReused() ? cached?.cert : undefined
        resume(Effect.succeed({ socket: tlsSocket, alpn: tlsSocket.alpnProtocol || "http/1.1", tls: true, peercert }))
      })
    }
    socket.once("error", fail)
    if (holder !== undefined) holder.socket = socket
    return Effect.sync(() => {
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
    })
  })
  return Effect.timeoutFail(attempt, {
    duration: Duration.millis(options.connectTimeout),
    onTimeout: () => new ConnectTimeout({ ...where, host, port, timeoutMillis: options.connectTimeout })
  })
}
