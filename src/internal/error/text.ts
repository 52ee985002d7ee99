// The text of error messages: one line, control characters escaped, the request part once, causes
// from OpenSSL, parsers or the OS reduced to their reason. Pure string functions (L0), used by
// HackneyError's classes.

/** The request fields a message names. */
export interface Where {
  readonly method?: string | undefined
  readonly url?: string | undefined
}

// Control characters (an invalid URL may hold a CR or LF) percent-encoded, so a message stays on one line.
export const printable = (text: string): string =>
   
  text.replace(/[\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)

// The request part of a message, once, as " (GET http://…)".
export const where = (e: Where): string =>
  e.method !== undefined || e.url !== undefined ? ` (${printable([e.method, e.url].filter(Boolean).join(" "))})` : ""

// Text from elsewhere (OpenSSL, parsers, the OS) on one line, without a final period.
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim().replace(/\.+$/, "")

// OpenSSL's "<id>:error:<code>:<library>:<function>:<reason>:<file>:<line>:" → its reason.
const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/

export const causeText = (cause: unknown): string => {
  const text = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : ""
  const ssl = openssl.exec(text)
  const line = ssl !== null ? ssl[1] : oneLine(text).replace(/:+$/, "")
  return line === "" ? "" : `: ${line}`
}

// The userinfo ("user:password@") of an absolute URL removed; anything else unchanged.
export const redactUrl = (url: string): string => url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/, "$1")
