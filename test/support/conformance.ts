/**
 * The conformance corpora (`shared/conformance`, see its README): found next
 * to the project root (`../shared`) or, for a copy of the project such as a
 * mutation-testing sandbox inside it, next to an enclosing folder. Tests that
 * read them skip, saying so, when they are absent.
 */
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"

/** The path of `parts` under shared/conformance, or undefined when no enclosing folder has it. */
export const conformancePath = (...parts: ReadonlyArray<string>): string | undefined => {
  // From the project root (this file is test/support/conformance.ts) up to five folders above it.
  let dir = join(import.meta.dirname, "..", "..")
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "..", "shared", "conformance", ...parts)
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return undefined
}
