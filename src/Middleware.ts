/**
 * Request middleware (hackney 4.x `{middleware, [fun(Req, Next)]}`): functions
 * around every request that can read and rewrite the request (method, URL,
 * headers) and the response (headers, body), log, measure, or send the
 * request again. Give them with the `middleware` option of a request, of a
 * `HackneyClient`, or of a pool (`Pool.layer({ middleware })`: every request
 * served by that pool that gives no list of its own: as in hackney, a
 * request's list replaces the default one, `[]` runs none; the requests of
 * a `HackneyHttpClient` layer built on that pool too). They run
 * outermost first around each hop of a redirect chain and each retry
 * attempt, as hackney's do.
 *
 * Two built-ins: {@link logging} (one log line per exchange, credentials and
 * query strings redacted) and {@link bearerToken} (an `Authorization: Bearer`
 * header from an Effect, refreshed and the request sent once more on 401).
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as LogLevel from "effect/LogLevel"
import type * as Stream from "effect/Stream"
import { InvalidRequest } from "./HackneyError.js"
import type { HackneyError } from "./HackneyError.js"
import * as Headers from "./Headers.js"
import { describeValue, isObject } from "./internal/options/rules.js"
import { urlLabel } from "./internal/url/label.js"

/**
 * The request a middleware sees: an immutable value. Rewrite it by passing a
 * changed copy to `next` (`{ ...request, headers: Headers.set(request.headers, "x-id", "1") }`).
 * The body is not part of the view: it is sent as given.
 *
 * @example
 * ```ts
 * import type { Middleware } from "effect-hackney"
 * const describe = (r: Middleware.Request) => `${r.method} ${r.url}`
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Request {
  /** The method, upper-case. */
  readonly method: string
  /** The absolute URL of this hop, as given (it may carry userinfo: redact it before logging, see {@link redact}). */
  readonly url: string
  /** The request headers the caller gave (the Cookie, Host and framing headers are added when it is sent). */
  readonly headers: Headers.Headers
}

/**
 * The response a middleware sees (its head read, its body still to stream).
 * A middleware may return another value of this shape built from it: the
 * request gets its `headers` and `body`; the status is the server's.
 *
 * @example
 * ```ts
 * import type { Middleware } from "effect-hackney"
 * const ok = (r: Middleware.Response) => r.status < 400
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly reason: string
  /** The URL that answered (userinfo removed from error messages only: redact it before logging). */
  readonly url: string
  readonly headers: Headers.Headers
  /** The body as it arrives; a middleware that reads it must return a response with a body of its own. */
  readonly body: Stream.Stream<Uint8Array, HackneyError>
}

/**
 * Sends a request through the rest of the chain (the next middleware, then
 * the connection). Calling it again sends the request again (the earlier
 * response is drained and its connection released first); a request whose
 * body is a Stream can be sent once only.
 *
 * @example
 * ```ts
 * import type { Middleware } from "effect-hackney"
 * const twice = (request: Middleware.Request, next: Middleware.Next) => next(request)
 * ```
 * @since 0.2.0
 * @category models
 */
export type Next = (request: Request) => Effect.Effect<Response, HackneyError>

/**
 * A middleware: gets the request and the rest of the chain, returns the
 * response (from `next`, possibly rewritten). A middleware that throws, or
 * returns a response without having called `next`, fails the request with
 * `InvalidRequest` (`reason: "middleware"`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Headers } from "effect-hackney"
 * import type { Middleware } from "effect-hackney"
 *
 * const tagged: Middleware.Middleware = (request, next) =>
 *   next({ ...request, headers: Headers.set(request.headers, "x-client", "effect-hackney") })
 * const program = Hackney.get("http://127.0.0.1:8080/", { middleware: [tagged] })
 * ```
 * @since 0.2.0
 * @category models
 */
export type Middleware = (request: Request, next: Next) => Effect.Effect<Response, HackneyError>

/**
 * The `middleware` option, of requests and pools. Default: none.
 *
 * @example
 * ```ts
 * import type { Middleware } from "effect-hackney"
 * const options: Middleware.Options = { middleware: [] }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Functions around each hop and attempt of a request, outermost first. On
   * a pool: the default of the requests it serves that give none (a
   * request's list replaces it; `[]` runs none). Default: none.
   */
  readonly middleware?: ReadonlyArray<Middleware> | undefined
}

/**
 * A URL for a log line: scheme, host, port and path — no userinfo, query
 * or fragment.
 *
 * @example
 * ```ts
 * import { Middleware } from "effect-hackney"
 * Middleware.redact("http://u:p@a.test/x?token=1") // "http://a.test/x"
 * ```
 * @since 0.2.0
 * @category logging
 */
export const redact = (url: string): string => urlLabel(url)

const sensitive = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"])

/** Options of {@link logging}. @since 0.2.0 @category logging */
export interface LoggingOptions {
  /** The log level. Default `Info`. */
  readonly level?: LogLevel.LogLevel | undefined
  /** Log the headers too (values of Authorization, Proxy-Authorization, Cookie, Set-Cookie and `redactHeaders` as `"<redacted>"`). Default false. */
  readonly headers?: boolean | undefined
  /** More header names whose values are redacted. Default none. */
  readonly redactHeaders?: ReadonlyArray<string> | undefined
}

/**
 * What a built-in's constructor was given that it does not take (a JS
 * caller's wrong type): the middleware it returns fails every request with
 * `InvalidRequest` (reason `"middleware"`), before anything is sent; nothing
 * is thrown where the middleware is made.
 */
const refusing = (detail: string): Middleware => (request) =>
  Effect.fail(new InvalidRequest({ reason: "middleware", detail, method: request.method, url: urlLabel(request.url) }))

const isLogLevel = (v: unknown): v is LogLevel.LogLevel =>
  isObject(v) && typeof v._tag === "string" && typeof v.label === "string" && typeof v.ordinal === "number"

/** Why `options` are not {@link LoggingOptions}, or undefined when they are. */
const loggingProblem = (options: unknown): string | undefined => {
  if (!isObject(options)) return `Middleware.logging's options are ${describeValue(options)}; it takes an object`
  const { headers, level, redactHeaders } = options
  if (level !== undefined && !isLogLevel(level)) return `Middleware.logging's level is ${describeValue(level)}; it takes a LogLevel`
  if (headers !== undefined && typeof headers !== "boolean") return `Middleware.logging's headers is ${describeValue(headers)}; it takes true or false`
  if (redactHeaders !== undefined && !(Array.isArray(redactHeaders) && redactHeaders.every((h) => typeof h === "string"))) {
    return `Middleware.logging's redactHeaders is ${describeValue(redactHeaders)}; it takes an array of header names`
  }
  return undefined
}

const headerRecord = (headers: Headers.Headers, hidden: ReadonlySet<string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    out[key] = hidden.has(key) ? "<redacted>" : (out[key] === undefined ? value : `${out[key]}, ${value}`)
  }
  return out
}

/**
 * Logs each exchange (each hop and attempt) once its response head arrived or
 * it failed: `"GET http://a.test/x -> 200 (12 ms)"` with the annotations
 * `http.request.method`, `url.full` (no userinfo, no query), `http.response.status_code`
 * or `error.type`, and, with `headers: true`, the request and response headers
 * with credentials redacted. Options it does not take (a level that is not a
 * `LogLevel`, `redactHeaders` that is not an array of names…) make every
 * request through it fail with `InvalidRequest` (reason `"middleware"`), sent
 * nowhere.
 *
 * @example
 * ```ts
 * import { LogLevel } from "effect"
 * import { Hackney, Middleware } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/", {
 *   middleware: [Middleware.logging({ level: LogLevel.Debug, headers: true })]
 * })
 * ```
 * @since 0.2.0
 * @category logging
 */
export const logging = (options: LoggingOptions = {}): Middleware => {
  const problem = loggingProblem(options)
  if (problem !== undefined) return refusing(problem)
  const hidden = new Set([...sensitive, ...(options.redactHeaders ?? []).map((h) => h.toLowerCase())])
  const log = (message: string, annotations: Record<string, unknown>) =>
    options.level === undefined
      ? Effect.annotateLogs(Effect.logInfo(message), annotations)
      : Effect.annotateLogs(Effect.logWithLevel(options.level, message), annotations)
  return (request, next) =>
    Effect.flatMap(Clock.currentTimeMillis, (start) => {
      const url = urlLabel(request.url)
      const base: Record<string, unknown> = { "http.request.method": request.method, "url.full": url }
      if (options.headers === true) base["http.request.headers"] = headerRecord(request.headers, hidden)
      return next(request).pipe(
        Effect.tapBoth({
          onFailure: (e) =>
            Effect.flatMap(Clock.currentTimeMillis, (end) =>
              log(`${request.method} ${url} failed: ${e._tag} (${end - start} ms)`, { ...base, "error.type": e._tag })),
          onSuccess: (res) =>
            Effect.flatMap(Clock.currentTimeMillis, (end) => {
              const more: Record<string, unknown> = { ...base, "http.response.status_code": res.status }
              if (options.headers === true) more["http.response.headers"] = headerRecord(res.headers, hidden)
              return log(`${request.method} ${url} -> ${res.status} (${end - start} ms)`, more)
            })
        })
      )
    })
}

/**
 * Sends each request with `Authorization: Bearer <token>`, the token from
 * `token` (run at the first request, then kept); on a 401 answer the token
 * is fetched again and the request sent once more with it (the 401's body is
 * drained). A request whose body is a Stream cannot be sent again: its 401
 * fails with `InvalidRequest` (`reason: "body"`). A `token` that is not an
 * Effect makes every request through it fail with `InvalidRequest` (reason
 * `"middleware"`), sent nowhere.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Middleware } from "effect-hackney"
 * const fetchToken = Effect.succeed("secret-token") // e.g. an OAuth client-credentials call
 * const program = Hackney.get("http://127.0.0.1:8080/me", { middleware: [Middleware.bearerToken(fetchToken)] })
 * ```
 * @since 0.2.0
 * @category authentication
 */
export const bearerToken = (token: Effect.Effect<string, HackneyError>): Middleware => {
  if (!Effect.isEffect(token)) return refusing(`Middleware.bearerToken's token is ${describeValue(token)}; it takes an Effect of the token`)
  let current: string | undefined
  const fresh = Effect.tap(token, (t) => {
    current = t
  })
  const withToken = (request: Request, t: string): Request => ({
    ...request,
    headers: Headers.set(request.headers, "Authorization", `Bearer ${t}`)
  })
  return (request, next) =>
    Effect.flatMap(current === undefined ? fresh : Effect.succeed(current), (t) =>
      Effect.flatMap(next(withToken(request, t)), (res) =>
        res.status === 401 ? Effect.flatMap(fresh, (t2) => next(withToken(request, t2))) : Effect.succeed(res)))
}
