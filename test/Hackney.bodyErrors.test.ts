/**
 * A request body Stream that fails or dies: the caller's error reaches them
 * (`BodyError` with it as cause), the error says truthfully what reached the
 * wire, a defect stays a defect, no request hangs, and the connection is
 * never reused — in `Hackney.request` (body sent inline) and
 * `Hackney.stream` (body sent by a forked fiber) alike.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Stream } from "effect"
import type * as net from "node:net"
import { Hackney, HackneyError, Pool } from "../src/index.js"
import { eventually } from "./support/hackney.js"
import { rawServer } from "./support/servers.js"

let poolSeq = 0
const testPool = Effect.suspend(() => Pool.make({ name: `body-errors-${poolSeq++}` }))

const abc = new TextEncoder().encode("abc")

class UploadFailed {
  readonly _tag = "UploadFailed"
  constructor(readonly file: string) {}
}

/**
 * Records every byte it receives; answers `GET`s with 200 (keep-alive) and
 * never answers anything else (a POST whose body never ends).
 */
const recorder = Effect.gen(function*() {
  let received = ""
  const srv = yield* rawServer((socket: net.Socket) => {
    socket.on("data", (d) => {
      received += d.toString("latin1")
      if (d.toString("latin1").startsWith("GET ")) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    })
  })
  return { ...srv, received: () => received }
})

/** Sends `body` with `Hackney.request` or `Hackney.stream` (reading the response). */
const send = (via: "request" | "stream", url: string, pool: Pool.Pool, body: Stream.Stream<Uint8Array, unknown>) =>
  via === "request"
    ? Effect.asVoid(Hackney.post(url, { pool, body }))
    : Effect.scoped(Effect.flatMap(Hackney.stream("POST", url, { pool, body }), (res) => res.text))

// The live Clock: bounds a request in real time (a hang fails the test quickly).
const liveClock = Effect.runSync(Effect.clock)
const bounded = <A, E>(self: Effect.Effect<A, E>) =>
  Effect.timeoutFail(self, { duration: "3 seconds", onTimeout: () => "hung" as const }).pipe(Effect.withClock(liveClock))

describe("request body Stream failures", () => {
  for (const via of ["request", "stream"] as const) {
    it.scoped(`${via}: a failing body Stream fails with BodyError carrying the caller's error; requestSent says the head reached the wire`, () =>
      Effect.gen(function*() {
        const srv = yield* recorder
        const pool = yield* testPool
        const cause = new UploadFailed("a.bin")
        const body = Stream.concat(Stream.make(abc), Stream.fail(cause))
        const e = yield* Effect.flip(bounded(send(via, srv.url, pool, body)))
        expect(e).toMatchObject({ _tag: "BodyError", requestSent: true, bodyBytesSent: 3, method: "POST" })
        if (e === "hung" || e._tag !== "BodyError") return expect.fail(`got ${String(e)}`)
        expect(e.cause).toBe(cause)
        expect(e.message).toContain("after the request head and 3 body bytes were sent")
        expect(e.message).not.toContain("nothing was sent")
        // What the message says is what the server saw: the head and the first chunk.
        yield* eventually(() => srv.received().includes("abc"), 2000, "the body bytes")
        expect(srv.received()).toMatch(/^POST \/ HTTP\/1\.1\r\n/)
      }))

    it.scoped(`${via}: the connection a failing body Stream was sent on is never reused`, () =>
      Effect.gen(function*() {
        const srv = yield* recorder
        const pool = yield* testPool
        yield* Effect.flip(bounded(send(via, srv.url, pool, Stream.concat(Stream.make(abc), Stream.fail("boom")))))
        expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
        yield* eventually(() => srv.sockets.size === 0, 2000, "the server to see the close")
        const res = yield* Hackney.get(srv.url, { pool })
        expect(res.text()).toBe("ok")
        expect(srv.accepted()).toBe(2)
      }))

    it.scoped(`${via}: a Stream.die in the body is the request's defect (not InvalidRequest), at once, and the connection is closed`, () =>
      Effect.gen(function*() {
        const srv = yield* recorder
        const pool = yield* testPool
        const defect = new Error("bug in the body producer")
        const exit = yield* Effect.exit(bounded(send(via, srv.url, pool, Stream.concat(Stream.make(abc), Stream.die(defect)))))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        if (Exit.isFailure(exit)) expect(Cause.squash(exit.cause)).toBe(defect)
        expect(yield* Pool.stats(pool)).toMatchObject({ inUse: 0, free: 0 })
        yield* eventually(() => srv.sockets.size === 0, 2000, "the server to see the close")
      }))
  }

  it.scoped("a body Stream failing with a HackneyError (another response's body) gives BodyError with it as cause", () =>
    Effect.gen(function*() {
      const srv = yield* recorder
      const pool = yield* testPool
      const upstream = new HackneyError.RecvTimeout({ timeoutMillis: 5000, phase: "body", method: "GET", url: "http://upstream.test/" })
      const e = yield* Effect.flip(Hackney.post(srv.url, { pool, body: Stream.concat(Stream.make(abc), Stream.fail(upstream)) }))
      expect(e._tag).toBe("BodyError")
      expect(e.cause).toBe(upstream)
      expect(e.url).toBe(srv.url)
    }))
})
