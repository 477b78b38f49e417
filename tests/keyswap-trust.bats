#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# keyswap trust policies: the server's allow list and its told-why
# verdict, known peers only (--refuse-new), asking without a terminal,
# the peer's display name, and forgetting a recorded peer.
# (Asking on a real terminal is in keyswap-prompt.bats.)

# shellcheck disable=SC2154,SC2034 # pair() sets astatus/bstatus, uses ALICE_WRAP
load keyswap_helper
bats_require_minimum_version 1.5.0

setup() {
	keyswap_setup
	ALICE_FP=$(fingerprint "$FIXTURES/alice.pub")
	BOB_FP=$(fingerprint "$FIXTURES/bob.pub")
}

@test "--allowed accepts a client listed by fingerprint, base64 key or ssh-rsa line, under the list's name" {
	# Bob serves; alice is the client.  Each form names her differently.
	printf '# clients\n\ncarol %s\nalice-fp %s\n' \
	    "$(fingerprint "$FIXTURES/carol.pub")" "$ALICE_FP" >by-fp
	printf 'alice-key %s\n' "$(spki_b64 "$FIXTURES/alice.pub")" >by-key
	printf '%s carol\n%s alice@laptop\n' "$(ssh_line "$FIXTURES/carol.pub")" \
	    "$(ssh_line "$FIXTURES/alice.pub")" >by-ssh
	for list in by-fp:alice-fp:4 by-key:alice-key:1 by-ssh:alice@laptop:2; do
		IFS=: read -r file name line <<<"$list"
		rm -f alice.ctx alice-got.pem bob.ctx bob-got.pem who
		pair --accept-any -- --allowed "$file" --peer-name-out who
		[ "$astatus" -eq 0 ]
		[ "$bstatus" -eq 0 ]
		assert_same_file alice.ctx bob.ctx
		[ "$(cat who)" = "$name" ]
		grep -qF "peer is '$name' ($file:$line)" bob.err
	done
	# The file is only read: nothing is added to an allow list.
	[ "$(grep -c . by-fp)" -eq 3 ]
}

@test "--allowed refuses a client not on the list, and the client is told why" {
	printf 'carol %s\nbob %s\n' "$(fingerprint "$FIXTURES/carol.pub")" \
	    "$BOB_FP" >allowed
	pair --accept-any --peer-name-out alice-who -- --allowed allowed \
	    --peer-name-out bob-who
	[ "$bstatus" -eq 1 ]
	grep -qF "keyswap: client $ALICE_FP is not on the allow list allowed" bob.err
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: peer refused: this identity ($ALICE_FP) is not on its allow list; give the peer's operator your fingerprint" alice.err
	assert_nothing_written alice-got.pem alice.ctx alice-who bob-got.pem \
	    bob.ctx bob-who
}

@test "a refusal for another reason is not reported as the allow list" {
	pair --accept-any -- --peer "$FIXTURES/carol.pub"
	[ "$astatus" -eq 1 ]
	grep -q 'keyswap: peer refused the exchange$' alice.err
	run ! grep -q 'allow list' alice.err
}

@test "a verdict value this version does not know is a refusal" {
	for value in 7 255; do
		rm -f alice.err
		set +e
		timeout 20 keyswap "${BOB[@]}" --accept-any <a2b 2>bob.err |
		    keyswap_relay verdict "$value" >b2a &
		timeout 20 keyswap "${ALICE[@]}" --accept-any <b2a >a2b \
		    2>alice.err
		status_alice=$?
		wait
		set -e
		[ "$status_alice" -eq 1 ]
		grep -qF "keyswap: peer refused the exchange (verdict $value)" \
		    alice.err
		assert_nothing_written alice-got.pem alice.ctx
		rm -f bob-got.pem bob.ctx
	done
}

@test "an allow list that is missing or malformed is a usage error naming FILE:LINE" {
	carol_ssh=$(ssh_line "$FIXTURES/carol.pub")
	cases=(
	    'alice SHA256:tooshort' 'allowed:2: bad fingerprint length'
	    'alice' 'allowed:2: malformed entry'
	    'alice one two' 'allowed:2: malformed entry'
	    "${carol_ssh}" 'allowed:2: ssh-rsa line without a name'
	    "${carol_ssh} carol laptop" 'allowed:2: .*one word'
	    "from=\"10.0.0.1\" ${carol_ssh} carol" 'allowed:2: authorized_keys options are not supported'
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDj carol" 'allowed:2: not an RSA key'
	    "ssh-rsa AAAAB3NzaC1yc2E= carol" 'allowed:2: '
	)
	for ((c = 0; c < ${#cases[@]}; c += 2)); do
		printf '# ok\n%s\n' "${cases[c]}" >allowed
		run -2 --separate-stderr timeout 20 keyswap "${BOB[@]}" \
		    --allowed allowed </dev/null
		assert_one_line_error keyswap "${cases[c + 1]}"
		[ -z "$output" ] # nothing sent
		assert_nothing_written bob-got.pem bob.ctx
	done
	run -2 --separate-stderr keyswap "${BOB[@]}" --allowed missing </dev/null
	assert_one_line_error keyswap 'cannot open missing'
	[ -z "$output" ]
	for other in "--peer $FIXTURES/alice.pub" '--known-peers kp --name a' \
	    --accept-any; do
		# shellcheck disable=SC2086 # the words of $other are options
		run -2 --separate-stderr keyswap "${BOB[@]}" --allowed allowed \
		    $other </dev/null
		assert_one_line_error keyswap 'exclude each other'
	done
}

@test "--peer-name-out: --name, the --peer file's name, or the short fingerprint; never what the peer says" {
	pair --known-peers kp --name bob.example:7777 --peer-name-out who -- \
	    --peer "$FIXTURES/alice.pub" --peer-name-out bob-who
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ "$(cat who)" = bob.example:7777 ]
	[ "$(stat -c %a who)" = 644 ]
	# --peer names the peer by its file, without ".pub" or ".keys".
	[ "$(cat bob-who)" = alice ]
	grep -qF "keyswap: peer identity $ALICE_FP is 'alice' ($FIXTURES/alice.pub)" bob.err
	# --accept-any knows no name: the first 16 characters of the
	# fingerprint after "SHA256:".
	rm alice.ctx alice-got.pem
	pair --accept-any --peer-name-out who -- --accept-any
	[ "$astatus" -eq 0 ]
	[ "$(cat who)" = "${BOB_FP:7:16}" ]
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer-name-out -
	assert_one_line_error keyswap 'stdout is the connection'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
	    --peer-name-out alice.ctx
	assert_one_line_error keyswap 'must differ'
}

@test "--refuse-new refuses a name with no entry, naming its fingerprint, and records nothing" {
	pair --known-peers kp --name bob --refuse-new -- --accept-any
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: unknown peer 'bob' ($BOB_FP) refused: kp has no entry for it; pin it with --peer or accept it with --accept-new" alice.err
	[ ! -e kp ]
	[ "$bstatus" -eq 1 ]
	grep -q 'peer refused the exchange' bob.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
	# A known name is accepted as ever.
	printf 'bob %s\n' "$BOB_FP" >kp
	cp kp kp.before
	pair --known-peers kp --name bob --refuse-new -- --accept-any
	[ "$astatus" -eq 0 ]
	assert_same_file kp kp.before
}

@test "--accept-new records a first contact, as without a policy" {
	pair --known-peers kp --name bob --accept-new -- --accept-any
	[ "$astatus" -eq 0 ]
	grep -qF "first contact with 'bob': recorded $BOB_FP in kp" alice.err
	[ "$(cat kp)" = "bob $BOB_FP" ]
}

@test "--ask without a terminal refuses, tells the peer, and says what to do" {
	ALICE_WRAP=(setsid -w)
	pair --known-peers kp --name bob --ask -- --accept-any
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: unknown peer 'bob' ($BOB_FP) and no terminal to ask on; pin it with --peer or accept it with --accept-new" alice.err
	[ ! -e kp ]
	[ "$bstatus" -eq 1 ]
	grep -q 'peer refused the exchange' bob.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
	# A known peer needs no question, terminal or not.
	printf 'bob %s\n' "$BOB_FP" >kp
	pair --known-peers kp --name bob --ask -- --accept-any
	[ "$astatus" -eq 0 ]
}

@test "the new-peer policies go with --known-peers and exclude each other" {
	run -2 --separate-stderr keyswap "${ALICE[@]}" --known-peers kp \
	    --name bob --ask --refuse-new
	assert_one_line_error keyswap 'exclude each other'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --known-peers kp \
	    --name bob --accept-new --ask
	assert_one_line_error keyswap 'exclude each other'
	for policy in --ask --accept-new --refuse-new; do
		run -2 --separate-stderr keyswap "${ALICE[@]}" --accept-any \
		    "$policy"
		assert_one_line_error keyswap 'go with --known-peers'
	done
}

@test "--forget removes every entry for a name, keeps every other line and the mode" {
	printf '# peers\nbob %s\ncarol %s\n\nbob %s\n  # end\n' "$BOB_FP" \
	    "$(fingerprint "$FIXTURES/carol.pub")" "$ALICE_FP" >kp
	chmod 640 kp
	run -0 --separate-stderr keyswap --known-peers kp --forget bob
	assert_one_line_error keyswap "removed 2 entries for 'bob' from kp"
	[ -z "$output" ]
	printf '# peers\ncarol %s\n\n  # end\n' \
	    "$(fingerprint "$FIXTURES/carol.pub")" >kp.expected
	assert_same_file kp kp.expected
	[ "$(stat -c %a kp)" = 640 ]
	assert_nothing_written
	run -0 --separate-stderr keyswap --known-peers kp --forget carol
	assert_one_line_error keyswap "removed 1 entry for 'carol' from kp"
	# A last line without its newline goes too.
	printf 'carol %s\nbob %s' "$ALICE_FP" "$BOB_FP" >kp
	run -0 --separate-stderr keyswap --known-peers kp --forget bob
	[ "$(cat kp)" = "carol $ALICE_FP" ]
}

@test "--forget of a name with no entry exits 1 and leaves the file alone" {
	printf 'carol %s\n' "$ALICE_FP" >kp
	cp kp kp.before
	run -1 --separate-stderr keyswap --known-peers kp --forget bob
	assert_one_line_error keyswap "no entry for 'bob' in kp"
	assert_same_file kp kp.before
	# A name is a whole word: "car" is not "carol".
	run -1 --separate-stderr keyswap --known-peers kp --forget car
	assert_same_file kp kp.before
}

@test "--forget: a missing or malformed file, or other options, exit 2" {
	run -2 --separate-stderr keyswap --known-peers missing --forget bob
	assert_one_line_error keyswap 'cannot open missing'
	[ ! -e missing ]
	printf 'bob %s\nbob SHA256:tooshort\n' "$BOB_FP" >kp
	cp kp kp.before
	run -2 --separate-stderr keyswap --known-peers kp --forget bob
	assert_one_line_error keyswap 'kp:2: bad fingerprint length'
	assert_same_file kp kp.before
	run -2 --separate-stderr keyswap --forget bob
	assert_one_line_error keyswap '--forget needs --known-peers'
	run -2 --separate-stderr keyswap --known-peers kp --forget 'two words'
	assert_one_line_error keyswap '--forget'
	run -2 --separate-stderr keyswap "${ALICE[@]}" --known-peers kp \
	    --forget bob
	assert_one_line_error keyswap '--forget takes only --known-peers'
	run -2 --separate-stderr keyswap --known-peers kp --name bob \
	    --forget bob
	assert_one_line_error keyswap '--forget takes only --known-peers'
	assert_same_file kp kp.before
}

@test "--forget waits for the lock recording takes, so neither loses the other's edit" {
	printf 'bob %s\ncarol %s\n' "$BOB_FP" "$ALICE_FP" >kp
	# Hold the lock known_peers_record takes (flock(2) on the file).
	flock kp -c 'touch locked; sleep 2' &
	holder=$!
	for _ in $(seq 50); do [ -e locked ] && break; sleep 0.1; done
	[ -e locked ]
	start=$SECONDS
	run -0 --separate-stderr keyswap --known-peers kp --forget bob
	[ $((SECONDS - start)) -ge 1 ]
	wait "$holder"
	[ "$(cat kp)" = "carol $ALICE_FP" ]
}

@test "after --forget, a peer whose identity changed is recorded anew" {
	printf 'bob %s\n' "$(fingerprint "$FIXTURES/carol.pub")" >kp
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 1 ]
	grep -q 'REMOTE IDENTITY HAS CHANGED' alice.err
	grep -qF -- "--known-peers kp --forget bob" alice.err
	run -0 --separate-stderr keyswap --known-peers kp --forget bob
	pair --known-peers kp --name bob -- --accept-any
	[ "$astatus" -eq 0 ]
	grep -qF "first contact with 'bob': recorded $BOB_FP in kp" alice.err
	[ "$(cat kp)" = "bob $BOB_FP" ]
}

# github.keys: carol's RSA key, an ed25519 key and alice's RSA key, as
# https://github.com/NAME.keys serves them (type and base64, no comment).
github_keys() {
	ssh-keygen -q -t ed25519 -N '' -f ed
	{ ssh_line "$FIXTURES/carol.pub"; cut -d' ' -f1,2 ed.pub
	  ssh_line "$FIXTURES/alice.pub"; } >"$1"
}

@test "--peer takes a GitHub-style .keys file: a peer proving its second RSA key is accepted under the file's name, the ed25519 line skipped with FILE:LINE" {
	github_keys alice.keys
	pair --accept-any -- --peer alice.keys --peer-name-out who
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	assert_same_file alice.ctx bob.ctx
	[ "$(cat who)" = alice ]
	grep -qxF "keyswap: alice.keys:2: skipping the ssh-ed25519 key: keyswap identities are RSA" bob.err
	grep -qxF "keyswap: peer identity $ALICE_FP is 'alice' (alice.keys:3)" bob.err
	[ "$(grep -c 'skipping' bob.err)" -eq 1 ]
}

@test "--peer with a .keys file refuses a peer whose key is not in it, in the mismatch message's words" {
	ssh-keygen -q -t rsa -b 2048 -N '' -f other
	ssh-keygen -q -t ed25519 -N '' -f ed
	{ cut -d' ' -f1,2 other.pub; cut -d' ' -f1,2 ed.pub
	  ssh_line "$FIXTURES/carol.pub"; } >dave.keys
	pair --accept-any -- --peer dave.keys --peer-name-out who
	[ "$bstatus" -eq 1 ]
	grep -qxF "keyswap: peer identity $ALICE_FP" bob.err
	grep -qxF "keyswap: peer identity does not match --peer (expected one of the 2 keys of dave.keys, got $ALICE_FP)" bob.err
	[ "$astatus" -eq 1 ]
	grep -q 'keyswap: peer refused the exchange$' alice.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx who
	# One RSA key in the file: the message names it, as for a .pub.
	ssh_line "$FIXTURES/carol.pub" >carol.keys
	rm -f a2b b2a && mkfifo a2b b2a
	pair --accept-any -- --peer carol.keys
	[ "$bstatus" -eq 1 ]
	grep -qxF "keyswap: peer identity does not match --peer (expected $(fingerprint "$FIXTURES/carol.pub"), got $ALICE_FP)" bob.err
}

@test "--peer takes an authorized_keys file: options, comments, blank lines and CRLF" {
	ssh-keygen -q -t ecdsa -N '' -f ec
	{ printf '# the keys that may log in\r\n\r\n'
	  printf 'restrict,command="echo \\"hi\\"" %s carol@laptop\r\n' \
	      "$(ssh_line "$FIXTURES/carol.pub")"
	  printf 'from="10.0.0.1" %s\r\n' "$(cut -d' ' -f1,2 ec.pub)"
	  printf 'from="10.0.0.1,10.0.0.2",no-pty %s alice@desk\r\n' \
	      "$(ssh_line "$FIXTURES/alice.pub")"; } >authorized_keys
	pair --accept-any -- --peer authorized_keys --peer-name-out who
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ "$(cat who)" = authorized_keys ]
	grep -qxF "keyswap: authorized_keys:4: skipping the ecdsa-sha2-nistp256 key: keyswap identities are RSA" bob.err
	grep -qxF "keyswap: peer identity $ALICE_FP is 'authorized_keys' (authorized_keys:5)" bob.err
}

@test "--allowed-keys DIR: a client proving any RSA key of NAME.keys is NAME; a client in no file is refused as not on the allow list" {
	mkdir keys
	github_keys keys/alice.keys
	ssh_line "$FIXTURES/carol.pub" >keys/carol.keys
	echo 'not a key file' >keys/README
	pair --accept-any -- --allowed-keys keys --peer-name-out who
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	assert_same_file alice.ctx bob.ctx
	[ "$(cat who)" = alice ]
	grep -qxF "keyswap: keys/alice.keys:2: skipping the ssh-ed25519 key: keyswap identities are RSA" bob.err
	grep -qxF "keyswap: peer is 'alice' (keys/alice.keys:3)" bob.err
	# Without alice's file she is on no list: verdict 02, told why.
	rm keys/alice.keys alice.ctx alice-got.pem bob.ctx bob-got.pem who
	pair --accept-any -- --allowed-keys keys --peer-name-out who
	[ "$bstatus" -eq 1 ]
	grep -qxF "keyswap: client $ALICE_FP is not on the allow list keys" bob.err
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: peer refused: this identity ($ALICE_FP) is not on its allow list" alice.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx who
}

@test "a --peer or --allowed-keys file with no RSA key, a bad line or no NAME.keys file is status 2 before anything is sent" {
	ssh-keygen -q -t ed25519 -N '' -f ed
	cut -d' ' -f1,2 ed.pub >ed.keys
	run -2 --separate-stderr keyswap "${BOB[@]}" --peer ed.keys </dev/null
	[ "${stderr_lines[0]}" = "keyswap: ed.keys:1: skipping the ssh-ed25519 key: keyswap identities are RSA" ]
	[ "${stderr_lines[1]}" = "keyswap: ed.keys: no RSA public key in the file" ]
	[ -z "$output" ] # nothing sent
	mkdir keys
	cp ed.keys keys/ed.keys
	run -2 --separate-stderr keyswap "${BOB[@]}" --allowed-keys keys </dev/null
	[ "${stderr_lines[1]}" = "keyswap: keys/ed.keys: no RSA public key in the file" ]
	[ -z "$output" ]
	printf '%s\nssh-rsa AAAA!!!! x\n' "$(ssh_line "$FIXTURES/carol.pub")" >bad.keys
	run -2 --separate-stderr keyswap "${BOB[@]}" --peer bad.keys </dev/null
	assert_one_line_error keyswap 'bad.keys:2: '
	rm keys/ed.keys
	run -2 --separate-stderr keyswap "${BOB[@]}" --allowed-keys keys </dev/null
	assert_one_line_error keyswap 'keys: no NAME.keys file in the directory'
	run -2 --separate-stderr keyswap "${BOB[@]}" --allowed-keys missing </dev/null
	assert_one_line_error keyswap 'cannot read missing'
	run -2 --separate-stderr keyswap "${BOB[@]}" --allowed-keys keys \
	    --peer "$FIXTURES/alice.pub" </dev/null
	assert_one_line_error keyswap 'exclude each other'
	assert_nothing_written bob-got.pem bob.ctx
}
