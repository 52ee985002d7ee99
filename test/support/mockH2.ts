/**
 * An in-memory `node:http2` client session for the HTTP/2 driver's own tests
 * (test/H2Connection.mock.test.ts): the session and its streams are event
 * emitters the test plays by hand — it answers a stream (`response`,
 * `headers`, `data`, `trailers`, `end`), resets or closes it, sends the
 * session's GOAWAY, SETTINGS, error and close — so `H2Connection` and
 * `H2Stream` run without nghttp2, a socket or a timer. Only what the driver
 * uses is modelled: events are emitted when the test says so, never on
 * their own, except what a real stream does by itself: `close(code)` sets
 * `rstCode` and emits `close` on a later tick (unless the test made the
 * stream `stuck`, as when nghttp2 stopped sending frames).
 */
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import type * as http2 from "node:http2"
import type { Request } from "../../src/internal/connection/connection.js"
import type { BodyMode } from "../../src/internal/connection/exchange.js"
import { H2Connection } from "../../src/internal/connection/h2Connection.js"
import type { H2Stream } from "../../src/internal/connection/h2Stream.js"
import { defaultHeadLimits } from "../../src/internal/http1/types.js"
import type { HeadLimits } from "../../src/internal/http1/types.js"
import { currentWheel } from "../../src/internal/timer/wheel.js"
import { testRequest } from "./driver.js"
import { mockTransport } from "./mockTransport.js"

/** A client stream: what the driver wrote and did to it, and the events the test sends. */
export class FakeStream extends EventEmitter {
  /** Given by the session when the request was made; undefined: not yet sent. */
  id: number | undefined
  rstCode: number | undefined = undefined
  destroyed = false
  /** Body bytes the driver wrote (`write`, and `end(bytes)`). */
  readonly written: Array<Buffer> = []
  /** The driver ended its side (END_STREAM). */
  ended = false
  /** The code the driver reset the stream with (`close(code)`). */
  closedWith: number | undefined = undefined
  isPaused = false
  /** `write` returns false (the flow-control window is full) while set. */
  blocked = false
  /** Trailers the driver sent. */
  trailersSent: Record<string, string | Array<string>> | undefined = undefined
  /** `sendTrailers` throws this, when set. */
  trailersThrow: Error | undefined = undefined
  /** A reset does not close the stream (nghttp2 stopped sending frames): its `close` never comes. */
  stuck = false
  private closeEmitted = false

  constructor(
    readonly headers: Record<string, string | Array<string>>,
    readonly options: http2.ClientSessionRequestOptions,
    id: number | undefined
  ) {
    super()
    this.id = id
  }

  write(chunk: Uint8Array): boolean {
    this.written.push(Buffer.from(chunk))
    return !this.blocked
  }
  end(chunk?: Uint8Array): void {
    if (chunk !== undefined) this.written.push(Buffer.from(chunk))
    this.ended = true
  }
  /** Resets the stream: like Node, `close` follows on a later tick (unless {@link stuck}). */
  close(code: number): void {
    this.closedWith = code
    this.rstCode = code
    if (!this.stuck) queueMicrotask(() => this.closeWith())
  }
  pause(): void {
    this.isPaused = true
  }
  resume(): void {
    this.isPaused = false
  }
  sendTrailers(trailers: Record<string, string | Array<string>>): void {
    if (this.trailersThrow !== undefined) throw this.trailersThrow
    this.trailersSent = trailers
  }

  // --- the peer ---------------------------------------------------------------------

  /** A HEADERS frame: `:status` and `fields` (`[name, value, …]`). A 1xx goes as `headers`, a final one as `response`. */
  respond(status: number, fields: ReadonlyArray<string> = []): void {
    const raw = [":status", String(status), ...fields]
    this.emit(status < 200 ? "headers" : "response", { ":status": String(status) }, 0, raw)
  }
  data(bytes: string | Uint8Array): void {
    this.emit("data", typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes))
  }
  trailers(fields: ReadonlyArray<string>): void {
    this.emit("trailers", {}, 0, fields)
  }
  /** END_STREAM from the peer. */
  finish(): void {
    this.emit("end")
  }
  /** The stream closes (with `code` as its reset code, if given). */
  closeWith(code?: number): void {
    if (this.closeEmitted) return
    this.closeEmitted = true
    if (code !== undefined) this.rstCode = code
    this.destroyed = true
    this.emit("close")
  }
  drain(): void {
    this.blocked = false
    this.emit("drain")
  }
}

/** A client session: its streams, and the session events the test sends. */
export class FakeSession extends EventEmitter {
  destroyed = false
  closed = false
  refd = true
  remoteSettings: { maxConcurrentStreams?: number } | undefined = {}
  readonly streams: Array<FakeStream> = []
  /** `request` throws this, when set. */
  requestThrows: Error | undefined = undefined
  /** Streams get no id (not yet sent) while set. */
  withoutIds = false
  localWindow: number | undefined = undefined
  private nextId = 1

  request(headers: Record<string, string | Array<string>>, options: http2.ClientSessionRequestOptions): FakeStream {
    if (this.requestThrows !== undefined) throw this.requestThrows
    const s = new FakeStream(headers, options, this.withoutIds ? undefined : this.nextId)
    this.nextId += 2
    this.streams.push(s)
    return s
  }
  destroy(): void {
    this.destroyed = true
  }
  ref(): void {
    this.refd = true
  }
  unref(): void {
    this.refd = false
  }
  setLocalWindowSize(n: number): void {
    this.localWindow = n
  }
  /** PINGs sent; a healthy peer's ACK follows on a later tick unless `pingsUnanswered`. */
  pings = 0
  pingsUnanswered = false
  ping(callback: (error: Error | null) => void): boolean {
    this.pings++
    if (!this.pingsUnanswered) queueMicrotask(() => callback(null))
    return true
  }

  /** The last stream the driver opened. */
  get last(): FakeStream {
    return this.streams[this.streams.length - 1]
  }
  goaway(code: number, lastStreamId: number): void {
    this.emit("goaway", code, lastStreamId)
  }
  settings(s: { maxConcurrentStreams?: number }): void {
    this.remoteSettings = s
    this.emit("remoteSettings", s)
  }
  fail(error: Error): void {
    this.emit("error", error)
  }
  /** The session closes (Node's `close`). */
  end(): void {
    this.destroyed = true
    this.emit("close")
  }
}

/** `e` as a Node error with `code` (as nghttp2's are). */
export const codeError = (message: string, code: string, errno?: number): Error =>
  Object.assign(new Error(message), { code, ...(errno !== undefined ? { errno } : {}) })

/** The URL of the requests {@link h2Session} starts. */
export const h2Url = "https://example.test/items"

/**
 * An `H2Connection` over a {@link FakeSession} (TLS, ALPN `h2` unless given),
 * as the dial leaves it after the first SETTINGS, on the TestClock's wheel;
 * `start` begins a request of `testRequest(h2Url, over)` and returns its
 * exchange, fake stream and driver; `changes` and `closed` count the pool's
 * hooks (`onChange`, `onClosed`).
 */
export const h2Session = (options: { readonly alpn?: string; readonly headLimits?: HeadLimits } = {}) =>
  Effect.gen(function*() {
    const wheel = yield* currentWheel
    const { open, peer } = mockTransport({ alpn: options.alpn ?? "h2" })
    const fake = new FakeSession()
    const conn = new H2Connection({ ...open, tls: true }, fake as unknown as http2.ClientHttp2Session, {
      scheme: "https",
      host: "example.test",
      port: 443,
      headLimits: options.headLimits ?? defaultHeadLimits,
      wheel,
      settingsTimeout: 1000
    })
    let changes = 0
    conn.onChange = () => changes++
    let closed = 0
    conn.onClosed = () => closed++
    const start = (over: Partial<Request> = {}, mode: BodyMode = "collect", bodyFollows = over.body?._tag === "Stream") => {
      const ex = conn.begin(testRequest(h2Url, over), mode, wheel, bodyFollows)
      return { ex, stream: fake.last, driver: ex.driver as H2Stream }
    }
    return { conn, fake, peer, start, changes: () => changes, closed: () => closed }
  })
