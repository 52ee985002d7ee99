/**
 * The chaos soak: many fibers run requests of every API — `Hackney.request`
 * (GET and POST), `stream` read fully and partly, `open` uploads, `connect`,
 * the `HttpClient` layer, redirects, retries, direct connections — with
 * interruptions at random points, against the chaos server
 * (`chaosServer.ts`), each request with its own seeded fault
 * (`faults.ts`). Invariants are checked after every request and when the
 * pool's scope closes (see {@link runSoak}); each broken one is a violation
 * in the report (the run never stops at the first).
 *
 * `protocol` names the protocol the soak speaks: "http/1.1" (`chaosServer.ts`)
 * or "h2" (`chaosH2Server.ts`: TLS with ALPN, and h2c by prior knowledge;
 * frame/stream faults too). A share of the requests (`proxyRate`) go through
 * an in-process HTTP CONNECT proxy (TLS requests) or SOCKS5 proxy, some of
 * them through one that misbehaves (closes during CONNECT, answers 407 or
 * garbage; SOCKS: closes, garbage, a refusal).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import { Hackney, HackneyError, HackneyHttpClient, Pool } from "../../src/index.js"
import { chaosH2Server } from "./chaosH2Server.js"
import type { ChaosH2Server, H2Arrival } from "./chaosH2Server.js"
import { chaosServer, responseBody } from "./chaosServer.js"
import type { Arrival, ChaosServer, Framing } from "./chaosServer.js"
import { dice, faultHeader, h2KindsByPhase, planFault } from "./faults.js"
import type { Dice, Fault, Phase } from "./faults.js"
import { httpProxy, socks5Server } from "./proxies.js"
import { heapAfterGc, heapGrowth, heapSnapshot } from "./heapAfterGc.js"
import { cert } from "./servers.js"
import { StallMeter } from "./stalls.js"
import { traceTimers } from "./timerTrace.js"

export type Protocol = "http/1.1" | "h2"

export interface SoakConfig {
  readonly protocol: Protocol
  readonly seed: number
  readonly requests: number
  readonly concurrency: number
  /** Share of the requests given a fault. */
  readonly faultRate: number
  /** Share of the requests sent through a proxy (a fifth of them through a misbehaving one); default 0. */
  readonly proxyRate?: number | undefined
  /** Share of the requests interrupted at a random point (0–40 ms). */
  readonly interruptRate: number
  /** The client's receive timeout (what ends a stall), ms. */
  readonly recvTimeoutMs: number
  /** Only these kinds of request (narrowing a violation down); default all. */
  readonly kinds?: ReadonlyArray<RequestKind> | undefined
  /** Run only these request numbers of the seed's plan (replaying a violation); default all. */
  readonly only?: ReadonlyArray<number> | undefined
  /** Run a short warm-up (300 requests) before the heap baseline; default true. */
  readonly warmup?: boolean | undefined
  /**
   * Check the heap against its baseline at the end; default true. Run it with source maps off
   * (scripts/soak.ts): Node keeps each module's parsed map from the first stack formatted through it.
   */
  readonly heapCheck?: boolean | undefined
  /**
   * Trace every `Timeout` made during the run with its creation stack (`timerTrace.ts`), so a timer left
   * when the pool's scope has closed is reported with its owner; default false.
   */
  readonly traceTimers?: boolean | undefined
  /** Write a heap snapshot at the baseline and at the end into this directory (`heapAfterGc.ts`); default none. */
  readonly heapSnapshots?: string | undefined
  /** Progress lines (long mode); none by default. */
  readonly log?: ((line: string) => void) | undefined
}

export interface SoakReport {
  readonly protocol: Protocol
  readonly seed: number
  readonly requests: number
  readonly outcomes: Record<string, number>
  readonly byKind: Record<string, number>
  readonly failuresByTag: Record<string, number>
  readonly faults: Record<string, number>
  readonly faultsTotal: number
  readonly invariantsChecked: number
  readonly violations: ReadonlyArray<string>
  readonly elapsedMs: number
  readonly peakRssMb: number
  readonly peakHeapMb: number
  readonly heapBaselineMb: number
  readonly heapEndMb: number
  readonly serverConnections: number
  /** Event-loop stalls of a second or more during the requests (`stalls.ts`), and the longest, ms. */
  readonly stalls: number
  readonly longestStallMs: number
}

const kinds = [
  "get",
  "post",
  "stream-full",
  "stream-part",
  "open-upload",
  "connect",
  "httpclient-get",
  "httpclient-post",
  "redirect",
  "retry-get",
  "retry-post",
  "direct"
] as const
type Kind = typeof kinds[number]
/** A kind of request of the soak (an API and how it is used). */
export type RequestKind = Kind

/** Kinds whose request has a body (a request-body phase); non-idempotent ones are never replayed. */
const withBody: ReadonlySet<Kind> = new Set(["post", "open-upload", "httpclient-post", "retry-post"])
const retried: ReadonlySet<Kind> = new Set(["retry-get", "retry-post"])
/**
 * How long a request may run before it counts as hung: 20 s per exchange it may make (each bounded by the
 * client's own timeouts — an 8 s connect, then 1.5 s of silence per read): 1 + retries for the retried
 * kinds, 2 for a redirect. (A retry-get whose 3 dials each took the 8 s connect timeout ran 24 s.)
 */
const hangMillis = (kind: Kind): number => 20_000 * (retried.has(kind) ? 1 + retries : kind === "redirect" ? 2 : 1)
const retries = 2

/** What one request asks for and expects. */
export interface Plan {
  readonly index: number
  readonly id: string
  readonly kind: Kind
  readonly tls: boolean
  readonly framing: Framing
  readonly size: number
  readonly fault: Fault | undefined
  /** Interrupt after this many ms, or never. */
  readonly interruptAfter: number | undefined
  /** The proxy it goes through: a good one, or one that misbehaves (then the origin is never reached). */
  readonly proxy: ProxyName | undefined
}

/** The soak's proxies: a good HTTP (CONNECT) and SOCKS5 one, and the misbehaving ones. */
const badHttpProxies = ["http-close", "http-407", "http-garbage"] as const
const badSocksProxies = ["socks-close", "socks-garbage", "socks-refused"] as const
export type ProxyName = "http" | "socks" | typeof badHttpProxies[number] | typeof badSocksProxies[number]
const isBadProxy = (n: ProxyName | undefined): boolean => n !== undefined && n !== "http" && n !== "socks"

const sizes = [0, 1, 40, 700, 5000, 70_000, 200_000]

export const plan = (
  config: Pick<SoakConfig, "protocol" | "seed" | "faultRate" | "interruptRate" | "proxyRate" | "kinds">,
  index: number
): Plan => {
  const h2 = config.protocol === "h2"
  const d: Dice = dice(config.seed, index)
  const kind = d.pick(config.kinds ?? kinds)
  const tls = d.chance(0.2)
  const framing = d.pick<Framing>(["cl", "chunked", "trailers"])
  const size = d.pick(sizes)
  const phases: Array<Phase> = ["dial", "request-head", ...(h2 ? [] : ["status-line" as const]), "headers", "body", "idle"]
  if (tls) phases.push("tls")
  if (withBody.has(kind)) phases.push("request-body")
  if (h2 ? framing === "trailers" && kind !== "redirect" : framing !== "cl" && kind !== "redirect") {
    phases.push(...(h2 ? [] : ["chunk-size" as const]), "trailers")
  }
  const planned = planFault(d, config.faultRate, phases, h2 ? h2KindsByPhase : undefined)
  const interruptAfter = d.chance(config.interruptRate) ? d.int(0, 40) : undefined
  // HTTP CONNECT for TLS only: a plain request through an HTTP proxy is forwarded in absolute form, by the proxy's own client.
  const proxy: ProxyName | undefined = !d.chance(config.proxyRate ?? 0)
    ? undefined
    : d.chance(0.2)
    ? d.pick<ProxyName>(tls ? [...badHttpProxies, ...badSocksProxies] : badSocksProxies)
    : tls && d.chance(0.5)
    ? "http"
    : "socks"
  // Behind a misbehaving proxy the origin is never reached: the proxy is the fault.
  const fault = isBadProxy(proxy) ? undefined : planned
  return { index, id: `${config.seed}-${index}`, kind, tls, framing, size, fault, interruptAfter, proxy }
}

/** The origin a plan's request goes to: the server, or a listener injecting its dial/TLS fault. */
const originOf = (srv: ChaosServer, p: Plan): string => {
  const f = p.fault
  if (f !== undefined && (f.phase === "dial" || f.phase === "tls")) {
    const key = `${f.phase}/${f.kind}` as keyof ChaosServer["setupFaults"]
    const u = srv.setupFaults[key]
    return f.phase === "dial" && p.tls ? u.replace("http://", "https://") : u
  }
  if ("h2Url" in srv) return p.tls ? (srv as ChaosH2Server).h2Url : (srv as ChaosH2Server).h2cUrl
  return p.tls ? srv.tlsUrl : srv.url
}

const headersOf = (p: Plan, id = p.id): Record<string, string> => ({
  "x-req-id": id,
  "x-size": String(p.size),
  "x-framing": p.framing,
  ...(p.fault !== undefined ? { "x-fault": faultHeader(p.fault) } : {})
})

const uploadPiece = "u".repeat(3000)
const postBody = "p".repeat(1200)

/** What a successful request returned: its body (or the first part of it) and the echoed id, per request id. */
interface Got {
  readonly id: string
  readonly method: string
  readonly sent: number
  readonly body: string
  readonly echo: string | undefined
  readonly partial: boolean
}

const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1")

const tlsOptions = { tls: { ca: cert("ca.pem"), servername: "localhost" } }

/** The effect of one planned request: what it got, per id (connect sends two). */
const requestOf = (
  p: Plan,
  srv: ChaosServer,
  pool: Pool.Pool,
  client: HttpClient.HttpClient,
  recvTimeout: number,
  proxies: Readonly<Record<ProxyName, string>>,
  /** Told the `_tag` of each failure the retry policy sees (`retry-*` kinds). */
  attemptFailed: (tag: string) => void
): Effect.Effect<ReadonlyArray<Got>, unknown> => {
  const origin = originOf(srv, p)
  const url = `${origin}/echo/${p.kind}`
  // h2c by prior knowledge; over TLS, ALPN picks h2 by default.
  const connection = {
    ...(p.tls ? tlsOptions : "h2Url" in srv ? { protocols: ["h2"] } : {}),
    ...(p.proxy !== undefined ? { proxy: proxies[p.proxy] } : {})
  }
  const base = { pool, recvTimeout, headers: headersOf(p), ...connection }
  const retry = Schedule.recurs(retries).pipe(Schedule.tapInput((e: Hackney.RetryInput) => Effect.sync(() => attemptFailed(e._tag))))
  const one = (method: string, sent: number) => (r: { body: Uint8Array; header: (n: string) => string | undefined }): Got[] => [
    { id: p.id, method, sent, body: text(r.body), echo: r.header("x-echo-id"), partial: false }
  ]
  switch (p.kind) {
    case "get":
      return Effect.map(Hackney.get(url, base), one("GET", 0))
    case "direct":
      return Effect.map(Hackney.get(url, { ...base, pool: false }), one("GET", 0))
    case "post":
      return Effect.map(Hackney.post(url, { ...base, body: postBody }), one("POST", postBody.length))
    case "retry-get":
      return Effect.map(Hackney.get(url, { ...base, retry }), one("GET", 0))
    case "retry-post":
      return Effect.map(Hackney.post(url, { ...base, body: postBody, retry }), one("POST", postBody.length))
    case "redirect":
      return Effect.map(Hackney.get(`${origin}/redirect/${p.kind}`, { ...base, followRedirect: true }), one("GET", 0))
    case "stream-full":
      return Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, base), (r) =>
        Effect.map(r.bytes, (b): Got[] => [{ id: p.id, method: "GET", sent: 0, body: text(b), echo: r.header("x-echo-id"), partial: false }])))
    case "stream-part":
      return Effect.scoped(Effect.flatMap(Hackney.stream("GET", url, base), (r) =>
        Effect.map(Stream.runCollect(Stream.take(r.body, 1)), (c): Got[] => [
          { id: p.id, method: "GET", sent: 0, body: [...c].map(text).join(""), echo: r.header("x-echo-id"), partial: true }
        ])))
    case "open-upload":
      return Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("POST", url, base)
        for (let i = 0; i < 3; i++) yield* w.send(uploadPiece)
        const r = yield* w.response
        const b = yield* r.bytes
        return [{ id: p.id, method: "POST", sent: 3 * uploadPiece.length, body: text(b), echo: r.header("x-echo-id"), partial: false }]
      }))
    case "connect":
      return Effect.scoped(Effect.gen(function*() {
        const { pool: _pool, ...options } = base
        const c = yield* Hackney.connect(origin, options)
        const a = yield* c.request({ method: "GET", path: "/echo/connect-a" })
        // The second request on the connection: its own id, no fault.
        const second = `${p.id}-b`
        const b = yield* c.request({ method: "GET", path: "/echo/connect-b", headers: { ...headersOf({ ...p, fault: undefined }, second) } })
        return [
          { id: p.id, method: "GET", sent: 0, body: text(a.body), echo: a.header("x-echo-id"), partial: false },
          { id: second, method: "GET", sent: 0, body: text(b.body), echo: b.header("x-echo-id"), partial: false }
        ]
      }))
    case "httpclient-get":
    case "httpclient-post": {
      const post = p.kind === "httpclient-post"
      const req = (post ? HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText(postBody)) : HttpClientRequest.get(url))
        .pipe(HttpClientRequest.setHeaders(headersOf(p)))
      const run = Effect.scoped(Effect.flatMap(client.execute(req), (r) =>
        Effect.map(r.text, (body): Got[] => [
          { id: p.id, method: post ? "POST" : "GET", sent: post ? postBody.length : 0, body, echo: r.headers["x-echo-id"], partial: false }
        ])))
      return Effect.provideService(run, HackneyHttpClient.RequestOptions, { recvTimeout, ...connection })
    }
  }
}

/** Whether an HttpClient error carries a HackneyError (the adapter's errors wrap ours). */
const typedFailure = (e: unknown): HackneyError.HackneyError | undefined => {
  if (HackneyError.isHackneyError(e)) return e
  const cause = (e as { cause?: unknown } | null)?.cause
  const tag = (e as { _tag?: unknown } | null)?._tag
  return (tag === "RequestError" || tag === "ResponseError") && HackneyError.isHackneyError(cause) ? cause : undefined
}

/** Runs started (each gets its own pool name). */
let runs = 0

/** The failure of a request that hung. */
const hung = Symbol("hung")

const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10

const handles = (): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}

/** Waits (real time) until `cond` or `ms` passed; true when it held. */
const settle = (cond: () => boolean, ms: number): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const until = Date.now() + ms
    while (!cond()) {
      if (Date.now() > until) return false
      await new Promise((r) => setTimeout(r, 10))
    }
    return true
  })

/**
 * Runs the soak. Invariants, each counted in `invariantsChecked`:
 * after every request — a success carries exactly its own request's body
 * (id, method, bytes sent, size; a partial read a prefix of it) and echoed
 * id; a failure is a typed `HackneyError` (directly, or as the cause of the
 * HttpClient adapter's error), never a defect; none hangs (20 s per exchange); an idempotent request with no
 * fault of its own and no interruption succeeds (another request's fault on
 * a shared connection is the client's to absorb; a receive or connect
 * timeout is counted apart, as the machine's load); at the end, per request id
 * and path — a non-idempotent request arrived at most once; without a retry
 * policy, every arrival but the last was cut by a fault, or its connection
 * reset before the client could read the response (replays only after a
 * failure; with one, a `RecvTimeout` may be retried as documented); at most 2
 * arrivals without a retry policy (the stale-connection resend, only from a
 * reused connection) and 2 × (1 + retries) with one; no unhandled rejection
 * or uncaught exception; then, with the pool's scope closed — the pool had
 * nothing in use or queued, every socket closed on both sides, no timer
 * handle left, no fiber of the run left running, and the heap after GC
 * within 32 MB of its baseline (taken after a 300-request warm-up).
 */
export const runSoak = (config: SoakConfig): Effect.Effect<SoakReport> =>
  Effect.gen(function*() {
    const log = config.log ?? (() => {})
    if (config.warmup !== false && config.only === undefined) {
      // The baseline is taken after a short warm-up run (its own server and pool): compiled code and
      // one-time caches (TLS contexts, modules) are not growth.
      yield* runSoak({ ...config, requests: Math.min(300, config.requests), warmup: false, log: undefined, heapCheck: false, traceTimers: false, heapSnapshots: undefined })
    }
    const violations: Array<string> = []
    let checked = 0
    const check = (ok: boolean, what: () => string) => {
      checked++
      if (ok || violations.length >= 200) return
      const v = what()
      violations.push(v)
      // As it happens (long mode): a run's first violation is read while the run goes on.
      log(`  VIOLATION ${v}`)
    }
    const outcomes: Record<string, number> = {}
    const byKind: Record<string, number> = {}
    const failuresByTag: Record<string, number> = {}
    const bump = (r: Record<string, number>, k: string) => (r[k] = (r[k] ?? 0) + 1)
    const rejections: Array<unknown> = []
    const onRejection = (e: unknown) => rejections.push(e)
    process.on("unhandledRejection", onRejection)
    process.on("uncaughtException", onRejection)

    // Without the heap check (the short mode) one round: the report's figures, not a bound.
    const heapRounds = config.heapCheck === false ? 1 : 10
    const before = yield* Effect.promise(() => heapAfterGc(heapRounds))
    const heapBaseline = before.used
    heapSnapshot(config.heapSnapshots, `${config.seed}-${config.protocol.replace("/", "")}-baseline`)
    const timers = config.traceTimers === true ? traceTimers() : undefined
    const handlesBefore = handles()
    let peakRss = process.memoryUsage().rss
    let peakHeap = heapBaseline
    const sample = () => {
      const m = process.memoryUsage()
      if (m.rss > peakRss) peakRss = m.rss
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
    }

    const serverScope = yield* Scope.make()
    const h2 = config.protocol === "h2"
    const srv: ChaosServer = yield* Scope.extend(h2 ? chaosH2Server : chaosServer, serverScope)
    const proxyServers = yield* Scope.extend(
      Effect.all({
        http: httpProxy(),
        socks: socks5Server(),
        "http-close": httpProxy({ mode: "close" }),
        "http-407": httpProxy({ mode: { status: 407 } }),
        "http-garbage": httpProxy({ mode: "garbage" }),
        "socks-close": socks5Server({ mode: "close" }),
        "socks-garbage": socks5Server({ mode: "garbage" }),
        // 5: connection refused (RFC 1928 §6).
        "socks-refused": socks5Server({ mode: { reply: 5 } })
      }),
      serverScope
    )
    const proxyUrls = Object.fromEntries(
      Object.entries(proxyServers).map(([k, l]) => [k, k.startsWith("socks") ? `socks5://127.0.0.1:${l.port}` : l.url])
    ) as Record<ProxyName, string>
    const poolScope = yield* Scope.make()
    const pool = yield* Scope.extend(Pool.make({ name: `chaos-${config.seed}-${runs++}`, maxPerHost: 16 }), poolScope).pipe(Effect.orDie)
    const client = yield* HttpClient.HttpClient.pipe(
      Effect.provide(HackneyHttpClient.layerWithoutHackney),
      Effect.provideService(Pool.Pool, pool)
    )
    const supervisor = yield* Supervisor.track
    const started = Date.now()
    const stalls = new StallMeter()
    let done = 0

    const inflight = new Map<string, Plan>()
    const watchdog = setInterval(() => {
      const stuck = [...inflight.values()].slice(0, 5).map((p) => `${p.id} ${p.kind}${p.tls ? " tls" : ""} ${p.fault ? faultHeader(p.fault) : "-"} ${p.framing} ${p.size}`)
      log(`  … ${done}/${config.requests} done, ${inflight.size} in flight: ${stuck.join("; ")}`)
    }, 10_000)
    const runOne = (index: number) =>
      Effect.suspend(() => {
        const p = plan(config, index)
        inflight.set(p.id, p)
        const began = Date.now()
        bump(byKind, p.kind)
        // Bounded: a request still running after 20 s is a hang (a violation), left behind (disconnected).
        let attemptTimeouts = 0
        const attemptFailed = (tag: string) => {
          if (tag === "RecvTimeout") attemptTimeouts++
        }
        const run = requestOf(p, srv, pool, client, config.recvTimeoutMs, proxyUrls, attemptFailed).pipe(
          Effect.disconnect,
          Effect.timeoutFail({ duration: hangMillis(p.kind), onTimeout: () => hung })
        )
        const timed = p.interruptAfter === undefined
          ? Effect.map(run, Option.some)
          : Effect.timeoutOption(run, `${p.interruptAfter} millis`)
        return Effect.map(Effect.exit(timed), (exit) => {
          inflight.delete(p.id)
          done++
          if (done % 64 === 0) sample()
          if (done % (config.requests >= 10_000 ? 2000 : 200) === 0) log(`  ${done}/${config.requests} requests, ${violations.length} violations`)
          if (Exit.isSuccess(exit)) {
            if (Option.isNone(exit.value)) return void bump(outcomes, "interrupted")
            bump(outcomes, "ok")
            for (const g of exit.value.value) {
              const expected = responseBody(g.id, g.method, g.sent, p.size)
              check(
                g.partial ? expected.startsWith(g.body) && g.body.length > 0 || expected.length === 0 : g.body === expected,
                () => `${g.id} (${p.kind}, fault ${p.fault ? faultHeader(p.fault) : "none"}): got the body ${JSON.stringify(g.body.slice(0, 80))}, expected ${JSON.stringify(expected.slice(0, 80))} (${g.body.length} vs ${expected.length} bytes)`
              )
              // A corrupted header byte may be replaced by a space (RFC 9110 §5.5); the body still names the request.
              if (!(p.fault?.phase === "headers" && p.fault.kind === "corrupt")) {
                check(g.echo === g.id, () => `${g.id} (${p.kind}): echoed id ${JSON.stringify(g.echo)}`)
              }
            }
            return
          }
          const cause = exit.cause
          const failure = Cause.failureOption(cause)
          if (Option.isSome(failure) && failure.value === hung) {
            bump(outcomes, "hung")
            return check(false, () => `${p.id} (${p.kind}, fault ${p.fault ? faultHeader(p.fault) : "none"}) hung for ${hangMillis(p.kind) / 1000} s`)
          }
          const typed = Option.isSome(failure) ? typedFailure(failure.value) : undefined
          check(
            !Cause.isDie(cause) && !Cause.isInterrupted(cause) && typed !== undefined,
            () => `${p.id} (${p.kind}, fault ${p.fault ? faultHeader(p.fault) : "none"}): not a typed HackneyError: ${Cause.pretty(cause).slice(0, 400)}`
          )
          bump(outcomes, "failed")
          bump(failuresByTag, typed === undefined ? "untyped" : `${typed._tag}${"reason" in typed ? `(${String(typed.reason)})` : ""}`)
          const idempotent = !withBody.has(p.kind)
          // A receive timeout with no fault is the machine's load (the server shares the process), not the client's.
          // So is a connect or checkout timeout (8 s) when the process's event loop stalled a second or more while
          // the request ran: after a stall libuv fires due timers before it reads the sockets that got data
          // meanwhile (seeds 10011–10013, four soaks at once on the loaded machine: TLS dials and h2c sessions
          // "timed out" whose server had answered, 41 % of the requests ending in a RecvTimeout).
          const ownFault = p.fault !== undefined || isBadProxy(p.proxy)
          const stalled = (typed?._tag === "ConnectTimeout" || typed?._tag === "CheckoutTimeout") &&
            stalls.stalledBetween(began, Date.now())
          const loadTimeout = typed?._tag === "RecvTimeout" || stalled
          if (loadTimeout && !ownFault) bump(outcomes, stalled ? "timeout-in-a-stall" : "timeout-without-fault")
          // HTTP/2: a session-level fault of another request (the session destroyed, reset, closed, a bad frame)
          // fails the streams it carried — those the server got on a faulted session, or never processed (a
          // resend after REFUSED_STREAM whose session then died).
          // The arrivals of the request that failed (a redirect's second one is the one to /echo).
          const got = ((srv.arrivals.get(p.id) ?? []) as unknown as ReadonlyArray<H2Arrival>).filter((a) => a.path.startsWith("/echo"))
          // With a retry policy, an earlier attempt may have failed with a RecvTimeout (the machine's load) on a
          // session no fault hit: each such processed arrival must be matched by a RecvTimeout the policy saw.
          const collateral = h2 && !ownFault && (typed?._tag === "ConnectionClosed" || typed?._tag === "ProtocolError") &&
            got.filter((a) => a.processed && !(srv as ChaosH2Server).faulted.has(a.session)).length <= attemptTimeouts
          if (collateral) bump(outcomes, "failed-with-a-faulted-session")
          // Refused again after its one resend (another request lowered the stream limit, or sent GOAWAY): allowed
          // when the server processed it nowhere.
          const refusedTwice = h2 && typed?._tag === "ProtocolError" && typed.reason === "stream-reset" && typed.code === 7 &&
            got.every((a) => !a.processed)
          if (refusedTwice) bump(outcomes, "refused-after-its-resend")
          check(
            !(idempotent && !ownFault && p.interruptAfter === undefined && !loadTimeout && !collateral &&
              !refusedTwice),
            () =>
              `${p.id} (${p.kind}) had no fault of its own, yet failed: ${typed?.message ?? Cause.pretty(cause).slice(0, 300)}` +
              (h2 ? ` (arrivals: ${JSON.stringify(got)})` : "")
          )
        })
      })

    const indices = config.only ?? Array.from({ length: config.requests }, (_, i) => i)
    yield* Effect.forEach(indices, runOne, {
      concurrency: config.concurrency,
      discard: true
    }).pipe(Effect.supervised(supervisor))
    clearInterval(watchdog)
    stalls.stop()
    const elapsedMs = Date.now() - started
    sample()

    // Replays, per request id and path.
    const planned = new Map<string, Plan>()
    for (const i of indices) {
      const p = plan(config, i)
      planned.set(p.id, p)
      if (p.kind === "connect") planned.set(`${p.id}-b`, { ...p, fault: undefined })
    }
    for (const [id, all] of srv.arrivals) {
      const p = planned.get(id)
      // HTTP/2: a request refused unprocessed (REFUSED_STREAM, above a GOAWAY's last stream id) may be sent again.
      const list = h2 ? all.filter((a) => (a as H2Arrival).processed) : all
      check(!h2 || all.length <= 2 * list.length + 2, () => `${id}: refused ${all.length - list.length} times`)
      const byPath = new Map<string, Array<Arrival>>()
      for (const a of list) byPath.set(a.path, [...(byPath.get(a.path) ?? []), a])
      for (const [path, as] of byPath) {
        const kind = p?.kind
        check(p !== undefined, () => `${id}: a request the soak did not send arrived`)
        if (kind === undefined) continue
        if (withBody.has(kind)) check(as.length <= 1, () => `${id} ${path} (${kind}, non-idempotent) arrived ${as.length} times: ${JSON.stringify(all)}`)
        const limit = retried.has(kind) ? 2 * (1 + retries) : 2
        check(as.length <= limit, () => `${id} ${path} (${kind}) arrived ${as.length} times (at most ${limit})`)
        // The retry policy may resend after a RecvTimeout (idempotent only), even when the response was on its way.
        for (let i = 0; i < as.length - 1 && !retried.has(kind); i++) {
          check(
            !as[i].complete || as[i].lost,
            () => `${id} ${path} (${kind}) was sent again after its response went out whole (and was not reset): ${JSON.stringify(as)}`
          )
        }
        if (!h2 && !retried.has(kind) && as.length === 2) {
          check(as[0].nth > 1, () => `${id} ${path} (${kind}) was resent after failing on a fresh connection (only a reused one's may be)`)
        }
      }
    }

    // What the harness kept for the checks above is dropped before the heap is measured.
    srv.arrivals.clear()
    planned.clear()

    // The pool's scope: nothing in use or queued, then closed.
    const stats = yield* Effect.orDie(Pool.stats(pool))
    check(stats.inUse === 0 && stats.queued === 0, () => `pool at the end: ${JSON.stringify(stats)}`)
    if (h2) {
      // The client's HTTP/2 streams, per origin (direct and through each proxy share the server's host and port).
      // A stream reset on a session nghttp2 ended silently closes with the session, up to `resetGrace` (2 s) later.
      for (const u of [(srv as ChaosH2Server).h2cUrl, (srv as ChaosH2Server).h2Url]) {
        const port = Number(new URL(u).port)
        const idle = () => {
          const host = pool.hostStats("127.0.0.1", port)
          return host.streams === 0 && host.inUse === 0
        }
        check(yield* settle(idle, 5000), () => `HTTP/2 pool entry of ${u} at the end: ${JSON.stringify(pool.hostStats("127.0.0.1", port))}`)
      }
    }
    yield* Scope.close(poolScope, Exit.void)
    /** Server-side sockets, the origin's and the proxies'. */
    const serverSockets = () => srv.openSockets() + Object.values(proxyServers).reduce((n, l) => n + l.sockets.size, 0)
    const serverClosed = yield* settle(() => srv.openSockets() === 0, 5000)
    check(serverClosed, () => `server sockets still open after the pool closed: ${JSON.stringify(srv.openByListener())}`)
    const fibers = yield* supervisor.value
    const running = yield* Effect.filter(fibers, (f) => Effect.map(f.poll, Option.isNone))
    check(running.length === 0, () => `${running.length} fibers of the run still running`)
    yield* Fiber.interruptAll(running)
    const handlesOk = yield* settle(() => {
      const now = handles()
      return (now.TCPSocketWrap ?? 0) - serverSockets() <= (handlesBefore.TCPSocketWrap ?? 0) &&
        (now.Timeout ?? 0) <= (handlesBefore.Timeout ?? 0)
    }, 5000)
    check(
      handlesOk,
      () =>
        `client sockets or timers left: ${JSON.stringify(handles())} (server-side ${serverSockets()}; before: ${JSON.stringify(handlesBefore)})` +
        (timers === undefined ? " (--trace-timers names their owners)" : `; timers made during the run still active: ${timers.live().join("; ")}`)
    )
    timers?.stop()
    // Each connection to a misbehaving proxy met its fault.
    for (const name of [...badHttpProxies, ...badSocksProxies]) {
      const n = proxyServers[name].accepted()
      if (n > 0) srv.faults.set(`proxy/${name}`, n)
    }
    const serverFaults = Object.fromEntries([...srv.faults].sort(([a], [b]) => a.localeCompare(b)))
    const serverConnections = srv.accepted()
    yield* Scope.close(serverScope, Exit.void)
    const serverGone = yield* settle(() => {
      const now = handles()
      return (now.TCPSocketWrap ?? 0) <= (handlesBefore.TCPSocketWrap ?? 0) &&
        (now.TCPServerWrap ?? 0) <= (handlesBefore.TCPServerWrap ?? 0)
    }, 3000)
    check(
      serverGone,
      () => `handles left: ${JSON.stringify(handles())} (before: ${JSON.stringify(handlesBefore)})`
    )
    const after = yield* Effect.promise(() => heapAfterGc(heapRounds))
    const heapEnd = after.used
    const snapshot = heapSnapshot(config.heapSnapshots, `${config.seed}-${config.protocol.replace("/", "")}-end`)
    if (config.heapCheck !== false) {
      check(
        heapEnd - heapBaseline < 32 * 1048576,
        () =>
          `heap after GC ${mb(heapEnd)} MB (rounds ${after.rounds.join(", ")}), baseline ${mb(heapBaseline)} MB ` +
          `(rounds ${before.rounds.join(", ")}); grew: ${heapGrowth(before, after)}` +
          (snapshot === undefined ? " (--heap-snapshots <dir> writes snapshots to diff)" : `; snapshot ${snapshot}`)
      )
    }
    process.removeListener("unhandledRejection", onRejection)
    process.removeListener("uncaughtException", onRejection)
    check(rejections.length === 0, () => `unhandled rejections / uncaught exceptions: ${rejections.slice(0, 3).map(String).join("; ")}`)
    return {
      protocol: config.protocol,
      seed: config.seed,
      requests: config.requests,
      outcomes,
      byKind,
      failuresByTag,
      faults: serverFaults,
      faultsTotal: Object.values(serverFaults).reduce((a, b) => a + b, 0),
      invariantsChecked: checked,
      violations,
      elapsedMs,
      stalls: stalls.stalls.length,
      longestStallMs: stalls.longest,
      peakRssMb: mb(peakRss),
      peakHeapMb: mb(peakHeap),
      heapBaselineMb: mb(heapBaseline),
      heapEndMb: mb(heapEnd),
      serverConnections
    }
  })

/** The report as lines, for a test's log or the soak command. */
export const formatReport = (r: SoakReport): string =>
  [
    `chaos soak (${r.protocol}) seed ${r.seed}: ${r.requests} requests in ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
    `${r.serverConnections} server connections`,
    `  outcomes: ${JSON.stringify(r.outcomes)}`,
    `  kinds: ${JSON.stringify(r.byKind)}`,
    `  failures: ${JSON.stringify(r.failuresByTag)}`,
    `  faults injected (${r.faultsTotal}): ${JSON.stringify(r.faults)}`,
    `  invariants checked: ${r.invariantsChecked}; violations: ${r.violations.length}; ` +
    `event-loop stalls of 1 s or more: ${r.stalls} (longest ${(r.longestStallMs / 1000).toFixed(1)} s)`,
    `  memory: peak RSS ${r.peakRssMb} MB, peak heap ${r.peakHeapMb} MB, heap after GC ${r.heapEndMb} MB (baseline ${r.heapBaselineMb} MB)`,
    ...r.violations.slice(0, 20).map((v) => `  VIOLATION ${v}`)
  ].join("\n")
