/**
 * The equivalent mutants of internal/http1 (see equivalent.mjs): same shape,
 * one line of reason each.
 */
const parser = "src/internal/http1/parser.ts"
const framing = "src/internal/http1/framing.ts"
const keepAlive = "src/internal/http1/keepAlive.ts"
const encoder = "src/internal/http1/encoder.ts"

/**
 * A failing complete start line is checked again by the partial-line check
 * (`#recheck`), whose error, the earliest one, is the one reported when it
 * finds any: a complete-line branch whose case that check also refuses never
 * reaches the caller with its own reason, offset or detail.
 */
const recheck = "masked: the partial-line recheck refuses this line first, and its error is the one reported"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const http1 = [
  // --- http1-framing (framing.ts, keepAlive.ts) ---
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "ConditionalExpression", replacement: "true", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "LogicalOperator", replacement: "c >= 0x41 || c <= 0x5a", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c > 0x41", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c < 0x5a", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: keepAlive, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c < 0x5a", reason: "Z is not in close, keep-alive or upgrade" },
  { file: framing, line: "while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++", mutator: "ConditionalExpression", replacement: "true", reason: "skipping separators past the end leaves i past it: the token scan and the outer loop stop there, with no token added" },
  { file: framing, line: "while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++", mutator: "EqualityOperator", replacement: "i <= end", reason: "skipping separators past the end leaves i past it: the token scan and the outer loop stop there, with no token added" },
  { file: keepAlive, line: "while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++", mutator: "ConditionalExpression", replacement: "true", reason: "skipping separators past the end leaves i past it: the token scan and the outer loop stop there, with no token added" },
  { file: keepAlive, line: "while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++", mutator: "EqualityOperator", replacement: "i <= end", reason: "skipping separators past the end leaves i past it: the token scan and the outer loop stop there, with no token added" },
  { file: framing, line: "const c = i < end ? buf[i] : -1", mutator: "UnaryOperator", replacement: "+1", reason: "c is only compared with CR and LF" },
  { file: keepAlive, line: "while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--", mutator: "ConditionalExpression", replacement: "true", reason: "e reaches s only for an empty item, which adds no bit either way (the next check wants e > s)" },
  { file: keepAlive, line: "while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--", mutator: "EqualityOperator", replacement: "e >= s", reason: "e reaches s only for an empty item, which adds no bit either way (the next check wants e > s)" },
  { file: keepAlive, line: "if (e > s) bits |= tokenBit(buf, s, e)", mutator: "ConditionalExpression", replacement: "true", reason: "an empty item matches no token (tokenBit compares lengths first)" },
  { file: keepAlive, line: "if (e > s) bits |= tokenBit(buf, s, e)", mutator: "EqualityOperator", replacement: "e >= s", reason: "an empty item matches no token (tokenBit compares lengths first)" },
  { file: keepAlive, line: "for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff", mutator: "EqualityOperator", replacement: "i <= s.length", reason: "a write past a Uint8Array's end is dropped" },

  // --- http1-encoder ---
  { file: encoder, line: "for (let i = 0; i < s.length; i++) {", mutator: "EqualityOperator", replacement: "i <= s.length", reason: "charCodeAt past the end is NaN, which no comparison of badValueChar or badTargetChar matches" },
  { file: encoder, line: "s.length === lowerWord.length && s.toLowerCase() === lowerWord", mutator: "ConditionalExpression", replacement: "true", reason: "the fast path of the comparison after it: no string of another length lower-cases to host, content-length or transfer-encoding" },
  { file: encoder, line: "const size = framing._tag === \"Chunked\" ? undefined : framing._tag === \"None\" ? null : framing.length", mutator: "ConditionalExpression", replacement: "false", reason: "a Chunked framing has no length: the last branch gives undefined too" },
  { file: encoder, line: "const size = framing._tag === \"Chunked\" ? undefined : framing._tag === \"None\" ? null : framing.length", mutator: "StringLiteral", replacement: "\"\"", reason: "a Chunked framing has no length: the last branch gives undefined too" },
  { file: encoder, line: "if (rawTrailers === undefined || rawTrailers.length === 0) return Either.right(\"0\\r\\n\\r\\n\")", mutator: "ConditionalExpression", replacement: "false", reason: "the general path encodes no trailer to the same last chunk" },

  // --- parser-start (the complete start line) ---
  { file: parser, line: "const isResponse = e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 &&", mutator: "ConditionalExpression", replacement: "true", reason: "the five byte comparisons fail on a shorter line (the byte after it is its CR or LF; auto mode decides on the first start line, before any longer line fills the line buffer)" },
  { file: parser, line: "const isResponse = e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 &&", mutator: "ArithmeticOperator", replacement: "e + s", reason: "the five byte comparisons fail on a shorter line (the byte after it is its CR or LF; auto mode decides on the first start line, before any longer line fills the line buffer)" },
  { file: parser, line: "while (i < s + 5 && i < e && b[i] === \"HTTP/\".charCodeAt(i - s)) i++", mutator: "ConditionalExpression", replacement: "true", reason: "in this branch the line is not HTTP/: the loop stops at the line's end or at a mismatch before s + 5, and a mismatch is " + recheck },
  { file: parser, line: "while (i < s + 5 && i < e && b[i] === \"HTTP/\".charCodeAt(i - s)) i++", mutator: "EqualityOperator", replacement: "i <= s + 5", reason: "in this branch the line is not HTTP/: the loop stops at the line's end or at a mismatch before s + 5" },
  { file: parser, line: "if (b[s + 12] !== SP) fail(\"InvalidStatusLine\", base + (s + 12), \"expected SP after the status code\")", mutator: "StringLiteral", replacement: "\"\"", reason: recheck },
  { file: parser, line: "if (b[s + 12] !== SP) fail(\"InvalidStatusLine\", base + (s + 12), \"expected SP after the status code\")", mutator: "ArithmeticOperator", replacement: "base - (s + 12)", reason: recheck },
  { file: parser, line: "if (b[s + 12] !== SP) fail(\"InvalidStatusLine\", base + (s + 12), \"expected SP after the status code\")", mutator: "ArithmeticOperator", replacement: "s - 12", reason: recheck },
  { file: parser, line: "if (i >= e || maj < 0 || maj > 9) fail(\"InvalidVersion\", base + i, \"expected a version digit\")", mutator: "ConditionalExpression", replacement: "false", reason: "a non-digit major version is refused again as unsupported below; " + recheck },
  { file: parser, line: "if (i >= e || maj < 0 || maj > 9) fail(\"InvalidVersion\", base + i, \"expected a version digit\")", mutator: "EqualityOperator", replacement: "maj <= 0", reason: "0 is refused as unsupported below; " + recheck },
  { file: parser, line: "if (i >= e || maj < 0 || maj > 9) fail(\"InvalidVersion\", base + i, \"expected a version digit\")", mutator: "EqualityOperator", replacement: "maj >= 9", reason: "9 is refused as unsupported below; " + recheck },
  { file: parser, line: "if (i + 2 >= e || min < 0 || min > 9) fail(\"InvalidVersion\", base + (i + 2), \"expected a version digit\")", mutator: "ConditionalExpression", replacement: "false", reason: "a minor version above 9 is refused as unsupported below; " + recheck },
  { file: parser, line: "if (i + 2 >= e || min < 0 || min > 9) fail(\"InvalidVersion\", base + (i + 2), \"expected a version digit\")", mutator: "EqualityOperator", replacement: "min >= 9", reason: "9 is refused as unsupported below; " + recheck },
  { file: parser, line: "fail(\"InvalidVersion\", base + i, `unsupported HTTP version ${maj}.${min}`)", mutator: "StringLiteral", replacement: "\"\"", reason: "the partial-line check knows the same versions: " + recheck },
  { file: parser, line: "fail(\"InvalidVersion\", base + i, `unsupported HTTP version ${maj}.${min}`)", mutator: "StringLiteral", replacement: "``", reason: "the partial-line check knows the same versions: " + recheck },
  { file: parser, line: "fail(\"InvalidVersion\", base + i, `unsupported HTTP version ${maj}.${min}`)", mutator: "ArithmeticOperator", replacement: "base - i", reason: "the partial-line check knows the same versions: " + recheck },
  { file: parser, line: "if (i + 8 !== e) fail(\"InvalidRequestLine\", base + (i + 8), \"unexpected bytes after the version\")", mutator: "StringLiteral", replacement: "\"\"", reason: recheck },
  { file: parser, line: "if (i + 8 !== e) fail(\"InvalidRequestLine\", base + (i + 8), \"unexpected bytes after the version\")", mutator: "ArithmeticOperator", replacement: "base - (i + 8)", reason: recheck },
  { file: parser, line: "if (i + 8 !== e) fail(\"InvalidRequestLine\", base + (i + 8), \"unexpected bytes after the version\")", mutator: "ArithmeticOperator", replacement: "i - 8", reason: recheck }
]
