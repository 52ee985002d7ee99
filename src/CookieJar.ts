/**
 * A cookie jar (hackney has none): RFC 6265 §5.3 storage and §5.4 matching
 * — domain and host-only cookies, paths, `Secure`, `HttpOnly`,
 * `Expires`/`Max-Age`, `SameSite` recorded — with public-suffix protection
 * from the Public Suffix List (through `tldts`) and the RFC 6265bis rules
 * that matter to a client: a plain-HTTP origin cannot set or overwrite a
 * `Secure` cookie, and the `__Secure-` / `__Host-` prefixes are enforced.
 *
 * A jar is a mutable store. Give it to requests as a Layer (`CookieJar.layer`:
 * every request in its context stores the Set-Cookie headers of every
 * response, redirects included, and sends the matching cookies) or per request
 * (the `cookieJar` option of `Hackney.request`).
 *
 * Time is a parameter: the `…At` functions take `now` (epoch milliseconds)
 * and are pure apart from mutating the jar; the Effect functions read
 * Effect's `Clock`, so `TestClock` pins expiry in tests.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CookieJar, Hackney } from "effect-hackney"
 *
 * const program = Effect.gen(function*() {
 *   yield* Hackney.post("http://127.0.0.1:8080/login", { body: { form: { user: "a" } } })
 *   const res = yield* Hackney.get("http://127.0.0.1:8080/me") // sends the session cookie
 *   const jar = yield* CookieJar.CookieJar
 *   console.log(res.status, yield* CookieJar.getCookies(jar, "http://127.0.0.1:8080/me"))
 * }).pipe(Effect.provide(CookieJar.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Cookie from "./Cookie.js"
import * as Headers from "./Headers.js"
import * as Url from "./Url.js"
import { Jar } from "./internal/cookie/jar.js"
import * as service from "./internal/cookie/service.js"
import type { Rejection, StoredCookie as InternalStored, StoredCookieFields, Target } from "./internal/cookie/jar.js"

/**
 * The brand of a {@link CookieJar}.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * console.log(CookieJar.TypeId in CookieJar.make()) // true
 * ```
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: typeof service.TypeId = service.TypeId

/**
 * @example
 * ```ts
 * import type { CookieJar } from "effect-hackney"
 * type Brand = CookieJar.TypeId
 * ```
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A mutable cookie store.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar: CookieJar.CookieJar = CookieJar.make()
 * ```
 * @since 0.1.0
 * @category models
 */
export interface CookieJar {
  readonly [TypeId]: TypeId
}

/**
 * A stored cookie (RFC 6265 §5.3 step 12).
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar = CookieJar.make()
 * CookieJar.setCookieAt(jar, "sid=1; Path=/; HttpOnly", "http://a.test/login", 0)
 * const [c]: ReadonlyArray<CookieJar.StoredCookie> = CookieJar.getCookiesAt(jar, "http://a.test/", 0)
 * console.log(c.name, c.hostOnly, c.httpOnly) // "sid" true true
 * ```
 * @since 0.1.0
 * @category models
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named public type over the L0 fields
export interface StoredCookie extends StoredCookieFields {}

/**
 * Why a Set-Cookie header was not stored: unparsable (`parse`), a `Domain`
 * that is a public suffix (`public-suffix`) or does not cover the host
 * (`domain-mismatch`), a `Secure` cookie from a plain-HTTP origin
 * (`secure-from-insecure`), an `HttpOnly` cookie from a non-HTTP API
 * (`http-only`), a broken `__Secure-`/`__Host-` prefix (`prefix`), already
 * expired (`expired`, which still deletes a previous cookie of that name), or
 * an invalid URL (`url`).
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const r = CookieJar.setCookieAt(CookieJar.make(), "a=b; Domain=co.uk", "http://x.co.uk/", 0)
 * console.log(r) // Left("public-suffix")
 * ```
 * @since 0.1.0
 * @category models
 */
export type CookieRejection = Rejection | "url"

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar = CookieJar.make({ maxPerDomain: 20 })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /** Cookies kept per domain; the least recently used go first. Default 50. */
  readonly maxPerDomain?: number | undefined
  /** Cookies kept in total. Default 3000. */
  readonly maxTotal?: number | undefined
}

class JarImpl extends Jar implements service.JarOps {
  readonly [TypeId]: TypeId = TypeId
  storeFrom(headers: Headers.Headers, url: Url.Url, now: number): number {
    return setCookiesAt(this, headers, url, now)
  }
  headerFor(url: Url.Url, now: number): string | undefined {
    return Option.getOrUndefined(cookieHeaderAt(this, url, now))
  }
}

const impl = (jar: CookieJar): JarImpl => jar as JarImpl

/**
 * The jar as a service: when it is in the context, `Hackney` requests store
 * and send cookies through it (unless a request sets `cookieJar`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CookieJar } from "effect-hackney"
 * const names = Effect.flatMap(CookieJar.CookieJar, (jar) => CookieJar.cookies(jar))
 * ```
 * @since 0.1.0
 * @category tags
 */
export const CookieJar: Context.Tag<CookieJar, CookieJar> = service.CookieJar

/**
 * A new, empty jar.
 *
 * @example
 * ```ts
 * import { CookieJar, Hackney } from "effect-hackney"
 * const jar = CookieJar.make()
 * const program = Hackney.get("http://127.0.0.1:8080/", { cookieJar: jar })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: MakeOptions = {}): CookieJar =>
  new JarImpl({ maxPerDomain: options.maxPerDomain ?? 50, maxTotal: options.maxTotal ?? 3000 })

/**
 * A Layer providing a fresh, empty {@link CookieJar} service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CookieJar, Hackney } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/").pipe(Effect.provide(CookieJar.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<CookieJar> = Layer.sync(CookieJar, () => make())

/**
 * Whether a value is a {@link CookieJar}.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * console.log(CookieJar.isCookieJar(CookieJar.make())) // true
 * ```
 * @since 0.1.0
 * @category guards
 */
export const isCookieJar = (u: unknown): u is CookieJar => typeof u === "object" && u !== null && TypeId in u

const targetOf = (url: string | Url.Url): Target | undefined => {
  const u = typeof url === "string" ? Url.parse(url) : Either.right(url)
  if (Either.isLeft(u)) return undefined
  return { scheme: u.right.scheme.toLowerCase(), host: Url.origin(u.right).host, path: u.right.path }
}

const view = (c: InternalStored): StoredCookie => ({
  name: c.name,
  value: c.value,
  domain: c.domain,
  path: c.path,
  expires: c.expires,
  persistent: c.persistent,
  hostOnly: c.hostOnly,
  secure: c.secure,
  httpOnly: c.httpOnly,
  sameSite: c.sameSite,
  creation: c.creation,
  lastAccess: c.lastAccess
})

/**
 * Stores one Set-Cookie header value (or a parsed {@link Cookie.Cookie})
 * received from `url`, at time `now` (epoch ms). Mutates the jar.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar = CookieJar.make()
 * CookieJar.setCookieAt(jar, "a=1; Max-Age=60", "https://shop.test/cart", Date.UTC(2030, 0, 1))
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const setCookieAt = (
  jar: CookieJar,
  setCookie: string | Cookie.Cookie,
  url: string | Url.Url,
  now: number,
  options: { readonly http?: boolean | undefined } = {}
): Either.Either<StoredCookie, CookieRejection> => {
  const target = targetOf(url)
  if (target === undefined) return Either.left("url")
  const r = impl(jar).set(setCookie, target, now, { http: options.http ?? true })
  return typeof r === "string" ? Either.left(r) : Either.right(view(r))
}

/**
 * Stores every `Set-Cookie` header of a response from `url`; returns how many were stored.
 *
 * @example
 * ```ts
 * import { CookieJar, Headers } from "effect-hackney"
 * const jar = CookieJar.make()
 * const headers = Headers.fromInput([["set-cookie", "a=1"], ["set-cookie", "b=2"]])
 * console.log(CookieJar.setCookiesAt(jar, headers, "http://a.test/", 0)) // 2
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const setCookiesAt = (jar: CookieJar, headers: Headers.Headers, url: string | Url.Url, now: number): number => {
  const target = targetOf(url)
  if (target === undefined) return 0
  let n = 0
  for (const line of Headers.getAll(headers, "set-cookie")) {
    if (typeof impl(jar).set(line, target, now) !== "string") n++
  }
  return n
}

/**
 * The cookies to send to `url` at `now`, most specific path first (RFC 6265 §5.4).
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar = CookieJar.make()
 * CookieJar.setCookieAt(jar, "a=1; Domain=example.test", "http://www.example.test/", 0)
 * console.log(CookieJar.getCookiesAt(jar, "http://api.example.test/", 0).length) // 1
 * ```
 * @since 0.1.0
 * @category getters
 */
export const getCookiesAt = (jar: CookieJar, url: string | Url.Url, now: number): ReadonlyArray<StoredCookie> => {
  const target = targetOf(url)
  return target === undefined ? [] : impl(jar).get(target, now).map(view)
}

/**
 * The `Cookie` request header for `url` at `now`, if any cookie applies.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const jar = CookieJar.make()
 * CookieJar.setCookieAt(jar, "a=1", "http://a.test/", 0)
 * CookieJar.setCookieAt(jar, "b=2; Path=/x", "http://a.test/", 0)
 * console.log(CookieJar.cookieHeaderAt(jar, "http://a.test/x/y", 0)) // Some("b=2; a=1")
 * ```
 * @since 0.1.0
 * @category getters
 */
export const cookieHeaderAt = (jar: CookieJar, url: string | Url.Url, now: number): Option.Option<string> => {
  const target = targetOf(url)
  return target === undefined ? Option.none() : Option.fromNullable(impl(jar).header(target, now))
}

/**
 * Every unexpired cookie at `now`.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * console.log(CookieJar.cookiesAt(CookieJar.make(), Date.now())) // []
 * ```
 * @since 0.1.0
 * @category getters
 */
export const cookiesAt = (jar: CookieJar, now: number): ReadonlyArray<StoredCookie> => impl(jar).all(now).map(view)

/**
 * {@link setCookieAt} at the `Clock`'s time.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.setCookie(CookieJar.make(), "a=1; Max-Age=60", "http://a.test/")
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const setCookie = (
  jar: CookieJar,
  setCookie: string | Cookie.Cookie,
  url: string | Url.Url
): Effect.Effect<Either.Either<StoredCookie, CookieRejection>> =>
  Effect.map(Clock.currentTimeMillis, (now) => setCookieAt(jar, setCookie, url, now))

/**
 * {@link setCookiesAt} at the `Clock`'s time.
 *
 * @example
 * ```ts
 * import { CookieJar, Headers } from "effect-hackney"
 * const program = CookieJar.setCookies(CookieJar.make(), Headers.fromInput({ "set-cookie": "a=1" }), "http://a.test/")
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const setCookies = (jar: CookieJar, headers: Headers.Headers, url: string | Url.Url): Effect.Effect<number> =>
  Effect.map(Clock.currentTimeMillis, (now) => setCookiesAt(jar, headers, url, now))

/**
 * {@link getCookiesAt} at the `Clock`'s time.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.getCookies(CookieJar.make(), "http://a.test/")
 * ```
 * @since 0.1.0
 * @category getters
 */
export const getCookies = (jar: CookieJar, url: string | Url.Url): Effect.Effect<ReadonlyArray<StoredCookie>> =>
  Effect.map(Clock.currentTimeMillis, (now) => getCookiesAt(jar, url, now))

/**
 * {@link cookieHeaderAt} at the `Clock`'s time.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.cookieHeader(CookieJar.make(), "http://a.test/")
 * ```
 * @since 0.1.0
 * @category getters
 */
export const cookieHeader = (jar: CookieJar, url: string | Url.Url): Effect.Effect<Option.Option<string>> =>
  Effect.map(Clock.currentTimeMillis, (now) => cookieHeaderAt(jar, url, now))

/**
 * {@link cookiesAt} at the `Clock`'s time.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.cookies(CookieJar.make())
 * ```
 * @since 0.1.0
 * @category getters
 */
export const cookies = (jar: CookieJar): Effect.Effect<ReadonlyArray<StoredCookie>> =>
  Effect.map(Clock.currentTimeMillis, (now) => cookiesAt(jar, now))

/**
 * Removes every cookie, or those stored for exactly `domain`.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.clear(CookieJar.make(), "a.test")
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const clear = (jar: CookieJar, domain?: string): Effect.Effect<void> => Effect.sync(() => impl(jar).clear(domain))

/**
 * Removes the session cookies (those without `Expires`/`Max-Age`), as closing a browser does.
 *
 * @example
 * ```ts
 * import { CookieJar } from "effect-hackney"
 * const program = CookieJar.removeSessionCookies(CookieJar.make())
 * ```
 * @since 0.1.0
 * @category mutations
 */
export const removeSessionCookies = (jar: CookieJar): Effect.Effect<void> => Effect.sync(() => impl(jar).removeSession())
