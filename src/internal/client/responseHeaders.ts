/**
 * Reading one header of a response (`res.header`, `res.headerAll`), shared
 * by every response class: a repeated field's values joined with `", "`
 * (RFC 9110 §5.3; `Set-Cookie` too, as `fetch`'s `Headers.get`), or all of
 * them, never joined.
 *
 * @internal
 */
import * as Headers from "../../Headers.js"

/** A header's values joined with `", "`, or undefined when absent. @internal */
export const header = (headers: Headers.Headers, name: string): string | undefined => {
  const all = Headers.getAll(headers, name)
  return all.length === 0 ? undefined : all.length === 1 ? all[0] : all.join(", ")
}

/** Every value of a header, in order. @internal */
export const headerAll = (headers: Headers.Headers, name: string): ReadonlyArray<string> => Headers.getAll(headers, name)
