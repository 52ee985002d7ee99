/**
 * `dialQuic` against a stand-in of the QUIC library's client (`QUICClient.createQUICClient` spied
 * on, no UDP): what it asks the library for (SNI, ALPN, verification and its alert codes, the
 * CA/identity only when given, idle timeout and keep-alive, the stream-reset codes, random bytes,
 * the abort signal), what it makes of the client it gets (ALPN, early streams, close), and the
 * interrupted dial. Then the loading of the library: an unpatched copy refused, and not cached.
 * Quic.dial.test.ts dials a real in-process QUIC server.
 */
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import * as QuicLib from "@matrixai/quic"
import { QUICClient, QUICConnection } from "@matrixai/quic"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dialQuic } from "../src/internal/node/quic.js"
import type { QuicTarget } from "../src/internal/node/quic.js"
import { QuicStreamReset } from "../src/internal/node/quicSession.js"
import { certs } from "./support/quicServer.js"

type CreateArgs = Parameters<typeof QUICClient.createQUICClient>
interface Captured {
  readonly options: CreateArgs[0] & { config: Record<string, unknown> }
  readonly signal: AbortSignal
}

/** The library's client as `dialQuic` uses it: its connection (an event target with a quiche handle) and destroy. */
const fakeClient = (conn?: { applicationProto?: () => Uint8Array }) => {
  const connection = Object.assign(new EventTarget(), conn === undefined ? {} : { conn })
  const destroyed: Array<unknown> = []
  const client = {
    connection,
    destroy: (opts: unknown) => {
      destroyed.push(opts)
      return Promise.resolve()
    }
  }
  return { client, connection, destroyed }
}

/** Spies on createQUICClient: records each call and answers with `answer` (a promise of a client, or a rejection). */
const spyCreate = (answer: (c: Captured) => Promise<unknown>) => {
  const calls: Array<Captured> = []
  vi.spyOn(QUICClient, "createQUICClient").mockImplementation(((options: Captured["options"], ctx?: { signal?: AbortSignal }) => {
    const c = { options, signal: ctx!.signal! }
    calls.push(c)
    return answer(c)
  }) as never)
  return calls
}

const hostInvalid = () => Promise.reject(Object.assign(new Error("no such host"), { name: "ErrorQUICHostInvalid" }))
const target = (over: Partial<QuicTarget> = {}): QuicTarget => ({ host: "127.0.0.1", port: 4433, tls: {}, protocols: ["h3"], ...over })
const der = (name: string): Uint8Array =>
  Uint8Array.from(Buffer.from(certs(name).replace(/-----[A-Z ]+-----|\s/g, ""), "base64"))

/**
 * A fresh copy of quic.ts (the library not loaded yet), with `processStreams` of the library's connection
 * (where its class chain defines it) read through `read(original)`; `restore` puts the original back.
 */
const fresh = async (read: (original: unknown) => unknown) => {
  let owner: object = QUICConnection.prototype
  while (Object.getOwnPropertyDescriptor(owner, "processStreams") === undefined) owner = Object.getPrototypeOf(owner) as object
  const original = Object.getOwnPropertyDescriptor(owner, "processStreams")!
  Object.defineProperty(owner, "processStreams", { configurable: true, get: () => read(original.value) })
  vi.resetModules()
  const quic = await import("../src/internal/node/quic.js")
  return { quic, restore: () => Object.defineProperty(owner, "processStreams", original) }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe("dialQuic: what it asks the QUIC library for", () => {
  it("the host, port and SNI (servername, else the host), the ALPN offer; the CA and client identity only when given", async () => {
    const calls = spyCreate(hostInvalid)
    const ca = certs("ca")
    const cert = certs("server")
    const key = certs("server-key")
    const failed = await Effect.runPromiseExit(dialQuic(target({ tls: { ca, cert, key, servername: "localhost" }, protocols: ["h3", "h3-29"] }), {}))
    expect(failed).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "ConnectError", reason: "dns" } } })
    await Effect.runPromiseExit(dialQuic(target({ host: "example.test", tls: { insecure: true } }), {}))
    const [a, b] = calls
    expect([a.options.host, a.options.port, a.options.serverName]).toEqual(["127.0.0.1", 4433, "localhost"])
    expect([b.options.host, b.options.serverName]).toEqual(["example.test", "example.test"])
    expect([a.options.config.applicationProtos, b.options.config.applicationProtos]).toEqual([["h3", "h3-29"], ["h3"]])
    expect([a.options.config.ca, a.options.config.cert, a.options.config.key]).toEqual([ca, cert, key])
    for (const k of ["ca", "cert", "key", "verifyCallback"]) expect(k in b.options.config).toBe(false)
    expect([a.options.config.verifyPeer, typeof a.options.config.verifyCallback, b.options.config.verifyPeer]).toEqual([true, "function", false])
    expect(a.signal).toBeInstanceOf(AbortSignal)
    expect(a.signal.aborted).toBe(false)
  })

  it("the idle timeout (default 30 s) and keep-alive (default 10 s, at most half the idle timeout, at least 1 ms)", async () => {
    const calls = spyCreate(hostInvalid)
    for (const over of [{}, { idleTimeoutMillis: 5_000, keepAliveMillis: 1_000 }, { idleTimeoutMillis: 3_000 }, { idleTimeoutMillis: 1 }]) {
      await Effect.runPromiseExit(dialQuic(target(over), {}))
    }
    expect(calls.map((c) => [c.options.config.maxIdleTimeout, c.options.config.keepAliveIntervalTime])).toEqual([
      [30_000, 10_000],
      [5_000, 1_000],
      [3_000, 1_500],
      [1, 1]
    ])
  })

  it("the verification's alert: none for a good chain, BadCertificate for another name, UnknownCA for an unknown issuer", async () => {
    const calls = spyCreate(hostInvalid)
    await Effect.runPromiseExit(dialQuic(target({ tls: { ca: certs("ca"), servername: "localhost" } }), {}))
    const verify = calls[0].options.config.verifyCallback as (chain: Array<Uint8Array>) => Promise<unknown>
    expect(await verify([der("server")])).toBeUndefined()
    expect(await verify([der("wrong-host")])).toBe(QuicLib.native.CryptoError.BadCertificate)
    expect(await verify([der("self-signed")])).toBe(QuicLib.native.CryptoError.UnknownCA)
    expect(QuicLib.native.CryptoError.BadCertificate).not.toBe(QuicLib.native.CryptoError.UnknownCA)
  })

  it("stream-reset codes both ways (ours, else cancelCode, default 0; the peer's as a QuicStreamReset) and random bytes from the CSPRNG", async () => {
    const calls = spyCreate(hostInvalid)
    await Effect.runPromiseExit(dialQuic(target({ cancelCode: 0x10c }), {}))
    await Effect.runPromiseExit(dialQuic(target(), {}))
    const [a, b] = calls.map((c) => c.options)
    expect(a.reasonToCode!("write", new QuicStreamReset(0x10b, false))).toBe(0x10b)
    expect(a.reasonToCode!("read", new Error("cancelled by the library"))).toBe(0x10c)
    expect(b.reasonToCode!("read", undefined)).toBe(0)
    const peer = a.codeToReason!("read", 0x102) as QuicStreamReset
    expect(peer).toBeInstanceOf(QuicStreamReset)
    expect([peer.appCode, peer.byPeer]).toEqual([0x102, true])
    const bytes = new ArrayBuffer(64)
    await a.crypto.ops.randomBytes(bytes)
    expect(new Uint8Array(bytes).some((x) => x !== 0)).toBe(true)
  })
})

describe("dialQuic: the client the library returns", () => {
  const alpnOf = async (conn: Parameters<typeof fakeClient>[0], protocols: ReadonlyArray<string> = ["h3"]) => {
    const { client } = fakeClient(conn)
    spyCreate(() => Promise.resolve(client))
    const open = await Effect.runPromise(dialQuic(target({ protocols }), {}).pipe(Effect.timeout("2 seconds")))
    vi.restoreAllMocks()
    return open.alpn
  }

  it("the ALPN quiche negotiated, else the first protocol offered, else empty", async () => {
    expect(await alpnOf({ applicationProto: () => Buffer.from("h3-29") })).toBe("h3-29")
    expect(await alpnOf({ applicationProto: () => new Uint8Array(0) })).toBe("h3")
    expect(await alpnOf({})).toBe("h3")
    expect(await alpnOf(undefined)).toBe("h3")
    expect(await alpnOf(undefined, [])).toBe("")
  })

  it("the streams the peer opened before they are taken are kept, in order; taking them stops keeping", async () => {
    const { client, connection } = fakeClient(undefined)
    spyCreate(() => Promise.resolve(client))
    const open = await Effect.runPromise(dialQuic(target(), {}))
    const first = new Event("EventQUICConnectionStream")
    const second = new Event("EventQUICConnectionStream")
    connection.dispatchEvent(first)
    connection.dispatchEvent(new Event("EventQUICConnectionSend"))
    connection.dispatchEvent(second)
    expect(open.takeEarlyStreams()).toEqual([first, second])
    connection.dispatchEvent(new Event("EventQUICConnectionStream"))
    expect(open.takeEarlyStreams()).toEqual([])
  })

  it("close destroys the client with CONNECTION_CLOSE in application space: our code, default 0", async () => {
    const { client, destroyed } = fakeClient(undefined)
    spyCreate(() => Promise.resolve(client))
    const open = await Effect.runPromise(dialQuic(target(), {}))
    expect([open.client, open.connection]).toEqual([client, client.connection])
    await open.close(0x100)
    await open.close()
    expect(destroyed).toEqual([{ isApp: true, errorCode: 0x100, force: true }, { isApp: true, errorCode: 0, force: true }])
  })
})

describe("dialQuic interrupted", () => {
  const unhandled = async (f: () => Promise<void>) => {
    const rejections: Array<unknown> = []
    const onRejection = (e: unknown) => rejections.push(e)
    process.on("unhandledRejection", onRejection)
    try {
      await f()
      await new Promise((r) => setTimeout(r, 20))
    } finally {
      process.off("unhandledRejection", onRejection)
    }
    return rejections
  }

  it("during the handshake: the handshake is aborted, and a client that completes afterwards is destroyed", async () => {
    let complete!: (c: unknown) => void
    const calls = spyCreate(() => new Promise((r) => (complete = r)))
    const { client, destroyed } = fakeClient(undefined)
    const rejections = await unhandled(async () => {
      const fiber = Effect.runFork(dialQuic(target(), {}))
      await vi.waitFor(() => expect(calls.length).toBe(1))
      const exit = await Effect.runPromise(Fiber.interrupt(fiber))
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(calls[0].signal.aborted).toBe(true)
      expect((calls[0].signal.reason as Error).message).toBe("the dial was interrupted")
      complete(client)
      await vi.waitFor(() => expect(destroyed).toEqual([{ force: true }]))
    })
    expect(rejections).toEqual([])
  })

  it("while the library loads: the library is not asked to connect once loaded, and nothing is left unhandled", async () => {
    const calls = spyCreate(hostInvalid)
    const { quic, restore } = await fresh((original) => original)
    try {
      const rejections = await unhandled(async () => {
        const fiber = Effect.runFork(quic.dialQuic(target(), {}))
        fiber.unsafeInterruptAsFork(fiber.id())
        const exit = await Effect.runPromise(Fiber.await(fiber))
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(await Effect.runPromise(quic.quicLoaded)).toBe(true)
      })
      expect(calls).toEqual([])
      expect(rejections).toEqual([])
    } finally {
      restore()
    }
  })
})

describe("loading the QUIC library", () => {
  it("an unpatched copy is refused with ConnectError ERR_QUIC_UNPATCHED, and not remembered: once patched, it loads", async () => {
    let patched = false
    const { quic, restore } = await fresh((original) => (patched ? original : function processStreams() {}))
    try {
      expect(await Effect.runPromise(quic.quicLoaded)).toBe(false)
      const exit = await Effect.runPromiseExit(quic.dialQuic(target(), { method: "GET" }))
      if (!Exit.isFailure(exit)) return expect.fail("dialled with an unpatched library")
      const error = (exit.cause as unknown as { error: { _tag: string; code: string; method: string; cause: Error } }).error
      expect([error._tag, error.code, error.method]).toEqual(["ConnectError", "ERR_QUIC_UNPATCHED", "GET"])
      expect(error.cause.message).toBe(
        "@matrixai/quic is installed without the fix of effect-hackney's patches/@matrixai+quic+2.0.9.patch " +
          "(unhandled InvalidStreamState); apply it with patch-package"
      )
      patched = true
      expect(await Effect.runPromise(quic.quicLoaded)).toBe(true)
    } finally {
      restore()
    }
  })

  it("preloadQuic starts the loading at once, once; quicLoaded then waits for it", async () => {
    let reads = 0
    const { quic, restore } = await fresh((original) => (reads++, original))
    try {
      quic.preloadQuic()
      await vi.waitFor(() => expect(reads).toBe(1))
      expect(await Effect.runPromise(quic.quicLoaded)).toBe(true)
      quic.preloadQuic()
      expect(await Effect.runPromise(quic.quicLoaded)).toBe(true)
      expect(reads).toBe(1)
    } finally {
      restore()
    }
  })
})
