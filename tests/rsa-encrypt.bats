#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# rsa-encrypt: streams anything to one or more RSA keys, one record per
# read, readable by rsa-decrypt and, at the key layer, by OpenSSL.

load test_helper
bats_require_minimum_version 1.5.0


OAEP_LABEL_HEX=$(printf rsapipe/v1 | od -An -tx1 | tr -d ' \n')

# round_trip FILE RECIPIENT-ARGS... : encrypt FILE, decrypt with bob.pem.
round_trip() {
	local in=$1
	shift
	rsa-encrypt "$@" "$in" > "$in.rsp"
	rsa-decrypt -i "$FIXTURES/bob.pem" "$in.rsp" > "$in.out"
	cmp "$in" "$in.out"
}

@test "HKDF-SHA256 matches RFC 5869 test cases 1 to 3" {
	make -s -C "$RSAPIPE_ROOT" tests/unit/hkdf-test >/dev/null
	run -0 "$RSAPIPE_ROOT/tests/unit/hkdf-test"
	[ "$output" = "RFC 5869 test cases 1-3: ok" ]
}

@test "round-trips empty, small, record-sized and 10 MiB inputs" {
	local n
	for n in 0 1 65535 65536 65537; do
		head -c "$n" /dev/urandom > "in.$n"
		round_trip "in.$n" -r "$FIXTURES/bob.pub"
	done
	head -c 10485760 /dev/urandom > in.big
	round_trip in.big -r "$FIXTURES/bob.pub"
	# A file streams in whole 64 KiB records: 160 of them and the final.
	[ "$(python3 "$RSAPIPE_ROOT/tests/streamtool.py" layout in.big.rsp |
	    grep -c '^record .* 65536 more$')" -eq 160 ]
}

@test "every recipient of a 2- and a 5-recipient stream can decrypt it" {
	printf 'to all of you\n' > msg
	rsa-encrypt -r "$FIXTURES/alice.pub" -r "$FIXTURES/bob.pub" msg > two.rsp
	rsa-decrypt -i "$FIXTURES/alice.pem" two.rsp | cmp - msg
	rsa-decrypt -i "$FIXTURES/bob.pem" two.rsp | cmp - msg
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/carol.pem" two.rsp
	assert_one_line_error rsa-decrypt 'not encrypted to this key'
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dave.pem 2>/dev/null
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out erin.pem 2>/dev/null
	rsa-encrypt -r "$FIXTURES/alice.pub" -r "$FIXTURES/bob.pub" \
	    -r "$FIXTURES/carol.pub" -r dave.pem -r erin.pem msg > five.rsp
	for k in "$FIXTURES/alice.pem" "$FIXTURES/bob.pem" "$FIXTURES/carol.pem" \
	    dave.pem erin.pem; do
		rsa-decrypt -i "$k" five.rsp | cmp - msg
	done
}

@test "accepts SPKI, PKCS#1, ssh-rsa and private key files as recipients" {
	printf 'key forms\n' > msg
	openssl rsa -in "$FIXTURES/bob.pem" -RSAPublicKey_out -out bob.pkcs1 2>/dev/null
	grep -q 'BEGIN RSA PUBLIC KEY' bob.pkcs1
	cp "$FIXTURES/bob.pem" bob.pem && chmod 600 bob.pem
	ssh-keygen -y -f bob.pem > bob.ssh
	grep -q '^ssh-rsa ' bob.ssh
	for k in "$FIXTURES/bob.pub" bob.pkcs1 bob.ssh "$FIXTURES/bob.pem"; do
		round_trip msg -r "$k"
	done
}

@test "armor is PEM-style and round-trips" {
	head -c 5000 /dev/urandom > msg
	rsa-encrypt -a -r "$FIXTURES/bob.pub" msg > msg.asc
	[ "$(head -1 msg.asc)" = "-----BEGIN RSAPIPE MESSAGE-----" ]
	[ "$(tail -1 msg.asc)" = "-----END RSAPIPE MESSAGE-----" ]
	refute env LC_ALL=C grep -q '[^A-Za-z0-9+/=-]' <(sed '1d;$d' msg.asc)
	rsa-decrypt -i "$FIXTURES/bob.pem" msg.asc | cmp - msg
}

@test "reads stdin and a file argument alike, and -o writes a file" {
	printf 'either way\n' > msg
	rsa-encrypt -r "$FIXTURES/bob.pub" < msg > a.rsp
	rsa-encrypt -r "$FIXTURES/bob.pub" -o b.rsp msg
	rsa-encrypt -r "$FIXTURES/bob.pub" -o c.rsp - < msg
	for f in a.rsp b.rsp c.rsp; do
		rsa-decrypt -i "$FIXTURES/bob.pem" "$f" | cmp - msg
	done
	# Fresh salt and file key each time.
	refute cmp -s a.rsp b.rsp
}

@test "-o leaves nothing behind when encryption fails midway" {
	mkdir adir
	# stdin is a directory: the header is written, then read() fails.
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" -o out.rsp - < adir
	assert_one_line_error rsa-encrypt 'read stdin'
	[ ! -e out.rsp ]
	[ -z "$(find . -maxdepth 1 -name '*rsapipe-tmp*')" ]
}

@test "-s and --session produce a stream that needs them to verify" {
	head -c 32 /dev/urandom > session.bin
	printf 'signed and bound\n' > msg
	rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pem" \
	    --session session.bin msg > s.rsp
	rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" \
	    --session session.bin s.rsp | cmp - msg
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" s.rsp
	assert_one_line_error rsa-decrypt 'bound to a session'
}

@test "OpenSSL recovers the file key from a stanza, and it keys the header MAC" {
	printf 'interop\n' > msg
	rsa-encrypt -r "$FIXTURES/alice.pub" -r "$FIXTURES/bob.pub" msg > s.rsp
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" stanza s.rsp 1 stanza.bin
	[ "$(wc -c < stanza.bin)" -eq 256 ]
	openssl pkeyutl -decrypt -inkey "$FIXTURES/bob.pem" -in stanza.bin \
	    -out file.key -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -pkeyopt rsa_oaep_label:"$OAEP_LABEL_HEX"
	[ "$(wc -c < file.key)" -eq 32 ]
	run -0 python3 "$RSAPIPE_ROOT/tests/streamtool.py" check-mac s.rsp file.key
	[ "$output" = "MAC ok" ]
	# The check is real: another key does not match.
	head -c 32 /dev/urandom > wrong.key
	run -1 python3 "$RSAPIPE_ROOT/tests/streamtool.py" check-mac s.rsp wrong.key
	# Alice's stanza does not open with bob's key, nor with another label.
	python3 "$RSAPIPE_ROOT/tests/streamtool.py" stanza s.rsp 0 stanza0.bin
	run ! openssl pkeyutl -decrypt -inkey "$FIXTURES/bob.pem" -in stanza0.bin \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
	    -pkeyopt rsa_mgf1_md:sha256 -pkeyopt rsa_oaep_label:"$OAEP_LABEL_HEX"
	run ! openssl pkeyutl -decrypt -inkey "$FIXTURES/bob.pem" -in stanza.bin \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
	    -pkeyopt rsa_mgf1_md:sha256
}

@test "a line crosses encrypt | decrypt before more input is written" {
	coproc PIPE { rsa-encrypt -r "$FIXTURES/bob.pub" |
	    rsa-decrypt -i "$FIXTURES/bob.pem"; }
	# bash unsets PIPE_PID as soon as the coproc ends: keep it.
	local line pid=$PIPE_PID
	echo "first line" >&"${PIPE[1]}"
	read -r -t 10 line <&"${PIPE[0]}"
	[ "$line" = "first line" ]
	echo "second line" >&"${PIPE[1]}"
	read -r -t 10 line <&"${PIPE[0]}"
	[ "$line" = "second line" ]
	# shellcheck disable=SC1083,SC2093 # closes the coprocess's input
	exec {PIPE[1]}>&-
	wait "$pid"
}

@test "encrypting and decrypting 256 MiB stays under 8 MiB of memory" {
	if ldd "$(command -v rsa-encrypt)" | grep -q libasan; then
		skip "peak RSS means nothing under AddressSanitizer"
	fi
	head -c 268435456 /dev/zero |
	    /usr/bin/time -f %M -o enc.rss rsa-encrypt -r "$FIXTURES/bob.pub" |
	    /usr/bin/time -f %M -o dec.rss rsa-decrypt -i "$FIXTURES/bob.pem" |
	    wc -c > count
	[ "$(cat count)" -eq 268435456 ]
	echo "peak RSS: encrypt $(cat enc.rss) KiB, decrypt $(cat dec.rss) KiB" >&3
	[ "$(cat enc.rss)" -lt 8192 ]
	[ "$(cat dec.rss)" -lt 8192 ]
}

@test "needs a recipient, and at most 64" {
	run -2 --separate-stderr rsa-encrypt
	assert_one_line_error rsa-encrypt 'recipient'
	local args=()
	for _ in $(seq 65); do args+=(-r "$FIXTURES/bob.pub"); done
	run -2 --separate-stderr rsa-encrypt "${args[@]}"
	assert_one_line_error rsa-encrypt 'too many recipients'
}

@test "a bad key file or option is exit 2" {
	printf 'not a key\n' > bad.pub
	run -2 --separate-stderr rsa-encrypt -r bad.pub
	assert_one_line_error rsa-encrypt 'bad.pub'
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pub"
	assert_one_line_error rsa-encrypt 'alice.pub'
	run -2 --separate-stderr rsa-encrypt --bogus
	# getopt's own message names the bare program, as ours do.
	run -2 --separate-stderr "$RSAPIPE_ROOT/tools/rsa-encrypt" --bogus
	[[ ${stderr%%$'\n'*} == "rsa-encrypt: unrecognized option '--bogus'" ]]
	run -2 --separate-stderr "$RSAPIPE_ROOT/tools/rsa-decrypt" -Z
	[[ ${stderr%%$'\n'*} == "rsa-decrypt: invalid option -- 'Z'" ]]
}

@test "--help and --version go to stdout and exit 0" {
	run -0 rsa-encrypt --help
	[[ $output == *"-r, --recipient PUB"* ]]
	run -0 rsa-encrypt --version
	[[ $output == "rsa-encrypt (rsapipe) "* ]]
}

# ssh_line NAME: the fixture key NAME as an "ssh-rsa AAAA..." line.
ssh_line() {
	ssh-keygen -i -m PKCS8 -f "$FIXTURES/$1.pub"
}

# decrypts_for MSG NAME...: each fixture key NAME decrypts MSG to "hello".
decrypts_for() {
	local msg=$1 k
	shift
	for k in "$@"; do
		[ "$(rsa-decrypt -i "$FIXTURES/$k.pem" "$msg")" = hello ] || {
			echo "$k cannot decrypt $msg" >&2; return 1; }
	done
}

@test "-R reads a GitHub-style keys file: RSA keys used, ed25519 and ecdsa skipped with FILE:LINE" {
	ssh-keygen -q -t ed25519 -N '' -f ed
	ssh-keygen -q -t ecdsa -N '' -f ec
	# https://github.com/USER.keys: type and base64, no comments.
	{ ssh_line alice; cut -d' ' -f1,2 ed.pub; cut -d' ' -f1,2 ec.pub
	  ssh_line bob; } >github.keys
	echo hello >msg.txt
	run -0 --separate-stderr rsa-encrypt -R github.keys -o msg msg.txt
	[ "$(printf '%s\n' "$stderr" | grep -c .)" -eq 2 ]
	[[ $stderr == *"github.keys:2: skipping the ssh-ed25519 key"* ]]
	[[ $stderr == *"github.keys:3: skipping the ecdsa-sha2-nistp256 key"* ]]
	decrypts_for msg alice bob
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/carol.pem" msg
}

@test "-R reads authorized_keys lines with options, comments, blank lines and CRLF; with -r too" {
	{ echo '# the team'
	  echo
	  printf 'from="10.0.0.1",command="echo hi" %s alice@example\n' "$(ssh_line alice)"
	  printf 'no-pty,command="echo \\"a b\\", c",environment="X=1 2" %s bob\r\n' "$(ssh_line bob)"
	  printf '   \t\n'; } >authorized_keys
	echo hello >msg.txt
	run -0 --separate-stderr rsa-encrypt -R authorized_keys -r "$FIXTURES/carol.pub" -o msg msg.txt
	[ -z "$stderr" ]
	decrypts_for msg alice bob carol
	# The same key twice (file and -r) makes one stanza, not two.
	rsa-encrypt -R authorized_keys -r "$FIXTURES/alice.pub" msg.txt >twice
	rsa-encrypt -R authorized_keys msg.txt >once
	[ "$(wc -c <twice)" -eq "$(wc -c <once)" ]
	# And from a base64 SPKI line, as known_peers holds keys.
	sed '/^-----/d' "$FIXTURES/carol.pub" | tr -d '\n' >spki.keys
	echo ' carol' >>spki.keys
	rsa-encrypt -R spki.keys msg.txt >spki.msg
	decrypts_for spki.msg carol
}

@test "-R - reads the recipients from standard input, but not with the plaintext there" {
	echo hello >msg.txt
	ssh_line bob | rsa-encrypt -R - -o msg msg.txt
	decrypts_for msg bob
	run -2 --separate-stderr bash -c 'ssh-keygen -i -m PKCS8 -f "$FIXTURES/bob.pub" | rsa-encrypt -R -'
	assert_one_line_error rsa-encrypt "standard input"
	run -2 --separate-stderr rsa-encrypt -R - -r - msg.txt </dev/null
	assert_one_line_error rsa-encrypt "standard input"
}

@test "-R refuses malformed lines naming FILE:LINE, and a file without an RSA key" {
	line=$(ssh_line alice)
	ssh-keygen -q -t ed25519 -N '' -f ed
	for bad in 'just some text' "${line%????}" "from=\"10.0.0.1 $line" \
	    "from=10.0.0.1 $line" "ssh-rsa" "ssh-ed25519 AAAA" \
	    "$(cut -d' ' -f1 ed.pub) ${line#ssh-rsa }"; do
		printf '# ok\n%s\n%s\n' "$line" "$bad" >bad.keys
		run -2 --separate-stderr rsa-encrypt -R bad.keys </dev/null
		assert_one_line_error rsa-encrypt "^rsa-encrypt: bad.keys:3: " || {
			echo "line: $bad" >&2; return 1; }
	done
	# A 1024-bit RSA key is an error, not a skip.
	openssl pkey -in "$FIXTURES/keys/rsa-1024.pem" -pubout -out small.pub
	{ echo "$line"; ssh-keygen -i -m PKCS8 -f small.pub; } >small.keys
	run -2 --separate-stderr rsa-encrypt -R small.keys </dev/null
	assert_one_line_error rsa-encrypt "small.keys:2: modulus is 1024 bits"
	# Only other types, only comments, empty: no recipient at all.
	cut -d' ' -f1,2 ed.pub >ed.keys
	run -2 --separate-stderr rsa-encrypt -R ed.keys </dev/null
	[[ $stderr == *"ed.keys:1: skipping the ssh-ed25519 key"* ]]
	[[ $stderr == *"rsa-encrypt: ed.keys: no RSA public key in the file" ]]
	printf '# nobody yet\n\n' >none.keys
	run -2 --separate-stderr rsa-encrypt -R none.keys </dev/null
	assert_one_line_error rsa-encrypt "none.keys: no RSA public key"
	run -2 --separate-stderr rsa-encrypt -R missing.keys </dev/null
	assert_one_line_error rsa-encrypt "missing.keys"
}
