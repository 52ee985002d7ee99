/**
 * `Hackney.open` and `Hackney.connect` run one exchange / requests on one connection: the
 * feature options (redirects, cookie jar, decompression, retry, middleware, tracing, metrics;
 * for `connect` also progress) are not in their option types, and a JavaScript caller passing
 * one anyway gets a typed error, never an option silently ignored. A client's defaults of
 * these options are for its other verbs: its `open` still works.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { CookieJar, Hackney, HackneyClient, Middleware } from "../src/index.js"
import { httpServer } from "./support/servers.js"

const features: Record<string, unknown> = {
  followRedirect: true,
  maxRedirect: 3,
  locationTrusted: true,
  blockPrivateRedirects: true,
  cookieJar: CookieJar.make(),
  autoDecompress: true,
  retry: Schedule.recurs(1),
  retryNonIdempotent: true,
  retryStatuses: [503],
  middleware: [Middleware.logging()],
  tracing: true,
  metrics: true,
  propagate: true
}

describe("open and connect refuse the options they do not run", () => {
  it.scoped("Hackney.open: each feature option fails with InvalidRequest naming it; nothing is sent", () =>
    Effect.gen(function*() {
      let hits = 0
      const srv = yield* httpServer((_req, res) => {
        hits++
        res.end("ok")
      })
      for (const [key, value] of Object.entries(features)) {
        const e = yield* Effect.flip(Effect.scoped(Hackney.open("POST", srv.url, { pool: false, [key]: value } as never)))
        expect([key, e._tag, (e as { reason?: string }).reason]).toEqual([key, "InvalidRequest", "option"])
        expect(e.message).toContain(`the ${key} option`)
      }
      // false turns a feature off: accepted
      const w = yield* Hackney.open("POST", srv.url, { pool: false, followRedirect: false, metrics: false } as never)
      yield* w.send("x")
      expect((yield* (yield* w.response).text)).toBe("ok")
      expect(hits).toBe(1)
    }))

  it.scoped("Hackney.connect: each feature option and the progress callbacks fail with InvalidRequest naming them", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("ok"))
      const all = { ...features, uploadProgress: () => Effect.void, downloadProgress: () => Effect.void }
      for (const [key, value] of Object.entries(all)) {
        const e = yield* Effect.flip(Effect.scoped(Hackney.connect(srv.url, { [key]: value } as never)))
        expect([key, e._tag, (e as { reason?: string }).reason]).toEqual([key, "InvalidRequest", "option"])
        expect(e.message).toContain(`the ${key} option`)
      }
    }))

  it.scoped("HackneyClient.open: the client's feature defaults are for its other verbs; open still works", () =>
    Effect.gen(function*() {
      const srv = yield* httpServer((_req, res) => res.end("ok"))
      const client = HackneyClient.make({ followRedirect: true, retry: Schedule.recurs(1), autoDecompress: true, pool: false })
      const w = yield* client.open("PUT", srv.url)
      yield* w.send("body")
      expect(yield* (yield* w.response).text).toBe("ok")
      // A feature option given to this open call itself is refused.
      const e = yield* Effect.flip(Effect.scoped(client.open("PUT", srv.url, { cookieJar: CookieJar.make() } as never)))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
    }))
})
