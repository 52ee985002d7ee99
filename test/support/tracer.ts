/**
 * An in-memory Tracer for tests: every span it makes, with its parent,
 * attributes, events and end.
 */
import type { Exit} from "effect";
import { Context, Layer, Option, Tracer } from "effect"

export interface Recorded extends Tracer.Span {
  readonly attrs: Map<string, unknown>
  readonly events: Array<string>
  ended: Exit.Exit<unknown, unknown> | undefined
}

let ids = 0
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")

/** A tracer recording into `spans`, and its Layer. */
export const recordingTracer = () => {
  const spans: Array<Recorded> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, _startTime, kind) {
      const attrs = new Map<string, unknown>()
      const id = ++ids
      const traceId = Option.match(parent, { onNone: () => hex(id, 32), onSome: (p) => p.traceId })
      const span: Recorded = {
        _tag: "Span",
        name,
        spanId: hex(id, 16),
        traceId,
        parent,
        context,
        status: { _tag: "Started", startTime: 0n },
        attributes: attrs,
        attrs,
        links: [...links],
        sampled: true,
        kind,
        events: [],
        ended: undefined,
        end(_endTime, exit) {
          span.ended = exit
        },
        attribute(key, value) {
          attrs.set(key, value)
        },
        event(n) {
          span.events.push(n)
        },
        addLinks() {}
      }
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  const layer = Layer.succeedContext(Context.make(Tracer.Tracer, tracer))
  return { spans, tracer, layer }
}
