/**
 * The cookie-jar service as the client sees it: the tag, the brand, and the
 * two operations a request needs. Kept apart from the jar's implementation
 * (and its public-suffix data) so the request path does not load them.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as Headers from "../../Headers.js"
import type * as Url from "../../Url.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-hackney/CookieJar")

/** @internal */
export type TypeId = typeof TypeId

/** @internal */
export interface CookieJar {
  readonly [TypeId]: TypeId
}

/** What every jar implements for the client. @internal */
export interface JarOps extends CookieJar {
  /** Stores the Set-Cookie headers of a response from `url`; returns how many were stored. */
  storeFrom(headers: Headers.Headers, url: Url.Url, now: number): number
  /** The Cookie header value for `url`, if any cookie applies. */
  headerFor(url: Url.Url, now: number): string | undefined
}

/** @internal */
export const CookieJar: Context.Tag<CookieJar, CookieJar> = Context.GenericTag<CookieJar>("effect-hackney/CookieJar")

/** @internal */
export const ops = (jar: CookieJar): JarOps => jar as JarOps
