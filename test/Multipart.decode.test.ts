/**
 * The multipart decoder: the sans-IO state machine and its Stream glue —
 * delimiters split at every chunk boundary, preamble and epilogue, nested
 * bodies, limits and malformed input as `MultipartError`, body order.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import * as fc from "fast-check"
import { MultipartError } from "../src/HackneyError.js"
import * as Multipart from "../src/Multipart.js"
import { Decoder, defaultLimits, type Event, type Limits } from "../src/internal/multipart/decoder.js"
import { decodeExtValue, namesOf, parse as parseDisposition } from "../src/internal/multipart/disposition.js"
import { collectLimits, resolveLimits } from "../src/internal/node/multipartDecode.js"
import * as Headers from "../src/Headers.js"

const enc = new TextEncoder()
const dec = new TextDecoder()

const simple = "preamble\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B\r\n" +
  "Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nline\r\n-B\r\n--\r\n\r\n--B--\r\nepilogue"

/** Runs the sans-IO decoder over chunks; returns parts as [raw headers, body text] or the error reason. */
const run = (boundary: string, chunks: ReadonlyArray<Uint8Array>): { parts: Array<[ReadonlyArray<string>, string]>; error?: string } => {
  const d = new Decoder(boundary)
  const events: Array<Event> = []
  for (const c of chunks) d.push(c, events)
  d.end(events)
  const parts: Array<[ReadonlyArray<string>, string]> = []
  let body: Array<Uint8Array> = []
  for (const ev of events) {
    if (ev._tag === "Headers") {
      parts.push([ev.raw, ""])
      body = []
    } else if (ev._tag === "Body") body.push(ev.bytes)
    else if (ev._tag === "PartEnd") parts[parts.length - 1][1] = Buffer.concat(body).toString("latin1")
    else if (ev._tag === "Error") return { parts, error: ev.error.reason }
  }
  return { parts }
}

const splits = (bytes: Uint8Array): Array<Array<Uint8Array>> => {
  const out: Array<Array<Uint8Array>> = []
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.slice(0, i), bytes.slice(i)])
  return out
}

describe("Multipart decoder (sans-IO)", () => {
  it("finds the delimiter split at every position, skips preamble and epilogue, keeps a near-delimiter line as body", () => {
    const bytes = enc.encode(simple)
    const whole = run("B", [bytes])
    expect(whole.error).toBeUndefined()
    expect(whole.parts).toEqual([
      [["Content-Disposition", "form-data; name=\"a\""], "1"],
      [["Content-Disposition", "form-data; name=\"f\"; filename=\"x.txt\"", "Content-Type", "text/plain"], "line\r\n-B\r\n--\r\n"]
    ])
    for (const s of splits(bytes)) expect(run("B", s)).toEqual(whole)
    // One byte at a time.
    expect(run("B", Array.from(bytes, (b) => new Uint8Array([b])))).toEqual(whole)
  })

  it("body bytes are views of the input chunks, not copies", () => {
    const bytes = enc.encode("--B\r\n\r\n" + "x".repeat(1000) + "\r\n--B--")
    const d = new Decoder("B")
    const body = d.push(bytes).filter((e): e is Extract<Event, { _tag: "Body" }> => e._tag === "Body")
    expect(body.length).toBe(1)
    expect(body[0].bytes.buffer).toBe(bytes.buffer)
  })

  it("a part without headers, an empty body, and a body opening on the delimiter", () => {
    expect(run("B", [enc.encode("--B\r\n\r\n\r\n--B\r\nA: 1\r\n\r\n\r\n--B--\r\n")])).toEqual({
      parts: [[[], ""], [["A", "1"], ""]]
    })
  })

  it("transport padding after a delimiter and folded header lines are accepted", () => {
    expect(run("B", [enc.encode("--B  \t\r\nA: 1\r\n  2\r\n\r\nx\r\n--B--")])).toEqual({ parts: [[["A", "1 2"], "x"]] })
  })

  it("malformed input and limits end with a MultipartError reason", () => {
    expect(run("B", [enc.encode("--B\r\nno colon\r\n\r\nx\r\n--B--")]).error).toBe("invalid-header")
    expect(run("B", [enc.encode("--B\r\nA: 1\r\n\r\nx")]).error).toBe("missing-closing-boundary")
    expect(run("B", [enc.encode("no boundary at all")]).error).toBe("missing-closing-boundary")
    const limited = (limits: Partial<Limits>, text: string) => {
      const d = new Decoder("B", { maxHeaderSize: 100, maxHeaders: 2, maxParts: 2, maxTotalSize: 1000, ...limits })
      const ev = d.push(enc.encode(text))
      d.end(ev)
      return ev.find((e) => e._tag === "Error")
    }
    expect(limited({}, "--B\r\nA: " + "x".repeat(200) + "\r\n\r\n\r\n--B--")).toMatchObject({ error: { reason: "header-too-large" } })
    expect(limited({}, "--B\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n\r\n--B--")).toMatchObject({ error: { reason: "too-many-headers" } })
    expect(limited({}, "--B\r\n\r\n\r\n--B\r\n\r\n\r\n--B\r\n\r\n\r\n--B--")).toMatchObject({ error: { reason: "too-many-parts" } })
    expect(limited({}, "--B\r\n\r\n" + "x".repeat(2000) + "\r\n--B--")).toMatchObject({ error: { reason: "too-large" } })
  })

  it("Content-Disposition: quoted and bare values, RFC 5987 filename*, raw UTF-8", () => {
    expect(namesOf("form-data; name=\"a;b\"; filename=\"C:\\dir\\f.txt\"")).toEqual({ name: "a;b", filename: "C:\\dir\\f.txt" })
    expect(namesOf("form-data; name=x; filename=\"a\\\"b\"")).toEqual({ name: "x", filename: "a\"b" })
    expect(namesOf("form-data; name=\"a\\\"; filename=\"b\\\"")).toEqual({ name: "a\\", filename: "b\\" })
    expect(namesOf("attachment; filename=\"plain.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt")).toEqual({ name: undefined, filename: "€ rates.txt" })
    expect(namesOf("form-data; name=\"日本\"")).toEqual({ name: "日本", filename: undefined })
    expect(decodeExtValue("iso-8859-1'en'%A3")).toBe("£")
    expect(decodeExtValue("UTF-8''%ZZ")).toBeUndefined()
  })
})

const collect = <E>(s: Stream.Stream<Multipart.DecodedPart<E>, unknown>) =>
  Stream.runCollect(Stream.mapEffect(s, (p) => Effect.map(Stream.runCollect(p.body), (c) => ({ name: p.name, filename: p.filename, contentType: p.contentType, body: dec.decode(Buffer.concat(Chunk.toArray(c))) }))))

describe("Multipart.decode (Stream)", () => {
  it.effect("parts in order with names, file names, content types and bodies", () =>
    Effect.gen(function*() {
      const parts = yield* collect(Multipart.decode("multipart/form-data; boundary=B")(Stream.fromIterable(splits(enc.encode(simple))[17])))
      expect(Chunk.toArray(parts)).toEqual([
        { name: "a", filename: undefined, contentType: undefined, body: "1" },
        { name: "f", filename: "x.txt", contentType: "text/plain", body: "line\r\n-B\r\n--\r\n" }
      ])
    }))

  it.effect("a part's body not read is skipped; reading it after the next part fails with body-unavailable", () =>
    Effect.gen(function*() {
      const parts = yield* Stream.runCollect(Multipart.decode("multipart/form-data; boundary=B")(Stream.succeed(enc.encode(simple))))
      expect(Chunk.toArray(parts).map((p) => p.name)).toEqual(["a", "f"])
      const e = yield* Effect.flip(Stream.runCollect(Chunk.unsafeGet(parts, 0).body))
      expect(e).toBeInstanceOf(MultipartError)
      expect((e as MultipartError).reason).toBe("body-unavailable")
    }))

  it.effect("a bad Content-Type fails at once: not multipart, no boundary, boundary too long", () =>
    Effect.gen(function*() {
      const reason = (ct: string) => Effect.map(Effect.flip(Stream.runDrain(Multipart.decode(ct)(Stream.empty))), (e) => (e as MultipartError).reason)
      expect(yield* reason("text/plain")).toBe("invalid-content-type")
      expect(yield* reason("multipart/form-data")).toBe("missing-boundary")
      expect(yield* reason(`multipart/form-data; boundary=${"a".repeat(71)}`)).toBe("invalid-boundary")
      const bad = yield* Effect.flip(Stream.runDrain(Multipart.decode("multipart/form-data; boundary=B", { maxParts: -1 })(Stream.empty)))
      expect(bad._tag).toBe("InvalidRequest")
    }))

  it.effect("the input's own error passes through unchanged", () =>
    Effect.gen(function*() {
      const input = Stream.concat(Stream.succeed(enc.encode("--B\r\n\r\npartial")), Stream.fail("disk on fire" as const))
      const e = yield* Effect.flip(collect(Multipart.decode("multipart/form-data; boundary=B")(input)))
      expect(e).toBe("disk on fire")
    }))

  it.effect("a nested multipart/mixed part decodes the same way", () =>
    Effect.gen(function*() {
      const body = "--O\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=I\r\n\r\n" +
        "--I\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\n\r\nA\r\n--I\r\nContent-Disposition: attachment; filename=\"b.txt\"\r\n\r\nB\r\n--I--\r\n--O--\r\n"
      const inner = yield* Stream.runCollect(Stream.flatMap(
        Multipart.decode("multipart/form-data; boundary=O")(Stream.succeed(enc.encode(body))),
        (p) => collect(Multipart.decode(p.contentType!)(p.body)).pipe(Stream.fromEffect, Stream.flattenIterables)
      ))
      expect(Chunk.toArray(inner).map((p) => [p.filename, p.body])).toEqual([["a.txt", "A"], ["b.txt", "B"]])
    }))

  it.effect("decodeAll collects the bodies, bounded by maxTotalSize", () =>
    Effect.gen(function*() {
      const parts = yield* Multipart.decodeAll("multipart/form-data; boundary=B")(Stream.succeed(enc.encode(simple)))
      expect(parts.map((p) => [p.name, dec.decode(p.bytes)])).toEqual([["a", "1"], ["f", "line\r\n-B\r\n--\r\n"]])
      const e = yield* Effect.flip(Multipart.decodeAll("multipart/form-data; boundary=B", { maxTotalSize: 20 })(Stream.succeed(enc.encode(simple))))
      expect(e).toMatchObject({ _tag: "MultipartError", reason: "too-large" })
    }))
})

describe("Multipart round trip (property)", () => {
  const name = fc.string({ maxLength: 12 }).filter((s) => !/["\r\n]/.test(s))
  const bytes = fc.uint8Array({ maxLength: 200 })
  const field = fc.record({ name, value: fc.oneof(fc.string({ maxLength: 100 }), bytes) })
  const streamed = fc.record({ name, data: bytes, filename: name, sized: fc.boolean() })
  const part = fc.oneof(field, streamed)

  it.effect("decode(encode(parts)) gives the parts back, whatever the chunking", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(part, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (input, cuts) => {
          const parts: Array<Multipart.Part> = input.map((p) =>
            "value" in p ? p : { name: p.name, filename: p.filename, stream: Stream.make(p.data), size: p.sized ? p.data.length : undefined }
          )
          const out = await Effect.runPromise(Effect.gen(function*() {
            const e = yield* Multipart.encode(parts)
            const all = Buffer.concat(Chunk.toArray(yield* Stream.runCollect(e.body)))
            if (e.contentLength !== undefined) expect(e.contentLength).toBe(all.length)
            expect(e.contentLength === undefined).toBe(input.some((p) => "data" in p && !p.sized))
            // Re-chunk at random sizes.
            const chunks: Array<Uint8Array> = []
            for (let i = 0, k = 0; i < all.length; k++) {
              const n = cuts[k % cuts.length]
              chunks.push(all.subarray(i, i + n))
              i += n
            }
            return yield* Multipart.decodeAll(e.contentType)(Stream.fromIterable(chunks))
          }))
          expect(out.map((p) => [p.name, p.filename, Buffer.from(p.bytes).toString("hex")])).toEqual(input.map((p) =>
            "value" in p
              ? [p.name, undefined, Buffer.from(typeof p.value === "string" ? enc.encode(p.value) : p.value).toString("hex")]
              : [p.name, p.filename, Buffer.from(p.data).toString("hex")]
          ))
        }),
        { numRuns: 150 }
      )
    ))
})

void Either

describe("Multipart decoder: limits at their edge", () => {
  const lim: Limits = { maxHeaderSize: 40, maxHeaders: 2, maxParts: 2, maxTotalSize: Infinity }
  /** The error reason and detail of decoding `text` under `limits`, whole and one byte at a time (they must agree). */
  const outcome = (text: string, limits: Partial<Limits> = {}) => {
    const bytes = enc.encode(text)
    const results = [[bytes], Array.from(bytes, (b) => new Uint8Array([b]))].map((chunks) => {
      const d = new Decoder("B", { ...lim, ...limits })
      const ev: Array<Event> = []
      for (const c of chunks) d.push(c, ev)
      d.end(ev)
      const e = ev.find((x): x is Extract<Event, { _tag: "Error" }> => x._tag === "Error")
      return e === undefined ? "ok" : `${e.error.reason}: ${e.error.detail}`
    })
    expect(results[1]).toBe(results[0])
    return results[0]
  }

  it("maxTotalSize: a body of exactly the limit decodes; one byte more is too-large", () => {
    const text = "--B\r\n\r\nxy\r\n--B--"
    expect(outcome(text, { maxTotalSize: text.length })).toBe("ok")
    expect(outcome(text, { maxTotalSize: text.length - 1 })).toBe(
      `too-large: the multipart body is over ${text.length - 1} bytes (the maxTotalSize limit)`
    )
  })

  it("maxHeaderSize: a header section of exactly the limit decodes; one byte more is header-too-large", () => {
    const at = "A: " + "x".repeat(40 - 3)
    expect(at.length).toBe(40)
    expect(outcome(`--B\r\n${at}\r\n\r\nbody\r\n--B--`)).toBe("ok")
    expect(outcome(`--B\r\n${at}x\r\n\r\nbody\r\n--B--`)).toBe(
      "header-too-large: a part's header section is over 40 bytes (the maxHeaderSize limit)"
    )
    // Two lines: the CRLF between them counts.
    const two = "A: 1\r\nB: " + "y".repeat(40 - 9)
    expect(two.length).toBe(40)
    expect(outcome(`--B\r\n${two}\r\n\r\n\r\n--B--`)).toBe("ok")
    expect(outcome(`--B\r\n${two}y\r\n\r\n\r\n--B--`)).toMatch(/^header-too-large: /)
    // A header section that never ends fails as soon as it is over the limit, not at the end of the input.
    expect(outcome(`--B\r\n${at}${"x".repeat(10)}`)).toBe("header-too-large: a part's header section is over 40 bytes (the maxHeaderSize limit)")
  })

  it("maxHeaderSize bounds the transport padding of a delimiter line too", () => {
    expect(outcome(`--B${" ".repeat(38)}\r\n\r\nx\r\n--B--`)).toBe("ok")
    expect(outcome(`--B${" ".repeat(39)}\r\n\r\nx\r\n--B--`)).toBe(
      "header-too-large: a delimiter line is over 40 bytes (the maxHeaderSize limit)"
    )
  })

  it("maxHeaders: exactly the limit decodes; one more is too-many-headers", () => {
    expect(outcome("--B\r\nA: 1\r\nB: 2\r\n\r\n\r\n--B--")).toBe("ok")
    expect(outcome("--B\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n\r\n--B--")).toBe(
      "too-many-headers: a part has more than 2 headers (the maxHeaders limit)"
    )
  })

  it("maxParts: exactly the limit decodes; one more is too-many-parts", () => {
    expect(outcome("--B\r\n\r\n1\r\n--B\r\n\r\n2\r\n--B--")).toBe("ok")
    expect(outcome("--B\r\n\r\n1\r\n--B\r\n\r\n2\r\n--B\r\n\r\n3\r\n--B--")).toBe(
      "too-many-parts: the body has more than 2 parts (the maxParts limit)"
    )
  })

  it("malformed header lines and missing closing lines say what is wrong", () => {
    expect(outcome("--B\r\nno colon\r\n\r\n\r\n--B--")).toBe(`invalid-header: the header line "no colon" has no colon`)
    expect(outcome("--B\r\nbad name: 1\r\n\r\n\r\n--B--")).toBe(`invalid-header: the header name "bad name" is not a token`)
    expect(outcome("--B\r\n: empty name\r\n\r\n\r\n--B--")).toBe(`invalid-header: the header name "" is not a token`)
    // A folded line needs a line to continue.
    expect(outcome("--B\r\n folded: 1\r\n\r\n\r\n--B--")).toBe(`invalid-header: the header name " folded" is not a token`)
    expect(outcome("--B\r\n\tA: 1\r\n\r\n\r\n--B--")).toMatch(/^invalid-header: /)
    expect(outcome("nothing")).toBe("missing-closing-boundary: the input ended before any boundary line: it is not a multipart body with this boundary")
    expect(outcome("--B\r\n\r\nx\r\n--B\r\n\r\ny")).toBe("missing-closing-boundary: the input ended inside part 2 without the closing boundary line")
    expect(outcome("--B\r\nA: 1")).toBe("missing-closing-boundary: the input ended inside part 0 without the closing boundary line")
  })
})

describe("Content-Disposition of a decoded part", () => {
  it("the type is trimmed and lower case; parameter names lower case, the first of a name wins; separators and spaces skipped", () => {
    expect(parseDisposition(" Form-Data ;NAME=a; name=b;;  filename = \"f.txt\" ;flag; =x; last=")).toEqual({
      type: "form-data",
      params: { name: "a", filename: "f.txt", flag: "", last: "" }
    })
    expect(parseDisposition("inline")).toEqual({ type: "inline", params: {} })
    expect(parseDisposition("attachment;\tname=\t\"q\"")).toEqual({ type: "attachment", params: { name: "q" } })
  })

  it("quoted values keep ; and spaces; a bare value ends at ; and is trimmed; an unterminated quote runs to the end", () => {
    expect(parseDisposition("form-data; name=\" a; b \"; x=1")).toEqual({ type: "form-data", params: { name: " a; b ", x: "1" } })
    expect(parseDisposition("form-data; name=  bare value  ; x=1")).toEqual({ type: "form-data", params: { name: "bare value", x: "1" } })
    expect(parseDisposition("form-data; name=\"open; x=1")).toEqual({ type: "form-data", params: { name: "open; x=1" } })
    // `\"` before the end of the value is an escaped quote; before `;` or the end it is a backslash and the closing quote.
    expect(parseDisposition("form-data; name=\"a\\\"b\\\" ; x=\"c\\\"  \"; y=\"d\\\"  ")).toEqual({
      type: "form-data",
      params: { name: "a\"b\\", x: "c\"  ", y: "d\\" }
    })
    expect(parseDisposition("form-data; name=\"a\\\"\"")).toEqual({ type: "form-data", params: { name: "a\"" } })
  })

  it("filename* (RFC 5987): charset case-insensitive, language ignored, percent-decoded; malformed falls back to filename", () => {
    expect(decodeExtValue("utf-8'en-GB'a%20b%C3%A9")).toBe("a bé")
    expect(decodeExtValue("ISO-8859-1''%e9t%E9")).toBe("été")
    expect(decodeExtValue("UTF-8''plain~!")).toBe("plain~!")
    expect(decodeExtValue("UTF-8'%41")).toBeUndefined() // no second quote
    expect(decodeExtValue("'en'x")).toBeUndefined() // no charset
    expect(decodeExtValue("UTF 8''x")).toBeUndefined() // a charset is a token
    expect(decodeExtValue("UTF-8''%4")).toBeUndefined()
    expect(decodeExtValue("UTF-8''%G1")).toBeUndefined()
    expect(decodeExtValue("UTF-8''\u007f")).toBeUndefined()
    expect(decodeExtValue("UTF-8''\u007e")).toBe("~")
    expect(decodeExtValue("UTF-8''é")).toBeUndefined() // raw non-ASCII is not an ext-value
    expect(decodeExtValue("UTF-8''%FF")).toBeUndefined() // not UTF-8
    expect(decodeExtValue("koi8-r''%C1")).toBeUndefined() // a charset neither UTF-8 nor ISO-8859-1
    expect(namesOf("form-data; name=n; filename=\"f.txt\"; filename*=UTF-8''%FF")).toEqual({ name: "n", filename: "f.txt" })
    expect(namesOf("form-data; filename*=UTF-8''%E2%82%AC; filename=\"e.txt\"")).toEqual({ name: undefined, filename: "€" })
    expect(namesOf(undefined)).toEqual({ name: undefined, filename: undefined })
  })
})

describe("Multipart.decode (Stream): the input's edges", () => {
  const ct = "multipart/form-data; boundary=B"
  const bodies = (input: Stream.Stream<Uint8Array, unknown>, limits?: Multipart.Limits) =>
    Effect.map(collect(Multipart.decode(ct, limits)(input)), (c) => Chunk.toArray(c).map((p) => p.body))

  it.effect("the epilogue after the closing line is read to its end and ignored", () =>
    Effect.gen(function*() {
      let pulled = 0
      const input = Stream.map(Stream.fromIterable(["--B\r\n\r\nx\r\n--B--", "\r\nepilogue 1", "epilogue 2"]), (s) => {
        pulled++
        return enc.encode(s)
      })
      expect(yield* bodies(input)).toEqual(["x"])
      expect(pulled).toBe(3)
    }))

  it.effect("an input that ends before the closing line fails with missing-closing-boundary, in a body or between parts", () =>
    Effect.gen(function*() {
      for (const text of ["--B\r\n\r\nunfinished", "--B\r\n\r\nx\r\n--B\r\n", "no delimiter", ""]) {
        const e = yield* Effect.flip(bodies(Stream.succeed(enc.encode(text))))
        expect(e, text).toMatchObject({ _tag: "MultipartError", reason: "missing-closing-boundary" })
      }
    }))

  it.effect("an error inside a part's body fails the body's stream, and pulling the next part after it fails the same way", () =>
    Effect.gen(function*() {
      const input = Stream.succeed(enc.encode("--B\r\n\r\n" + "x".repeat(50) + "\r\n--B--"))
      const e = yield* Effect.flip(bodies(input, { maxTotalSize: 30 }))
      expect(e).toMatchObject({ _tag: "MultipartError", reason: "too-large" })
      // The parts stream, the first body not read: skipping it meets the error.
      const chunks = Stream.fromIterable([enc.encode("--B\r\n\r\nab"), enc.encode("c".repeat(50))])
      const skipped = yield* Effect.flip(Stream.runCollect(Multipart.decode(ct, { maxTotalSize: 30 })(chunks)))
      expect(skipped).toMatchObject({ _tag: "MultipartError", reason: "too-large" })
    }))

  it.effect("a part's body read to its end cannot be read again; an unread body of the current part can still be read", () =>
    Effect.gen(function*() {
      const parts = Multipart.decode(ct)(Stream.succeed(enc.encode("--B\r\n\r\nfirst\r\n--B\r\n\r\nsecond\r\n--B--")))
      const out = yield* Stream.runCollect(Stream.mapEffect(parts, (p) =>
        Effect.gen(function*() {
          const once = dec.decode(Buffer.concat(Chunk.toArray(yield* Stream.runCollect(p.body))))
          const again = yield* Effect.flip(Stream.runCollect(p.body))
          return [once, (again as MultipartError).reason, (again as MultipartError).detail]
        })))
      expect(Chunk.toArray(out)).toEqual([
        ["first", "body-unavailable", "the body of part 1 was read to its end, or skipped by pulling the next part"],
        ["second", "body-unavailable", "the body of part 2 was read to its end, or skipped by pulling the next part"]
      ])
    }))

  it.effect("a part's headers: the Content-Type and Content-Disposition of the part, case-insensitively", () =>
    Effect.gen(function*() {
      const text = "--B\r\ncontent-type: text/csv\r\nCONTENT-DISPOSITION: form-data; name=\"t\"; filename=\"t.csv\"\r\nX-A: 1\r\n\r\na,b\r\n--B--"
      const parts = Chunk.toArray(yield* Stream.runCollect(Multipart.decode(ct)(Stream.succeed(enc.encode(text)))))
      expect(parts.map((p) => [p.name, p.filename, p.contentType, Headers.getOrUndefined(p.headers, "x-a")])).toEqual([["t", "t.csv", "text/csv", "1"]])
    }))

  it.effect("bad Content-Type values and limits say what is wrong", () =>
    Effect.gen(function*() {
      const detail = (contentType: string, limits?: Multipart.Limits) =>
        Effect.map(Effect.flip(Stream.runDrain(Multipart.decode(contentType, limits)(Stream.empty))), (e) => `${e._tag} ${(e as MultipartError).reason}: ${(e as MultipartError).detail}`)
      expect(yield* detail("text/plain; boundary=B")).toBe(`MultipartError invalid-content-type: "text/plain; boundary=B" is not a multipart media type`)
      expect(yield* detail("not a media type")).toBe(`MultipartError invalid-content-type: "not a media type" is not a multipart media type`)
      expect(yield* detail(5 as unknown as string)).toBe("MultipartError invalid-content-type: 5 is not a multipart media type")
      expect(yield* detail("multipart/mixed")).toBe(`MultipartError missing-boundary: "multipart/mixed" has no boundary parameter`)
      expect(yield* detail("multipart/mixed; boundary=\"a \"")).toBe(`MultipartError invalid-boundary: the boundary "a " is not 1 to 70 RFC 2046 boundary characters`)
      for (const k of ["maxHeaderSize", "maxHeaders", "maxParts", "maxTotalSize"] as const) {
        for (const v of [0, -1, NaN, "5"]) {
          expect(yield* detail(ct, { [k]: v as number })).toBe(`InvalidRequest option: the multipart ${k} limit is ${String(v)}; give a positive number`)
          const all = yield* Effect.flip(Multipart.decodeAll(ct, { [k]: v as number })(Stream.empty))
          expect(all).toMatchObject({ _tag: "InvalidRequest", reason: "option" })
        }
      }
    }))

  it.effect("limits given replace their defaults one by one; decodeAll's default total is 64 MiB, decode's unbounded", () =>
    Effect.gen(function*() {
      expect(resolveLimits(undefined)).toEqual(defaultLimits)
      expect(resolveLimits({ maxParts: 3 })).toEqual({ ...defaultLimits, maxParts: 3 })
      expect(resolveLimits({ maxHeaders: 1, maxHeaderSize: 2, maxTotalSize: 4 })).toEqual({ maxHeaders: 1, maxHeaderSize: 2, maxParts: 1000, maxTotalSize: 4 })
      expect(resolveLimits({ maxParts: undefined } as unknown as Partial<Limits>)).toEqual(defaultLimits)
      expect(collectLimits).toEqual({ maxHeaderSize: 16 * 1024, maxHeaders: 64, maxParts: 1000, maxTotalSize: 64 * 1024 * 1024 })
      expect(defaultLimits.maxTotalSize).toBe(Infinity)
      // A given limit applies to decodeAll as well.
      const three = "--B\r\n\r\n1\r\n--B\r\n\r\n2\r\n--B\r\n\r\n3\r\n--B--"
      const e = yield* Effect.flip(Multipart.decodeAll(ct, { maxParts: 2 })(Stream.succeed(enc.encode(three))))
      expect(e).toMatchObject({ reason: "too-many-parts" })
      expect((yield* Multipart.decodeAll(ct, { maxParts: 3 })(Stream.succeed(enc.encode(three)))).map((p) => dec.decode(p.bytes))).toEqual(["1", "2", "3"])
    }))

  it.effect("decodeAll keeps each part's headers, names, type and bytes", () =>
    Effect.gen(function*() {
      const text = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\nContent-Type: application/x-a\r\n\r\n\x00\x01\r\n--B--"
      const [p] = yield* Multipart.decodeAll(ct)(Stream.fromIterable([enc.encode(text.slice(0, 70)), enc.encode(text.slice(70))]))
      expect([p.name, p.filename, p.contentType, Headers.getOrUndefined(p.headers, "content-type"), [...p.bytes]]).toEqual([
        "f", "a.bin", "application/x-a", "application/x-a", [0, 1]
      ])
    }))
})

describe("Multipart decoder (sans-IO): delimiter lines and the end", () => {
  it("a delimiter line may end with a bare LF, right after the boundary or after padding", () => {
    for (const text of ["--B\nA: 1\r\n\r\nx\r\n--B--", "--B \nA: 1\r\n\r\nx\r\n--B--", "--B  \nA: 1\r\n\r\nx\r\n--B--"]) {
      const whole = run("B", [enc.encode(text)])
      expect(whole, JSON.stringify(text)).toEqual({ parts: [[["A", "1"], "x"]] })
      for (const s of splits(enc.encode(text))) expect(run("B", s)).toEqual(whole)
    }
  })

  it("after the closing line or an error, further input and the end add no event; done says whether the body closed", () => {
    const d = new Decoder("B")
    expect(d.done).toBe(false)
    const first = d.push(enc.encode("--B\r\n\r\nx\r\n--B--"))
    expect(first.map((e) => e._tag)).toEqual(["Headers", "Body", "PartEnd", "End"])
    expect(d.done).toBe(true)
    expect(d.push(enc.encode("\r\n--B\r\n\r\ny\r\n--B--"))).toEqual([])
    expect(d.end()).toEqual([])
    const bad = new Decoder("B")
    expect(bad.push(enc.encode("--B\r\nno colon\r\n\r\n")).map((e) => e._tag)).toEqual(["Error"])
    expect(bad.done).toBe(false)
    expect(bad.push(enc.encode("x\r\n--B--"))).toEqual([])
    expect(bad.end()).toEqual([])
  })

  it("the events come in the caller's array, after what it holds", () => {
    const d = new Decoder("B")
    const out: Array<Event> = [{ _tag: "PartEnd" }]
    const got = d.push(enc.encode("--B\r\n\r\n"), out)
    expect(got).toBe(out)
    expect(out.map((e) => e._tag)).toEqual(["PartEnd", "Headers"])
    expect(d.end(out)).toBe(out)
    expect(out.map((e) => e._tag)).toEqual(["PartEnd", "Headers", "Error"])
  })
})

describe("Multipart decoder: what the first run's survivors showed", () => {
  /** Every event of the sans-IO decoder over `chunks`, bodies as text. */
  const events = (chunks: ReadonlyArray<string>, limits?: Partial<Limits>) => {
    const d = new Decoder("B", { ...defaultLimits, ...limits })
    const out: Array<Event> = []
    for (const c of chunks) d.push(enc.encode(c), out)
    d.end(out)
    return out.map((e) => e._tag === "Body" ? `Body(${dec.decode(e.bytes)})` : e._tag === "Error" ? `Error(${e.error.reason})` : e._tag)
  }

  it("the preamble gives no Body event, even when it ends in what looks like a delimiter; an empty body gives none either", () => {
    expect(events(["pre\r\n--B\r\n\r\nx\r\n--B--"])).toEqual(["Headers", "Body(x)", "PartEnd", "End"])
    expect(events(["pre\r\n-", "-x\r\n--B\r\n\r\nx\r\n--B--"])).toEqual(["Headers", "Body(x)", "PartEnd", "End"])
    expect(events(["pre\r\n--", "B\r\n\r\n\r\n--B--"])).toEqual(["Headers", "PartEnd", "End"])
    expect(events(["--B\r\n\r\n\r\n--B--"])).toEqual(["Headers", "PartEnd", "End"])
    expect(events(["preamble without a line end", "\r\n--B\r\n\r\nx\r\n--B--"])).toEqual(["Headers", "Body(x)", "PartEnd", "End"])
  })

  it("only \"--\" right after the boundary closes the body; other bytes there are transport padding", () => {
    expect(events(["--B\r\n\r\n1\r\n--B-x\r\n\r\n2\r\n--B--"])).toEqual(["Headers", "Body(1)", "PartEnd", "Headers", "Body(2)", "PartEnd", "End"])
    expect(events(["--B\r\n\r\n1\r\n--Bx-\r\n\r\n2\r\n--B--"])).toEqual(["Headers", "Body(1)", "PartEnd", "Headers", "Body(2)", "PartEnd", "End"])
  })

  it("a header section ends only at CRLF CRLF: a bare CR or LF inside a header line does not end it", () => {
    expect(run("B", [enc.encode("--B\r\nA: 1\rx\r\n\r\nbody\r\n--B--")])).toEqual({ parts: [[["A", "1\rx"], "body"]] })
    expect(run("B", [enc.encode("--B\r\nA: 1\r\nB\n\r\n\r\nbody\r\n--B--")]).error).toBe("invalid-header")
    expect(run("B", [enc.encode("--B\r\nA: 1\r\r\n\r\nbody\r\n--B--")])).toEqual({ parts: [[["A", "1"], "body"]] })
    expect(run("B", [enc.encode("--B\r\nA: 1\r\n\rB: 2\r\n\r\nbody\r\n--B--")]).error).toBe("invalid-header")
  })

  it("long malformed header lines and names are cut to 80 characters in the error", () => {
    const long = "x".repeat(100)
    expect(events([`--B\r\n${long}\r\n\r\n\r\n--B--`])).toEqual(["Error(invalid-header)"])
    const d = new Decoder("B")
    const [e1] = d.push(enc.encode(`--B\r\n${long}\r\n\r\n`))
    expect(e1).toMatchObject({ error: { detail: `the header line "${"x".repeat(80)}" has no colon` } })
    const [e2] = new Decoder("B").push(enc.encode(`--B\r\n${"y".repeat(90)} z: 1\r\n\r\n`))
    expect(e2).toMatchObject({ error: { detail: `the header name "${"y".repeat(80)}" is not a token` } })
  })

  it("after the closing line or an error, more input does not count against maxTotalSize", () => {
    const text = "--B\r\n\r\nx\r\n--B--"
    const d = new Decoder("B", { ...defaultLimits, maxTotalSize: text.length })
    expect(d.push(enc.encode(text)).map((e) => e._tag)).toEqual(["Headers", "Body", "PartEnd", "End"])
    expect(d.push(enc.encode("epilogue past the limit"))).toEqual([])
    const f = new Decoder("B", { ...defaultLimits, maxTotalSize: 20 })
    expect(f.push(enc.encode("--B\r\nbad\r\n\r\n")).map((e) => e._tag)).toEqual(["Error"])
    expect(f.push(enc.encode("x".repeat(30)))).toEqual([])
  })
})

describe("Content-Disposition and filename*: what the first run's survivors showed", () => {
  it("a value opening with ; has an empty type; a quote inside a quoted value ends it unless escaped", () => {
    expect(parseDisposition(";name=a")).toEqual({ type: "", params: { name: "a" } })
    expect(parseDisposition("form-data; filename=\"a\"b.txt\"; name=x")).toEqual({ type: "form-data", params: { filename: "a", "b.txt\"": "", name: "x" } })
  })

  it("an ext-value is the whole string: nothing before the charset, no line break in the value", () => {
    expect(decodeExtValue(" UTF-8''abc")).toBeUndefined()
    expect(decodeExtValue("x UTF-8''abc")).toBeUndefined()
    expect(decodeExtValue("UTF-8''a\nb")).toBeUndefined()
  })
})

describe("Multipart.decode (Stream): what the first run's survivors showed", () => {
  const ct = "multipart/form-data; boundary=B"
  const oneByOne = (text: string) => Stream.rechunk(Stream.fromIterable(Array.from(enc.encode(text), (b) => new Uint8Array([b]))), 1)

  it.effect("a body cut short by the input's end fails itself, not only the next part", () =>
    Effect.gen(function*() {
      for (const input of [Stream.succeed(enc.encode("--B\r\n\r\nunfinished")), oneByOne("--B\r\n\r\nunfinished")]) {
        const first = yield* Stream.runHead(Multipart.decode(ct)(input))
        const e = yield* Effect.flip(Stream.runCollect(Option.getOrThrow(first).body))
        expect(e).toMatchObject({ _tag: "MultipartError", reason: "missing-closing-boundary" })
      }
    }))

  it.effect("after a body failed, pulling the next part fails with the same error", () =>
    Effect.gen(function*() {
      const input = Stream.rechunk(Stream.make(enc.encode("--B\r\n\r\nxx"), enc.encode("x".repeat(50) + "\r\n--B\r\n\r\ny\r\n--B--")), 1)
      const seen: Array<string> = []
      const e = yield* Effect.flip(Stream.runDrain(Stream.mapEffect(Multipart.decode(ct, { maxTotalSize: 30 })(input), (p) =>
        Effect.map(Effect.either(Stream.runCollect(p.body)), (r) => seen.push(r._tag)))))
      expect(seen).toEqual(["Left"])
      expect(e).toMatchObject({ _tag: "MultipartError", reason: "too-large" })
    }))

  it.effect("bodies arriving one byte a chunk come whole; the epilogue is pulled chunk by chunk to the input's end", () =>
    Effect.gen(function*() {
      const text = "--B\r\n\r\nfirst body\r\n--B\r\nA: 1\r\n\r\nsecond\r\n--B--\r\nepilogue"
      const parts = yield* collect(Multipart.decode(ct)(oneByOne(text)))
      expect(Chunk.toArray(parts).map((p) => p.body)).toEqual(["first body", "second"])
      let pulled = 0
      const counted = Stream.tap(oneByOne(text), () => Effect.sync(() => pulled++))
      yield* Stream.runDrain(Multipart.decode(ct)(counted))
      expect(pulled).toBe(text.length)
    }))

  it.effect("an unread empty body is skipped without losing the next part", () =>
    Effect.gen(function*() {
      const parts = yield* Stream.runCollect(Multipart.decode(ct)(Stream.succeed(enc.encode("--B\r\n\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nx\r\n--B--"))))
      expect(Chunk.toArray(parts).map((p) => p.name)).toEqual([undefined, "n"])
    }))

  it.effect("an input error in the epilogue, after the closing line, still fails the parts stream", () =>
    Effect.gen(function*() {
      const input = Stream.concat(Stream.succeed(enc.encode("--B\r\n\r\nx\r\n--B--")), Stream.fail("epilogue lost" as const))
      expect(yield* Effect.flip(Stream.runDrain(Multipart.decode(ct)(input)))).toBe("epilogue lost")
    }))

  it.effect("an invalid boundary is cut to 100 characters in the error", () =>
    Effect.gen(function*() {
      const b = "a".repeat(150)
      const e = yield* Effect.flip(Stream.runDrain(Multipart.decode(`multipart/form-data; boundary=${b}`)(Stream.empty)))
      expect((e as MultipartError).detail).toBe(`the boundary "${"a".repeat(100)}" is not 1 to 70 RFC 2046 boundary characters`)
    }))
})
