/**
 * The interop harness checks itself: every peer started by `scripts/peers.sh up` answers on its
 * port with the protocol the env file promises. Only Node's own `node:http`, `node:https`,
 * `node:http2`, `node:tls` and `node:net` are used here, so a failure points at the harness, not
 * at effect-hackney. The client's own interop tests live next to this file.
 */
import { execFile } from "node:child_process"
import { createHash, X509Certificate } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import * as http from "node:http"
import * as http2 from "node:http2"
import * as https from "node:https"
import * as net from "node:net"
import * as tls from "node:tls"
import { describe, expect, it } from "vitest"
import type { PeersEnv } from "./env.js"
import { absent, corePeers, need, peers, required, skipPeer } from "./env.js"

// ---------------------------------------------------------------------------------------- helpers

interface Response {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
  readonly httpVersion: string
  readonly reusedSocket: boolean
}

type RequestOptions = https.RequestOptions & { readonly body?: string | Buffer }

/** One HTTP/1.x request with node:http or node:https; resolves with the whole body. */
const request = (url: string | URL, options: RequestOptions = {}): Promise<Response> =>
  new Promise((resolve, reject) => {
    const { body, ...rest } = options
    const u = new URL(url)
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("error", reject)
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          httpVersion: res.httpVersion,
          reusedSocket: req.reusedSocket
        }))
    }
    const req = u.protocol === "https:"
      ? https.request(u, { timeout: 10_000, ...rest }, onResponse)
      : http.request(u, { timeout: 10_000, ...rest }, onResponse)
    req.on("timeout", () => req.destroy(new Error(`timeout: ${u.href}`)))
    req.on("error", reject)
    req.end(body)
  })

interface H2Response {
  readonly status: number
  readonly headers: http2.IncomingHttpHeaders
  readonly body: Buffer
  readonly alpn: string | false | undefined
  readonly pushed: ReadonlyArray<string>
}

/** One HTTP/2 request on a fresh session (TLS or h2c prior knowledge); records server pushes. */
const h2request = (
  authority: string,
  path: string,
  options: http2.SecureClientSessionOptions = {},
  body?: Buffer
): Promise<H2Response> =>
  new Promise((resolve, reject) => {
    const session = http2.connect(authority, options)
    const timer = setTimeout(() => session.destroy(new Error(`timeout: ${authority}${path}`)), 10_000)
    const pushed: Array<string> = []
    session.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    session.on("stream", (stream, headers) => {
      pushed.push(String(headers[":path"]))
      stream.resume()
    })
    const req = session.request({ ":path": path, ":method": body === undefined ? "GET" : "POST" })
    let status = 0
    let headers: http2.IncomingHttpHeaders = {}
    const chunks: Array<Buffer> = []
    req.on("response", (h) => {
      headers = h
      status = Number(h[":status"])
    })
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("error", reject)
    req.on("end", () => {
      clearTimeout(timer)
      const alpn = session.alpnProtocol
      session.close()
      resolve({ status, headers, body: Buffer.concat(chunks), alpn, pushed })
    })
    req.end(body)
  })

interface TlsInfo {
  readonly authorized: boolean
  readonly authorizationError: string | undefined
  readonly alpn: string | false | null
  readonly cert: tls.PeerCertificate
}

/** A bare TLS handshake; never rejects on verification so the caller can inspect the outcome. */
const handshake = (port: number, options: tls.ConnectionOptions): Promise<TlsInfo> =>
  new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, ...options }, () => {
      const error = socket.authorizationError as Error | string | null
      resolve({
        authorized: socket.authorized,
        authorizationError: error === null ? undefined : typeof error === "string" ? error : (error as NodeJS.ErrnoException).code ?? error.message,
        alpn: socket.alpnProtocol,
        cert: socket.getPeerCertificate()
      })
      socket.end()
    })
    socket.setTimeout(10_000, () => socket.destroy(new Error(`TLS handshake timeout on port ${port}`)))
    socket.on("error", reject)
  })

/** A byte-exact reader over a raw TCP socket (for SOCKS5 and hand-written HTTP). */
class Wire {
  private buffered = Buffer.alloc(0)
  private closed = false
  private wake: (() => void) | undefined
  private constructor(readonly socket: net.Socket) {
    socket.setTimeout(10_000, () => socket.destroy(new Error("wire timeout")))
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      this.wake?.()
    })
    socket.on("close", () => {
      this.closed = true
      this.wake?.()
    })
    socket.on("error", () => undefined)
  }
  static open(port: number, host = "127.0.0.1"): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new Wire(socket)))
      socket.once("error", reject)
    })
  }
  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes)
  }
  private async waitFor(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.closed) return
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = undefined
    }
  }
  async read(n: number): Promise<Buffer> {
    await this.waitFor(() => this.buffered.length >= n)
    if (this.buffered.length < n) throw new Error(`connection closed after ${this.buffered.length} of ${n} bytes`)
    const out = this.buffered.subarray(0, n)
    this.buffered = this.buffered.subarray(n)
    return out
  }
  /** Everything until the peer closes (or `until` appears). */
  async readAll(until?: string): Promise<string> {
    await this.waitFor(() => until !== undefined && this.buffered.includes(until))
    return this.buffered.toString("latin1")
  }
  close(): void {
    this.socket.destroy()
  }
}

const socksGreeting = async (wire: Wire, methods: ReadonlyArray<number>): Promise<number> => {
  wire.write(Uint8Array.from([5, methods.length, ...methods]))
  const reply = await wire.read(2)
  expect(reply[0]).toBe(5)
  return reply[1]!
}

const socksPassword = async (wire: Wire, user: string, pass: string): Promise<number> => {
  wire.write(Buffer.concat([
    Uint8Array.from([1, user.length]), Buffer.from(user), Uint8Array.from([pass.length]), Buffer.from(pass)
  ]))
  const reply = await wire.read(2)
  return reply[1]!
}

/** SOCKS5 CONNECT to 127.0.0.1:<port>; returns the reply code (0 = succeeded). */
const socksConnect = async (wire: Wire, port: number): Promise<number> => {
  wire.write(Uint8Array.from([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]))
  const head = await wire.read(4)
  const addrLength = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await wire.read(1))[0]!
  await wire.read(addrLength + 2)
  return head[1]!
}

const portOf = (url: string): number => Number(new URL(url).port)
const hostPort = (url: string): string => new URL(url).host
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`
const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex")
const tlsOptions = (env: PeersEnv): { ca: Buffer } => ({ ca: readFileSync(env.ca) })

/** HTTP request in absolute form through a forward proxy. */
const viaProxy = (proxyUrl: string, target: string, authorization?: string): Promise<Response> => {
  const proxy = new URL(proxyUrl)
  return request(`http://${proxy.host}`, {
    path: target,
    agent: false,
    headers: { host: new URL(target).host, ...(authorization === undefined ? {} : { "proxy-authorization": authorization }) }
  })
}

/** CONNECT through a forward proxy; resolves with the status and, on 200, the tunnel socket. */
const connectTunnel = (proxyUrl: string, authority: string, authorization?: string) =>
  new Promise<{ status: number; socket: net.Socket }>((resolve, reject) => {
    const proxy = new URL(proxyUrl)
    const req = http.request({
      host: proxy.hostname,
      port: Number(proxy.port),
      method: "CONNECT",
      path: authority,
      // a fresh socket: Node 20's global agent keeps connections alive, and tinyproxy closes them
      agent: false,
      headers: { host: authority, ...(authorization === undefined ? {} : { "proxy-authorization": authorization }) },
      timeout: 10_000
    })
    req.on("connect", (res, socket) => resolve({ status: res.statusCode ?? 0, socket }))
    req.on("response", (res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, socket: res.socket })
    })
    req.on("timeout", () => req.destroy(new Error("CONNECT timeout")))
    req.on("error", reject)
    req.end()
  })

/** TLS with ALPN h2 over an established tunnel to nginx's h2 port; returns the negotiated protocol. */
const tlsOverTunnel = (socket: net.Socket, env: PeersEnv): Promise<{ authorized: boolean; alpn: string | false | null }> =>
  new Promise((resolve, reject) => {
    const s = tls.connect({ socket, servername: "localhost", ALPNProtocols: ["h2", "http/1.1"], ...tlsOptions(env) }, () => {
      resolve({ authorized: s.authorized, alpn: s.alpnProtocol })
      s.destroy()
    })
    s.on("error", reject)
  })

// ---------------------------------------------------------------------------------------- tests

describe("interop environment", () => {
  it.skipIf(peers === undefined && !required)("has the env file, the test CA and every core peer", () => {
    if (peers === undefined) throw new Error(absent("httpbin"))
    const ca = new X509Certificate(readFileSync(peers.ca))
    expect(ca.ca).toBe(true)
    const client = new X509Certificate(readFileSync(peers.clientCert))
    expect(client.checkIssued(ca)).toBe(true)
    expect(client.verify(ca.publicKey)).toBe(true)
    expect(existsSync(peers.clientKey)).toBe(true)
    expect(peers.files.map((f) => f.name)).toEqual(expect.arrayContaining(["1k", "64k", "1m", "10m"]))
    for (const file of peers.files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
    if (required) expect(corePeers.filter((p) => !peers!.up.has(p))).toEqual([])
    if (peers.unavailable.length > 0) console.warn(`[interop] unavailable here: ${peers.unavailable.join("; ")}`)
  })
})

describe.skipIf(skipPeer("httpbin"))("httpbin (gunicorn)", () => {
  const env = () => need("httpbin")

  it("GET /get answers JSON over HTTP/1.1 and keeps the connection alive", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const first = await request(`${env().url("HTTPBIN")}/get?x=1`, { agent })
      expect(first.status).toBe(200)
      expect(first.headers["content-type"]).toBe("application/json")
      const json = JSON.parse(first.body.toString()) as { args: Record<string, string>; url: string }
      expect(json.args).toEqual({ x: "1" })
      expect(json.url).toBe(`${env().url("HTTPBIN")}/get?x=1`)
      const second = await request(`${env().url("HTTPBIN")}/get`, { agent })
      expect(second.status).toBe(200)
      expect(second.reusedSocket).toBe(true)
    } finally {
      agent.destroy()
    }
  })

  it("POST /post accepts a chunked body", async () => {
    const res = await request(`${env().url("HTTPBIN")}/post`, {
      method: "POST",
      headers: { "transfer-encoding": "chunked", "content-type": "text/plain" },
      body: "chunked body"
    })
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body.toString()) as { data: string }).data).toBe("chunked body")
  })

  it("answers on [::1] and on its unix socket", async () => {
    expect((await request(`${env().url("HTTPBIN_IPV6")}/get`)).status).toBe(200)
    const res = await request("http://localhost/status/418", { socketPath: env().url("HTTPBIN_SOCKET") })
    expect(res.status).toBe(418)
  })
})

describe.skipIf(skipPeer("nginx"))("nginx", () => {
  const env = () => need("nginx")

  it("HTTP/1.1 keep-alive: serves every static file with the recorded size and sha256 on one connection", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (const [i, file] of env().files.entries()) {
        if (file.size > 16 * 1024 * 1024) continue // the benchmark-only 100m file
        const res = await request(`${env().url("NGINX_H1")}${file.path}`, { agent })
        expect(res.status).toBe(200)
        expect(res.httpVersion).toBe("1.1")
        expect(res.body.length).toBe(file.size)
        expect(sha256(res.body)).toBe(file.sha256)
        if (i > 0) expect(res.reusedSocket).toBe(true)
      }
    } finally {
      agent.destroy()
    }
  })

  it("answers on [::1]", async () => {
    const res = await request(`http://[::1]:${portOf(env().url("NGINX_H1"))}/echo`)
    expect(res.body.toString()).toBe(`GET /echo HTTP/1.1 [::1]:${portOf(env().url("NGINX_H1"))}\n`)
  })

  it("the upload sink reads the whole body and reports its length", async () => {
    const body = Buffer.alloc(300_000, 7)
    const res = await request(`${env().url("NGINX_H1")}${env().url("NGINX_UPLOAD_PATH")}`, { method: "POST", body })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString())).toEqual({ received: body.length })
    const h2 = await h2request(env().url("NGINX_H2C"), env().url("NGINX_UPLOAD_PATH"), {}, body)
    expect(JSON.parse(h2.body.toString())).toEqual({ received: body.length })
  })

  it("h2c with prior knowledge", async () => {
    const res = await h2request(env().url("NGINX_H2C"), "/echo")
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe(`GET /echo HTTP/2.0 ${hostPort(env().url("NGINX_H2C"))}\n`)
  })

  it("TLS presents a certificate that verifies against the test CA for localhost, 127.0.0.1 and ::1", async () => {
    const port = portOf(env().url("NGINX_TLS"))
    const info = await handshake(port, { servername: "localhost", ...tlsOptions(env()) })
    expect(info.authorized).toBe(true)
    for (const host of ["localhost", "127.0.0.1", "::1"]) expect(tls.checkServerIdentity(host, info.cert)).toBeUndefined()
    expect(tls.checkServerIdentity("wrong.test", info.cert)).toBeInstanceOf(Error)
    const v6 = await handshake(port, { host: "::1", ...tlsOptions(env()) })
    expect(v6.authorized).toBe(true)
  })

  it("TLS without the test CA does not verify", async () => {
    const info = await handshake(portOf(env().url("NGINX_TLS")), { servername: "localhost" })
    expect(info.authorized).toBe(false)
    expect(info.authorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE")
  })

  it("ALPN: h2 on the h2 port, http/1.1 on the h1-only port", async () => {
    const alpn = { servername: "localhost", ALPNProtocols: ["h2", "http/1.1"], ...tlsOptions(env()) }
    expect((await handshake(portOf(env().url("NGINX_TLS")), alpn)).alpn).toBe("h2")
    expect((await handshake(portOf(env().url("NGINX_TLS_H1")), alpn)).alpn).toBe("http/1.1")
    const h2 = await h2request(env().url("NGINX_TLS"), "/hello", tlsOptions(env()))
    expect(h2.alpn).toBe("h2")
    expect(h2.body.toString()).toBe("hello\n")
    const h1 = await request(`${env().url("NGINX_TLS_H1")}/echo`, tlsOptions(env()))
    expect(h1.body.toString()).toBe(`GET /echo HTTP/1.1 ${hostPort(env().url("NGINX_TLS_H1"))}\n`)
  })

  it("mTLS rejects a client without a certificate and accepts the test client certificate", async () => {
    const url = env().url("NGINX_MTLS")
    const without = await request(`${url}/hello`, tlsOptions(env()))
    expect(without.status).toBe(400)
    expect(without.body.toString()).toContain("No required SSL certificate was sent")
    const cert = readFileSync(env().clientCert)
    const key = readFileSync(env().clientKey)
    const withCert = await h2request(url, "/hello", { ...tlsOptions(env()), cert, key })
    expect(withCert.status).toBe(200)
    expect(withCert.alpn).toBe("h2")
  })

  it("proxies /httpbin/ to httpbin", async () => {
    const res = await request(`${env().url("NGINX_H1")}/httpbin/get`)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString())).toHaveProperty("url")
  })
})

// squid and tinyproxy: open and Basic-auth ports, absolute-form GET and CONNECT
for (const proxy of ["squid", "tinyproxy"] as const) {
  const key = proxy.toUpperCase()
  describe.skipIf(skipPeer(proxy) || skipPeer("nginx"))(`${proxy} forward proxy`, () => {
    const env = () => need(proxy)
    const target = () => `${need("nginx").url("NGINX_H1")}/hello`
    const tlsAuthority = () => hostPort(need("nginx").url("NGINX_TLS"))
    const creds = () => basic(env().url("PROXY_USER"), env().url("PROXY_PASS"))

    it("open port: forwards a GET in absolute form", async () => {
      const res = await viaProxy(env().url(key), target())
      expect(res.status).toBe(200)
      expect(res.body.toString()).toBe("hello\n")
      expect(String(res.headers.via)).toContain(proxy === "squid" ? "squid" : "tinyproxy")
    })

    it("open port: CONNECT tunnels TLS with ALPN h2", async () => {
      const tunnel = await connectTunnel(env().url(key), tlsAuthority())
      expect(tunnel.status).toBe(200)
      expect(await tlsOverTunnel(tunnel.socket, env())).toEqual({ authorized: true, alpn: "h2" })
    })

    it("auth port: 407 with a Basic challenge without credentials", async () => {
      const res = await viaProxy(env().url(`${key}_AUTH_NOCREDS`), target())
      expect(res.status).toBe(407)
      expect(String(res.headers["proxy-authenticate"])).toMatch(/^Basic realm=/)
      const tunnel = await connectTunnel(env().url(`${key}_AUTH_NOCREDS`), tlsAuthority())
      expect(tunnel.status).toBe(407)
      tunnel.socket.destroy()
    })

    it("auth port: forwards GET and CONNECT with credentials", async () => {
      const res = await viaProxy(env().url(`${key}_AUTH_NOCREDS`), target(), creds())
      expect(res.status).toBe(200)
      const tunnel = await connectTunnel(env().url(`${key}_AUTH_NOCREDS`), tlsAuthority(), creds())
      expect(tunnel.status).toBe(200)
      expect(await tlsOverTunnel(tunnel.socket, env())).toEqual({ authorized: true, alpn: "h2" })
    })

    it("refuses a destination outside loopback (403, nothing leaves the machine)", async () => {
      // 192.0.2.1 is TEST-NET-1; both proxies deny it by their ACL/filter before connecting
      const res = await viaProxy(env().url(key), "http://192.0.2.1/")
      expect(res.status).toBe(403)
    })
  })
}

describe.skipIf(skipPeer("dante") || skipPeer("nginx"))("dante (SOCKS5, no auth)", () => {
  it("greets with method 0 and CONNECTs to nginx", async () => {
    const wire = await Wire.open(portOf(need("dante").url("DANTE")))
    try {
      expect(await socksGreeting(wire, [0])).toBe(0)
      const port = portOf(need("nginx").url("NGINX_H1"))
      expect(await socksConnect(wire, port)).toBe(0)
      wire.write(`GET /hello HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)
      const text = await wire.readAll()
      expect(text).toMatch(/^HTTP\/1\.1 200 /)
      expect(text.endsWith("hello\n")).toBe(true)
    } finally {
      wire.close()
    }
  })
})

describe.skipIf(skipPeer("microsocks") || skipPeer("nginx"))("microsocks (SOCKS5)", () => {
  const env = () => need("microsocks")

  it("open port: greets with method 0 and CONNECTs", async () => {
    const wire = await Wire.open(portOf(env().url("MICROSOCKS")))
    try {
      expect(await socksGreeting(wire, [0])).toBe(0)
      expect(await socksConnect(wire, portOf(need("nginx").url("NGINX_H1")))).toBe(0)
    } finally {
      wire.close()
    }
  })

  it("auth port: refuses 'no auth' (0xFF), rejects a bad password, accepts the right one", async () => {
    const port = portOf(env().url("MICROSOCKS_AUTH"))
    const noAuth = await Wire.open(port)
    try {
      expect(await socksGreeting(noAuth, [0])).toBe(0xff)
    } finally {
      noAuth.close()
    }
    const bad = await Wire.open(port)
    try {
      expect(await socksGreeting(bad, [0, 2])).toBe(2)
      expect(await socksPassword(bad, env().url("SOCKS_USER"), "wrong")).not.toBe(0)
    } finally {
      bad.close()
    }
    const good = await Wire.open(port)
    try {
      expect(await socksGreeting(good, [0, 2])).toBe(2)
      expect(await socksPassword(good, env().url("SOCKS_USER"), env().url("SOCKS_PASS"))).toBe(0)
      expect(await socksConnect(good, portOf(need("nginx").url("NGINX_H1")))).toBe(0)
    } finally {
      good.close()
    }
  })
})

describe.skipIf(skipPeer("caddy"))("caddy (HTTP/3 peer)", () => {
  const env = () => need("caddy")
  const hasGtlsclient = existsSync("/usr/bin/gtlsclient")

  it("TLS h2 answers and advertises h3 on the same port via Alt-Svc", async () => {
    const url = env().url("CADDY_TLS")
    const res = await h2request(url, "/hello", tlsOptions(env()))
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe("hello HTTP/2.0")
    expect(String(res.headers["alt-svc"])).toContain(`h3=":${portOf(url)}"`)
  })

  it("cleartext port: h2c prior knowledge and h2c Upgrade", async () => {
    const url = env().url("CADDY_H2C")
    expect((await h2request(url, "/")).body.toString()).toBe("caddy HTTP/2.0")
    const wire = await Wire.open(portOf(url))
    try {
      wire.write(`GET / HTTP/1.1\r\nHost: ${hostPort(url)}\r\nConnection: Upgrade, HTTP2-Settings\r\n` +
        "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
      expect(await wire.readAll("\r\n\r\n")).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/)
    } finally {
      wire.close()
    }
  })

  it.skipIf(!hasGtlsclient)("speaks HTTP/3 over QUIC (checked with ngtcp2's gtlsclient)", async () => {
    const port = portOf(env().url("CADDY_TLS"))
    const out = await new Promise<string>((resolve) => {
      execFile("/usr/bin/gtlsclient", ["--exit-on-all-streams-close", "--no-quic-dump",
        "localhost", String(port), `https://localhost:${port}/hello`], { timeout: 10_000 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`))
    })
    expect(out).toContain("hello HTTP/3.0")
  })
})

describe.skipIf(skipPeer("nghttpd"))("nghttpd (HTTP/2 server push)", () => {
  const env = () => need("nghttpd")

  it("TLS: negotiates h2 and pushes /style.css and /app.js with /index.html", async () => {
    const res = await h2request(env().url("NGHTTPD_TLS"), "/index.html", tlsOptions(env()))
    expect(res.status).toBe(200)
    expect(res.alpn).toBe("h2")
    expect([...res.pushed].sort()).toEqual(["/app.js", "/style.css"])
  })

  it("h2c: pushes too", async () => {
    const res = await h2request(env().url("NGHTTPD_H2C"), "/index.html")
    expect(res.status).toBe(200)
    expect([...res.pushed].sort()).toEqual(["/app.js", "/style.css"])
  })
})
