/**
 * Connection pools: per-origin host pools with a per-host limit and a fair
 * FIFO checkout queue, keep-alive reuse (LIFO) with an idle timeout, a
 * liveness check on checkout, a cap on idle connections, prewarming and
 * stats — hackney's `hackney_pool`, as Effect Layers.
 *
 * - Requests use the `Pool` service in their context (`Pool.layer`,
 *   `Hackney.layer`), or the pool named by their `pool` option, or `false`
 *   for a direct connection. With none of these, the process-wide `default`
 *   pool (created on first use) serves them. A name no running pool has
 *   (other than `"default"`) fails the request with `InvalidRequest`, as
 *   {@link stats} fails for it.
 * - Closing a pool's scope closes every socket it holds and fails its waiters
 *   with `PoolClosed`.
 * - A request's timeouts (connect, checkout wait, recv) run on the Clock of
 *   the fiber that made the request, whichever pool serves it; the pool's own
 *   (keep-alive expiry) on the Clock of the fiber that built the pool (the
 *   live Clock for the process-wide `default`). So `TestClock` drives them in
 *   tests, with or without a layer.
 *
 * See `docs/pooling.md` for the model and a migration table from hackney.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Pool } from "effect-hackney"
 *
 * const program = Effect.gen(function*() {
 *   const res = yield* Hackney.get("http://127.0.0.1:8080/")
 *   const stats = yield* Pool.stats("api")
 *   console.log(res.status, stats.inUse)
 * }).pipe(Effect.provide(Pool.layer({ name: "api", maxPerHost: 10 })))
 * ```
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Either from "effect/Either"
import { InvalidRequest } from "./HackneyError.js"
import type * as Middleware from "./Middleware.js"
import type * as Observability from "./Observability.js"
import { check, describeValue, isObject, notAnObject } from "./internal/options/rules.js"
import { poolConfig } from "./internal/pool/config.js"
import { buildDialSpec, checkTls, dialDefaults, dialRules, millis } from "./internal/pool/dialSpec.js"
import type { DialOptions } from "./internal/pool/dialSpec.js"
import type { TlsOptions } from "./internal/node/tls.js"
import { makePool } from "./internal/pool/make.js"
import type { PooledConnection } from "./internal/pool/make.js"
import { TypeId as PoolTypeId } from "./internal/pool/pool.js"
import type { PoolConfig, PoolService } from "./internal/pool/pool.js"
import { lookup, poolDefaults, register, unknownPoolDetail, unregister } from "./internal/pool/registry.js"
import * as Url from "./Url.js"

/**
 * The brand of every Pool value.
 *
 * @example
 * ```ts
 * import { Pool } from "effect-hackney"
 * const isPool = (u: object): boolean => Pool.TypeId in u
 * ```
 * @since 0.1.0
 * @category type IDs
 */
export const TypeId: typeof PoolTypeId = PoolTypeId

/**
 * A connection pool. Obtain one with {@link make} or {@link layer}. Its
 * state (hosts, connections and their states, waiters) is readable with
 * `JSON.stringify(pool)`, for debugging; the other members are internal.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "effect-hackney"
 * const name = Effect.map(Pool.Pool, (pool) => pool.name)
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Pool extends PoolService<PooledConnection> {
  readonly [TypeId]: typeof TypeId
  /** The pool's name, as used by the `pool` request option and {@link stats}. */
  readonly name: string
}

/**
 * The pool requests use by default. `Pool.layer` and `Hackney.layer` provide it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "effect-hackney"
 * const program = Effect.flatMap(Pool.Pool, (pool) => Pool.stats(pool))
 * ```
 * @since 0.1.0
 * @category tags
 */
export const Pool: Context.Tag<Pool, Pool> = Context.GenericTag<Pool>("effect-hackney/Pool")

/**
 * Pool options. Every field is optional; defaults follow hackney. A value of
 * the wrong type or out of range fails {@link make} and {@link layer} with
 * `InvalidRequest` (`reason: "option"`) naming the option and what it
 * accepts, and {@link layerConfig} with a `ConfigError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Middleware.Options, Observability.Options {
  /** The name (a non-empty string), for the `pool` request option and stats. Default `"default"`. */
  readonly name?: string | undefined
  /**
   * Connections in use plus connecting per host (scheme, host, port, TLS
   * options): an integer from 1, `Infinity` for no limit. Default 50.
   */
  readonly maxPerHost?: number | undefined
  /**
   * Idle connections kept across all hosts; more are closed on check-in. An
   * integer from 0 (`0` keeps none: no reuse), `Infinity` for no limit.
   * Default 50.
   */
  readonly maxConnections?: number | undefined
  /**
   * How long an idle connection is kept: a duration (milliseconds, a
   * `Duration`, or text such as `"5 seconds"`); `0` keeps none (no reuse),
   * `Infinity` keeps them until the server closes them or the pool closes.
   * Default 2 seconds (hackney's).
   */
  readonly keepaliveTimeout?: Duration.DurationInput | undefined
  /**
   * How long a request waits for a free connection when `maxPerHost` are
   * busy, unless the request sets `checkoutTimeout`: a duration; `0` fails
   * at once with `CheckoutTimeout`, `Infinity` waits without limit. Default:
   * the request's `connectTimeout` (8 seconds), as hackney.
   */
  readonly checkoutTimeout?: Duration.DurationInput | undefined
  /** Idle connections {@link prewarm} opens by default: an integer from 0. Default 4. */
  readonly prewarmCount?: number | undefined
  /** Keep TLS connections for reuse (keyed by their full TLS options). `false` closes them after each request, as hackney 2.x. Default true. */
  readonly tlsPooling?: boolean | undefined
  /**
   * The proxy of this pool's requests that give no `proxy` option, in place
   * of the environment (`HTTP_PROXY`, …): a proxy URL (`http://`, `https://`,
   * `socks5://`, credentials in its userinfo), or `false` for direct
   * connections. The request's `noProxy` still applies. Default: the
   * environment (see docs/proxies.md).
   */
  readonly proxy?: string | false | undefined
  /**
   * Proxy credentials for this pool's requests that give no `proxy` and no
   * `proxyAuth` of their own (over the proxy URL's userinfo; also for a proxy
   * from the environment). Default: none.
   */
  readonly proxyAuth?: readonly [user: string, password: string] | undefined
  /**
   * Hosts that go direct, as `NO_PROXY`, for this pool's requests that give
   * no `proxy` and no `noProxy` of their own; replaces `NO_PROXY`. Default:
   * `NO_PROXY` (with the pool's `proxy`: none).
   */
  readonly noProxy?: string | ReadonlyArray<string> | undefined
  /** SOCKS5 resolution (`"remote"` or `"local"`) for this pool's requests that give none. Default `"remote"`. */
  readonly socks5Resolve?: "remote" | "local" | undefined
  /** TLS options for an `https://` proxy, for this pool's requests that give none. Default: the system's trust store. */
  readonly proxyTls?: TlsOptions | undefined
  /**
   * Largest response head (status line, header lines and their line
   * endings), in bytes, for requests that do not set `maxHeaderSize`; a
   * larger head fails with `ProtocolError` (reason `"header-section-too-large"`).
   * An integer from 1. Default 16384 (16 KiB, as Node's and undici's).
   */
  readonly maxHeaderSize?: number | undefined
  /**
   * Most header fields in a response head (and trailer fields in a chunked
   * body's trailers) for requests that do not set `maxHeaderCount`; more fail
   * with `ProtocolError` (reason `"too-many-headers"`). An integer from 1. Default 256.
   */
  readonly maxHeaderCount?: number | undefined
  /**
   * Longest response status line, in bytes without its line ending, for
   * requests that do not set `maxStartLineLength`; longer fails with
   * `ProtocolError` (reason `"start-line-too-long"`). An integer from 1. Default 8192.
   */
  readonly maxStartLineLength?: number | undefined
}

/**
 * Connection counts of a pool.
 *
 * - `inUse`: connections serving a request;
 * - `free`: idle connections kept for reuse;
 * - `queued`: requests waiting for a connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly name: string
  readonly maxConnections: number
  readonly inUse: number
  readonly free: number
  readonly queued: number
}

/**
 * Connection counts of one host in a pool. `active` counts connections in
 * use plus connecting (what `maxPerHost` bounds). An HTTP/2 session counts
 * as one connection however many requests it carries; `streams` is the
 * number of requests running on HTTP/2 sessions (open streams; always 0
 * over HTTP/1.1).
 *
 * @since 0.1.0
 * @category models
 */
export interface HostStats {
  readonly active: number
  readonly inUse: number
  readonly free: number
  /** Open HTTP/2 streams on the host's sessions. */
  readonly streams: number
}

const makeWith = (config: PoolConfig): Effect.Effect<Pool, never, Scope.Scope> =>
  Effect.flatMap(makePool(config), (pool: Pool) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        register(pool)
        return pool
      }),
      () =>
        Effect.sync(() => {
          unregister(pool)
          pool.close()
        })
    ))

/**
 * Creates a pool, registered under its name until the scope closes; closing
 * the scope closes its connections and fails its waiters with `PoolClosed`.
 * Invalid {@link Options} fail with `InvalidRequest`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Pool } from "effect-hackney"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* Pool.make({ name: "api", maxPerHost: 4 })
 *   return yield* Hackney.get("http://127.0.0.1:8080/", { pool })
 * }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Pool, InvalidRequest, Scope.Scope> =>
  Effect.suspend(() => {
    const config = poolConfig(options)
    return config instanceof InvalidRequest ? Effect.fail(config) : makeWith(config)
  })

/**
 * A Layer providing a pool as the {@link Pool} service (the default pool of
 * the requests it serves), also registered under its name. Invalid
 * {@link Options} fail the layer with `InvalidRequest`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Hackney, Pool } from "effect-hackney"
 * const program = Hackney.get("http://127.0.0.1:8080/").pipe(
 *   Effect.provide(Pool.layer({ name: "api", maxPerHost: 10, keepaliveTimeout: "5 seconds" }))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Pool, InvalidRequest> => Layer.scoped(Pool, make(options))

/**
 * The layer of a pool with hackney's default options (`Hackney.layer`).
 *
 * @internal
 */
export const layerDefault = (name: string): Layer.Layer<Pool> => Layer.scoped(Pool, makeWith({ name, ...poolDefaults }))

/**
 * {@link layer} with its options read from `effect/Config` (environment
 * variables, a ConfigProvider, …); a missing or invalid value — one that
 * `Config` cannot read, or one out of an option's range (`maxPerHost: 0`) —
 * fails the layer with a `ConfigError` (`InvalidData`) whose message names
 * the option and what it accepts.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { Hackney, Pool } from "effect-hackney"
 * const PoolConfig = Config.all({
 *   name: Config.string("POOL_NAME").pipe(Config.withDefault("default")),
 *   maxPerHost: Config.integer("POOL_MAX_PER_HOST").pipe(Config.withDefault(50)),
 *   keepaliveTimeout: Config.duration("POOL_KEEPALIVE").pipe(Config.withDefault("2 seconds"))
 * })
 * const program = Hackney.get("http://127.0.0.1:8080/").pipe(Effect.provide(Pool.layerConfig(PoolConfig)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<Pool, ConfigError.ConfigError> =>
  Layer.scoped(
    Pool,
    Effect.flatMap(config, (options) => {
      const c = poolConfig(options)
      return c instanceof InvalidRequest ? Effect.fail(ConfigError.InvalidData([], c.detail)) : makeWith(c)
    })
  )

/** An argument of a Pool function that is not what it takes: the error says what it got and what it takes. */
const badArgument = (what: string, value: unknown, accepts: string): InvalidRequest =>
  new InvalidRequest({ reason: "option", detail: `the ${what} is ${describeValue(value)}; it takes ${accepts}`, found: "pool" })

const resolve = (pool: string | Pool): Effect.Effect<Pool, InvalidRequest> =>
  Effect.suspend(() => {
    if (typeof pool !== "string") {
      return isObject(pool) && TypeId in pool
        ? Effect.succeed(pool)
        : Effect.fail(badArgument("pool", pool, "a pool name or a Pool"))
    }
    const found = lookup(pool)
    return found === undefined
      ? Effect.fail(
        new InvalidRequest({
          reason: "option",
          detail: unknownPoolDetail(pool),
          found: "pool"
        })
      )
      : Effect.succeed(found)
  })

/**
 * The counts of a pool (hackney's `get_stats`). Fails with `InvalidRequest`
 * when no pool of that name runs (`"default"` always does), or `pool` is
 * neither a name nor a {@link Pool}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pool } from "effect-hackney"
 * const program = Effect.map(Pool.stats("default"), (s) => `${s.inUse} in use, ${s.free} idle, ${s.queued} waiting`)
 * ```
 * @since 0.1.0
 * @category getters
 */
export const stats = (pool: string | Pool): Effect.Effect<Stats, InvalidRequest> =>
  Effect.map(resolve(pool), (p) => ({ name: p.config.name, maxConnections: p.config.maxConnections, ...p.stats() }))

/**
 * The counts of one host in a pool (hackney's `host_stats`), summed over
 * its TLS variants. Fails with `InvalidRequest` as {@link stats} does, or
 * when `host` is not a non-empty string or `port` not an integer from 0 to 65535.
 *
 * @example
 * ```ts
 * import { Pool } from "effect-hackney"
 * const program = Pool.hostStats("default", "127.0.0.1", 8080)
 * ```
 * @since 0.1.0
 * @category getters
 */
export const hostStats = (pool: string | Pool, host: string, port: number): Effect.Effect<HostStats, InvalidRequest> =>
  Effect.flatMap(resolve(pool), (p) => {
    const bad = hostPortArgument(host, port)
    return bad === undefined ? Effect.succeed(p.hostStats(host, port)) : Effect.fail(bad)
  })

/**
 * How {@link prewarm} connects: the connection options of a request
 * (`connectTimeout`, `recvTimeout`, `tls`, `insecure`, `protocols`, `lookup`,
 * `family`, `localAddress`; a `Hackney.Options` value has them) and the
 * scheme. Other request options have no bearing on a prewarm.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrewarmOptions extends DialOptions {
  /** `"http"` or `"https"`. Default `"http"`. */
  readonly scheme?: "http" | "https" | undefined
}

/**
 * Opens idle connections to a host ahead of use (hackney's `prewarm`), up to
 * `count` (default: the pool's `prewarmCount`, 4) minus those already idle,
 * and keeps the host warm: each idle connection a request takes is replaced
 * in the background, up to that count. Idle connections still expire after
 * `keepaliveTimeout`, so a host nobody uses cools down. Returns how many
 * connections were opened. `options.scheme` (default `"http"`) and the
 * request options (TLS, timeouts) say how to connect.
 *
 * @example
 * ```ts
 * import { Pool } from "effect-hackney"
 * const program = Pool.prewarm("default", "127.0.0.1", 8080, 4)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const prewarm = (
  pool: string | Pool,
  host: string,
  port: number,
  count?: number,
  options: PrewarmOptions = {}
): Effect.Effect<number, InvalidRequest> =>
  Effect.flatMap(resolve(pool), (p) => {
    const bad = prewarmArgument(host, port, count, options)
    if (bad !== undefined) return Effect.fail(bad)
    const authority = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
    const url = `${options.scheme ?? "http"}://${authority}:${port}`
    return Effect.flatMap(prewarmSpec(url, options), (spec) => p.prewarm(spec, count ?? p.config.prewarmCount))
  })

/** The dial spec of a prewarm: the origin `url` under connection `options` (validated). */
const prewarmSpec = (url: string, options: PrewarmOptions): Either.Either<ReturnType<typeof buildDialSpec>, InvalidRequest> => {
  const invalid = check(options as Record<string, unknown>, dialRules) ?? checkTls(options as Record<string, unknown>)
  if (invalid !== undefined) {
    return Either.left(new InvalidRequest({ reason: invalid.reason, detail: invalid.detail, method: "GET", url }))
  }
  return Either.map(Url.parse(url), (u) =>
    buildDialSpec(
      u,
      options,
      millis(options.connectTimeout, dialDefaults.connectTimeout),
      millis(options.recvTimeout, dialDefaults.recvTimeout)
    ))
}

const hostPortArgument = (host: unknown, port: unknown): InvalidRequest | undefined => {
  if (typeof host !== "string" || host === "") return badArgument("host", host, "a host name or an IP address")
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    return badArgument("port", port, "an integer from 0 to 65535")
  }
  return undefined
}

const prewarmArgument = (host: unknown, port: unknown, count: unknown, options: unknown): InvalidRequest | undefined => {
  const hostPort = hostPortArgument(host, port)
  if (hostPort !== undefined) return hostPort
  if (count !== undefined && (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)) {
    return badArgument("count", count, "an integer from 0")
  }
  if (!isObject(options)) return new InvalidRequest({ reason: "option", detail: notAnObject("prewarm options", options).detail, found: "pool" })
  const scheme = options.scheme
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") return badArgument("option scheme", scheme, `"http" or "https"`)
  return undefined
}
