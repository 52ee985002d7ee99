/**
 * Multipart request bodies (L2): the pure encoder's segments
 * (`internal/multipart/encode.ts`) as one Effect `Stream` — framing bytes as
 * they are, files read from disk in bounded chunks (`file.ts`), caller
 * streams and Blobs pulled as the socket takes them — with the content
 * types of file names from the `mime-types` database. A stream part that
 * declared a size is checked to give exactly that many bytes.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as mime from "mime-types"
import { InvalidRequest } from "../../HackneyError.js"
import * as Encode from "../multipart/encode.js"
import { openFile } from "./file.js"

type Bytes = Stream.Stream<Uint8Array, unknown>

/** The encoder's environment on Node: `stat` + streamed reads, the MIME database. @internal */
export const env: Encode.Env<Bytes> = {
  openFile,
  typeOf: (filename) => {
    const t = mime.lookup(filename)
    return t === false ? undefined : t
  }
}

const sizeChecked = (source: Encode.Source<Bytes>): Bytes => {
  const declared = source.size
  if (declared === undefined) return source.stream
  return Stream.suspend(() => {
    let n = 0
    return Stream.concat(
      Stream.map(source.stream, (b) => {
        n += b.length
        return b
      }),
      Stream.suspend(() =>
        n === declared ? Stream.empty : Stream.fail(
          new InvalidRequest({
            reason: "body",
            detail: `the multipart part "${Encode.escapeName(source.name)}" gave ${n} bytes where its size said ${declared}`,
            requestSent: true
          })
        )
      )
    )
  })
}

/** The body Stream of encoded segments. @internal */
export const bodyStream = (segments: ReadonlyArray<Encode.Segment<Bytes>>): Bytes =>
  segments.length === 1 && segments[0] instanceof Uint8Array
    ? Stream.succeed(segments[0])
    : Stream.flatMap(Stream.fromIterable(segments), (s) => (s instanceof Uint8Array ? Stream.succeed(s) : sizeChecked(s)))

/** A Blob's bytes as a Stream, read as they are sent (never buffered whole). @internal */
export const blobStream = (blob: Blob): Bytes =>
  Stream.fromReadableStream(() => blob.stream() as ReadableStream<Uint8Array>, (e) => e)

/** Encodes parts for a request body: the content type, the exact length when known, the Stream. @internal */
export const encodeBody = (
  parts: ReadonlyArray<Encode.Part<Bytes>>,
  options?: Encode.Options,
  open: Encode.Env<Bytes>["openFile"] = openFile
): { contentType: string; boundary: string; length: number | undefined; stream: Bytes; replayable: boolean } | InvalidRequest => {
  const enc = Encode.encode(parts, open === openFile ? env : { ...env, openFile: open }, options)
  if (enc instanceof InvalidRequest) return enc
  return { contentType: enc.contentType, boundary: enc.boundary, length: enc.length, stream: bodyStream(enc.segments), replayable: enc.replayable }
}

/** `Multipart.encode`: files are stat'ed when the Effect runs. @internal */
export const encodeEffect = (
  parts: ReadonlyArray<Encode.Part<Bytes>>,
  options?: Encode.Options
): Effect.Effect<{ boundary: string; contentType: string; contentLength: number | undefined; body: Bytes }, InvalidRequest> =>
  Effect.suspend(() => {
    const enc = encodeBody(parts, options)
    return enc instanceof InvalidRequest
      ? Effect.fail(enc)
      : Effect.succeed({ boundary: enc.boundary, contentType: enc.contentType, contentLength: enc.length, body: enc.stream })
  })

const isFile = (blob: Blob): blob is File => typeof (blob as File).name === "string"

/**
 * The parts of a `FormData`, in order, as the WHATWG encoding algorithm
 * sends them: names and text values with line breaks normalised to CRLF, a
 * Blob as a file part named `blob` unless it is a `File`, typed
 * `application/octet-stream` when it has no type.
 *
 * @internal
 */
export const formDataParts = (form: FormData): Array<Encode.Part<Bytes>> => {
  const parts: Array<Encode.Part<Bytes>> = []
  for (const [name, value] of form as unknown as Iterable<readonly [string, string | Blob]>) {
    const n = Encode.normalizeNewlines(name)
    if (typeof value === "string") parts.push({ name: n, value: Encode.normalizeNewlines(value) })
    else {
      const part: Encode.StreamPart<Bytes> & { readonly replayable: boolean } = {
        name: n,
        filename: isFile(value) ? value.name : "blob",
        contentType: value.type === "" ? "application/octet-stream" : value.type,
        stream: blobStream(value),
        size: value.size,
        replayable: true
      }
      parts.push(part)
    }
  }
  return parts
}
