#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The C unit programs of the text toolkit and the layers under the
# filters (tests/unit/*-test.c): each prints "NAME: N checks, 0 failed"
# and exits 0 only when every check passed.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	make -s -C "$RSAPIPE_ROOT" tests/unit/base64-test \
		tests/unit/lines-test tests/unit/bytes-test \
		tests/unit/filter-test tests/unit/stream-record-test \
		tests/unit/detect-test tests/unit/write-all-test >/dev/null
}

# unit NAME PROGRAM: run it; it must pass at least one check, fail none.
unit() {
	run -0 "$RSAPIPE_ROOT/tests/unit/$2"
	[[ $output =~ ^$1:\ [1-9][0-9]*\ checks,\ 0\ failed$ ]]
}

@test "base64 decodes RFC 4648's vectors and refuses every non-canonical spelling" {
	unit base64 base64-test
}

@test "the line cursor yields numbered lines and tolerates only what it is told to" {
	unit lines lines-test
}

@test "the byte cursor reads within its buffer, says how much more it needs, and keeps its first error" {
	unit bytes bytes-test
}

@test "filter input gives the read-ahead bytes first and runs every later byte through its decoder" {
	unit filter filter-test
}

@test "records seal as the format says and open only whole, in order, once" {
	unit stream_record stream-record-test
}

@test "the detector names every format and waits on every prefix of one" {
	unit detect detect-test
}

@test "write_all finishes short writes, waits through its hook, and reports a closed reader as RP_CLOSED (EPIPE)" {
	unit write_all write-all-test
}
