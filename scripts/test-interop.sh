#!/usr/bin/env bash
# test-interop.sh — the interop tier: real third-party servers (scripts/peers.sh) + vitest.
#
#   bash scripts/test-interop.sh [vitest args...]
#
# Starts the peers that are not running (installing Debian packages if needed, so run as root on a
# fresh machine), runs test/interop/**/*.interop.test.ts with HACKNEY_INTEROP_REQUIRE=1 (a missing
# core peer fails instead of skipping), stops on exit only the peers this script started, prints
# `interop: N passed, N failed, N skipped`, and exits with vitest's status.
# HACKNEY_INTEROP_KEEP_PEERS=1 leaves the peers it started running.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
STATE=${HACKNEY_PEERS_DIR:-$REPO/.peers}
PEERS_SH=(bash "$REPO/scripts/peers.sh")

# ---- peers: start what is missing, remember what we started
read -r -a before <<<"$("${PEERS_SH[@]}" running 2>/dev/null || true)"
up_status=0
"${PEERS_SH[@]}" up || up_status=$?
read -r -a after <<<"$("${PEERS_SH[@]}" running)"
started=()
for peer in "${after[@]}"; do
  [[ " ${before[*]} " == *" $peer "* ]] || started+=("$peer")
done

stop_started() {
  if [ ${#started[@]} -eq 0 ]; then return 0; fi
  if [ "${HACKNEY_INTEROP_KEEP_PEERS:-0}" = 1 ]; then
    echo "test-interop: leaving running: ${started[*]} (stop with: bash scripts/peers.sh down)"
  else
    "${PEERS_SH[@]}" down "${started[@]}" >/dev/null || echo "test-interop: could not stop every peer it started" >&2
  fi
}
trap stop_started EXIT
if [ "$up_status" != 0 ]; then
  echo "test-interop: peers.sh up failed ($up_status); running the tests anyway so they say what is missing" >&2
fi

# ---- tests
report=$STATE/interop-vitest.json
rm -f "$report"
vitest_status=0
HACKNEY_INTEROP_REQUIRE=1 HACKNEY_PEERS_DIR=$STATE npx vitest run --config vitest.interop.config.ts \
  --reporter=default --reporter=json --outputFile="$report" "$@" || vitest_status=$?

if [ -s "$report" ]; then
  node scripts/vitest-summary.mjs "$report" interop || true
else
  echo "interop: no report (vitest exited with $vitest_status)"
fi
exit "$vitest_status"
