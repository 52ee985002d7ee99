/**
 * Protocol selection: only a protocol this client has a driver for is offered
 * by ALPN, and the driver is chosen by what the server negotiated.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as http2 from "node:http2"
import * as net from "node:net"
import { Hackney, HackneyHttpClient } from "../src/index.js"
import { openConnection } from "../src/internal/connection/driver.js"
import { alpnOffer } from "../src/internal/connection/protocols.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import { cert } from "./support/servers.js"

/** An HTTP/2 server that also speaks HTTP/1.1 (it prefers h2 when offered); reports what each client negotiated. */
const h2Server = Effect.acquireRelease(
  Effect.async<{ port: number; alpn: Array<string>; server: http2.Http2SecureServer }>((resume) => {
    const alpn: Array<string> = []
    const server = http2.createSecureServer(
      { cert: cert("server.pem"), key: cert("server-key.pem"), allowHTTP1: true },
      (req, res) => {
        res.end(`over ${req.httpVersion}`)
      }
    )
    server.on("secureConnection", (s) => alpn.push(s.alpnProtocol || "none"))
    server.listen(0, "127.0.0.1", () => void resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, alpn, server })))
  }),
  ({ server }) => Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
  })
)

const tls = { ca: cert("ca.pem") }

describe("protocols", () => {
  it.scoped("protocols [h2, http/1.1] against an h2 server: HTTP/1.1 is negotiated and the request succeeds", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["h2", "http/1.1"] })
      expect(r.status).toBe(200)
      expect(r.text()).toBe("over 1.1")
      expect(srv.alpn).toEqual(["http/1.1"])
    }))

  it.scoped("hackney's alias http1 is accepted; the HttpClient layer honours protocols too", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["http2", "http1"] })
      expect(r.text()).toBe("over 1.1")
      const client = HackneyHttpClient.make({ pool: false, tls, protocols: ["h2", "http/1.1"] })
      const text = yield* client.get(`https://localhost:${srv.port}/`).pipe(Effect.flatMap((res) => res.text))
      expect(text).toBe("over 1.1")
      expect(srv.alpn).toEqual(["http/1.1", "http/1.1"])
    }))

  it.effect("a list with only HTTP/2, or an unknown name, fails with InvalidRequest before any I/O", () =>
    Effect.gen(function*() {
      for (const protocols of [["h2"], ["spdy/3", "http/1.1"], []]) {
        const e = yield* Effect.flip(Hackney.get("https://localhost:1/", { pool: false, protocols }))
        expect(e._tag).toBe("InvalidRequest")
        if (e._tag === "InvalidRequest") expect(e.reason).toBe("option")
      }
    }))

  it("alpnOffer: aliases resolved, order kept, duplicates and undriven protocols dropped", () => {
    expect(alpnOffer(undefined)).toEqual(["http/1.1"])
    expect(alpnOffer(["HTTP/1.1", "http1"])).toEqual(["http/1.1"])
    expect(alpnOffer(["h2", "http/1.1"])).toEqual(["http/1.1"])
    expect(typeof alpnOffer(["h2"])).toBe("string")
    expect(typeof alpnOffer(["h3"])).toBe("string")
  })

  it.effect("a negotiated protocol without a driver: ProtocolError, socket destroyed", () =>
    Effect.gen(function*() {
      const socket = new net.Socket()
      const wheel = wheelFor(yield* Effect.clock)
      const r = openConnection({ socket, alpn: "h2", tls: true }, { recvTimeout: 1000, wheel }, "GET", "https://a.test/")
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) expect(r.left.reason).toBe("unsupported-protocol")
      expect(socket.destroyed).toBe(true)
    }))
})
