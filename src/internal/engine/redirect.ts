/**
 * The redirect decision and loop ({@link follow}), once for both adapters
 * (`client/redirect.ts` runs them over `Hackney` hops,
 * `httpclient/redirect.ts` over platform requests):
 * which statuses redirect, what the Location fields say ({@link locationOf}),
 * how the request is re-issued ({@link reissue}: 301/302/303 as GET without a
 * body, HEAD staying HEAD; 307/308 with the method and the body, which must be
 * replayable), which fields go with the body ({@link bodyHeaders}) and which
 * credentials are dropped on a change of origin unless trusted
 * ({@link dropsCredentials}, {@link credentialHeaders}), and how much of an
 * intermediate body is drained to keep its connection ({@link drainLimit}).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { ProtocolError } from "../../HackneyError.js"
import { referenceFromOctets } from "../url/percent.js"

/** The statuses that redirect. @internal */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** Bytes of an intermediate 3xx body read to keep its connection; beyond, the connection is closed. @internal */
export const drainLimit = 64 * 1024

/** Headers that describe the request body, dropped when a redirect turns the request into a GET. @internal */
export const bodyHeaders: ReadonlyArray<string> = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
  "transfer-encoding",
  "expect"
]

/** Headers that carry credentials (or name the old host), dropped on a change of origin. @internal */
export const credentialHeaders: ReadonlyArray<string> = ["authorization", "cookie", "proxy-authorization", "host"]

/**
 * What the Location fields of a redirect say: `Absent` when there is none,
 * or only empty ones (the 3xx is then the response, as curl and browsers
 * do); `Ambiguous` when there are several different ones (not followed: the
 * request fails, see {@link multipleLocations}); else the `Target`, as a URI
 * reference made from the octets sent (see `referenceFromOctets`).
 * Identical repeats count as one.
 *
 * @internal
 */
export type Location =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Ambiguous"; readonly count: number }
  | { readonly _tag: "Target"; readonly reference: string }

/** @internal */
export const absent: Location = { _tag: "Absent" }

/** @internal */
export const locationOf = (values: ReadonlyArray<string>): Location => {
  let found: string | undefined
  let count = 0
  const seen: Array<string> = []
  for (const v of values) {
    const t = v.trim()
    if (t === "" || seen.includes(t)) continue
    seen.push(t)
    found ??= t
    count++
  }
  if (found === undefined) return absent
  if (count > 1) return { _tag: "Ambiguous", count }
  return { _tag: "Target", reference: referenceFromOctets(found) }
}

/** The error for a redirect with several different Location fields. @internal */
export const multipleLocations = (status: number, count: number, method: string, url: string): ProtocolError =>
  new ProtocolError({
    method,
    url,
    reason: "multiple-locations",
    detail: `a ${status} redirect with ${count} different Location fields, so it is not followed`
  })

/** How a redirect re-issues a request. @internal */
export interface Reissue<M extends string> {
  readonly method: M | "GET" | "HEAD"
  /** The body (and its fields, {@link bodyHeaders}) is sent again: it must be replayable. */
  readonly keepsBody: boolean
}

/**
 * How a `status` redirect re-issues a `method` request (hackney's rules):
 * 301/302/303 as GET without a body (a HEAD stays HEAD), 307/308 unchanged,
 * body included.
 *
 * @internal
 */
export const reissue = <M extends string>(status: number, method: M): Reissue<M> =>
  status === 301 || status === 302 || status === 303
    ? { method: method === "HEAD" ? "HEAD" : "GET", keepsBody: false }
    : { method, keepsBody: true }

/** Whether a redirect drops the credentials: a change of origin that is not `trusted`. @internal */
export const dropsCredentials = (trusted: boolean, sameOrigin: boolean): boolean => !trusted && !sameOrigin

/**
 * What the redirect loop ({@link follow}) needs from an adapter: how to send
 * a request (the dispatch below the loop), read a response's status and
 * Location fields, build the request that follows (with a record of the
 * hop, `C`), drain a response whose connection is kept, give up on one that
 * ends the chain with an error, and the errors for several Locations and
 * for too many redirects. Building the next request per hop is where a hop
 * re-resolves what depends on its URL (its dial spec, its proxy).
 *
 * @internal
 */
export interface FollowSteps<Req, Res, C, E, R> {
  readonly max: number
  readonly send: (request: Req) => Effect.Effect<Res, E, R>
  readonly status: (response: Res) => number
  readonly locations: (response: Res) => ReadonlyArray<string>
  readonly next: (
    request: Req,
    response: Res,
    reference: string
  ) => Either.Either<{ readonly request: Req; readonly record: C }, E>
  readonly drain: (response: Res) => Effect.Effect<void>
  readonly giveUp: (response: Res) => Effect.Effect<void>
  readonly ambiguous: (request: Req, response: Res, count: number) => E
  readonly tooMany: (response: Res, chain: ReadonlyArray<C>, next: C) => E
}

/** The last response of a chain and the record of each redirect followed. @internal */
export interface Followed<Res, C> {
  readonly response: Res
  readonly chain: ReadonlyArray<C>
}

/**
 * The redirect loop, once for both adapters: from the response to `first`,
 * follows 301/302/303/307/308 with a Location (at most `max` times, then
 * `tooMany`); a response without a usable Location is the result. Each
 * followed response is drained before the next request is sent; a response
 * that fails the chain (several Locations, a request that cannot follow, too
 * many redirects) is given up.
 *
 * @internal
 */
export const follow = <Req, Res, C, E, R>(
  steps: FollowSteps<Req, Res, C, E, R>,
  first: Req,
  response: Effect.Effect<Res, E, R>
): Effect.Effect<Followed<Res, C>, E, R> => {
  // The chain is made per run: the returned Effect may run more than once (retried by a caller).
  const loop = (request: Req, res: Res, chain: Array<C>): Effect.Effect<Followed<Res, C>, E, R> => {
    const status = steps.status(res)
    const location = redirectStatuses.has(status) ? locationOf(steps.locations(res)) : absent
    if (location._tag === "Absent") return Effect.succeed({ response: res, chain })
    if (location._tag === "Ambiguous") {
      return Effect.zipRight(steps.giveUp(res), Effect.fail(steps.ambiguous(request, res, location.count)))
    }
    const next = steps.next(request, res, location.reference)
    if (Either.isLeft(next)) return Effect.zipRight(steps.giveUp(res), Effect.fail(next.left))
    const { record, request: following } = next.right
    if (chain.length >= steps.max) {
      return Effect.zipRight(steps.giveUp(res), Effect.fail(steps.tooMany(res, chain, record)))
    }
    chain.push(record)
    return Effect.zipRight(
      steps.drain(res),
      Effect.flatMap(steps.send(following), (r) => loop(following, r, chain))
    )
  }
  return Effect.flatMap(response, (res) => loop(first, res, []))
}
