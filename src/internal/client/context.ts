/**
 * What a request takes from its fiber's context when its options do not say:
 * the connection source (`pool: false`, a named or given pool, the `Pool` in
 * context, or the process-wide "default") and the cookie jar (the option,
 * else the `CookieJar` in context).
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as CookieJar from "../../CookieJar.js"
import type { Options } from "../../Hackney.js"
import * as Pool from "../../Pool.js"
import { CookieJar as CookieJarService } from "../cookie/service.js"
import { sourceFor } from "../engine/source.js"
import type { ConnectionSource } from "../engine/source.js"

const noPool = (): undefined => undefined
const noJar = (): undefined => undefined

/** The connection source of a request. @internal */
export const sourceOf = (options: Options, ctx: Context.Context<never>): ConnectionSource =>
  sourceFor(
    options.pool,
    options.pool === undefined ? Context.getOrElse(ctx as Context.Context<Pool.Pool>, Pool.Pool, noPool) : undefined
  )

/** The cookie jar of a request: the option (`false`: none), else the CookieJar in context. @internal */
export const jarOf = (options: Options, ctx: Context.Context<never>): CookieJar.CookieJar | undefined => {
  const jar = options.cookieJar
  if (jar === false) return undefined
  if (jar !== undefined) return jar
  return Context.getOrElse(ctx as Context.Context<CookieJar.CookieJar>, CookieJarService, noJar)
}
