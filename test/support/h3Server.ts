/**
 * A minimal in-process HTTP/3 server for the client's tests (no peers needed): QUIC from
 * test/support/quicServer.ts, frames and QPACK from the client's own core (a server encodes what
 * the client decodes, and the reverse). Each request is read whole (HEADERS, DATA, trailers, FIN),
 * then `handler` answers it with a status, fields and a body.
 */
import type { QUICConnection, QUICStream } from "@matrixai/quic"
import { events } from "@matrixai/quic"
import { encodeFrame, encodeGoaway, FrameType } from "../../src/internal/http3/frame.js"
import { FrameReader } from "../../src/internal/http3/frameReader.js"
import { decodeFieldSection, encodeFieldSection } from "../../src/internal/http3/qpack.js"
import { encodeVarint } from "../../src/internal/http3/varint.js"
import { startQuicServer } from "./quicServer.js"
import type { TestQuicServer } from "./quicServer.js"

export interface H3Request {
  /** Which connection (1, 2, … in accept order) and stream carried it. */
  readonly connection: number
  readonly streamId: number
  readonly fields: ReadonlyArray<string>
  readonly header: (name: string) => string | undefined
  readonly body: string
  readonly trailers: ReadonlyArray<string>
}

export interface H3Answer {
  readonly status: number
  readonly fields?: ReadonlyArray<string>
  readonly body?: string
}

const readRequest = async (stream: QUICStream, connection: number): Promise<H3Request> => {
  const sections: Array<Array<string>> = []
  let body = ""
  const reader = new FrameReader("request", {
    headers: (b) => (sections.push(decodeFieldSection(b, 1 << 20) as Array<string>), undefined),
    data: (c) => (body += Buffer.from(c).toString("latin1"), undefined),
    settings: () => undefined,
    goaway: () => undefined
  })
  for await (const chunk of stream.readable) reader.push(chunk)
  const fields = sections[0] ?? []
  return {
    connection,
    streamId: Number(stream.streamId),
    fields,
    header: (name) => {
      const i = fields.findIndex((f, j) => j % 2 === 0 && f === name)
      return i < 0 ? undefined : fields[i + 1]
    },
    body,
    trailers: sections[1] ?? []
  }
}

/**
 * Starts the server; `requests` records every request it read (before `handler` answers, which may
 * take its time); `goaway(id)` sends GOAWAY with that stream ID on every connection's control stream.
 */
export const startH3Server = async (
  handler: (req: H3Request) => H3Answer | Promise<H3Answer>
): Promise<
  TestQuicServer & {
    readonly requests: Array<H3Request>
    readonly connections: () => number
    readonly goaway: (id: number) => Promise<void>
  }
> => {
  const requests: Array<H3Request> = []
  const controls: Array<Promise<WritableStreamDefaultWriter<Uint8Array>>> = []
  let connections = 0
  const onConnection = (conn: QUICConnection) => {
    const index = ++connections
    conn.addEventListener(events.EventQUICConnectionStream.name, (evt: unknown) => {
      const stream = (evt as { detail: QUICStream }).detail
      if ((stream.streamId & 0x02) !== 0) {
        // The client's control and QPACK streams: read and dropped.
        void (async () => {
          for await (const _ of stream.readable) void _
        })().catch(() => {})
        return
      }
      void (async () => {
        const req = await readRequest(stream, index)
        requests.push(req)
        const answer = await handler(req)
        const writer = stream.writable.getWriter()
        await writer.write(encodeFrame(FrameType.HEADERS, encodeFieldSection([":status", String(answer.status), ...(answer.fields ?? [])])))
        if (answer.body !== undefined && answer.body.length > 0) {
          await writer.write(encodeFrame(FrameType.DATA, Buffer.from(answer.body, "latin1")))
        }
        await writer.close()
      })().catch(() => {
        // The client reset the stream: end our side too, so the stream is gone (and its credit given back).
        try {
          stream.cancel(new Error("reset by the client"))
        } catch {
          // closed already
        }
      })
    })
    // The server's control stream: SETTINGS.
    const control = (async () => {
      const w = conn.newStream("uni").writable.getWriter()
      await w.write(Uint8Array.from([...encodeVarint(0), ...encodeFrame(FrameType.SETTINGS, new Uint8Array(0))]))
      return w
    })()
    control.catch(() => {})
    controls.push(control)
  }
  const server = await startQuicServer({ onConnection })
  const goaway = async (id: number) => {
    for (const control of controls) await (await control).write(encodeGoaway(id))
  }
  return { ...server, requests, connections: () => connections, goaway }
}
