/**
 * Equivalent mutants of the public L3 modules (`public-l3`, `public-hackney`) and the multipart encoder
 * (`multipart-encode`): no test can tell them from the original; each has its reason. Spread into
 * stryker/equivalent.mjs.
 */
const pool = "src/Pool.ts"
const middleware = "src/Middleware.ts"
const encode = "src/internal/multipart/encode.ts"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
export const publicModules = [
  // --- public-l3 ---
  { file: pool, line: "if (typeof port !== \"number\" || !Number.isInteger(port) || port < 0 || port > 65535) {", mutator: "ConditionalExpression", replacement: "false", reason: "(the `typeof port` operand) Number.isInteger is false for every non-number: the next operand refuses it" },
  { file: pool, line: "if (count !== undefined && (typeof count !== \"number\" || !Number.isSafeInteger(count) || count < 0)) {", mutator: "ConditionalExpression", replacement: "false", reason: "(the `typeof count` operand) Number.isSafeInteger is false for every non-number: the next operand refuses it" },
  { file: middleware, line: "const hidden = new Set([...sensitive, ...(options.redactHeaders ?? []).map((h) => h.toLowerCase())])", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "\"stryker was here\" is not a token: no header has that name" },
  { file: middleware, line: "options.level === undefined", mutator: "ConditionalExpression", replacement: "false", reason: "Effect.logWithLevel(undefined, …) logs at Info, as Effect.logInfo" },
  // --- multipart-encode ---
  { file: encode, line: "for (let i = 0; i < bytes.length && n < 16; i++) {", mutator: "EqualityOperator", replacement: "i <= bytes.length", reason: "bytes[bytes.length] is undefined, never < 250: no letter is drawn from it" },
  { file: encode, line: "return i < 0 ? path : path.slice(i + 1)", mutator: "ConditionalExpression", replacement: "false", reason: "with i = -1, path.slice(i + 1) is path" },
  { file: encode, line: "const e = checkValue(`Content-Disposition parameter ${k}`, typeof v === \"string\" ? v.replace(/[\\r\\n]/g, \"\") : v)", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "CR and LF replaced by printable text instead of nothing: checkValue finds the same control characters (the value sent is v, escaped)" },
  { file: encode, line: "if (typeof k !== \"string\" || !isToken(k)) return bad(\"header-name\"", mutator: "ConditionalExpression", replacement: "false", reason: "(the `typeof k` operand) Headers.toRaw gives string names only; isToken refuses the rest" },
  { file: encode, line: "for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {", mutator: "ArithmeticOperator", replacement: "i - needle.length", reason: "the length bound only stops early: past it haystack[i + j] is undefined and never matches" },
  { file: encode, line: "for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the length-bound operand; the `i !== -1` one is killed) the bound only stops early: past it haystack[i + j] is undefined and never matches" },
  { file: encode, line: "const f: Frame<S> = { env, segments: [], text: \"\", length: 0, replayable: true, known: [], boundaries: [b], fixed }", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "(known) a delimiter starts with \"--\", which \"Stryker was here\" does not hold: it never collides" }
]
