/**
 * The request options that are shorthands over the engine — `query`, `json`
 * and `timeout` — applied before a request is prepared: `query` and `json`
 * become a URL, a body and headers (memoised per options object, as the
 * options themselves are), `timeout` a deadline around the request's Effect.
 * A request without them never comes here (three property reads).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { Options, UrlInput, Writer } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import * as Url from "../../Url.js"
import { toMillis } from "../options/rules.js"
import { withDeadline } from "./deadline.js"
import { serialise, withJsonContentType } from "./jsonBody.js"
import { annotate } from "./prepare.js"
import { appendQuery } from "./query.js"
import type { Query } from "./query.js"

/** `json` given to `Hackney.open` (its body is written with `send`). @internal */
export const jsonInOpen = new InvalidRequest({ reason: "body", detail: "open takes no json option: write the body with send" })

/** `query` or `json` given to `Hackney.connect` rather than to a request of the connection. @internal */
export const perRequestOnly = new InvalidRequest({
  reason: "option",
  detail: "query and json belong to each request of a connection (conn.request({ query, json })), not to connect"
})

/** `attemptTimeout` given to `Hackney.open` or `Hackney.connect`, which make one attempt. @internal */
export const oneAttempt = new InvalidRequest({
  reason: "option",
  detail: "open and connect make one attempt, so attemptTimeout does not apply; use timeout"
})

/** Whether validated options use a shorthand. @internal */
export const hasShorthands = (options: Options): boolean =>
  options.query !== undefined || options.json !== undefined || options.timeout !== undefined

interface Derived {
  /** The options without the shorthands, `json` turned into `body` and `headers`. */
  readonly options: Options
  readonly query: Query | undefined
  /** Milliseconds; Infinity for none. */
  readonly timeout: number
}

const derivedCache = new WeakMap<object, Derived | InvalidRequest>()

const derive = (options: Options): Derived | InvalidRequest => {
  const { json, query, timeout, ...rest } = options
  let engine: Options = rest
  if (json !== undefined) {
    if (rest.body !== undefined) {
      return new InvalidRequest({ reason: "body", detail: "both json and body were given; give one of them" })
    }
    const text = serialise(json)
    if (text instanceof InvalidRequest) return text
    engine = { ...rest, body: text, headers: withJsonContentType(rest.headers) }
  }
  return { options: engine, query, timeout: timeout === undefined ? Infinity : toMillis(timeout)! }
}

/** The shorthands of validated options, resolved once per options object. */
const derived = (options: Options): Derived | InvalidRequest => {
  let d = derivedCache.get(options)
  if (d === undefined) {
    d = derive(options)
    derivedCache.set(options, d)
  }
  return d
}

const urlText = (u: unknown): string | undefined =>
  typeof u === "string" ? u : u instanceof URL ? u.href : Url.isUrl(u) ? Url.format(u) : undefined

/** What a request's deadline covers and how it wraps the request's result. */
export type Mode = "response" | "head" | "open"

/**
 * Runs `send` with the shorthands of `options` applied: the URL with `query`
 * appended, the options without the shorthands (`json` as body and
 * headers), the whole under the `timeout` deadline — until the complete
 * response (`"response"`), the head (`"head"`), or for a writer its opening
 * and then its `response` (`"open"`: one deadline from the call).
 *
 * @internal
 */
export const run = <A, R>(
  method: string,
  url: UrlInput,
  options: Options,
  mode: Mode,
  send: (url: UrlInput, options: Options) => Effect.Effect<A, HackneyError, R>
): Effect.Effect<A, HackneyError, R> => {
  const d = derived(options)
  if (d instanceof InvalidRequest) return Effect.fail(annotate(d, method, url))
  const target = d.query === undefined ? url : appendQuery(url, d.query) as UrlInput
  const effect = send(target, d.options)
  if (d.timeout === Infinity) return effect
  const m = typeof method === "string" ? method.toUpperCase() : undefined
  const href = urlText(target)
  if (mode !== "open") return withDeadline(effect, d.timeout, mode, m, href)
  const total = d.timeout
  return Effect.flatMap(Clock.currentTimeMillis, (start) =>
    Effect.map(withDeadline(effect, total, "head", m, href), (w) => {
      const writer = w as Writer
      const response = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        withDeadline(writer.response, Math.max(1, start + total - now), "head", m, href, total))
      return { ...writer, response } as A
    }))
}
