/**
 * `Content-Disposition` of a multipart part (RFC 7578 §4.2, RFC 6266,
 * RFC 5987 `filename*`), parsed leniently as form parsers do: parameter
 * values quoted or not; in a quoted value `\"` is an escaped quote (unless
 * it ends the value) and any other backslash is kept (browsers do not
 * escape backslashes: Windows paths, names ending with one); raw UTF-8
 * kept; `filename*` (`charset'language'percent-encoded`, UTF-8 or
 * ISO-8859-1) preferred over `filename`.
 *
 * @internal
 */

/** @internal */
export interface Disposition {
  /** Lower case: `form-data`, `attachment`, `inline`, … */
  readonly type: string
  /** Parameter names lower case; the first of a name wins. */
  readonly params: Readonly<Record<string, string>>
}

const isSpace = (c: number): boolean => c === 32 || c === 9

/** @internal */
export const parse = (value: string): Disposition => {
  let i = value.indexOf(";")
  if (i < 0) i = value.length
  const type = value.slice(0, i).trim().toLowerCase()
  const params: Record<string, string> = {}
  while (i < value.length) {
    while (i < value.length && (value.charCodeAt(i) === 59 || isSpace(value.charCodeAt(i)))) i++
    let j = i
    while (j < value.length && value[j] !== "=" && value[j] !== ";") j++
    const name = value.slice(i, j).trim().toLowerCase()
    i = j
    let v = ""
    if (value[i] === "=") {
      i++
      while (i < value.length && isSpace(value.charCodeAt(i))) i++
      if (value[i] === "\"") {
        i++
        while (i < value.length && value[i] !== "\"") {
          // `\"` is an escaped quote, unless that quote ends the value (a name ending with a backslash, sent unescaped by browsers).
          if (value[i] === "\\" && value[i + 1] === "\"" && !/^\s*(;|$)/.test(value.slice(i + 2))) i++
          v += value[i]
          i++
        }
        i++
      } else {
        j = i
        while (j < value.length && value[j] !== ";") j++
        v = value.slice(i, j).trim()
        i = j
      }
    }
    if (name !== "" && !(name in params)) params[name] = v
  }
  return { type, params }
}

/** Decodes an RFC 5987 extended value (`UTF-8''%E2%82%AC.txt`), or undefined when malformed. @internal */
export const decodeExtValue = (ext: string): string | undefined => {
  const m = /^([A-Za-z0-9!#$&+\-^_`{}~]+)'[^']*'(.*)$/.exec(ext)
  if (m === null) return undefined
  const charset = m[1].toLowerCase()
  const bytes: Array<number> = []
  const s = m[2]
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%") {
      const h = s.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined
      bytes.push(parseInt(h, 16))
      i += 2
    } else {
      const c = s.charCodeAt(i)
      if (c > 0x7e) return undefined
      bytes.push(c)
    }
  }
  if (charset === "utf-8") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes))
    } catch {
      return undefined
    }
  }
  if (charset === "iso-8859-1") return String.fromCharCode(...bytes)
  return undefined
}

/** The part's field name and file name from its `Content-Disposition` value. @internal */
export const namesOf = (value: string | undefined): { readonly name: string | undefined; readonly filename: string | undefined } => {
  if (value === undefined) return { name: undefined, filename: undefined }
  const d = parse(value)
  const ext = d.params["filename*"]
  const extended = ext === undefined ? undefined : decodeExtValue(ext)
  return { name: d.params.name, filename: extended ?? d.params.filename }
}
