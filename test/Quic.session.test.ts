/**
 * The QUIC pieces below the HTTP/3 driver that need no UDP: the session adapter (`quicSession`)
 * over a stand-in of the library's connection (its events, streams and quiche handle), the
 * classification of a failed dial (`quicError`), the TLS options QUIC refuses, the stream-reset
 * codes both ways, and `dialH3Connection`'s refusal of a proxy. Quic.dial.test.ts dials for real.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConnectError, TlsError } from "../src/HackneyError.js"
import { dialH3Connection } from "../src/internal/connection/dialH3.js"
import type { QuicOpen } from "../src/internal/node/quic.js"
import { isPatched, quicError, unsupportedOption } from "../src/internal/node/quic.js"
import { codeOfReason, QuicStreamReset, quicSession, reasonOfCode } from "../src/internal/node/quicSession.js"
import type { QuicCloseInfo, QuicStreamLike } from "../src/internal/node/quicSession.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import type { DialSpec } from "../src/internal/pool/dialSpec.js"

/** A library stream stand-in: records its cancel reason. */
const libStream = (streamId: number) => {
  const s = {
    streamId,
    readable: new ReadableStream<Uint8Array>() as never,
    writable: new WritableStream<Uint8Array>() as never,
    cancelled: [] as Array<unknown>,
    cancel(reason?: unknown) {
      s.cancelled.push(reason)
      if (s.cancelled.length > 1) throw new Error("already closed in quiche")
    }
  }
  return s
}

/** The library's connection and client, as `quicSession` uses them. */
const fakeOpen = (early: Array<Event> = []) => {
  let resolveClosed!: () => void
  const conn = Object.assign(new EventTarget(), {
    remoteHost: "10.0.0.1",
    remotePort: 443,
    localHost: "10.0.0.2",
    localPort: 5000,
    getRemoteCertsChain: () => [Uint8Array.of(1, 2), Uint8Array.of(3)],
    credit: 3,
    conn: { peerStreamsLeftBidi: (): number => conn.credit },
    nextId: 0,
    newStream: (kind: "bidi" | "uni") => {
      const s = libStream(kind === "bidi" ? conn.nextId : conn.nextId + 2)
      conn.nextId += 4
      return s
    },
    closedP: new Promise<void>((r) => (resolveClosed = r))
  })
  const udp = { refs: 0, ref: () => void udp.refs++, unref: () => void udp.refs-- }
  const closes: Array<number | undefined> = []
  const open = {
    client: { socket: { socket: udp } },
    connection: conn,
    alpn: "h3",
    close: (code?: number) => {
      closes.push(code)
      return Promise.resolve()
    },
    takeEarlyStreams: () => early.splice(0)
  } as unknown as QuicOpen
  return { open, conn, udp, closes, closeSocket: () => resolveClosed() }
}

const streamEvent = (s: unknown) => Object.assign(new Event("EventQUICConnectionStream"), { detail: s })
const closeEvent = (detail?: unknown) => Object.assign(new Event("EventQUICConnectionClose"), { detail })

describe("quicSession (the library's connection as a QuicSession)", () => {
  it("addresses, ALPN, certificate and credit from the connection; none of the addresses once closed", () => {
    const { open, conn } = fakeOpen()
    const s = quicSession(open)
    expect([s.alpn, s.remoteAddress, s.remotePort, s.localAddress, s.localPort]).toEqual(["h3", "10.0.0.1", 443, "10.0.0.2", 5000])
    expect(s.peerCertificate).toEqual(Uint8Array.of(1, 2))
    expect(s.bidiCredit()).toBe(3)
    conn.credit = 0
    expect(s.bidiCredit()).toBe(0)
    conn.conn.peerStreamsLeftBidi = () => {
      throw new Error("quiche freed")
    }
    expect(s.bidiCredit()).toBe(0)
    s.close(0x100)
    expect([s.remoteAddress, s.remotePort, s.localAddress, s.localPort]).toEqual([undefined, undefined, undefined, undefined])
  })

  it("opens bidirectional and unidirectional streams; a reset cancels with our code, once, and never throws", () => {
    const { open } = fakeOpen()
    const s = quicSession(open)
    const bidi = s.openBidi()
    const uni = s.openUni()
    expect([bidi.id, uni.id]).toEqual([0, 6])
    bidi.reset(0x10c)
    expect(() => bidi.reset(0x10c)).not.toThrow() // the library throws on the second cancel: swallowed
  })

  it("a stream's reset reason is a QuicStreamReset of our code, not by the peer", () => {
    const { open, conn } = fakeOpen()
    const made: Array<ReturnType<typeof libStream>> = []
    conn.newStream = () => {
      const l = libStream(0)
      made.push(l)
      return l
    }
    const s = quicSession(open)
    s.openBidi().reset(0x10b)
    const reason = made[0].cancelled[0] as QuicStreamReset
    expect(reason).toBeInstanceOf(QuicStreamReset)
    expect([reason.appCode, reason.byPeer]).toEqual([0x10b, false])
  })

  it("streams the peer opened before listen (early and since) are delivered at listen, in order; later ones at once", () => {
    const early = [streamEvent(libStream(3))]
    const { open, conn } = fakeOpen(early)
    const s = quicSession(open)
    conn.dispatchEvent(streamEvent(libStream(7)))
    const seen: Array<number> = []
    s.listen((st) => seen.push(st.id), () => {})
    expect(seen).toEqual([3, 7])
    conn.dispatchEvent(streamEvent(libStream(11)))
    expect(seen).toEqual([3, 7, 11])
  })

  it("the end: by the peer with an application code; delivered once, the socket closed; listen after the end hears it", () => {
    const { open, conn, closes } = fakeOpen()
    const s = quicSession(open)
    const ends: Array<QuicCloseInfo> = []
    const seen: Array<number> = []
    s.listen((st) => seen.push(st.id), (i) => ends.push(i))
    const cause = { name: "ErrorQUICConnectionPeerTLS", data: { isApp: true, errorCode: 0x101 } }
    conn.dispatchEvent(closeEvent(cause))
    conn.dispatchEvent(closeEvent(cause))
    expect(ends).toEqual([{ byPeer: true, idle: false, code: 0x101, app: true, cause }])
    expect(closes).toEqual([0])
    // Stream events after the end are not delivered; closing after the end sends nothing more.
    conn.dispatchEvent(streamEvent(libStream(15)))
    expect(seen).toEqual([])
    s.close(0x100)
    expect(closes).toEqual([0])

    const two = fakeOpen()
    const s2 = quicSession(two.open)
    two.conn.dispatchEvent(closeEvent({ name: "ErrorQUICConnectionIdleTimeout" }))
    const later: Array<QuicCloseInfo> = []
    s2.listen(() => {}, (i) => later.push(i))
    expect(later).toEqual([{ byPeer: false, idle: true, code: undefined, app: false, cause: { name: "ErrorQUICConnectionIdleTimeout" } }])
  })

  it("a transport close (not isApp) is not an application code; a close without detail is neither by the peer nor idle", async () => {
    const one = fakeOpen()
    const ends: Array<QuicCloseInfo> = []
    quicSession(one.open).listen(() => {}, (i) => ends.push(i))
    one.conn.dispatchEvent(closeEvent({ name: "ErrorQUICConnectionPeer", data: { isApp: false, errorCode: 1 } }))
    expect(ends[0]).toMatchObject({ byPeer: true, app: false, code: 1 })
    const two = fakeOpen()
    const ends2: Array<QuicCloseInfo> = []
    quicSession(two.open).listen(() => {}, (i) => ends2.push(i))
    // The backstop: the connection's closed promise.
    two.closeSocket()
    await new Promise((r) => setImmediate(r))
    expect(ends2).toEqual([{ byPeer: false, idle: false, code: undefined, app: false, cause: undefined }])
  })

  it("our close: with our code, once; then no end is reported and no stream delivered", async () => {
    const { open, conn, closes, closeSocket } = fakeOpen()
    const s = quicSession(open)
    const ends: Array<QuicCloseInfo> = []
    const streams: Array<QuicStreamLike> = []
    s.listen((st) => streams.push(st), (i) => ends.push(i))
    s.close(0x100)
    s.close(0x101)
    expect(closes).toEqual([0x100])
    conn.dispatchEvent(streamEvent(libStream(3)))
    conn.dispatchEvent(closeEvent({ name: "ErrorQUICConnectionPeer" }))
    closeSocket()
    await new Promise((r) => setImmediate(r))
    expect(streams).toEqual([])
    expect(ends).toEqual([])
    expect(closes).toEqual([0x100])
  })

  it("activity: each packet sent calls onActivity while it is set; ref and unref go to the UDP socket", () => {
    const { open, conn, udp } = fakeOpen()
    const s = quicSession(open)
    let n = 0
    conn.dispatchEvent(new Event("EventQUICConnectionSend"))
    s.onActivity = () => n++
    conn.dispatchEvent(new Event("EventQUICConnectionSend"))
    conn.dispatchEvent(new Event("EventQUICConnectionSend"))
    s.onActivity = undefined
    conn.dispatchEvent(new Event("EventQUICConnectionSend"))
    expect(n).toBe(2)
    s.ref()
    s.ref()
    s.unref()
    expect(udp.refs).toBe(1)
  })

  it("ref and unref do nothing when the client has no UDP socket, or a socket without ref/unref", () => {
    for (const client of [{}, { socket: {} }, { socket: { socket: {} } }]) {
      const { open } = fakeOpen()
      const s = quicSession({ ...open, client } as unknown as QuicOpen)
      expect(() => (s.ref(), s.unref())).not.toThrow()
    }
  })

  it("reset codes both ways: ours from a QuicStreamReset (else the fallback); the peer's as a QuicStreamReset by the peer", () => {
    expect(codeOfReason(new QuicStreamReset(0x10c, false), 7)).toBe(0x10c)
    expect(codeOfReason(new Error("x"), 7)).toBe(7)
    expect(codeOfReason(undefined, 0)).toBe(0)
    const r = reasonOfCode(0x102)
    expect([r.appCode, r.byPeer]).toEqual([0x102, true])
    expect(r.message).toBe("stream reset with code 0x102 by the peer")
    expect(new QuicStreamReset(0x10c, false).message).toBe("stream reset with code 0x10c")
  })
})

describe("quic dial errors", () => {
  const target = { host: "h.test", port: 443, tls: {}, protocols: ["h3"] }
  const where = { method: "GET", url: "https://h.test/" }

  it("a TLS failure is TlsError: the verification's reason when it refused, else handshake", () => {
    const peer = quicError(target, where, { name: "ErrorQUICConnectionPeerTLS" }, undefined)
    expect(peer).toBeInstanceOf(TlsError)
    expect(peer).toMatchObject({ reason: "handshake", host: "h.test", port: 443, code: "ErrorQUICConnectionPeerTLS", method: "GET" })
    const refused = quicError(target, where, { name: "ErrorQUICConnectionLocalTLS", code: "X" }, { reason: "hostname", detail: "not h.test" })
    expect(refused).toMatchObject({ _tag: "TlsError", reason: "hostname", code: "X" })
    expect((refused.cause as Error).message).toBe("not h.test")
    expect(((refused.cause as Error).cause as { name: string }).name).toBe("ErrorQUICConnectionLocalTLS")
  })

  it("others are ConnectError: dns for an invalid host, unreachable for the idle timeout, other otherwise", () => {
    expect(quicError(target, where, { name: "ErrorQUICHostInvalid" }, undefined)).toMatchObject({ _tag: "ConnectError", reason: "dns" })
    expect(quicError(target, where, { name: "ErrorQUICConnectionIdleTimeout" }, undefined)).toMatchObject({ reason: "unreachable" })
    const other = quicError(target, where, new Error("boom"), undefined)
    expect(other).toBeInstanceOf(ConnectError)
    expect(other).toMatchObject({ reason: "other", code: "Error" })
    expect(quicError(target, where, null, undefined)).toMatchObject({ reason: "other", code: undefined })
    expect(quicError(target, where, { code: 5 }, undefined)).toMatchObject({ code: undefined })
    expect(quicError(target, where, { name: 42 }, undefined)).toMatchObject({ reason: "other", code: undefined })
  })

  it("TLS options QUIC cannot honour: pfx, passphrase, a TLS version below 1.3", () => {
    expect(unsupportedOption({})).toBeUndefined()
    expect(unsupportedOption({ maxVersion: "TLSv1.3", minVersion: "TLSv1.2" })).toBeUndefined()
    expect(unsupportedOption({ pfx: "x" })).toContain("no `pfx` or `passphrase`")
    expect(unsupportedOption({ passphrase: "x" })).toContain("no `pfx` or `passphrase`")
    expect(unsupportedOption({ maxVersion: "TLSv1.2" })).toBe("QUIC needs TLS 1.3, but `maxVersion` is TLSv1.2")
  })

  it("isPatched: the connection's stream loop defers streams while starting", () => {
    class Patched {
      processStreams() {
        return this.constructor.name === "x" ? "'starting'" : ""
      }
    }
    class Unpatched {
      processStreams() {
        return "running"
      }
    }
    expect(isPatched(Patched)).toBe(true)
    expect(isPatched(Unpatched)).toBe(false)
    expect(isPatched(class {})).toBe(false)
  })

  it.effect("dialH3Connection refuses a proxy with InvalidRequest option, before any I/O", () =>
    Effect.gen(function*() {
      const spec = {
        key: "k",
        transport: "tls",
        host: "h.test",
        port: 443,
        connectTimeout: 1000,
        recvTimeout: 1000,
        proxy: { kind: "socks5", host: "p.test", port: 1080, display: "socks5://p.test:1080" }
      } as unknown as DialSpec
      const e = yield* Effect.flip(dialH3Connection(spec, "GET", "https://h.test/", wheelFor(yield* Effect.clock)))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option", method: "GET", url: "https://h.test/" })
      expect(e.message).toContain("cannot go through the socks5 proxy")
    }))
})
