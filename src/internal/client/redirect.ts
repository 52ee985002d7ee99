/**
 * The redirect loop around the streaming execution: one hop at a time, each
 * in its own child scope of the caller's scope. A hop stores the Set-Cookie
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
  absent,
  bodyHeaders,
  credentialHeaders,
  drainLimit,
  dropsCredentials,
  locationOf,
  multipleLocations,
  redirectStatuses,
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

/**
 * Runs a chain: sends `first`, follows redirects when `followRedirect` is
 * set (at most `maxRedirect`, then `TooManyRedirects`), and returns the last
 * response with its scope still open (closed with the caller's scope).
 *
 * @internal
 */
export const chain = (cfg: ChainConfig, first: Hop): Effect.Effect<ChainResult, HackneyError, Scope.Scope> =>
  Effect.gen(function*() {
    const outer = yield* Effect.scope
    const { attemptTimeout, followRedirect = false, locationTrusted = false, maxRedirect = 5 } = cfg.options
    const perAttempt = attemptTimeout === undefined ? Infinity : toMillis(attemptTimeout)!
    const redirects: Array<Redirect> = []
    let hop = first
    while (true) {
      const current = hop
      const opening = perAttempt === Infinity
        ? openHop(cfg, current, outer)
        : withDeadline(openHop(cfg, current, outer), perAttempt, "head", current.method, hopUrl(current), perAttempt, "attemptTimeout")
      const attempt = Effect.map(opening, (o): Attempted<Opened> => ({
        value: o,
        status: o.response.status,
        headers: o.response.headers,
        discard: drain(o.response, o.scope)
      }))
      const opened = yield* retrying(retryPolicy(cfg.options, current), attempt)
      const { prepared, response, scope } = opened
      const location = followRedirect && redirectStatuses.has(response.status)
        ? locationOf(Headers.getAll(response.headers, "location"))
        : absent
      // Not a redirect to follow (or no Location): this is the response.
      if (location._tag === "Absent") return { response, prepared, scope, redirects }
      if (location._tag === "Ambiguous") {
        // Not drained: the connection is closed, as for any response that breaks the protocol.
        yield* Scope.close(scope, Exit.void)
        return yield* Effect.fail(multipleLocations(response.status, location.count, prepared.method, prepared.href))
      }
      const next = nextHop(current, prepared.url, response.status, location.reference, locationTrusted)
      if (Either.isLeft(next)) {
        yield* Scope.close(scope, Exit.void)
        return yield* Effect.fail(next.left)
      }
      const target = Url.format(next.right.url)
      if (redirects.length >= maxRedirect) {
        yield* Scope.close(scope, Exit.void)
        return yield* Effect.fail(
          new TooManyRedirects({
            max: maxRedirect,
            chain: [...redirects.map((r) => r.url), prepared.href, target],
            method: prepared.method,
            url: prepared.href
          })
        )
      }
      yield* drain(response, scope)
      redirects.push({ status: response.status, url: redactUrl(prepared.href), location: redactUrl(target) })
      hop = next.right.hop
    }
  })
