/**
 * A pool's middleware (`Pool.layer({ middleware })`) on the requests of the
 * `HttpClient` layer: each middleware sees the same immutable
 * `Middleware.Request` and `Middleware.Response` values as on Hackney's own
 * requests, outermost first, and its `next` sends through the layer's
 * engine. What the chain returns becomes the `HttpClientResponse`: the one
 * the engine produced when returned unchanged, else a response with the
 * middleware's headers and body (the server's status).
 *
 * Only requests served by a pool with middleware take this path; the others
 * pay one field test. Redirects and retries of the layer are composed above
 * the client (`followRedirects`, `HttpClient.retry`), so each hop or attempt
 * runs the chain again.
 *
 * @internal
 */
import * as PlatformHeaders from "@effect/platform/Headers"
import type * as ClientRequest from "@effect/platform/HttpClientRequest"
import * as ClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { InvalidRequest, isHackneyError, ProtocolError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import type * as Middleware from "../../Middleware.js"
import { invoke, notReplayable } from "../client/middleware.js"
import { drainLimit } from "../engine/redirect.js"
import type { HackneyClientResponse } from "./response.js"

/** Sends one platform request to `url` through the engine. @internal */
export type Send = (request: ClientRequest.HttpClientRequest, url: URL) => Effect.Effect<HackneyClientResponse, HackneyError>

/** A response the engine produced, with the middleware view of it. */
interface Sent {
  readonly platform: HackneyClientResponse
  readonly view: Middleware.Response
}

/** The platform's header record (lower-case names, repeated lines joined with ", ") of a `Headers` value. */
const headerRecord = (headers: Headers.Headers): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  Headers.forEach(headers, (name, value) => {
    const k = name.toLowerCase()
    const prev = out[k]
    out[k] = prev === undefined ? value : `${prev}, ${value}`
  })
  return out
}

/**
 * The platform request a middleware's (possibly rewritten) view stands for:
 * its method and headers, the original body. A copy with the original's
 * prototype (the platform's request class), the changed fields replaced.
 */
const platformRequest = (
  original: ClientRequest.HttpClientRequest,
  view: Middleware.Request,
  req: Middleware.Request
): ClientRequest.HttpClientRequest =>
  req === view ? original : Object.assign(Object.create(Object.getPrototypeOf(original)), original, {
    method: req.method === view.method ? original.method : String(req.method).toUpperCase(),
    headers: req.headers === view.headers ? original.headers : PlatformHeaders.unsafeFromRecord(headerRecord(req.headers))
  }) as ClientRequest.HttpClientRequest

/**
 * A body-stream failure of the engine's response as the `HackneyError` it
 * carries (every failure of that stream carries one; anything else would be
 * a bug of ours, said so).
 */
const bodyError = (view: Middleware.Request) => (e: { readonly cause?: unknown }): HackneyError =>
  isHackneyError(e.cause)
    ? e.cause
    : new ProtocolError({ reason: "internal", detail: "the response body failed without a HackneyError", method: view.method, url: view.url, cause: e.cause })

/** The middleware view of an engine response. */
const viewOf = (request: Middleware.Request, url: string, platform: HackneyClientResponse): Middleware.Response => ({
  status: platform.status,
  reason: platform.reason,
  url,
  headers: Headers.fromRaw(platform.rawHeaderLines),
  body: Stream.mapError(platform.stream, bodyError(request))
})

/** Statuses whose response has no body (a web `Response` refuses one). */
const nullBody = (status: number): boolean => status === 101 || status === 204 || status === 205 || status === 304

/** The `HttpClientResponse` of a response a middleware rewrote: its headers and body, the server's status. */
const rewritten = (
  request: ClientRequest.HttpClientRequest,
  res: Middleware.Response,
  misuse: (detail: string) => InvalidRequest
): Effect.Effect<ClientResponse.HttpClientResponse, InvalidRequest> =>
  Effect.try({
    try: () => {
      const raw = Headers.toRaw(res.headers)
      const pairs: Array<[string, string]> = []
      for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]])
      const body = nullBody(res.status) ? null : Stream.toReadableStream(res.body)
      return ClientResponse.fromWeb(request, new Response(body, { status: res.status, statusText: res.reason, headers: pairs }))
    },
    catch: (e) =>
      misuse(`the response a middleware returned cannot be an HttpClientResponse (${e instanceof Error ? e.message : String(e)}); return the response of next, or one with valid headers`)
  })

/**
 * Runs `mws` (outermost first) around `send` for one platform request to
 * `url`; fails with the chain's `HackneyError` (the caller maps it to the
 * platform's `RequestError`).
 *
 * @internal
 */
export const withMiddleware = (
  mws: ReadonlyArray<Middleware.Middleware>,
  request: ClientRequest.HttpClientRequest,
  url: URL,
  send: Send
): Effect.Effect<ClientResponse.HttpClientResponse, HackneyError> =>
  Effect.suspend(() => {
    const href = url.href
    const view: Middleware.Request = {
      method: request.method,
      url: href,
      headers: Headers.fromInput(request.headers as Record<string, string>)
    }
    const misuse = (detail: string) => new InvalidRequest({ reason: "middleware", detail, method: request.method, url: href })
    const sent = new Map<Middleware.Response, Sent>()
    let last: Sent | undefined
    // The innermost `next`: the engine, draining the previous response first when called again.
    const engine: Middleware.Next = (req) =>
      Effect.suspend(() => {
        const prev = last
        if (prev !== undefined && request.body._tag === "Stream") return Effect.fail(notReplayable(req.method, req.url))
        let target: URL
        try {
          target = req.url === href ? url : new URL(req.url)
        } catch {
          return Effect.fail(new InvalidRequest({ reason: "url", detail: `a middleware passed an invalid URL ${JSON.stringify(req.url)}`, method: req.method, url: href }))
        }
        const out = Effect.map(send(platformRequest(request, view, req), target), (platform) => {
          const s: Sent = { platform, view: viewOf(req, req.url, platform) }
          last = s
          sent.set(s.view, s)
          return s.view
        })
        if (prev === undefined) return out
        const drained = Stream.runFoldWhile(prev.view.body, 0, (n) => n <= drainLimit, (n, c) => n + c.length)
        return Effect.zipRight(Effect.ignore(drained), out)
      })
    // Outermost first: middleware i's `next` runs middleware i + 1, the last one's the engine.
    const chain = mws.reduceRight<(req: Middleware.Request) => Effect.Effect<Middleware.Response, HackneyError>>(
      (inner, mw) => (req) => Effect.map(invoke(mw, req, inner, misuse), ({ returned }) => returned),
      engine
    )
    // A failed chain (a middleware failing after next) leaves no connection held: the platform aborts only on interruption.
    const released = Effect.onError(chain(view), () =>
      Effect.sync(() => {
        for (const s of sent.values()) s.platform.discard()
      }))
    return Effect.flatMap(released, (res): Effect.Effect<ClientResponse.HttpClientResponse, HackneyError> => {
      const s = sent.get(res)
      return s !== undefined ? Effect.succeed(s.platform) : rewritten(request, res, misuse)
    })
  })
