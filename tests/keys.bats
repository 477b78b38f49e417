#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Key loading: every form OpenSSL and OpenSSH write is read, everything
# else is refused with exit 2 and one line naming the cause.  Driven
# through rsa-keygen -l (fingerprint) and -y (public half).

load test_helper
bats_require_minimum_version 1.5.0


KEYS="$FIXTURES/keys"

# The fingerprint field of ssh-keygen -l for an SPKI PEM public key.
ssh_fingerprint_of_spki() {
	ssh-keygen -i -m PKCS8 -f "$1" >spki.ssh.pub
	ssh-keygen -l -E sha256 -f spki.ssh.pub | cut -d' ' -f2
}

# Our fingerprint field for a key file.
our_fingerprint() {
	rsa-keygen -l "$@" | cut -d' ' -f2
}

# Wrap DER bytes from stdin as PEM with the given label.
pem_wrap() {
	echo "-----BEGIN $1-----"
	base64 -w 64
	echo "-----END $1-----"
}

@test "fingerprints equal ssh-keygen's for the fixture keys, private and public" {
	for k in alice bob carol; do
		want=$(ssh_fingerprint_of_spki "$FIXTURES/$k.pub")
		run -0 --separate-stderr rsa-keygen -l "$FIXTURES/$k.pub"
		[ "$output" = "2048 $want (RSA)" ]
		run -0 --separate-stderr rsa-keygen -l "$FIXTURES/$k.pem"
		[ "$output" = "2048 $want (RSA)" ]
	done
}

@test "fingerprints of different keys differ" {
	[ "$(our_fingerprint "$FIXTURES/alice.pub")" != \
	    "$(our_fingerprint "$FIXTURES/bob.pub")" ]
}

@test "-y prints the same SPKI PEM as openssl pkey -pubout" {
	openssl pkey -in "$FIXTURES/alice.pem" -pubout -out want.pem
	run -0 --separate-stderr rsa-keygen -y "$FIXTURES/alice.pem"
	[ "$output" = "$(cat want.pem)" ]
	rsa-keygen -y "$FIXTURES/alice.pem" | cmp - "$FIXTURES/alice.pub"
}

@test "reads a PKCS#1 private key (openssl pkey -traditional)" {
	openssl pkey -in "$FIXTURES/bob.pem" -traditional -out rsa.pem
	grep -q 'BEGIN RSA PRIVATE KEY' rsa.pem
	rsa-keygen -y rsa.pem | cmp - "$FIXTURES/bob.pub"
}

@test "reads a PKCS#1 public key (BEGIN RSA PUBLIC KEY)" {
	openssl rsa -pubin -in "$FIXTURES/bob.pub" -RSAPublicKey_out \
	    -out rsapub.pem 2>/dev/null
	grep -q 'BEGIN RSA PUBLIC KEY' rsapub.pem
	[ "$(our_fingerprint rsapub.pem)" = \
	    "$(our_fingerprint "$FIXTURES/bob.pub")" ]
}

@test "reads a key openssl genpkey just made" {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out fresh.pem 2>/dev/null
	openssl pkey -in fresh.pem -pubout -out fresh.pub
	rsa-keygen -y fresh.pem | cmp - fresh.pub
	[ "$(our_fingerprint fresh.pem)" = "$(ssh_fingerprint_of_spki fresh.pub)" ]
}

# round_trip KEY PUB: a message to PUB decrypts with KEY (passphrase in
# the file pass), and KEY's fingerprint is ssh-keygen's for PUB.
round_trip() {
	echo "to $1" | rsa-encrypt -r "$2" >msg
	run -0 --separate-stderr rsa-decrypt -i "$1" --passphrase-file pass msg
	[ "$output" = "to $1" ]
	[ "$(our_fingerprint --passphrase-file pass "$1")" = \
	    "$(ssh_fingerprint_of_spki "$2")" ]
}

@test "reads encrypted PKCS#8 as openssl pkcs8 -topk8 writes it: AES-128/192/256-CBC, PBKDF2-HMAC-SHA1 and SHA256" {
	echo 'correct horse' >pass
	for cipher in aes-128-cbc aes-192-cbc aes-256-cbc; do
		for prf in hmacWithSHA1 hmacWithSHA256 hmacWithSHA512; do
			openssl pkcs8 -topk8 -v2 $cipher -v2prf $prf \
			    -in "$FIXTURES/carol.pem" -passout file:pass \
			    -out enc.pem
			grep -q 'BEGIN ENCRYPTED PRIVATE KEY' enc.pem
			rsa-keygen -y --passphrase-file pass enc.pem |
			    cmp - "$FIXTURES/carol.pub" || {
				echo "failed: $cipher $prf" >&2; return 1; }
		done
		round_trip enc.pem "$FIXTURES/carol.pub"
	done
	# openssl's own default (-topk8 alone), and the passphrase on a
	# descriptor.
	openssl pkcs8 -topk8 -in "$FIXTURES/carol.pem" -passout file:pass \
	    -out default.pem
	round_trip default.pem "$FIXTURES/carol.pub"
	rsa-keygen -y --passphrase-fd 3 default.pem 3<pass |
	    cmp - "$FIXTURES/carol.pub"
}

@test "reads the keys openssl genpkey -aes128/-aes192/-aes256 makes" {
	echo 'correct horse' >pass
	for c in aes128 aes192 aes256; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -$c -pass file:pass -out $c.pem 2>/dev/null
		openssl pkey -in $c.pem -passin file:pass -pubout -out $c.pub
		round_trip $c.pem $c.pub
	done
}

@test "reads a key ssh-keygen -p -m PKCS8 encrypted (AES-128-CBC), with ssh-keygen's fingerprint" {
	echo 'correct horse' >pass
	cp "$KEYS/ssh-rsa" id && chmod 600 id
	ssh-keygen -q -p -N 'correct horse' -m PKCS8 -f id >/dev/null
	grep -q 'BEGIN ENCRYPTED PRIVATE KEY' id
	openssl asn1parse -in id | grep -q aes-128-cbc
	want=$(ssh-keygen -l -E sha256 -f "$KEYS/ssh-rsa.pub" | cut -d' ' -f2)
	[ "$(our_fingerprint --passphrase-file pass id)" = "$want" ]
	echo "to the ssh key" | rsa-encrypt -r "$KEYS/ssh-rsa.pub" >msg
	run -0 --separate-stderr rsa-decrypt -i id --passphrase-file pass msg
	[ "$output" = "to the ssh key" ]
}

@test "reads encrypted PKCS#8 with scrypt and AES-256-CBC or AES-128-CBC" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -scrypt -v2 aes-128-cbc -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out enc128.pem
	round_trip enc128.pem "$FIXTURES/carol.pub"
	openssl pkcs8 -topk8 -scrypt -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out enc.pem
	round_trip enc.pem "$FIXTURES/carol.pub"
	# The public half of an encrypted key also needs the passphrase.
	run -0 --separate-stderr rsa-keygen -l --passphrase-file pass enc.pem
	[ "$output" = "$(rsa-keygen -l "$FIXTURES/carol.pub")" ]
}

@test "refuses a wrong passphrase" {
	echo 'correct horse' >pass
	echo 'battery staple' >wrong
	openssl pkcs8 -topk8 -scrypt -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out scrypt.pem
	openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 \
	    -in "$FIXTURES/carol.pem" -passout file:pass -out pbkdf2.pem
	for f in scrypt.pem pbkdf2.pem; do
		run -2 --separate-stderr rsa-keygen -y --passphrase-file wrong $f
		assert_one_line_error rsa-keygen "$f: wrong passphrase or corrupt key"
		[ -z "$output" ]
	done
}

@test "refuses an encrypted key when no passphrase can be asked" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -scrypt -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out enc.pem
	run -2 --separate-stderr setsid -w rsa-keygen -y enc.pem
	assert_one_line_error rsa-keygen "no terminal.*--passphrase-file"
}

@test "refuses scrypt with r other than 8" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -scrypt -scrypt_N 1024 -scrypt_r 16 -scrypt_p 1 \
	    -in "$FIXTURES/carol.pem" -passout file:pass -out r16.pem
	run -2 --separate-stderr rsa-keygen -y --passphrase-file pass r16.pem
	assert_one_line_error rsa-keygen "scrypt block size r=16"
}

@test "refuses scrypt parameters that would cost too much" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -scrypt -in "$FIXTURES/carol.pem" \
	    -passout file:pass -outform DER -out enc.der
	# p = 1 is the byte after r = 8 (INTEGER 8, INTEGER 1); make it 17.
	python3 - enc.der <<'PY' | pem_wrap 'ENCRYPTED PRIVATE KEY' >costly.pem
import sys
der = open(sys.argv[1], "rb").read()
i = der.index(bytes([2, 1, 8, 2, 1, 1]))
sys.stdout.buffer.write(der[:i + 5] + bytes([17]) + der[i + 6:])
PY
	run -2 --separate-stderr rsa-keygen -y --passphrase-file pass costly.pem
	assert_one_line_error rsa-keygen "scrypt parameters N=16384 p=17 out of bounds"
}

@test "refuses legacy encrypted PEM (Proc-Type) with a hint" {
	openssl rsa -in "$FIXTURES/carol.pem" -traditional -aes256 \
	    -passout pass:secret -out legacy.pem 2>/dev/null
	grep -q Proc-Type legacy.pem
	run -2 --separate-stderr rsa-keygen -y legacy.pem
	assert_one_line_error rsa-keygen "legacy encrypted PEM.*pkcs8"
	# The hint, followed, makes a key we read; legacy.pem is left alone.
	cp legacy.pem before.pem
	echo secret >pass
	openssl pkcs8 -topk8 -in legacy.pem -passin pass:secret \
	    -passout file:pass -out new.pem
	rsa-keygen -y --passphrase-file pass new.pem | cmp - "$FIXTURES/carol.pub"
	cmp legacy.pem before.pem
}

@test "refuses other PKCS#8 encryptions with a hint that leads to a key we read" {
	echo 'correct horse' >pass
	openssl pkcs8 -topk8 -v2 des3 -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out des3.pem
	openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in "$FIXTURES/carol.pem" \
	    -passout file:pass -out pbes1.pem
	for f in des3.pem pbes1.pem; do
		run -2 --separate-stderr rsa-keygen -y --passphrase-file pass $f
		assert_one_line_error rsa-keygen "$f: unsupported key (cipher|encryption).*openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW"
		# Followed (the new passphrase from another file).
		cp pass newpass
		openssl pkcs8 -topk8 -v2 aes-256-cbc -in $f -passin file:pass \
		    -passout file:newpass -out new.pem
		rsa-keygen -y --passphrase-file newpass new.pem |
		    cmp - "$FIXTURES/carol.pub"
	done
}

@test "an ssh-rsa line loads as a public key with ssh-keygen's fingerprint" {
	want=$(ssh-keygen -l -E sha256 -f "$KEYS/ssh-rsa.pub" | cut -d' ' -f2)
	run -0 --separate-stderr rsa-keygen -l "$KEYS/ssh-rsa.pub"
	[ "$output" = "2048 $want (RSA)" ]
	# And from ssh-keygen's output for one of our PEM keys.
	ssh-keygen -i -m PKCS8 -f "$FIXTURES/alice.pub" >alice.ssh
	[ "$(our_fingerprint alice.ssh)" = "$(our_fingerprint "$FIXTURES/alice.pub")" ]
}

@test "reads a PEM private key from ssh-keygen -m PEM" {
	cp "$KEYS/ssh-rsa" id && chmod 600 id
	ssh-keygen -q -p -N '' -m PEM -f id >/dev/null
	want=$(ssh-keygen -l -E sha256 -f "$KEYS/ssh-rsa.pub" | cut -d' ' -f2)
	[ "$(our_fingerprint id)" = "$want" ]
}

@test "reads the OpenSSH private key format (more in openssh-keys.bats)" {
	run -0 rsa-keygen -l "$KEYS/ssh-rsa"
	[ "$(echo "$output" | cut -d' ' -f2)" = "$(ssh-keygen -l -E sha256 -f "$KEYS/ssh-rsa" | cut -d' ' -f2)" ]
}

@test "refuses malformed ssh-rsa lines" {
	line=$(cat "$KEYS/ssh-rsa.pub")
	set -- $line
	printf 'ssh-rsa %s\n' "${2%????}" >truncated.pub
	run -2 --separate-stderr rsa-keygen -l truncated.pub
	assert_one_line_error rsa-keygen "truncated.pub: (bad base64|malformed)"
	printf '%s\n%s\n' "$line" "$line" >two.pub
	run -2 --separate-stderr rsa-keygen -l two.pub
	assert_one_line_error rsa-keygen "two.pub: trailing data"
	# A blob whose type says ssh-dss under an ssh-rsa label.
	printf 'ssh-rsa %s\n' "$(printf '\0\0\0\7ssh-dss\0\0\0\1\3' | base64 -w0)" \
	    >mislabelled.pub
	run -2 --separate-stderr rsa-keygen -l mislabelled.pub
	assert_one_line_error rsa-keygen "mislabelled.pub: malformed ssh-rsa key"
	# Bytes after the modulus inside the blob.
	blob=$(echo "$2" | base64 -d | { cat; printf 'x'; } | base64 -w0)
	printf 'ssh-rsa %s c\n' "$blob" >extra.pub
	run -2 --separate-stderr rsa-keygen -l extra.pub
	assert_one_line_error rsa-keygen "extra.pub: trailing data in the ssh-rsa key"
}

@test "accepts CRLF line endings" {
	sed 's/$/\r/' "$FIXTURES/alice.pem" >crlf.pem
	rsa-keygen -y crlf.pem | cmp - "$FIXTURES/alice.pub"
}

@test "refuses other key types: not an RSA key" {
	openssl pkey -in "$KEYS/ec-p256.pem" -pubout -out ec.pub
	openssl pkey -in "$KEYS/ec-p256.pem" -traditional -out ec-trad.pem
	openssl pkey -in "$KEYS/dsa-2048.pem" -pubout -out dsa.pub
	for f in "$KEYS/ec-p256.pem" ec.pub ec-trad.pem "$KEYS/dsa-2048.pem" \
	    dsa.pub "$KEYS/ed25519.pub" "$KEYS/ecdsa.pub"; do
		run -2 --separate-stderr rsa-keygen -l "$f"
		assert_one_line_error rsa-keygen "not an RSA key"
		[ -z "$output" ]
	done
}

@test "refuses a 1024-bit key, naming its size" {
	run -2 --separate-stderr rsa-keygen -l "$KEYS/rsa-1024.pem"
	assert_one_line_error rsa-keygen "rsa-1024.pem: modulus is 1024 bits"
	openssl pkey -in "$KEYS/rsa-1024.pem" -pubout -out small.pub
	run -2 --separate-stderr rsa-keygen -l small.pub
	assert_one_line_error rsa-keygen "modulus is 1024 bits"
}

@test "refuses an empty file" {
	: >empty.pem
	run -2 --separate-stderr rsa-keygen -l empty.pem
	assert_one_line_error rsa-keygen "empty.pem: empty key file"
}

@test "refuses a truncated PEM file" {
	head -n 10 "$FIXTURES/alice.pem" >cut.pem
	run -2 --separate-stderr rsa-keygen -l cut.pem
	assert_one_line_error rsa-keygen "cut.pem: truncated PEM"
}

@test "refuses a wrong or mismatched PEM label" {
	sed 's/PRIVATE KEY/PRIVATE KEX/g' "$FIXTURES/alice.pem" >label.pem
	run -2 --separate-stderr rsa-keygen -l label.pem
	assert_one_line_error rsa-keygen "label.pem: unexpected PEM label"
	sed 's/END PRIVATE KEY/END PUBLIC KEY/' "$FIXTURES/alice.pem" >end.pem
	run -2 --separate-stderr rsa-keygen -l end.pem
	assert_one_line_error rsa-keygen "end.pem: PEM END label does not match"
	# PKCS#8 bytes under the PKCS#1 label are not a PKCS#1 key.
	sed 's/ PRIVATE KEY/ RSA PRIVATE KEY/' "$FIXTURES/alice.pem" >swap.pem
	run -2 --separate-stderr rsa-keygen -l swap.pem
	assert_one_line_error rsa-keygen "swap.pem: malformed DER"
}

@test "refuses bad base64" {
	sed '3s/^./*/' "$FIXTURES/alice.pem" >star.pem
	run -2 --separate-stderr rsa-keygen -l star.pem
	assert_one_line_error rsa-keygen "star.pem: bad base64"
	# One character short: not a whole number of base64 groups.
	sed '3s/^.//' "$FIXTURES/alice.pem" >short.pem
	run -2 --separate-stderr rsa-keygen -l short.pem
	assert_one_line_error rsa-keygen "short.pem: bad base64"
}

@test "refuses trailing garbage after the PEM block and inside the DER" {
	{ cat "$FIXTURES/alice.pem"; echo junk; } >after.pem
	run -2 --separate-stderr rsa-keygen -l after.pem
	assert_one_line_error rsa-keygen "after.pem: trailing data after the PEM block"
	{ openssl pkey -in "$FIXTURES/alice.pem" -outform DER; printf '\0\0'; } |
	    pem_wrap 'PRIVATE KEY' >inner.pem
	run -2 --separate-stderr rsa-keygen -l inner.pem
	assert_one_line_error rsa-keygen "inner.pem: trailing data after the DER"
	# Whitespace around the block is fine.
	{ echo; cat "$FIXTURES/alice.pem"; printf '\n \n'; } >spaced.pem
	rsa-keygen -y spaced.pem | cmp - "$FIXTURES/alice.pub"
}

@test "refuses a private key whose CRT values are inconsistent" {
	openssl rsa -in "$FIXTURES/alice.pem" -traditional -outform DER \
	    -out key.der 2>/dev/null
	# Flip one bit in each of d, p, q, dP, dQ and qInv (fields 3..8 of
	# the PKCS#1 sequence) in turn.
	for field in 3 4 5 6 7 8; do
		python3 - "$field" key.der >bad.der <<'PY'
import sys
der = bytearray(open(sys.argv[2], "rb").read())
def header(i):
    length = der[i + 1]
    i += 2
    if length & 0x80:
        n = length & 0x7f
        length = int.from_bytes(der[i:i + n], "big")
        i += n
    return i, length
i, _ = header(0)
for _ in range(int(sys.argv[1]) + 1):
    start, length = header(i)
    i = start + length
der[i - 1] ^= 2
sys.stdout.buffer.write(der)
PY
		pem_wrap 'RSA PRIVATE KEY' <bad.der >bad.pem
		run -2 --separate-stderr rsa-keygen -y bad.pem
		assert_one_line_error rsa-keygen "bad.pem: inconsistent private key"
		[ -z "$output" ]
	done
}

@test "refuses a public key where a private key is needed" {
	run -2 --separate-stderr rsa-keygen -y "$FIXTURES/alice.pub"
	assert_one_line_error rsa-keygen "public key; a private key is needed"
	run -2 --separate-stderr rsa-keygen -y "$KEYS/ssh-rsa.pub"
	assert_one_line_error rsa-keygen "OpenSSH public key; a private key is needed"
}

@test "refuses a missing file and a directory" {
	run -2 --separate-stderr rsa-keygen -l nonexistent.pem
	assert_one_line_error rsa-keygen "nonexistent.pem.*No such file"
	mkdir dir.pem
	run -2 --separate-stderr rsa-keygen -l dir.pem
	assert_one_line_error rsa-keygen "dir.pem is a directory"
}

@test "reads the key from stdin when no file or - is given" {
	run -0 --separate-stderr bash -c 'rsa-keygen -l <"$FIXTURES/alice.pub"'
	[ "$output" = "$(rsa-keygen -l "$FIXTURES/alice.pub")" ]
	rsa-keygen -y - <"$FIXTURES/alice.pem" | cmp - "$FIXTURES/alice.pub"
}
