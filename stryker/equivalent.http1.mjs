/**
 * The equivalent mutants of internal/http1 (see equivalent.mjs): same shape,
 * one line of reason each.
 */
const parser = "src/internal/http1/parser.ts"
const framing = "src/internal/http1/framing.ts"
const keepAlive = "src/internal/http1/keepAlive.ts"
const encoder = "src/internal/http1/encoder.ts"
const bytes = "src/internal/http1/bytes.ts"

/**
 * A failing complete start line is checked again by the partial-line check
 * (`#recheck`), whose error, the earliest one, is the one reported when it
 * finds any: a complete-line branch whose case that check also refuses never
 * reaches the caller with its own reason, offset or detail.
 */
const recheck = "masked: the partial-line recheck refuses this line first, and its error is the one reported"

/** The two latin1 decoders (native, portable; short ranges in JS) give the same strings: which one runs is speed only. */
const decoders = "latin1 decoders give the same string whichever runs (native latin1Slice, the portable one, or the short-range JS path): the choice is speed only"

/** StringCache verifies every hit byte by byte: its slots, seeds and hashing decide only whether a decoded string is reused. */
const cache = "the string cache verifies each hit byte by byte: slots, seeds and the hash only decide whether a decoded string is reused, never what is returned"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const http1 = [
  // --- http1-framing (framing.ts, keepAlive.ts) ---
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "ConditionalExpression", replacement: "true", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "LogicalOperator", replacement: "c >= 0x41 || c <= 0x5a", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c > 0x41", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: framing, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c < 0x5a", reason: "only compared with the letters of \"chunked\": OR-ing 0x20 into any other byte never gives one of them, and A and Z are not among them" },
  { file: keepAlive, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c < 0x5a", reason: "Z is not in close, keep-alive or upgrade" },
  { file: keepAlive, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "ConditionalExpression", replacement: "true", reason: "(the c <= 0x5a operand) OR-ing 0x20 into a byte above Z never gives a letter of close, keep-alive or upgrade" },
  { file: keepAlive, line: "if (name.length === 10 && name.toLowerCase() === \"connection\") {", mutator: "ConditionalExpression", replacement: "true", reason: "(the length operand) the fast path of the comparison after it: no string of another length lower-cases to connection" },
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

  // --- http1-bytes ---
  { file: bytes, line: "for (let i = 0; i < s.length; i++) {", mutator: "EqualityOperator", replacement: "i <= s.length", reason: "charCodeAt past the end is NaN: TCHAR[NaN] is undefined, not 0, and NaN > 255 is false" },
  { file: bytes, line: "if (c > 255 || TCHAR[c] === 0) return false", mutator: "EqualityOperator", replacement: "c >= 255", reason: "TCHAR[255] is 0: 255 is refused either way" },
  { file: bytes, line: "if (n <= 10) {", mutator: "ConditionalExpression", replacement: "true", reason: decoders },
  { file: bytes, line: "if (n <= 10) {", mutator: "ConditionalExpression", replacement: "false", reason: decoders },
  { file: bytes, line: "if (n <= 10) {", mutator: "EqualityOperator", replacement: "n < 10", reason: decoders },
  { file: bytes, line: "if (n <= 10) {", mutator: "EqualityOperator", replacement: "n > 10", reason: decoders },
  { file: bytes, line: "if (n <= 10) {", mutator: "BlockStatement", replacement: "{}", reason: decoders },
  { file: bytes, line: "return nativeLatin1 !== undefined ? nativeLatin1.call(buf, start, end) : latin1Portable(buf, start, end)", mutator: "ConditionalExpression", replacement: "true", reason: decoders },
  { file: bytes, line: "return nativeLatin1 !== undefined ? nativeLatin1.call(buf, start, end) : latin1Portable(buf, start, end)", mutator: "ConditionalExpression", replacement: "false", reason: decoders },
  { file: bytes, line: "return nativeLatin1 !== undefined ? nativeLatin1.call(buf, start, end) : latin1Portable(buf, start, end)", mutator: "EqualityOperator", replacement: "nativeLatin1 === undefined", reason: decoders },
  { file: bytes, line: "for (let i = start; i < end; i += 1024) {", mutator: "EqualityOperator", replacement: "i <= end", reason: "at the end the view is empty and decodes to \"\"" },
  { file: bytes, line: "return typeof f === \"function\" ? (f as Latin1Slice) : undefined", mutator: "ConditionalExpression", replacement: "true", reason: decoders },
  { file: bytes, line: "return typeof f === \"function\" ? (f as Latin1Slice) : undefined", mutator: "ConditionalExpression", replacement: "false", reason: decoders },
  { file: bytes, line: "return typeof f === \"function\" ? (f as Latin1Slice) : undefined", mutator: "EqualityOperator", replacement: "typeof f !== \"function\"", reason: decoders },
  { file: bytes, line: "return typeof f === \"function\" ? (f as Latin1Slice) : undefined", mutator: "StringLiteral", replacement: "\"\"", reason: decoders },
  { file: bytes, line: "const f = B?.prototype?.latin1Slice", mutator: "OptionalChaining", replacement: "B?.prototype.latin1Slice", reason: decoders },
  { file: bytes, line: "const f = B?.prototype?.latin1Slice", mutator: "OptionalChaining", replacement: "B.prototype", reason: decoders },
  { file: bytes, line: "const nativeLatin1: Latin1Slice | undefined = (() => {", mutator: "BlockStatement", replacement: "{}", reason: decoders },
  { file: bytes, line: "readonly #slots: Array<string | undefined> = new Array(512).fill(undefined)", mutator: "ArrayDeclaration", replacement: "new Array()", reason: cache },
  { file: bytes, line: "constructor(seed: ReadonlyArray<string> = []) {", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: cache },
  { file: bytes, line: "constructor(seed: ReadonlyArray<string> = []) {", mutator: "BlockStatement", replacement: "{}", reason: cache },
  { file: bytes, line: "for (const s of seed) {", mutator: "BlockStatement", replacement: "{}", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "ConditionalExpression", replacement: "true", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "LogicalOperator", replacement: "s.length === 0 && s.length > 256", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "EqualityOperator", replacement: "s.length !== 0", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "EqualityOperator", replacement: "s.length >= 256", reason: cache },
  { file: bytes, line: "if (s.length === 0 || s.length > 256) continue", mutator: "EqualityOperator", replacement: "s.length <= 256", reason: cache },
  { file: bytes, line: "for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)", mutator: "EqualityOperator", replacement: "i <= s.length", reason: cache },
  { file: bytes, line: "for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)", mutator: "EqualityOperator", replacement: "i >= s.length", reason: cache },
  { file: bytes, line: "if (n === 0) return \"\"", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "if (n > 64) return latin1(buf, start, end)", mutator: "ConditionalExpression", replacement: "true", reason: cache },
  { file: bytes, line: "if (n > 64) return latin1(buf, start, end)", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "if (n > 64) return latin1(buf, start, end)", mutator: "EqualityOperator", replacement: "n >= 64", reason: cache },
  { file: bytes, line: "if (n > 64) return latin1(buf, start, end)", mutator: "EqualityOperator", replacement: "n <= 64", reason: cache },
  { file: bytes, line: "if (hit !== undefined && hit.length === n) {", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "if (hit !== undefined && hit.length === n) {", mutator: "BlockStatement", replacement: "{}", reason: cache },
  { file: bytes, line: "while (i < n && hit.charCodeAt(i) === buf[start + i]) i++", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "while (i < n && hit.charCodeAt(i) === buf[start + i]) i++", mutator: "ConditionalExpression", replacement: "true", reason: cache },
  { file: bytes, line: "while (i < n && hit.charCodeAt(i) === buf[start + i]) i++", mutator: "EqualityOperator", replacement: "i <= n", reason: cache },
  { file: bytes, line: "while (i < n && hit.charCodeAt(i) === buf[start + i]) i++", mutator: "EqualityOperator", replacement: "i >= n", reason: cache },
  { file: bytes, line: "while (i < n && hit.charCodeAt(i) === buf[start + i]) i++", mutator: "UpdateOperator", replacement: "i--", reason: cache },
  { file: bytes, line: "if (i === n) return hit", mutator: "ConditionalExpression", replacement: "false", reason: cache },
  { file: bytes, line: "const slot = (buf: Uint8Array, start: number, end: number): number => {", mutator: "BlockStatement", replacement: "{}", reason: cache },
  { file: bytes, line: "const len = end - start", mutator: "ArithmeticOperator", replacement: "end + start", reason: cache },
  { file: bytes, line: "return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511", mutator: "ArithmeticOperator", replacement: "len / 31", reason: cache },
  { file: bytes, line: "return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511", mutator: "ArithmeticOperator", replacement: "buf[start] / 7", reason: cache },
  { file: bytes, line: "return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511", mutator: "ArithmeticOperator", replacement: "end + 1", reason: cache },
  { file: bytes, line: "return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511", mutator: "ArithmeticOperator", replacement: "buf[start + (len >> 1)] / 13", reason: cache },
  { file: bytes, line: "return ((len * 31) ^ (buf[start] * 7) ^ (buf[end - 1] << 2) ^ (buf[start + (len >> 1)] * 13)) & 511", mutator: "ArithmeticOperator", replacement: "start - (len >> 1)", reason: cache },
  { file: bytes, line: "export const COMMON_HEADER_NAMES: ReadonlyArray<string> = [", mutator: "ArrayDeclaration", replacement: "[]", reason: cache },
  { file: bytes, line: "\"Accept-Ranges\", \"Access-Control-Allow-Origin\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"Content-Disposition\", \"Content-Encoding\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"Content-Range\", \"Content-Security-Policy\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"Last-Modified\", \"Link\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"Strict-Transport-Security\", \"Trailer\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"X-Content-Type-Options\", \"X-Frame-Options\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"accept-ranges\", \"cache-control\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"etag\", \"expires\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"vary\", \"Host\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "\"host\", \"user-agent\"", mutator: "StringLiteral", replacement: "\"\"", reason: cache },
  { file: bytes, line: "if (chunks.length === 0) return noBytes", mutator: "ConditionalExpression", replacement: "false", reason: "no chunk joins into a new empty array: the same bytes" },

  // --- parser-feed (the parser's life and input loop) ---
  { file: parser, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "ConditionalExpression", replacement: "true", reason: "only header-name bytes reach it (tchars): OR-ing 0x20 into a tchar that is not a letter never gives a letter or -, and Z is not in the framing names" },
  { file: parser, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "LogicalOperator", replacement: "c >= 0x41 || c <= 0x5a", reason: "only header-name bytes reach it (tchars): OR-ing 0x20 into a tchar that is not a letter never gives a letter or -, and Z is not in the framing names" },
  { file: parser, line: "const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)", mutator: "EqualityOperator", replacement: "c < 0x5a", reason: "only header-name bytes reach it (tchars): OR-ing 0x20 into a tchar that is not a letter never gives a letter or -, and Z is not in the framing names" },
  { file: parser, line: "#isRequest = false", mutator: "BooleanLiteral", replacement: "true", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#reason = \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#method = \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#target = \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#pri = false", mutator: "BooleanLiteral", replacement: "true", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#keepAlive = true", mutator: "BooleanLiteral", replacement: "false", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#upgradeSignalled = false", mutator: "BooleanLiteral", replacement: "true", reason: "the field is set before it is read (the constructor, the start line or the head sets it first)" },
  { file: parser, line: "#teFinal = false", mutator: "BooleanLiteral", replacement: "true", reason: "read only when one chunked token was seen, which sets it" },
  { file: parser, line: "if (limits === this.#limits) return", mutator: "ConditionalExpression", replacement: "false", reason: "setting the same limits again assigns the values already there" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "ConditionalExpression", replacement: "true", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "ConditionalExpression", replacement: "false", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "LogicalOperator", replacement: "this.#methodHead > 64 || this.#methodHead * 2 > this.#methods.length", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "EqualityOperator", replacement: "this.#methodHead >= 64", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "EqualityOperator", replacement: "this.#methodHead <= 64", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "EqualityOperator", replacement: "this.#methodHead * 2 >= this.#methods.length", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "EqualityOperator", replacement: "this.#methodHead * 2 <= this.#methods.length", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "ArithmeticOperator", replacement: "this.#methodHead / 2", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {", mutator: "BlockStatement", replacement: "{}", reason: "when the queue of awaited methods is compacted only bounds its memory: slice(methodHead) keeps the same methods in the same order" },
  { file: parser, line: "sink.onData(pos === 0 ? buf : buf.subarray(pos))", mutator: "ConditionalExpression", replacement: "false", reason: "subarray(0) is a view of the same bytes: no copy either way" },
  { file: parser, line: "if (this.#lineLen > 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "a line found whole, taken through the line buffer instead, is checked by the partial-line check first, which is what the recheck reports on an error anyway: the same result, one copy slower" },
  { file: parser, line: "if (this.#lineLen > 0) {", mutator: "EqualityOperator", replacement: "this.#lineLen >= 0", reason: "a line found whole, taken through the line buffer instead, is checked by the partial-line check first, which is what the recheck reports on an error anyway: the same result, one copy slower" },
  { file: parser, line: "} else if (st === S_UPGRADED) {", mutator: "ConditionalExpression", replacement: "true", reason: "the only other state that reaches this branch, S_ERROR, never does: execute refuses a failed parser before the loop" },
  { file: parser, line: "if (this.#upgradeSignalled) return", mutator: "ConditionalExpression", replacement: "false", reason: "the loop returns right after handing over; the hand-over after the loop runs only when the loop did not: the guard never fires" },
  { file: parser, line: "this.#upgradeSignalled = true", mutator: "BooleanLiteral", replacement: "false", reason: "the loop returns right after handing over; the hand-over after the loop runs only when the loop did not: the guard never fires" },
  { file: parser, line: "if (need > this.#line.length) {", mutator: "EqualityOperator", replacement: "need >= this.#line.length", reason: "growing a buffer that is exactly full is harmless" },
  { file: parser, line: "const grown = new Uint8Array(Math.max(need, this.#line.length * 2))", mutator: "ArithmeticOperator", replacement: "this.#line.length / 2", reason: "the buffer then grows to exactly what is needed: more copies, the same bytes" },

  // --- parser-prefix (the partial-line checks) ---
  { file: parser, line: "for (let k = from > 0 ? from - 1 : 0; k < all - 1; k++) {", mutator: "ConditionalExpression", replacement: "true", reason: "where the scan for a bare CR starts: a CR before from - 1 was followed by a byte already and refused then, so an earlier start finds the same CR (and b[-1] is undefined)" },
  { file: parser, line: "for (let k = from > 0 ? from - 1 : 0; k < all - 1; k++) {", mutator: "ConditionalExpression", replacement: "false", reason: "where the scan for a bare CR starts: a CR before from - 1 was followed by a byte already and refused then, so an earlier start finds the same CR (and b[-1] is undefined)" },
  { file: parser, line: "for (let k = from > 0 ? from - 1 : 0; k < all - 1; k++) {", mutator: "EqualityOperator", replacement: "from >= 0", reason: "where the scan for a bare CR starts: a CR before from - 1 was followed by a byte already and refused then, so an earlier start finds the same CR (and b[-1] is undefined)" },
  { file: parser, line: "for (let k = from > 0 ? from - 1 : 0; k < all - 1; k++) {", mutator: "EqualityOperator", replacement: "from <= 0", reason: "where the scan for a bare CR starts: a CR before from - 1 was followed by a byte already and refused then, so an earlier start finds the same CR (and b[-1] is undefined)" },
  { file: parser, line: "const n = bareCr === -1 ? all : bareCr + 1", mutator: "ConditionalExpression", replacement: "true", reason: "every partial-line check stops at the first CR (refused there, or taken for a possible line end without looking further): the bytes after it change nothing" },
  { file: parser, line: "if ((st === S_HEAD && this.#startSeen) || st === S_TRAILERS) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the st === S_HEAD operand) startSeen is true only while a head is read: it is reset when the head completes" },
  { file: parser, line: "if (from === 0 && (b[0] === SP || b[0] === HTAB)) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the from === 0 operand) a continuation line passed foldAllowed when its first byte came: checking it again gives the same result, and nameScan is -1 already" },
  { file: parser, line: "while (k < 5 && k < n && b[k] === HTTP_SLASH[k]) k++", mutator: "ConditionalExpression", replacement: "true", reason: "the auto-mode guess reads only the first start line: the line buffer holds nothing past it, and no byte past five matches HTTP/" },
  { file: parser, line: "while (k < 5 && k < n && b[k] === HTTP_SLASH[k]) k++", mutator: "LogicalOperator", replacement: "k < 5 || k < n", reason: "the auto-mode guess reads only the first start line: the line buffer holds nothing past it, and no byte past five matches HTTP/" },
  { file: parser, line: "while (k < 5 && k < n && b[k] === HTTP_SLASH[k]) k++", mutator: "EqualityOperator", replacement: "k <= 5", reason: "the auto-mode guess reads only the first start line: the line buffer holds nothing past it, and no byte past five matches HTTP/" },
  { file: parser, line: "while (k < 5 && k < n && b[k] === HTTP_SLASH[k]) k++", mutator: "EqualityOperator", replacement: "k <= n", reason: "the auto-mode guess reads only the first start line: the line buffer holds nothing past it, and no byte past five matches HTTP/" },
  { file: parser, line: "else if (k === n) return", mutator: "ConditionalExpression", replacement: "false", reason: "an undecided prefix of HTTP/ is all tchars: the request-line check finds nothing in it either" },
  { file: parser, line: "while (i < n && HEX[b[i]] !== 255) i++", mutator: "ConditionalExpression", replacement: "true", reason: "the loop stops at the line's first non-hex byte either way; past the end it changes nothing (the check after it wants i < n)" },
  { file: parser, line: "while (i < n && HEX[b[i]] !== 255) i++", mutator: "EqualityOperator", replacement: "i <= n", reason: "the loop stops at the line's first non-hex byte either way; past the end it changes nothing (the check after it wants i < n)" },
  { file: parser, line: "if (n > 8 && b[8] !== SP) fail(\"InvalidVersion\", abs + 8, \"expected SP after the version\")", mutator: "ConditionalExpression", replacement: "true", reason: "(the n > 8 operand) reached only when the version is complete and followed by a byte: n > 8 already" },
  { file: parser, line: "if (n > 8 && b[8] !== SP) fail(\"InvalidVersion\", abs + 8, \"expected SP after the version\")", mutator: "EqualityOperator", replacement: "n >= 8", reason: "reached only when the version is complete and followed by a byte: n > 8 already" },
  { file: parser, line: "if (i + k >= n) return true", mutator: "BooleanLiteral", replacement: "false", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "if (i + 5 >= n) return true", mutator: "BooleanLiteral", replacement: "false", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "if (i + 6 >= n) return true", mutator: "BooleanLiteral", replacement: "false", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "if (i + 7 >= n) return true", mutator: "BooleanLiteral", replacement: "false", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "return i + 8 >= n", mutator: "ConditionalExpression", replacement: "false", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "return i + 8 >= n", mutator: "EqualityOperator", replacement: "i + 8 > n", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "return i + 8 >= n", mutator: "ArithmeticOperator", replacement: "i - 8", reason: "a status line this short has no byte at 8 or after: returning false checks nothing more (a request line ignores the result)" },
  { file: parser, line: "if (min < 0 || min > 9 || !((maj === 1 && min <= 1) || (request && maj === 2 && min === 0))) {", mutator: "ConditionalExpression", replacement: "false", reason: "a minor version above 1 is refused by the next operand, with the same reason, offset and words" },
  { file: parser, line: "if (min < 0 || min > 9 || !((maj === 1 && min <= 1) || (request && maj === 2 && min === 0))) {", mutator: "EqualityOperator", replacement: "min >= 9", reason: "a minor version above 1 is refused by the next operand, with the same reason, offset and words" },

  { file: parser, line: "this.#nameScan = -1", mutator: "UnaryOperator", replacement: "+1", reason: "(after the colon) a later piece scans again from 1: the same name bytes up to the same colon, where it stops" },

  // --- parser-start (the complete start line) ---
  { file: parser, line: "const isResponse = e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 &&", mutator: "ConditionalExpression", replacement: "true", reason: "the five byte comparisons fail on a shorter line (the byte after it is its CR or LF; auto mode decides on the first start line, before any longer line fills the line buffer)" },
  { file: parser, line: "const isResponse = e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 &&", mutator: "ArithmeticOperator", replacement: "e + s", reason: "the five byte comparisons fail on a shorter line (the byte after it is its CR or LF; auto mode decides on the first start line, before any longer line fills the line buffer)" },
  { file: parser, line: "if (!(e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 && b[s + 3] === 0x50 && b[s + 4] === 0x2f)) {", mutator: "ArithmeticOperator", replacement: "e + s", reason: "s is 0 in the line buffer, where bytes of an earlier line may follow; in the input the byte after a line is its CR or LF, which the byte comparisons refuse" },
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
