#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# age decryption on two cores (lib/age/age_decrypt.c): the payload is
# read 16 chunks at a time, a worker opens the later part of a batch
# while the main thread reads the next and opens the first part, and
# only what verified is written, in order.  These tests aim at its
# edges: a failure in either thread's part and at batch boundaries,
# truncation at chunk and batch boundaries, sizes that are exact
# multiples of 64 KiB, one chunk, none, data after the last chunk, and
# input from a pipe (short reads) and through armor.  (The C2SP vectors,
# age-conformance.bats, cover the STREAM rules on small files: an empty
# last chunk after others, two final chunks, a missing final one.)

bats_require_minimum_version 1.5.0
load test_helper

CHUNK=65536
SEALED=65552   # a chunk with its tag

setup_file() {
	command -v age >/dev/null && command -v age-keygen >/dev/null ||
		{ echo "the age package is needed" >&2; return 1; }
	KEYS="$BATS_FILE_TMPDIR/keys"
	mkdir -p "$KEYS"
	age-keygen -o "$KEYS/age.key" 2>/dev/null
	age-keygen -y "$KEYS/age.key" >"$KEYS/age.pub"
	# 100 chunks and a half: seven batches, the last one short.
	head -c $((100 * CHUNK + CHUNK / 2)) /dev/urandom >"$KEYS/plain"
	age -r "$(cat "$KEYS/age.pub")" -o "$KEYS/plain.age" "$KEYS/plain"
	export KEYS
}

setup() {
	common_setup
}

# payload_start FILE PLAINTEXT-BYTES: where FILE's first chunk begins
# (header and nonce before it), from the sizes STREAM gives.
payload_start() {
	local size chunks=$((($2 + CHUNK - 1) / CHUNK))
	[ "$chunks" -gt 0 ] || chunks=1
	size=$(stat -c %s "$1")
	echo $((size - $2 - 16 * chunks))
}

plain_bytes() {
	stat -c %s "$KEYS/plain"
}

@test "a tampered chunk anywhere, in either thread's part or at a batch edge: status 1, exactly the chunks before it" {
	local start k
	start=$(payload_start "$KEYS/plain.age" "$(plain_bytes)")
	# 0 and 5: the main thread's part of batch 0 (chunks 0-5); 6 and
	# 15: the worker's (6-15); 16: the next batch's first; 40: inside
	# batch 2; 100: the short last chunk.
	for k in 0 5 6 15 16 40 100; do
		cp "$KEYS/plain.age" t.age
		printf 'x' | dd of=t.age bs=1 seek=$((start + k * SEALED + 100)) \
			conv=notrunc status=none
		run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out t.age
		assert_one_line_error rsa-decrypt 'age payload: chunk authentication failed'
		[ ! -e out ]
		rsa-decrypt -i "$KEYS/age.key" t.age >part 2>/dev/null && return 1
		[ "$(stat -c %s part)" -eq $((k * CHUNK)) ] ||
			{ echo "chunk $k: $(stat -c %s part) bytes written" >&2; return 1; }
		cmp part <(head -c $((k * CHUNK)) "$KEYS/plain")
	done
}

@test "two chunks swapped across a batch edge: refused at the first, nothing of it or after" {
	local start
	start=$(payload_start "$KEYS/plain.age" "$(plain_bytes)")
	{
		head -c $((start + 15 * SEALED)) "$KEYS/plain.age"
		tail -c +$((start + 16 * SEALED + 1)) "$KEYS/plain.age" | head -c $SEALED
		tail -c +$((start + 15 * SEALED + 1)) "$KEYS/plain.age" | head -c $SEALED
		tail -c +$((start + 17 * SEALED + 1)) "$KEYS/plain.age"
	} >swapped.age
	[ "$(stat -c %s swapped.age)" -eq "$(stat -c %s "$KEYS/plain.age")" ]
	rsa-decrypt -i "$KEYS/age.key" swapped.age >part 2>err && return 1
	grep -q 'age payload: chunk authentication failed' err
	cmp part <(head -c $((15 * CHUNK)) "$KEYS/plain")
}

@test "cut at a chunk or batch boundary: no last chunk (truncated), after the whole chunks" {
	local start k
	start=$(payload_start "$KEYS/plain.age" "$(plain_bytes)")
	for k in 1 6 15 16 17 32 100; do
		head -c $((start + k * SEALED)) "$KEYS/plain.age" >cut.age
		run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out cut.age
		assert_one_line_error rsa-decrypt 'age payload: no last chunk \(truncated\)'
		[ ! -e out ]
		rsa-decrypt -i "$KEYS/age.key" cut.age >part 2>/dev/null && return 1
		cmp part <(head -c $((k * CHUNK)) "$KEYS/plain")
	done
	# The nonce and nothing after it.
	head -c "$start" "$KEYS/plain.age" >cut.age
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" cut.age
	assert_one_line_error rsa-decrypt 'age payload: no chunks \(truncated\)'
	# Cut inside a chunk: its tag cannot verify as the last.
	head -c $((start + 16 * SEALED + 1000)) "$KEYS/plain.age" >cut.age
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" cut.age
	assert_one_line_error rsa-decrypt 'age payload: chunk authentication failed'
}

@test "sizes that are exact multiples of 64 KiB, one chunk and none, from a file and from a pipe" {
	local n
	for n in 0 1 $((CHUNK - 1)) $CHUNK $((CHUNK + 1)) $((6 * CHUNK)) \
	    $((16 * CHUNK)) $((17 * CHUNK)) $((32 * CHUNK)) $((33 * CHUNK - 1)); do
		head -c "$n" /dev/urandom >p
		age -r "$(cat "$KEYS/age.pub")" -o p.age p
		rsa-decrypt -i "$KEYS/age.key" -o out p.age
		cmp out p
		# A pipe gives short reads; the batches must fill all the same.
		cat p.age | rsa-decrypt -i "$KEYS/age.key" >out2
		cmp out2 p
	done
}

@test "data after a full last chunk is refused after it was released; after a short one it is part of it" {
	local n extra
	# A full last chunk ends in the last batch, at its edge, or before.
	for n in $CHUNK $((16 * CHUNK)) $((17 * CHUNK)) $((20 * CHUNK)); do
		head -c "$n" /dev/urandom >p
		age -r "$(cat "$KEYS/age.pub")" -o p.age p
		for extra in 1 $SEALED $((16 * SEALED)); do
			{ cat p.age; head -c "$extra" /dev/zero; } >t.age
			run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out t.age
			assert_one_line_error rsa-decrypt 'age payload: data after the last chunk'
			[ ! -e out ]
			rsa-decrypt -i "$KEYS/age.key" t.age >part 2>/dev/null && return 1
			cmp part p
		done
	done
	# A short last chunk (the empty one of an empty payload too) takes
	# the bytes after it in: its tag fails, nothing of it is released.
	for n in 0 $((16 * CHUNK + 7)); do
		head -c "$n" /dev/urandom >p
		age -r "$(cat "$KEYS/age.pub")" -o p.age p
		{ cat p.age; printf 'x'; } >t.age
		rsa-decrypt -i "$KEYS/age.key" t.age >part 2>err && return 1
		grep -q 'age payload: chunk authentication failed' err
		cmp part <(head -c $((n / CHUNK * CHUNK)) p)
	done
}

@test "armored, many batches: the same plaintext; damaged armor releases nothing of its batch" {
	age -a -r "$(cat "$KEYS/age.pub")" -o a.age "$KEYS/plain"
	rsa-decrypt -i "$KEYS/age.key" a.age >out
	cmp out "$KEYS/plain"
	# No END line: the armor fails at the end of the input.
	sed '$d' a.age >noend.age
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out2 noend.age
	assert_one_line_error rsa-decrypt 'age armor'
	[ ! -e out2 ]
}
