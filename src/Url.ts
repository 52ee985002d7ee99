/**
 * URLs as hackney sees them (`hackney_url`), plus what an HTTP client needs:
 * RFC 3986 reference resolution for redirects, the request target, the
 * `Host` header value and the origin key of a connection pool.
 *
 * A {@link Url} is an immutable value with structural equality (`Equal`).
 * Parsing follows hackney's rules, not WHATWG's:
 *
 * - a string without `://` is an `http` URL (`"example.com:8080/x"`);
 * - the fragment is cut first, then the query, then the path at the first `/`;
 * - the userinfo ends at the **last** `@` of the authority; user and
 *   password are percent-decoded;
 * - `http`/`ws` default to port 80, `https`/`wss` to 443, `socks5` to 1080;
 *   `http+unix://%2Fvar%2Frun%2Fapp.sock/path` names a unix socket (port 0);
 *   any other `scheme://` parses with `transport: undefined` and port 0.
 *
 * Where hackney is lax this module refuses the input with an
 * `InvalidRequest` (`reason: "url"`): control characters (CR, LF, NUL…),
 * a missing host, a bad port, a bad IPv6 literal, a backslash in the
 * authority, an invalid percent-escape in the userinfo. See `docs/url.md`
 * for every difference from hackney.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 *
 * const url = Either.getOrThrow(Url.parse("https://user:s%40cret@api.example.test:8443/v1/items?page=2#top"))
 * url.host            // "api.example.test"
 * url.port            // 8443
 * url.password        // "s@cret"
 * Url.requestTarget(url) // "/v1/items?page=2"
 * Url.hostHeader(url)    // "api.example.test:8443"
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type { InvalidRequest } from "./HackneyError.js"
import type * as QueryString from "./QueryString.js"
import { isIpLiteral as isIpLiteralInternal } from "./internal/url/ip.js"
import { fixPath as fixPathInternal, makeUrl as makeUrlInternal } from "./internal/url/join.js"
import * as model from "./internal/url/model.js"
import { netlocOf, normalize as normalizeInternal } from "./internal/url/normalize.js"
import { invalidUrl, parse as parseInternal } from "./internal/url/parse.js"
import {
  pathEncode as pathEncodeInternal,
  percentDecode,
  urlencode as urlencodeInternal
} from "./internal/url/percent.js"
import * as qs from "./internal/url/querystring.js"
import { removeDotSegments as removeDotSegmentsInternal, resolve as resolveInternal } from "./internal/url/resolve.js"
import * as target from "./internal/url/target.js"

/**
 * The brand of every Url value.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * console.log(Url.TypeId in Url.unsafeParse("http://a.test/")) // true
 * ```
 * @since 0.1.0
 * @category type IDs
 */
export const TypeId: unique symbol = model.TypeId as any

/**
 * @since 0.1.0
 * @category type IDs
 */
export type TypeId = typeof TypeId

/**
 * How a connection to the URL's host is made (hackney's `transport`):
 *
 * | value      | hackney             | schemes            |
 * |------------|---------------------|--------------------|
 * | `"tcp"`    | `hackney_tcp`       | `http`, `ws`       |
 * | `"tls"`    | `hackney_ssl`       | `https`, `wss`     |
 * | `"unix"`   | `hackney_local_tcp` | `http+unix`        |
 * | `"socks5"` | `hackney_socks5`    | `socks5` (a proxy) |
 *
 * `undefined` marks a scheme the client cannot request (`ftp`, `file`, …).
 *
 * @example
 * ```ts
 * import type { Url } from "effect-hackney"
 * const t: Url.Transport = "tls"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Transport = model.Transport

/**
 * A parsed URL (hackney's `#hackney_url{}` record).
 *
 * - `scheme`: lower case; `"http+unix"` is hackney's `http_unix`;
 * - `transport`: see {@link Transport}; `undefined` for an unknown scheme;
 * - `user`, `password`: percent-decoded, `""` when absent;
 * - `host`: without IPv6 brackets, ASCII letters lower-cased; for
 *   `http+unix` the decoded socket path. Not IDNA-converted until
 *   {@link normalize};
 * - `port`: explicit, or the scheme's default (0 for unknown schemes);
 * - `netloc`: the authority as written, without userinfo (`host:port`, `[::1]:80`);
 * - `path`: as written, from the first `/` (`""` when absent);
 * - `query`, `fragment`: as written, without `?` / `#` (`""` when absent);
 * - `rawPath`: `path[?query][#fragment]`, as written.
 *
 * `String(url)` and `JSON.stringify(url)` never show the password; use
 * {@link format} for the full URL.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * const url: Url.Url = Either.getOrThrow(Url.parse("http://[::1]:8080/a?b=c"))
 * url.host   // "::1"
 * url.netloc // "[::1]:8080"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Url extends Pipeable {
  readonly [TypeId]: TypeId
  readonly scheme: string
  readonly transport: Transport | undefined
  readonly user: string
  readonly password: string
  readonly host: string
  readonly port: number
  readonly netloc: string
  readonly path: string
  readonly query: string
  readonly fragment: string
  readonly rawPath: string
}

/**
 * The connection-pool key of a URL: scheme, lower-case ASCII host (IDNA
 * applied to a non-ASCII host), port. A `Data.struct`, so two origins are
 * `Equal.equals` when their fields are, and it can key a `HashMap`.
 *
 * @example
 * ```ts
 * import { Either, Equal } from "effect"
 * import { Url } from "effect-hackney"
 * const a = Url.origin(Either.getOrThrow(Url.parse("http://Example.test/a")))
 * const b = Url.origin(Either.getOrThrow(Url.parse("http://example.test:80/b")))
 * Equal.equals(a, b) // true
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Origin {
  readonly scheme: string
  readonly host: string
  readonly port: number
}

const asImpl = (url: Url): model.UrlImpl => url as unknown as model.UrlImpl
const asUrl = (impl: model.UrlImpl): Url => impl as unknown as Url

/**
 * Whether a value is a {@link Url}.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * Url.isUrl(Either.getOrThrow(Url.parse("http://a.test"))) // true
 * Url.isUrl("http://a.test") // false
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isUrl = (u: unknown): u is Url => model.isUrl(u)

/**
 * Parses a URL (hackney `parse_url/1`). Leading and trailing spaces and C0
 * controls are trimmed; any other control character is refused.
 *
 * Fails with `InvalidRequest` (`reason: "url"`) when the string has a
 * control character, a known scheme has no host, the port is not a number
 * from 0 to 65535, an IPv6 literal is malformed, the host has a forbidden
 * character (space, `<`, `>`, `\`, `^`, `|`, `"`), the authority has a
 * backslash, or the userinfo / unix socket path has an invalid
 * percent-escape.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 *
 * Url.parse("example.test/a").pipe(Either.map((u) => u.scheme)) // Right("http")
 * Either.isLeft(Url.parse("http://a.test:99999/")) // true
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<Url, InvalidRequest> =>
  parseInternal(input) as unknown as Either.Either<Url, InvalidRequest>

/**
 * {@link parse}, throwing the `InvalidRequest` on failure.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * const url = Url.unsafeParse("https://example.test/")
 * url.port // 443
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const unsafeParse = (input: string): Url => {
  const result = parse(input)
  if (Either.isLeft(result)) throw result.left
  return result.right
}

/**
 * The parts {@link make} assembles. `host` is required; everything else is
 * optional (`scheme` defaults to `"http"`, `port` to the scheme's default,
 * the rest to `""`). `path`, `query` and `fragment` are used as written
 * (already encoded); `user` and `password` are plain text.
 *
 * @example
 * ```ts
 * import type { Url } from "effect-hackney"
 * const parts: Url.Parts = { scheme: "https", host: "example.test", path: "/x" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Parts {
  /** Default `"http"`. */
  readonly scheme?: string | undefined
  readonly host: string
  /** Default: the scheme's default port. */
  readonly port?: number | undefined
  /** Default `""`. */
  readonly user?: string | undefined
  /** Default `""`. */
  readonly password?: string | undefined
  /** Default `""`. */
  readonly path?: string | undefined
  /** Default `""`. */
  readonly query?: string | undefined
  /** Default `""`. */
  readonly fragment?: string | undefined
}

/**
 * Builds a {@link Url} from its parts, validated as {@link parse} does.
 * An IPv6 host is bracketed; an `http+unix` host is the socket path.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * const url = Either.getOrThrow(Url.make({ scheme: "https", host: "::1", port: 8443, path: "/x" }))
 * Url.format(url) // "https://[::1]:8443/x"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (parts: Parts): Either.Either<Url, InvalidRequest> => {
  const scheme = (parts.scheme ?? "http").toLowerCase()
  const info = model.schemeInfo(scheme)
  const port = parts.port ?? info?.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Either.left(invalidUrl(`the port ${port} is not a number from 0 to 65535`))
  }
  if (parts.host === "" && info !== undefined) return Either.left(invalidUrl(`a ${scheme} URL needs a host`))
  const netloc = netlocOf(scheme, parts.host, port, info?.transport)
  const path = parts.path ?? ""
  if (path !== "" && !path.startsWith("/")) return Either.left(invalidUrl(`the path "${path}" must start with "/"`))
  return parse(
    model.formatFields({
      scheme,
      transport: info?.transport,
      user: parts.user ?? "",
      password: parts.password ?? "",
      host: parts.host,
      port,
      netloc,
      path,
      query: parts.query ?? "",
      fragment: parts.fragment ?? "",
      rawPath: ""
    }, true)
  )
}

/**
 * Formats a URL (hackney `unparse_url/1`):
 * `scheme://[user[:password]@]netloc path[?query][#fragment]`, with the
 * userinfo percent-encoded with {@link urlencode} (space as `%20`, and `@`
 * as `%40`). Any scheme is accepted.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.format(Url.unsafeParse("https://u:p%26w@example.test/a?b#c")) // "https://u:p%26w@example.test/a?b#c"
 * Url.format(Url.unsafeParse("http://a@b:c@example.test/")) // "http://a%40b:c@example.test/"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const format = (url: Url): string => model.formatFields(url, true)

/**
 * Options of {@link normalize}.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * const options: Url.NormalizeOptions = { pathEncode: (path) => path }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface NormalizeOptions {
  /**
   * Re-encodes the path (hackney's `path_encode_fun`). Default
   * {@link pathEncode}.
   */
  readonly pathEncode?: ((path: string) => string) | undefined
}

/**
 * Normalizes a URL before a request (hackney `normalize/1,2`):
 *
 * - a host that is not an IP literal is percent-decoded, refused if it
 *   then is (or, after folding the Unicode full stops `。．｡`, or after
 *   IDNA, becomes) an IP literal — GHSA-pj7v, an SSRF allowlist bypass —
 *   and converted to ASCII with IDNA (UTS #46, through the platform `URL`);
 *   a host that decodes to a forbidden character (`/`, `%`, space, …) or
 *   ends in a number without being an IPv4 address (`foo.1.2.3.4`,
 *   `192.168.0.257`) is refused too, as WHATWG does;
 * - `netloc` is rebuilt without the scheme's default port;
 * - the path is re-encoded with {@link pathEncode} (or `options.pathEncode`).
 *
 * The query and fragment are left as they are. `http+unix` hosts are kept.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * const url = Either.getOrThrow(Url.normalize("http://B%C3%BCcher.example:80/a b"))
 * Url.format(url) // "http://xn--bcher-kva.example/a%20b"
 * Either.isLeft(Url.normalize("http://%31%32%37%2E%30%2E%30%2E%31/")) // true
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const normalize = (url: Url | string, options?: NormalizeOptions): Either.Either<Url, InvalidRequest> => {
  const parsed = typeof url === "string" ? parseInternal(url) : Either.right(asImpl(url))
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  return normalizeInternal(parsed.right, options?.pathEncode ?? pathEncodeInternal) as unknown as Either.Either<
    Url,
    InvalidRequest
  >
}

/**
 * Resolves a reference against a base URL (RFC 3986 §5.2, with §5.2.4
 * `remove_dot_segments`), as a redirect `Location` needs: absolute
 * (`https://b/x`), network-path (`//b/x`, keeps the base scheme),
 * absolute-path (`/x`), relative (`x`, `../x`), query-only (`?x`) and
 * fragment-only (`#x`) references. The result's fragment is the
 * reference's (RFC 7231 §7.1.2 fragment inheritance is the caller's
 * choice). A reference with another scheme and no authority (`mailto:x`)
 * is refused.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * const next = Url.resolve("http://a.test/b/c/d?q", "../g?y")
 * next.pipe(Either.map(Url.format)) // Right("http://a.test/b/g?y")
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const resolve = (base: Url | string, reference: string): Either.Either<Url, InvalidRequest> => {
  const parsed = typeof base === "string" ? parseInternal(base) : Either.right(asImpl(base))
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  return resolveInternal(parsed.right, reference) as unknown as Either.Either<Url, InvalidRequest>
}

/**
 * RFC 3986 §5.2.4 `remove_dot_segments`.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.removeDotSegments("/a/b/c/./../../g") // "/a/g"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const removeDotSegments: (path: string) => string = removeDotSegmentsInternal

const rebuild = (url: Url, patch: Partial<model.Fields>): Url => {
  const next = { ...model.fieldsOf(asImpl(url)), ...patch }
  return asUrl(model.fromFields({ ...next, rawPath: model.rawPathOf(next.path, next.query, next.fragment) }))
}

/**
 * Replaces the path (used as written; pass it through {@link pathEncode}
 * if it is not encoded yet).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.format(Url.setPath(Url.unsafeParse("http://a.test/x?q"), "/y")) // "http://a.test/y?q"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const setPath: {
  (path: string): (self: Url) => Url
  (self: Url, path: string): Url
} = dual(2, (self: Url, path: string): Url => rebuild(self, { path }))

/**
 * Replaces the query: a string used as written, or pairs / a record
 * encoded as `application/x-www-form-urlencoded` (see `QueryString.encode`).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.format(Url.setQuery(Url.unsafeParse("http://a.test/x"), { q: "a b", page: "2" })) // "http://a.test/x?q=a+b&page=2"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const setQuery: {
  (query: string | QueryString.Input): (self: Url) => Url
  (self: Url, query: string | QueryString.Input): Url
} = dual(
  2,
  (self: Url, query: string | QueryString.Input): Url =>
    rebuild(self, { query: typeof query === "string" ? query : qs.encode(query) })
)

/**
 * Replaces the fragment (`""` removes it).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.format(Url.setFragment(Url.unsafeParse("http://a.test/x#old"), "")) // "http://a.test/x"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const setFragment: {
  (fragment: string): (self: Url) => Url
  (self: Url, fragment: string): Url
} = dual(2, (self: Url, fragment: string): Url => rebuild(self, { fragment }))

/**
 * Removes the user and password, for a redirect to another host or for
 * logging.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.format(Url.removeUserinfo(Url.unsafeParse("http://u:p@a.test/"))) // "http://a.test/"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const removeUserinfo = (self: Url): Url => rebuild(self, { user: "", password: "" })

/**
 * The request target of an origin-form request line: `path[?query]`, `/`
 * when the path is empty, never the fragment. Characters that cannot
 * appear on a request line (space, controls, non-ASCII, and the WHATWG
 * path / query percent-encode sets) are percent-encoded; existing `%XX`
 * escapes are kept.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.requestTarget(Url.unsafeParse("http://a.test?x=1#frag")) // "/?x=1"
 * Url.requestTarget(Url.unsafeParse("http://a.test/a b?q=é")) // "/a%20b?q=%C3%A9"
 * ```
 * @since 0.1.0
 * @category getters
 */
export const requestTarget = (url: Url): string => target.requestTarget(url)

/**
 * The `Host` header value: the ASCII host (IDNA applied to a non-ASCII
 * host), IPv6 in brackets, `:port` unless it is the scheme's default; for
 * `http+unix`, the percent-encoded socket path (as hackney sends it).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.hostHeader(Url.unsafeParse("https://[::1]:443/")) // "[::1]"
 * Url.hostHeader(Url.unsafeParse("http://a.test:8080/")) // "a.test:8080"
 * Url.hostHeader(Url.unsafeParse("http+unix://%2Ftmp%2Fapp.sock/")) // "%2Ftmp%2Fapp.sock"
 * ```
 * @since 0.1.0
 * @category getters
 */
export const hostHeader = (url: Url): string => target.hostHeader(url)

/**
 * The origin of a URL, the key of a connection pool (see {@link Origin}).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.origin(Url.unsafeParse("https://a.test/x")) // { scheme: "https", host: "a.test", port: 443 }
 * ```
 * @since 0.1.0
 * @category getters
 */
export const origin = (url: Url): Origin => target.origin(url)

/**
 * Whether two URLs have the same {@link origin} (scheme, host, port).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.isSameOrigin(Url.unsafeParse("http://a.test/x"), Url.unsafeParse("http://A.test:80/y")) // true
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isSameOrigin = (a: Url, b: Url): boolean => {
  const x = origin(a)
  const y = origin(b)
  return x.scheme === y.scheme && x.host === y.host && x.port === y.port
}

/**
 * The default port of a scheme: 80 for `http`/`ws`, 443 for `https`/`wss`,
 * 1080 for `socks5`, 0 for `http+unix` and unknown schemes.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.defaultPort("wss") // 443
 * ```
 * @since 0.1.0
 * @category getters
 */
export const defaultPort = (scheme: string): number => model.defaultPort(scheme.toLowerCase())

/**
 * The scheme of a transport (hackney `transport_scheme/1`): `tcp` →
 * `http`, `tls` → `https`, `unix` → `http+unix`, `socks5` → `socks5`.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.transportScheme("tls") // "https"
 * ```
 * @since 0.1.0
 * @category getters
 */
export const transportScheme = (transport: Transport): string => {
  switch (transport) {
    case "tcp":
      return "http"
    case "tls":
      return "https"
    case "unix":
      return "http+unix"
    case "socks5":
      return "socks5"
  }
}

/**
 * Whether a host is an IP literal (hackney `is_ip_literal/1`): IPv6
 * (bracketed or not; zone ids are not supported) or IPv4 in any spelling
 * the system resolver accepts (`127.0.0.1`, `127.1`, `0x7f.0.0.1`,
 * `2130706433`), so an SSRF check and the socket agree on what is an
 * address.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.isIpLiteral("[::1]") // true
 * Url.isIpLiteral("127.1") // true
 * Url.isIpLiteral("example.test") // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isIpLiteral = (host: string): boolean => isIpLiteralInternal(host)

/**
 * Options of {@link urlencode} (hackney's `urlencode/2` options).
 *
 * @example
 * ```ts
 * import type { Url } from "effect-hackney"
 * const options: Url.UrlencodeOptions = { noplus: true, lower: true }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface UrlencodeOptions {
  /** Encode a space as `%20` instead of `+`. Default `false`. */
  readonly noplus?: boolean | undefined
  /** Write hex digits in lower case (`%c3`). Default `false` (upper case). */
  readonly lower?: boolean | undefined
}

/**
 * Percent-encodes the UTF-8 bytes of a string (hackney `urlencode/1,2`).
 * Keeps `A-Z a-z 0-9 . - ~ _ * @ ( ) ! $`; a space becomes `+` (or `%20`
 * with `noplus`); everything else becomes `%XX`, upper-case hex unless
 * `lower`.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.urlencode("Hello Günter") // "Hello+G%C3%BCnter"
 * Url.urlencode("a b", { noplus: true }) // "a%20b"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const urlencode = (input: string, options?: UrlencodeOptions): string => urlencodeInternal(input, options)

/**
 * Decodes `%XX` escapes and `+` as a space (hackney `urldecode/1,2`); the
 * bytes are read as UTF-8 (an invalid sequence becomes U+FFFD).
 *
 * `onError` says what an invalid escape (`%` not followed by two hex
 * digits) does:
 * - `"crash"` (default, as in hackney): the result is a `Left` with an
 *   `InvalidRequest` (`reason: "url"`), where hackney raises `badarg`;
 * - `"skip"`: the `%` is kept literally and a plain string is returned.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Url } from "effect-hackney"
 * Url.urldecode("G%C3%BCnter+x") // Right("Günter x")
 * Either.isLeft(Url.urldecode("100%")) // true
 * Url.urldecode("100%", "skip") // "100%"
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const urldecode: {
  (input: string, onError: "skip"): string
  (input: string, onError?: "crash"): Either.Either<string, InvalidRequest>
} = ((input: string, onError?: "crash" | "skip") => {
  if (onError === "skip") return percentDecode(input, true, false)!
  const decoded = percentDecode(input, true, true)
  return decoded === undefined
    ? Either.left(invalidUrl(`"${input}" has a "%" not followed by two hex digits`))
    : Either.right(decoded)
}) as any

/**
 * Percent-encodes a path segment by segment (hackney `pathencode/1`):
 * keeps `/`, alphanumerics and `; = , : * @ ( ) . - + ~ _`, keeps valid
 * `%XX` escapes as written, turns a stray `%` into `%25` and everything
 * else into `%XX` of its UTF-8 bytes. A space becomes `%20` (hackney
 * writes `+`, which a server reads as a literal plus in a path).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.pathEncode("/a b/100%/x%2Fy/é") // "/a%20b/100%25/x%2Fy/%C3%A9"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const pathEncode = (path: string): string => pathEncodeInternal(path)

/**
 * Strips every leading `/` and one trailing `/` (hackney `fix_path/1`).
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.fixPath("/path1/path2/") // "path1/path2"
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const fixPath = (path: string): string => fixPathInternal(path)

/**
 * Builds a URL string from a base, path parts and a query (hackney
 * `make_url/3`): the parts are stripped with {@link fixPath}, empty parts
 * are dropped, and they are joined with `/`; the query is a string used
 * as written, or pairs / a record encoded with `QueryString.encode`; `?` is
 * added only for a non-empty query.
 *
 * @example
 * ```ts
 * import { Url } from "effect-hackney"
 * Url.makeUrl("http://example.test/", ["/v1/", "items"], [["a", "b"]]) // "http://example.test/v1/items?a=b"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const makeUrl = (base: string, paths: string | ReadonlyArray<string>, query: string | QueryString.Input): string =>
  makeUrlInternal(base, paths, typeof query === "string" ? query : qs.encode(query))
