/**
 * Documentation that must stay true of the code: what package.json promises,
 * and that examples/README.md lists every example.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { isHackneyOption } from "../src/internal/httpclient/options.js"

const root = new URL("../", import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), "utf8")

describe("documentation agrees with the code", () => {
  it("package.json promises proxies only once a request can use one", () => {
    const description = (JSON.parse(read("package.json")) as { description: string }).description
    if (!isHackneyOption("proxy")) expect(description).not.toMatch(/prox/i)
  })

  it("examples/README.md lists every example", () => {
    const readme = read("examples/README.md")
    const examples = readdirSync(new URL("examples/", root)).filter((f) => f.endsWith(".ts") && f !== "server.ts")
    expect(examples.length).toBeGreaterThan(5)
    for (const f of examples) expect([f, readme.includes(`(${f})`)]).toEqual([f, true])
  })
})
