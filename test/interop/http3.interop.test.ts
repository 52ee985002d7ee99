/**
 * HTTP/3 building blocks against caddy's HTTP/3 port (udp 28448): the QUIC transport step
 * (`dialQuic` on the patched @matrixai/quic) with the same verification as TLS over TCP, and one
 * HTTP/3 exchange written with the sans-IO core (frames, SETTINGS, QPACK) — what the H3 driver
 * will do, checked against a real server. The HTTP/3 driver and protocol selection are not built
 * yet: `Hackney.request` does not speak HTTP/3.
 */
import { describe, expect, it } from "@effect/vitest"
import type { QUICStream } from "@matrixai/quic"
import { events } from "@matrixai/quic"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { readFileSync } from "node:fs"
import { encodeControlStreamPreface, encodeFrame, FrameType, StreamType } from "../../src/internal/http3/frame.js"
import type { Settings } from "../../src/internal/http3/frame.js"
import { FrameReader } from "../../src/internal/http3/frameReader.js"
import { requestFields, responseHead } from "../../src/internal/http3/message.js"
import type { Http3ResponseHead } from "../../src/internal/http3/message.js"
import { decodeFieldSection, encodeFieldSection } from "../../src/internal/http3/qpack.js"
import { readVarint, varintSizeOf } from "../../src/internal/http3/varint.js"
import { dialQuic } from "../../src/internal/node/quic.js"
import type { QuicOpen, QuicTarget } from "../../src/internal/node/quic.js"
import { need, skipPeer } from "./env.js"

const readAll = async (stream: QUICStream): Promise<Uint8Array> => {
  const parts: Array<Uint8Array> = []
  for await (const chunk of stream.readable) parts.push(chunk)
  return Uint8Array.from(Buffer.concat(parts))
}

/** One GET over `open` with the HTTP/3 core; also reads the server's control stream for its SETTINGS. */
const get = async (open: QuicOpen, authority: string, path: string) => {
  let settings: Settings | undefined
  const errors: Array<string> = []
  open.connection.addEventListener(events.EventQUICConnectionStream.name, (evt: unknown) => {
    const stream = (evt as unknown as { detail: QUICStream }).detail
    void (async () => {
      let reader: FrameReader | undefined
      let type = -1
      for await (const chunk of stream.readable) {
        let bytes = chunk
        if (type < 0) {
          type = readVarint(bytes, 0)
          bytes = bytes.subarray(varintSizeOf(bytes[0]))
          if (type === StreamType.CONTROL) {
            reader = new FrameReader("control", {
              data: () => undefined,
              headers: () => undefined,
              settings: (s) => (settings = s, undefined),
              goaway: () => undefined
            })
          }
        }
        const e = reader?.push(bytes)
        if (e !== undefined) errors.push(e.code)
      }
    })().catch(() => {})
  })
  const control = open.connection.newStream("uni")
  const controlWriter = control.writable.getWriter()
  await controlWriter.write(encodeControlStreamPreface({ maxFieldSectionSize: 65536 }))
  const request = open.connection.newStream("bidi")
  const writer = request.writable.getWriter()
  await writer.write(encodeFrame(
    FrameType.HEADERS,
    encodeFieldSection(requestFields("GET", "https", authority, path, ["User-Agent", "effect-hackney-test", "Connection", "close"]))
  ))
  await writer.close()
  let head: Http3ResponseHead | undefined
  const body: Array<Buffer> = []
  const reader = new FrameReader("request", {
    data: (c) => (body.push(Buffer.from(c)), undefined),
    headers: (block) => {
      const decoded = decodeFieldSection(block, 65536)
      if (!Array.isArray(decoded)) return decoded
      const h = responseHead(decoded)
      if ("_tag" in h) return h
      head = h
      return undefined
    },
    settings: () => undefined,
    goaway: () => undefined
  })
  const e = reader.push(await readAll(request)) ?? reader.end()
  if (e !== undefined) errors.push(e.code)
  controlWriter.releaseLock()
  return { head, body: Buffer.concat(body).toString("latin1"), settings: () => settings, errors }
}

describe.skipIf(skipPeer("caddy"))("HTTP/3 core and dialQuic against caddy", () => {
  const env = () => need("caddy")
  const port = () => Number(new URL(env().url("CADDY_TLS")).port)
  const target = (over: Partial<QuicTarget> = {}): QuicTarget => ({
    host: "127.0.0.1",
    port: port(),
    tls: { ca: readFileSync(env().ca, "utf8"), servername: "localhost" },
    protocols: ["h3"],
    ...over
  })

  it("GET /hello over HTTP/3: status, headers and body decoded by the core; caddy's SETTINGS read", async () => {
    const open = await Effect.runPromise(dialQuic(target(), {}))
    try {
      expect(open.alpn).toBe("h3")
      const r = await get(open, `localhost:${port()}`, "/hello")
      expect(r.errors).toEqual([])
      expect(r.head?.status).toBe(200)
      expect(r.head?.rawHeaders).toContain("server")
      expect(r.body).toBe("hello HTTP/3.0")
      // The server's control stream arrives with the response or soon after.
      for (let i = 0; i < 50 && r.settings() === undefined; i++) await new Promise((res) => setTimeout(res, 20))
      expect(r.settings()).toBeDefined()
    } finally {
      await open.close()
    }
  })

  it("verifies as TLS over TCP: the IP SAN of 127.0.0.1 without servername; a wrong CA or name is a typed TlsError", async () => {
    const ip = await Effect.runPromise(dialQuic(target({ tls: { ca: readFileSync(env().ca, "utf8") } }), {}))
    await ip.close()
    const wrongCa = await Effect.runPromiseExit(dialQuic(target({ tls: { servername: "localhost" } }), {}))
    if (Exit.isFailure(wrongCa)) expect(wrongCa.cause).toMatchObject({ error: { _tag: "TlsError", reason: "certificate" } })
    else expect.fail("connected with Node's roots to the test CA's certificate")
    const wrongName = await Effect.runPromiseExit(
      dialQuic(target({ tls: { ca: readFileSync(env().ca, "utf8"), servername: "example.com" } }), {})
    )
    if (Exit.isFailure(wrongName)) expect(wrongName.cause).toMatchObject({ error: { _tag: "TlsError", reason: "hostname" } })
    else expect.fail("connected for a name the certificate does not have")
  })

  it("30 connections while caddy opens its control and QPACK streams: no unhandled rejection (the patched race)", async () => {
    const rejections: Array<unknown> = []
    const onRejection = (e: unknown) => rejections.push(e)
    process.on("unhandledRejection", onRejection)
    try {
      for (let i = 0; i < 30; i++) {
        const open = await Effect.runPromise(dialQuic(target(), {}))
        await new Promise((r) => setTimeout(r, 20))
        await open.close()
      }
      await new Promise((r) => setTimeout(r, 100))
      expect(rejections.map(String)).toEqual([])
    } finally {
      process.off("unhandledRejection", onRejection)
    }
  })
})
