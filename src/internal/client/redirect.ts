/**
 * `Hackney`'s hops for the engine's redirect loop (`follow`,
 * `../engine/redirect.ts`) around the streaming execution: one hop at a
 * time, each in its own child scope of the caller's scope. A hop stores the Set-Cookie
 * headers of its response in the jar, is retried per the retry policy, and,
 * when it is a 301/302/303/307/308 with a Location to follow (see
 * {@link locationOf}), has its body drained (up to {@link drainLimit}: the
 * connection goes back to the pool) or its connection closed, before the
 * next hop is built by {@link nextHop}.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as CookieJar from "../../CookieJar.js"
import type { Body, Options, Redirect, StreamingResponse } from "../../Hackney.js"
import { InvalidRequest, redactUrl, TooManyRedirects } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import { ops } from "../cookie/service.js"
import { withStaleRetry } from "../engine/exchange.js"
import {
  bodyHeaders,
  credentialHeaders,
  drainLimit,
  dropsCredentials,
  follow,
  multipleLocations,
  reissue
} from "../engine/redirect.js"
import * as execute from "./execute.js"
import { withDeadline } from "./deadline.js"
import { toMillis } from "../options/rules.js"
import { idempotentMethods, prepare } from "./prepare.js"
import type { Prepared } from "./prepare.js"
import { requestSchemes } from "./requestUrl.js"
import { defaultRetryStatuses, retrying } from "./retry.js"
import type { Attempted, RetryPolicy } from "./retry.js"
import type { ConnectionSource } from "../engine/source.js"
import { currentWheel } from "../timer/wheel.js"

/** One request of a chain. @internal */
export interface Hop {
  readonly method: string
  readonly input: string | Url.Url
  readonly headers: Headers.Headers
  readonly body: Body | undefined
  readonly basicAuth: readonly [string, string] | undefined
  /** The explicit `cookie` option, joined. */
  readonly cookie: string | undefined
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

/** The final hop: its response (head read, body not yet), its scope, and the chain. @internal */
export interface ChainResult {
  readonly response: execute.StreamingResponseImpl
  readonly prepared: Prepared
  readonly scope: Scope.CloseableScope
  readonly redirects: ReadonlyArray<Redirect>
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

/** The options of one hop: its headers (with the Cookie header built from the option and the jar), body, auth. */
const hopOptions = (cfg: ChainConfig, hop: Hop, now: number): Options => {
  let headers = hop.headers
  const parsed = typeof hop.input === "string" ? Url.parse(hop.input) : Either.right(hop.input)
  const jarValue = cfg.jar !== undefined && Either.isRight(parsed) ? ops(cfg.jar).headerFor(parsed.right, now) : undefined
  const base = hop.cookie ?? Headers.getOrUndefined(headers, "cookie")
  if (base !== undefined || jarValue !== undefined) {
    const value = base !== undefined && jarValue !== undefined ? `${base}; ${jarValue}` : (base ?? jarValue)!
    headers = Headers.set(headers, "Cookie", value)
  }
  return { ...cfg.options, ...cfg.overrides, headers, body: hop.body, basicAuth: hop.basicAuth }
}

interface Opened {
  readonly response: execute.StreamingResponseImpl
  readonly prepared: Prepared
  readonly scope: Scope.CloseableScope
}

/** Sends one hop in a child scope of `outer`; resolves once the response head arrived. */
const openHop = (cfg: ChainConfig, hop: Hop, outer: Scope.Scope): Effect.Effect<Opened, HackneyError> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const p = yield* prepare(hop.method, hop.input, hopOptions(cfg, hop, now), cfg.openFile)
    const wheel = yield* currentWheel
    const once = (fresh: boolean) =>
      Effect.flatMap(Scope.fork(outer, ExecutionStrategy.sequential), (scope) =>
        execute.streaming(p, cfg.source, wheel, fresh).pipe(
          Scope.extend(scope),
          Effect.map((response): Opened => ({ response, prepared: p, scope })),
          Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
        ))
    // The stale keep-alive resend is part of this attempt: the retry Schedule sees only what it leads to.
    const opened = yield* withStaleRetry(p, once(false), () => once(true))
    if (cfg.jar !== undefined) {
      ops(cfg.jar).storeFrom(opened.response.headers, p.url, yield* Clock.currentTimeMillis)
    }
    return opened
  })

/** Reads up to {@link drainLimit} bytes of a body we do not want, then releases the hop. */
export const drain = (response: StreamingResponse, scope: Scope.CloseableScope): Effect.Effect<void> =>
  Stream.runFoldWhile(response.body, 0, (n) => n <= drainLimit, (n, chunk) => n + chunk.length).pipe(
    Effect.ignore,
    Effect.zipRight(Scope.close(scope, Exit.void))
  )

const retryPolicy = (options: Options, hop: Hop): RetryPolicy | undefined => {
  if (options.retry === undefined) return undefined
  const idempotent = idempotentMethods.has(hop.method.toUpperCase()) || options.retryNonIdempotent === true
  return {
    schedule: options.retry,
    idempotent,
    allowed: idempotent && isReplayable(hop.body),
    statuses: new Set(options.retryStatuses ?? defaultRetryStatuses)
  }
}

const hopUrl = (hop: Hop): string => (typeof hop.input === "string" ? hop.input : Url.format(hop.input))

/** A followed redirect: what the response records, and the raw target for `TooManyRedirects`. */
interface Followed {
  readonly redirect: Redirect
  readonly target: string
}

/** An intermediate or failing hop's connection: closed, not drained (it broke the chain). */
const giveUp = (o: Opened): Effect.Effect<void> => Scope.close(o.scope, Exit.void)

/**
 * Runs a chain: sends `first`, follows redirects when `followRedirect` is
 * set (the engine's loop, `follow`: at most `maxRedirect`, then
 * `TooManyRedirects`), and returns the last response with its scope still
 * open (closed with the caller's scope). Each hop is prepared from its own
 * URL, is retried per the retry policy and bounded by `attemptTimeout`.
 *
 * @internal
 */
export const chain = (cfg: ChainConfig, first: Hop): Effect.Effect<ChainResult, HackneyError, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (outer) => {
    const { attemptTimeout, followRedirect = false, locationTrusted = false, maxRedirect = 5 } = cfg.options
    const perAttempt = attemptTimeout === undefined ? Infinity : toMillis(attemptTimeout)!
    const send = (hop: Hop): Effect.Effect<Opened, HackneyError> => {
      const opening = perAttempt === Infinity
        ? openHop(cfg, hop, outer)
        : withDeadline(openHop(cfg, hop, outer), perAttempt, "head", hop.method, hopUrl(hop), perAttempt, "attemptTimeout")
      const attempt = Effect.map(opening, (o): Attempted<Opened> => ({
        value: o,
        status: o.response.status,
        headers: o.response.headers,
        discard: drain(o.response, o.scope)
      }))
      return retrying(retryPolicy(cfg.options, hop), attempt)
    }
    const result = (o: Opened, redirects: ReadonlyArray<Redirect>): ChainResult => ({
      response: o.response,
      prepared: o.prepared,
      scope: o.scope,
      redirects
    })
    if (!followRedirect) return Effect.map(send(first), (o) => result(o, []))
    return Effect.map(
      follow<Hop, Opened, Followed, HackneyError, never>({
        max: maxRedirect,
        send,
        status: (o) => o.response.status,
        locations: (o) => Headers.getAll(o.response.headers, "location"),
        next: (hop, o, reference) =>
          Either.map(nextHop(hop, o.prepared.url, o.response.status, reference, locationTrusted), (next) => {
            const target = Url.format(next.url)
            const redirect = { status: o.response.status, url: redactUrl(o.prepared.href), location: redactUrl(target) }
            return { request: next.hop, record: { redirect, target } }
          }),
        drain: (o) => drain(o.response, o.scope),
        giveUp,
        ambiguous: (_hop, o, count) => multipleLocations(o.response.status, count, o.prepared.method, o.prepared.href),
        tooMany: (o, followed, next) =>
          new TooManyRedirects({
            max: maxRedirect,
            chain: [...followed.map((f) => f.redirect.url), o.prepared.href, next.target],
            method: o.prepared.method,
            url: o.prepared.href
          })
      }, first, send(first)),
      (followed) => result(followed.response, followed.chain.map((f) => f.redirect))
    )
  })
