#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Attacks on the stream: every bit flip, every truncation, reordered,
# duplicated, dropped and spliced records, trailing data.  Each must end
# with exit 1, and stdout may only hold whole records that came before the
# damage.

load test_helper
bats_require_minimum_version 1.5.0


ST="$RSAPIPE_ROOT/tests/streamtool.py"

# Three records of data and the final one, to bob.
three_records() {
	printf 'one\ntwo\nthree\n' > three.txt
	python3 "$ST" chunked three.rsp 'one
' 'two
' 'three
' -- rsa-encrypt -r "$FIXTURES/bob.pub"
	[ "$(python3 "$ST" layout three.rsp | grep -c '^record')" -eq 4 ]
}

@test "a bit flip anywhere in a small signed stream is refused" {
	printf 'signed\n' > signed.txt
	rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pem" signed.txt > signed.rsp
	run -0 python3 "$ST" tamper signed.rsp signed.txt -- \
	    rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub"
	[[ $output == *" flips, 0 failures" ]]
}

@test "a bit flip anywhere in a three-record stream is refused, whole records only" {
	three_records
	run -0 python3 "$ST" tamper three.rsp three.txt -- \
	    rsa-decrypt -i "$FIXTURES/bob.pem"
	[[ $output == *" flips, 0 failures" ]]
}

@test "the tamper check notices a decryptor that accepts damage" {
	# Guard for the two tests above: a "decryptor" that ignores its
	# input and succeeds must be reported.
	three_records
	run -1 python3 "$ST" tamper three.rsp three.txt -- cat three.txt
	[[ $output == *" failures" ]]
}

@test "truncation at every byte offset is refused" {
	three_records
	run -0 python3 "$ST" truncate three.rsp three.txt -- \
	    rsa-decrypt -i "$FIXTURES/bob.pem"
	[[ $output == *" truncations, 0 failures" ]]
}

@test "a stream cut at a record boundary says it is truncated, after the whole records" {
	three_records
	local final_offset
	final_offset=$(python3 "$ST" layout three.rsp | awk '$5 == "final" { print $2 }')
	head -c "$final_offset" three.rsp > cut.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" cut.rsp
	assert_one_line_error rsa-decrypt 'truncated'
	[ "$output" = "$(cat three.txt)" ]
}

@test "bytes after the final record are refused" {
	three_records
	cp three.rsp extra.rsp
	printf 'x' >> extra.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" extra.rsp
	assert_one_line_error rsa-decrypt 'trailing data'
	# A second copy of the final record is trailing data too.
	tail -c 20 three.rsp >> three-twice.rsp
	cat three.rsp three-twice.rsp > twice.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" twice.rsp
	assert_one_line_error rsa-decrypt 'trailing data'
}

@test "reordered records are refused before the moved record is released" {
	three_records
	python3 "$ST" reorder three.rsp reordered.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" reordered.rsp
	assert_one_line_error rsa-decrypt 'record authentication failed'
	[ -z "$output" ]
}

@test "a duplicated record is refused" {
	three_records
	python3 "$ST" duplicate three.rsp dup.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" dup.rsp
	assert_one_line_error rsa-decrypt 'record authentication failed'
	[ "$output" = "one" ]
}

@test "a dropped record is refused" {
	three_records
	python3 "$ST" drop three.rsp 1 dropped.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" dropped.rsp
	assert_one_line_error rsa-decrypt 'record authentication failed'
	[ "$output" = "one" ]
}

@test "a record spliced in from another stream to the same recipient is refused" {
	three_records
	mv three.rsp a.rsp
	three_records
	python3 "$ST" splice a.rsp three.rsp spliced.rsp
	# Same sizes, same recipient, same plaintext: only the keys differ.
	[ "$(wc -c < spliced.rsp)" -eq "$(wc -c < a.rsp)" ]
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" spliced.rsp
	assert_one_line_error rsa-decrypt 'record authentication failed'
	[ -z "$output" ]
}

@test "a header from one stream with the records of another is refused" {
	three_records
	mv three.rsp a.rsp
	three_records
	local hl
	hl=$(python3 "$ST" layout a.rsp | awk '$1 == "header" { print $2 }')
	{ head -c "$hl" a.rsp; tail -c +"$((hl + 1))" three.rsp; } > mixed.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" mixed.rsp
	assert_one_line_error rsa-decrypt 'record authentication failed'
	[ -z "$output" ]
}
