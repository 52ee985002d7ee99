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
  const call: Middleware.Next = (req) =>
    Effect.suspend(() => {
      const prev = last
      if (prev !== undefined && !isReplayable(hop.body)) {
        return Effect.fail(
          new InvalidRequest({
            reason: "body",
            detail: "a middleware sent the request again, but its body is a Stream, which can be sent once only",
            method: hop.method,
            url: hopUrl(hop),
            requestSent: true
          })
        )
      }
      const send = Effect.map(next(hopOf(hop, view, req), ctx), (o) => {
        last = o
        return o.response as Middleware.Response
      })
      return prev === undefined ? send : Effect.zipRight(drain(prev.response, prev.scope), send)
    })
  let run: Effect.Effect<Middleware.Response, HackneyError>
  try {
    run = mw(view, call)
    if (!Effect.isEffect(run)) return Effect.fail(misuse(hop, "a middleware returned a value that is not an Effect; return next(request) or an Effect of a response"))
  } catch (e) {
    return Effect.fail(misuse(hop, `a middleware threw ${e instanceof Error ? e.message : String(e)}; return an Effect that fails with a HackneyError instead`))
  }
  return Effect.flatMap(run, (res): Effect.Effect<Opened, InvalidRequest> => {
    const o = last
    if (o === undefined) {
      return Effect.fail(misuse(hop, "a middleware returned a response without calling next; build the response from next(request)"))
    }
    if (res === o.response) return Effect.succeed(o)
    const r = o.response
    return Effect.succeed({ ...o, response: new StreamingResponseImpl(r.ex, r.url, r.protocol, o.redirects, res.headers, res.body) })
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
