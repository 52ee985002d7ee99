/**
 * The progress options (`uploadProgress`, `downloadProgress`) on the feature
 * path and on `open`: the request body counted as it goes out (a streamed
 * body per chunk, a body of bytes once sent), the last response's body as
 * it comes in (before decoding; `total` its Content-Length).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Options, StreamingResponse, Writer } from "../../Hackney.js"
import * as Headers from "../../Headers.js"
import { report, tracked } from "../observe/progress.js"
import type { ProgressEvent } from "../observe/progress.js"
import type { Interceptor, Opened } from "./dispatch.js"
import { StreamingResponseImpl } from "./execute.js"
import type { Prepared } from "./prepare.js"

type OnProgress = (progress: ProgressEvent) => Effect.Effect<void>

const lengthOf = (headers: Headers.Headers): number | undefined => {
  const v = Headers.getOrUndefined(headers, "content-length")
  const n = v === undefined ? NaN : Number(v)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/** A prepared request whose streamed body reports its progress. @internal */
export const withUpload = (p: Prepared, onProgress: OnProgress): Prepared =>
  p.body._tag === "Stream" ? { ...p, body: { ...p.body, stream: tracked(p.body.stream, p.body.length, onProgress) } } : p

/** A body of bytes, once sent (its response head arrived): one event. @internal */
export const bytesSent = (p: Prepared, onProgress: OnProgress): Effect.Effect<void> =>
  p.body._tag === "Bytes" ? report(onProgress, { transferred: p.body.bytes.length, total: p.body.bytes.length }) : Effect.void

const trackResponse = <R extends StreamingResponseImpl>(o: R, onProgress: OnProgress): StreamingResponseImpl =>
  new StreamingResponseImpl(o.ex, o.url, o.protocol, o.redirects, o.headers, tracked(o.body, lengthOf(o.headers), onProgress))

/** `downloadProgress`: the response's body counted as it is read. @internal */
export const download = (onProgress: OnProgress): Interceptor => (next) => (hop, ctx) =>
  Effect.map(next(hop, ctx), (o): Opened => ({ ...o, response: trackResponse(o.response, onProgress) }))

/**
 * `open` with progress: each `send` counted (total: the Content-Length
 * header, if set), the response's body as it is read.
 *
 * @internal
 */
export const openWithProgress = (w: Writer, options: Options): Writer => {
  const up = options.uploadProgress
  const down = options.downloadProgress
  if (up === undefined && down === undefined) return w
  const total = options.headers === undefined ? undefined : lengthOf(Headers.fromInput(options.headers))
  let transferred = 0
  const encoder = new TextEncoder()
  return {
    send: up === undefined ? w.send : (chunk) =>
      Effect.tap(w.send(chunk), () => {
        transferred += typeof chunk === "string" ? encoder.encode(chunk).length : chunk.length
        return report(up, { transferred, total })
      }),
    finish: w.finish,
    response: down === undefined
      ? w.response
      : Effect.map(w.response, (r): StreamingResponse => trackResponse(r as StreamingResponseImpl, down))
  }
}
