/**
 * Deadlines on Effect's Clock without a fiber per deadline.
 *
 * `Effect.timeoutFail` races two fibers and costs ~25 µs per use on this
 * machine, more than a whole HTTP request should. Request-path timeouts
 * (recv inactivity, checkout, keep-alive expiry) instead use a
 * {@link Deadline}: an entry in a min-heap with one sleeper per `Clock`. For
 * Effect's live Clock the sleeper is a native timer, unref'd so it never
 * keeps a process alive; for any other Clock (a `TestClock`) it is a fiber
 * sleeping through that Clock, so `TestClock.adjust` fires deadlines exactly.
 *
 * A Deadline object is reusable: a connection keeps one and `restart`s it for
 * each request; `touch` pushes it back (on every socket read) without heap
 * work — the entry is re-filed only when the sleeper reaches it; `cancel`
 * only marks it, and the cancelled entries are dropped once they may be half
 * the heap (`cancelledFiled`). So the heap holds at most one entry per
 * connection or live waiter, whatever the request rate.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

/** A deadline on a wheel. @internal */
export class Deadline {
  /** Absolute Clock time at which `onExpire` runs, when active. */
  at = 0
  active = false
  /** In the heap, under `filedAt`. */
  filed = false
  filedAt = 0
  constructor(
    readonly wheel: TimerWheel,
    readonly onExpire: () => void
  ) {}

  /** (Re)starts the deadline `millis` from now. */
  restart(millis: number): void {
    this.at = this.wheel.clock.unsafeCurrentTimeMillis() + millis
    this.active = true
    this.wheel.file(this)
  }

  /** (Re)starts the deadline at the absolute Clock time `at` (no Clock read). */
  restartAt(at: number): void {
    this.at = at
    this.active = true
    this.wheel.file(this)
  }

  /** Pushes an active deadline back to `millis` from now (cheap: no heap work). */
  touch(millis: number): void {
    if (this.active) this.at = this.wheel.clock.unsafeCurrentTimeMillis() + millis
  }

  cancel(): void {
    if (this.active && this.filed) this.wheel.cancelledFiled()
    this.active = false
  }
}

/** Live-clock deadlines fire on this granularity (ms), so bursts of them cost one wake-up. */
const liveGranularity = 10

/** One per Clock. @internal */
export class TimerWheel {
  private heap: Array<Deadline> = []
  /** The time the sleeper wakes at, or Infinity when none sleeps. */
  private wakeAt = Infinity
  private firing = false
  private cancelSleep: () => void = () => {}
  private readonly live: boolean

  constructor(readonly clock: Clock.Clock) {
    this.live = clock === liveClock
  }

  /** A new deadline, started `millis` from now. */
  schedule(millis: number, onExpire: () => void): Deadline {
    const d = new Deadline(this, onExpire)
    d.restart(millis)
    return d
  }

  /** A new deadline, not started. */
  deadline(onExpire: () => void): Deadline {
    return new Deadline(this, onExpire)
  }

  /** Entries in the heap (active or awaiting removal). */
  get size(): number {
    return this.heap.length
  }

  /**
   * Cancellations of filed deadlines since the heap was last compacted (an
   * upper bound of the cancelled entries in it: a cancelled deadline may be
   * restarted in place).
   */
  private cancelled = 0

  /**
   * A filed deadline was cancelled. A cancelled entry stays in the heap until
   * the sleeper reaches it, and holds its `onExpire` (and all that closure
   * holds: a waiter, its fiber, its request) until its original expiry; a
   * deadline per checkout wait or dial would hold thousands for a long
   * timeout. So once at least half the heap may be cancelled entries, they
   * are dropped: the heap stays within twice its active entries (plus a
   * constant), at an amortised O(1) per cancellation.
   *
   * @internal
   */
  cancelledFiled(): void {
    if (++this.cancelled > 64 && this.cancelled * 2 > this.heap.length) this.compact()
  }

  /** Drops the cancelled entries from the heap and restores its order. */
  private compact(): void {
    const h = this.heap
    let n = 0
    for (let i = 0; i < h.length; i++) {
      const d = h[i]
      if (d.active) h[n++] = d
      else d.filed = false
    }
    h.length = n
    // Bottom-up heapify of what is left (by filedAt).
    for (let i = (n >> 1) - 1; i >= 0; i--) {
      const d = h[i]
      h[this.siftDown(i, d)] = d
    }
    this.cancelled = 0
  }

  /** @internal */
  file(d: Deadline): void {
    if (d.filed) {
      if (d.at >= d.filedAt) return // re-filed lazily when reached
      this.remove(d)
    }
    d.filed = true
    d.filedAt = d.at
    this.push(d)
    // From an expiry callback the running step re-reads the heap itself.
    if (!this.firing && d.at < this.wakeAt) this.sleepUntil(d.at)
  }

  /** Fires what expired; returns the next wake-up time, or Infinity. */
  private step(): number {
    const now = this.clock.unsafeCurrentTimeMillis()
    this.firing = true
    try {
      for (;;) {
        const top = this.heap[0]
        if (top === undefined) return Infinity
        if (!top.active) {
          this.pop()
          top.filed = false
          continue
        }
        if (top.at > top.filedAt) {
          this.pop()
          top.filedAt = top.at
          this.push(top)
          continue
        }
        if (top.at <= now) {
          this.pop()
          top.filed = false
          top.active = false
          top.onExpire()
          continue
        }
        return top.at
      }
    } finally {
      this.firing = false
    }
  }

  private sleepUntil(at: number): void {
    this.cancelSleep()
    this.cancelSleep = noop
    this.wakeAt = at
    if (at === Infinity) return
    const delay = Math.max(0, at - this.clock.unsafeCurrentTimeMillis())
    if (this.live) {
      const t = setTimeout(this.onWake, Math.ceil(delay / liveGranularity) * liveGranularity)
      t.unref()
      this.cancelSleep = () => clearTimeout(t)
    } else {
      const fiber = Effect.runFork(Effect.map(this.clock.sleep(Duration.millis(delay)), this.onWake))
      this.cancelSleep = () => fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }

  private readonly onWake = (): void => {
    this.cancelSleep = noop
    this.wakeAt = Infinity
    this.sleepUntil(this.step())
  }

  private push(d: Deadline): void {
    const h = this.heap
    h.push(d)
    this.siftUp(h.length - 1, d)
  }

  /** Puts `d` at the hole `i` or, while it is due before the parent, above it. */
  private siftUp(i: number, d: Deadline): void {
    const h = this.heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p].filedAt <= d.filedAt) break
      h[i] = h[p]
      i = p
    }
    h[i] = d
  }

  private pop(): void {
    this.removeAt(0)
  }

  private remove(d: Deadline): void {
    const i = this.heap.indexOf(d)
    if (i >= 0) this.removeAt(i)
  }

  private removeAt(index: number): void {
    const h = this.heap
    const last = h.pop()!
    if (index === h.length) return
    // Sift `last` into the hole at `index`, down then up.
    this.siftUp(this.siftDown(index, last), last)
  }

  /**
   * Moves the hole at `i` down while a child is due before `d` (each such
   * child up into the hole); returns where the hole ends, for `d` (not
   * written there).
   */
  private siftDown(i: number, d: Deadline): number {
    const h = this.heap
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) return i
      const r = l + 1
      const c = r < n && h[r].filedAt < h[l].filedAt ? r : l
      if (h[c].filedAt >= d.filedAt) return i
      h[i] = h[c]
      i = c
    }
  }
}

const noop = () => {}

// The live Clock of Effect's default services (a singleton).
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

const wheels = new WeakMap<Clock.Clock, TimerWheel>()
// The last wheel looked up: almost every request runs on the same Clock as the one before.
let lastClock: Clock.Clock | undefined
let lastWheel: TimerWheel | undefined

/** The wheel of a Clock, created on first use. @internal */
export const wheelFor = (clock: Clock.Clock): TimerWheel => {
  if (clock === lastClock) return lastWheel!
  let w = wheels.get(clock)
  if (w === undefined) {
    w = new TimerWheel(clock)
    wheels.set(clock, w)
  }
  lastClock = clock
  lastWheel = w
  return w
}

/**
 * The wheel of a running fiber's Clock (what `Effect.clock` would give it),
 * for code that already holds the fiber (`Effect.withFiberRuntime`).
 *
 * @internal
 */
export const wheelOfFiber = (fiber: Fiber.RuntimeFiber<unknown, unknown>): TimerWheel =>
  wheelFor(Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock))

/** The wheel of the current fiber's Clock. @internal */
export const currentWheel: Effect.Effect<TimerWheel> = Effect.clockWith((clock) => Effect.succeed(wheelFor(clock)))
