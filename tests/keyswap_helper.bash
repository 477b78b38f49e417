# SPDX-License-Identifier: ISC
# Helpers for the keyswap suites: alice and bob (the fixture identities)
# with fresh session keys, run against each other over two FIFOs.
# shellcheck shell=bash

load test_helper

# Fresh session keys, made once per file: the identities are the fixtures.
keyswap_setup_file() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$BATS_FILE_TMPDIR/alice-session.pem" 2>/dev/null
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$BATS_FILE_TMPDIR/bob-session.pem" 2>/dev/null
}

# Per test: ALICE and BOB, the options every run of each needs, and the
# FIFOs a2b and b2a in the test's own directory.
keyswap_setup() {
	common_setup
	ALICE_SESSION="$BATS_FILE_TMPDIR/alice-session.pem"
	BOB_SESSION="$BATS_FILE_TMPDIR/bob-session.pem"
	ALICE=(--identity "$FIXTURES/alice.pem" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	BOB=(--identity "$FIXTURES/bob.pem" --session-key "$BOB_SESSION"
	    --peer-out bob-got.pem --session-out bob.ctx)
	ALICE_WRAP=()
	mkfifo a2b b2a
}

# The suites' setup unless they define their own (after loading this).
setup_file() {
	keyswap_setup_file
}

setup() {
	keyswap_setup
}

# The fingerprint ssh-keygen -l shows for a public or private key file.
fingerprint() {
	local in=(-in "$1")
	if grep -q 'PUBLIC KEY' "$1"; then in+=(-pubin); fi
	openssl pkey "${in[@]}" -pubout >fp.pub
	ssh-keygen -i -m PKCS8 -f fp.pub >fp.ssh
	ssh-keygen -l -f fp.ssh | awk '{ print $2 }'
}

# The "ssh-rsa AAAA..." line (no comment) of a public key file.
ssh_line() {
	openssl pkey -pubin -in "$1" >ssh.pub
	ssh-keygen -i -m PKCS8 -f ssh.pub | awk '{ print $1, $2 }'
}

# The base64 SPKI DER of a public key file, as a known-peers value.
spki_b64() {
	openssl pkey -pubin -in "$1" -outform DER | base64 -w0
}

# Play the network between the peers, frame by frame, from stdin to
# stdout: "keyswap_relay substitute DER", "keyswap_relay hold" or
# "keyswap_relay verdict VALUE" (tests/keyswap_relay.py says what each does).
keyswap_relay() {
	python3 "$RSAPIPE_ROOT/tests/keyswap_relay.py" "$@"
}

# Run alice (with extra options $1...) and bob (options after "--")
# against each other over two FIFOs.  Sets astatus/bstatus; their stderr
# goes to alice.err/bob.err.  timeout turns a hang into a failure.
# ALICE_WRAP, if set, is a command alice runs under (setsid -w).
# shellcheck disable=SC2034 # astatus and bstatus are for the caller
pair() {
	local a=() pid
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	# Open order matters: each side opens the FIFO the other reads
	# first, or both block in open(2).
	timeout 20 "${ALICE_WRAP[@]}" keyswap "${ALICE[@]}" "${a[@]}" \
	    <b2a >a2b 2>alice.err &
	pid=$!
	bstatus=0
	timeout 20 keyswap "${BOB[@]}" "$@" >b2a <a2b 2>bob.err || bstatus=$?
	astatus=0
	wait "$pid" || astatus=$?
}

# Nothing from a failed run: no outputs, no temporary files.
assert_nothing_written() {
	local f
	for f in "$@"; do
		if [ -e "$f" ]; then
			echo "$f was written" >&2
			return 1
		fi
	done
	for f in .rsapipe-tmp*; do
		if [ -e "$f" ]; then
			echo "temporary file left behind: $f" >&2
			return 1
		fi
	done
}
