/**
 * HTTP header fields: an immutable, insertion-ordered, case-insensitive,
 * multi-valued container — hackney's `hackney_headers`.
 *
 * - Lookups ignore ASCII case; names keep the case they were given with, and
 *   field lines keep their order (also when several share a name).
 * - Every "update" returns a new value; a `Headers` never changes.
 * - `Set-Cookie` lines stay separate: nothing in this module comma-joins values.
 * - {@link fromRaw} wraps the flat `[name, value, …]` array the HTTP/1 parser
 *   produces in O(1); an index is built lazily, and only for more than 16 lines.
 * - {@link encode} and {@link validate} refuse (never strip) CR, LF, NUL and
 *   other controls in values and non-token characters in names.
 * - `toJSON`, `toString` and Node's `util.inspect` show `authorization`,
 *   `proxy-authorization`, `cookie` and `set-cookie` as `<redacted>`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.fromInput({ "Content-Type": "text/plain", Accept: ["text/html", "*\/*"] })
 * Headers.getOrUndefined(h, "content-type") // "text/plain"
 * Headers.getAll(h, "accept")               // ["text/html", "*\/*"]
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type * as Equal from "effect/Equal"
import { dual } from "effect/Function"
import type * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { InvalidRequest } from "./HackneyError.js"
import * as internal from "./internal/headers/headers.js"
import * as mediaType from "./internal/headers/mediaType.js"
import { firstInvalidValueChar, isToken } from "./internal/headers/syntax.js"

/**
 * The brand of every Headers value.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 * console.log(Headers.TypeId in Headers.empty) // true
 * ```
 * @since 0.1.0
 * @category type IDs
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * @since 0.1.0
 * @category type IDs
 */
export type TypeId = typeof TypeId

/**
 * An ordered list of header field lines with case-insensitive lookup.
 * Iterating yields `[name, value]` pairs in order, names as given.
 *
 * Two `Headers` are `Equal` when they hold the same field lines in the same
 * order, names compared ignoring ASCII case.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * for (const [name, value] of Headers.fromInput({ a: "1" })) console.log(name, value)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Headers extends Iterable<readonly [string, string]>, Inspectable.Inspectable, Equal.Equal {
  readonly [TypeId]: TypeId
}

/**
 * A header value as accepted by the constructors and combinators: a string,
 * a number (written with `String(n)`), or several values, each becoming its
 * own field line.
 *
 * @example
 * ```ts
 * import type { Headers } from "effect-hackney"
 *
 * const v: Headers.Value = ["gzip", "br"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Value = string | number | ReadonlyArray<string>

/**
 * What {@link fromInput} accepts: a record (a value of `undefined` is
 * skipped), any iterable of `[name, value]` pairs (arrays, `Map`s, the global
 * `Headers`), or a `Headers` (returned as is).
 *
 * @example
 * ```ts
 * import type { Headers } from "effect-hackney"
 *
 * const a: Headers.Input = { accept: "application/json", "x-retry": 2 }
 * const b: Headers.Input = [["set-cookie", "a=1"], ["set-cookie", "b=2"]]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Input =
  | Readonly<Record<string, Value | undefined>>
  | Iterable<readonly [string, Value]>
  | Headers

/**
 * A parsed media type: `type` and `subtype` lower-cased, parameter names
 * lower-cased, parameter values unquoted and unescaped. With several
 * parameters of one name, the first wins.
 *
 * @example
 * ```ts
 * import type { Headers } from "effect-hackney"
 *
 * const json: Headers.MediaType = { type: "application", subtype: "json", params: { charset: "utf-8" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MediaType {
  readonly type: string
  readonly subtype: string
  readonly params: Readonly<Record<string, string>>
}

const impl = (self: Headers): internal.HeadersImpl => self as unknown as internal.HeadersImpl
const wrap = (self: internal.HeadersImpl): Headers => self as unknown as Headers

/**
 * Whether `u` is a `Headers`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.isHeaders(Headers.empty) // true
 * Headers.isHeaders({})            // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isHeaders = (u: unknown): u is Headers => internal.isHeaders(u)

/**
 * No header at all.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.size(Headers.empty) // 0
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Headers = wrap(internal.empty)

/**
 * Builds headers from a record, an iterable of pairs, or `Headers` (returned
 * unchanged). Order is kept; duplicate names are kept as separate lines;
 * nothing is validated here (see {@link validate}).
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.fromInput({ "User-Agent": "hackney", "Content-Length": 12, "X-Skip": undefined })
 * Headers.fromInput([["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]])
 * Headers.fromInput(new Map([["accept", "*\/*"]]))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromInput = (input: Input): Headers => wrap(internal.fromInput(input as internal.Input))

/**
 * Wraps a flat `[name0, value0, name1, value1, …]` array, as the HTTP/1
 * parser produces it, in O(1): the array is kept, not copied, and must not be
 * mutated afterwards. A lower-cased index is built on the first lookup when
 * there are more than 16 field lines; fewer are scanned.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.fromRaw(["Content-Type", "text/html", "Content-Length", "5"])
 * Headers.getOrUndefined(h, "content-length") // "5"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRaw = (flat: ReadonlyArray<string>): Headers => wrap(internal.fromRaw(flat))

/**
 * The number of field lines (a name sent twice counts twice).
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.size(Headers.fromInput([["a", "1"], ["A", "2"]])) // 2
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const size = (self: Headers): number => impl(self).raw.length >> 1

/**
 * The first value of a header, ignoring the case of `name`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.get(Headers.fromInput({ ETag: "\"x\"" }), "etag") // Option.some("\"x\"")
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (name: string): (self: Headers) => Option.Option<string>
  (self: Headers, name: string): Option.Option<string>
} = dual(2, (self: Headers, name: string): Option.Option<string> =>
  Option.fromNullable(internal.getOrUndefined(impl(self), name)))

/**
 * The first value of a header, or `undefined`: {@link get} without the
 * `Option`, for hot paths.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.getOrUndefined(Headers.empty, "host") // undefined
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const getOrUndefined: {
  (name: string): (self: Headers) => string | undefined
  (self: Headers, name: string): string | undefined
} = dual(2, (self: Headers, name: string): string | undefined => internal.getOrUndefined(impl(self), name))

/**
 * Every value of a header, in order; empty when absent. Values are never
 * joined, so this is how to read `Set-Cookie`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.fromRaw(["Set-Cookie", "a=1", "set-cookie", "b=2"])
 * Headers.getAll(h, "Set-Cookie") // ["a=1", "b=2"]
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const getAll: {
  (name: string): (self: Headers) => ReadonlyArray<string>
  (self: Headers, name: string): ReadonlyArray<string>
} = dual(2, (self: Headers, name: string): ReadonlyArray<string> => internal.getAll(impl(self), name))

/**
 * Whether a header is present, ignoring case.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.has(Headers.fromInput({ Host: "a.test" }), "HOST") // true
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const has: {
  (name: string): (self: Headers) => boolean
  (self: Headers, name: string): boolean
} = dual(2, (self: Headers, name: string): boolean => internal.has(impl(self), name))

/**
 * Replaces every line of a header by `value` (several lines when it is an
 * array; an empty array removes the header). The new lines take the place of
 * the first old one, with the name's case as given here; a new header goes
 * last.
 *
 * hackney's `store/3` moves the header to the end instead; keeping its place
 * keeps the wire order stable, as WHATWG `Headers.set` does.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.fromInput([["accept", "a"], ["x", "1"], ["Accept", "b"]])
 * Headers.toEntries(Headers.set(h, "Accept", "c")) // [["Accept", "c"], ["x", "1"]]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const set: {
  (name: string, value: Value): (self: Headers) => Headers
  (self: Headers, name: string, value: Value): Headers
} = dual(3, (self: Headers, name: string, value: Value): Headers => wrap(internal.set(impl(self), name, value)))

/**
 * Adds one more line (or one per element of an array) at the end, keeping
 * the existing ones.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.append(Headers.fromInput({ via: "1.1 a" }), "Via", "1.1 b")
 * Headers.getAll(h, "via") // ["1.1 a", "1.1 b"]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const append: {
  (name: string, value: Value): (self: Headers) => Headers
  (self: Headers, name: string, value: Value): Headers
} = dual(3, (self: Headers, name: string, value: Value): Headers => wrap(internal.append(impl(self), name, value)))

/**
 * Removes every line of a header. Returns `self` itself when it was absent.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.size(Headers.remove(Headers.fromInput({ A: "1", b: "2" }), "a")) // 1
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove: {
  (name: string): (self: Headers) => Headers
  (self: Headers, name: string): Headers
} = dual(2, (self: Headers, name: string): Headers => wrap(internal.remove(impl(self), name)))

/**
 * Appends the header only when it is absent (hackney's `store_new/3`).
 * Returns `self` itself when the header was already there, so
 * `setIfAbsent(h, n, v) === h` tells whether anything was added.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const h = Headers.fromInput({ "User-Agent": "mine" })
 * Headers.getOrUndefined(Headers.setIfAbsent(h, "user-agent", "hackney"), "user-agent") // "mine"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const setIfAbsent: {
  (name: string, value: Value): (self: Headers) => Headers
  (self: Headers, name: string, value: Value): Headers
} = dual(3, (self: Headers, name: string, value: Value): Headers =>
  wrap(internal.setIfAbsent(impl(self), name, value)))

/**
 * hackney's `merge/2`: keeps every line of `self` and adds the lines of
 * `that` whose name `self` does not have. `self` wins, so pass the defaults
 * second.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const user = Headers.fromInput({ Accept: "text/html" })
 * const defaults = Headers.fromInput({ accept: "*\/*", "user-agent": "hackney" })
 * Headers.toEntries(Headers.merge(user, defaults)) // [["Accept", "text/html"], ["user-agent", "hackney"]]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge: {
  (that: Input): (self: Headers) => Headers
  (self: Headers, that: Input): Headers
} = dual(2, (self: Headers, that: Input): Headers =>
  wrap(internal.merge(impl(self), internal.fromInput(that as internal.Input))))

/**
 * The field lines as `[name, value]` pairs, in order (a fresh array).
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.toEntries(Headers.fromRaw(["a", "1", "b", "2"])) // [["a", "1"], ["b", "2"]]
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const toEntries = (self: Headers): ReadonlyArray<readonly [string, string]> => internal.toEntries(impl(self))

/**
 * The flat `[name0, value0, …]` array behind the headers, without copying:
 * the cheapest way for an encoder to walk every line. Do not mutate it.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * const raw = Headers.toRaw(Headers.fromInput({ a: "1" }))
 * for (let i = 0; i < raw.length; i += 2) console.log(raw[i], raw[i + 1])
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const toRaw = (self: Headers): ReadonlyArray<string> => impl(self).raw

/**
 * Calls `f(name, value, index)` for every line in order, allocating nothing.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.forEach(Headers.fromInput({ a: "1" }), (name, value) => console.log(`${name}: ${value}`))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const forEach: {
  (f: (name: string, value: string, index: number) => void): (self: Headers) => void
  (self: Headers, f: (name: string, value: string, index: number) => void): void
} = dual(2, (self: Headers, f: (name: string, value: string, index: number) => void): void =>
  internal.forEach(impl(self), f))

/**
 * The lower-case names whose values `toJSON`, `toString` and `util.inspect`
 * print as `<redacted>`: `authorization`, `proxy-authorization`, `cookie`,
 * `set-cookie`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.redactedNames.has("cookie") // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const redactedNames: ReadonlySet<string> = internal.redactedNames

// ---------------------------------------------------------------------------
// Validation and the wire format
// ---------------------------------------------------------------------------

/**
 * Whether `name` may be sent as a field name: a non-empty RFC 9110 token
 * (`!#$%&'*+-.^_\`|~`, digits, letters). The HTTP/1 encoder uses this very
 * predicate.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.isValidName("X-Request-Id") // true
 * Headers.isValidName("X Request")    // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidName = (name: string): boolean => isToken(name)

/**
 * Whether `value` may be sent as a field value: only HTAB, SP, visible ASCII
 * and obs-text (0x80–0xFF). CR, LF, NUL, the other controls, DEL and code
 * points above 0xFF are refused — never stripped. The HTTP/1 encoder uses
 * this very predicate.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.isValidValue("text/html; charset=utf-8") // true
 * Headers.isValidValue("a\r\nInjected: 1")         // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidValue = (value: string): boolean => firstInvalidValueChar(value) === -1

/**
 * Checks one name and value: `Either.right(undefined)` when both may be sent,
 * else `InvalidRequest` with `reason` `"header-name"` or `"header-value"`
 * (the detail names the header and the offending character, never the
 * value).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Headers } from "effect-hackney"
 *
 * Either.isLeft(Headers.validateField("x-id", "1\r\nEvil: 1")) // true
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const validateField = (name: string, value: string): Either.Either<void, InvalidRequest> => {
  const e = internal.checkName(name) ?? internal.checkValue(name, value)
  return e === undefined ? Either.void : Either.left(e)
}

/**
 * Checks every line (see {@link validateField}); the first bad one is
 * reported.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Headers } from "effect-hackney"
 *
 * Either.isRight(Headers.validate(Headers.fromInput({ accept: "*\/*" }))) // true
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const validate = (self: Headers): Either.Either<Headers, InvalidRequest> =>
  Either.map(internal.validate(impl(self)), wrap)

/**
 * The header section as HTTP/1 sends it: `Name: value\r\n` per line, in
 * order, then the blank line `\r\n`. Fails with `InvalidRequest` on the first
 * invalid name or value.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.encode(Headers.fromInput({ Host: "a.test" })) // Either.right("Host: a.test\r\n\r\n")
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (self: Headers): Either.Either<string, InvalidRequest> => internal.encode(impl(self))

/**
 * Parses a header section as {@link encode} writes it (`\r\n` or bare `\n`
 * line ends; an optional final blank line, after which nothing may follow).
 * Values lose their surrounding whitespace. `None` on a line without a
 * colon, an invalid name (including whitespace before the colon), an invalid
 * value, or obs-fold. The HTTP/1 parser does not use this; it is for tests,
 * fixtures and mocks.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.decode("Host: a.test\r\nAccept:  *\/* \r\n\r\n") // Option.some(…host, accept…)
 * Headers.decode("Bad Name: x\r\n")                         // Option.none()
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (block: string): Option.Option<Headers> => {
  const h = internal.decode(block)
  return h === undefined ? Option.none() : Option.some(wrap(h))
}

// ---------------------------------------------------------------------------
// Media types
// ---------------------------------------------------------------------------

/**
 * Parses a media type (RFC 9110 §8.3.1): `type/subtype` and parameters, with
 * quoted-string values unescaped. Type, subtype and parameter names are
 * lower-cased; values are kept as sent. A bare `*` reads as `*\/*` (as
 * hackney's `parse_media_type/2`). Anything malformed — no subtype, a
 * parameter without `=`, spaces around `=`, an unterminated quote — is
 * `None`.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.parseMediaType('Multipart/Form-Data; boundary="a b"')
 * // Option.some({ type: "multipart", subtype: "form-data", params: { boundary: "a b" } })
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseMediaType = (input: string): Option.Option<MediaType> =>
  Option.fromNullable(mediaType.parse(input, false))

/**
 * hackney's `parse_content_type/1`: {@link parseMediaType}, and the value of
 * the `charset` parameter lower-cased too.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.parseContentType("text/HTML; Charset=UTF-8")
 * // Option.some({ type: "text", subtype: "html", params: { charset: "utf-8" } })
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseContentType = (input: string): Option.Option<MediaType> =>
  Option.fromNullable(mediaType.parse(input, true))

/**
 * The parsed `Content-Type` of `self` (see {@link parseContentType}); `None`
 * when absent or malformed.
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.contentType(Headers.fromInput({ "content-type": "application/json" }))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const contentType = (self: Headers): Option.Option<MediaType> => {
  const v = internal.getOrUndefined(impl(self), "content-type")
  return v === undefined ? Option.none() : parseContentType(v)
}

/**
 * Writes a media type: `type/subtype; name=value…`, quoting (and escaping
 * `"` and `\`) the values that are not tokens. `Either.left(InvalidRequest)`
 * when the type, subtype or a parameter name is not a token, or a value holds
 * a character a quoted-string cannot carry (a control other than HTAB, or a
 * code point above 0xFF).
 *
 * @example
 * ```ts
 * import { Headers } from "effect-hackney"
 *
 * Headers.formatMediaType({ type: "text", subtype: "plain", params: { charset: "utf-8", x: "a b" } })
 * // Either.right('text/plain; charset=utf-8; x="a b"')
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatMediaType = (self: MediaType): Either.Either<string, InvalidRequest> =>
  mediaType.isValid(self)
    ? Either.right(mediaType.format(self))
    : Either.left(new InvalidRequest({ reason: "header-value", detail: "invalid media type" }))
