/**
 * Reading a response body as JSON, typed: invalid JSON and Schema mismatches
 * fail with `DecodeError` (never a thrown exception). An empty body is
 * `null`, as `@effect/platform`'s `json`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ParseOptions } from "effect/SchemaAST"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Response, StreamingResponse } from "../../Hackney.js"
import { DecodeError } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"

const decoder = new TextDecoder()

const isResponse = (res: Response | StreamingResponse): res is Response => res.body instanceof Uint8Array

const parse = (text: string, url: string): Effect.Effect<unknown, DecodeError> => {
  if (text === "") return Effect.succeed(null)
  try {
    return Effect.succeed(JSON.parse(text) as unknown)
  } catch (cause) {
    return Effect.fail(
      new DecodeError({ reason: "json", detail: cause instanceof Error ? cause.message : String(cause), url, cause })
    )
  }
}

/** The body of either response type parsed as JSON. @internal */
export const json = (res: Response | StreamingResponse): Effect.Effect<unknown, HackneyError> =>
  isResponse(res) ? parse(decoder.decode(res.body), res.url) : Effect.flatMap(res.text, (text) => parse(text, res.url))

/** The first issue of a ParseError, where it is and what went wrong, plus how many more. */
const firstIssue = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issues.length === 0) return error.message
  const first = issues[0]
  const at = first.path.length === 0 ? "" : `at ${first.path.map(String).join(".")}: `
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? "s" : ""})` : ""
  return `${at}${first.message}${more}`
}

/** The body parsed as JSON and decoded with `schema`. @internal */
export const schemaJson = <A, I, R>(schema: Schema.Schema<A, I, R>, options?: ParseOptions) => {
  const decode = Schema.decodeUnknown(schema, { errors: "all", ...options })
  return (res: Response | StreamingResponse): Effect.Effect<A, HackneyError, R> =>
    Effect.flatMap(json(res), (value) =>
      Effect.mapError(decode(value), (cause) =>
        new DecodeError({ reason: "schema", detail: firstIssue(cause), url: res.url, cause })))
}
