/**
 * effect-hackney's RFC 6265 cookie jar as an `HttpClient` combinator: each
 * request gets the jar's cookies for its URL (domain, path, `Secure`,
 * expiry), and each response's `Set-Cookie` lines are stored against the URL
 * that sent them. Composed under a redirect combinator, every hop goes
 * through it.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as Client from "@effect/platform/HttpClient"
import * as ClientImpl from "@effect/platform/HttpClient"
import * as ClientRequest from "@effect/platform/HttpClientRequest"
import type * as ClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import { CookieJar } from "../cookie/service.js"
import type { JarOps } from "../cookie/service.js"
import { engineResponse } from "./response.js"

const urlOf = (request: ClientRequest.HttpClientRequest): Url.Url | undefined => {
  const u = UrlParams.makeUrl(request.url, request.urlParams, Option.none())
  if (Either.isLeft(u)) return undefined
  const parsed = Url.parse(u.right.href)
  return Either.isRight(parsed) ? parsed.right : undefined
}

const nameOf = (pair: string): string => {
  const i = pair.indexOf("=")
  return i < 0 ? "" : pair.slice(0, i).trim()
}

/** The request's own Cookie header with the jar's cookies added; same-named ones take the jar's value. */
const mergeCookies = (own: string | undefined, fromJar: string): string => {
  if (own === undefined || own.trim() === "") return fromJar
  const jarNames = new Set(fromJar.split(";").map(nameOf))
  const kept = own.split(";").map((s) => s.trim()).filter((s) => s !== "" && !jarNames.has(nameOf(s)))
  return kept.length === 0 ? fromJar : `${kept.join("; ")}; ${fromJar}`
}

/**
 * The Set-Cookie lines of a response: as sent by ours (wrapped by the platform or not), re-serialised from the
 * parsed cookies of another client's (which keep one cookie per name).
 */
const setCookieLines = (response: ClientResponse.HttpClientResponse): ReadonlyArray<string> =>
  engineResponse(response)?.setCookieLines ?? Cookies.toSetCookieHeaders(response.cookies)

/** @internal */
export const withCookieJar = <E, R>(
  self: Client.HttpClient.With<E, R>,
  jar: JarOps | undefined
): Client.HttpClient.With<E, R> => {
  const jarOf: Effect.Effect<Option.Option<JarOps>> = jar === undefined
    ? Effect.map(Effect.serviceOption(CookieJar), (o) => o as Option.Option<JarOps>)
    : Effect.succeed(Option.some(jar))
  const withCookies = ClientImpl.mapRequestEffect(self, (request) =>
    Effect.flatMap(jarOf, (o) => {
      if (Option.isNone(o)) return Effect.succeed(request)
      const url = urlOf(request)
      if (url === undefined) return Effect.succeed(request)
      return Effect.map(Clock.currentTimeMillis, (now) => {
        const value = o.value.headerFor(url, now)
        return value === undefined
          ? request
          : ClientRequest.setHeader(request, "cookie", mergeCookies(request.headers["cookie"], value))
      })
    }))
  return ClientImpl.tap(withCookies, (response) =>
    Effect.flatMap(jarOf, (o) => {
      if (Option.isNone(o)) return Effect.void
      const lines = setCookieLines(response)
      const url = lines.length === 0 ? undefined : urlOf(response.request)
      if (url === undefined) return Effect.void
      const raw: Array<string> = []
      for (const line of lines) raw.push("set-cookie", line)
      return Effect.map(Clock.currentTimeMillis, (now) => void o.value.storeFrom(Headers.fromRaw(raw), url, now))
    }))
}
