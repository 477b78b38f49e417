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

@test "the layer check names a library file that prints or exits" {
	root=$BATS_TEST_TMPDIR/tree
	mkdir -p "$root/scripts" "$root/lib/core" "$root/lib/codec" "$root/tools"
	cp "$RSAPIPE_ROOT/scripts/check-layers.sh" "$root/scripts/"
	printf '0 core\n1 codec\n' >"$root/lib/LAYERS"
	printf 'int f(void) {\n\tdie(EXIT_USAGE, "no");\n}\n' >"$root/lib/codec/pem.c"
	printf 'void g(void) {\n\tfprintf(stderr, "x");\n\texit(1);\n}\n' \
	    >"$root/lib/codec/der.c"
	# Returning a code, formatting a reason and a comment are no offence.
	printf '/*\n * die() is for tools\n */\nint h(char *b) {\n\tsnprintf(b, 4, "x");\n\treturn rp_fail(0, -2, "x");\n}\n' \
	    >"$root/lib/codec/bytes.c"
	# rp_fatal, the one fatal end, prints and exits in lib/core/error.c.
	printf 'void rp_fatal(void) {\n\tfprintf(stderr, "x");\n\tvfprintf(stderr, "x", 0);\n\texit(2);\n}\n' \
	    >"$root/lib/core/error.c"
	# Tools print and exit.
	printf 'int main(void) {\n\tdie(2, "x");\n}\n' >"$root/tools/t.c"
	run -1 --separate-stderr sh "$root/scripts/check-layers.sh"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "check-layers: lib/codec/der.c prints or exits: exit( fprintf(" ]
	[ "${lines[1]}" = "check-layers: lib/codec/pem.c prints or exits: die(" ]
}
