#!/usr/bin/env node
// prepare.mjs — npm's `prepare`: builds dist/ after `npm ci` / `npm install` in this checkout and when
// the package is installed from git. npm runs `prepare` under `--dry-run` too, where nothing was
// installed (no tsc): a dry run changes nothing, so it builds nothing and says so.
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"

if (process.env.npm_config_dry_run === "true") {
  console.log("prepare: dry run, dist/ not built")
  process.exit(0)
}
// The reviewed fixes of patches/ (today: @matrixai/quic 2.0.9, the QUIC library of HTTP/3; see
// docs/http3.md) are applied to node_modules first: `npm ci` and `npm install` run `prepare`.
// patch-package is a devDependency: an install without it (--omit=dev) has no QUIC library either.
if (existsSync("node_modules/patch-package") && existsSync("node_modules/@matrixai/quic")) {
  execFileSync("npx", ["patch-package", "--error-on-fail"], { stdio: "inherit" })
}
execFileSync("npm", ["run", "build"], { stdio: "inherit" })
