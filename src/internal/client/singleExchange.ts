/**
 * The options of the feature path (redirects, cookies of a jar, decompression,
 * retries, middleware, spans and metrics) that `Hackney.open` and
 * `Hackney.connect` do not run — one exchange whose body the caller writes
 * (`open`), or requests on one connection (`connect`). Their types leave these
 * out; a JavaScript caller that passes one anyway gets a typed error instead of
 * an option silently ignored. `connect` also runs no progress callback.
 *
 * @internal
 */
import { InvalidRequest } from "../../HackneyError.js"
import type { Options } from "../../Hackney.js"

/** The feature path's options, which neither `open` nor `connect` runs. @internal */
export const featureOptions = [
  "followRedirect",
  "maxRedirect",
  "locationTrusted",
  "blockPrivateRedirects",
  "cookieJar",
  "autoDecompress",
  "retry",
  "retryNonIdempotent",
  "retryStatuses",
  "middleware",
  "tracing",
  "metrics",
  "propagate"
] as const

/** The feature path's option names (see {@link featureOptions}). @internal */
export type FeatureOption = typeof featureOptions[number]

const connectOnly = ["uploadProgress", "downloadProgress"] as const

/** What `connect` does not run: the features and the progress callbacks. @internal */
export type ConnectUnsupported = FeatureOption | typeof connectOnly[number]

const connectUnsupported: ReadonlyArray<ConnectUnsupported> = [...featureOptions, ...connectOnly]

/** A set option (`false` turns a feature off, so it is no request for it). */
const isSet = (v: unknown): boolean => v !== undefined && v !== false

/**
 * The first option `api` does not run that `options` sets, as a typed error;
 * undefined when none.
 *
 * @internal
 */
export const unsupported = (api: "open" | "connect", options: Options): InvalidRequest | undefined => {
  const keys = api === "open" ? featureOptions : connectUnsupported
  for (const key of keys) {
    if (isSet((options as Record<string, unknown>)[key])) {
      return new InvalidRequest({
        reason: "option",
        detail: `Hackney.${api} does not run the ${key} option (${
          api === "open" ? "one exchange whose body you write" : "requests on one connection"
        }); use Hackney.request or Hackney.stream for it, or remove it`
      })
    }
  }
  return undefined
}

/**
 * `options` without the feature options (for a client's defaults handed to
 * `open`, which are meant for its other verbs too); the same object when it
 * sets none.
 *
 * @internal
 */
export const withoutFeatures = (options: Options): Options => {
  if (!featureOptions.some((k) => (options as Record<string, unknown>)[k] !== undefined)) return options
  const out: Record<string, unknown> = { ...options }
  for (const k of featureOptions) delete out[k]
  return out as Options
}
