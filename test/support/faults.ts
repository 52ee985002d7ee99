/**
 * The fault schedule of the chaos suite: what may go wrong, where, decided
 * per request from a seed (so a seed reproduces each request's fault whatever
 * the interleaving), and the fault-injecting write path ({@link FaultWire})
 * the chaos server (`chaosServer.ts`) speaks through: it wraps a real loopback
 * socket and, at the chosen phase of a response, delays, splits into 1-byte
 * writes, half-closes (FIN), resets (RST), stalls, duplicates, corrupts a byte
 * or appends unsolicited bytes.
 *
 * Faults before any header can name the request (dial, TLS) are injected by
 * listeners of their own (the request is sent to their port).
 */
import type * as net from "node:net"
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus"

/** Where a fault hits: the connection's setup, the request as received, the response as written, the pooled connection. */
export type Phase =
  | "dial"
  | "tls"
  | "request-head"
  | "request-body"
  | "status-line"
  | "headers"
  | "body"
  | "chunk-size"
  | "trailers"
  | "idle"

/**
 * What the fault does. The HTTP/2 server (`chaosH2Server.ts`) adds frame and
 * stream faults: `rst-stream` (RST_STREAM; `REFUSED_STREAM` only before the
 * request is processed), `goaway` (GOAWAY whose last stream id is the highest
 * one processed: the streams above, in flight, were not), `destroy` (the
 * session destroyed), `settings` (SETTINGS lowering MAX_CONCURRENT_STREAMS);
 * there `corrupt` is a frame with a corrupted length byte (a session error).
 */
export type Kind =
  | "delay"
  | "split"
  | "fin"
  | "rst"
  | "stall"
  | "duplicate"
  | "corrupt"
  | "unsolicited"
  | "rst-stream"
  | "goaway"
  | "destroy"
  | "settings"

/** One request's fault; `arg`: milliseconds for delay/idle, the byte position for corrupt. */
export interface Fault {
  readonly phase: Phase
  readonly kind: Kind
  readonly arg: number
}

/** The phases of a response, as the server writes it. */
export const responsePhases: ReadonlyArray<Phase> = ["status-line", "headers", "body", "chunk-size", "trailers"]

/**
 * The faults each phase can take. Excluded on purpose: duplicating or
 * corrupting body bytes (and duplicating the blank line ending the head),
 * which no HTTP/1.1 client can tell from a real body — every fault here is
 * one a correct client either survives with the right body or reports.
 */
export const kindsByPhase: Readonly<Record<Phase, ReadonlyArray<Kind>>> = {
  dial: ["fin", "rst"],
  tls: ["fin", "rst"],
  "request-head": ["fin", "rst", "stall"],
  "request-body": ["fin", "rst", "stall"],
  "status-line": ["delay", "split", "fin", "rst", "stall", "duplicate", "corrupt"],
  headers: ["delay", "split", "fin", "rst", "stall", "duplicate", "corrupt"],
  body: ["delay", "split", "fin", "rst", "stall", "duplicate"],
  "chunk-size": ["delay", "split", "fin", "rst", "stall", "duplicate", "corrupt"],
  trailers: ["delay", "split", "fin", "rst", "duplicate", "corrupt"],
  idle: ["fin", "rst", "unsolicited"]
}

/**
 * The faults of each phase over HTTP/2 (`status-line` and `chunk-size` do
 * not exist there; `headers` is the response HEADERS frame, `body` its DATA,
 * `trailers` the trailing HEADERS). Duplicated or corrupted DATA payload is
 * left out for the reason above: HTTP/2 has no checksum either.
 */
export const h2KindsByPhase: Readonly<Record<Phase, ReadonlyArray<Kind>>> = {
  dial: ["fin", "rst"],
  tls: ["fin", "rst"],
  "request-head": ["rst-stream", "goaway", "settings", "stall", "destroy", "rst", "fin"],
  "request-body": ["rst-stream", "destroy", "rst"],
  "status-line": [],
  headers: ["delay", "split", "rst-stream", "destroy", "rst", "fin", "corrupt", "stall", "goaway"],
  body: ["delay", "split", "rst-stream", "destroy", "rst", "fin", "stall", "corrupt", "goaway"],
  "chunk-size": [],
  trailers: ["delay", "rst-stream", "corrupt"],
  idle: ["goaway", "destroy", "rst", "fin", "corrupt", "settings"]
}

/** A seeded source of numbers: one per request (`forRequest`), so a seed reproduces every request's draw. */
export interface Dice {
  readonly int: (from: number, to: number) => number
  readonly chance: (p: number) => boolean
  readonly pick: <A>(xs: ReadonlyArray<A>) => A
}

/** The dice of request number `index` under `seed`. */
export const dice = (seed: number, index: number): Dice => {
  const rng = xoroshiro128plus((seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0)
  const int = (from: number, to: number) => uniformInt(rng, from, to)
  return {
    int,
    chance: (p) => int(0, 9999) < p * 10000,
    pick: (xs) => xs[int(0, xs.length - 1)]
  }
}

/** A fresh seed (printed by every run). */
export const newSeed = (): number => (Math.random() * 0x7fffffff) | 0

/**
 * The fault of one request, or none: `rate` of the requests get one; stalls
 * (which cost a receive timeout) are rarer. `table`: the kinds by phase
 * (HTTP/1.1's by default, {@link h2KindsByPhase}). `phases`: those this request can
 * meet (a request without a body has no request-body phase; a
 * Content-Length response no chunk-size nor trailers).
 */
export const planFault = (
  d: Dice,
  rate: number,
  phases: ReadonlyArray<Phase>,
  table: Readonly<Record<Phase, ReadonlyArray<Kind>>> = kindsByPhase
): Fault | undefined => {
  if (!d.chance(rate)) return undefined
  const phase = d.pick(phases)
  let kind = d.pick(table[phase])
  if (kind === "stall" && !d.chance(0.25)) kind = "rst"
  return { phase, kind, arg: kind === "corrupt" ? d.int(0, 1 << 16) : d.int(0, 15) }
}

/** The `x-fault` header value naming a fault for the server, and back. */
export const faultHeader = (f: Fault): string => `${f.phase}/${f.kind}/${f.arg}`
export const parseFault = (v: string | undefined): Fault | undefined => {
  if (v === undefined) return undefined
  const [phase, kind, arg] = v.split("/")
  return { phase: phase as Phase, kind: kind as Kind, arg: Number(arg) }
}

/** Counts of faults injected, by `phase/kind`. */
export type FaultCounts = Map<string, number>

/**
 * Writes a response's pieces to a real socket, applying one fault at the
 * first piece of its phase. Resolves true when every piece was written and
 * the connection stays usable, false when the fault ended it (closed, reset
 * or stalled until the client gives up). Its timers die with the socket.
 */
export class FaultWire {
  private readonly timers = new Set<NodeJS.Timeout>()
  /** `raw`: the TCP socket under a TLS `socket` (a TLS socket cannot be reset itself). */
  constructor(readonly socket: net.Socket, private readonly counts: FaultCounts, private readonly raw: net.Socket = socket) {
    socket.setNoDelay(true)
    socket.on("close", () => {
      for (const t of this.timers) clearTimeout(t)
      this.timers.clear()
    })
  }

  /** Counts `f` as injected. */
  count(f: Fault): void {
    const k = `${f.phase}/${f.kind}`
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1)
  }

  /**
   * Runs `f` after `ms` unless the socket closed meanwhile; the timer, for {@link cancel}. Once the
   * socket has closed nothing is armed (a timer armed then would outlive it; see the HTTP/2 tap's).
   */
  later(ms: number, f: () => void): NodeJS.Timeout | undefined {
    if (this.socket.destroyed) return undefined
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (!this.socket.destroyed) f()
    }, ms)
    this.timers.add(t)
    return t
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return
    clearTimeout(t)
    this.timers.delete(t)
  }

  /** Called on each reset (what was written and not yet read may be lost). */
  onReset: (() => void) | undefined = undefined

  /** Ends the connection as the fault says: FIN or RST; a stall leaves it open and silent. */
  cut(kind: Kind): void {
    if (kind === "rst") this.onReset?.()
    if (kind === "fin") this.socket.end()
    else if (kind === "rst") {
      this.raw.resetAndDestroy()
      if (this.raw !== this.socket) this.socket.destroy()
    }
  }

  /** Writes `pieces` in order, with `fault` at the first piece of its phase. */
  write(pieces: ReadonlyArray<readonly [Phase, Buffer]>, fault: Fault | undefined): Promise<boolean> {
    return new Promise((done) => {
      let i = 0
      let applied = false
      const next = (): void => {
        if (this.socket.destroyed) return done(false)
        if (i === pieces.length) return done(true)
        const [phase, bytes] = pieces[i]
        if (fault === undefined || applied || fault.phase !== phase) {
          i++
          this.socket.write(bytes)
          return next()
        }
        applied = true
        this.count(fault)
        switch (fault.kind) {
          case "delay":
            this.later(fault.arg, next)
            return
          case "split": {
            // The first 64 bytes one by one (each its own write, a turn of the event loop apart), the rest at
            // once: a byte-wise write of a whole large body takes minutes on a loaded machine.
            i++
            let k = 0
            const byte = (): void => {
              if (this.socket.destroyed) return done(false)
              if (k === bytes.length) return next()
              if (k === 64) {
                this.socket.write(bytes.subarray(k))
                k = bytes.length
                return next()
              }
              this.socket.write(bytes.subarray(k, ++k))
              setImmediate(byte)
            }
            return byte()
          }
          case "duplicate":
            i++
            this.socket.write(bytes)
            this.socket.write(bytes)
            return next()
          case "corrupt": {
            i++
            const copy = Buffer.from(bytes)
            copy[fault.arg % copy.length] = 0
            this.socket.write(copy)
            return next()
          }
          default:
            this.cut(fault.kind)
            return done(false)
        }
      }
      next()
    })
  }
}
