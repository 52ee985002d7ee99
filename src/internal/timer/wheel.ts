/**
 * Deadlines on Effect's Clock without a fiber per deadline.
 *
 * `Effect.timeoutFail` races two fibers and costs ~25 µs per use on this
 * machine, more than a whole HTTP request should. Request-path timeouts
 * (recv inactivity, checkout) instead register a {@link Deadline} here: an
 * entry in a min-heap watched by one daemon fiber per `Clock`, which sleeps
 * (through that Clock, so `TestClock.adjust` drives it) until the earliest
 * deadline, fires what expired and sleeps again. It exits when no deadline
 * is pending, so it never keeps a process alive.
 *
 * A deadline can be pushed back cheaply (`touch`): the entry keeps its heap
 * position and is re-filed when the daemon reaches it. Cancelling only marks
 * the entry.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import type * as Fiber from "effect/Fiber"

/** A pending deadline. @internal */
export class Deadline {
  /** Absolute time (Clock milliseconds) at which `onExpire` runs. */
  at: number
  active = true
  /** Position in the heap: the time it was filed under. */
  filedAt: number
  constructor(
    readonly wheel: TimerWheel,
    at: number,
    readonly onExpire: () => void
  ) {
    this.at = at
    this.filedAt = at
  }
  /** Moves the deadline to `millis` from now (Clock time). */
  touch(millis: number): void {
    this.at = this.wheel.clock.unsafeCurrentTimeMillis() + millis
  }
  cancel(): void {
    this.active = false
  }
}

/** One per Clock. @internal */
export class TimerWheel {
  private heap: Array<Deadline> = []
  private daemon: Fiber.RuntimeFiber<void> | undefined
  /** The time the daemon sleeps until, when it sleeps. */
  private wakeAt = Infinity
  private firing = false

  constructor(readonly clock: Clock.Clock) {}

  /** Registers `onExpire` to run once `millis` have passed on the Clock, unless cancelled. */
  schedule(millis: number, onExpire: () => void): Deadline {
    const d = new Deadline(this, this.clock.unsafeCurrentTimeMillis() + millis, onExpire)
    this.push(d)
    // Scheduled from an expiry callback: the running loop re-reads the heap itself.
    if (this.firing) return d
    if (this.daemon === undefined) this.start()
    else if (d.at < this.wakeAt) {
      // Earlier than what the daemon waits for: restart it (rare: only with mixed timeouts).
      const old = this.daemon
      this.daemon = undefined
      old.unsafeInterruptAsFork(FiberId.none)
      this.start()
    }
    return d
  }

  get size(): number {
    return this.heap.length
  }

  private start(): void {
    this.daemon = Effect.runFork(Effect.withClock(this.loop, this.clock))
  }

  private readonly loop: Effect.Effect<void> = Effect.suspend(() => {
    const now = this.clock.unsafeCurrentTimeMillis()
    this.firing = true
    try {
      return this.step(now)
    } finally {
      this.firing = false
    }
  })

  private step(now: number): Effect.Effect<void> {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined) {
        this.daemon = undefined
        this.wakeAt = Infinity
        return Effect.void
      }
      if (!top.active) {
        this.pop()
        continue
      }
      if (top.at > top.filedAt) {
        // Pushed back since it was filed: re-file under the new time.
        this.pop()
        top.filedAt = top.at
        this.push(top)
        continue
      }
      if (top.at <= now) {
        this.pop()
        top.active = false
        top.onExpire()
        continue
      }
      this.wakeAt = top.at
      return Effect.zipRight(this.clock.sleep(Duration.millis(top.at - now)), this.loop)
    }
  }

  private push(d: Deadline): void {
    const h = this.heap
    h.push(d)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p].filedAt <= d.filedAt) break
      h[i] = h[p]
      i = p
    }
    h[i] = d
  }

  private pop(): void {
    const h = this.heap
    const last = h.pop()!
    if (h.length === 0) return
    let i = 0
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && h[r].filedAt < h[l].filedAt ? r : l
      if (h[c].filedAt >= last.filedAt) break
      h[i] = h[c]
      i = c
    }
    h[i] = last
  }
}

const wheels = new WeakMap<Clock.Clock, TimerWheel>()

/** The wheel of a Clock, created on first use. @internal */
export const wheelFor = (clock: Clock.Clock): TimerWheel => {
  let w = wheels.get(clock)
  if (w === undefined) {
    w = new TimerWheel(clock)
    wheels.set(clock, w)
  }
  return w
}

/** The wheel of the current fiber's Clock. @internal */
export const currentWheel: Effect.Effect<TimerWheel> = Effect.clockWith((clock) => Effect.succeed(wheelFor(clock)))
