/**
 * A real HTTP/3 server shutting down under the client API, on private ports (no shared peer):
 * ngtcp2's `gtlsserver` (Debian `ngtcp2-server`) started by the test with the committed test PKI.
 *
 * Issue 22 asks for GOAWAY from a real server. None on this machine sends one (evidence in
 * docs/http3.md "GOAWAY from a real server"): `gtlsserver` on SIGINT closes every connection at once
 * with a transport CONNECTION_CLOSE NO_ERROR and no HTTP/3 GOAWAY (it has no graceful shutdown);
 * caddy 2.6.2's quic-go (lucas-clemente, before GOAWAY support) neither on SIGINT/SIGTERM (it exits
 * without a packet) nor on a config reload (the old connection keeps being served). So this file
 * checks what a real graceful-but-abrupt close does to the driver: the request in flight fails
 * typed, the pool drops the dead connection, the next request dials a new one, no UDP socket is
 * left and nothing is rejected unhandled. The GOAWAY paths themselves are covered against an
 * in-process server (test/Hackney.h3.test.ts family).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { spawn, spawnSync } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as dgram from "node:dgram"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Hackney, Pool } from "../../src/index.js"
import { cert } from "../support/servers.js"
import { unhandledRejections } from "./client.js"

const hasGtlsserver = spawnSync("sh", ["-c", "command -v gtlsserver"]).status === 0
const required = process.env.HACKNEY_INTEROP_REQUIRE === "1"
const certDir = new URL("../fixtures/certs/", import.meta.url).pathname

/** A free UDP port on 127.0.0.1 (bound, read, released). */
const freeUdpPort = () =>
  new Promise<number>((resolve) => {
    const s = dgram.createSocket("udp4")
    s.bind(0, "127.0.0.1", () => {
      const port = s.address().port
      s.close(() => resolve(port))
    })
  })

/** Starts `gtlsserver` on `port` serving `docroot`; resolves once it answers a QUIC handshake. */
const startServer = async (port: number, docroot: string): Promise<ChildProcess> => {
  const child = spawn("gtlsserver", [
    "--quiet", "--timeout=30s", "-d", docroot, "127.0.0.1", String(port),
    join(certDir, "server-key.pem"), join(certDir, "server.pem")
  ], { stdio: "ignore" })
  // gtlsserver prints nothing with --quiet: wait until its UDP port is taken.
  for (let i = 0; i < 100; i++) {
    const taken = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket("udp4")
      s.once("error", () => s.close(() => resolve(true)))
      s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)))
    })
    if (taken) return child
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill("SIGKILL")
  throw new Error(`gtlsserver did not bind udp ${port}`)
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())))

const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("UDP")).length

describe.skipIf(!hasGtlsserver && !required)("HTTP/3: a real server (ngtcp2 gtlsserver) shutting down on SIGINT", () => {
  it("the download in flight fails typed, the pool dials a new connection for the next request, no UDP socket left", async () => {
    expect(hasGtlsserver).toBe(true)
    const udpBefore = udpHandles()
    const dir = mkdtempSync(join(tmpdir(), "hackney-h3shutdown-"))
    const docroot = join(dir, "htdocs")
    mkdirSync(docroot)
    // ~25 Mbit/s through the QUIC library: 20 MB takes seconds, so it is surely in flight at the signal.
    writeFileSync(join(docroot, "big"), Buffer.alloc(20_000_000, 97))
    writeFileSync(join(docroot, "hello"), "hello")
    const port = await freeUdpPort()
    let server = await startServer(port, docroot)
    try {
      const rejections = await unhandledRejections(async () => {
        await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
          const pool = yield* Pool.make({ name: "h3-shutdown" })
          const opts = { tls: { ca: cert("ca.pem"), servername: "localhost" }, protocols: ["h3"] as const, pool, recvTimeout: 20_000 }
          const base = `https://127.0.0.1:${port}`
          const first = yield* Hackney.get(`${base}/hello`, opts)
          expect([first.status, first.protocol, first.text()]).toEqual([200, "h3", "hello"])
          // The download in flight on the pooled connection when the server is told to stop.
          const download = yield* Effect.fork(Hackney.get(`${base}/big`, opts))
          yield* Effect.sleep("700 millis")
          const s1 = server
          yield* Effect.promise(async () => {
            s1.kill("SIGINT")
            await exited(s1)
          })
          const exit = yield* download.await
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            // The server's CONNECTION_CLOSE (transport NO_ERROR) mid-body: the connection is lost, typed.
            expect(exit.cause).toMatchObject({ error: { _tag: "ConnectionClosed", requestSent: true, responseStarted: true } })
          }
          // The same origin again, a new server process: the next request must dial a new connection.
          server = yield* Effect.promise(() => startServer(port, docroot))
          const next = yield* Hackney.get(`${base}/hello`, opts)
          expect([next.status, next.protocol, next.text()]).toEqual([200, "h3", "hello"])
        })))
      })
      expect(rejections).toEqual([])
      for (let i = 0; i < 100 && udpHandles() !== udpBefore; i++) await new Promise((r) => setTimeout(r, 20))
      expect(udpHandles()).toBe(udpBefore)
    } finally {
      server.kill("SIGKILL")
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
