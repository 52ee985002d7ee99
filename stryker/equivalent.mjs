/**
 * Surviving mutants judged equivalent (no test can tell them from the
 * original), each with a one-line reason. `npm run mutation` counts a
 * survivor that matches an entry — same file, mutator and replacement, on a
 * line containing `line` — as equivalent, out of the score.
 */
import { http1 } from "./equivalent.http1.mjs"
import { transport } from "./equivalent.transport.mjs"
import { publicModules } from "./equivalent.public.mjs"
import { h3 } from "./equivalent.h3.mjs"
import { httpclient } from "./equivalent.httpclient.mjs"

const state = "src/internal/pool/state.ts"
const engineRedirect = "src/internal/engine/redirect.ts"
const clientRedirect = "src/internal/client/redirect.ts"
const wheel = "src/internal/timer/wheel.ts"
const pool = "src/internal/pool/pool.ts"
const retry = "src/internal/client/retry.ts"
const privateAddress = "src/internal/node/privateAddress.ts"
const exchange = "src/internal/engine/exchange.ts"
const guard = "src/internal/engine/redirectGuard.ts"
const noProxy = "src/internal/proxy/noProxy.ts"
const proxyUrl = "src/internal/proxy/proxyUrl.ts"
const address = "src/internal/proxy/address.ts"
const proxyEnv = "src/internal/proxy/env.ts"
const proxySpec = "src/internal/pool/proxySpec.ts"
const prepare = "src/internal/client/prepare.ts"
const query = "src/internal/client/query.ts"
const requestUrl = "src/internal/client/requestUrl.ts"

const mpDecoder = "src/internal/multipart/decoder.ts"
const mpDecode = "src/internal/node/multipartDecode.ts"
const mpDisposition = "src/internal/multipart/disposition.ts"

/** @type {ReadonlyArray<{ file: string; line: string; mutator: string; replacement: string; reason: string }>} */
const h1 = "src/internal/connection/h1Connection.ts"
const exchangeFile = "src/internal/connection/exchange.ts"
const h2c = "src/internal/connection/h2Connection.ts"
const h2s = "src/internal/connection/h2Stream.ts"
const streamBody = "src/internal/connection/streamBody.ts"
const h2r = "src/internal/connection/h2Request.ts"
export const equivalent = [
  // --- internal/http1 (equivalent.http1.mjs) ---
  ...http1,
  // --- the connection's dial side and the Node transport (equivalent.transport.mjs) ---
  ...transport,
  ...publicModules,
  // --- QUIC and the HTTP/3 codec (equivalent.h3.mjs) ---
  ...h3,
  // --- the @effect/platform HttpClient adapter (equivalent.httpclient.mjs) ---
  ...httpclient,

  // --- pool policy (state.ts) ---
  { file: state, line: "static debug = false", mutator: "BooleanLiteral", replacement: "true", reason: "the suite's setup file turns debug on before any test runs: the default is not observable from a test" },
  { file: state, line: "if (limit > h.maxLimit) h.maxLimit = limit", mutator: "EqualityOperator", replacement: "limit >= h.maxLimit", reason: "on equality it assigns the value already there" },
  { file: state, line: "if (waiter.limit > h.maxLimit) h.maxLimit = waiter.limit", mutator: "EqualityOperator", replacement: "waiter.limit >= h.maxLimit", reason: "on equality it assigns the value already there" },
  { file: state, line: "if (entry.state === \"closed\" || this.closed) {", mutator: "ConditionalExpression", replacement: "false", reason: "a dialing entry is marked closed only by shutdown, which also sets this.closed (the other operand)" },
  { file: state, line: "if (entry.state === \"closed\" || this.closed) {", mutator: "StringLiteral", replacement: "\"\"", reason: "a dialing entry is marked closed only by shutdown, which also sets this.closed (the other operand)" },
  { file: state, line: "const fit = Math.max(0, capacity - 1)", mutator: "MethodExpression", replacement: "Math.min(0, capacity - 1)", reason: "waiters not granted here are requeued first, in order, and pump grants them the same entry from the spare list" },
  { file: state, line: "if (entry.inFlight < entry.capacity) h.spare.push(entry)", mutator: "ConditionalExpression", replacement: "true", reason: "a full entry on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (entry.inFlight < entry.capacity) h.spare.push(entry)", mutator: "EqualityOperator", replacement: "entry.inFlight <= entry.capacity", reason: "a full entry on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (entry.state === \"draining\") return entry.inFlight === 0 ? this.retire(entry) : this.done()", mutator: "ConditionalExpression", replacement: "true", reason: "retire of an entry with requests in flight only marks it draining again" },
  { file: state, line: "while (h.waiters.length > 0 && h.waiters[0].done) h.waiters.shift()", mutator: "ConditionalExpression", replacement: "false", reason: "no done waiter stays queued: cancel removes it, shutdown empties the queue" },
  { file: state, line: "if (h.waiters.length === 0) return this.done()", mutator: "ConditionalExpression", replacement: "false", reason: "pump with no waiter does nothing, and dropIfEmpty keeps a host with an idle entry" },
  { file: state, line: "const j = dial.attached?.indexOf(waiter) ?? -1", mutator: "OptionalChaining", replacement: "dial.attached.indexOf", reason: "while a waiter's dial is set, the waiter is on that dial's attached list" },
  { file: state, line: "if (j >= 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "while a waiter's dial is set, the waiter is on that dial's attached list" },
  { file: state, line: "if (this.limits.maxPerHost > h.maxLimit) h.maxLimit = this.limits.maxPerHost", mutator: "ConditionalExpression", replacement: "false", reason: "maxLimit is read only by invariant 3, which already bounds by max(maxLimit, maxPerHost)" },
  { file: state, line: "if (this.limits.maxPerHost > h.maxLimit) h.maxLimit = this.limits.maxPerHost", mutator: "ConditionalExpression", replacement: "true", reason: "maxLimit is read only by invariant 3, which already bounds by max(maxLimit, maxPerHost)" },
  { file: state, line: "if (this.limits.maxPerHost > h.maxLimit) h.maxLimit = this.limits.maxPerHost", mutator: "EqualityOperator", replacement: "this.limits.maxPerHost >= h.maxLimit", reason: "on equality it assigns the value already there" },
  { file: state, line: "if (this.limits.maxPerHost > h.maxLimit) h.maxLimit = this.limits.maxPerHost", mutator: "EqualityOperator", replacement: "this.limits.maxPerHost <= h.maxLimit", reason: "maxLimit is read only by invariant 3, which already bounds by max(maxLimit, maxPerHost)" },
  { file: state, line: "if (this.closed) return", mutator: "ConditionalExpression", replacement: "false", reason: "a second shutdown finds no host (the first cleared them) and resets counts already 0" },
  { file: state, line: "if (!fresh && h.spare.length > 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "takeSpare over an empty spare list finds nothing (the check only saves the call)" },
  { file: state, line: "if (!fresh && h.spare.length > 0) {", mutator: "EqualityOperator", replacement: "h.spare.length >= 0", reason: "takeSpare over an empty spare list finds nothing (the check only saves the call)" },
  { file: state, line: "const e = this.newDial(h, capacity, false, false)", mutator: "BooleanLiteral", replacement: "true", reason: "`start` is read only for background dials" },
  { file: state, line: "if (e.capacity > 1) h.spare.push(e)", mutator: "ConditionalExpression", replacement: "true", reason: "a capacity-1 entry's one slot is taken: takeSpare's room check skips it" },
  { file: state, line: "if (e.capacity > 1) h.spare.push(e)", mutator: "EqualityOperator", replacement: "e.capacity >= 1", reason: "a capacity-1 entry's one slot is taken: takeSpare's room check skips it" },
  { file: state, line: "if (h.warm > 0) this.refill(h)", mutator: "ConditionalExpression", replacement: "true", reason: "refill returns at once for a host that is not warm (idle + refilling >= 0)" },
  { file: state, line: "if (h.warm > 0) this.refill(h)", mutator: "EqualityOperator", replacement: "h.warm >= 0", reason: "refill returns at once for a host that is not warm (idle + refilling >= 0)" },
  { file: state, line: "if (e.inFlight >= e.capacity && e.state !== \"dialing\") h.spare.splice(i, 1)", mutator: "ConditionalExpression", replacement: "false", reason: "a full entry left on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (e.inFlight >= e.capacity && e.state !== \"dialing\") h.spare.splice(i, 1)", mutator: "EqualityOperator", replacement: "e.inFlight > e.capacity", reason: "a full entry left on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (this.closed || h.idle.length + h.refilling >= h.warm", mutator: "ConditionalExpression", replacement: "false", reason: "refill is reached only from takeIdle, which assign runs only while the pool is open (first operand)" },
  { file: state, line: "if (w.done) {", mutator: "ConditionalExpression", replacement: "false", reason: "no done waiter stays queued: cancel removes it, shutdown empties the queue" },
  { file: state, line: "if (w.done) {", mutator: "BlockStatement", replacement: "{}", reason: "no done waiter stays queued: cancel removes it, shutdown empties the queue" },
  { file: state, line: "if (i >= 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "an idle entry is always on its host's idle stack" },
  { file: state, line: "if (!attached[i].done) entry.host.waiters.unshift(attached[i])", mutator: "ConditionalExpression", replacement: "true", reason: "a cancelled waiter leaves its dial's attached list at once; shutdown drops the lists" },
  { file: state, line: "if (spare.length === 0) return", mutator: "ConditionalExpression", replacement: "false", reason: "indexOf on an empty list is -1: the check only saves the call" },
  { file: state, line: "if (e.inFlight < 0 || e.inFlight > e.capacity) fail(", mutator: "EqualityOperator", replacement: "e.inFlight <= 0", reason: "an entry in use or dialing carries at least one request (at 0 it is parked or retired)" },

  { file: state, line: "if (h === host) this.hosts.set(h.key, h)", mutator: "ConditionalExpression", replacement: "true", reason: "when h is not `host` it came from the map under that key: setting it again changes nothing" },
  { file: state, line: "if (PoolState.debug) this.assertInvariants()", mutator: "ConditionalExpression", replacement: "true", reason: "the suite's setup file turns debug on before any test runs" },
  { file: state, line: "if (PoolState.debug) this.assertInvariants()", mutator: "ConditionalExpression", replacement: "false", reason: "an assertion only: the next event asserts the same invariants" },
  { file: state, line: "} else if (entry.inFlight < entry.capacity && h.spare.indexOf(entry) < 0) h.spare.push(entry)", mutator: "EqualityOperator", replacement: "entry.inFlight <= entry.capacity", reason: "a full entry on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (entry.state === \"idle\") return this.closedEvent(entry, true)", mutator: "ConditionalExpression", replacement: "true", reason: "closedEvent of an active entry marks it draining and takes it off the spare list, as drain does" },
  { file: state, line: "if (entry.inFlight < capacity) {", mutator: "EqualityOperator", replacement: "entry.inFlight <= capacity", reason: "a full entry on the spare list is skipped by takeSpare's room check" },
  { file: state, line: "if (i >= 0) h.waiters.splice(i, 1)", mutator: "EqualityOperator", replacement: "i > 0", reason: "cancel's pump shifts a done waiter off the head of the queue" },
  { file: state, line: "const j = dial.attached?.indexOf(waiter) ?? -1", mutator: "UnaryOperator", replacement: "+1", reason: "while a waiter's dial is set, the waiter is on that dial's attached list (the fallback is never used)" },
  { file: state, line: "const e = this.newDial(h, capacity > 1 ? h.capacityHint : capacity, false, false)", mutator: "BooleanLiteral", replacement: "true", reason: "`start` is read only for background dials" },
  { file: state, line: "h.active === 0 && h.idle.length === 0 && h.waiters.length === 0 && h.spare.length === 0 && h.warm === 0", mutator: "ConditionalExpression", replacement: "true", reason: "with nothing active every queued waiter can dial (limits are >= 1), and a spare entry is dialing or in use (active > 0)" },
  { file: state, line: "if (h.dialing < 0 || h.refilling < 0 || h.refilling > h.dialing) fail(", mutator: "ConditionalExpression", replacement: "false", reason: "an assertion: no event breaks these counts" },
  { file: state, line: "if (e.inFlight < 0) fail(`inFlight of ${h.key}`)", mutator: "EqualityOperator", replacement: "e.inFlight <= 0", reason: "an entry in use carries at least one request (at 0 it is parked or retired)" },
  { file: state, line: "if (!head.fresh && h.spare.some((e) => e.state === \"active\" && e.inFlight < e.capacity)) {", mutator: "ConditionalExpression", replacement: "true", reason: "an assertion: a spare entry is active with room, or dialing with room taken by any non-fresh waiter (attached): never with one queued" },
  { file: state, line: "if (!head.fresh && h.spare.some((e) => e.state === \"active\" && e.inFlight < e.capacity)) {", mutator: "LogicalOperator", replacement: "e.state === \"active\" || e.inFlight < e.capacity", reason: "an assertion: a full active entry leaves the spare list, and a dialing one with room takes a non-fresh waiter (attached)" },
  { file: state, line: "if (!head.fresh && h.spare.some((e) => e.state === \"active\" && e.inFlight < e.capacity)) {", mutator: "EqualityOperator", replacement: "e.inFlight <= e.capacity", reason: "an assertion: a full active entry leaves the spare list" },
  { file: state, line: "if (limit > h.maxLimit) h.maxLimit = limit", mutator: "ConditionalExpression", replacement: "true", reason: "takeIdleNow and checkout only go on below `limit`, so a lowered maxLimit still bounds the host; a later request raises it again" },

  // --- redirect rules (engine/redirect.ts, client/redirect.ts) ---
  { file: engineRedirect, line: "const seen: Array<string> = []", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "only a Location of exactly that text could tell" },
  { file: clientRedirect, line: "const resolved = Url.resolve(from, location.trim())", mutator: "MethodExpression", replacement: "location", reason: "Url.resolve strips leading and trailing whitespace itself (WHATWG URL parsing)" },
  { file: clientRedirect, line: "if (url.fragment === \"\" && from.fragment !== \"\") url = Url.setFragment(url, from.fragment)", mutator: "ConditionalExpression", replacement: "true", reason: "with no fragment on either side, setting the empty fragment changes nothing" },
  { file: clientRedirect, line: "if (url.fragment === \"\" && from.fragment !== \"\") url = Url.setFragment(url, from.fragment)", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "with no fragment on either side, setting the empty fragment changes nothing" },

  // --- timer wheel (timer/wheel.ts) ---
  { file: wheel, line: "  active = false", mutator: "BooleanLiteral", replacement: "true", reason: "only touch and step read `active`: a deadline never started is in no heap, and the `at` a touch gives it is overwritten by its first restart" },
  { file: wheel, line: "if (this.active) this.at = this.wheel.clock.unsafeCurrentTimeMillis() + millis", mutator: "ConditionalExpression", replacement: "true", reason: "an inactive deadline is popped unfired whatever its `at`, and its next restart sets `at` again" },
  { file: wheel, line: "top.active = false", mutator: "BooleanLiteral", replacement: "true", reason: "a fired deadline has left the heap (filed false): only a restart files it again, and that sets `active` itself" },
  { file: wheel, line: "if (d.at >= d.filedAt) return // re-filed lazily when reached", mutator: "ConditionalExpression", replacement: "false", reason: "re-filing a later deadline at once instead of when reached gives the same firing times (the laziness only saves heap work)" },
  { file: wheel, line: "if (d.at >= d.filedAt) return // re-filed lazily when reached", mutator: "EqualityOperator", replacement: "d.at > d.filedAt", reason: "re-filing at the same time puts the entry back under the same key" },
  { file: wheel, line: "if (!this.firing && d.at < this.wakeAt) this.sleepUntil(d.at)", mutator: "EqualityOperator", replacement: "d.at <= this.wakeAt", reason: "on equality it re-arms the sleeper for the time it already sleeps until" },
  { file: wheel, line: "this.firing = true", mutator: "BooleanLiteral", replacement: "false", reason: "a sleeper armed from an expiry callback is cancelled and re-armed by onWake's sleepUntil(step()) right after" },
  { file: wheel, line: "this.cancelSleep = () => clearTimeout(t)", mutator: "ArrowFunction", replacement: "() => undefined", reason: "the stale native timer wakes once more and finds nothing due (an extra unref'd wake-up, no change in what fires when)" },
  { file: wheel, line: "this.cancelSleep = () => fiber.unsafeInterruptAsFork(FiberId.none)", mutator: "ArrowFunction", replacement: "() => undefined", reason: "the stale sleeper fiber wakes once more and finds nothing due (an extra wake-up, no change in what fires when)" },
  { file: wheel, line: "if (h[p].filedAt <= d.filedAt) break", mutator: "EqualityOperator", replacement: "h[p].filedAt < d.filedAt", reason: "moving an entry above an equal parent keeps a valid heap" },
  { file: wheel, line: "if (h[c].filedAt >= last.filedAt) break", mutator: "EqualityOperator", replacement: "h[c].filedAt > last.filedAt", reason: "moving an entry below an equal child keeps a valid heap" },
  { file: wheel, line: "const c = r < n && h[r].filedAt < h[l].filedAt ? r : l", mutator: "EqualityOperator", replacement: "h[r].filedAt <= h[l].filedAt", reason: "between two children due at the same time either may move up" },
  { file: wheel, line: "if (h[c].filedAt >= last.filedAt) break", mutator: "ConditionalExpression", replacement: "false", reason: "the hole then goes down the smaller-child path to a leaf, and the siftUp that follows lifts `last` back to its place (bottom-up heap removal)" },
  { file: wheel, line: "if (i >= 0) this.removeAt(i)", mutator: "ConditionalExpression", replacement: "true", reason: "remove is called only for a filed deadline, which is in the heap (indexOf >= 0)" },
  { file: wheel, line: "if (clock === lastClock) return lastWheel!", mutator: "ConditionalExpression", replacement: "false", reason: "a cache of the WeakMap lookup below, which gives the same wheel" },
  // --- pool service (pool/pool.ts) ---
  { file: pool, line: "private readonly logs = false", mutator: "BooleanLiteral", replacement: "true", reason: "a pool built without the flag then takes the logged path: the same outcome, its Debug lines below the default level" },
  { file: pool, line: "if (this.logs) return this.logged(e, h, fresh, limit, capacity, spec, ctx, dialled)", mutator: "ConditionalExpression", replacement: "true", reason: "the logged path gives the same outcome; its Debug lines are below the default level" },
  { file: pool, line: "if (this.logs) this.run(debug(message,", mutator: "ConditionalExpression", replacement: "true", reason: "a Debug line below the default level, run in a fiber of its own" },
  { file: pool, line: "if (meter === undefined && !this.logs) {", mutator: "ConditionalExpression", replacement: "false", reason: "with neither meter nor logs the other branch does the same, its logging and metering no-ops" },
  { file: pool, line: "if (this.state.closed) return Effect.succeed(0)", mutator: "ConditionalExpression", replacement: "false", reason: "the policy's prewarm starts no dial on a closed pool: 0 either way" },
  { file: pool, line: "entry.timer?.cancel()", mutator: "OptionalChaining", replacement: "entry.timer.cancel", reason: "an entry closed or unparked has a connection, and register gave it its timer" },
  { file: pool, line: "if (conn === undefined) return", mutator: "ConditionalExpression", replacement: "false", reason: "the policy closes only entries whose dial succeeded (they have a connection)" },
  { file: pool, line: "w.resume?.(Effect.fail(new PoolClosed({ pool: this.config.name })))", mutator: "OptionalChaining", replacement: "w.resume(Effect.fail(new PoolClosed({\n  pool: this.config.name\n})))", reason: "a waiter reaches the policy only from inside its Effect.async, after `resume` is set" },
  { file: pool, line: "entry.conn?.abort(new PoolClosed({ pool: this.config.name }))", mutator: "OptionalChaining", replacement: "entry.conn.abort", reason: "an entry in use has its connection" },
  { file: pool, line: "if (spec === undefined) return this.state.dialFailed(entry)", mutator: "ConditionalExpression", replacement: "false", reason: "a warm host's spec is recorded before its first background dial and cleared only with the pool, which then refills nothing" },
  { file: pool, line: "if (Number.isFinite(timeout) && !w.done) {", mutator: "ConditionalExpression", replacement: "true", reason: "an infinite deadline never fires, and the deadline of a waiter served at once finds it done" },
  { file: pool, line: "if (w.done) return", mutator: "ConditionalExpression", replacement: "false", reason: "settle cancels a served waiter's deadline before it fires, and Effect.async runs its canceller only before it resumed (the waiter not done)" },
  { file: pool, line: "export const TypeId: unique symbol = Symbol.for(\"effect-hackney/Pool\")", mutator: "StringLiteral", replacement: "\"\"", reason: "every check uses this constant, not its key" },
  { file: pool, line: "const noContext: CheckoutContext = { checkoutTimeout: undefined }", mutator: "ObjectLiteral", replacement: "{}", reason: "an empty context has no checkoutTimeout either" },

  // --- retry (client/retry.ts, engine/exchange.ts) ---
  { file: retry, line: "if (v === undefined || v === \"\") return 0", mutator: "ConditionalExpression", replacement: "false", reason: "an empty value fails both the digits test and HttpDate.parse: 0 either way" },
  { file: retry, line: "if (v === undefined || v === \"\") return 0", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "an empty value fails both the digits test and HttpDate.parse: 0 either way" },

  { file: retry, line: "(e._tag === \"RecvTimeout\" || e._tag === \"ConnectionClosed\" || (e._tag === \"RequestTimeout\" && e.option === \"attemptTimeout\")))", mutator: "ConditionalExpression", replacement: "true", reason: "only a RequestTimeout has an `option` field (HackneyError.ts)" },
  { file: exchange, line: ": e._tag === \"ProtocolError\" && e.reason === \"stream-reset\" && ", mutator: "ConditionalExpression", replacement: "true", reason: "only a ProtocolError has the reason \"stream-reset\" (the other HackneyErrors' reasons are other words)" },

  // --- redirect guard (engine/redirectGuard.ts, node/privateAddress.ts) ---
  { file: privateAddress, line: "const h = host.startsWith(\"[\") && host.endsWith(\"]\") ? host.slice(1, -1) : host", mutator: "LogicalOperator", replacement: "host.startsWith(\"[\") || host.endsWith(\"]\")", reason: "hosts come from parsed URLs (or dial specs made from them): a `[` or `]` appears only around an IPv6 literal, so one bracket implies the other" },
  { file: privateAddress, line: "const h = host.startsWith(\"[\") && host.endsWith(\"]\") ? host.slice(1, -1) : host", mutator: "StringLiteral", replacement: "\"\"", reason: "hosts come from parsed URLs (or dial specs made from them): a `[` or `]` appears only around an IPv6 literal, so one bracket implies the other" },
  { file: guard, line: "if (address !== undefined && !isPrivateAddress(address)) return Effect.succeed(conn)", mutator: "ConditionalExpression", replacement: "true", reason: "isPrivateAddress(undefined) is true (net.isIP of a non-string is 0): the second operand refuses it too" },

  // --- proxy (internal/proxy/*, pool/proxySpec.ts) ---
  { file: noProxy, line: "if (entry === \"\") return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "an empty entry reaches splitHostPort, whose empty host is refused the same way" },
  { file: noProxy, line: "if (entry === \"\") return undefined", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "an empty entry reaches splitHostPort, whose empty host is refused the same way" },
  { file: noProxy, line: "if (hp === undefined || hp.host === \"\") return undefined", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "an empty host is refused again at the end (host === \"\" after the prefixes)" },
  { file: noProxy, line: "if (noProxy.entries.length === 0) return false", mutator: "ConditionalExpression", replacement: "false", reason: "the loop over no entries returns false too" },
  { file: noProxy, line: "if (bytes === null) bytes = ipBytes(name)", mutator: "ConditionalExpression", replacement: "true", reason: "ipBytes is pure: computing it again for each IP entry gives the same bytes" },
  { file: proxyUrl, line: "if (hasHeadBreaker(user ?? \"\") || hasHeadBreaker(password ?? \"\")) {", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "user and password are both strings here (set just above)" },
  { file: proxyUrl, line: "host = close === -1 ? \"\" : rest.slice(1, close)", mutator: "ConditionalExpression", replacement: "false", reason: "when `]` is missing the next line refuses the URL (close === -1), whatever host holds" },
  { file: proxyUrl, line: "host = close === -1 ? \"\" : rest.slice(1, close)", mutator: "UnaryOperator", replacement: "+1", reason: "when `]` is missing the next line refuses the URL (close === -1), whatever host holds" },
  { file: proxyUrl, line: "host = close === -1 ? \"\" : rest.slice(1, close)", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "when `]` is missing the next line refuses the URL (close === -1), whatever host holds" },
  { file: proxyUrl, line: "if (close === -1 || !isIpv6(host)) return bad(", mutator: "ConditionalExpression", replacement: "false", reason: "when `]` is missing host is \"\", which isIpv6 refuses" },
  { file: proxyUrl, line: "if (close === -1 || !isIpv6(host)) return bad(", mutator: "UnaryOperator", replacement: "+1", reason: "when `]` is missing host is \"\", which isIpv6 refuses" },
  { file: proxyUrl, line: "portText = after === \"\" ? undefined : after.slice(1)", mutator: "ConditionalExpression", replacement: "false", reason: "an empty port text takes the default port like an absent one (portText !== \"\" below)" },
  { file: proxyUrl, line: "portText = after === \"\" ? undefined : after.slice(1)", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "an empty port text takes the default port like an absent one (portText !== \"\" below)" },
  { file: address, line: "if (text.length === 0) return []", mutator: "ConditionalExpression", replacement: "false", reason: "an empty side of `::` as no group or as one odd group gives the same bytes (the zero fill shrinks by one; NaN or text shifts to 0)" },
  { file: address, line: "if (text.length === 0) return []", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "an empty side of `::` as no group or as one odd group gives the same bytes (the zero fill shrinks by one; NaN or text shifts to 0)" },
  { file: address, line: "if (v4 === undefined || i !== parts.length - 1) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "if (v4 === undefined || i !== parts.length - 1) return undefined", mutator: "LogicalOperator", replacement: "v4 === undefined && i !== parts.length - 1", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "if (head === undefined || tail === undefined) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "if (head === undefined || tail === undefined) return undefined", mutator: "LogicalOperator", replacement: "head === undefined && tail === undefined", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "if (groups === undefined || groups.length !== 8) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "if (groups === undefined || groups.length !== 8) return undefined", mutator: "LogicalOperator", replacement: "groups === undefined && groups.length !== 8", reason: "unreachable: isIpv6, ipv6Bytes' first check, already refused every text this refuses" },
  { file: address, line: "for (let i = 0; i < 8; i++) {", mutator: "EqualityOperator", replacement: "i <= 8", reason: "writes past a 16-byte Uint8Array's end are dropped" },
  { file: address, line: "const bare = host.length >= 2 && host[0] === \"[\" && host[host.length - 1] === \"]\" ? host.slice(1, -1) : host", mutator: "EqualityOperator", replacement: "host.length > 2", reason: "\"[]\" unbracketed is \"\", bracketed it is \"[]\": neither is an address" },
  { file: address, line: "for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false", mutator: "EqualityOperator", replacement: "bits > 8", reason: "with 8 bits left the mask is 0xff: the same comparison of the same byte" },
  { file: address, line: "if (bits === 0) return true", mutator: "ConditionalExpression", replacement: "false", reason: "a mask of 0 bits compares 0 with 0 (past the end too: undefined & 0 is 0)" },
  { file: proxyEnv, line: "return proxy === undefined || bypasses(env.noProxy, host, port) ? undefined : proxy", mutator: "ConditionalExpression", replacement: "false", reason: "without a proxy both branches give undefined" },
  { file: proxySpec, line: "return new InvalidRequest({ reason: \"option\", detail: `${where}: ${parsed.left.detail.replace(/^proxy: /, \"\")}` })", mutator: "Regex", replacement: "/proxy: /", reason: "every parseProxyUrl detail starts with \"proxy: \": the first occurrence is the start" },
  { file: proxySpec, line: "if (np === undefined) {", mutator: "ConditionalExpression", replacement: "true", reason: "the cache only saves parsing again: the same list parses to the same entries" },
  { file: proxySpec, line: "const dial = proxyDial(options.proxy, options, \"proxy\")", mutator: "StringLiteral", replacement: "\"\"", reason: "the error is dropped there (the options' check refused such a proxy first): `where` is never shown" },
  { file: proxySpec, line: "(o) => (o._tag === \"Some\" ? o.value : undefined)", mutator: "ConditionalExpression", replacement: "true", reason: "Option.none has no value: o.value is undefined there too" },
  { file: proxySpec, line: "if (pool === undefined) return request", mutator: "ConditionalExpression", replacement: "false", reason: "without pool options the merge copies the request's fields: an equal object" },
  { file: proxySpec, line: "if (env === undefined) return Effect.flatMap(readEnv(provider)", mutator: "ConditionalExpression", replacement: "true", reason: "readEnv finds the cached environment itself" },
  { file: proxySpec, line: "if (env === emptyProxyEnv) return spec", mutator: "ConditionalExpression", replacement: "false", reason: "the empty environment has no proxy: applyEnv returns the spec itself" },
  { file: proxySpec, line: "spec.envProxy === undefined ? Effect.succeed(spec) : Effect.withFiberRuntime((fiber) => {", mutator: "ConditionalExpression", replacement: "false", reason: "specWithEnv returns a spec without envProxy as it is" },
  { file: noProxy, line: "if (close === -1) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "without `]` the rest is the whole entry, which starts with `[`, not `:`: the next check refuses it (and \"[]\" has an empty host, refused later)" },
  { file: noProxy, line: "if (close === -1) return undefined", mutator: "UnaryOperator", replacement: "+1", reason: "without `]` the rest is the whole entry, which starts with `[`, not `:`: the next check refuses it (and \"[]\" has an empty host, refused later)" },

  // --- request-prep (client/prepare.ts, requestUrl.ts, query.ts) ---
  { file: prepare, line: "const mp = encodeBody(body.multipart, given === undefined ? undefined : { boundary: given }, openFile)", mutator: "ConditionalExpression", replacement: "false", reason: "{ boundary: undefined } is the default, as no options: the encoder draws its boundary" },
  { file: prepare, line: "if (options.headers === undefined && options.body === undefined && options.basicAuth === undefined && url.user === \"\") {", mutator: "ConditionalExpression", replacement: "false", reason: "the general path builds the same head as the fast path for a request without headers, body or credentials" },
  { file: prepare, line: "typeof u === \"object\" && u !== null && Stream.StreamTypeId in u", mutator: "ConditionalExpression", replacement: "true", reason: "checkBody, just above, already refused null and every non-object body but strings and bytes (handled first)" },
  { file: prepare, line: "typeof u === \"object\" && u !== null && Stream.StreamTypeId in u", mutator: "LogicalOperator", replacement: "typeof u === \"object\" || u !== null", reason: "checkBody, just above, already refused null and every non-object body but strings and bytes (handled first)" },
  { file: prepare, line: "if (hit !== undefined) return Either.right(hit)", mutator: "ConditionalExpression", replacement: "false", reason: "a cache: parsing the URL again gives an equal entry and the same head" },
  { file: prepare, line: "if (urlCache.size >= 1024) urlCache.clear()", mutator: "ConditionalExpression", replacement: "true", reason: "the bound only limits the cache's memory: an entry cleared or kept parses the same" },
  { file: prepare, line: "if (urlCache.size >= 1024) urlCache.clear()", mutator: "ConditionalExpression", replacement: "false", reason: "the bound only limits the cache's memory: an entry cleared or kept parses the same" },
  { file: prepare, line: "if (urlCache.size >= 1024) urlCache.clear()", mutator: "EqualityOperator", replacement: "urlCache.size > 1024", reason: "the bound only limits the cache's memory: an entry cleared or kept parses the same" },
  { file: prepare, line: "if (urlCache.size >= 1024) urlCache.clear()", mutator: "EqualityOperator", replacement: "urlCache.size < 1024", reason: "the bound only limits the cache's memory: an entry cleared or kept parses the same" },
  { file: prepare, line: "name === lower || (name.length === lower.length && name.toLowerCase() === lower)", mutator: "ConditionalExpression", replacement: "false", reason: "the fast path of the comparison after it: equal lower-case text has the same length" },
  { file: prepare, line: "name === lower || (name.length === lower.length && name.toLowerCase() === lower)", mutator: "ConditionalExpression", replacement: "true", reason: "the fast path of the comparison after it: equal lower-case text has the same length" },
  { file: prepare, line: "length: Number(declared.trim())", mutator: "MethodExpression", replacement: "declared", reason: "Number ignores surrounding whitespace" },
  { file: prepare, line: "if (\"file\" in body) {", mutator: "ConditionalExpression", replacement: "true", reason: "checkBody admits only the body kinds handled above: the fallback after this branch is unreachable" },
  { file: prepare, line: "const i = typeof input === \"string\" ? input : RequestUrl.inputOf(input)", mutator: "ConditionalExpression", replacement: "false", reason: "inputOf returns a string input as it is: the test only skips the call" },
  { file: prepare, line: "const i = typeof input === \"string\" ? input : RequestUrl.inputOf(input)", mutator: "StringLiteral", replacement: "\"\"", reason: "inputOf returns a string input as it is: the test only skips the call" },
  { file: prepare, line: "if (options.headers === undefined && options.body === undefined && options.basicAuth === undefined && url.user === \"\") {", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "the general path builds the same head as the fast path for a request without headers, body or credentials" },
  { file: prepare, line: "if (options.headers === undefined && options.body === undefined && options.basicAuth === undefined && url.user === \"\") {", mutator: "BlockStatement", replacement: "{}", reason: "the general path builds the same head as the fast path for a request without headers, body or credentials" },
  { file: prepare, line: "if (h1 === undefined) {", mutator: "ConditionalExpression", replacement: "true", reason: "a cache: encoding the head again gives the same text" },
  { file: prepare, line: "let raw = options.headers === undefined ? [] : Headers.toRaw(Headers.fromInput(options.headers)).slice()", mutator: "MethodExpression", replacement: "Headers.toRaw(Headers.fromInput(options.headers))", reason: "Headers.fromInput builds a new value for every input: its raw array is the request's own" },
  { file: query, line: "typeof v === \"string\" || typeof v === \"boolean\" || (typeof v === \"number\" && Number.isFinite(v))", mutator: "ConditionalExpression", replacement: "true", reason: "Number.isFinite is false for every non-number (it does not coerce)" },
  { file: requestUrl, line: "const isWhatwgUrl = (u: unknown): u is URL => typeof URL !== \"undefined\" && u instanceof URL", mutator: "ConditionalExpression", replacement: "true", reason: "URL is a global on every Node this package supports" },
  { file: requestUrl, line: "const isWhatwgUrl = (u: unknown): u is URL => typeof URL !== \"undefined\" && u instanceof URL", mutator: "StringLiteral", replacement: "\"\"", reason: "URL is a global on every Node this package supports" },

  // --- h1-connection (connection/h1Connection.ts, connection/exchange.ts) ---
  { file: h1, line: "private readonly parser = new Http1Parser({ mode: \"response\" })", mutator: "ObjectLiteral", replacement: "{}", reason: "the parser's default mode is response" },
  { file: h1, line: "private readonly parser = new Http1Parser({ mode: \"response\" })", mutator: "StringLiteral", replacement: "\"\"", reason: "a mode that is neither request nor auto is response" },
  { file: h1, line: "if (wheel !== this.deadline.wheel) {", mutator: "ConditionalExpression", replacement: "true", reason: "a new deadline on the same wheel (the old one cancelled) fires the same" },
  { file: h1, line: "if (body._tag === \"Bytes\" && body.bytes.length > 0) {", mutator: "ConditionalExpression", replacement: "true", reason: "an empty body written inside the head's cork adds no byte to its one flush" },
  { file: h1, line: "if (body._tag === \"Bytes\" && body.bytes.length > 0) {", mutator: "EqualityOperator", replacement: "body.bytes.length >= 0", reason: "an empty body written inside the head's cork adds no byte to its one flush" },
  { file: h1, line: "if (this.socket.destroyed) return Effect.fail(this.closedError(ex))", mutator: "ConditionalExpression", replacement: "false", reason: "a destroyed socket's close event follows (Node, the mock): the write's drain wait then fails with the exchange's ConnectionClosed" },
  { file: h1, line: "const ok = typeof chunk === \"string\" ? this.socket.write(chunk, \"latin1\") : this.socket.write(chunk)", mutator: "ConditionalExpression", replacement: "true", reason: "a byte write ignores the encoding argument" },
  { file: h1, line: "socket.write(encodeChunkHeader(chunk.length), \"latin1\")", mutator: "StringLiteral", replacement: "\"\"", reason: "hex digits and CRLF are ASCII: the same bytes in utf8, the default" },
  { file: h1, line: "const ok = socket.write(\"\\r\\n\", \"latin1\")", mutator: "StringLiteral", replacement: "\"\"", reason: "CRLF is ASCII: the same bytes in utf8, the default" },
  { file: h1, line: "return awaitDrain(this.socket, ex, () => this.closedError(ex)", mutator: "ArrowFunction", replacement: "() => undefined", reason: "the connection's own close listener, registered first, fails the exchange before the drain wait sees the close: ex.error is used" },
  { file: h1, line: "if (!ex.requestDone && !ex.settled) this.disarm()", mutator: "ConditionalExpression", replacement: "true", reason: "a body write waits before end() (requestDone false there); a settled exchange's deadline is cancelled or ignored (onRecvTimeout returns)" },
  { file: h1, line: "if (!ex.requestDone && !ex.settled) this.disarm()", mutator: "LogicalOperator", replacement: "!ex.requestDone || !ex.settled", reason: "a body write waits before end() (requestDone false there); a settled exchange's deadline is cancelled or ignored (onRecvTimeout returns)" },
  { file: h1, line: "if (!ex.settled) this.armRecvTimeout()", mutator: "ConditionalExpression", replacement: "true", reason: "onRecvTimeout ignores a settled exchange, and release disarms" },
  { file: h1, line: "if (this.paused) {", mutator: "ConditionalExpression", replacement: "true", reason: "resuming a socket that is not paused is a no-op" },
  { file: h1, line: "if (this.paused) {", mutator: "ConditionalExpression", replacement: "false", reason: "release: nothing is read while paused, so a paused exchange never completed and the connection is closed just below" },
  { file: h1, line: "if (this.paused) {", mutator: "BlockStatement", replacement: "{}", reason: "release: nothing is read while paused, so a paused exchange never completed and the connection is closed just below" },
  { file: h1, line: "this.paused = false", mutator: "BooleanLiteral", replacement: "true", reason: "release: nothing is read while paused, so a paused exchange never completed and the connection is closed just below" },
  { file: h1, line: "if (!this.parser.isIdle) {", mutator: "ConditionalExpression", replacement: "false", reason: "unreachable: onSocketData closes a connection whose parser is not idle after the response, before any release" },
  { file: h1, line: "if (!this.parser.isIdle) {", mutator: "BlockStatement", replacement: "{}", reason: "unreachable: onSocketData closes a connection whose parser is not idle after the response, before any release" },
  { file: h1, line: "this.unsolicited(\"after the response (found at release)\")", mutator: "StringLiteral", replacement: "\"\"", reason: "unreachable: onSocketData closes a connection whose parser is not idle after the response, before any release" },
  { file: h1, line: "return false // (unreachable while onSocketData keeps the invariant", mutator: "BooleanLiteral", replacement: "true", reason: "unreachable: onSocketData closes a connection whose parser is not idle after the response, before any release" },
  { file: h1, line: "if (this.state !== \"active\" || ex === undefined || ex.error !== undefined) {", mutator: "ConditionalExpression", replacement: "false", reason: "bytes in `done` reach the parser, whose events (state check) or the after-read check close the connection as unsolicited all the same" },
  { file: h1, line: "if (this.state !== \"active\") return this.unsolicited(\"after the response\")", mutator: "StringLiteral", replacement: "\"\"", reason: "onData, onTrailers, onMessageComplete: only reached after the message's head closed the connection, where unsolicited returns before using the text (onResponseHead's and onInformational's are tested)" },
  { file: h1, line: "return this.unsolicited(\"after the response\") // a message nobody asked for ends", mutator: "ConditionalExpression", replacement: "false", reason: "outside `active` the exchange is complete or failed (the settled check next returns), or the connection closed" },
  { file: h1, line: "if (ex.complete && ex.keepAlive && !this.parser.isIdle) {", mutator: "LogicalOperator", replacement: "ex.complete || ex.keepAlive", reason: "keepAlive is set only with complete" },
  { file: h1, line: "if (ex.settled) return", mutator: "ConditionalExpression", replacement: "false", reason: "onInformational: an exchange settles inside a read only as the connection closes, and the state check before returns first" },
  { file: h1, line: "if (this.state === \"closed\") return", mutator: "ConditionalExpression", replacement: "false", reason: "close is idempotent through its steps too (destroy is, a settled exchange ignores fail, onClosed was cleared); unsolicited, once closed, would only write the same phase again" },
  { file: h1, line: "if (this.state === \"closed\") return", mutator: "StringLiteral", replacement: "\"\"", reason: "close is idempotent through its steps too (destroy is, a settled exchange ignores fail, onClosed was cleared); unsolicited, once closed, would only write the same phase again" },
  { file: h1, line: "if (Number.isFinite(this.recvTimeout)) this.deadline.restart(this.recvTimeout)", mutator: "ConditionalExpression", replacement: "true", reason: "a deadline at Infinity never fires" },
  { file: h1, line: "if (ex === undefined || ex.settled) return", mutator: "ConditionalExpression", replacement: "false", reason: "(the `ex === undefined` operand) release, which clears the exchange, cancels the deadline first" },
  { file: exchangeFile, line: "if (this.waiter === undefined) this.waiter = f", mutator: "ConditionalExpression", replacement: "false", reason: "the first waiter's own slot is storage only: waiters in the list are woken and removed the same way" },
  { file: exchangeFile, line: "if (this.waiter === undefined) this.waiter = f", mutator: "EqualityOperator", replacement: "this.waiter !== undefined", reason: "the first waiter's own slot is storage only: waiters in the list are woken and removed the same way" },

  // --- h2 (connection/h2Connection.ts, h2Stream.ts, h2Request.ts, streamBody.ts) ---
  { file: h2c, line: "} catch (e) {", mutator: "BlockStatement", replacement: "{}", reason: "http2.connect does not throw for the options given (fixed authority, validated settings): unreachable" },
  { file: h2c, line: "return resume(Effect.fail(new ConnectionClosed({ method: options.method, url: options.url, requestSent: false, cause: e })))", mutator: "ObjectLiteral", replacement: "{}", reason: "http2.connect does not throw for the options given (fixed authority, validated settings): unreachable" },
  { file: h2c, line: "return resume(Effect.fail(new ConnectionClosed({ method: options.method, url: options.url, requestSent: false, cause: e })))", mutator: "BooleanLiteral", replacement: "true", reason: "http2.connect does not throw for the options given (fixed authority, validated settings): unreachable" },
  { file: h2c, line: "session.removeListener(\"remoteSettings\", onSettings)", mutator: "StringLiteral", replacement: "\"\"", reason: "a later SETTINGS would resume the finished open again (ignored) and set the same window" },
  { file: h2c, line: "session.removeListener(\"close\", onEnd)", mutator: "StringLiteral", replacement: "\"\"", reason: "a later close would resume the finished open again (ignored) and close an already closing connection (idempotent)" },
  { file: h2c, line: "if (bytes !== undefined && !bodyFollows) stream.end(bytes)", mutator: "ConditionalExpression", replacement: "true", reason: "(the `bytes !== undefined` operand) without bytes or a body to follow the stream was opened with endStream: end() adds nothing" },
  { file: h2c, line: "if (this.closedFlag) return", mutator: "ConditionalExpression", replacement: "false", reason: "close is idempotent through its steps too: streams already failed, destroy is, onClosed was cleared" },
  { file: h2c, line: "if (!this.session.destroyed) this.session.destroy()", mutator: "ConditionalExpression", replacement: "true", reason: "destroying a destroyed session is a no-op" },
  { file: h2c, line: "const code = this.goawayCode !== 0 ? this.goawayCode : (this.closeCause as { errno?: number } | undefined)?.errno", mutator: "ConditionalExpression", replacement: "true", reason: "the code is attached only when goawayCode is not 0, and then it is goawayCode either way" },
  { file: h2c, line: "...(code !== undefined && this.goawayCode !== 0 ? { code, codeName: h2ErrorName(code) } : {}),", mutator: "ConditionalExpression", replacement: "true", reason: "(the `code !== undefined` operand) with goawayCode not 0, code is goawayCode: defined" },
  { file: h2c, line: "if (lastStreamId < this.lastStreamId) this.lastStreamId = lastStreamId", mutator: "EqualityOperator", replacement: "lastStreamId <= this.lastStreamId", reason: "an equal id assigns the same value" },
  { file: h2r, line: "if (raw[i].length === 4 && raw[i].toLowerCase() === \"host\") {", mutator: "ConditionalExpression", replacement: "true", reason: "(the length operand) a fast path: only a four-letter name lower-cases to host" },
  { file: h2s, line: "const owner = Symbol.for(\"effect-hackney/H2Stream\")", mutator: "StringLiteral", replacement: "\"\"", reason: "any symbol key holds the stream's driver the same" },
  { file: h2s, line: "if (!this.ex.settled) this.arm()", mutator: "ConditionalExpression", replacement: "true", reason: "onRecvTimeout ignores a settled exchange" },
  { file: h2s, line: "if (stream === undefined || this.closed || stream.destroyed) return Effect.fail(this.closedError())", mutator: "ConditionalExpression", replacement: "false", reason: "(the `stream === undefined` operand) begin attaches the stream before the exchange is handed out, or fails it (the error check before returns)" },
  { file: h2s, line: "const hasTrailers = rawTrailers !== undefined && rawTrailers.length > 0", mutator: "ConditionalExpression", replacement: "true", reason: "an empty trailer list sends {} at wantTrailers, as no trailers do" },
  { file: h2s, line: "const hasTrailers = rawTrailers !== undefined && rawTrailers.length > 0", mutator: "EqualityOperator", replacement: "rawTrailers.length >= 0", reason: "an empty trailer list sends {} at wantTrailers, as no trailers do" },
  { file: h2s, line: "this.stream?.resume()", mutator: "OptionalChaining", replacement: "this.stream.resume", reason: "paused is set only in onData, where the stream is attached" },
  { file: h2s, line: "if (this.paused) {", mutator: "ConditionalExpression", replacement: "true", reason: "resuming a stream that is not paused is a no-op" },
  { file: h2s, line: "this.paused = false", mutator: "BooleanLiteral", replacement: "true", reason: "release: the stream is freed (cancelled or closed) just after; nothing reads the flag again" },
  { file: h2s, line: "if (!this.closed) this.cancel()", mutator: "ConditionalExpression", replacement: "true", reason: "cancel checks the stream is open itself" },
  { file: h2s, line: "return awaitDrain(stream, this.ex, () => this.closedError(), () => this.arm(), noop)", mutator: "ArrowFunction", replacement: "() => undefined", reason: "the stream's own close listener, attached first, fails an unsettled exchange before the drain wait sees the close: ex.error is used" },
  { file: h2s, line: "if (Number.isFinite(this.recvTimeout)) this.deadline.restart(this.recvTimeout)", mutator: "ConditionalExpression", replacement: "true", reason: "a deadline at Infinity never fires" },
  { file: h2s, line: "if (Number.isFinite(this.recvTimeout)) this.deadline.touch(this.recvTimeout)", mutator: "ConditionalExpression", replacement: "true", reason: "a deadline at Infinity never fires" },
  { file: h2s, line: "if (ex.settled) return // its completion or failure stands", mutator: "ConditionalExpression", replacement: "false", reason: "every later step ends in ex.fail, which a settled exchange ignores" },
  { file: h2s, line: "if (code === refusedStream || (id !== undefined && id > this.session.lastStreamId)) {", mutator: "ConditionalExpression", replacement: "false", reason: "(the `code === refusedStream` operand) a REFUSED_STREAM reset reaches the last branch, which names the same code" },
  { file: h2s, line: "if (code === refusedStream || (id !== undefined && id > this.session.lastStreamId)) {", mutator: "ConditionalExpression", replacement: "true", reason: "(the `id !== undefined` operand) an undefined id is never above the last stream id" },
  { file: streamBody, line: "return length !== undefined && ex.bodySent > length", mutator: "ConditionalExpression", replacement: "true", reason: "(the `length !== undefined` operand) nothing is greater than undefined" },
  // --- engine (internal/engine/exchange.ts, source.ts) ---
  { file: exchange, line: "ex.die(defect, new BodyError({ method: p.method, url: p.href, requestSent: ex.requestSent, bodyBytesSent: ex.bodySent, cause: defect }))", mutator: "ObjectLiteral", replacement: "{}", reason: "after die every wait of the exchange dies with the defect; the error only marks it failed (not reusable), and a scope's close replaces it" },
  { file: exchange, line: "return o.dialParent === undefined ? c : Effect.locally(c, traceConnect, o.dialParent)", mutator: "ConditionalExpression", replacement: "false", reason: "traceConnect is undefined outside a traced request's own locally, so setting it to undefined changes nothing" },
  { file: "src/internal/engine/source.ts", line: "spec.envProxy !== undefined", mutator: "ConditionalExpression", replacement: "true", reason: "withProxyEnv returns a spec without envProxy as it is" },
  { file: "src/internal/engine/source.ts", line: "ctx.wheel === undefined", mutator: "ConditionalExpression", replacement: "true", reason: "a checkout's wheel, when given, is the requesting fiber's currentWheel, which the direct source runs in" },
  // --- client-execute (internal/client/execute.ts) ---
  { file: "src/internal/client/execute.ts", line: "fiber !== undefined && takesIdle(p, source) ? oneShotIdle(p, source, wheel, fiber) : oneShotRetried(p, source, wheel)", mutator: "ConditionalExpression", replacement: "false", reason: "the idle path is an allocation shortcut: the full path takes the same idle connection and gives the same result" },
  { file: "src/internal/client/execute.ts", line: "fiber !== undefined && takesIdle(p, source) ? oneShotIdle(p, source, wheel, fiber) : oneShotRetried(p, source, wheel)", mutator: "EqualityOperator", replacement: "fiber === undefined", reason: "with a fiber the full path runs (same result); without one (connect) takesIdle is false, as connect's source has no checkoutIdle" },

  // --- pool-misc (Alt-Svc cache and dial) ---
  { file: "src/internal/pool/altSvcCache.ts", line: "fresh++", mutator: "UpdateOperator", replacement: "fresh--", reason: "the count is only compared with 0, and one step either way from 0 is not 0" },
  { file: "src/internal/pool/altSvcDial.ts", line: "const self = announced === undefined && preferredH3(spec.transport, spec.protocols) ? selfAlternative(spec) : undefined", mutator: "ConditionalExpression", replacement: "true", reason: "(the `announced === undefined` operand) `alt` takes the announced alternative first, so `self` is read only when none was announced" },
  { file: mpDecoder, line: "case State.Epilogue:", mutator: "ConditionalExpression", replacement: "case State.Epilogue:", reason: "unreachable: push returns before its loop in Epilogue, and the step that enters it returns" },
  { file: mpDecoder, line: "case State.Failed:", mutator: "ConditionalExpression", replacement: "case State.Failed:", reason: "unreachable: push returns before its loop in Failed, and every step that fails returns" },
  { file: mpDecoder, line: "const name = colon < 0 ? \"\" : line.slice(0, colon)", mutator: "ConditionalExpression", replacement: "false", reason: "with no colon the line is refused whatever the name, and the detail shows the line" },
  { file: mpDecoder, line: "const name = colon < 0 ? \"\" : line.slice(0, colon)", mutator: "EqualityOperator", replacement: "colon <= 0", reason: "at colon 0 both give the empty name" },
  { file: mpDecoder, line: "const name = colon < 0 ? \"\" : line.slice(0, colon)", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "with no colon the line is refused whatever the name, and the detail shows the line" },
  { file: mpDecoder, line: "if (colon <= 0 || !isToken(name)) {", mutator: "ConditionalExpression", replacement: "false", reason: "an empty name (colon 0 or none) is not a token either" },
  { file: mpDecoder, line: "if (colon <= 0 || !isToken(name)) {", mutator: "EqualityOperator", replacement: "colon < 0", reason: "an empty name (colon 0) is not a token either" },
  { file: mpDecoder, line: "const take = Math.min(need, chunk.length - pos)", mutator: "ArithmeticOperator", replacement: "chunk.length + pos", reason: "subarray clamps to the chunk, and pos past its end ends the loop the same way" },
  { file: mpDecoder, line: "if (take > 0) this.carry = concat(this.carry, chunk.subarray(pos, pos + take))", mutator: "ConditionalExpression", replacement: "true", reason: "concatenating nothing leaves the carry as it was" },
  { file: mpDecoder, line: "if (take > 0) this.carry = concat(this.carry, chunk.subarray(pos, pos + take))", mutator: "EqualityOperator", replacement: "take >= 0", reason: "concatenating nothing leaves the carry as it was" },
  { file: mpDecoder, line: "if (rest.length > 0) this.carry = concat(this.carry, rest)", mutator: "ConditionalExpression", replacement: "true", reason: "concatenating nothing leaves the carry as it was" },
  { file: mpDecoder, line: "if (rest.length > 0) this.carry = concat(this.carry, rest)", mutator: "EqualityOperator", replacement: "rest.length >= 0", reason: "concatenating nothing leaves the carry as it was" },
  { file: mpDecoder, line: "if ((this.state as State) === State.Failed) return out", mutator: "ConditionalExpression", replacement: "false", reason: "a failing headers() returns the chunk's end, which ends the loop" },
  { file: mpDecoder, line: "const take = Math.min(chunk.length - pos, Math.max(room, 0))", mutator: "ArithmeticOperator", replacement: "chunk.length + pos", reason: "subarray clamps to the chunk; a position past its end ends the loop as the chunk's end does" },
  { file: mpDecoder, line: "i !== -1 && i + 3 < buf.length", mutator: "ConditionalExpression", replacement: "true", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDecoder, line: "i !== -1 && i + 3 < buf.length", mutator: "EqualityOperator", replacement: "i + 3 <= buf.length", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDecoder, line: "i !== -1 && i + 3 < buf.length", mutator: "ArithmeticOperator", replacement: "i - 3", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDecoder, line: "const raw = parseHeaderBlock(found <= 2 ? \"\" : textDecoder.decode(buf.subarray(2, found)), this.limits.maxHeaders)", mutator: "ConditionalExpression", replacement: "false", reason: "found is 0 or at least 3 (the carry opens with CRLF): at 0 the decoded slice is empty too" },
  { file: mpDecoder, line: "const raw = parseHeaderBlock(found <= 2 ? \"\" : textDecoder.decode(buf.subarray(2, found)), this.limits.maxHeaders)", mutator: "EqualityOperator", replacement: "found < 2", reason: "found is never 1 or 2 (the carry opens with CRLF)" },
  { file: mpDecoder, line: "const n = Math.min(d.length - k, chunk.length - pos)", mutator: "ArithmeticOperator", replacement: "chunk.length + pos", reason: "a carry is left only at a chunk's end, so the next scan with a carry starts at 0" },
  { file: mpDecoder, line: "while (j < n && chunk[i + j] === d[j]) j++", mutator: "EqualityOperator", replacement: "j <= n", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDecoder, line: "bytes: from === 0 ? chunk : chunk.subarray(from)", mutator: "ConditionalExpression", replacement: "false", reason: "subarray(0) is a view of the same bytes" },
  { file: mpDecode, line: "const mt = typeof contentType === \"string\" ? Headers.parseContentType(contentType) : Option.none()", mutator: "ConditionalExpression", replacement: "true", reason: "parseContentType gives none for a value that is not a string" },
  { file: mpDecode, line: "let queue: Array<Event> = []", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "the first pull is nextPart's, which skips an event of no known tag" },
  { file: mpDecode, line: "if (queue.length === 0) last = { _tag: \"End\" }", mutator: "ObjectLiteral", replacement: "{}", reason: "unreachable: the End event is remembered (sticky) before the input can end after it" },
  { file: mpDecode, line: "if (queue.length === 0) last = { _tag: \"End\" }", mutator: "StringLiteral", replacement: "\"\"", reason: "unreachable: the End event is remembered (sticky) before the input can end after it" },
  { file: mpDecode, line: "if (decoder.done) break", mutator: "ConditionalExpression", replacement: "false", reason: "a done decoder ignores further input" },
  { file: mpDecode, line: "if (ev._tag === \"Error\") return Effect.fail(ev.error)", mutator: "ConditionalExpression", replacement: "false", reason: "the Error is remembered (sticky): the next pull of nextPart fails with it" },
  { file: mpDecode, line: "if (ev._tag === \"Error\") return Effect.fail(ev.error)", mutator: "StringLiteral", replacement: "\"\"", reason: "the Error is remembered (sticky): the next pull of nextPart fails with it" },
  { file: mpDecode, line: "if (ev._tag === \"Body\") return skipBody", mutator: "ConditionalExpression", replacement: "false", reason: "nextPart skips the Body and PartEnd events left" },
  { file: mpDecode, line: "if (ev._tag === \"Body\") return skipBody", mutator: "StringLiteral", replacement: "\"\"", reason: "nextPart skips the Body and PartEnd events left" },
  { file: mpDecode, line: "bodyDone = true", mutator: "BooleanLiteral", replacement: "false", reason: "(in skipBody) nextPart skips what is left, the next Headers sets it, and a body of an earlier part is refused by its number" },
  { file: mpDisposition, line: "while (i < value.length && (value.charCodeAt(i) === 59 || isSpace(value.charCodeAt(i)))) i++", mutator: "ConditionalExpression", replacement: "true", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDisposition, line: "while (i < value.length && (value.charCodeAt(i) === 59 || isSpace(value.charCodeAt(i)))) i++", mutator: "EqualityOperator", replacement: "i <= value.length", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDisposition, line: "while (j < value.length && value[j] !== \"=\" && value[j] !== \";\") j++", mutator: "EqualityOperator", replacement: "j <= value.length", reason: "one step past the end: slice clamps, and the index past the end ends the loop as the end does" },
  { file: mpDisposition, line: "while (i < value.length && isSpace(value.charCodeAt(i))) i++", mutator: "ConditionalExpression", replacement: "true", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDisposition, line: "while (i < value.length && isSpace(value.charCodeAt(i))) i++", mutator: "EqualityOperator", replacement: "i <= value.length", reason: "reading past the end gives undefined (NaN for charCodeAt), which matches nothing: the loop stops at the same index" },
  { file: mpDisposition, line: "while (j < value.length && value[j] !== \";\") j++", mutator: "EqualityOperator", replacement: "j <= value.length", reason: "one step past the end: slice clamps, and the index past the end ends the loop as the end does" },
  { file: mpDisposition, line: "if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined", mutator: "Regex", replacement: "/[0-9A-Fa-f]{2}$/", reason: "h has at most 2 characters: two hex digits are the whole of it either way" },
  { file: mpDisposition, line: "if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined", mutator: "Regex", replacement: "/^[0-9A-Fa-f]{2}/", reason: "h has at most 2 characters: two hex digits are the whole of it either way" },
  { file: mpDisposition, line: "} catch {", mutator: "BlockStatement", replacement: "{}", reason: "an empty catch block returns undefined as the original does" },
  { file: mpDisposition, line: "if (value === undefined) return { name: undefined, filename: undefined }", mutator: "ObjectLiteral", replacement: "{}", reason: "both fields are undefined either way" },
  { file: mpDisposition, line: "const extended = ext === undefined ? undefined : decodeExtValue(ext)", mutator: "ConditionalExpression", replacement: "false", reason: "decodeExtValue(undefined) is undefined (\"undefined\" is not an ext-value)" },
  { file: mpDecode, line: "default:", mutator: "ConditionalExpression", replacement: "default:", reason: "(nextPart's) unreachable: skipBody and bodyOf consume every Body and PartEnd event before nextPart reads the next one" },
  { file: mpDecode, line: "if (queue.length === 0) last = { _tag: \"End\" }", mutator: "ConditionalExpression", replacement: "true", reason: "the input ends with the decoder's Error queued (read before `last`, and remembered in its place), or after the End was remembered: `last` is never read from here" },
  { file: mpDecode, line: "if (queue.length === 0) last = { _tag: \"End\" }", mutator: "ConditionalExpression", replacement: "false", reason: "the input ends with the decoder's Error queued (read before `last`, and remembered in its place), or after the End was remembered: `last` is never read from here" },
  { file: mpDecode, line: "if (queue.length === 0) last = { _tag: \"End\" }", mutator: "EqualityOperator", replacement: "queue.length !== 0", reason: "the input ends with the decoder's Error queued (read before `last`, and remembered in its place), or after the End was remembered: `last` is never read from here" },
  // --- client-observe (internal/client/observe.ts) ---
  { file: "src/internal/client/observe.ts", line: "if (v === undefined) {", mutator: "ConditionalExpression", replacement: "true", reason: "the memo's value is f's: computing it again on a hit gives the same string" },
  { file: "src/internal/client/observe.ts", line: "if (cache.size >= bound) cache.clear()", mutator: "ConditionalExpression", replacement: "true", reason: "clearing the memo only costs recomputation: its values are f's" },
  { file: "src/internal/client/observe.ts", line: "if (cache.size >= bound) cache.clear()", mutator: "ConditionalExpression", replacement: "false", reason: "an unbounded memo holds the same values (the bound is a memory limit, not behaviour)" },
  { file: "src/internal/client/observe.ts", line: "if (cache.size >= bound) cache.clear()", mutator: "EqualityOperator", replacement: "cache.size > bound", reason: "one entry more before clearing: same values" },
  { file: "src/internal/client/observe.ts", line: "if (cache.size >= bound) cache.clear()", mutator: "EqualityOperator", replacement: "cache.size < bound", reason: "clearing on every miss only costs recomputation: same values" },
  { file: "src/internal/client/observe.ts", line: "const statusTypes: Array<string | undefined> = []", mutator: "ArrayDeclaration", replacement: "[\"Stryker was here\"]", reason: "index 0 is never a status (statusType runs for 400..999)" },
  { file: "src/internal/client/observe.ts", line: "  ) {", mutator: "BlockStatement", replacement: "{}", reason: "the constructor's initialisations are for one hidden class: undefined/\"\"/0n/false fields read the same (ended: undefined is falsy; active set before use)" },
  { file: "src/internal/client/observe.ts", line: "this.method = \"\"", mutator: "StringLiteral", replacement: "\"Stryker was here!\"", reason: "method is read only when metered, and start sets it then" },
  { file: "src/internal/client/observe.ts", line: "const resend = ctx.attempts === undefined ? 0 : ctx.attempts.count++", mutator: "ConditionalExpression", replacement: "false", reason: "observeAttempt is composed only with tracing, which also composes observeRequest outside it, which always gives attempts" },
  { file: "src/internal/client/observe.ts", line: "if (options.metrics === undefined && options.tracing === undefined && options.propagate === undefined) {", mutator: "ConditionalExpression", replacement: "false", reason: "the general branch gives the same switches (each option undefined falls back to the pool's); the first branch only avoids an object" },
  { file: "src/internal/client/observe.ts", line: "if (options.metrics === undefined && options.tracing === undefined && options.propagate === undefined) {", mutator: "BlockStatement", replacement: "{}", reason: "falls through to the general branch, which gives the same switches" },
  { file: "src/internal/client/observe.ts", line: "return f !== undefined && (f.metrics === true || f.tracing === true) ? f : undefined", mutator: "ConditionalExpression", replacement: "true", reason: "switches with neither metrics nor tracing on observe nothing (every use checks === true): same request, only an idle Observation" },
  { file: "src/internal/client/observe.ts", line: "if (metrics !== true && tracing !== true) return undefined", mutator: "ConditionalExpression", replacement: "false", reason: "switches with neither metrics nor tracing on observe nothing (every use checks === true): same request, only an idle Observation" },
  { file: "src/internal/client/observe.ts", line: "p.body._tag === \"Bytes\" ? p.body.bytes.length : p.body._tag === \"None\" ? 0 : bodySent", mutator: "ConditionalExpression", replacement: "false", reason: "a Bytes body's bodySent (the exchange's count; a one-shot's p.bodySize) is its length: the other branch gives the same number; a request without a body sends 0 bytes: bodySent (the exchange's count; a one-shot's p.bodySize, 0 for None) is 0 too" },
  { file: "src/internal/client/observe.ts", line: "p.body._tag === \"Bytes\" ? p.body.bytes.length : p.body._tag === \"None\" ? 0 : bodySent", mutator: "StringLiteral", replacement: "\"\"", reason: "a Bytes body's bodySent (the exchange's count; a one-shot's p.bodySize) is its length: the other branch gives the same number; a request without a body sends 0 bytes: bodySent (the exchange's count; a one-shot's p.bodySize, 0 for None) is 0 too" },
  { file: "src/internal/client/observe.ts", line: "const failureOf = (exit: Exit.Exit<unknown, HackneyError>): Outcome =>", mutator: "StringLiteral", replacement: "\"\"", reason: "failureOf runs only on a failure (outcomeOf checks first): its \"_OTHER\" branch is unreachable" },
]
