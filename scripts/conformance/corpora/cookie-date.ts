/**
 * Replays the RFC 6265 §5.1.1 cookie-date cases (http-state's `examples` and
 * Chromium's `bsd-examples`, as copied by tough-cookie) through
 * `HttpDate.parseCookieDate`. A case passes when the parsed date, printed
 * with `toUTCString()`, equals `expected`, or when both are absent (the
 * parse must fail when `expected` is null) — tough-cookie's own check.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Option from "effect/Option"
import * as HttpDate from "../../../src/HttpDate.js"
import type { Corpus } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

interface DateCase {
  readonly test: string
  readonly expected: string | null
}

const FILES = ["examples.ts", "bsd-examples.ts"] as const

const corpus: Corpus = {
  name: "cookie-date",
  run: async (root) => {
    const outcome = emptyOutcome()
    const dir = join(root, "salesforce-tough-cookie", "lib", "__tests__", "data", "dates")
    for (const file of FILES) {
      const path = join(dir, file)
      if (!existsSync(path)) {
        outcome.skipped++
        continue
      }
      const cases = (await import(pathToFileURL(path).href)).default as ReadonlyArray<DateCase>
      cases.forEach((c, i) => {
        const got = Option.getOrUndefined(HttpDate.parseCookieDate(c.test))?.toUTCString()
        const want = c.expected ?? undefined
        record(
          outcome,
          `${file}#${i} ${JSON.stringify(c.test)}`,
          got === want ? undefined : `expected ${want ?? "no date"}, got ${got ?? "no date"}`
        )
      })
    }
    return outcome
  }
}

export default corpus
