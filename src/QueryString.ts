/**
 * `application/x-www-form-urlencoded`, for query strings and form bodies
 * (hackney `parse_qs/1` and `qs/1,2`).
 *
 * A decoded query string is an ordered list of pairs: the order and
 * repeated keys are kept, and a key written without `=` decodes as `true`
 * (hackney's convention), so `"a=1&flag&a=2"` is
 * `[["a", "1"], ["flag", true], ["a", "2"]]`. {@link encode} writes `true`
 * back as a bare key, so `decode ∘ encode` is the identity on pairs.
 *
 * Edge cases (see `docs/url.md`):
 * - empty tokens are dropped: `"&a=b&&c&"` → `[["a", "b"], ["c", true]]`;
 * - the first `=` splits: `"a=b=c"` → `[["a", "b=c"]]`;
 * - `"a="` → `[["a", ""]]` and `"=b"` → `[["", "b"]]` (hackney gives
 *   `true` and `[["b", true]]`, losing the distinction);
 * - `+` decodes as a space, `%XX` as a byte; the bytes are read as UTF-8
 *   (an invalid sequence becomes U+FFFD).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { QueryString } from "effect-hackney"
 *
 * QueryString.decode("q=caf%C3%A9+au+lait&page=2&debug") // Right([["q", "café au lait"], ["page", "2"], ["debug", true]])
 * QueryString.encode({ q: "café au lait", tag: ["a", "b"] }) // "q=caf%C3%A9+au+lait&tag=a&tag=b"
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { InvalidRequest } from "./HackneyError.js"
import * as Option from "effect/Option"
import { invalidUrl } from "./internal/url/parse.js"
import type { UrlencodeOptions } from "./internal/url/percent.js"
import * as internal from "./internal/url/querystring.js"

/**
 * One decoded pair: a key and its value, or `true` for a key without `=`.
 *
 * @example
 * ```ts
 * import type { QueryString } from "effect-hackney"
 * const pair: QueryString.Pair = ["flag", true]
 * ```
 * @since 0.1.0
 * @category models
 */
export type Pair = readonly [key: string, value: string | true]

/**
 * A decoded query string: pairs in order, repeated keys kept.
 *
 * @example
 * ```ts
 * import type { QueryString } from "effect-hackney"
 * const qs: QueryString.QueryString = [["a", "1"], ["a", "2"]]
 * ```
 * @since 0.1.0
 * @category models
 */
export type QueryString = ReadonlyArray<Pair>

/**
 * What {@link encode} accepts: pairs (any iterable, e.g. an array or a
 * `URLSearchParams`), or a record whose values are a string, `true` (a
 * bare key), an array of strings (a repeated key) or `undefined` (left
 * out). A record is encoded in its key order.
 *
 * @example
 * ```ts
 * import type { QueryString } from "effect-hackney"
 * const a: QueryString.Input = [["a", "1"], ["b", true]]
 * const b: QueryString.Input = { a: "1", tags: ["x", "y"], skipped: undefined }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Input = internal.Input

/**
 * Options of {@link encode}, as hackney's `qs/2` (same as `Url.urlencode`).
 *
 * @example
 * ```ts
 * import type { QueryString } from "effect-hackney"
 * const options: QueryString.EncodeOptions = { noplus: true }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface EncodeOptions extends UrlencodeOptions {
  /** Encode a space as `%20` instead of `+`. Default `false`. */
  readonly noplus?: boolean | undefined
  /** Write hex digits in lower case. Default `false` (upper case). */
  readonly lower?: boolean | undefined
}

/**
 * Encodes pairs or a record as `k=v&k2=v2` (hackney `qs/1,2`), each key and
 * value with `Url.urlencode` (space as `+` unless `noplus`). A `true` value
 * is written as a bare key (hackney writes `k=true`).
 *
 * @example
 * ```ts
 * import { QueryString } from "effect-hackney"
 * QueryString.encode([["a", "b c"], ["flag", true]]) // "a=b+c&flag"
 * QueryString.encode({ a: "b c" }, { noplus: true }) // "a=b%20c"
 * ```
 * @since 0.1.0
 * @category encoding
 */
export const encode = (input: Input, options?: EncodeOptions): string => internal.encode(input, options)

/**
 * Decodes a query string or a form body (hackney `parse_qs/1`); see the
 * module documentation for the edge cases. A leading `?` is part of the
 * first key: strip it first.
 *
 * `onError` says what an invalid escape (`%` not followed by two hex
 * digits) does: `"crash"` (default, as hackney's `parse_qs`) gives a `Left`
 * with an `InvalidRequest` (`reason: "url"`); `"skip"` keeps the `%`
 * literally and returns the pairs directly.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { QueryString } from "effect-hackney"
 * QueryString.decode("&a=b&c&&") // Right([["a", "b"], ["c", true]])
 * Either.isLeft(QueryString.decode("a=100%")) // true
 * QueryString.decode("a=100%", "skip") // [["a", "100%"]]
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const decode: {
  (input: string, onError: "skip"): QueryString
  (input: string, onError?: "crash"): Either.Either<QueryString, InvalidRequest>
} = ((input: string, onError?: "crash" | "skip") => {
  if (onError === "skip") return internal.decode(input, false)!
  const pairs = internal.decode(input, true)
  return pairs === undefined
    ? Either.left(invalidUrl(`the query string has a "%" not followed by two hex digits`))
    : Either.right(pairs)
}) as any

/**
 * The first value of a key, if any.
 *
 * @example
 * ```ts
 * import { QueryString } from "effect-hackney"
 * QueryString.get([["a", "1"], ["a", "2"]], "a") // Option.some("1")
 * ```
 * @since 0.1.0
 * @category getters
 */
export const get = (self: QueryString, key: string): Option.Option<string | true> => {
  for (const [k, v] of self) if (k === key) return Option.some(v)
  return Option.none()
}

/**
 * Every value of a key, in order.
 *
 * @example
 * ```ts
 * import { QueryString } from "effect-hackney"
 * QueryString.getAll([["a", "1"], ["b", true], ["a", "2"]], "a") // ["1", "2"]
 * ```
 * @since 0.1.0
 * @category getters
 */
export const getAll = (self: QueryString, key: string): ReadonlyArray<string | true> => {
  const out: Array<string | true> = []
  for (const [k, v] of self) if (k === key) out.push(v)
  return out
}
