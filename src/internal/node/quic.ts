/**
 * The QUIC transport step (`dialQuic`): a QUIC connection with TLS 1.3 and
 * an ALPN offer (HTTP/3: `h3`), on `@matrixai/quic` 2.0.9 (quiche through
 * N-API; Node 20 has no QUIC). The library is an optional peer dependency,
 * loaded on the first dial, and must carry the fix of
 * `patches/@matrixai+quic+2.0.9.patch` (applied by this repository's
 * `prepare`): unpatched, about a third of connections raise an unhandled
 * `InvalidStreamState` that crashes a default Node process, so an unpatched
 * copy is refused with a `ConnectError` that says so.
 *
 * Verification is the same decision as TLS over TCP (`certVerify.ts`): the
 * chain to `tls.ca` (or Node's roots), then the identity of
 * `tls.servername` or the host by `tls.checkServerIdentity`, IP SANs
 * included; `tls.insecure` turns it off, only when asked. A refused chain
 * is a `TlsError` `certificate`, a refused identity `hostname`, any other
 * TLS failure (no common ALPN protocol) `handshake`.
 *
 * No connect timeout here: the caller puts its `ConnectTimeout` (on the
 * Effect Clock) over the dial, and interruption aborts the handshake. The
 * QUIC idle timeout and keep-alive PINGs are set on every connection (the
 * library's defaults are none, so a dead server would hang a read); they
 * run on quiche's own timers, a backstop under the request's `recvTimeout`.
 *
 * @internal
 */
import type * as Quic from "@matrixai/quic"
import type Logger from "@matrixai/logger"
import * as Effect from "effect/Effect"
import { webcrypto } from "node:crypto"
import { ConnectError, TlsError } from "../../HackneyError.js"
import type { TlsOptions } from "./tls.js"
import type { Where } from "./tcp.js"
import { verifyPeerChain } from "./certVerify.js"
import { codeOfReason, reasonOfCode } from "./quicSession.js"
import type { VerifyFailure } from "./certVerify.js"

/** The QUIC library's client, as far as this module uses it. @internal */
export type QuicClient = Quic.QUICClient
/** A QUIC connection of the library. @internal */
export type QuicConnection = Quic.QUICConnection

/** Where and how to dial. @internal */
export interface QuicTarget {
  /** The origin's host: the address dialled (a name is resolved) and the default verification name. */
  readonly host: string
  readonly port: number
  /** `ca`, `servername`, `insecure`, `cert`/`key` (mutual TLS) as over TCP. */
  readonly tls: TlsOptions
  /** ALPN protocols to offer; the server must pick one. */
  readonly protocols: ReadonlyArray<string>
  /** QUIC max_idle_timeout in ms: the connection closes after this long without a packet. Default 30000. */
  readonly idleTimeoutMillis?: number | undefined
  /** Interval of keep-alive PINGs in ms, so a live idle connection stays up and a dead one is found. Default 10000. */
  readonly keepAliveMillis?: number | undefined
  /** The application error code of a stream reset without one of ours (the library's own cancellations). Default 0. */
  readonly cancelCode?: number | undefined
}

/** An open QUIC connection. @internal */
export interface QuicOpen {
  readonly client: QuicClient
  readonly connection: QuicConnection
  /** The ALPN protocol the server chose. */
  readonly alpn: string
  /** Closes the connection (CONNECTION_CLOSE with `errorCode`, application space) and its socket. */
  readonly close: (errorCode?: number) => Promise<void>
  /**
   * The streams the peer opened before the caller listened (an HTTP/3
   * server opens its control and QPACK streams at once): the library's
   * stream events, kept from the handshake on; taking them stops keeping.
   */
  readonly takeEarlyStreams: () => Array<Event>
}

/** @internal */
export const defaultIdleTimeoutMillis = 30_000
/** @internal */
export const defaultKeepAliveMillis = 10_000

interface Library {
  readonly quic: typeof Quic
  readonly logger: Logger
}
let library: Promise<Library> | undefined

/**
 * Whether `QUICConnection` carries the fix of patches/: its stream loop
 * defers peer streams while the connection is starting.
 *
 * @internal
 */
export const isPatched = (QUICConnection: { prototype: object }): boolean =>
  String((QUICConnection.prototype as { processStreams?: unknown }).processStreams).includes("'starting'")

const load = (): Promise<Library> =>
  (library ??= (async () => {
    const quic = await import("@matrixai/quic")
    if (!isPatched(quic.QUICConnection)) {
      throw Object.assign(
        new Error(
          "@matrixai/quic is installed without the fix of effect-hackney's patches/@matrixai+quic+2.0.9.patch " +
            "(unhandled InvalidStreamState); apply it with patch-package"
        ),
        { code: "ERR_QUIC_UNPATCHED" }
      )
    }
    const { default: Logger, LogLevel } = await import("@matrixai/logger")
    return { quic, logger: new Logger("effect-hackney/quic", LogLevel.SILENT) }
  })().catch((e) => {
    library = undefined
    throw e
  }))

const randomBytes = async (data: ArrayBuffer): Promise<void> => {
  webcrypto.getRandomValues(new Uint8Array(data))
}

const ignore = (): void => {}

/**
 * Starts loading the QUIC library now (once; an error is left for the
 * first dial to report), so that a first QUIC dial later does not pay for
 * it: loading takes a few hundred milliseconds, longer than the head start
 * a QUIC dial gets against TCP.
 *
 * @internal
 */
export const preloadQuic = (): void => {
  load().catch(ignore)
}

/**
 * Waits until the QUIC library is loaded (loading it if needed): true, or
 * false when it cannot be (not installed, unpatched). Interruptible.
 *
 * @internal
 */
export const quicLoaded: Effect.Effect<boolean> = Effect.promise(() => load().then(() => true, () => false))

/** The library's event of a stream the peer opened (its class name). */
const streamEvent = "EventQUICConnectionStream"

/**
 * Classifies a failed `createQUICClient`.
 *
 * @internal
 */
export const quicError = (
  target: QuicTarget,
  where: Where,
  error: unknown,
  refused: VerifyFailure | undefined
): ConnectError | TlsError => {
  const { host, port } = target
  const name = (error as { name?: unknown } | null)?.name
  const code = (error as { code?: unknown } | null)?.code
  const codeText = typeof code === "string" ? code : typeof name === "string" ? name : undefined
  if (name === "ErrorQUICConnectionLocalTLS" || name === "ErrorQUICConnectionPeerTLS") {
    const reason = refused !== undefined ? refused.reason : "handshake"
    const cause = refused !== undefined ? Object.assign(new Error(refused.detail), { cause: error }) : error
    return new TlsError({ ...where, reason, host, port, code: codeText, cause })
  }
  const reason = name === "ErrorQUICHostInvalid" ? "dns" : name === "ErrorQUICConnectionIdleTimeout" ? "unreachable" : "other"
  return new ConnectError({ ...where, reason, host, port, code: codeText, cause: error })
}

/**
 * Opens a QUIC connection to `target` and waits for its handshake and
 * verification. On failure the library has closed its socket; on
 * interruption the handshake is aborted, and a connection that completed
 * meanwhile is closed.
 *
 * @internal
 */
export const dialQuic = (target: QuicTarget, where: Where): Effect.Effect<QuicOpen, ConnectError | TlsError> => {
  const unsupported = unsupportedOption(target.tls)
  if (unsupported !== undefined) {
    return Effect.fail(
      new TlsError({ ...where, reason: "handshake", host: target.host, port: target.port, code: "ERR_QUIC_TLS_OPTION", cause: new Error(unsupported) })
    )
  }
  return Effect.async<QuicOpen, ConnectError | TlsError>((resume) => {
    const t = target.tls
    const name = t.servername ?? target.host
    const abort = new AbortController()
    let done = false
    let refused: VerifyFailure | undefined
    const idle = target.idleTimeoutMillis ?? defaultIdleTimeoutMillis
    const keepAlive = Math.min(target.keepAliveMillis ?? defaultKeepAliveMillis, Math.max(1, Math.floor(idle / 2)))
    load()
      .then(({ quic, logger }) => {
        if (done) return undefined
        const verify = t.insecure === true
          ? {}
          : {
            verifyCallback: async (chain: Array<Uint8Array>) => {
              refused = verifyPeerChain(chain, name, t.ca)
              if (refused === undefined) return undefined
              return refused.reason === "hostname" ? quic.native.CryptoError.BadCertificate : quic.native.CryptoError.UnknownCA
            }
          }
        return quic.QUICClient.createQUICClient(
          {
            host: target.host,
            port: target.port,
            // SNI: the servername, else the host (the library sends one either way).
            serverName: name,
            crypto: { ops: { randomBytes } },
            logger,
            // Stream resets carry our application codes both ways (see quicSession.ts).
            reasonToCode: (_type: "read" | "write", reason?: unknown) => codeOfReason(reason, target.cancelCode ?? 0),
            codeToReason: (_type: "read" | "write", code: number) => reasonOfCode(code),
            config: {
              applicationProtos: [...target.protocols],
              verifyPeer: t.insecure !== true,
              ...verify,
              ...(t.ca !== undefined ? { ca: t.ca as string | Array<string> | Uint8Array | Array<Uint8Array> } : {}),
              ...(t.cert !== undefined ? { cert: t.cert as string | Array<string> | Uint8Array | Array<Uint8Array> } : {}),
              ...(t.key !== undefined ? { key: t.key as string | Array<string> | Uint8Array | Array<Uint8Array> } : {}),
              maxIdleTimeout: idle,
              keepAliveIntervalTime: keepAlive
            }
          },
          { signal: abort.signal }
        )
      })
      .then(
        (client) => {
          if (client === undefined) return
          if (done) {
            client.destroy({ force: true }).catch(ignore)
            return
          }
          done = true
          const connection = client.connection
          const early: Array<Event> = []
          const keep = (evt: Event) => early.push(evt)
          connection.addEventListener(streamEvent, keep)
          // The negotiated protocol is on the library's quiche handle (not in its types); the
          // handshake fails without a common one, so with one offer it is that one.
          const quiche = (connection as unknown as { conn?: { applicationProto?: () => Uint8Array } }).conn
          const negotiated = quiche?.applicationProto?.()
          const alpn = negotiated !== undefined && negotiated.length > 0
            ? Buffer.from(negotiated).toString("latin1")
            : target.protocols[0] ?? ""
          resume(Effect.succeed({
            client,
            connection,
            alpn,
            close: (errorCode = 0) => client.destroy({ isApp: true, errorCode, force: true }).catch(ignore),
            takeEarlyStreams: () => {
              connection.removeEventListener(streamEvent, keep)
              return early.splice(0)
            }
          }))
        },
        (error: unknown) => {
          if (done) return
          done = true
          resume(Effect.fail(quicError(target, where, error, refused)))
        }
      )
    return Effect.sync(() => {
      if (done) return
      done = true
      abort.abort(new Error("the dial was interrupted"))
    })
  })
}

/**
 * Why `tls` cannot be honoured over QUIC, if it cannot: QUIC is TLS 1.3
 * only, and the library takes the client identity as PEM `cert` and `key`,
 * not PFX. (`sessionReuse` is a hint: this library resumes no session.)
 *
 * @internal
 */
export const unsupportedOption = (tls: TlsOptions): string | undefined =>
  tls.pfx !== undefined || tls.passphrase !== undefined
    ? "QUIC takes the client certificate as PEM `cert` and `key` (no `pfx` or `passphrase`)"
    : tls.maxVersion !== undefined && tls.maxVersion !== "TLSv1.3"
    ? `QUIC needs TLS 1.3, but \`maxVersion\` is ${tls.maxVersion}`
    : undefined
