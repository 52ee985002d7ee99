/**
 * ngtcp2's example HTTP/3 server (`gtlsserver`, GnuTLS; UDP 28449, the test PKI's certificate for
 * localhost / 127.0.0.1): a second QUIC implementation besides caddy's quic-go, for the
 * transport's verification cases — the handshake with the test CA, a hostname the certificate does
 * not name, a CA that did not issue it — each a typed error, and no unhandled rejection.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { readFileSync } from "node:fs"
import { dialQuic } from "../../src/internal/node/quic.js"
import { quicTarget, unhandledRejections } from "./client.js"
import { need, skipPeer } from "./env.js"

describe.skipIf(skipPeer("ngtcp2"))("ngtcp2 (gtlsserver): QUIC handshake and verification", () => {
  const env = () => need("ngtcp2")
  const target = quicTarget("ngtcp2", "NGTCP2_H3")
  const failure = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? exit.cause : undefined)

  it("handshakes with ALPN h3 under the test CA, by name and by IP SAN", async () => {
    for (const tls of [{ ca: readFileSync(env().ca, "utf8"), servername: "localhost" }, { ca: readFileSync(env().ca, "utf8") }]) {
      const open = await Effect.runPromise(dialQuic(target({ tls }), {}))
      expect(open.alpn).toBe("h3")
      await open.close()
    }
  })

  it("a name the certificate does not carry is TlsError hostname; another CA is TlsError certificate", async () => {
    expect(failure(await Effect.runPromiseExit(dialQuic(target({ tls: { ca: readFileSync(env().ca, "utf8"), servername: "wrong.test" } }), {}))))
      .toMatchObject({ error: { _tag: "TlsError", reason: "hostname" } })
    expect(failure(await Effect.runPromiseExit(dialQuic(target({ tls: { servername: "localhost" } }), {}))))
      .toMatchObject({ error: { _tag: "TlsError", reason: "certificate" } })
  })

  it("insecure connects without verification; an ALPN the server lacks is TlsError handshake", async () => {
    const open = await Effect.runPromise(dialQuic(target({ tls: { insecure: true } }), {}))
    await open.close()
    expect(failure(await Effect.runPromiseExit(dialQuic(target({ protocols: ["h3-29"] }), {}))))
      .toMatchObject({ error: { _tag: "TlsError", reason: "handshake" } })
  })

  it("50 connects and closes: no unhandled rejection", async () => {
    expect(
      await unhandledRejections(async () => {
        for (let i = 0; i < 50; i++) {
          const open = await Effect.runPromise(dialQuic(target(), {}))
          await open.close()
        }
      })
    ).toEqual([])
  })
})
