#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Edges: interrupted programs, half-made key pairs, closed standard
# descriptors.  Outputs appear whole or not at all, however a program ends.

bats_require_minimum_version 1.5.0
load test_helper

setup() {
	common_setup
	mkdir work && cd work || return 1
}

# Nothing but the names given may be in the current directory.
only_files() {
	diff <(printf '%s\n' "$@" | sort) <(ls -A | sort)
}

# writing_in PID: PID holds a file in the current directory open (the
# output it writes, not yet in place); says what it holds otherwise.
writing_in() {
	local held
	held=$(ls -l "/proc/$1/fd" 2>/dev/null)
	grep -qF -- "$PWD/" <<<"$held" && return 0
	echo "process $1 holds no file in $PWD: $held" >&2
	return 1
}

@test "an rsa-encrypt -o killed by SIGTERM mid-stream leaves no file, not even a temporary one" {
	cp "$FIXTURES/bob.pub" k.pub
	# The input is a FIFO this shell holds open on fd 4: writing 1 MB
	# returns only once the program has taken all but a pipe's worth of
	# it, the event "it is mid-stream", with no sleep.
	mkfifo in
	rsa-encrypt -r k.pub -o x <in 3>&- &
	pid=$!
	exec 4>in
	head -c 1000000 /dev/urandom >&4
	# It has read most of it and written records to its unnamed output.
	writing_in "$pid"
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	exec 4>&-
	[ "$st" -eq 143 ]
	only_files in k.pub
}

@test "an rsa-decrypt -o killed by SIGKILL halfway through a stream leaves no plaintext" {
	cp "$FIXTURES/bob.pem" k.pem
	head -c 2000000 /dev/urandom | rsa-encrypt -r "$FIXTURES/bob.pub" >msg
	mkfifo in # as above
	rsa-decrypt -i k.pem -o y <in 3>&- &
	pid=$!
	exec 4>in
	head -c 1000000 msg >&4
	# It has verified records and written their plaintext, unnamed.
	writing_in "$pid"
	kill -KILL "$pid"
	st=0
	wait "$pid" || st=$?
	exec 4>&-
	[ "$st" -eq 137 ]
	only_files in k.pem msg
}

@test "rsa-keygen -o NAME whose public file name is too long makes no key at all, and a rerun works" {
	long=$(printf 'k%.0s' $(seq 252))
	run -2 --separate-stderr rsa-keygen -b 2048 -o "$long"
	assert_one_line_error rsa-keygen "File name too long"
	[ -z "$(ls -A)" ]
	run -0 rsa-keygen -q -b 2048 -o "${long:0:200}"
	only_files "${long:0:200}" "${long:0:200}.pub"
}

@test "rsa-keygen removes the private key again when the public key cannot be put in place" {
	# The public file appears while the key is being made: the pair
	# must not be left half there.
	rsa-keygen -q -b 4096 -o k.pem --public k.pub 3>&- 2>err &
	pid=$!
	sleep 0.1
	echo "someone else's" >k.pub
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 2 ]
	grep -q "k.pub already exists" err
	[ ! -e k.pem ]
	[ "$(cat k.pub)" = "someone else's" ]
}

@test "rsa-keygen prints the new key's size and fingerprint, as ssh-keygen does; -q does not" {
	run -0 --separate-stderr rsa-keygen -b 2048 -o k.pem
	fp=$(rsa-keygen -l k.pem | cut -d' ' -f2)
	[ "$stderr" = "rsa-keygen: 2048 $fp (RSA) written to k.pem, public key to k.pem.pub" ]
	run -0 --separate-stderr rsa-keygen -q -b 2048 -o q.pem
	[ -z "$stderr" ]
}

@test "rsa-keygen -o - to a full disk names standard output" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -2 --separate-stderr sh -c 'rsa-keygen -q -b 2048 -o - >/dev/full'
	assert_one_line_error rsa-keygen "write standard output: No space left"
}

@test "a closed standard input is refused as input, not read as an empty message" {
	run -2 --separate-stderr sh -c 'rsa-encrypt -r "$FIXTURES/bob.pub" <&- >o'
	assert_one_line_error rsa-encrypt "standard input is closed"
	run -2 --separate-stderr sh -c 'rsa-decrypt -i "$FIXTURES/bob.pem" <&-'
	assert_one_line_error rsa-decrypt "standard input is closed"
	echo hi | rsa-encrypt -r "$FIXTURES/bob.pub" >msg
	run -2 --separate-stderr sh -c 'rsa-decrypt -i "$FIXTURES/bob.pem" msg >&-'
	assert_one_line_error rsa-decrypt "standard output is closed"
}

@test "with stderr closed, keyswap's notices never land in an output file" {
	for who in a b; do
		rsa-keygen -q -b 2048 -o "$who-id.pem"
		rsa-keygen -q -b 2048 -o "$who-s.pem"
	done
	mkfifo ab ba
	keyswap --identity a-id.pem --session-key a-s.pem --accept-any \
		--peer-out a-peer.pub --session-out a-ctx <ba >ab 2>&- 3>&- &
	a=$!
	keyswap --identity b-id.pem --session-key b-s.pem --accept-any \
		--peer-out b-peer.pub --session-out b-ctx >ba <ab 2>/dev/null
	wait "$a"
	cmp a-peer.pub b-s.pem.pub
	refute grep -q keyswap a-peer.pub
}

# feed_split FILE TAIL: FILE, then after a pause TAIL, as one input.
feed_split() {
	cat "$1"
	sleep 0.3
	printf "$2"
}

@test "armor: blank space after END is fine and text after END is refused, whichever read it arrives in" {
	echo "armored" | rsa-encrypt -a -r "$FIXTURES/bob.pub" >msg.asc
	head -c -1 msg.asc >nonl.asc
	for split in yes no; do
		for tail in '\n' '  \r\n\n' ; do
			if [ "$split" = yes ]; then
				run -0 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" < <(feed_split msg.asc "$tail")
			else
				run -0 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" < <(cat msg.asc; printf "$tail")
			fi
			[ "$output" = armored ]
		done
		if [ "$split" = yes ]; then
			run -0 rsa-decrypt -i "$FIXTURES/bob.pem" < <(feed_split nonl.asc '\n')
			run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" < <(feed_split msg.asc 'junk\n')
		else
			run -0 rsa-decrypt -i "$FIXTURES/bob.pem" < <(cat nonl.asc; printf '\n')
			run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" < <(cat msg.asc; printf 'junk\n')
		fi
		assert_one_line_error rsa-decrypt "text after the armor's END line"
	done
	# A second message after the first, and -o then writes nothing.
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" -o out < <(cat msg.asc msg.asc)
	assert_one_line_error rsa-decrypt "text after the armor's END line"
	[ ! -e out ]
}

@test "a key whose exponent is too large says so, not 'must be odd'" {
	python3 - <<'PY'
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
k = rsa.generate_private_key(65537, 2048).public_key().public_numbers()
pub = rsa.RSAPublicNumbers((1 << 300) + 1, k.n).public_key()
open("big-e.pub", "wb").write(pub.public_bytes(serialization.Encoding.PEM,
    serialization.PublicFormat.SubjectPublicKeyInfo))
PY
	run -2 --separate-stderr rsa-keygen -l big-e.pub
	assert_one_line_error rsa-keygen "public exponent is 301 bits; at most 256 accepted"
}

@test "keyswap names version 0 as another version" {
	# A hello frame with the version byte 0: "RPKS", 00, type 1, length 0.
	run -1 --separate-stderr sh -c 'printf "RPKS\000\001\000\000" | keyswap \
		--identity "$FIXTURES/alice.pem" --session-key "$FIXTURES/bob.pem" \
		--accept-any --peer-out p --session-out c --timeout 5 >/dev/null'
	[[ $stderr == *"peer speaks keyswap version 0; this is version 2"* ]]
}

@test "a file name with control characters is shown inert in messages" {
	run -2 --separate-stderr rsa-keygen -l "$(printf 'evil\033]0;owned\007name')"
	assert_one_line_error rsa-keygen "cannot open evil\?\]0;owned\?name"
	[[ $stderr != *$'\033'* ]]
}

@test "getopt's errors name the program as every other message does" {
	run -2 --separate-stderr "$RSAPIPE_ROOT/tools/rsa-keygen" -Z
	[[ ${stderr%%$'\n'*} == "rsa-keygen: invalid option -- 'Z'" ]]
	run -2 --separate-stderr "$RSAPIPE_ROOT/tools/keyswap" --bogus
	[[ ${stderr%%$'\n'*} == "keyswap: unrecognized option '--bogus'" ]]
}

@test "an empty passphrase says where it came from" {
	: >empty
	run -2 --separate-stderr rsa-keygen -q -b 2048 -o k.pem --passphrase-file empty
	assert_one_line_error rsa-keygen "empty passphrase in empty"
	run -2 --separate-stderr sh -c 'rsa-keygen -q -b 2048 -o k.pem --passphrase-fd 3 3</dev/null'
	assert_one_line_error rsa-keygen "empty passphrase on descriptor 3"
	[ ! -e k.pem ]
}

@test "rsa-keygen -h prints help and exits 0" {
	run -0 rsa-keygen -h
	[[ $output == usage:* ]]
}

@test "keyswap takes -h for help and refuses an option given twice" {
	run -0 keyswap -h
	[[ $output == usage:* ]]
	run -2 --separate-stderr keyswap --identity a.pem --identity b.pem
	assert_one_line_error keyswap "--identity given twice"
	run -2 --separate-stderr keyswap --peer a.pub --peer b.pub
	assert_one_line_error keyswap "--peer given twice"
}

@test "rsa-encrypt refuses binary ciphertext on a terminal, with the way out" {
	command -v tmux >/dev/null || skip "needs tmux"
	sock="rsapipe-tty-$$"
	tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 5 \
		"echo hi | $RSAPIPE_ROOT/tools/rsa-encrypt -r $FIXTURES/bob.pub 2>err; echo \$? >status; \
		 echo hi | $RSAPIPE_ROOT/tools/rsa-encrypt -a -r $FIXTURES/bob.pub >/dev/null 2>&1; echo \$? >>status" 3>&-
	for _ in $(seq 50); do [ "$(wc -l <status 2>/dev/null)" = 2 ] && break; sleep 0.1; done
	tmux -L "$sock" kill-server 2>/dev/null || true
	[ "$(cat status)" = "$(printf '2\n0')" ]
	grep -q "refusing to write binary ciphertext to a terminal; use -a for armor or -o FILE" err
}

@test "rsa-encrypt and rsa-decrypt take -h, and refuse -s, --from, --session or -o given twice" {
	run -0 rsa-encrypt -h
	[[ $output == usage:* ]]
	run -0 rsa-decrypt -h
	[[ $output == usage:* ]]
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pem" -s "$FIXTURES/carol.pem"
	assert_one_line_error rsa-encrypt "-s given twice"
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" --from "$FIXTURES/carol.pub"
	assert_one_line_error rsa-decrypt "--from given twice"
	run -2 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" -o a -o b
	assert_one_line_error rsa-decrypt "-o given twice"
}

@test "a key with text before its BEGIN line (openssl pkcs12 output) is read, as OpenSSL reads it" {
	{
		printf 'Bag Attributes\n    localKeyID: 01 02 03\nKey Attributes: <No Attributes>\n'
		cat "$FIXTURES/bob.pem"
	} >bag.pem
	run -0 rsa-keygen -l bag.pem
	[ "$output" = "$(rsa-keygen -l "$FIXTURES/bob.pem")" ]
	printf 'just some text\n' >notakey
	run -2 --separate-stderr rsa-keygen -l notakey
	assert_one_line_error rsa-keygen "no BEGIN line"
}

# A reader that leaves (| head) ends the writer as it ends cat: no
# message, status 141 (doc/DESIGN.md, "Exit statuses").  $1: a command
# whose stdout goes to head -c 1; its status and stderr are checked.
reader_leaves() {
	"$@" 2>err | head -c 1 >/dev/null
	local st=${PIPESTATUS[0]}
	if [ "$st" -ne 141 ] || [ -s err ]; then
		echo "$* | head -c 1: status $st, stderr:" >&2
		cat err >&2
		return 1
	fi
}

@test "rsa-decrypt | head: a reader that leaves ends it quietly with 141, rsapipe and age, binary and armored" {
	head -c 8000000 /dev/urandom >big
	rsa-encrypt -r "$FIXTURES/bob.pub" big >big.rsp
	rsa-encrypt -a -r "$FIXTURES/bob.pub" big >big.rsp.asc
	rsa-encrypt --age -r "$FIXTURES/bob.pub" big >big.age
	rsa-encrypt --age -a -r "$FIXTURES/bob.pub" big >big.age.asc
	for f in big.rsp big.rsp.asc big.age big.age.asc; do
		reader_leaves rsa-decrypt -i "$FIXTURES/bob.pem" "$f"
	done
	# A FIFO given as -o is written in place: the same, and it stays.
	mkfifo fifo
	head -c 1 fifo >/dev/null &
	run -141 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" -o fifo big.age
	[ -z "$stderr" ]
	wait
	[ -p fifo ]
	# Any other failure still speaks.
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" big
	assert_one_line_error rsa-decrypt
}

@test "rsa-encrypt | head: the same, for every output form" {
	head -c 8000000 /dev/urandom >big
	reader_leaves rsa-encrypt -r "$FIXTURES/bob.pub" big
	reader_leaves rsa-encrypt -a -r "$FIXTURES/bob.pub" big
	reader_leaves rsa-encrypt --age -r "$FIXTURES/bob.pub" big
	reader_leaves rsa-encrypt --age -a -r "$FIXTURES/bob.pub" big
}
