/**
 * effect-hackney: hackney's HTTP client, rebuilt on Effect.
 *
 * Each public module is exported as a namespace, and also as its own entry
 * point (`effect-hackney/Hackney`, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 *
 * const program = Hackney.get("http://127.0.0.1:8080/").pipe(Effect.provide(Hackney.layer))
 * ```
 *
 * @since 0.1.0
 */

/**
 * hackney's verbs: one-shot requests, streaming responses and request bodies, connections.
 *
 * @since 0.1.0
 */
export * as Hackney from "./Hackney.js"
/**
 * A client with defaults for a family of requests: base URL (RFC 3986), headers, options; a value or a Layer.
 *
 * @since 0.1.0
 */
export * as HackneyClient from "./HackneyClient.js"
/**
 * `@effect/platform`'s `HttpClient` backed by effect-hackney's engine, as a Layer.
 *
 * @since 0.1.0
 */
export * as HackneyHttpClient from "./HackneyHttpClient.js"
/**
 * Connection pools as Layers: per-host limits, checkout timeout, keep-alive, prewarm, stats.
 *
 * @since 0.1.0
 */
export * as Pool from "./Pool.js"
/**
 * Request middleware (hackney 4.x): functions around every request and
 * attempt; built-ins for redacted logging and bearer tokens.
 *
 * @since 0.2.0
 */
export * as Middleware from "./Middleware.js"
/**
 * Metrics (OpenTelemetry names) and traces, through Effect's Metric and Tracer.
 *
 * @since 0.2.0
 */
export * as Observability from "./Observability.js"
/**
 * Upload and download progress: `{ transferred, total }` events, as request options or around any Stream.
 *
 * @since 0.2.0
 */
export * as Progress from "./Progress.js"
/**
 * The error vocabulary: tagged errors, the `HackneyError` union, `isTimeout`, `isRetryable`.
 *
 * @since 0.1.0
 */
export * as HackneyError from "./HackneyError.js"
/**
 * URLs (hackney_url): parse, format, normalise, resolve, encode.
 *
 * @since 0.1.0
 */
export * as Url from "./Url.js"
/**
 * `application/x-www-form-urlencoded` query strings (hackney_url:qs / parse_qs).
 *
 * @since 0.1.0
 */
export * as QueryString from "./QueryString.js"
/**
 * Header fields: ordered, case-insensitive, multi-valued; wire validation, media types, redaction.
 *
 * @since 0.1.0
 */
export * as Headers from "./Headers.js"
/**
 * HTTP dates: IMF-fixdate, RFC 850, asctime, RFC 2109, and the RFC 6265 cookie-date algorithm.
 *
 * @since 0.1.0
 */
export * as HttpDate from "./HttpDate.js"
/**
 * Cookies: Set-Cookie parsing (RFC 6265 §5.2), Cookie header parse/serialise, Set-Cookie building.
 *
 * @since 0.1.0
 */
export * as Cookie from "./Cookie.js"
/**
 * A cookie jar (RFC 6265 storage and matching, public-suffix protection), as a Layer or per request.
 *
 * @since 0.1.0
 */
export * as CookieJar from "./CookieJar.js"
/**
 * The HTTP/1.1 protocol core (hackney_http): a sans-IO incremental parser and the request encoder.
 *
 * @since 0.1.0
 */
export * as Http1 from "./Http1.js"
/**
 * Multipart bodies (hackney_multipart): a streaming encoder for every hackney part form and a streaming decoder.
 *
 * @since 0.1.0
 */
export * as Multipart from "./Multipart.js"
