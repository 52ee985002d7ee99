/**
 * Turns `(method, url, options)` into a prepared request: the parsed URL,
 * the encoded head, the body in a sendable form, and what the pool needs to
 * dial. Everything invalid fails here with `InvalidRequest`, before any I/O.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Body, Options } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as QueryString from "../../QueryString.js"
import * as Url from "../../Url.js"
import type { Request } from "../connection/connection.js"
import { checkAndEncodeHead } from "../http1/encoder.js"
import { encodeBody } from "../node/multipartBody.js"
import { memoDialSpec } from "../pool/dialSpec.js"
import type { DialSpec } from "../pool/dialSpec.js"
import { describeValue } from "../options/rules.js"
import type { RequestLimits } from "../connection/headLimits.js"
import { checkBody, resolve } from "./options.js"
import type { Resolved } from "./options.js"
import * as RequestUrl from "./requestUrl.js"
import { userAgent } from "./version.js"

/** A body ready to send (both request paths). @internal */
export type PreparedBody =
  | { readonly _tag: "None" }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | StreamBody

/** A streamed body. @internal */
export interface StreamBody {
  readonly _tag: "Stream"
  readonly stream: Stream.Stream<Uint8Array, unknown>
  /** Declared length (identity framing, byte count checked), or undefined for chunked. */
  readonly length: number | undefined
  /** Can be sent again (a file), for redirects and retries. */
  readonly replayable: boolean
}

/**
 * A request ready for a connection: what `execute` and the `HttpClient`
 * adapter's exchange send. Its head is data (validated, not encoded): the
 * connection's driver encodes it.
 *
 * @internal
 */
export interface Outgoing extends Request {
  readonly method: string
  /** The URL as text, for errors (redacted by them) and the response. */
  readonly href: string
  readonly body: PreparedBody
  readonly spec: DialSpec
  readonly maxBodySize: number
  readonly recvTimeout: number
  /** Undefined: the pool's default (else the connect timeout). */
  readonly checkoutTimeout: number | undefined
  /** This request's per-host limit; undefined: the pool's. */
  readonly maxPerHost: number | undefined
  /** This request's response-head limits (over its connection's); undefined: the connection's. */
  readonly headLimits: RequestLimits | undefined
  readonly idempotent: boolean
}

/** A prepared request of the Hackney API: an {@link Outgoing} with its parsed URL. @internal */
export interface Prepared extends Outgoing {
  readonly url: Url.Url
}

/** The methods retried on a stale connection (and by the retry policy) without `retryNonIdempotent`. @internal */
export const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "QUERY"])

const encoder = new TextEncoder()

const invalid = (reason: InvalidRequest["reason"], detail: string, method?: string, url?: string) =>
  Either.left(new InvalidRequest({ reason, detail, method, url }))

const withRequest = (e: InvalidRequest, method: string | undefined, url: string | undefined) =>
  new InvalidRequest({ reason: e.reason, detail: e.detail, method, url, cause: e.cause })

const base64 = (s: string): string => {
  const bytes = encoder.encode(s)
  let bin = ""
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i])
  return btoa(bin)
}

/** The `Authorization` value for HTTP Basic credentials (UTF-8, base64). @internal */
export const basicAuthorization = (user: string, password: string): string => `Basic ${base64(`${user}:${password}`)}`

const isStream = (u: unknown): u is Stream.Stream<Uint8Array, unknown> =>
  typeof u === "object" && u !== null && Stream.StreamTypeId in u

/**
 * The dial spec for a URL under validated options (memoised per options
 * object and origin: most programs reuse one options object, so the request
 * path builds none).
 *
 * @internal
 */
export const dialSpec = (url: Url.Url, r: Resolved): DialSpec =>
  memoDialSpec(r.specs, url, r.options, r.connectTimeout, r.recvTimeout)

interface CachedUrl {
  readonly url: Url.Url
  readonly target: string
  readonly host: string
  /** The HTTP/1.1 heads of header-less, body-less requests, by method (see `RequestHead.h1`). */
  readonly heads: Map<string, string>
  /**
   * The dial spec last found for this URL, and the spec map (`Resolved.specs`) it came from: a
   * request with options of the same map takes it without building the origin key and looking it
   * up (a string and a `Map` lookup per request, in a map that grows with the origins).
   */
  specs: Map<string, DialSpec> | undefined
  spec: DialSpec | undefined
  /**
   * The request last prepared for this URL without headers, body or credentials, and the resolved
   * options it was made with: the same method and options (`Resolved`, one per options object or
   * per content, see `resolve`) with the same dial spec give the same request, shared.
   */
  plain: Prepared | undefined
  /** {@link plain} as `prepareResolved` returns it (an `Either` is immutable: one per request made, not per request sent). */
  plainResult: Either.Either<Prepared, InvalidRequest> | undefined
  plainOptions: Resolved | undefined
}

/** A URL's entry, not cached (a `Url` or `URL` input). */
const urlEntry = (url: Url.Url): CachedUrl => ({
  url,
  target: Url.requestTarget(url),
  host: Url.hostHeader(url),
  heads: new Map(),
  specs: undefined,
  spec: undefined,
  plain: undefined,
  plainResult: undefined,
  plainOptions: undefined
})

/** {@link dialSpec}, remembered on the URL's entry for the last spec map used with it. */
const entrySpec = (entry: CachedUrl, r: Resolved): DialSpec => {
  if (entry.specs === r.specs) return entry.spec!
  const spec = dialSpec(entry.url, r)
  entry.specs = r.specs
  entry.spec = spec
  return spec
}

// Parsed URLs by their text: parsing costs more than the rest of a request's preparation.
const urlCache = new Map<string, CachedUrl>()
const cachedUrl = (input: string): CachedUrl | InvalidRequest => {
  const hit = urlCache.get(input)
  if (hit !== undefined) return hit
  const parsed = RequestUrl.parse(input)
  if (Either.isLeft(parsed)) return parsed.left
  const entry = urlEntry(parsed.right)
  if (urlCache.size >= 1024) urlCache.clear()
  urlCache.set(input, entry)
  return entry
}

const noBody: PreparedBody = { _tag: "None" }

// Raw header pairs `[name, value, …]`; `lower` is a lower-case name. A name already lower-case (the
// platform's headers) matches without `toLowerCase`.
const sameName = (name: string, lower: string): boolean =>
  name === lower || (name.length === lower.length && name.toLowerCase() === lower)

/** Whether raw header pairs have a header. @internal */
export const hasHeader = (raw: ReadonlyArray<string>, lower: string): boolean => {
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], lower)) return true
  return false
}

/** The first value of a header in raw header pairs. @internal */
export const headerValue = (raw: ReadonlyArray<string>, lower: string): string | undefined => {
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], lower)) return raw[i + 1]
  return undefined
}

/** Raw header pairs without a header. @internal */
export const withoutHeader = (raw: ReadonlyArray<string>, lower: string): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== lower) out.push(raw[i], raw[i + 1])
  return out
}

/** The size of a body in bytes (0: none), or undefined when unknown (a stream without a declared length). @internal */
export const bodySizeOf = (body: PreparedBody): number | undefined =>
  body._tag === "None" ? 0 : body._tag === "Bytes" ? body.bytes.length : body.length

/**
 * Validates a request head (method, target, authority, fields, body size)
 * before any I/O: its HTTP/1.1 encoding (`RequestHead.h1`, origin-form), or
 * why it is invalid. Checking an HTTP/1.1 head is one pass over its fields
 * that also encodes it, so the pass fills the request's HTTP/1.1 cache; the
 * request stays data, and a driver for another protocol or form encodes it
 * from the fields.
 *
 * @internal
 */
export const checkedHead = (
  method: string,
  target: string,
  authority: string,
  raw: ReadonlyArray<string>,
  bodySize: number | undefined
): string | InvalidRequest => checkAndEncodeHead(method, target, authority, raw, bodySize)

/** Resolves the body and the headers it implies (Content-Type defaults). */
const prepareBody = (
  body: Body | undefined,
  raw: Array<string>,
  openFile: OpenFile
): Either.Either<PreparedBody, InvalidRequest> => {
  if (body === undefined) return Either.right(noBody)
  const wrongType = checkBody(body)
  if (wrongType !== undefined) return Either.left(wrongType)
  if (typeof body === "string") {
    if (!hasHeader(raw, "content-type")) raw.push("Content-Type", "text/plain; charset=utf-8")
    return Either.right({ _tag: "Bytes", bytes: encoder.encode(body) })
  }
  if (body instanceof Uint8Array) {
    if (body.length > 0 && !hasHeader(raw, "content-type")) raw.push("Content-Type", "application/octet-stream")
    return Either.right({ _tag: "Bytes", bytes: body })
  }
  if (isStream(body)) {
    const declared = headerValue(raw, "content-length")
    if (declared !== undefined) {
      if (!/^\d+$/.test(declared.trim())) return invalid("header-value", `Content-Length ${JSON.stringify(declared)} is not a number`)
      return Either.right({ _tag: "Stream", stream: body, length: Number(declared.trim()), replayable: false })
    }
    return Either.right({ _tag: "Stream", stream: body, length: undefined, replayable: false })
  }
  if ("form" in body) {
    if (!hasHeader(raw, "content-type")) raw.push("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    return Either.right({ _tag: "Bytes", bytes: encoder.encode(QueryString.encode(body.form)) })
  }
  if ("multipart" in body) {
    // A caller's Content-Type keeps its type (multipart/related, …) and its boundary if it has one; else it gets ours.
    const type = headerValue(raw, "content-type")
    const given = type === undefined ? undefined : Option.getOrUndefined(Headers.parseContentType(type))?.params.boundary
    const mp = encodeBody(body.multipart, given === undefined ? undefined : { boundary: given }, openFile)
    if (mp instanceof InvalidRequest) return Either.left(mp)
    if (type === undefined) raw.push("Content-Type", mp.contentType)
    else if (given === undefined) {
      for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], "content-type")) raw[i + 1] = `${raw[i + 1]}; boundary=${mp.boundary}`
    }
    return Either.right({ _tag: "Stream", stream: mp.stream, length: mp.length, replayable: mp.replayable })
  }
  if ("file" in body) {
    const f = openFile(body.file)
    if (f instanceof Error) return invalid("body", `cannot read file ${JSON.stringify(body.file)}: ${f.message}`)
    if (!hasHeader(raw, "content-type")) raw.push("Content-Type", "application/octet-stream")
    return Either.right({ _tag: "Stream", stream: f.stream, length: f.size, replayable: true })
  }
  return Either.left(checkBody(undefined)!)
}

/**
 * Prepares a request: checks the method, the URL (see `requestUrl.ts`) and
 * the options (validated once per options object), then builds the head.
 * `openFile` is the L2 file opener (stat + stream).
 *
 * @internal
 */
export const prepare = (
  method: string,
  input: RequestUrl.Input,
  options: Options,
  openFile: OpenFile
): Either.Either<Prepared, InvalidRequest> => {
  const r = resolve(options)
  return r instanceof InvalidRequest ? Either.left(annotate(r, method, input)) : prepareResolved(method, input, r, openFile)
}

/** A file opener: stat + stream, or the error. @internal */
export type OpenFile = (path: string) => { stream: Stream.Stream<Uint8Array, unknown>; size: number } | Error

// For errors before the method or URL are known to be valid.
const requestMethod = (method: unknown): string | undefined => (typeof method === "string" ? method.toUpperCase() : undefined)
const urlText = (input: unknown): string | undefined => {
  const i = RequestUrl.inputOf(input)
  return i instanceof InvalidRequest ? undefined : typeof i === "string" ? i : Url.format(i)
}

/** `e` with the request's method and URL, as far as they are valid. @internal */
export const annotate = (e: InvalidRequest, method: unknown, input: unknown): InvalidRequest =>
  withRequest(e, requestMethod(method), urlText(input))

/** Fails a method that is not a string (from JavaScript callers). @internal */
export const checkMethod = (method: unknown, input: unknown): InvalidRequest | undefined =>
  typeof method === "string" ? undefined : new InvalidRequest({
    reason: "method",
    detail: `the method is ${describeValue(method)}; give a string such as "GET"`,
    url: urlText(input)
  })

/**
 * {@link prepare} with options already validated ({@link resolve}).
 *
 * @internal
 */
export const prepareResolved = (
  method: string,
  input: RequestUrl.Input,
  r: Resolved,
  openFile: OpenFile
): Either.Either<Prepared, InvalidRequest> => {
  const badMethod = checkMethod(method, input)
  if (badMethod !== undefined) return Either.left(badMethod)
  const m = method.toUpperCase()
  const i = typeof input === "string" ? input : RequestUrl.inputOf(input)
  if (i instanceof InvalidRequest) return Either.left(withRequest(i, m, undefined))
  const entry = typeof i === "string" ? cachedUrl(i) : RequestUrl.checkScheme(i) ?? urlEntry(i)
  const href = typeof i === "string" ? i : Url.format(i)
  if (entry instanceof InvalidRequest) return Either.left(withRequest(entry, m, href))
  const { host: hostHeader, target, url } = entry
  const options = r.options
  // The common case — no headers, no body, no credentials — reuses the head encoded for this URL and method,
  // and the request itself when it was made with the same options.
  if (options.headers === undefined && options.body === undefined && options.basicAuth === undefined && url.user === "") {
    const spec = entrySpec(entry, r)
    const last = entry.plain
    if (last !== undefined && entry.plainOptions === r && last.method === m && last.spec === spec) return entry.plainResult!
    let h1 = entry.heads.get(m)
    if (h1 === undefined) {
      const checked = checkedHead(m, target, hostHeader, defaultHeaders, 0)
      if (checked instanceof InvalidRequest) return Either.left(withRequest(checked, m, href))
      h1 = checked
      entry.heads.set(m, h1)
    }
    const p = finish(m, url, href, target, hostHeader, defaultHeaders, h1, noBody, r, spec)
    const result = Either.right(p)
    entry.plain = p
    entry.plainResult = result
    entry.plainOptions = r
    return result
  }
  let raw = options.headers === undefined ? [] : Headers.toRaw(Headers.fromInput(options.headers)).slice()
  // Credentials: URL userinfo wins over `basicAuth` (hackney); either replaces a caller Authorization.
  const auth = url.user !== "" ? [url.user, url.password] as const : options.basicAuth
  if (auth !== undefined) {
    raw = withoutHeader(raw, "authorization")
    raw.push("Authorization", basicAuthorization(auth[0], auth[1]))
  }
  if (!hasHeader(raw, "user-agent")) raw.push("User-Agent", userAgent)
  const body = prepareBody(options.body, raw, openFile)
  if (Either.isLeft(body)) return Either.left(withRequest(body.left, m, href))
  const b = body.right
  const h1 = checkedHead(m, target, hostHeader, raw, bodySizeOf(b))
  if (h1 instanceof InvalidRequest) return Either.left(withRequest(h1, m, href))
  return Either.right(finish(m, url, href, target, hostHeader, raw, h1, b, r, entrySpec(entry, r)))
}

const defaultHeaders: ReadonlyArray<string> = ["User-Agent", userAgent]

const finish = (
  m: string,
  url: Url.Url,
  href: string,
  target: string,
  authority: string,
  rawHeaders: ReadonlyArray<string>,
  h1: string,
  body: PreparedBody,
  r: Resolved,
  spec: DialSpec
): Prepared => {
  return {
    method: m,
    url,
    href,
    target,
    authority,
    rawHeaders,
    bodySize: bodySizeOf(body),
    h1,
    body,
    spec,
    maxBodySize: r.maxBodySize,
    recvTimeout: spec.recvTimeout,
    checkoutTimeout: r.checkoutTimeout,
    maxPerHost: r.maxPerHost,
    headLimits: r.headLimits,
    idempotent: idempotentMethods.has(m)
  }
}
