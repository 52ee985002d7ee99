/**
 * Protocol selection: https offers [h2, http/1.1] by ALPN unless `protocols`
 * says otherwise; the driver is chosen by what the server negotiated.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as http2 from "node:http2"
import * as net from "node:net"
import { Hackney, HackneyHttpClient, Url } from "../src/index.js"
import { buildDialSpec } from "../src/internal/pool/dialSpec.js"
import { openConnection } from "../src/internal/connection/driver.js"
import { alpnOffer, forcedH3, mayMultiplex, preferredH3, priorKnowledgeH2, tcpOffer } from "../src/internal/connection/protocols.js"
import { wheelFor } from "../src/internal/timer/wheel.js"
import { cert, httpServer, httpsServer } from "./support/servers.js"

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
  it.scoped("by default https offers [h2, http/1.1]: an h2 server answers over h2", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls })
      expect(r.status).toBe(200)
      expect(r.protocol).toBe("h2")
      expect(r.text()).toBe("over 2.0")
      expect(srv.alpn).toEqual(["h2"])
    }))

  it.scoped("protocols [http/1.1] (and hackney's http1): HTTP/1.1 is negotiated with the same server", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["http/1.1"] })
      expect(r.text()).toBe("over 1.1")
      expect(r.protocol).toBe("http/1.1")
      const r2 = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["http1"] })
      expect(r2.text()).toBe("over 1.1")
      expect(srv.alpn).toEqual(["http/1.1", "http/1.1"])
    }))

  it.scoped("fallback: [h2, http/1.1] against a server without h2 uses HTTP/1.1", () =>
    Effect.gen(function*() {
      const srv = yield* httpsServer((_req, res) => res.end("plain https"))
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["http2", "http1"] })
      expect(r.protocol).toBe("http/1.1")
      expect(r.text()).toBe("plain https")
    }))

  it.scoped("the HttpClient layer uses h2 when negotiated", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const client = HackneyHttpClient.make({ pool: false, tls })
      const text = yield* client.get(`https://localhost:${srv.port}/`).pipe(Effect.flatMap((res) => res.text))
      expect(text).toBe("over 2.0")
      expect(srv.alpn).toEqual(["h2"])
    }))

  it.effect("an unknown name or an empty list fails with InvalidRequest before any I/O", () =>
    Effect.gen(function*() {
      for (const protocols of [["spdy/3", "http/1.1"], [], ["quic"]]) {
        const e = yield* Effect.flip(Hackney.get("https://localhost:1/", { pool: false, protocols }))
        expect(e._tag).toBe("InvalidRequest")
        if (e._tag === "InvalidRequest") expect(e.reason).toBe("option")
      }
    }))

  it("alpnOffer: default [h2, http/1.1]; aliases resolved, order kept, duplicates dropped", () => {
    expect(alpnOffer(undefined)).toEqual(["h2", "http/1.1"])
    expect(alpnOffer(["HTTP/1.1", "http1"])).toEqual(["http/1.1"])
    expect(alpnOffer(["http1", "http2"])).toEqual(["http/1.1", "h2"])
    expect(alpnOffer(["h2"])).toEqual(["h2"])
    expect(typeof alpnOffer(["h4"])).toBe("string")
  })

  it("h3 (hackney's http3) is accepted only when listed: never in the default, never offered over TLS on TCP; forced alone on https, preferred first in a list", () => {
    expect(alpnOffer(undefined)).not.toContain("h3")
    expect(alpnOffer(["http3", "h2"])).toEqual(["h3", "h2"])
    expect(alpnOffer(["H3"])).toEqual(["h3"])
    expect(tcpOffer(["h3", "h2", "http/1.1"])).toEqual(["h2", "http/1.1"])
    expect(tcpOffer(["h3"])).toEqual([])
    expect(forcedH3("tls", ["h3"])).toBe(true)
    expect(forcedH3("tls", ["h3", "h2"])).toBe(false)
    expect(forcedH3("tls", ["h2", "h3"])).toBe(false)
    expect(forcedH3("tcp", ["h3"])).toBe(false)
    expect(forcedH3("tls", undefined)).toBe(false)
    expect(preferredH3("tls", ["h3", "h2", "http/1.1"])).toBe(true)
    expect(preferredH3("tls", ["h3", "http/1.1"])).toBe(true)
    expect(preferredH3("tls", ["h3"])).toBe(false)
    expect(preferredH3("tls", ["h2", "h3"])).toBe(false)
    expect(preferredH3("tcp", ["h3", "h2"])).toBe(false)
    expect(mayMultiplex("tls", ["h3"])).toBe(true)
    // HTTP/1.1 over TCP, but the race may give an HTTP/3 connection: requests may share the dial.
    expect(mayMultiplex("tls", ["h3", "http/1.1"])).toBe(true)
    // Over http://, h3 is skipped: the next entry is spoken with prior knowledge.
    expect(priorKnowledgeH2(["h3", "h2"])).toBe(true)
    expect(priorKnowledgeH2(["h3", "http/1.1"])).toBe(false)
    // A forced-h3 request never shares a pool entry with a TCP one to the same origin.
    const url = Either.getOrThrow(Url.parse("https://example.test/"))
    const key = (protocols?: ReadonlyArray<string>) => buildDialSpec(url, protocols ? { protocols } : {}, 1000, 1000).key
    expect(key(["h3"])).not.toBe(key())
    expect(key(["h3"])).not.toBe(key(["h2", "http/1.1"]))
    expect(buildDialSpec(url, { protocols: ["h3"] }, 1000, 1000).multiplex).toBe(true)
  })

  it.scoped("protocols [h3, http/1.1] over http://: h3 skipped, HTTP/1.1 spoken; [h3] alone over http:// fails typed before any I/O", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("plain"))
      const r = yield* Hackney.get(`http://127.0.0.1:${srv.port}/`, { pool: false, protocols: ["h3", "http/1.1"] })
      expect([r.protocol, r.text()]).toEqual(["http/1.1", "plain"])
      const e = yield* Effect.flip(Hackney.get(`http://127.0.0.1:${srv.port}/`, { pool: false, protocols: ["h3"] }))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect(e.message).toContain("HTTP/3 needs an https:// URL")
    }))

  it.scoped("protocols [h2, h3] over https: h3 is not offered by ALPN (TCP); forced [h3] through a proxy fails typed", () =>
    Effect.gen(function*() {
      const srv = yield* h2Server
      const r = yield* Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["h2", "h3"] })
      expect(r.protocol).toBe("h2")
      expect(srv.alpn).toEqual(["h2"])
      const e = yield* Effect.flip(
        Hackney.get(`https://localhost:${srv.port}/`, { pool: false, tls, protocols: ["h3"], proxy: "http://127.0.0.1:9" })
      )
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
      expect(e.message).toContain("cannot go through")
    }))

  it("h2c only with prior knowledge: the first entry of an explicit list on a connection without TLS", () => {
    expect(priorKnowledgeH2(undefined)).toBe(false)
    expect(priorKnowledgeH2(["http/1.1", "h2"])).toBe(false)
    expect(priorKnowledgeH2(["h2", "http/1.1"])).toBe(true)
    expect(mayMultiplex("tls", undefined)).toBe(true)
    expect(mayMultiplex("tls", ["http/1.1"])).toBe(false)
    expect(mayMultiplex("tcp", undefined)).toBe(false)
    expect(mayMultiplex("tcp", ["h2"])).toBe(true)
  })

  it.effect("a negotiated protocol without a driver: ProtocolError, socket destroyed", () =>
    Effect.gen(function*() {
      const socket = new net.Socket()
      const wheel = wheelFor(yield* Effect.clock)
      const e = yield* Effect.flip(openConnection({ socket, alpn: "h3", tls: true }, { recvTimeout: 1000, wheel }, "GET", "https://a.test/"))
      expect(e._tag).toBe("ProtocolError")
      if (e._tag === "ProtocolError") expect(e.reason).toBe("unsupported-protocol")
      expect(socket.destroyed).toBe(true)
    }))
})
