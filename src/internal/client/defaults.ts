/**
 * A client with defaults (`HackneyClient`): a base URL that request URLs are
 * resolved against (RFC 3986 §5.2, `Url.resolve`), and default options
 * merged under each request's — headers per name and query parameters per
 * key, the request's winning, any other option replaced. It is a layer over
 * the public verbs: each call is `Hackney.request` / `stream` / `open` with
 * the resolved URL and the merged options (memoised per options object, so
 * the engine's own memoisation still applies).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Hackney from "../../Hackney.js"
import type { Options, Response, StreamingResponse, UrlInput, Writer } from "../../Hackney.js"
import type { Defaults, HackneyClient } from "../../HackneyClient.js"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import { describeValue } from "../options/rules.js"
import { pairsOf } from "./query.js"
import type { Query } from "./query.js"
import * as RequestUrl from "./requestUrl.js"
import { withoutFeatures } from "./singleExchange.js"

/** What `Hackney.open` takes. */
type OpenOptions = Parameters<typeof Hackney.open>[2]

/** Query parameters merged per key: the defaults' keys the request does not have, then the request's. */
const mergeQuery = (defaults: Query, query: Query): Query => {
  const mine = pairsOf(query)
  const keys = new Set(mine.map(([k]) => k))
  return [...pairsOf(defaults).filter(([k]) => !keys.has(k)), ...mine]
}

/**
 * Options over defaults: every option of `options` replaces the default
 * (`undefined` too, which removes it), except `headers` (merged per name)
 * and `query` (merged per key), where the request wins.
 *
 * @internal
 */
export const mergeOptions = <O extends Options>(defaults: Options, options: O): O => {
  const merged: { -readonly [K in keyof Options]: Options[K] } = { ...defaults, ...options }
  if (defaults.headers !== undefined && options.headers !== undefined) {
    merged.headers = Headers.merge(Headers.fromInput(options.headers), defaults.headers)
  }
  if (defaults.query !== undefined && options.query !== undefined) {
    merged.query = mergeQuery(defaults.query, options.query)
  }
  return merged as O
}

type Base = Either.Either<Url.Url | undefined, InvalidRequest>

const baseError = (detail: string) => Either.left(new InvalidRequest({ reason: "url", detail: `baseUrl: ${detail}` }))

/** The base URL of defaults, checked as a request URL; a relative one is resolved against `parent`. */
const baseOf = (baseUrl: unknown, parent: Base): Base => {
  if (baseUrl === undefined) return parent
  if (Either.isLeft(parent)) return parent
  if (typeof baseUrl === "string" && parent.right !== undefined) {
    const r = Url.resolve(parent.right, baseUrl)
    return Either.isLeft(r) ? baseError(r.left.detail) : Either.right(r.right)
  }
  const input = RequestUrl.inputOf(baseUrl)
  if (input instanceof InvalidRequest) {
    return baseError(`it is ${describeValue(baseUrl)}; give an absolute http(s) URL (a string, a URL or a Url)`)
  }
  const parsed = typeof input === "string" ? RequestUrl.parse(input) : Either.right(input)
  if (Either.isLeft(parsed)) return baseError(parsed.left.detail)
  const e = RequestUrl.checkScheme(parsed.right)
  return e !== undefined ? baseError(e.detail) : Either.right(parsed.right)
}

const noOptions: Options = {}

// `open` makes one attempt and runs no feature: a default `attemptTimeout` or feature option is for the
// client's other verbs (an `open` call's own options are checked by `Hackney.open`).
const forOpen = (options: Options): Options => {
  const rest = withoutFeatures(options)
  if (rest.attemptTimeout === undefined) return rest
  const { attemptTimeout: _, ...out } = rest
  return out
}

/** @internal */
export const make = (defaults: Defaults, parent: Base = Either.right(undefined), inherited: Options = noOptions): HackneyClient => {
  if (typeof defaults !== "object" || defaults === null) {
    const bad = new InvalidRequest({ reason: "option", detail: `the client defaults are ${describeValue(defaults)}; give an object` })
    return build(Either.left(bad), inherited)
  }
  const { baseUrl, ...options } = defaults
  return build(baseOf(baseUrl, parent), mergeOptions(inherited, options))
}

const build = (base: Base, engine: Options): HackneyClient => {
  // Resolved URLs by their text: resolution parses, the engine's URL cache is keyed by text.
  const urls = new Map<string, string | InvalidRequest>()
  const resolveText = (b: Url.Url, ref: string): string | InvalidRequest => {
    let hit = urls.get(ref)
    if (hit === undefined) {
      const r = Url.resolve(b, ref)
      hit = Either.isLeft(r)
        ? new InvalidRequest({ reason: "url", detail: `${JSON.stringify(ref)} against baseUrl ${Url.format(Url.removeUserinfo(b))}: ${r.left.detail}`, cause: r.left })
        : Url.format(r.right)
      if (urls.size >= 1024) urls.clear()
      urls.set(ref, hit)
    }
    return hit
  }
  const target = (url: UrlInput): UrlInput | InvalidRequest => {
    if (Either.isLeft(base)) return base.left
    const b = base.right
    return b === undefined || typeof url !== "string" ? url : resolveText(b, url)
  }
  // Merged options per request options object (one per call site, usually), so the engine's memoisation holds.
  const merged = new WeakMap<object, Options>()
  const mergedOf = (defaults: Options, memo: WeakMap<object, Options>) => (options: Options | undefined): Options => {
    if (options === undefined || defaults === noOptions) return options ?? defaults
    if (typeof options !== "object" || options === null) return options // the engine fails it typed
    let m = memo.get(options)
    if (m === undefined) {
      m = mergeOptions(defaults, options)
      memo.set(options, m)
    }
    return m
  }
  const optionsOf = mergedOf(engine, merged)
  const openOptionsOf = mergedOf(forOpen(engine), new WeakMap())
  const withTarget = <A, R>(url: UrlInput, f: (u: UrlInput) => Effect.Effect<A, HackneyError, R>): Effect.Effect<A, HackneyError, R> => {
    const u = target(url)
    return u instanceof InvalidRequest ? Effect.fail(u) : f(u)
  }
  const request = (method: string, url: UrlInput, options?: Options): Effect.Effect<Response, HackneyError> =>
    withTarget(url, (u) => Hackney.request(method, u, optionsOf(options)))
  const verb = (method: string) => (url: UrlInput, options?: Options) => request(method, url, options)
  const b = Either.getOrUndefined(base)
  return {
    defaults: b === undefined ? engine : { ...engine, baseUrl: Url.format(b) },
    request,
    get: verb("GET"),
    head: verb("HEAD"),
    post: verb("POST"),
    put: verb("PUT"),
    patch: verb("PATCH"),
    delete: verb("DELETE"),
    options: verb("OPTIONS"),
    trace: verb("TRACE"),
    query: verb("QUERY"),
    stream: (method: string, url: UrlInput, options?: Options): Effect.Effect<StreamingResponse, HackneyError, Scope.Scope> =>
      withTarget(url, (u) => Hackney.stream(method, u, optionsOf(options))),
    open: (method: string, url: UrlInput, options?: OpenOptions): Effect.Effect<Writer, HackneyError, Scope.Scope> =>
      withTarget(url, (u) => Hackney.open(method, u, openOptionsOf(options as Options))),
    extend: (more: Defaults) => make(more, base, engine)
  }
}
