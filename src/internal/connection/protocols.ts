/**
 * Protocol selection: the `protocols` option (ALPN ids, hackney's aliases)
 * turned into what is offered over TLS, and the one place that knows which
 * protocols have a driver. Pure.
 *
 * Until the HTTP/2 driver exists, `h2` is accepted in a list (so a list
 * written for later keeps working) but not offered: a server must never be
 * able to pick a protocol this client cannot speak.
 *
 * @internal
 */

/** The ALPN ids this client has a connection driver for, in preference order. @internal */
export const driven: ReadonlyArray<string> = ["http/1.1"]

/** What `protocols` may name: ALPN ids and hackney's names for them. */
const known: Readonly<Record<string, string>> = {
  "http/1.1": "http/1.1",
  http1: "http/1.1",
  h2: "h2",
  http2: "h2"
}

/**
 * The ALPN list to offer for a `protocols` option value, in the caller's
 * order, aliases resolved, duplicates and protocols without a driver removed;
 * or a sentence saying what is wrong with the value.
 *
 * @internal
 */
export const alpnOffer = (protocols: ReadonlyArray<string> | undefined): ReadonlyArray<string> | string => {
  if (protocols === undefined) return driven
  if (!Array.isArray(protocols) || protocols.length === 0) {
    return `protocols must be a non-empty array of "http/1.1" or "h2" (hackney's "http1", "http2" too)`
  }
  const offer: Array<string> = []
  for (const p of protocols as ReadonlyArray<unknown>) {
    const id = typeof p === "string" ? known[p.toLowerCase()] : undefined
    if (id === undefined) return `unknown protocol ${JSON.stringify(p)} in protocols: use "http/1.1" or "h2"`
    if (driven.includes(id) && !offer.includes(id)) offer.push(id)
  }
  if (offer.length === 0) {
    return `protocols ${JSON.stringify(protocols)} names only HTTP/2, which this version cannot speak yet: add "http/1.1"`
  }
  return offer
}
