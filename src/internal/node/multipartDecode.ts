/**
 * The streaming multipart decoder (L2 glue over the sans-IO
 * `internal/multipart/decoder.ts`): a `Stream<Uint8Array>` becomes a
 * `Stream` of parts, each with its body as a `Stream` that reads the input
 * as it is pulled. Parts come in order; pulling the next part skips what is
 * left of the current body. Memory is bounded by the limits and one input
 * chunk: body bytes are views into the input chunks.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { InvalidRequest, MultipartError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import type { CollectedPart, DecodedPart } from "../../Multipart.js"
import { concatBytes } from "../http1/bytes.js"
import { type Event, Decoder, defaultLimits, type Limits } from "../multipart/decoder.js"
import { namesOf } from "../multipart/disposition.js"
import { isValidBoundary } from "../multipart/encode.js"

/** The boundary of a multipart media type, or why there is none. @internal */
export const boundaryOf = (contentType: string): string | MultipartError => {
  const mt = typeof contentType === "string" ? Headers.parseContentType(contentType) : Option.none()
  if (Option.isNone(mt) || mt.value.type !== "multipart") {
    return new MultipartError({ reason: "invalid-content-type", detail: `${JSON.stringify(contentType)} is not a multipart media type` })
  }
  const b = mt.value.params.boundary
  if (b === undefined) return new MultipartError({ reason: "missing-boundary", detail: `${JSON.stringify(contentType)} has no boundary parameter` })
  if (!isValidBoundary(b)) {
    return new MultipartError({ reason: "invalid-boundary", detail: `the boundary ${JSON.stringify(b.slice(0, 100))} is not 1 to 70 RFC 2046 boundary characters` })
  }
  return b
}

const limitNames = ["maxHeaderSize", "maxHeaders", "maxParts", "maxTotalSize"] as const

/** The limits with their defaults, or the option that is not a positive number. @internal */
export const resolveLimits = (given: Partial<Limits> | undefined, defaults: Limits = defaultLimits): Limits | InvalidRequest => {
  if (given === undefined) return defaults
  const out: Record<string, number> = { ...defaults }
  for (const k of limitNames) {
    const v = given[k]
    if (v === undefined) continue
    if (typeof v !== "number" || !(v > 0)) {
      return new InvalidRequest({ reason: "option", detail: `the multipart ${k} limit is ${String(v)}; give a positive number` })
    }
    out[k] = v
  }
  return out as unknown as Limits
}

/**
 * Decodes a multipart body. Fails with `MultipartError` on malformed input
 * or a limit, `InvalidRequest` on a bad limit option.
 *
 * @internal
 */
export const decode = (contentType: string, limits?: Partial<Limits>) =>
<E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<DecodedPart<E>, E | MultipartError | InvalidRequest, R> => {
  const boundary = boundaryOf(contentType)
  if (boundary instanceof MultipartError) return Stream.fail(boundary)
  const lim = resolveLimits(limits)
  if (lim instanceof InvalidRequest) return Stream.fail(lim)
  return Stream.unwrapScoped(Effect.map(
    Effect.zip(Stream.toPull(self), Effect.context<R>()),
    ([rawPull, ctx]) => {
      const pull = Effect.provide(rawPull, ctx)
      const decoder = new Decoder(boundary, lim)
      let queue: Array<Event> = []
      let qi = 0
      let last: Event | undefined
      // Reads input until an event is ready; End and Error are sticky.
      const next: Effect.Effect<Event, E> = Effect.suspend(() => {
        if (qi < queue.length) return Effect.succeed(queue[qi++])
        if (last !== undefined) return Effect.succeed(last)
        return Effect.flatMap(
          Effect.matchEffect(pull, {
            onFailure: Option.match({
              onNone: () =>
                Effect.sync(() => {
                  queue = decoder.end([])
                  qi = 0
                  if (queue.length === 0) last = { _tag: "End" }
                }),
              onSome: (e) => Effect.fail(e)
            }),
            onSuccess: (chunk) =>
              Effect.sync(() => {
                const out: Array<Event> = []
                for (const b of chunk) {
                  decoder.push(b, out)
                  if (decoder.done) break
                }
                queue = out
                qi = 0
              })
          }),
          () => next
        )
      })
      const remember = (ev: Event): Event => {
        if (ev._tag === "End" || ev._tag === "Error") last = ev
        return ev
      }
      // After the closing delimiter, the epilogue is read and ignored (the input ends normally, a connection can be reused).
      const drain: Effect.Effect<void, E> = Effect.matchEffect(pull, {
        onFailure: Option.match({ onNone: () => Effect.void, onSome: (e) => Effect.fail(e) }),
        onSuccess: () => drain
      })
      let current = 0
      let bodyDone = true
      const bodyOf = (n: number): Stream.Stream<Uint8Array, E | MultipartError> =>
        Stream.repeatEffectOption(Effect.suspend((): Effect.Effect<Uint8Array, Option.Option<E | MultipartError>> => {
          if (n !== current || bodyDone) {
            return Effect.fail(Option.some(
              new MultipartError({ reason: "body-unavailable", detail: `the body of part ${n} was read to its end, or skipped by pulling the next part` })
            ))
          }
          return Effect.flatMap(Effect.mapError(next, Option.some), (ev) => {
            switch (remember(ev)._tag) {
              case "Body":
                return Effect.succeed((ev as { readonly bytes: Uint8Array }).bytes)
              case "Error":
                return Effect.fail(Option.some((ev as { readonly error: MultipartError }).error))
              default:
                bodyDone = true
                return Effect.fail(Option.none())
            }
          })
        }))
      const skipBody: Effect.Effect<void, E | MultipartError> = Effect.suspend(() =>
        bodyDone ? Effect.void : Effect.flatMap(next, (ev) => {
          remember(ev)
          if (ev._tag === "Error") return Effect.fail(ev.error)
          if (ev._tag === "Body") return skipBody
          bodyDone = true
          return Effect.void
        })
      )
      const nextPart: Effect.Effect<DecodedPart<E>, Option.Option<E | MultipartError>> = Effect.flatMap(
        Effect.mapError(Effect.zipRight(skipBody, next), Option.some),
        (ev): Effect.Effect<DecodedPart<E>, Option.Option<E | MultipartError>> => {
          switch (remember(ev)._tag) {
            case "Headers": {
              const headers = Headers.fromRaw((ev as { readonly raw: ReadonlyArray<string> }).raw)
              const { filename, name } = namesOf(Headers.getOrUndefined(headers, "content-disposition"))
              current++
              bodyDone = false
              return Effect.succeed({ headers, name, filename, contentType: Headers.getOrUndefined(headers, "content-type"), body: bodyOf(current) })
            }
            case "Error":
              return Effect.fail(Option.some((ev as { readonly error: MultipartError }).error))
            case "End":
              return Effect.zipRight(Effect.mapError(drain, Option.some), Effect.fail(Option.none()))
            default:
              return nextPart
          }
        }
      )
      return Stream.repeatEffectOption(nextPart)
    }
  ))
}

/** Default limits of `decodeAll`, which holds the bodies in memory: 64 MiB in all. @internal */
export const collectLimits: Limits = { ...defaultLimits, maxTotalSize: 64 * 1024 * 1024 }

/**
 * Decodes a whole multipart body, each part's body collected as bytes
 * (the total bounded by `maxTotalSize`, default 64 MiB).
 *
 * @internal
 */
export const decodeAll = (contentType: string, limits?: Partial<Limits>) =>
<E, R>(self: Stream.Stream<Uint8Array, E, R>): Effect.Effect<Array<CollectedPart>, E | MultipartError | InvalidRequest, R> => {
  const lim = resolveLimits(limits, collectLimits)
  if (lim instanceof InvalidRequest) return Effect.fail(lim)
  return Effect.map(
    Stream.runCollect(Stream.mapEffect(decode(contentType, lim)(self), (part) =>
      Effect.map(
        Stream.runFold(part.body, { chunks: [] as Array<Uint8Array>, size: 0 }, (acc, b) => {
          acc.chunks.push(b)
          acc.size += b.length
          return acc
        }),
        ({ chunks, size }): CollectedPart => ({
          headers: part.headers,
          name: part.name,
          filename: part.filename,
          contentType: part.contentType,
          bytes: concatBytes(chunks, size)
        })
      ))),
    Chunk.toArray
  )
}
