/**
 * The feature path as interceptors: a hop goes through a {@link Dispatch}
 * (one hop sent, resolved with its response head), and each feature —
 * cookies of the jar, `attemptTimeout`, `retry`, `followRedirect`,
 * `autoDecompress` — is an
 * {@link Interceptor} (`dispatch => dispatch`) around the bare one
 * ({@link send}), composed once per options object ({@link dispatchFor},
 * memoised). Requests that use none of the features never come here (the
 * bare path, `execute.ts`).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { Options, Redirect } from "../../Hackney.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import { ops } from "../cookie/service.js"
import { compose } from "../engine/dispatch.js"
import type * as engine from "../engine/dispatch.js"
import { withStaleRetry } from "../engine/exchange.js"
import * as execute from "./execute.js"
import { withDeadline } from "./deadline.js"
import { toMillis } from "../options/rules.js"
import { idempotentMethods, prepare } from "./prepare.js"
import type { Prepared } from "./prepare.js"
import { drain, isReplayable, redirects } from "./redirect.js"
import type { ChainConfig, Hop } from "./redirect.js"
import { defaultRetryStatuses, retrying } from "./retry.js"
import type { Attempted, RetryPolicy } from "./retry.js"
import { currentWheel } from "../timer/wheel.js"
import type { Features, Switches } from "../observe/features.js"
import { middlewareInterceptors } from "./middleware.js"
import { observeAttempt, observeRequest } from "./observe.js"
import { bytesSent, download, withUpload } from "./progress.js"
import { acceptEncoding, corruptBody, decode, decodingPlan, limitDecoded } from "../node/decompress.js"

/** A hop's response (head read), its request and scope, and the redirects that led to it. @internal */
export interface Opened {
  readonly response: execute.StreamingResponseImpl
  readonly prepared: Prepared
  readonly scope: Scope.CloseableScope
  readonly redirects: ReadonlyArray<Redirect>
}

/** What every hop of one call shares: the configuration and the caller's scope (each hop's is a child). @internal */
export interface HopContext {
  readonly cfg: ChainConfig
  readonly outer: Scope.Scope
  /** With tracing: the attempts made so far (each attempt's `http.request.resend_count`). */
  readonly attempts?: { count: number } | undefined
}

/**
 * The feature path's dispatch: one hop sent, resolved with its response head.
 * The features are {@link Interceptor}s around the bare one ({@link send}).
 *
 * @internal
 */
export type Dispatch = engine.Dispatch<Hop, Opened, HackneyError, HopContext>

/** A feature wrapping the dispatch below it (redirects, cookies, retry, attempt deadline). @internal */
export type Interceptor = engine.Interceptor<Hop, Opened, HackneyError, HopContext>

/** The final hop: its response (head read, body not yet), its scope, and the chain. @internal */
export type ChainResult = Opened

/** The options of one hop: its headers (with the Cookie header built from the option and the jar's), body, auth. */
const hopOptions = (cfg: ChainConfig, hop: Hop): Options => {
  let headers = hop.headers
  const jarValue = hop.jarCookie
  const base = hop.cookie ?? Headers.getOrUndefined(headers, "cookie")
  if (base !== undefined || jarValue !== undefined) {
    const value = base !== undefined && jarValue !== undefined ? `${base}; ${jarValue}` : (base ?? jarValue)!
    headers = Headers.set(headers, "Cookie", value)
  }
  return { ...cfg.options, ...cfg.overrides, headers, body: hop.body, basicAuth: hop.basicAuth }
}

/** Sends one hop in a child scope of the caller's; resolves once the response head arrived. */
const send: Dispatch = (hop, { cfg, outer }) =>
  Effect.flatMap(prepare(hop.method, hop.input, hopOptions(cfg, hop), cfg.openFile), (prepared) =>
    Effect.flatMap(currentWheel, (wheel) => {
      const up = cfg.options.uploadProgress
      const p = up === undefined ? prepared : withUpload(prepared, up)
      const once = (fresh: boolean) =>
        Effect.flatMap(Scope.fork(outer, ExecutionStrategy.sequential), (scope) =>
          execute.streaming(p, cfg.source, wheel, fresh).pipe(
            Effect.tap(() => (up === undefined ? Effect.void : bytesSent(p, up))),
            Scope.extend(scope),
            Effect.map((response): Opened => ({ response, prepared: p, scope, redirects: none })),
            Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
          ))
      // The stale keep-alive resend is part of this attempt: the retry Schedule sees only what it leads to.
      return withStaleRetry(p, once(false), () => once(true))
    }))

const none: ReadonlyArray<Redirect> = []

/**
 * Cookies of the jar (the `cookieJar` option or the `CookieJar` service): the
 * hop carries the jar's Cookie value for its URL, and the Set-Cookie fields of
 * its response are stored. Without a jar the hop passes through.
 */
const cookies: Interceptor = (next) => (hop, ctx) => {
  const jar = ctx.cfg.jar
  if (jar === undefined) return next(hop, ctx)
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const parsed = typeof hop.input === "string" ? Url.parse(hop.input) : Either.right(hop.input)
    const jarCookie = Either.isRight(parsed) ? ops(jar).headerFor(parsed.right, now) : undefined
    return Effect.tap(next({ ...hop, jarCookie }, ctx), (o) =>
      Effect.map(Clock.currentTimeMillis, (t) => ops(jar).storeFrom(o.response.headers, o.prepared.url, t)))
  })
}

/** `attemptTimeout`: a deadline on each attempt until its head. */
const attemptDeadline = (millis: number): Interceptor => (next) => (hop, ctx) =>
  withDeadline(next(hop, ctx), millis, "head", hop.method, hopUrl(hop), millis, "attemptTimeout")

/** `retry`: each hop retried per the policy (a retried response is drained first). */
const retry = (options: Options): Interceptor => (next) => (hop, ctx) =>
  retrying(
    retryPolicy(options, hop),
    Effect.map(next(hop, ctx), (o): Attempted<Opened> => ({
      value: o,
      status: o.response.status,
      headers: o.response.headers,
      discard: drain(o.response, o.scope)
    }))
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
 * `autoDecompress`: asks for the encodings it decodes (unless the request
 * names its own Accept-Encoding), and gives the last response with its body
 * decoded as it streams (without Content-Encoding and Content-Length), the
 * decoded size bounded by `maxBodySize`.
 */
const decompress = (options: Options): Interceptor => (next) => {
  const limit = options.maxBodySize ?? Infinity
  return (hop, ctx) => {
    const asked = Headers.has(hop.headers, "accept-encoding")
      ? hop
      : { ...hop, headers: Headers.set(hop.headers, "Accept-Encoding", acceptEncoding) }
    return Effect.map(next(asked, ctx), (o): Opened => {
      const { method, href } = o.prepared
      const res = o.response
      const plan = decodingPlan(Headers.getOrUndefined(res.headers, "content-encoding"))
      let headers = res.headers
      let body = res.body
      if (plan !== undefined && plan.length > 0) {
        headers = Headers.remove(Headers.remove(headers, "content-encoding"), "content-length")
        body = decode(body, plan, (f) => corruptBody(f, method, href))
      }
      body = limitDecoded(body, limit, method, href)
      return { ...o, response: new execute.StreamingResponseImpl(res.ex, res.url, res.protocol, o.redirects, headers, body) }
    })
  }
}

/**
 * The interceptors an options object (and its pool's features) asks for,
 * innermost first: the attempt's span and `traceparent` (`tracing`), cookies
 * (always: the jar may come from the context), the middleware (the
 * request's, else the pool's; outermost first), `attemptTimeout`,
 * `retry`, `followRedirect`, `autoDecompress` (of the last response only),
 * the request's span and metrics (`tracing`, `metrics`).
 */
const interceptorsOf = (options: Options, features: Features | undefined): ReadonlyArray<Interceptor> => {
  const sw: Switches = {
    metrics: options.metrics ?? features?.metrics,
    tracing: options.tracing ?? features?.tracing,
    propagate: options.propagate ?? features?.propagate
  }
  const out: Array<Interceptor> = []
  if (sw.tracing === true) out.push(observeAttempt(sw))
  out.push(cookies)
  out.push(...middlewareInterceptors(options.middleware, features?.middleware))
  if (options.attemptTimeout !== undefined) out.push(attemptDeadline(toMillis(options.attemptTimeout)!))
  if (options.retry !== undefined) out.push(retry(options))
  if (options.followRedirect === true) out.push(redirects(options))
  if (options.downloadProgress !== undefined) out.push(download(options.downloadProgress))
  if (options.autoDecompress === true) out.push(decompress(options))
  if (sw.metrics === true || sw.tracing === true) out.push(observeRequest(sw))
  return out
}

const composed = new WeakMap<Options, Dispatch>()
const composedWith = new WeakMap<Features, WeakMap<Options, Dispatch>>()

/**
 * The dispatch for an options object: its interceptors composed over the
 * bare one, once per options object (memoised, like the resolved options).
 *
 * @internal
 */
export const dispatchFor = (options: Options, features?: Features): Dispatch => {
  let cache = composed
  if (features !== undefined) {
    let c = composedWith.get(features)
    if (c === undefined) {
      c = new WeakMap()
      composedWith.set(features, c)
    }
    cache = c
  }
  let d = cache.get(options)
  if (d === undefined) {
    d = compose(interceptorsOf(options, features), send)
    cache.set(options, d)
  }
  return d
}

/**
 * Runs a chain: `first` through the dispatch of the options, the last
 * response returned with its scope still open (closed with the caller's
 * scope).
 *
 * @internal
 */
export const chain = (cfg: ChainConfig, first: Hop): Effect.Effect<ChainResult, HackneyError, Scope.Scope> =>
  Effect.flatMap(Effect.scope, (outer) => dispatchFor(cfg.options, cfg.source.features)(first, { cfg, outer }))
