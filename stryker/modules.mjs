/**
 * The modules `npm run mutation` scores: what each mutates and the test
 * files that are its own (only those run against its mutants). Shared by
 * the Stryker config (stryker/config.mjs) and scripts/mutation.mjs. `timeoutMS`
 * (default 10 s): how long past its tests' own time a mutant runs before it
 * counts as timed out (a hang).
 */
import { readFileSync } from "node:fs"

/**
 * `file:a-b`, the lines from the one containing `from` to the one before the
 * one containing `to` (found by text, so the range follows edits of the file);
 * `from` "\u0000": from the start of the file; `to` "\u0000": to the end of the file.
 */
const region = (file, from, to) => {
  const lines = readFileSync(new URL(`../${file}`, import.meta.url), "utf8").split("\n")
  const a = from === "\u0000" ? 0 : lines.findIndex((l) => l.includes(from))
  const found = lines.findIndex((l, i) => i > a && l.includes(to))
  const b = found < 0 && to === "\u0000" ? lines.length : found
  if (a < 0 || b < 0) throw new Error(`stryker/modules.mjs: ${JSON.stringify(from)} … ${JSON.stringify(to)} not found in ${file}`)
  return `${file}:${a + 1}-${b}`
}

const parser = "src/internal/http1/parser.ts"
const clientRedirect = "src/internal/client/redirect.ts"
const exchange = "src/internal/engine/exchange.ts"
const hackney = "src/Hackney.ts"

export const modules = {
  // The parser's line, header-field and framing logic (where the survivors were); the byte
  // scanners and start-line parsing around them are covered by the conformance corpus and property tests.
  parser: {
    mutate: [
      region(parser, "Checks the length of a (partial) line", "#startLine(b: Uint8Array"),
      region(parser, "A header or trailer field line", "Collects sink calls")
    ],
    tests: ["test/Http1.test.ts", "test/Http1.lenient.test.ts", "test/Http1.property.test.ts"]
  },
  "pool-state": {
    mutate: ["src/internal/pool/state.ts"],
    tests: ["test/PoolState.test.ts"]
  },
  // The redirect rules: the engine's decision and loop, and Hackney's hop (nextHop) and drain. The
  // interceptor's wiring between them (`redirects`) is exercised by the server tests of
  // test/Redirect*.test.ts, too slow to run once per mutant on a shared 2-core machine.
  redirect: {
    mutate: [
      "src/internal/engine/redirect.ts",
      region(clientRedirect, "Whether a body can be sent again", "A followed redirect: what the response records"),
      region(clientRedirect, "Reads up to {@link drainLimit}", "\u0000")
    ],
    tests: ["test/Redirect.rules.test.ts", "test/Engine.test.ts"]
  },
  // The pool service (waiters, checkout timeout, dial, close): its mock-dial tests, the pool's server
  // tests and the metered/logged/traced checkouts (Pool.stress.test.ts is left out: too slow per mutant).
  pool: {
    mutate: ["src/internal/pool/pool.ts"],
    tests: ["test/PoolService.test.ts", "test/Pool.test.ts", "test/Observability.test.ts"]
  },
  // The HTTP/1 connection and its exchange (request write, response read, body modes, reuse), with the
  // driver's own tests over the in-memory transport (H1Connection.mock.test.ts: milliseconds per mutant)
  // and the contract tests over a loopback socket. The server tests through the whole client
  // (Hackney*.test.ts) cost seconds per mutant: they are left out.
  "h1-connection": {
    mutate: ["src/internal/connection/h1Connection.ts", "src/internal/connection/exchange.ts"],
    tests: ["test/H1Connection.mock.test.ts", "test/Exchange.test.ts", "test/Connection.test.ts"],
    timeoutMS: 3000
  },
  // The HTTP/2 driver: the session (capacity, GOAWAY, a dead session's errors, the silent-stop watch), its
  // streams (events to the exchange, body framing, trailers, flow control, per-stream recv timeout) and the
  // request head. Its own tests run over an in-memory node:http2 session (H2Connection.mock.test.ts) and, for
  // the session's opening, a frame-level peer; the server tests (Http2*.test.ts) cost seconds per mutant.
  h2: {
    mutate: [
      "src/internal/connection/h2Connection.ts",
      "src/internal/connection/h2Stream.ts",
      "src/internal/connection/h2Request.ts",
      "src/internal/connection/streamBody.ts"
    ],
    tests: ["test/H2Connection.mock.test.ts", "test/H2Stream.mock.test.ts", "test/H2Connection.open.test.ts", "test/H2Request.test.ts"],
    timeoutMS: 3000
  },
  // Multipart bodies, decoding: the sans-IO decoder, Content-Disposition and the Stream glue of the decoder,
  // with the tests that call them without a server (Multipart.hackney.test.ts runs them over servers). The
  // encoder is `multipart-encode` (the two together, ~1,140 mutants, did not end within an hour here).
  multipart: {
    mutate: [
      "src/internal/multipart/decoder.ts", "src/internal/multipart/disposition.ts", "src/internal/node/multipartDecode.ts"
    ],
    tests: ["test/Multipart.decode.test.ts", "test/MultipartEncode.test.ts"],
    timeoutMS: 3000
  },
  // The deadlines of the request path on Effect's Clock.
  "timer-wheel": {
    mutate: ["src/internal/timer/wheel.ts"],
    tests: ["test/TimerWheel.test.ts", "test/Clock.test.ts"]
  },
  // The rest of the HTTP/1 parser, with `parser` the whole file, in three regions that each run in well under
  // an hour here (one run of the whole file, ~1,660 mutants, took ~2 h on the shared machine).
  // The parser's life and input loop: options, limits, execute/finish, the byte loop, the line buffer, `push`'s collector.
  "parser-feed": {
    mutate: [
      region(parser, "\u0000", "Fails as soon as a partial line"),
      region(parser, "Collects sink calls", "\u0000")
    ],
    tests: [
      "test/Http1.test.ts", "test/Http1.lenient.test.ts", "test/Http1.property.test.ts", "test/Http1.feed.test.ts",
      "test/Http1.prefix.test.ts"
    ]
  },
  // The checks of a partial line (no LF yet): bare CR, field-name bytes, start-line and chunk-size prefixes.
  "parser-prefix": {
    mutate: [region(parser, "Fails as soon as a partial line", "Checks the length of a (partial) line")],
    tests: ["test/Http1.test.ts", "test/Http1.lenient.test.ts", "test/Http1.property.test.ts", "test/Http1.prefix.test.ts"]
  },
  // The start line: auto mode, status line, version, request line.
  "parser-start": {
    mutate: [region(parser, "#startLine(b: Uint8Array", "A header or trailer field line")],
    tests: [
      "test/Http1.test.ts", "test/Http1.lenient.test.ts", "test/Http1.property.test.ts", "test/Http1.feed.test.ts",
      "test/Http1.prefix.test.ts", "test/Http1.startLine.test.ts"
    ]
  },
  // The request encoder (head checks and encoding, chunk lines), with its direct tests and the parser round trip.
  "http1-encoder": {
    mutate: ["src/internal/http1/encoder.ts"],
    tests: ["test/Http1.encoder.test.ts", "test/Http1.test.ts"]
  },
  // Body framing values (Content-Length, Transfer-Encoding, chunk-size lines) and the keep-alive rule.
  "http1-framing": {
    mutate: ["src/internal/http1/framing.ts", "src/internal/http1/keepAlive.ts"],
    tests: ["test/Http1.framing.test.ts", "test/Http1.test.ts"]
  },
  // The byte tables, latin1 decoding and the string cache; the parse error's message; the default limits; the
  // per-message objects made without an allocation site (young.ts).
  "http1-bytes": {
    mutate: [
      "src/internal/http1/bytes.ts", "src/internal/http1/error.ts", "src/internal/http1/types.ts",
      "src/internal/http1/young.ts"
    ],
    tests: ["test/Http1.bytes.test.ts", "test/Http1.test.ts"]
  },
  // Retrying a request on the user's Schedule, and the engine's one resend after the stale keep-alive race.
  retry: {
    mutate: [
      "src/internal/client/retry.ts",
      region(exchange, "A request the server did not process", "Checks a connection out for"),
      region(exchange, "Runs `first` (on a pooled connection)", "\u0000")
    ],
    tests: ["test/Retry.test.ts", "test/Engine.test.ts"]
  },
  // The redirect interceptor's wiring (`redirects`: the loop's callbacks, the guard under later hops) and the
  // opt-in SSRF guard with its address classification.
  "redirect-wiring": {
    mutate: [
      region(clientRedirect, "A followed redirect: what the response records", "Reads up to {@link drainLimit}"),
      "src/internal/engine/redirectGuard.ts",
      "src/internal/node/privateAddress.ts"
    ],
    tests: ["test/RedirectGuard.test.ts", "test/Redirect.test.ts", "test/Redirect.location.test.ts"]
  },
  // Which proxy a dial goes through: the proxy environment, NO_PROXY, proxy URLs, target addresses, refusals,
  // and the spec's proxy (proxySpec.ts). The unit tests only: test/Proxy.dial.test.ts (the dial plan, over
  // servers) costs seconds per mutant here.
  proxy: {
    mutate: ["src/internal/proxy/*.ts", "src/internal/pool/proxySpec.ts"],
    tests: ["test/ProxyEnv.test.ts", "test/ProxySpec.test.ts"]
  },
  // A request's preparation: the head, the body's headers, credentials, the URL checks, the query option,
  // with Prepare.test.ts, which calls them directly (test/RequestUrl.test.ts checks the same at every entry
  // point over servers: seconds per mutant here).
  "request-prep": {
    mutate: ["src/internal/client/prepare.ts", "src/internal/client/requestUrl.ts", "src/internal/client/query.ts"],
    tests: ["test/Prepare.test.ts"]
  },
  // The request options' validation: the rules and the request options' table, with their direct tests
  // (Options.rules.test.ts, in memory) and the entry points' checks over a server (Options.test.ts).
  options: {
    mutate: ["src/internal/options/rules.ts", "src/internal/client/options.ts"],
    tests: ["test/Options.rules.test.ts", "test/Options.test.ts"]
  },
  decompress: {
    mutate: ["src/internal/node/decompress.ts"],
    tests: ["test/Decompress.test.ts", "test/Decompress.zstd.test.ts"]
  },
  // The cookie jar: its pure core (storage, matching, eviction) and the public module's wiring.
  cookies: {
    mutate: ["src/CookieJar.ts", "src/internal/cookie/jar.ts"],
    tests: ["test/CookieJar.rules.test.ts", "test/CookieJar.test.ts", "test/Cookie.test.ts"]
  },
  // The response-head limits (request over pool), the 1xx bound, the parser's reasons as ProtocolErrors and the
  // body-backpressure wait, called directly (ConnectionHead.test.ts; milliseconds per mutant). The drivers' tests
  // that use them (H1Connection.mock, H2Stream.mock) took ~10 s a mutant on the shared machine: left out.
  "connection-head": {
    mutate: [
      "src/internal/connection/headLimits.ts", "src/internal/connection/informational.ts",
      "src/internal/connection/protocolError.ts", "src/internal/connection/drain.ts"
    ],
    tests: ["test/ConnectionHead.test.ts", "test/HackneyError.reasons.test.ts"],
    timeoutMS: 3000
  },
  // Dialing a connection: the protocol choice (ALPN, h2c prior knowledge), the dial itself (its span and logs), the
  // fallback race, the forward proxy's head and refusal, the socket info, the driver choice, `Expect: 100-continue`;
  // direct tests, over loopback servers where the dial needs one (tens of ms each).
  "connection-dial": {
    mutate: [
      "src/internal/connection/dial.ts", "src/internal/connection/fallbackRace.ts", "src/internal/connection/protocols.ts",
      "src/internal/connection/forwardProxy.ts", "src/internal/connection/socketInfo.ts",
      "src/internal/connection/driver.ts", "src/internal/connection/connection.ts"
    ],
    tests: [
      "test/ConnectionDial.test.ts", "test/FallbackRace.test.ts", "test/Protocols.test.ts", "test/Connection.test.ts"
    ],
    timeoutMS: 3000
  },
  // The Node socket: the transport over a net.Socket, the TCP dial (happy eyeballs), the in-memory duplex, file
  // bodies and multipart bodies from files.
  "node-socket": {
    mutate: [
      "src/internal/node/socket.ts", "src/internal/node/tcp.ts", "src/internal/transport/duplex.ts",
      "src/internal/node/file.ts", "src/internal/node/multipartBody.ts"
    ],
    tests: ["test/NodeSocket.test.ts", "test/Dial.test.ts", "test/Transport.test.ts", "test/Proxy.dial.test.ts", "test/MultipartEncode.test.ts"]
  },
  // TLS: the TLS dial (options, session reuse, ALPN) and the certificate check.
  "node-tls": {
    mutate: ["src/internal/node/tls.ts", "src/internal/node/certVerify.ts"],
    tests: ["test/NodeTls.test.ts", "test/Dial.test.ts", "test/Transport.test.ts"],
    timeoutMS: 3000
  },
  // The proxy handshakes: SOCKS5, HTTP CONNECT and the handshake runner they share, byte by byte over an in-memory
  // socket (NodeTunnel.test.ts); test/Proxy.dial.test.ts runs them through the dial over in-process proxies (seconds).
  "node-tunnel": {
    mutate: ["src/internal/node/socks5.ts", "src/internal/node/httpTunnel.ts", "src/internal/node/handshake.ts"],
    tests: ["test/NodeTunnel.test.ts"],
    timeoutMS: 3000
  },
  // The engine's interceptor composition, connection sources (direct, unknown pool, the pool choice) and the
  // exchange steps the `retry` module does not score (sendStream, checkout, begin, takesIdle), with the
  // in-memory tests of the engine and of the whole client over a mock transport (no server).
  engine: {
    mutate: [
      "src/internal/engine/dispatch.ts",
      "src/internal/engine/source.ts",
      region(exchange, "\u0000", "A request the server did not process"),
      region(exchange, "Checks a connection out for", "Runs `first` (on a pooled connection)")
    ],
    tests: ["test/Engine.test.ts", "test/Dispatch.test.ts", "test/Engine.exchange.test.ts"],
    timeoutMS: 3000
  },
  // The client's smaller request-path modules: the shorthands (query, json, timeout) and their deadline, a client
  // with defaults, Hackney.connect's connection and target, JSON bodies both ways, response header reads, the
  // context's pool and jar, the options open/connect refuse, the progress options.
  "client-misc": {
    mutate: [
      "src/internal/client/shorthands.ts",
      "src/internal/client/defaults.ts",
      "src/internal/client/connection.ts",
      "src/internal/client/connectTarget.ts",
      "src/internal/client/deadline.ts",
      "src/internal/client/json.ts",
      "src/internal/client/jsonBody.ts",
      "src/internal/client/responseHeaders.ts",
      "src/internal/client/context.ts",
      "src/internal/client/singleExchange.ts",
      "src/internal/client/progress.ts"
    ],
    tests: ["test/Client.misc.test.ts", "test/Client.dispatch.test.ts", "test/Hackney.connect.test.ts"],
    timeoutMS: 5000
  },
  // The feature path: the interceptors (cookies, attempt deadline, retry policy, decompression, their order and
  // memoisation), the pipeline around them, and user middleware.
  "client-dispatch": {
    mutate: ["src/internal/client/dispatch.ts", "src/internal/client/pipeline.ts", "src/internal/client/middleware.ts"],
    tests: ["test/Client.dispatch.test.ts", "test/Dispatch.test.ts", "test/Middleware.test.ts"],
    timeoutMS: 5000
  },
  // The bare path: one-shot, streaming and the request writer, their response classes, the stale-connection resend.
  "client-execute": {
    mutate: ["src/internal/client/execute.ts"],
    tests: [
      "test/Client.execute.test.ts", "test/Hackney.open.test.ts", "test/Hackney.bodyErrors.test.ts",
      "test/Hackney.informational.test.ts"
    ],
    timeoutMS: 5000
  },
  // Metrics and spans of the bare and feature paths.
  "client-observe": {
    mutate: ["src/internal/client/observe.ts"],
    tests: ["test/Observe.client.test.ts", "test/Observability.test.ts"],
    timeoutMS: 5000
  },
  // The pool's other modules: the Alt-Svc cache and the dial that races QUIC to an alternative, the dial spec and
  // pool keys, the pool options' resolution, the pool put together and the registry of named pools. Their own
  // tests, in memory or over a mock dial (Pool.test.ts, Options.test.ts and Prepare.test.ts reach the dial spec
  // through every request: seconds per mutant here, as every one of their tests covers it).
  "pool-misc": {
    mutate: [
      "src/internal/pool/altSvcCache.ts", "src/internal/pool/altSvcDial.ts", "src/internal/pool/config.ts",
      "src/internal/pool/dialSpec.ts", "src/internal/pool/make.ts", "src/internal/pool/registry.ts"
    ],
    tests: [
      "test/AltSvc.test.ts", "test/AltSvc.record.test.ts", "test/AltSvc.dial.test.ts", "test/PoolService.test.ts",
      "test/DialSpec.test.ts", "test/PoolRegistry.test.ts"
    ],
    timeoutMS: 3000
  },
  // The HTTP/3 driver: the connection (critical streams, stream credit and its queue, GOAWAY, close), its request
  // streams (request write, response read with the sans-IO core, flow control, recv timeout), the peer's
  // unidirectional streams and the errors. Its own tests over an in-memory QUIC double (test/support/quicDouble.ts).
  "h3-driver": {
    mutate: [
      "src/internal/connection/h3Connection.ts", "src/internal/connection/h3Stream.ts",
      "src/internal/connection/h3PeerStreams.ts", "src/internal/connection/h3Errors.ts"
    ],
    tests: ["test/Http3.driver.test.ts", "test/Http3.connection.test.ts"],
    timeoutMS: 3000
  },
  // QUIC under the HTTP/3 driver: the dial (@matrixai/quic, verification, errors), the session adapter and the
  // HTTP/3 dial (timeout, proxy refusal), with the dial's tests (over a stand-in of the library's client, then an
  // in-process QUIC server) and the GOAWAY test.
  quic: {
    mutate: ["src/internal/node/quic.ts", "src/internal/node/quicSession.ts", "src/internal/connection/dialH3.ts"],
    tests: ["test/Quic.session.test.ts", "test/Quic.library.test.ts", "test/Quic.dial.test.ts", "test/Http3.dial.test.ts", "test/Http3.goaway.test.ts"],
    timeoutMS: 5000
  },
  // Observability: the metric series and their label table, the pool's meter, the request meter, the client span
  // and its traceparent, the Debug switch, progress and the request features, with their direct tests
  // (Observability.test.ts and Progress.test.ts check the same through requests over servers: seconds per mutant).
  observe: {
    mutate: ["src/internal/observe/*.ts"],
    tests: ["test/Observe.unit.test.ts", "test/Observe.metrics.test.ts"],
    timeoutMS: 3000
  },
  // The sans-IO HTTP/3 core: varints, frames and their reader, QPACK (static table only) with Huffman, the QPACK
  // streams, the message checks and the Alt-Svc parser, with their direct tests (property tests included).
  "http3-codec": {
    mutate: ["src/internal/http3/*.ts"],
    tests: ["test/Http3.frames.test.ts", "test/Http3.qpack.test.ts", "test/Http3.message.test.ts", "test/AltSvc.test.ts", "test/Http3.codec.test.ts", "test/Http3.staticTable.test.ts"],
    timeoutMS: 3000
  },
  // Multipart bodies, encoding: parts, boundaries, exact lengths, FormData (the rest of `multipart`).
  "multipart-encode": {
    mutate: ["src/internal/multipart/encode.ts"],
    tests: ["test/MultipartEncode.test.ts", "test/Multipart.decode.test.ts"],
    timeoutMS: 3000
  },
  // The public L3 modules' own logic (option and argument checks, wiring; their types and JSDoc have no mutant):
  // Pool (make, layerConfig, stats, prewarm's arguments), Middleware (logging, bearerToken, redact), Progress,
  // Observability, HackneyClient, Multipart, with their own tests and the in-memory client tests.
  "public-l3": {
    mutate: ["src/Pool.ts", "src/Middleware.ts", "src/Progress.ts", "src/Observability.ts", "src/HackneyClient.ts", "src/Multipart.ts"],
    tests: [
      "test/Public.l3.test.ts", "test/PoolRegistry.test.ts", "test/Pool.test.ts", "test/Middleware.test.ts", "test/Progress.test.ts",
      "test/HackneyClient.test.ts", "test/Client.misc.test.ts"
    ],
    timeoutMS: 3000
  },
  // Hackney.ts's logic (1,000 lines, mostly JSDoc and types): request, the verbs, stream, open, connect and the layers,
  // with the in-memory client tests (test/support/memoryPool.ts) and the few server tests of open and connect.
  "public-hackney": {
    mutate: [
      // Anchored on JSDoc text: Stryker's sandbox copy of the file is instrumented, its comments kept.
      region(hackney, "Sends a request and returns the response with its whole body", "The errors of decoding a response's body"),
      region(hackney, "Opens a request whose body the caller writes piece by piece", "Where {@link connect} connects"),
      region(hackney, "The default pool (`\"default\"`, hackney's defaults) as a Layer", "\u0000")
    ],
    tests: [
      "test/Public.hackney.test.ts", "test/Client.misc.test.ts", "test/Client.dispatch.test.ts", "test/Client.execute.test.ts",
      "test/Hackney.open.test.ts", "test/Hackney.connect.test.ts"
    ],
    timeoutMS: 3000
  },
  // The @effect/platform HttpClient adapter, in three modules that share its in-memory tests (the whole client over
  // test/support/memoryPool.ts: milliseconds per mutant); the adapter's server tests (HackneyHttpClient.test.ts,
  // .options, .middleware: TLS, lookup, family, localAddress, platform suites) cost seconds per mutant and are left out.
  // The request side: the outgoing request from the platform's request and URL (origin/URL caches, headers,
  // userinfo, bodies), the options it takes and refuses, the errors.
  "httpclient-request": {
    mutate: ["src/internal/httpclient/request.ts", "src/internal/httpclient/options.ts", "src/internal/httpclient/error.ts"],
    tests: [
      "test/HackneyHttpClient.memory.test.ts", "test/HackneyHttpClient.response.test.ts", "test/HackneyHttpClient.client.test.ts"
    ],
    timeoutMS: 3000
  },
  // The adapter's response side: the exchange (lease, idle fast path, stale resend, metered send) and the response
  // (headers, in-memory or streamed bodies, limits, decoding).
  "httpclient-response": {
    mutate: ["src/internal/httpclient/response.ts", "src/internal/httpclient/exchange.ts"],
    tests: [
      "test/HackneyHttpClient.memory.test.ts", "test/HackneyHttpClient.response.test.ts", "test/HackneyHttpClient.client.test.ts"
    ],
    timeoutMS: 3000
  },
  // The adapter's client and combinators: the client and layers, the cookie jar combinator, a pool's middleware,
  // hackney's redirect policy, and the public module's dual wiring.
  "httpclient-client": {
    mutate: [
      "src/internal/httpclient/client.ts", "src/internal/httpclient/cookies.ts", "src/internal/httpclient/middleware.ts",
      "src/internal/httpclient/redirect.ts", "src/HackneyHttpClient.ts"
    ],
    tests: [
      "test/HackneyHttpClient.memory.test.ts", "test/HackneyHttpClient.response.test.ts", "test/HackneyHttpClient.client.test.ts"
    ],
    timeoutMS: 3000
  }
}
