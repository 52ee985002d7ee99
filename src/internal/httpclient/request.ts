/**
 * From an `@effect/platform` `HttpClientRequest` (and the `URL` that
 * `HttpClient.make` built from it) to what the engine sends: the request
 * head as data (validated; the driver encodes it), the body in a sendable
 * form, and the dial spec.
 *
 * This is the hot path of every request through the `HttpClient` layer, so
 * it avoids the generic `prepare`: the WHATWG `URL` is already parsed and
 * percent-encoded, the origin part (pool key, Host header) is parsed once per
 * origin and cached, and the platform's lower-cased header record is copied
 * straight into the raw header array.
 *
 * @internal
 */
import type * as Body from "@effect/platform/HttpBody"
import type * as ClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { Options } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import * as Url from "../../Url.js"
import { resolve } from "../client/options.js"
import type { Resolved } from "../client/options.js"
import type { RequestLimits } from "../connection/headLimits.js"
import { emptyArray } from "../http1/young.js"
import type { DialSpec } from "../pool/dialSpec.js"
import {
  basicAuthorization,
  bodySizeOf,
  checkedHead,
  dialSpec,
  hasHeader,
  headerValue,
  idempotentMethods,
  withoutHeader
} from "../client/prepare.js"
import type { Outgoing, PreparedBody } from "../client/prepare.js"
import { requestSchemes } from "../client/requestUrl.js"
import { userAgent } from "../client/version.js"
import { blobStream, encodeBody, formDataParts } from "../node/multipartBody.js"
import { acceptEncoding } from "../node/decompress.js"

/**
 * An outgoing request of the `HttpClient` layer: a class, not an object
 * literal, like its header list (see `http1/young.ts`: V8 pretenures the
 * objects of a literal, which then keep their young fields alive).
 */
class OutgoingRequest implements Outgoing {
  readonly recvTimeout: number
  readonly checkoutTimeout: number | undefined
  readonly maxPerHost: number | undefined
  readonly headLimits: RequestLimits | undefined
  readonly idempotent: boolean
  constructor(
    readonly method: string,
    readonly href: string,
    readonly target: string,
    readonly authority: string,
    readonly rawHeaders: ReadonlyArray<string>,
    readonly bodySize: number | undefined,
    public h1: string | undefined,
    readonly body: PreparedBody,
    readonly spec: DialSpec,
    readonly maxBodySize: number,
    resolved: Resolved
  ) {
    this.recvTimeout = spec.recvTimeout
    this.checkoutTimeout = resolved.checkoutTimeout
    this.maxPerHost = resolved.maxPerHost
    this.headLimits = resolved.headLimits
    this.idempotent = idempotentMethods.has(method)
  }
}

/** Why a request could not be built (`error.requestError` makes it an `InvalidUrl` or `Encode` RequestError). @internal */
export interface BuildError {
  readonly cause: InvalidRequest
}

const encoder = new TextEncoder()

interface OriginInfo {
  readonly url: Url.Url
  readonly host: string
}

// WHATWG origins → parsed Url and Host header. Bounded: cleared when it grows past the cap.
const origins = new Map<string, OriginInfo>()
const ORIGIN_CACHE_MAX = 1024

const originOf = (url: URL): OriginInfo | InvalidRequest => {
  const key = url.origin
  let info = origins.get(key)
  if (info !== undefined) return info
  // Only http and https: a ws:/wss: URL has an origin too, but is not HTTP; http+unix has no WHATWG origin ("null").
  const scheme = url.protocol.slice(0, -1)
  if (key === "null" || !requestSchemes.has(scheme)) {
    return new InvalidRequest({ reason: "scheme", detail: `the scheme "${scheme}" cannot be requested; use an http or https URL` })
  }
  const parsed = Url.parse(key)
  if (Either.isLeft(parsed)) return parsed.left
  info = { url: parsed.right, host: Url.hostHeader(parsed.right) }
  if (origins.size >= ORIGIN_CACHE_MAX) origins.clear()
  origins.set(key, info)
  return info
}

/**
 * What a request needs of its WHATWG `URL`, by the URL's `href` (stored in the
 * `URL`: reading it allocates nothing, unlike `origin`, `pathname`, `search`,
 * `hash` and `username`): its origin, target, text without the fragment and
 * credentials; and the last request built for it without a body, by method,
 * headers object and options (a request sent again, when the platform gives
 * it the same headers object: with its tracer off). Bounded: cleared when it
 * grows past the cap.
 */
interface UrlInfo {
  readonly origin: OriginInfo
  readonly target: string
  /** The URL without its fragment. */
  readonly href: string
  /** URL userinfo, decoded; undefined: none. */
  readonly auth: readonly [string, string] | undefined
  last: Outgoing | undefined
  lastHeaders: unknown
  lastOptions: Options | undefined
}

const urls = new Map<string, UrlInfo>()
const URL_CACHE_MAX = 1024

const urlInfoOf = (url: URL): UrlInfo | InvalidRequest => {
  const key = url.href
  const hit = urls.get(key)
  if (hit !== undefined) return hit
  const origin = originOf(url)
  if (origin instanceof InvalidRequest) return origin
  const info: UrlInfo = {
    origin,
    target: url.search === "" ? url.pathname : url.pathname + url.search,
    href: url.hash === "" ? key : key.slice(0, key.length - url.hash.length),
    auth: url.username !== "" ? [safeDecode(url.username), safeDecode(url.password)] : undefined,
    last: undefined,
    lastHeaders: undefined,
    lastOptions: undefined
  }
  if (urls.size >= URL_CACHE_MAX) urls.clear()
  urls.set(key, info)
  return info
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

const encodeError = (detail: string, cause?: unknown): BuildError => ({
  cause: new InvalidRequest({ reason: "body", detail, cause })
})

const isReadableStream = (u: unknown): u is ReadableStream<Uint8Array> =>
  typeof ReadableStream !== "undefined" && u instanceof ReadableStream

const isAsyncIterable = (u: unknown): u is AsyncIterable<Uint8Array | string> =>
  typeof u === "object" && u !== null && Symbol.asyncIterator in u

const toBytes = (chunk: unknown): Uint8Array =>
  chunk instanceof Uint8Array
    ? chunk
    : typeof chunk === "string"
    ? encoder.encode(chunk)
    : ArrayBuffer.isView(chunk)
    ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : new Uint8Array(chunk as ArrayBuffer)

/** A streamed request body; never replayed (a stale connection is not retried, a 307/308 fails). */
const streamBody = (stream: Stream.Stream<Uint8Array, unknown>, length: number | undefined): PreparedBody => ({
  _tag: "Stream",
  stream,
  length,
  replayable: false
})

const noBody: PreparedBody = { _tag: "None" }

/** `Body.Raw`: bytes, text, a Blob, a web ReadableStream or a Node Readable / async iterable. */
const rawBody = (raw: unknown): PreparedBody | BuildError => {
  if (raw === undefined || raw === null) return noBody
  if (raw instanceof Uint8Array) return { _tag: "Bytes", bytes: raw }
  if (typeof raw === "string") return { _tag: "Bytes", bytes: encoder.encode(raw) }
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return { _tag: "Bytes", bytes: toBytes(raw) }
  if (typeof Blob !== "undefined" && raw instanceof Blob) return streamBody(blobStream(raw), raw.size)
  if (isReadableStream(raw)) return streamBody(Stream.map(Stream.fromReadableStream(() => raw, (e) => e), toBytes), undefined)
  if (isAsyncIterable(raw)) return streamBody(Stream.map(Stream.fromAsyncIterable(raw, (e) => e), toBytes), undefined)
  return encodeError(
    `unsupported Raw body (${Object.prototype.toString.call(raw)}): give bytes, a string, a Blob, a ReadableStream or an async iterable`
  )
}

const declaredLength = (body: Body.Stream, raw: ReadonlyArray<string>): number | undefined | BuildError => {
  if (body.contentLength !== undefined) return body.contentLength
  const declared = headerValue(raw, "content-length")
  if (declared === undefined) return undefined
  const t = declared.trim()
  if (!/^\d+$/.test(t)) return encodeError(`Content-Length ${JSON.stringify(declared)} is not a number`)
  return Number(t)
}

/** Request headers: the options' first, then the request's (which win), as raw pairs. */
const rawHeaders = (request: ClientRequest.HttpClientRequest, options: Options): Array<string> => {
  const h = request.headers
  if (options.headers === undefined) {
    const raw: Array<string> = emptyArray()
    for (const k in h) raw.push(k, h[k])
    return raw
  }
  const raw: Array<string> = emptyArray()
  const base = Headers.toRaw(Headers.fromInput(options.headers))
  for (let i = 0; i < base.length; i += 2) {
    const lower = base[i].toLowerCase()
    if (!(lower in h)) raw.push(base[i], base[i + 1])
  }
  for (const k in h) raw.push(k, h[k])
  return raw
}

/**
 * Builds the outgoing request. The fragment never goes on the wire; URL
 * userinfo becomes `Authorization: Basic` (over `basicAuth`).
 *
 * @internal
 */
export const build = (
  request: ClientRequest.HttpClientRequest,
  url: URL,
  options: Options
): Outgoing | BuildError => {
  const info = urlInfoOf(url)
  if (info instanceof InvalidRequest) return { cause: info }
  const method = request.method
  const b = request.body
  const last = info.last
  // The same request again (no body; the same method, headers object and options): the same outgoing request.
  if (
    last !== undefined && b._tag === "Empty" && last.method === method && info.lastHeaders === request.headers &&
    info.lastOptions === options
  ) return last
  const { href, origin, target } = info
  const resolved = resolve(options)
  if (resolved instanceof InvalidRequest) {
    return { cause: new InvalidRequest({ reason: resolved.reason, detail: resolved.detail, method, url: href }) }
  }
  let raw = rawHeaders(request, options)
  const auth = info.auth ?? options.basicAuth
  if (auth !== undefined) {
    raw = withoutHeader(raw, "authorization")
    raw.push("authorization", basicAuthorization(auth[0], auth[1]))
  }
  if (!hasHeader(raw, "user-agent")) raw.push("user-agent", userAgent)
  const decompress = options.autoDecompress === true
  if (decompress && !hasHeader(raw, "accept-encoding")) raw.push("accept-encoding", acceptEncoding)
  let body: PreparedBody
  switch (b._tag) {
    case "Empty":
      body = noBody
      break
    case "Uint8Array":
      body = { _tag: "Bytes", bytes: b.body }
      break
    case "Raw": {
      const r = rawBody(b.body)
      if ("cause" in r) return r
      body = r
      break
    }
    case "Stream": {
      const length = declaredLength(b, raw)
      if (typeof length === "object") return length
      body = streamBody(b.stream, length)
      break
    }
    case "FormData": {
      // The one multipart encoder (Multipart.encode, Hackney's { multipart } bodies) with FormData's WHATWG rules.
      const form = encodeBody(formDataParts(b.formData))
      if (form instanceof InvalidRequest) return { cause: new InvalidRequest({ reason: form.reason, detail: form.detail, method, url: href }) }
      raw.push("content-type", form.contentType)
      body = streamBody(form.stream, form.length)
      break
    }
  }
  const bodySize = bodySizeOf(body)
  const h1 = checkedHead(method, target, origin.host, raw, bodySize)
  if (h1 instanceof InvalidRequest) {
    return {
      cause: new InvalidRequest({ reason: h1.reason, detail: h1.detail, method, url: href, cause: h1.cause })
    }
  }
  const spec = dialSpec(origin.url, resolved)
  // Decoding: the limit applies to the decoded body (the response enforces it), not to the raw bytes.
  const out = new OutgoingRequest(method, href, target, origin.host, raw, bodySize, h1, body, spec, decompress ? Infinity : resolved.maxBodySize, resolved)
  if (b._tag === "Empty") {
    info.last = out
    info.lastHeaders = request.headers
    info.lastOptions = options
  }
  return out
}
