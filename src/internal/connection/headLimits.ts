/**
 * The response-head limits as request and pool options (`maxHeaderSize`,
 * `maxHeaderCount`, `maxStartLineLength`), resolved into the parser's
 * {@link HeadLimits}: a request's limits override its pool's, field by
 * field; a pool's default to the parser's. The values are validated with
 * the other options (`../options/rules.ts`: an integer from 1).
 *
 * @internal
 */
import { defaultHeadLimits } from "../http1/types.js"
import type { HeadLimits } from "../http1/types.js"
import { count } from "../options/rules.js"
import type { Rule } from "../options/rules.js"

/** The head-limit options, as request and pool options spell them. @internal */
export interface HeadLimitOptions {
  readonly maxHeaderSize?: number | undefined
  readonly maxHeaderCount?: number | undefined
  readonly maxStartLineLength?: number | undefined
}

/** The option rules of the head limits (request and pool options alike). @internal */
export const headLimitRules: Readonly<Record<keyof HeadLimitOptions, Rule>> = {
  maxHeaderSize: count(1, undefined),
  maxHeaderCount: count(1, undefined),
  maxStartLineLength: count(1, undefined)
}

const setsNone = (o: HeadLimitOptions): boolean =>
  o.maxHeaderSize === undefined && o.maxHeaderCount === undefined && o.maxStartLineLength === undefined

/**
 * A pool's head limits from its (validated) options: the parser defaults
 * for the fields it leaves out.
 *
 * @internal
 */
export const poolHeadLimits = (o: HeadLimitOptions): HeadLimits =>
  setsNone(o) ? defaultHeadLimits : {
    maxStartLineLength: o.maxStartLineLength ?? defaultHeadLimits.maxStartLineLength,
    maxHeaderSize: o.maxHeaderSize ?? defaultHeadLimits.maxHeaderSize,
    maxHeaderCount: o.maxHeaderCount ?? defaultHeadLimits.maxHeaderCount
  }

/** What a request sets, to lay over its connection's limits; memoises the result per connection limits. @internal */
export interface RequestLimits {
  readonly own: HeadLimitOptions
  readonly byPool: WeakMap<HeadLimits, HeadLimits>
}

/**
 * A request's head limits from its (validated) options: `undefined` when it
 * sets none (its connection's pool decides). Built once per options object
 * by the request-options resolution.
 *
 * @internal
 */
export const requestHeadLimits = (o: HeadLimitOptions): RequestLimits | undefined =>
  setsNone(o) ? undefined : {
    own: { maxHeaderSize: o.maxHeaderSize, maxHeaderCount: o.maxHeaderCount, maxStartLineLength: o.maxStartLineLength },
    byPool: new WeakMap()
  }

/**
 * The limits for one response: the request's laid over the connection's
 * (its pool's); the same object for the same pair, so the request path
 * allocates nothing after the first response.
 *
 * @internal
 */
export const effectiveHeadLimits = (request: RequestLimits | undefined, pool: HeadLimits = defaultHeadLimits): HeadLimits => {
  if (request === undefined) return pool
  let l = request.byPool.get(pool)
  if (l === undefined) {
    const own = request.own
    l = {
      maxStartLineLength: own.maxStartLineLength ?? pool.maxStartLineLength,
      maxHeaderSize: own.maxHeaderSize ?? pool.maxHeaderSize,
      maxHeaderCount: own.maxHeaderCount ?? pool.maxHeaderCount
    }
    request.byPool.set(pool, l)
  }
  return l
}
