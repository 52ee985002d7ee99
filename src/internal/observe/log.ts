/**
 * Debug logs of the connection lifecycle (hackney_trace's role) through
 * `Effect.logDebug` with annotations, and the switch of connection spans.
 * Off unless Effect's minimum log level admits `Debug`: a pool reads the
 * level once, where it is built (its lifecycle logs: reuse, queueing, stale
 * resend, idle close); a dial reads it when it starts. A message is built
 * only when it will be logged.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import type * as Tracer from "effect/Tracer"

/** Whether `fiber` logs at Debug. @internal */
export const debugOn = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  LogLevel.lessThanEqual(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)

/** Whether the current fiber logs at Debug. @internal */
export const debugEnabled: Effect.Effect<boolean> = Effect.withFiberRuntime((fiber) => Effect.succeed(debugOn(fiber)))

/** A Debug log line with its annotations (all under `hackney.*` or OpenTelemetry names). @internal */
export const debug = (message: string, annotations: Record<string, unknown>): Effect.Effect<void> =>
  Effect.annotateLogs(Effect.logDebug(message), annotations)

/**
 * Set by a traced request or attempt around its send, to its span: the dial
 * it makes, if any, gets a `hackney.connect` span (TCP, proxy and TLS) under
 * that one (given as the parent: no context copy per request).
 *
 * @internal
 */
export const traceConnect: FiberRef.FiberRef<Tracer.Span | undefined> = FiberRef.unsafeMake<Tracer.Span | undefined>(undefined)
