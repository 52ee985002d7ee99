/**
 * The checks of a request body sent on a multiplexed stream (an HTTP/2 or
 * HTTP/3 request): more bytes than the declared length, fewer at the end,
 * trailers after a declared length. Shared by `h2Stream.ts` and
 * `h3Stream.ts`; the failing stream is reset by its driver.
 *
 * @internal
 */
import { InvalidRequest } from "../../HackneyError.js"
import type { Exchange } from "./exchange.js"

/** An `InvalidRequest` `body` of `ex`, after part of the request was sent. @internal */
export const bodyError = (ex: Exchange, detail: string): InvalidRequest =>
  new InvalidRequest({ reason: "body", detail, method: ex.method, url: ex.url, requestSent: true })

/**
 * Counts `chunk` as sent on `ex`; the error when it goes past the declared
 * length.
 *
 * @internal
 */
export const countBody = (ex: Exchange, chunk: Uint8Array): InvalidRequest | undefined => {
  const length = ex.bodySize
  ex.bodySent += chunk.length
  return length !== undefined && ex.bodySent > length
    ? bodyError(ex, `the body gave more than the declared ${length} bytes; the stream was reset`)
    : undefined
}

/**
 * Why the body of `ex` cannot end here, with `rawTrailers`: fewer bytes
 * than declared, or trailers after a declared length.
 *
 * @internal
 */
export const endProblem = (ex: Exchange, rawTrailers: ReadonlyArray<string> | undefined): InvalidRequest | undefined => {
  const length = ex.bodySize
  if (length === undefined) return undefined
  if (rawTrailers !== undefined && rawTrailers.length > 0) {
    return bodyError(ex, "trailers need a body of unknown size, but a Content-Length was declared")
  }
  return ex.bodySent !== length
    ? bodyError(ex, `the body gave ${ex.bodySent} bytes, ${length} were declared; the stream was reset`)
    : undefined
}
