/**
 * `@effect/platform`'s `HttpClient` as a Layer backed by effect-hackney's
 * engine (its HTTP/1.1 parser, connections and pools). A program written
 * against `HttpClient` switches to it by changing one `provide`:
 *
 * - `NodeHttpClient.layerUndici` → `HackneyHttpClient.layer`;
 * - per-request engine options (timeouts, pool, TLS, body limit) come from
 *   the {@link RequestOptions} service, as `FetchHttpClient.RequestInit`'s;
 *   client features (redirects, cookies, retries) are the platform's
 *   combinators (see {@link Options});
 * - failures are `RequestError`s whose `cause` is the typed
 *   `HackneyError` (`ConnectTimeout`, `RecvTimeout`, `ConnectionClosed`…),
 *   with reason `Transport` so `HttpClient.retryTransient` retries them;
 * - redirects are never followed by the transport: `HttpClient.followRedirects`
 *   decides, or {@link followRedirects}, hackney's safer policy.
 *
 * Bodies: every `HttpBody` (`Empty`, `Uint8Array`, `Raw`, `Stream` — chunked
 * unless a length is known — and `FormData`, encoded as multipart/form-data
 * with an exact `Content-Length`, files streamed, never buffered).
 *
 * Lifetimes: a response whose body arrived with its head (small bodies,
 * HEAD, 204) is read into memory at once and its connection pooled before
 * `execute` returns. Otherwise the connection is pooled when the body has
 * been read to the end (`text`, `json`, `stream`…) and destroyed when the
 * request is aborted before that (interruption, timeout, `Stream.take`,
 * `HttpClient.withScope`'s scope closing, or an unread response being
 * garbage collected).
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HackneyHttpClient } from "effect-hackney"
 *
 * const program = HttpClient.get("http://127.0.0.1:8080/todos/1").pipe(
 *   Effect.flatMap((res) => res.json),
 *   Effect.provide(HackneyHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Context from "effect/Context"
import { dual } from "effect/Function"
import type * as Layer from "effect/Layer"
import type * as CookieJar from "./CookieJar.js"
import type * as Pool from "./Pool.js"
import type { JarOps } from "./internal/cookie/service.js"
import * as internal from "./internal/httpclient/client.js"
import * as cookies from "./internal/httpclient/cookies.js"
import type { RequestOptions as RequestOptionsFields } from "./internal/httpclient/options.js"
import * as redirect from "./internal/httpclient/redirect.js"

/**
 * Engine options for the requests of the `HttpClient` layer: the transport
 * fields of `Hackney.Options` — `headers`, `connectTimeout`, `recvTimeout`,
 * `checkoutTimeout`, `maxPerHost`, `pool`, `maxBodySize`, `basicAuth`,
 * `tls`, `insecure`, `protocols`, `lookup`, `family`, `localAddress` — and
 * `autoDecompress`. Defaults are hackney's: `connectTimeout` 8 s,
 * `recvTimeout` 5 s (inactivity while awaiting the response head or body),
 * `checkoutTimeout` the connect timeout, `pool` the layer's pool, no
 * `maxBodySize` (a larger response body fails the read with `ResponseError`
 * `Decode` whose cause is `BodyTooLarge`), TLS verification on,
 * `autoDecompress` false (true: ask for gzip/deflate/br/zstd and decode the
 * body as it is read; `maxBodySize` then bounds the decoded bytes, and a
 * corrupt body fails with a `ProtocolError` cause of reason
 * `"decompression"`).
 *
 * Client features are `@effect/platform` combinators over the client, not
 * options: redirects → {@link followRedirects} (or
 * `HttpClient.followRedirects`); cookies → {@link withCookieJar} (an
 * effect-hackney `CookieJar`, or the `CookieJar` service) or
 * `HttpClient.withCookiesRef`, or a `Cookie` header; retries → `HttpClient.retry` / `HttpClient.retryTransient`. A
 * JavaScript caller that passes one of those `Hackney.Options` anyway gets a
 * `RequestError` (`Encode`, cause `InvalidRequest` with reason `"option"`)
 * naming the combinator, never a request sent without it.
 *
 * @example
 * ```ts
 * import type { HackneyHttpClient } from "effect-hackney"
 *
 * const options: HackneyHttpClient.Options = { recvTimeout: "10 seconds", autoDecompress: true, maxBodySize: 1 << 20 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = RequestOptionsFields

/**
 * Per-request engine options, read from the request's context (as
 * `FetchHttpClient.RequestInit`): provide it around a request, or around the
 * whole program. Its fields override the client's field by field; its
 * `headers` are sent unless the request sets the same header.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HackneyHttpClient, Pool } from "effect-hackney"
 *
 * // `pool: "reports"` names a running pool: here the Pool.layer below.
 * const slow = HttpClient.get("http://127.0.0.1:8080/report").pipe(
 *   Effect.provideService(HackneyHttpClient.RequestOptions, { recvTimeout: "30 seconds", pool: "reports" }),
 *   Effect.provide(HackneyHttpClient.layer),
 *   Effect.provide(Pool.layer({ name: "reports", maxPerHost: 4 }))
 * )
 * ```
 * @since 0.1.0
 * @category tags
 */
export class RequestOptions extends Context.Tag(internal.requestOptionsKey)<RequestOptions, Options>() {}

/**
 * An `HttpClient` sending through the engine with `options` as its defaults.
 * Without a `pool` option it uses the `Pool` service of each request's
 * context, else the process-wide `"default"` pool; a `pool` name must be a
 * running pool's (or `"default"`), else requests fail with `InvalidRequest`.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HackneyHttpClient, Pool } from "effect-hackney"
 *
 * const client = HackneyHttpClient.make({ recvTimeout: "2 seconds", pool: "api" })
 * const program = client.get("http://127.0.0.1:8080/").pipe(Effect.flatMap((res) => res.text))
 * const asService = Effect.provideService(program, HttpClient.HttpClient, client).pipe(
 *   Effect.provide(Pool.layer({ name: "api" }))
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => HttpClient.HttpClient = internal.make

/**
 * The `HttpClient` over the `Pool` already in context (`Hackney.layer`,
 * `Pool.layer(…)`, or your own), with hackney's default options.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { HackneyHttpClient, Pool } from "effect-hackney"
 *
 * const ClientLive = HackneyHttpClient.layerWithoutHackney.pipe(
 *   Layer.provide(Pool.layer({ name: "api", maxPerHost: 100, keepaliveTimeout: "5 seconds" }))
 * )
 * const program = HttpClient.get("http://127.0.0.1:8080/").pipe(Effect.provide(ClientLive))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHackney: Layer.Layer<HttpClient.HttpClient, never, Pool.Pool> = internal.layerWithoutHackney

/**
 * The `HttpClient` over a fresh `"default"` pool (hackney's defaults: 50
 * connections per host, 2 s keep-alive), closed with the layer.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HackneyHttpClient } from "effect-hackney"
 *
 * const program = HttpClient.get("http://127.0.0.1:8080/").pipe(
 *   Effect.flatMap((res) => res.text),
 *   Effect.provide(HackneyHttpClient.layer)
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = internal.layer

/**
 * Options of {@link followRedirects}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedirectOptions {
  /** Redirects followed before failing with a `TooManyRedirects` cause. Default 5 (hackney's). */
  readonly maxRedirects?: number | undefined
  /** Keep credentials (`Authorization`, `Cookie`, URL userinfo) across origins. Default false. */
  readonly trusted?: boolean | undefined
  /**
   * Refuse redirects to loopback, private, link-local and other non-public
   * addresses: the request fails with a `RequestError` whose cause is an
   * `InvalidRequest` (reason `"private-address"`) and nothing is sent there.
   * Over this library's client the address the hop's connection is connected
   * to is checked (DNS rebinding is caught), as well as the host before
   * dialling; over another `HttpClient` nothing can be checked, so
   * compose it over `HackneyHttpClient`'s. Default `false`.
   */
  readonly blockPrivateRedirects?: boolean | undefined
}

/**
 * Follows redirects with hackney's rules, safer than the platform's
 * `HttpClient.followRedirects` (which keeps the method, the body and the
 * credentials): 301/302/303 re-issue as GET without a body (HEAD stays
 * HEAD); 307/308 keep the method and body (a `Stream` body cannot be
 * replayed: `RequestError` "Encode"); a change of origin drops
 * `Authorization`, `Cookie`, `Proxy-Authorization` and URL userinfo unless
 * `trusted`. Past `maxRedirects` the request fails with a `RequestError`
 * whose cause is `TooManyRedirects`. Intermediate bodies are drained (up to
 * 64 KiB) so their connections stay pooled. Works over any `HttpClient`.
 *
 * The `Location` field: raw non-ASCII bytes in it are percent-encoded as
 * sent (UTF-8 `Ø¢`, bytes D8 A2, is requested as `%D8%A2`). A 3xx without a
 * `Location`, or with an empty one, is not followed: it is the response. A
 * 3xx with several different `Location` fields is ambiguous and fails with
 * a `RequestError` whose cause is a `ProtocolError` (reason
 * `"multiple-locations"`); identical repeats count as one (over another
 * client, only what its headers keep of repeated fields can be seen).
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HackneyHttpClient } from "effect-hackney"
 *
 * const program = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ maxRedirects: 3 }))
 *   return yield* client.post("http://127.0.0.1:8080/login").pipe(Effect.flatMap((res) => res.text))
 * }).pipe(Effect.provide(HackneyHttpClient.layer))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const followRedirects: {
  (
    options?: RedirectOptions
  ): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | HttpClientError.RequestError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    options?: RedirectOptions
  ): HttpClient.HttpClient.With<E | HttpClientError.RequestError, R>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && HttpClient.TypeId in args[0],
  <E, R>(self: HttpClient.HttpClient.With<E, R>, options?: RedirectOptions) => redirect.followRedirects(self, options)
)

/**
 * Keeps cookies in an effect-hackney `CookieJar` (RFC 6265: domain and path
 * matching, `Secure`, expiry on Effect's `Clock`, public-suffix protection):
 * each request gets the jar's cookies for its URL, added to its own `Cookie`
 * header (a same-named cookie takes the jar's value), and each response's
 * `Set-Cookie` lines are stored against the URL that sent them. Without a
 * `jar`, the `CookieJar` service of each request's context (`CookieJar.layer`)
 * is used, and nothing happens when there is none. Compose it *before*
 * {@link followRedirects} (or `HttpClient.followRedirects`) so that every hop
 * goes through it: a cookie set by a 302 is then sent to its `Location`.
 * Unlike `HttpClient.withCookiesRef`, a cookie is only sent where its
 * domain and path allow. Works over any `HttpClient`.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { CookieJar, HackneyHttpClient } from "effect-hackney"
 *
 * const program = Effect.gen(function*() {
 *   const client = (yield* HttpClient.HttpClient).pipe(
 *     HackneyHttpClient.withCookieJar(),
 *     HackneyHttpClient.followRedirects()
 *   )
 *   return yield* client.post("http://127.0.0.1:8080/login").pipe(Effect.flatMap((res) => res.text))
 * }).pipe(Effect.provide(Layer.merge(HackneyHttpClient.layer, CookieJar.layer)))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withCookieJar: {
  (jar?: CookieJar.CookieJar): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>
  <E, R>(self: HttpClient.HttpClient.With<E, R>, jar?: CookieJar.CookieJar): HttpClient.HttpClient.With<E, R>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && HttpClient.TypeId in args[0],
  <E, R>(self: HttpClient.HttpClient.With<E, R>, jar?: CookieJar.CookieJar) =>
    cookies.withCookieJar(self, jar as JarOps | undefined)
)
