/**
 * In-process proxies for tests, on 127.0.0.1 port 0: an HTTP proxy (CONNECT
 * tunnels and absolute-form forwarding) and a SOCKS5 server (RFC 1928/1929).
 * Each records what it received and can misbehave on request. The names
 * `localhost` and `origin.test` reach 127.0.0.1.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import * as net from "node:net"
import type { Listening } from "./servers.js"
import { onRequestHead, rawServer } from "./servers.js"

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
  const upstream = net.connect({ host: host === "localhost" || host === "origin.test" ? "127.0.0.1" : host, port })
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

const parseHead = (head: string): ProxiedRequest => {
  const lines = head.split("\r\n")
  const [method = "", target = ""] = lines[0]!.split(" ")
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { method, target, headers }
}

const splitAuthority = (a: string): [string, number] => {
  const colon = a.lastIndexOf(":")
  const host = a.slice(0, colon).replace(/^\[|\]$/g, "")
  return [host, Number(a.slice(colon + 1))]
}

/**
 * An HTTP proxy: CONNECT opens a tunnel; an absolute-form request is
 * forwarded (rewritten to origin-form, `Proxy-Authorization` dropped) over
 * a connection per proxied connection. `auth` ("user:pass") requires Basic
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
  const handle = (client: net.Socket): void =>
    onRequestHead(client, (head, rest) => {
      const req = parseHead(head)
      received.push(req)
      const mode = options.mode ?? "ok"
      if (mode === "stall") return
      if (mode === "close") return void client.destroy()
      if (mode === "garbage") return void client.end("SSH-2.0-OpenSSH\r\n\r\n")
      if (typeof mode === "object") {
        return void client.end(`HTTP/1.1 ${mode.status} Nope\r\ncontent-length: 4\r\n\r\nnope`)
      }
      if (expected !== undefined && req.headers["proxy-authorization"] !== undefined && req.headers["proxy-authorization"] !== expected && options.wrongAuth401 === true) {
        return void client.end(`HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="tiny"\r\n\r\n`)
      }
      if (expected !== undefined && req.headers["proxy-authorization"] !== expected) {
        return void client.end(
          `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n`
        )
      }
      if (req.method === "CONNECT") {
        const [host, port] = splitAuthority(req.target)
        return pipeTo(client, host, port, "", rest, () => client.write("HTTP/1.1 200 Connection established\r\n\r\n"))
      }
      const url = new URL(req.target)
      const lines = head.split("\r\n").filter((l) => l !== "" && !/^proxy-authorization:/i.test(l))
      lines[0] = `${req.method} ${url.pathname}${url.search} HTTP/1.1`
      // One origin per proxied connection (enough for tests); the head is re-sent as origin-form.
      const forwarded = lines.join("\r\n") + "\r\n\r\n"
      pipeTo(client, url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 80), forwarded, rest)
    })
  return Effect.map(rawServer(handle, { tls: options.tls ?? false }), (l) => Object.assign(l, { received }))
}

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
