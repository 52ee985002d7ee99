/**
 * Helpers for the client's interop tests (effect-hackney against the real peers of
 * `scripts/peers.sh`): a pool per test, a DNS lookup that counts dials, hashing, timing.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as dns from "node:dns"
import { readFileSync } from "node:fs"
import type * as net from "node:net"
import type { QuicTarget } from "../../src/internal/node/quic.js"
import * as Pool from "../../src/Pool.js"
import { need } from "./env.js"
import type { PeerName } from "./env.js"

/** Hex sha256 of some bytes. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Reads a body Stream to the end, hashing as it goes; never holds the whole body. */
export const streamDigest = <E>(
  body: Stream.Stream<Uint8Array, E>
): Effect.Effect<{ readonly sha256: string; readonly length: number; readonly chunks: number }, E> =>
  Effect.suspend(() => {
    const hash = createHash("sha256")
    let length = 0
    let chunks = 0
    return Stream.runForEach(body, (chunk) =>
      Effect.sync(() => {
        hash.update(chunk)
        length += chunk.length
        chunks++
      })).pipe(Effect.map(() => ({ sha256: hash.digest("hex"), length, chunks })))
  })

/**
 * A `lookup` (as `net.connect`'s) that counts its calls: every new TCP connection to a host
 * *name* resolves it once, so the count is the number of connections the client dialled.
 */
export const countingLookup = (): { readonly lookup: net.LookupFunction; readonly dials: () => number } => {
  let n = 0
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    n++
    dns.lookup(hostname, options as dns.LookupAllOptions, callback as (err: NodeJS.ErrnoException | null, addresses: Array<dns.LookupAddress>) => void)
  }
  return { lookup, dials: () => n }
}

/** Runs `self` with a fresh pool (closed afterwards) as the default pool of its requests. */
export const withPool = (options: Pool.Options) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provide(self, Pool.layer(options))

/** `self` and how long it took (wall clock, milliseconds). */
export const timed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, number], E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    return Effect.map(self, (a) => [a, performance.now() - start] as const)
  })

/** Deterministic bytes (a repeating pattern that is not all one value), `size` long. */
export const patternBytes = (size: number, seed = 0): Uint8Array => {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff
  return out
}

/** `total` bytes as a Stream of `chunk`-sized pieces, built lazily; also returns its sha256. */
export const patternStream = (
  total: number,
  chunk: number
): { readonly stream: Stream.Stream<Uint8Array>; readonly sha256: string } => {
  const piece = patternBytes(chunk, 7)
  const hash = createHash("sha256")
  const count = Math.ceil(total / chunk)
  for (let i = 0; i < count; i++) hash.update(i === count - 1 ? piece.subarray(0, total - i * chunk) : piece)
  const stream = Stream.map(
    Stream.range(0, count - 1),
    (i) => (i === count - 1 ? piece.subarray(0, total - i * chunk) : piece)
  )
  return { stream, sha256: hash.digest("hex") }
}

/**
 * `dialQuic` targets for a peer's HTTP/3 port (the port of its URL variable `key`): 127.0.0.1,
 * ALPN h3, verified as `localhost` under the test CA; `over` replaces fields.
 */
export const quicTarget = (peer: PeerName, key: string) => (over: Partial<QuicTarget> = {}): QuicTarget => {
  const env = need(peer)
  return {
    host: "127.0.0.1",
    port: Number(new URL(env.url(key)).port),
    tls: { ca: readFileSync(env.ca, "utf8"), servername: "localhost" },
    protocols: ["h3"],
    ...over
  }
}

/** The unhandled rejections raised while `f` ran (and 100 ms after it). */
export const unhandledRejections = async (f: () => Promise<void>): Promise<Array<string>> => {
  const rejections: Array<unknown> = []
  const onRejection = (e: unknown) => rejections.push(e)
  process.on("unhandledRejection", onRejection)
  try {
    await f()
    await new Promise((r) => setTimeout(r, 100))
    return rejections.map(String)
  } finally {
    process.off("unhandledRejection", onRejection)
  }
}
