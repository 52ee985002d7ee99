/**
 * The chaos suite's HTTP/2 peer: a `node:http2` server whose sessions run
 * over a fault tap (a JS duplex between nghttp2 and the socket, so bytes can
 * be held, split, or a bad frame slipped in between nghttp2's frames), TLS
 * (ALPN h2, the test PKI) or h2c (prior knowledge). Each request names its id
 * (`x-req-id`), response (`x-size`, `x-framing`) and fault (`x-fault`, see
 * `faults.ts`, {@link h2KindsByPhase}; `destroy` destroys the session's
 * socket, or with an odd arg sends GOAWAY(INTERNAL_ERROR) then FIN); the body is the one the HTTP/1.1
 * chaos server sends ({@link responseBody}).
 *
 * It records each request it received as an {@link Arrival}, `processed`
 * false when the server refused it unprocessed (RST_STREAM REFUSED_STREAM, or
 * above a GOAWAY's last stream id): what the replay invariants are checked
 * against. A session hit by a session-level fault (destroyed, reset, FIN, a
 * corrupt frame, a stalled socket) is `faulted`: its other streams may fail
 * with it.
 *
 * The dial/TLS fault listeners are the HTTP/1.1 chaos server's (a fault
 * before ALPN is the same for both).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http2 from "node:http2"
import type * as net from "node:net"
import { Duplex } from "node:stream"
import * as tls from "node:tls"
import { chaosServer, responseBody } from "./chaosServer.js"
import type { Arrival, ChaosServer, Framing } from "./chaosServer.js"
import { parseFault } from "./faults.js"
import type { Fault, FaultCounts } from "./faults.js"
import { cert, rawServer } from "./servers.js"

/** What an HTTP/2 arrival adds: whether the server processed it, and its session. */
export interface H2Arrival extends Arrival {
  processed: boolean
  readonly session: number
}

export interface ChaosH2Server extends ChaosServer {
  /** `http://` of the h2c listener (prior knowledge). */
  readonly h2cUrl: string
  /** `https://` of the TLS listener (ALPN h2). */
  readonly h2Url: string
  readonly arrivals: Map<string, Array<H2Arrival>>
  /** Sessions hit by a session-level fault. */
  readonly faulted: Set<number>
  readonly openSessions: () => number
  readonly openStreams: () => number
}

const refusedStream = http2.constants.NGHTTP2_REFUSED_STREAM
/** RST_STREAM codes for a stream the server processed (never REFUSED_STREAM: that says it was not). */
const resetCodes = [
  http2.constants.NGHTTP2_INTERNAL_ERROR,
  http2.constants.NGHTTP2_CANCEL,
  http2.constants.NGHTTP2_ENHANCE_YOUR_CALM
]

/** An RST_STREAM frame for stream `id` with `code` (written by the tap, so no END_STREAM of nghttp2's can precede it). */
const rstStreamFrame = (id: number, code: number): Buffer => {
  const f = Buffer.alloc(9 + 4)
  f.writeUIntBE(4, 0, 3)
  f[3] = 0x3
  f.writeUInt32BE(id & 0x7fffffff, 5)
  f.writeUInt32BE(code, 9)
  return f
}

/**
 * A frame with a corrupted byte, a connection error for the client: most
 * often a DATA frame whose stream id was zeroed (PROTOCOL_ERROR, RFC 9113
 * §6.1), which Node reports as a session error; one time in four a PING
 * whose length byte says 7, not 8 (FRAME_SIZE_ERROR, §6.7), after which
 * nghttp2 ends the session without Node saying so.
 */
const corruptFrame = (arg: number): Buffer => {
  if (arg % 4 !== 0) return Buffer.alloc(9)
  const f = Buffer.alloc(9 + 7)
  f.writeUIntBE(7, 0, 3)
  f[3] = 0x6
  return f
}

/**
 * The tap between a session and its socket (`inner`: the TLS socket, or the
 * TCP one for h2c; `raw`: the TCP socket). Writes pass through unless held
 * (a stall: the socket neither read nor written), split (the next bytes one
 * per turn), or delayed.
 *
 * The socket is always read, whether the session reads or not, so the
 * client's FIN is always seen: then the tap ends the session. (A session
 * that sent GOAWAY and has no stream left stops reading — nghttp2 wants no
 * more input — and, were the socket paused for it, the client's FIN would
 * stay unread and the socket in CLOSE-WAIT until the server closed.) What is
 * read meanwhile is bounded by HTTP/2 flow control: the client sends no more
 * DATA than the server's windows allow.
 */
export class Tap extends Duplex {
  private held = false
  private splitLeft = 0
  private delayUntil = 0
  private readonly queue: Array<Buffer> = []
  private flushing = false
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(readonly inner: net.Socket, readonly raw: net.Socket) {
    super()
    inner.on("data", (d: Buffer) => {
      if (!this.held) this.push(d)
    })
    inner.on("end", () => {
      this.push(null)
      // The client closed its side (it never half-closes: it is gone). A session still reading sees the end
      // first; one that stopped reading would not: it is ended here, a turn later.
      this.later(0, () => this.destroy())
    })
    inner.on("close", () => {
      for (const t of this.timers) clearTimeout(t)
      this.destroy()
    })
    inner.on("error", () => {})
  }

  override _read(): void {}

  override _write(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.queue.push(chunk)
    this.flush()
    cb()
  }

  override _final(cb: () => void): void {
    if (!this.inner.destroyed) this.inner.end()
    cb()
  }

  override _destroy(e: Error | null, cb: (e: Error | null) => void): void {
    this.inner.destroy()
    if (this.raw !== this.inner) this.raw.destroy()
    cb(e)
  }

  /**
   * Runs `f` after `ms` unless the socket closed meanwhile. Once it has closed nothing is armed: a
   * stream's `close` comes after its socket's when the session is destroyed, and a timer armed then
   * (an idle fault's delay is up to 64 s) was left running after every socket had closed — the ref'd
   * `Timeout` seeds 8002, 9102 and 10042 reported after the pool's scope closed.
   */
  later(ms: number, f: () => void): void {
    if (this.inner.destroyed) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (!this.inner.destroyed) f()
    }, ms)
    this.timers.add(t)
  }

  private flush(): void {
    if (this.flushing || this.held || this.inner.destroyed) return
    const wait = this.delayUntil - Date.now()
    if (wait > 0) {
      this.flushing = true
      return this.later(wait, () => {
        this.flushing = false
        this.flush()
      })
    }
    while (this.queue.length > 0) {
      const b = this.queue[0]
      if (this.splitLeft > 0) {
        this.queue[0] = b.subarray(1)
        if (this.queue[0].length === 0) this.queue.shift()
        this.splitLeft--
        this.inner.write(b.subarray(0, 1))
        this.flushing = true
        setImmediate(() => {
          this.flushing = false
          this.flush()
        })
        return
      }
      this.queue.shift()
      this.inner.write(b)
    }
  }

  /** Holds the next writes `ms`. */
  delay(ms: number): void {
    this.delayUntil = Date.now() + ms
  }

  /** Writes the next `n` bytes one by one. */
  split(n: number): void {
    this.splitLeft = n
  }

  /** Stops answering: nothing more is written, what arrives is dropped (an end of the socket still closes it). */
  stall(): void {
    this.held = true
    this.inner.resume()
  }

  /** Writes `bytes` on the socket between nghttp2's frames. */
  inject(bytes: Buffer): void {
    this.queue.push(bytes)
    this.flush()
  }

  cut(kind: "fin" | "rst"): void {
    if (kind === "fin") {
      // Half-closed: what the client still sends is read and dropped, so its own close ends the socket.
      this.held = true
      this.inner.end()
      this.inner.resume()
    }
    else {
      // After a FIN (an earlier `fin` fault, sent by the TLS socket or the TCP one: they share the handle) no RST
      // can go out: libuv refuses the reset while the shutdown is pending (EINVAL), and Node 20 then drops the
      // socket's handle without closing it — its fd stays open, in CLOSE-WAIT once the client closes, and no
      // `close` event ever comes. Destroyed plainly instead.
      if (this.raw.writableEnded || this.inner.writableEnded) this.raw.destroy()
      else this.raw.resetAndDestroy()
      if (this.inner !== this.raw) this.inner.destroy()
    }
  }
}

interface SessionState {
  readonly index: number
  readonly tap: Tap
  /** The highest stream id processed (the last stream id of a GOAWAY it sends). */
  maxProcessed: number
  /** Streams above this id are refused (a GOAWAY went out). */
  goneAfter: number
  nth: number
  readonly arrivals: Array<H2Arrival>
}

/** Starts the HTTP/2 chaos server's listeners (and the HTTP/1.1 one's setup-fault listeners) in the scope. */
export const chaosH2Server: Effect.Effect<ChaosH2Server, never, Scope.Scope> = Effect.gen(function*() {
  // The HTTP/1.1 server lends its dial/TLS fault listeners (and its fault counts).
  const h1 = yield* chaosServer
  const faults: FaultCounts = h1.faults
  const arrivals = new Map<string, Array<H2Arrival>>()
  const faulted = new Set<number>()
  /** Request ids that reached a stream. */
  const seen = new Set<string>()
  const count = (f: Fault) => faults.set(`${f.phase}/${f.kind}`, (faults.get(`${f.phase}/${f.kind}`) ?? 0) + 1)
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 100 } })
  const states = new WeakMap<http2.ServerHttp2Session, SessionState>()
  const live = new Set<http2.ServerHttp2Session>()
  let sessions = 0
  let streams = 0
  let pendingTap: Tap | undefined
  h2.on("session", (s: http2.ServerHttp2Session) => {
    // Emitted within `emit("connection", tap)`, so the tap is the one just attached.
    const tap = pendingTap!
    pendingTap = undefined
    states.set(s, { index: sessions++, tap, maxProcessed: 0, goneAfter: Infinity, nth: 0, arrivals: [] })
    live.add(s)
    s.on("error", () => {})
    s.on("close", () => {
      live.delete(s)
      tap.destroy()
    })
  })

  /** A session-level fault: the session and every stream on it may fail; responses written may be lost. */
  const sessionFault = (session: http2.ServerHttp2Session, st: SessionState, kind: string, arg = 0): void => {
    faulted.add(st.index)
    for (const a of st.arrivals) a.lost = true
    switch (kind) {
      case "destroy":
        // Odd `arg`: GOAWAY(INTERNAL_ERROR) naming the highest stream processed, then FIN; the streams above, even
        // those already received, are refused, never processed (RFC 9113 §6.8: the client may send them again).
        if (arg % 2 === 1) {
          goaway(session, st, http2.constants.NGHTTP2_INTERNAL_ERROR)
          return st.tap.later(1, () => st.tap.cut("fin"))
        }
        // Even: the session's socket destroyed under it (Node's session goes with it). Not `session.destroy()`:
        // Node ends each open stream's writable side first, and the END_STREAMs it then flushes would make
        // half-sent bodies look complete — a server bug no client can detect.
        return void st.tap.destroy()
      case "rst":
      case "fin":
        return st.tap.cut(kind)
      case "stall":
        return st.tap.stall()
      case "corrupt":
        return st.tap.inject(corruptFrame(arg))
    }
  }

  /**
   * A GOAWAY (NO_ERROR unless `code`) naming the highest stream processed: the ones above are refused, also
   * those whose events come after it (`goneAfter`), so no stream the GOAWAY leaves out is processed.
   */
  const goaway = (session: http2.ServerHttp2Session, st: SessionState, code: number = http2.constants.NGHTTP2_NO_ERROR): void => {
    if (st.goneAfter !== Infinity || session.destroyed || session.closed) return
    st.goneAfter = st.maxProcessed
    session.goaway(code, st.maxProcessed)
  }

  const lowerLimit = (session: http2.ServerHttp2Session, st: SessionState, arg: number): void => {
    if (session.destroyed || session.closed) return
    session.settings({ maxConcurrentStreams: 1 + (arg % 3) })
    st.tap.later(300, () => {
      if (!session.destroyed && !session.closed) session.settings({ maxConcurrentStreams: 100 })
    })
  }

  h2.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    streams++
    stream.on("close", () => streams--)
    stream.on("error", () => {})
    const session = stream.session as http2.ServerHttp2Session | undefined
    const st = session === undefined ? undefined : states.get(session)
    // A stream of a session already destroyed (its events still being delivered).
    if (session === undefined || st === undefined) return void stream.destroy()
    const sid = stream.id ?? 0
    const h = (n: string) => {
      const v = headers[n]
      return Array.isArray(v) ? v[0] : v
    }
    const id = h("x-req-id") ?? "none"
    const method = h(":method") ?? "GET"
    const path = h(":path") ?? "/"
    const size = Number(h("x-size") ?? "32")
    const framing = (h("x-framing") ?? "cl") as Framing
    // A request's fault hits its first arrival only: a retry (after REFUSED_STREAM, a GOAWAY) meets none.
    const fault = seen.has(id) ? undefined : parseFault(h("x-fault"))
    seen.add(id)
    const arrival: H2Arrival = { method, path, nth: ++st.nth, complete: false, written: 0, lost: false, processed: false, session: st.index }
    const record = (processed: boolean) => {
      arrival.processed = processed
      // After a session-level fault nothing more reaches the client.
      if (faulted.has(st.index)) arrival.lost = true
      if (processed) st.maxProcessed = Math.max(st.maxProcessed, sid)
      st.arrivals.push(arrival)
      const list = arrivals.get(id)
      if (list === undefined) arrivals.set(id, [arrival])
      else list.push(arrival)
    }
    const refuse = () => {
      record(false)
      if (!stream.destroyed) stream.close(refusedStream)
    }
    if (sid > st.goneAfter) return refuse()
    if (fault?.phase === "request-head") {
      count(fault)
      switch (fault.kind) {
        case "rst-stream": {
          const code = fault.arg % 2 === 0 ? refusedStream : resetCodes[fault.arg % resetCodes.length]
          if (code === refusedStream) return refuse()
          record(true)
          return void stream.close(code)
        }
        case "goaway":
          goaway(session, st)
          return refuse()
        case "settings":
          lowerLimit(session, st, fault.arg)
          break
        case "stall":
          // The request is taken and never answered (the client's receive timeout ends it): this stream
          // only (even arg), or the whole socket (odd).
          record(true)
          if (fault.arg % 2 === 1) sessionFault(session, st, "stall")
          return
        default:
          record(true)
          return sessionFault(session, st, fault.kind, fault.arg)
      }
    }
    let received = 0
    let bodyFaulted = false
    stream.on("data", (d: Buffer) => {
      received += d.length
      if (fault?.phase === "request-body" && !bodyFaulted) {
        bodyFaulted = true
        count(fault)
        // Above a GOAWAY's last stream id (its body still arriving): refused, never processed.
        if (sid > st.goneAfter) return refuse()
        record(true)
        if (fault.kind === "rst-stream") stream.close(resetCodes[fault.arg % resetCodes.length])
        else sessionFault(session, st, fault.kind, fault.arg)
      }
    })
    stream.on("end", () => {
      if (bodyFaulted || stream.destroyed) return
      if (sid > st.goneAfter) return refuse()
      record(true)
      respond()
    })

    /** Applies `fault` if it is of `phase`; false when the response stops there. */
    const at = (phase: string, go: () => void): void => {
      if (fault === undefined || fault.phase !== phase) return go()
      count(fault)
      switch (fault.kind) {
        case "delay":
          st.tap.delay(fault.arg)
          return go()
        case "split":
          st.tap.split(64)
          return go()
        case "rst-stream": {
          // Node's `close(code)` ends the stream's writable side first: its END_STREAM could beat the reset to the
          // wire and make a half-sent body look complete. The tap writes the reset at once, then Node closes.
          const code = resetCodes[fault.arg % resetCodes.length]
          st.tap.inject(rstStreamFrame(sid, code))
          return void stream.close(code)
        }
        case "goaway":
          // Graceful: this stream (processed) is answered in full, the ones above it are not.
          goaway(session, st)
          return go()
        case "corrupt":
          sessionFault(session, st, "corrupt", fault.arg)
          return go()
        case "stall":
          // This stream only: its response stops here, the session goes on.
          return
        default:
          return sessionFault(session, st, fault.kind, fault.arg)
      }
    }

    const respond = () =>
      at("headers", () => {
        if (stream.destroyed || stream.closed) return
        const redirectTo = path.startsWith("/redirect") ? "/echo" + path.slice("/redirect".length) : undefined
        const body = Buffer.from(redirectTo !== undefined ? `moved:${id}` : responseBody(id, method, received, size), "latin1")
        const trailers = framing === "trailers" && redirectTo === undefined
        stream.respond({
          ":status": redirectTo !== undefined ? 302 : 200,
          "content-type": "text/plain",
          "x-echo-id": id,
          ...(redirectTo !== undefined ? { location: redirectTo } : {}),
          ...(framing === "cl" || redirectTo !== undefined ? { "content-length": body.length } : {})
        }, { waitForTrailers: trailers })
        if (trailers) {
          stream.once("wantTrailers", () =>
            at("trailers", () => {
              if (!stream.destroyed && !stream.closed) stream.sendTrailers({ "x-checksum": id })
            }))
        }
        stream.once("finish", () => {
          arrival.complete = true
          arrival.written = body.length
        })
        const half = body.length >> 1
        stream.write(body.subarray(0, half))
        at("body", () => {
          if (!stream.destroyed && !stream.closed) stream.end(body.subarray(half))
        })
      })

    if (fault?.phase === "idle") {
      stream.once("close", () => {
        if (!arrival.complete) return
        count(fault)
        st.tap.later(fault.arg, () => {
          if (fault.kind === "goaway") goaway(session, st)
          else if (fault.kind === "settings") lowerLimit(session, st, fault.arg)
          else sessionFault(session, st, fault.kind, fault.arg)
        })
      })
    }
  })

  const attach = (tap: Tap) => {
    pendingTap = tap
    h2.emit("connection", tap)
  }
  const plain = yield* rawServer((raw) => {
    raw.setNoDelay(true)
    attach(new Tap(raw, raw))
  })
  const context = tls.createSecureContext({ cert: cert("server.pem"), key: cert("server-key.pem") })
  const secure = yield* rawServer((raw) => {
    raw.setNoDelay(true)
    const s = new tls.TLSSocket(raw, { isServer: true, secureContext: context, ALPNProtocols: ["h2"] })
    s.on("error", () => {})
    s.once("secure", () => attach(new Tap(s, raw)))
  })
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const s of live) s.destroy()
      seen.clear()
    })
  )
  return {
    url: h1.url,
    tlsUrl: h1.tlsUrl,
    h2cUrl: plain.url,
    h2Url: `https://127.0.0.1:${secure.port}`,
    setupFaults: h1.setupFaults,
    arrivals,
    faults,
    faulted,
    openSockets: () => h1.openSockets() + plain.sockets.size + secure.sockets.size,
    openByListener: () =>
      Object.fromEntries(
        Object.entries({ ...h1.openByListener(), h2c: plain.sockets.size, h2: secure.sockets.size, sessions: live.size, streams })
          .filter(([, n]) => n !== 0)
      ),
    accepted: () => h1.accepted() + plain.accepted() + secure.accepted(),
    openSessions: () => live.size,
    openStreams: () => streams
  }
})
