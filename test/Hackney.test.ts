/**
 * Hackney one-shot requests against in-process servers (hackney_integration_tests,
 * hackney_conn_content_length_tests, hackney_conn_request_injection_tests,
 * hackney_noclen_tests): default headers, bodies, response framing, keep-alive.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { mkdtempSync, rmSync } from "node:fs"
import type * as http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Hackney, Headers, Pool } from "../src/index.js"
import { prepare } from "../src/internal/client/prepare.js"
import { encodeHead } from "../src/internal/connection/h1Connection.js"
import { openFile } from "../src/internal/node/file.js"
import type { Echo } from "./support/hackney.js"
import { captureServer, echoHandler, echoServer, eventually, rawValues, readBody } from "./support/hackney.js"
import { httpServer, onRequestHead, rawServer, unixServer } from "./support/servers.js"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }

let poolSeq = 0
/** A pool of its own for one test, closed with the test's scope. */
const testPool = Effect.suspend(() => Pool.make({ name: `hackney-test-${poolSeq++}` }))

const echoOf = (res: Hackney.Response): Echo => res.json() as Echo

describe("Hackney: requests", () => {
  it.scoped("GET: status, body, url, protocol and default headers", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const pool = yield* testPool
      const url = `${srv.url}/get?a=1`
      const res = yield* Hackney.get(url, { pool })
      expect(res.status).toBe(200)
      expect(res.reason).toBe("OK")
      expect(res.url).toBe(url)
      expect(res.protocol).toBe("http/1.1")
      expect(Headers.getOrUndefined(res.headers, "content-type")).toBe("application/json")
      const echo = echoOf(res)
      expect(echo.method).toBe("GET")
      expect(echo.url).toBe("/get?a=1")
      expect(rawValues(echo.rawHeaders, "user-agent")).toEqual([`effect-hackney/${pkg.version}`])
      // Host carries a non-default port; no body framing headers on an empty GET; no Connection header.
      expect(rawValues(echo.rawHeaders, "host")).toEqual([`127.0.0.1:${srv.port}`])
      expect(rawValues(echo.rawHeaders, "content-length")).toEqual([])
      expect(rawValues(echo.rawHeaders, "transfer-encoding")).toEqual([])
      expect(rawValues(echo.rawHeaders, "connection")).toEqual([])
    }))

  it("Host has no port for http:80 and https:443, and keeps others", () => {
    const hostOf = (url: string) => {
      const p = prepare("GET", url, {}, openFile)
      if (Either.isLeft(p)) throw p.left
      return /\r\nHost: ([^\r]*)\r\n/.exec(encodeHead(p.right))?.[1]
    }
    expect(hostOf("http://example.test/")).toBe("example.test")
    expect(hostOf("http://example.test:80/")).toBe("example.test")
    expect(hostOf("https://example.test:443/")).toBe("example.test")
    expect(hostOf("https://example.test:8443/")).toBe("example.test:8443")
    expect(hostOf("http://example.test:443/")).toBe("example.test:443")
    expect(hostOf("http://[::1]:8080/")).toBe("[::1]:8080")
  })

  it.scoped("the method is upper-cased; every verb helper sends its method", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const pool = yield* testPool
      const lower = yield* Hackney.request("post", srv.url, { pool, body: "x" })
      expect(echoOf(lower).method).toBe("POST")
      const verbs: Array<[string, (u: string, o: Hackney.Options) => Effect.Effect<Hackney.Response, unknown>]> = [
        ["GET", Hackney.get],
        ["POST", Hackney.post],
        ["PUT", Hackney.put],
        ["PATCH", Hackney.patch],
        ["DELETE", Hackney.del],
        ["DELETE", Hackney.delete],
        ["OPTIONS", Hackney.options],
        ["QUERY", Hackney.query]
      ]
      for (const [method, f] of verbs) {
        const res = yield* f(`${srv.url}/m`, { pool })
        expect(echoOf(res).method).toBe(method)
      }
      const trace = yield* Hackney.trace(`${srv.url}/t`, { pool })
      expect(trace.status).toBe(200)
      // All of it over one kept-alive connection.
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("HEAD: no body, and the next request on the same connection works", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        res.writeHead(200, { "content-type": "text/plain", "content-length": "11" })
        res.end(req.method === "HEAD" ? undefined : "hello world")
      })
      const pool = yield* testPool
      const h = yield* Hackney.head(srv.url, { pool })
      expect(h.status).toBe(200)
      expect(h.body.length).toBe(0)
      expect(Headers.getOrUndefined(h.headers, "content-length")).toBe("11")
      const g = yield* Hackney.get(srv.url, { pool })
      expect(g.text()).toBe("hello world")
      expect(srv.accepted()).toBe(1)
    }))

  for (const status of [204, 304]) {
    it.scoped(`${status}: no body, then the next request on the same connection`, () =>
      Effect.gen(function*() {
        const srv = yield* httpServer((req, res) => {
          if (req.url === "/status") {
            res.writeHead(status, { etag: "\"x\"" })
            res.end()
          } else res.end("next")
        })
        const pool = yield* testPool
        const r = yield* Hackney.get(`${srv.url}/status`, { pool })
        expect(r.status).toBe(status)
        expect(r.body.length).toBe(0)
        const next = yield* Hackney.get(`${srv.url}/next`, { pool })
        expect(next.text()).toBe("next")
        expect(srv.accepted()).toBe(1)
      }))
  }

  it.scoped("204/304 with a (wrong) Content-Length: no body is read, the connection stays in sync", () =>
    Effect.gen(function*() {
      let n = 0
      const srv = yield* rawServer((socket) => {
        const serve = () =>
          onRequestHead(socket, () => {
            n++
            if (n === 1) socket.write("HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n")
            else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            serve()
          })
        serve()
      })
      const pool = yield* testPool
      const a = yield* Hackney.get(srv.url, { pool })
      expect(a.status).toBe(304)
      expect(a.body.length).toBe(0)
      const b = yield* Hackney.get(srv.url, { pool })
      expect(b.text()).toBe("ok")
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("chunked response with trailers; then the next request on the same connection", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        if (req.url === "/chunked") {
          res.writeHead(200, { "content-type": "text/plain", trailer: "x-checksum" })
          res.write("hello ")
          res.write("chunked ")
          res.addTrailers({ "x-checksum": "abc123" })
          res.end("world")
        } else res.end("after")
      })
      const pool = yield* testPool
      const r = yield* Hackney.get(`${srv.url}/chunked`, { pool })
      expect(Headers.getOrUndefined(r.headers, "transfer-encoding")).toBe("chunked")
      expect(r.text()).toBe("hello chunked world")
      expect(r.trailers && Headers.getOrUndefined(r.trailers, "x-checksum")).toBe("abc123")
      const next = yield* Hackney.get(`${srv.url}/next`, { pool })
      expect(next.text()).toBe("after")
      expect(next.trailers).toBeUndefined()
      expect(srv.accepted()).toBe(1)
    }))

  it.scoped("chunked large body (4 MiB in 1000 chunks) is read intact", () =>
    Effect.gen(function*() {
      const piece = Buffer.alloc(4096)
      for (let i = 0; i < piece.length; i++) piece[i] = i % 251
      const srv = yield* httpServer((_req, res) => {
        let i = 0
        const more = () => {
          while (i < 1024) {
            i++
            if (!res.write(piece)) return res.once("drain", more)
          }
          res.end()
        }
        more()
      })
      const r = yield* Hackney.get(srv.url, { pool: false })
      expect(r.body.length).toBe(4096 * 1024)
      for (let off = 0; off < r.body.length; off += 4096 * 97) expect(r.body[off + 7]).toBe(7)
      expect(Buffer.from(r.body.subarray(4096 * 1023)).equals(piece)).toBe(true)
    }))

  it.scoped("Connection: close response: body read, the connection is not reused", () =>
    Effect.gen(function*() {
      const big = "x".repeat(300_000)
      const srv = yield* httpServer((req, res) => {
        res.setHeader("connection", "close")
        res.end(req.url === "/big" ? big : "closing")
      })
      const pool = yield* testPool
      const a = yield* Hackney.get(`${srv.url}/small`, { pool })
      expect(a.text()).toBe("closing")
      const b = yield* Hackney.get(`${srv.url}/big`, { pool })
      expect(b.body.length).toBe(big.length)
      expect(srv.accepted()).toBe(2)
      const stats = yield* Pool.stats(pool)
      expect(stats.free).toBe(0)
      expect(stats.inUse).toBe(0)
    }))

  it.scoped("no Content-Length and no chunking: the body is read until the server closes", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nfirst part, ")
          setTimeout(() => socket.end("second part"), 20)
        })
      )
      const pool = yield* testPool
      const r = yield* Hackney.get(srv.url, { pool })
      expect(r.text()).toBe("first part, second part")
      // Not pooled: the connection ended with the body.
      expect((yield* Pool.stats(pool)).free).toBe(0)
    }))

  it.scoped("1xx informational responses (100, 103) are skipped and reported before the final one", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () => {
          socket.write("HTTP/1.1 100 Continue\r\n\r\n")
          socket.write("HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n")
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone")
        })
      )
      const r = yield* Hackney.get(srv.url, { pool: false })
      expect(r.status).toBe(200)
      expect(r.text()).toBe("done")
      expect(r.informational.map((i) => i.status)).toEqual([100, 103])
      expect(Headers.getOrUndefined(r.informational[1].headers, "link")).toBe("</style.css>; rel=preload")
    }))

  it.scoped("duplicate response headers are all kept, in order", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((socket) =>
        onRequestHead(socket, () =>
          socket.write(
            "HTTP/1.1 200 OK\r\nx-dup: one\r\nSet-Cookie: a=1\r\nX-Dup: two\r\nset-cookie: b=2\r\ncontent-length: 0\r\n\r\n"
          ))
      )
      const r = yield* Hackney.get(srv.url, { pool: false })
      expect(Headers.getAll(r.headers, "x-dup")).toEqual(["one", "two"])
      expect(Headers.getAll(r.headers, "set-cookie")).toEqual(["a=1", "b=2"])
    }))

  it.scoped("duplicate request headers (pairs) are sent as given", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.get(srv.url, { pool: false, headers: [["X-Dup", "1"], ["x-dup", "2"], ["Accept", "a/b"]] })
      expect(rawValues(echoOf(r).rawHeaders, "x-dup")).toEqual(["1", "2"])
    }))

  it.scoped("a custom Host header replaces the default one (sent once)", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.get(srv.url, { pool: false, headers: { host: "custom.example:1234" } })
      expect(rawValues(echoOf(r).rawHeaders, "host")).toEqual(["custom.example:1234"])
    }))

  it.scoped("a custom User-Agent replaces the default one", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.get(srv.url, { pool: false, headers: { "User-Agent": "mine/1" } })
      expect(rawValues(echoOf(r).rawHeaders, "user-agent")).toEqual(["mine/1"])
    }))

  it.scoped("basic auth: the option, URL userinfo (which wins), and a failing pair", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => {
        const ok = req.headers.authorization === `Basic ${Buffer.from("user:pa:ss").toString("base64")}`
        res.statusCode = ok ? 200 : 401
        res.end(req.headers.authorization ?? "")
      })
      const pool = yield* testPool
      const viaOption = yield* Hackney.get(srv.url, { pool, basicAuth: ["user", "pa:ss"] })
      expect(viaOption.status).toBe(200)
      const viaUrl = yield* Hackney.get(`http://user:pa%3Ass@127.0.0.1:${srv.port}/`, {
        pool,
        basicAuth: ["other", "x"]
      })
      expect(viaUrl.status).toBe(200)
      const failed = yield* Hackney.get(srv.url, { pool, basicAuth: ["user", "wrong"] })
      expect(failed.status).toBe(401)
      // The caller's own Authorization header is replaced, not duplicated.
      const replaced = yield* Hackney.get(srv.url, { pool, basicAuth: ["user", "pa:ss"], headers: { authorization: "Bearer t" } })
      expect(replaced.status).toBe(200)
      // The response URL is the one given, userinfo included only where the caller put it.
      expect(viaOption.url).toBe(srv.url)
    }))
})

describe("Hackney: request bodies", () => {
  it.scoped("string body: text/plain; charset=utf-8 and its UTF-8 byte length", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.post(srv.url, { pool: false, body: "héllo ✓" })
      const e = echoOf(r)
      expect(e.body).toBe("héllo ✓")
      expect(rawValues(e.rawHeaders, "content-type")).toEqual(["text/plain; charset=utf-8"])
      expect(rawValues(e.rawHeaders, "content-length")).toEqual([String(Buffer.byteLength("héllo ✓"))])
    }))

  it.scoped("a caller Content-Type is kept", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.post(srv.url, {
        pool: false,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ a: 1 })
      })
      const e = echoOf(r)
      expect(rawValues(e.rawHeaders, "content-type")).toEqual(["application/json"])
      expect(JSON.parse(e.body)).toEqual({ a: 1 })
    }))

  it.scoped("Uint8Array body: application/octet-stream, bytes intact", () =>
    Effect.gen(function*() {
      let got: Buffer | undefined
      let type: string | undefined
      const srv = yield* httpServer((req, res) => {
        type = req.headers["content-type"]
        readBody(req).then((b) => {
          got = b
          res.end()
        })
      })
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256)
      yield* Hackney.put(srv.url, { pool: false, body: bytes })
      expect(type).toBe("application/octet-stream")
      expect(got !== undefined && Buffer.from(bytes).equals(got)).toBe(true)
    }))

  it.scoped("{ form }: urlencoded with charset", () =>
    Effect.gen(function*() {
      const srv = yield* echoServer
      const r = yield* Hackney.post(srv.url, { pool: false, body: { form: [["a", "1"], ["b", "x y&z"]] } })
      const e = echoOf(r)
      expect(rawValues(e.rawHeaders, "content-type")).toEqual(["application/x-www-form-urlencoded; charset=utf-8"])
      expect(new URLSearchParams(e.body).getAll("b")).toEqual(["x y&z"])
      expect(new URLSearchParams(e.body).get("a")).toBe("1")
    }))

  it.scoped("{ file }: streamed from disk with its size as Content-Length", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "hackney-file-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const path = join(dir, "body.bin")
      const data = Buffer.alloc(200_000)
      for (let i = 0; i < data.length; i++) data[i] = (i * 13) % 256
      writeFileSync(path, data)
      let got: Buffer | undefined
      let headers: http.IncomingHttpHeaders = {}
      const srv = yield* httpServer((req, res) => {
        headers = req.headers
        readBody(req).then((b) => {
          got = b
          res.end("stored")
        })
      })
      const r = yield* Hackney.put(srv.url, { pool: false, body: { file: path } })
      expect(r.text()).toBe("stored")
      expect(headers["content-length"]).toBe(String(data.length))
      expect(headers["transfer-encoding"]).toBeUndefined()
      expect(headers["content-type"]).toBe("application/octet-stream")
      expect(got !== undefined && data.equals(got)).toBe(true)
    }))

  it.effect("{ file } that does not exist: InvalidRequest before any I/O", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Hackney.put("http://127.0.0.1:1/", { pool: false, body: { file: "/nonexistent/file" } }))
      expect(e._tag).toBe("InvalidRequest")
    }))

  it.scoped("Stream body: chunked on the wire", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const enc = new TextEncoder()
      yield* Hackney.post(srv.url, {
        pool: false,
        body: Stream.make(enc.encode("hello "), enc.encode(""), enc.encode("streamed world"))
      })
      expect(srv.captured).toHaveLength(1)
      const req = srv.captured[0]
      expect(req).toMatch(/^POST \/ HTTP\/1\.1\r\n/)
      expect(req).toMatch(/\r\nTransfer-Encoding: chunked\r\n/)
      expect(req).not.toMatch(/content-length/i)
      // The empty chunk is skipped: it would end the body.
      expect(req.slice(req.indexOf("\r\n\r\n") + 4)).toBe("6\r\nhello \r\ne\r\nstreamed world\r\n0\r\n\r\n")
    }))

  it.scoped("Stream body with Content-Length: identity framing, exact bytes", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      const enc = new TextEncoder()
      yield* Hackney.put(srv.url, {
        pool: false,
        headers: { "Content-Length": "11" },
        body: Stream.make(enc.encode("hello"), enc.encode(" world"))
      })
      const req = srv.captured[0]
      expect(req.match(/content-length/gi)).toHaveLength(1)
      expect(req).toMatch(/\r\nContent-Length: 11\r\n/)
      expect(req).not.toMatch(/transfer-encoding/i)
      expect(req.endsWith("\r\n\r\nhello world")).toBe(true)
    }))

  for (const [label, parts] of [["fewer", ["hello"]], ["more", ["hello", " world!!"]]] as const) {
    it.scoped(`Stream body giving ${label} bytes than its Content-Length: InvalidRequest(body)`, () =>
      Effect.gen(function*() {
        const srv = yield* rawServer(() => {})
        const enc = new TextEncoder()
        const e = yield* Effect.flip(Hackney.put(srv.url, {
          pool: false,
          headers: { "Content-Length": "11" },
          body: Stream.fromIterable(parts.map((p) => enc.encode(p)))
        }))
        expect(e._tag).toBe("InvalidRequest")
        if (e._tag === "InvalidRequest") expect(e.reason).toBe("body")
      }))
  }

  it.scoped("a failing body Stream: BodyError with the Stream's error as cause, connection closed", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((s) => s.resume())
      const boom = new Error("boom")
      const e = yield* Effect.flip(Hackney.post(srv.url, {
        pool: false,
        body: Stream.concat(Stream.make(new Uint8Array([1, 2, 3])), Stream.fail(boom))
      }))
      expect(e._tag).toBe("BodyError")
      expect(e.cause).toBe(boom)
      yield* eventually(() => srv.accepted() === 1 && srv.sockets.size === 0, 2000, "the server to see the close")
    }))
})

describe("Hackney: Content-Length (hackney_conn_content_length_tests)", () => {
  const cases: Array<[string, boolean]> = [
    ["POST", true],
    ["PUT", true],
    ["PATCH", true],
    ["GET", false],
    ["DELETE", false],
    ["HEAD", false],
    ["OPTIONS", false]
  ]
  for (const [method, zero] of cases) {
    it.scoped(`${method} with an empty body ${zero ? "sends Content-Length: 0" : "sends no Content-Length"}`, () =>
      Effect.gen(function*() {
        const srv = yield* captureServer()
        yield* Hackney.request(method, srv.url, { pool: false })
        expect(srv.captured).toHaveLength(1)
        const lines = srv.captured[0].match(/content-length:[^\r]*/gi) ?? []
        expect(lines).toEqual(zero ? ["Content-Length: 0"] : [])
        expect(srv.captured[0]).not.toMatch(/transfer-encoding/i)
      }))
  }

  it.scoped("an empty string or Uint8Array body on POST: Content-Length: 0, once", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      yield* Hackney.post(srv.url, { pool: false, body: "" })
      yield* Hackney.post(srv.url, { pool: false, body: new Uint8Array(0) })
      for (const req of srv.captured) expect(req.match(/content-length:[^\r]*/gi)).toEqual(["Content-Length: 0"])
      // No Content-Type is invented for an empty binary body.
      expect(srv.captured[1]).not.toMatch(/content-type/i)
    }))

  it.scoped("a caller Content-Length is not duplicated", () =>
    Effect.gen(function*() {
      const srv = yield* captureServer()
      yield* Hackney.post(srv.url, { pool: false, headers: { "content-length": "5" }, body: "hello" })
      yield* Hackney.post(srv.url, { pool: false, headers: { "Content-Length": "0" } })
      expect(srv.captured[0].match(/content-length:[^\r]*/gi)).toHaveLength(1)
      expect(srv.captured[0].endsWith("\r\n\r\nhello")).toBe(true)
      expect(srv.captured[1].match(/content-length:[^\r]*/gi)).toHaveLength(1)
    }))
})

describe("Hackney: request injection (GHSA-j9wq)", () => {
  const bad = ["\r", "\n", "\0"]
  it.scoped("CR, LF or NUL in the method, target, header name or value: InvalidRequest, nothing sent", () =>
    Effect.gen(function*() {
      const srv = yield* rawServer((s) => s.destroy())
      const attempts: Array<[string, Effect.Effect<Hackney.Response, unknown>]> = []
      for (const c of bad) {
        attempts.push(["method", Hackney.request(`GET${c}X`, srv.url, { pool: false })])
        attempts.push(["header-name", Hackney.get(srv.url, { pool: false, headers: [[`x-a${c}b`, "v"]] })])
        attempts.push(["header-value", Hackney.get(srv.url, { pool: false, headers: [["x-a", `v${c}injected: 1`]] })])
        attempts.push(["header-value", Hackney.get(srv.url, { pool: false, headers: { host: `h${c}x` } })])
        attempts.push([
          "header-value",
          Hackney.get(srv.url, { pool: false, headers: { "user-agent": `a${c}b` } })
        ])
      }
      attempts.push(["method", Hackney.request("GET /x HTTP/1.1", srv.url, { pool: false })])
      for (const [reason, attempt] of attempts) {
        const e = yield* Effect.flip(attempt)
        expect((e as { _tag: string })._tag).toBe("InvalidRequest")
        expect((e as { reason: string }).reason).toBe(reason)
      }
      // Targets: whatever a URL holds is percent-encoded or rejected, never sent raw.
      for (const c of bad) {
        const r = yield* Effect.either(
          Effect.gen(function*() {
            const p = prepare("GET", `${srv.url}/a${c}b?q=${c}`, {}, openFile)
            if (Either.isRight(p)) return encodeHead(p.right).split("\r\n")[0]
            return yield* Effect.fail(p.left)
          })
        )
        if (Either.isRight(r)) expect(r.right).toMatch(/^GET \S+ HTTP\/1\.1$/)
        else expect(r.left._tag).toBe("InvalidRequest")
      }
      expect(srv.accepted()).toBe(0)
    }))
})

describe("Hackney: response body limits", () => {
  it.scoped("maxBodySize: a larger body fails with BodyTooLarge and the connection is not reused", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((req, res) => res.end(req.url === "/big" ? "x".repeat(10_000) : "small"))
      const pool = yield* testPool
      const ok = yield* Hackney.get(`${srv.url}/small`, { pool, maxBodySize: 5 })
      expect(ok.text()).toBe("small")
      const e = yield* Effect.flip(Hackney.get(`${srv.url}/big`, { pool, maxBodySize: 1000 }))
      expect(e._tag).toBe("BodyTooLarge")
      if (e._tag === "BodyTooLarge") {
        expect(e.limit).toBe(1000)
        expect(e.direction).toBe("response")
      }
      const stats = yield* Pool.stats(pool)
      expect(stats.inUse).toBe(0)
      // The first request's connection served the second (LIFO reuse) and was closed with it.
      expect(stats.free).toBe(0)
      yield* eventually(() => srv.sockets.size === 0, 2000, "the server to see the close")
      const again = yield* Hackney.get(`${srv.url}/small`, { pool })
      expect(again.text()).toBe("small")
      expect(srv.accepted()).toBe(2)
    }))
})

describe("Hackney: http+unix", () => {
  it.scoped("requests over a unix socket path (Host is the encoded path)", () =>
    Effect.gen(function*() {
      const path = yield* unixServer(echoHandler)
      const pool = yield* testPool
      const url = `http+unix://${encodeURIComponent(path)}/v1/items?x=1`
      const r = yield* Hackney.post(url, { pool, body: "over unix" })
      const e = echoOf(r)
      expect(e.url).toBe("/v1/items?x=1")
      expect(e.body).toBe("over unix")
      expect(rawValues(e.rawHeaders, "host")).toEqual([encodeURIComponent(path)])
      const again = yield* Hackney.get(url, { pool })
      expect(again.status).toBe(200)
      const stats = yield* Pool.stats(pool)
      expect(stats.free).toBe(1)
    }))
})
