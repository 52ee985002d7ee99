/**
 * The incremental HTTP/1.x parser (hackney_http): sans-IO, owned by one
 * caller, input split at any byte.
 *
 * Lines (start line, header lines, chunk-size lines, trailer lines) are
 * parsed when their LF arrives; a partial line is copied into a small
 * buffer bounded by the limits. Body bytes are never copied: `onData`
 * receives `subarray` views of the input.
 *
 * @internal
 */
import * as bytes from "./bytes.js"
import type { ParseErrorReason } from "./error.js"
import * as errors from "./error.js"
import type { BodyKind } from "./framing.js"
import { emptyArray, Head } from "./young.js"
import * as framing from "./framing.js"
import * as keepAlive from "./keepAlive.js"

export {
  /** @internal */
  Http1ParseError
} from "./error.js"
export type {
  /** @internal */
  ParseErrorReason
} from "./error.js"

// Module-local copies of the imported bindings used on the hot path: under a
// CommonJS interop (tsx, some bundlers) every access to an imported binding
// becomes a getter call, which cost more than the parsing itself.
const COLON = bytes.COLON
const COMMON_HEADER_NAMES = bytes.COMMON_HEADER_NAMES
const CR = bytes.CR
const FIELD_VALUE = bytes.FIELD_VALUE
const HEX = bytes.HEX
const HTAB = bytes.HTAB
const LF = bytes.LF
const SEMI = bytes.SEMI
const SP = bytes.SP
const StringCache = bytes.StringCache
const TARGET = bytes.TARGET
const TCHAR = bytes.TCHAR
const latin1 = bytes.latin1
const Http1ParseError = errors.Http1ParseError
const parseChunkSizeLine = framing.parseChunkSizeLine
const parseContentLength = framing.parseContentLength
const scanTransferEncoding = framing.scanTransferEncoding
const CONN_UPGRADE = keepAlive.CONN_UPGRADE
const connectionTokens = keepAlive.connectionTokens
const keepAliveFrom = keepAlive.keepAliveFrom

export type { ResponseHead, RequestHead, ParserSink, Http1Event, ParserOptions, HeadLimits } from "./types.js"
export { defaults } from "./types.js"
import type { ResponseHead, RequestHead, ParserSink, Http1Event, ParserOptions, HeadLimits } from "./types.js"
import { defaults } from "./types.js"

const S_HEAD = 0
const S_BODY_LENGTH = 1
const S_CHUNK_SIZE = 2
const S_CHUNK_DATA = 3
const S_CHUNK_DATA_CR = 4
const S_CHUNK_DATA_LF = 5
const S_TRAILERS = 6
const S_BODY_CLOSE = 7
const S_CLOSED = 8
const S_UPGRADED = 9
const S_ERROR = 10

const STATE_NAMES = [
  "head",
  "body (Content-Length)",
  "chunk size",
  "chunk data",
  "CRLF after chunk data",
  "CRLF after chunk data",
  "trailers",
  "body (until close)",
  "closed",
  "upgraded",
  "error"
]

const MODE_RESPONSE = 0
const MODE_REQUEST = 1
const MODE_AUTO = 2
const u8IndexOf = Uint8Array.prototype.indexOf
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)
const eqLower = (buf: Uint8Array, s: number, word: string): boolean => {
  for (let i = 0; i < word.length; i++) if (lower(buf[s + i]) !== word.charCodeAt(i)) return false
  return true
}

const fail = (reason: ParseErrorReason, offset: number, detail: string): never => {
  throw new Http1ParseError({ reason, offset, detail })
}

/**
 * Checks the field-value bytes `b[vs, e)` (`base + i` is the absolute offset
 * of `b[i]`) and returns where the value ends without its trailing OWS.
 */
const valueEnd = (b: Uint8Array, vs: number, e: number, base: number): number => {
  for (let i = vs; i < e; i++) {
    if (FIELD_VALUE[b[i]] === 0) {
      // (A CR here is a bare CR: the partial-line recheck reports it, or an earlier error.)
      fail("InvalidHeaderValue", base + i, "an invalid byte in a header value")
    }
  }
  let ve = e
  while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HTAB)) ve--
  return ve
}

/** @internal */
export class Http1Parser {
  #maxStart: number
  #maxHeader: number
  #maxCount: number
  #limits: HeadLimits | undefined = undefined
  readonly #maxExt: number
  readonly #maxTrailer: number
  readonly #maxEmpty: number
  #bareLf: boolean
  /** `allowBareLf` was left to its mode-dependent default. */
  readonly #bareLfDefault: boolean
  #mode: number

  #state = S_HEAD
  /** Absolute offset of the current input's first byte. */
  #consumed = 0

  // The partial line.
  #line = new Uint8Array(256)
  #lineLen = 0
  #lineAbs = 0

  // The head being parsed.
  #startSeen = false
  #isRequest = false
  #headBytes = 0
  #emptyLines = 0
  #vMaj = 1
  #vMin = 1
  #status = 0
  #reason = ""
  #method = ""
  #target = ""
  #pri = false
  #headers: Array<string> = []
  #hasCl = false
  #cl = 0
  #hasTe = false
  #teChunked = 0
  #teFinal = false
  #conn = 0
  #hasUpgrade = false

  // The body being parsed.
  #remaining = 0
  #keepAlive = true
  #upgradeAfterBody = false
  #trailers: Array<string> = []
  #trailerBytes = 0

  // Methods of requests whose responses are awaited (FIFO).
  #methods: Array<string> = []
  #methodHead = 0

  readonly #names = new StringCache(COMMON_HEADER_NAMES)
  readonly #values = new StringCache()

  constructor(options: ParserOptions = {}) {
    this.#mode = options.mode === "request" ? MODE_REQUEST : options.mode === "auto" ? MODE_AUTO : MODE_RESPONSE
    this.#isRequest = this.#mode === MODE_REQUEST
    this.#maxStart = options.maxStartLineLength ?? defaults.maxStartLineLength
    this.#maxHeader = options.maxHeaderSize ?? defaults.maxHeaderSize
    this.#maxCount = options.maxHeaderCount ?? defaults.maxHeaderCount
    this.#maxExt = options.maxChunkExtensionLength ?? defaults.maxChunkExtensionLength
    this.#maxTrailer = options.maxTrailerSize ?? defaults.maxTrailerSize
    this.#maxEmpty = options.maxEmptyLines ?? defaults.maxEmptyLines
    this.#bareLfDefault = options.allowBareLf === undefined
    this.#bareLf = options.allowBareLf ?? this.#mode !== MODE_REQUEST
  }

  /**
   * Replaces the head limits (start line, header section, header count) for
   * the messages that follow; a connection calls it between messages, with
   * the limits of the request whose response comes next. The same object
   * again is a no-op.
   */
  setHeadLimits(limits: HeadLimits): void {
    if (limits === this.#limits) return
    this.#limits = limits
    this.#maxStart = limits.maxStartLineLength
    this.#maxHeader = limits.maxHeaderSize
    this.#maxCount = limits.maxHeaderCount
  }

  /** Between messages, with no byte received since the last one ended (not even a skipped blank line). */
  get isIdle(): boolean {
    return this.#state === S_HEAD && !this.#startSeen && this.#lineLen === 0 && this.#emptyLines === 0
  }

  /** The state's name, for diagnostics. */
  get stateName(): string {
    return STATE_NAMES[this.#state]
  }

  expectResponseTo(method: string): void {
    if (this.#methodHead > 64 && this.#methodHead * 2 > this.#methods.length) {
      this.#methods = this.#methods.slice(this.#methodHead)
      this.#methodHead = 0
    }
    this.#methods.push(method)
  }

  execute(buf: Uint8Array, sink: ParserSink): void {
    if (this.#state >= S_UPGRADED) this.#stopped()
    try {
      this.#run(buf, sink)
    } catch (e) {
      this.#state = S_ERROR
      throw e
    }
  }

  finish(sink: ParserSink): void {
    const st = this.#state
    if (st >= S_UPGRADED) this.#stopped()
    const at = this.#consumed
    if (st === S_BODY_CLOSE) {
      this.#state = S_CLOSED
      this.#resetHead()
      sink.onMessageComplete(false)
      return
    }
    if (st === S_CLOSED || (st === S_HEAD && !this.#startSeen && this.#lineLen === 0)) return
    this.#state = S_ERROR
    const where = st === S_HEAD
      ? this.#startSeen ? "in the header section" : "in the start line"
      : st === S_BODY_LENGTH
      ? `in the body, ${this.#remaining} bytes short of its Content-Length`
      : st === S_CHUNK_DATA
      ? `in a chunk, ${this.#remaining} bytes short`
      : `in the ${STATE_NAMES[st]}`
    fail("IncompleteMessage", at, `connection closed ${where}`)
  }

  push(buf: Uint8Array): ReadonlyArray<Http1Event> {
    const collector = new Collector()
    this.execute(buf, collector)
    return collector.events
  }

  end(): ReadonlyArray<Http1Event> {
    const collector = new Collector()
    this.finish(collector)
    return collector.events
  }

  #stopped(): never {
    return fail(
      "Stopped",
      this.#consumed,
      this.#state === S_UPGRADED ? "the connection was upgraded" : "the parser failed earlier"
    )
  }

  #run(buf: Uint8Array, sink: ParserSink): void {
    const len = buf.length
    let pos = 0
    while (pos < len) {
      const st = this.#state
      if (st === S_BODY_LENGTH || st === S_CHUNK_DATA) {
        const avail = len - pos
        const rem = this.#remaining
        if (avail < rem) {
          sink.onData(pos === 0 ? buf : buf.subarray(pos))
          this.#remaining = rem - avail
          pos = len
        } else {
          sink.onData(buf.subarray(pos, pos + rem))
          pos += rem
          this.#remaining = 0
          if (st === S_CHUNK_DATA) this.#state = S_CHUNK_DATA_CR
          else this.#complete(sink)
        }
      } else if (st === S_HEAD || st === S_CHUNK_SIZE || st === S_TRAILERS) {
        // The typed-array builtin: `Buffer#indexOf` (strings, encodings) is much slower.
        const lf = u8IndexOf.call(buf, LF, pos)
        if (lf === -1) {
          this.#stash(buf, pos, len)
          pos = len
          break
        }
        let lbuf = buf
        let ls = pos
        let le = lf
        let abs = this.#consumed + pos
        if (this.#lineLen > 0) {
          this.#stash(buf, pos, lf)
          lbuf = this.#line
          ls = 0
          le = this.#lineLen
          abs = this.#lineAbs
          this.#lineLen = 0
          this.#nameScan = 0
        } else {
          this.#checkLine(le - ls, abs, buf, le)
        }
        pos = lf + 1
        this.#onLine(lbuf, ls, le, abs, sink)
      } else if (st === S_CHUNK_DATA_CR) {
        const c = buf[pos]
        if (c === CR) {
          this.#state = S_CHUNK_DATA_LF
          pos++
        } else if (c === LF && this.#bareLf) {
          this.#state = S_CHUNK_SIZE
          pos++
        } else fail("InvalidChunkData", this.#consumed + pos, "expected CRLF after chunk data")
      } else if (st === S_CHUNK_DATA_LF) {
        if (buf[pos] !== LF) fail("InvalidChunkData", this.#consumed + pos, "expected LF after CR after chunk data")
        this.#state = S_CHUNK_SIZE
        pos++
      } else if (st === S_BODY_CLOSE) {
        sink.onData(pos === 0 ? buf : buf.subarray(pos))
        pos = len
      } else if (st === S_CLOSED) {
        const c = buf[pos]
        if (c !== CR && c !== LF) {
          fail(
            "UnexpectedData",
            this.#consumed + pos,
            "bytes after a message that closes the connection (keep-alive is off)"
          )
        }
        pos++
      } else if (st === S_UPGRADED) {
        // One `execute` can complete the head and upgrade: hand over the rest.
        this.#consumed += len
        this.#handOver(buf.subarray(pos), sink)
        return
      } else this.#stopped() // S_ERROR: unreachable, `execute` refuses a failed parser before the loop
    }
    this.#consumed += len
    // The upgrade happened exactly at the end of this input.
    if (this.#state === S_UPGRADED) this.#handOver(buf.subarray(len), sink)
  }

  #handOver(rest: Uint8Array, sink: ParserSink): void {
    if (this.#upgradeSignalled) return
    this.#upgradeSignalled = true
    if (sink.onUpgrade !== undefined) sink.onUpgrade(rest)
  }

  #upgradeSignalled = false

  /** Appends a partial line to the line buffer, enforcing the limits. */
  #stash(buf: Uint8Array, start: number, end: number): void {
    const n = end - start
    if (this.#lineLen === 0) this.#lineAbs = this.#consumed + start
    const need = this.#lineLen + n
    // The last byte counted: the new bytes' last, or the stashed line's when none is new (the LF came next).
    if (n > 0) this.#checkLine(need, this.#lineAbs, buf, end)
    else this.#checkLine(need, this.#lineAbs, this.#line, this.#lineLen)
    const from = this.#stashed(buf, start, end)
    this.#earlyCheck(from)
  }

  /** Copies bytes into the line buffer (already checked against the limits); returns where they start. */
  #stashed(buf: Uint8Array, start: number, end: number): number {
    const from = this.#lineLen
    const need = from + end - start
    if (need > this.#line.length) {
      const grown = new Uint8Array(Math.max(need, this.#line.length * 2))
      grown.set(this.#line.subarray(0, from))
      this.#line = grown
    }
    this.#line.set(buf.subarray(start, end), from)
    this.#lineLen = need
    return from
  }

  /**
   * Fails as soon as a partial line (no LF yet) is certainly invalid, so a
   * peer cannot keep the parser waiting on a line that can never be valid.
   * `from` is where the newly stashed bytes start in the line buffer.
   */
  #earlyCheck(from: number): void {
    const b = this.#line
    const all = this.#lineLen
    const abs = this.#lineAbs
    // A CR must be followed by LF: a CR with a byte after it is a bare CR.
    // The bytes before it are checked first, so the earliest error wins.
    let bareCr = -1
    for (let k = from > 0 ? from - 1 : 0; k < all - 1; k++) {
      if (b[k] === CR) {
        bareCr = k
        break
      }
    }
    const n = bareCr === -1 ? all : bareCr + 1
    this.#prefixCheck(b, from, n, abs)
    if (bareCr !== -1) fail("InvalidLineEnding", abs + bareCr + 1, "CR not followed by LF")
  }

  #prefixCheck(b: Uint8Array, from: number, n: number, abs: number): void {
    const st = this.#state
    if ((st === S_HEAD && this.#startSeen) || st === S_TRAILERS) {
      if (from === 0 && (b[0] === SP || b[0] === HTAB)) {
        this.#foldAllowed(abs)
        // A continuation line carries value bytes only, checked when it is complete.
        this.#nameScan = -1
      }
      // The field name so far: tchars, then a colon.
      if (this.#nameScan >= 0) {
        let i = this.#nameScan
        while (i < n && TCHAR[b[i]] === 1) i++
        this.#nameScan = i
        if (i < n) {
          if ((b[i] !== COLON || i === 0) && b[i] !== CR) {
            fail("InvalidHeaderName", abs + i, "an invalid byte in the header name")
          }
          this.#nameScan = -1
        }
      }
    } else if (st === S_HEAD && (n <= 256 || b.subarray(from, n).includes(SP))) {
      let mode = this.#mode
      if (mode === MODE_AUTO) {
        // The same guess as #startLine: "HTTP/" starts a status line.
        let k = 0
        while (k < 5 && k < n && b[k] === HTTP_SLASH[k]) k++
        if (k === 5) mode = MODE_RESPONSE
        else if (k === n) return
        else mode = MODE_REQUEST
      }
      if (mode === MODE_REQUEST) this.#requestLinePrefix(b, n, abs)
      else this.#statusLinePrefix(b, n, abs)
    } else if (st === S_CHUNK_SIZE) {
      // Hex digits, then `;` or the CR of the line end.
      let i = 0
      while (i < n && HEX[b[i]] !== 255) i++
      if (i < n && b[i] !== SEMI && b[i] !== CR) fail("InvalidChunkSize", abs + i, "invalid byte in chunk size")
    }
  }

  /** How far the field name of the partial line was checked; -1 once past the colon. */
  #nameScan = 0

  #requestLinePrefix(b: Uint8Array, n: number, abs: number): void {
    if (b[0] === CR) return
    let i = 0
    while (i < n && TCHAR[b[i]] === 1) i++
    if (i === n) return
    if (b[i] !== SP || i === 0) fail("InvalidRequestLine", abs + i, "invalid method")
    const ts = ++i
    while (i < n && TARGET[b[i]] === 1) i++
    if (i === n) return
    if (b[i] !== SP || i === ts) fail("InvalidRequestLine", abs + i, "invalid request target")
    this.#versionPrefix(b, i + 1, n, abs, true)
  }

  #statusLinePrefix(b: Uint8Array, n: number, abs: number): void {
    if (b[0] === CR || this.#versionPrefix(b, 0, n, abs, false)) return
    if (n > 8 && b[8] !== SP) fail("InvalidVersion", abs + 8, "expected SP after the version")
    for (let i = 9; i < 12 && i < n; i++) {
      if (b[i] < 0x30 || b[i] > 0x39) fail("InvalidStatusLine", abs + i, "the status code is not three digits")
    }
    if (n > 12 && b[12] !== SP && b[12] !== CR) fail("InvalidStatusLine", abs + 12, "expected SP after the status code")
  }

  /** Checks `HTTP/d.d` at `b[i]` as far as it goes; true when it is still incomplete. */
  #versionPrefix(b: Uint8Array, i: number, n: number, abs: number, request: boolean): boolean {
    const proto = "HTTP/"
    for (let k = 0; k < 5; k++) {
      if (i + k >= n) return true
      if (b[i + k] !== proto.charCodeAt(k)) {
        fail(request ? "InvalidRequestLine" : "InvalidStatusLine", abs + i + k, "expected HTTP/")
      }
    }
    if (i + 5 >= n) return true
    if (b[i + 5] < 0x30 || b[i + 5] > 0x39) fail("InvalidVersion", abs + i + 5, "expected a version digit")
    if (i + 6 >= n) return true
    if (b[i + 6] !== 0x2e) fail("InvalidVersion", abs + i + 6, "expected a dot in the version")
    if (i + 7 >= n) return true
    const maj = b[i + 5] - 0x30
    const min = b[i + 7] - 0x30
    if (min < 0 || min > 9 || !((maj === 1 && min <= 1) || (request && maj === 2 && min === 0))) {
      fail("InvalidVersion", abs + i + 5, "unsupported HTTP version")
    }
    if (request && i + 8 < n && b[i + 8] !== CR) {
      fail("InvalidRequestLine", abs + i + 8, "unexpected bytes after the version")
    }
    return i + 8 >= n
  }

  /**
   * Checks the length of a (partial) line, CRLF excluded, against the limits;
   * `n` counts the bytes before the LF, `b[end - 1]` is the last of them.
   */
  #checkLine(n: number, abs: number, b: Uint8Array, end: number): void {
    const st = this.#state
    if (st === S_HEAD) {
      if (!this.#startSeen) {
        // A CR just past the limit may be the CR of the line's CRLF, which the limit excludes.
        if (n > this.#maxStart && (n > this.#maxStart + 1 || b[end - 1] !== CR)) {
          fail("StartLineTooLong", abs + this.#maxStart, `start line longer than ${this.#maxStart} bytes; raise the maxStartLineLength option if it is legitimate`)
        }
      } else if (this.#headBytes + n > this.#maxHeader) {
        fail("HeaderSectionTooLarge", abs, `header section larger than ${this.#maxHeader} bytes; raise the maxHeaderSize option if it is legitimate`)
      }
    } else if (st === S_CHUNK_SIZE) {
      if (n > this.#maxExt + 32) {
        fail("ChunkExtensionTooLong", abs, `chunk-size line longer than ${this.#maxExt + 32} bytes`)
      }
    } else if (this.#trailerBytes + n > this.#maxTrailer) {
      fail("TrailerSectionTooLarge", abs, `trailer section larger than ${this.#maxTrailer} bytes`)
    }
  }

  /** A complete line `lbuf[ls, le)`; `lbuf[le]` was the LF. */
  #onLine(lbuf: Uint8Array, ls: number, le: number, abs: number, sink: ParserSink): void {
    let end = le
    if (end > ls && lbuf[end - 1] === CR) end--
    else if (!this.#bareLf) {
      this.#recheck(lbuf, ls, le, abs)
      fail("InvalidLineEnding", abs + (le - ls), "LF without CR")
    }
    try {
      this.#onCompleteLine(lbuf, ls, end, le, abs, sink)
    } catch (e) {
      if (e instanceof Http1ParseError) this.#recheck(lbuf, ls, le, abs)
      throw e
    }
  }

  /**
   * On the (cold) error path: runs the partial-line check over the whole line
   * so that the error reported is the one a byte-by-byte feed would have hit
   * first; the result does not depend on how the input was split.
   */
  #recheck(lbuf: Uint8Array, ls: number, le: number, abs: number): void {
    if (lbuf === this.#line) this.#lineLen = le
    else {
      this.#lineLen = 0
      this.#stashed(lbuf, ls, le)
    }
    this.#lineAbs = abs
    this.#nameScan = 0
    this.#earlyCheck(0)
    this.#lineLen = 0
  }

  #onCompleteLine(lbuf: Uint8Array, ls: number, end: number, le: number, abs: number, sink: ParserSink): void {
    const st = this.#state
    if (st === S_HEAD) {
      if (!this.#startSeen) {
        if (end === ls) {
          if (++this.#emptyLines > this.#maxEmpty) {
            fail("TooManyEmptyLines", abs, `more than ${this.#maxEmpty} empty lines before the start line`)
          }
          return
        }
        this.#headBytes = le - ls + 1
        this.#startLine(lbuf, ls, end, abs)
        // Auto mode just found a request: bare LF is strict there unless asked for.
        if (end === le && !this.#bareLf) fail("InvalidLineEnding", abs + (le - ls), "LF without CR")
        this.#startSeen = true
        return
      }
      this.#headBytes += le - ls + 1
      if (this.#headBytes > this.#maxHeader) {
        fail("HeaderSectionTooLarge", abs, `header section larger than ${this.#maxHeader} bytes; raise the maxHeaderSize option if it is legitimate`)
      }
      if (end === ls) this.#headComplete(sink, abs)
      else this.#headerLine(lbuf, ls, end, abs, this.#headers, true)
    } else if (st === S_CHUNK_SIZE) {
      const size = parseChunkSizeLine(lbuf, ls, end, abs, this.#maxExt)
      if (size === 0) {
        this.#state = S_TRAILERS
        this.#trailerBytes = 0
      } else {
        this.#remaining = size
        this.#state = S_CHUNK_DATA
      }
    } else {
      // S_TRAILERS
      this.#trailerBytes += le - ls + 1
      if (this.#trailerBytes > this.#maxTrailer) {
        fail("TrailerSectionTooLarge", abs, `trailer section larger than ${this.#maxTrailer} bytes`)
      }
      if (end === ls) {
        const t = this.#trailers
        if (t.length > 0) {
          this.#trailers = emptyArray()
          if (sink.onTrailers !== undefined) sink.onTrailers(t)
        }
        this.#complete(sink)
      } else this.#headerLine(lbuf, ls, end, abs, this.#trailers, false)
    }
  }

  #startLine(b: Uint8Array, s: number, e: number, abs: number): void {
    if (this.#mode === MODE_AUTO) {
      // hackney_http's auto mode, decided once per parser: a line starting
      // with "HTTP/" is a status line, anything else a request line.
      const isResponse = e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 &&
        b[s + 3] === 0x50 && b[s + 4] === 0x2f
      this.#mode = isResponse ? MODE_RESPONSE : MODE_REQUEST
      this.#isRequest = !isResponse
      if (this.#bareLfDefault && !isResponse) this.#bareLf = false
    }
    if (this.#isRequest) this.#requestLine(b, s, e, abs)
    else this.#statusLine(b, s, e, abs)
  }

  /**
   * `HTTP/d.d SP ddd [SP reason]` (RFC 9112 §4). On a failure here `#onLine`
   * runs the partial-line check over the line, whose error (the earliest) is
   * reported when it finds one; a CR inside a line is a bare CR it reports.
   */
  #statusLine(b: Uint8Array, s: number, e: number, abs: number): void {
    const base = abs - s
    // Bounded by `e`: the line buffer may hold an earlier, longer line's bytes past it.
    if (!(e - s >= 5 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 && b[s + 3] === 0x50 && b[s + 4] === 0x2f)) {
      let i = s
      while (i < s + 5 && i < e && b[i] === "HTTP/".charCodeAt(i - s)) i++
      fail("InvalidStatusLine", base + i, "expected HTTP/")
    }
    this.#version(b, s + 5, e, base)
    if (s + 8 >= e || b[s + 8] !== SP) fail("InvalidVersion", base + (s + 8), "expected SP after the version")
    let status = 0
    for (let i = s + 9; i < s + 12; i++) {
      const d = i < e ? b[i] - 0x30 : -1
      if (d < 0 || d > 9) fail("InvalidStatusLine", base + i, "the status code is not three digits")
      status = status * 10 + d
    }
    this.#status = status
    if (e === s + 12) {
      this.#reason = ""
      return
    }
    if (b[s + 12] !== SP) fail("InvalidStatusLine", base + (s + 12), "expected SP after the status code")
    for (let i = s + 13; i < e; i++) {
      const c = b[i]
      if (FIELD_VALUE[c] === 0) {
        fail("InvalidStatusLine", base + i, "invalid byte in the reason phrase")
      }
    }
    this.#reason = latin1(b, s + 13, e)
  }

  /** `d.d` at `b[i]`; accepts 1.0 and 1.1 (and 2.0 for the PRI preface). */
  #version(b: Uint8Array, i: number, e: number, base: number): void {
    const maj = b[i] - 0x30
    if (i >= e || maj < 0 || maj > 9) fail("InvalidVersion", base + i, "expected a version digit")
    if (i + 1 >= e || b[i + 1] !== 0x2e) fail("InvalidVersion", base + (i + 1), "expected a dot in the version")
    const min = b[i + 2] - 0x30
    if (i + 2 >= e || min < 0 || min > 9) fail("InvalidVersion", base + (i + 2), "expected a version digit")
    if (!(maj === 1 && min <= 1) && !(maj === 2 && min === 0 && this.#isRequest)) {
      fail("InvalidVersion", base + i, `unsupported HTTP version ${maj}.${min}`)
    }
    this.#vMaj = maj
    this.#vMin = min
  }

  /** `method SP request-target SP HTTP/d.d` (RFC 9112 §3). */
  #requestLine(b: Uint8Array, s: number, e: number, abs: number): void {
    const base = abs - s
    let i = s
    while (i < e && TCHAR[b[i]] === 1) i++
    if (i === s || i >= e || b[i] !== SP) {
      fail("InvalidRequestLine", base + i, "invalid method")
    }
    const method = this.#names.get(b, s, i)
    const ts = ++i
    while (i < e && TARGET[b[i]] === 1) i++
    if (i === ts || i >= e || b[i] !== SP) {
      fail("InvalidRequestLine", base + i, "invalid request target")
    }
    const target = latin1(b, ts, i)
    i++
    if (
      !(e - i >= 8 && b[i] === 0x48 && b[i + 1] === 0x54 && b[i + 2] === 0x54 && b[i + 3] === 0x50 &&
        b[i + 4] === 0x2f)
    ) {
      fail("InvalidRequestLine", base + i, "expected HTTP/ after the request target")
    }
    this.#version(b, i + 5, e, base)
    if (i + 8 !== e) fail("InvalidRequestLine", base + (i + 8), "unexpected bytes after the version")
    if (this.#vMaj === 2 && method !== "PRI") fail("InvalidVersion", base + (i + 5), "HTTP/2.0 outside the PRI preface")
    // `PRI * HTTP/2.0`, the HTTP/2 prior-knowledge preface (RFC 9113 §3.4), is
    // handed over as an upgrade, as llhttp does for any PRI request.
    this.#pri = method === "PRI"
    this.#method = method
    this.#target = target
  }

  /** A header or trailer field line `b[s, e)`. */
  #headerLine(
    b: Uint8Array,
    s: number,
    e: number,
    abs: number,
    into: Array<string>,
    framing: boolean
  ): void {
    const c0 = b[s]
    if (c0 === SP || c0 === HTAB) {
      this.#fold(b, s, e, abs, into, framing)
      return
    }
    let i = s
    while (i < e && TCHAR[b[i]] === 1) i++
    if (i === e || b[i] !== COLON || i === s) {
      const c = i < e ? b[i] : -1
      fail(
        c === CR ? "InvalidLineEnding" : "InvalidHeaderName",
        abs + (i - s),
        i === e ? "a header line without a colon" : c === SP || c === HTAB
        ? "whitespace before the colon"
        : i === s
        ? "an empty header name"
        : "an invalid byte in the header name"
      )
    }
    const nameEnd = i
    i++
    while (i < e && (b[i] === SP || b[i] === HTAB)) i++
    const vs = i
    const ve = valueEnd(b, vs, e, abs - s)
    if (into.length >= this.#maxCount * 2) {
      fail("TooManyHeaders", abs, `more than ${this.#maxCount} header fields; raise the maxHeaderCount option if it is legitimate`)
    }
    into.push(this.#names.get(b, s, nameEnd), this.#values.get(b, vs, ve))
    if (!framing) return
    switch (nameEnd - s) {
      case 14:
        if (eqLower(b, s, "content-length")) {
          const n = parseContentLength(b, vs, ve)
          if (n < 0) {
            fail("InvalidContentLength", abs + (vs - s), n === -2 ? "Content-Length overflow" : "invalid Content-Length")
          }
          if (this.#hasCl && n !== this.#cl) {
            fail("InvalidContentLength", abs + (vs - s), "two Content-Length fields with different values")
          }
          this.#hasCl = true
          this.#cl = n
        }
        break
      case 17:
        if (eqLower(b, s, "transfer-encoding")) {
          const bits = scanTransferEncoding(b, vs, ve)
          this.#hasTe = true
          if ((bits & 1) !== 0) {
            this.#teChunked += bits >> 2
            this.#teFinal = (bits & 2) !== 0
          }
        }
        break
      case 10:
        if (eqLower(b, s, "connection")) this.#conn |= connectionTokens(b, vs, ve)
        break
      case 7:
        if (eqLower(b, s, "upgrade")) this.#hasUpgrade = true
        break
    }
  }

  /**
   * Whether a line starting with SP/HTAB may continue the previous field
   * (obs-fold): only in a response (RFC 9112 §5.2: a user agent replaces it
   * with SP; a server may reject it, as this parser does in request mode),
   * and only after a field. Whitespace right after the start line (or as the
   * first trailer line) continues nothing (RFC 9112 §2.2).
   */
  #foldAllowed(abs: number): void {
    if ((this.#state === S_TRAILERS ? this.#trailers : this.#headers).length === 0) {
      fail(
        "WhitespaceBeforeHeaders",
        abs,
        this.#state === S_TRAILERS ? "whitespace at the start of the trailer section" : "whitespace between the start line and the first header"
      )
    }
    if (this.#isRequest) fail("ObsoleteLineFolding", abs, "a line starting with whitespace (obs-fold) is not accepted in a request")
  }

  /** An obs-fold line `b[s, e)`: its value joins the previous field's after one SP (RFC 9112 §5.2). */
  #fold(b: Uint8Array, s: number, e: number, abs: number, into: Array<string>, framing: boolean): void {
    this.#foldAllowed(abs)
    let i = s
    while (i < e && (b[i] === SP || b[i] === HTAB)) i++
    const vs = i
    const ve = valueEnd(b, vs, e, abs - s)
    const last = into.length - 1
    if (framing) {
      const name = into[last - 1].toLowerCase()
      if (name === "content-length" || name === "transfer-encoding") {
        // Folding into a framing field is a smuggling pattern: refuse to guess the body length.
        fail("ObsoleteLineFolding", abs, `obs-fold in a ${into[last - 1]} field makes the body framing ambiguous`)
      }
      // The continuation's tokens count as more list members.
      if (name === "connection") this.#conn |= connectionTokens(b, vs, ve)
    }
    if (ve > vs) into[last] = into[last] === "" ? latin1(b, vs, ve) : `${into[last]} ${latin1(b, vs, ve)}`
  }

  #headComplete(sink: ParserSink, at: number): void {
    let keepAlive = keepAliveFrom(this.#vMaj, this.#vMin, this.#conn)
    let body: BodyKind
    let upgrade = false
    if (this.#isRequest) {
      const method = this.#method
      if (method === "CONNECT" || this.#pri) {
        upgrade = true
        body = "none"
      } else {
        body = this.#framing(at, true)
        upgrade = this.#hasUpgrade && (this.#conn & CONN_UPGRADE) !== 0
      }
      const head: RequestHead = {
        method,
        target: this.#target,
        versionMajor: this.#vMaj,
        versionMinor: this.#vMin,
        rawHeaders: this.#headers,
        keepAlive: upgrade ? false : keepAlive,
        body: body as "none" | "length" | "chunked",
        contentLength: body === "length" ? this.#cl : undefined,
        upgrade
      }
      this.#keepAlive = head.keepAlive
      if (sink.onRequestHead !== undefined) sink.onRequestHead(head)
      if (method === "CONNECT" || this.#pri) {
        this.#upgrade(sink)
        return
      }
      this.#upgradeAfterBody = upgrade
      this.#startBody(body, sink)
      return
    }
    const status = this.#status
    if (status < 200) {
      if (status === 101) {
        const head = this.#responseHead(false, "none", true)
        this.#dequeue()
        if (sink.onResponseHead !== undefined) sink.onResponseHead(head)
        this.#upgrade(sink)
        return
      }
      // 1xx informational (100, 103, …): no body; the final response follows.
      const head = this.#responseHead(keepAlive, "none", false)
      this.#resetHead()
      if (sink.onInformational !== undefined) sink.onInformational(head)
      return
    }
    const method = this.#dequeue()
    if (method === "CONNECT" && status < 300) {
      const head = this.#responseHead(false, "none", true)
      if (sink.onResponseHead !== undefined) sink.onResponseHead(head)
      this.#upgrade(sink)
      return
    }
    if (method === "HEAD" || status === 204 || status === 304) {
      if (this.#hasTe && this.#hasCl) this.#framing(at, false)
      body = "none"
    } else {
      body = this.#framing(at, false)
    }
    if (body === "close") keepAlive = false
    this.#keepAlive = keepAlive
    const head = this.#responseHead(keepAlive, body, upgrade)
    if (sink.onResponseHead !== undefined) sink.onResponseHead(head)
    this.#startBody(body, sink)
  }

  #responseHead(keepAlive: boolean, body: BodyKind, upgrade: boolean): ResponseHead {
    const cl = body === "length" ? this.#cl : undefined
    return new Head(this.#vMaj, this.#vMin, this.#status, this.#reason, this.#headers, keepAlive, body, cl, upgrade)
  }

  /** RFC 9112 §6.3 for the message whose head was just read. */
  #framing(at: number, request: boolean): BodyKind {
    if (this.#hasTe) {
      if (this.#hasCl) {
        fail("TransferEncodingAndContentLength", at, "both Transfer-Encoding and Content-Length")
      }
      if (this.#teChunked > 1) {
        // RFC 9112 §6.1: chunked MUST NOT be applied more than once. Decoding it
        // once could hand the inner framing over as content; there is no safe reading.
        fail("InvalidTransferEncoding", at, "chunked is applied more than once in Transfer-Encoding")
      }
      if (this.#teChunked === 1 && this.#teFinal) return "chunked"
      if (request) fail("InvalidTransferEncoding", at, "a request's Transfer-Encoding must end with one chunked")
      return "close"
    }
    if (this.#hasCl) return "length"
    return request ? "none" : "close"
  }

  #dequeue(): string {
    if (this.#methodHead < this.#methods.length) return this.#methods[this.#methodHead++]
    return "GET"
  }

  #startBody(body: BodyKind, sink: ParserSink): void {
    const cl = this.#cl
    this.#resetHead()
    if (body === "length") {
      if (cl === 0) this.#complete(sink)
      else {
        this.#remaining = cl
        this.#state = S_BODY_LENGTH
      }
    } else if (body === "chunked") this.#state = S_CHUNK_SIZE
    else if (body === "close") this.#state = S_BODY_CLOSE
    else this.#complete(sink)
  }

  #complete(sink: ParserSink): void {
    const keepAlive = this.#keepAlive
    if (this.#upgradeAfterBody) {
      this.#upgradeAfterBody = false
      this.#upgrade(sink)
      return
    }
    this.#state = keepAlive ? S_HEAD : S_CLOSED
    sink.onMessageComplete(keepAlive)
  }

  /** The message ends here and the connection stops being HTTP/1. */
  #upgrade(sink: ParserSink): void {
    this.#resetHead()
    this.#state = S_UPGRADED
    this.#upgradeSignalled = false
    sink.onMessageComplete(false)
  }

  #resetHead(): void {
    this.#startSeen = false
    this.#headBytes = 0
    this.#emptyLines = 0
    this.#headers = emptyArray()
    this.#hasCl = false
    this.#cl = 0
    this.#hasTe = false
    this.#teChunked = 0
    this.#teFinal = false
    this.#conn = 0
    this.#hasUpgrade = false
    this.#pri = false
  }
}

/** Collects sink calls as tagged events (for `push`). */
class Collector implements ParserSink {
  readonly events: Array<Http1Event> = []
  onRequestHead(head: RequestHead): void {
    this.events.push({ _tag: "RequestHead", head })
  }
  onResponseHead(head: ResponseHead): void {
    this.events.push({ _tag: "ResponseHead", head })
  }
  onInformational(head: ResponseHead): void {
    this.events.push({ _tag: "Informational", head })
  }
  onData(chunk: Uint8Array): void {
    this.events.push({ _tag: "Data", chunk })
  }
  onTrailers(rawTrailers: ReadonlyArray<string>): void {
    this.events.push({ _tag: "Trailers", rawTrailers })
  }
  onMessageComplete(keepAlive: boolean): void {
    this.events.push({ _tag: "Done", keepAlive })
  }
  onUpgrade(rest: Uint8Array): void {
    this.events.push({ _tag: "Upgrade", rest })
  }
}

