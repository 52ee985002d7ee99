import { describe, expect, it } from "@effect/vitest"
import { QUICConnection } from "@matrixai/quic"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { verifyPeerChain } from "../src/internal/node/certVerify.js"
import { dialQuic, isPatched } from "../src/internal/node/quic.js"
import type { QuicTarget } from "../src/internal/node/quic.js"
import { certs, startQuicServer } from "./support/quicServer.js"
import type { TestQuicServer } from "./support/quicServer.js"

const der = (name: string): Uint8Array => {
  const pem = certs(name)
  return Uint8Array.from(Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64"))
}

describe("certificate verification outside Node's TLS (certVerify)", () => {
  const ca = certs("ca")
  it("trusts a chain to the CA for its DNS name and its IP SANs, as tls.connect does", () => {
    for (const name of ["localhost", "127.0.0.1", "::1"]) expect(verifyPeerChain([der("server")], name, ca)).toBeUndefined()
  })
  it("refuses another name with reason hostname", () => {
    expect(verifyPeerChain([der("server")], "example.com", ca)).toMatchObject({ reason: "hostname" })
    expect(verifyPeerChain([der("server")], "127.0.0.2", ca)).toMatchObject({ reason: "hostname" })
    expect(verifyPeerChain([der("wrong-host")], "localhost", ca)).toMatchObject({ reason: "hostname" })
  })
  it("refuses an unknown issuer, an expired certificate, an empty chain with reason certificate", () => {
    expect(verifyPeerChain([der("self-signed")], "localhost", ca)).toMatchObject({ reason: "certificate" })
    expect(verifyPeerChain([der("expired")], "localhost", ca)).toMatchObject({ reason: "certificate" })
    expect(verifyPeerChain([], "localhost", ca)).toMatchObject({ reason: "certificate" })
    // Without `ca`, Node's bundled roots: the test CA is not among them.
    expect(verifyPeerChain([der("server")], "localhost", undefined)).toMatchObject({ reason: "certificate" })
  })
  it("trusts a certificate given itself as the CA (pinning), and refuses garbage without throwing", () => {
    expect(verifyPeerChain([der("self-signed")], "localhost", certs("self-signed"))).toBeUndefined()
    expect(verifyPeerChain([Uint8Array.of(1, 2, 3)], "localhost", ca)).toMatchObject({ reason: "certificate" })
  })
})

describe("dialQuic (QUIC on @matrixai/quic, in-process server)", () => {
  it("the installed @matrixai/quic carries the fix of patches/ (prepare applies it)", () => {
    expect(isPatched(QUICConnection)).toBe(true)
  })

  const withServer = async <A>(cert: string | undefined, f: (server: TestQuicServer) => Promise<A>): Promise<A> => {
    const server = await startQuicServer({ cert })
    try {
      return await f(server)
    } finally {
      await server.stop()
    }
  }
  const target = (port: number, over: Partial<QuicTarget> = {}): QuicTarget => ({
    host: "127.0.0.1",
    port,
    tls: { ca: certs("ca") },
    protocols: ["h3"],
    idleTimeoutMillis: 5_000,
    ...over
  })

  it("connects with the CA, verifying the IP SAN of an IP host and the servername, and reports the ALPN", async () => {
    await withServer(undefined, async ({ port }) => {
      for (const t of [target(port), target(port, { tls: { ca: certs("ca"), servername: "localhost" } })]) {
        const open = await Effect.runPromise(dialQuic(t, {}))
        expect(open.alpn).toBe("h3")
        await open.close()
      }
    })
  })

  it("fails with TlsError certificate for an unknown CA, hostname for another name; insecure connects", async () => {
    await withServer("self-signed", async ({ port }) => {
      const exit = await Effect.runPromiseExit(dialQuic(target(port), { method: "GET", url: "https://127.0.0.1/" }))
      expect(exit).toMatchObject({ _tag: "Failure" })
      if (Exit.isFailure(exit)) expect(exit.cause).toMatchObject({ error: { _tag: "TlsError", reason: "certificate", port } })
      const open = await Effect.runPromise(dialQuic(target(port, { tls: { insecure: true } }), {}))
      await open.close()
    })
    await withServer("wrong-host", async ({ port }) => {
      const exit = await Effect.runPromiseExit(dialQuic(target(port, { tls: { ca: certs("ca"), servername: "localhost" } }), {}))
      if (Exit.isFailure(exit)) expect(exit.cause).toMatchObject({ error: { _tag: "TlsError", reason: "hostname" } })
      else expect.fail("connected to a certificate for another name")
    })
  })

  it("refuses TLS options QUIC cannot honour (pfx, passphrase, TLS below 1.3) instead of ignoring them", async () => {
    for (const tls of [{ pfx: "x" }, { passphrase: "x" }, { maxVersion: "TLSv1.2" as const }]) {
      const exit = await Effect.runPromiseExit(dialQuic(target(1, { tls }), {}))
      if (Exit.isFailure(exit)) expect(exit.cause).toMatchObject({ error: { _tag: "TlsError", reason: "handshake", code: "ERR_QUIC_TLS_OPTION" } })
      else expect.fail(`accepted ${JSON.stringify(tls)}`)
    }
  })

  it("fails with TlsError handshake when the server has none of the offered ALPN protocols", async () => {
    await withServer(undefined, async ({ port }) => {
      const exit = await Effect.runPromiseExit(dialQuic(target(port, { protocols: ["not-h3"] }), {}))
      if (Exit.isFailure(exit)) expect(exit.cause).toMatchObject({ error: { _tag: "TlsError", reason: "handshake" } })
      else expect.fail("connected without a common protocol")
    })
  })

  it("an interrupted dial to a port where nothing listens ends without a leak or an unhandled rejection", async () => {
    const rejections: Array<unknown> = []
    const onRejection = (e: unknown) => rejections.push(e)
    process.on("unhandledRejection", onRejection)
    try {
      const server = await startQuicServer()
      const port = server.port
      await server.stop() // nothing listens on the UDP port now
      const exit = await Effect.runPromiseExit(
        dialQuic(target(port), {}).pipe(Effect.timeoutFail({ duration: "300 millis", onTimeout: () => "timeout" as const }))
      )
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: "timeout" } })
      await new Promise((r) => setTimeout(r, 200))
      expect(rejections).toEqual([])
    } finally {
      process.off("unhandledRejection", onRejection)
    }
  })
})
