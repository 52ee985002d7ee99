/**
 * A hand-written HTTP/2 peer for hostile-server tests: a raw TCP server (h2c,
 * prior knowledge) that reads the client preface and frames (9-byte frame
 * header, RFC 9113 §4.1) and writes exact frames back, so a test can send
 * what `node:http2` servers never would (floods, bad frames, oversized
 * header lists). HPACK is only what the tests need: the static-table index
 * for `:status: 200` and literal fields without indexing.
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as net from "node:net"
import { rawServer } from "./servers.js"
import type { Listening } from "./servers.js"

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9
} as const

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const

export interface Frame {
  readonly type: number
  readonly flags: number
  readonly streamId: number
  readonly payload: Buffer
}

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1")

/** One frame: the 9-byte header, then `payload`. `length` overrides the declared length (to lie about it). */
export const frame = (type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), length = payload.length): Buffer => {
  const head = Buffer.alloc(9)
  head.writeUIntBE(length, 0, 3)
  head.writeUInt8(type, 3)
  head.writeUInt8(flags, 4)
  head.writeUInt32BE(streamId & 0x7fffffff, 5)
  return Buffer.concat([head, payload])
}

/** A SETTINGS frame with `entries` (`[id, value]`). */
export const settings = (entries: ReadonlyArray<readonly [number, number]> = []): Buffer => {
  const p = Buffer.alloc(entries.length * 6)
  entries.forEach(([id, value], i) => {
    p.writeUInt16BE(id, i * 6)
    p.writeUInt32BE(value, i * 6 + 2)
  })
  return frame(FrameType.SETTINGS, 0, 0, p)
}

/** A 4-byte big-endian payload (RST_STREAM's code, WINDOW_UPDATE's increment). */
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

/** An HPACK integer with an `n`-bit prefix (RFC 7541 §5.1), `first` holding the pattern bits above it. */
const hpackInt = (value: number, n: number, first: number): Buffer => {
  const max = (1 << n) - 1
  if (value < max) return Buffer.from([first | value])
  const out = [first | max]
  let v = value - max
  while (v >= 128) {
    out.push((v % 128) + 128)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return Buffer.from(out)
}

/** `:status: 200`, static table index 8 (RFC 7541 Appendix A). */
export const status200 = Buffer.from([0x88])

/** A literal field without indexing, new name (RFC 7541 §6.2.2), no Huffman coding. */
export const literal = (name: string, value: string): Buffer =>
  Buffer.concat([Buffer.from([0x00]), hpackInt(name.length, 7, 0), Buffer.from(name, "latin1"), hpackInt(value.length, 7, 0), Buffer.from(value, "latin1")])

/** A connection to the peer: its socket and a writer that ignores a socket already gone. */
export interface PeerConnection {
  readonly socket: net.Socket
  /** The connection's number, from 1, in accept order. */
  readonly index: number
  readonly write: (bytes: Buffer) => boolean
}

export interface PeerOptions {
  /** Called once a connection is accepted, before anything is read (write garbage here). Default: send an empty SETTINGS. */
  readonly onConnect?: (c: PeerConnection) => void
  /** Called for each frame after the preface; the client's SETTINGS are acknowledged before. */
  readonly onFrame: (c: PeerConnection, f: Frame) => void
}

/** Answers a request stream with `:status 200` and no body (a well-behaved server). */
export const ok = (c: PeerConnection, streamId: number): void => {
  c.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, streamId, status200))
}

/** A raw h2c peer on 127.0.0.1 port 0, closed with its scope. */
export const h2Peer = (options: PeerOptions): Effect.Effect<Listening, never, Scope.Scope> => {
  let accepted = 0
  return rawServer((socket) => {
    const c: PeerConnection = {
      socket,
      index: ++accepted,
      write: (bytes) => !socket.destroyed && socket.write(bytes)
    }
    if (options.onConnect !== undefined) options.onConnect(c)
    else c.write(settings())
    let buf: Buffer = Buffer.alloc(0)
    let sawPreface = false
    socket.on("data", (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d])
      if (!sawPreface) {
        if (buf.length < preface.length) return
        if (!buf.subarray(0, preface.length).equals(preface)) return void socket.destroy()
        sawPreface = true
        buf = buf.subarray(preface.length)
      }
      while (buf.length >= 9) {
        const length = buf.readUIntBE(0, 3)
        if (buf.length < 9 + length) break
        const f: Frame = { type: buf[3], flags: buf[4], streamId: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + length) }
        buf = buf.subarray(9 + length)
        if (f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0) c.write(frame(FrameType.SETTINGS, Flag.ACK, 0))
        if (socket.destroyed) return
        options.onFrame(c, f)
      }
    })
  })
}
