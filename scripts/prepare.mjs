#!/usr/bin/env node
// prepare.mjs — npm's `prepare`: builds dist/ after `npm ci` / `npm install` in this checkout and when
// the package is installed from git. npm runs `prepare` under `--dry-run` too, where nothing was
// installed (no tsc): a dry run changes nothing, so it builds nothing and says so.
import { execFileSync } from "node:child_process"

if (process.env.npm_config_dry_run === "true") {
  console.log("prepare: dry run, dist/ not built")
  process.exit(0)
}
execFileSync("npm", ["run", "build"], { stdio: "inherit" })
