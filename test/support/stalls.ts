/**
 * The machine's load seen from inside the process: an unref'd 100 ms
 * interval notes each time it ran a second or more late (the event loop
 * stalled: no CPU for the process, or a long GC). A timeout that ends a
 * request during such a stall may be the stall's, not the client's: after
 * one, libuv runs due timers before it reads the sockets whose data arrived
 * meanwhile.
 */
export class StallMeter {
  /** Each stall: [the time it ended, how late the interval ran (ms)]. */
  readonly stalls: Array<readonly [number, number]> = []
  private last = Date.now()
  private readonly timer: NodeJS.Timeout

  constructor(readonly minStallMs = 1000) {
    this.timer = setInterval(() => {
      const now = Date.now()
      const late = now - this.last - 100
      if (late >= this.minStallMs) this.stalls.push([now, late])
      this.last = now
    }, 100)
    this.timer.unref()
  }

  /** True when the event loop stalled at some point between `start` and `end` (ms since the epoch). */
  stalledBetween(start: number, end: number): boolean {
    for (let i = this.stalls.length - 1; i >= 0; i--) {
      const [ended, ms] = this.stalls[i]
      if (ended < start) return false
      if (ended - ms <= end) return true
    }
    return false
  }

  /** The longest stall, ms (0 when none). */
  get longest(): number {
    return this.stalls.reduce((m, [, ms]) => Math.max(m, ms), 0)
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
