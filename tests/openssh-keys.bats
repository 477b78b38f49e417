#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Keys people already have: OpenSSH's private key format and its KDF.

bats_require_minimum_version 1.5.0
load test_helper

@test "Blowfish and bcrypt_pbkdf match the published known answers and libgcrypt's Blowfish" {
	make -s -C "$RSAPIPE_ROOT" tests/unit/bcrypt-test >/dev/null
	run -0 "$RSAPIPE_ROOT/tests/unit/bcrypt-test"
	[ "$output" = "blowfish and bcrypt_pbkdf: all known answers match" ]
}

@test "the Blowfish initial state is the digits of pi, as scripts/blowfish-pi.py computes them" {
	command -v python3 >/dev/null || skip "needs python3"
	run -0 python3 "$RSAPIPE_ROOT/scripts/blowfish-pi.py"
	diff <(printf '%s\n' "$output") "$RSAPIPE_ROOT/lib/blowfish_pi.h"
}
