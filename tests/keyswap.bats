#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# keyswap: two peers exchange fresh session public keys over one stream,
# each proving its identity key; trust is pinned, TOFU or explicitly off.

load keyswap_helper
bats_require_minimum_version 1.5.0

@test "two peers exchange session keys and agree on a 32-byte session context" {
	pair --peer "$FIXTURES/bob.pub" -- --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	openssl pkey -in "$BOB_SESSION" -pubout >bob-session.pub
	openssl pkey -in "$ALICE_SESSION" -pubout >alice-session.pub
	assert_same_file alice-got.pem bob-session.pub
	assert_same_file bob-got.pem alice-session.pub
	assert_same_file alice.ctx bob.ctx
	[ "$(wc -c <alice.ctx)" -eq 32 ]
	[ "$(stat -c %a alice.ctx)" = 600 ]
	# Each side shows the peer's identity fingerprint, as ssh-keygen -l.
	grep -qF "peer identity $(fingerprint "$FIXTURES/bob.pub")" alice.err
	grep -qF "peer identity $(fingerprint "$FIXTURES/alice.pub")" bob.err
}

@test "--peer-identity-out keeps the peer's identity public key" {
	pair --accept-any --peer-identity-out alice-saw.pub -- --accept-any
	[ "$astatus" -eq 0 ]
	openssl pkey -pubin -in "$FIXTURES/bob.pub" >bob-identity.pub
	assert_same_file alice-saw.pub bob-identity.pub
	[ ! -e bob-saw.pub ]
}

@test "an encrypted identity key is unlocked with --passphrase-file or --passphrase-fd" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 \
	    -in "$FIXTURES/alice.pem" -passout file:pass -out alice-enc.pem
	ALICE[1]=alice-enc.pem
	pair --peer "$FIXTURES/bob.pub" --passphrase-file pass -- \
	    --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	assert_same_file alice.ctx bob.ctx
	rm alice.ctx bob.ctx
	pair --peer "$FIXTURES/bob.pub" --passphrase-fd 4 4<pass -- \
	    --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	assert_same_file alice.ctx bob.ctx
	rm alice.ctx alice-got.pem
	echo 'wrong' >bad
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --passphrase-file bad </dev/null
	assert_one_line_error keyswap 'alice-enc.pem'
	[ -z "$output" ]
	assert_nothing_written alice.ctx alice-got.pem
}

@test "each exchange yields a new session context" {
	pair --peer "$FIXTURES/bob.pub" -- --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	cp alice.ctx first.ctx
	pair --peer "$FIXTURES/bob.pub" -- --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	assert_same_file alice.ctx bob.ctx
	run ! cmp -s first.ctx alice.ctx
}

@test "bytes after the exchange stay on the stream for the next reader" {
	# The relay delivers bob's last message together with the chat
	# line, so a keyswap that read ahead would swallow the line.
	( timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    2>alice.err && cat >rest ) <b2a >a2b &
	pid=$!
	{ timeout 20 keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" \
	    2>bob.err && printf 'hello world\n'; } <a2b |
	    keyswap_relay hold >b2a
	wait "$pid"
	[ "$(cat rest)" = "hello world" ]
	assert_same_file alice.ctx bob.ctx
}

@test "refuses a peer whose identity does not match --peer and writes nothing" {
	# carol pretends to be bob.
	BOB[1]="$FIXTURES/carol.pem"
	pair --peer "$FIXTURES/bob.pub" --peer-identity-out alice-saw.pub -- \
	    --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 1 ]
	grep -q 'peer identity does not match --peer' alice.err
	grep -qF "expected $(fingerprint "$FIXTURES/bob.pub")" alice.err
	grep -qF "got $(fingerprint "$FIXTURES/carol.pub")" alice.err
	# The refusal reaches the other side, which writes nothing either.
	[ "$bstatus" -eq 1 ]
	grep -q 'peer refused the exchange' bob.err
	assert_nothing_written alice-got.pem alice.ctx alice-saw.pub \
	    bob-got.pem bob.ctx
}

@test "known peers: first sight is recorded, then the same key is accepted" {
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	fp=$(fingerprint "$FIXTURES/bob.pub")
	grep -q "first contact with 'bob': recorded $fp in kp" alice.err
	[ "$(cat kp)" = "bob $fp" ]
	cp kp kp.before
	rm alice.ctx alice-got.pem
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	run ! grep -q 'first contact' alice.err
	assert_same_file kp kp.before
	assert_same_file alice.ctx bob.ctx
}

@test "known peers: a changed identity is refused loudly, file untouched" {
	printf '# peers\nbob %s\n' "$(fingerprint "$FIXTURES/bob.pub")" >kp
	cp kp kp.before
	BOB[1]="$FIXTURES/carol.pem"
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 1 ]
	grep -q 'REMOTE IDENTITY HAS CHANGED' alice.err
	grep -qF "now presents identity $(fingerprint "$FIXTURES/carol.pub")" alice.err
	grep -qF "kp:2 records $(fingerprint "$FIXTURES/bob.pub")" alice.err
	grep -q 'delete line 2 of kp' alice.err
	assert_same_file kp kp.before
	[ "$bstatus" -eq 1 ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "known peers: an entry may be the base64 public key itself" {
	{
		echo "carol $(fingerprint "$FIXTURES/carol.pub")"
		echo "bob $(openssl pkey -pubin -in "$FIXTURES/bob.pub" \
		    -outform DER | base64 -w0)"
	} >kp
	cp kp kp.before
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 0 ]
	run ! grep -q 'first contact' alice.err
	assert_same_file kp kp.before
}

@test "a malformed known-peers file is a usage error before anything is sent" {
	printf 'bob SHA256:tooshort\n' >kp
	run -2 --separate-stderr timeout 20 keyswap "${ALICE[@]}" \
	    --known-peers kp --name bob </dev/null
	assert_one_line_error keyswap 'kp:1: bad fingerprint'
	[ -z "$output" ]
	assert_nothing_written alice-got.pem alice.ctx
}

@test "without a trust option it refuses to run; --accept-any warns" {
	run -2 --separate-stderr keyswap "${ALICE[@]}" </dev/null
	assert_one_line_error keyswap 'refusing to trust an unknown peer'
	[ -z "$output" ]
	pair --accept-any -- --accept-any
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	# The warning says what to do, in words, not in option names.
	grep -qF "warning: accepting a peer that was not verified; compare its fingerprint $(fingerprint "$FIXTURES/bob.pub") with the peer over another channel" alice.err
	run ! grep -q -- '--accept-any' alice.err
}

@test "usage errors exit 2: missing, unknown or conflicting options" {
	run -2 --separate-stderr keyswap --identity "$FIXTURES/alice.pem"
	assert_one_line_error keyswap 'required'
	run -2 --separate-stderr keyswap --bogus
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer "$FIXTURES/bob.pub"
	assert_one_line_error keyswap 'exclude each other'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --known-peers kp
	assert_one_line_error keyswap 'go together'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --known-peers kp \
	    --name 'two words'
	assert_one_line_error keyswap '--name'
	for t in 0 -1 x 1.5 86401; do
		run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
		    --timeout "$t"
		assert_one_line_error keyswap '--timeout'
	done
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer-out alice.ctx
	assert_one_line_error keyswap '--peer-out given twice'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer-identity-out alice-got.pem
	assert_one_line_error keyswap 'must differ'
	run -2 --separate-stderr keyswap "${ALICE[@]:0:6}" --accept-any \
	    --session-out -
	assert_one_line_error keyswap 'stdout is the connection'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer-identity-out -
	assert_one_line_error keyswap 'stdout is the connection'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any extra
	assert_one_line_error keyswap 'unexpected argument'
}

@test "a bad key file exits 2 before anything is sent" {
	echo 'not a key' >junk.pem
	run -2 --separate-stderr keyswap --identity junk.pem \
	    --session-key "$ALICE_SESSION" --peer-out p --session-out c \
	    --accept-any </dev/null
	assert_one_line_error keyswap 'junk.pem'
	[ -z "$output" ]
	run -2 --separate-stderr keyswap "${ALICE[@]}" --peer missing.pub \
	    </dev/null
	assert_one_line_error keyswap 'missing.pub'
	[ -z "$output" ]
	assert_nothing_written p c alice-got.pem alice.ctx
}

@test "--help and --version print to stdout and exit 0" {
	run -0 --separate-stderr keyswap --help
	[[ $output == *"usage: keyswap --identity PRIVATE --session-key"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr keyswap --version
	[[ $output == "keyswap (rsapipe) "* ]]
}

@test "a man in the middle who swaps the session key is detected by both" {
	openssl pkey -in "$FIXTURES/carol.pem" -pubout -outform DER >carol.der
	set +e
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    <b2a 2>alice.err |
	    keyswap_relay substitute carol.der |
	    timeout 20 keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" \
	    >b2a 2>bob.err
	st=("${PIPESTATUS[@]}")
	set -e
	[ "${st[0]}" -eq 1 ]
	[ "${st[2]}" -eq 1 ]
	grep -q "proof does not verify" bob.err
	grep -q "proof does not verify\|peer refused\|closed" alice.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "a man in the middle with his own keys fails against a pinned peer" {
	# mallory runs a keyswap toward each victim with carol's identity.
	mkfifo m2b b2m
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    <b2a >a2b 2>alice.err &
	apid=$!
	timeout 20 keyswap --identity "$FIXTURES/carol.pem" \
	    --session-key "$FIXTURES/carol.pem" --peer-out m1 \
	    --session-out m1.ctx --accept-any >b2a <a2b 2>/dev/null &
	mpid=$!
	timeout 20 keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" \
	    <m2b >b2m 2>bob.err &
	bpid=$!
	timeout 20 keyswap --identity "$FIXTURES/carol.pem" \
	    --session-key "$FIXTURES/carol.pem" --peer-out m2 \
	    --session-out m2.ctx --accept-any >m2b <b2m 2>/dev/null || true
	wait "$mpid" || true
	astatus=0; wait "$apid" || astatus=$?
	bstatus=0; wait "$bpid" || bstatus=$?
	[ "$astatus" -eq 1 ]
	[ "$bstatus" -eq 1 ]
	grep -q 'does not match --peer' alice.err
	grep -q 'does not match --peer' bob.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "bytes recorded from one session are rejected when replayed in another" {
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    <b2a >a2b 2>alice.err &
	pid=$!
	timeout 20 keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" <a2b \
	    2>bob.err | tee bob.recorded >b2a
	wait "$pid"
	rm alice.ctx alice-got.pem
	run -1 --separate-stderr timeout 20 keyswap "${ALICE[@]}" \
	    --peer "$FIXTURES/bob.pub" <bob.recorded
	[[ $stderr == *"proof does not verify"* ]]
	assert_nothing_written alice-got.pem alice.ctx
}

@test "a side's own messages reflected back to it are rejected" {
	# A loopback: its output is its input.
	mkfifo loop
	run -1 --separate-stderr timeout 20 bash -c \
	    'keyswap "$@" <>loop >&0' - "${ALICE[@]}" --peer "$FIXTURES/alice.pub"
	assert_one_line_error keyswap 'reflection'
	# Its messages from an earlier session, played back.
	pair --peer "$FIXTURES/bob.pub" -- --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ]
	rm alice.ctx alice-got.pem
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    <b2a 2>alice.err | tee alice.recorded >a2b &
	pid=$!
	timeout 20 keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" \
	    >b2a <a2b 2>bob.err
	wait "$pid"
	rm alice.ctx alice-got.pem
	run -1 --separate-stderr timeout 20 keyswap "${ALICE[@]}" \
	    --peer "$FIXTURES/alice.pub" <alice.recorded
	assert_one_line_error keyswap 'proof does not verify'
	assert_nothing_written alice-got.pem alice.ctx
}

@test "a broken, hostile or foreign peer is a clean exit 1 with nothing written" {
	timeout 20 keyswap "${ALICE[@]}" --accept-any <b2a 2>/dev/null |
	    tee alice.hello >/dev/null &
	pid=$!
	: >b2a
	wait "$pid" || true
	# Each case: the bytes the peer sends, then the expected message.
	cases=(
	    "$(head -c 100 alice.hello | od -An -v -tx1)" 'peer closed the connection'
	    '' 'peer closed the connection'
	    '47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a' 'not speaking keyswap'
	    '52 50 4b 53 01 01 00 08' 'peer speaks keyswap version 1; this is version 2: the peer needs a newer rsapipe'
	    '52 50 4b 53 03 01 00 08' 'peer speaks keyswap version 3; this is version 2'
	    '52 50 4b 53 02 01 ff ff' 'oversized message'
	    '52 50 4b 53 02 07 00 00' 'unknown message type'
	    '52 50 4b 53 02 02 00 00' 'expected a hello from the peer, got a proof'
	    '52 50 4b 53 02 01 00 04 08 35 00 00' 'malformed hello \(identity key length\)'
	    '52 50 4b 53 02 01 00 06 00 01 30 00 00 00' 'malformed hello \(session key length\)'
	    '52 50 4b 53 02 01 00 08 00 01 30 00 01 30 00 00' 'malformed hello \(nonce length\)'
	)
	# (not "i": bats' own helpers clobber it)
	for ((c = 0; c < ${#cases[@]}; c += 2)); do
		printf '%s' "${cases[c]}" | xxd -r -p >peer.bytes
		run -1 --separate-stderr timeout 20 keyswap "${ALICE[@]}" \
		    --accept-any <peer.bytes
		assert_one_line_error keyswap "${cases[c + 1]}"
		assert_nothing_written alice-got.pem alice.ctx
	done
	# A well-formed hello carrying something that is not an RSA key.
	printf '52504b5302010029000130000130%s010000' "$(printf '%064d' 0)" |
	    xxd -r -p >peer.bytes
	run -1 --separate-stderr keyswap "${ALICE[@]}" --accept-any <peer.bytes
	assert_one_line_error keyswap 'peer sent a bad identity key'
}

@test "a silent peer times out after --timeout seconds" {
	sleep 30 >b2a &
	sleeper=$!
	run -1 --separate-stderr timeout 20 keyswap "${ALICE[@]}" \
	    --accept-any --timeout 1 <b2a
	kill "$sleeper"
	assert_one_line_error keyswap 'timed out waiting for peer'
	assert_nothing_written alice-got.pem alice.ctx
}

@test "the session context and the peer's name can go to a pipe (/dev/fd/N), so no file holds them" {
	# As the chat takes them: a pipe each, read once keyswap is done.
	exec {ctx}<> <(:) {who}<> <(:)
	ALICE[7]=/dev/fd/$ctx
	pair --accept-any --peer-name-out "/dev/fd/$who" -- --accept-any
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ ! -e alice.ctx ]
	head -c 32 <&"$ctx" >from-pipe.ctx
	assert_same_file from-pipe.ctx bob.ctx
	read -r name <&"$who"
	[ "$name" = "$(fingerprint "$FIXTURES/bob.pub" | cut -c8-23)" ]
	exec {ctx}<&- {who}<&-
}
