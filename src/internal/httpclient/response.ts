/**
 * The `HttpClientResponse` of the `HttpClient` layer. When the whole body
 * has already arrived with the head (small responses, HEAD, 204, 304) it is
 * taken into memory at once and the connection goes straight back to the
 * pool, so `text`/`json`/`arrayBuffer` cost no I/O and a later abort is a
 * no-op. Otherwise the response holds the connection through its
 * {@link Lease}: the body is read from the socket with backpressure, and the
 * connection is pooled when the body ends, destroyed when the request is
 * aborted before that.
 *
 * With `autoDecompress`, a body whose `Content-Encoding` this Node can undo
 * is decoded as it is read (the headers then have no `Content-Encoding` or
 * `Content-Length`), and `maxBodySize` bounds the decoded bytes.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as Error from "@effect/platform/HttpClientError"
import type * as ClientRequest from "@effect/platform/HttpClientRequest"
import * as ClientResponse from "@effect/platform/HttpClientResponse"
import * as Headers from "@effect/platform/Headers"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { BodyTooLarge } from "../../HackneyError.js"
import { concat, concatChunk } from "../client/execute.js"
import { emptyArray } from "../http1/young.js"
import { corruptBody, decode, decodingPlan, limitDecoded } from "../node/decompress.js"
import { decodeError } from "./error.js"
import type { Lease } from "./exchange.js"

const decoder = new TextDecoder()

/** The Location field lines of headers that had several (joined into one value there), by headers object. */
const repeatedLocations = new WeakMap<Headers.Headers, ReadonlyArray<string>>()

/**
 * Every Location field line behind `headers`, when {@link platformHeaders}
 * joined several (a singleton field whose repeats a redirect must see);
 * undefined otherwise. Keyed by the headers object, so it survives the
 * platform's response wrappers.
 *
 * @internal
 */
export const repeatedLocationFields = (headers: Headers.Headers): ReadonlyArray<string> | undefined =>
  repeatedLocations.get(headers)

/** The platform's `Headers` prototype (no `Object.prototype` under it): a record made on it is a `Headers`. */
const headersProto: object = Object.getPrototypeOf(Headers.empty)

// Lower-cased header names by the name as received. The parser interns common names, so a response's names are
// mostly the same strings each time: their lower-case forms are made once, not per response. Bounded.
const lowerNames = new Map<string, string>()
const lowerName = (name: string): string => {
  let lower = lowerNames.get(name)
  if (lower === undefined) {
    lower = name.toLowerCase()
    if (lowerNames.size >= 1024) lowerNames.clear()
    lowerNames.set(name, lower)
  }
  return lower
}

/**
 * Platform headers (lower-cased keys, repeated fields joined with ", ") from
 * raw pairs: a record made on the platform's `Headers` prototype (as
 * `Headers.unsafeFromRecord` gives, without changing a prototype after the
 * fact, which leaves a slow dictionary-mode object). @internal
 */
export const platformHeaders = (raw: ReadonlyArray<string>): Headers.Headers => {
  const out: Record<string, string> = Object.create(headersProto)
  let locations: Array<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const k = lowerName(raw[i])
    const prev = out[k]
    if (prev === undefined) out[k] = raw[i + 1]
    else {
      out[k] = `${prev}, ${raw[i + 1]}`
      if (k === "location") (locations ??= [prev]).push(raw[i + 1])
    }
  }
  const headers = out as Headers.Headers
  if (locations !== undefined) repeatedLocations.set(headers, locations)
  return headers
}

/** The bytes as an `ArrayBuffer` of their own. */
const toArrayBuffer = (b: Uint8Array): ArrayBuffer => {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer
  // A view on a larger (socket) buffer: copy. Not `b.slice()`: on a Node Buffer that is a view too.
  const copy = new Uint8Array(b.byteLength)
  copy.set(b)
  return copy.buffer
}

/** Buffered body chunks; after release the connection may serve another exchange, so leave its socket alone. */
const takeChunks = (lease: Lease): Array<Uint8Array> => {
  const ex = lease.ex
  if (!lease.released) return ex.takeChunks()
  const out = ex.chunks
  ex.chunks = emptyArray()
  ex.buffered = 0
  return out
}

/** A body to decode (autoDecompress): the codings to undo, in order, and the limit on the decoded size. */
interface Decoding {
  readonly plan: ReadonlyArray<string>
  readonly limit: number
}

/** @internal */
export class HackneyClientResponse extends Inspectable.Class implements ClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId
  readonly [ClientResponse.TypeId]: ClientResponse.TypeId
  readonly status: number
  /** The reason phrase of the status line (HTTP/2: ""). */
  readonly reason: string
  /** The peer's address when the response came (read from the connection; an `Option` only when asked). */
  private readonly address: string | undefined
  /** The whole body, once it is in memory. */
  private body: Uint8Array | undefined = undefined
  private readonly rawHeaders: ReadonlyArray<string>
  private cachedHeaders: Headers.Headers | undefined = undefined
  private cachedCookies: Cookies.Cookies | undefined = undefined
  private bytesEffect: Effect.Effect<Uint8Array, Error.ResponseError> | undefined = undefined
  private textEffect: Effect.Effect<string, Error.ResponseError> | undefined = undefined
  private textValue: string | undefined = undefined
  private formDataEffect: Effect.Effect<FormData, Error.ResponseError> | undefined = undefined
  private decoding: Decoding | undefined = undefined
  /** The whole decoded body, once read. */
  private decoded: Uint8Array | undefined = undefined

  /**
   * The connection while the body is still to be read; undefined once the
   * whole body is in memory and the connection given back. The response then
   * holds nothing of the exchange: the platform keeps each response in a
   * `FinalizationRegistry` (aborting its request when it is collected), whose
   * targets young-generation collections keep, so everything a response
   * holds is promoted with it.
   */
  private lease: Lease | undefined
  /** The request's method and URL, for errors. */
  private readonly method: string
  private readonly url: string

  /** `decodeLimit`: decode the body (autoDecompress), at most that many decoded bytes; undefined: as sent. */
  constructor(
    readonly request: ClientRequest.HttpClientRequest,
    lease: Lease,
    signal: AbortSignal,
    decodeLimit?: number
  ) {
    super()
    this[IncomingMessage.TypeId] = IncomingMessage.TypeId
    this[ClientResponse.TypeId] = ClientResponse.TypeId
    this.lease = lease
    const ex = lease.ex
    this.method = ex.method
    this.url = ex.url
    const head = ex.head!
    this.status = head.status
    this.reason = head.reason
    this.rawHeaders = head.rawHeaders
    this.address = lease.conn.info.remoteAddress
    if (decodeLimit !== undefined) {
      const headers = platformHeaders(head.rawHeaders)
      const plan = decodingPlan(headers["content-encoding"])
      if (plan !== undefined && plan.length > 0) {
        this.decoding = { plan, limit: decodeLimit }
        this.cachedHeaders = Headers.remove(headers, ["content-encoding", "content-length"])
      } else {
        this.cachedHeaders = headers
      }
    }
    if (ex.complete) {
      const total = ex.buffered
      this.body = concat(ex.takeChunks(), total)
      lease.release()
      this.lease = undefined
    } else {
      lease.watch(signal)
    }
  }

  get remoteAddress(): Option.Option<string> {
    return this.address === undefined ? Option.none() : Option.some(this.address)
  }

  /** Gives the connection back now (destroyed unless the body was read to its end). Idempotent. */
  discard(): void {
    this.lease?.release()
  }

  /** The header field lines as received, name and value alternating. */
  get rawHeaderLines(): ReadonlyArray<string> {
    return this.rawHeaders
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= platformHeaders(this.rawHeaders)
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const values = this.setCookieLines
    return this.cachedCookies = values.length === 0 ? Cookies.empty : Cookies.fromSetCookie(values)
  }

  /** Every `Set-Cookie` field line as sent (the platform's `headers` join them with ", ", which dates contain). */
  get setCookieLines(): ReadonlyArray<string> {
    const values: Array<string> = []
    const raw = this.rawHeaders
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === 10 && raw[i].toLowerCase() === "set-cookie") values.push(raw[i + 1])
    }
    return values
  }

  private decodeError(cause: unknown, what?: string): Error.ResponseError {
    return decodeError(this.request, this, cause, what)
  }

  private tooLarge(limit: number): Error.ResponseError {
    return this.decodeError(new BodyTooLarge({ method: this.method, url: this.url, limit, direction: "response" }))
  }

  /** Reads the rest of the body from the socket, failing past `limit` bytes. */
  private readAll(limit: number): Effect.Effect<Uint8Array, Error.ResponseError> {
    // Not in memory yet: the lease is held.
    const lease = this.lease!
    const ex = lease.ex
    return Effect.suspend(() => {
      const chunks: Array<Uint8Array> = []
      let total = 0
      // Runs in the socket callback on every chunk: drains the buffer (so the socket never pauses) and checks the limit.
      const ready = (): boolean => {
        if (ex.buffered > 0) {
          total += ex.buffered
          for (const c of takeChunks(lease)) chunks.push(c)
        }
        return ex.complete || total > limit
      }
      return Effect.matchEffect(ex.waitFor(ready), {
        onFailure: (e) => {
          lease.release()
          return Effect.fail(this.decodeError(e))
        },
        onSuccess: () => {
          if (total > limit) {
            lease.release()
            return Effect.fail(this.tooLarge(limit))
          }
          const body = concat(chunks, total)
          this.body = body
          lease.release()
          return Effect.succeed(body)
        }
      })
    }).pipe(Effect.onInterrupt(() => Effect.sync(() => lease.release())))
  }

  /** The body decoded as it streams, failing past `limit` decoded bytes. */
  private decodedStream(d: Decoding, limit: number): Stream.Stream<Uint8Array, Error.ResponseError> {
    const { method, url } = this
    return Stream.mapError(
      limitDecoded(decode(this.rawStream, d.plan, (f) => corruptBody(f, method, url)), limit, method, url),
      (e) => (e._tag === "ResponseError" ? e : this.decodeError(e))
    )
  }

  /** The whole decoded body (memoised), honouring `HttpIncomingMessage.MaxBodySize` too. */
  private decodedBytes(d: Decoding, limit: number): Effect.Effect<Uint8Array, Error.ResponseError> {
    const decoded = this.decoded
    if (decoded !== undefined) {
      return decoded.length > limit ? Effect.fail(this.tooLarge(limit)) : Effect.succeed(decoded)
    }
    return this.bytesEffect ??= Effect.runSync(Effect.cached(
      Effect.map(Stream.runCollect(this.decodedStream(d, Math.min(limit, d.limit))), (chunks) => this.decoded = concatChunk(chunks))
    ))
  }

  /**
   * The whole body as `f` makes it, honouring `HttpIncomingMessage.MaxBodySize`
   * (read from the fiber's context): one step when the body is in memory.
   */
  private whole<A>(f: (body: Uint8Array) => A): Effect.Effect<A, Error.ResponseError> {
    return Effect.withFiberRuntime((fiber) => {
      const max = Context.get(fiber.currentContext, IncomingMessage.MaxBodySize)
      const limit = Option.isSome(max) ? Number(max.value) : Infinity
      if (this.decoding !== undefined) return Effect.map(this.decodedBytes(this.decoding, limit), f)
      const body = this.body
      if (body !== undefined) {
        return body.length > limit ? Effect.fail(this.tooLarge(limit)) : Effect.succeed(f(body))
      }
      return Effect.map(this.bytesEffect ??= Effect.runSync(Effect.cached(this.readAll(limit))), f)
    })
  }

  get text(): Effect.Effect<string, Error.ResponseError> {
    // The body is memoised (and kept), so decoding once is all `text` needs to remember.
    return this.textEffect ??= this.whole((b) => this.textValue ??= decoder.decode(b))
  }

  get json(): Effect.Effect<unknown, Error.ResponseError> {
    return Effect.flatMap(this.text, (text) => {
      if (text === "") return Effect.succeed(null)
      try {
        return Effect.succeed(JSON.parse(text) as unknown)
      } catch (cause) {
        return Effect.fail(this.decodeError(cause, "JSON"))
      }
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, Error.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause, "URL-encoded parameters")
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, Error.ResponseError> {
    return this.whole(toArrayBuffer)
  }

  get formData(): Effect.Effect<FormData, Error.ResponseError> {
    return this.formDataEffect ??= Effect.runSync(Effect.cached(Effect.flatMap(this.whole(identity), (b) =>
      Effect.tryPromise({
        try: () =>
          new Response(b as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": this.headers["content-type"] ?? "" }
          }).formData() as Promise<FormData>,
        catch: (cause) => this.decodeError(cause, "multipart/form-data")
      }))))
  }

  get stream(): Stream.Stream<Uint8Array, Error.ResponseError> {
    const d = this.decoding
    if (d === undefined) return this.rawStream
    const decoded = this.decoded
    if (decoded !== undefined) return decoded.length === 0 ? Stream.empty : Stream.succeed(decoded)
    return this.decodedStream(d, d.limit)
  }

  /** The body as sent, pulled from the socket (or from memory when it came with the head). */
  private get rawStream(): Stream.Stream<Uint8Array, Error.ResponseError> {
    const body = this.body
    if (body !== undefined) return body.length === 0 ? Stream.empty : Stream.succeed(body)
    // Not in memory: the lease is held.
    const lease = this.lease!
    const ex = lease.ex
    const pull = Effect.matchEffect(ex.waitFor(ex.hasData), {
      onFailure: (e) => Effect.fail(Option.some(this.decodeError(e))),
      onSuccess: () => {
        if (ex.buffered > 0) return Effect.succeed(Chunk.unsafeFromArray(takeChunks(lease)))
        // The body ended: the connection goes back to the pool now, before the platform's abort.
        lease.release()
        return Effect.fail(Option.none())
      }
    })
    return Stream.ensuring(Stream.repeatEffectChunkOption(pull), Effect.sync(() => lease.release()))
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/**
 * The engine's response behind `response`: itself, or the one the platform
 * wraps (`HttpClient.make` hands out every response not scoped by
 * `HttpClient.withScope` in an interruptible wrapper that holds it as
 * `original`); undefined for another client's response.
 *
 * @internal
 */
export const engineResponse = (response: ClientResponse.HttpClientResponse): HackneyClientResponse | undefined => {
  if (response instanceof HackneyClientResponse) return response
  const original = (response as { readonly original?: unknown }).original
  return original instanceof HackneyClientResponse ? original : undefined
}
