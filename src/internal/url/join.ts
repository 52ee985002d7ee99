/**
 * hackney's `make_url/3` and `fix_path/1`.
 *
 * @internal
 */

/** Strips every leading `/` and one trailing `/`. @internal */
export const fixPath = (path: string): string => {
  let start = 0
  while (start < path.length && path.charCodeAt(start) === 47) start++
  let end = path.length
  if (end > start && path.charCodeAt(end - 1) === 47) end--
  return path.slice(start, end)
}

/** @internal */
export const makeUrl = (base: string, paths: string | ReadonlyArray<string>, query: string): string => {
  const parts = (typeof paths === "string" ? [paths] : paths).map(fixPath).filter((p) => p !== "")
  const path = parts.length === 0 ? "" : "/" + parts.join("/")
  return fixPath(base) + path + (query === "" ? "" : "?" + query)
}
