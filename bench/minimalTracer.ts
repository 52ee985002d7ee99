/**
 * A minimal custom `Tracer` for the cost measurements of issue 18: it still makes a span object per
 * span, with valid W3C ids (so `traceparent` is sent) and its status, but its ids cost a counter
 * (a per-process random trace-id prefix, the counter in hex) instead of Effect's default tracer's
 * 48 `Math.random` characters, and it keeps no attributes, events or links (no `Map`, no arrays).
 * The difference between a request traced by it and one traced by Effect's default tracer is the
 * default tracer's own work; between it and an untraced request, ours (and the span object).
 */
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

const prefix = Array.from({ length: 16 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("")
let counter = 0
const hex16 = (n: number) => n.toString(16).padStart(16, "0")

class MinimalSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly sampled = true
  readonly spanId: string
  readonly traceId: string
  readonly attributes: ReadonlyMap<string, unknown> = noAttributes
  readonly links: ReadonlyArray<Tracer.SpanLink> = []
  status: Tracer.SpanStatus
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    const id = hex16(++counter)
    this.spanId = id
    this.traceId = parent._tag === "Some" ? parent.value.traceId : prefix + id
    this.status = { _tag: "Started", startTime }
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(): void {}
  event(): void {}
  addLinks(): void {}
}

const noAttributes: ReadonlyMap<string, unknown> = new Map()

/** The minimal tracer (see the module's comment). */
export const minimalTracer: Tracer.Tracer = Tracer.make({
  span: (name, parent, context, _links, startTime, kind) => new MinimalSpan(name, parent, context, startTime, kind),
  context: (f) => f()
})
