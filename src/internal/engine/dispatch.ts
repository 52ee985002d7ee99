/**
 * The engine's interceptor shape: a dispatch sends a request and resolves
 * with its response (head read, body still to stream); an interceptor wraps
 * the dispatch below it (`dispatch => dispatch`). Features (redirects,
 * cookies, retry, attempt deadlines, decompression) and, later, metrics,
 * tracing and user middleware are interceptors; an adapter composes the ones
 * an options object asks for once ({@link compose}) and memoises the result
 * with the options. A request that asks for none runs the bare dispatch.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"

/** Sends a request; `Ctx` is what one call shares across its hops (its scope, pool, jar). @internal */
export type Dispatch<Req, Res, E, Ctx> = (request: Req, ctx: Ctx) => Effect.Effect<Res, E>

/** A layer around the dispatch below it. @internal */
export type Interceptor<Req, Res, E, Ctx> = (next: Dispatch<Req, Res, E, Ctx>) => Dispatch<Req, Res, E, Ctx>

/**
 * Composes interceptors over a dispatch, innermost first: the first wraps
 * `bare` directly, the last sees the request first.
 *
 * @internal
 */
export const compose = <Req, Res, E, Ctx>(
  interceptors: ReadonlyArray<Interceptor<Req, Res, E, Ctx>>,
  bare: Dispatch<Req, Res, E, Ctx>
): Dispatch<Req, Res, E, Ctx> => interceptors.reduce((next, layer) => layer(next), bare)
