/**
 * A multipart/form-data encoder (RFC 7578, the WHATWG "multipart/form-data
 * encoding algorithm"), pure: it turns form entries into an ordered list of
 * segments — byte strings for the framing and string fields, and the
 * `Blob`/`File` parts themselves, untouched — plus the exact total length.
 * Nothing is read or buffered here; the caller streams the segments (a
 * Blob's bytes through `blob.stream()`), so large files are never held in
 * memory, and the length allows identity framing (`Content-Length`) as
 * hackney's `len_mp_stream` does.
 *
 * The boundary has hackney's format (`hackney_multipart:boundary/0`): 27
 * dashes followed by 16 random letters in `b..z`.
 *
 * @internal
 */

/** One form entry: a text field, or a file (any `Blob`; a `File` carries its name). @internal */
export type Entry = readonly [name: string, value: string | Blob]

/** A piece of the encoded body: bytes, or a Blob to stream as is. @internal */
export type Segment = Uint8Array | Blob

/** An encoded form. @internal */
export interface Encoded {
  readonly boundary: string
  /** `multipart/form-data; boundary=…` */
  readonly contentType: string
  readonly segments: ReadonlyArray<Segment>
  /** The exact body length in bytes. */
  readonly length: number
}

const encoder = new TextEncoder()

/**
 * A new boundary: `"---------------------------"` and 16 random letters in
 * `b..z` (hackney's). 
 *
 * @internal
 */
export const boundary = (random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string => {
  const bytes = random(new Uint8Array(16))
  let out = "---------------------------"
  for (let i = 0; i < 16; i++) out += String.fromCharCode(98 + (bytes[i] % 25))
  return out
}

/** Escapes a name or filename for a `Content-Disposition` quoted string (WHATWG: `"` CR LF percent-encoded). */
export const escapeName = (name: string): string => name.replace(/[\r\n"]/g, (c) => (c === "\r" ? "%0D" : c === "\n" ? "%0A" : "%22"))

/** Normalises line breaks of a text field value to CRLF (WHATWG). @internal */
export const normalizeNewlines = (value: string): string => value.replace(/\r\n|\r|\n/g, "\r\n")

const isFile = (blob: Blob): blob is File => typeof (blob as File).name === "string"

/** The part header block (from the `--boundary` line to the blank line) of one entry. @internal */
export const partHead = (b: string, name: string, value: string | Blob): string => {
  if (typeof value === "string") {
    return `--${b}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"\r\n\r\n`
  }
  const filename = isFile(value) ? value.name : "blob"
  const type = value.type === "" ? "application/octet-stream" : value.type
  return `--${b}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"; filename="${
    escapeName(filename)
  }"\r\nContent-Type: ${type.replace(/[\r\n]/g, "")}\r\n\r\n`
}

/**
 * Encodes entries. Adjacent byte segments are merged so a form of text
 * fields is a single segment.
 *
 * @internal
 */
export const encode = (entries: Iterable<Entry>, b: string = boundary()): Encoded => {
  const segments: Array<Segment> = []
  let text = ""
  let length = 0
  const flush = () => {
    if (text === "") return
    const bytes = encoder.encode(text)
    segments.push(bytes)
    length += bytes.length
    text = ""
  }
  for (const [name, value] of entries) {
    text += partHead(b, name, value)
    if (typeof value === "string") {
      text += normalizeNewlines(value) + "\r\n"
    } else {
      flush()
      if (value.size > 0) {
        segments.push(value)
        length += value.size
      }
      text += "\r\n"
    }
  }
  text += `--${b}--\r\n`
  flush()
  return { boundary: b, contentType: `multipart/form-data; boundary=${b}`, segments, length }
}

/**
 * The entries of a `FormData`, in order.
 *
 * @internal
 */
export const entriesOf = (form: FormData): Iterable<Entry> => form as unknown as Iterable<Entry>
