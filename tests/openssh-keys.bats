#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Keys people already have: OpenSSH's private key format and its KDF.
# shellcheck disable=SC2154 # stderr is set by bats' run --separate-stderr.

bats_require_minimum_version 1.5.0
load test_helper

@test "Blowfish and bcrypt_pbkdf match the published known answers and libgcrypt's Blowfish" {
	make -s -C "$RSAPIPE_ROOT" tests/unit/bcrypt-test >/dev/null
	run -0 "$RSAPIPE_ROOT/tests/unit/bcrypt-test"
	[ "$output" = "blowfish and bcrypt_pbkdf: all known answers match" ]
}

@test "the Blowfish initial state is the digits of pi, as scripts/blowfish-pi.py computes them" {
	command -v python3 >/dev/null || skip "needs python3"
	run -0 python3 "$RSAPIPE_ROOT/scripts/blowfish-pi.py"
	diff <(printf '%s\n' "$output") "$RSAPIPE_ROOT/lib/crypto/blowfish_pi.h"
}

# ssh_key NAME [ssh-keygen option...]: an RSA key made by ssh-keygen, as a
# person makes it, with passphrase "correct horse" when -N is not given.
ssh_key() {
	local name=$1
	shift
	ssh-keygen -q -t rsa -b 2048 -C "$name@example" -N 'correct horse' -f "$name" "$@"
	printf 'correct horse\n' >pass
}

fp_of() {
	ssh-keygen -l -E sha256 -f "$1" | cut -d' ' -f2
}

@test "an unencrypted OpenSSH key decrypts what its ssh-rsa public key received, and fingerprints agree" {
	ssh-keygen -q -t rsa -b 2048 -N '' -C plain -f id_rsa
	echo "to the ssh key" | rsa-encrypt -r id_rsa.pub >msg
	run -0 rsa-decrypt -i id_rsa msg
	[ "$output" = "to the ssh key" ]
	[ "$(rsa-keygen -l id_rsa | cut -d' ' -f2)" = "$(fp_of id_rsa)" ]
	[ "$(rsa-keygen -l id_rsa.pub | cut -d' ' -f2)" = "$(fp_of id_rsa)" ]
	# -y gives the public key of the private one, as openssl sees it.
	rsa-keygen -y id_rsa >spki.pem
	ssh-keygen -e -m PKCS8 -f id_rsa.pub >ssh-spki.pem
	diff spki.pem ssh-spki.pem
}

@test "every cipher ssh-keygen -Z offers, with its default and other -a rounds, decrypts and signs" {
	echo "secret" | rsa-encrypt -r "$FIXTURES/bob.pub" >/dev/null  # warm
	for cipher in aes256-ctr aes128-ctr aes192-ctr aes128-cbc aes192-cbc \
	    aes256-cbc 3des-cbc aes128-gcm@openssh.com aes256-gcm@openssh.com \
	    chacha20-poly1305@openssh.com; do
		for rounds in 1 16; do
			rm -f k k.pub
			ssh_key k -Z "$cipher" -a "$rounds"
			echo "$cipher $rounds" | rsa-encrypt -r k.pub -s k \
				--passphrase-file pass >msg
			run -0 rsa-decrypt -i k --passphrase-file pass --from k.pub msg
			[ "$output" = "$cipher $rounds" ] || {
				echo "failed: $cipher -a $rounds" >&2; return 1; }
		done
		[ "$(rsa-keygen -l k | cut -d' ' -f2)" = "$(fp_of k)" ]
	done
}

@test "a wrong passphrase for an OpenSSH key: exit 2, 'wrong passphrase', naming the file" {
	ssh_key id_rsa
	echo "not it" >wrong
	echo x | rsa-encrypt -r id_rsa.pub >msg
	run -2 --separate-stderr rsa-decrypt -i id_rsa --passphrase-file wrong msg
	assert_one_line_error rsa-decrypt "^rsa-decrypt: id_rsa: wrong passphrase$"
	[ -z "$output" ]
	ssh_key gcm -Z aes256-gcm@openssh.com
	run -2 --separate-stderr rsa-keygen -y --passphrase-file wrong gcm
	[[ $stderr == *"gcm: wrong passphrase" ]] || [ "$status" -ne 2 ]
	run -2 --separate-stderr rsa-encrypt -r id_rsa.pub -s gcm --passphrase-file wrong </dev/null
	[[ $stderr == *"wrong passphrase"* ]]
}

@test "the passphrase prompt on the terminal names the key file" {
	ssh_key id_rsa
	echo "prompted" | rsa-encrypt -r id_rsa.pub >msg
	answer_prompt "$RSAPIPE_ROOT/tools/rsa-decrypt -i id_rsa msg >out" \
		"Enter passphrase for key 'id_rsa':" 'correct horse'
	[ "$(cat status)" = 0 ]
	[ "$(cat out)" = prompted ]
}

@test "the public half of an encrypted OpenSSH key needs no passphrase" {
	ssh_key id_rsa
	run -0 --separate-stderr rsa-keygen -l id_rsa </dev/null
	[ "$(echo "$output" | cut -d' ' -f2)" = "$(fp_of id_rsa)" ]
	echo "to a private key file as recipient" | rsa-encrypt -r id_rsa >msg
	run -0 rsa-decrypt -i id_rsa --passphrase-file pass msg
	[ "$output" = "to a private key file as recipient" ]
}

@test "keyswap takes an encrypted OpenSSH identity" {
	ssh_key alice_id -Z chacha20-poly1305@openssh.com
	ssh-keygen -q -t rsa -b 2048 -N '' -f bob_id
	rsa-keygen -b 2048 -o a_s.pem 2>/dev/null
	rsa-keygen -b 2048 -o b_s.pem 2>/dev/null
	mkfifo ab ba
	keyswap --identity alice_id --passphrase-file pass --session-key a_s.pem \
		--peer bob_id.pub --peer-out a_peer.pub --session-out a_ctx \
		<ba >ab 2>a_err 3>&- &
	a=$!
	# Not under "run": its output capture would take the connection.
	keyswap --identity bob_id --session-key b_s.pem \
		--peer alice_id.pub --peer-out b_peer.pub --session-out b_ctx \
		>ba <ab 2>b_err
	wait "$a"
	cmp a_ctx b_ctx
}

@test "non-RSA OpenSSH keys are refused by name" {
	ssh-keygen -q -t ed25519 -N '' -f ed
	run -2 --separate-stderr rsa-decrypt -i ed </dev/null
	assert_one_line_error rsa-decrypt "not an RSA key \(ssh-ed25519\)"
	ssh-keygen -q -t ecdsa -N '' -f ec
	run -2 --separate-stderr rsa-keygen -l ec
	assert_one_line_error rsa-keygen "not an RSA key \(ecdsa-sha2-nistp256\)"
}

@test "a damaged OpenSSH key is refused, never half-read" {
	ssh-keygen -q -t rsa -b 2048 -N '' -f id_rsa
	# Cut the base64 body short, and flip a byte of the private section.
	head -n 10 id_rsa >cut.pem
	echo "-----END OPENSSH PRIVATE KEY-----" >>cut.pem
	run -2 --separate-stderr rsa-keygen -y cut.pem
	assert_one_line_error rsa-keygen
	python3 - <<'PY'
import base64
lines = open("id_rsa").read().splitlines()
blob = bytearray(base64.b64decode("".join(lines[1:-1])))
blob[-60] ^= 1
b64 = base64.b64encode(bytes(blob)).decode()
open("flipped", "w").write(lines[0] + "\n" + "\n".join(b64[i:i+70] for i in range(0, len(b64), 70)) + "\n" + lines[-1] + "\n")
PY
	run -2 --separate-stderr rsa-decrypt -i flipped </dev/null
	assert_one_line_error rsa-decrypt
}
