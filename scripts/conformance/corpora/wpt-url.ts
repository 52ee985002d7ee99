/**
 * Replays the WHATWG URL cases of `web-platform-tests-wpt/url/resources/urltestdata.json`
 * where our Url claims the same behaviour. hackney_url is not a WHATWG parser,
 * so only two slices are replayed (the file is read in place):
 *
 * 1. **Canonical http(s) URLs** (no `failure`, `input === href`): `Url.parse`
 *    must give the same scheme, username, password, hostname, port, pathname,
 *    search and hash as WHATWG.
 * 2. **Rejected http(s) URLs** (`failure: true`): `Url.parse` followed by
 *    `Url.normalize` (what a request does) must fail too.
 * Every other case (relative references against a base, non-http schemes,
 * non-canonical inputs WHATWG rewrites) is skipped: it exercises the WHATWG
 * canonicaliser, which we do not implement.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Either from "effect/Either"
import * as Url from "../../../src/Url.js"
import type { Corpus, Outcome } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

interface Case {
  readonly input: string
  readonly base?: string | null
  readonly failure?: boolean
  readonly href?: string
  readonly protocol?: string
  readonly username?: string
  readonly password?: string
  readonly hostname?: string
  readonly port?: string
  readonly pathname?: string
  readonly search?: string
  readonly hash?: string
}

const httpish = /^https?:\/\//i

// WHATWG keeps the userinfo percent-encoded; ours is decoded (and `+` stays a plus).
const decoded = (s: string): string => Url.urldecode(s.replace(/\+/g, "%2B"), "skip")

const compare = (c: Case): string | undefined => {
  const parsed = Url.parse(c.input)
  if (Either.isLeft(parsed)) return `parse failed: ${parsed.left.detail}`
  const url = parsed.right
  const got = {
    protocol: url.scheme + ":",
    username: url.user,
    password: url.password,
    hostname: url.host.includes(":") ? `[${url.host}]` : url.host,
    port: url.port === Url.defaultPort(url.scheme) ? "" : String(url.port),
    pathname: url.path === "" ? "/" : url.path,
    search: url.query === "" ? "" : "?" + url.query,
    hash: url.fragment === "" ? "" : "#" + url.fragment
  }
  const want = {
    protocol: c.protocol,
    username: decoded(c.username ?? ""),
    password: decoded(c.password ?? ""),
    hostname: c.hostname,
    port: c.port,
    pathname: c.pathname,
    search: c.search,
    hash: c.hash
  }
  const diffs = Object.keys(got).filter((k) => (got as any)[k] !== (want as any)[k])
    .map((k) => `${k}: got ${JSON.stringify((got as any)[k])}, want ${JSON.stringify((want as any)[k])}`)
  return diffs.length === 0 ? undefined : diffs.join("; ")
}

const run = (root: string): Outcome => {
  const file = join(root, "web-platform-tests-wpt", "url", "resources", "urltestdata.json")
  const cases = (JSON.parse(readFileSync(file, "utf8")) as Array<unknown>).filter(
    (c): c is Case => typeof c === "object" && c !== null
  )
  const outcome = emptyOutcome()
  for (const c of cases) {
    if (!httpish.test(c.input)) {
      outcome.skipped++
      continue
    }
    if (c.failure === true) {
      const result = Url.parse(c.input).pipe(Either.flatMap((u) => Url.normalize(u)))
      record(
        outcome,
        `reject ${JSON.stringify(c.input)}`,
        Either.isLeft(result) ? undefined : `accepted as ${Url.format(result.right)}`
      )
      continue
    }
    if (c.input !== c.href) {
      outcome.skipped++
      continue
    }
    record(outcome, `parse ${JSON.stringify(c.input)}`, compare(c))
  }
  return outcome
}

const corpus: Corpus = { name: "wpt-url", run }
export default corpus
