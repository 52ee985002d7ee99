/**
 * Replays the http-state parser cases (tough-cookie's copy, `parser.ts`,
 * with its far-future Expires years) through `CookieJar` with the clock
 * pinned: the `received` Set-Cookie values arrive on a response from
 * `http://home.example.org:8888/cookie-parser?<test>`, then the Cookie
 * header for `sent-to` (resolved against that URL; default
 * `/cookie-parser-result?<test>`) must list `sent`, in order. The
 * `DISABLED_*` cases, disabled upstream because browsers disagreed, are
 * skipped.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Either from "effect/Either"
import * as CookieJar from "../../../src/CookieJar.js"
import * as Url from "../../../src/Url.js"
import type { Corpus } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

interface ParserCase {
  readonly test: string
  readonly received: ReadonlyArray<string>
  readonly "sent-to"?: string
  readonly sent: ReadonlyArray<{ readonly name: string; readonly value: string }>
}

/** 2024-01-01T00:00:00Z: after every past Expires in the corpus, before 9999. */
const NOW = Date.UTC(2024, 0, 1)

const corpus: Corpus = {
  name: "cookie-jar",
  run: async (root) => {
    const outcome = emptyOutcome()
    const path = join(root, "salesforce-tough-cookie", "lib", "__tests__", "data", "parser.ts")
    if (!existsSync(path)) {
      outcome.skipped++
      return outcome
    }
    const cases = (await import(pathToFileURL(path).href)).default as ReadonlyArray<ParserCase>
    for (const c of cases) {
      if (c.test.startsWith("DISABLED_")) {
        outcome.skipped++
        continue
      }
      const jar = CookieJar.make()
      const origin = Url.unsafeParse(`http://home.example.org:8888/cookie-parser?${c.test}`)
      for (const line of c.received) CookieJar.setCookieAt(jar, line, origin, NOW)
      const target = Url.resolve(origin, c["sent-to"] ?? `/cookie-parser-result?${c.test}`)
      if (Either.isLeft(target)) {
        record(outcome, c.test, `sent-to ${JSON.stringify(c["sent-to"])} does not resolve: ${target.left.detail}`)
        continue
      }
      const got = CookieJar.getCookiesAt(jar, target.right, NOW).map((k) => `${k.name}=${k.value}`)
      const want = c.sent.map((k) => `${k.name}=${k.value}`)
      record(
        outcome,
        c.test,
        JSON.stringify(got) === JSON.stringify(want) ? undefined : `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`
      )
    }
    return outcome
  }
}

export default corpus
