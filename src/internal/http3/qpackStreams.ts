/**
 * The peer's QPACK encoder and decoder streams (RFC 9204 §4.2–4.4), read
 * by a client whose dynamic table capacity is 0 and whose encoder never
 * uses the peer's table:
 *
 * - encoder stream (peer → us): only Set Dynamic Table Capacity 0 is
 *   valid; a larger capacity, an insertion or a duplicate is
 *   QPACK_ENCODER_STREAM_ERROR (§4.3.1: above our maximum; §4.3.2–4.3.4:
 *   no entry fits in, or exists in, an empty table);
 * - decoder stream (peer → us): Stream Cancellation is accepted; a Section
 *   Acknowledgment (we never sent a section that needs one, §4.4.1) or an
 *   Insert Count Increment (we never inserted, §4.4.3) is
 *   QPACK_DECODER_STREAM_ERROR.
 *
 * Instructions may be split across reads; the prefixed integers are read
 * incrementally. Either stream ending is H3_CLOSED_CRITICAL_STREAM (RFC
 * 9204 §4.2).
 *
 * @internal
 */
import { h3Error } from "./error.js"
import type { Http3Error } from "./error.js"

/** @internal */
export type QpackStreamKind = "encoder" | "decoder"

/** @internal */
export class QpackStreamReader {
  // Inside a prefixed integer: its value so far and the weight of the next byte.
  private inInt = false
  private value = 0
  private scale = 1
  private first = 0
  private error: Http3Error | undefined = undefined

  constructor(readonly kind: QpackStreamKind) {}

  /** Reads `chunk`; the first error stops the reader. */
  push(chunk: Uint8Array): Http3Error | undefined {
    if (this.error !== undefined) return this.error
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]
      if (!this.inInt) {
        this.first = b
        const prefix = this.prefixOf(b)
        if (typeof prefix !== "number") return this.error = prefix
        const max = (1 << prefix) - 1
        this.value = b & max
        this.scale = 1
        if (this.value < max) {
          const e = this.instruction(b, this.value)
          if (e !== undefined) return this.error = e
        } else {
          this.inInt = true
        }
        continue
      }
      this.value += (b & 0x7f) * this.scale
      this.scale *= 128
      if (this.value > 2 ** 53 / 256) return this.error = this.streamError("an integer too large")
      if ((b & 0x80) === 0) {
        this.inInt = false
        const e = this.instruction(this.first, this.value)
        if (e !== undefined) return this.error = e
      }
    }
    return undefined
  }

  /** The peer ended the stream: a critical stream must not end. */
  end(): Http3Error {
    return this.error ??= h3Error("H3_CLOSED_CRITICAL_STREAM", `the peer closed its QPACK ${this.kind} stream`)
  }

  private streamError(detail: string): Http3Error {
    return this.kind === "encoder"
      ? h3Error("QPACK_ENCODER_STREAM_ERROR", `QPACK encoder stream: ${detail}`)
      : h3Error("QPACK_DECODER_STREAM_ERROR", `QPACK decoder stream: ${detail}`)
  }

  // The prefix size of the instruction that starts with `b`, or the error of an instruction refused outright.
  private prefixOf(b: number): number | Http3Error {
    if (this.kind === "encoder") {
      if ((b & 0xe0) === 0x20) return 5 // Set Dynamic Table Capacity: 001 capacity(5+)
      if ((b & 0x80) !== 0) return this.streamError("Insert with Name Reference, but the dynamic table capacity is 0")
      if ((b & 0x40) !== 0) return this.streamError("Insert with Literal Name, but the dynamic table capacity is 0")
      return this.streamError("Duplicate, but the dynamic table is empty")
    }
    if ((b & 0x80) !== 0) return this.streamError("Section Acknowledgment, but no field section used the dynamic table")
    if ((b & 0x40) !== 0) return 6 // Stream Cancellation: 01 stream id(6+)
    return 6 // Insert Count Increment: 00 increment(6+), refused once read
  }

  private instruction(first: number, value: number): Http3Error | undefined {
    if (this.kind === "encoder") {
      return value === 0 ? undefined : this.streamError(`Set Dynamic Table Capacity ${value}, above the maximum of 0`)
    }
    if ((first & 0x40) !== 0) return undefined
    return this.streamError(`Insert Count Increment ${value}, but no entry was inserted`)
  }
}
