/**
 * The engine options the `HttpClient` layer honours, and the check that
 * rejects the others. Client features (redirects, cookies, retries) are
 * `@effect/platform` combinators over an `HttpClient`,
 * not options of the transport: a request given one of them fails with
 * `InvalidRequest` (reason `"option"`) naming the combinator to use, rather
 * than being sent without it.
 *
 * @internal
 */
import type { Options } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import { isObject, notAnObject } from "../options/rules.js"

/** The `Hackney.Options` fields the layer honours. @internal */
export type Supported =
  | "headers"
  | "connectTimeout"
  | "recvTimeout"
  | "checkoutTimeout"
  | "maxPerHost"
  | "pool"
  | "maxBodySize"
  | "basicAuth"
  | "tls"
  | "insecure"
  | "protocols"
  | "lookup"
  | "family"
  | "localAddress"
  | "autoDecompress"
  | "maxHeaderSize"
  | "maxHeaderCount"
  | "maxStartLineLength"
  | "proxy"
  | "proxyAuth"
  | "noProxy"
  | "socks5Resolve"
  | "proxyTls"

/** Engine options of the `HttpClient` layer. @internal */
export type RequestOptions = Pick<Options, Supported>

const supported: Record<Supported, true> = {
  headers: true,
  connectTimeout: true,
  recvTimeout: true,
  checkoutTimeout: true,
  maxPerHost: true,
  pool: true,
  maxBodySize: true,
  basicAuth: true,
  tls: true,
  insecure: true,
  protocols: true,
  lookup: true,
  family: true,
  localAddress: true,
  autoDecompress: true,
  maxHeaderSize: true,
  maxHeaderCount: true,
  maxStartLineLength: true,
  proxy: true,
  proxyAuth: true,
  noProxy: true,
  socks5Resolve: true,
  proxyTls: true
}

/** What to use instead of each `Hackney.Options` field the layer does not take. */
const instead: Record<Exclude<keyof Options, Supported>, string> = {
  body: "give the body with the request (`HttpClientRequest.bodyText`, `bodyJson`, `bodyStream`…)",
  followRedirect: "compose `HackneyHttpClient.followRedirects()` (or `HttpClient.followRedirects`) over the client",
  maxRedirect: "use `HackneyHttpClient.followRedirects({ maxRedirects })`",
  locationTrusted: "use `HackneyHttpClient.followRedirects({ trusted: true })`",
  blockPrivateRedirects: "use `HackneyHttpClient.followRedirects({ blockPrivateRedirects: true })`",
  cookie: "set the `Cookie` header on the request (`HttpClientRequest.setHeader`)",
  cookieJar: "compose `HackneyHttpClient.withCookieJar(jar)` (or `HttpClient.withCookiesRef`) over the client",
  retry: "compose `HttpClient.retry` or `HttpClient.retryTransient` over the client",
  retryNonIdempotent: "compose `HttpClient.retry` or `HttpClient.retryTransient` over the client",
  retryStatuses: "compose `HttpClient.retryTransient` (or `HttpClient.filterStatusOk` with `HttpClient.retry`) over the client",
  continueTimeout: "the layer sends the body at once; use `Hackney.open` to wait for `100 Continue`",
  query: "add the parameters to the request (`HttpClientRequest.setUrlParams`, `appendUrlParams`)",
  json: "give the body with the request (`HttpClientRequest.bodyJson`)",
  timeout: "bound the request with `Effect.timeout` (or `HttpClient.transformResponse(Effect.timeout(…))`)",
  attemptTimeout: "bound each attempt with `Effect.timeout` inside `HttpClient.retry`",
  middleware: "compose the middleware over the client (`HttpClient.mapRequest`, `HttpClient.transformResponse`), or give it to the pool (`Pool.layer({ middleware })`)",
  metrics: "give `metrics: true` to the pool (`Pool.layer({ metrics: true })`)",
  tracing: "the client's requests are traced by `@effect/platform` (its span and `traceparent`); set nothing",
  propagate: "use `HttpClient.withTracerPropagation(false)`",
  uploadProgress: "wrap the request's body Stream with `Progress.track`",
  downloadProgress: "wrap the response's `stream` with `Progress.track`"
}

/** Whether `key` names a `Hackney.Options` field (the two records above cover the type, checked by the compiler). @internal */
export const isHackneyOption = (key: string): boolean =>
  Object.prototype.hasOwnProperty.call(supported, key) || Object.prototype.hasOwnProperty.call(instead, key)

const memo = new WeakMap<object, InvalidRequest | null>()

const check = (options: object): InvalidRequest | null => {
  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(supported, key) || (options as Record<string, unknown>)[key] === undefined) continue
    const advice = Object.prototype.hasOwnProperty.call(instead, key)
      ? instead[key as keyof typeof instead]
      : "see `HackneyHttpClient.Options` for the options it takes"
    return new InvalidRequest({
      reason: "option",
      detail: `\`${key}\` is not an option of the HttpClient layer (it would be ignored): ${advice}`
    })
  }
  return null
}

/**
 * The error for the first option the layer does not honour, if any;
 * memoised per options object (treat options as immutable once used).
 *
 * @internal
 */
export const unsupportedOption = (options: object): InvalidRequest | undefined => {
  // A JavaScript caller's `null` or number: typed, like every request option (`../options/rules.ts`).
  if (!isObject(options)) return notAnObject("request options", options)
  let e = memo.get(options)
  if (e === undefined) {
    e = check(options)
    memo.set(options, e)
  }
  return e ?? undefined
}
