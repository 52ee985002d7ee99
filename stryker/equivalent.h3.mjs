/**
 * Equivalent survivors of the QUIC dial (`quic`) and the HTTP/3 codec (`http3-codec`), merged into
 * stryker/equivalent.mjs (same fields: file, line, mutator, replacement, reason).
 */
const quic = "src/internal/node/quic.ts"
const quicSession = "src/internal/node/quicSession.ts"
const frame = "src/internal/http3/frame.ts"
const frameReader = "src/internal/http3/frameReader.ts"
const qpack = "src/internal/http3/qpack.ts"
const qpackStreams = "src/internal/http3/qpackStreams.ts"
const varint = "src/internal/http3/varint.ts"
const huffman = "src/internal/http3/huffman.ts"
const message = "src/internal/http3/message.ts"
const altSvc = "src/internal/http3/altSvc.ts"
const qpackStatic = "src/internal/http3/qpackStatic.ts"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const h3 = [
  // --- quic (node/quic.ts, node/quicSession.ts) ---
  { file: quic, line: "return { quic, logger: new Logger(\"effect-hackney/quic\", LogLevel.SILENT) }", mutator: "StringLiteral", replacement: "\"\"", reason: "the logger is SILENT: its name is never printed" },
  { file: quic, line: "done = true", mutator: "BooleanLiteral", replacement: "false", reason: "set right before resume (success, failure): after resume nothing reads done (the interrupt finalizer runs only while suspended; only one of then's handlers runs)" },
  { file: quic, line: "if (done) return", mutator: "ConditionalExpression", replacement: "false", reason: "the rejection handler after an interruption resumes a fiber that left the async (Effect ignores it), quicError has no effect; the finalizer runs only while suspended, when done is false" },
  { file: quicSession, line: "const name = error?.name ?? \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "name is only compared with the ErrorQUICConnectionPeer prefix and ErrorQUICConnectionIdleTimeout: neither matches either default" },
  { file: quicSession, line: "conn.addEventListener(CLOSE, onClose, { once: true })", mutator: "ObjectLiteral", replacement: "{}", reason: "end() removes the CLOSE listener on its first call" },
  { file: quicSession, line: "conn.addEventListener(CLOSE, onClose, { once: true })", mutator: "BooleanLiteral", replacement: "false", reason: "end() removes the CLOSE listener on its first call" },
  // --- http3-codec (internal/http3/*) ---
  { file: frame, line: "const seen: Array<number> = []", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "seen holds identifiers (numbers): a string never equals one" },
  { file: frame, line: "if (v < 0 || varintSizeOf(payload[0]) !== payload.length) {", mutator: "ConditionalExpression", replacement: "false", reason: "(the v < 0 operand) a truncated varint also fails the size check, the empty payload too (varintSizeOf(undefined) is 1)" },
  { file: frameReader, line: "if (this.vlen === 0 && n - i >= varintSizeOf(chunk[i])) {", mutator: "ConditionalExpression", replacement: "false", reason: "the fast path only: the byte-by-byte path reads the same varint" },
  { file: frameReader, line: "if (this.vlen === 0 && n - i >= varintSizeOf(chunk[i])) {", mutator: "EqualityOperator", replacement: "n - i > varintSizeOf(chunk[i])", reason: "the fast path only: the byte-by-byte path reads the same varint" },
  { file: frameReader, line: "if (this.vlen === 0) this.vbuf[this.vlen++] = chunk[i++]", mutator: "ConditionalExpression", replacement: "true", reason: "inside a split varint it stores the byte the loop below would store first" },
  { file: frameReader, line: "const e = this.sink.data(take === n && i === 0 ? chunk : chunk.subarray(i, i + take))", mutator: "ConditionalExpression", replacement: "true", reason: "(the i === 0 operand) take === n implies i === 0" },
  { file: qpack, line: "if (pos >= end) return -1", mutator: "ConditionalExpression", replacement: "false", reason: "every caller checks pos < end first, except the prefix's first integer, where the Base check then fails with the same detail" },
  { file: qpack, line: "if (pos >= end) return -1", mutator: "EqualityOperator", replacement: "pos > end", reason: "every caller checks pos < end first, except the prefix's first integer, where the Base check then fails with the same detail" },
  { file: qpack, line: "if (scale > 2 ** 32) return -1", mutator: "EqualityOperator", replacement: "scale >= 2 ** 32", reason: "scale is a power of 128 (2^7k), never 2^32" },
  { file: qpack, line: "if (pos >= end) return failed(\"the field section prefix is truncated\")", mutator: "ConditionalExpression", replacement: "false", reason: "the Delta Base integer at the end is then -1, refused with the same detail" },
  { file: qpack, line: "if (pos >= end) return failed(\"the field section prefix is truncated\")", mutator: "EqualityOperator", replacement: "pos > end", reason: "the Delta Base integer at the end is then -1, refused with the same detail" },
  { file: qpackStreams, line: "if ((b & 0x40) !== 0) return 6 // Stream Cancellation", mutator: "ConditionalExpression", replacement: "true", reason: "both branches return 6 (the instruction is told apart later, from its first byte)" },
  { file: qpackStreams, line: "if ((b & 0x40) !== 0) return 6 // Stream Cancellation", mutator: "ConditionalExpression", replacement: "false", reason: "both branches return 6 (the instruction is told apart later, from its first byte)" },
  { file: qpackStreams, line: "if ((b & 0x40) !== 0) return 6 // Stream Cancellation", mutator: "EqualityOperator", replacement: "(b & 0x40) === 0", reason: "both branches return 6 (the instruction is told apart later, from its first byte)" },
  { file: varint, line: "if (offset >= buf.length) return -1", mutator: "ConditionalExpression", replacement: "false", reason: "past the end buf[offset] is undefined, its size 1, and the next check returns -1" },
  { file: varint, line: "if (offset >= buf.length) return -1", mutator: "EqualityOperator", replacement: "offset > buf.length", reason: "past the end buf[offset] is undefined, its size 1, and the next check returns -1" },
  { file: huffman, line: "while (bits >= 8) {", mutator: "EqualityOperator", replacement: "bits > 8", reason: "a whole byte left pending is written by the next symbol's loop or the final write, the same bits (acc stays under 2^38: exact)" },
  { file: huffman, line: "const out = new Uint8Array(Math.floor(((end - start) * 8) / 5))", mutator: "ArithmeticOperator", replacement: "(end - start) * 8 * 5", reason: "a larger output buffer: only its first n bytes are read" },
  { file: huffman, line: "const out = new Uint8Array(Math.floor(((end - start) * 8) / 5))", mutator: "ArithmeticOperator", replacement: "end + start", reason: "a larger output buffer (start >= 0): only its first n bytes are read" },
  { file: message, line: "if (c > 0xff || TCHAR[c] !== 1) return malformed(`field name", mutator: "EqualityOperator", replacement: "c >= 0xff", reason: "0xff is not a tchar: refused with the same detail either way" },
  { file: altSvc, line: "for (; i < s.length; i++) {", mutator: "EqualityOperator", replacement: "i <= s.length", reason: "the extra step reads NaN at s.length: neither a quote nor a comma" },
  { file: altSvc, line: "if (!token.includes(\"%\")) return token", mutator: "ConditionalExpression", replacement: "false", reason: "the loop copies a token without % unchanged" },
  { file: altSvc, line: "if (!token.includes(\"%\")) return token", mutator: "StringLiteral", replacement: "\"\"", reason: "never returning early: the loop copies a token without % unchanged" },
  { file: altSvc, line: "if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined", mutator: "Regex", replacement: "/[0-9A-Fa-f]{2}$/", reason: "hex is a slice of at most two characters" },
  { file: altSvc, line: "if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined", mutator: "Regex", replacement: "/^[0-9A-Fa-f]{2}/", reason: "hex is a slice of at most two characters" },
  { file: altSvc, line: "if (!host.endsWith(\"]\") || !/^\\[[0-9A-Fa-f:.]+\\]$/.test(host)) return undefined", mutator: "StringLiteral", replacement: "\"\"", reason: "the regex requires the closing bracket itself" },
  { file: altSvc, line: "if (!host.endsWith(\"]\") || !/^\\[[0-9A-Fa-f:.]+\\]$/.test(host)) return undefined", mutator: "Regex", replacement: "/\\[[0-9A-Fa-f:.]+\\]$/", reason: "host starts with [ (checked above)" },
  { file: altSvc, line: "return n > maxDelta ? maxDelta : n", mutator: "EqualityOperator", replacement: "n >= maxDelta", reason: "at equality both branches give maxDelta" },
  { file: altSvc, line: "if (end === start || s.charCodeAt(end) !== 0x3d /* = */) return fail", mutator: "ConditionalExpression", replacement: "false", reason: "(the end === start operand) an empty protocol-id is refused on the next line" },
  { file: altSvc, line: "if (protocol === undefined || protocol.length === 0) return fail", mutator: "ConditionalExpression", replacement: "false", reason: "(the length operand) the token is not empty, and a decoded non-empty token is not empty" },
  { file: altSvc, line: "while (last > first && isOws(s.charCodeAt(last - 1))) last--", mutator: "ConditionalExpression", replacement: "true", reason: "the loop passes first only when all from first is OWS: the slice is empty either way" },
  { file: altSvc, line: "while (last > first && isOws(s.charCodeAt(last - 1))) last--", mutator: "EqualityOperator", replacement: "last >= first", reason: "the loop passes first only when all from first is OWS: the slice is empty either way" },
  { file: altSvc, line: "while (i < s.length) {", mutator: "EqualityOperator", replacement: "i <= s.length", reason: "at s.length the next line breaks" },
  { file: qpack, line: "if (this.n + k <= this.buf.length) return", mutator: "EqualityOperator", replacement: "this.n + k < this.buf.length", reason: "growing at an exact fit only makes a larger buffer: same bytes out" },
  { file: qpack, line: "let size = this.buf.length * 2", mutator: "ArithmeticOperator", replacement: "this.buf.length / 2", reason: "the loop below doubles size until the write fits" },
  { file: qpack, line: "while (size < this.n + k) size *= 2", mutator: "EqualityOperator", replacement: "size <= this.n + k", reason: "one doubling more at an exact fit: a larger buffer, same bytes out" },
  { file: qpackStatic, line: "if (!e.values.has(value)) e.values.set(value, i)", mutator: "ConditionalExpression", replacement: "true", reason: "the table has no repeated name-value pair: has() is always false here" },
  { file: altSvc, line: "if (name.length === 7 && name.toLowerCase() === \"alt-svc\") {", mutator: "ConditionalExpression", replacement: "true", reason: "(the length operand) a fast path: the comparison alone decides" },
  { file: message, line: "if (c > 0xff || TCHAR[c] !== 1) return malformed(`field name", mutator: "ConditionalExpression", replacement: "false", reason: "(the c > 0xff operand) TCHAR has 256 entries: past it, undefined !== 1 refuses the same" },
  { file: message, line: "if (c > 0xff || FIELD_VALUE[c] !== 1) return malformed(`field", mutator: "ConditionalExpression", replacement: "false", reason: "(the c > 0xff operand) FIELD_VALUE has 256 entries: past it, undefined !== 1 refuses the same" },
  { file: altSvc, line: "if (i >= s.length) break", mutator: "ConditionalExpression", replacement: "false", reason: "at s.length readAltValue fails at once with next = s.length, ending the loop" },
  { file: altSvc, line: "if (i >= s.length) break", mutator: "EqualityOperator", replacement: "i > s.length", reason: "at s.length readAltValue fails at once with next = s.length, ending the loop" }
]
