#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# doc/FORMAT.md is enough to write a decoder: tests/independent-decoder.py
# was written from that page alone (Python, no code shared with lib/ or
# streamtool.py), and here it reads the committed vectors and fresh
# rsa-encrypt output, and refuses damaged streams.
bats_require_minimum_version 1.5.0
load test_helper

DECODER="$RSAPIPE_ROOT/tests/independent-decoder.py"
VECTORS="$RSAPIPE_ROOT/tests/vectors"

# Decode into the file "out"; stdout is not captured by run, so binary
# plaintext survives intact.
decode() {
	python3 "$DECODER" "$@" >out
}

# Flip the low bit of the byte at OFFSET of FILE, in place.
flip() {
	python3 -c '
import sys
path, off = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[off] ^= 1
open(path, "wb").write(data)' "$1" "$2"
}

# Header length of a binary stream, from FORMAT.md section 2.
header_length() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
flags, count, p = d[8], d[25], 26
for _ in range(count):
    p += 10 + int.from_bytes(d[p + 8:p + 10], "big")
if flags & 2:
    p += 16
if flags & 1:
    p += 10 + int.from_bytes(d[p + 8:p + 10], "big")
print(p + 32)' "$1"
}

@test "python3-cryptography is installed, so no test here is skipped or passes for want of it" {
	run -0 --separate-stderr python3 -c 'import cryptography'
}

@test "every committed vector decodes to its plaintext" {
	local n=0 args name
	cd "$FIXTURES"
	for args in "$VECTORS"/*.args; do
		name=${args%.args}
		# shellcheck disable=SC2046
		run -0 --separate-stderr decode $(cat "$args") "$name.rsp"
		assert_same_file out "$name.txt"
		rm -f out
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
}

@test "a 200 KiB random file crosses in several records and decodes intact" {
	head -c 204800 /dev/urandom >plain
	rsa-encrypt -r "$FIXTURES/alice.pub" plain >stream
	# A record holds at most 64 KiB, so 200 KiB cannot fit in fewer than four.
	[ "$(stat -c %s stream)" -gt 204800 ]
	run -0 --separate-stderr decode -i "$FIXTURES/alice.pem" stream
	assert_same_file out plain
}

@test "a signed stream decodes with --from the signer and is refused with --from another key" {
	head -c 5000 /dev/urandom >plain
	rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pem" plain >stream
	run -0 --separate-stderr decode -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" stream
	assert_same_file out plain
	run -1 --separate-stderr decode -i "$FIXTURES/bob.pem" --from "$FIXTURES/carol.pub" stream
	assert_one_line_error independent-decoder 'signed by another key'
	[ ! -s out ]
}

@test "an unsigned stream is refused when --from asks for a signature" {
	echo hi | rsa-encrypt -r "$FIXTURES/bob.pub" >stream
	run -1 --separate-stderr decode -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" stream
	assert_one_line_error independent-decoder 'not signed'
}

@test "a session-bound stream decodes with its session and is refused with another or none" {
	head -c 32 /dev/urandom >session
	head -c 32 /dev/urandom >other
	head -c 3000 /dev/urandom >plain
	rsa-encrypt -r "$FIXTURES/carol.pub" --session session plain >stream
	run -0 --separate-stderr decode -i "$FIXTURES/carol.pem" --session session stream
	assert_same_file out plain
	run -1 --separate-stderr decode -i "$FIXTURES/carol.pem" --session other stream
	assert_one_line_error independent-decoder 'wrong session'
	run -1 --separate-stderr decode -i "$FIXTURES/carol.pem" stream
	assert_one_line_error independent-decoder 'bound to a session'
}

@test "a session context given for an unbound stream is refused" {
	head -c 32 /dev/urandom >session
	echo hi | rsa-encrypt -r "$FIXTURES/carol.pub" >stream
	run -1 --separate-stderr decode -i "$FIXTURES/carol.pem" --session session stream
	assert_one_line_error independent-decoder 'not bound to a session'
}

@test "an armored stream decodes like the binary one" {
	head -c 70000 /dev/urandom >plain
	rsa-encrypt -a -r "$FIXTURES/alice.pub" plain >stream.asc
	head -n 1 stream.asc | grep -qx -- '-----BEGIN RSAPIPE MESSAGE-----'
	run -0 --separate-stderr decode -i "$FIXTURES/alice.pem" stream.asc
	assert_same_file out plain
}

@test "a signed, session-bound, armored stream to two recipients decodes for each" {
	head -c 32 /dev/urandom >session
	head -c 204800 /dev/urandom >plain
	rsa-encrypt -a -r "$FIXTURES/alice.pub" -r "$FIXTURES/bob.pub" \
		-s "$FIXTURES/carol.pem" --session session plain >stream.asc
	run -0 --separate-stderr decode -i "$FIXTURES/alice.pem" \
		--from "$FIXTURES/carol.pub" --session session stream.asc
	assert_same_file out plain
	run -0 --separate-stderr decode -i "$FIXTURES/bob.pem" \
		--from "$FIXTURES/carol.pub" --session session stream.asc
	assert_same_file out plain
}

@test "a recipient's forged signature under a recomputed MAC is refused with --from" {
	echo "from alice" | rsa-encrypt -r "$FIXTURES/bob.pub" -s "$FIXTURES/alice.pem" >stream
	# Bob knows the file key: he can change the signature and redo the MAC,
	# so only the RSA-PSS check itself can catch it.
	python3 -c '
import hashlib, hmac, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
d = bytearray(open(sys.argv[1], "rb").read())
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
p, count, ct = 26, d[25], None
for _ in range(count):
    n = int.from_bytes(d[p + 8:p + 10], "big")
    ct = ct or bytes(d[p + 10:p + 10 + n])
    p += 10 + n
fk = key.decrypt(ct, padding.OAEP(padding.MGF1(hashes.SHA256()),
                                  hashes.SHA256(), b"rsapipe/v1"))
prk = hmac.new(bytes(d[9:25]), fk, hashlib.sha256).digest()
hk = hmac.new(prk, b"header\x01", hashlib.sha256).digest()
siglen = int.from_bytes(d[p + 8:p + 10], "big")
d[p + 10 + siglen // 2] ^= 1
end = p + 10 + siglen
d[end:end + 32] = hmac.new(hk, bytes(d[:end]), hashlib.sha256).digest()
open(sys.argv[1], "wb").write(d)' stream "$FIXTURES/bob.pem"
	run -0 --separate-stderr decode -i "$FIXTURES/bob.pem" stream
	run -1 --separate-stderr decode -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" stream
	assert_one_line_error independent-decoder 'bad signature'
	[ ! -s out ]
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" --from "$FIXTURES/alice.pub" stream
	assert_one_line_error rsa-decrypt 'bad signature'
}

@test "a stream to other recipients is refused as not encrypted to this key" {
	echo hi | rsa-encrypt -r "$FIXTURES/alice.pub" >stream
	run -1 --separate-stderr decode -i "$FIXTURES/bob.pem" stream
	assert_one_line_error independent-decoder 'not encrypted to this key'
}

@test "one flipped byte in the header is refused before any output" {
	local len off
	echo "hello, world" | rsa-encrypt -r "$FIXTURES/alice.pub" -s "$FIXTURES/bob.pem" >stream
	len=$(header_length stream)
	# The salt, the signature and the MAC itself: all under the MAC.
	for off in 9 $((len - 40)) $((len - 1)); do
		cp stream bad
		flip bad "$off"
		run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" bad
		assert_one_line_error independent-decoder 'header authentication failed'
		[ ! -s out ]
	done
}

@test "one flipped byte in a record is refused and that record is not released" {
	local len
	head -c 204800 /dev/urandom >plain
	rsa-encrypt -r "$FIXTURES/alice.pub" plain >stream
	len=$(header_length stream)
	# In the first record's ciphertext: nothing at all is written.
	cp stream bad
	flip bad $((len + 100))
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" bad
	assert_one_line_error independent-decoder 'record 0 authentication failed'
	[ ! -s out ]
	# In the second record's tag: only the first record came out.
	cp stream bad
	flip bad $((len + 2 * (4 + 65536 + 16) - 1))
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" bad
	assert_one_line_error independent-decoder 'record 1 authentication failed'
	[ "$(stat -c %s out)" -eq 65536 ]
	cmp -s out <(head -c 65536 plain)
	# In a record header: the final flag is in the AAD.
	cp stream bad
	flip bad "$len"
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" bad
	assert_one_line_error independent-decoder 'record 0'
}

@test "a truncated stream is refused, whether cut inside a record or before the final one" {
	local size
	head -c 100000 /dev/urandom >plain
	rsa-encrypt -r "$FIXTURES/alice.pub" plain >stream
	size=$(stat -c %s stream)
	head -c $((size - 1)) stream >cut.rsp
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" cut.rsp
	assert_one_line_error independent-decoder 'truncated'
	# Without the empty final record (4 + 16 bytes) every tag still verifies.
	head -c $((size - 20)) stream >cut.rsp
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" cut.rsp
	assert_one_line_error independent-decoder 'truncated'
}

@test "a byte after the final record is refused as trailing data" {
	echo hi | rsa-encrypt -r "$FIXTURES/alice.pub" >stream
	printf 'x' >>stream
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" stream
	assert_one_line_error independent-decoder 'trailing data'
}

@test "armor with other line lengths, CRLF line ends and no END line decodes, as rsa-decrypt reads it" {
	head -c 3000 /dev/urandom >plain
	rsa-encrypt -a -r "$FIXTURES/alice.pub" plain >stream.asc
	# FORMAT.md section 4: whitespace anywhere is skipped, and the binary
	# stream, not the END line, says whether the message is complete.
	python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
b64 = "".join(lines[1:-2])
body = [b64[i:i + 76] for i in range(0, len(b64), 76)]
open(sys.argv[2], "w").write("\r\n".join([lines[0]] + body) + "\r\n")' stream.asc rewrapped.asc
	run -1 grep -q -- "-----END" rewrapped.asc
	run -0 --separate-stderr decode -i "$FIXTURES/alice.pem" rewrapped.asc
	assert_same_file out plain
	run -0 --separate-stderr rsa-decrypt -i "$FIXTURES/alice.pem" -o ref rewrapped.asc
	assert_same_file ref plain
}

@test "damage inside the armor is refused like damage in the binary stream" {
	echo "hello, world" | rsa-encrypt -a -r "$FIXTURES/alice.pub" >stream.asc
	# Change one base64 character of the last data line (the records).
	python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
i = len(lines) - 3                      # last base64 line before END
c = lines[i][5]
lines[i] = lines[i][:5] + ("A" if c != "A" else "B") + lines[i][6:]
open(sys.argv[1], "w").write("\n".join(lines))' stream.asc
	run -1 --separate-stderr decode -i "$FIXTURES/alice.pem" stream.asc
	assert_one_line_error independent-decoder 'authentication failed|malformed'
	[ ! -s out ]
}
