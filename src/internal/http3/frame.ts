/**
 * HTTP/3 frames (RFC 9114 §7): types, settings, and the encoders of the
 * frames a client sends. Reading is `frameReader.ts`.
 *
 * A frame is `type (varint) length (varint) payload`.
 *
 * @internal
 */
import { h3Error } from "./error.js"
import type { Http3Error } from "./error.js"
import { readVarint, varintLength, varintSizeOf, writeVarint } from "./varint.js"

/**
 * Frame types (RFC 9114 §7.2, §11.2.1).
 *
 * @internal
 */
export const FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  GOAWAY: 0x07,
  MAX_PUSH_ID: 0x0d
} as const

/**
 * Whether `type` is one of HTTP/2's frame types without an HTTP/3 meaning
 * (PRIORITY, PING, WINDOW_UPDATE, CONTINUATION): receiving one is
 * H3_FRAME_UNEXPECTED (RFC 9114 §7.2.8).
 *
 * @internal
 */
export const isReservedHttp2Frame = (type: number): boolean => type === 0x02 || type === 0x06 || type === 0x08 || type === 0x09

/**
 * Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2): the varint
 * that starts each unidirectional stream.
 *
 * @internal
 */
export const StreamType = {
  CONTROL: 0x00,
  PUSH: 0x01,
  QPACK_ENCODER: 0x02,
  QPACK_DECODER: 0x03
} as const

/**
 * Setting identifiers (RFC 9114 §7.2.4.1, RFC 9204 §5, RFC 9220, RFC 9297).
 *
 * @internal
 */
export const SettingId = {
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  MAX_FIELD_SECTION_SIZE: 0x06,
  QPACK_BLOCKED_STREAMS: 0x07,
  ENABLE_CONNECT_PROTOCOL: 0x08,
  H3_DATAGRAM: 0x33
} as const

/**
 * A peer's SETTINGS, with the defaults of an absent setting (RFC 9114
 * §7.2.4.1: no limit on the field section size; RFC 9204 §5: no dynamic
 * table, no blocked streams).
 *
 * @internal
 */
export interface Settings {
  readonly qpackMaxTableCapacity: number
  /** `Infinity` when the peer sets no limit. */
  readonly maxFieldSectionSize: number
  readonly qpackBlockedStreams: number
  readonly enableConnectProtocol: boolean
  readonly h3Datagram: boolean
}

/** @internal */
export const defaultSettings: Settings = {
  qpackMaxTableCapacity: 0,
  maxFieldSectionSize: Infinity,
  qpackBlockedStreams: 0,
  enableConnectProtocol: false,
  h3Datagram: false
}

/**
 * Parses a SETTINGS payload. H3_SETTINGS_ERROR for an identifier sent
 * twice, an HTTP/2 identifier reserved by HTTP/3 (0x00, 0x02–0x05), or a
 * boolean setting other than 0 or 1; H3_FRAME_ERROR when the payload ends
 * inside a pair. Unknown identifiers are ignored (§7.2.4).
 *
 * @internal
 */
export const parseSettings = (payload: Uint8Array): Settings | Http3Error => {
  let qpackMaxTableCapacity = 0
  let maxFieldSectionSize = Infinity
  let qpackBlockedStreams = 0
  let enableConnectProtocol = false
  let h3Datagram = false
  const seen: Array<number> = []
  let i = 0
  while (i < payload.length) {
    const id = readVarint(payload, i)
    if (id < 0) return h3Error("H3_FRAME_ERROR", "SETTINGS ends inside an identifier")
    i += varintSizeOf(payload[i])
    const value = readVarint(payload, i)
    if (value < 0) return h3Error("H3_FRAME_ERROR", "SETTINGS ends inside a value")
    i += varintSizeOf(payload[i])
    if (id <= 0x05 && id !== SettingId.QPACK_MAX_TABLE_CAPACITY) {
      return h3Error("H3_SETTINGS_ERROR", `SETTINGS has the HTTP/2 identifier 0x${id.toString(16)}, reserved in HTTP/3`)
    }
    if (seen.includes(id)) return h3Error("H3_SETTINGS_ERROR", `SETTINGS has identifier 0x${id.toString(16)} twice`)
    seen.push(id)
    switch (id) {
      case SettingId.QPACK_MAX_TABLE_CAPACITY:
        qpackMaxTableCapacity = value
        break
      case SettingId.MAX_FIELD_SECTION_SIZE:
        maxFieldSectionSize = value
        break
      case SettingId.QPACK_BLOCKED_STREAMS:
        qpackBlockedStreams = value
        break
      case SettingId.ENABLE_CONNECT_PROTOCOL:
      case SettingId.H3_DATAGRAM:
        if (value > 1) return h3Error("H3_SETTINGS_ERROR", `SETTINGS 0x${id.toString(16)} is ${value}, not 0 or 1`)
        if (id === SettingId.H3_DATAGRAM) h3Datagram = value === 1
        else enableConnectProtocol = value === 1
        break
    }
  }
  return { qpackMaxTableCapacity, maxFieldSectionSize, qpackBlockedStreams, enableConnectProtocol, h3Datagram }
}

/**
 * What a client announces: its field-section limit, and a QPACK dynamic
 * table of capacity 0 with no blocked streams (both the defaults, so not
 * sent).
 *
 * @internal
 */
export interface LocalSettings {
  /** SETTINGS_MAX_FIELD_SECTION_SIZE; omitted when `undefined` (no limit). */
  readonly maxFieldSectionSize?: number | undefined
}

/**
 * The bytes that open a client's control stream: the stream type, then its
 * SETTINGS frame (RFC 9114 §6.2.1: SETTINGS first). A reserved setting
 * (`0x1f * N + 0x21`, §7.2.4.1) is included, as the RFC asks, so a peer
 * that mishandles unknown settings fails early.
 *
 * @internal
 */
export const encodeControlStreamPreface = (settings: LocalSettings): Uint8Array => {
  const pairs: Array<number> = []
  if (settings.maxFieldSectionSize !== undefined) pairs.push(SettingId.MAX_FIELD_SECTION_SIZE, settings.maxFieldSectionSize)
  pairs.push(GREASE_SETTING, 0)
  let payloadLength = 0
  for (const v of pairs) payloadLength += varintLength(v)
  const out = new Uint8Array(1 + frameHeaderLength(FrameType.SETTINGS, payloadLength) + payloadLength)
  let o = writeVarint(out, 0, StreamType.CONTROL)
  o = writeFrameHeader(out, o, FrameType.SETTINGS, payloadLength)
  for (const v of pairs) o = writeVarint(out, o, v)
  return out
}

// A reserved setting identifier, 0x1f * N + 0x21 with N = 0.
const GREASE_SETTING = 0x21

/**
 * The bytes of a frame header.
 *
 * @internal
 */
export const frameHeaderLength = (type: number, payloadLength: number): number =>
  varintLength(type) + varintLength(payloadLength)

/**
 * Writes a frame header at `offset`; returns the offset after it.
 *
 * @internal
 */
export const writeFrameHeader = (buf: Uint8Array, offset: number, type: number, payloadLength: number): number =>
  writeVarint(buf, writeVarint(buf, offset, type), payloadLength)

/**
 * A frame header alone (for DATA, whose payload is written after it).
 *
 * @internal
 */
export const encodeFrameHeader = (type: number, payloadLength: number): Uint8Array => {
  const out = new Uint8Array(frameHeaderLength(type, payloadLength))
  writeFrameHeader(out, 0, type, payloadLength)
  return out
}

/**
 * A whole frame: header and payload in one buffer (HEADERS).
 *
 * @internal
 */
export const encodeFrame = (type: number, payload: Uint8Array): Uint8Array => {
  const head = frameHeaderLength(type, payload.length)
  const out = new Uint8Array(head + payload.length)
  writeFrameHeader(out, 0, type, payload.length)
  out.set(payload, head)
  return out
}

/**
 * A GOAWAY frame. From a client its id is a push ID (RFC 9114 §5.2); a
 * client that never allows pushes sends 0.
 *
 * @internal
 */
export const encodeGoaway = (id: number): Uint8Array => {
  const out = new Uint8Array(frameHeaderLength(FrameType.GOAWAY, varintLength(id)) + varintLength(id))
  writeVarint(out, writeFrameHeader(out, 0, FrameType.GOAWAY, varintLength(id)), id)
  return out
}

/**
 * The varint a frame payload consists of alone (GOAWAY, CANCEL_PUSH,
 * MAX_PUSH_ID); H3_FRAME_ERROR when the payload is not exactly one varint.
 *
 * @internal
 */
export const parseSingleVarint = (payload: Uint8Array, frame: string): number | Http3Error => {
  const v = readVarint(payload, 0)
  if (v < 0 || varintSizeOf(payload[0]) !== payload.length) {
    return h3Error("H3_FRAME_ERROR", `${frame} payload is not one variable-length integer`)
  }
  return v
}
