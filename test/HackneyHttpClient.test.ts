import {
  HttpBody,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  HttpIncomingMessage,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse,
  Multipart
} from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { afterAll, beforeAll, describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Layer, Option, Ref, Schedule, Schema, Scope, Stream, Struct } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import * as HackneyHttpClient from "../src/HackneyHttpClient.js"
import * as Pool from "../src/Pool.js"

// --- @effect/platform-node's HttpClient suite (test/HttpClient.test.ts at 0.108), on a local server ----------

const Todo = Schema.Struct({
  userId: Schema.Number,
  id: Schema.Number,
  title: Schema.String,
  completed: Schema.Boolean
})
const TodoWithoutId = Schema.Struct({
  ...Struct.omit(Todo.fields, "id")
})

/** Stands in for google.com and jsonplaceholder.typicode.com. */
const suiteHandler: http.RequestListener = (req, res) => {
  const chunks: Array<Buffer> = []
  req.on("data", (c: Buffer) => chunks.push(c))
  req.on("end", () => {
    const url = req.url ?? "/"
    if (url === "/redirect") {
      res.writeHead(301, { location: "/", "content-length": 0 })
      res.end()
    } else if (url === "/") {
      res.writeHead(200, { "content-type": "text/html" })
      res.end("<!doctype html><title>Google</title>" + "<p>search</p>".repeat(5000))
    } else if (url === "/todos/1" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ userId: 1, id: 1, title: "delectus aut autem", completed: false }))
    } else if (url === "/todos" && req.method === "POST") {
      const todo = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      res.writeHead(201, { "content-type": "application/json; charset=utf-8" })
      res.end(JSON.stringify({ ...todo, id: 201 }))
    } else if (url === "/todos" && req.method === "HEAD") {
      res.writeHead(200, { "content-type": "application/json", "content-length": 2 })
      res.end()
    } else if (url === "/slow") {
      setTimeout(() => res.end("late"), 500)
    } else {
      res.writeHead(404)
      res.end()
    }
  })
}

let suiteServer: http.Server
let suiteUrl = ""
beforeAll(() =>
  new Promise<void>((resolve) => {
    suiteServer = http.createServer({ keepAliveTimeout: 60_000 }, suiteHandler)
    suiteServer.listen(0, "127.0.0.1", () => {
      suiteUrl = `http://127.0.0.1:${(suiteServer.address() as net.AddressInfo).port}`
      resolve()
    })
  })
)
afterAll(() =>
  new Promise<void>((resolve) => {
    suiteServer.closeAllConnections()
    suiteServer.close(() => resolve())
  })
)

const makeJsonPlaceholder = Effect.gen(function*() {
  const defaultClient = yield* HttpClient.HttpClient
  const client = defaultClient.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(suiteUrl)))
  const createTodo = (todo: typeof TodoWithoutId.Type) =>
    HttpClientRequest.post("/todos").pipe(
      HttpClientRequest.schemaBodyJson(TodoWithoutId)(todo),
      Effect.flatMap(client.execute),
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Todo))
    )
  return { client, createTodo } as const
})
type JsonPlaceholder = Effect.Effect.Success<typeof makeJsonPlaceholder>
const JsonPlaceholder = Context.GenericTag<JsonPlaceholder>("test/JsonPlaceholder")
const JsonPlaceholderLive = Layer.effect(JsonPlaceholder, makeJsonPlaceholder)

describe.each([
  { name: "HackneyHttpClient.layer", layer: HackneyHttpClient.layer },
  { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici }
])("platform-node HttpClient suite - $name", ({ layer }) => {
  it.effect("google", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${suiteUrl}/`).pipe(Effect.flatMap((_) => _.text))
      expect(response).toContain("Google")
    }).pipe(Effect.provide(layer)))

  it.effect("google followRedirects", () =>
    Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(HttpClient.followRedirects())
      const response = yield* client.get(`${suiteUrl}/redirect`).pipe(Effect.flatMap((_) => _.text))
      expect(response).toContain("Google")
    }).pipe(Effect.provide(layer)))

  it.effect("google stream", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.get(`${suiteUrl}/`).pipe(
        Effect.map((_) => _.stream),
        Stream.unwrapScoped,
        Stream.runFold("", (a, b) => a + new TextDecoder().decode(b))
      )
      expect(response).toContain("Google")
    }).pipe(Effect.provide(layer)))

  it.effect("jsonplaceholder", () =>
    Effect.gen(function*() {
      const jp = yield* JsonPlaceholder
      const response = yield* jp.client.get("/todos/1").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Todo)))
      expect(response.id).toBe(1)
    }).pipe(Effect.provide(JsonPlaceholderLive.pipe(Layer.provide(layer)))))

  it.effect("jsonplaceholder schemaBodyJson", () =>
    Effect.gen(function*() {
      const jp = yield* JsonPlaceholder
      const response = yield* jp.createTodo({ userId: 1, title: "test", completed: false })
      expect(response.title).toBe("test")
    }).pipe(Effect.provide(JsonPlaceholderLive.pipe(Layer.provide(layer)))))

  it.effect("head request with schemaJson", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.head(`${suiteUrl}/todos`).pipe(
        Effect.flatMap(HttpClientResponse.schemaJson(Schema.Struct({ status: Schema.Literal(200) })))
      )
      expect(response).toEqual({ status: 200 })
    }).pipe(Effect.provide(layer)))

  it.live("interrupt", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.get(`${suiteUrl}/slow`).pipe(
        Effect.flatMap((_) => _.text),
        Effect.timeout(1),
        Effect.asSome,
        Effect.catchTag("TimeoutException", () => Effect.succeedNone)
      )
      expect(response._tag).toEqual("None")
    }).pipe(Effect.provide(layer)))

  it.effect("close early", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get(`${suiteUrl}/`)
      expect(response.status).toBe(200)
    }).pipe(Effect.provide(layer)))
})

// --- an in-process Effect HttpServer driven through HackneyHttpClient ------------------------------------------

/** The node:http server under the Effect HttpServer, with the sockets it holds open. */
const nodeServer = http.createServer({ keepAliveTimeout: 60_000 })
const serverSockets = new Set<net.Socket>()
let serverAccepted = 0
nodeServer.on("connection", (s: net.Socket) => {
  serverAccepted++
  serverSockets.add(s)
  s.on("close", () => serverSockets.delete(s))
})

const encoder = new TextEncoder()

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/json", HttpServerResponse.json({ hello: "world" })),
  HttpRouter.head("/json", Effect.succeed(HttpServerResponse.empty({ status: 200 }))),
  HttpRouter.get(
    "/params",
    Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) => HttpServerResponse.json(params))
  ),
  HttpRouter.get(
    "/wire",
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (req) => HttpServerResponse.json({ url: req.url }))
  ),
  HttpRouter.post(
    "/todos",
    Effect.flatMap(HttpServerRequest.schemaBodyJson(TodoWithoutId), (todo) => HttpServerResponse.json({ ...todo, id: 7 }))
  ),
  HttpRouter.post(
    "/upload",
    Effect.gen(function*() {
      const req = yield* HttpServerRequest.HttpServerRequest
      const parts = yield* req.multipartStream.pipe(
        Stream.mapEffect((part) =>
          Multipart.isFile(part)
            ? Effect.map(
              Stream.runFold(part.content, 0, (n, c) => n + c.length),
              (size): Record<string, unknown> => ({ key: part.key, name: part.name, contentType: part.contentType, size })
            )
            : Effect.succeed<Record<string, unknown>>({ key: part.key, value: (part as Multipart.Field).value })
        ),
        Stream.runCollect
      )
      return yield* HttpServerResponse.json({ contentLength: req.headers["content-length"], parts: Chunk.toArray(parts) })
    })
  ),
  HttpRouter.post(
    "/echo",
    Effect.map(HttpServerRequest.HttpServerRequest, (req) =>
      HttpServerResponse.stream(req.stream, { headers: { "x-transfer": req.headers["transfer-encoding"] ?? "none" } }))
  ),
  HttpRouter.get(
    "/download",
    Effect.succeed(
      HttpServerResponse.stream(Stream.range(1, 64).pipe(Stream.map(() => new Uint8Array(64 * 1024).fill(97))))
    )
  ),
  HttpRouter.get(
    "/infinite",
    Effect.succeed(HttpServerResponse.stream(
      Stream.repeatEffect(Effect.succeed(encoder.encode("tick\n"))).pipe(Stream.schedule(Schedule.spaced("5 millis")))
    ))
  )
)

const ServerLive = HttpServer.serve(router).pipe(
  Layer.provideMerge(NodeHttpServer.layer(() => nodeServer, { port: 0, host: "127.0.0.1" }))
)
const TestLive = HttpServer.layerTestClient.pipe(
  Layer.provide(HackneyHttpClient.layerWithoutHackney),
  Layer.provideMerge(Pool.layer({ name: "t-httpclient-server" })),
  Layer.provideMerge(ServerLive)
)

/** Polls in real time until `f` holds (at most ~3 s). */
const eventually = (f: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 300 && !f(); i++) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
    expect(f()).toBe(true)
  })

/** No connection is held by a request, and the server holds exactly the pooled ones open. */
const noLeak = Effect.gen(function*() {
  const pool = yield* Pool.Pool
  yield* eventually(() => {
    const s = Effect.runSync(Pool.stats(pool))
    return s.inUse === 0 && serverSockets.size === s.free
  })
})

layer(TestLive, { timeout: 30_000, excludeTestServices: true })("HackneyHttpClient against an Effect HttpServer", (it) => {
  it.effect("JSON, and the connection is reused", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const before = serverAccepted
      for (let i = 0; i < 5; i++) {
        const body = yield* client.get("/json").pipe(Effect.flatMap((r) => r.json))
        expect(body).toEqual({ hello: "world" })
      }
      expect(serverAccepted - before).toBeLessThanOrEqual(1)
      yield* noLeak
    }))

  it.effect("urlParams, and the fragment never goes on the wire", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const params = yield* client.get("/params", { urlParams: { a: "1", b: ["x", "y z"] } }).pipe(
        Effect.flatMap((r) => r.json)
      )
      expect(params).toEqual({ a: "1", b: ["x", "y z"] })
      const wire = yield* client.execute(
        HttpClientRequest.get("/wire?q=1").pipe(HttpClientRequest.setHash("secret"))
      ).pipe(Effect.flatMap((r) => r.json))
      expect(wire).toEqual({ url: "/wire?q=1" })
    }))

  it.effect("schemaBodyJson", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const todo = yield* HttpClientRequest.post("/todos").pipe(
        HttpClientRequest.schemaBodyJson(TodoWithoutId)({ userId: 3, title: "t", completed: true }),
        Effect.flatMap(client.execute),
        Effect.flatMap(HttpClientResponse.schemaBodyJson(Todo))
      )
      expect(todo).toEqual({ userId: 3, title: "t", completed: true, id: 7 })
    }))

  it.effect("HEAD", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const res = yield* client.head("/json")
      expect(res.status).toBe(200)
      expect(yield* res.text).toBe("")
      yield* noLeak
    }))

  it.effect("FormData upload: multipart with an exact Content-Length, files streamed", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const form = new FormData()
      form.append("name", "a\nb")
      form.append("file", new Blob([new Uint8Array(300_000).fill(1)], { type: "application/x-test" }), "data.bin")
      form.append("blob", new Blob(["xyz"]))
      const res = yield* client.post("/upload", { body: HttpClientRequest.bodyFormData(HttpClientRequest.post(""), form).body })
      const out = (yield* res.json) as { contentLength: string; parts: Array<unknown> }
      expect(Number(out.contentLength)).toBeGreaterThan(300_000)
      expect(out.parts).toEqual([
        { key: "name", value: "a\r\nb" },
        { key: "file", name: "data.bin", contentType: "application/x-test", size: 300_000 },
        { key: "blob", name: "blob", contentType: "application/octet-stream", size: 3 }
      ])
      yield* noLeak
    }))

  it.effect("streamed upload (chunked) and streamed download", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const chunk = new Uint8Array(16 * 1024).fill(98)
      const res = yield* client.execute(
        HttpClientRequest.post("/echo").pipe(
          HttpClientRequest.bodyStream(Stream.range(1, 100).pipe(Stream.as(chunk)))
        )
      )
      expect(res.headers["x-transfer"]).toBe("chunked")
      const n = yield* res.stream.pipe(Stream.runFold(0, (n, c) => n + c.length))
      expect(n).toBe(100 * chunk.length)
      const known = yield* client.execute(
        HttpClientRequest.post("/echo").pipe(
          HttpClientRequest.bodyStream(Stream.make(chunk, chunk), { contentLength: 2 * chunk.length })
        )
      )
      expect(known.headers["x-transfer"]).toBe("none")
      expect((yield* known.arrayBuffer).byteLength).toBe(2 * chunk.length)
      const down = yield* client.get("/download").pipe(
        Effect.map((r) => r.stream),
        Stream.unwrap,
        Stream.runFold(0, (n, c) => n + c.length)
      )
      expect(down).toBe(64 * 64 * 1024)
      yield* noLeak
    }))

  it.effect("an abort after the body completed keeps the connection pooled", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      yield* client.get("/download").pipe(Effect.map((r) => r.stream), Stream.unwrap, Stream.runDrain)
      const before = serverAccepted
      yield* client.get("/download").pipe(Effect.map((r) => r.stream), Stream.unwrap, Stream.runDrain)
      yield* client.get("/download").pipe(Effect.flatMap((r) => r.arrayBuffer))
      expect(serverAccepted).toBe(before)
      yield* noLeak
    }))

  it.effect("interrupt mid-body closes the connection", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const result = yield* client.get("/infinite").pipe(
        Effect.flatMap((r) => r.text),
        Effect.timeout("100 millis"),
        Effect.option
      )
      expect(result).toEqual(Option.none())
      yield* noLeak
      const streamed = yield* client.get("/infinite").pipe(
        Effect.flatMap((r) => Stream.runDrain(r.stream)),
        Effect.timeout("100 millis"),
        Effect.option
      )
      expect(streamed).toEqual(Option.none())
      yield* noLeak
    }))

  it.effect("Stream.take stops early and the connection is released", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const chunks = yield* client.get("/infinite").pipe(
        Effect.map((r) => r.stream),
        Stream.unwrap,
        Stream.take(3),
        Stream.runCollect
      )
      expect(Chunk.size(chunks)).toBe(3)
      yield* noLeak
    }))

  it.effect("HttpClient.withScope: the body stays readable until the scope closes", () =>
    Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withScope)
      const scope = yield* Scope.make()
      const res = yield* client.get("/infinite").pipe(Scope.extend(scope))
      const first = yield* res.stream.pipe(Stream.take(1), Stream.runCollect)
      expect(Chunk.size(first)).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* noLeak
      const text = yield* Effect.scoped(client.get("/json").pipe(Effect.flatMap((r) => r.text)))
      expect(text).toBe(`{"hello":"world"}`)
      yield* noLeak
    }))
})

// --- errors, options, limits ----------------------------------------------------------------------------------

const withServer = <A, E>(handler: http.RequestListener, f: (url: string) => Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.acquireUseRelease(
    Effect.async<http.Server & { url: string }>((resume) => {
      const server = http.createServer(handler) as http.Server & { url: string }
      server.listen(0, "127.0.0.1", () => {
        server.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
        resume(Effect.succeed(server))
      })
    }),
    (server) => f(server.url).pipe(Effect.provide(HackneyHttpClient.layer)),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const requestError = (e: HttpClientError.HttpClientError) => {
  expect(e._tag).toBe("RequestError")
  return e as HttpClientError.RequestError
}

describe("HackneyHttpClient errors and options", () => {
  it.live("connection refused is a Transport RequestError with the typed cause; retryTransient retries it", () =>
    Effect.gen(function*() {
      const port = yield* Effect.async<number>((resume) => {
        const s = http.createServer()
        s.listen(0, "127.0.0.1", () => {
          const p = (s.address() as net.AddressInfo).port
          s.close(() => resume(Effect.succeed(p)))
        })
      })
      const attempts = yield* Ref.make(0)
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.tapRequest(() => Ref.update(attempts, (n) => n + 1)),
        HttpClient.retryTransient({ times: 2 })
      )
      const e = requestError(yield* Effect.flip(client.get(`http://127.0.0.1:${port}/`)))
      expect(e.reason).toBe("Transport")
      expect((e.cause as { _tag: string; reason: string })._tag).toBe("ConnectError")
      expect((e.cause as { reason: string }).reason).toBe("refused")
      expect(yield* Ref.get(attempts)).toBe(3)
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.live("invalid URL and unsupported scheme are InvalidUrl", () =>
    Effect.gen(function*() {
      const a = requestError(yield* Effect.flip(HttpClient.get("not a url")))
      expect(a.reason).toBe("InvalidUrl")
      const b = requestError(yield* Effect.flip(HttpClient.get("ftp://127.0.0.1/x")))
      expect(b.reason).toBe("InvalidUrl")
    }).pipe(Effect.provide(HackneyHttpClient.layer)))

  it.live("a failing body stream is Encode", () =>
    withServer((req, res) => {
      req.resume()
      req.on("end", () => res.end("ok"))
    }, (url) =>
      Effect.gen(function*() {
        const e = requestError(
          yield* Effect.flip(HttpClient.execute(
            HttpClientRequest.post(url).pipe(
              HttpClientRequest.bodyStream(Stream.concat(Stream.make(encoder.encode("a")), Stream.fail("boom")))
            )
          ))
        )
        expect(e.reason).toBe("Encode")
        expect(e.cause).toMatchObject({ _tag: "BodyError", cause: "boom", requestSent: true })
      })))

  it.live("RequestOptions: per-request headers and recvTimeout (a RecvTimeout cause)", () =>
    withServer((req, res) => {
      if (req.url === "/hang") return
      res.end(JSON.stringify({ token: req.headers["x-token"] ?? null, accept: req.headers["accept"] }))
    }, (url) =>
      Effect.gen(function*() {
        const body = yield* HttpClient.get(`${url}/h`, { acceptJson: true }).pipe(
          Effect.flatMap((r) => r.json),
          Effect.provideService(HackneyHttpClient.RequestOptions, { headers: { "x-token": "t1", accept: "text/plain" } })
        )
        expect(body).toEqual({ token: "t1", accept: "application/json" })
        const e = requestError(
          yield* Effect.flip(HttpClient.get(`${url}/hang`).pipe(
            Effect.provideService(HackneyHttpClient.RequestOptions, { recvTimeout: "100 millis" })
          ))
        )
        expect(e.reason).toBe("Transport")
        expect((e.cause as { _tag: string })._tag).toBe("RecvTimeout")
      })))

  it.live("MaxBodySize: a larger body fails with Decode (BodyTooLarge cause)", () =>
    withServer((_req, res) => {
      res.end("x".repeat(100_000))
    }, (url) =>
      Effect.gen(function*() {
        const res = yield* HttpClient.get(url)
        const e = yield* Effect.flip(res.text.pipe(HttpIncomingMessage.withMaxBodySize(Option.some(1000))))
        expect(e._tag).toBe("ResponseError")
        expect((e as HttpClientError.ResponseError).reason).toBe("Decode")
        expect(((e as HttpClientError.ResponseError).cause as { _tag: string })._tag).toBe("BodyTooLarge")
        const ok = yield* HttpClient.get(url).pipe(Effect.flatMap((r) => r.text))
        expect(ok.length).toBe(100_000)
      })))

  it.live("cookies, remoteAddress, repeated headers, memoised text", () =>
    withServer((_req, res) => {
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; HttpOnly"])
      res.setHeader("x-multi", ["1", "2"])
      res.end("{\"n\":1}")
    }, (url) =>
      Effect.gen(function*() {
        const res = yield* HttpClient.get(url)
        expect(Object.keys(res.cookies.cookies).sort()).toEqual(["a", "b"])
        expect(res.headers["x-multi"]).toBe("1, 2")
        expect(res.remoteAddress).toEqual(Option.some("127.0.0.1"))
        expect(yield* res.text).toBe("{\"n\":1}")
        expect(yield* res.text).toBe("{\"n\":1}")
        expect(yield* res.json).toEqual({ n: 1 })
        expect(yield* res.urlParamsBody).toEqual([["{\"n\":1}", ""]])
      })))

  it.live("the transport never follows redirects", () =>
    withServer((req, res) => {
      if (req.url === "/from") {
        res.writeHead(302, { location: "/to" })
        res.end()
      } else res.end("arrived")
    }, (url) =>
      Effect.gen(function*() {
        const res = yield* HttpClient.get(`${url}/from`)
        expect(res.status).toBe(302)
        expect(res.headers["location"]).toBe("/to")
      })))

  it.live("URL userinfo becomes Basic auth", () =>
    withServer((req, res) => {
      res.end(req.headers["authorization"] ?? "none")
    }, (url) =>
      Effect.gen(function*() {
        const text = yield* HttpClient.get(url.replace("http://", "http://us%40er:p%3Ass@")).pipe(
          Effect.flatMap((r) => r.text)
        )
        expect(text).toBe(`Basic ${Buffer.from("us@er:p:ss").toString("base64")}`)
      })))
})

describe("HackneyHttpClient.followRedirects", () => {
  const handler: http.RequestListener = (req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const url = req.url ?? "/"
      const port = (req.socket.localPort ?? 0)
      if (url === "/303") {
        res.writeHead(303, { location: "/seen" })
        res.end("redirect body")
      } else if (url === "/307") {
        res.writeHead(307, { location: "/seen" })
        res.end()
      } else if (url === "/cross") {
        // Same host, another spelling: a different origin.
        res.writeHead(302, { location: `http://localhost:${port}/seen` })
        res.end()
      } else if (url.startsWith("/loop")) {
        res.writeHead(302, { location: `/loop${url.length}` })
        res.end()
      } else {
        res.end(JSON.stringify({
          method: req.method,
          body: Buffer.concat(chunks).toString("utf8"),
          auth: req.headers["authorization"] ?? null,
          type: req.headers["content-type"] ?? null
        }))
      }
    })
  }

  it.live("303 becomes a GET without body; 307 keeps method and body; cross-origin drops credentials", () =>
    withServer(handler, (url) =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects())
        const a = yield* client.post(`${url}/303`, { body: HttpBody.text("payload") }).pipe(Effect.flatMap((r) => r.json))
        expect(a).toEqual({ method: "GET", body: "", auth: null, type: null })
        const b = yield* client.post(`${url}/307`, { body: HttpBody.text("payload") }).pipe(Effect.flatMap((r) => r.json))
        expect(b).toEqual({ method: "POST", body: "payload", auth: null, type: "text/plain" })
        const c = yield* client.execute(
          HttpClientRequest.get(`${url}/cross`).pipe(HttpClientRequest.bearerToken("secret"))
        ).pipe(Effect.flatMap((r) => r.json))
        expect(c).toMatchObject({ method: "GET", auth: null })
        const trusted = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ trusted: true }))
        const d = yield* trusted.execute(
          HttpClientRequest.get(`${url}/cross`).pipe(HttpClientRequest.bearerToken("secret"))
        ).pipe(Effect.flatMap((r) => r.json))
        expect(d).toMatchObject({ auth: "Bearer secret" })
      })))

  it.live("a loop fails with TooManyRedirects; a 307 with a Stream body fails with Encode", () =>
    withServer(handler, (url) =>
      Effect.gen(function*() {
        const client = (yield* HttpClient.HttpClient).pipe(HackneyHttpClient.followRedirects({ maxRedirects: 3 }))
        const e = requestError(yield* Effect.flip(client.get(`${url}/loop`)))
        expect((e.cause as { _tag: string; chain: Array<string> })._tag).toBe("TooManyRedirects")
        expect((e.cause as { chain: Array<string> }).chain.length).toBe(4)
        const s = requestError(
          yield* Effect.flip(client.execute(
            HttpClientRequest.post(`${url}/307`).pipe(HttpClientRequest.bodyStream(Stream.make(encoder.encode("x"))))
          ))
        )
        expect(s.reason).toBe("Encode")
      })))
})
