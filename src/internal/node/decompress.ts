/**
 * Streaming response-body decoding with `node:zlib`: gzip (`x-gzip`),
 * deflate (zlib-wrapped or raw, sniffed from the first two bytes), br, and
 * zstd when this Node's zlib has `createZstdDecompress` (Node 22.15+,
 * 23.8+). Without it (Node 20), zstd is neither advertised nor decoded: a
 * zstd body a server sends anyway is an unknown coding, returned as it came
 * with its `Content-Encoding`, so it never passes for decoded (no third-party
 * decoder is bundled: Node 20 is past its end of life, and zlib's
 * backpressure is what bounds a decompression bomb). Pull-based: zlib's own
 * backpressure stops inflating while the reader does not read, and the
 * reader stops (destroying the inflater) as soon as the decoded size passes
 * the limit, so a decompression bomb costs a few chunks of memory.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as zlib from "node:zlib"
import type { Transform } from "node:stream"
import { BodyTooLarge, ProtocolError } from "../../HackneyError.js"

/** A zstd decompressor factory, as `zlib.createZstdDecompress`. @internal */
export type ZstdFactory = (options?: zlib.ZlibOptions) => Transform

/** This Node's zstd decompressor, if its zlib has one. @internal */
export const nodeZstd: ZstdFactory | undefined =
  (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress

/** Content codings decodable with `zstd` (a factory, or none), in `Accept-Encoding` order. @internal */
export const encodingsWith = (zstd: ZstdFactory | undefined): ReadonlyArray<string> =>
  zstd !== undefined ? ["gzip", "deflate", "br", "zstd"] : ["gzip", "deflate", "br"]

/** Content codings this Node can decode, in `Accept-Encoding` order. @internal */
export const supportedEncodings: ReadonlyArray<string> = encodingsWith(nodeZstd)

/** The `Accept-Encoding` value sent with `autoDecompress`. @internal */
export const acceptEncoding: string = supportedEncodings.join(", ")

const knownCoding = (c: string, zstd: ZstdFactory | undefined): boolean =>
  c === "gzip" || c === "x-gzip" || c === "deflate" || c === "br" || (c === "zstd" && zstd !== undefined)

/**
 * The codings of a `Content-Encoding` value in the order they must be undone
 * (last applied first), or undefined when one of them cannot be decoded here
 * (the body is then left as is). `identity` is dropped.
 *
 * @internal
 */
export const decodingPlan = (
  contentEncoding: string | undefined,
  zstd: ZstdFactory | undefined = nodeZstd
): ReadonlyArray<string> | undefined => {
  if (contentEncoding === undefined) return []
  const codings = contentEncoding.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "" && s !== "identity")
  for (const c of codings) if (!knownCoding(c, zstd)) return undefined
  return codings.reverse()
}

const chunkSize = 64 * 1024

/** A zlib-wrapped deflate stream starts with CMF/FLG: CM = 8 and a 31-multiple check (RFC 1950). */
const isZlibHeader = (a: number, b: number): boolean => (a & 0x0f) === 8 && (a >> 4) <= 7 && ((a << 8) | b) % 31 === 0

/** The decoder of `coding`; undefined when it cannot be decoded here (a plan never holds one). */
const makeInflater = (coding: string, first: Uint8Array, zstd: ZstdFactory | undefined): Transform | undefined => {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip({ chunkSize })
    case "deflate":
      return first.length >= 2 && isZlibHeader(first[0], first[1])
        ? zlib.createInflate({ chunkSize })
        : zlib.createInflateRaw({ chunkSize })
    case "br":
      return zlib.createBrotliDecompress({ chunkSize })
    case "zstd":
      return zstd?.({ chunkSize })
    default:
      return undefined
  }
}

/** What the decoder reports: a corrupt or truncated body. @internal */
export interface DecodeFailure {
  readonly coding: string
  readonly detail: string
  readonly cause: unknown
}

/**
 * Decodes one content coding (zstd with `zstd`, this Node's by default).
 * Input errors pass through; a zlib error, or a coding that cannot be
 * decoded here, becomes `onCorrupt(failure)`. An empty body decodes to an
 * empty body.
 *
 * @internal
 */
export const decodeOne = <E, E2>(
  input: Stream.Stream<Uint8Array, E>,
  coding: string,
  onCorrupt: (failure: DecodeFailure) => E2,
  zstd: ZstdFactory | undefined = nodeZstd
): Stream.Stream<Uint8Array, E | E2> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    let z: Transform | undefined = undefined
    let inputError: { readonly error: E } | undefined = undefined
    let inputDone = false
    let zlibError: unknown = undefined
    let ended = false
    let wake: (() => void) | undefined = undefined
    const notify = () => {
      const w = wake
      wake = undefined
      if (w !== undefined) w()
    }
    // Opened on the first input bytes (deflate needs them to tell zlib from raw).
    const open = (first: Uint8Array): Transform | undefined => {
      const t = makeInflater(coding, first, zstd)
      if (t === undefined) {
        zlibError = new Error(`no ${coding} decoder on this Node`)
        return undefined
      }
      t.on("readable", notify)
      t.on("end", () => {
        ended = true
        notify()
      })
      t.on("error", (e) => {
        zlibError = e
        notify()
      })
      z = t
      return t
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => z?.destroy()))
    // deflate: a first chunk of one byte is held until a second byte tells zlib from raw.
    let head: Uint8Array | undefined = undefined
    const write = (input: Uint8Array): Effect.Effect<void> =>
      Effect.async<void>((resume) => {
        if (input.length === 0 || zlibError !== undefined) return resume(Effect.void)
        let chunk = input
        if (z === undefined && coding === "deflate") {
          if (head !== undefined) {
            chunk = new Uint8Array(head.length + input.length)
            chunk.set(head)
            chunk.set(input, head.length)
            head = undefined
          }
          if (chunk.length < 2) {
            head = chunk
            return resume(Effect.void)
          }
        }
        const t = z ?? open(chunk)
        if (t === undefined || t.write(chunk)) return resume(Effect.void)
        const go = () => {
          t.off("drain", go)
          t.off("error", go)
          t.off("close", go)
          resume(Effect.void)
        }
        t.on("drain", go)
        t.on("error", go)
        t.on("close", go)
        return Effect.sync(() => {
          t.off("drain", go)
          t.off("error", go)
          t.off("close", go)
        })
      })
    // The feeder: input → inflater, then end; an input failure is handed to the reader.
    yield* Stream.runForEach(input, write).pipe(
      Effect.matchEffect({
        onFailure: (error) =>
          Effect.sync(() => {
            inputError = { error }
            notify()
          }),
        onSuccess: () =>
          Effect.sync(() => {
            inputDone = true
            if (z === undefined && head !== undefined) open(head)?.write(head) // a one-byte body: zlib judges it
            if (z === undefined) ended = true
            else z.end()
            notify()
          })
      }),
      Effect.forkScoped
    )
    const pull: Effect.Effect<Uint8Array, Option.Option<E | E2>> = Effect.async((resume) => {
      const attempt = (): boolean => {
        if (inputError !== undefined) {
          resume(Effect.fail(Option.some(inputError.error)))
          return true
        }
        if (zlibError !== undefined) {
          const e = zlibError
          const detail = e instanceof Error ? e.message : String(e)
          resume(Effect.fail(Option.some(onCorrupt({ coding, detail, cause: e }))))
          return true
        }
        const chunk = z?.read() as Buffer | null | undefined
        if (chunk !== null && chunk !== undefined) {
          resume(Effect.succeed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
          return true
        }
        if (ended || (inputDone && z === undefined)) {
          resume(Effect.fail(Option.none()))
          return true
        }
        return false
      }
      const loop = () => {
        if (!attempt()) wake = loop
      }
      loop()
      return Effect.sync(() => {
        if (wake === loop) wake = undefined
      })
    })
    return Stream.repeatEffectOption(pull)
  }))

/**
 * Decodes a body per its `Content-Encoding` plan (see {@link decodingPlan}).
 *
 * @internal
 */
export const decode = <E, E2>(
  input: Stream.Stream<Uint8Array, E>,
  plan: ReadonlyArray<string>,
  onCorrupt: (failure: DecodeFailure) => E2,
  zstd: ZstdFactory | undefined = nodeZstd
): Stream.Stream<Uint8Array, E | E2> => {
  let out: Stream.Stream<Uint8Array, E | E2> = input
  for (const coding of plan) out = decodeOne(out, coding, onCorrupt, zstd)
  return out
}

/**
 * The error of a corrupt or truncated encoded body: `ProtocolError` with
 * reason `"Decompression"`.
 *
 * @internal
 */
export const corruptBody = (f: DecodeFailure, method: string, url: string): ProtocolError =>
  new ProtocolError({ method, url, reason: "decompression", detail: `invalid ${f.coding} body: ${f.detail}`, cause: f.cause })

/**
 * `body` failing with `BodyTooLarge` as soon as more than `limit` (decoded)
 * bytes went through; unchanged when the limit is not finite.
 *
 * @internal
 */
export const limitDecoded = <E>(
  body: Stream.Stream<Uint8Array, E>,
  limit: number,
  method: string,
  url: string
): Stream.Stream<Uint8Array, E | BodyTooLarge> => {
  if (!Number.isFinite(limit)) return body
  return Stream.suspend(() => {
    let n = 0
    return Stream.mapEffect(body, (chunk) => {
      n += chunk.length
      return n > limit
        ? Effect.fail(new BodyTooLarge({ method, url, limit, direction: "response" }))
        : Effect.succeed(chunk)
    })
  })
}
