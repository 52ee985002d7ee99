/**
 * The contract between the conformance runner and each corpus replayer in
 * `scripts/conformance/corpora/`. A corpus module default-exports a `Corpus`.
 */
export interface Outcome {
  passed: number
  failed: number
  skipped: number
  /** One line per failure: the case and what differed. */
  failures: Array<string>
}

export interface Corpus {
  /** Printed as the summary line's label, as `NAME: N passed, N failed, N skipped`. */
  readonly name: string
  /** `root` is the conformance folder (`../shared/conformance` by default). */
  readonly run: (root: string) => Outcome | Promise<Outcome>
}

/** A fresh, empty outcome to fill in. */
export const emptyOutcome = (): Outcome => ({ passed: 0, failed: 0, skipped: 0, failures: [] })

/** Records one case: passed when `error` is undefined, failed otherwise. */
export const record = (outcome: Outcome, name: string, error: string | undefined): void => {
  if (error === undefined) outcome.passed++
  else {
    outcome.failed++
    outcome.failures.push(`${name}: ${error}`)
  }
}
