/**
 * Request options (`Hackney.Options`) validated and resolved: every value is
 * checked once per options object (options are memoised by identity), and
 * a wrong type or a value out of range fails with `InvalidRequest`
 * (`reason: "option"`) naming the option, the value and what it accepts
 * (the rules: `../options/rules.ts`).
 *
 * @internal
 */
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type { Options } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import { headLimitRules, requestHeadLimits } from "../connection/headLimits.js"
import type { RequestLimits } from "../connection/headLimits.js"
import { TypeId as CookieJarTypeId } from "../cookie/service.js"
import { checkTls, dialDefaults, dialRules, millis, setsDialOption } from "../pool/dialSpec.js"
import type { DialSpec } from "../pool/dialSpec.js"
import { TypeId as PoolTypeId } from "../pool/pool.js"
import {
  boolean,
  check,
  count,
  describeValue,
  durationFrom0,
  isInteger,
  isObject,
  isString,
  notAnObject,
  positiveDuration,
  rule
} from "../options/rules.js"
import type { Rule } from "../options/rules.js"
import { isQuery } from "./query.js"
import { featureRules } from "../observe/features.js"

const isStringPair = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && isString(v[0]) && isString(v[1])

const isHeaderValue = (v: unknown): boolean =>
  isString(v) || (typeof v === "number" && Number.isFinite(v)) || (Array.isArray(v) && v.every(isString))

const isHeadersInput = (v: unknown): boolean => {
  if (!isObject(v)) return false
  if (Symbol.iterator in v) {
    if (isString(v) || !Array.isArray(v)) return true // a Headers value or another iterable: read as given
    return v.every((pair) => Array.isArray(pair) && pair.length === 2 && isString(pair[0]) && isHeaderValue(pair[1]))
  }
  for (const k of Object.keys(v)) if (v[k] !== undefined && !isHeaderValue(v[k])) return false
  return true
}

/** The rules of `Hackney.Options`, by name. `body` is checked with the request (it is not memoised). */
const requestRules: Readonly<Record<Exclude<keyof Options, "body">, Rule>> = {
  headers: rule("a record of header values, [name, value] pairs or a Headers value", isHeadersInput),
  ...dialRules,
  checkoutTimeout: durationFrom0("fails at once when no connection is free"),
  maxPerHost: count(1, "for no limit"),
  pool: rule(
    "a pool name, a Pool, or false for a direct connection",
    (v) => v === false || isString(v) || (isObject(v) && PoolTypeId in v)
  ),
  maxBodySize: count(0, "for no limit", "accepts only empty bodies"),
  ...headLimitRules,
  basicAuth: rule("a [user, password] pair of strings", isStringPair),
  continueTimeout: durationFrom0("sends the body without waiting"),
  followRedirect: boolean,
  maxRedirect: count(0, undefined, "fails at the first redirect with TooManyRedirects"),
  locationTrusted: boolean,
  blockPrivateRedirects: boolean,
  cookie: rule(
    "a Cookie header value or [name, value] pairs",
    (v) => isString(v) || (Array.isArray(v) && v.every(isStringPair))
  ),
  cookieJar: rule("a CookieJar, or false for none", (v) => v === false || (isObject(v) && CookieJarTypeId in v)),
  autoDecompress: boolean,
  retry: rule("a Schedule", Schedule.isSchedule),
  retryNonIdempotent: boolean,
  retryStatuses: rule(
    "an array of HTTP statuses (integers from 100 to 599)",
    (v) => Array.isArray(v) && v.every((s) => isInteger(s) && s >= 100 && s <= 599)
  ),
  query: rule(
    "a record of strings, finite numbers, booleans or arrays of them (undefined skipped), [key, value] pairs or a URLSearchParams",
    isQuery
  ),
  // Any value: what JSON cannot serialise fails as a body error when the request is made.
  json: rule("any value JSON can serialise", () => true),
  timeout: positiveDuration,
  attemptTimeout: positiveDuration,
  ...featureRules,
  uploadProgress: rule("a function (progress) => Effect", (v) => typeof v === "function"),
  downloadProgress: rule("a function (progress) => Effect", (v) => typeof v === "function")
}

/**
 * Request options, validated and resolved (milliseconds), with the dial
 * specs built for them by origin.
 *
 * @internal
 */
export interface Resolved {
  readonly options: Options
  readonly connectTimeout: number
  readonly recvTimeout: number
  /** Undefined: the pool's (else the connect timeout). */
  readonly checkoutTimeout: number | undefined
  readonly maxPerHost: number | undefined
  readonly maxBodySize: number
  /** The response-head limits the request sets; undefined: its connection's (pool's). */
  readonly headLimits: RequestLimits | undefined
  readonly continueTimeout: number
  /** Dial specs by origin (`prepare.dialSpec`); one map shared by all options that set no connection option. */
  readonly specs: Map<string, DialSpec>
}

/** Defaults (milliseconds), as hackney. @internal */
export const defaults = {
  ...dialDefaults,
  maxBodySize: Infinity,
  continueTimeout: 1000
} as const

const resolvedCache = new WeakMap<object, Resolved>()

// Options that set no connection option share their dial specs: a program that writes its options
// inline (`{ maxPerHost: 50 }`, a new object per request) builds no spec per request.
const sharedSpecs = new Map<string, DialSpec>()

const ms = millis

/**
 * The options last validated on a new plain object, as a private copy (so a
 * caller mutating its object later cannot change it), resolved with that copy
 * as their `options`, and how many keys the copy has.
 */
let lastCopy: Record<string, unknown> | undefined = undefined
let lastResolved: Resolved | undefined = undefined
let lastKeys = 0

const isPlain = (o: object): boolean => {
  const proto = Object.getPrototypeOf(o)
  return proto === Object.prototype || proto === null
}

/** Whether plain `o` has exactly the keys and values (`===`) of `copy`, which has `keys` keys. */
const sameContent = (o: Record<string, unknown>, copy: Record<string, unknown>, keys: number): boolean => {
  let n = 0
  for (const k in o) {
    if (o[k] !== copy[k]) return false
    n++
  }
  return n === keys
}

/**
 * Validates request options once per object (then memoised: an object seen
 * before costs one WeakMap lookup) and resolves their durations. A new plain
 * object with the keys and values of the last one validated — options written
 * inline in the call, `{ maxPerHost: 50 }`, a new object per request — takes
 * that one's resolution (validated on a copy) without a validation, a
 * `Resolved` or a WeakMap entry of its own.
 *
 * @internal
 */
export const resolve = (options: unknown): Resolved | InvalidRequest => {
  if (!isObject(options)) return notAnObject("request options", options)
  const hit = resolvedCache.get(options)
  if (hit !== undefined) return hit
  const plain = isPlain(options)
  if (plain && lastCopy !== undefined && sameContent(options, lastCopy, lastKeys)) return lastResolved!
  const invalid = check(options, requestRules) ?? checkTls(options)
  if (invalid !== undefined) return invalid
  const resolved = resolved_(options as Options, setsDialOption(options) ? new Map() : sharedSpecs)
  resolvedCache.set(options, resolved)
  if (plain) {
    const copy: Record<string, unknown> = { ...options }
    lastCopy = copy
    lastKeys = Object.keys(copy).length
    lastResolved = resolved_(copy as Options, resolved.specs)
  }
  return resolved
}

/** Validated options `o` resolved, their dial specs kept in `specs`. */
const resolved_ = (o: Options, specs: Map<string, DialSpec>): Resolved => {
  const connectTimeout = ms(o.connectTimeout, defaults.connectTimeout)
  return {
    options: o,
    connectTimeout,
    recvTimeout: ms(o.recvTimeout, defaults.recvTimeout),
    checkoutTimeout: o.checkoutTimeout === undefined ? undefined : ms(o.checkoutTimeout, connectTimeout),
    maxPerHost: o.maxPerHost,
    maxBodySize: o.maxBodySize ?? defaults.maxBodySize,
    headLimits: requestHeadLimits(o),
    continueTimeout: ms(o.continueTimeout, defaults.continueTimeout),
    specs
  }
}

/**
 * The type of a request body, checked with each request: a string, a
 * `Uint8Array`, `{ form }`, `{ file }` or a `Stream`. Undefined when it is
 * one, else the error.
 *
 * @internal
 */
export const checkBody = (body: unknown): InvalidRequest | undefined => {
  if (typeof body === "string" || body instanceof Uint8Array) return undefined
  if (isObject(body)) {
    if (Stream.StreamTypeId in body) return undefined
    if ("form" in body && isObject(body.form)) return undefined
    if ("file" in body && isString(body.file)) return undefined
    if ("multipart" in body && Array.isArray(body.multipart)) return undefined
  }
  return new InvalidRequest({
    reason: "body",
    detail: `the body is ${describeValue(body)}; give a string, a Uint8Array, { form }, { file: path }, { multipart: parts } or a Stream<Uint8Array>`
  })
}

