/**
 * Equivalent survivors of the QUIC dial (`quic`) and the HTTP/3 codec (`http3-codec`), merged into
 * stryker/equivalent.mjs (same fields: file, line, mutator, replacement, reason).
 */
const quic = "src/internal/node/quic.ts"
const quicSession = "src/internal/node/quicSession.ts"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const h3 = [
  // --- quic (node/quic.ts, node/quicSession.ts) ---
  { file: quic, line: "return { quic, logger: new Logger(\"effect-hackney/quic\", LogLevel.SILENT) }", mutator: "StringLiteral", replacement: "\"\"", reason: "the logger is SILENT: its name is never printed" },
  { file: quic, line: "done = true", mutator: "BooleanLiteral", replacement: "false", reason: "set right before resume (success, failure): after resume nothing reads done (the interrupt finalizer runs only while suspended; only one of then's handlers runs)" },
  { file: quic, line: "if (done) return", mutator: "ConditionalExpression", replacement: "false", reason: "the rejection handler after an interruption resumes a fiber that left the async (Effect ignores it), quicError has no effect; the finalizer runs only while suspended, when done is false" },
  { file: quicSession, line: "const name = error?.name ?? \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "name is only compared with the ErrorQUICConnectionPeer prefix and ErrorQUICConnectionIdleTimeout: neither matches either default" },
  { file: quicSession, line: "conn.addEventListener(CLOSE, onClose, { once: true })", mutator: "ObjectLiteral", replacement: "{}", reason: "end() removes the CLOSE listener on its first call" },
  { file: quicSession, line: "conn.addEventListener(CLOSE, onClose, { once: true })", mutator: "BooleanLiteral", replacement: "false", reason: "end() removes the CLOSE listener on its first call" }
]
