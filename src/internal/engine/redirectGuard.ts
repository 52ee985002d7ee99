/**
 * The opt-in SSRF guard of redirects (`blockPrivateRedirects` of `Hackney`,
 * `HackneyHttpClient.followRedirects({ blockPrivateRedirects })`): a
 * {@link ConnectionSource} wrapper the redirect loops put under every hop
 * after the first. It refuses a target whose host is a non-public IP literal
 * or `localhost` before dialling, and — the DNS-rebinding defence — checks
 * the address the connection is actually connected to before any byte of the
 * request is written (a name that resolved to a public address when checked
 * and to a private one when dialled is still caught; so is a pooled
 * connection). Through an explicit `proxy` the proxy resolves the name: only
 * the host is checked then.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { InvalidRequest, redactUrl } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type { Connection } from "../connection/connection.js"
import { isPrivateAddress, isPrivateHost } from "../node/privateAddress.js"
import type { CheckoutContext, DialSpec } from "../pool/pool.js"
import type { ConnectionSource } from "./source.js"

/**
 * The guard's option, a part of `Hackney.Options`.
 *
 * @internal
 */
export interface RedirectGuardOptions {
  /**
   * Refuse redirects to loopback, private (RFC 1918, unique local),
   * link-local (cloud metadata), carrier-grade NAT and other non-public
   * addresses: the chain fails with `InvalidRequest` (reason
   * `"private-address"`, found `"redirect"`) and nothing is sent there. The
   * check is on the address the connection is actually connected to (so a
   * name resolving to a private address, or rebinding to one, is caught), and
   * on the host before dialling; through an explicit `proxy` (which resolves
   * names itself) only the host is checked. The first request is never
   * checked. Default `false`. See docs/security.md.
   */
  readonly blockPrivateRedirects?: boolean | undefined
}

/**
 * The mark a redirect loop over the `HttpClient` adapter puts on the request
 * options in context (`HackneyHttpClient.RequestOptions`) of its hops: the
 * adapter then checks the hop's connection out through {@link guardedSource}.
 *
 * @internal
 */
export const guardMark: unique symbol = Symbol.for("effect-hackney/blockPrivateRedirects")

/** The error of a refused redirect: nothing was sent to `where`. @internal */
export const privateRedirect = (ctx: CheckoutContext, where: string): InvalidRequest =>
  new InvalidRequest({
    reason: "private-address",
    detail: `the redirect to ${ctx.url === undefined ? "its target" : redactUrl(ctx.url)} leads to ${where}, a ` +
      `loopback, private or link-local address, and blockPrivateRedirects refuses those ` +
      `(nothing was sent there; leave the option unset to follow such redirects)`,
    method: ctx.method,
    url: ctx.url,
    found: "redirect"
  })

/** Where a spec's target is, for the error. */
const hostOf = (spec: DialSpec): string => spec.transport === "unix" ? `the Unix socket ${spec.host}` : spec.host

/**
 * `source` with the guard: checkouts for a non-public target fail with
 * `InvalidRequest` (reason `"private-address"`, found `"redirect"`), and a
 * connection to one goes back to the pool unused.
 *
 * @internal
 */
export const guardedSource = (source: ConnectionSource): ConnectionSource => ({
  checkout: (spec, ctx): Effect.Effect<Connection, HackneyError> => {
    if (spec.transport === "unix" || isPrivateHost(spec.host)) return Effect.fail(privateRedirect(ctx, hostOf(spec)))
    if (spec.proxy !== undefined) return source.checkout(spec, ctx)
    return Effect.flatMap(source.checkout(spec, ctx), (conn) => {
      const address = conn.info.remoteAddress
      if (address !== undefined && !isPrivateAddress(address)) return Effect.succeed(conn)
      // Nothing was begun on it: an open connection stays reusable (an HTTP/2 session keeps its other streams).
      source.checkin(conn, address !== undefined && conn.status !== "closed")
      return Effect.fail(privateRedirect(ctx, address === undefined ? hostOf(spec) : `${spec.host} (${address})`))
    })
  },
  checkin: source.checkin,
  features: source.features
})
