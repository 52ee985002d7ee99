/**
 * Equivalent mutants of the `@effect/platform` HttpClient adapter
 * (src/internal/httpclient/*, src/HackneyHttpClient.ts): no test can tell
 * them from the original; each has its reason. Spread into
 * stryker/equivalent.mjs.
 */
const request = "src/internal/httpclient/request.ts"
const options = "src/internal/httpclient/options.ts"
const response = "src/internal/httpclient/response.ts"
const exchange = "src/internal/httpclient/exchange.ts"
const client = "src/internal/httpclient/client.ts"
const cookies = "src/internal/httpclient/cookies.ts"
const redirect = "src/internal/httpclient/redirect.ts"
const middleware = "src/internal/httpclient/middleware.ts"
const alwaysMerged = "merging the layer's context into every request is always right (a request's own services win); skipping it for inert services only saves the per-request merge"

const supportedKeys = [
  "headers", "connectTimeout", "recvTimeout", "checkoutTimeout", "maxPerHost", "pool", "maxBodySize", "basicAuth", "tls",
  "insecure", "protocols", "lookup", "family", "localAddress", "autoDecompress", "maxHeaderSize", "maxHeaderCount",
  "maxStartLineLength", "proxy", "proxyAuth", "noProxy", "socks5Resolve", "proxyTls"
]

const cacheBound = (line, size, max, file = request) => [
  { file, line, mutator: "ConditionalExpression", replacement: "true", reason: "clearing the cache on every miss only costs recomputation: same values" },
  { file, line, mutator: "ConditionalExpression", replacement: "false", reason: "an unbounded cache holds the same values (the bound is a memory limit, not behaviour)" },
  { file, line, mutator: "EqualityOperator", replacement: `${size} > ${max}`, reason: "one entry more before clearing: same values" },
  { file, line, mutator: "EqualityOperator", replacement: `${size} < ${max}`, reason: "clearing on every miss only costs recomputation: same values" }
]

const readableStreamGuard = "typeof ReadableStream !== \"undefined\" && u instanceof ReadableStream"
const viaAsyncIterable = "a web ReadableStream is an async iterable in Node 18+: the next branch makes the same stream"

export const httpclient = [
  { file: request, line: "if (info !== undefined) return info", mutator: "ConditionalExpression", replacement: "false", reason: "the origin cache: parsing the origin again gives the same info" },
  { file: request, line: "if (Either.isLeft(parsed)) return parsed.left", mutator: "ConditionalExpression", replacement: "false", reason: "the origin of an http(s) WHATWG URL always parses as a Url (checked on odd hosts: a_b, a*b, -a, 0x7f.1, %41): an unreachable guard" },
  ...cacheBound("if (origins.size >= ORIGIN_CACHE_MAX) origins.clear()", "origins.size", "ORIGIN_CACHE_MAX"),
  ...cacheBound("if (urls.size >= URL_CACHE_MAX) urls.clear()", "urls.size", "URL_CACHE_MAX"),
  { file: request, line: "if (hit !== undefined) return hit", mutator: "ConditionalExpression", replacement: "false", reason: "the URL cache: a fresh entry has the same fields (only its last-request memo is lost: a rebuild)" },
  { file: request, line: "target: url.search === \"\" ? url.pathname : url.pathname + url.search,", mutator: "ConditionalExpression", replacement: "false", reason: "pathname + an empty search is the pathname" },
  { file: request, line: "target: url.search === \"\" ? url.pathname : url.pathname + url.search,", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "pathname + an empty search is the pathname" },
  { file: request, line: "href: url.hash === \"\" ? key : key.slice(0, key.length - url.hash.length),", mutator: "ConditionalExpression", replacement: "false", reason: "slicing off an empty hash leaves the href" },
  { file: request, line: "href: url.hash === \"\" ? key : key.slice(0, key.length - url.hash.length),", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "slicing off an empty hash leaves the href" },
  { file: request, line: "const isReadableStream = (u: unknown): u is ReadableStream<Uint8Array> =>", mutator: "ArrowFunction", replacement: "() => undefined", reason: viaAsyncIterable },
  { file: request, line: readableStreamGuard, mutator: "ConditionalExpression", replacement: "false", reason: viaAsyncIterable },
  { file: request, line: readableStreamGuard, mutator: "ConditionalExpression", replacement: "true", reason: "(the typeof operand) ReadableStream is a global of every Node this supports" },
  { file: request, line: readableStreamGuard, mutator: "EqualityOperator", replacement: "typeof ReadableStream === \"undefined\"", reason: viaAsyncIterable },
  { file: request, line: readableStreamGuard, mutator: "StringLiteral", replacement: "\"\"", reason: "(the typeof operand) ReadableStream is a global of every Node this supports" },
  { file: request, line: "if (isReadableStream(raw)) return streamBody(", mutator: "ConditionalExpression", replacement: "false", reason: viaAsyncIterable },
  { file: request, line: "typeof u === \"object\" && u !== null && Symbol.asyncIterator in u", mutator: "ConditionalExpression", replacement: "true", reason: "(the `u !== null` operand) rawBody returns for null before it asks" },
  { file: request, line: "if (raw instanceof Uint8Array) return { _tag: \"Bytes\", bytes: raw }", mutator: "ConditionalExpression", replacement: "false", reason: "the ArrayBuffer.isView branch gives the same bytes (toBytes returns a Uint8Array as it is)" },
  { file: request, line: "if (typeof Blob !== \"undefined\" && raw instanceof Blob)", mutator: "ConditionalExpression", replacement: "true", reason: "(the typeof operand) Blob is a global of every Node this supports" },
  { file: request, line: "if (typeof Blob !== \"undefined\" && raw instanceof Blob)", mutator: "StringLiteral", replacement: "\"\"", reason: "(the typeof operand) Blob is a global of every Node this supports" },
  { file: request, line: "last !== undefined && b._tag === \"Empty\" && last.method === method && info.lastHeaders === request.headers &&", mutator: "ConditionalExpression", replacement: "false", reason: "never reusing the last request builds an equal one" },
  { file: request, line: "last !== undefined && b._tag === \"Empty\" && last.method === method && info.lastHeaders === request.headers &&", mutator: "StringLiteral", replacement: "\"\"", reason: "no body's tag is \"\": never reusing the last request builds an equal one" },
  { file: request, line: "case \"Uint8Array\":", mutator: "ConditionalExpression", replacement: "case \"Uint8Array\":", reason: "falling through to the Raw case makes the same Bytes body of the same array" },
  { file: request, line: "if (b._tag === \"Empty\") {", mutator: "ConditionalExpression", replacement: "false", reason: "never remembering the last request only costs a rebuild" },
  { file: request, line: "if (b._tag === \"Empty\") {", mutator: "BlockStatement", replacement: "{}", reason: "never remembering the last request only costs a rebuild" },
  { file: request, line: "if (b._tag === \"Empty\") {", mutator: "StringLiteral", replacement: "\"\"", reason: "never remembering the last request only costs a rebuild" },
  ...[["ConditionalExpression", "false"], ["ObjectLiteral", "{}"]].map(([mutator, replacement]) => ({
    file: request, line: "if (form instanceof InvalidRequest) return { cause: new InvalidRequest({ reason: form.reason, detail: form.detail, method, url: href }) }", mutator, replacement,
    reason: "unreachable from a FormData: names and filenames are escaped, the Blob constructor empties a type with control characters, and the boundary is drawn until it clashes with no part"
  })),
  // response.ts
  { file: response, line: "if (lower === undefined) {", mutator: "ConditionalExpression", replacement: "true", reason: "lower-casing the name again gives the same string" },
  ...cacheBound("if (lowerNames.size >= 1024) lowerNames.clear()", "lowerNames.size", "1024", response),
  { file: response, line: "if (locations !== undefined) repeatedLocations.set(headers, locations)", mutator: "ConditionalExpression", replacement: "true", reason: "storing undefined: the lookup gives undefined either way" },
  { file: response, line: "if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer", mutator: "ConditionalExpression", replacement: "false", reason: "always copying gives the same bytes in a buffer of their own" },
  { file: response, line: "if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer", mutator: "ConditionalExpression", replacement: "true", reason: "(the byteOffset operand) a view as long as its buffer starts at 0 (the other `true`, of the length operand, is killed)" },
  { file: response, line: "if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer", mutator: "EqualityOperator", replacement: "b.byteOffset !== 0", reason: "a view at an offset is never as long as its buffer: always a copy, the same bytes" },
  { file: response, line: "      } else {", mutator: "BlockStatement", replacement: "{}", reason: "(the else of the decoding plan: 6 spaces, the only such line) the headers getter makes the same headers from the raw lines when asked" },
  { file: response, line: "return this.cachedCookies = values.length === 0 ? Cookies.empty : Cookies.fromSetCookie(values)", mutator: "ConditionalExpression", replacement: "false", reason: "fromSetCookie of no line is an empty Cookies: the shortcut only saves the parse" },
  { file: response, line: "if (raw[i].length === 10 && raw[i].toLowerCase() === \"set-cookie\") values.push(raw[i + 1])", mutator: "ConditionalExpression", replacement: "true", reason: "(the length operand) a shortcut before the name comparison, which decides alone" },
  { file: response, line: "if (ex.buffered > 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "taking an empty buffer adds no chunk and no byte" },
  { file: response, line: "if (ex.buffered > 0) {", mutator: "EqualityOperator", replacement: "ex.buffered >= 0", reason: "taking an empty buffer adds no chunk and no byte" },
  { file: response, line: "catch: (cause) => this.decodeError(cause, \"URL-encoded parameters\")", mutator: "ArrowFunction", replacement: "() => undefined", reason: "unreachable: new URLSearchParams of a string and UrlParams.fromInput of it never throw" },
  { file: response, line: "catch: (cause) => this.decodeError(cause, \"URL-encoded parameters\")", mutator: "StringLiteral", replacement: "\"\"", reason: "unreachable: new URLSearchParams of a string and UrlParams.fromInput of it never throw" },
  // exchange.ts
  { file: exchange, line: "fiber !== undefined && takesIdle(o, source)", mutator: "ConditionalExpression", replacement: "false", reason: "the general path checks an idle connection out too: the idle path saves a step, same exchange" },
  { file: exchange, line: "fiber !== undefined && takesIdle(o, source)", mutator: "EqualityOperator", replacement: "fiber === undefined", reason: "the adapter always passes its fiber: never the idle path, which the general path does the same as" },
  { file: exchange, line: "if (this.signal !== undefined) {", mutator: "ConditionalExpression", replacement: "false", reason: "a listener left on the signal calls release again, which returns at once (released)" },
  { file: exchange, line: "if (this.signal !== undefined) {", mutator: "BlockStatement", replacement: "{}", reason: "a listener left on the signal calls release again, which returns at once (released)" },
  { file: exchange, line: "this.signal.removeEventListener(\"abort\", this)", mutator: "StringLiteral", replacement: "\"\"", reason: "a listener left on the signal calls release again, which returns at once (released)" },
  { file: exchange, line: "if (this.released) return", mutator: "ConditionalExpression", replacement: "false", reason: "watching after the release: the abort calls release again, which returns at once" },
  ...[
    ["if (this.sending) {", "ConditionalExpression", "false"],
    ["if (this.sending) {", "BlockStatement", "{}"],
    ["this.sending = false", "BooleanLiteral", "true"],
    ["this.sender?.unsafeInterruptAsFork(FiberId.none)", "OptionalChaining", "this.sender.unsafeInterruptAsFork"],
    ["lease.sending = true", "BooleanLiteral", "false"],
    ["(fiber) => {", "BlockStatement", "{}"],
    ["Effect.sync(() => {", "BlockStatement", "{}"],
    ["lease.sending = false", "BooleanLiteral", "true"]
  ].map(([line, mutator, replacement]) => ({
    file: exchange, line, mutator, replacement,
    reason: "releasing an exchange whose request is half written closes its connection (conn.release does not keep it), which ends the sender too: checked by hand, the body's finalizer runs and the socket closes without the `sending` branch"
  })),
  // client.ts
  { file: client, line: "if (!inert.has(key)) {", mutator: "ConditionalExpression", replacement: "true", reason: alwaysMerged },
  { file: client, line: "if (!inert.has(key)) {", mutator: "BooleanLiteral", replacement: "inert.has(key)", reason: alwaysMerged },
  { file: client, line: "const inert: ReadonlySet<string> = new Set([", mutator: "ArrayDeclaration", replacement: "[]", reason: alwaysMerged },
  ...["\"effect/Annotations\",", "\"effect/TestLive\",", "\"effect/TestSized\",", "\"effect/TestClock\",", "\"effect/TestConfig\""].map((line) => ({
    file: client, line, mutator: "StringLiteral", replacement: "\"\"", reason: alwaysMerged
  })),
  { file: client, line: "export const requestOptionsKey = \"effect-hackney/HackneyHttpClient/RequestOptions\"", mutator: "StringLiteral", replacement: "\"\"", reason: "the tag and every reader of the request options take the key from this one constant" },
  { file: client, line: "const opts: RequestOptions = over === undefined ? options : { ...options, ...over }", mutator: "ConditionalExpression", replacement: "false", reason: "spreading no request options over the client's gives the same fields (a new object: the request memo only rebuilds)" },
  { file: client, line: "sourceFor(pool, pool === undefined ? context.get(poolKey) as Pool.Pool | undefined : undefined)", mutator: "ConditionalExpression", replacement: "true", reason: "sourceFor reads the context's pool only when no pool option is given" },
  // cookies.ts
  { file: cookies, line: "return i < 0 ? \"\" : pair.slice(0, i).trim()", mutator: "EqualityOperator", replacement: "i <= 0", reason: "a pair starting with \"=\" has the name \"\" either way" },
  ...[["ConditionalExpression", "false"], ["MethodExpression", "own"], ["StringLiteral", "\"Stryker was here!\""]].map(([mutator, replacement]) => ({
    file: cookies, line: "if (own === undefined || own.trim() === \"\") return fromJar", mutator, replacement,
    reason: "a blank own header keeps no pair, and a merge without kept pairs is fromJar"
  })),
  { file: cookies, line: "const url = lines.length === 0 ? undefined : urlOf(response.request)", mutator: "ConditionalExpression", replacement: "false", reason: "storing no line stores nothing: the shortcut only saves building the URL" },
  // redirect.ts
  { file: redirect, line: "to = new URL(location.trim(), from)", mutator: "MethodExpression", replacement: "location", reason: "the URL parser strips leading and trailing spaces and C0 controls itself" },
  { file: redirect, line: "Effect.provideService(execute, requestOptionsTag, { ...Option.getOrElse(over, () => ({})), [guardMark]: true }))", mutator: "ArrowFunction", replacement: "() => undefined", reason: "spreading undefined adds no field, like spreading {}" },
  { file: redirect, line: "if (dropsCredentials(trusted, from !== undefined && from.origin === to.origin)) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the `from !== undefined` operand) a request that got a response had a URL the platform could build" },
  { file: redirect, line: "const hrefOf = (request: ClientRequest.HttpClientRequest): string => urlOf(request)?.href ?? request.url", mutator: "LogicalOperator", replacement: "urlOf(request)?.href && request.url", reason: "(with the OptionalChaining one) hrefOf is asked of requests whose URL the platform built: urlOf never fails there" },
  { file: redirect, line: "const hrefOf = (request: ClientRequest.HttpClientRequest): string => urlOf(request)?.href ?? request.url", mutator: "OptionalChaining", replacement: "urlOf(request).href", reason: "hrefOf is asked of requests whose URL the platform built: urlOf never fails there" },
  // middleware.ts
  { file: middleware, line: "req === view ? original : Object.assign(Object.create(Object.getPrototypeOf(original)), original, {", mutator: "ConditionalExpression", replacement: "false", reason: "a copy of an unchanged request has the original's fields" },
  { file: middleware, line: "target = req.url === href ? url : new URL(req.url)", mutator: "ConditionalExpression", replacement: "false", reason: "new URL of the URL's own href is an equal URL" },
  ...[["ObjectLiteral", "{}"], ["StringLiteral", "\"\""]].map(([mutator, replacement]) => ({
    file: middleware, line: ": new ProtocolError({ reason: \"internal\", detail: \"the response body failed without a HackneyError\"", mutator, replacement,
    reason: "unreachable: every failure of the engine's response body stream is a ResponseError whose cause is a HackneyError"
  })),
  ...supportedKeys.map((key) => ({
    file: options, line: `  ${key}: true`, mutator: "BooleanLiteral", replacement: "false",
    reason: "the table of kept options is read by key (hasOwnProperty), never by value"
  }))
]
