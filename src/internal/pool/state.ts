/**
 * The pool's assignment policy, with no I/O: which request gets which
 * connection, when to dial, what to keep idle and for how long. The pool
 * service (`pool.ts`) feeds it events and carries out its decisions; tests
 * feed it fake connections and a fake clock.
 *
 * **Model.** One {@link Entry} per connection, from the moment its dial
 * starts: `dialing` → `idle` ⇄ `active` → (`draining` →) `closed`. An entry
 * has a `capacity` (requests it can carry at once: 1 for HTTP/1, the
 * expected stream limit while an HTTP/2 session is being dialled) and an
 * `inFlight` count; a dial in progress is capacity too, so several waiters
 * can share one upcoming multiplexed connection (httpcore's model). Per host
 * (pool key): a LIFO stack of idle entries, the entries with spare capacity
 * in use (multiplexed), a FIFO queue of waiters, and the counts `dialing`
 * and `busy` (entries in use); `dialing + busy` is what `maxPerHost` bounds
 * (idle connections are not counted: `maxConnections` caps them across
 * hosts).
 *
 * **Events** (methods): {@link PoolState.checkout}, {@link PoolState.wait}, {@link PoolState.dialed},
 * {@link PoolState.dialFailed}, {@link PoolState.release},
 * {@link PoolState.connectionClosed}, {@link PoolState.drain}, {@link PoolState.resize},
 * {@link PoolState.expire}, {@link PoolState.cancel},
 * {@link PoolState.prewarm}, {@link PoolState.shutdown}.
 * **Decisions** go to a {@link Sink} (grant a waiter, close, park, dial in
 * the background, reject), called synchronously and allocation-free; a
 * checkout that can be served at once returns its entry instead.
 *
 * **Invariants**, asserted after every event when {@link PoolState.debug}
 * is set (the test suite sets it; see `assertInvariants`):
 * 1. counts are never negative, and equal a recount of the entries;
 * 2. every idle entry is `idle`, open, with nothing in flight, once in its
 *    stack; `0 ≤ inFlight`, and `inFlight ≤ capacity` for every entry with
 *    spare room listed (an HTTP/2 peer may lower its limit below what runs);
 * 3. `dialing + busy ≤` the highest `maxPerHost` a checkout of the host used
 *    (taking an idle connection counts against the limit as a dial does);
 * 4. idle entries across hosts `≤ maxConnections`;
 * 5. no waiter waits while it could be served: the oldest waiter of a host
 *    waits only while `dialing + busy ≥` its limit, and, when it may reuse
 *    (it is not `fresh`), no connection in use has room for it;
 * 6. a closed pool holds no waiter and no idle entry.
 *
 * A waiter is served before a new dial whenever capacity exists (5), in
 * arrival order: a released connection goes to the oldest waiter; a freed
 * slot lets the oldest waiter dial.
 *
 * @internal
 */

/** The life of a pooled connection. @internal */
export type EntryState = "dialing" | "idle" | "active" | "draining" | "closed"

/** A handle the service keeps on an entry (its keep-alive timer). @internal */
export interface Cancelable {
  cancel(): void
}

/** What the policy knows of a request waiting for a connection. @internal */
export interface Waiter {
  /** Must get a new connection (a retry after a stale one): never a reused one. */
  readonly fresh: boolean
  /** Its per-host limit (the request's `maxPerHost`, else the pool's). */
  readonly limit: number
  /** What a connection dialled for it is expected to carry (1 for HTTP/1). */
  readonly capacity: number
  /** Set once served or cancelled. */
  done: boolean
  /** The multiplexed dial it is attached to, until that dial ends. */
  dial: Entry<unknown> | undefined
}

/** `assign`'s answer when the waiter was attached to a dial in progress. */
const attached: Entry<never> = Object.freeze(Object.create(null)) as Entry<never>
/** `takeSpare`'s answer to a request without a waiter record when a dial in progress has room for it. */
const joinable: Entry<never> = Object.freeze(Object.create(null)) as Entry<never>

/** One connection (or dial) of the pool. @internal */
export class Entry<C> {
  state: EntryState = "dialing"
  conn: C | undefined = undefined
  /** Requests using it (while dialing: its dialer plus the waiters attached to the dial). */
  inFlight = 0
  /** Absolute time at which it expires while idle. */
  expiresAt = Infinity
  /** The service's keep-alive timer. */
  timer: Cancelable | undefined = undefined
  /** The service's close callback for its connection, made once. */
  onClosed: (() => void) | undefined = undefined
  /** Waiters sharing this dial beyond its dialer (multiplexed), in arrival order. */
  attached: Array<Waiter> | undefined = undefined
  constructor(
    readonly host: HostState<C>,
    /** Requests it can carry at once; while dialing, the capacity expected. */
    public capacity: number,
    /** A background dial (prewarm, refill): no request owns it. */
    readonly background: boolean
  ) {}

  toJSON(): unknown {
    return { state: this.state, capacity: this.capacity, inFlight: this.inFlight, expiresAt: this.expiresAt }
  }
}

/** One host (pool key) of the pool. @internal */
export class HostState<C> {
  /** Idle entries, most recently used last (LIFO reuse). */
  readonly idle: Array<Entry<C>> = []
  /** Entries in use (active or draining with requests in flight). */
  readonly busy = new Set<Entry<C>>()
  /** In use or dialing, with spare capacity (multiplexed connections only). */
  readonly spare: Array<Entry<C>> = []
  readonly waiters: Array<Waiter> = []
  dialing = 0
  /** Background dials in progress. */
  refilling = 0
  /** The highest limit a checkout of this host used (invariant 3). */
  maxLimit = 0
  /** Idle connections kept ready (prewarm); 0: not warm. */
  warm = 0
  /** What a multiplexed dial of this host is expected to carry: its last session's capacity (100 before any). */
  capacityHint = 100
  constructor(readonly key: string, readonly host: string, readonly port: number) {}

  /** In use plus dialing: what `maxPerHost` bounds. */
  get active(): number {
    return this.dialing + this.busy.size
  }

  toJSON(): unknown {
    return {
      key: this.key,
      dialing: this.dialing,
      busy: this.busy.size,
      idle: this.idle.length,
      waiters: this.waiters.length,
      warm: this.warm,
      refilling: this.refilling,
      entries: [...this.busy, ...this.idle].map((e) => e.toJSON())
    }
  }
}

/** Where the policy's decisions go. @internal */
export interface Sink<C> {
  /** Serve `waiter` with `entry`: its connection, or — `entry` dialing with it as dialer — the order to dial it. */
  grant(waiter: Waiter, entry: Entry<C>): void
  /** Close `entry`'s connection: it left the pool. */
  closeConnection(entry: Entry<C>): void
  /** `entry` became idle, until `entry.expiresAt`: arm its expiry, let it not keep the process alive. */
  parked(entry: Entry<C>): void
  /** `entry` left the idle stack for a request: disarm its expiry. */
  unparked(entry: Entry<C>): void
  /** Dial `entry` in the background (a refill); report with `dialed`/`dialFailed`. */
  dialBackground(entry: Entry<C>): void
  /** The pool closed while `waiter` waited. */
  reject(waiter: Waiter): void
  /** The pool closed while `entry` was in use: abort its requests. */
  abort(entry: Entry<C>): void
}

/** Limits of the policy (the pool's options, milliseconds). @internal */
export interface Limits {
  readonly maxPerHost: number
  /** Idle connections kept across hosts. */
  readonly maxIdle: number
  /** How long an idle connection is kept; 0: none is. */
  readonly keepalive: number
}

/** @internal */
export class PoolState<C> {
  /** Assert the invariants after every event (tests; off by default: they recount every host). */
  static debug = false

  readonly hosts = new Map<string, HostState<C>>()
  idleCount = 0
  closed = false

  constructor(
    readonly limits: Limits,
    private readonly sink: Sink<C>,
    /** Whether an idle connection can still be used (not closed by the peer, no stray bytes). */
    private readonly usable: (conn: C) => boolean,
    private readonly now: () => number
  ) {}

  /** The host record of `key`, created on first use. */
  host(key: string, host: string, port: number): HostState<C> {
    let h = this.hosts.get(key)
    if (h === undefined) {
      h = new HostState(key, host.toLowerCase(), port)
      this.hosts.set(key, h)
    }
    return h
  }

  /**
   * A request wants a connection (the fast path: no waiter record). Returns
   * the entry that serves it now — in use (reused), or `dialing` with the
   * request as its dialer — or undefined: the request must {@link wait}.
   * Requests already waiting come first (FIFO). `capacity`: what a new dial
   * is expected to carry.
   */
  checkout(h: HostState<C>, fresh: boolean, limit: number, capacity: number): Entry<C> | undefined {
    if (limit > h.maxLimit) h.maxLimit = limit
    const e = h.waiters.length === 0 ? this.assign(h, fresh, limit, capacity, undefined) : undefined
    if (PoolState.debug) this.assertInvariants()
    return e
  }

  /**
   * The idle-connection fast path of {@link checkout}: the entry of an idle
   * connection of `h` when `checkout` would hand one out now (no waiter
   * ahead, no spare capacity to fill first, `limit` not reached), else
   * undefined with nothing reserved (the caller then takes the full
   * checkout).
   */
  takeIdleNow(h: HostState<C>, limit: number): Entry<C> | undefined {
    if (h.waiters.length > 0 || h.spare.length > 0 || h.idle.length === 0 || h.active >= limit || this.closed) return undefined
    if (limit > h.maxLimit) h.maxLimit = limit
    const e = this.takeIdle(h)
    if (PoolState.debug) this.assertInvariants()
    return e
  }

  /**
   * `waiter` waits: served at once through the sink's `grant` if it can be
   * now (capacity appeared since its checkout, or a multiplexed dial in
   * progress has room: it is attached to it), else queued; rejected through
   * the sink's `reject` if the pool closed since its checkout. Returns the
   * host record it waits on (for `cancel`).
   */
  wait(host: HostState<C>, waiter: Waiter): HostState<C> {
    if (this.closed) {
      // The pool closed since the checkout (the waiting fiber yielded between them): nothing would serve it.
      waiter.done = true
      this.sink.reject(waiter)
      return host
    }
    // The host record may have been dropped (emptied) since the checkout: wait on the live one.
    const h = this.hosts.get(host.key) ?? host
    if (h === host) this.hosts.set(h.key, h)
    if (waiter.limit > h.maxLimit) h.maxLimit = waiter.limit
    const e = h.waiters.length === 0
      ? this.assign(h, waiter.fresh, waiter.limit, waiter.capacity, waiter)
      : undefined
    if (e === undefined) h.waiters.push(waiter)
    else if (e !== attached) this.sink.grant(waiter, e)
    this.done()
    return h
  }

  /** The dial of `entry` succeeded with `conn`, which can carry `capacity` requests. */
  dialed(entry: Entry<C>, conn: C, capacity: number): void {
    const h = entry.host
    // What a multiplexed dial of this host should expect next: what this one turned out to carry.
    if (entry.capacity > 1 || capacity > 1) h.capacityHint = Math.max(1, capacity)
    entry.conn = conn
    entry.capacity = capacity
    h.dialing--
    if (entry.background) h.refilling--
    if (entry.state === "closed" || this.closed) {
      // The pool closed during the dial: the connection is not kept.
      entry.state = "closed"
      this.unspare(entry)
      this.sink.closeConnection(entry)
      this.requeue(entry)
      return this.done()
    }
    entry.state = "active"
    h.busy.add(entry)
    const joined = entry.attached
    entry.attached = undefined
    if (joined !== undefined) {
      // Those beyond the real capacity go back to the head of the queue, in order.
      const fit = Math.max(0, capacity - 1)
      for (const w of joined) w.dial = undefined
      for (let i = joined.length - 1; i >= fit; i--) {
        entry.inFlight--
        h.waiters.unshift(joined[i])
      }
      for (let i = 0; i < Math.min(fit, joined.length); i++) this.sink.grant(joined[i], entry)
    }
    if (entry.background) return this.release(entry, true)
    this.unspare(entry)
    if (entry.inFlight < entry.capacity) h.spare.push(entry)
    this.pump(h)
    this.done()
  }

  /** The dial of `entry` failed (or its dialer was interrupted): its slot frees; waiters attached to it queue again. */
  dialFailed(entry: Entry<C>): void {
    const h = entry.host
    h.dialing--
    if (entry.background) h.refilling--
    entry.state = "closed"
    entry.inFlight = 0
    this.unspare(entry)
    this.requeue(entry)
    this.pump(h)
    this.done()
  }

  /**
   * A request gave `entry` back; `reusable` when the connection is open,
   * keep-alive and idle. A reusable connection goes to the oldest waiter
   * that may reuse, else to the idle stack (or is closed past
   * `maxConnections`, or with no keep-alive); others are closed, and their
   * slot lets the oldest waiter dial.
   */
  release(entry: Entry<C>, reusable: boolean): void {
    const h = entry.host
    if (entry.state === "closed") return
    entry.inFlight--
    if (!reusable || this.closed) return this.retire(entry)
    if (entry.state === "draining") return entry.inFlight === 0 ? this.retire(entry) : this.done()
    if (entry.inFlight === 0) {
      while (h.waiters.length > 0 && h.waiters[0].done) h.waiters.shift()
      const w = h.waiters[0]
      // Capacity 0 (an HTTP/2 session whose health is in doubt): it takes no one now.
      if (w !== undefined && !w.fresh && entry.capacity > 0) {
        // Straight to the oldest waiter: the connection stays in use.
        h.waiters.shift()
        entry.inFlight = 1
        this.sink.grant(w, entry)
        // The next waiter may have a higher limit than this one had.
        this.pump(h)
        return this.done()
      }
      h.busy.delete(entry)
      this.unspare(entry)
      if (this.idleCount >= this.limits.maxIdle || this.limits.keepalive <= 0) {
        entry.state = "closed"
        this.sink.closeConnection(entry)
      } else {
        entry.state = "idle"
        entry.expiresAt = this.now() + this.limits.keepalive
        h.idle.push(entry)
        this.idleCount++
        this.sink.parked(entry)
        // Parked with nobody waiting (the common case): nothing else to decide.
        if (h.waiters.length === 0) return this.done()
      }
    } else if (entry.inFlight < entry.capacity && h.spare.indexOf(entry) < 0) h.spare.push(entry)
    this.pump(h)
    this.done()
  }

  /** `entry`'s connection closed by itself (peer close, stray bytes while idle, GOAWAY then close). */
  connectionClosed(entry: Entry<C>): void {
    this.closedEvent(entry)
  }

  /** The server will take no new request on `entry` (HTTP/2 GOAWAY, `Connection: close` announced). */
  drain(entry: Entry<C>): void {
    if (entry.state !== "idle" && entry.state !== "active") return
    if (entry.state === "idle") return this.closedEvent(entry, true)
    entry.state = "draining"
    this.unspare(entry)
    this.done()
  }

  /**
   * `entry`'s connection can now carry `capacity` requests at once (HTTP/2
   * SETTINGS_MAX_CONCURRENT_STREAMS changed). Raised: waiters are served
   * from the new room. Lowered below what runs on it: those finish, and no
   * new request goes to it until it has room again. 0 (an HTTP/2 session
   * whose health is in doubt): nothing new goes to it, and an idle one is
   * closed when next wanted; the host's hint for new dials is kept.
   */
  resize(entry: Entry<C>, capacity: number): void {
    if (entry.state !== "active" && entry.state !== "idle") return
    entry.capacity = capacity
    if (capacity > 0) entry.host.capacityHint = capacity
    if (entry.state === "active") {
      if (entry.inFlight < capacity) {
        if (entry.host.spare.indexOf(entry) < 0) entry.host.spare.push(entry)
        this.pump(entry.host)
      } else this.unspare(entry)
    }
    this.done()
  }

  /** `entry`'s keep-alive timer fired: closes it if it is still idle and due. */
  expire(entry: Entry<C>): void {
    if (entry.state !== "idle" || this.now() < entry.expiresAt) return
    this.closedEvent(entry, true)
  }

  /** A waiter gave up (checkout timeout, interruption) before being served. */
  cancel(h: HostState<C>, waiter: Waiter): void {
    waiter.done = true
    const i = h.waiters.indexOf(waiter)
    if (i >= 0) h.waiters.splice(i, 1)
    const dial = waiter.dial as Entry<C> | undefined
    if (dial !== undefined) {
      waiter.dial = undefined
      const j = dial.attached?.indexOf(waiter) ?? -1
      if (j >= 0) {
        dial.attached!.splice(j, 1)
        dial.inFlight--
      }
    }
    // The next waiter may have a higher limit.
    this.pump(h)
    this.done()
  }

  /**
   * Keep `count` idle connections ready for `h` (hackney's prewarm):
   * starts background dials for what is missing (idle and dials in progress
   * count; `maxPerHost` bounds), and marks the host warm so that taken idle
   * connections are replaced. Returns the dialing entries, for the caller to
   * dial (and report with `dialed`/`dialFailed`).
   */
  prewarm(h: HostState<C>, count: number): Array<Entry<C>> {
    h.warm = count
    if (this.limits.maxPerHost > h.maxLimit) h.maxLimit = this.limits.maxPerHost
    const want = Math.min(count - h.idle.length - h.refilling, this.limits.maxPerHost - h.active)
    const out: Array<Entry<C>> = []
    for (let i = 0; i < want && !this.closed; i++) out.push(this.newDial(h, 1, true, false))
    this.done()
    return out
  }

  /** The pool closes: waiters are rejected, idle connections closed, those in use aborted. */
  shutdown(): void {
    if (this.closed) return
    this.closed = true
    for (const h of this.hosts.values()) {
      for (const w of h.waiters.splice(0)) {
        w.done = true
        this.sink.reject(w)
      }
      for (const e of h.spare) {
        for (const w of e.attached ?? []) {
          w.done = true
          this.sink.reject(w)
        }
        e.attached = undefined
      }
      h.spare.length = 0
      for (const e of h.idle.splice(0)) {
        e.state = "closed"
        this.sink.closeConnection(e)
      }
      for (const e of h.busy) {
        e.state = "closed"
        this.sink.abort(e)
      }
      h.busy.clear()
    }
    this.idleCount = 0
    this.hosts.clear()
  }

  /** Totals across hosts: connections in use, idle, requests waiting. */
  stats(): { inUse: number; free: number; queued: number } {
    let inUse = 0
    for (const h of this.hosts.values()) inUse += h.busy.size
    return { inUse, free: this.idleCount, queued: this.queuedCount() }
  }

  /** Requests waiting for a connection (queued, or attached to a dial), over all hosts. */
  queuedCount(): number {
    let queued = 0
    for (const h of this.hosts.values()) {
      queued += h.waiters.length
      for (const e of h.spare) queued += e.attached?.length ?? 0
    }
    return queued
  }

  toJSON(): unknown {
    return {
      closed: this.closed,
      idle: this.idleCount,
      limits: this.limits,
      hosts: [...this.hosts.values()].map((h) => h.toJSON())
    }
  }

  // --- internals --------------------------------------------------------------

  /** Serves `w` now if capacity exists (or it may dial); undefined otherwise. */
  /**
   * Serves a request now if capacity exists, else lets it dial if its limit
   * allows; undefined otherwise. With a waiter, a dial in progress with room
   * takes it (`attached`).
   */
  private assign(h: HostState<C>, fresh: boolean, limit: number, capacity: number, w: Waiter | undefined): Entry<C> | undefined {
    if (!fresh && h.spare.length > 0) {
      // Room on a multiplexed connection: no new connection, so no limit to check. Room on
      // one being dialled: a request without a waiter record must `wait` to be attached.
      const e = this.takeSpare(h, w)
      if (e !== undefined) return e === joinable ? undefined : e
    }
    if (h.active >= limit || this.closed) return undefined
    if (!fresh) {
      const e = this.takeIdle(h)
      if (e !== undefined) return e
    }
    {
      // A multiplexed dial expects what the host's last session carried (learnt since the waiter queued).
      const e = this.newDial(h, capacity > 1 ? h.capacityHint : capacity, false, false)
      e.inFlight = 1
      if (e.capacity > 1) h.spare.push(e)
      return e
    }
    return undefined
  }

  private takeIdle(h: HostState<C>): Entry<C> | undefined {
    for (;;) {
      const e = h.idle.pop()
      if (e === undefined) return undefined
      this.idleCount--
      this.sink.unparked(e)
      // Liveness check: a connection the peer closed, that received bytes while idle, or that can carry
      // nothing now (capacity 0: an HTTP/2 session whose health is in doubt) is not handed out.
      if (!this.usable(e.conn!) || e.capacity === 0) {
        e.state = "closed"
        this.sink.closeConnection(e)
        continue
      }
      e.state = "active"
      e.inFlight = 1
      h.busy.add(e)
      if (e.capacity > 1) h.spare.push(e)
      if (h.warm > 0) this.refill(h)
      return e
    }
  }

  /** Spare capacity of a multiplexed entry: in use (served now), or dialing (`w` attached, served by `dialed`). */
  private takeSpare(h: HostState<C>, w: Waiter | undefined): Entry<C> | undefined {
    for (let i = 0; i < h.spare.length; i++) {
      const e = h.spare[i]
      if (e.inFlight >= e.capacity) continue
      if (w === undefined && e.state === "dialing") return joinable
      e.inFlight++
      // A dial stays listed until it ends (its attached waiters are found through it).
      if (e.inFlight >= e.capacity && e.state !== "dialing") h.spare.splice(i, 1)
      if (e.state === "dialing") {
        ;(e.attached ??= []).push(w!)
        w!.dial = e as Entry<unknown>
        return attached
      }
      return e
    }
    return undefined
  }

  /** A new dialing entry; a background one is dialled by the sink when `start`, else by the caller. */
  private newDial(h: HostState<C>, capacity: number, background: boolean, start: boolean): Entry<C> {
    const e = new Entry<C>(h, capacity, background)
    h.dialing++
    if (background) {
      h.refilling++
      e.inFlight = 1
      if (start) this.sink.dialBackground(e)
    }
    return e
  }

  /** A warm host's idle connection was taken: dial a replacement while fewer than its target are idle. */
  private refill(h: HostState<C>): void {
    if (this.closed || h.idle.length + h.refilling >= h.warm || h.active >= this.limits.maxPerHost) return
    this.newDial(h, 1, true, true)
  }

  /** Serves waiters, oldest first, while capacity exists or they may dial. */
  private pump(h: HostState<C>): void {
    while (h.waiters.length > 0 && !this.closed) {
      const w = h.waiters[0]
      if (w.done) {
        h.waiters.shift()
        continue
      }
      const e = this.assign(h, w.fresh, w.limit, w.capacity, w)
      if (e === undefined) break
      h.waiters.shift()
      if (e !== attached) this.sink.grant(w, e)
    }
    this.dropIfEmpty(h)
  }

  /** Closes `entry` (it may not be reused) and frees its slot. */
  private retire(entry: Entry<C>): void {
    const h = entry.host
    if (entry.inFlight > 0) {
      // Other requests still run on it (multiplexed): it closes when the last one ends.
      entry.state = "draining"
      this.unspare(entry)
      return this.done()
    }
    entry.state = "closed"
    h.busy.delete(entry)
    this.unspare(entry)
    this.sink.closeConnection(entry)
    this.pump(h)
    this.done()
  }

  private closedEvent(entry: Entry<C>, close = false): void {
    const h = entry.host
    if (entry.state === "idle") {
      const i = h.idle.lastIndexOf(entry)
      if (i >= 0) {
        h.idle.splice(i, 1)
        this.idleCount--
      }
      entry.state = "closed"
      this.sink.unparked(entry)
      if (close) this.sink.closeConnection(entry)
      this.dropIfEmpty(h)
    } else if (entry.state === "active") {
      // Its requests will fail and release it; no new one may use it.
      entry.state = "draining"
      this.unspare(entry)
    }
    this.done()
  }

  /** Waiters attached to a dial that will not serve them queue again, first. */
  private requeue(entry: Entry<C>): void {
    const attached = entry.attached
    entry.attached = undefined
    if (attached !== undefined) {
      for (let i = attached.length - 1; i >= 0; i--) if (!attached[i].done) entry.host.waiters.unshift(attached[i])
    }
  }

  private unspare(entry: Entry<C>): void {
    const spare = entry.host.spare
    if (spare.length === 0) return
    const i = spare.indexOf(entry)
    if (i >= 0) spare.splice(i, 1)
  }

  private dropIfEmpty(h: HostState<C>): void {
    if (
      h.active === 0 && h.idle.length === 0 && h.waiters.length === 0 && h.spare.length === 0 && h.warm === 0
    ) this.hosts.delete(h.key)
  }

  private done(): void {
    if (PoolState.debug) this.assertInvariants()
  }

  /** Checks the invariants of the module doc; throws on the first broken one. */
  assertInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`pool invariant broken: ${what} — ${JSON.stringify(this.toJSON())}`)
    }
    let idle = 0
    for (const h of this.hosts.values()) {
      if (h.dialing < 0 || h.refilling < 0 || h.refilling > h.dialing) fail(`counts of ${h.key}`)
      const seen = new Set<Entry<C>>()
      for (const e of h.idle) {
        if (e.state !== "idle" || e.inFlight !== 0 || seen.has(e) || h.busy.has(e)) fail(`idle entry of ${h.key}`)
        seen.add(e)
      }
      idle += h.idle.length
      for (const e of h.busy) {
        if (e.state !== "active" && e.state !== "draining") fail(`busy entry of ${h.key} is ${e.state}`)
        // A peer may lower its stream limit below what runs (resize): only spare entries are bounded.
        if (e.inFlight < 0) fail(`inFlight of ${h.key}`)
      }
      for (const e of h.spare) {
        if (e.state !== "dialing" && e.state !== "active") fail(`spare entry of ${h.key} is ${e.state}`)
        if (e.inFlight < 0 || e.inFlight > e.capacity) fail(`inFlight of a spare entry of ${h.key}`)
      }
      if (h.active > Math.max(h.maxLimit, this.limits.maxPerHost)) fail(`${h.key} has ${h.active} connections`)
      const head = h.waiters[0]
      if (head !== undefined) {
        if (this.closed) fail("a closed pool has waiters")
        if (!head.fresh && h.spare.some((e) => e.state === "active" && e.inFlight < e.capacity)) {
          fail(`a waiter of ${h.key} waits while a connection has room`)
        }
        if (h.active < head.limit) fail(`a waiter of ${h.key} waits while it may reuse or dial`)
      }
    }
    if (idle !== this.idleCount) fail(`idle count ${this.idleCount}, recounted ${idle}`)
    if (this.idleCount > this.limits.maxIdle) fail("more idle connections than maxConnections")
    if (this.closed && this.idleCount > 0) fail("a closed pool keeps idle connections")
  }
}
