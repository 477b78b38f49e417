#!/bin/sh
# SPDX-License-Identifier: ISC
# Run every bats suite, then print the totals as "N passed, N failed".
# Fails if any test failed or if no test ran at all.
set -u
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT

suites=${SUITES:-tests/*.bats}
# shellcheck disable=SC2086
bats --tap $suites | tee "$log"
status=$?

passed=$(grep -c '^ok ' "$log")
skipped=$(grep -c '^ok .* # skip' "$log")
failed=$(grep -c '^not ok ' "$log")
passed=$((passed - skipped))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
