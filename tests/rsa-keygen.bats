#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# rsa-keygen: key pairs OpenSSL accepts, files created safely, and the
# -y / -l views of existing keys.  Key generation is slow, so few keys
# are made here; key reading is covered in keys.bats.

load test_helper
bats_require_minimum_version 1.5.0


@test "with no options writes private.pem and public.pem in the current directory" {
	run -0 --separate-stderr rsa-keygen
	[ -z "$output" ]
	[ -f private.pem ] && [ -f public.pem ]
	[ "$(stat -c %a private.pem)" = 600 ]
	grep -q '^-----BEGIN PRIVATE KEY-----$' private.pem
	grep -q '^-----BEGIN PUBLIC KEY-----$' public.pem
	# Default size 3072, e = 65537, accepted by OpenSSL.
	run -0 openssl pkey -in private.pem -check -noout
	openssl pkey -in private.pem -noout -text >text
	grep -q 'Private-Key: (3072 bit, 2 primes)' text
	grep -q 'publicExponent: 65537' text
	run -0 openssl pkey -pubin -in public.pem -noout
	# The public file is the public half of the private one.
	openssl pkey -in private.pem -pubout | cmp - public.pem
	rsa-keygen -y private.pem | cmp - public.pem
	# And OpenSSL writes the private key back byte for byte.
	openssl pkey -in private.pem | cmp - private.pem
}

@test "-o FILE writes FILE and FILE.pub; --public names the public file" {
	mkdir out && cd out
	run -0 --separate-stderr rsa-keygen -b 2048 -o id.pem
	[ "$(stat -c %a id.pem)" = 600 ]
	openssl pkey -in id.pem -pubout | cmp - id.pem.pub
	[ ! -e private.pem ] && [ ! -e public.pem ]
	run -0 --separate-stderr rsa-keygen -b 2048 -o other.pem --public other-public.pem
	openssl pkey -in other.pem -pubout | cmp - other-public.pem
	[ ! -e other.pem.pub ]
	# Nothing else is left in the directory (no temporary files).
	[ "$(ls -A | LC_ALL=C sort | tr '\n' ' ')" = "id.pem id.pem.pub other-public.pem other.pem " ]
}

@test "-b 4096 makes a 4096-bit key" {
	run -0 --separate-stderr rsa-keygen -b 4096 -o big.pem
	run -0 openssl pkey -in big.pem -check -noout
	run -0 --separate-stderr rsa-keygen -l big.pem.pub
	[[ $output == "4096 SHA256:"*" (RSA)" ]]
}

@test "refuses key sizes outside 2048..16384 and non-numbers" {
	for b in 1024 2047 16385 20000 abc 3072x ''; do
		run -2 --separate-stderr rsa-keygen -b "$b"
		assert_one_line_error rsa-keygen "key size must be 2048 to 16384 bits"
	done
	[ ! -e private.pem ] && [ ! -e public.pem ]
}

@test "refuses to overwrite an existing private or public file, before generating" {
	echo precious >private.pem
	run -2 --separate-stderr rsa-keygen
	assert_one_line_error rsa-keygen "private.pem already exists"
	[ "$(cat private.pem)" = precious ]
	[ ! -e public.pem ]
	rm private.pem
	echo precious >public.pem
	run -2 --separate-stderr rsa-keygen
	assert_one_line_error rsa-keygen "public.pem already exists"
	[ "$(cat public.pem)" = precious ]
	[ ! -e private.pem ]
	echo precious >mine.pem
	run -2 --separate-stderr rsa-keygen -o mine.pem
	assert_one_line_error rsa-keygen "mine.pem already exists"
	[ "$(cat mine.pem)" = precious ]
	[ ! -e mine.pem.pub ]
	# A symbolic link is not followed either.
	ln -s /nonexistent/target link.pem
	run -2 --separate-stderr rsa-keygen -o link.pem
	assert_one_line_error rsa-keygen "link.pem already exists"
}

@test "with a passphrase writes encrypted PKCS#8 (scrypt, AES-256-CBC) OpenSSL can read" {
	echo 'correct horse' >pass
	run -0 --separate-stderr rsa-keygen -b 2048 -o enc.pem --passphrase-file pass
	[ "$(stat -c %a enc.pem)" = 600 ]
	grep -q '^-----BEGIN ENCRYPTED PRIVATE KEY-----$' enc.pem
	openssl asn1parse -in enc.pem >asn1
	grep -q ':PBES2' asn1
	grep -q ':scrypt' asn1
	grep -q ':aes-256-cbc' asn1
	# N=16384 r=8 p=1, as openssl pkcs8 -scrypt writes.
	grep -A3 ':scrypt' asn1 | grep -q 'INTEGER *:4000'
	run -0 openssl pkey -in enc.pem -passin file:pass -check -noout
	openssl pkey -in enc.pem -passin file:pass -pubout | cmp - enc.pem.pub
	# We read it back with the right passphrase only.
	rsa-keygen -y --passphrase-file pass enc.pem | cmp - enc.pem.pub
	echo 'battery staple' >wrong
	run -2 --separate-stderr rsa-keygen -y --passphrase-file wrong enc.pem
	assert_one_line_error rsa-keygen "wrong passphrase or corrupt key"
	run -1 openssl pkey -in enc.pem -passin file:wrong -noout
}

@test "--passphrase-fd reads the passphrase from a descriptor" {
	run -0 --separate-stderr bash -c \
	    'echo "fd secret" | rsa-keygen -b 2048 -o fd.pem --passphrase-fd 0'
	run -0 openssl pkey -in fd.pem -passin 'pass:fd secret' -noout
	run -2 --separate-stderr rsa-keygen -b 2048 -o x.pem --passphrase-fd 99
	assert_one_line_error rsa-keygen "passphrase-fd 99"
	run -2 --separate-stderr rsa-keygen -b 2048 -o x.pem --passphrase-fd nine
	assert_one_line_error rsa-keygen "bad --passphrase-fd"
	[ ! -e x.pem ]
}

@test "refuses an empty or unreadable passphrase and writes nothing" {
	mkdir out && cd out
	: >empty
	run -2 --separate-stderr rsa-keygen -o k.pem --passphrase-file empty
	assert_one_line_error rsa-keygen "empty passphrase"
	run -2 --separate-stderr rsa-keygen -o k.pem --passphrase-file missing
	assert_one_line_error rsa-keygen "missing"
	run -2 --separate-stderr setsid -w rsa-keygen -o k.pem --encrypt
	assert_one_line_error rsa-keygen "no terminal"
	[ "$(ls -A)" = empty ]
}

@test "-o - writes the private key to stdout, but never to a terminal" {
	run -0 --separate-stderr rsa-keygen -b 2048 -o - --public pub.pem
	printf '%s\n' "$output" >priv.pem
	openssl pkey -in priv.pem -pubout | cmp - pub.pem
	run -2 script -qec "rsa-keygen -b 2048 -o -" /dev/null
	[[ $output == *"refusing to print a private key to a terminal"* ]]
	[[ $output != *"BEGIN"* ]]
}

@test "-y prints the public key and -l the fingerprint of a fixture key" {
	run -0 --separate-stderr rsa-keygen -y "$FIXTURES/alice.pem"
	[ "$output" = "$(cat "$FIXTURES/alice.pub")" ]
	ssh-keygen -i -m PKCS8 -f "$FIXTURES/alice.pub" >alice.ssh
	want=$(ssh-keygen -l -E sha256 -f alice.ssh | cut -d' ' -f2)
	run -0 --separate-stderr rsa-keygen -l "$FIXTURES/alice.pem"
	[ "$output" = "2048 $want (RSA)" ]
}

@test "--help and --version print to stdout and succeed" {
	run -0 --separate-stderr rsa-keygen --help
	[[ $output == "usage: rsa-keygen"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr rsa-keygen --version
	[[ $output == "rsa-keygen (rsapipe) "* ]]
}

@test "refuses bad usage with exit 2 and the usage on stderr" {
	for args in "-x" "-y -l $FIXTURES/alice.pem" "-y -b 2048 $FIXTURES/alice.pem" \
	    "extra-argument" "-l a b" "-b"; do
		run -2 --separate-stderr rsa-keygen $args
		[ -z "$output" ]
		[[ $stderr == *"usage: rsa-keygen"* ]]
	done
	run -2 --separate-stderr rsa-keygen --passphrase-file a --passphrase-fd 0
	assert_one_line_error rsa-keygen "exclude each other"
	[ ! -e private.pem ]
}
