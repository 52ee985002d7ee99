/**
 * An in-memory QUIC connection for the HTTP/3 driver's tests: a
 * `QuicSession` whose peer (the "server") the test plays by hand — it reads
 * what the client wrote on each stream, writes frames back, resets streams,
 * opens its unidirectional streams, grants stream credit, closes the
 * connection. Deterministic: no UDP, no timers.
 */
import { Effect, Either } from "effect"
import { ReadableStream, WritableStream } from "node:stream/web"
import type { ReadableStreamDefaultController } from "node:stream/web"
import { encodeFrame, FrameType } from "../../src/internal/http3/frame.js"
import { FrameReader } from "../../src/internal/http3/frameReader.js"
import { decodeFieldSection, encodeFieldSection } from "../../src/internal/http3/qpack.js"
import { encodeVarint } from "../../src/internal/http3/varint.js"
import { QuicStreamReset } from "../../src/internal/node/quicSession.js"
import type { QuicCloseInfo, QuicSession, QuicStreamLike } from "../../src/internal/node/quicSession.js"
import type { HackneyError } from "../../src/HackneyError.js"
import type { Exchange } from "../../src/internal/connection/exchange.js"
import { H3Connection } from "../../src/internal/connection/h3Connection.js"
import { defaultHeadLimits } from "../../src/internal/http1/types.js"
import type { HeadLimits } from "../../src/internal/http1/types.js"
import { wheelFor } from "../../src/internal/timer/wheel.js"

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => Uint8Array.from(Buffer.concat(parts))

/** One stream: the client's side is the `QuicStreamLike`; the test plays the server through the other methods. */
export class MemStream implements QuicStreamLike {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  /** What the client wrote. */
  readonly written: Array<Uint8Array> = []
  /** The client ended its side (FIN). */
  fin = false
  /** The client reset the stream with this code. */
  resetCode: number | undefined = undefined
  /** Server bytes not yet read by the client (reads are pulled one chunk at a time). */
  readonly queued: Array<Uint8Array> = []
  private ended = false
  private errored: unknown = undefined
  private ctrl!: ReadableStreamDefaultController<Uint8Array>
  private waiting: (() => void) | undefined

  constructor(readonly id: number) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.ctrl = c
      },
      pull: () => this.pull()
    }, { highWaterMark: 0 })
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.resetCode !== undefined) throw new QuicStreamReset(this.resetCode, false)
        this.written.push(Uint8Array.from(chunk))
      },
      close: () => {
        this.fin = true
      }
    })
  }

  private pull(): Promise<void> | void {
    if (this.errored !== undefined) return this.ctrl.error(this.errored)
    const next = this.queued.shift()
    if (next !== undefined) return this.ctrl.enqueue(next)
    if (this.ended) return this.ctrl.close()
    return new Promise<void>((resolve) => {
      this.waiting = () => {
        this.waiting = undefined
        resolve(this.pull() as undefined)
      }
    })
  }

  private poke(): void {
    this.waiting?.()
  }

  reset(code: number): void {
    if (this.resetCode !== undefined) return
    this.resetCode = code
    this.errored ??= new QuicStreamReset(code, false)
    try {
      this.ctrl.error(this.errored)
    } catch {
      // closed already
    }
    this.poke()
  }

  /** The server writes `bytes`. */
  send(bytes: Uint8Array): void {
    this.queued.push(bytes)
    this.poke()
  }

  /** The server ends its side (FIN). */
  end(): void {
    this.ended = true
    this.poke()
  }

  /** The server resets the stream (RESET_STREAM `code`). */
  serverReset(code: number): void {
    this.errored = new QuicStreamReset(code, true)
    this.queued.length = 0
    this.poke()
  }

  /** All the client wrote, as one buffer. */
  bytes(): Uint8Array {
    return concat(this.written)
  }

  /** The client's frames on this stream: HEADERS decoded to field lines, DATA as text. */
  frames(): Array<{ type: "headers"; fields: Array<string> } | { type: "data"; text: string }> {
    const out: Array<{ type: "headers"; fields: Array<string> } | { type: "data"; text: string }> = []
    const r = new FrameReader("request", {
      headers: (b) => {
        out.push({ type: "headers", fields: decodeFieldSection(b, 1 << 20) as Array<string> })
        return undefined
      },
      data: (c) => {
        const last = out[out.length - 1]
        if (last?.type === "data") last.text += Buffer.from(c).toString("latin1")
        else out.push({ type: "data", text: Buffer.from(c).toString("latin1") })
        return undefined
      },
      settings: () => undefined,
      goaway: () => undefined
    })
    const e = r.push(this.bytes())
    if (e !== undefined) throw e
    return out
  }
}

/** The session: the client's `QuicSession`; the test drives the server side. */
export class MemSession implements QuicSession {
  readonly alpn = "h3"
  readonly remoteAddress: string | undefined = "127.0.0.1"
  readonly remotePort: number | undefined = 443
  readonly localAddress: string | undefined = "127.0.0.1"
  readonly localPort: number | undefined = 50000
  readonly peerCertificate: Uint8Array | undefined = undefined
  onActivity: (() => void) | undefined = undefined
  /** Streams the client opened, by id. */
  readonly streams = new Map<number, MemStream>()
  /** The client closed the connection with this code. */
  closedWith: number | undefined = undefined
  refs = 0
  private nextBidi = 0
  private nextUni = 2
  private nextServerUni = 3
  private onStream: ((s: QuicStreamLike) => void) | undefined
  private onClose: ((info: QuicCloseInfo) => void) | undefined

  constructor(public credit = 100) {}

  bidiCredit(): number {
    return this.credit
  }

  openBidi(): QuicStreamLike {
    if (this.credit <= 0) throw new Error("ErrorQUICStreamLimit")
    this.credit--
    const s = new MemStream(this.nextBidi)
    this.nextBidi += 4
    this.streams.set(s.id, s)
    return s
  }

  openUni(): QuicStreamLike {
    const s = new MemStream(this.nextUni)
    this.nextUni += 4
    this.streams.set(s.id, s)
    return s
  }

  listen(onStream: (s: QuicStreamLike) => void, onClose: (info: QuicCloseInfo) => void): void {
    this.onStream = onStream
    this.onClose = onClose
  }

  close(code: number): void {
    this.closedWith ??= code
  }

  ref(): void {
    this.refs++
  }

  unref(): void {
    this.refs--
  }

  // --- the server's side ---------------------------------------------------------

  /** The request streams (client bidirectional), in order. */
  requests(): Array<MemStream> {
    return [...this.streams.values()].filter((s) => s.id % 4 === 0)
  }

  /** The client's unidirectional streams' first bytes (their types and what follows). */
  uniStreams(): Array<MemStream> {
    return [...this.streams.values()].filter((s) => s.id % 4 === 2)
  }

  /** Gives `n` more stream credit (MAX_STREAMS) and tells the client of the traffic. */
  grant(n: number): void {
    this.credit += n
    this.onActivity?.()
  }

  /** The server opens a unidirectional stream and writes `bytes` on it. */
  serverUni(bytes: Uint8Array): MemStream {
    const s = new MemStream(this.nextServerUni)
    this.nextServerUni += 4
    this.onStream!(s)
    s.send(bytes)
    return s
  }

  /** The server opens a bidirectional stream (not allowed in HTTP/3). */
  serverBidi(): MemStream {
    const s = new MemStream(1)
    this.onStream!(s)
    return s
  }

  /** The server's control stream, with SETTINGS (`pairs` of id and value) and then `more`. */
  serverControl(pairs: ReadonlyArray<number> = [], ...more: Array<Uint8Array>): MemStream {
    const payload = concat(pairs.map((v) => encodeVarint(v)))
    return this.serverUni(concat([encodeVarint(0), encodeFrame(FrameType.SETTINGS, payload), ...more]))
  }

  /** The connection ends (CONNECTION_CLOSE from the server, or an idle timeout). */
  serverClose(info: Partial<QuicCloseInfo>): void {
    this.onClose?.({ byPeer: true, idle: false, code: undefined, app: false, cause: undefined, ...info })
  }
}

/** A HEADERS frame of `fields`. */
export const headersFrame = (fields: ReadonlyArray<string>): Uint8Array => encodeFrame(FrameType.HEADERS, encodeFieldSection(fields))

/** A DATA frame of `text`. */
export const dataFrame = (text: string | Uint8Array): Uint8Array =>
  encodeFrame(FrameType.DATA, typeof text === "string" ? Buffer.from(text, "latin1") : text)

/** A GOAWAY frame naming stream `id`. */
export const goawayFrame = (id: number): Uint8Array => encodeFrame(FrameType.GOAWAY, encodeVarint(id))

/** Lets the driver's promise chains run. */
export const settle = (turns = 5): Promise<void> =>
  new Promise((resolve) => {
    let n = turns
    const next = () => (--n <= 0 ? resolve() : setImmediate(next))
    setImmediate(next)
  })

/** The driver over a fresh double with `credit` streams, on the test's Clock (its wheel too). */
export const openDriver = (credit = 100, headLimits: HeadLimits = defaultHeadLimits, method?: string, url?: string) =>
  Effect.clockWith((clock) => {
    const wheel = wheelFor(clock)
    const session = new MemSession(credit)
    const conn = new H3Connection(session, { headLimits, wheel, method, url })
    return Effect.succeed({ session, conn, wheel })
  })

/** Lets the driver's promise chains run, as an Effect. */
export const tick = Effect.promise(() => settle())

/** Waits until the exchange completes or fails. */
export const complete = (ex: Exchange) => Effect.either(ex.waitFor(ex.isComplete))

/** The error the exchange fails with (a defect if it completes). */
export const failure = (ex: Exchange): Effect.Effect<HackneyError> =>
  Effect.flatMap(complete(ex), (r) => (Either.isLeft(r) ? Effect.succeed(r.left) : Effect.dieMessage("the exchange completed")))
