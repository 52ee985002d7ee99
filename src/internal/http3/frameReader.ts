/**
 * The streaming reader of one HTTP/3 stream's frames (RFC 9114 §7), for a
 * client: bytes in, in pieces of any size; frames out to a sink. DATA
 * payloads are handed on as they arrive (never buffered); HEADERS and
 * control frames are collected up to a size limit; unknown and reserved
 * frame types are skipped (§9), HTTP/2's frame types are refused (§7.2.8).
 * Which frames a stream may carry is checked here (§7.2, per stream kind):
 * a control stream starts with SETTINGS and has it once; a request stream
 * carries HEADERS and DATA; a client never allowed pushes, so a push ID is
 * always an error.
 *
 * Nothing throws: `push` and `end` return an {@link Http3Error}, after
 * which the reader is stopped (every later call returns the same error).
 *
 * @internal
 */
import { h3Error } from "./error.js"
import type { Http3Error } from "./error.js"
import { FrameType, isReservedHttp2Frame, parseSettings, parseSingleVarint } from "./frame.js"
import type { Settings } from "./frame.js"
import { readVarint, varintSizeOf } from "./varint.js"

/**
 * The receiving side of a stream: the peer's control stream, or a request
 * stream (the response).
 *
 * @internal
 */
export type FrameStreamKind = "control" | "request"

/**
 * Where frames go. A callback may return an error to stop the reader (a
 * HEADERS block QPACK cannot decode, a DATA frame out of order). `data` gets
 * views of the pushed bytes: copy what is kept after the call.
 *
 * @internal
 */
export interface FrameSink {
  readonly data: (chunk: Uint8Array) => Http3Error | undefined
  readonly headers: (block: Uint8Array) => Http3Error | undefined
  readonly settings: (settings: Settings) => Http3Error | undefined
  readonly goaway: (streamId: number) => Http3Error | undefined
}

/**
 * Size limits, in bytes of frame payload.
 *
 * @internal
 */
export interface FrameLimits {
  /** The largest HEADERS payload (an encoded field section). */
  readonly maxHeadersFrame: number
  /** The largest SETTINGS, GOAWAY or other collected control frame. */
  readonly maxControlFrame: number
}

/** @internal */
export const defaultFrameLimits: FrameLimits = { maxHeadersFrame: 256 * 1024, maxControlFrame: 16 * 1024 }

const TYPE = 0
const LENGTH = 1
const COLLECT = 2
const DATA = 3
const SKIP = 4

/** @internal */
export class FrameReader {
  private state = TYPE
  // A varint split across pushes: its bytes so far.
  private readonly vbuf = new Uint8Array(8)
  private vlen = 0
  private type = 0
  private remaining = 0
  private collected: Uint8Array | undefined = undefined
  private collectedLength = 0
  private sawSettings = false
  private lastGoaway = Infinity
  private error: Http3Error | undefined = undefined
  private offset = 0

  constructor(
    readonly kind: FrameStreamKind,
    private readonly sink: FrameSink,
    private readonly limits: FrameLimits = defaultFrameLimits
  ) {}

  /** Total bytes consumed so far (for error reports). */
  get position(): number {
    return this.offset
  }

  /** Whether the reader is between frames (a FIN here is a clean end). */
  get atFrameBoundary(): boolean {
    return this.state === TYPE && this.vlen === 0
  }

  /** Reads `chunk`; the first error stops the reader. */
  push(chunk: Uint8Array): Http3Error | undefined {
    if (this.error !== undefined) return this.error
    let i = 0
    const n = chunk.length
    while (i < n) {
      switch (this.state) {
        case TYPE:
        case LENGTH: {
          let v: number
          if (this.vlen === 0 && n - i >= varintSizeOf(chunk[i])) {
            v = readVarint(chunk, i)
            i += varintSizeOf(chunk[i])
          } else {
            if (this.vlen === 0) this.vbuf[this.vlen++] = chunk[i++]
            const size = varintSizeOf(this.vbuf[0])
            while (this.vlen < size && i < n) this.vbuf[this.vlen++] = chunk[i++]
            if (this.vlen < size) break
            v = readVarint(this.vbuf, 0)
            this.vlen = 0
          }
          const e = this.state === TYPE ? this.onType(v) : this.onLength(v)
          if (e !== undefined) return this.fail(e, i)
          break
        }
        case DATA: {
          const take = Math.min(this.remaining, n - i)
          const e = this.sink.data(take === n && i === 0 ? chunk : chunk.subarray(i, i + take))
          i += take
          this.remaining -= take
          if (e !== undefined) return this.fail(e, i)
          if (this.remaining === 0) this.state = TYPE
          break
        }
        case SKIP: {
          const take = Math.min(this.remaining, n - i)
          i += take
          this.remaining -= take
          if (this.remaining === 0) this.state = TYPE
          break
        }
        case COLLECT: {
          const take = Math.min(this.remaining, n - i)
          if (this.collected === undefined) {
            if (take === this.remaining) {
              // The whole payload is in this chunk: a view, no copy.
              this.remaining = 0
              const e = this.onPayload(chunk.subarray(i, i + take))
              i += take
              if (e !== undefined) return this.fail(e, i)
              break
            }
            this.collected = new Uint8Array(this.remaining)
            this.collectedLength = 0
          }
          this.collected.set(chunk.subarray(i, i + take), this.collectedLength)
          this.collectedLength += take
          this.remaining -= take
          i += take
          if (this.remaining === 0) {
            const payload = this.collected
            this.collected = undefined
            const e = this.onPayload(payload)
            if (e !== undefined) return this.fail(e, i)
          }
          break
        }
      }
    }
    this.offset += n
    return undefined
  }

  /**
   * The peer ended the stream (FIN). A request stream may end between
   * frames only; the control stream must never end (H3_CLOSED_CRITICAL_STREAM).
   */
  end(): Http3Error | undefined {
    if (this.error !== undefined) return this.error
    if (this.kind === "control") {
      return this.fail(h3Error("H3_CLOSED_CRITICAL_STREAM", "the peer closed its control stream"), 0)
    }
    if (!this.atFrameBoundary) {
      return this.fail(h3Error("H3_FRAME_ERROR", "the stream ended inside a frame"), 0)
    }
    return undefined
  }

  private fail(e: Http3Error, consumed: number): Http3Error {
    this.offset += consumed
    this.error = e
    return e
  }

  private onType(type: number): Http3Error | undefined {
    this.type = type
    this.state = LENGTH
    if (this.kind === "control") {
      if (!this.sawSettings) {
        if (type !== FrameType.SETTINGS) {
          return h3Error("H3_MISSING_SETTINGS", `the control stream starts with frame type 0x${type.toString(16)}, not SETTINGS`)
        }
        this.sawSettings = true
        return undefined
      }
      switch (type) {
        case FrameType.SETTINGS:
          return h3Error("H3_FRAME_UNEXPECTED", "a second SETTINGS frame on the control stream")
        case FrameType.CANCEL_PUSH:
          return h3Error("H3_ID_ERROR", "CANCEL_PUSH for a push this client never allowed")
        case FrameType.DATA:
        case FrameType.HEADERS:
        case FrameType.PUSH_PROMISE:
        case FrameType.MAX_PUSH_ID:
          return h3Error("H3_FRAME_UNEXPECTED", `frame type 0x${type.toString(16)} on the control stream`)
      }
    } else {
      switch (type) {
        case FrameType.PUSH_PROMISE:
          return h3Error("H3_ID_ERROR", "PUSH_PROMISE, but this client never allowed pushes")
        case FrameType.SETTINGS:
        case FrameType.GOAWAY:
        case FrameType.CANCEL_PUSH:
        case FrameType.MAX_PUSH_ID:
          return h3Error("H3_FRAME_UNEXPECTED", `frame type 0x${type.toString(16)} on a request stream`)
      }
    }
    if (isReservedHttp2Frame(type)) {
      return h3Error("H3_FRAME_UNEXPECTED", `HTTP/2 frame type 0x${type.toString(16)}, reserved in HTTP/3`)
    }
    return undefined
  }

  private onLength(length: number): Http3Error | undefined {
    const type = this.type
    this.remaining = length
    if (type === FrameType.DATA) {
      this.state = length === 0 ? TYPE : DATA
      return undefined
    }
    const known = type === FrameType.HEADERS || type === FrameType.SETTINGS || type === FrameType.GOAWAY
    if (!known) {
      this.state = length === 0 ? TYPE : SKIP
      return undefined
    }
    const limit = type === FrameType.HEADERS ? this.limits.maxHeadersFrame : this.limits.maxControlFrame
    if (length > limit) {
      return type === FrameType.HEADERS
        ? h3Error("H3_EXCESSIVE_LOAD", `a HEADERS frame of ${length} bytes exceeds the limit of ${limit}`, "field-section-size")
        : h3Error("H3_EXCESSIVE_LOAD", `a control frame of ${length} bytes exceeds the limit of ${limit}`, "frame-size")
    }
    this.state = COLLECT
    if (length === 0) {
      this.remaining = 0
      return this.onPayload(EMPTY)
    }
    return undefined
  }

  private onPayload(payload: Uint8Array): Http3Error | undefined {
    this.state = TYPE
    switch (this.type) {
      case FrameType.HEADERS:
        return this.sink.headers(payload)
      case FrameType.SETTINGS: {
        const s = parseSettings(payload)
        return "_tag" in s ? s : this.sink.settings(s)
      }
      default: {
        const id = parseSingleVarint(payload, "GOAWAY")
        if (typeof id !== "number") return id
        if (id % 4 !== 0) return h3Error("H3_ID_ERROR", `GOAWAY names stream ${id}, not a client-initiated bidirectional stream`)
        if (id > this.lastGoaway) return h3Error("H3_ID_ERROR", `GOAWAY raised its stream ID from ${this.lastGoaway} to ${id}`)
        this.lastGoaway = id
        return this.sink.goaway(id)
      }
    }
  }
}

const EMPTY = new Uint8Array(0)
