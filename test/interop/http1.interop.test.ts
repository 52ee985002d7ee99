/**
 * effect-hackney's HTTP/1.1 client against real servers: httpbin 0.7.0 under gunicorn (what
 * arrived is echoed back as JSON) and nginx (keep-alive, static files with known sha256, the
 * upload sink, concurrency). Peers come from `scripts/peers.sh`; see docs/interop.md.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as zlib from "node:zlib"
import * as Cookie from "../../src/Cookie.js"
import * as Hackney from "../../src/Hackney.js"
import * as Headers from "../../src/Headers.js"
import * as Pool from "../../src/Pool.js"
import { countingLookup, patternBytes, patternStream, sha256, streamDigest, timed, withPool } from "./client.js"
import { need, skipPeer } from "./env.js"

const encoder = new TextEncoder()

/** What httpbin echoes for /get, /post, /put, … */
interface Echo {
  readonly args: Record<string, string | Array<string>>
  readonly headers: Record<string, string>
  readonly url: string
  readonly data?: string
  readonly json?: unknown
  readonly form?: Record<string, string | Array<string>>
}

const echo = (res: Hackney.Response): Echo => res.json() as Echo

describe.skipIf(skipPeer("httpbin"))("HTTP/1.1 client against httpbin (gunicorn)", () => {
  const base = () => need("httpbin").url("HTTPBIN")
  /** httpbin by name, so a counting lookup sees every dial (localhost is IPv4 only here). */
  const byName = () => base().replace("127.0.0.1", "localhost")
  const port = () => Number(new URL(base()).port)

  describe("requests and what arrives", () => {
    it.live("GET /get: query args and our headers are echoed; the default User-Agent is effect-hackney's", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`${base()}/get?a=1&b=two%20words&a=3`, {
          headers: [["X-Custom", "custom value"], ["X-Other", "x"]]
        })
        expect(res.status).toBe(200)
        expect(res.protocol).toBe("http/1.1")
        expect(Headers.getOrUndefined(res.headers, "content-type")).toBe("application/json")
        const body = echo(res)
        expect(body.args).toEqual({ a: ["1", "3"], b: "two words" })
        expect(body.headers["X-Custom"]).toBe("custom value")
        expect(body.headers["X-Other"]).toBe("x")
        expect(body.headers["User-Agent"]).toMatch(/^effect-hackney\/\d+\.\d+\.\d+/)
        expect(body.headers.Host).toBe(new URL(base()).host)
        expect(body.url).toBe(`${base()}/get?a=1&b=two%20words&a=3`)
        expect(res.url).toBe(`${base()}/get?a=1&b=two%20words&a=3`)
      }).pipe(withPool({ name: "h1-get" })))

    it.live("a caller User-Agent replaces the default one", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`${base()}/user-agent`, { headers: { "user-agent": "interop/1.0" } })
        expect(res.json()).toEqual({ "user-agent": "interop/1.0" })
      }).pipe(withPool({ name: "h1-ua" })))

    it.live("POST /post with a JSON string body", () =>
      Effect.gen(function*() {
        const payload = { a: 1, nested: { b: [1, 2, "ü"] }, s: "x&y=z" }
        const text = JSON.stringify(payload)
        const res = yield* Hackney.post(`${base()}/post`, {
          headers: { "content-type": "application/json" },
          body: text
        })
        expect(res.status).toBe(200)
        const body = echo(res)
        expect(body.json).toEqual(payload)
        expect(body.headers["Content-Type"]).toBe("application/json")
        expect(body.headers["Content-Length"]).toBe(String(encoder.encode(text).length))
      }).pipe(withPool({ name: "h1-post-json" })))

    it.live("POST /post with { form }: urlencoded, repeated keys and reserved characters survive", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.post(`${base()}/post`, {
          body: { form: [["a", "1"], ["a", "2"], ["b", "x y&z=+é"]] }
        })
        expect(res.status).toBe(200)
        const body = echo(res)
        expect(body.form).toEqual({ a: ["1", "2"], b: "x y&z=+é" })
        expect(body.headers["Content-Type"]).toMatch(/^application\/x-www-form-urlencoded/)
      }).pipe(withPool({ name: "h1-post-form" })))

    it.live("POST /post with a Stream body goes chunked and arrives whole", () =>
      Effect.gen(function*() {
        const parts = ["first part, ", "second part, ", "x".repeat(100_000), " end"]
        const res = yield* Hackney.post(`${base()}/post`, {
          headers: { "content-type": "text/plain" },
          body: Stream.map(Stream.fromIterable(parts), (s) => encoder.encode(s))
        })
        expect(res.status).toBe(200)
        const body = echo(res)
        expect(body.data).toBe(parts.join(""))
        expect(body.headers["Transfer-Encoding"]).toBe("chunked")
        expect(body.headers["Content-Length"]).toBeUndefined()
      }).pipe(withPool({ name: "h1-post-chunked" })))

    it.live("PUT with a Stream body and a declared Content-Length is sent with identity framing", () =>
      Effect.gen(function*() {
        const text = "0123456789".repeat(1000)
        const res = yield* Hackney.put(`${base()}/put`, {
          headers: { "content-type": "text/plain", "content-length": String(text.length) },
          body: Stream.map(Stream.fromIterable(text.match(/.{1,999}/g)!), (s) => encoder.encode(s))
        })
        expect(res.status).toBe(200)
        const body = echo(res)
        expect(body.data).toBe(text)
        expect(body.headers["Content-Length"]).toBe(String(text.length))
        expect(body.headers["Transfer-Encoding"]).toBeUndefined()
      }).pipe(withPool({ name: "h1-put-length" })))

    it.live("PUT with { file } sends the file's bytes with its size", () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "hackney-interop-"))
        try {
          const text = "file body line\n".repeat(500)
          const path = join(dir, "body.txt")
          writeFileSync(path, text)
          const res = yield* Hackney.put(`${base()}/put`, { headers: { "content-type": "text/plain" }, body: { file: path } })
          expect(res.status).toBe(200)
          const body = echo(res)
          expect(body.data).toBe(text)
          expect(body.headers["Content-Length"]).toBe(String(text.length))
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }).pipe(withPool({ name: "h1-put-file" })))

    it.live("Hackney.open: the body written piece by piece (send / finish / response)", () =>
      Effect.scoped(Effect.gen(function*() {
        const w = yield* Hackney.open("PATCH", `${base()}/patch`, { headers: { "content-type": "text/plain" } })
        yield* w.send("one,")
        yield* w.send(encoder.encode("two,"))
        yield* w.send("three")
        const res = yield* w.response
        expect(res.status).toBe(200)
        const body = JSON.parse(yield* res.text) as Echo
        expect(body.data).toBe("one,two,three")
        expect(body.headers["Transfer-Encoding"]).toBe("chunked")
      })).pipe(withPool({ name: "h1-open" })))

    it.live("DELETE, OPTIONS and HEAD", () =>
      Effect.gen(function*() {
        const del = yield* Hackney.del(`${base()}/delete?id=7`)
        expect(del.status).toBe(200)
        expect(echo(del).args).toEqual({ id: "7" })
        const opts = yield* Hackney.options(`${base()}/get`)
        expect(opts.status).toBe(200)
        expect(Headers.getOrUndefined(opts.headers, "allow")?.split(/,\s*/).sort()).toEqual(
          expect.arrayContaining(["GET", "HEAD", "OPTIONS"])
        )
        const head = yield* Hackney.head(`${base()}/bytes/2048`)
        expect(head.status).toBe(200)
        expect(Headers.getOrUndefined(head.headers, "content-length")).toBe("2048")
        expect(head.body.length).toBe(0)
      }).pipe(withPool({ name: "h1-verbs" })))

    it.live("answers on [::1] and on httpbin's unix socket (http+unix)", () =>
      Effect.gen(function*() {
        const v6 = yield* Hackney.get(`${need("httpbin").url("HTTPBIN_IPV6")}/get`)
        expect(v6.status).toBe(200)
        expect(echo(v6).headers.Host).toBe(`[::1]:${port()}`)
        const sock = encodeURIComponent(need("httpbin").url("HTTPBIN_SOCKET"))
        const unix = yield* Hackney.get(`http+unix://${sock}/status/418`)
        expect(unix.status).toBe(418)
        expect(unix.text()).toContain("teapot")
      }).pipe(withPool({ name: "h1-v6-unix" })))
  })

  describe("authentication and cookies", () => {
    it.live("/basic-auth/u/p: 200 with basicAuth, 200 with URL userinfo, 401 without", () =>
      Effect.gen(function*() {
        const url = `${base()}/basic-auth/u/p`
        const withOption = yield* Hackney.get(url, { basicAuth: ["u", "p"] })
        expect(withOption.status).toBe(200)
        expect(withOption.json()).toEqual({ authenticated: true, user: "u" })
        const withUserinfo = yield* Hackney.get(url.replace("http://", "http://u:p@"))
        expect(withUserinfo.status).toBe(200)
        expect(withUserinfo.json()).toEqual({ authenticated: true, user: "u" })
        // URL userinfo wins over basicAuth (hackney)
        const both = yield* Hackney.get(url.replace("http://", "http://u:p@"), { basicAuth: ["u", "wrong"] })
        expect(both.status).toBe(200)
        const wrong = yield* Hackney.get(url, { basicAuth: ["u", "wrong"] })
        expect(wrong.status).toBe(401)
        const without = yield* Hackney.get(url)
        expect(without.status).toBe(401)
        expect(Headers.getOrUndefined(without.headers, "www-authenticate")).toMatch(/^Basic realm=/)
      }).pipe(withPool({ name: "h1-basic-auth" })))

    it.live("/cookies/set: Set-Cookie parsed with Cookie; sent back with a Cookie header to /cookies", () =>
      Effect.gen(function*() {
        const set = yield* Hackney.get(`${base()}/cookies/set?k=v&session=abc123`)
        expect(set.status).toBe(302)
        const lines = Headers.getAll(set.headers, "set-cookie")
        expect(lines.length).toBe(2)
        const cookies = Cookie.parseSetCookies(set.headers)
        expect(cookies.map((c) => [c.name, c.value, c.path])).toEqual(
          expect.arrayContaining([["k", "v", "/"], ["session", "abc123", "/"]])
        )
        const header = Cookie.serializeCookieHeader(cookies.map((c) => [c.name, c.value] as const))
        expect(Either.isRight(header)).toBe(true)
        const got = yield* Hackney.get(`${base()}/cookies`, { headers: { cookie: Either.getOrThrow(header) } })
        expect(got.status).toBe(200)
        expect(got.json()).toEqual({ cookies: { k: "v", session: "abc123" } })
      }).pipe(withPool({ name: "h1-cookies" })))
  })

  describe("bodies", () => {
    it.live("/stream/20 through Hackney.stream: 20 JSON lines, chunked", () =>
      Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${base()}/stream/20`)
        expect(res.status).toBe(200)
        expect(Headers.getOrUndefined(res.headers, "transfer-encoding")).toBe("chunked")
        const text = yield* res.text
        const lines = text.split("\n").filter((l) => l !== "")
        expect(lines.length).toBe(20)
        expect(lines.map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([...Array(20).keys()])
        expect(yield* res.trailers).toBeUndefined()
      })).pipe(withPool({ name: "h1-stream" })))

    it.live("/bytes/N: exactly N bytes, Content-Length framed; seeded bytes are the same twice", () =>
      Effect.gen(function*() {
        for (const n of [0, 1, 1000, 102_400]) {
          const res = yield* Hackney.get(`${base()}/bytes/${n}?seed=42`)
          expect(res.status).toBe(200)
          expect(Headers.getOrUndefined(res.headers, "content-length")).toBe(String(n))
          expect(res.body.length).toBe(n)
        }
        const a = yield* Hackney.get(`${base()}/bytes/65536?seed=7`)
        const b = yield* Effect.scoped(Effect.flatMap(Hackney.stream("GET", `${base()}/bytes/65536?seed=7`), (r) => r.bytes))
        expect(sha256(b)).toBe(sha256(a.body))
      }).pipe(withPool({ name: "h1-bytes" })))

    it.live("/drip: the body arrives slowly, in several pieces, over about a second", () =>
      Effect.scoped(Effect.gen(function*() {
        const res = yield* Hackney.stream("GET", `${base()}/drip?duration=1&numbytes=5&delay=0`)
        expect(res.status).toBe(200)
        const arrivals: Array<number> = []
        const pieces: Array<string> = []
        const decoder = new TextDecoder()
        yield* Stream.runForEach(res.body, (chunk) =>
          Effect.sync(() => {
            arrivals.push(performance.now())
            pieces.push(decoder.decode(chunk))
          }))
        expect(pieces.join("")).toBe("*****")
        expect(pieces.length).toBeGreaterThanOrEqual(3)
        expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThan(500)
      })).pipe(withPool({ name: "h1-drip" })))

    it.live("/delay/3 with recvTimeout 1 second fails with RecvTimeout (headers) after about 1 s", () =>
      Effect.gen(function*() {
        const [error, ms] = yield* timed(Effect.flip(Hackney.get(`${base()}/delay/3`, { recvTimeout: "1 second" })))
        expect(error._tag).toBe("RecvTimeout")
        if (error._tag === "RecvTimeout") {
          expect(error.phase).toBe("headers")
          expect(error.timeoutMillis).toBe(1000)
          expect(error.url).toBe(`${base()}/delay/3`)
        }
        expect(ms).toBeGreaterThanOrEqual(900)
        expect(ms).toBeLessThan(2500)
        // the pool is still usable: the timed-out connection was not given back
        const next = yield* Hackney.get(`${base()}/get`, { recvTimeout: "5 seconds" })
        expect(next.status).toBe(200)
      }).pipe(withPool({ name: "h1-delay" })))

    it.live("a body that stalls mid-way fails with RecvTimeout (body)", () =>
      Effect.gen(function*() {
        // 2 bytes over 3 s: the first arrives with the head, the next after a 1.5 s pause
        const error = yield* Effect.flip(Hackney.get(`${base()}/drip?duration=3&numbytes=2&delay=0`, { recvTimeout: "700 millis" }))
        expect(error._tag).toBe("RecvTimeout")
        if (error._tag === "RecvTimeout") expect(error.phase).toBe("body")
      }).pipe(withPool({ name: "h1-drip-stall" })))

    it.live("maxBodySize: a larger body fails with BodyTooLarge", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Hackney.get(`${base()}/bytes/5000`, { maxBodySize: 4096 }))
        expect(error._tag).toBe("BodyTooLarge")
        const ok = yield* Hackney.get(`${base()}/bytes/4096`, { maxBodySize: 4096 })
        expect(ok.body.length).toBe(4096)
      }).pipe(withPool({ name: "h1-max-body" })))
  })

  describe("status codes and connection reuse", () => {
    it.live("/status/200, 204, 304, 418, 500 in a row on one kept-alive connection; 204 and 304 have no body", () =>
      Effect.gen(function*() {
        const { dials, lookup } = countingLookup()
        const pool = yield* Pool.Pool
        const get = (path: string) => Hackney.get(`${byName()}${path}`, { lookup, recvTimeout: "3 seconds" })
        const expected: ReadonlyArray<readonly [number, string, number | undefined]> = [
          [200, "OK", undefined],
          [204, "NO CONTENT", 0],
          [304, "NOT MODIFIED", 0],
          [418, "I'M A TEAPOT", undefined],
          [500, "INTERNAL SERVER ERROR", 0],
          [204, "NO CONTENT", 0],
          [200, "OK", undefined]
        ]
        for (const [status, reason, length] of expected) {
          const res = yield* get(`/status/${status}`)
          expect(res.status).toBe(status)
          expect(res.reason).toBe(reason)
          if (length !== undefined) expect(res.body.length).toBe(length)
        }
        const teapot = yield* get("/status/418")
        expect(teapot.text()).toContain("teapot")
        expect(Headers.getOrUndefined(teapot.headers, "x-more-info")).toBe("http://tools.ietf.org/html/rfc2324")
        // a HEAD in between must not leave its Content-Length worth of bytes expected
        const head = yield* Hackney.head(`${byName()}/bytes/300`, { lookup })
        expect(head.body.length).toBe(0)
        const after = yield* get("/get")
        expect(after.status).toBe(200)
        expect(dials()).toBe(1)
        expect(yield* Pool.hostStats(pool, "localhost", port())).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
      }).pipe(withPool({ name: "h1-status" })))

    it.live("/response-headers?x=1&x=2: a repeated header keeps both values in order", () =>
      Effect.gen(function*() {
        const res = yield* Hackney.get(`${base()}/response-headers?x=1&x=2&Y-Single=one`)
        expect(res.status).toBe(200)
        expect(Headers.getAll(res.headers, "x")).toEqual(["1", "2"])
        expect(Headers.getAll(res.headers, "X")).toEqual(["1", "2"])
        expect(Headers.getOrUndefined(res.headers, "y-single")).toBe("one")
        expect((res.json() as Record<string, unknown>).x).toEqual(["1", "2"])
      }).pipe(withPool({ name: "h1-multi-headers" })))
  })

  describe("content codings (bytes left as sent)", () => {
    // TODO(autoDecompress): decompression is another issue (option `autoDecompress`, being built).
    // Until it lands these assert the default: compressed bytes arrive intact with their
    // Content-Encoding, and decode here with node:zlib. Add autoDecompress cases beside them.
    const cases = [
      ["/gzip", "gzip", (b: Uint8Array) => zlib.gunzipSync(b), "gzipped"],
      ["/deflate", "deflate", (b: Uint8Array) => zlib.inflateSync(b), "deflated"],
      ["/brotli", "br", (b: Uint8Array) => zlib.brotliDecompressSync(b), "brotli"]
    ] as const
    for (const [path, coding, decode, flag] of cases) {
      it.live(`${path}: Content-Encoding ${coding}, body decodes with node:zlib`, () =>
        Effect.gen(function*() {
          const res = yield* Hackney.get(`${base()}${path}`, { headers: { "accept-encoding": "gzip, deflate, br" } })
          expect(res.status).toBe(200)
          expect(Headers.getOrUndefined(res.headers, "content-encoding")).toBe(coding)
          expect(String(res.body.length)).toBe(Headers.getOrUndefined(res.headers, "content-length"))
          const json = JSON.parse(decode(res.body).toString("utf8")) as Record<string, unknown>
          expect(json[flag]).toBe(true)
          expect((json.headers as Record<string, string>)["Accept-Encoding"]).toBe("gzip, deflate, br")
        }).pipe(withPool({ name: `h1-coding-${coding}` })))
    }
  })

  describe("redirects are returned, not followed (the default)", () => {
    // TODO(followRedirect): redirect following is being built (option `followRedirect`); these
    // assert today's default, which stays correct: the 3xx and its Location come back as is.
    it.live("/redirect/3, /relative-redirect/2: 302 with a relative Location", () =>
      Effect.gen(function*() {
        const r = yield* Hackney.get(`${base()}/redirect/3`)
        expect(r.status).toBe(302)
        expect(Headers.getOrUndefined(r.headers, "location")).toBe("/relative-redirect/2")
        expect(r.url).toBe(`${base()}/redirect/3`)
        const rel = yield* Hackney.get(`${base()}/relative-redirect/2`)
        expect(rel.status).toBe(302)
        expect(Headers.getOrUndefined(rel.headers, "location")).toBe("/relative-redirect/1")
        const last = yield* Hackney.get(`${base()}/redirect/1`)
        expect(Headers.getOrUndefined(last.headers, "location")).toBe("/get")
      }).pipe(withPool({ name: "h1-redirect" })))

    it.live("/absolute-redirect/2: 302 with an absolute Location", () =>
      Effect.gen(function*() {
        const r = yield* Hackney.get(`${base()}/absolute-redirect/2`)
        expect(r.status).toBe(302)
        expect(Headers.getOrUndefined(r.headers, "location")).toBe(`${base()}/absolute-redirect/1`)
      }).pipe(withPool({ name: "h1-absolute-redirect" })))

    it.live("/redirect-to with 301, 302, 303, 307, 308", () =>
      Effect.gen(function*() {
        const target = `${base()}/get?from=redirect`
        for (const code of [301, 302, 303, 307, 308]) {
          const url = `${base()}/redirect-to?url=${encodeURIComponent(target)}&status_code=${code}`
          const r = yield* Hackney.get(url)
          expect(r.status).toBe(code)
          expect(Headers.getOrUndefined(r.headers, "location")).toBe(target)
          expect(r.url).toBe(url)
        }
        // a POST answered with 307 is not re-sent either
        const post = yield* Hackney.post(`${base()}/redirect-to?url=${encodeURIComponent("/post")}&status_code=307`, {
          body: "payload"
        })
        expect(post.status).toBe(307)
        expect(Headers.getOrUndefined(post.headers, "location")).toBe("/post")
      }).pipe(withPool({ name: "h1-redirect-to" })))
  })
})

describe.skipIf(skipPeer("nginx"))("HTTP/1.1 client against nginx", () => {
  const env = () => need("nginx")
  const base = () => env().url("NGINX_H1")
  const port = () => Number(new URL(base()).port)
  const byName = () => `http://localhost:${port()}`
  const files = () => env().files.filter((f) => f.size <= 16 * 1024 * 1024)
  const upload = () => `${base()}${env().url("NGINX_UPLOAD_PATH")}`

  it.live("keep-alive: 100 sequential requests through one pool dial one connection", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      const pool = yield* Pool.Pool
      for (let i = 0; i < 100; i++) {
        const res = yield* Hackney.get(`${byName()}/echo?i=${i}`, { lookup })
        expect(res.text()).toBe(`GET /echo?i=${i} HTTP/1.1 localhost:${port()}\n`)
      }
      expect(dials()).toBe(1)
      expect(yield* Pool.hostStats(pool, "localhost", port())).toEqual({ active: 0, inUse: 0, free: 1, streams: 0 })
      expect(yield* Pool.stats(pool)).toMatchObject({ name: "h1-nginx-keepalive", inUse: 0, free: 1, queued: 0 })
    }).pipe(withPool({ name: "h1-nginx-keepalive" })))

  it.live("Hackney.connect: requests on one connection keep the same local port", () =>
    Effect.scoped(Effect.gen(function*() {
      const conn = yield* Hackney.connect(base())
      const first = yield* conn.sockname
      for (let i = 0; i < 10; i++) {
        const res = yield* conn.request({ method: "GET", path: `/echo?n=${i}` })
        expect(res.text()).toBe(`GET /echo?n=${i} HTTP/1.1 127.0.0.1:${port()}\n`)
      }
      const last = yield* conn.sockname
      expect(first?.port).toBeGreaterThan(0)
      expect(last?.port).toBe(first?.port)
      expect((yield* conn.peername)?.port).toBe(port())
    })))

  it.live("static files 1k/64k/1m/10m: byte-exact (sha256) one-shot, then streamed, on one connection", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      expect(files().map((f) => f.name)).toEqual(expect.arrayContaining(["1k", "64k", "1m", "10m"]))
      for (const file of files()) {
        const res = yield* Hackney.get(`${byName()}${file.path}`, { lookup })
        expect(res.status).toBe(200)
        expect(res.body.length).toBe(file.size)
        expect(sha256(res.body)).toBe(file.sha256)
        const streamed = yield* Effect.scoped(Effect.flatMap(
          Hackney.stream("GET", `${byName()}${file.path}`, { lookup }),
          (r) => streamDigest(r.body)
        ))
        expect(streamed).toMatchObject({ sha256: file.sha256, length: file.size })
        if (file.size >= 1024 * 1024) expect(streamed.chunks).toBeGreaterThan(1)
      }
      expect(dials()).toBe(1)
    }).pipe(withPool({ name: "h1-nginx-files" })))

  it.live("a streamed response abandoned half-way does not leak: the next request still works", () =>
    Effect.gen(function*() {
      const pool = yield* Pool.Pool
      const file = files().find((f) => f.name === "10m")!
      const firstBytes = yield* Effect.scoped(Effect.flatMap(
        Hackney.stream("GET", `${base()}${file.path}`),
        (r) => Stream.runFold(Stream.take(r.body, 2), 0, (n, c) => n + c.length)
      ))
      expect(firstBytes).toBeGreaterThan(0)
      expect((yield* Pool.hostStats(pool, "127.0.0.1", port())).inUse).toBe(0)
      const res = yield* Hackney.get(`${base()}/hello`)
      expect(res.text()).toBe("hello\n")
    }).pipe(withPool({ name: "h1-nginx-abandon" })))

  it.live("gzip and brotli from nginx (/gz/64k.bin, chunked): compressed bytes intact, decode to the file", () =>
    Effect.gen(function*() {
      // TODO(autoDecompress): see the httpbin codings above.
      const file = files().find((f) => f.name === "64k")!
      const gz = yield* Hackney.get(`${base()}/gz${file.path}`, { headers: { "accept-encoding": "gzip" } })
      expect(Headers.getOrUndefined(gz.headers, "content-encoding")).toBe("gzip")
      expect(Headers.getOrUndefined(gz.headers, "transfer-encoding")).toBe("chunked")
      expect(sha256(zlib.gunzipSync(gz.body))).toBe(file.sha256)
      const br = yield* Hackney.get(`${base()}/gz${file.path}`, { headers: { "accept-encoding": "br" } })
      expect(Headers.getOrUndefined(br.headers, "content-encoding")).toBe("br")
      expect(sha256(zlib.brotliDecompressSync(br.body))).toBe(file.sha256)
      const plain = yield* Hackney.get(`${base()}/gz${file.path}`)
      expect(Headers.has(plain.headers, "content-encoding")).toBe(false)
      expect(sha256(plain.body)).toBe(file.sha256)
    }).pipe(withPool({ name: "h1-nginx-gz" })))

  it.live("upload sink: a 24 MiB chunked Stream body and a 24 MiB Content-Length Stream body", () =>
    Effect.gen(function*() {
      const size = 24 * 1024 * 1024
      const chunked = yield* Hackney.post(upload(), { body: patternStream(size, 64 * 1024).stream })
      expect(chunked.status).toBe(200)
      expect(chunked.json()).toEqual({ received: size })
      const sized = yield* Hackney.post(upload(), {
        headers: { "content-length": String(size) },
        body: patternStream(size, 100_000).stream
      })
      expect(sized.status).toBe(200)
      expect(sized.json()).toEqual({ received: size })
    }).pipe(withPool({ name: "h1-nginx-upload" })))

  it.live("upload sink: { file } (the 10m file) and a Uint8Array body", () =>
    Effect.gen(function*() {
      const file = files().find((f) => f.name === "10m")!
      const res = yield* Hackney.put(upload(), { body: { file: join(env().dir, "html", "10m.bin") } })
      expect(res.status).toBe(200)
      expect(res.json()).toEqual({ received: file.size })
      const bytes = patternBytes(3 * 1024 * 1024 + 17)
      const res2 = yield* Hackney.post(upload(), { body: bytes })
      expect(res2.json()).toEqual({ received: bytes.length })
    }).pipe(withPool({ name: "h1-nginx-upload-file" })))

  it.live("a declared Content-Length that the Stream does not match fails with InvalidRequest", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Hackney.post(upload(), {
        headers: { "content-length": "1000" },
        body: Stream.make(patternBytes(600))
      }))
      expect(error._tag).toBe("InvalidRequest")
      const ok = yield* Hackney.get(`${base()}/hello`)
      expect(ok.text()).toBe("hello\n")
    }).pipe(withPool({ name: "h1-nginx-short-body" })))

  it.live("200 requests at concurrency 20 all succeed, on at most 20 connections", () =>
    Effect.gen(function*() {
      const { dials, lookup } = countingLookup()
      const pool = yield* Pool.Pool
      const paths = Array.from({ length: 200 }, (_, i) => (i % 10 === 9 ? "/64k.bin" : `/echo?i=${i}`))
      const results = yield* Effect.forEach(paths, (path) => Hackney.get(`${byName()}${path}`, { lookup }), {
        concurrency: 20
      })
      const sixtyFour = files().find((f) => f.name === "64k")!
      results.forEach((res, i) => {
        expect(res.status).toBe(200)
        if (paths[i] === "/64k.bin") expect(sha256(res.body)).toBe(sixtyFour.sha256)
        else expect(res.text()).toBe(`GET ${paths[i]} HTTP/1.1 localhost:${port()}\n`)
      })
      expect(dials()).toBeGreaterThan(1)
      expect(dials()).toBeLessThanOrEqual(20)
      const host = yield* Pool.hostStats(pool, "localhost", port())
      expect(host.active).toBe(0)
      expect(host.free).toBe(dials())
    }).pipe(withPool({ name: "h1-nginx-concurrent" })))

  it.live("the nginx reverse proxy to httpbin (/httpbin/anything) passes a chunked body", () =>
    Effect.gen(function*() {
      const res = yield* Hackney.post(`${base()}/httpbin/anything?q=1`, {
        headers: { "content-type": "text/plain" },
        body: Stream.make(encoder.encode("through "), encoder.encode("nginx"))
      })
      expect(res.status).toBe(200)
      const body = echo(res)
      expect(body.data).toBe("through nginx")
      expect(body.args).toEqual({ q: "1" })
    }).pipe(withPool({ name: "h1-nginx-proxy" })))
})
