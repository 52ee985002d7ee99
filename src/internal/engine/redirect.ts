/**
 * The redirect decision, once for both adapters (`client/redirect.ts` runs it
 * over `Hackney` hops, `httpclient/redirect.ts` over platform requests):
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
    reason: "MultipleLocations",
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
