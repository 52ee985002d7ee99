/**
 * A client with defaults for a family of requests — a base URL, default
 * headers, default options — as got's `extend`, ky's `create` and
 * `HttpClient.mapRequest(HttpClientRequest.prependUrl(…))` do: a value,
 * composable with {@link HackneyClient.extend}, and a service
 * ({@link HackneyClient}, {@link layer}) for dependency injection.
 *
 * Its verbs are {@link Hackney}'s, with the same options and errors:
 *
 * - **`baseUrl`**: a request URL given as text is a reference resolved
 *   against it by RFC 3986 (`Url.resolve`, as a browser's `new URL(ref,
 *   base)`), not concatenated. So the trailing slash matters: against
 *   `http://api.test/v1/`, `items` is `http://api.test/v1/items`, but against
 *   `http://api.test/v1` (no slash) it is `http://api.test/items`; `/items`
 *   (absolute path) is `http://api.test/items` either way; `../x` goes up a
 *   segment; `?page=2` keeps the base path; `""` is the base itself; an
 *   absolute URL (`https://other.test/x`) or a `URL` / `Url` value replaces
 *   it. Give the base with a trailing slash and references without a
 *   leading one. A `baseUrl` that is not an absolute http(s) URL fails every
 *   request with `InvalidRequest` (reason `"url"`).
 * - **headers**: merged per name with the request's; a name the request
 *   sets replaces every default line of that name.
 * - **`query`**: merged per key; the request's keys replace the defaults'.
 * - **every other option** (`timeout`, `recvTimeout`, `pool`, `retry`, …):
 *   the request's replaces the default; giving it as `undefined` removes
 *   the default.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HackneyClient } from "effect-hackney"
 *
 * const api = HackneyClient.make({
 *   baseUrl: "http://127.0.0.1:8080/v1/",
 *   headers: { authorization: "Bearer t0k3n", accept: "application/json" },
 *   timeout: "10 seconds"
 * })
 * const program = Effect.gen(function*() {
 *   const items = yield* api.get("items", { query: { page: 2 } }) // GET /v1/items?page=2
 *   const created = yield* api.post("items", { json: { name: "a" } })
 *   return [items.status, created.status]
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Options, Response, StreamingResponse, UrlInput, Writer } from "./Hackney.js"
import type * as Hackney from "./Hackney.js"
import type { HackneyError } from "./HackneyError.js"
import type * as Url from "./Url.js"
import * as internal from "./internal/client/defaults.js"

/**
 * The defaults of a client: a base URL and any request option but the body
 * (`body`, `json`).
 *
 * @example
 * ```ts
 * import type { HackneyClient } from "effect-hackney"
 * const defaults: HackneyClient.Defaults = { baseUrl: "https://api.test/v2/", headers: { "x-api-key": "k" }, retry: undefined }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Defaults extends Omit<Options, "body" | "json"> {
  /**
   * The URL that request URLs (text) are resolved against, RFC 3986 style
   * (see the module documentation for the trailing-slash rule). In
   * {@link HackneyClient.extend}, a relative `baseUrl` is resolved against
   * the current one. Default: none (request URLs must be absolute).
   */
  readonly baseUrl?: string | URL | Url.Url | undefined
}

/**
 * A request verb of a client: `(url, options?)`, as `Hackney.get`.
 *
 * @since 0.1.0
 * @category models
 */
export type Verb = (url: UrlInput, options?: Options) => Effect.Effect<Response, HackneyError>

/**
 * A client with defaults. Build one with {@link make} (or get it from the
 * context: {@link HackneyClient}, {@link layer}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HackneyClient } from "effect-hackney"
 * const api = HackneyClient.make({ baseUrl: "http://127.0.0.1:8080/", recvTimeout: "2 seconds" })
 * const admin = api.extend({ baseUrl: "admin/", headers: { authorization: "Bearer admin" } })
 * const program = Effect.map(admin.delete("users/7"), (res) => res.status) // DELETE /admin/users/7
 * ```
 * @since 0.1.0
 * @category models
 */
export interface HackneyClient {
  /** The effective defaults: the options, and `baseUrl` as text when there is one. */
  readonly defaults: Defaults
  /** `Hackney.request` with the defaults. */
  readonly request: (method: string, url: UrlInput, options?: Options) => Effect.Effect<Response, HackneyError>
  readonly get: Verb
  readonly head: Verb
  readonly post: Verb
  readonly put: Verb
  readonly patch: Verb
  readonly delete: Verb
  readonly options: Verb
  readonly trace: Verb
  readonly query: Verb
  /** `Hackney.stream` with the defaults. */
  readonly stream: (
    method: string,
    url: UrlInput,
    options?: Options
  ) => Effect.Effect<StreamingResponse, HackneyError, Scope.Scope>
  /**
   * `Hackney.open` with the defaults, but for `attemptTimeout` (`open` makes one attempt) and the
   * feature options `open` does not run (redirects, cookie jar, decompression, retry, middleware,
   * tracing, metrics): those defaults are for the client's other verbs.
   */
  readonly open: (
    method: string,
    url: UrlInput,
    options?: Parameters<typeof Hackney.open>[2]
  ) => Effect.Effect<Writer, HackneyError, Scope.Scope>
  /**
   * A client with more defaults over these, merged as a request's options
   * are (headers per name, `query` per key, the rest replaced), a relative
   * `baseUrl` resolved against the current one.
   */
  readonly extend: (more: Defaults) => HackneyClient
}

/**
 * A client with defaults. Nothing is checked or opened here: an invalid
 * `baseUrl` or option fails each request with `InvalidRequest`, before any
 * I/O.
 *
 * @example
 * ```ts
 * import { HackneyClient } from "effect-hackney"
 * const github = HackneyClient.make({
 *   baseUrl: "https://api.github.com/",
 *   headers: { accept: "application/vnd.github+json", "user-agent": "my-app" }
 * })
 * const program = github.get("repos/benoitc/hackney")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (defaults: Defaults): HackneyClient => internal.make(defaults)

/**
 * The client service, for code that takes its client from the context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HackneyClient } from "effect-hackney"
 * const listItems = Effect.flatMap(HackneyClient.HackneyClient, (api) => api.get("items"))
 * const main = listItems.pipe(Effect.provide(HackneyClient.layer({ baseUrl: "http://127.0.0.1:8080/v1/" })))
 * ```
 * @since 0.1.0
 * @category tags
 */
export const HackneyClient: Context.Tag<HackneyClient, HackneyClient> = Context.GenericTag<HackneyClient>(
  "effect-hackney/HackneyClient"
)

/**
 * A {@link HackneyClient} with these defaults, as a Layer.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Hackney, HackneyClient } from "effect-hackney"
 * const ApiLive = HackneyClient.layer({ baseUrl: "http://127.0.0.1:8080/", timeout: "5 seconds" })
 * const main = Effect.flatMap(HackneyClient.HackneyClient, (api) => api.get("health")).pipe(
 *   Effect.provide(Layer.merge(ApiLive, Hackney.layer))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (defaults: Defaults): Layer.Layer<HackneyClient> => Layer.succeed(HackneyClient, make(defaults))
