/**
 * The `query` request option: parameters appended to the request URL with
 * hackney's encoding (`QueryString.encode`: `Url.urlencode`, space as `+`),
 * after the URL's own query, which is kept as written.
 *
 * @internal
 */
import type { Query as HackneyQuery } from "../../Hackney.js"
import * as Url from "../../Url.js"
import * as QueryString from "../../QueryString.js"

/** The `query` option (`Hackney.Query`). @internal */
export type Query = HackneyQuery
type QueryValue = string | number | boolean

const isValue = (v: unknown): v is QueryValue =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))

const isPair = (p: unknown): boolean => Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && isValue(p[1])

/** Whether a value is a valid `query` option (checked once per options object). @internal */
export const isQuery = (v: unknown): boolean => {
  if (typeof v !== "object" || v === null) return false
  if (v instanceof URLSearchParams) return true
  if (Array.isArray(v)) return v.every(isPair)
  if (Symbol.iterator in v) return false // another iterable would be consumed by the check
  const record = v as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (value !== undefined && !(isValue(value) || (Array.isArray(value) && value.every(isValue)))) return false
  }
  return true
}

/** The parameters as `[key, value]` text pairs, in order. @internal */
export const pairsOf = (query: Query): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  if (query instanceof URLSearchParams || Array.isArray(query)) {
    for (const [key, value] of query as Iterable<readonly [string, QueryValue]>) out.push([key, String(value)])
    return out
  }
  const record = query as Exclude<Query, URLSearchParams | ReadonlyArray<unknown>>
  for (const key of Object.keys(record)) {
    const value = record[key]
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) out.push([key, String(v)])
    else out.push([key, String(value)])
  }
  return out
}

/** The parameters encoded as `k=v&k2=v2` (empty for no parameters). @internal */
export const encodeQuery = (query: Query): string => QueryString.encode(pairsOf(query))

/** `query` (encoded) after the query `existing` (as written): joined with `&` unless one is empty or it ends with `&`. */
const joinQuery = (existing: string, query: string): string =>
  existing === "" ? query : existing.endsWith("&") ? existing + query : `${existing}&${query}`

/**
 * Appends an encoded query to a URL's text: before its fragment, after its
 * own query (kept as written), with `?` or `&` as needed.
 *
 * @internal
 */
export const appendToText = (url: string, query: string): string => {
  if (query === "") return url
  const hash = url.indexOf("#")
  const base = hash === -1 ? url : url.slice(0, hash)
  const fragment = hash === -1 ? "" : url.slice(hash)
  const q = base.indexOf("?")
  return q === -1 ? `${base}?${query}${fragment}` : base.slice(0, q + 1) + joinQuery(base.slice(q + 1), query) + fragment
}

/**
 * A request URL (text, a `Url` or a WHATWG `URL`) with the `query` option
 * appended; the input unchanged when there are no parameters.
 *
 * @internal
 */
export const appendQuery = <I>(input: I, query: Query): I | string | Url.Url => {
  const encoded = encodeQuery(query)
  if (encoded === "") return input
  if (typeof input === "string") return appendToText(input, encoded)
  if (input instanceof URL) return appendToText(input.href, encoded)
  if (Url.isUrl(input)) return Url.setQuery(input, joinQuery(input.query, encoded))
  return input // not a URL: left to the request's own check, which fails it typed
}
