/**
 * The `Url` value: fields, scheme table, constructor and formatter.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type { TypeId as PublicTypeId, Url } from "../../Url.js"
import { urlencode } from "./percent.js"

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-hackney/Url")

/** @internal */
export type TypeId = typeof TypeId

/** @internal */
export type Transport = "tcp" | "tls" | "unix" | "socks5"

/** The fields of the public `Url` (without its brand and `pipe`). @internal */
export type Fields = Omit<Url, PublicTypeId | "pipe">

/** @internal */
export interface SchemeInfo {
  readonly transport: Transport
  readonly port: number
}

/** The schemes hackney knows, with their transport and default port. @internal */
export const knownSchemes: Readonly<Record<string, SchemeInfo>> = {
  http: { transport: "tcp", port: 80 },
  https: { transport: "tls", port: 443 },
  ws: { transport: "tcp", port: 80 },
  wss: { transport: "tls", port: 443 },
  "http+unix": { transport: "unix", port: 0 },
  socks5: { transport: "socks5", port: 1080 }
}

/** @internal */
export const schemeInfo = (scheme: string): SchemeInfo | undefined =>
  Object.prototype.hasOwnProperty.call(knownSchemes, scheme) ? knownSchemes[scheme] : undefined

/** The default port of a scheme, 0 for unknown schemes. @internal */
export const defaultPort = (scheme: string): number => schemeInfo(scheme)?.port ?? 0

const encodeUserinfo = (text: string): string => {
  const encoded = urlencode(text, { noplus: true })
  return encoded.indexOf("@") === -1 ? encoded : encoded.replace(/@/g, "%40")
}

/** `user[:password]@`, url-encoded (space as `%20`, `@` as `%40`), or `""`. @internal */
export const formatUserinfo = (user: string, password: string): string => {
  if (user === "" && password === "") return ""
  const u = encodeUserinfo(user)
  return password === "" ? `${u}@` : `${u}:${encodeUserinfo(password)}@`
}

/** @internal */
export const formatFields = (url: Fields, withUserinfo: boolean): string =>
  url.scheme + "://" + (withUserinfo ? formatUserinfo(url.user, url.password) : "") + url.netloc + url.path +
  (url.query === "" ? "" : "?" + url.query) + (url.fragment === "" ? "" : "#" + url.fragment)

/** @internal */
export const rawPathOf = (path: string, query: string, fragment: string): string =>
  path + (query === "" ? "" : "?" + query) + (fragment === "" ? "" : "#" + fragment)

/** @internal */
export class UrlImpl extends Data.Class<Fields> {
  declare readonly [TypeId]: TypeId
  pipe(...fns: ReadonlyArray<(a: any) => any>): unknown {
    return fns.reduce((value: unknown, f) => f(value), this)
  }
  /** The URL with its userinfo removed, safe to log. */
  override toString(): string {
    return formatFields(this, false)
  }
  /** The fields, with a non-empty password replaced by `"<redacted>"`. */
  toJSON(): unknown {
    return {
      _id: "Url",
      scheme: this.scheme,
      transport: this.transport,
      user: this.user,
      password: this.password === "" ? "" : "<redacted>",
      host: this.host,
      port: this.port,
      netloc: this.netloc,
      path: this.path,
      query: this.query,
      fragment: this.fragment,
      rawPath: this.rawPath
    }
  }
}
Object.defineProperty(UrlImpl.prototype, TypeId, { value: TypeId })

/** @internal */
export const isUrl = (u: unknown): u is UrlImpl =>
  typeof u === "object" && u !== null && (u as Record<PropertyKey, unknown>)[TypeId] === TypeId

/** @internal */
export const fromFields = (fields: Fields): UrlImpl => new UrlImpl(fields)

/** The plain fields of a `Url`. @internal */
export const fieldsOf = (url: Fields): Fields => ({
  scheme: url.scheme,
  transport: url.transport,
  user: url.user,
  password: url.password,
  host: url.host,
  port: url.port,
  netloc: url.netloc,
  path: url.path,
  query: url.query,
  fragment: url.fragment,
  rawPath: url.rawPath
})
