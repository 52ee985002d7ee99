/**
 * What an HTTP proxy's refusal means: the `ProxyError` for a non-success
 * answer to CONNECT, or a 407 to a forwarded (absolute-form) request. Pure.
 *
 * @internal
 */
import { ProxyError } from "../../HackneyError.js"
import type { ResponseHead } from "../http1/types.js"

/** Who asked, for error messages. */
interface Where {
  readonly method?: string | undefined
  readonly url?: string | undefined
}

/** The values of one header in a head, joined with ", ". @internal */
export const headerValues = (head: ResponseHead, name: string): string => {
  const out: Array<string> = []
  for (let i = 0; i < head.rawHeaders.length; i += 2) {
    if (head.rawHeaders[i]!.toLowerCase() === name) out.push(head.rawHeaders[i + 1]!)
  }
  return out.join(", ")
}

/**
 * The `ProxyError` for a non-success answer of an HTTP proxy (to CONNECT or
 * to an absolute-form request): 407 → `auth-required` (no credentials
 * sent) or `auth-failed`, with the `Proxy-Authenticate` challenge; a 401 to
 * CONNECT likewise (only the proxy can answer it, and tinyproxy answers a
 * wrong password so, with `WWW-Authenticate`); anything else
 * `invalid-response` with the status.
 *
 * @internal
 */
export const proxyRefusal = (
  head: ResponseHead,
  proxy: string,
  sentCredentials: boolean,
  where: Where,
  toConnect = true
): ProxyError =>
  head.status === 407 || (toConnect && head.status === 401)
    ? new ProxyError({
      ...where,
      proxy,
      reason: sentCredentials ? "auth-failed" : "auth-required",
      status: head.status,
      detail: headerValues(head, head.status === 407 ? "proxy-authenticate" : "www-authenticate") ||
        "no authentication challenge"
    })
    : new ProxyError({
      ...where,
      proxy,
      reason: "invalid-response",
      status: head.status,
      detail: `the proxy answered ${head.status}${head.reason ? ` ${head.reason}` : ""}`
    })
