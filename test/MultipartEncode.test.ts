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
