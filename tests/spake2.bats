#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# spake2: the PAKE of keyswap's invites (RFC 9382, P-256) and the spoken
# invite codes it is keyed with (doc/KEYSWAP-v2.md section 4), through
# their unit programs.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	make -s -C "$RSAPIPE_ROOT" tests/unit/spake2-test \
		tests/unit/invite-code-test >/dev/null
}

@test "SPAKE2 reproduces all four RFC 9382 test vector sets and refuses wrong codes, bad shares and forged confirmations" {
	run -0 "$RSAPIPE_ROOT/tests/unit/spake2-test"
	[[ $output =~ ^SPAKE2:\ RFC\ 9382\ sets\ 1-4\ and\ [0-9]+\ checks\ ok$ ]]
}

# Timing only reported, never bounded here: a sanitizer build or a busy
# machine is slower (the bound belongs to `make bench`).
@test "the SPAKE2 benchmark runs whole exchanges and reports the median cost" {
	run -0 "$RSAPIPE_ROOT/tests/unit/spake2-test" --bench 3
	[[ $output =~ whole\ [0-9]+\.[0-9]\ ms ]]
}

@test "invite codes come from the shipped EFF short word list and read back as typed by a person" {
	run -0 "$RSAPIPE_ROOT/tests/unit/invite-code-test" \
		"$RSAPIPE_ROOT/share/wordlist-eff-short.txt"
	[[ $output =~ ^invite\ codes:\ [0-9]+\ checks\ ok$ ]]
}

@test "the compiled-in word table is exactly what scripts/gen-wordlist.sh makes of the shipped list" {
	cd "$RSAPIPE_ROOT"
	run -0 sh scripts/gen-wordlist.sh share/wordlist-eff-short.txt
	[ "$output" = "$(cat lib/keyswap/wordlist.h)" ]
}

@test "the word table generator refuses an unsorted list" {
	printf 'zoom\nacid\n' > unsorted.txt
	run -1 sh "$RSAPIPE_ROOT/scripts/gen-wordlist.sh" unsorted.txt
	[[ $output == *'"acid" out of order'* ]]
}

@test "the invite test fails when the shipped list is not the one compiled in" {
	sed 1d "$RSAPIPE_ROOT/share/wordlist-eff-short.txt" > short.txt
	run ! "$RSAPIPE_ROOT/tests/unit/invite-code-test" short.txt
	[[ $output == *"FAIL: the list begins acid"* ]]
}
