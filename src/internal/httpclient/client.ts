/**
 * The `HttpClient` service over the engine: `HttpClient.make` with a
 * function that builds the request, checks a connection out of the pool,
 * writes the request and returns a {@link HackneyClientResponse} as soon as
 * the head arrived. No Scope and no fiber per request (a streamed request
 * body adds one daemon fiber).
 *
 * @internal
 */
import * as Client from "@effect/platform/HttpClient"
import type * as ClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import type { HackneyError } from "../../HackneyError.js"
import * as Pool from "../../Pool.js"
import { guardedSource, guardMark } from "../engine/redirectGuard.js"
import { sourceFor } from "../engine/source.js"
import type { ConnectionSource } from "../engine/source.js"
import { wheelOfFiber } from "../timer/wheel.js"
import { requestError } from "./error.js"
import { send, sendMetered } from "./exchange.js"
import { unsupportedOption } from "./options.js"
import type { RequestOptions } from "./options.js"
import { build } from "./request.js"
import { withMiddleware } from "./middleware.js"
import { HackneyClientResponse } from "./response.js"

/** The key of the per-request options tag. @internal */
export const requestOptionsKey = "effect-hackney/HackneyHttpClient/RequestOptions"

/** The key of the `Pool` service tag. */
const poolKey = "effect-hackney/Pool"

const sourceOf = (pool: string | Pool.Pool | false | undefined, context: Map<string, any>) =>
  sourceFor(pool, pool === undefined ? context.get(poolKey) as Pool.Pool | undefined : undefined)

/** The source of a redirect hop that `blockPrivateRedirects` guards (marked in its request options). */
const guarded = (source: ConnectionSource, over: RequestOptions | undefined): ConnectionSource =>
  over !== undefined && (over as { readonly [guardMark]?: boolean })[guardMark] === true ? guardedSource(source) : source

/**
 * An `HttpClient` sending through the engine with `options` (per-request
 * `RequestOptions` override them field by field).
 *
 * @internal
 */
export const make = (options: RequestOptions = {}): Client.HttpClient => {
  const invalid = unsupportedOption(options)
  return Client.make((request, url, signal, fiber) => {
    const context = fiber.getFiberRef(FiberRef.currentContext).unsafeMap
    const over = context.get(requestOptionsKey) as RequestOptions | undefined
    const bad = over === undefined ? invalid : invalid ?? unsupportedOption(over)
    if (bad !== undefined) return Effect.fail(requestError(request, bad))
    const opts: RequestOptions = over === undefined ? options : { ...options, ...over }
    const source = guarded(sourceOf(opts.pool, context), over)
    const middleware = source.features?.middleware
    const toError = (e: HackneyError) => requestError(request, e)
    if (middleware !== undefined) {
      // The pool's middleware around the engine; its failures as the platform's RequestError.
      return Effect.mapError(
        withMiddleware(middleware, request, url, (req, target) => sendOne(req, target, opts, source, fiber, signal, identity)),
        toError
      )
    }
    return sendOne(request, url, opts, source, fiber, signal, toError)
  })
}

/**
 * One exchange of `request` to `url` through the engine, as a
 * {@link HackneyClientResponse}; its failures as `toError` makes them (where
 * they happen: no step around a request that succeeds).
 */
const sendOne = <E>(
  request: ClientRequest.HttpClientRequest,
  url: URL,
  opts: RequestOptions,
  source: ConnectionSource,
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  signal: AbortSignal,
  toError: (e: HackneyError) => E
): Effect.Effect<HackneyClientResponse, E> => {
  const out = build(request, url, opts)
  if (!("spec" in out)) return Effect.fail(toError(out.cause))
  // A pool with metrics: the request metrics too (the span and traceparent are the platform's).
  return (source.features?.metrics === true ? sendMetered : send)(out, source, wheelOfFiber(fiber), (lease) =>
    new HackneyClientResponse(
      request,
      lease,
      signal,
      opts.autoDecompress === true ? opts.maxBodySize ?? Infinity : undefined
    ), fiber, toError)
}

/**
 * The layer's client over the `Pool` of its context. What else the layer was
 * given (`RequestOptions`, the platform's span name generator, a parent
 * span, …) reaches each request, as `HttpClient.layerMergedContext` gives
 * it; a layer given only services no request reads from its context (see
 * {@link inert}) merges nothing: a request then runs in its own context,
 * without a context made per request.
 *
 * @internal
 */
export const layerWithoutHackney: Layer.Layer<Client.HttpClient, never, Pool.Pool> = Layer.effect(
  Client.HttpClient,
  Effect.map(Effect.context<Pool.Pool>(), (context) => {
    const client = make({ pool: Context.get(context, Pool.Pool) })
    for (const key of context.unsafeMap.keys()) {
      if (!inert.has(key)) {
        return Client.transformResponse(client, Effect.mapInputContext((input: Context.Context<never>) => Context.merge(context, input)))
      }
    }
    return client
  })
)

/**
 * The services a request never reads from its context: the runtime's own
 * (read from the fiber's services), the scope and memo map of the layer's
 * construction, the test environment's services (`it.effect`), and the pool
 * (the client holds it).
 */
const inert: ReadonlySet<string> = new Set([
  Clock.Clock.key,
  Console.Console.key,
  Random.Random.key,
  ConfigProvider.ConfigProvider.key,
  Tracer.Tracer.key,
  Scope.Scope.key,
  Layer.CurrentMemoMap.key,
  poolKey,
  "effect/Annotations",
  "effect/TestLive",
  "effect/TestSized",
  "effect/TestClock",
  "effect/TestConfig"
])

/** @internal */
export const layer: Layer.Layer<Client.HttpClient> = Layer.provide(layerWithoutHackney, Pool.layerDefault("default"))
