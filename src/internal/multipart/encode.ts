/**
 * The multipart encoder (RFC 7578 multipart/form-data, RFC 2046 nested
 * multipart/mixed), pure: it turns parts into an ordered list of segments —
 * byte strings for the framing and the in-memory fields, and the streamed
 * sources (files, caller streams, Blobs) untouched — plus the exact total
 * length when every size is known. Nothing is read or buffered here: the
 * IO layer (`internal/node/multipartBody.ts`) opens the files (`env`) and
 * streams the segments.
 *
 * The boundary has hackney's format (`hackney_multipart:boundary/0`): 27
 * dashes and 16 random letters in `b..z`, from the platform CSPRNG
 * (`crypto.getRandomValues`), and is checked not to occur in any part whose
 * content is known here.
 *
 * @internal
 */
import { InvalidRequest } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import { firstInvalidValueChar, isToken } from "../headers/syntax.js"

/** Fields every part has. `S` is the stream type of the layer above. @internal */
export interface PartCommon {
  readonly name: string
  readonly contentType?: string | undefined
  readonly headers?: Headers.Input | undefined
  readonly disposition?: Disposition | undefined
}

/** A custom `Content-Disposition` (hackney's `{Disposition, Params}`). @internal */
export interface Disposition {
  /** Default `form-data` (`attachment` inside a nested part). */
  readonly type?: string | undefined
  /** Added after `name` and `filename` (a param of the same name replaces theirs). */
  readonly params?: Readonly<Record<string, string>> | undefined
}

/** @internal */
export interface FieldPart extends PartCommon {
  readonly value: string | Uint8Array
}

/** @internal */
export interface FilePart extends PartCommon {
  readonly file: string
  readonly filename?: string | undefined
}

/** @internal */
export interface StreamPart<S> extends PartCommon {
  readonly stream: S
  readonly size?: number | undefined
  readonly filename?: string | undefined
}

/** @internal */
export interface NestedPart<S> extends PartCommon {
  readonly parts: ReadonlyArray<Part<S>>
}

/** @internal */
export type Part<S> = FieldPart | FilePart | StreamPart<S> | NestedPart<S>

/** A streamed piece of the body: a file, a stream, a Blob; `size` undefined when unknown. @internal */
export interface Source<S> {
  readonly stream: S
  readonly size: number | undefined
  /** The part's name, for errors. */
  readonly name: string
}

/** @internal */
export type Segment<S> = Uint8Array | Source<S>

/** What the encoder needs from the IO layer. @internal */
export interface Env<S> {
  /** Opens a file: its size (from `stat`) and its stream, or why it cannot be read. */
  readonly openFile: (path: string) => { readonly stream: S; readonly size: number } | Error
  /** The media type of a file name (a MIME database), or undefined. */
  readonly typeOf: (filename: string) => string | undefined
  /** Fills the array with random bytes (default: `crypto.getRandomValues`). */
  readonly random?: ((bytes: Uint8Array) => Uint8Array) | undefined
}

/** Options of {@link encode}. @internal */
export interface Options {
  /** A fixed boundary (1–70 characters of RFC 2046 `bchars`, not ending with a space). Default: random. */
  readonly boundary?: string | undefined
  /** The subtype of the outer body. Default `form-data`. */
  readonly subtype?: string | undefined
}

/** An encoded body. @internal */
export interface Encoded<S> {
  readonly boundary: string
  /** `multipart/form-data; boundary=…` */
  readonly contentType: string
  readonly segments: ReadonlyArray<Segment<S>>
  /** The exact body length in bytes, or undefined when a stream part has no size. */
  readonly length: number | undefined
  /** Whether the body can be streamed again (no caller stream part). */
  readonly replayable: boolean
}

const textEncoder = new TextEncoder()

const defaultRandom = (b: Uint8Array): Uint8Array => crypto.getRandomValues(b)

/**
 * A new boundary: 27 dashes and 16 letters in `b..z` (hackney's format),
 * unbiased (bytes ≥ 250 are drawn again).
 *
 * @internal
 */
export const boundary = (random: (bytes: Uint8Array) => Uint8Array = defaultRandom): string => {
  let out = "---------------------------"
  let n = 0
  while (n < 16) {
    const bytes = random(new Uint8Array(24))
    for (let i = 0; i < bytes.length && n < 16; i++) {
      if (bytes[i] < 250) {
        out += String.fromCharCode(98 + (bytes[i] % 25))
        n++
      }
    }
  }
  return out
}

// RFC 2046 §5.1.1: bchars := bcharsnospace / " "; 1..70 of them, not ending with a space.
const bchars = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/

/** Whether a boundary is valid by RFC 2046 (1–70 `bchars`, no final space). @internal */
export const isValidBoundary = (b: string): boolean => bchars.test(b)

/**
 * Escapes a name or filename for a `Content-Disposition` quoted string as
 * browsers do (RFC 7578 §4.2, WHATWG): `"`, CR and LF percent-encoded;
 * non-ASCII characters are kept (sent as UTF-8).
 *
 * @internal
 */
export const escapeName = (name: string): string =>
  name.replace(/[\r\n"]/g, (c) => (c === "\r" ? "%0D" : c === "\n" ? "%0A" : "%22"))

/** Normalises line breaks to CRLF (WHATWG, for `FormData` names and values). @internal */
export const normalizeNewlines = (value: string): string => value.replace(/\r\n|\r|\n/g, "\r\n")

/** The last path segment of a file path (`/` or `\` separated). @internal */
export const basename = (path: string): string => {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return i < 0 ? path : path.slice(i + 1)
}

const isField = <S>(p: Part<S>): p is FieldPart => "value" in p
const isFile = <S>(p: Part<S>): p is FilePart => "file" in p
const isNested = <S>(p: Part<S>): p is NestedPart<S> => "parts" in p
const isStreamPart = <S>(p: Part<S>): p is StreamPart<S> => "stream" in p

const bad = (reason: "body" | "header-name" | "header-value", detail: string): InvalidRequest =>
  new InvalidRequest({ reason, detail })

const describe = (path: string): string => JSON.stringify(path)

/** Checks one header value: no CR, LF, NUL or other control character. */
const checkValue = (where: string, value: string): InvalidRequest | undefined => {
  if (typeof value !== "string") return bad("header-value", `${where} is not a string`)
  const i = firstInvalidValueChar(value)
  return i === -1 ? undefined : bad(
    "header-value",
    `${where} contains ${value.charCodeAt(i) === 13 ? "CR" : value.charCodeAt(i) === 10 ? "LF" : "a control character"}`
  )
}

interface Frame<S> {
  readonly env: Env<S>
  readonly segments: Array<Segment<S>>
  /** Framing text not yet turned into bytes. */
  text: string
  length: number | undefined
  replayable: boolean
  /** In-memory contents, for the boundary collision check. */
  readonly known: Array<string | Uint8Array>
  /** Every boundary used (outer and nested). */
  readonly boundaries: Array<string>
  readonly fixed: string | undefined
}

// Never called with empty text: every part adds its delimiter and head first, and the body its close delimiter.
const flush = <S>(f: Frame<S>): void => {
  const bytes = textEncoder.encode(f.text)
  f.segments.push(bytes)
  if (f.length !== undefined) f.length += bytes.length
  f.text = ""
}

const addBytes = <S>(f: Frame<S>, bytes: Uint8Array): void => {
  if (bytes.length === 0) return
  flush(f)
  f.segments.push(bytes)
  if (f.length !== undefined) f.length += bytes.length
}

const addSource = <S>(f: Frame<S>, source: Source<S>): void => {
  flush(f)
  f.segments.push(source)
  if (f.length !== undefined) f.length = source.size === undefined ? undefined : f.length + source.size
}

const dispositionOf = <S>(p: Part<S>, filename: string | undefined, nested: boolean): string | InvalidRequest => {
  if (typeof p.name !== "string") return bad("body", `a multipart part's name is ${p.name === undefined ? "missing" : "not a string"}`)
  const type = p.disposition?.type ?? (nested ? "attachment" : "form-data")
  if (!isToken(type)) return bad("header-value", `the Content-Disposition type ${JSON.stringify(type)} of part "${escapeName(p.name)}" is not a token`)
  const params = new Map<string, string>([["name", p.name]])
  if (filename !== undefined) params.set("filename", filename)
  for (const [k, v] of Object.entries(p.disposition?.params ?? {})) {
    if (!isToken(k)) return bad("header-name", `the Content-Disposition parameter name ${JSON.stringify(k)} is not a token`)
    // CR and LF are escaped (escapeName); any other control character is refused.
    const e = checkValue(`Content-Disposition parameter ${k}`, typeof v === "string" ? v.replace(/[\r\n]/g, "") : v)
    if (e !== undefined) return e
    params.set(k.toLowerCase(), v)
  }
  let out = `Content-Disposition: ${type}`
  for (const [k, v] of params) out += `; ${k}="${escapeName(v)}"`
  return out + "\r\n"
}

/** The header lines after Content-Disposition: Content-Type, then the extra headers (which may replace either). */
const headerLines = (p: PartCommon, contentType: string | undefined, disposition: string): string | InvalidRequest => {
  let custom = ""
  let hasType = false
  let hasDisposition = false
  const raw = p.headers === undefined ? [] : Headers.toRaw(Headers.fromInput(p.headers))
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]
    const v = raw[i + 1]
    if (typeof k !== "string" || !isToken(k)) return bad("header-name", `the header name ${JSON.stringify(k)} of part "${escapeName(p.name)}" is not a token`)
    const e = checkValue(`the header ${k} of part "${escapeName(p.name)}"`, v)
    if (e !== undefined) return e
    const lower = k.toLowerCase()
    if (lower === "content-type") hasType = true
    if (lower === "content-disposition") hasDisposition = true
    custom += `${k}: ${v}\r\n`
  }
  let out = hasDisposition ? "" : disposition
  if (!hasType && contentType !== undefined) {
    const e = checkValue(`the content type of part "${escapeName(p.name)}"`, contentType)
    if (e !== undefined) return e
    out += `Content-Type: ${contentType}\r\n`
  }
  return out + custom
}

const newBoundary = <S>(f: Frame<S>): string => boundary(f.env.random ?? defaultRandom)

const encodeInto = <S>(f: Frame<S>, parts: ReadonlyArray<Part<S>>, b: string, nested: boolean): InvalidRequest | undefined => {
  if (!Array.isArray(parts)) return bad("body", "the multipart parts are not an array")
  for (const p of parts) {
    if (typeof p !== "object" || p === null) return bad("body", `a multipart part is ${p === null ? "null" : typeof p}; give { name, value }, { name, file }, { name, stream } or { name, parts }`)
    f.text += `--${b}\r\n`
    if (isField(p)) {
      const value = p.value
      if (typeof value !== "string" && !(value instanceof Uint8Array)) return bad("body", `the value of part "${escapeName(String(p.name))}" is not a string or a Uint8Array`)
      const d = dispositionOf(p, undefined, nested)
      if (d instanceof InvalidRequest) return d
      const h = headerLines(p, p.contentType, d)
      if (h instanceof InvalidRequest) return h
      f.text += h + "\r\n"
      f.known.push(value)
      if (typeof value === "string") f.text += value
      else addBytes(f, value)
    } else if (isFile(p)) {
      if (typeof p.file !== "string") return bad("body", `the file of part "${escapeName(String(p.name))}" is not a path`)
      const filename = p.filename ?? basename(p.file)
      const d = dispositionOf(p, filename, nested)
      if (d instanceof InvalidRequest) return d
      const h = headerLines(p, p.contentType ?? f.env.typeOf(filename) ?? "application/octet-stream", d)
      if (h instanceof InvalidRequest) return h
      const opened = f.env.openFile(p.file)
      if (opened instanceof Error) return bad("body", `cannot read the file ${describe(p.file)} of part "${escapeName(p.name)}": ${opened.message}`)
      f.text += h + "\r\n"
      if (opened.size > 0) addSource(f, { stream: opened.stream, size: opened.size, name: p.name })
    } else if (isStreamPart(p)) {
      if (p.size !== undefined && !(Number.isSafeInteger(p.size) && p.size >= 0)) return bad("body", `the size of part "${escapeName(String(p.name))}" is not a non-negative integer`)
      const d = dispositionOf(p, p.filename, nested)
      if (d instanceof InvalidRequest) return d
      const guessed = p.filename === undefined ? undefined : f.env.typeOf(p.filename)
      const h = headerLines(p, p.contentType ?? guessed ?? "application/octet-stream", d)
      if (h instanceof InvalidRequest) return h
      f.text += h + "\r\n"
      if (p.size !== 0) addSource(f, { stream: p.stream, size: p.size, name: p.name })
      // A Blob-backed stream (FormData) can be read again; a caller's stream cannot.
      if (!(p as { readonly replayable?: boolean }).replayable) f.replayable = false
    } else if (isNested(p)) {
      const inner = f.fixed !== undefined ? `${f.fixed}-${f.boundaries.length}` : newBoundary(f)
      f.boundaries.push(inner)
      const d = dispositionOf(p, undefined, nested)
      if (d instanceof InvalidRequest) return d
      const h = headerLines(p, `multipart/mixed; boundary=${inner}`, d)
      if (h instanceof InvalidRequest) return h
      f.text += h + "\r\n"
      const e = encodeInto(f, p.parts, inner, true)
      if (e !== undefined) return e
      // encodeInto ends with the close delimiter and its CRLF; the part's own CRLF comes next, so drop one.
      f.text = f.text.slice(0, -2)
    } else {
      return bad("body", `the multipart part "${escapeName(String((p as PartCommon).name))}" has none of value, file, stream or parts`)
    }
    f.text += "\r\n"
  }
  f.text += `--${b}--\r\n`
  return undefined
}

const indexOfBytes = (haystack: Uint8Array, needle: Uint8Array): number => {
  const first = needle[0]
  for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1
    while (j < needle.length && haystack[i + j] === needle[j]) j++
    if (j === needle.length) return i
  }
  return -1
}

/** Whether a boundary's delimiter line (`--boundary`) occurs in one of the known contents. */
const collides = (known: ReadonlyArray<string | Uint8Array>, b: string): boolean => {
  const text = `--${b}`
  const bytes = textEncoder.encode(text)
  for (const k of known) if (typeof k === "string" ? k.includes(text) : indexOfBytes(k, bytes) !== -1) return true
  return false
}

/**
 * Encodes parts. Adjacent byte segments are merged, so a form of text
 * fields is a single segment.
 *
 * @internal
 */
export const encode = <S>(parts: ReadonlyArray<Part<S>>, env: Env<S>, options: Options = {}): Encoded<S> | InvalidRequest => {
  const fixed = options.boundary
  if (fixed !== undefined && (typeof fixed !== "string" || !isValidBoundary(fixed))) {
    return bad("body", `the boundary ${JSON.stringify(fixed)} is not 1 to 70 RFC 2046 boundary characters (letters, digits, '()+_,-./:=? and inner spaces)`)
  }
  const subtype = options.subtype ?? "form-data"
  if (!isToken(subtype)) return bad("body", `the multipart subtype ${JSON.stringify(subtype)} is not a token`)
  // A random boundary that occurs in a field is drawn again (a 1 in 25^16 event per field, unless a part is made to hold it).
  for (let attempt = 0; attempt < 8; attempt++) {
    const b = fixed ?? boundary(env.random ?? defaultRandom)
    const f: Frame<S> = { env, segments: [], text: "", length: 0, replayable: true, known: [], boundaries: [b], fixed }
    const e = encodeInto(f, parts, b, false)
    if (e !== undefined) return e
    flush(f)
    const clash = f.boundaries.find((x) => collides(f.known, x))
    if (clash === undefined) {
      return { boundary: b, contentType: `multipart/${subtype}; boundary=${b}`, segments: f.segments, length: f.length, replayable: f.replayable }
    }
    if (fixed !== undefined) return bad("body", `the boundary ${JSON.stringify(clash)} occurs in a part's content; choose another or leave the boundary option out`)
  }
  return bad("body", "every boundary drawn occurs in a part's content")
}
