/**
 * Equivalent mutants of the connection's dial side and the Node transport
 * (internal/connection/* outside the drivers, internal/node/* sockets, TLS,
 * tunnels): no test can tell them from the original; each has its reason.
 * Spread into stryker/equivalent.mjs.
 */
const handshake = "src/internal/node/handshake.ts"
const httpTunnel = "src/internal/node/httpTunnel.ts"
const socks5 = "src/internal/node/socks5.ts"
const dial = "src/internal/connection/dial.ts"
const connection = "src/internal/connection/connection.ts"
const fallbackRace = "src/internal/connection/fallbackRace.ts"
const forwardProxy = "src/internal/connection/forwardProxy.ts"
const protocols = "src/internal/connection/protocols.ts"
const tcp = "src/internal/node/tcp.ts"
const multipartBody = "src/internal/node/multipartBody.ts"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const transport = [
  // --- proxy handshakes (node-tunnel) ---
  { file: handshake, line: "settled = true", mutator: "BooleanLiteral", replacement: "false", reason: "cleanup removes every listener that reads the flag in the same step: nothing reads it after" },
  { file: handshake, line: "if (settled) return", mutator: "ConditionalExpression", replacement: "false", reason: "the data listener is removed when the handshake settles, and the interruption finalizer of a resumed Effect.async never runs" },
  { file: handshake, line: "case \"More\":", mutator: "StringLiteral", replacement: "\"\"", reason: "no case matching More does what the More case does: nothing (the switch has no default)" },
  { file: handshake, line: "if (!settled) fail(handshake.broken(\"the connection to the proxy failed during the handshake\", cause))", mutator: "ConditionalExpression", replacement: "true", reason: "the error listener is removed when the handshake settles" },
  { file: handshake, line: "if (!settled) fail(handshake.broken(\"the proxy closed the connection during the handshake\"))", mutator: "ConditionalExpression", replacement: "true", reason: "the end and close listeners are removed when the handshake settles" },
  { file: httpTunnel, line: "`Basic ${Buffer.from(`${user}:${password}`, \"utf8\").toString(\"base64\")}`", mutator: "StringLiteral", replacement: "\"\"", reason: "Buffer.from's default encoding is utf8" },
  { file: httpTunnel, line: "if (breaksHead.test(target.host) || (target.authorization !== undefined && breaksHead.test(target.authorization))) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the `!== undefined` operand) the regex tests undefined as the text \"undefined\": no CR, LF or NUL" },
  { file: httpTunnel, line: "const parser = new Http1Parser({ mode: \"response\" })", mutator: "ObjectLiteral", replacement: "{}", reason: "the parser's default mode is response" },
  { file: httpTunnel, line: "const parser = new Http1Parser({ mode: \"response\" })", mutator: "StringLiteral", replacement: "\"\"", reason: "a mode other than request or auto is response" },
  { file: httpTunnel, line: "if (result._tag === \"More\") result = { _tag: \"Done\", value: undefined, rest }", mutator: "ConditionalExpression", replacement: "true", reason: "the parser upgrades only after a 2xx to CONNECT, which leaves the result More" },
  { file: socks5, line: "const utf8 = (s: string): Uint8Array => Buffer.from(s, \"utf8\")", mutator: "StringLiteral", replacement: "\"\"", reason: "Buffer.from's default encoding is utf8" },
  { file: socks5, line: "if (a.length === 0) return b", mutator: "ConditionalExpression", replacement: "false", reason: "a fast path: concatenating onto nothing gives the same bytes" },
  { file: socks5, line: "if (len < 0) return { _tag: \"Fail\", error: error(\"invalid-response\", `the proxy's reply has an unknown address type ${atyp}`) }", mutator: "EqualityOperator", replacement: "len <= 0", reason: "len is -1 or at least 7, never 0" },
  { file: socks5, line: "if (target.user !== undefined && (utf8(target.user).length > 255 || utf8(target.password ?? \"\").length > 255)) {", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "a missing password measured as 17 bytes is still under the 255-byte bound" },
  // --- dialing a connection (connection-dial) ---
  { file: dial, line: "if (protocols !== undefined && protocols[0] === \"h3\") {", mutator: "ConditionalExpression", replacement: "true", reason: "(the `[0] === \"h3\"` operand) a list not led by h3 is neither forced h3 nor empty over TCP: the block falls through" },
  { file: dial, line: "Effect.interruptible(connect(method === undefined ? spec : { ...spec, method, url }, holder)).pipe(", mutator: "ConditionalExpression", replacement: "false", reason: "a spec carries no method or url: adding both as undefined is the spec" },
  { file: dial, line: "forward === undefined && spec.transport !== \"tls\" && priorKnowledgeH2(spec.protocols)", mutator: "ConditionalExpression", replacement: "true", reason: "openConnection takes h2c only on a socket without TLS: it checks again" },
  { file: dial, line: "forward === undefined && spec.transport !== \"tls\" && priorKnowledgeH2(spec.protocols)", mutator: "StringLiteral", replacement: "\"\"", reason: "openConnection takes h2c only on a socket without TLS: it checks again" },
  { file: dial, line: "if (traced === undefined && !logged) return dial", mutator: "ConditionalExpression", replacement: "false", reason: "a fast path: observed() with neither a trace nor Debug returns the dial as it is" },
  { file: dial, line: "captureStackTrace: false,", mutator: "BooleanLiteral", replacement: "true", reason: "Effect records the span's stack only as a lazy property no tracer reads here: no attribute or event tells it" },
  { file: connection, line: "if (name.length === 6 && name.toLowerCase() === \"expect\" && /^[ \\t]*100-continue/i.test(raw[i + 1])) return true", mutator: "ConditionalExpression", replacement: "true", reason: "(the length operand) a fast path: only a six-letter name lower-cases to expect" },
  { file: fallbackRace, line: "if (decided) return Effect.void", mutator: "ConditionalExpression", replacement: "false", reason: "(in lose) a decided race's outcome Deferred is already completed: failing it again does nothing" },
  { file: fallbackRace, line: "decided = true", mutator: "BooleanLiteral", replacement: "false", reason: "(in lose) after a loss both contenders are done: nothing calls win or lose again, and the outcome Deferred completes once" },
  { file: fallbackRace, line: "const headStart = race.headStartMillis > 0", mutator: "ConditionalExpression", replacement: "true", reason: "a head start of 0 sleeps 0 ms, which ends at once on any Clock" },
  { file: fallbackRace, line: "const headStart = race.headStartMillis > 0", mutator: "EqualityOperator", replacement: "race.headStartMillis >= 0", reason: "a head start of 0 sleeps 0 ms, which ends at once on any Clock" },
  { file: forwardProxy, line: "head.status === 407 ? proxyRefusal(head, forward.proxy, forward.authorization !== undefined, { method, url }, false) : undefined", mutator: "BooleanLiteral", replacement: "true", reason: "toConnect only makes a 401 a refusal; here only a 407 reaches proxyRefusal" },
  { file: protocols, line: "transport === \"tls\" && offered !== undefined && offered[0] === \"h3\" && tcpOffer(offered).length === 0", mutator: "ConditionalExpression", replacement: "true", reason: "(the `[0] === \"h3\"` operand) a valid list with no TCP protocol left is led by h3" },
  // --- the Node socket (node-socket) ---
  { file: tcp, line: "if (typeof error !== \"object\" || error === null) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "(the typeof operand) a primitive has no code and no errors property: undefined either way" },
  { file: tcp, line: "code === undefined", mutator: "ConditionalExpression", replacement: "false", reason: "no code set holds undefined: it falls through to other" },
  { file: multipartBody, line: "segments.length === 1 && segments[0] instanceof Uint8Array", mutator: "ConditionalExpression", replacement: "false", reason: "a fast path: one byte segment through flatMap gives the same single chunk" },
  { file: multipartBody, line: "const enc = Encode.encode(parts, open === openFile ? env : { ...env, openFile: open }, options)", mutator: "ConditionalExpression", replacement: "false", reason: "a copy of env with openFile set to openFile is env" },
  { file: dial, line: "...(proxy.user !== undefined ? { authorization: basicCredentials(proxy.user, proxy.password ?? \"\") } : {})", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "a proxy with a user always has a password (parseProxyUrl sets \"\" when the URL has none; proxyAuth gives both)" },
  { file: "src/internal/node/socket.ts", line: "const credentials = proxy.user !== undefined ? { user: proxy.user, password: proxy.password ?? \"\" } : undefined", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "a proxy with a user always has a password (parseProxyUrl sets \"\" when the URL has none; proxyAuth gives both)" },
  // --- certificate verification outside Node's TLS (node-tls) ---
  { file: "src/internal/node/certVerify.ts", line: "const text = typeof item === \"string\" ? item : Buffer.from(item).toString(\"latin1\")", mutator: "ConditionalExpression", replacement: "false", reason: "PEM is ASCII: a string's PEM blocks read the same after a utf8 to latin1 round trip, and text without one is skipped either way" },
  { file: "src/internal/node/certVerify.ts", line: "const text = typeof item === \"string\" ? item : Buffer.from(item).toString(\"latin1\")", mutator: "StringLiteral", replacement: "\"\"", reason: "an empty encoding is utf8, which reads PEM's ASCII the same; the text only finds PEM blocks, DER bytes are parsed from the bytes" }
]
