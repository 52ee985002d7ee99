import { describe, expect, it } from "@effect/vitest"
import * as Multipart from "../src/internal/multipart/encode.js"

const text = async (segments: ReadonlyArray<Uint8Array | Blob>): Promise<string> => {
  const parts = await Promise.all(segments.map((s) => (s instanceof Uint8Array ? s : s.bytes())))
  return Buffer.concat(parts).toString("latin1")
}

describe("multipart/form-data encoder", () => {
  it("boundary: hackney's format (27 dashes, 16 letters in b..z)", () => {
    for (let i = 0; i < 50; i++) expect(Multipart.boundary()).toMatch(/^-{27}[b-z]{16}$/)
    expect(Multipart.boundary((b) => b.fill(0))).toBe("-".repeat(27) + "b".repeat(16))
  })

  it("exact bytes and length; files are segments of their own, not copied", async () => {
    const file = new File([new Uint8Array([0, 1, 2, 255])], "a\"b.bin", { type: "application/x-bin" })
    const blob = new Blob(["blob!"])
    const form = new FormData()
    form.append("field", "line1\nline2\rline3\r\nend")
    form.append("file", file)
    form.append("b\nname", blob)
    const enc = Multipart.encode(Multipart.entriesOf(form), "XYZ")
    expect(enc.contentType).toBe("multipart/form-data; boundary=XYZ")
    expect(enc.segments.filter((s) => !(s instanceof Uint8Array)).length).toBe(2)
    const body = await text(enc.segments)
    expect(body).toBe(
      "--XYZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nline1\r\nline2\r\nline3\r\nend\r\n" +
        "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.bin\"\r\nContent-Type: application/x-bin\r\n\r\n" +
        "\x00\x01\x02\xff\r\n" +
        "--XYZ\r\nContent-Disposition: form-data; name=\"b%0D%0Aname\"; filename=\"blob\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
        "blob!\r\n--XYZ--\r\n"
    )
    expect(enc.length).toBe(Buffer.byteLength(body, "latin1"))
  })

  it("undici/fetch parse what it produces (round trip through Response.formData)", async () => {
    const form = new FormData()
    form.append("name", "é ✓")
    form.append("upload", new File(["hello"], "h.txt", { type: "text/plain" }))
    const enc = Multipart.encode(Multipart.entriesOf(form))
    const parts = await Promise.all(enc.segments.map((s) => (s instanceof Uint8Array ? s : s.bytes())))
    const parsed = await new Response(Buffer.concat(parts), { headers: { "content-type": enc.contentType } }).formData()
    expect(parsed.get("name")).toBe("é ✓")
    const f = parsed.get("upload") as File
    expect(f.name).toBe("h.txt")
    expect(await f.text()).toBe("hello")
  })

  it("an empty form is the closing delimiter only", () => {
    const enc = Multipart.encode([], "B")
    expect(enc.length).toBe("--B--\r\n".length)
  })
})
