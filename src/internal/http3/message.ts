/**
 * HTTP messages as HTTP/3 field sections (RFC 9114 §4.2, §4.3): the request
 * head as the field lines a client encodes, and the checks of a response's
 * or trailers' decoded field lines, which make a malformed message
 * (H3_MESSAGE_ERROR, a stream error, §4.1.2).
 *
 * @internal
 */
import { FIELD_VALUE, TCHAR } from "../http1/bytes.js"
import { h3Error } from "./error.js"
import type { Http3Error } from "./error.js"

/** Fields that HTTP/3 forbids (connection-specific, RFC 9114 §4.2); `te` is allowed only as `trailers`. */
const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"])

/**
 * The field lines of a request: the pseudo-headers `:method`, `:scheme`,
 * `:authority` (a `Host` field's value when the caller gave one, else
 * `authority`) and `:path`, then the caller's fields with lower-case names,
 * without `Host` and the connection-specific fields (a `TE` other than
 * `trailers` included), which HTTP/3 forbids.
 *
 * @internal
 */
export const requestFields = (
  method: string,
  scheme: string,
  authority: string,
  target: string,
  rawHeaders: ReadonlyArray<string>
): Array<string> => {
  let host: string | undefined
  const fields: Array<string> = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase()
    const value = rawHeaders[i + 1]
    if (name === "host") {
      host ??= value
      continue
    }
    if (CONNECTION_SPECIFIC.has(name)) continue
    if (name === "te" && value.trim().toLowerCase() !== "trailers") continue
    fields.push(name, value)
  }
  return [":method", method, ":scheme", scheme, ":authority", host ?? authority, ":path", target, ...fields]
}

/** A response head from HTTP/3: `reason` is always `""`. @internal */
export interface Http3ResponseHead {
  readonly status: number
  readonly reason: string
  readonly rawHeaders: ReadonlyArray<string>
}

const malformed = (detail: string): Http3Error => h3Error("H3_MESSAGE_ERROR", `malformed message: ${detail}`)

// A regular field line: a lower-case token name, a value without NUL, CR or LF.
const checkField = (name: string, value: string): Http3Error | undefined => {
  if (name.length === 0) return malformed("an empty field name")
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) return malformed(`field name "${name}" has upper-case letters`)
    if (c > 0xff || TCHAR[c] !== 1) return malformed(`field name "${name}" is not a token`)
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0xff || FIELD_VALUE[c] !== 1) return malformed(`field "${name}" has a control character in its value`)
  }
  if (CONNECTION_SPECIFIC.has(name)) return malformed(`connection-specific field "${name}"`)
  if (name === "te" && value.trim().toLowerCase() !== "trailers") return malformed(`field "te" is not "trailers"`)
  return undefined
}

/**
 * Checks the decoded field lines of a response's HEADERS: exactly one
 * `:status` of three digits (not 101, which HTTP/3 does not use), no other
 * pseudo-header, pseudo-headers before the fields, and valid, lower-case,
 * non-connection-specific fields. A 1xx status is an informational head
 * (the caller reads another HEADERS after it).
 *
 * @internal
 */
export const responseHead = (fields: ReadonlyArray<string>): Http3ResponseHead | Http3Error => {
  let status = -1
  const rawHeaders: Array<string> = []
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]
    const value = fields[i + 1]
    if (name.charCodeAt(0) === 0x3a) {
      if (rawHeaders.length > 0) return malformed(`pseudo-header "${name}" after a regular field`)
      if (name !== ":status") return malformed(`pseudo-header "${name}" in a response`)
      if (status !== -1) return malformed("a second :status")
      if (!/^[1-9][0-9][0-9]$/.test(value)) return malformed(`:status "${value}" is not three digits`)
      status = Number(value)
      if (status === 101) return malformed("status 101 (Switching Protocols) does not exist in HTTP/3")
      continue
    }
    const e = checkField(name, value)
    if (e !== undefined) return e
    rawHeaders.push(name, value)
  }
  if (status === -1) return malformed("no :status")
  return { status, reason: "", rawHeaders }
}

/**
 * Checks the decoded field lines of a trailer section: no pseudo-header,
 * valid fields (RFC 9114 §4.1).
 *
 * @internal
 */
export const trailerFields = (fields: ReadonlyArray<string>): ReadonlyArray<string> | Http3Error => {
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i].charCodeAt(0) === 0x3a) return malformed(`pseudo-header "${fields[i]}" in trailers`)
    const e = checkField(fields[i], fields[i + 1])
    if (e !== undefined) return e
  }
  return fields
}
