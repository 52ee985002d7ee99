/**
 * `Hackney`'s redirects: its hops ({@link Hop}), the request that follows a
 * redirect ({@link nextHop}), and the redirect interceptor ({@link redirects}:
 * the engine's loop, `follow` in `../engine/redirect.ts`, over the dispatch
 * below it). A followed response has its body drained (up to
 * {@link drainLimit}: the connection goes back to the pool); one that breaks
 * the chain has its connection closed.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as CookieJar from "../../CookieJar.js"
import type { Body, Options, Redirect, StreamingResponse } from "../../Hackney.js"
import { InvalidRequest, redactUrl, TooManyRedirects } from "../../HackneyError.js"
import { guardedSource } from "../engine/redirectGuard.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import {
  bodyHeaders,
  credentialHeaders,
  drainLimit,
  dropsCredentials,
  follow,
  multipleLocations,
  reissue
} from "../engine/redirect.js"
import type { Interceptor, Opened } from "./dispatch.js"
import type { prepare } from "./prepare.js"
import { requestSchemes } from "./requestUrl.js"
import type { ConnectionSource } from "../engine/source.js"
/** One request of a chain. @internal */
export interface Hop {
  readonly method: string
  readonly input: string | Url.Url
  readonly headers: Headers.Headers
  readonly body: Body | undefined
  readonly basicAuth: readonly [string, string] | undefined
  /** The explicit `cookie` option, joined. */
  readonly cookie: string | undefined
  /** The jar's Cookie value for this hop's URL (set by the cookies interceptor). */
  readonly jarCookie?: string | undefined
}

/** Everything the loop needs. @internal */
export interface ChainConfig {
  readonly options: Options
  readonly source: ConnectionSource
  readonly jar: CookieJar.CookieJar | undefined
  readonly openFile: Parameters<typeof prepare>[3]
  /** Overrides of the options on every hop (`maxBodySize` when decoding). */
  readonly overrides: Partial<Options>
}


/** Whether a body can be sent again (everything but a caller's Stream). @internal */
export const isReplayable = (body: Body | undefined): boolean =>
  body === undefined || typeof body === "string" || body instanceof Uint8Array || "form" in body || "file" in body

/**
 * The request that follows a redirect (hackney's rules, safer): 301/302/303
 * re-issue as GET without a body (a HEAD stays HEAD), 307/308 keep the method
 * and the body, which must be replayable. On a change of origin (scheme,
 * host or port) the credentials — `Authorization`, `Cookie`,
 * `Proxy-Authorization`, `basicAuth`, the `cookie` option, URL userinfo —
 * are dropped unless `trusted`; other headers are kept.
 *
 * @internal
 */
export const nextHop = (
  hop: Hop,
  from: Url.Url,
  status: number,
  location: string,
  trusted: boolean
): Either.Either<{ readonly hop: Hop; readonly url: Url.Url }, InvalidRequest> => {
  const resolved = Url.resolve(from, location.trim())
  if (Either.isLeft(resolved)) {
    return Either.left(
      new InvalidRequest({
        reason: "url",
        detail: `the redirect Location ${JSON.stringify(location)} is not a valid URL: ${resolved.left.detail}`,
        method: hop.method,
        url: Url.format(from),
        found: "redirect"
      })
    )
  }
  let url = resolved.right
  if (!requestSchemes.has(url.scheme)) {
    return Either.left(
      new InvalidRequest({
        reason: "scheme",
        detail: `the ${status} redirect points to ${redactUrl(Url.format(url))}, whose scheme "${url.scheme}" cannot be ` +
          `requested; it was not followed (set followRedirect: false to get the ${status} response)`,
        method: hop.method,
        url: Url.format(from),
        found: "redirect"
      })
    )
  }
  let { basicAuth, body, cookie, headers } = hop
  const { keepsBody, method } = reissue(status, hop.method)
  if (!keepsBody) {
    body = undefined
    for (const h of bodyHeaders) headers = Headers.remove(headers, h)
  } else if (!isReplayable(body)) {
    return Either.left(
      new InvalidRequest({
        reason: "body",
        detail: `a ${status} redirect to ${redactUrl(Url.format(url))} must resend the body, and a Stream body ` +
          `cannot be replayed: pass a string, Uint8Array, { form } or { file } body, or set followRedirect: false`,
        method,
        url: Url.format(from),
        found: "redirect"
      })
    )
  }
  if (dropsCredentials(trusted, Url.isSameOrigin(from, url))) {
    for (const h of credentialHeaders) headers = Headers.remove(headers, h)
    basicAuth = undefined
    cookie = undefined
  } else if (url.user === "" && from.user !== "" && basicAuth === undefined) {
    // Same origin (or trusted): URL credentials carry over even to an absolute Location without them.
    basicAuth = [from.user, from.password]
  }
  if (url.fragment === "" && from.fragment !== "") url = Url.setFragment(url, from.fragment)
  return Either.right({ hop: { method, input: url, headers, body, basicAuth, cookie }, url })
}

/** A followed redirect: what the response records, and the raw target for `TooManyRedirects`. */
interface Followed {
  readonly redirect: Redirect
  readonly target: string
}

/** An intermediate or failing hop's connection: closed, not drained (it broke the chain). */
const giveUp = (o: Opened): Effect.Effect<void> => Scope.close(o.scope, Exit.void)

/**
 * `followRedirect`: the engine's redirect loop over the dispatch below; each hop is
 * prepared from its own URL (its dial spec, its proxy).
 *
 * @internal
 */
export const redirects = (options: Options): Interceptor => (next) => {
  const { blockPrivateRedirects = false, locationTrusted = false, maxRedirect = 5 } = options
  return (first, ctx) => {
    // Hops after the first check their connection out through the guard (engine/redirectGuard.ts).
    const hopCtx = blockPrivateRedirects ? { ...ctx, cfg: { ...ctx.cfg, source: guardedSource(ctx.cfg.source) } } : ctx
    return Effect.map(
      follow<Hop, Opened, Followed, HackneyError, never>({
        max: maxRedirect,
        send: (hop) => next(hop, hopCtx),
        status: (o) => o.response.status,
        locations: (o) => Headers.getAll(o.response.headers, "location"),
        next: (hop, o, reference) =>
          Either.map(nextHop(hop, o.prepared.url, o.response.status, reference, locationTrusted), (n) => {
            const target = Url.format(n.url)
            const redirect = { status: o.response.status, url: redactUrl(o.prepared.href), location: redactUrl(target) }
            return { request: n.hop, record: { redirect, target } }
          }),
        drain: (o) => drain(o.response, o.scope),
        giveUp,
        ambiguous: (_hop, o, count) => multipleLocations(o.response.status, count, o.prepared.method, o.prepared.href),
        tooMany: (o, followed, n) =>
          new TooManyRedirects({
            max: maxRedirect,
            chain: [...followed.map((f) => f.redirect.url), o.prepared.href, n.target],
            method: o.prepared.method,
            url: o.prepared.href
          })
      }, first, next(first, ctx)),
      (f): Opened => ({ ...f.response, redirects: f.chain.map((r) => r.redirect) })
    )
  }
}

/** Reads up to {@link drainLimit} bytes of a body we do not want, then releases the hop. */
export const drain = (response: StreamingResponse, scope: Scope.CloseableScope): Effect.Effect<void> =>
  Stream.runFoldWhile(response.body, 0, (n) => n <= drainLimit, (n, chunk) => n + chunk.length).pipe(
    Effect.ignore,
    Effect.zipRight(Scope.close(scope, Exit.void))
  )

