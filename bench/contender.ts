/**
 * One benchmark contender in one process: `node <build>/contender.mjs <contender> <job-json>`.
 * bench/run.ts bundles this file with esbuild (undici and got stay external, so they run from
 * node_modules as published) and starts it once per contender, scenario and round.
 *
 * A job is a small GET loop at some concurrency (time-based: warm-up, then `durationMs`), or a
 * sequence of 100 MB downloads or streamed uploads (one warm-up transfer, then transfers until
 * `durationMs` has passed, at least one). It prints one JSON line (`Sample`) on stdout.
 *
 * Effect contenders run long-lived worker fibers (one per concurrent request stream) inside one
 * runtime built from the layer, as a real program loops; promise contenders run async workers.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import * as http from "node:http"
import * as http2 from "node:http2"
import * as https from "node:https"
import { Readable } from "node:stream"
import * as Hackney from "../src/Hackney.js"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Pool from "../src/Pool.js"

export interface Job {
  readonly kind: "get" | "download" | "upload"
  readonly url: string
  /** scaling scenarios: the workers spread over these origins (worker i asks urls[i % n]) */
  readonly urls?: ReadonlyArray<string> | undefined
  /** connections per origin (the pools' per-host limit); default 50 */
  readonly maxPerHost?: number | undefined
  /** our pools' idle cap (`maxConnections`, default 50), raised to the connections a scaling job opens */
  readonly maxConnections?: number | undefined
  readonly concurrency: number
  readonly warmupMs: number
  readonly durationMs: number
  /** upload: body size in bytes (sent in 64 KiB chunks, with Content-Length) */
  readonly size: number
}

export interface Sample {
  readonly requests: number
  readonly elapsedMs: number
  readonly bytes: number
  /** user + system CPU of the measured phase, µs */
  readonly cpuUs: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** RSS (bytes) after the client was made, before any request */
  readonly rssIdle: number
  /** peak RSS (bytes) of the process (getrusage maxrss) */
  readonly rssPeak: number
  /** requests of the warm-up phase */
  readonly warmupRequests: number
  /** the measured phase on the monotonic clock (µs), to cut a --cpu-prof profile to it */
  readonly monoStartUs: number
  readonly monoEndUs: number
}

/** What a contender implements: one request of each kind, as a Promise or as an Effect. */
type Ops =
  | {
    readonly _tag: "promise"
    readonly get: (url: string) => Promise<unknown>
    readonly download: (url: string) => Promise<number>
    readonly upload: (url: string, size: number) => Promise<string>
    readonly close: () => Promise<unknown>
  }
  | {
    readonly _tag: "effect"
    readonly layer: Layer.Layer<any, unknown>
    /** run once in the layer's runtime (e.g. to take the HttpClient from the context once) */
    readonly make: Effect.Effect<EffectOps, never, any>
  }

interface EffectOps {
  readonly get: (url: string) => Effect.Effect<unknown, unknown, any>
  readonly download: (url: string) => Effect.Effect<number, unknown, any>
  readonly upload: (url: string, size: number) => Effect.Effect<string, unknown, any>
}

const CHUNK = new Uint8Array(65536).fill(0x61)
async function* chunks(size: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += CHUNK.length) yield size - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, size - sent)
}
const chunkStream = (size: number): Stream.Stream<Uint8Array> =>
  Stream.fromIterable(Array.from({ length: Math.ceil(size / CHUNK.length) }, (_, i) =>
    i < Math.floor(size / CHUNK.length) ? CHUNK : CHUNK.subarray(0, size % CHUNK.length)))
const octet = { "content-type": "application/octet-stream" }

// ---------------------------------------------------------------------------------------------
// @effect/platform HttpClient contenders (ours through the HttpClient interface, and platform's)

const platform = (layer: Layer.Layer<HttpClient.HttpClient>): Ops => ({
  _tag: "effect",
  layer,
  make: Effect.map(HttpClient.HttpClient, (client): EffectOps => ({
    get: (url) => Effect.flatMap(client.get(url), (r) => r.arrayBuffer),
    download: (url) => Effect.flatMap(client.get(url), (r) => Stream.runFold(r.stream, 0, (n, c) => n + c.length)),
    upload: (url, size) =>
      Effect.flatMap(
        client.execute(
          HttpClientRequest.post(url).pipe(
            HttpClientRequest.bodyStream(chunkStream(size), { contentType: octet["content-type"], contentLength: size })
          )
        ),
        (r) => r.text
      )
  }))
})

// ---------------------------------------------------------------------------------------------

const make = async (name: string, perHost: number, maxConnections: number | undefined): Promise<Ops> => {
  switch (name) {
    case "hackney": {
      // the native API, as documented: Hackney.get/stream/post with a Pool layer
      const noOptions: Hackney.Options = {}
      return {
        _tag: "effect",
        layer: Pool.layer({ maxPerHost: perHost, ...(maxConnections !== undefined ? { maxConnections } : {}) }),
        make: Effect.succeed({
          get: (url) => Hackney.get(url, noOptions),
          download: (url) =>
            Effect.scoped(
              Effect.flatMap(Hackney.stream("GET", url), (r) => Stream.runFold(r.body, 0, (n, c) => n + c.length))
            ),
          upload: (url, size) =>
            Effect.map(
              Hackney.post(url, { body: chunkStream(size), headers: { ...octet, "content-length": String(size) } }),
              (r) => r.text()
            )
        })
      }
    }
    case "hackney-httpclient":
      return platform(HackneyHttpClient.layer)
    case "platform-node":
      return platform(NodeHttpClient.layer)
    case "platform-undici":
      return platform(NodeHttpClient.layerUndici)
    case "platform-fetch":
      return platform(FetchHttpClient.layer)
    // not in the default set (`--only` them): the HttpClient layers without the platform's
    // per-request tracing span, to show what the span costs
    case "hackney-httpclient-untraced":
      return platform(Layer.merge(HackneyHttpClient.layer, Layer.setTracerEnabled(false)))
    case "platform-undici-untraced":
      return platform(Layer.merge(NodeHttpClient.layerUndici, Layer.setTracerEnabled(false)))
    case "undici-request": {
      const undici = await import("undici")
      const pools = new Map<string, InstanceType<typeof undici.Pool>>()
      const pool = (u: URL) => {
        let p = pools.get(u.origin)
        if (p === undefined) pools.set(u.origin, p = new undici.Pool(u.origin, { connections: perHost }))
        return p
      }
      return {
        _tag: "promise",
        get: async (url) => {
          const u = new URL(url)
          const r = await pool(u).request({ path: u.pathname, method: "GET" })
          return r.body.arrayBuffer()
        },
        download: async (url) => {
          const u = new URL(url)
          const r = await pool(u).request({ path: u.pathname, method: "GET" })
          let n = 0
          for await (const c of r.body) n += (c as Buffer).length
          return n
        },
        upload: async (url, size) => {
          const u = new URL(url)
          const r = await pool(u).request({
            path: u.pathname,
            method: "POST",
            headers: { ...octet, "content-length": String(size) },
            // undici's docs accept an AsyncIterable body; its typings list only Readable
            body: chunks(size) as unknown as Readable
          })
          return r.body.text()
        },
        close: () => Promise.all([...pools.values()].map((p) => p.close()))
      }
    }
    case "undici-h2": {
      // undici over HTTP/2 (allowH2: ALPN h2), one client per origin multiplexing its streams
      const undici = await import("undici")
      const clients = new Map<string, InstanceType<typeof undici.Client>>()
      const client = (u: URL) => {
        let c = clients.get(u.origin)
        if (c === undefined) clients.set(u.origin, c = new undici.Client(u.origin, { allowH2: true, maxConcurrentStreams: 256 }))
        return c
      }
      return {
        _tag: "promise",
        get: async (url) => {
          const u = new URL(url)
          const r = await client(u).request({ path: u.pathname, method: "GET" })
          return r.body.arrayBuffer()
        },
        download: async (url) => {
          const u = new URL(url)
          const r = await client(u).request({ path: u.pathname, method: "GET" })
          let n = 0
          for await (const c of r.body) n += (c as Buffer).length
          return n
        },
        upload: async (url, size) => {
          const u = new URL(url)
          const r = await client(u).request({
            path: u.pathname,
            method: "POST",
            headers: { ...octet, "content-length": String(size) },
            body: chunks(size) as unknown as Readable
          })
          return r.body.text()
        },
        close: () => Promise.all([...clients.values()].map((c) => c.close()))
      }
    }
    case "node-http2": {
      // node:http2 directly: one session per origin, a stream per request (the floor of a node HTTP/2 client)
      const sessions = new Map<string, http2.ClientHttp2Session>()
      const session = (u: URL) => {
        let s = sessions.get(u.origin)
        if (s === undefined || s.closed || s.destroyed) sessions.set(u.origin, s = http2.connect(u.origin))
        return s
      }
      const send = (url: string, method: string, body?: number) =>
        new Promise<{ n: number; parts: Array<Buffer> }>((resolve, reject) => {
          const u = new URL(url)
          const headers: http2.OutgoingHttpHeaders = { ":method": method, ":path": u.pathname }
          if (body !== undefined) Object.assign(headers, octet, { "content-length": String(body) })
          const req = session(u).request(headers, { endStream: body === undefined })
          const parts: Array<Buffer> = []
          let n = 0
          req.on("data", (c: Buffer) => {
            n += c.length
            if (method !== "GET" || n <= 65536) parts.push(c)
          })
          req.on("end", () => resolve({ n, parts }))
          req.on("error", reject)
          if (body !== undefined) {
            ;(async () => {
              for await (const c of chunks(body)) {
                if (!req.write(c)) await new Promise((r) => req.once("drain", r))
              }
              req.end()
            })().catch(reject)
          }
        })
      return {
        _tag: "promise",
        get: async (url) => Buffer.concat((await send(url, "GET")).parts),
        download: async (url) => (await send(url, "GET")).n,
        upload: async (url, size) => Buffer.concat((await send(url, "POST", size)).parts).toString(),
        close: async () => {
          for (const s of sessions.values()) s.close()
        }
      }
    }
    case "undici-fetch": {
      const undici = await import("undici")
      const dispatcher = new undici.Agent({ connections: 50 })
      return {
        _tag: "promise",
        get: async (url) => (await undici.fetch(url, { dispatcher })).arrayBuffer(),
        download: async (url) => {
          const r = await undici.fetch(url, { dispatcher })
          let n = 0
          for await (const c of r.body!) n += c.length
          return n
        },
        upload: async (url, size) => {
          const r = await undici.fetch(url, {
            method: "POST",
            headers: { ...octet, "content-length": String(size) },
            body: chunks(size),
            duplex: "half",
            dispatcher
          })
          return r.text()
        },
        close: () => dispatcher.close()
      }
    }
    case "node-http": {
      const agentOptions = { keepAlive: true, maxSockets: 50 }
      const httpAgent = new http.Agent(agentOptions)
      const httpsAgent = new https.Agent(agentOptions)
      const send = (url: string, method: string, headers: http.OutgoingHttpHeaders, body?: number) =>
        new Promise<http.IncomingMessage>((resolve, reject) => {
          const tls = url.startsWith("https:")
          const req = (tls ? https : http).request(url, { method, headers, agent: tls ? httpsAgent : httpAgent }, resolve)
          req.on("error", reject)
          if (body === undefined) return void req.end()
          ;(async () => {
            for await (const c of chunks(body)) {
              if (!req.write(c)) await new Promise((r) => req.once("drain", r))
            }
            req.end()
          })().catch(reject)
        })
      const drain = (res: http.IncomingMessage) =>
        new Promise<number>((resolve, reject) => {
          let n = 0
          res.on("data", (c: Buffer) => n += c.length)
          res.on("end", () => resolve(n))
          res.on("error", reject)
        })
      const text = (res: http.IncomingMessage) =>
        new Promise<string>((resolve, reject) => {
          const parts: Array<Buffer> = []
          res.on("data", (c: Buffer) => parts.push(c))
          res.on("end", () => resolve(Buffer.concat(parts).toString()))
          res.on("error", reject)
        })
      return {
        _tag: "promise",
        get: async (url) => text(await send(url, "GET", {})),
        download: async (url) => drain(await send(url, "GET", {})),
        upload: async (url, size) => text(await send(url, "POST", { ...octet, "content-length": size }, size)),
        close: async () => {
          httpAgent.destroy()
          httpsAgent.destroy()
        }
      }
    }
    case "got": {
      const { default: got } = await import("got")
      const agentOptions = { keepAlive: true, maxSockets: 50 }
      const client = got.extend({
        agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
        retry: { limit: 0 }
      })
      return {
        _tag: "promise",
        get: (url) => client(url).buffer(),
        download: async (url) => {
          let n = 0
          for await (const c of client.stream(url)) n += (c as Buffer).length
          return n
        },
        upload: (url, size) =>
          client.post(url, { headers: { ...octet, "content-length": String(size) }, body: Readable.from(chunks(size)) }).text(),
        close: async () => {}
      }
    }
    default:
      throw new Error(`unknown contender ${name}`)
  }
}

// ---------------------------------------------------------------------------------------------
// drivers

class Latencies {
  private a = new Float64Array(1 << 16)
  n = 0
  add(ms: number) {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.n++] = ms
  }
  percentile(p: number): number {
    if (this.n === 0) return 0
    const s = this.a.subarray(0, this.n).sort()
    return s[Math.min(this.n - 1, Math.floor((p / 100) * this.n))]
  }
}

/** How one phase (warm-up or measured) is run; returns the request count and bytes. */
interface Phase {
  readonly deadline: number
  readonly lat: Latencies | undefined
}

const runPromise = async (ops: Extract<Ops, { _tag: "promise" }>, job: Job, phase: Phase) => {
  let requests = 0
  let bytes = 0
  const { deadline, lat } = phase
  const one = (url: string): Promise<number> =>
    job.kind === "get"
      ? ops.get(url).then(() => 0)
      : job.kind === "download"
      ? ops.download(job.url)
      : ops.upload(job.url, job.size).then((t) => checkUpload(t, job.size))
  const worker = async (_: unknown, i: number) => {
    const url = urlOf(job, i)
    do {
      const t0 = performance.now()
      bytes += await one(url)
      const t1 = performance.now()
      requests++
      lat?.add(t1 - t0)
      if (t1 >= deadline) break
    } while (true)
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker))
  return { requests, bytes }
}

const runEffect = (ops: EffectOps, job: Job, phase: Phase) =>
  Effect.suspend(() => {
    let requests = 0
    let bytes = 0
    const { deadline, lat } = phase
    const oneOf = (url: string): Effect.Effect<number, unknown, any> =>
      job.kind === "get"
        ? Effect.as(ops.get(url), 0)
        : job.kind === "download"
        ? ops.download(url)
        : Effect.map(ops.upload(url, job.size), (t) => checkUpload(t, job.size))
    const worker = (i: number) => Effect.suspend(() => {
      const one = oneOf(urlOf(job, i))
      let t0 = 0
      let more = true
      return Effect.whileLoop({
        while: () => more,
        body: () => {
          t0 = performance.now()
          return one
        },
        step: (n: number) => {
          const t1 = performance.now()
          bytes += n
          requests++
          lat?.add(t1 - t0)
          more = t1 < deadline
        }
      })
    })
    return Effect.map(
      Effect.all(Array.from({ length: job.concurrency }, (_, i) => worker(i)), { concurrency: "unbounded", discard: true }),
      () => ({ requests, bytes })
    )
  })

/** The URL worker `i` asks: the job's, or one of its origins'. */
const urlOf = (job: Job, i: number): string => (job.urls === undefined ? job.url : job.urls[i % job.urls.length])

/** The sink answers {"received":N}: the whole body reached nginx. */
const checkUpload = (text: string, size: number): number => {
  const received = (JSON.parse(text) as { received: number }).received
  if (received !== size) throw new Error(`upload sink received ${received} of ${size} bytes`)
  return size
}

const main = async () => {
  const [name, jobJson] = process.argv.slice(2)
  const job = JSON.parse(jobJson) as Job
  const ops = await make(name, job.maxPerHost ?? 50, job.maxConnections)
  const runtime = ops._tag === "effect" ? ManagedRuntime.make(ops.layer) : undefined
  const effectOps = ops._tag === "effect" ? await runtime!.runPromise(ops.make) : undefined
  const phase = (p: Phase) =>
    ops._tag === "promise" ? runPromise(ops, job, p) : runtime!.runPromise(runEffect(effectOps!, job, p))

  const rssIdle = process.memoryUsage.rss()
  // warm-up: time-based for GETs; one transfer for downloads/uploads (the deadline is already past)
  const warm = await phase({ deadline: job.kind === "get" ? performance.now() + job.warmupMs : 0, lat: undefined })
  const lat = new Latencies()
  const mono = () => Number(process.hrtime.bigint() / 1000n)
  const monoStartUs = mono()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const { requests, bytes } = await phase({ deadline: t0 + job.durationMs, lat })
  const elapsedMs = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  const monoEndUs = mono()
  const rssPeak = process.resourceUsage().maxRSS * 1024
  const sample: Sample = {
    requests,
    elapsedMs,
    bytes,
    cpuUs: cpu.user + cpu.system,
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
    rssIdle,
    rssPeak,
    warmupRequests: warm.requests,
    monoStartUs,
    monoEndUs
  }
  process.stdout.write(JSON.stringify(sample) + "\n")
  if (ops._tag === "promise") await ops.close()
  else await runtime!.dispose()
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
