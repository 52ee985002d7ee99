/**
 * HTTP dates — hackney's `hackney_date`, plus the cookie-date algorithm.
 *
 * | function            | reads                                   | example                            |
 * |---------------------|-----------------------------------------|------------------------------------|
 * | {@link parseImfFixdate} | IMF-fixdate (RFC 9110 §5.6.7, ex-RFC 1123) | `Sun, 06 Nov 1994 08:49:37 GMT`    |
 * | {@link parseRfc850}     | obsolete RFC 850                        | `Sunday, 06-Nov-94 08:49:37 GMT`   |
 * | {@link parseAsctime}    | obsolete ANSI C asctime()               | `Sun Nov  6 08:49:37 1994`         |
 * | {@link parseRfc2109}    | the Netscape/RFC 2109 cookie form       | `Sun, 06-Nov-1994 08:49:37 GMT`    |
 * | {@link parse}           | the four above, in that order (hackney `parse_http_date/1`) |                |
 * | {@link parseCookieDate} | anything RFC 6265 §5.1.1 accepts (lenient) | `Thu, 19/Apr\2007 16:00:00 GMT` |
 *
 * The strict parsers follow hackney: names of days and months are
 * case-sensitive, the day name must be one of the seven but is not checked
 * against the date, the date must exist in the calendar (no 31 April, 29
 * February only in leap years), hours are 00–23, minutes and seconds 00–59
 * (no leap second), the zone is the literal `GMT`, and trailing SP/HTAB is
 * allowed. Results are `Option<Date>`.
 *
 * Two-digit years of RFC 850: hackney's fixed rule, `yy > 50` → 19yy, else
 * 20yy. RFC 9110 §5.6.7 asks instead for "the most recent year in the past
 * that had the same last two digits" when a date looks more than 50 years
 * ahead, which needs a clock; the two rules agree on every RFC 850 date sent
 * since 2000, and RFC 850 dates have been obsolete since 1999.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") // Option.some(Date 1994-11-06T08:49:37Z)
 * HttpDate.format(new Date(Date.UTC(1994, 10, 6, 8, 49, 37))) // "Sun, 06 Nov 1994 08:49:37 GMT"
 * ```
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"

const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const digitAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 0x30
  return c >= 0 && c <= 9 ? c : -1
}

const twoDigits = (s: string, i: number): number => {
  const a = digitAt(s, i)
  const b = digitAt(s, i + 1)
  return a < 0 || b < 0 ? -1 : a * 10 + b
}

const fourDigits = (s: string, i: number): number => {
  const a = twoDigits(s, i)
  const b = twoDigits(s, i + 2)
  return a < 0 || b < 0 ? -1 : a * 100 + b
}

/** Month index 0–11 of the exact 3-letter name at `i`, or -1. */
const monthAt = (s: string, i: number): number => MONTHS.indexOf(s.slice(i, i + 3) as (typeof MONTHS)[number])

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

const daysIn = (y: number, m: number): number => m === 1 ? (isLeap(y) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m]

/** A UTC date, or undefined when the day does not exist in that month. Years 0–99 are taken literally. */
const makeDate = (y: number, m: number, d: number, h: number, mi: number, sec: number): Date | undefined => {
  if (m < 0 || m > 11 || d < 1 || d > daysIn(y, m) || h > 23 || mi > 59 || sec > 59) return undefined
  const date = new Date(0)
  date.setUTCFullYear(y, m, d)
  date.setUTCHours(h, mi, sec, 0)
  return date
}

/** `HH:MM:SS` at `i`: [h, m, s] or undefined. */
const timeAt = (s: string, i: number): readonly [number, number, number] | undefined => {
  if (s.charCodeAt(i + 2) !== 0x3a || s.charCodeAt(i + 5) !== 0x3a) return undefined
  const h = twoDigits(s, i)
  const m = twoDigits(s, i + 3)
  const sec = twoDigits(s, i + 6)
  return h < 0 || m < 0 || sec < 0 ? undefined : [h, m, sec]
}

/** Whether only SP/HTAB follows `i`. */
const onlyOwsFrom = (s: string, i: number): boolean => {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j)
    if (c !== 0x20 && c !== 0x09) return false
  }
  return true
}

const shortDayAt0 = (s: string): boolean => SHORT_DAYS.includes(s.slice(0, 3) as (typeof SHORT_DAYS)[number])

// `Sun, 06 Nov 1994 08:49:37 GMT` (sep " ") and `Sun, 06-Nov-1994 08:49:37 GMT` (sep "-")
const fixedForm = (s: string, sep: string): Date | undefined => {
  if (!shortDayAt0(s) || s.slice(3, 5) !== ", " || s[7] !== sep || s[11] !== sep || s[16] !== " ") return undefined
  if (s.slice(25, 29) !== " GMT" || !onlyOwsFrom(s, 29)) return undefined
  const d = twoDigits(s, 5)
  const m = monthAt(s, 8)
  const y = fourDigits(s, 12)
  const t = timeAt(s, 17)
  if (d < 0 || m < 0 || y < 0 || t === undefined) return undefined
  return makeDate(y, m, d, t[0], t[1], t[2])
}

const rfc850 = (s: string): Date | undefined => {
  const day = LONG_DAYS.find((name) => s.startsWith(name))
  if (day === undefined) return undefined
  const i = day.length
  // ", DD-Mon-YY HH:MM:SS GMT"
  if (s.slice(i, i + 2) !== ", " || s[i + 4] !== "-" || s[i + 8] !== "-" || s[i + 11] !== " ") return undefined
  if (s.slice(i + 20, i + 24) !== " GMT" || !onlyOwsFrom(s, i + 24)) return undefined
  const d = twoDigits(s, i + 2)
  const m = monthAt(s, i + 5)
  const yy = twoDigits(s, i + 9)
  const t = timeAt(s, i + 12)
  if (d < 0 || m < 0 || yy < 0 || t === undefined) return undefined
  return makeDate(yy > 50 ? 1900 + yy : 2000 + yy, m, d, t[0], t[1], t[2])
}

// `Sun Nov  6 08:49:37 1994` (the day is space-padded or 2 digits)
const asctime = (s: string): Date | undefined => {
  if (!shortDayAt0(s) || s[3] !== " " || s[7] !== " " || s[10] !== " " || s[19] !== " ") return undefined
  if (!onlyOwsFrom(s, 24)) return undefined
  const m = monthAt(s, 4)
  const d = s[8] === " " ? digitAt(s, 9) : twoDigits(s, 8)
  const t = timeAt(s, 11)
  const y = fourDigits(s, 20)
  if (m < 0 || d < 0 || y < 0 || t === undefined) return undefined
  return makeDate(y, m, d, t[0], t[1], t[2])
}

// ---------------------------------------------------------------------------
// strict parsers
// ---------------------------------------------------------------------------

/**
 * Parses an IMF-fixdate (RFC 9110 §5.6.7, the RFC 1123 form every server
 * should send): `Sun, 06 Nov 1994 08:49:37 GMT`. hackney `rfc1123_to_date/1`.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT") // Option.some(…)
 * HttpDate.parseImfFixdate("Sun, 31 Nov 1994 08:49:37 GMT") // Option.none(): no 31 November
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseImfFixdate = (input: string): Option.Option<Date> => Option.fromNullable(fixedForm(input, " "))

/**
 * Parses an RFC 850 date: `Sunday, 06-Nov-94 08:49:37 GMT`. A two-digit
 * year above 50 is 19yy, otherwise 20yy (hackney's rule; see the module
 * documentation). hackney `rfc850_to_date/1`.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parseRfc850("Monday, 13-Jan-14 00:00:00 GMT") // Option.some(2014-01-13T00:00:00Z)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseRfc850 = (input: string): Option.Option<Date> => Option.fromNullable(rfc850(input))

/**
 * Parses an asctime date: `Sun Nov  6 08:49:37 1994` (the day may be
 * space-padded or two digits). hackney `asctime_to_date/1`.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parseAsctime("Sun Nov  6 08:49:37 1994") // Option.some(…)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseAsctime = (input: string): Option.Option<Date> => Option.fromNullable(asctime(input))

/**
 * Parses the RFC 2109 cookie form: `Sun, 06-Nov-1994 08:49:37 GMT`.
 * hackney `rfc2109_to_date/1`.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parseRfc2109("Mon, 13-Jan-2014 00:00:00 GMT") // Option.some(…)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseRfc2109 = (input: string): Option.Option<Date> => Option.fromNullable(fixedForm(input, "-"))

/**
 * Parses an HTTP date in any of the forms a recipient must accept (RFC 9110
 * §5.6.7: IMF-fixdate, RFC 850, asctime) or the RFC 2109 form, tried in
 * hackney's order. hackney `parse_http_date/1`.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") // Option.some(1994-11-06T08:49:37Z)
 * HttpDate.parse("Sun, 06 Nov 1994 08:49:37")      // Option.none(): no GMT
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parse = (input: string): Option.Option<Date> =>
  Option.fromNullable(fixedForm(input, " ") ?? rfc850(input) ?? asctime(input) ?? fixedForm(input, "-"))

// ---------------------------------------------------------------------------
// RFC 6265 §5.1.1 cookie-date
// ---------------------------------------------------------------------------

// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
const isDelimiter = (c: number): boolean =>
  c === 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
  (c >= 0x7b && c <= 0x7e)

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/** Reads 1..max digits at `i` that are followed by the end or a non-digit: [value, end] or undefined. */
const digitsAt = (
  s: string,
  i: number,
  end: number,
  min: number,
  max: number
): readonly [number, number] | undefined => {
  let j = i
  let n = 0
  while (j < end && isDigit(s.charCodeAt(j))) {
    n = n * 10 + (s.charCodeAt(j) - 0x30)
    j++
    if (j - i > max) return undefined
  }
  return j - i < min ? undefined : [n, j]
}

// time = hms-time [ non-digit *OCTET ];  hms-time = time-field ":" time-field ":" time-field
const cookieTime = (s: string, i: number, end: number): readonly [number, number, number] | undefined => {
  const h = digitsAt(s, i, end, 1, 2)
  if (h === undefined || s.charCodeAt(h[1]) !== 0x3a) return undefined
  const m = digitsAt(s, h[1] + 1, end, 1, 2)
  if (m === undefined || s.charCodeAt(m[1]) !== 0x3a) return undefined
  const sec = digitsAt(s, m[1] + 1, end, 1, 2)
  return sec === undefined ? undefined : [h[0], m[0], sec[0]]
}

const cookieMonth = (s: string, i: number, end: number): number => {
  if (end - i < 3) return -1
  const name = s.slice(i, i + 3).toLowerCase()
  for (let m = 0; m < 12; m++) if (MONTHS[m].toLowerCase() === name) return m
  return -1
}

const cookieDate = (s: string): Date | undefined => {
  let time: readonly [number, number, number] | undefined
  let day = -1
  let month = -1
  let year = -1
  let i = 0
  const n = s.length
  while (i < n) {
    while (i < n && isDelimiter(s.charCodeAt(i))) i++
    if (i >= n) break
    let end = i
    while (end < n && !isDelimiter(s.charCodeAt(end))) end++
    // The first production a token matches wins; each is taken once (§5.1.1 step 2).
    let t: readonly [number, number, number] | undefined
    let dm: readonly [number, number] | undefined
    let mo = -1
    let yr: readonly [number, number] | undefined
    if (time === undefined && (t = cookieTime(s, i, end)) !== undefined) time = t
    else if (day < 0 && (dm = digitsAt(s, i, end, 1, 2)) !== undefined) day = dm[0]
    else if (month < 0 && (mo = cookieMonth(s, i, end)) >= 0) month = mo
    else if (year < 0 && (yr = digitsAt(s, i, end, 2, 4)) !== undefined) year = yr[0]
    i = end
  }
  if (time === undefined || day < 0 || month < 0 || year < 0) return undefined
  if (year >= 70 && year <= 99) year += 1900
  else if (year >= 0 && year <= 69) year += 2000
  if (day < 1 || day > 31 || year < 1601 || time[0] > 23 || time[1] > 59 || time[2] > 59) return undefined
  return makeDate(year, month, day, time[0], time[1], time[2])
}

/**
 * The lenient cookie-date algorithm of RFC 6265 §5.1.1, for `Expires`: the
 * string is cut into tokens at delimiters, and the first token that looks
 * like a time, a day of month, a month name (first three letters, any case)
 * and a year is taken for each; two-digit years 70–99 are 19yy, 00–69 20yy.
 * `None` when a part is missing, out of range, before 1601, or the date does
 * not exist. Time zones are ignored: the time is read as UTC.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.parseCookieDate("Thu, 19/Apr\\2007 16:00:00 GMT") // Option.some(2007-04-19T16:00:00Z)
 * HttpDate.parseCookieDate("Wed, 01-Jan-10 0:0:00 GMT")      // Option.some(2010-01-01T00:00:00Z)
 * HttpDate.parseCookieDate("Sat, 15-Apr-17 91:22:33 21:01:22") // Option.none(): hour 91
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseCookieDate = (input: string): Option.Option<Date> => Option.fromNullable(cookieDate(input))

// ---------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------

const pad2 = (n: number): string => (n < 10 ? "0" : "") + n

const parts = (input: Date | number, fn: string) => {
  const date = typeof input === "number" ? new Date(input) : input
  const y = date.getUTCFullYear()
  if (Number.isNaN(y) || y < 0 || y > 9999) {
    throw new RangeError(`HttpDate.${fn}: ${Number.isNaN(y) ? "invalid date" : `year ${y} is not 0000–9999`}`)
  }
  return {
    wkday: SHORT_DAYS[date.getUTCDay()],
    day: pad2(date.getUTCDate()),
    month: MONTHS[date.getUTCMonth()],
    year: String(y).padStart(4, "0"),
    time: `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`
  }
}

/**
 * Formats an instant (a `Date` or epoch milliseconds) as an IMF-fixdate,
 * the form to send (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
 * Milliseconds are dropped. Throws a `RangeError` for an invalid `Date` or a
 * year outside 0000–9999, which the format cannot carry.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.format(784111777000) // "Sun, 06 Nov 1994 08:49:37 GMT"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const format = (date: Date | number): string => {
  const p = parts(date, "format")
  return `${p.wkday}, ${p.day} ${p.month} ${p.year} ${p.time} GMT`
}

/**
 * Formats an instant in the RFC 2109 cookie form, `Sun, 06-Nov-1994
 * 08:49:37 GMT` (hackney `date_to_rfc2109/1`). Same limits as
 * {@link format}.
 *
 * @example
 * ```ts
 * import { HttpDate } from "effect-hackney"
 *
 * HttpDate.formatRfc2109(new Date(Date.UTC(2014, 0, 13))) // "Mon, 13-Jan-2014 00:00:00 GMT"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatRfc2109 = (date: Date | number): string => {
  const p = parts(date, "formatRfc2109")
  return `${p.wkday}, ${p.day}-${p.month}-${p.year} ${p.time} GMT`
}
