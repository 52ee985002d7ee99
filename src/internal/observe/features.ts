/**
 * What a pool adds to every request it serves besides connections: its
 * middleware and its metrics/tracing switches (`Pool.Options`). Requests read
 * them from their connection source; a pool without them has none (the bare
 * request path tests one field).
 *
 * @internal
 */
import type { Middleware } from "../../Middleware.js"
import { boolean, rule } from "../options/rules.js"
import type { Rule } from "../options/rules.js"

/** The observability switches, of requests and pools. @internal */
export interface Switches {
  readonly metrics?: boolean | undefined
  readonly tracing?: boolean | undefined
  readonly propagate?: boolean | undefined
}

/** A pool's request features; at least one is set. @internal */
export interface Features extends Switches {
  readonly middleware?: ReadonlyArray<Middleware> | undefined
}

/** The features of validated pool options, or undefined when they ask for none. @internal */
export const featuresOf = (o: Features): Features | undefined =>
  (o.middleware !== undefined && o.middleware.length > 0) || o.metrics === true || o.tracing === true || o.propagate !== undefined
    ? {
      ...(o.middleware !== undefined && o.middleware.length > 0 ? { middleware: o.middleware } : {}),
      ...(o.metrics !== undefined ? { metrics: o.metrics } : {}),
      ...(o.tracing !== undefined ? { tracing: o.tracing } : {}),
      ...(o.propagate !== undefined ? { propagate: o.propagate } : {})
    }
    : undefined

/** The rules of the feature options, by name (requests and pools). @internal */
export const featureRules: Readonly<Record<keyof Features, Rule>> = {
  middleware: rule(
    "an array of middleware functions ((request, next) => Effect)",
    (v) => Array.isArray(v) && v.every((f) => typeof f === "function")
  ),
  metrics: boolean,
  tracing: boolean,
  propagate: boolean
}
