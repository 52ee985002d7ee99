/**
 * Documentation that must stay true of the code: what package.json promises
 * (scripts/check-doc-examples.mjs checks the examples index and the guides).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { isHackneyOption } from "../src/internal/httpclient/options.js"

const root = new URL("../", import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), "utf8")

describe("documentation agrees with the code", () => {
  it("package.json promises proxies only once a request can use one", () => {
    const description = (JSON.parse(read("package.json")) as { description: string }).description
    if (!isHackneyOption("proxy")) expect(description).not.toMatch(/prox/i)
  })
})
