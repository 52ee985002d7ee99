/**
 * Typed JSON bodies: `Hackney.json` and `Hackney.schemaJson` on both response
 * types fail with `DecodeError` on invalid JSON or a Schema mismatch, never
 * with a defect.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, ParseResult, Schema } from "effect"
import type * as http from "node:http"
import * as Hackney from "../src/Hackney.js"
import type * as HackneyError from "../src/HackneyError.js"
import { httpServer } from "./support/servers.js"

const decodeError = (e: HackneyError.HackneyError): HackneyError.DecodeError => {
  expect(e._tag).toBe("DecodeError")
  return e as HackneyError.DecodeError
}

const Todo = Schema.Struct({ id: Schema.Number, title: Schema.String })

const handler: http.RequestListener = (req, res) => {
  if (req.url === "/redirect") {
    res.writeHead(302, { location: "/todo" })
    return void res.end()
  }
  res.setHeader("content-type", "application/json")
  if (req.url === "/todo") return void res.end(JSON.stringify({ id: 1, title: "a" }))
  if (req.url === "/wrong") return void res.end(JSON.stringify({ id: "1", title: 2 }))
  if (req.url === "/empty") return void res.end()
  res.end("{not json")
}

describe("Hackney.json and Hackney.schemaJson", () => {
  it.scopedLive("valid JSON, from a Response and from a StreamingResponse (plain and feature paths)", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(handler)
      const res = yield* Hackney.get(`${s.url}/todo`)
      // A Response's body is in memory: the only failure is DecodeError.
      const typed: Effect.Effect<unknown, HackneyError.DecodeError> = Hackney.json(res)
      expect(yield* typed).toEqual({ id: 1, title: "a" })
      const streamed = yield* Hackney.stream("GET", `${s.url}/todo`)
      expect(yield* Hackney.json(streamed)).toEqual({ id: 1, title: "a" })
      const followed = yield* Hackney.stream("GET", `${s.url}/redirect`, { followRedirect: true })
      expect(yield* Hackney.schemaJson(Todo)(followed)).toEqual({ id: 1, title: "a" })
      const oneShot = yield* Hackney.get(`${s.url}/redirect`, { followRedirect: true })
      expect(yield* Hackney.schemaJson(Todo)(oneShot)).toEqual({ id: 1, title: "a" })
      expect(yield* Hackney.get(`${s.url}/empty`).pipe(Effect.flatMap(Hackney.json))).toBeNull()
    }))

  it.scopedLive("invalid JSON fails with DecodeError (reason json), not a defect, on both response types", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(handler)
      const url = `${s.url}/bad`
      const exit = yield* Effect.exit(Hackney.get(url).pipe(Effect.flatMap(Hackney.json)))
      expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause)).toBe(true)
      const e = decodeError(yield* Effect.flip(Hackney.get(url).pipe(Effect.flatMap(Hackney.json))))
      expect([e._tag, e.reason, e.url]).toEqual(["DecodeError", "json", url])
      expect(e.cause).toBeInstanceOf(SyntaxError)
      expect(e.message).toContain("not valid JSON")
      const streamed = decodeError(
        yield* Effect.flip(Hackney.stream("GET", url).pipe(Effect.flatMap(Hackney.schemaJson(Todo))))
      )
      expect(streamed.reason).toBe("json")
    }))

  it.scopedLive("a Schema mismatch fails with DecodeError (reason schema): first issue in detail, the ParseError as cause", () =>
    Effect.gen(function*() {
      const s = yield* httpServer(handler)
      const e = decodeError(
        yield* Effect.flip(Hackney.get(`${s.url}/wrong`).pipe(Effect.flatMap(Hackney.schemaJson(Todo))))
      )
      expect([e._tag, e.reason]).toEqual(["DecodeError", "schema"])
      expect(e.detail).toMatch(/^at id: Expected number, actual "1" \(and 1 more issue\)$/)
      expect(ParseResult.isParseError(e.cause)).toBe(true)
      expect(e.message).not.toContain("\n")
      // Parse options pass through: stop at the first issue.
      const first = decodeError(
        yield* Effect.flip(
          Hackney.get(`${s.url}/wrong`).pipe(Effect.flatMap(Hackney.schemaJson(Todo, { errors: "first" })))
        )
      )
      expect(first.detail).toBe(`at id: Expected number, actual "1"`)
    }))
})
