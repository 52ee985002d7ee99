/**
 * What a request may be sent to: an absolute `http`, `https` or
 * `http+unix` URL, given as a string, a `Url` or a WHATWG `URL`. Everything
 * else — another scheme (`ws`, `socks5`, `ftp`, `file`), a URI without an
 * authority (`mailto:x@host`, `data:…`), a relative reference — fails with
 * `InvalidRequest` before any I/O. Every entry point goes through here:
 * requests, streams, writers, connections, redirects.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidRequest } from "../../HackneyError.js"
import * as Url from "../../Url.js"
import { describeValue } from "../options/rules.js"

/** The schemes a request can use. @internal */
export const requestSchemes: ReadonlySet<string> = new Set(["http", "https", "http+unix"])

/** A URL a request was given: text, a parsed `Url`, or a WHATWG `URL`. @internal */
export type Input = string | Url.Url | URL

/** Fails a URL whose scheme cannot be requested. @internal */
export const checkScheme = (url: Url.Url): InvalidRequest | undefined =>
  requestSchemes.has(url.scheme) ? undefined : new InvalidRequest({
    reason: "scheme",
    detail: `the scheme "${url.scheme}" cannot be requested; use an http, https or http+unix URL`
  })

// `scheme:` at the start of a URI; what follows tells an authority (`//`) or a port (`host:8080`) from a URI without one.
const schemePrefix = /^([A-Za-z][A-Za-z0-9+.-]*):/
const portThenPath = /^\d+(?:[/?#]|$)/

/**
 * Fails text that is not an absolute URL although hackney's lenient parser
 * would read it as a scheme-less `http` one: a relative reference (`/x`,
 * `./x`, `?q`) or a URI with a scheme and no `//` (`mailto:x@host`,
 * `file:/etc/passwd`, `http:/x`). `host`, `host:port/path` stay valid.
 *
 * @internal
 */
export const checkText = (input: string): InvalidRequest | undefined => {
  const text = input.trim()
  const first = text.charCodeAt(0)
  // "/", ".", "?", "#"
  if (first === 0x2f || first === 0x2e || first === 0x3f || first === 0x23) {
    return new InvalidRequest({
      reason: "url",
      detail: `${JSON.stringify(input)} is a relative URL; give an absolute one such as http://host/path`
    })
  }
  const m = schemePrefix.exec(text)
  if (m === null) return undefined
  const rest = text.slice(m[0].length)
  if (rest.startsWith("//") || portThenPath.test(rest)) return undefined
  const scheme = m[1].toLowerCase()
  return requestSchemes.has(scheme)
    ? new InvalidRequest({
      reason: "url",
      detail: `${JSON.stringify(input)} has no "//" after "${scheme}:"; write ${scheme}://host/path`
    })
    : new InvalidRequest({
      reason: "scheme",
      detail: `the scheme "${scheme}" of ${
        JSON.stringify(input)
      } cannot be requested; use an http, https or http+unix URL (credentials go in http://user:password@host)`
    })
}

const isWhatwgUrl = (u: unknown): u is URL => typeof URL !== "undefined" && u instanceof URL

/**
 * The URL of a request as text or a `Url` (a WHATWG `URL` becomes its
 * `href`), or the error when it is of another type.
 *
 * @internal
 */
export const inputOf = (input: unknown): string | Url.Url | InvalidRequest =>
  typeof input === "string" || Url.isUrl(input)
    ? input
    : isWhatwgUrl(input)
    ? input.href
    : new InvalidRequest({
      reason: "url",
      detail: `the URL is ${describeValue(input)}; give a string, a Url or a URL`
    })

/**
 * Parses the text of a request URL and checks it can be requested.
 *
 * @internal
 */
export const parse = (input: string): Either.Either<Url.Url, InvalidRequest> => {
  const bad = checkText(input)
  if (bad !== undefined) return Either.left(bad)
  return Either.flatMap(Url.parse(input), (url) => {
    const e = checkScheme(url)
    return e === undefined ? Either.right(url) : Either.left(e)
  })
}

/** `input` (any request URL) as a checked `Url`. @internal */
export const toUrl = (input: unknown): Either.Either<Url.Url, InvalidRequest> => {
  const i = inputOf(input)
  if (i instanceof InvalidRequest) return Either.left(i)
  if (typeof i === "string") return parse(i)
  const e = checkScheme(i)
  return e === undefined ? Either.right(i) : Either.left(e)
}
