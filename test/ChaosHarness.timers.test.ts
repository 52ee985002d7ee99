/**
 * The chaos servers' fault timers die with their socket: a timer armed after
 * the socket closed (an HTTP/2 stream's `close` comes after its socket's when
 * the session is destroyed) would outlive every socket — the ref'd `Timeout`
 * the soak reported after the pool's scope closed (seeds 8002, 9102, 10042).
 */
import { describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import { Tap } from "./support/chaosH2Server.js"
import { FaultWire } from "./support/faults.js"

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length

/** A loopback connection, both ends; closed by the caller. */
const pair = async (): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket }> => {
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const accepted = new Promise<net.Socket>((r) => server.once("connection", r))
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1")
  return { server, client, accepted: await accepted }
}

const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed && s.closed ? r() : s.once("close", () => r())))

describe("chaos harness timers", () => {
  it("the HTTP/2 tap arms no timer once its socket has closed (an idle fault's 64 s delay left none running)", async () => {
    const { accepted, client, server } = await pair()
    const tap = new Tap(accepted, accepted)
    let ran = false
    accepted.destroy()
    await closed(accepted)
    const before = timeouts()
    tap.later(64_233, () => (ran = true))
    expect(timeouts()).toBe(before)
    expect(ran).toBe(false)
    client.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  })

  it("the HTTP/1.1 fault wire arms no timer once its socket has closed", async () => {
    const { accepted, client, server } = await pair()
    const wire = new FaultWire(accepted, new Map())
    accepted.destroy()
    await closed(accepted)
    const before = timeouts()
    expect(wire.later(64_233, () => {})).toBeUndefined()
    expect(timeouts()).toBe(before)
    client.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  })
})
