/**
 * User middleware (`Middleware.Middleware`) as feature-path interceptors:
 * each sees a public, immutable view of the hop (method, URL, headers) and a
 * `next` that sends it through the interceptors below; what it returns
 * becomes the hop's response (the same one, or its headers and body
 * rewritten). Calling `next` again drains the earlier response first (its
 * connection goes back to the pool), so a re-run never holds two
 * connections of one request.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type * as Middleware from "../../Middleware.js"
import * as Url from "../../Url.js"
import type { Interceptor, Opened } from "./dispatch.js"
import { StreamingResponseImpl } from "./execute.js"
import { drain, isReplayable } from "./redirect.js"
import type { Hop } from "./redirect.js"

const hopUrl = (hop: Hop): string => (typeof hop.input === "string" ? hop.input : Url.format(hop.input))

const misuse = (hop: Hop, detail: string) =>
  new InvalidRequest({ reason: "middleware", detail, method: hop.method, url: hopUrl(hop) })

/** The hop a middleware's request stands for: the original's body, auth and cookies, its method, URL and headers. */
const hopOf = (hop: Hop, view: Middleware.Request, req: Middleware.Request): Hop =>
  req === view ? hop : {
    ...hop,
    method: req.method === view.method ? hop.method : String(req.method).toUpperCase(),
    input: req.url === view.url ? hop.input : req.url,
    headers: req.headers
  }

/**
 * Runs one middleware over `view` with `send` as its `next`, and checks what
 * it did: a throw, a value that is not an Effect, or a response returned
 * without a call of `next` fail with `misuse(detail)`. On success: the
 * middleware's response and the last one `send` produced (the same object
 * when the middleware returned it unchanged). Shared by Hackney's
 * interceptors and the `HttpClient` layer.
 *
 * @internal
 */
export const invoke = <E>(
  mw: Middleware.Middleware,
  view: Middleware.Request,
  send: Middleware.Next,
  misuse: (detail: string) => E
): Effect.Effect<{ readonly returned: Middleware.Response; readonly last: Middleware.Response }, E | HackneyError> => {
  let last: Middleware.Response | undefined
  const next: Middleware.Next = (req) => Effect.tap(send(req), (r) => { last = r })
  let run: Effect.Effect<Middleware.Response, HackneyError>
  try {
    run = mw(view, next)
    if (!Effect.isEffect(run)) return Effect.fail(misuse("a middleware returned a value that is not an Effect; return next(request) or an Effect of a response"))
  } catch (e) {
    return Effect.fail(misuse(`a middleware threw ${e instanceof Error ? e.message : String(e)}; return an Effect that fails with a HackneyError instead`))
  }
  return Effect.flatMap(run, (returned) =>
    last === undefined
      ? Effect.fail(misuse("a middleware returned a response without calling next; build the response from next(request)"))
      : Effect.succeed({ returned, last }))
}

/** The error of a second send of a request whose body can be sent once only. @internal */
export const notReplayable = (method: string, url: string): InvalidRequest =>
  new InvalidRequest({
    reason: "body",
    detail: "a middleware sent the request again, but its body is a Stream, which can be sent once only",
    method,
    url,
    requestSent: true
  })

/**
 * One middleware as an interceptor around the dispatch below it (each hop
 * and attempt goes through it).
 *
 * @internal
 */
export const middlewareInterceptor = (mw: Middleware.Middleware): Interceptor => (next) => (hop, ctx) =>
  // Per run: a retry runs the same Effect again.
  Effect.suspend(() => {
    const view: Middleware.Request = { method: hop.method, url: hopUrl(hop), headers: hop.headers }
    let last: Opened | undefined
    const send: Middleware.Next = (req) =>
      Effect.suspend(() => {
        const prev = last
        if (prev !== undefined && !isReplayable(hop.body)) return Effect.fail(notReplayable(hop.method, hopUrl(hop)))
        const sent = Effect.map(next(hopOf(hop, view, req), ctx), (o) => {
          last = o
          return o.response as Middleware.Response
        })
        return prev === undefined ? sent : Effect.zipRight(drain(prev.response, prev.scope), sent)
      })
    return Effect.map(invoke(mw, view, send, (detail) => misuse(hop, detail)), ({ returned }): Opened => {
      const o = last!
      if (returned === o.response) return o
      const r = o.response
      return { ...o, response: new StreamingResponseImpl(r.ex, r.url, r.protocol, o.redirects, returned.headers, returned.body) }
    })
  })

/**
 * The middleware of a request, innermost first for `compose`: its own list
 * (outermost first), else its pool's default (as hackney: a request's list
 * replaces the default one; `[]` runs none).
 *
 * @internal
 */
export const middlewareInterceptors = (
  own: ReadonlyArray<Middleware.Middleware> | undefined,
  pooled: ReadonlyArray<Middleware.Middleware> | undefined
): ReadonlyArray<Interceptor> => [...(own ?? pooled ?? [])].reverse().map(middlewareInterceptor)
