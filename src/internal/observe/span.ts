/**
 * A request's span made straight through the fiber's tracer (`Tracer.span`),
 * as `Effect.makeSpan` makes it — the same parent (the fiber's current span,
 * skipping those that disable propagation), links and annotations of the
 * fiber, timing switch, none when tracing is disabled — without its cost per
 * span: `makeSpan` reads the fiber's refs through `getFiberRefs()`, which
 * copies the fiber's whole ref table each time, and it allocates an options
 * object and the attributes' entries. The caller sets the attributes on the
 * span (`span.attribute`), with no object in between.
 *
 * And the W3C `traceparent` value of a span, when its ids are valid ones.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

const noLinks: ReadonlyArray<Tracer.SpanLink> = []
const noContext = Context.empty()
const clientOptions: Tracer.SpanOptions = { kind: "client", captureStackTrace: false }

/** The parent `Effect.makeSpan` would give: the current span, or the nearest above it that does not disable propagation. */
const parentOf = (span: Tracer.AnySpan | undefined): Option.Option<Tracer.AnySpan> => {
  let s = span
  while (s !== undefined && Context.get(s.context, Tracer.DisablePropagation)) {
    s = s._tag === "Span" ? Option.getOrUndefined(s.parent) : undefined
  }
  return s === undefined ? Option.none() : Option.some(s)
}

/**
 * A client span named `name` under `fiber`'s current span, started at `now`
 * (nanoseconds; 0 when the fiber turned span timing off); undefined when the
 * fiber's tracing is disabled (`Effect.withTracerEnabled(false)`). Must run on
 * `fiber` itself.
 *
 * @internal
 */
export const startClientSpan = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  name: string,
  now: bigint
): Tracer.Span | undefined => {
  if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return undefined
  const links = fiber.getFiberRef(FiberRef.currentTracerSpanLinks)
  const span = fiber.currentTracer.span(
    name,
    parentOf(fiber.currentSpan),
    noContext,
    Chunk.isEmpty(links) ? noLinks : Chunk.toReadonlyArray(links),
    fiber.getFiberRef(FiberRef.currentTracerTimingEnabled) ? now : 0n,
    "client",
    clientOptions
  )
  const annotations = fiber.getFiberRef(FiberRef.currentTracerSpanAnnotations)
  if (HashMap.size(annotations) > 0) HashMap.forEach(annotations, (value, key) => span.attribute(key, value))
  return span
}

/** A W3C `traceparent` of version 00: trace id and parent id in lowercase hex, neither all zeros. */
const traceparentPattern = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[01]$/
/** A W3C parent id: 16 lowercase hex digits, not all zeros. */
const parentIdPattern = /^(?!0{16})[0-9a-f]{16}$/

/**
 * The trace id most recently found valid: the spans of one trace (the
 * requests of one server handler, under its span) share theirs, so it is
 * checked once, and a request's check is its span id's alone.
 */
let validTraceId = ""

/**
 * The W3C `traceparent` of `span` (version 00), or undefined when its ids are
 * not valid W3C ids (32 and 16 lowercase hex digits, not all zero) — a
 * tracer's own id scheme, or a disabled tracer's placeholder span: nothing is
 * sent then, as the recommendation asks, and nothing a tracer returns can
 * reach the request head unchecked. A new trace id is checked with the whole
 * value, in one match; the trace id of the last valid value (the same trace)
 * is not checked again, only the span id.
 *
 * @internal
 */
export const traceparentOf = (span: Tracer.Span): string | undefined => {
  const traceId = span.traceId
  const value = "00-" + traceId + "-" + span.spanId + (span.sampled ? "-01" : "-00")
  if (traceId === validTraceId) return parentIdPattern.test(span.spanId) ? value : undefined
  if (!traceparentPattern.test(value)) return undefined
  validTraceId = traceId
  return value
}
