#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# age keys and recipient stanzas (lib/codec/bech32.c, lib/age/age_stanza.c) at the
# library level: the unit programs, fed with keys from age-keygen and
# files from age, and their files read back by age -d.

bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	command -v age >/dev/null && command -v age-keygen >/dev/null ||
		{ echo "the age package is needed" >&2; return 1; }
	make -s -C "$RSAPIPE_ROOT" tests/unit/bech32-test \
		tests/unit/age-stanza-test >/dev/null
}

# stanza_test KEYFILE: run age-stanza-test with KEYFILE, its recipient,
# files age made for it and for the ssh-rsa fixture, and outputs
# ours.x25519.age and ours.ssh.age.
stanza_test() {
	local key=$1 recipient
	recipient=$(age-keygen -y "$key")
	echo "for us" | age -r "$recipient" -o theirs.x25519.age
	echo "for us" | age -R "$FIXTURES/keys/ssh-rsa.pub" -o theirs.ssh.age
	run -0 "$RSAPIPE_ROOT/tests/unit/age-stanza-test" "$FIXTURES" "$key" \
		"$recipient" theirs.x25519.age theirs.ssh.age \
		ours.x25519.age ours.ssh.age
}

@test "Bech32 matches BIP-173's valid and invalid strings" {
	run -0 "$RSAPIPE_ROOT/tests/unit/bech32-test"
	[[ $output =~ ^Bech32:\ [0-9]+\ checks\ ok$ ]]
}

@test "RFC 7748, RFC 7914 and the stanza rules; age's files unwrap here" {
	age-keygen -o key 2>/dev/null
	stanza_test key
	[[ $output =~ ^age\ stanzas:\ [0-9]+\ checks\ ok$ ]]
}

@test "age -d reads the stanzas wrapped here, X25519 and ssh-rsa" {
	age-keygen -o key 2>/dev/null
	stanza_test key
	run -0 age -d -i key ours.x25519.age
	[ "$output" = "rsapipe age-stanza-test" ]
	install -m 600 "$FIXTURES/keys/ssh-rsa" id_rsa
	run -0 age -d -i id_rsa ours.ssh.age
	[ "$output" = "rsapipe age-stanza-test" ]
	# And not with another identity: the stanzas are really for these.
	age-keygen -o other 2>/dev/null
	run ! age -d -i other ours.x25519.age
}

@test "an age-keygen file with CRLF line ends and extra comments parses" {
	age-keygen -o key 2>/dev/null
	{ echo "# written on Windows"; echo; cat key; } | sed 's/$/\r/' > crlf
	stanza_test crlf
}

@test "a key file with a damaged identity is refused" {
	age-keygen -o key 2>/dev/null
	# Change one character of the Bech32 data: the checksum fails.
	awk '/^AGE-SECRET-KEY-1/ {
		c = substr($0, 20, 1); r = (c == "Q") ? "P" : "Q"
		$0 = substr($0, 1, 19) r substr($0, 21) } { print }' key > bad
	refute cmp -s key bad
	run -1 "$RSAPIPE_ROOT/tests/unit/age-stanza-test" "$FIXTURES" bad \
		"$(age-keygen -y key)" /dev/null /dev/null out1 out2
	[[ $output == *"FAIL: age-keygen file parses"* ]]
}
