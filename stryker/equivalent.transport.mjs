/**
 * Equivalent mutants of the connection's dial side and the Node transport
 * (internal/connection/* outside the drivers, internal/node/* sockets, TLS,
 * tunnels): no test can tell them from the original; each has its reason.
 * Spread into stryker/equivalent.mjs.
 */
const handshake = "src/internal/node/handshake.ts"
const httpTunnel = "src/internal/node/httpTunnel.ts"
const socks5 = "src/internal/node/socks5.ts"

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
  { file: socks5, line: "if (target.user !== undefined && (utf8(target.user).length > 255 || utf8(target.password ?? \"\").length > 255)) {", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "a missing password measured as 17 bytes is still under the 255-byte bound" }
]
