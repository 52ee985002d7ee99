/**
 * The request path with client features — redirects, cookies (option and
 * jar), automatic decompression, retries, attempt deadlines: it builds the
 * first hop from the options, sends it through the dispatch of the options
 * (`dispatch.ts`: the features as interceptors, composed once per options
 * object), and turns the last response into a one-shot {@link Response}
 * (body collected, decoded, bounded) or a {@link StreamingResponse} (body
 * decoded as it streams), of the same two response classes as the bare path
 * (`execute.ts`). Requests that use none of these features never come here.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Cookie from "../../Cookie.js"
import type * as CookieJar from "../../CookieJar.js"
import type { Options, Response, StreamingResponse } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import type * as Url from "../../Url.js"
import { concatChunk, ResponseImpl, StreamingResponseImpl } from "./execute.js"
import { annotate, checkMethod } from "./prepare.js"
import * as RequestUrl from "./requestUrl.js"
import { chain } from "./dispatch.js"
import type { ChainResult } from "./dispatch.js"
import type { ChainConfig, Hop } from "./redirect.js"
import type { ConnectionSource } from "../engine/source.js"

/**
 * Whether a request needs this path: a feature of the request, or its
 * pool's middleware. Metrics and tracing alone do not (the bare path
 * observes a request itself: `observe.ts`).
 *
 * @internal
 */
export const needsPipeline = (options: Options, jar: CookieJar.CookieJar | undefined, source: ConnectionSource): boolean =>
  jar !== undefined || options.followRedirect === true || options.autoDecompress === true ||
  options.retry !== undefined || options.cookie !== undefined || options.attemptTimeout !== undefined ||
  options.middleware !== undefined || (source.features !== undefined && source.features.middleware !== undefined) ||
  options.uploadProgress !== undefined || options.downloadProgress !== undefined


const cookieOption = (cookie: Options["cookie"]): Either.Either<string | undefined, InvalidRequest> => {
  if (cookie === undefined) return Either.right(undefined)
  if (typeof cookie === "string") return Either.right(cookie)
  return Cookie.serializeCookieHeader(cookie)
}

const firstHop = (method: string, input: string | Url.Url, options: Options): Either.Either<Hop, InvalidRequest> =>
  Either.map(cookieOption(options.cookie), (cookie) => {
    const headers = options.headers === undefined ? Headers.empty : Headers.fromInput(options.headers)
    return { method: method.toUpperCase(), input, headers, body: options.body, basicAuth: options.basicAuth, cookie }
  })

const configOf = (
  options: Options,
  source: ConnectionSource,
  jar: CookieJar.CookieJar | undefined,
  openFile: ChainConfig["openFile"]
): ChainConfig => ({
  options,
  source,
  jar,
  openFile,
  // Decoding: the limit applies to the decoded body, so the connection does not count raw bytes.
  overrides: options.autoDecompress === true ? { maxBodySize: undefined } : {}
})

const run = (
  method: string,
  url: RequestUrl.Input,
  options: Options,
  cfg: ChainConfig
): Effect.Effect<ChainResult, HackneyError, Scope.Scope> =>
  Effect.suspend(() => {
    const badMethod = checkMethod(method, url)
    if (badMethod !== undefined) return Effect.fail(badMethod)
    const input = RequestUrl.inputOf(url)
    if (input instanceof InvalidRequest) return Effect.fail(annotate(input, method, url))
    return Effect.flatMap(
      Effect.mapError(firstHop(method, input, options), (e) =>
        new InvalidRequest({ reason: "option", detail: `cookie: ${e.detail}`, method, url: String(input) })),
      (hop) => chain(cfg, hop)
    )
  })

/**
 * One-shot with features: runs the chain, then collects (and decodes) the
 * last body; every connection is released before this returns.
 *
 * @internal
 */
export const oneShot = (
  method: string,
  input: RequestUrl.Input,
  options: Options,
  source: ConnectionSource,
  jar: CookieJar.CookieJar | undefined,
  openFile: ChainConfig["openFile"]
): Effect.Effect<Response, HackneyError> =>
  Effect.scoped(
    Effect.flatMap(run(method, input, options, configOf(options, source, jar, openFile)), (r) => {
      const { body, headers } = r.response
      return Effect.flatMap(Stream.runCollect(body), (chunks) =>
        Effect.map(r.response.trailers, (): Response => {
          const { ex, protocol, url } = r.response
          return new ResponseImpl(ex.head!, concatChunk(chunks), url, protocol, ex.rawTrailers, ex.informational, r.redirects, headers)
        }))
    })
  )

/**
 * Streaming with features: the last response, its body decoded as it is
 * pulled; intermediate hops were released already.
 *
 * @internal
 */
export const streaming = (
  method: string,
  input: RequestUrl.Input,
  options: Options,
  source: ConnectionSource,
  jar: CookieJar.CookieJar | undefined,
  openFile: ChainConfig["openFile"]
): Effect.Effect<StreamingResponse, HackneyError, Scope.Scope> =>
  Effect.map(run(method, input, options, configOf(options, source, jar, openFile)), (r) => {
    const { body, ex, headers, protocol, url } = r.response
    return new StreamingResponseImpl(ex, url, protocol, r.redirects, headers, body)
  })
