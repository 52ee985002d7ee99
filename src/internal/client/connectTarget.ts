/**
 * The URL `Hackney.connect` connects to: a URL (text, a WHATWG `URL` or a
 * `Url`) or a `ConnectTarget` `{ transport, host, port }` as hackney's
 * `connect(Transport, Host, Port)`; a JavaScript caller's wrong type fails
 * typed.
 *
 * @internal
 */
import type { ConnectTarget } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import * as Url from "../../Url.js"
import { describeValue } from "../options/rules.js"
import * as RequestUrl from "./requestUrl.js"

const targetUrl = (t: ConnectTarget): string => {
  if (t.transport === "unix") return `http+unix://${encodeURIComponent(t.host)}`
  const host = t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host
  const scheme = t.transport === "tls" ? "https" : "http"
  return t.port === undefined ? `${scheme}://${host}` : `${scheme}://${host}:${t.port}`
}

const badTarget = (detail: string) => new InvalidRequest({ reason: "url", detail, method: "CONNECT" })

/** The URL text of a `connect` target (a JavaScript caller's wrong type fails typed). @internal */
export const connectUrl = (target: unknown): string | InvalidRequest => {
  if (typeof target !== "object" || target === null || target instanceof URL || Url.isUrl(target)) {
    const i = RequestUrl.inputOf(target)
    if (i instanceof InvalidRequest) {
      return badTarget(`the connect target is ${describeValue(target)}; give a URL (a string, a Url or a URL) or a ConnectTarget`)
    }
    return typeof i === "string" ? i : Url.format(i)
  }
  const t = target as Partial<Record<keyof ConnectTarget, unknown>>
  if (t.transport !== "tcp" && t.transport !== "tls" && t.transport !== "unix") {
    return badTarget(`the connect target's transport is ${describeValue(t.transport)}; give "tcp", "tls" or "unix"`)
  }
  if (typeof t.host !== "string" || t.host === "") {
    return badTarget(`the connect target's host is ${describeValue(t.host)}; give a host name, an IP address or a socket path`)
  }
  if (t.port !== undefined && !(typeof t.port === "number" && Number.isInteger(t.port) && t.port >= 0 && t.port <= 65535)) {
    return badTarget(`the connect target's port is ${describeValue(t.port)}; give an integer from 0 to 65535`)
  }
  return targetUrl(target as ConnectTarget)
}
