/**
 * Who made a timer: an `async_hooks` trace of the `Timeout` resources
 * created while it is on, each with the stack that created it, kept until
 * the timer fires or is cleared. The soak turns it on (`traceTimers`) so that
 * a timer still active when the pool's scope has closed names its owner.
 *
 * Cost: one captured stack per timer created (Node's own and Effect's
 * `Clock` sleeps alike), and async_hooks' promise tracking while on.
 */
import { createHook } from "node:async_hooks"

interface Traced {
  readonly created: number
  readonly timer: NodeJS.Timeout & { _destroyed?: boolean; _idleTimeout?: number; _onTimeout?: unknown }
  readonly stack: { stack?: string }
}

export interface TimerTrace {
  /** The timers still active and ref'd (those that keep the process alive), with their creation stacks. */
  readonly live: () => ReadonlyArray<string>
  readonly stop: () => void
}

/** Starts tracing `Timeout` creations; {@link TimerTrace.stop} ends it and forgets them. */
export const traceTimers = (): TimerTrace => {
  const traced = new Map<number, Traced>()
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type !== "Timeout") return
      const stack: { stack?: string } = {}
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 40
      Error.captureStackTrace(stack)
      Error.stackTraceLimit = limit
      traced.set(id, { created: Date.now(), timer: resource as Traced["timer"], stack })
    },
    destroy(id) {
      traced.delete(id)
    }
  })
  hook.enable()
  return {
    live: () =>
      [...traced.values()]
        .filter((t) => t.timer._destroyed !== true && t.timer.hasRef())
        .map((t) => {
          const f = t.timer._onTimeout
          const name = typeof f === "function" ? (f.name || String(f).slice(0, 160).replace(/\s+/g, " ")) : String(f)
          const frames = (t.stack.stack ?? "").split("\n").slice(1).map((l) => l.trim()).join(" | ")
          return `Timeout ${t.timer._idleTimeout} ms, made ${Date.now() - t.created} ms ago, calls ${name}; created at ${frames}`
        }),
    stop: () => {
      hook.disable()
      traced.clear()
    }
  }
}
