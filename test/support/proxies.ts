/**
 * In-process proxies for tests, on 127.0.0.1 port 0: an HTTP proxy (CONNECT
 * tunnels and absolute-form forwarding) and a SOCKS5 server (RFC 1928/1929).
 * Each records what it received and can misbehave on request. The names
 * `localhost` and `origin.test` reach 127.0.0.1.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import type { Listening } from "./servers.js"
import { cert, listen, rawServer } from "./servers.js"

/** What an HTTP proxy received: the request line's method and target, the head's headers (lower-case names). */
export interface ProxiedRequest {
  readonly method: string
  readonly target: string
  readonly headers: Record<string, string>
}

/** How an HTTP proxy answers. */
export type HttpProxyMode =
  | "ok"
  | "garbage"
  | "close"
  | "stall"
  | { readonly status: number }

export interface HttpProxy extends Listening {
  readonly received: Array<ProxiedRequest>
}

const pipeTo = (client: net.Socket, host: string, port: number, first: Buffer | string, rest: Buffer, onUp?: () => void) => {
  const upstream = net.connect({ host: loopback(host), port })
  upstream.on("error", () => client.destroy())
  client.on("close", () => upstream.destroy())
  upstream.on("close", () => client.destroy())
  upstream.on("connect", () => {
    onUp?.()
    if (first.length > 0) upstream.write(first)
    if (rest.length > 0) upstream.write(rest)
    client.pipe(upstream).pipe(client)
  })
}

const splitAuthority = (a: string): [string, number] => {
  const colon = a.lastIndexOf(":")
  const host = a.slice(0, colon).replace(/^\[|\]$/g, "")
  return [host, Number(a.slice(colon + 1))]
}

/**
 * An HTTP proxy (node:http, keep-alive): CONNECT opens a tunnel; an
 * absolute-form request is forwarded to the origin over a new connection
 * each (`Proxy-Authorization` dropped, `Via: 1.1 test-proxy` added). `auth` ("user:pass") requires Basic
 * `Proxy-Authorization`, answering 407 with a challenge otherwise.
 */
export const httpProxy = (
  options: {
    readonly auth?: string
    readonly mode?: HttpProxyMode
    readonly tls?: boolean
    /** Answer wrong credentials with 401 and `WWW-Authenticate`, as tinyproxy does. */
    readonly wrongAuth401?: boolean
  } = {}
): Effect.Effect<HttpProxy, never, Scope.Scope> => {
  const received: Array<ProxiedRequest> = []
  const expected = options.auth === undefined ? undefined : `Basic ${Buffer.from(options.auth).toString("base64")}`
  const record = (req: http.IncomingMessage): ProxiedRequest => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!.toLowerCase()] = req.rawHeaders[i + 1]!
    const r = { method: req.method ?? "", target: req.url ?? "", headers }
    received.push(r)
    return r
  }
  /** The answer to send on `socket` instead of proxying, or undefined to proxy. */
  const refusal = (req: ProxiedRequest, socket: net.Socket, res?: http.ServerResponse): boolean => {
    const mode = options.mode ?? "ok"
    if (mode === "stall") return true
    if (mode === "close") return void socket.destroy(), true
    if (mode === "garbage") return void socket.end("SSH-2.0-OpenSSH\r\n\r\n"), true
    if (typeof mode === "object") {
      return void socket.end(`HTTP/1.1 ${mode.status} Nope\r\ncontent-length: 4\r\n\r\nnope`), true
    }
    const given = req.headers["proxy-authorization"]
    if (expected !== undefined && given !== undefined && given !== expected && options.wrongAuth401 === true) {
      return void socket.end(`HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="tiny"\r\n\r\n`), true
    }
    if (expected !== undefined && given !== expected) {
      if (res !== undefined) {
        res.writeHead(407, { "proxy-authenticate": `Basic realm="test"`, "content-length": "0" }).end()
        return true
      }
      socket.write(
        `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n`
      )
      return true
    }
    return false
  }
  const onRequest: http.RequestListener = (req, res) => {
    const r = record(req)
    if (refusal(r, req.socket, res)) return
    const url = new URL(r.target)
    const headers = { ...req.headers, via: "1.1 test-proxy" }
    delete headers["proxy-authorization"]
    const upstream = http.request(
      {
        host: loopback(url.hostname),
        port: Number(url.port || 80),
        method: req.method,
        path: url.pathname + url.search,
        headers,
        agent: false
      },
      (up) => {
        const { connection: _hopByHop, ...upHeaders } = up.headers
        res.writeHead(up.statusCode ?? 502, upHeaders)
        up.pipe(res)
      }
    )
    upstream.on("error", () => res.destroy())
    // The client went away (or the answer is complete): the upstream connection goes too.
    res.on("close", () => upstream.destroy())
    req.pipe(upstream)
  }
  const server = options.tls === true
    ? https.createServer({ cert: cert("server.pem"), key: cert("server-key.pem") }, onRequest)
    : http.createServer({ keepAliveTimeout: 60_000 }, onRequest)
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, rest: Buffer) => {
    client.on("error", () => {})
    const r = record(req)
    if (refusal(r, client)) return
    const [host, port] = splitAuthority(r.target)
    pipeTo(client, host, port, "", rest, () => client.write("HTTP/1.1 200 Connection established\r\n\r\n"))
  })
  server.on("clientError", (_e, socket) => socket.destroy())
  // node:http servers allow half-open sockets: a client that goes away closes ours too.
  server.on("connection", (socket: net.Socket) => socket.on("end", () => socket.destroy()))
  return Effect.map(listen(server, options.tls === true ? "https" : "http"), (l) => Object.assign(l, { received }))
}

const loopback = (host: string): string => (host === "localhost" || host === "origin.test" ? "127.0.0.1" : host.replace(/^\[|\]$/g, ""))

/** What a SOCKS5 server received. */
export interface Socks5Request {
  readonly methods: ReadonlyArray<number>
  readonly user?: string
  readonly password?: string
  /** 1 IPv4, 3 domain name, 4 IPv6. */
  readonly atyp: number
  readonly host: string
  readonly port: number
}

export type Socks5Mode = "ok" | "garbage" | "close" | "stall" | { readonly reply: number }

export interface Socks5Server extends Listening {
  readonly received: Array<Socks5Request>
}

/** A SOCKS5 server (CONNECT only); `auth` ("user:pass") requires RFC 1929. Targets are dialled for real. */
export const socks5Server = (
  options: { readonly auth?: string; readonly mode?: Socks5Mode } = {}
): Effect.Effect<Socks5Server, never, Scope.Scope> => {
  const received: Array<Socks5Request> = []
  const handle = (client: net.Socket): void => {
    let buf = Buffer.alloc(0)
    let state: "hello" | "auth" | "request" = "hello"
    let methods: Array<number> = []
    let user: string | undefined
    let password: string | undefined
    const mode = options.mode ?? "ok"
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (mode === "stall") return
      if (mode === "close") return void client.destroy()
      if (mode === "garbage") return void client.end("HTTP/1.1 400 Bad Request\r\n\r\n")
      if (state === "hello") {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return
        methods = [...buf.subarray(2, 2 + buf[1]!)]
        buf = buf.subarray(2 + buf[1]!)
        const want = options.auth === undefined ? 0 : 2
        if (!methods.includes(want)) return void client.end(Buffer.from([5, 0xff]))
        client.write(Buffer.from([5, want]))
        state = want === 2 ? "auth" : "request"
      }
      if (state === "auth") {
        if (buf.length < 2 || buf.length < 3 + buf[1]! || buf.length < 3 + buf[1]! + buf[2 + buf[1]!]!) return
        const ulen = buf[1]!
        const plen = buf[2 + ulen]!
        user = buf.subarray(2, 2 + ulen).toString("utf8")
        password = buf.subarray(3 + ulen, 3 + ulen + plen).toString("utf8")
        buf = buf.subarray(3 + ulen + plen)
        if (`${user}:${password}` !== options.auth) return void client.end(Buffer.from([1, 1]))
        client.write(Buffer.from([1, 0]))
        state = "request"
      }
      if (state === "request") {
        if (buf.length < 5) return
        const atyp = buf[3]!
        const len = atyp === 1 ? 10 : atyp === 4 ? 22 : 7 + buf[4]!
        if (buf.length < len) return
        const addr = buf.subarray(4, len - 2)
        const host = atyp === 1
          ? [...addr].join(".")
          : atyp === 4
          ? Array.from({ length: 8 }, (_, i) => addr.readUInt16BE(2 * i).toString(16)).join(":")
          : addr.subarray(1).toString("utf8")
        const port = buf.readUInt16BE(len - 2)
        const rest = buf.subarray(len)
        client.removeListener("data", onData)
        received.push({ methods, ...(user !== undefined ? { user, password } : {}), atyp, host, port } as Socks5Request)
        if (typeof mode === "object") return void client.end(Buffer.from([5, mode.reply, 0, 1, 0, 0, 0, 0, 0, 0]))
        pipeTo(client, host, port, "", rest, () => client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0])))
      }
    }
    client.on("data", onData)
  }
  return Effect.map(rawServer(handle), (l) => Object.assign(l, { received }))
}
