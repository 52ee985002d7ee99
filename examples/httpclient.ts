/**
 * Switching an `@effect/platform` program from `NodeHttpClient` to
 * effect-hackney: the program is unchanged, only the layer differs.
 * Self-contained: it starts a node:http server on port 0.
 *
 *   npx tsx examples/httpclient.ts
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Schema, Stream } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import * as HackneyHttpClient from "effect-hackney/HackneyHttpClient"

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

// The program: written against HttpClient only.
const program = (baseUrl: string) =>
  Effect.gen(function*() {
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.prependUrl(baseUrl)),
      HttpClient.filterStatusOk,
      HttpClient.retryTransient({ times: 2 })
    )
    const todo = yield* client.get("/todos/1").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Todo)))
    const created = yield* HttpClientRequest.post("/todos").pipe(
      HttpClientRequest.bodyUnsafeJson({ title: "write docs" }),
      client.execute,
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Todo))
    )
    const bytes = yield* client.get("/big").pipe(
      Effect.map((res) => res.stream),
      Stream.unwrap,
      Stream.runFold(0, (n, chunk) => n + chunk.length)
    )
    return { todo, created, bytes }
  })

const server = http.createServer((req, res) => {
  if (req.url === "/big") return void res.end(Buffer.alloc(1 << 20, 97))
  const chunks: Array<Buffer> = []
  req.on("data", (c: Buffer) => chunks.push(c))
  req.on("end", () => {
    res.setHeader("content-type", "application/json")
    if (req.method === "POST") res.end(JSON.stringify({ id: 2, ...JSON.parse(Buffer.concat(chunks).toString()) }))
    else res.end(JSON.stringify({ id: 1, title: "read the docs" }))
  })
})

server.listen(0, "127.0.0.1", async () => {
  const baseUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  // Before: Effect.provide(NodeHttpClient.layerUndici)
  const before = await Effect.runPromise(program(baseUrl).pipe(Effect.provide(NodeHttpClient.layerUndici)))
  // After: one line changes.
  const after = await Effect.runPromise(program(baseUrl).pipe(
    // Engine options per request (or for the whole program), as FetchHttpClient.RequestInit:
    Effect.provideService(HackneyHttpClient.RequestOptions, { recvTimeout: "10 seconds" }),
    Effect.provide(HackneyHttpClient.layer)
  ))
  console.log("NodeHttpClient.layerUndici:", before)
  console.log("HackneyHttpClient.layer:   ", after)
  server.close()
})
