/**
 * The `json` request option: a value serialised with `JSON.stringify` as the
 * body, with `Content-Type: application/json` unless the caller gave a
 * Content-Type. What JSON cannot serialise (a BigInt, a cycle, a function or
 * symbol at the top level, a throwing `toJSON`) fails with `InvalidRequest`
 * (reason `"body"`), never a defect.
 *
 * @internal
 */
import { InvalidRequest } from "../../HackneyError.js"
import * as Headers from "../../Headers.js"
import { describeValue } from "../options/rules.js"

/** The Content-Type set for a `json` body when the caller gave none. @internal */
export const jsonContentType = "application/json"

/** The JSON text of a value, or why it has none. @internal */
export const serialise = (value: unknown): string | InvalidRequest => {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    return new InvalidRequest({
      reason: "body",
      detail: `the json value cannot be serialised (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `give plain data: objects, arrays, strings, finite numbers, booleans and null`,
      cause
    })
  }
  if (text === undefined) {
    return new InvalidRequest({
      reason: "body",
      detail: `the json value is ${describeValue(value)}, which JSON cannot represent; ` +
        `give an object, an array, a string, a number, a boolean or null`
    })
  }
  return text
}

/** The request headers with `Content-Type: application/json` added unless they have a Content-Type. @internal */
export const withJsonContentType = (headers: Headers.Input | undefined): Headers.Input => {
  const h = headers === undefined ? Headers.empty : Headers.fromInput(headers)
  return Headers.has(h, "content-type") ? h : Headers.append(h, "Content-Type", jsonContentType)
}
