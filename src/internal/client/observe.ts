/**
 * Metrics and traces of a request as feature-path interceptors, added only
 * when the request or its pool asks (`metrics`, `tracing`): so a request
 * that asks for none never reaches them.
 *
 * - {@link observeRequest}, outermost: one span per request (`HTTP GET`,
 *   kind client; its redirects and retries inside it) and the request
 *   metrics (`http.client.request.duration`, `active_requests`, body sizes),
 *   closed when the last response's scope closes (its body read or
 *   abandoned) or the request fails.
 * - {@link observeAttempt}, innermost: a child span per attempt (each
 *   redirect hop, retry and middleware resend) whose id goes out in the W3C
 *   `traceparent` header unless `propagate: false` or the request has one.
 * - {@link oneShot}, {@link streaming}: a bare request (no feature path) and
 *   its one span and metrics (`Observation`), started and ended by the
 *   exchange's own steps (`execute.Observer`).
 *
 * URLs in attributes have no userinfo, query or fragment; metric labels
 * have no URL at all (host and port).
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import type { Options, Response } from "../../Hackney.js"
import type { Protocol } from "../connection/connection.js"
import type { ConnectionSource } from "../engine/source.js"
import type { Switches } from "../observe/features.js"
import * as execute from "./execute.js"
import type { StreamingResponseImpl } from "./execute.js"
import type { TimerWheel } from "../timer/wheel.js"
import { hasHeader } from "./prepare.js"
import type { Prepared } from "./prepare.js"
import { countActive, originOf, protocolVersion, requestEnded, requestFailed, requestStarted, requestSucceeded } from "../observe/requestMeter.js"
import type { Origin, Outcome, Started } from "../observe/requestMeter.js"
import type { Series } from "../observe/metrics.js"
import { urlLabel } from "../url/label.js"
import { traceConnect } from "../observe/log.js"
import { startClientSpan, traceparentOf } from "../observe/span.js"
import type { HopContext, Interceptor, Opened } from "./dispatch.js"
import type { Hop } from "./redirect.js"

interface Target {
  readonly url: string
  readonly host: string
  readonly port: number
}

const targetOf = (hop: Hop): Target => {
  const parsed = typeof hop.input === "string" ? Url.parse(hop.input) : Either.right(hop.input)
  if (Either.isLeft(parsed)) return { url: urlLabel(String(hop.input)), host: "", port: 0 }
  const u = parsed.right
  return { url: urlLabel(Url.format(u)), host: u.host, port: u.port }
}

/** `error.type` of a failure: its error's tag (`_OTHER` for an interruption or a defect). */
const errorType = (cause: Cause.Cause<HackneyError>): string => cause._tag === "Fail" ? cause.error._tag : "_OTHER"

const failureOf = (exit: Exit.Exit<unknown, HackneyError>): Outcome => ({ error: Exit.isFailure(exit) ? errorType(exit.cause) : "_OTHER" })

/** `error.type` of a response status (4xx, 5xx): its digits, made once per status. */
const statusTypes: Array<string | undefined> = []
const statusType = (status: number): string => statusTypes[status] ??= String(status)

/**
 * Ends a request's (or an attempt's) span with its response: the status,
 * protocol version, reuse when known, `error.type` for 4xx and 5xx.
 */
const spanSucceeded = (span: Tracer.Span, end: bigint, status: number, protocol: Protocol, reused: boolean | undefined): void => {
  span.attribute("http.response.status_code", status)
  span.attribute("network.protocol.version", protocolVersion(protocol))
  if (reused !== undefined) span.attribute("hackney.connection.reused", reused)
  if (status >= 400) span.attribute("error.type", statusType(status))
  span.end(end, Exit.void)
}

/** Ends a span with a failure (or interruption) `exit`: `error.type` is the error's tag. */
const spanFailed = (span: Tracer.Span, end: bigint, exit: Exit.Exit<unknown, HackneyError>): void => {
  if (Exit.isFailure(exit) && exit.cause._tag === "Fail") span.attribute("error.type", exit.cause.error._tag)
  span.end(end, exit)
}

/**
 * Ends a request's observation on the feature path: its metrics, and its
 * span with the status (or the error's tag) and the exit.
 */
const close = (
  started: Started | undefined,
  span: Tracer.Span | undefined,
  end: bigint,
  exit: Exit.Exit<Opened, HackneyError>
): void => {
  if (started !== undefined) requestEnded(started, end, outcomeOf(exit))
  if (span === undefined) return
  if (Exit.isFailure(exit)) spanFailed(span, end, exit)
  else spanSucceeded(span, end, exit.value.response.status, exit.value.response.protocol, undefined)
}

const outcomeOf = (exit: Exit.Exit<Opened, HackneyError>): Outcome => {
  if (Exit.isFailure(exit)) return failureOf(exit)
  const r = exit.value.response
  return { status: r.status, protocol: r.protocol, sent: requestBytes(exit.value), received: r.ex.received }
}

const requestBytes = (o: Opened): number => {
  const b = o.prepared.body
  return b._tag === "Bytes" ? b.bytes.length : b._tag === "None" ? 0 : o.response.ex.bodySent
}

/** `f` memoised by its input, up to `bound` inputs (then cleared): for values that repeat request after request. */
const memoised = (bound: number, f: (s: string) => string) => {
  const cache = new Map<string, string>()
  return (s: string): string => {
    let v = cache.get(s)
    if (v === undefined) {
      v = f(s)
      if (cache.size >= bound) cache.clear()
      cache.set(s, v)
    }
    return v
  }
}

/** The request span's name by method, and a URL's label (`url.full`) by its text: made once each, not per request. */
const spanName = memoised(64, (method) => `HTTP ${method}`)
const hrefLabel = memoised(1024, urlLabel)

/** The fiber's Clock (the one Effect's spans and timeouts use). */
const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Clock.Clock =>
  Context.get(fiber.currentDefaultServices, Clock.Clock)

/**
 * A client span `name` for a request to `url` (`startClientSpan`) with the
 * semantic conventions' required attributes; undefined when the fiber's
 * tracing is disabled.
 */
const requestSpan = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  name: string,
  now: bigint,
  method: string,
  url: string,
  host: string,
  port: number
): Tracer.Span | undefined => {
  const span = startClientSpan(fiber, name, now)
  if (span !== undefined) {
    span.attribute("http.request.method", method)
    span.attribute("server.address", host)
    span.attribute("server.port", port)
    span.attribute("url.full", url)
  }
  return span
}

/**
 * The request's span and metrics, around everything (redirects, retries,
 * decoding).
 *
 * @internal
 */
export const observeRequest = (sw: Switches): Interceptor => (next) => (hop, ctx) =>
  Effect.withFiberRuntime((fiber) => {
    const clock = clockOf(fiber)
    const start = clock.unsafeCurrentTimeNanos()
    const target = targetOf(hop)
    const method = hop.method
    const inner: HopContext = { ...ctx, attempts: { count: 0 } }
    const span = sw.tracing === true
      ? requestSpan(fiber, spanName(method), start, method, target.url, target.host, target.port)
      : undefined
    const started: Started | undefined = sw.metrics === true
      ? requestStarted(method, `${target.host}:${target.port}`, target.host, target.port, start)
      : undefined
    const ended = (exit: Exit.Exit<Opened, HackneyError>) => close(started, span, clock.unsafeCurrentTimeNanos(), exit)
    const sent = span === undefined ? next(hop, inner) : Effect.withParentSpan(next(hop, inner), span)
    return Effect.onExit(sent, (exit) =>
      Exit.isSuccess(exit)
        // Ends with the response: when its scope closes (body read, or the caller's scope closed).
        ? Scope.addFinalizer(exit.value.scope, Effect.sync(() => ended(exit)))
        : Effect.sync(() => ended(exit)))
  })

/**
 * A child span per attempt, its `traceparent` on the wire (`propagate`,
 * default true; never a second one).
 *
 * @internal
 */
export const observeAttempt = (sw: Switches): Interceptor => (next) => (hop, ctx) =>
  Effect.withFiberRuntime((fiber) => {
    const resend = ctx.attempts === undefined ? 0 : ctx.attempts.count++
    const target = targetOf(hop)
    const span = requestSpan(fiber, `HTTP ${hop.method} attempt`, clockOf(fiber).unsafeCurrentTimeNanos(), hop.method, target.url, target.host, target.port)
    if (span === undefined) return next(hop, ctx)
    if (resend > 0) span.attribute("http.request.resend_count", resend)
    const tp = sw.propagate !== false && !Headers.has(hop.headers, "traceparent") ? traceparentOf(span) : undefined
    const sent = tp !== undefined ? { ...hop, headers: Headers.set(hop.headers, "traceparent", tp) } : hop
    // Its dial, if it makes one, is traced too (`hackney.connect`).
    return Effect.withParentSpan(Effect.locally(next(sent, ctx), traceConnect, span), span).pipe(
      Effect.onExit((exit) =>
        Effect.flatMap(Clock.currentTimeNanos, (now) => {
          if (Exit.isFailure(exit)) {
            spanFailed(span, now, exit)
            return Effect.void
          }
          const o = exit.value
          span.attribute("http.response.status_code", o.response.status)
          span.attribute("network.protocol.version", protocolVersion(o.response.protocol))
          span.attribute("hackney.connection.reused", o.response.ex.reused)
          return Scope.addFinalizer(o.scope, Effect.flatMap(Clock.currentTimeNanos, (t) => Effect.sync(() => span.end(t, Exit.void))))
        }))
    )
  })

/**
 * The switches of a request without other features (the bare path): its
 * own, else its pool's (the pool's own object when the request sets none:
 * nothing made per request); undefined when neither metrics nor tracing is on.
 *
 * @internal
 */
export const switchesOf = (options: Options, source: ConnectionSource): Switches | undefined => {
  const f = source.features
  if (options.metrics === undefined && options.tracing === undefined && options.propagate === undefined) {
    return f !== undefined && (f.metrics === true || f.tracing === true) ? f : undefined
  }
  const metrics = options.metrics ?? f?.metrics
  const tracing = options.tracing ?? f?.tracing
  if (metrics !== true && tracing !== true) return undefined
  return { metrics, tracing, propagate: options.propagate ?? f?.propagate }
}

/** A bare-path request's span, with its required attributes; undefined when the fiber's tracing is disabled. */
const bareSpan = (p: Prepared, fiber: Fiber.RuntimeFiber<unknown, unknown>, start: bigint): Tracer.Span | undefined =>
  requestSpan(fiber, spanName(p.method), start, p.method, hrefLabel(p.href), p.url.host, p.url.port)

/** The request body's bytes of a bare request (`bodySent`: a streamed body's count). */
const sentBytes = (p: Prepared, bodySent: number): number =>
  p.body._tag === "Bytes" ? p.body.bytes.length : p.body._tag === "None" ? 0 : bodySent

/**
 * The observation of one bare-path request (no redirect, retry,
 * middleware…): its metrics and its one span (no attempt child: there is one
 * attempt; the span's id goes out in `traceparent`), without the feature
 * path's machinery, timed on the requesting fiber's Clock (`wheel.clock`).
 * The exchange's own steps run it (`execute.Observer`): started inside the
 * request's uninterruptible region, ended exactly once (a second end is
 * ignored) by the watcher's completion callback or the guard around the
 * wait — no region or match of its own on the idle path. The `traceparent`
 * goes to the connection as a field of this request alone
 * (`Connection.begin`): a prepared request is shared by the requests of one
 * URL and options (`prepareResolved`), so it is neither changed nor copied.
 * One object per observed request, a class instance (no allocation site V8
 * could pretenure, see `http1/young.ts`); metered, it is its own `Started`
 * (no object of the meter's), and its outcome goes to the meter as
 * arguments (none either).
 */
class Observation implements execute.Observer {
  traceparent: string | undefined
  dialParent: Tracer.Span | undefined
  // `Started`'s fields, set when metered (`active` then defined: the object is then a `Started`).
  origin: Origin | undefined
  method: string
  since: bigint
  active: Series | undefined
  private p: Prepared | undefined
  private ended: boolean
  // A streamed request body's bytes as sent (`streamSent`); 0 until then (bytes and no bodies are counted from `p`).
  private sent: number
  constructor(
    private readonly sw: Switches,
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private readonly clock: Clock.Clock
  ) {
    this.traceparent = undefined
    this.dialParent = undefined
    this.origin = undefined
    this.method = ""
    this.since = 0n
    this.active = undefined
    this.p = undefined
    this.ended = false
    this.sent = 0
  }

  start(p: Prepared): void {
    this.p = p
    const start = this.clock.unsafeCurrentTimeNanos()
    const sw = this.sw
    if (sw.metrics === true) {
      const origin = originOf(p.spec.key, p.url.host, p.url.port)
      this.origin = origin
      this.method = p.method
      this.since = start
      this.active = countActive(origin, p.method)
    }
    if (sw.tracing !== true) return
    const span = bareSpan(p, this.fiber, start)
    if (span === undefined) return
    this.dialParent = span
    if (sw.propagate !== false && !hasHeader(p.rawHeaders, "traceparent")) this.traceparent = traceparentOf(span)
  }

  streamSent(n: number): void {
    this.sent = n
  }

  responded(r: Response): void {
    this.succeeded(r, r.body.length, this.sent, undefined)
  }

  /** Ends it with a streaming response, its body read or abandoned (its scope closed). */
  streamed(r: StreamingResponseImpl): void {
    this.succeeded(r, r.ex.received, r.ex.bodySent, r.ex.reused)
  }

  failed(cause: Cause.Cause<HackneyError>): void {
    if (this.ended) return
    this.ended = true
    const end = this.clock.unsafeCurrentTimeNanos()
    if (this.active !== undefined) requestFailed(this as Started, end, errorType(cause))
    if (this.dialParent !== undefined) spanFailed(this.dialParent, end, Exit.failCause(cause))
  }

  private succeeded(
    r: { readonly status: number; readonly protocol: Protocol },
    received: number,
    bodySent: number,
    reused: boolean | undefined
  ): void {
    if (this.ended) return
    this.ended = true
    const end = this.clock.unsafeCurrentTimeNanos()
    if (this.active !== undefined) requestSucceeded(this as Started, end, r.status, r.protocol, sentBytes(this.p!, bodySent), received)
    if (this.dialParent !== undefined) spanSucceeded(this.dialParent, end, r.status, r.protocol, reused)
  }
}

/** The bare one-shot request, observed (`execute.oneShot` runs its {@link Observation}). @internal */
export const oneShot = (
  p: Prepared,
  sw: Switches,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<Response, HackneyError> => execute.oneShot(p, source, wheel, fiber, new Observation(sw, fiber, wheel.clock))

/**
 * The handlers of the match that ends a streaming request's observation: a
 * class instance, not an options literal (see {@link Observation}). A
 * response ends it when its scope closes: its body read, or abandoned.
 */
class StreamingEnd {
  constructor(readonly obs: Observation) {}
  readonly onFailure = (cause: Cause.Cause<HackneyError>): Effect.Effect<never, HackneyError> => {
    this.obs.failed(cause)
    return Effect.failCause(cause)
  }
  readonly onSuccess = (r: StreamingResponseImpl): Effect.Effect<StreamingResponseImpl, never, Scope.Scope> =>
    Effect.as(Effect.addFinalizer(() => Effect.sync(() => this.obs.streamed(r))), r)
}

/**
 * The bare streaming request, observed until its scope closes
 * (`execute.streaming`): started in one uninterruptible region, ended by the
 * handlers of its one match (and the response scope's finalizer).
 *
 * @internal
 */
export const streaming = (
  p: Prepared,
  sw: Switches,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<StreamingResponseImpl, HackneyError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) => {
    const obs = new Observation(sw, fiber, wheel.clock)
    obs.start(p)
    return Effect.matchCauseEffect(restore(execute.streamingWithStaleRetry(p, source, wheel, obs)), new StreamingEnd(obs))
  })
