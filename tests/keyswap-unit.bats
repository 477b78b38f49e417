#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The keyswap state machine at the library level (tests/unit/keyswap-test.c):
# a table of frames in (good, truncated, oversized, another version,
# reflected, replayed, a bad proof, each verdict), codes and verdicts out.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	make -s -C "$RSAPIPE_ROOT" tests/unit/keyswap-test >/dev/null
}

@test "the keyswap state machine takes and refuses frames as its table says" {
	run -0 --separate-stderr "$RSAPIPE_ROOT/tests/unit/keyswap-test" \
		"$FIXTURES"
	[ "$stderr" = "" ] || { printf '%s\n' "$stderr"; false; }
	[[ $output =~ ^"keyswap state machine: "([0-9]+)" of "([0-9]+)" cases" ]]
	[ "${BASH_REMATCH[1]}" -eq "${BASH_REMATCH[2]}" ]
	[ "${BASH_REMATCH[2]}" -ge 20 ]
}

@test "the keyswap unit test fails without its fixtures" {
	run -2 --separate-stderr "$RSAPIPE_ROOT/tests/unit/keyswap-test" \
		"$BATS_TEST_TMPDIR/none"
	[[ $stderr == "keyswap-test: cannot open "*"alice.pem"* ]]
}
