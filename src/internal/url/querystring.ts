/**
 * `application/x-www-form-urlencoded` (hackney `parse_qs/1`, `qs/1,2`).
 *
 * @internal
 */
import type { UrlencodeOptions } from "./percent.js"
import { percentDecode, urlencode } from "./percent.js"

/** @internal */
export type Pair = readonly [string, string | true]

/** @internal */
export type Input =
  | Iterable<readonly [string, string | true]>
  | { readonly [key: string]: string | true | ReadonlyArray<string> | undefined }

/**
 * Splits on `&` (empty tokens dropped), then at the first `=`; `strict`
 * fails (returns `undefined`) on an invalid escape.
 *
 * @internal
 */
export const decode = (input: string, strict: boolean): Array<Pair> | undefined => {
  const out: Array<Pair> = []
  if (input === "") return out
  let start = 0
  while (start <= input.length) {
    let end = input.indexOf("&", start)
    if (end === -1) end = input.length
    if (end > start) {
      const token = input.slice(start, end)
      const eq = token.indexOf("=")
      const key = percentDecode(eq === -1 ? token : token.slice(0, eq), true, strict)
      if (key === undefined) return undefined
      if (eq === -1) out.push([key, true])
      else {
        const value = percentDecode(token.slice(eq + 1), true, strict)
        if (value === undefined) return undefined
        out.push([key, value])
      }
    }
    start = end + 1
  }
  return out
}

const isIterable = (u: unknown): u is Iterable<unknown> =>
  typeof u === "object" && u !== null && typeof (u as any)[Symbol.iterator] === "function"

/** @internal */
export const encode = (input: Input, options?: UrlencodeOptions): string => {
  const out: Array<string> = []
  const push = (key: string, value: string | true): void => {
    const k = urlencode(key, options)
    out.push(value === true ? k : `${k}=${urlencode(value, options)}`)
  }
  if (isIterable(input)) {
    for (const [key, value] of input as Iterable<readonly [string, string | true]>) push(key, value)
  } else {
    for (const key of Object.keys(input)) {
      const value = (input as Record<string, string | true | ReadonlyArray<string> | undefined>)[key]
      if (value === undefined) continue
      if (typeof value === "string" || value === true) push(key, value)
      else for (const v of value) push(key, v)
    }
  }
  return out.join("&")
}
