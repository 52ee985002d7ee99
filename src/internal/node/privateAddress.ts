/**
 * Which IP addresses are not public: loopback, private (RFC 1918, unique
 * local), link-local, carrier-grade NAT, unspecified, multicast, reserved
 * and the like — what a redirect guarded against SSRF may not reach
 * (`engine/redirectGuard.ts`). The ranges live in one `net.BlockList`, which
 * also matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 ones.
 *
 * @internal
 */
import * as net from "node:net"

const nonPublic = new net.BlockList()
for (
  const [prefix, bits] of [
    ["0.0.0.0", 8], // "this network", unspecified
    ["10.0.0.0", 8], // private
    ["100.64.0.0", 10], // carrier-grade NAT
    ["127.0.0.0", 8], // loopback
    ["169.254.0.0", 16], // link-local (cloud metadata: 169.254.169.254)
    ["172.16.0.0", 12], // private
    ["192.0.0.0", 24], // IETF protocol assignments
    ["192.0.2.0", 24], // documentation
    ["192.168.0.0", 16], // private
    ["198.18.0.0", 15], // benchmarking
    ["198.51.100.0", 24], // documentation
    ["203.0.113.0", 24], // documentation
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4] // reserved, broadcast
  ] as const
) nonPublic.addSubnet(prefix, bits, "ipv4")
for (
  const [prefix, bits] of [
    ["::", 128], // unspecified
    ["::1", 128], // loopback
    ["64:ff9b:1::", 48], // local-use NAT64
    ["100::", 64], // discard
    ["2001:db8::", 32], // documentation
    ["fc00::", 7], // unique local
    ["fe80::", 10], // link-local
    ["fec0::", 10], // site-local (deprecated)
    ["ff00::", 8] // multicast
  ] as const
) nonPublic.addSubnet(prefix, bits, "ipv6")

/**
 * Whether `address` (an IP literal, IPv6 without brackets) is not a public
 * unicast address. Anything that is not an IP literal counts as not public.
 *
 * @internal
 */
export const isPrivateAddress = (address: string): boolean => {
  const family = net.isIP(address)
  if (family === 0) return true
  return nonPublic.check(address, family === 4 ? "ipv4" : "ipv6")
}

/**
 * Whether a URL's `host` names a non-public address before any lookup: an IP
 * literal in a non-public range, or `localhost` and its subdomains (RFC 6761).
 * A host name resolving to such an address is caught on the connected socket.
 *
 * @internal
 */
export const isPrivateHost = (host: string): boolean => {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  if (net.isIP(h) !== 0) return isPrivateAddress(h)
  const lower = h.toLowerCase().replace(/\.$/, "")
  return lower === "localhost" || lower.endsWith(".localhost")
}
