/**
 * The HTTP/1 parser's vocabulary: the heads it reports, the sink it calls,
 * the events `push` collects, its options and their defaults.
 *
 * @internal
 */
/** @internal */
export interface ResponseHead {
  /** `1` */
  readonly versionMajor: number
  /** `0` or `1` */
  readonly versionMinor: number
  /** The three-digit status code. */
  readonly status: number
  /** The reason phrase, latin1-decoded; `""` when absent. */
  readonly reason: string
  /** `[name0, value0, name1, value1, …]`: names as received, values without surrounding OWS, latin1. */
  readonly rawHeaders: ReadonlyArray<string>
  /**
   * Whether the connection can carry another request after this response:
   * hackney_keepalive (a `close` token in any Connection header closes;
   * HTTP/1.1 persists by default, HTTP/1.0 only with `keep-alive`), and
   * `false` whenever the framing forbids reuse (read-until-close, upgrade).
   */
  readonly keepAlive: boolean
  /**
   * How the body is delimited: `"none"` (HEAD, 1xx, 204, 304), `"length"`
   * (Content-Length), `"chunked"`, or `"close"` (read until the peer closes:
   * no framing header, or a Transfer-Encoding whose final coding is not chunked).
   */
  readonly body: "none" | "length" | "chunked" | "close"
  /** The Content-Length when `body === "length"`, otherwise `undefined`. */
  readonly contentLength: number | undefined
  /** `true` for 101 Switching Protocols and a 2xx answer to CONNECT: the rest of the bytes go to `onUpgrade`. */
  readonly upgrade: boolean
}

/** @internal */
export interface RequestHead {
  /** The method, case preserved (methods are case-sensitive). */
  readonly method: string
  /** The request-target as received (origin-, absolute-, authority- or asterisk-form). */
  readonly target: string
  readonly versionMajor: number
  readonly versionMinor: number
  /** `[name0, value0, …]` as in {@link ResponseHead.rawHeaders}. */
  readonly rawHeaders: ReadonlyArray<string>
  /** As in {@link ResponseHead.keepAlive}; `false` for an upgrade. */
  readonly keepAlive: boolean
  /** `"none"` when neither Content-Length nor Transfer-Encoding is present (RFC 9112 §6.3 item 7). */
  readonly body: "none" | "length" | "chunked"
  readonly contentLength: number | undefined
  /**
   * CONNECT (the rest is handed over right after the head, any declared body
   * ignored, as llhttp), `PRI * HTTP/2.0`, or `Connection: upgrade` with an
   * Upgrade header (handed over after the declared body).
   */
  readonly upgrade: boolean
}

/** @internal */
export interface ParserSink {
  /** A request head (request and auto modes). */
  onRequestHead?(head: RequestHead): void
  /** The final (non-1xx) response head, or a 101. */
  onResponseHead?(head: ResponseHead): void
  /** A 1xx other than 101 (100, 103 …); the final response follows on the same request. */
  onInformational?(head: ResponseHead): void
  /** Body bytes: a `subarray` view into the input passed to `execute` (never a copy); valid until the caller reuses that input. */
  onData(chunk: Uint8Array): void
  /** The trailer fields of a chunked body, when there are any; before `onMessageComplete`. */
  onTrailers?(rawTrailers: ReadonlyArray<string>): void
  /** The message ended. `keepAlive` false also when the framing forbids reuse. */
  onMessageComplete(keepAlive: boolean): void
  /**
   * After an upgrade (101, CONNECT 2xx, upgrade request): the bytes that
   * followed, possibly empty; called right after `onMessageComplete(false)`,
   * and the parser then stops (further calls fail with `"Stopped"`).
   */
  onUpgrade?(rest: Uint8Array): void
}

/** @internal */
export type Http1Event =
  | { readonly _tag: "RequestHead"; readonly head: RequestHead }
  | { readonly _tag: "ResponseHead"; readonly head: ResponseHead }
  | { readonly _tag: "Informational"; readonly head: ResponseHead }
  | { readonly _tag: "Data"; readonly chunk: Uint8Array }
  | { readonly _tag: "Trailers"; readonly rawTrailers: ReadonlyArray<string> }
  | { readonly _tag: "Done"; readonly keepAlive: boolean }
  | { readonly _tag: "Upgrade"; readonly rest: Uint8Array }

/** @internal */
export interface ParserOptions {
  /**
   * `"response"` (default), `"request"`, or `"auto"`: hackney_http's
   * auto-detection, decided on the first start line (a line starting with
   * `HTTP/` is a response) and kept for the parser's life.
   */
  readonly mode?: "response" | "request" | "auto" | undefined
  /** Longest start line (status or request line), CRLF excluded. Default 8192. */
  readonly maxStartLineLength?: number | undefined
  /** Largest head: start line, header lines and their line endings. Default 16384 (Node's and undici's default). */
  readonly maxHeaderSize?: number | undefined
  /** Most header fields in a head (and trailer fields in a trailer section). Default 256. */
  readonly maxHeaderCount?: number | undefined
  /** Longest chunk-extension part of one chunk-size line. Default 16384 (Node's limit). */
  readonly maxChunkExtensionLength?: number | undefined
  /** Largest trailer section, line endings included. Default 16384. */
  readonly maxTrailerSize?: number | undefined
  /** Most empty lines accepted before a start line. Default 10 (hackney's `max_empty_lines`). */
  readonly maxEmptyLines?: number | undefined
  /**
   * Accept a bare LF as a line ending (RFC 9112 §2.2 "MAY"): in the head,
   * chunk-size lines, after chunk data and in trailers. A bare CR is always
   * rejected. Default: `true` in response mode (as curl, hackney_http and
   * real-world servers need), `false` in request mode (a server is stricter;
   * in auto mode, decided with the mode). `false` makes responses strict.
   */
  readonly allowBareLf?: boolean | undefined
}

/**
 * The limits on a message head, settable per message with
 * `Http1Parser.setHeadLimits` (the `maxStartLineLength`, `maxHeaderSize` and
 * `maxHeaderCount` options).
 *
 * @internal
 */
export interface HeadLimits {
  readonly maxStartLineLength: number
  readonly maxHeaderSize: number
  readonly maxHeaderCount: number
}

/** @internal */
export const defaults = {
  maxStartLineLength: 8192,
  maxHeaderSize: 16384,
  maxHeaderCount: 256,
  maxChunkExtensionLength: 16384,
  maxTrailerSize: 16384,
  maxEmptyLines: 10
} as const

/** The default head limits: 8192-byte start line, 16384-byte header section, 256 fields. @internal */
export const defaultHeadLimits: HeadLimits = {
  maxStartLineLength: defaults.maxStartLineLength,
  maxHeaderSize: defaults.maxHeaderSize,
  maxHeaderCount: defaults.maxHeaderCount
}
