/**
 * The package version and the default `User-Agent` (hackney sends
 * `hackney/<vsn>`). A test checks it against package.json.
 *
 * @internal
 */

/** @internal */
export const version = "0.1.0"

/** @internal */
export const userAgent = `effect-hackney/${version}`
