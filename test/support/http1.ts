/**
 * Parser test support: latin1 byte conversions and a run of the parser over
 * input pieces that keeps the events preceding an error.
 */
import { expect } from "@effect/vitest"
import * as Http1 from "../../src/Http1.js"

/** latin1 text to bytes. */
export const enc = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i)
  return b
}

/** Bytes to latin1 text. */
export const dec = (b: Uint8Array): string => String.fromCharCode(...b)

/** What a run produced: the events (adjacent Data merged, as text) and the error reason, if any. */
export interface Outcome {
  readonly events: Array<unknown>
  readonly error: Http1.ParseErrorReason | undefined
}

/**
 * Feeds `pieces` in order through `execute` (stopping after an upgrade),
 * then `finish` when asked; an `Http1ParseError` ends the run.
 */
export const feed = (
  pieces: ReadonlyArray<Uint8Array>,
  options: Http1.ParserOptions | undefined,
  methods: ReadonlyArray<string>,
  finish: boolean
): Outcome => {
  const p = new Http1.Http1Parser(options)
  for (const m of methods) p.expectResponseTo(m)
  const events: Array<any> = []
  let upgraded = false
  const add = (e: Http1.Http1Event) => {
    if (e._tag === "Data") {
      if (e.chunk.length === 0) return
      const last = events[events.length - 1]
      if (last !== undefined && last._tag === "Data") last.data += dec(e.chunk)
      else events.push({ _tag: "Data", data: dec(e.chunk) })
    } else if (e._tag === "Upgrade") {
      upgraded = true
      events.push({ _tag: "Upgrade" })
    } else events.push(e)
  }
  // execute + a collecting sink keeps the events that precede an error.
  const sink: Http1.ParserSink = {
    onRequestHead: (head) => add({ _tag: "RequestHead", head }),
    onResponseHead: (head) => add({ _tag: "ResponseHead", head }),
    onInformational: (head) => add({ _tag: "Informational", head }),
    onData: (chunk) => add({ _tag: "Data", chunk }),
    onTrailers: (rawTrailers) => add({ _tag: "Trailers", rawTrailers }),
    onMessageComplete: (keepAlive) => add({ _tag: "Done", keepAlive }),
    onUpgrade: (rest) => add({ _tag: "Upgrade", rest })
  }
  try {
    for (let i = 0; i < pieces.length && !upgraded; i++) p.execute(pieces[i], sink)
    if (finish && !upgraded) p.finish(sink)
  } catch (e) {
    if (!(e instanceof Http1.Http1ParseError)) throw e
    return { events, error: e.reason }
  }
  return { events, error: undefined }
}

/**
 * The outcome of parsing `input` whole, after checking that every split
 * point (and a byte-by-byte feed) gives the same events and the same error.
 */
export const everySplit = (
  input: string,
  options?: Http1.ParserOptions,
  methods: ReadonlyArray<string> = [],
  finish = false
): Outcome => {
  const bytes = enc(input)
  const whole = feed([bytes], options, methods, finish)
  for (let i = 1; i < bytes.length; i++) {
    expect(feed([bytes.subarray(0, i), bytes.subarray(i)], options, methods, finish), `split at ${i}`).toEqual(whole)
  }
  const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
  expect(feed(single, options, methods, finish), "byte by byte").toEqual(whole)
  return whole
}
