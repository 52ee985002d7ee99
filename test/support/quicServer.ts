/**
 * An in-process QUIC server on 127.0.0.1 (port 0) for transport tests, on the same library as the
 * client (`@matrixai/quic`), serving the test PKI of test/fixtures/certs. `onConnection` sees each
 * accepted connection (to open streams from the server side, as an HTTP/3 server does).
 */
import { QUICServer } from "@matrixai/quic"
import type { QUICConnection } from "@matrixai/quic"
import { events } from "@matrixai/quic"
import Logger, { LogLevel } from "@matrixai/logger"
import { createHmac, randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"

export const certs = (name: string): string => readFileSync(new URL(`../fixtures/certs/${name}.pem`, import.meta.url), "utf8")

export interface TestQuicServer {
  readonly port: number
  readonly stop: () => Promise<void>
}

export const startQuicServer = async (options: {
  readonly cert?: string | undefined
  readonly protocols?: ReadonlyArray<string>
  readonly onConnection?: (connection: QUICConnection) => void
} = {}): Promise<TestQuicServer> => {
  const name = options.cert ?? "server"
  const key = randomBytes(32)
  const hmac = (k: ArrayBuffer, data: ArrayBuffer) => createHmac("sha256", Buffer.from(k)).update(Buffer.from(data)).digest()
  const server = new QUICServer({
    crypto: {
      key: key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength),
      ops: {
        sign: async (k, data) => {
          const d = hmac(k, data)
          return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)
        },
        verify: async (k, data, sig) => hmac(k, data).equals(Buffer.from(sig))
      }
    },
    config: {
      key: certs(`${name}-key`),
      cert: certs(name),
      verifyPeer: false,
      applicationProtos: [...(options.protocols ?? ["h3"])],
      maxIdleTimeout: 5_000
    },
    logger: new Logger("test-quic-server", LogLevel.SILENT)
  })
  server.addEventListener(events.EventQUICServerConnection.name, (evt: unknown) => {
    options.onConnection?.((evt as unknown as { detail: QUICConnection }).detail)
  })
  await server.start({ host: "127.0.0.1", port: 0 })
  return { port: server.port, stop: () => server.stop({ force: true }) }
}
