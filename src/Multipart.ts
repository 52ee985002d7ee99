/**
 * Multipart bodies (hackney's `hackney_multipart`): a streaming encoder for
 * every hackney part form, and a streaming decoder.
 *
 * - {@link encode} turns parts — fields, files streamed from disk, caller
 *   streams, nested `multipart/mixed` — into a body `Stream` with its
 *   content type and, when every size is known, its exact length (so the
 *   request goes out with `Content-Length`, as hackney's `len_mp_stream`).
 *   `Hackney` bodies accept `{ multipart: parts }` directly; the
 *   `HackneyHttpClient` layer encodes `FormData` bodies with the same encoder.
 * - {@link decode} turns a body `Stream` into a `Stream` of parts, each with
 *   its headers, names and body as a `Stream`, in bounded memory;
 *   {@link decodeAll} collects them; `StreamingResponse.multipart` decodes
 *   a response (hackney's `stream_multipart`).
 *
 * The state machines are pure (`internal/multipart`, no I/O); this module
 * is their Effect glue, which reads files (so it sits with the IO layer).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney } from "effect-hackney"
 *
 * const upload = Hackney.post("http://127.0.0.1:8080/upload", {
 *   body: { multipart: [{ name: "title", value: "holiday" }, { name: "photo", file: "./photo.jpg" }] }
 * }).pipe(Effect.provide(Hackney.layer))
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { InvalidRequest, MultipartError } from "./HackneyError.js"
import type * as Headers from "./Headers.js"
import type * as Decoder from "./internal/multipart/decoder.js"
import * as Encode from "./internal/multipart/encode.js"
import * as decoding from "./internal/node/multipartDecode.js"
import * as encoding from "./internal/node/multipartBody.js"

/**
 * A custom `Content-Disposition` (hackney's `{Disposition, Params}`): its
 * type (default `form-data`; `attachment` inside a nested part) and
 * parameters added after `name` and `filename` (one of the same name
 * replaces theirs). Values are quoted, with `"`, CR and LF percent-encoded.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const d: Multipart.Disposition = { type: "form-data", params: { "x-origin": "scanner" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Disposition {
  readonly type?: string | undefined
  readonly params?: Readonly<Record<string, string>> | undefined
}

/**
 * What every part form has: the field `name` (RFC 7578 §4.2: `"`, CR and
 * LF percent-encoded as browsers do, non-ASCII sent as UTF-8), an optional
 * `contentType`, extra `headers` (a `Content-Type` or `Content-Disposition`
 * among them replaces the generated one; CR, LF or NUL in a value fails with
 * `InvalidRequest`), and an optional custom {@link Disposition}.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const part: Multipart.Part = { name: "note", value: "hi", headers: { "x-id": "7" } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PartCommon {
  readonly name: string
  readonly contentType?: string | undefined
  readonly headers?: Headers.Input | undefined
  readonly disposition?: Disposition | undefined
}

/**
 * A field: text (sent as UTF-8) or bytes (sent as they are, never copied);
 * no `Content-Type` unless given. hackney's `{Name, Bin}`.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const f: Multipart.Field = { name: "title", value: "holiday" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Field extends PartCommon {
  readonly value: string | Uint8Array
}

/**
 * A file streamed from disk in 64 KiB reads: its size from `stat` (a
 * missing or unreadable file fails with `InvalidRequest` before anything is
 * sent), `filename` defaulting to the path's last segment, and
 * `contentType` guessed from the file name with the `mime-types` database
 * (default `application/octet-stream`). hackney's `{file, Path}`.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const f: Multipart.File = { name: "photo", file: "./photo.jpg", filename: "me.jpg" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface File extends PartCommon {
  readonly file: string
  readonly filename?: string | undefined
}

/**
 * A part whose bytes come from a `Stream`, pulled as the request is sent.
 * With `size`, the body length stays exact (and the stream is checked to
 * give that many bytes); without, the body is sent chunked. `contentType`
 * is guessed from `filename` when given, else `application/octet-stream`.
 * hackney's `{Name, Stream-fun, Len}` data parts.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import type { Multipart } from "effect-hackney"
 *
 * const s: Multipart.StreamPart = { name: "log", stream: Stream.make(new Uint8Array([1, 2])), size: 2, filename: "a.log" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPart extends PartCommon {
  readonly stream: Stream.Stream<Uint8Array, unknown>
  readonly size?: number | undefined
  readonly filename?: string | undefined
}

/**
 * Several parts under one field name, encoded as a `multipart/mixed` body
 * inside the form (RFC 2046 / RFC 2388, hackney's `mp_mixed` …
 * `mp_mixed_eof`); its parts default to the `attachment` disposition.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const n: Multipart.Nested = { name: "files", parts: [{ name: "a", file: "./a.txt" }, { name: "b", file: "./b.txt" }] }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Nested extends PartCommon {
  readonly parts: ReadonlyArray<Part>
}

/**
 * A part to encode: a {@link Field}, a {@link File}, a {@link StreamPart}
 * or a {@link Nested} body.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const parts: ReadonlyArray<Multipart.Part> = [{ name: "a", value: "1" }, { name: "f", file: "./f.bin" }]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Part = Field | File | StreamPart | Nested

/**
 * Options of {@link encode}.
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const o: Multipart.EncodeOptions = { boundary: "my-boundary", subtype: "mixed" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface EncodeOptions {
  /**
   * A fixed boundary: 1 to 70 RFC 2046 characters (letters, digits,
   * `'()+_,-./:=?`, inner spaces). Default: a random one in hackney's format
   * (27 dashes and 16 letters, from `crypto.getRandomValues`), drawn again
   * if it occurs in a field's content. A fixed boundary found in a field
   * fails with `InvalidRequest`.
   */
  readonly boundary?: string | undefined
  /** The subtype of the body's media type. Default `form-data`. */
  readonly subtype?: string | undefined
}

/**
 * An encoded body: the boundary, the `Content-Type` value, the exact length
 * when every part's size is known (else `undefined`: send it chunked), and
 * the bytes as a `Stream` that reads the files and streams as it is pulled.
 * A file that fails to read mid-way fails the stream with its error.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Multipart } from "effect-hackney"
 *
 * const program = Effect.map(Multipart.encode([{ name: "a", value: "1" }]), (e) => e.contentLength)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Encoded {
  readonly boundary: string
  readonly contentType: string
  readonly contentLength: number | undefined
  readonly body: Stream.Stream<Uint8Array, unknown>
}

/**
 * Encodes parts as a multipart body (`multipart/form-data` unless
 * `subtype` says otherwise). Files are `stat`ed here (their bytes are read
 * as the body is pulled); invalid parts, header values with CR or LF, and
 * unreadable files fail with `InvalidRequest`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Multipart } from "effect-hackney"
 *
 * const program = Effect.gen(function* () {
 *   const enc = yield* Multipart.encode([{ name: "greeting", value: "hello" }], { boundary: "XYZ" })
 *   const chunks = yield* Stream.runCollect(enc.body)
 *   return [enc.contentType, enc.contentLength, chunks] as const
 * })
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (parts: ReadonlyArray<Part>, options?: EncodeOptions) => Effect.Effect<Encoded, InvalidRequest> =
  encoding.encodeEffect

/**
 * A new random boundary in hackney's format: 27 dashes and 16 letters in
 * `b..z`, from the platform's CSPRNG.
 *
 * @example
 * ```ts
 * import { Multipart } from "effect-hackney"
 *
 * console.log(Multipart.boundary().length) // 43
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const boundary = (): string => Encode.boundary()

/**
 * Decoding limits; going over one fails the decoding with `MultipartError`.
 *
 * - `maxHeaderSize`: bytes of one part's header section (default 16 KiB);
 * - `maxHeaders`: header fields of one part (default 64);
 * - `maxParts`: parts in the body (default 1000);
 * - `maxTotalSize`: bytes of the whole body (default: no limit for
 *   {@link decode}, which streams; 64 MiB for {@link decodeAll}, which holds
 *   the bodies in memory).
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const limits: Multipart.Limits = { maxParts: 10, maxTotalSize: 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Limits = Partial<Decoder.Limits>

/**
 * A decoded part: its `headers`, its field `name` and `filename` (from
 * `Content-Disposition`; `filename*` of RFC 5987 preferred), its
 * `contentType` (`undefined` when absent: RFC 7578 reads it as
 * `text/plain`), and its `body`, read from the input as it is pulled. Read
 * the body before pulling the next part (pulling it skips the rest); a body
 * read again, or after the next part was pulled, fails with
 * `MultipartError` (`body-unavailable`). A nested `multipart/*` body
 * decodes the same way: `Multipart.decode(part.contentType!)(part.body)`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { Multipart } from "effect-hackney"
 *
 * const size = <E>(part: Multipart.DecodedPart<E>) => Stream.runFold(part.body, 0, (n, b) => n + b.length)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodedPart<E = never> {
  readonly headers: Headers.Headers
  readonly name: string | undefined
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly body: Stream.Stream<Uint8Array, E | MultipartError>
}

/**
 * A decoded part with its body as bytes ({@link decodeAll}).
 *
 * @example
 * ```ts
 * import type { Multipart } from "effect-hackney"
 *
 * const text = (part: Multipart.CollectedPart) => new TextDecoder().decode(part.bytes)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CollectedPart {
  readonly headers: Headers.Headers
  readonly name: string | undefined
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly bytes: Uint8Array
}

/**
 * Decodes a multipart body (RFC 2046) given its `Content-Type` (which
 * carries the boundary): a `Stream` of parts, in bounded memory (body bytes
 * are views into the input chunks). The preamble and the epilogue are
 * skipped; a boundary split across chunks is found. Malformed input (no
 * boundary parameter, a boundary over 70 characters, a header line without
 * a colon, no closing boundary line) and limits fail with `MultipartError`;
 * a limit that is not a positive number with `InvalidRequest`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Multipart } from "effect-hackney"
 *
 * const body = new TextEncoder().encode("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n")
 * const names = Stream.succeed(body).pipe(
 *   Multipart.decode("multipart/form-data; boundary=B"),
 *   Stream.mapEffect((part) => Effect.as(Stream.runDrain(part.body), part.name)),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (
  contentType: string,
  limits?: Limits
) => <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<DecodedPart<E>, E | MultipartError | InvalidRequest, R> =
  decoding.decode

/**
 * Decodes a whole multipart body into parts with their bodies as bytes
 * (hackney's `decode_form`), the total bounded by `maxTotalSize` (default
 * 64 MiB).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Multipart } from "effect-hackney"
 *
 * const body = new TextEncoder().encode("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n")
 * const parts = Multipart.decodeAll("multipart/form-data; boundary=B")(Stream.succeed(body))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeAll: (
  contentType: string,
  limits?: Limits
) => <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Effect.Effect<Array<CollectedPart>, E | MultipartError | InvalidRequest, R> =
  decoding.decodeAll
