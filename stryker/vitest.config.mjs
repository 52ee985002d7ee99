/** The vitest config of a mutation run: only the module's own test files (STRYKER_MODULE). */
import { defineConfig } from "vitest/config"
import { modules } from "./modules.mjs"

export default defineConfig({
  test: {
    include: modules[process.env.STRYKER_MODULE]?.tests ?? [],
    setupFiles: ["test/support/poolInvariants.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
