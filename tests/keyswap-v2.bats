#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# keyswap version 2 (doc/KEYSWAP.md): PSS proofs on both sides, an
# identity held by a test-started ssh-agent (its private file deleted),
# a proof checked by ssh-keygen -Y check-novalidate, the agent's
# failures, invites by a spoken code (right, wrong, reused, expired, a
# man in the middle with its own SPAKE2) and a version-1 peer.

bats_require_minimum_version 1.5.0
load keyswap_helper
load agent_helper

NS=keyswap-v2@rsapipe

setup_file() {
	keyswap_setup_file
	local d=$BATS_FILE_TMPDIR
	ssh-keygen -q -t rsa -b 3072 -N '' -C agent-alice -f "$d/aalice"
	ssh-keygen -q -t rsa -b 3072 -N '' -C agent-bob -f "$d/abob"
	cat >"$d/askpass" <<-'EOS'
	#!/bin/sh
	exit 1
	EOS
	chmod 755 "$d/askpass"
}

setup() {
	keyswap_setup
	export SSH_ASKPASS="$BATS_FILE_TMPDIR/askpass" SSH_ASKPASS_REQUIRE=force
	export DISPLAY=:0
	eval "$(ssh-agent -s -a "$BATS_TEST_TMPDIR/agent.sock")" >/dev/null
	export SSH_AUTH_SOCK SSH_AGENT_PID
}

teardown() {
	[ -n "${SSH_AGENT_PID:-}" ] && kill "$SSH_AGENT_PID" 2>/dev/null
	return 0
}


apub() { agent_pub "$1"; }
afp() { agent_fingerprint "$1"; }

# invite_pair INVITER-OPTIONS... -- CALLER-OPTIONS...: alice makes an
# invite (--invite-file code), bob types what is in "code" (after
# CODE_DELAY seconds; with WRONG_WORDS set, the number with those words).
invite_pair() {
	local a=() pid
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	timeout 30 keyswap "${ALICE[@]}" --invite-file code "${a[@]}" \
	    <b2a >a2b 2>alice.err &
	pid=$!
	bstatus=0
	CODE_DELAY=${CODE_DELAY:-0} WRONG_WORDS=${WRONG_WORDS:-} \
	    timeout 30 bash -c 'while [ ! -s code ]; do sleep 0.02; done
	    sleep "$CODE_DELAY"; c=$(cat code)
	    [ -n "$WRONG_WORDS" ] && c=${c%%-*}-$WRONG_WORDS
	    exec keyswap --code "$c" "$@"' bob "${BOB[@]}" "$@" \
	    >b2a <a2b 2>bob.err || bstatus=$?
	astatus=0
	wait "$pid" || astatus=$?
}

@test "two version-2 keyswaps with file identities prove themselves with PSS" {
	pair --peer "$FIXTURES/bob.pub" -- --peer "$FIXTURES/alice.pub"
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	cmp alice.ctx bob.ctx
	cmp <(openssl pkey -in "$BOB_SESSION" -pubout) alice-got.pem
	cmp <(openssl pkey -in "$ALICE_SESSION" -pubout) bob-got.pem
}

@test "an identity held by ssh-agent proves itself with its private file deleted" {
	add_key aalice
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	pair --peer "$FIXTURES/bob.pub" -- --peer "$(apub aalice)"
	[ "$astatus" -eq 0 ] || cat alice.err
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	grep -q "peer identity $(afp aalice)" bob.err
	cmp alice.ctx bob.ctx
}

@test "an agent key is also named by its fingerprint" {
	add_key aalice
	ALICE=(--identity "agent:$(afp aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	pair --peer "$FIXTURES/bob.pub" -- --peer "$(apub aalice)"
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	cmp alice.ctx bob.ctx
}

@test "both sides sign in agents and agree on the session" {
	add_key aalice
	add_key abob
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	BOB=(--identity "agent:$(apub abob)" --session-key "$BOB_SESSION"
	    --peer-out bob-got.pem --session-out bob.ctx)
	pair --peer "$(apub abob)" -- --peer "$(apub aalice)"
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	cmp alice.ctx bob.ctx
}

@test "ssh-keygen -Y check-novalidate verifies an agent's proof, under keyswap's namespace only" {
	add_key aalice
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" <b2a |
	    tee alice.wire >a2b 2>alice.err &
	timeout 20 keyswap "${BOB[@]}" --peer "$(apub aalice)" \
	    >b2a <a2b 2>bob.err || { cat bob.err alice.err; false; }
	wait
	# P = SHA-256(label || T || SHA-256(alice's hello)); T is the
	# session context; the proof's signature field is the SSHSIG blob.
	python3 - alice.wire bob.ctx <<-'EOS'
	import base64, hashlib, struct, sys
	wire = open(sys.argv[1], "rb").read()
	t = open(sys.argv[2], "rb").read()
	n = 8 + struct.unpack(">H", wire[6:8])[0]
	hello, proof = wire[:n], wire[n:]
	assert proof[4:6] == b"\x02\x02", "a version-2 proof"
	blob = proof[10:10 + struct.unpack(">H", proof[8:10])[0]]
	p = hashlib.sha256(b"rsapipe keyswap v2 proof" + t +
	                   hashlib.sha256(hello).digest()).digest()
	open("P", "wb").write(p)
	b64 = base64.b64encode(blob).decode()
	with open("proof.sig", "w") as f:
	    f.write("-----BEGIN SSH SIGNATURE-----\n")
	    for i in range(0, len(b64), 70):
	        f.write(b64[i:i + 70] + "\n")
	    f.write("-----END SSH SIGNATURE-----\n")
	EOS
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s proof.sig <P
	run ! ssh-keygen -Y check-novalidate -n file -s proof.sig <P
	run ! ssh-keygen -Y check-novalidate -n git -s proof.sig <P
}

@test "no agent is status 2 naming the key's fingerprint, before a byte is sent" {
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	run -2 --separate-stderr env -u SSH_AUTH_SOCK keyswap "${ALICE[@]}" \
	    --accept-any </dev/null
	assert_one_line_error keyswap "agent key $(afp aalice | sed 's/[+.]/\\&/g')"
	[ "$output" = "" ]
	run -2 --separate-stderr env SSH_AUTH_SOCK="$PWD/dead.sock" \
	    keyswap "${ALICE[@]}" --accept-any </dev/null
	assert_one_line_error keyswap "agent key"
	[ "$output" = "" ]
	assert_nothing_written alice-got.pem alice.ctx
}

@test "a key not in the agent is status 2 naming its fingerprint" {
	add_key abob
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any </dev/null
	assert_one_line_error keyswap "agent key $(afp aalice | sed 's/[+.]/\\&/g')"
	[ "$output" = "" ]
}

@test "an agent that refuses to sign (ssh-add -c, confirmation denied) is status 2" {
	add_key aalice -c
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	ALICE_WRAP=(setsid -w)
	pair --peer "$FIXTURES/bob.pub" -- --peer "$(apub aalice)"
	[ "$astatus" -eq 2 ]
	[ "$(wc -l <alice.err)" -eq 1 ]
	grep -q "agent key $(afp aalice).*refus" alice.err
	[ "$bstatus" -eq 1 ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "an invite with the right code records each side's peer" {
	: >allowed
	invite_pair --invite bob --allowed allowed -- \
	    --known-peers known --name alice.example:7000
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	grep -Eq '^keyswap: invite code [0-9]+-[a-z]+-[a-z]+ \(valid 10 minutes, one use\)$' alice.err
	[ "$(cat allowed)" = "bob $(fingerprint "$FIXTURES/bob.pem")" ]
	[ "$(cat known)" = "alice.example:7000 $(fingerprint "$FIXTURES/alice.pem")" ]
	cmp alice.ctx bob.ctx
}

@test "an invite with an agent identity on the inviting side" {
	add_key aalice
	ALICE=(--identity "agent:$(apub aalice)" --session-key "$ALICE_SESSION"
	    --peer-out alice-got.pem --session-out alice.ctx)
	: >allowed
	invite_pair --invite bob --allowed allowed -- --known-peers known \
	    --name alice
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	[ "$(cat known)" = "alice $(afp aalice)" ]
}

@test "a wrong code is status 1 on both sides with the spec's message, nothing recorded" {
	: >allowed
	WRONG_WORDS=otter-quilt invite_pair --invite bob --allowed allowed -- \
	    --known-peers known --name alice
	[ "$astatus" -eq 1 ] && [ "$bstatus" -eq 1 ]
	msg='the invite code did not match: either it was mistyped or someone is in the middle; nothing was recorded, and the code is spent'
	[ "$(tail -n1 alice.err)" = "keyswap: $msg" ]
	[ "$(cat bob.err)" = "keyswap: $msg" ]
	[ ! -s allowed ] && [ ! -e known ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "a word that is not in the list is refused before anything is sent" {
	run -2 --separate-stderr keyswap "${BOB[@]}" --code 7-orbt-quilt \
	    --known-peers known --name alice </dev/null
	assert_one_line_error keyswap "'orbt' is not a word of the code list"
	[ "$output" = "" ]
}

@test "a reused code gets verdict 04: spent, nothing recorded" {
	: >allowed
	invite_pair --invite bob --allowed allowed -- --known-peers known \
	    --name alice
	[ "$astatus" -eq 0 ] && [ "$bstatus" -eq 0 ]
	rm -f alice.ctx alice-got.pem bob.ctx bob-got.pem
	# The code again, against alice's side, which holds no invite now.
	pair --allowed allowed -- --code "$(cat code)" --known-peers known2 \
	    --name alice
	[ "$bstatus" -eq 1 ] && [ "$astatus" -eq 1 ]
	[ "$(cat bob.err)" = "keyswap: the invite code is spent or expired; ask for a new one" ]
	grep -q "peer expected an invite code" alice.err
	[ ! -e known2 ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "an expired code gets verdict 04 and the inviter says it expired" {
	: >allowed
	CODE_DELAY=2 invite_pair --invite bob --allowed allowed \
	    --invite-valid 1 -- --known-peers known --name alice
	[ "$astatus" -eq 1 ] && [ "$bstatus" -eq 1 ]
	[ "$(cat bob.err)" = "keyswap: the invite code is spent or expired; ask for a new one" ]
	grep -q "the invite expired before the peer came" alice.err
	[ ! -s allowed ] && [ ! -e known ]
}

@test "a man in the middle with its own SPAKE2 is refused on both sides" {
	mkfifo a2r r2a b2r r2b
	: >allowed
	timeout 30 keyswap "${ALICE[@]}" --invite bob --allowed allowed \
	    --invite-file code <r2a >a2r 2>alice.err &
	apid=$!
	timeout 30 python3 "$RSAPIPE_ROOT/tests/keyswap_pake_relay.py" \
	    a2r r2a b2r r2b otter-quilt 2>relay.err &
	rpid=$!
	bstatus=0
	timeout 30 bash -c 'while [ ! -s code ]; do sleep 0.02; done
	    exec keyswap --code "$(cat code)" "$@"' bob "${BOB[@]}" \
	    --known-peers known --name alice <r2b >b2r 2>bob.err || bstatus=$?
	[ "$bstatus" -eq 1 ]
	grep -q "the invite code did not match" bob.err ||
	    { cat bob.err alice.err relay.err; false; }
	# wait in this shell: under run it would be a subshell, which cannot
	# wait for a side still running (slow under sanitizers).
	astatus=0
	wait "$apid" || astatus=$?
	[ "$astatus" -eq 1 ]
	grep -q "the invite code did not match" alice.err
	wait "$rpid" || true
	[ ! -s allowed ] && [ ! -e known ]
}

@test "a version-1 peer is told it needs a newer rsapipe" {
	run -1 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    <"$FIXTURES/keyswap-v1-hello.bin"
	assert_one_line_error keyswap 'peer speaks keyswap version 1; this is version 2: the peer needs a newer rsapipe'
	assert_nothing_written alice-got.pem alice.ctx
	# What a version-1 peer reads first: our hello, version byte 2.
	keyswap "${ALICE[@]}" --accept-any >hello.bin </dev/null 2>/dev/null ||
	    true
	[ "$(head -c 6 hello.bin | od -An -tx1 | tr -d ' ')" = 52504b530201 ]
}

@test "a version-1 keyswap and this one each say the other's version, both ways" {
	# keyswap as released at version 1: the last commit that spoke it.
	local v1=97302be
	git -C "$RSAPIPE_ROOT" rev-parse -q --verify "$v1^{commit}" >/dev/null ||
		skip "not a git checkout with the version-1 history"
	mkdir v1src
	git -C "$RSAPIPE_ROOT" archive "$v1" | tar -x -C v1src
	make -s -C v1src -j2 tools/keyswap >/dev/null 2>&1
	timeout 20 keyswap "${ALICE[@]}" --peer "$FIXTURES/bob.pub" \
	    <b2a >a2b 2>alice.err &
	pid=$!
	bstatus=0
	timeout 20 v1src/tools/keyswap "${BOB[@]}" --peer "$FIXTURES/alice.pub" \
	    >b2a <a2b 2>bob.err || bstatus=$?
	astatus=0
	wait "$pid" || astatus=$?
	[ "$astatus" -eq 1 ] && [ "$bstatus" -eq 1 ]
	[ "$(cat alice.err)" = "keyswap: peer speaks keyswap version 1; this is version 2: the peer needs a newer rsapipe" ]
	[ "$(cat bob.err)" = "keyswap: peer speaks keyswap version 2; this is version 1" ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}
