/**
 * The request path's per-request work (issue 20): what a request reuses instead of building again.
 * Structural checks (which objects are shared), never timings: bench/ measures the cost.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { prepare } from "../src/internal/client/prepare.js"
import { openFile } from "../src/internal/node/file.js"

const prepared = (options: Parameters<typeof prepare>[2], url = "http://127.0.0.1:8080/x") => {
  const p = prepare("GET", url, options, openFile)
  if (Either.isLeft(p)) throw p.left
  return p.right
}

describe("request path reuse", () => {
  it("fresh options objects that set no connection option share one dial spec per origin", () => {
    // `Hackney.request(m, url, { maxPerHost: 50 })` written inline: a new options object per request
    const a = prepared({ maxPerHost: 50 })
    const b = prepared({ maxPerHost: 50 })
    const c = prepared({ maxBodySize: 10, headers: { accept: "*/*" } })
    expect(b.spec).toBe(a.spec)
    expect(c.spec).toBe(a.spec)
    expect(prepared({}, "http://127.0.0.1:8081/x").spec).not.toBe(a.spec)
    expect(prepared({}, "http://127.0.0.1:8081/y").spec).toBe(prepared({ maxPerHost: 1 }, "http://127.0.0.1:8081/z").spec)
  })

  it("options that set a connection option keep their own dial specs, with their values", () => {
    const shared = prepared({ maxPerHost: 50 })
    const own = prepared({ recvTimeout: 1234 })
    expect(own.spec).not.toBe(shared.spec)
    expect(own.spec.recvTimeout).toBe(1234)
    expect(own.recvTimeout).toBe(1234)
    expect(shared.spec.recvTimeout).toBe(5000)
    const direct = prepared({ proxy: false, connectTimeout: 50 })
    expect(direct.spec.connectTimeout).toBe(50)
    expect(direct.spec.envProxy).toBeUndefined()
    expect(shared.spec.envProxy).toBeDefined()
  })
})
