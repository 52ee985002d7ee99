/**
 * Certificate verification outside Node's TLS stack, for transports whose
 * TLS library hands the peer's chain to a callback (QUIC: `@matrixai/quic`
 * verifies natively only DNS names, not IP SANs). The result is the same
 * decision as `tls.connect` over TCP: a chain to a trusted anchor (the
 * `ca` option, else Node's bundled roots), every certificate within its
 * validity period, issuers that are CAs allowed to sign (OpenSSL's
 * `X509_check_issued`), then the identity by Node's own
 * `tls.checkServerIdentity` (DNS names and IP SANs, as over TCP).
 *
 * @internal
 */
import { X509Certificate } from "node:crypto"
import * as tls from "node:tls"

/** Why a chain was refused, in the reasons of `TlsError`. @internal */
export interface VerifyFailure {
  readonly reason: "certificate" | "hostname"
  readonly detail: string
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The certificates of PEM text or DER bytes (one DER certificate, or PEM text as bytes). @internal */
export const parseCertificates = (input: string | Uint8Array | ReadonlyArray<string | Uint8Array>): Array<X509Certificate> => {
  const out: Array<X509Certificate> = []
  const items = typeof input === "string" || input instanceof Uint8Array ? [input] : input
  for (const item of items) {
    const text = typeof item === "string" ? item : Buffer.from(item).toString("latin1")
    const pems = text.match(PEM)
    if (pems !== null) for (const pem of pems) out.push(new X509Certificate(pem))
    else if (typeof item !== "string") out.push(new X509Certificate(Buffer.from(item)))
  }
  return out
}

let bundledRoots: Array<X509Certificate> | undefined
const roots = (): Array<X509Certificate> => (bundledRoots ??= parseCertificates(tls.rootCertificates))

const validNow = (c: X509Certificate, now: number): boolean =>
  Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo)

const issuedBy = (c: X509Certificate, issuer: X509Certificate): boolean => {
  try {
    return c.checkIssued(issuer) && c.verify(issuer.publicKey)
  } catch {
    return false
  }
}

/**
 * Verifies `chain` (the peer's certificates, leaf first, DER) for `name`
 * (a DNS name or an IP literal), trusting `ca` (PEM or DER) or, when
 * `undefined`, Node's bundled roots. `undefined` when it is trusted.
 *
 * @internal
 */
export const verifyPeerChain = (
  chain: ReadonlyArray<Uint8Array>,
  name: string,
  ca: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined,
  now: number = Date.now()
): VerifyFailure | undefined => {
  let certs: Array<X509Certificate>
  let anchors: Array<X509Certificate>
  try {
    certs = chain.map((der) => new X509Certificate(Buffer.from(der)))
    anchors = ca === undefined ? roots() : parseCertificates(ca)
  } catch (e) {
    return { reason: "certificate", detail: `a certificate could not be parsed: ${(e as Error).message}` }
  }
  if (certs.length === 0) return { reason: "certificate", detail: "the server sent no certificate" }
  const leaf = certs[0]
  let cert = leaf
  for (let depth = 0; depth <= certs.length; depth++) {
    if (!validNow(cert, now)) return { reason: "certificate", detail: `certificate "${cert.subject}" is expired or not yet valid` }
    if (anchors.some((a) => a.fingerprint256 === cert.fingerprint256)) break
    const anchor = anchors.find((a) => a.ca && issuedBy(cert, a))
    if (anchor !== undefined) {
      if (!validNow(anchor, now)) return { reason: "certificate", detail: `CA certificate "${anchor.subject}" is expired or not yet valid` }
      break
    }
    const next = certs.find((c) => c !== cert && c.ca && issuedBy(cert, c))
    if (next === undefined) return { reason: "certificate", detail: "unable to get local issuer certificate" }
    if (depth === certs.length) return { reason: "certificate", detail: "the certificate chain does not end at a trusted CA" }
    cert = next
  }
  const identity = tls.checkServerIdentity(name, leaf.toLegacyObject())
  return identity === undefined ? undefined : { reason: "hostname", detail: identity.message }
}
