/**
 * The soak's event-loop stall meter (test/support/stalls.ts): what lets it
 * count a connect or checkout timeout as the machine's load.
 */
import { describe, expect, it } from "@effect/vitest"
import { StallMeter } from "./support/stalls.js"

const busy = (ms: number) => {
  const until = Date.now() + ms
  while (Date.now() < until) { /* the event loop is blocked */ }
}
const turn = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("StallMeter", () => {
  it("notes a blocked event loop as a stall overlapping that time, and none before the meter started", async () => {
    const created = Date.now()
    const meter = new StallMeter(500)
    try {
      await turn(150)
      const blockedAt = Date.now()
      busy(800)
      await turn(250)
      expect(meter.stalls.length).toBeGreaterThanOrEqual(1)
      expect(meter.longest).toBeGreaterThanOrEqual(500)
      expect(meter.stalledBetween(blockedAt + 100, blockedAt + 200)).toBe(true)
      // No stall can have ended before the meter existed.
      expect(meter.stalledBetween(created - 10_000, created - 1)).toBe(false)
    } finally {
      meter.stop()
    }
  })
})
