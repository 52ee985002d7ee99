/**
 * Replays hackney's own `hackney_url_tests.erl` tables (transcribed to JSON in
 * `benoitc-hackney/hackney_url_tests.cases.json`) through `Url` and
 * `QueryString`. The vectors are read in place, never copied.
 *
 * hackney's record is mapped onto ours: `transport` hackney_tcp / hackney_ssl /
 * hackney_local_tcp / undefined → "tcp" / "tls" / "unix" / undefined; scheme
 * `http_unix` → "http+unix"; `qs` → `query`; `raw_path` → `rawPath`; a host of
 * `[]` (the empty Erlang string) → "".
 *
 * Documented differences (see docs/url.md) — none of them changes a row of
 * this corpus, so no row is skipped:
 * - `urldecode(_, crash)` returns `Either.left(InvalidRequest)` where hackney
 *   raises `badarg`; rows expecting `{error, badarg}` check for a Left.
 * - `normalize` returns `Either.left(InvalidRequest)` where hackney raises
 *   `{invalid_url_host, _}`.
 * - `pathencode` writes a space as `%20` (hackney: `+`); no row has a space.
 * - `parse_qs` decodes `a=` as `""` and `=b` as `["", "b"]` (hackney: `true`
 *   and `["b", true]`); no row has either form.
 * - `qs` writes a `true` value as a bare key (hackney: `k=true`); no row has one.
 * - The property test `parse_url_does_not_intern_attacker_schemes_test`
 *   (200 unknown schemes parse with transport `undefined`) is replayed as one
 *   extra case.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Either from "effect/Either"
import * as QueryString from "../../../src/QueryString.js"
import * as Url from "../../../src/Url.js"
import { formatFields } from "../../../src/internal/url/model.js"
import type { Corpus, Outcome } from "../corpus.js"
import { emptyOutcome, record } from "../corpus.js"

type Json = any

const transports: Record<string, Url.Transport | undefined> = {
  hackney_tcp: "tcp",
  hackney_ssl: "tls",
  hackney_local_tcp: "unix",
  hackney_socks5: "socks5",
  undefined: undefined
}

/** hackney's record → our field names and values (only the fields given). */
const mapRecord = (r: Json): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) {
    switch (k) {
      case "transport":
        out.transport = transports[v as string]
        break
      case "scheme":
        out.scheme = v === "http_unix" ? "http+unix" : v
        break
      case "qs":
        out.query = v
        break
      case "raw_path":
        out.rawPath = v
        break
      case "host":
        out.host = Array.isArray(v) ? v.join("") : v
        break
      default:
        out[k] = v
    }
  }
  return out
}

const show = (u: unknown): string => JSON.stringify(u)

const compareParse = (input: string, expected: Record<string, unknown>): string | undefined => {
  const parsed = Url.parse(input)
  if (Either.isLeft(parsed)) return `parse failed: ${parsed.left.message}`
  const url = parsed.right as unknown as Record<string, unknown>
  const diffs: Array<string> = []
  for (const [k, v] of Object.entries(expected)) {
    if (url[k] !== v) diffs.push(`${k}: got ${show(url[k])}, want ${show(v)}`)
  }
  return diffs.length === 0 ? undefined : diffs.join("; ")
}

const unparse = (expected: Record<string, unknown>): string =>
  formatFields({
    scheme: "",
    transport: undefined,
    user: "",
    password: "",
    host: "",
    port: 0,
    netloc: "",
    path: "",
    query: "",
    fragment: "",
    rawPath: "",
    ...expected
  } as any, true)

const eq = (got: unknown, want: unknown): string | undefined =>
  show(got) === show(want) ? undefined : `got ${show(got)}, want ${show(want)}`

const run = (root: string): Outcome => {
  const file = join(root, "benoitc-hackney", "hackney_url_tests.cases.json")
  const data: Json = JSON.parse(readFileSync(file, "utf8"))
  const outcome = emptyOutcome()
  const table = (name: string, check: (row: Json, i: number) => string | undefined) => {
    const rows: Array<Json> = data[name]
    rows.forEach((row, i) => {
      let error: string | undefined
      try {
        error = check(row, i)
      } catch (e) {
        error = `threw ${e instanceof Error ? e.message : String(e)}`
      }
      record(outcome, `${name}[${i}] ${show(Array.isArray(row) ? row[0] : row.input ?? row)}`, error)
    })
  }

  table("parse_and_unparse_url_test_", (row) => {
    const expected = mapRecord(row.expected)
    return compareParse(row.input, expected) ?? eq(unparse(expected), row.input)
  })
  table("parse_url_test_", (row) => compareParse(row.input, mapRecord(row.expected)))
  table("websocket_url_test_", (row) => compareParse(row.input, mapRecord(row.expected)))
  table("websocket_unparse_url_test_", (row) => eq(unparse(mapRecord(row.expected)), row.input))
  table("unsupported_scheme_test_", (row) => {
    const { transport, scheme } = mapRecord(row.expected)
    return compareParse(row.input, { transport, scheme })
  })
  table("transport_scheme_test_", ([transport, scheme]) => eq(Url.transportScheme(transports[transport]!), scheme))
  table("url_encode_and_decode_test_", ([plain, encoded]) =>
    eq(Url.urlencode(plain), encoded) ?? eq(Url.urldecode(encoded), Either.right(plain)))
  table("url_encode_test_", ([[plain, options], encoded]) =>
    eq(
      Url.urlencode(plain, { noplus: options.includes("noplus"), lower: options.includes("lower") }),
      encoded
    ))
  table("url_decode_test_", ([[encoded, mode], result]) => {
    if (mode === "skip") return eq(Url.urldecode(encoded, "skip"), result)
    const decoded = Url.urldecode(encoded, "crash")
    if (Array.isArray(result)) return Either.isLeft(decoded) ? undefined : `want a Left, got ${show(decoded)}`
    return eq(decoded, Either.right(result))
  })
  table("parse_qs_test_", ([qs, pairs]) => eq(QueryString.decode(qs), Either.right(pairs)))
  table("qs_test_", ([qs, pairs]) => eq(QueryString.encode(pairs), qs))
  table("make_url_test_", ([[base, paths, query], url]) => eq(Url.makeUrl(base, paths, query), url))
  table("fix_path_test_", ([input, output]) => eq(Url.fixPath(input), output))
  table("pathencode_test_", ([input, output]) => eq(Url.pathEncode(input), output))
  table("normalize_test_", ([input, expected]) => {
    const normalized = Url.normalize(input)
    return Either.isLeft(normalized) ? normalized.left.message : eq(Url.format(normalized.right), expected)
  })
  const rejects = (input: string) => {
    const normalized = Url.normalize(input)
    return Either.isLeft(normalized) && normalized.left.reason === "url"
      ? undefined
      : `want a Left(InvalidRequest "url"), got ${show(normalized)}`
  }
  table("normalize_rejects_pct_encoded_ip_host_test_", rejects)
  table("normalize_rejects_idna_dot_ip_host_test_", rejects)

  // The property test, replayed as one case.
  let property: string | undefined
  for (let n = 1; n <= 200 && property === undefined; n++) {
    const r = compareParse(`zzghsa9653-${n}://host/p`, { transport: undefined, scheme: `zzghsa9653-${n}`, port: 0 })
    if (r !== undefined) property = `zzghsa9653-${n}: ${r}`
  }
  record(outcome, "parse_url_does_not_intern_attacker_schemes_test (property, 200 schemes)", property)
  return outcome
}

const corpus: Corpus = { name: "hackney-url", run }
export default corpus
