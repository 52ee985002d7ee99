/**
 * hackney's redirect policy as an `HttpClient` combinator (the engine's
 * redirect decision and loop, `internal/engine/redirect.ts`, over platform
 * requests): 301/302/303 re-issue as GET without a body (HEAD stays HEAD),
 * 307/308 keep the method and body (a Stream body cannot be replayed: the
 * request fails), and a change of origin drops `Authorization`, `Cookie`,
 * `Proxy-Authorization` and URL userinfo unless trusted. Intermediate
 * bodies are drained (up to 64 KiB) so their connections stay pooled.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import type * as Client from "@effect/platform/HttpClient"
import * as ClientImpl from "@effect/platform/HttpClient"
import type * as Error from "@effect/platform/HttpClientError"
import * as ClientRequest from "@effect/platform/HttpClientRequest"
import type * as ClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { InvalidRequest, TooManyRedirects } from "../../HackneyError.js"
import {
  bodyHeaders,
  credentialHeaders,
  drainLimit,
  dropsCredentials,
  follow,
  multipleLocations,
  reissue
} from "../engine/redirect.js"
import { guardMark } from "../engine/redirectGuard.js"
import { requestOptionsKey } from "./client.js"
import { engineResponse, repeatedLocationFields } from "./response.js"
import { requestError } from "./error.js"

/** @internal */
export interface RedirectOptions {
  readonly maxRedirects?: number | undefined
  readonly trusted?: boolean | undefined
  readonly blockPrivateRedirects?: boolean | undefined
}

/**
 * A guarded hop's response must come from this library's client, the one that
 * checks the address: over another client the guard fails the chain (its
 * connection is released) rather than be silently ignored.
 */
const checkedBy = (
  req: ClientRequest.HttpClientRequest,
  res: ClientResponse.HttpClientResponse
): Effect.Effect<ClientResponse.HttpClientResponse, Error.RequestError> =>
  engineResponse(res) !== undefined ? Effect.succeed(res) : Effect.zipRight(
    drain(res),
    Effect.fail(requestError(
      req,
      new InvalidRequest({
        reason: "option",
        detail: "blockPrivateRedirects checks the address of each hop's connection, which only HackneyHttpClient's " +
          "client knows; compose followRedirects over it, or leave the option unset",
        method: req.method,
        url: req.url
      })
    ))
  )

/** The request options in context (`HackneyHttpClient.RequestOptions`), by their key. */
const requestOptionsTag = Context.GenericTag<object>(requestOptionsKey)

/**
 * Runs a hop with the guard's mark on the request options in context: the
 * adapter's client checks its connection out through `guardedSource`.
 */
const guardedHop = <A, E, R>(execute: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(requestOptionsTag), (over) =>
    Effect.provideService(execute, requestOptionsTag, { ...Option.getOrElse(over, () => ({})), [guardMark]: true }))

const urlOf = (request: ClientRequest.HttpClientRequest): URL | undefined => {
  const u = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return Either.isRight(u) ? u.right : undefined
}


/** The request that follows `response`, or an error. @internal */
export const nextRequest = (
  request: ClientRequest.HttpClientRequest,
  status: number,
  location: string,
  trusted: boolean
): Either.Either<ClientRequest.HttpClientRequest, Error.RequestError> => {
  const from = urlOf(request)
  let to: URL
  try {
    to = new URL(location.trim(), from)
  } catch (cause) {
    return Either.left(requestError(
      request,
      new InvalidRequest({
        reason: "url",
        detail: `the redirect Location ${JSON.stringify(location)} is not a valid URL`,
        cause,
        found: "redirect"
      })
    ))
  }
  const { keepsBody, method } = reissue(status, request.method)
  let body = request.body
  let headers = request.headers
  if (!keepsBody) {
    body = HttpBody.empty
    headers = Headers.remove(headers, bodyHeaders)
  } else if (body._tag === "Stream") {
    return Either.left(requestError(
      request,
      new InvalidRequest({
        reason: "body",
        detail: `a ${status} redirect must resend the body, and a Stream body cannot be replayed`,
        found: "redirect"
      })
    ))
  }
  if (dropsCredentials(trusted, from !== undefined && from.origin === to.origin)) {
    headers = Headers.remove(headers, credentialHeaders)
    to.username = ""
    to.password = ""
  }
  // A new request (`modify`/`setHeaders` merge headers, they cannot drop one).
  return Either.right(ClientRequest.make(method)(to, { headers, body }))
}

/**
 * The Location field values of a response: each field line for this
 * engine's responses (whose headers join them); for another client's, the
 * one value its headers hold.
 */
const locationValues = (response: ClientResponse.HttpClientResponse): ReadonlyArray<string> => {
  const headers = response.headers
  const value = headers["location"]
  return value === undefined ? [] : repeatedLocationFields(headers) ?? [value]
}

/** Reads and drops up to 64 KiB of an intermediate body (its connection then stays pooled). */
const drain = (response: ClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(Stream.runFoldWhile(response.stream, 0, (n) => n <= drainLimit, (n, c) => n + c.length))

/** @internal */
export const followRedirects = <E, R>(
  self: Client.HttpClient.With<E, R>,
  options: RedirectOptions = {}
): Client.HttpClient.With<E | Error.RequestError, R> => {
  const max = options.maxRedirects ?? 5
  const trusted = options.trusted ?? false
  const guard = options.blockPrivateRedirects ?? false
  const hrefOf = (request: ClientRequest.HttpClientRequest): string => urlOf(request)?.href ?? request.url
  return ClientImpl.transform(self, (effect, request) =>
    Effect.map(
      follow<ClientRequest.HttpClientRequest, ClientResponse.HttpClientResponse, string, E | Error.RequestError, R>({
        max,
        send: guard ? (req) => Effect.flatMap(guardedHop(self.execute(req)), (res) => checkedBy(req, res)) : (req) => self.execute(req),
        status: (res) => res.status,
        locations: locationValues,
        next: (req, res, reference) =>
          Either.map(nextRequest(req, res.status, reference, trusted), (next) => ({ request: next, record: hrefOf(next) })),
        drain,
        // The connection of a response that ends the chain is kept too.
        giveUp: drain,
        ambiguous: (req, res, count) => requestError(req, multipleLocations(res.status, count, req.method, hrefOf(req))),
        tooMany: (_res, chain) => {
          const first = hrefOf(request)
          return requestError(
            request,
            new TooManyRedirects({ max, chain: [first, ...chain], method: request.method, url: first })
          )
        }
      }, request, effect),
      (followed) => followed.response
    ))
}
