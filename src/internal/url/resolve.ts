/**
 * RFC 3986 §5.2 reference resolution, for redirect `Location` values.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { InvalidRequest } from "../../HackneyError.js"
import type { UrlImpl } from "./model.js"
import { formatUserinfo } from "./model.js"
import { invalidUrl, isScheme, parse } from "./parse.js"

/**
 * RFC 3986 §5.2.4 `remove_dot_segments`, in one left-to-right pass over the
 * segments (linear time).
 *
 * @internal
 */
export const removeDotSegments = (path: string): string => {
  if (path.indexOf(".") === -1) return path
  const absolute = path.startsWith("/")
  const segments = (absolute ? path.slice(1) : path).split("/")
  const out: Array<string> = []
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    const last = i === segments.length - 1
    if (segment === ".") {
      // "a/./b" → "a/b"; a trailing "." leaves a trailing slash.
      if (last) out.push("")
    } else if (segment === "..") {
      if (out.length > 0) out.pop()
      if (last) out.push("")
    } else {
      out.push(segment)
    }
  }
  return (absolute ? "/" : "") + out.join("/")
}

/** RFC 3986 §5.2.3 merge. */
const merge = (baseHasAuthority: boolean, basePath: string, refPath: string): string => {
  if (baseHasAuthority && basePath === "") return "/" + refPath
  const slash = basePath.lastIndexOf("/")
  return slash === -1 ? refPath : basePath.slice(0, slash + 1) + refPath
}

interface Reference {
  readonly scheme: string | undefined
  readonly authority: string | undefined
  readonly path: string
  readonly query: string | undefined
  readonly fragment: string | undefined
}

/** RFC 3986 Appendix B, by hand. */
const splitReference = (ref: string): Reference => {
  let rest = ref
  let scheme: string | undefined
  const colon = rest.indexOf(":")
  if (colon > 0) {
    const candidate = rest.slice(0, colon)
    if (isScheme(candidate)) {
      scheme = candidate.toLowerCase()
      rest = rest.slice(colon + 1)
    }
  }
  let fragment: string | undefined
  const hash = rest.indexOf("#")
  if (hash !== -1) {
    fragment = rest.slice(hash + 1)
    rest = rest.slice(0, hash)
  }
  let query: string | undefined
  const qmark = rest.indexOf("?")
  if (qmark !== -1) {
    query = rest.slice(qmark + 1)
    rest = rest.slice(0, qmark)
  }
  let authority: string | undefined
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2)
    authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash)
    rest = slash === -1 ? "" : rest.slice(slash)
  }
  return { scheme, authority, path: rest, query, fragment }
}

const build = (
  scheme: string,
  authority: string,
  path: string,
  query: string | undefined,
  fragment: string | undefined
): string =>
  `${scheme}://${authority}${path}${query === undefined || query === "" ? "" : "?" + query}${
    fragment === undefined || fragment === "" ? "" : "#" + fragment
  }`

/** @internal */
export const resolve = (base: UrlImpl, reference: string): Either.Either<UrlImpl, InvalidRequest> => {
  const ref = splitReference(reference.trim())
  if (ref.scheme !== undefined && ref.scheme !== base.scheme && ref.authority === undefined) {
    // "mailto:x", "data:…": not something an HTTP client can follow.
    return Either.left(invalidUrl(`the reference "${reference}" has a scheme but no authority`))
  }
  const baseAuthority = formatUserinfo(base.user, base.password) + base.netloc
  let scheme = base.scheme
  let authority: string
  let path: string
  let query: string | undefined
  if (ref.scheme !== undefined && ref.authority !== undefined) {
    scheme = ref.scheme
    authority = ref.authority
    path = removeDotSegments(ref.path)
    query = ref.query
  } else if (ref.authority !== undefined) {
    // A network-path reference ("//host/x") keeps the base scheme.
    authority = ref.authority
    path = removeDotSegments(ref.path)
    query = ref.query
  } else {
    // RFC 3986 §5.2.2 allows a same-scheme "http:x" to be read as "x".
    authority = baseAuthority
    if (ref.path === "") {
      path = base.path
      query = ref.query ?? base.query
    } else {
      path = ref.path.startsWith("/")
        ? removeDotSegments(ref.path)
        : removeDotSegments(merge(base.netloc !== "", base.path, ref.path))
      query = ref.query
    }
  }
  return parse(build(scheme, authority, path, query, ref.fragment))
}
