/**
 * `Hackney.connect`: one connection, held by a scope, running requests one
 * at a time over keep-alive and re-dialling when the peer closed it
 * (hackney's `connect/send_request`).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type { Connection, ConnectionRequest, Options, Response, StreamingResponse, UrlInput } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type * as Url from "../../Url.js"
import type { Connection as Driver } from "../connection/connection.js"
import { oneShot, streaming } from "./execute.js"
import { describeValue } from "../options/rules.js"
import { resolve } from "./options.js"
import type { Resolved } from "./options.js"
import { annotate, checkMethod, dialSpec, prepare } from "./prepare.js"
import type { OpenFile, Prepared } from "./prepare.js"
import { toMillis } from "../options/rules.js"
import { withDeadline } from "./deadline.js"
import * as shorthands from "./shorthands.js"
import type { ConnectionSource } from "../engine/source.js"
import { direct } from "../engine/source.js"
import { currentWheel } from "../timer/wheel.js"

/** @internal */
export const make = (
  base: Url.Url,
  href: string,
  r: Resolved,
  openFile: OpenFile
): Effect.Effect<Connection, HackneyError, Scope.Scope> =>
  Effect.gen(function*() {
    const lock = yield* Effect.makeSemaphore(1)
    let current: Driver | undefined
    const source: ConnectionSource = {
      // The dial and taking its connection are one step (only the connect inside is interruptible): an
      // interruption while an HTTP/2 session waits for the server's SETTINGS would otherwise land between
      // the two, and the connection, held by no one, would stay open.
      checkout: (spec, ctx) =>
        current !== undefined && current.isAvailable
          ? Effect.succeed(current)
          : Effect.uninterruptible(Effect.tap(direct.checkout(spec, ctx), (c) => {
            current = c
          })),
      checkin: (conn, reusable) => {
        if (!reusable) {
          conn.close()
          if (current === conn) current = undefined
        }
      }
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => current?.close()))
    const options: Options = r.options
    // Dial now, so connect errors surface at connect time (as hackney:connect); `timeout` bounds it too.
    const dial = source.checkout(dialSpec(base, r), { checkoutTimeout: Infinity, method: "CONNECT", url: href })
    const total = options.timeout === undefined ? Infinity : toMillis(options.timeout)!
    yield* total === Infinity ? dial : withDeadline(dial, total, "head", "CONNECT", href)
    /** Runs a request of this connection: its options over the connection's, shorthands (query, json, timeout) applied. */
    const exchange = <A, R>(
      req: ConnectionRequest,
      mode: shorthands.Mode,
      run: (p: Prepared) => Effect.Effect<A, HackneyError, R>
    ): Effect.Effect<A, HackneyError, R> =>
      Effect.suspend(() => {
        const bad = checkRequest(req, href)
        if (bad !== undefined) return Effect.fail(bad)
        const target = req.path ?? "/"
        const url = `${base.scheme}://${base.netloc}${target.startsWith("/") ? target : `/${target}`}`
        const o: Options = {
          ...options,
          ...(req.headers !== undefined ? { headers: req.headers } : {}),
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.query !== undefined ? { query: req.query } : {}),
          ...(req.json !== undefined ? { json: req.json } : {}),
          ...(req.timeout !== undefined ? { timeout: req.timeout } : {})
        }
        const send = (u: UrlInput, opts: Options) =>
          Either.match(prepare(req.method, u, opts, openFile), { onLeft: Effect.fail, onRight: run })
        const valid = resolve(o)
        if (valid instanceof InvalidRequest) return Effect.fail(annotate(valid, req.method, url))
        return shorthands.hasShorthands(o) ? shorthands.run(req.method, url, o, mode, send) : send(url, o)
      })
    const conn: Connection = {
      request: (req) =>
        lock.withPermits(1)(
          exchange(req, "response", (p) => Effect.flatMap(currentWheel, (wheel) => oneShot(p, source, wheel)))
        ) as Effect.Effect<Response, HackneyError>,
      stream: (req) =>
        Effect.flatMap(
          Effect.acquireRelease(lock.take(1), () => lock.release(1)),
          () => exchange(req, "head", (p) => Effect.flatMap(currentWheel, (wheel) => streaming(p, source, wheel)))
        ) as Effect.Effect<StreamingResponse, HackneyError, Scope.Scope>,
      // A connection the peer closed has no peer any more (Node keeps the old address).
      peername: Effect.sync(() => (current !== undefined && current.status !== "closed" ? current.info.peername : undefined)),
      sockname: Effect.sync(() => (current !== undefined && current.status !== "closed" ? current.info.sockname : undefined)),
      peercert: Effect.sync(() => current?.info.peercert),
      close: Effect.sync(() => {
        current?.close()
        current = undefined
      })
    }
    return conn
  })

/** Fails a request of a JavaScript caller that is not a `ConnectionRequest` (its headers and body are checked by `prepare`). */
const checkRequest = (req: unknown, href: string): InvalidRequest | undefined => {
  if (typeof req !== "object" || req === null) {
    return new InvalidRequest({ reason: "option", detail: `the request is ${describeValue(req)}; give { method, path?, headers?, body? }`, url: href })
  }
  const { method, path } = req as { readonly method?: unknown; readonly path?: unknown }
  const badMethod = checkMethod(method, href)
  if (badMethod !== undefined) return badMethod
  if (typeof method === "string" && path !== undefined && typeof path !== "string") {
    return new InvalidRequest({ reason: "target", detail: `the path is ${describeValue(path)}; give a string such as "/items?page=2"`, method, url: href })
  }
  return undefined
}
