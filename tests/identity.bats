#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The key interfaces (lib/keys/identity.c) at the library level: the
# one file-key search's best-failure rule and order, the sets'
# de-duplication, generic stanzas.  The formats' own use of them is
# what rsa-decrypt.bats and the age suites test.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	make -s -C "$RSAPIPE_ROOT" tests/unit/identity-test >/dev/null
}

@test "one file-key search: best failure, order, de-duplicated sets" {
	run -0 "$RSAPIPE_ROOT/tests/unit/identity-test"
	[[ $output =~ ^identity:\ [0-9]+\ checks\ ok$ ]]
}
