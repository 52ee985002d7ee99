/**
 * The multipart decoder (RFC 2046 §5.1), sans-IO: bytes in, events out.
 * `push(chunk)` returns the events the chunk completes — a part's headers,
 * pieces of its body (views into the chunk, never copies, except the few
 * bytes held back when a chunk ends inside what may be a delimiter), its
 * end, the end of the body — and `end()` says whether the input was
 * complete. A delimiter split across any chunk boundary is found. The
 * preamble and the epilogue are skipped. Limits bound the memory: the
 * header section of a part, its number of headers, the number of parts and
 * the total size; going over one, or malformed input, ends the decoding
 * with a `MultipartError` event.
 *
 * @internal
 */
import { MultipartError } from "../../HackneyError.js"
import { isToken } from "../headers/syntax.js"

/** Decoding limits. @internal */
export interface Limits {
  /** Bytes of one part's header section. */
  readonly maxHeaderSize: number
  /** Header fields of one part. */
  readonly maxHeaders: number
  /** Parts in the body (nested bodies count their own). */
  readonly maxParts: number
  /** Bytes of the whole multipart body. */
  readonly maxTotalSize: number
}

/** @internal */
export const defaultLimits: Limits = {
  maxHeaderSize: 16 * 1024,
  maxHeaders: 64,
  maxParts: 1000,
  maxTotalSize: Number.POSITIVE_INFINITY
}

/** @internal */
export type Event =
  | { readonly _tag: "Headers"; readonly raw: ReadonlyArray<string> }
  | { readonly _tag: "Body"; readonly bytes: Uint8Array }
  | { readonly _tag: "PartEnd" }
  | { readonly _tag: "End" }
  | { readonly _tag: "Error"; readonly error: MultipartError }

const enum State {
  Preamble,
  AfterDelimiter,
  DelimiterLine,
  Headers,
  Body,
  Epilogue,
  Failed
}

const CR = 13
const LF = 10
const DASH = 45
const partEnd: Event = { _tag: "PartEnd" }
const end: Event = { _tag: "End" }
const textDecoder = new TextDecoder()

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * Parses a part's header section (the lines before the blank line): folded
 * lines (starting with a space or a tab) continue the previous value.
 *
 * @internal
 */
export const parseHeaderBlock = (text: string, maxHeaders: number): ReadonlyArray<string> | MultipartError => {
  const raw: Array<string> = []
  if (text === "") return raw
  for (const line of text.split("\r\n")) {
    const c = line.charCodeAt(0)
    if ((c === 32 || c === 9) && raw.length > 0) {
      raw[raw.length - 1] += " " + line.trim()
      continue
    }
    const colon = line.indexOf(":")
    const name = colon < 0 ? "" : line.slice(0, colon)
    if (colon <= 0 || !isToken(name)) {
      return new MultipartError({
        reason: "invalid-header",
        detail: colon < 0 ? `the header line ${JSON.stringify(line.slice(0, 80))} has no colon` : `the header name ${JSON.stringify(name.slice(0, 80))} is not a token`
      })
    }
    if (raw.length / 2 >= maxHeaders) {
      return new MultipartError({ reason: "too-many-headers", detail: `a part has more than ${maxHeaders} headers (the maxHeaders limit)` })
    }
    raw.push(name, line.slice(colon + 1).trim())
  }
  return raw
}

/** A sans-IO multipart decoder for one boundary. @internal */
export class Decoder {
  private readonly delimiter: Uint8Array
  private state = State.Preamble
  /** Bytes held back: a possible delimiter start (body/preamble), or the header section read so far. */
  private carry: Uint8Array
  private total = 0
  private parts = 0
  private lineBytes = 0

  constructor(boundary: string, private readonly limits: Limits = defaultLimits) {
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`)
    // The first delimiter may open the body: read it as if a CRLF came before.
    this.carry = this.delimiter.subarray(0, 2)
  }

  /** Whether the closing delimiter was read. */
  get done(): boolean {
    return this.state === State.Epilogue
  }

  private fail(out: Array<Event>, reason: MultipartError["reason"], detail: string): Array<Event> {
    this.state = State.Failed
    out.push({ _tag: "Error", error: new MultipartError({ reason, detail }) })
    return out
  }

  /** The events completed by `chunk`. After an `Error` or `End` event, further input is ignored. */
  push(chunk: Uint8Array, out: Array<Event> = []): Array<Event> {
    if (this.state === State.Failed || this.state === State.Epilogue) return out
    this.total += chunk.length
    if (this.total > this.limits.maxTotalSize) {
      return this.fail(out, "too-large", `the multipart body is over ${this.limits.maxTotalSize} bytes (the maxTotalSize limit)`)
    }
    let pos = 0
    while (pos < chunk.length) {
      switch (this.state as State) {
        case State.Preamble:
        case State.Body: {
          pos = this.scan(chunk, pos, out)
          break
        }
        case State.AfterDelimiter: {
          // "--" closes the body; anything else is the rest of the delimiter line.
          const need = 2 - this.carry.length
          const take = Math.min(need, chunk.length - pos)
          if (take > 0) this.carry = concat(this.carry, chunk.subarray(pos, pos + take))
          pos += take
          if (this.carry.length < 2) return out
          if (this.carry[0] === DASH && this.carry[1] === DASH) {
            this.state = State.Epilogue
            out.push(end)
            return out
          }
          this.state = State.DelimiterLine
          // The limit counts every byte after the boundary, these two and the line's end included.
          this.lineBytes = 2
          // The two bytes read may already end the line.
          if (this.carry[1] === LF || (this.carry[0] === LF)) {
            const rest = this.carry[0] === LF ? this.carry.subarray(1) : new Uint8Array(0)
            this.startHeaders()
            if (rest.length > 0) this.carry = concat(this.carry, rest)
          }
          break
        }
        case State.DelimiterLine: {
          // Transport padding (RFC 2046 LWSP) up to the line's end.
          const lf = chunk.indexOf(LF, pos)
          const stop = lf < 0 ? chunk.length : lf + 1
          this.lineBytes += stop - pos
          pos = stop
          if (this.lineBytes > this.limits.maxHeaderSize) {
            return this.fail(out, "header-too-large", `a delimiter line is over ${this.limits.maxHeaderSize} bytes (the maxHeaderSize limit)`)
          }
          if (lf >= 0) this.startHeaders()
          break
        }
        case State.Headers: {
          pos = this.headers(chunk, pos, out)
          if ((this.state as State) === State.Failed) return out
          break
        }
        case State.Epilogue:
          return out
        case State.Failed:
          return out
      }
    }
    return out
  }

  /** Ends the input: no event when complete, else an `Error` (the closing delimiter is missing). */
  end(out: Array<Event> = []): Array<Event> {
    switch (this.state) {
      case State.Epilogue:
      case State.Failed:
        return out
      case State.Preamble:
        return this.fail(out, "missing-closing-boundary", "the input ended before any boundary line: it is not a multipart body with this boundary")
      default:
        return this.fail(out, "missing-closing-boundary", `the input ended inside part ${this.parts} without the closing boundary line`)
    }
  }

  private startHeaders(): void {
    this.state = State.Headers
    // A CRLF before the section, so that an empty section is "\r\n\r\n" like any other end.
    this.carry = this.delimiter.subarray(0, 2)
  }

  /** Reads header bytes from `pos`; returns where the body starts (or the chunk's end). */
  private headers(chunk: Uint8Array, pos: number, out: Array<Event>): number {
    const before = this.carry.length
    // The carry holds the CRLF put before the section, at most maxHeaderSize bytes of it, and its closing CRLFCRLF.
    const room = this.limits.maxHeaderSize + 6 - before
    const take = Math.min(chunk.length - pos, Math.max(room, 0))
    this.carry = concat(this.carry, chunk.subarray(pos, pos + take))
    const buf = this.carry
    let found = -1
    for (let i = buf.indexOf(CR, Math.max(0, before - 3)); i !== -1 && i + 3 < buf.length; i = buf.indexOf(CR, i + 1)) {
      if (buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) {
        found = i
        break
      }
    }
    if (found < 0) {
      // No blank line yet: the section has at least the bytes before the last 3 (which may open its CRLFCRLF).
      if (buf.length - 5 > this.limits.maxHeaderSize) {
        this.fail(out, "header-too-large", `a part's header section is over ${this.limits.maxHeaderSize} bytes (the maxHeaderSize limit)`)
        return chunk.length
      }
      return pos + take
    }
    const raw = parseHeaderBlock(found <= 2 ? "" : textDecoder.decode(buf.subarray(2, found)), this.limits.maxHeaders)
    if (raw instanceof MultipartError) {
      this.state = State.Failed
      out.push({ _tag: "Error", error: raw })
      return chunk.length
    }
    this.parts++
    if (this.parts > this.limits.maxParts) {
      this.fail(out, "too-many-parts", `the body has more than ${this.limits.maxParts} parts (the maxParts limit)`)
      return chunk.length
    }
    out.push({ _tag: "Headers", raw })
    this.state = State.Body
    this.carry = this.delimiter.subarray(0, 0)
    // The bytes after the blank line in what was taken belong to the body.
    return pos + (found + 4 - before)
  }

  /**
   * Scans preamble or body bytes from `pos` for the delimiter; emits the
   * body bytes before it (not in the preamble). Returns the new position.
   */
  private scan(chunk: Uint8Array, pos: number, out: Array<Event>): number {
    const d = this.delimiter
    const body = this.state === State.Body
    if (this.carry.length > 0) {
      // The carry is a proper prefix of the delimiter; does the chunk complete it?
      const k = this.carry.length
      const n = Math.min(d.length - k, chunk.length - pos)
      let j = 0
      while (j < n && chunk[pos + j] === d[k + j]) j++
      if (j === n) {
        if (k + n === d.length) {
          this.carry = d.subarray(0, 0)
          this.delimiterFound(out)
          return pos + n
        }
        this.carry = concat(this.carry, chunk.subarray(pos, pos + n))
        return chunk.length
      }
      // Not a delimiter: the held bytes are content (the carry starts with CR, which is nowhere else in the delimiter).
      if (body) out.push({ _tag: "Body", bytes: this.carry })
      this.carry = d.subarray(0, 0)
    }
    let from = pos
    for (let i = chunk.indexOf(CR, pos); i !== -1; i = chunk.indexOf(CR, i + 1)) {
      const n = Math.min(d.length, chunk.length - i)
      let j = 1
      while (j < n && chunk[i + j] === d[j]) j++
      if (j < n) continue
      if (body && i > from) out.push({ _tag: "Body", bytes: chunk.subarray(from, i) })
      if (n === d.length) {
        this.delimiterFound(out)
        return i + n
      }
      // The chunk ends inside what may be a delimiter: hold those bytes (a copy, the caller may reuse its buffer).
      this.carry = chunk.slice(i)
      return chunk.length
    }
    if (body && chunk.length > from) out.push({ _tag: "Body", bytes: from === 0 ? chunk : chunk.subarray(from) })
    from = chunk.length
    return from
  }

  private delimiterFound(out: Array<Event>): void {
    if (this.state === State.Body) out.push(partEnd)
    this.state = State.AfterDelimiter
  }
}
