/**
 * Cookies — hackney's `hackney_cookie` and the parsing half of RFC 6265.
 *
 * - {@link parseSetCookie}: a `Set-Cookie` value → a structured {@link Cookie},
 *   following RFC 6265 §5.2 (lenient: bad attributes are ignored, not fatal),
 *   plus RFC 6265bis's `SameSite`, `Partitioned`, size limits and CTL rule.
 *   Storage and matching (the jar) are built on top of it elsewhere.
 * - {@link parseSetCookies}: every `Set-Cookie` of a response (hackney `cookies/1`).
 * - {@link parseCookieHeader}: a `Cookie` request header → pairs (hackney `parse_cookie/1`).
 * - {@link serializeCookieHeader}: pairs → `n1=v1; n2=v2`.
 * - {@link serializeSetCookie}: builds a `Set-Cookie` value (hackney `setcookie/3`).
 *
 * Writers never crash on bad input: they return `Either.left(InvalidRequest)`.
 *
 * @example
 * ```ts
 * import { Cookie } from "effect-hackney"
 *
 * Cookie.parseSetCookie("sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
 * // Option.some({ name: "sid", value: "abc", path: "/", secure: true, httpOnly: true, sameSite: "Lax", … })
 * ```
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { InvalidRequest } from "./HackneyError.js"
import * as Headers from "./Headers.js"
import * as internal from "./internal/cookie/cookie.js"

/**
 * The `SameSite` values RFC 6265bis defines.
 *
 * @example
 * ```ts
 * import type { Cookie } from "effect-hackney"
 *
 * const s: Cookie.SameSite = "Lax"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SameSite = "Strict" | "Lax" | "None"

/**
 * A parsed `Set-Cookie` line. Optional fields are absent when the attribute
 * was missing or ignored; when an attribute appears several times, the last
 * valid one wins (RFC 6265 §5.3 uses the last of each).
 *
 * - `name`, `value`: trimmed of SP/HTAB; the value is verbatim otherwise
 *   (double quotes kept).
 * - `expires`: from `Expires`, read with `HttpDate.parseCookieDate`;
 *   an unparsable date is ignored.
 * - `maxAge`: `Max-Age` in seconds as sent (0 or negative means "expire
 *   now"); the jar turns it into an expiry time (it takes precedence over
 *   `expires`). A malformed value is ignored.
 * - `domain`: `Domain` without its leading `.`, lower-cased; an empty value is
 *   ignored, and a bare `.` clears an earlier one.
 * - `path`: `Path` when it starts with `/`; any other value clears it (the jar
 *   then uses the default path).
 * - `secure`, `httpOnly`, `partitioned`: the flags.
 * - `sameSite`: `Strict`, `Lax` or `None` (any case); another value leaves it
 *   absent and is kept in `extensions`.
 * - `extensions`: every other attribute, `[name, value]` as given (trimmed;
 *   the value is `""` when there was no `=`), in order.
 *
 * @example
 * ```ts
 * import type { Cookie } from "effect-hackney"
 *
 * const c: Cookie.Cookie = {
 *   name: "sid", value: "abc", path: "/", secure: true, httpOnly: true, partitioned: false, extensions: []
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Cookie {
  readonly name: string
  readonly value: string
  readonly expires?: Date
  readonly maxAge?: number
  readonly domain?: string
  readonly path?: string
  readonly secure: boolean
  readonly httpOnly: boolean
  readonly sameSite?: SameSite
  readonly partitioned: boolean
  readonly extensions: ReadonlyArray<readonly [string, string]>
}

/**
 * Options of {@link serializeSetCookie} (hackney `setcookie/3` options, plus
 * `expires`, `sameSite` and `partitioned`). Each attribute is written only
 * when given.
 *
 * @example
 * ```ts
 * import type { Cookie } from "effect-hackney"
 *
 * const o: Cookie.SetCookieOptions = { path: "/", httpOnly: true, secure: true, sameSite: "Strict", maxAge: 3600 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SetCookieOptions {
  /**
   * `Expires`, written as an IMF-fixdate. Default: none. A `Date` or epoch
   * milliseconds; must be valid with a year in 0000–9999.
   */
  readonly expires?: Date | number | undefined
  /**
   * `Max-Age` in whole seconds, 0 or more. Default: none. `0` also writes
   * `Expires=Thu, 01 Jan 1970 00:00:01 GMT` (unless `expires` is given), as
   * hackney does, for clients that ignore `Max-Age`. hackney also derives an
   * `Expires` from the clock for a positive `max_age`; this pure module has no
   * clock, so pass `expires` for that.
   */
  readonly maxAge?: number | undefined
  /** `Domain`: letters, digits, `-`, `.`, `_` (use A-labels for IDNs). Default: none (host-only). */
  readonly domain?: string | undefined
  /** `Path`: must start with `/`; no controls, spaces, `;` or non-ASCII. Default: none. */
  readonly path?: string | undefined
  /** Writes `Secure`. Default: `false`. */
  readonly secure?: boolean | undefined
  /** Writes `HttpOnly`. Default: `false`. */
  readonly httpOnly?: boolean | undefined
  /** Writes `SameSite=…`. Default: none. Browsers refuse `None` without `secure`. */
  readonly sameSite?: SameSite | undefined
  /** Writes `Partitioned` (CHIPS). Default: `false`. Browsers require `secure` with it. */
  readonly partitioned?: boolean | undefined
}

/**
 * Parses one `Set-Cookie` value per RFC 6265 §5.2. `None` — the line is
 * ignored, as a user agent would — when it has no `=` before the first `;`,
 * the name is empty, name and value exceed 4096 bytes (UTF-8), or it
 * contains a control character other than HTAB (RFC 6265bis §5.7). Bad
 * attributes never fail the parse: they are ignored as the RFC says, and
 * attribute values over 1024 bytes are dropped.
 *
 * @example
 * ```ts
 * import { Cookie } from "effect-hackney"
 *
 * Cookie.parseSetCookie("id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Domain=.Example.COM; Max-Age=-1")
 * // Option.some({ name: "id", value: "a3fWa", expires: Date(2015-10-21T07:28:00Z), domain: "example.com", maxAge: -1, … })
 * Cookie.parseSetCookie("no-equals-sign") // Option.none()
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseSetCookie = (input: string): Option.Option<Cookie> =>
  Option.fromNullable(internal.parseSetCookie(input))

/**
 * Parses every `Set-Cookie` line of `headers`, in order, skipping those
 * {@link parseSetCookie} ignores (hackney `cookies/1`, which returns them in
 * reverse order).
 *
 * @example
 * ```ts
 * import { Cookie, Headers } from "effect-hackney"
 *
 * const h = Headers.fromRaw(["Set-Cookie", "a=1", "set-cookie", "b=2; Path=/"])
 * Cookie.parseSetCookies(h).map((c) => c.name) // ["a", "b"]
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseSetCookies = (headers: Headers.Headers): ReadonlyArray<Cookie> => {
  const out: Array<Cookie> = []
  for (const line of Headers.getAll(headers, "set-cookie")) {
    const c = internal.parseSetCookie(line)
    if (c !== undefined) out.push(c)
  }
  return out
}

/**
 * hackney's `parse_cookie/1`: a `Cookie` request header → `[name, value]`
 * pairs in order. Pairs are separated by `;` (SP, HTAB and `,` between pairs
 * are skipped); names starting with `$` (`$Version`, `$Path`) are skipped; a
 * name without `=` gives `true`; values are verbatim (quotes kept) up to the
 * next `;`, with trailing spaces removed. `None` (hackney's
 * `{error, badarg}`) when a name is empty (`=x`) or contains SP, HTAB, CR,
 * LF, VT, FF or `,`, or a value contains HTAB, CR, LF, VT or FF.
 *
 * @example
 * ```ts
 * import { Cookie } from "effect-hackney"
 *
 * Cookie.parseCookieHeader("$Version=1; sid=abc; theme=\"dark\"; beta")
 * // Option.some([["sid", "abc"], ["theme", "\"dark\""], ["beta", true]])
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseCookieHeader = (input: string): Option.Option<ReadonlyArray<readonly [string, string | true]>> =>
  Option.fromNullable(internal.parseCookieHeader(input))

/**
 * Writes a `Cookie` request header value, `n1=v1; n2=v2`, from pairs or a
 * record, in order (hackney's `cookie` request option). Values are sent as
 * they are (cookies from a server need not be RFC 6265 tokens), but
 * `Either.left(InvalidRequest)` (`reason: "header-value"`) when a name holds
 * `=` or `;`, a value holds `;`, or either holds a character no header value
 * may carry (CR, LF, NUL, other controls, above 0xFF). A cookie with an
 * empty name is written as its value alone (RFC 6265bis).
 *
 * @example
 * ```ts
 * import { Cookie } from "effect-hackney"
 *
 * Cookie.serializeCookieHeader([["sid", "abc"], ["theme", "dark"]]) // Either.right("sid=abc; theme=dark")
 * Cookie.serializeCookieHeader({ sid: "a;b" })                      // Either.left(InvalidRequest)
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const serializeCookieHeader = (
  pairs: Iterable<readonly [string, string]> | Readonly<Record<string, string>>
): Either.Either<string, InvalidRequest> =>
  internal.serializeCookieHeader(
    Symbol.iterator in pairs ? (pairs as Iterable<readonly [string, string]>) : Object.entries(pairs)
  )

/**
 * Builds a `Set-Cookie` value like hackney's `setcookie/3`:
 * `name=value[; Expires=…][; Max-Age=N][; Domain=…][; Path=…][; Secure][; HttpOnly][; SameSite=…][; Partitioned]`.
 *
 * `Either.left(InvalidRequest)` instead of hackney's crash (GHSA-mp55) when
 * the name is not a token, the value is not an RFC 6265 cookie-value
 * (cookie-octets, optionally in double quotes: no space, `"`, `,`, `;`, `\`
 * or controls — encode it first), the domain or path holds a forbidden
 * character (`reason: "header-value"`), or `maxAge`, `expires`, `path`'s
 * leading `/` or `sameSite` is invalid (`reason: "option"`).
 *
 * Not copied from hackney: the obsolete `Version=1` attribute, and
 * `Expires` in the RFC 2109 form (`Thu, 01-Jan-1970 …`) — RFC 6265 §4.1.1
 * asks for an IMF-fixdate.
 *
 * @example
 * ```ts
 * import { Cookie } from "effect-hackney"
 *
 * Cookie.serializeSetCookie("sid", "abc", { path: "/", maxAge: 3600, secure: true, httpOnly: true })
 * // Either.right("sid=abc; Max-Age=3600; Path=/; Secure; HttpOnly")
 * Cookie.serializeSetCookie("sid", "x", { path: "/\r\nSet-Cookie: evil=1" }) // Either.left(InvalidRequest)
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const serializeSetCookie = (
  name: string,
  value: string,
  options: SetCookieOptions = {}
): Either.Either<string, InvalidRequest> => internal.serializeSetCookie(name, value, options)
