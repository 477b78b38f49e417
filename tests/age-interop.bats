#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# age interoperability: files made by the age program (Debian's age)
# open with rsa-decrypt, and files made by rsa-encrypt --age open with
# age -d, for ssh-rsa and X25519 recipients, binary and armored, at the
# sizes where STREAM's chunking has its edges.

bats_require_minimum_version 1.5.0
load test_helper

# Empty, one full chunk, one full chunk and a byte, many chunks.
SIZES="0 65536 65537 10485760"

setup_file() {
	command -v age >/dev/null && command -v age-keygen >/dev/null ||
		{ echo "the age package is needed" >&2; return 1; }
	KEYS="$BATS_FILE_TMPDIR/keys"
	mkdir -p "$KEYS"
	ssh-keygen -q -t rsa -b 2048 -N '' -C alice@example -f "$KEYS/id_rsa"
	age-keygen -o "$KEYS/age.key" 2>/dev/null
	age-keygen -y "$KEYS/age.key" >"$KEYS/age.pub"
	for n in $SIZES; do
		head -c "$n" /dev/urandom >"$KEYS/plain.$n"
	done
	export KEYS
}

setup() {
	common_setup
}

@test "age -R id_rsa.pub | rsa-decrypt -i id_rsa, at 0, 64 KiB, 64 KiB+1 and 10 MB" {
	for n in $SIZES; do
		age -R "$KEYS/id_rsa.pub" -o f.age "$KEYS/plain.$n"
		run -0 --separate-stderr rsa-decrypt -i "$KEYS/id_rsa" -o out f.age
		assert_same_file out "$KEYS/plain.$n"
		[ -z "$stderr" ]
	done
}

@test "rsa-encrypt --age -r id_rsa.pub | age -d -i id_rsa, at 0, 64 KiB, 64 KiB+1 and 10 MB" {
	for n in $SIZES; do
		rsa-encrypt --age -r "$KEYS/id_rsa.pub" -o f.age "$KEYS/plain.$n"
		[ "$(head -n 1 f.age)" = "age-encryption.org/v1" ]
		grep -aq '^-> ssh-rsa ' f.age
		# (age -d -o creates its file at the first byte: none for 0 B.)
		age -d -i "$KEYS/id_rsa" f.age >out
		assert_same_file out "$KEYS/plain.$n"
	done
}

@test "age -r age1... | rsa-decrypt -i age.key (X25519), at every size" {
	for n in $SIZES; do
		age -r "$(cat "$KEYS/age.pub")" -o f.age "$KEYS/plain.$n"
		rsa-decrypt -i "$KEYS/age.key" -o out f.age
		assert_same_file out "$KEYS/plain.$n"
	done
}

@test "rsa-encrypt --age -r age1... | age -d -i age.key (X25519), at every size" {
	for n in $SIZES; do
		rsa-encrypt --age -r "$(cat "$KEYS/age.pub")" -o f.age "$KEYS/plain.$n"
		grep -aq '^-> X25519 ' f.age
		age -d -i "$KEYS/age.key" f.age >out
		assert_same_file out "$KEYS/plain.$n"
	done
}

@test "armor both ways: age -a to rsa-decrypt, rsa-encrypt --age -a to age -d" {
	for n in 0 65537; do
		age -a -R "$KEYS/id_rsa.pub" -o f.age "$KEYS/plain.$n"
		rsa-decrypt -i "$KEYS/id_rsa" -o out f.age
		assert_same_file out "$KEYS/plain.$n"

		rsa-encrypt --age -a -r "$(cat "$KEYS/age.pub")" -o g.age "$KEYS/plain.$n"
		[ "$(head -n 1 g.age)" = "-----BEGIN AGE ENCRYPTED FILE-----" ]
		[ "$(tail -n 1 g.age)" = "-----END AGE ENCRYPTED FILE-----" ]
		# Lines of exactly 64 columns but the last of the body.
		refute grep -qv '^.\{64\}$' <<<"$(sed '1d;$d' g.age | sed '$d')"
		age -d -i "$KEYS/age.key" g.age >out2
		assert_same_file out2 "$KEYS/plain.$n"
	done
}

@test "one age file to several recipients: each opens it, with age and with rsa-decrypt" {
	ssh-keygen -q -t rsa -b 2048 -N '' -f bob
	rsa-encrypt --age -r "$KEYS/id_rsa.pub" -r "$(cat "$KEYS/age.pub")" \
		-r bob.pub -o f.age "$KEYS/plain.65537"
	[ "$(grep -ac '^-> ' f.age)" -eq 3 ]
	for key in "$KEYS/id_rsa" "$KEYS/age.key" bob; do
		age -d -i "$key" f.age >out
		assert_same_file out "$KEYS/plain.65537"
		rm out
		rsa-decrypt -i "$key" -o out f.age
		assert_same_file out "$KEYS/plain.65537"
		rm out
	done
}

@test "a recipients file mixes ssh-rsa and age1 lines; other key types are skipped with a warning" {
	ssh-keygen -q -t ed25519 -N '' -f ed
	{
		echo '# team'
		cat "$KEYS/id_rsa.pub"
		cat ed.pub
		cat "$KEYS/age.pub"
	} >team.txt
	run -0 --separate-stderr rsa-encrypt --age -R team.txt -o f.age "$KEYS/plain.0"
	[ "$stderr" = "rsa-encrypt: team.txt:3: skipping the ssh-ed25519 key: --age writes to ssh-rsa and age1 keys only" ]
	age -d -i "$KEYS/id_rsa" f.age >/dev/null
	age -d -i "$KEYS/age.key" f.age >/dev/null
	# age reads the same file as its recipients file (it knows ed25519).
	age -R team.txt -o g.age "$KEYS/plain.0"
	rsa-decrypt -i "$KEYS/age.key" g.age >/dev/null
}

@test "an ssh-rsa key given as a string, as age takes it" {
	rsa-encrypt --age -r "$(cat "$KEYS/id_rsa.pub")" -o f.age "$KEYS/plain.65536"
	age -d -i "$KEYS/id_rsa" f.age >out
	assert_same_file out "$KEYS/plain.65536"
}

@test "a passphrase-protected OpenSSH key opens what age -R sent to it" {
	ssh-keygen -q -t rsa -b 2048 -N 'correct horse' -f locked
	printf 'correct horse\n' >pass
	age -R locked.pub -o f.age "$KEYS/plain.65537"
	rsa-decrypt -i locked --passphrase-file pass -o out f.age
	assert_same_file out "$KEYS/plain.65537"
}

@test "the wrong key: status 1, no identity matches, nothing written" {
	ssh-keygen -q -t rsa -b 2048 -N '' -f other
	age-keygen -o other.key 2>/dev/null
	age -R "$KEYS/id_rsa.pub" -r "$(cat "$KEYS/age.pub")" -o f.age "$KEYS/plain.65537"
	for key in other other.key; do
		run -1 --separate-stderr rsa-decrypt -i "$key" -o out f.age
		assert_one_line_error rsa-decrypt 'no identity matches'
		[ ! -e out ]
		run -1 --separate-stderr rsa-decrypt -i "$key" f.age
		[ -z "$output" ]
	done
}

@test "a tampered chunk: status 1, only the chunks before it released, -o leaves nothing" {
	age -r "$(cat "$KEYS/age.pub")" -o f.age "$KEYS/plain.10485760"
	size=$(stat -c %s f.age)
	# Flip a byte in the last chunk (the last 16 bytes are its tag).
	printf 'x' | dd of=f.age bs=1 seek=$((size - 100)) conv=notrunc status=none
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out f.age
	assert_one_line_error rsa-decrypt 'age payload:'
	[ ! -e out ]
	rsa-decrypt -i "$KEYS/age.key" f.age >part && exit 1
	# 10 MB is 160 full chunks: all but the tampered last one verified.
	[ "$(stat -c %s part)" -eq $((160 * 65536 - 65536)) ]
	cmp -s part <(head -c $((159 * 65536)) "$KEYS/plain.10485760")
}

@test "a truncated age file: status 1, and -o leaves nothing" {
	age -r "$(cat "$KEYS/age.pub")" -o f.age "$KEYS/plain.65537"
	head -c 65600 f.age >cut.age
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" -o out cut.age
	assert_one_line_error rsa-decrypt 'age payload:'
	[ ! -e out ]
}

@test "age files refuse what only rsapipe streams have: -s, --session, --from, --stop-at-final" {
	run -2 --separate-stderr rsa-encrypt --age -r "$KEYS/id_rsa.pub" \
		-s "$KEYS/id_rsa" "$KEYS/plain.0"
	assert_one_line_error rsa-encrypt '-s cannot be used with --age'
	head -c 32 /dev/urandom >session
	run -2 --separate-stderr rsa-encrypt --age -r "$KEYS/id_rsa.pub" \
		--session session "$KEYS/plain.0"
	assert_one_line_error rsa-encrypt '--session cannot be used with --age'
	age -R "$KEYS/id_rsa.pub" -o f.age "$KEYS/plain.0"
	run -2 --separate-stderr rsa-decrypt -i "$KEYS/id_rsa" --from "$KEYS/id_rsa.pub" f.age
	assert_one_line_error rsa-decrypt '--from cannot be used with an age file'
	run -2 --separate-stderr rsa-decrypt -i "$KEYS/id_rsa" --session session f.age
	assert_one_line_error rsa-decrypt '--session cannot be used with an age file'
	run -2 --separate-stderr rsa-decrypt -i "$KEYS/id_rsa" --stop-at-final f.age
	assert_one_line_error rsa-decrypt '--stop-at-final cannot be used with an age file'
}

@test "an age1 recipient without --age, and an age identity for an rsapipe stream, are refused" {
	run -2 --separate-stderr rsa-encrypt -r "$(cat "$KEYS/age.pub")" "$KEYS/plain.0"
	assert_one_line_error rsa-encrypt 'an age recipient needs --age'
	rsa-keygen -q -b 2048 -o rsa
	rsa-encrypt -r rsa.pub -o s.rp "$KEYS/plain.0"
	run -2 --separate-stderr rsa-decrypt -i "$KEYS/age.key" s.rp
	assert_one_line_error rsa-decrypt 'an rsapipe stream needs an RSA private key'
	rsa-encrypt -a -r rsa.pub -o s.asc "$KEYS/plain.0"
	run -2 --separate-stderr rsa-decrypt -i "$KEYS/age.key" s.asc
	assert_one_line_error rsa-decrypt 'an rsapipe stream needs an RSA private key'
}

@test "rsapipe streams are unchanged: the same keys still make and open them" {
	rsa-encrypt -r "$KEYS/id_rsa.pub" -o s.rp "$KEYS/plain.65537"
	[ "$(head -c 21 s.rp)" != "age-encryption.org/v1" ]
	rsa-decrypt -i "$KEYS/id_rsa" -o out s.rp
	assert_same_file out "$KEYS/plain.65537"
}

@test "a scrypt work factor above 2^22 is refused before any passphrase is asked" {
	# A well-formed header whose one stanza asks for N = 2^23 (age's cap is
	# 22); the MAC and the payload never get looked at.
	{
		printf 'age-encryption.org/v1\n'
		printf -- '-> scrypt %s 23\n' AAAAAAAAAAAAAAAAAAAAAA
		printf '%s\n' AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
		printf -- '--- %s\n' AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
		head -c 16 /dev/zero
	} >costly.age
	# No -i, no passphrase source, no terminal: a prompt would fail apart.
	run -1 --separate-stderr setsid -w rsa-decrypt -o out costly.age
	assert_one_line_error rsa-decrypt 'age header: scrypt work factor 23 is above the cap of 22$'
	[ ! -e out ]
	# The same stanza at 22 gets as far as the passphrase.
	sed -i '2s/ 23$/ 22/' costly.age
	run -2 --separate-stderr setsid -w rsa-decrypt -o out costly.age
	[[ $stderr != *"work factor"* ]]
}

@test "with only an age identity, input that is no age file is named as such" {
	echo 'not encrypted at all' >plain.txt
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" plain.txt
	assert_one_line_error rsa-decrypt 'age header: not an age file$'
	printf 'Subject: the file\n\n-----BEGIN AGE ENCRYPTED FILE-----\n' >mail.txt
	run -1 --separate-stderr rsa-decrypt -i "$KEYS/age.key" mail.txt
	assert_one_line_error rsa-decrypt '^rsa-decrypt: age armor: '
}
