import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import * as HttpDate from "../src/HttpDate.js"

const at = (y: number, m: number, d: number, h = 0, mi = 0, s = 0): Date => {
  const date = new Date(0)
  date.setUTCFullYear(y, m - 1, d)
  date.setUTCHours(h, mi, s, 0)
  return date
}
const iso = (o: Option.Option<Date>): string | undefined => Option.getOrUndefined(o)?.toISOString()
const NOV_6_1994 = "1994-11-06T08:49:37.000Z"

describe("HttpDate.parse (hackney parse_http_date/1)", () => {
  it("reads the three RFC 9110 forms and the RFC 2109 form", () => {
    expect(iso(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))).toBe(NOV_6_1994)
    expect(iso(HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"))).toBe(NOV_6_1994)
    expect(iso(HttpDate.parse("Sun Nov  6 08:49:37 1994"))).toBe(NOV_6_1994)
    expect(iso(HttpDate.parse("Sun, 06-Nov-1994 08:49:37 GMT"))).toBe(NOV_6_1994)
  })

  it("parse_date_2109_test / parse_over_http_test", () => {
    expect(iso(HttpDate.parseRfc2109("Mon, 13-Jan-2014 00:00:00 GMT"))).toBe("2014-01-13T00:00:00.000Z")
    expect(iso(HttpDate.parse("Mon, 13-Jan-2014 00:00:00 GMT"))).toBe("2014-01-13T00:00:00.000Z")
    expect(iso(HttpDate.parse("Monday, 13-Jan-14 00:00:00 GMT"))).toBe("2014-01-13T00:00:00.000Z")
  })

  it("parse_1123_date_test: missing GMT or a bad weekday is refused", () => {
    expect(iso(HttpDate.parseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT"))).toBe(NOV_6_1994)
    expect(HttpDate.parseImfFixdate("Sun, 06 Nov 1994 08:49:37")).toEqual(Option.none())
    expect(HttpDate.parseImfFixdate("Bla, 06 Nov 1994 08:49:37 GMT")).toEqual(Option.none())
    expect(HttpDate.parseImfFixdate("Sun, 06 Nov 1994 08:49:37 UTC")).toEqual(Option.none())
    expect(HttpDate.parseImfFixdate("sun, 06 nov 1994 08:49:37 GMT")).toEqual(Option.none())
  })

  it("parse_850_wday_test: all seven weekday names", () => {
    for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]) {
      expect(iso(HttpDate.parseRfc850(`${day}, 06-Nov-94 08:49:37 GMT`))).toBe(NOV_6_1994)
    }
    expect(HttpDate.parseRfc850("Sun, 06-Nov-94 08:49:37 GMT")).toEqual(Option.none())
    expect(HttpDate.parseRfc850("Funday, 06-Nov-94 08:49:37 GMT")).toEqual(Option.none())
  })

  it("RFC 850 two-digit years: above 50 is 19yy, else 20yy", () => {
    expect(iso(HttpDate.parseRfc850("Friday, 01-Jan-50 00:00:00 GMT"))).toBe("2050-01-01T00:00:00.000Z")
    expect(iso(HttpDate.parseRfc850("Monday, 01-Jan-51 00:00:00 GMT"))).toBe("1951-01-01T00:00:00.000Z")
    expect(iso(HttpDate.parseRfc850("Saturday, 01-Jan-00 00:00:00 GMT"))).toBe("2000-01-01T00:00:00.000Z")
    expect(iso(HttpDate.parseRfc850("Friday, 31-Dec-99 23:59:59 GMT"))).toBe("1999-12-31T23:59:59.000Z")
  })

  it("parse_asctime_date_test: space-padded and two-digit days", () => {
    expect(iso(HttpDate.parseAsctime("Sun Nov  6 08:49:37 1994"))).toBe(NOV_6_1994)
    expect(iso(HttpDate.parseAsctime("Sun Nov 06 08:49:37 1994"))).toBe(NOV_6_1994)
    expect(iso(HttpDate.parseAsctime("Wed Nov 30 08:49:37 1994"))).toBe("1994-11-30T08:49:37.000Z")
    expect(HttpDate.parseAsctime("Sun Nov 6 08:49:37 1994")).toEqual(Option.none())
    expect(HttpDate.parseAsctime("Sun Nov  6 08:49:37 94")).toEqual(Option.none())
  })

  it("checks the calendar and the clock", () => {
    expect(iso(HttpDate.parse("Tue, 29 Feb 2000 00:00:00 GMT"))).toBe("2000-02-29T00:00:00.000Z")
    expect(HttpDate.parse("Thu, 29 Feb 2001 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Mon, 29 Feb 1900 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 31 Apr 1994 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 00 Nov 1994 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 06 Nov 1994 24:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 06 Nov 1994 23:60:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 06 Nov 1994 23:59:60 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun, 06 Foo 1994 08:49:37 GMT")).toEqual(Option.none())
  })

  it("allows trailing whitespace only", () => {
    expect(iso(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT \t"))).toBe(NOV_6_1994)
    expect(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMTx")).toEqual(Option.none())
    expect(HttpDate.parse(" Sun, 06 Nov 1994 08:49:37 GMT")).toEqual(Option.none())
    expect(HttpDate.parse("Sun Nov  6 08:49:37 1994 GMT")).toEqual(Option.none())
  })

  it("refuses what Go's parseTimeTests refuse", () => {
    expect(HttpDate.parse("")).toEqual(Option.none())
    expect(HttpDate.parse("invalid")).toEqual(Option.none())
    expect(HttpDate.parse("1994-11-06T08:49:37Z")).toEqual(Option.none())
  })

  it("cover_years_test / cover_month_test / cover_day_test / cover_pad_test", () => {
    for (let y = 1970; y <= 2029; y++) {
      const d = at(y, 6, 15, 1, 2, 3)
      expect(iso(HttpDate.parse(HttpDate.format(d)))).toBe(d.toISOString())
      expect(iso(HttpDate.parse(HttpDate.formatRfc2109(d)))).toBe(d.toISOString())
    }
    for (let m = 1; m <= 12; m++) {
      const d = at(2014, m, 1)
      expect(iso(HttpDate.parse(HttpDate.format(d)))).toBe(d.toISOString())
    }
    for (let day = 1; day <= 31; day++) {
      const d = at(2014, 1, day, 9, 5, 7)
      expect(HttpDate.formatRfc2109(d)).toContain(`${String(day).padStart(2, "0")}-Jan-2014 09:05:07 GMT`)
    }
  })
})

describe("HttpDate.format / formatRfc2109", () => {
  it("writes IMF-fixdate and the RFC 2109 form", () => {
    expect(HttpDate.format(at(1994, 11, 6, 8, 49, 37))).toBe("Sun, 06 Nov 1994 08:49:37 GMT")
    expect(HttpDate.format(784111777123)).toBe("Sun, 06 Nov 1994 08:49:37 GMT")
    expect(HttpDate.formatRfc2109(at(2014, 1, 13))).toBe("Mon, 13-Jan-2014 00:00:00 GMT")
    expect(HttpDate.format(at(50, 3, 1))).toBe("Tue, 01 Mar 0050 00:00:00 GMT")
    expect(iso(HttpDate.parse("Tue, 01 Mar 0050 00:00:00 GMT"))).toBe(at(50, 3, 1).toISOString())
  })

  it("throws a RangeError for an invalid Date or a year it cannot write", () => {
    expect(() => HttpDate.format(new Date(Number.NaN))).toThrow(RangeError)
    expect(() => HttpDate.formatRfc2109(at(10000, 1, 1))).toThrow(RangeError)
    expect(() => HttpDate.format(at(-1, 1, 1))).toThrow(RangeError)
  })

  const instant = fc.integer({ min: at(0, 1, 1).getTime() / 1000, max: at(9999, 12, 31, 23, 59, 59).getTime() / 1000 })
    .map((s) => new Date(s * 1000))

  it("parse ∘ format is the identity (whole seconds, years 0000–9999)", () => {
    fc.assert(fc.property(instant, (d) => {
      expect(iso(HttpDate.parse(HttpDate.format(d)))).toBe(d.toISOString())
      expect(iso(HttpDate.parseImfFixdate(HttpDate.format(d)))).toBe(d.toISOString())
      expect(iso(HttpDate.parseRfc2109(HttpDate.formatRfc2109(d)))).toBe(d.toISOString())
      if (d.getUTCFullYear() >= 1601) {
        expect(iso(HttpDate.parseCookieDate(HttpDate.format(d)))).toBe(d.toISOString())
        expect(iso(HttpDate.parseCookieDate(HttpDate.formatRfc2109(d)))).toBe(d.toISOString())
      }
    }), { numRuns: 500 })
  })
})

describe("HttpDate.parseCookieDate (RFC 6265 §5.1.1)", () => {
  it("is lenient about order, delimiters and extra tokens", () => {
    expect(iso(HttpDate.parseCookieDate("Thu, 19/Apr\\2007 16:00:00 GMT"))).toBe("2007-04-19T16:00:00.000Z")
    expect(iso(HttpDate.parseCookieDate("2017 April 15 21:01:22"))).toBe("2017-04-15T21:01:22.000Z")
    expect(iso(HttpDate.parseCookieDate("Wed Dec 12 2007 08:44:07 GMT-0500 (EST)"))).toBe("2007-12-12T08:44:07.000Z")
    expect(iso(HttpDate.parseCookieDate("Wednesday, 01-Jan-10 0:0:00 GMT"))).toBe("2010-01-01T00:00:00.000Z")
    expect(iso(HttpDate.parseCookieDate("Mon, 18-Apr-77 22:50:13 GMT"))).toBe("1977-04-18T22:50:13.000Z")
    expect(iso(HttpDate.parseCookieDate("Sun, 06 NOV 1994 08:49:37 GMT"))).toBe(NOV_6_1994)
  })

  it("refuses a missing part, out-of-range fields, years before 1601 and dates that do not exist", () => {
    expect(HttpDate.parseCookieDate("Mon, 01-Jan-2011 00: 00:00 GMT")).toEqual(Option.none()) // no time
    expect(HttpDate.parseCookieDate("Mon, Jan 2011 00:00:00 GMT")).toEqual(Option.none()) // no day
    expect(HttpDate.parseCookieDate("Mon, 01 2011 00:00:00 GMT")).toEqual(Option.none()) // no month
    expect(HttpDate.parseCookieDate("Mon, 01 Jan 00:00:00 GMT")).toEqual(Option.none()) // no year
    expect(HttpDate.parseCookieDate("98 April 17 21:01:22")).toEqual(Option.none()) // day 98
    expect(HttpDate.parseCookieDate("Thu, 12-Aug-31841 20:49:07 GMT")).toEqual(Option.none()) // 5-digit year
    expect(HttpDate.parseCookieDate("Thu, 01-Jan-1600 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("Sat, 15-Apr-17 91:22:33 21:01:22")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("Sat, 15-Apr-17 21:60:22")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("Sat, 15-Apr-17 21:01:60")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("Fri, 30-Feb-2018 00:00:00 GMT")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("")).toEqual(Option.none())
    expect(HttpDate.parseCookieDate("IAintNoDateFool")).toEqual(Option.none())
  })
})
