/**
 * A connection to an HTTP proxy that forwards `http:` requests (RFC 9112
 * §3.2.2): each request goes in absolute-form (`GET http://origin/path
 * HTTP/1.1`) with the proxy's `Proxy-Authorization`, and a 407 answer is the
 * proxy's refusal (`ProxyError`), not the origin's response.
 *
 * @internal
 */
import type { ProxyError } from "../../HackneyError.js"
import { encodeCheckedHead } from "../http1/encoder.js"
import type { ResponseHead } from "../http1/types.js"
import { proxyRefusal } from "../proxy/refusal.js"
import type { RequestHead } from "./connection.js"

/** The HTTP proxy a connection forwards through. @internal */
export interface ForwardProxy {
  /** The proxy URL without credentials, for errors. */
  readonly proxy: string
  /** The whole `Proxy-Authorization` value, when credentials are given. */
  readonly authorization?: string | undefined
}

/**
 * The HTTP/1.1 head of `head` through `forward`: the absolute-form target
 * (`http://authority/path`; `OPTIONS *` becomes `http://authority`) and the
 * proxy's credentials in place of any the caller set.
 *
 * @internal
 */
export const forwardHead = (head: RequestHead, forward: ForwardProxy): string => {
  const target = head.target === "*" ? `http://${head.authority}` : `http://${head.authority}${head.target}`
  let raw = head.rawHeaders
  if (forward.authorization !== undefined) {
    const out: Array<string> = []
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].toLowerCase() !== "proxy-authorization") out.push(raw[i], raw[i + 1])
    }
    out.push("Proxy-Authorization", forward.authorization)
    raw = out
  }
  return encodeCheckedHead(head.method, target, head.authority, raw, head.bodySize)
}

/** The proxy's refusal in a response head (a 407), or `undefined` for the origin's response. @internal */
export const forwardRefusal = (
  head: ResponseHead,
  forward: ForwardProxy,
  method: string,
  url: string
): ProxyError | undefined =>
  head.status === 407 ? proxyRefusal(head, forward.proxy, forward.authorization !== undefined, { method, url }, false) : undefined
