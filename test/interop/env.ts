/**
 * Where the interop peers are: reads `<state>/env.json`, written by `scripts/peers.sh up`
 * (state = `$HACKNEY_PEERS_DIR`, default `<repo>/.peers`). `HACKNEY_PEER*` variables already in
 * the environment (e.g. after `. .peers/env`) override the file.
 *
 * When the peers are absent the interop suites skip with a message saying how to start them,
 * unless `HACKNEY_INTEROP_REQUIRE=1` (set by `scripts/test-interop.sh`), which turns absence into
 * failures so CI cannot pass by skipping.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The peers `scripts/peers.sh` knows, by the name it reports in `HACKNEY_PEERS_UP`. */
export type PeerName = "httpbin" | "nginx" | "squid" | "tinyproxy" | "dante" | "microsocks" | "caddy" | "nghttpd" | "ngtcp2"

/** Peers every interop run needs; `caddy`, `nghttpd` and `ngtcp2` are extras that may be unavailable. */
export const corePeers: ReadonlyArray<PeerName> = ["httpbin", "nginx", "squid", "tinyproxy", "dante", "microsocks"]

/** The processes behind each peer (the PID files in `<state>/pids/`). */
const unitsOf: Record<PeerName, ReadonlyArray<string>> = {
  httpbin: ["httpbin"],
  nginx: ["nginx"],
  squid: ["squid"],
  tinyproxy: ["tinyproxy-open", "tinyproxy-auth"],
  dante: ["dante"],
  microsocks: ["microsocks-open", "microsocks-auth"],
  caddy: ["caddy"],
  nghttpd: ["nghttpd-tls", "nghttpd-h2c"],
  ngtcp2: ["ngtcp2"]
}

/** A static file nginx serves on every port, with its size and sha256 known in advance. */
export interface PeerFile {
  readonly name: string
  readonly path: string
  readonly size: number
  readonly sha256: string
}

export interface PeersEnv {
  /** The state folder (`HACKNEY_PEERS_DIR`). */
  readonly dir: string
  /** Peers whose processes are alive now. */
  readonly up: ReadonlySet<PeerName>
  /** `"<peer>: <reason>"` for each peer that could not be installed here. */
  readonly unavailable: ReadonlyArray<string>
  /** Every `HACKNEY_PEER*` variable. */
  readonly vars: Readonly<Record<string, string>>
  /** Test CA (PEM path) that issued every server certificate and the mTLS client certificate. */
  readonly ca: string
  readonly clientCert: string
  readonly clientKey: string
  readonly files: ReadonlyArray<PeerFile>
  /** `HACKNEY_PEER_<key>`, e.g. `url("NGINX_TLS")`; throws when the variable is missing. */
  readonly url: (key: string) => string
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const stateDir = process.env.HACKNEY_PEERS_DIR ?? join(repoRoot, ".peers")

/** True when `HACKNEY_INTEROP_REQUIRE=1`: missing peers fail instead of skipping. */
export const required = process.env.HACKNEY_INTEROP_REQUIRE === "1"

const readVars = (): Record<string, string> | undefined => {
  const file = join(stateDir, "env.json")
  const fromFile: Record<string, string> = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)
    : {}
  const vars: Record<string, string> = { ...fromFile }
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("HACKNEY_PEER") && value !== undefined) vars[key] = value
  }
  return vars.HACKNEY_PEER_CA === undefined ? undefined : vars
}

/** A unit is alive when its PID file names a live process (a stale env.json after a reboot is not "up"). */
const unitAlive = (dir: string, unit: string): boolean => {
  const file = join(dir, "pids", `${unit}.pid`)
  if (!existsSync(file)) return false
  const pid = Number(readFileSync(file, "utf8").trim())
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: alive but owned by someone else
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
  // a zombie answers kill(0) too; on Linux /proc says which it is
  const stat = `/proc/${pid}/stat`
  return !existsSync(stat) || !/^\d+ \(.*\) Z /.test(readFileSync(stat, "utf8"))
}

const load = (): PeersEnv | undefined => {
  const vars = readVars()
  if (vars === undefined) return undefined
  const dir = vars.HACKNEY_PEERS_DIR ?? stateDir
  const listed = (vars.HACKNEY_PEERS_UP ?? "").split(/\s+/).filter((s): s is PeerName => s in unitsOf)
  const up = new Set(listed.filter((p) => unitsOf[p].every((u) => unitAlive(dir, u))))
  const url = (key: string): string => {
    const value = vars[`HACKNEY_PEER_${key}`]
    if (value === undefined) throw new Error(`HACKNEY_PEER_${key} is not set; re-run \`bash scripts/peers.sh up\``)
    return value
  }
  const files = (vars.HACKNEY_PEER_FILES ?? "").split(/\s+/).filter((s) => s !== "").map((name): PeerFile => {
    const key = `FILE_${name.toUpperCase()}`
    return { name, path: url(`${key}_PATH`), size: Number(url(`${key}_SIZE`)), sha256: url(`${key}_SHA256`) }
  })
  return {
    dir,
    up,
    unavailable: (vars.HACKNEY_PEERS_UNAVAILABLE ?? "").split(";").filter((s) => s !== ""),
    vars,
    ca: url("CA"),
    clientCert: url("CLIENT_CERT"),
    clientKey: url("CLIENT_KEY"),
    files,
    url
  }
}

/** The peers environment, or `undefined` when `scripts/peers.sh up` has not run. */
export const peers: PeersEnv | undefined = load()

/** Why a peer's tests skip, or `undefined` when the peer is up. */
export const absent = (peer: PeerName): string | undefined => {
  if (peers === undefined) {
    return `interop peers are not set up (no ${join(stateDir, "env.json")}); run \`bash scripts/peers.sh up\` ` +
      "(Debian, root) or `npm run test:interop`"
  }
  if (peers.up.has(peer)) return undefined
  const why = peers.unavailable.find((line) => line.startsWith(`${peer}:`))
  return why ?? `${peer} is not running; run \`bash scripts/peers.sh up\``
}

/**
 * Whether the tests of `peer` should be skipped: absent and not required. Prints the reason once,
 * so a skipped run says why.
 */
const announced = new Set<string>()
export const skipPeer = (peer: PeerName): boolean => {
  const reason = absent(peer)
  if (reason === undefined) return false
  // a required run fails on a missing core peer, or on an extra that is installed but not running;
  // an extra that could not be installed here (listed in HACKNEY_PEERS_UNAVAILABLE) still skips
  const uninstallable = peers?.unavailable.some((line) => line.startsWith(`${peer}:`)) ?? false
  if (required && (corePeers.includes(peer) || !uninstallable)) return false
  if (!announced.has(reason)) {
    announced.add(reason)
    console.warn(`[interop] skipping ${peer}: ${reason}`)
  }
  return true
}

/** The environment, or a thrown error explaining how to start the peers (for required runs). */
export const need = (peer: PeerName): PeersEnv => {
  const reason = absent(peer)
  if (reason !== undefined || peers === undefined) throw new Error(reason ?? "interop peers are not set up")
  return peers
}
