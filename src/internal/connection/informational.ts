/**
 * Informational (1xx) responses kept per request, bounded the same way for
 * every driver.
 *
 * @internal
 */
import { ProtocolError } from "../../HackneyError.js"
import type { ResponseHead } from "./connection.js"
import type { Exchange } from "./exchange.js"

/**
 * Informational (1xx) responses accepted before a final one, per request. Each
 * resets the inactivity timeout (that is what `102 Processing` is for), so
 * without a bound a server could hold a request forever. 100, as Ruby's
 * net-http and fasthttp.
 *
 * @internal
 */
export const maxInformational = 100

/** Bytes of informational heads (start line and header lines) kept per request. @internal */
export const maxInformationalBytes = 64 * 1024

/**
 * Records the informational `head` on `ex`; the `ProtocolError` to fail the
 * request with when it is one too many (in number or bytes).
 *
 * @internal
 */
export const addInformational = (ex: Exchange, head: ResponseHead): ProtocolError | undefined => {
  // The head's size on the wire, near enough: "HTTP/1.1 1xx reason\r\n", "name: value\r\n" each, "\r\n".
  let size = 15 + head.reason.length
  const raw = head.rawHeaders
  for (let i = 0; i < raw.length; i += 2) size += raw[i].length + raw[i + 1].length + 4
  ex.informationalBytes += size
  if (ex.informational.length >= maxInformational || ex.informationalBytes > maxInformationalBytes) {
    return new ProtocolError({
      method: ex.method,
      url: ex.url,
      reason: "too-many-informational",
      detail: ex.informational.length >= maxInformational
        ? `more than ${maxInformational} informational (1xx) responses before the final one`
        : `more than ${maxInformationalBytes} bytes of informational (1xx) responses before the final one`
    })
  }
  ex.informational.push(head)
  return undefined
}
