/**
 * Protocol selection: the `protocols` option (ALPN ids, hackney's aliases)
 * turned into what is offered over TLS, and the one place that knows which
 * protocols have a driver. Pure.
 *
 * - `https://`: the list is offered over ALPN, in its order; the server
 *   picks. Default `["h2", "http/1.1"]`.
 * - `http://` (and Unix sockets): no negotiation exists, so the first entry
 *   of an explicit list is spoken with prior knowledge (`["h2", …]` is h2c,
 *   RFC 9113 §3.3; no `Upgrade: h2c`). Default HTTP/1.1.
 * - `"h3"` (hackney's `"http3"`) is never in the default: HTTP/3 runs over
 *   QUIC (UDP), so it is not offered over TLS. For `https://`: `["h3"]`
 *   alone forces HTTP/3 (`forcedH3`); first in a list with TCP protocols
 *   it is preferred (QUIC raced against TCP from the first dial,
 *   `preferredH3`); later in the list it is for Alt-Svc discovery. Over
 *   `http://` it is skipped.
 *
 * @internal
 */

/** The ALPN ids this client has a connection driver for, in preference order. @internal */
export const driven: ReadonlyArray<string> = ["h2", "http/1.1"]

/** What is offered over TLS when `protocols` is not given. @internal */
export const defaultOffer: ReadonlyArray<string> = driven

/** What `protocols` may name: ALPN ids and hackney's names for them. */
const known: Readonly<Record<string, string>> = {
  "http/1.1": "http/1.1",
  http1: "http/1.1",
  h2: "h2",
  http2: "h2",
  h3: "h3",
  http3: "h3"
}

/**
 * The ALPN list to offer for a `protocols` option value, in the caller's
 * order, aliases resolved, duplicates removed; or a sentence saying what is
 * wrong with the value.
 *
 * @internal
 */
export const alpnOffer = (protocols: ReadonlyArray<string> | undefined): ReadonlyArray<string> | string => {
  if (protocols === undefined) return defaultOffer
  if (!Array.isArray(protocols) || protocols.length === 0) {
    return `protocols must be a non-empty array of "http/1.1", "h2" or "h3" (hackney's "http1", "http2", "http3" too)`
  }
  const offer: Array<string> = []
  for (const p of protocols as ReadonlyArray<unknown>) {
    const id = typeof p === "string" ? known[p.toLowerCase()] : undefined
    if (id === undefined) return `unknown protocol ${JSON.stringify(p)} in protocols: use "http/1.1", "h2" or "h3"`
    if (!offer.includes(id)) offer.push(id)
  }
  return offer
}

/**
 * Whether a connection without ALPN (plain TCP, a Unix socket) speaks
 * HTTP/2 with prior knowledge: the first protocol of an explicit list is h2.
 *
 * @internal
 */
export const priorKnowledgeH2 = (offered: ReadonlyArray<string> | undefined): boolean =>
  offered !== undefined && (offered[0] === "h2" || (offered[0] === "h3" && offered[1] === "h2"))

/**
 * What is offered over TLS on TCP: the list without `"h3"` (which runs
 * over QUIC, never negotiated on TCP). Empty when the list is only h3.
 *
 * @internal
 */
export const tcpOffer = (offered: ReadonlyArray<string>): ReadonlyArray<string> =>
  offered.includes("h3") ? offered.filter((p) => p !== "h3") : offered

/**
 * Whether a connection is HTTP/3 forced: `https` (TLS) and a `protocols`
 * list of `"h3"` only. The dial is then QUIC, with no fallback.
 *
 * @internal
 */
export const forcedH3 = (transport: "tcp" | "tls" | "unix", offered: ReadonlyArray<string> | undefined): boolean =>
  transport === "tls" && offered !== undefined && offered[0] === "h3" && tcpOffer(offered).length === 0

/**
 * Whether HTTP/3 is preferred: `https` (TLS) and a `protocols` list that
 * starts with `"h3"` and names a TCP protocol too (`["h3", "h2",
 * "http/1.1"]`). The pool's dial then races QUIC to the origin against TCP
 * (after a head start) from the first connection on, and falls back.
 *
 * @internal
 */
export const preferredH3 = (transport: "tcp" | "tls" | "unix", offered: ReadonlyArray<string> | undefined): boolean =>
  transport === "tls" && offered !== undefined && offered[0] === "h3" && tcpOffer(offered).length > 0

/**
 * Whether a connection dialled with this offer may carry several requests at
 * once (HTTP/2 may be negotiated): the pool then lets requests share the
 * dial in progress.
 *
 * @internal
 */
export const mayMultiplex = (transport: "tcp" | "tls" | "unix", offered: ReadonlyArray<string> | undefined): boolean =>
  transport === "tls" ? (offered ?? defaultOffer).some((p) => p === "h2" || p === "h3") : priorKnowledgeH2(offered)
