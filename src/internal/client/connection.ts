/**
 * `Hackney.connect`: one connection, held by a scope, running requests one
 * at a time over keep-alive and re-dialling when the peer closed it
 * (hackney's `connect/send_request`).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Connection, ConnectionRequest, Options, Response, StreamingResponse } from "../../Hackney.js"
import { InvalidRequest } from "../../HackneyError.js"
import type { HackneyError } from "../../HackneyError.js"
import type * as Url from "../../Url.js"
import type { H1Connection } from "../connection/h1Connection.js"
import { oneShot, streaming } from "./execute.js"
import { describeValue } from "../options/rules.js"
import type { Resolved } from "./options.js"
import { checkMethod, dialSpec, prepare } from "./prepare.js"
import type { OpenFile } from "./prepare.js"
import type { ConnectionSource } from "./source.js"
import { direct } from "./source.js"
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
    let current: H1Connection | undefined
    const source: ConnectionSource = {
      checkout: (spec, ctx) =>
        current !== undefined && current.isAvailable
          ? Effect.succeed(current)
          : Effect.tap(direct.checkout(spec, ctx), (c) => {
            current = c
          }),
      checkin: (conn, reusable) => {
        if (!reusable) {
          conn.close()
          if (current === conn) current = undefined
        }
      }
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => current?.close()))
    // Dial now, so connect errors surface at connect time (as hackney:connect).
    yield* source.checkout(dialSpec(base, r), { checkoutTimeout: Infinity, method: "CONNECT", url: href })
    const options: Options = r.options
    const prepared = (req: ConnectionRequest) =>
      Effect.suspend(() => {
        const bad = checkRequest(req, href)
        if (bad !== undefined) return Effect.fail(bad)
        const target = req.path ?? "/"
        const url = `${base.scheme}://${base.netloc}${target.startsWith("/") ? target : `/${target}`}`
        return prepare(req.method, url, {
          ...options,
          ...(req.headers !== undefined ? { headers: req.headers } : {}),
          ...(req.body !== undefined ? { body: req.body } : {})
        }, openFile)
      })
    const conn: Connection = {
      request: (req) =>
        lock.withPermits(1)(
          Effect.flatMap(prepared(req), (p) => Effect.flatMap(currentWheel, (wheel) => oneShot(p, source, wheel)))
        ) as Effect.Effect<Response, HackneyError>,
      stream: (req) =>
        Effect.flatMap(
          Effect.acquireRelease(lock.take(1), () => lock.release(1)),
          () => Effect.flatMap(prepared(req), (p) => Effect.flatMap(currentWheel, (wheel) => streaming(p, source, wheel)))
        ) as Effect.Effect<StreamingResponse, HackneyError, Scope.Scope>,
      // A connection the peer closed has no peer any more (Node keeps the old address).
      peername: Effect.sync(() => (current !== undefined && current.state !== "closed" ? current.peername : undefined)),
      sockname: Effect.sync(() => (current !== undefined && current.state !== "closed" ? current.sockname : undefined)),
      peercert: Effect.sync(() => current?.peercert),
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
