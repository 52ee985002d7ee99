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
 *
 * URLs in attributes have no userinfo, query or fragment; metric labels
 * have no URL at all (host and port).
 *
 * @internal
 */
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
import { protocolVersion, requestEnded, requestStarted } from "../observe/requestMeter.js"
import type { Outcome, Started } from "../observe/requestMeter.js"
import { urlLabel } from "../url/label.js"
import { traceConnect } from "../observe/log.js"
import { startClientSpan, traceparentOf } from "../observe/span.js"
import { withField } from "../http1/encoder.js"
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

const failureOf = (exit: Exit.Exit<unknown, HackneyError>): Outcome =>
  ({ error: Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "_OTHER" })

/**
 * Ends a request's observation, on either path: its metrics, and its span
 * with the status (or the error's tag) and the exit.
 */
const close = (
  started: Started | undefined,
  span: Tracer.Span | undefined,
  end: bigint,
  exit: Exit.Exit<unknown, HackneyError>,
  outcome: Outcome,
  reused?: boolean
): void => {
  if (started !== undefined) requestEnded(started, end, outcome)
  if (span === undefined) return
  if ("error" in outcome) {
    if (outcome.error !== "_OTHER") span.attribute("error.type", outcome.error)
    span.end(end, exit)
    return
  }
  span.attribute("http.response.status_code", outcome.status)
  span.attribute("network.protocol.version", protocolVersion(outcome.protocol))
  if (reused !== undefined) span.attribute("hackney.connection.reused", reused)
  if (outcome.status >= 400) span.attribute("error.type", String(outcome.status))
  span.end(end, Exit.void)
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
 * A client span `name` for a request to `target` (`startClientSpan`) with
 * the standard attributes; undefined when the fiber's tracing is disabled.
 */
const requestSpan = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  name: string,
  now: bigint,
  method: string,
  target: Target
): Tracer.Span | undefined => {
  const span = startClientSpan(fiber, name, now)
  if (span !== undefined) {
    span.attribute("http.request.method", method)
    span.attribute("server.address", target.host)
    span.attribute("server.port", target.port)
    span.attribute("url.full", target.url)
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
    const span = sw.tracing === true ? requestSpan(fiber, spanName(method), start, method, target) : undefined
    const started: Started | undefined = sw.metrics === true
      ? requestStarted(method, `${target.host}:${target.port}`, target.host, target.port, start)
      : undefined
    const ended = (exit: Exit.Exit<Opened, HackneyError>) =>
      close(started, span, clock.unsafeCurrentTimeNanos(), exit, outcomeOf(exit))
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
    const span = requestSpan(fiber, `HTTP ${hop.method} attempt`, clockOf(fiber).unsafeCurrentTimeNanos(), hop.method, targetOf(hop))
    if (span === undefined) return next(hop, ctx)
    if (resend > 0) span.attribute("http.request.resend_count", resend)
    const tp = sw.propagate !== false && !Headers.has(hop.headers, "traceparent") ? traceparentOf(span) : undefined
    const sent = tp !== undefined ? { ...hop, headers: Headers.set(hop.headers, "traceparent", tp) } : hop
    // Its dial, if it makes one, is traced too (`hackney.connect`).
    return Effect.withParentSpan(Effect.locally(next(sent, ctx), traceConnect, span), span).pipe(
      Effect.onExit((exit) =>
        Effect.flatMap(Clock.currentTimeNanos, (now) => {
          if (Exit.isFailure(exit)) {
            if (exit.cause._tag === "Fail") span.attribute("error.type", exit.cause.error._tag)
            span.end(now, exit)
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
 * own, else its pool's; undefined when neither metrics nor tracing is on.
 *
 * @internal
 */
export const switchesOf = (options: Options, source: ConnectionSource): Switches | undefined => {
  const f = source.features
  if (f === undefined && options.metrics !== true && options.tracing !== true) return undefined
  const metrics = options.metrics ?? f?.metrics
  const tracing = options.tracing ?? f?.tracing
  if (metrics !== true && tracing !== true) return undefined
  return { metrics, tracing, propagate: options.propagate ?? f?.propagate }
}

/** What the bare path's request gives back: its status and protocol, the body bytes both ways. */
interface Ended {
  readonly status: number
  readonly protocol: Protocol
  readonly sent: number
  readonly received: number
  readonly reused: boolean | undefined
}

/**
 * `p` with the `traceparent` of `span` (none when it has its own, or the
 * span's ids are not W3C ones): its memoised head, if encoded already, gets
 * the one line rather than a new encoding; its dial (if any) goes under
 * `span`.
 */
const propagated = (p: Prepared, span: Tracer.Span, propagate: boolean | undefined): Prepared => {
  const tp = propagate !== false && !hasHeader(p.rawHeaders, "traceparent") ? traceparentOf(span) : undefined
  if (tp === undefined) return { ...p, dialParent: span }
  return {
    ...p,
    rawHeaders: [...p.rawHeaders, "traceparent", tp],
    h1: p.h1 === undefined ? undefined : withField(p.h1, "traceparent", tp),
    dialParent: span
  }
}

/**
 * A bare-path request (no redirect, retry, middleware…) with its metrics and
 * its one span (no attempt child: there is one attempt; the span's id goes
 * out in `traceparent`), without the feature path's machinery; times on
 * `clock`, the requesting fiber's (`fiber`, which runs it). The span is made
 * through the fiber's tracer directly (`startClientSpan`), its attributes
 * set on it. `run` sends the prepared request (given the `traceparent`
 * header when propagating); `ended` reads the outcome of its result; `hold`,
 * when given, ends the span and metrics when the current scope closes
 * (streaming), else they end with the result (one-shot). They end exactly
 * once, interrupted or not: `run` runs interruptibly inside an
 * uninterruptible region whose result handlers end them — no `onExit`
 * (whose cleanup is an Effect of its own, then sequenced with the result)
 * and no closure per request on the one-shot path.
 *
 * @internal
 */
export const observeBare = <A, R>(
  p: Prepared,
  sw: Switches,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  clock: Clock.Clock,
  run: (p: Prepared) => Effect.Effect<A, HackneyError, R>,
  ended: (a: A) => Ended,
  hold?: (end: Effect.Effect<void>) => Effect.Effect<void, never, R>
): Effect.Effect<A, HackneyError, R> =>
  // Started inside the uninterruptible region: an interruption can't come between the start and the handlers.
  Effect.uninterruptibleMask((restore) => {
    const start = clock.unsafeCurrentTimeNanos()
    const started = sw.metrics === true ? requestStarted(p.method, p.spec.key, p.url.host, p.url.port, start) : undefined
    const span = sw.tracing === true
      ? requestSpan(fiber, spanName(p.method), start, p.method, { url: hrefLabel(p.href), host: p.url.host, port: p.url.port })
      : undefined
    return Effect.matchCauseEffect(restore(run(span === undefined ? p : propagated(p, span, sw.propagate))), {
      onFailure: (cause) => {
        const exit = Exit.failCause(cause)
        close(started, span, clock.unsafeCurrentTimeNanos(), exit, failureOf(exit))
        return exit
      },
      onSuccess: (a) => {
        if (hold !== undefined) {
          return Effect.as(hold(Effect.sync(() => endWith(started, span, clock, ended(a)))), a)
        }
        endWith(started, span, clock, ended(a))
        return Effect.succeed(a)
      }
    })
  })

/** Ends a bare request's observation with its outcome `e`, now. */
const endWith = (started: Started | undefined, span: Tracer.Span | undefined, clock: Clock.Clock, e: Ended): void =>
  close(started, span, clock.unsafeCurrentTimeNanos(), Exit.void, e, e.reused)

/** The outcome of a one-shot response. */
const oneShotEnded = (p: Prepared) => (r: Response): Ended => ({
  status: r.status,
  protocol: r.protocol,
  sent: p.body._tag === "Bytes" ? p.body.bytes.length : p.bodySize ?? 0,
  received: r.body.length,
  reused: undefined
})

/** The outcome of a streaming response (read when its scope closes). */
const streamingEnded = (p: Prepared) => (r: StreamingResponseImpl): Ended => ({
  status: r.status,
  protocol: r.protocol,
  sent: p.body._tag === "Bytes" ? p.body.bytes.length : r.ex.bodySent,
  received: r.ex.received,
  reused: r.ex.reused
})

/** The bare one-shot request, observed (`execute.oneShot`). @internal */
export const oneShot = (
  p: Prepared,
  sw: Switches,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<Response, HackneyError> =>
  observeBare(p, sw, fiber, wheel.clock, (q) => execute.oneShot(q, source, wheel, fiber), oneShotEnded(p))

/** The bare streaming request, observed until its scope closes (`execute.streaming`). @internal */
export const streaming = (
  p: Prepared,
  sw: Switches,
  source: ConnectionSource,
  wheel: TimerWheel,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<StreamingResponseImpl, HackneyError, Scope.Scope> =>
  observeBare(p, sw, fiber, wheel.clock, (q) => execute.streamingWithStaleRetry(q, source, wheel), streamingEnded(p), (end) => Effect.addFinalizer(() => end))
