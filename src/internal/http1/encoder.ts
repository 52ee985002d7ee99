/**
 * The HTTP/1.1 request encoder: pure functions from a request description to
 * the latin1 string of its head, plus the chunked-body framing strings.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidRequest } from "../../HackneyError.js"
import { isToken } from "./bytes.js"

export { shouldKeepAlive } from "./keepAlive.js"

/** @internal */
export type BodyFraming =
  | { readonly _tag: "None" }
  | { readonly _tag: "Length"; readonly length: number }
  | { readonly _tag: "Chunked" }

/** @internal */
export interface RequestHeadInput {
  readonly method: string
  readonly target: string
  readonly host: string | undefined
  readonly rawHeaders: ReadonlyArray<string>
  readonly framing: BodyFraming
}

/** -1 when fine, else the index of the first CR, LF, NUL or non-latin1 character. */
const badValueChar = (s: string): number => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 13 || c === 10 || c === 0 || c > 0xff) return i
  }
  return -1
}

/** Target: no controls, no SP, no DEL, no non-latin1 (the Url module percent-encodes). */
const badTargetChar = (s: string): number => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 0x20 || c === 0x7f || c > 0xff) return i
  }
  return -1
}

const describe = (s: string, i: number): string => {
  const c = s.charCodeAt(i)
  const name = c === 13 ? "CR" : c === 10 ? "LF" : c === 0 ? "NUL" : c === 32 ? "SP" : `U+${c.toString(16).padStart(4, "0")}`
  return `${name} at index ${i}`
}

const invalid = (reason: "method" | "target" | "header-name" | "header-value" | "body", detail: string) =>
  new InvalidRequest({ reason, detail })

const lowerEq = (s: string, lowerWord: string): boolean =>
  s.length === lowerWord.length && s.toLowerCase() === lowerWord

/**
 * Appends `name: value\r\n` lines (without the framing ones when
 * `skipFraming`), checking each pair first when `check`; returns an error or
 * undefined.
 */
const appendFields = (
  out: Array<string>,
  raw: ReadonlyArray<string>,
  skipFraming: boolean,
  check: boolean
): InvalidRequest | undefined => {
  if (check && raw.length % 2 !== 0) return invalid("header-name", "rawHeaders must hold name/value pairs")
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const value = raw[i + 1]
    if (check) {
      if (!isToken(name)) {
        return invalid("header-name", `header name ${JSON.stringify(name)} is not an RFC 9110 token`)
      }
      const bad = badValueChar(value)
      if (bad !== -1) return invalid("header-value", `value of ${name} contains ${describe(value, bad)}`)
    }
    if (skipFraming && (lowerEq(name, "content-length") || lowerEq(name, "transfer-encoding"))) continue
    out.push(name, ": ", value, "\r\n")
  }
  return undefined
}

const sendsEmptyLength = (method: string): boolean => method === "POST" || method === "PUT" || method === "PATCH"

const hasHostField = (rawHeaders: ReadonlyArray<string>): boolean => {
  for (let i = 0; i < rawHeaders.length; i += 2) if (lowerEq(rawHeaders[i], "host")) return true
  return false
}

/**
 * Encodes a head in one pass over its fields, checking each part first when
 * `check`. `bodySize`: `Content-Length` (none for 0 except on
 * POST/PUT/PATCH), `undefined` for `Transfer-Encoding: chunked`, `null` for
 * no framing field at all.
 */
const encodeHead = (
  method: string,
  target: string,
  host: string | undefined,
  rawHeaders: ReadonlyArray<string>,
  bodySize: number | undefined | null,
  check: boolean
): string | InvalidRequest => {
  if (check) {
    if (!isToken(method)) return invalid("method", `method ${JSON.stringify(method)} is not an RFC 9110 token`)
    if (target.length === 0) return invalid("target", "empty request target")
    const badTarget = badTargetChar(target)
    if (badTarget !== -1) return invalid("target", `request target contains ${describe(target, badTarget)}`)
  }
  const out: Array<string> = [method, " ", target, " HTTP/1.1\r\n"]
  if (host !== undefined && !hasHostField(rawHeaders)) {
    if (check) {
      const bad = badValueChar(host)
      if (bad !== -1 || host.length === 0) {
        return invalid("header-value", host.length === 0 ? "empty Host" : `Host contains ${describe(host, bad)}`)
      }
    }
    out.push("Host: ", host, "\r\n")
  }
  const err = appendFields(out, rawHeaders, true, check)
  if (err !== undefined) return err
  if (bodySize === undefined) out.push("Transfer-Encoding: chunked\r\n")
  else if (bodySize !== null) {
    if (check && (!Number.isSafeInteger(bodySize) || bodySize < 0)) return invalid("body", `invalid body length ${bodySize}`)
    if (bodySize > 0 || sendsEmptyLength(method)) out.push("Content-Length: ", String(bodySize), "\r\n")
  }
  out.push("\r\n")
  return out.join("")
}

/**
 * Checks a request head (method, target, Host, fields, body size) and encodes
 * it in the same pass; the error when it is invalid. `bodySize` as in
 * {@link encodeCheckedHead}.
 *
 * @internal
 */
export const checkAndEncodeHead = (
  method: string,
  target: string,
  host: string | undefined,
  rawHeaders: ReadonlyArray<string>,
  bodySize: number | undefined | null
): string | InvalidRequest => encodeHead(method, target, host, rawHeaders, bodySize, true)

/**
 * Encodes a head that {@link checkAndEncodeHead} accepted (without checking it
 * again). `bodySize`: `Content-Length` (none for 0 except on POST/PUT/PATCH),
 * `undefined` for `Transfer-Encoding: chunked`, `null` for no framing field.
 *
 * @internal
 */
export const encodeCheckedHead = (
  method: string,
  target: string,
  host: string | undefined,
  rawHeaders: ReadonlyArray<string>,
  bodySize: number | undefined | null
): string => encodeHead(method, target, host, rawHeaders, bodySize, false) as string

/**
 * `head` (an encoded head: its last line blank) with one more field, `name:
 * value`, before the blank line: a memoised head plus a per-request field
 * without encoding the rest again. The caller checks the pair.
 *
 * @internal
 */
export const withField = (head: string, name: string, value: string): string =>
  head.slice(0, head.length - 2) + name + ": " + value + "\r\n\r\n"

/**
 * Encodes a request head. See `Http1.encodeRequestHead` for the rules.
 *
 * @internal
 */
export const encodeRequestHead = (req: RequestHeadInput): Either.Either<string, InvalidRequest> => {
  const { framing, host, method, rawHeaders, target } = req
  const size = framing._tag === "Chunked" ? undefined : framing._tag === "None" ? null : framing.length
  const r = encodeHead(method, target, host, rawHeaders, size, true)
  return typeof r === "string" ? Either.right(r) : Either.left(r)
}

/**
 * `"<hex>\r\n"`: the line before a chunk of `length` (> 0) bytes. The chunk
 * data must be followed by `"\r\n"`.
 *
 * @internal
 */
export const encodeChunkHeader = (length: number): string => length.toString(16) + "\r\n"

/**
 * `"0\r\n" + trailer lines + "\r\n"`: the end of a chunked body.
 *
 * @internal
 */
export const encodeLastChunk = (rawTrailers?: ReadonlyArray<string>): Either.Either<string, InvalidRequest> => {
  if (rawTrailers === undefined || rawTrailers.length === 0) return Either.right("0\r\n\r\n")
  const out: Array<string> = ["0\r\n"]
  const err = appendFields(out, rawTrailers, false, true)
  if (err !== undefined) return Either.left(err)
  out.push("\r\n")
  return Either.right(out.join(""))
}
