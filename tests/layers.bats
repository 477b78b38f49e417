#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The library's shape (lib/LAYERS, lib/README.md), checked by
# scripts/check-layers.sh: a change that breaks it fails here.

bats_require_minimum_version 1.5.0
load test_helper

@test "the library's files include only their own layer and those below" {
	run --separate-stderr sh "$RSAPIPE_ROOT/scripts/check-layers.sh"
	[ "$status" -eq 0 ] || { printf '%s\n' "$output"; false; }
	[[ $output == *"no violation"* ]]
}

@test "the layer check names an upward include" {
	root=$BATS_TEST_TMPDIR/tree
	mkdir -p "$root/scripts" "$root/lib/core" "$root/lib/codec" "$root/tools"
	cp "$RSAPIPE_ROOT/scripts/check-layers.sh" "$root/scripts/"
	printf '0 core\n1 codec\n' >"$root/lib/LAYERS"
	printf '#include "codec/pem.h"\n' >"$root/lib/core/io.c"
	printf '#include "core/io.h"\n' >"$root/lib/codec/pem.c"
	run -1 --separate-stderr sh "$root/scripts/check-layers.sh"
	[ "$output" = "check-layers: lib/core/io.c (core, layer 0) includes from codec/ (layer 1)" ]
}

@test "the layer check refuses a C file over 500 lines and a tool over 300" {
	root=$BATS_TEST_TMPDIR/tree
	mkdir -p "$root/scripts" "$root/lib/core" "$root/tools"
	cp "$RSAPIPE_ROOT/scripts/check-layers.sh" "$root/scripts/"
	printf '0 core\n' >"$root/lib/LAYERS"
	seq 501 | sed 's/^/\/\/ /' >"$root/lib/core/big.c"
	seq 301 | sed 's/^/\/\/ /' >"$root/tools/big.c"
	run -1 --separate-stderr sh "$root/scripts/check-layers.sh"
	[ "${lines[0]}" = "check-layers: lib/core/big.c: 501 lines (500 at most)" ]
	[ "${lines[1]}" = "check-layers: tools/big.c: 301 lines (300 at most)" ]
}
