/**
 * The multipart encoder: exact bytes for every hackney part form, exact
 * lengths, escaping, CR/LF refused, the boundary, and acceptance by two
 * real parsers (undici's `Response.formData`, `@effect/platform`'s
 * `Multipart`).
 */
import * as PlatformMultipart from "@effect/platform/Multipart"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Multipart from "../src/Multipart.js"
import * as Encode from "../src/internal/multipart/encode.js"
import { encodeBody, formDataParts } from "../src/internal/node/multipartBody.js"

const dir = mkdtempSync(join(tmpdir(), "hackney-mp-"))
const photo = join(dir, "photo.jpg")
writeFileSync(photo, Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x0d, 0x0a]))

const bytesOf = (s: Stream.Stream<Uint8Array, unknown>) => Effect.map(Stream.runCollect(s), (c) => Buffer.concat(Chunk.toArray(c)))

describe("Multipart.encode", () => {
  it("boundary: hackney's format (27 dashes, 16 letters in b..z), from the given random source", () => {
    for (let i = 0; i < 50; i++) expect(Multipart.boundary()).toMatch(/^-{27}[b-z]{16}$/)
    expect(Encode.boundary((b) => b.fill(0))).toBe("-".repeat(27) + "b".repeat(16))
    // Bytes ≥ 250 are drawn again (no modulo bias): 255s then 1s give c's.
    let n = 0
    expect(Encode.boundary((b) => b.fill(n++ === 0 ? 255 : 1))).toBe("-".repeat(27) + "c".repeat(16))
  })

  it.effect("every part form, exact bytes and exact Content-Length; the file is streamed, its type from mime-types", () =>
    Effect.gen(function*() {
      const enc = yield* Multipart.encode([
        { name: "title", value: "holiday ✓" },
        { name: "raw", value: new Uint8Array([1, 2]), contentType: "application/x-raw", headers: { "X-Id": "7" } },
        { name: "photo", file: photo },
        { name: "log", stream: Stream.make(new Uint8Array([65]), new Uint8Array([66])), size: 2, filename: "a.txt" },
        { name: "files", parts: [{ name: "one", value: "1" }] },
        { name: "custom", value: "c", disposition: { type: "form-data", params: { "x-origin": "scan\"ner" } } }
      ], { boundary: "XYZ" })
      const body = (yield* bytesOf(enc.body)).toString("latin1")
      expect(enc.contentType).toBe("multipart/form-data; boundary=XYZ")
      expect(body).toBe(
        "--XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + Buffer.from("holiday ✓").toString("latin1") + "\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"raw\"\r\nContent-Type: application/x-raw\r\nX-Id: 7\r\n\r\n\x01\x02\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\x00\r\n\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"log\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nAB\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=XYZ-1\r\n\r\n" +
          "--XYZ-1\r\nContent-Disposition: attachment; name=\"one\"\r\n\r\n1\r\n--XYZ-1--\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"custom\"; x-origin=\"scan%22ner\"\r\n\r\nc\r\n" +
          "--XYZ--\r\n"
      )
      expect(enc.contentLength).toBe(Buffer.byteLength(body, "latin1"))
    }))

  it.effect("a stream part without a size makes the length unknown (chunked); a wrong declared size fails the stream", () =>
    Effect.gen(function*() {
      const open = yield* Multipart.encode([{ name: "s", stream: Stream.make(new Uint8Array(3)) }])
      expect(open.contentLength).toBeUndefined()
      const lying = yield* Multipart.encode([{ name: "s", stream: Stream.make(new Uint8Array(3)), size: 5 }])
      const e = yield* Effect.flip(bytesOf(lying.body))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "body" })
    }))

  it.effect("names and file names: \", CR, LF percent-encoded (RFC 7578 §4.2), non-ASCII sent as UTF-8", () =>
    Effect.gen(function*() {
      const enc = yield* Multipart.encode([{ name: "a\"b\r\nc", stream: Stream.empty, size: 0, filename: "日本.txt" }], { boundary: "B" })
      const body = (yield* bytesOf(enc.body)).toString("utf8")
      expect(body).toContain("name=\"a%22b%0D%0Ac\"; filename=\"日本.txt\"\r\nContent-Type: text/plain\r\n")
    }))

  it.effect("CR or LF in a part header value, a bad header name, a missing file: InvalidRequest, nothing encoded", () =>
    Effect.gen(function*() {
      const fail = (parts: ReadonlyArray<Multipart.Part>, options?: Multipart.EncodeOptions) => Effect.flip(Multipart.encode(parts, options))
      expect(yield* fail([{ name: "a", value: "x", contentType: "text/plain\r\nX-Evil: 1" }])).toMatchObject({ _tag: "InvalidRequest", reason: "header-value" })
      expect(yield* fail([{ name: "a", value: "x", headers: { "x-a": "1\n2" } }])).toMatchObject({ reason: "header-value" })
      expect(yield* fail([{ name: "a", value: "x", headers: { "bad name": "1" } }])).toMatchObject({ reason: "header-name" })
      expect(yield* fail([{ name: "a", file: join(dir, "missing.bin") }])).toMatchObject({ reason: "body" })
      expect(yield* fail([{ name: "a", value: "--B inside" }], { boundary: "B" })).toMatchObject({ reason: "body" })
      expect(yield* fail([], { boundary: "x".repeat(71) })).toMatchObject({ reason: "body" })
      expect(yield* fail([{ name: "a" } as any])).toMatchObject({ reason: "body" })
    }))

  it.effect("a Content-Disposition parameter that is not a string is InvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Multipart.encode([{ name: "a", value: "1", disposition: { params: { size: 5 as unknown as string } } }]))
      expect(e).toMatchObject({ _tag: "InvalidRequest", reason: "header-value", detail: "Content-Disposition parameter size is not a string" })
    }))

  it("a random boundary found in a field is drawn again", () => {
      let calls = 0
      const first = Encode.boundary((b) => b.fill(0))
      const enc = Encode.encode([{ name: "a", value: `x--${first}y` }], {
        openFile: () => new Error("no"),
        typeOf: () => undefined,
        random: (b) => b.fill(calls++ === 0 ? 0 : 1)
      })
      expect(enc).not.toBeInstanceOf(Error)
      expect((enc as Encode.Encoded<unknown>).boundary).toBe("-".repeat(27) + "c".repeat(16))
  })

  it.effect("FormData (the HttpClient layer's bodies): WHATWG newlines, Blob and File parts, exact length", () =>
    Effect.gen(function*() {
      const form = new FormData()
      form.append("field", "line1\nline2\rline3\r\nend")
      form.append("file", new File([new Uint8Array([0, 1, 2, 255])], "a\"b.bin", { type: "application/x-bin" }))
      form.append("b\nname", new Blob(["blob!"]))
      const enc = encodeBody(formDataParts(form), { boundary: "XYZ" })
      if (enc instanceof Error) throw enc
      const body = (yield* bytesOf(enc.stream)).toString("latin1")
      expect(body).toBe(
        "--XYZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nline1\r\nline2\r\nline3\r\nend\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.bin\"\r\nContent-Type: application/x-bin\r\n\r\n" +
          "\x00\x01\x02\xff\r\n" +
          "--XYZ\r\nContent-Disposition: form-data; name=\"b%0D%0Aname\"; filename=\"blob\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
          "blob!\r\n--XYZ--\r\n"
      )
      expect(enc.length).toBe(Buffer.byteLength(body, "latin1"))
    }))

  it.effect("undici's Response.formData parses the output", () =>
    Effect.gen(function*() {
      const enc = yield* Multipart.encode([{ name: "name", value: "é ✓" }, { name: "upload", file: photo }])
      const bytes = yield* bytesOf(enc.body)
      const parsed = yield* Effect.promise(() => new Response(bytes, { headers: { "content-type": enc.contentType } }).formData())
      expect(parsed.get("name")).toBe("é ✓")
      const f = parsed.get("upload") as File
      expect([f.name, f.type]).toEqual(["photo.jpg", "image/jpeg"])
      expect(Buffer.from(yield* Effect.promise(() => f.arrayBuffer())).toString("hex")).toBe("ffd8ff000d0a")
    }))

  it.effect("@effect/platform's Multipart parser accepts the output: fields and files as expected", () =>
    Effect.gen(function*() {
      const enc = yield* Multipart.encode([
        { name: "title", value: "holiday ✓" },
        { name: "photo", file: photo },
        { name: "data", stream: Stream.make(new Uint8Array([9, 8, 7])), size: 3, filename: "d.bin" }
      ])
      const parts = yield* enc.body.pipe(
        Stream.pipeThroughChannel(PlatformMultipart.makeChannel({ "content-type": enc.contentType })),
        Stream.mapEffect((p): Effect.Effect<ReadonlyArray<string>, unknown> =>
          p._tag === "Field"
            ? Effect.succeed([p.key, p.value] as const)
            : Effect.map((p as PlatformMultipart.File).contentEffect, (b) => [p.key, (p as PlatformMultipart.File).name, (p as PlatformMultipart.File).contentType, Buffer.from(b).toString("hex")] as const)
        ),
        Stream.runCollect
      )
      expect(Chunk.toArray(parts)).toEqual([
        ["title", "holiday ✓"],
        ["photo", "photo.jpg", "image/jpeg", "ffd8ff000d0a"],
        ["data", "d.bin", "application/octet-stream", "090807"]
      ])
    }))
})

describe("Multipart encoder (pure): segments, lengths, checks", () => {
  /** An environment without IO: files are "<path>" streams of the sizes given here. */
  const files: Record<string, number> = { "/d/a.png": 10, "/d/empty.txt": 0, "C:\\win\\doc.pdf": 3 }
  const env: Encode.Env<string> = {
    openFile: (path) => (path in files ? { stream: `<${path}>`, size: files[path] } : new Error("ENOENT: no such file")),
    typeOf: (name) => (name.endsWith(".png") ? "image/png" : name.endsWith(".pdf") ? "application/pdf" : undefined),
    random: (b) => b.fill(0)
  }
  const ok = (parts: ReadonlyArray<Encode.Part<string>>, options?: Encode.Options) => {
    const e = Encode.encode(parts, env, options)
    if (e instanceof Error) throw e
    return e
  }
  const text = (e: Encode.Encoded<string>) =>
    e.segments.map((s) => (s instanceof Uint8Array ? Buffer.from(s).toString("latin1") : `[${s.stream} ${s.size} ${s.name}]`)).join("")
  const err = (parts: ReadonlyArray<unknown>, options?: Encode.Options) => {
    const e = Encode.encode(parts as ReadonlyArray<Encode.Part<string>>, env, options)
    expect(e).toBeInstanceOf(Error)
    return `${(e as { reason: string }).reason}: ${(e as { detail: string }).detail}`
  }

  it("the boundary draws letters from bytes below 250 only: 249 is z, 250 is drawn again", () => {
    expect(Encode.boundary((b) => b.fill(249))).toBe("-".repeat(27) + "z".repeat(16))
    let calls = 0
    expect(Encode.boundary((b) => b.fill(calls++ === 0 ? 250 : 24))).toBe("-".repeat(27) + "z".repeat(16))
    expect(calls).toBe(2)
    // 24 random bytes a draw, the letters in order; a draw with 10 usable bytes needs a second one.
    const sizes: Array<number> = []
    let k = 0
    const s = Encode.boundary((b) => {
      sizes.push(b.length)
      for (let i = 0; i < b.length; i++) b[i] = i < 10 ? k++ : 255
      return b
    })
    expect(sizes).toEqual([24, 24])
    expect(s).toBe("-".repeat(27) + "bcdefghijklmnopq")
  })

  it("isValidBoundary: 1 to 70 bchars, inner spaces allowed, not a final space", () => {
    expect(Encode.isValidBoundary("a".repeat(70))).toBe(true)
    expect(Encode.isValidBoundary("a".repeat(71))).toBe(false)
    expect(Encode.isValidBoundary("")).toBe(false)
    expect(Encode.isValidBoundary("a")).toBe(true)
    expect(Encode.isValidBoundary("a b")).toBe(true)
    expect(Encode.isValidBoundary("ab ")).toBe(false)
    expect(Encode.isValidBoundary(" ")).toBe(false)
    expect(Encode.isValidBoundary("09AZaz'()+_,-./:=?")).toBe(true)
    for (const c of ["\"", ";", "\r", "\n", "\t", "é", "*", "x\ny"]) expect(Encode.isValidBoundary(c), JSON.stringify(c)).toBe(false)
    for (const c of ["'", "(", ")", "+", "_", ",", "-", ".", "/", ":", "=", "?"]) expect(Encode.isValidBoundary(`a${c}`), c).toBe(true)
  })

  it("escapeName, normalizeNewlines and basename", () => {
    expect(Encode.escapeName("a\"b\rc\nd\r\n")).toBe("a%22b%0Dc%0Ad%0D%0A")
    expect(Encode.normalizeNewlines("a\rb\nc\r\nd\n\re")).toBe("a\r\nb\r\nc\r\nd\r\n\r\ne")
    expect(Encode.basename("/d/a.png")).toBe("a.png")
    expect(Encode.basename("C:\\win\\doc.pdf")).toBe("doc.pdf")
    expect(Encode.basename("mixed\\dir/f")).toBe("f")
    expect(Encode.basename("dir/sub\\f")).toBe("f")
    expect(Encode.basename("plain")).toBe("plain")
  })

  it("text fields and framing are one segment; byte fields and files are their own; empty contents add none", () => {
    const e = ok([{ name: "a", value: "1" }, { name: "b", value: "" }, { name: "c", value: new Uint8Array(0) }], { boundary: "B" })
    expect(e.segments.length).toBe(1)
    expect(text(e)).toBe(
      "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n\r\n--B--\r\n"
    )
    expect(e.length).toBe(text(e).length)
    expect([e.boundary, e.contentType, e.replayable]).toEqual(["B", "multipart/form-data; boundary=B", true])
    const f = ok([{ name: "x", value: new Uint8Array([7]) }, { name: "p", file: "/d/a.png" }, { name: "z", file: "/d/empty.txt" }], { boundary: "B" })
    expect(f.segments.map((s) => (s instanceof Uint8Array ? s.length : "src"))).toEqual([49, 1, 94, "src", 122])
    expect(text(f)).toBe(
      "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\x07\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"p\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n[</d/a.png> 10 p]\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"z\"; filename=\"empty.txt\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n"
    )
    expect(f.length).toBe(49 + 1 + 94 + 10 + 122)
  })

  it("a file part: its filename, content type and disposition may be given; a file that cannot be opened is a body error", () => {
    const e = ok([{ name: "d", file: "C:\\win\\doc.pdf", filename: "report.pdf", contentType: "application/x-report" }], { boundary: "B" })
    expect(text(e)).toContain("name=\"d\"; filename=\"report.pdf\"\r\nContent-Type: application/x-report\r\n\r\n[<C:\\win\\doc.pdf> 3 d]")
    expect(text(ok([{ name: "d", file: "C:\\win\\doc.pdf" }], { boundary: "B" }))).toContain("filename=\"doc.pdf\"\r\nContent-Type: application/pdf\r\n")
    expect(err([{ name: "n\"", file: "/nope" }])).toBe(`body: cannot read the file "/nope" of part "n%22": ENOENT: no such file`)
    expect(err([{ name: "n", file: 5 }])).toBe(`body: the file of part "n" is not a path`)
  })

  it("a stream part: a size makes the length known, none makes it unknown, 0 adds no source; a caller's stream is not replayable", () => {
    const sized = ok([{ name: "s", stream: "S", size: 4 }], { boundary: "B" })
    expect(text(sized)).toBe("--B\r\nContent-Disposition: form-data; name=\"s\"\r\nContent-Type: application/octet-stream\r\n\r\n[S 4 s]\r\n--B--\r\n")
    expect(sized.length).toBe(text(sized).length - "[S 4 s]".length + 4)
    expect(sized.replayable).toBe(false)
    const open = ok([{ name: "s", stream: "S", filename: "a.png" }, { name: "t", value: "after" }], { boundary: "B" })
    expect(open.length).toBeUndefined()
    expect(text(open)).toContain("filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n[S undefined s]")
    const none = ok([{ name: "s", stream: "S", size: 0 }], { boundary: "B" })
    expect(none.segments.length).toBe(1)
    expect(none.length).toBe(text(none).length)
    const blob = ok([{ name: "s", stream: "S", size: 1, replayable: true } as Encode.StreamPart<string>], { boundary: "B" })
    expect(blob.replayable).toBe(true)
    for (const size of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(err([{ name: "s", stream: "S", size }])).toBe(`body: the size of part "s" is not a non-negative integer`)
    }
  })

  it("nested parts: a multipart/mixed part with its own boundary (the fixed one numbered, else drawn), attachment by default", () => {
    const e = ok([{ name: "files", parts: [{ name: "a", value: "A" }, { name: "b", parts: [{ name: "c", value: "C" }] }] }], { boundary: "B" })
    expect(text(e)).toBe(
      "--B\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=B-1\r\n\r\n" +
        "--B-1\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nA\r\n" +
        "--B-1\r\nContent-Disposition: attachment; name=\"b\"\r\nContent-Type: multipart/mixed; boundary=B-2\r\n\r\n" +
        "--B-2\r\nContent-Disposition: attachment; name=\"c\"\r\n\r\nC\r\n--B-2--\r\n" +
        "--B-1--\r\n" +
        "--B--\r\n"
    )
    let n = 0
    const drawn = Encode.encode([{ name: "f", parts: [] }], { ...env, random: (b) => b.fill(n++) })
    if (drawn instanceof Error) throw drawn
    expect(drawn.boundary).toBe("-".repeat(27) + "b".repeat(16))
    expect(text(drawn)).toContain("Content-Type: multipart/mixed; boundary=" + "-".repeat(27) + "c".repeat(16) + "\r\n")
    // A drawn nested boundary found in a field is drawn again, with the outer one.
    n = 0
    const again = Encode.encode([{ name: "f", parts: [{ name: "x", value: "--" + "-".repeat(27) + "c".repeat(16) }] }], { ...env, random: (b) => b.fill(n++) })
    if (again instanceof Error) throw again
    expect(again.boundary).toBe("-".repeat(27) + "d".repeat(16))
    expect(text(again)).toContain("boundary=" + "-".repeat(27) + "e".repeat(16) + "\r\n")
  })

  it("Content-Disposition: a custom type and parameters (lower-cased names, replacing name or filename); headers may replace both lines", () => {
    const e = ok([
      { name: "a", value: "1", disposition: { type: "inline", params: { Name: "b", "x-y": "line\r\nbreak" } } },
      { name: "c", value: "2", headers: { "content-disposition": "form-data; name=\"own\"", "X-Z": "z" } },
      { name: "d", value: "3", contentType: "text/plain", headers: [["Content-Type", "text/csv"]] }
    ], { boundary: "B" })
    expect(text(e)).toBe(
      "--B\r\nContent-Disposition: inline; name=\"b\"; x-y=\"line%0D%0Abreak\"\r\n\r\n1\r\n" +
        "--B\r\ncontent-disposition: form-data; name=\"own\"\r\nX-Z: z\r\n\r\n2\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"d\"\r\nContent-Type: text/csv\r\n\r\n3\r\n--B--\r\n"
    )
    expect(err([{ name: "a", value: "1", disposition: { type: "in line" } }])).toBe(`header-value: the Content-Disposition type "in line" of part "a" is not a token`)
    expect(err([{ name: "a", value: "1", disposition: { params: { "b c": "1" } } }])).toBe(`header-name: the Content-Disposition parameter name "b c" is not a token`)
    expect(err([{ name: "a", value: "1", disposition: { params: { b: "\u0000" } } }])).toBe("header-value: Content-Disposition parameter b contains a control character")
    expect(err([{ name: "a", value: "1", disposition: { params: { b: 5 as unknown as string } } }])).toBe("header-value: Content-Disposition parameter b is not a string")
  })

  it("part headers and content types: CR, LF and control characters refused, naming the part", () => {
    expect(err([{ name: "a", value: "1", headers: { "x-a": "1\r2" } }])).toBe(`header-value: the header x-a of part "a" contains CR`)
    expect(err([{ name: "a", value: "1", headers: { "x-a": "1\n2" } }])).toBe(`header-value: the header x-a of part "a" contains LF`)
    expect(err([{ name: "a", value: "1", headers: { "x-a": "1\u00012" } }])).toBe(`header-value: the header x-a of part "a" contains a control character`)
    expect(text(ok([{ name: "a", value: "1", headers: { "x-a": "tab\tok" } }], { boundary: "B" }))).toContain("x-a: tab\tok\r\n")
    expect(err([{ name: "a\"", value: "1", headers: { "x(a)": "1" } }])).toBe(`header-name: the header name "x(a)" of part "a%22" is not a token`)
    expect(err([{ name: "a", value: "1", contentType: "text/plain\r\n" }])).toBe(`header-value: the content type of part "a" contains CR`)
    expect(err([{ name: "a", stream: "S", contentType: "x\u007f" }])).toBe(`header-value: the content type of part "a" contains a control character`)
  })

  it("parts of the wrong shape are body errors that say what to give", () => {
    expect(err("nope" as unknown as Array<unknown>)).toBe("body: the multipart parts are not an array")
    expect(err([null])).toBe("body: a multipart part is null; give { name, value }, { name, file }, { name, stream } or { name, parts }")
    expect(err([5])).toBe("body: a multipart part is number; give { name, value }, { name, file }, { name, stream } or { name, parts }")
    expect(err([{ name: "a" }])).toBe(`body: the multipart part "a" has none of value, file, stream or parts`)
    expect(err([{ value: "1" }])).toBe("body: a multipart part's name is missing")
    expect(err([{ name: 5, value: "1" }])).toBe("body: a multipart part's name is not a string")
    expect(err([{ name: "a", value: 5 }])).toBe(`body: the value of part "a" is not a string or a Uint8Array`)
    expect(err([{ name: "a", parts: "x" }])).toBe("body: the multipart parts are not an array")
  })

  it("options: a subtype (a token), a fixed boundary (valid, not in the content); every drawn boundary in the content fails", () => {
    expect(ok([], { boundary: "B", subtype: "mixed" }).contentType).toBe("multipart/mixed; boundary=B")
    expect(text(ok([], { boundary: "B" }))).toBe("--B--\r\n")
    expect(err([], { subtype: "a b" })).toBe(`body: the multipart subtype "a b" is not a token`)
    expect(err([], { boundary: 5 as unknown as string })).toBe(
      "body: the boundary 5 is not 1 to 70 RFC 2046 boundary characters (letters, digits, '()+_,-./:=? and inner spaces)"
    )
    expect(err([{ name: "a", value: enc("x--B") }], { boundary: "B" })).toBe(`body: the boundary "B" occurs in a part's content; choose another or leave the boundary option out`)
    // "-B" alone is not the delimiter "--B".
    expect(text(ok([{ name: "a", value: enc("-B") }, { name: "b", value: "-B" }], { boundary: "B" }))).toContain("\r\n\r\n-B\r\n")
    // The source always gives the same boundary, and it is in the field: 8 draws, then an error.
    let draws = 0
    const stuck = Encode.encode([{ name: "a", value: "--" + "-".repeat(27) + "b".repeat(16) }], { ...env, random: (b) => { draws++; return b.fill(0) } })
    expect(stuck).toMatchObject({ reason: "body", detail: "every boundary drawn occurs in a part's content" })
    expect(draws).toBe(8)
  })
})

const enc = (s: string) => new TextEncoder().encode(s)

describe("Multipart encoder (pure): what the first mutation run's survivors showed", () => {
  const env: Encode.Env<string> = {
    openFile: (path) => ({ stream: `<${path}>`, size: 1 }),
    typeOf: () => undefined,
    random: (b) => b.fill(0)
  }
  const err = (parts: ReadonlyArray<unknown>) => {
    const e = Encode.encode(parts as ReadonlyArray<Encode.Part<string>>, env, { boundary: "B" })
    return e instanceof Error ? `${(e as { reason: string }).reason}: ${(e as { detail: string }).detail}` : "encoded"
  }

  it("a file, stream or nested part's bad Content-Disposition type or bad header fails like a field's", () => {
    const badType = { disposition: { type: "in line" } }
    const badHeader = { headers: { "x(a)": "1" } }
    for (const shape of [{ file: "/d/f.txt" }, { stream: "S", size: 1 }, { parts: [] }]) {
      expect(err([{ name: "p", ...shape, ...badType }])).toBe(`header-value: the Content-Disposition type "in line" of part "p" is not a token`)
      expect(err([{ name: "p", ...shape, ...badHeader }])).toBe(`header-name: the header name "x(a)" of part "p" is not a token`)
    }
    expect(err([{ name: "p", parts: [{ name: "q", value: "1", ...badHeader }] }])).toBe(`header-name: the header name "x(a)" of part "q" is not a token`)
  })

  it("a byte field is searched for the delimiter byte by byte: dashes alone, or bytes without a dash, are not a collision", () => {
    const ok = (value: Uint8Array) => {
      const e = Encode.encode([{ name: "v", value }], env, { boundary: "Bq" })
      if (e instanceof Error) throw e
      return e.boundary
    }
    expect(ok(enc("a-B-Bq--B-x-Bq-"))).toBe("Bq")
    expect(ok(enc("-B--Bx--"))).toBe("Bq")
    expect(ok(enc("no dash in these bytes"))).toBe("Bq")
    expect(Encode.encode([{ name: "v", value: enc("ab--Bq") }], env, { boundary: "Bq" })).toMatchObject({ reason: "body" })
    expect(Encode.encode([{ name: "v", value: enc("--B--Bq") }], env, { boundary: "Bq" })).toMatchObject({ reason: "body" })
  })

  it("basename of a path whose only separator is its first character", () => {
    expect(Encode.basename("/file")).toBe("file")
    expect(Encode.basename("\\file")).toBe("file")
  })
})
