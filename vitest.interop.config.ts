// The interop tier: tests against real third-party servers started by scripts/peers.sh.
// Run with `bash scripts/test-interop.sh` (starts and stops the peers) or, with peers up,
// `npx vitest run --config vitest.interop.config.ts`.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/interop/**/*.interop.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // the peers are shared; one file at a time keeps load and port use predictable on small machines
    fileParallelism: false
  }
})
