#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# rsa-decrypt: recovers the plaintext of an rsapipe stream, releasing a
# record only once it authenticated, and says clearly why it refuses.

load test_helper
bats_require_minimum_version 1.5.0


# openssl pkeyutl with the stream's RSA-OAEP parameters (FORMAT.md).
oaep() {
	openssl pkeyutl "$@" -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -pkeyopt rsa_oaep_label:"$(printf rsapipe/v1 | od -An -tx1 | tr -d ' \n')"
}

# A stream from alice to bob; $1 adds rsa-encrypt options.
make_stream() {
	printf 'meet at noon\n' > plain.txt
	rsa-encrypt -r "$FIXTURES/bob.pub" "$@" plain.txt > stream.rsp
}

@test "decrypts every committed vector to its plaintext" {
	local args name count=0
	for args in "$RSAPIPE_ROOT"/tests/vectors/*.args; do
		name=${args%.args}
		# shellcheck disable=SC2046
		(cd "$FIXTURES" && rsa-decrypt $(cat "$args") "$name.rsp") > out
		cmp out "$name.txt"
		count=$((count + 1))
	done
	[ "$count" -ge 8 ]
}

@test "a vector decrypts only with its own recipient key" {
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/carol.pem" \
	    "$RSAPIPE_ROOT/tests/vectors/hello.rsp"
	assert_one_line_error rsa-decrypt 'not encrypted to this key'
	[ -z "$output" ]
}

@test "refuses a stream encrypted to someone else with exit 1" {
	make_stream
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/alice.pem" stream.rsp
	assert_one_line_error rsa-decrypt 'not encrypted to this key'
	[ -z "$output" ]
}

@test "tries every -i key and uses the one the stream is for" {
	make_stream
	run -0 rsa-decrypt -i "$FIXTURES/alice.pem" -i "$FIXTURES/bob.pem" stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "a stanza that unwraps to a wrong file key does not stop the search: -i alice -i bob works as -i bob -i alice" {
	printf 'meet at noon\n' > plain.txt
	rsa-encrypt -r "$FIXTURES/alice.pub" -r "$FIXTURES/bob.pub" plain.txt >good.rsp
	# The sender puts a wrong file key in alice's stanza and MACs the
	# header with the right one, which bob's stanza carries.
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" stanza good.rsp 1 bob.ct
	oaep -decrypt -inkey "$FIXTURES/bob.pem" -in bob.ct -out file.key
	head -c 32 /dev/urandom >wrong.key
	oaep -encrypt -pubin -inkey "$FIXTURES/alice.pub" -in wrong.key -out alice.ct
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" set-stanza good.rsp 0 \
	    alice.ct file.key mixed.rsp
	for ids in "alice bob" "bob alice"; do
		set -- $ids
		run -0 rsa-decrypt -i "$FIXTURES/$1.pem" -i "$FIXTURES/$2.pem" mixed.rsp
		[ "$output" = "meet at noon" ]
	done
	# One file holding both keys, in either order, is the same.
	cat "$FIXTURES/alice.pem" "$FIXTURES/bob.pem" >both.pem
	run -0 rsa-decrypt -i both.pem mixed.rsp
	[ "$output" = "meet at noon" ]
	# Alice alone unwraps a key that the MAC refuses.
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/alice.pem" mixed.rsp
	assert_one_line_error rsa-decrypt 'header authentication failed'
	[ -z "$output" ]
}

@test "an identity file with several keys is as if each had its own -i" {
	make_stream
	ssh-keygen -q -t rsa -b 2048 -N 'correct horse' -C s -f ssh_id
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -v2 aes-128-cbc -in "$FIXTURES/bob.pem" \
	    -passout file:pass -out bob-enc.pem
	# PEM and OpenSSH blocks, text before, between and after them.
	{ echo "my keys"; cat "$FIXTURES/alice.pem"; echo "# ssh"
	  cat ssh_id; echo; cat bob-enc.pem; echo "end"; } >keyring
	run -0 --separate-stderr rsa-decrypt -i keyring --passphrase-file pass stream.rsp
	[ "$output" = "meet at noon" ]
	echo "to the ssh key" | rsa-encrypt -r ssh_id.pub >ssh.rsp
	run -0 --separate-stderr rsa-decrypt -i keyring --passphrase-file pass ssh.rsp
	[ "$output" = "to the ssh key" ]
	# With other -i, in any order; carol's stream is for none of them.
	run -0 rsa-decrypt -i "$FIXTURES/carol.pem" -i keyring --passphrase-file pass stream.rsp
	echo x | rsa-encrypt -r "$FIXTURES/carol.pub" >carol.rsp
	run -1 --separate-stderr rsa-decrypt -i keyring --passphrase-file pass carol.rsp
	assert_one_line_error rsa-decrypt 'not encrypted to this key'
	# A bad key in the file is an error naming it, as with its own -i.
	echo 'not it' >wrong
	run -2 --separate-stderr rsa-decrypt -i keyring --passphrase-file wrong stream.rsp
	assert_one_line_error rsa-decrypt '^rsa-decrypt: keyring \(key 2\): wrong passphrase$'
	{ cat "$FIXTURES/alice.pem"; cat "$FIXTURES/carol.pub"; } >mixed
	run -2 --separate-stderr rsa-decrypt -i mixed stream.rsp
	assert_one_line_error rsa-decrypt 'mixed \(key 2\): this is a public key'
}

@test "reads the stream from stdin when no file is given" {
	make_stream
	run -0 bash -c 'rsa-decrypt -i "$FIXTURES/bob.pem" < stream.rsp'
	[ "$output" = "meet at noon" ]
}

@test "--from accepts a stream signed by that key" {
	make_stream -s "$FIXTURES/alice.pem"
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "--from refuses, before any output, a stream signed by another key" {
	make_stream -s "$FIXTURES/carol.pem"
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$FIXTURES/alice.pub" stream.rsp
	assert_one_line_error rsa-decrypt 'signed by another key'
	[ -z "$output" ]
}

@test "--from refuses an unsigned stream" {
	make_stream
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$FIXTURES/alice.pub" stream.rsp
	assert_one_line_error rsa-decrypt 'stream is not signed'
	[ -z "$output" ]
}

@test "a signed stream still decrypts without --from" {
	make_stream -s "$FIXTURES/carol.pem"
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "a recipient cannot re-attribute a signed stream to another signer" {
	make_stream -s "$FIXTURES/carol.pem"
	# Bob knows the file key, so he can rewrite the signer id to alice's
	# and recompute the header MAC; only the signature stops him.
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" stanza stream.rsp 0 stanza.bin
	oaep -decrypt -inkey "$FIXTURES/bob.pem" -in stanza.bin -out file.key
	openssl pkey -pubin -in "$FIXTURES/alice.pub" -outform DER |
	    openssl dgst -sha256 -binary | head -c 8 > alice.id
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" forge-signer stream.rsp \
	    file.key alice.id forged.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$FIXTURES/alice.pub" forged.rsp
	assert_one_line_error rsa-decrypt 'bad signature'
	[ -z "$output" ]
	# The forgery is otherwise well made: without --from it decrypts.
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" forged.rsp
	[ "$output" = "meet at noon" ]
}

@test "a stream bound to a session decrypts with that session" {
	head -c 32 /dev/urandom > session.bin
	make_stream -s "$FIXTURES/alice.pem" --session session.bin
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" \
	    --session session.bin stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "a stream bound to one session fails in another" {
	head -c 32 /dev/urandom > session.bin
	head -c 32 /dev/urandom > other.bin
	make_stream -s "$FIXTURES/alice.pem" --session session.bin
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --session other.bin stream.rsp
	assert_one_line_error rsa-decrypt 'wrong session'
	[ -z "$output" ]
}

@test "a stream bound to a session fails without --session" {
	head -c 32 /dev/urandom > session.bin
	make_stream --session session.bin
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" stream.rsp
	assert_one_line_error rsa-decrypt 'bound to a session'
	[ -z "$output" ]
}

@test "a stream without a session fails when --session is given" {
	head -c 32 /dev/urandom > session.bin
	make_stream
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --session session.bin stream.rsp
	assert_one_line_error rsa-decrypt 'not bound to a session'
	[ -z "$output" ]
}

@test "a session file that is not exactly 32 bytes is a usage error" {
	make_stream
	head -c 31 /dev/urandom > short.bin
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --session short.bin stream.rsp
	assert_one_line_error rsa-decrypt 'short.bin.*32 bytes'
}

@test "input that is not an rsapipe stream is bad data (exit 1)" {
	printf 'this is not a stream\n' > junk
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" junk
	assert_one_line_error rsa-decrypt 'not an rsapipe stream'
}

@test "empty input is refused as truncated" {
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" /dev/null
	assert_one_line_error rsa-decrypt 'truncated'
}

@test "an unknown format version is refused" {
	make_stream
	printf '\003' | dd of=stream.rsp bs=1 seek=7 conv=notrunc 2>/dev/null
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" stream.rsp
	assert_one_line_error rsa-decrypt 'unsupported stream version'
}

@test "detects armor by itself" {
	make_stream -a
	head -1 stream.rsp | grep -qx -- '-----BEGIN RSAPIPE MESSAGE-----'
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "a damaged armored stream fails authentication" {
	make_stream -a
	# Change one base64 character in the middle of the body.
	awk 'NR == 3 { c = substr($0, 11, 1); r = (c == "A") ? "B" : "A";
	    $0 = substr($0, 1, 10) r substr($0, 12) } { print }' stream.rsp > damaged.rsp
	refute cmp -s stream.rsp damaged.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" damaged.rsp
	assert_one_line_error rsa-decrypt
	[ -z "$output" ]
}

@test "-o writes the plaintext all at once, and nothing on failure" {
	make_stream
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" -o out.txt stream.rsp
	cmp out.txt plain.txt
	head -c -1 stream.rsp > cut.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" -o cut.txt cut.rsp
	assert_one_line_error rsa-decrypt 'truncated'
	[ ! -e cut.txt ]
	[ -z "$(find . -maxdepth 1 -name '*rsapipe-tmp*')" ]
}

@test "-o to a device writes through it instead of replacing it" {
	make_stream
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" -o /dev/null stream.rsp
	[ -c /dev/null ]
}

@test "a recipient key under 2048 bits is refused as a bad key file" {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
	    -out small.pem 2>/dev/null
	make_stream
	run -2 --separate-stderr rsa-decrypt -i small.pem stream.rsp
	assert_one_line_error rsa-decrypt 'small.pem'
	run -2 --separate-stderr rsa-encrypt -r small.pem plain.txt
	assert_one_line_error rsa-encrypt 'small.pem'
}

@test "an unreadable input or key file is exit 2" {
	make_stream
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" missing.rsp
	assert_one_line_error rsa-decrypt 'missing.rsp'
	run -2 --separate-stderr rsa-decrypt -i nokey.pem stream.rsp
	assert_one_line_error rsa-decrypt 'nokey.pem'
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from nokey.pub stream.rsp
	assert_one_line_error rsa-decrypt 'nokey.pub'
}

@test "usage errors exit 2" {
	run -2 --separate-stderr rsa-decrypt
	assert_one_line_error rsa-decrypt 'identity'
	run -2 --separate-stderr rsa-decrypt --bogus
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" a b
}

@test "--help and --version go to stdout and exit 0" {
	run -0 rsa-decrypt --help
	[[ $output == *"--from PUB"* ]]
	run -0 rsa-decrypt --version
	[[ $output == "rsa-decrypt (rsapipe) "* ]]
}

@test "--stop-at-final ends at the final record while the connection stays open" {
	make_stream
	mkfifo conn
	exec 7<>conn # a writer that never closes, like a live peer
	cat stream.rsp >&7
	run -0 --separate-stderr timeout 10 rsa-decrypt --stop-at-final \
	    -i "$FIXTURES/bob.pem" <conn
	exec 7>&-
	[ "$output" = "meet at noon" ]
}

@test "without --stop-at-final decryption waits for the end of input to rule out trailing data" {
	make_stream
	mkfifo conn
	exec 7<>conn
	cat stream.rsp >&7
	run -124 timeout 2 rsa-decrypt -i "$FIXTURES/bob.pem" <conn
	exec 7>&-
}

@test "--stop-at-final still refuses a stream cut before its final record" {
	make_stream
	head -c -1 stream.rsp >cut.rsp
	run -1 --separate-stderr rsa-decrypt --stop-at-final -i "$FIXTURES/bob.pem" cut.rsp
	assert_one_line_error rsa-decrypt 'truncated'
	# The data record verified and was released; only the end is missing.
	[ "$output" = "meet at noon" ]
}

# --status-fd: one word says how the stream ended, so a caller (the
# chat) tells a stream cut short from a forged one by its status, never
# by the message.

@test "--status-fd says FINAL when the whole stream authenticated" {
	make_stream
	run -0 --separate-stderr rsa-decrypt --status-fd 3 -i "$FIXTURES/bob.pem" \
	    stream.rsp 3>status
	[ "$output" = "meet at noon" ]
	[ "$(cat status)" = FINAL ]
}

@test "--status-fd says TRUNCATED for a stream cut anywhere before its final record, empty included" {
	make_stream
	for cut in 0 100 $(( $(wc -c <stream.rsp) - 1 )); do
		head -c "$cut" stream.rsp >cut.rsp
		run -1 --separate-stderr rsa-decrypt --stop-at-final --status-fd 3 \
		    -i "$FIXTURES/bob.pem" cut.rsp 3>status
		[ "$(cat status)" = TRUNCATED ]
	done
}

@test "--status-fd says FAILED for a tampered record, a wrong key or trailing data" {
	make_stream
	# The last byte is the final record's tag.
	{ head -c -1 stream.rsp; printf '\001'; } >bad.rsp
	cmp -s bad.rsp stream.rsp && { head -c -1 stream.rsp; printf '\002'; } >bad.rsp
	run -1 --separate-stderr rsa-decrypt --status-fd 3 -i "$FIXTURES/bob.pem" \
	    bad.rsp 3>status
	[ "$(cat status)" = FAILED ]
	run -1 --separate-stderr rsa-decrypt --status-fd 3 -i "$FIXTURES/alice.pem" \
	    stream.rsp 3>status
	[ "$(cat status)" = FAILED ]
	{ cat stream.rsp; printf x; } >long.rsp
	run -1 --separate-stderr rsa-decrypt --status-fd 3 -i "$FIXTURES/bob.pem" \
	    long.rsp 3>status
	[ "$(cat status)" = FAILED ]
}

@test "--status-fd takes an open descriptor above 2, and no age file" {
	make_stream
	run -2 --separate-stderr rsa-decrypt --status-fd 9 -i "$FIXTURES/bob.pem" stream.rsp
	assert_one_line_error rsa-decrypt 'not an open descriptor'
	run -2 --separate-stderr rsa-decrypt --status-fd 1 -i "$FIXTURES/bob.pem" stream.rsp
	run -2 --separate-stderr rsa-decrypt --status-fd x3 -i "$FIXTURES/bob.pem" stream.rsp
	rsa-encrypt --age -r "$FIXTURES/bob.pub" plain.txt >f.age
	run -2 --separate-stderr rsa-decrypt --status-fd 3 -i "$FIXTURES/bob.pem" f.age 3>status
	assert_one_line_error rsa-decrypt 'age file'
}
