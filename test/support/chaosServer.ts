/**
 * The chaos suite's HTTP/1.1 peer: a hand-written server (so each byte's
 * phase is known) speaking through a {@link FaultWire}. Every request names
 * its id (`x-req-id`), the response it wants (`x-size`, `x-framing`) and its
 * fault (`x-fault`, see `faults.ts`); the body echoes the id, method and the
 * request body's length, so a client can tell its own response from any
 * other. It records every request it received in full (an arrival), per id,
 * with the connection's request number and whether the response went out
 * whole — what the replay invariants are checked against.
 *
 * Listeners: `url` (plain), `tlsUrl` (TLS, the test PKI), and one per
 * connection-setup fault: `dial/fin`, `dial/rst` (at accept), `tls/fin`,
 * `tls/rst` (after the ClientHello).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as net from "node:net"
import { FaultWire, parseFault } from "./faults.js"
import type { Fault, FaultCounts, Phase } from "./faults.js"
import * as tls from "node:tls"
import { cert, rawServer } from "./servers.js"

/** One request received in full. */
export interface Arrival {
  readonly method: string
  readonly path: string
  /** 1 for a connection's first request, 2 for the next… */
  readonly nth: number
  /** The response was written whole (a fault that ended the connection before: false). */
  complete: boolean
  /** Bytes of the response written before the fault ended it. */
  written: number
  /**
   * The connection was reset after this response was written (a later fault
   * on it): the client may never have read the response, and may resend.
   */
  lost: boolean
}

export type Framing = "cl" | "chunked" | "trailers"

const padding = "abcdefghijklmnopqrstuvwxyz0123456789"

/** The body answering request `id`: its id, method and received body length, padded to `size` bytes. */
export const responseBody = (id: string, method: string, received: number, size: number): string => {
  const head = `id:${id};method:${method};received:${received};`
  if (size <= head.length) return head
  let out = head
  while (out.length < size) out += padding
  return out.slice(0, size)
}

export interface ChaosServer {
  readonly url: string
  readonly tlsUrl: string
  /** `http://` URLs of the dial-fault listeners and `https://` ones of the TLS-fault listeners, by kind. */
  readonly setupFaults: Readonly<Record<"dial/fin" | "dial/rst" | "tls/fin" | "tls/rst", string>>
  readonly arrivals: Map<string, Array<Arrival>>
  readonly faults: FaultCounts
  /** Sockets open on the server side, all listeners. */
  readonly openSockets: () => number
  /** The same, by listener (for a violation's message). */
  readonly openByListener: () => Record<string, number>
  readonly accepted: () => number
}

interface Head {
  readonly method: string
  readonly path: string
  readonly fields: Map<string, string>
}

const parseHead = (text: string): Head => {
  const lines = text.split("\r\n")
  const [method, path] = lines[0].split(" ")
  const fields = new Map<string, string>()
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":")
    if (i > 0) fields.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim())
  }
  return { method, path, fields }
}

const crlf = Buffer.from("\r\n")

/**
 * How many bytes of `buf` (from 0) a chunked request body takes, and its
 * data length; undefined while incomplete.
 */
const chunkedLength = (buf: Buffer): { readonly used: number; readonly size: number } | undefined => {
  let at = 0
  let size = 0
  for (;;) {
    const eol = buf.indexOf(crlf, at)
    if (eol < 0) return undefined
    const n = parseInt(buf.subarray(at, eol).toString("latin1"), 16)
    at = eol + 2
    if (n === 0) {
      // Trailers (none from our clients) up to the blank line.
      const end = buf.indexOf("\r\n\r\n", at - 2)
      return end < 0 ? undefined : { used: end + 4, size }
    }
    if (buf.length < at + n + 2) return undefined
    size += n
    at += n + 2
  }
}

/** The response to a request, as pieces tagged with their phase. */
const responsePieces = (head: Head, received: number): Array<readonly [Phase, Buffer]> => {
  const id = head.fields.get("x-req-id") ?? "none"
  const size = Number(head.fields.get("x-size") ?? "32")
  const framing = (head.fields.get("x-framing") ?? "cl") as Framing
  const b = (s: string) => Buffer.from(s, "latin1")
  const redirectTo = head.path.startsWith("/redirect") ? "/echo" + head.path.slice("/redirect".length) : undefined
  const status = redirectTo !== undefined ? "HTTP/1.1 302 Found\r\n" : "HTTP/1.1 200 OK\r\n"
  const body = b(redirectTo !== undefined ? `moved:${id}` : responseBody(id, head.method, received, size))
  const pieces: Array<readonly [Phase, Buffer]> = [
    ["status-line", b(status)],
    ["headers", b("content-type: text/plain\r\n")],
    ["headers", b(`x-echo-id: ${id}\r\n`)]
  ]
  if (redirectTo !== undefined) pieces.push(["headers", b(`location: ${redirectTo}\r\n`)])
  if (framing === "cl" || redirectTo !== undefined) {
    pieces.push(["headers", b(`content-length: ${body.length}\r\n\r\n`)])
    // One piece: duplicating part of a Content-Length body could not be told from a real body.
    if (head.method !== "HEAD") pieces.push(["body", body])
    return pieces
  }
  pieces.push(["headers", b(`transfer-encoding: chunked\r\n${framing === "trailers" ? "trailer: x-checksum\r\n" : ""}\r\n`)])
  // Chunks of at least 16 bytes (a duplicated size line is then never a valid chunk of letters).
  let at = 0
  let k = 0
  while (at < body.length) {
    const n = Math.min(body.length - at, 16 + ((k++ * 7919) % 4096))
    pieces.push(["chunk-size", b(`${n.toString(16)}\r\n`)])
    pieces.push(["body", Buffer.concat([body.subarray(at, at + n), crlf])])
    at += n
  }
  pieces.push(["chunk-size", b("0\r\n")])
  if (framing === "trailers") pieces.push(["trailers", b(`x-checksum: ${id}\r\n`)])
  pieces.push(["trailers", b("\r\n")])
  return pieces
}

/**
 * Bytes sent unsolicited after a response (the desync attack): the start of a
 * response for no request, its body cut short — a client that pooled the
 * connection would take its next response's bytes as the rest of this one.
 */
const unsolicited = (id: string): Buffer => {
  // 10 bytes short: they would be taken from the start of the next response (its status line).
  return Buffer.from(`HTTP/1.1 200 OK\r\nx-echo-id: stray-${id}\r\ncontent-length: 30\r\n\r\n${"s".repeat(20)}`, "latin1")
}

/** Serves requests on one connection, one at a time, through a fault wire. */
const serve = (
  socket: net.Socket,
  arrivals: Map<string, Array<Arrival>>,
  counts: FaultCounts,
  raw: net.Socket = socket
): void => {
  const wire = new FaultWire(socket, counts, raw)
  let last: Arrival | undefined
  let idleCut: NodeJS.Timeout | undefined
  wire.onReset = () => {
    if (last !== undefined) last.lost = true
  }
  let buf: Buffer = Buffer.alloc(0)
  let nth = 0
  let busy = false
  /** A fault before the response: the request is not served (the connection closes, or stalls: nothing more is read). */
  const halt = (f: Fault): void => {
    busy = true
    wire.count(f)
    wire.cut(f.kind)
  }
  const step = (): void => {
    if (busy || socket.destroyed) return
    const end = buf.indexOf("\r\n\r\n")
    if (end < 0) return
    const head = parseHead(buf.subarray(0, end).toString("latin1"))
    const fault = parseFault(head.fields.get("x-fault"))
    if (fault?.phase === "request-head") return halt(fault)
    const rest = buf.subarray(end + 4)
    let used: number
    let received: number
    const cl = head.fields.get("content-length")
    if (head.fields.get("transfer-encoding")?.toLowerCase() === "chunked") {
      const c = chunkedLength(rest)
      if (fault?.phase === "request-body" && rest.length > 0) return halt(fault)
      if (c === undefined) return
      used = c.used
      received = c.size
    } else {
      received = cl === undefined ? 0 : Number(cl)
      if (fault?.phase === "request-body" && received > 0 && rest.length > 0) return halt(fault)
      if (rest.length < received) return
      used = received
    }
    buf = rest.subarray(used)
    nth++
    const id = head.fields.get("x-req-id") ?? "none"
    const arrival: Arrival = { method: head.method, path: head.path, nth, complete: false, written: 0, lost: false }
    last = arrival
    const list = arrivals.get(id)
    if (list === undefined) arrivals.set(id, [arrival])
    else list.push(arrival)
    const pieces = responsePieces(head, received)
    if (fault?.phase === "idle" && fault.kind === "unsolicited") {
      // In the same write as the response's end, so they arrive before the connection can be reused: a
      // client that pooled it would answer its next request with them (the desync of issue 21). Bytes
      // arriving later, after a request was written, could not be told from its response by any client.
      const [phase, last] = pieces[pieces.length - 1]
      pieces[pieces.length - 1] = [phase, Buffer.concat([last, unsolicited(id)])]
    }
    busy = true
    void wire.write(pieces, fault).then((whole) => {
      arrival.complete = whole
      arrival.written = whole ? pieces.reduce((n, [, p]) => n + p.length, 0) : 0
      busy = false
      if (!whole) return
      if (fault?.phase === "idle") {
        wire.count(fault)
        if (fault.kind !== "unsolicited") {
          // Closed while idle: a request arriving first keeps the connection (then the race is the client's).
          idleCut = wire.later(fault.arg, () => wire.cut(fault.kind))
          return
        }
      }
      step()
    })
  }
  socket.on("data", (d: Buffer) => {
    if (idleCut !== undefined) {
      wire.cancel(idleCut)
      idleCut = undefined
    }
    buf = buf.length === 0 ? d : Buffer.concat([buf, d])
    step()
  })
}

/** Starts the chaos server's listeners in the scope. */
export const chaosServer: Effect.Effect<ChaosServer, never, Scope.Scope> = Effect.gen(function*() {
  const arrivals = new Map<string, Array<Arrival>>()
  const faults: FaultCounts = new Map()
  const setupCount = (k: string) => faults.set(k, (faults.get(k) ?? 0) + 1)
  const plain = yield* rawServer((s) => serve(s, arrivals, faults))
  const context = tls.createSecureContext({ cert: cert("server.pem"), key: cert("server-key.pem") })
  // TLS over a plain listener, so a reset can reach the TCP socket under it.
  const secure = yield* rawServer((raw) => {
    const s = new tls.TLSSocket(raw, { isServer: true, secureContext: context, ALPNProtocols: ["http/1.1"] })
    s.on("error", () => {})
    serve(s, arrivals, faults, raw)
  })
  // FIN at accept; reading on, so the client's own close ends the socket.
  const dialFin = yield* rawServer((s) => {
    setupCount("dial/fin")
    s.end()
    s.resume()
  })
  const dialRst = yield* rawServer((s) => {
    setupCount("dial/rst")
    s.resetAndDestroy()
  })
  const tlsFault = (kind: "fin" | "rst") =>
    rawServer((s) =>
      s.once("data", () => {
        setupCount(`tls/${kind}`)
        if (kind === "fin") {
          s.end()
          s.resume()
        } else s.resetAndDestroy()
      })
    )
  const tlsFin = yield* tlsFault("fin")
  const tlsRst = yield* tlsFault("rst")
  const all = [plain, secure, dialFin, dialRst, tlsFin, tlsRst]
  return {
    url: plain.url,
    tlsUrl: `https://127.0.0.1:${secure.port}`,
    setupFaults: {
      "dial/fin": dialFin.url,
      "dial/rst": dialRst.url,
      "tls/fin": `https://127.0.0.1:${tlsFin.port}`,
      "tls/rst": `https://127.0.0.1:${tlsRst.port}`
    },
    arrivals,
    faults,
    openSockets: () => all.reduce((n, l) => n + l.sockets.size, 0),
    openByListener: () => {
      const names = ["plain", "tls", "dial/fin", "dial/rst", "tls/fin", "tls/rst"]
      return Object.fromEntries(all.map((l, i) => [names[i], l.sockets.size]).filter(([, n]) => n !== 0))
    },
    accepted: () => all.reduce((n, l) => n + l.accepted(), 0)
  }
})
