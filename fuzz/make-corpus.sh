#!/bin/sh
# SPDX-License-Identifier: ISC
# Regenerate the seed corpora in fuzz/corpus/ from real outputs of the
# tools, openssl and ssh-keygen, with the fixture keys.  Outputs are
# randomised (salts, OAEP, PSS, nonces), so each run writes different but
# equally valid seeds; rerun only when a format changes.  Needs the tools
# built (make all tools/keyswap) and fuzz/build/gen_records
# (make -f fuzz/Makefile seeds).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
PATH="$root/tools:$PATH"
fx=$root/tests/fixtures
c=$root/fuzz/corpus
pass='rsapipe fuzz passphrase'     # FUZZ_PASSPHRASE in fuzz/fuzz.h
session='rsapipe fuzz session context 32B'  # FUZZ_SESSION
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for d in key_pem key_der ssh_key stream_header armor keyswap known_peers \
    recipients openssh_key; do
	rm -rf "${c:?}/$d"
	mkdir -p "$c/$d"
done

# ---- keys: every form we accept, and some we refuse by name ----
k=$c/key_pem
cp "$fx/alice.pem" "$k/pkcs8.pem"
cp "$fx/alice.pub" "$k/spki.pub"
openssl rsa -in "$fx/bob.pem" -traditional -out "$k/pkcs1.pem" 2>/dev/null
openssl rsa -in "$fx/bob.pem" -RSAPublicKey_out -out "$k/pkcs1.pub" 2>/dev/null
printf '%s\n' "$pass" > "$tmp/pass"
# Cheap KDF parameters, so the fuzzer spends its time on parsing.
openssl pkcs8 -topk8 -in "$fx/carol.pem" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
	-iter 1 -passout file:"$tmp/pass" -out "$k/pbkdf2.pem"
openssl pkcs8 -topk8 -in "$fx/carol.pem" -v2 aes-128-cbc -v2prf hmacWithSHA1 \
	-iter 1 -passout file:"$tmp/pass" -out "$k/pbkdf2-sha1-aes128.pem"
openssl pkcs8 -topk8 -in "$fx/carol.pem" -v2 aes-256-cbc -scrypt \
	-scrypt_N 2 -scrypt_r 8 -scrypt_p 1 -passout file:"$tmp/pass" \
	-out "$k/scrypt.pem"
sed 's/$/\r/' "$fx/alice.pub" > "$k/crlf.pub"
ssh-keygen -y -f "$fx/alice.pem" > "$k/ssh-rsa.pub"
cp "$fx/keys/ec-p256.pem" "$k/ec.pem"
cp "$fx/keys/rsa-1024.pem" "$k/rsa-1024.pem"
openssl req -x509 -key "$fx/alice.pem" -subj /CN=a -days 1 \
	-out "$k/cert.pem" 2>/dev/null

# The same structures as DER, behind fuzz_key_der's selector byte:
# 0 SPKI, 1 PKCS#1 public, 2 PKCS#8, 3 PKCS#1 private, 4 encrypted
# PKCS#8, 5 SPKI straight to key_from_spki.
der() { # SELECTOR PEMFILE NAME
	# shellcheck disable=SC2059 # the octal escape is built on purpose
	{ printf "\\$(printf %03o "$1")"
	  sed '/^-----/d' "$2" | tr -d '\r\n' | base64 -d; } > "$c/key_der/$3"
}
der 0 "$k/spki.pub" spki
der 1 "$k/pkcs1.pub" pkcs1-pub
der 2 "$k/pkcs8.pem" pkcs8
der 3 "$k/pkcs1.pem" pkcs1
der 4 "$k/pbkdf2.pem" pbkdf2
der 4 "$k/scrypt.pem" scrypt
der 5 "$k/spki.pub" spki-direct
der 2 "$k/ec.pem" ec

# ---- ssh-rsa lines ----
s=$c/ssh_key
cp "$k/ssh-rsa.pub" "$s/plain"
printf '%s alice@example.org\n' "$(cat "$k/ssh-rsa.pub")" > "$s/comment"
ssh-keygen -y -f "$fx/bob.pem" | tr -d '\n' > "$s/no-newline"
cp "$fx/keys/ssh-rsa.pub" "$s/openssh"
cp "$fx/keys/ed25519.pub" "$s/ed25519"
cp "$fx/keys/ecdsa.pub" "$s/ecdsa"

# ---- recipients files (rsa-encrypt -R) ----
r=$c/recipients
ssh-keygen -q -t ed25519 -N '' -C ed -f "$tmp/ed"
ssh-keygen -q -t ecdsa -N '' -C ec -f "$tmp/ec"
{ cut -d' ' -f1,2 "$k/ssh-rsa.pub"; cut -d' ' -f1,2 "$tmp/ed.pub"
  cut -d' ' -f1,2 "$tmp/ec.pub"; } > "$r/github"
{ echo '# authorized_keys'; echo
  printf 'from="10.0.0.1",command="echo \\"hi there\\"",no-pty %s bob\n' \
	"$(ssh-keygen -i -m PKCS8 -f "$fx/bob.pub")"
  printf 'restrict %s\r\n' "$(cat "$fx/keys/ssh-rsa.pub")"; } > "$r/authorized_keys"
{ sed '/^-----/d' "$fx/carol.pub" | tr -d '\n'; echo ' carol'; } > "$r/spki"
{ cat "$k/ssh-rsa.pub"; echo 'not a key'; } > "$r/malformed"

# ---- OpenSSH private keys, decoded, bcrypt -a 1 (fuzz_openssh_key) ----
o=$c/openssh_key
body() { sed '/^-----/d' "$1" | tr -d '\r\n' | base64 -d; }
for cipher in none aes256-ctr aes128-cbc aes256-gcm@openssh.com \
    chacha20-poly1305@openssh.com 3des-cbc; do
	if [ "$cipher" = none ]; then
		ssh-keygen -q -t rsa -b 2048 -a 1 -N '' -C fuzz -f "$tmp/o-$cipher"
	else
		ssh-keygen -q -t rsa -b 2048 -a 1 -N "$pass" -C fuzz \
			-f "$tmp/o-$cipher" -Z "$cipher"
	fi
	body "$tmp/o-$cipher" > "$o/rsa-$cipher"
done
ssh-keygen -q -t ed25519 -a 1 -N '' -f "$tmp/o-ed"
body "$tmp/o-ed" > "$o/ed25519"

# ---- streams for alice (fuzz_stream_header verifies bob's signature) ----
h=$c/stream_header
printf %s "$session" > "$tmp/session"
printf 'hello\n' > "$tmp/msg"
rsa-encrypt -r "$fx/alice.pub" < "$tmp/msg" > "$h/plain"
rsa-encrypt -r "$fx/bob.pub" -r "$fx/alice.pub" -r "$fx/carol.pub" \
	< "$tmp/msg" > "$h/multi"
rsa-encrypt -r "$fx/alice.pub" -s "$fx/bob.pem" < "$tmp/msg" > "$h/signed"
rsa-encrypt -r "$fx/alice.pub" --session "$tmp/session" \
	< "$tmp/msg" > "$h/session"
rsa-encrypt -r "$fx/alice.pub" -s "$fx/bob.pem" --session "$tmp/session" \
	< "$tmp/msg" > "$h/signed-session"
rsa-encrypt -r "$fx/bob.pub" < "$tmp/msg" > "$h/not-for-alice"
: | rsa-encrypt -r "$fx/alice.pub" > "$h/empty"

# ---- armor: the selector byte picks the read size ----
a=$c/armor
rsa-encrypt -a -r "$fx/alice.pub" < "$tmp/msg" > "$tmp/armored"
for sel in 0 9 200; do
	# shellcheck disable=SC2059 # the octal escape is built on purpose
	{ printf "\\$(printf %03o "$sel")"; cat "$tmp/armored"; } > "$a/armored-$sel"
done
head -c 3000 /dev/urandom > "$tmp/bin"
rsa-encrypt -a -r "$fx/alice.pub" -s "$fx/bob.pem" < "$tmp/bin" > "$tmp/armored2"
{ printf '\001'; cat "$tmp/armored2"; } > "$a/armored-signed"
{ printf '\001'; sed 's/$/\r/' "$tmp/armored"; } > "$a/armored-crlf"

# ---- keyswap: a real exchange, each direction captured with tee ----
ks=$c/keyswap
mkfifo "$tmp/ab" "$tmp/ba"
rsa-keygen -b 2048 -o "$tmp/sa.pem" --public "$tmp/sa.pub" 2>/dev/null
rsa-keygen -b 2048 -o "$tmp/sb.pem" --public "$tmp/sb.pub" 2>/dev/null
keyswap --identity "$fx/alice.pem" --session-key "$tmp/sa.pem" \
	--peer-out "$tmp/pa" --session-out "$tmp/ca" --peer "$fx/bob.pub" \
	< "$tmp/ba" | tee "$tmp/from-alice" > "$tmp/ab" &
pid=$!
keyswap --identity "$fx/bob.pem" --session-key "$tmp/sb.pem" \
	--peer-out "$tmp/pb" --session-out "$tmp/cb" --peer "$fx/alice.pub" \
	< "$tmp/ab" | tee "$tmp/from-bob" > "$tmp/ba"
wait "$pid"
# fuzz_keyswap's first byte picks our side: 0 no invite, 1 we made the
# code, 2 we typed it.
{ printf '\000'; cat "$tmp/from-alice"; } > "$ks/exchange-alice"
{ printf '\000'; cat "$tmp/from-bob"; } > "$ks/exchange-bob"
# The frames one by one (8-byte header, be16 body length at offset 6).
split_frames() { # FILE PREFIX
	off=0 i=0 size=$(wc -c < "$1")
	while [ "$off" -lt "$size" ]; do
		len=$(od -An -tu1 -j $((off + 6)) -N2 "$1" | awk '{print $1*256+$2}')
		tail -c +$((off + 1)) "$1" | head -c $((8 + len)) > "$2-$i"
		off=$((off + 8 + len)) i=$((i + 1))
	done
}
split_frames "$tmp/from-bob" "$tmp/frame-bob"
for f in "$tmp"/frame-bob-*; do
	{ printf '\000'; cat "$f"; } > "$ks/${f##*/}"
done
: > "$tmp/allowed"
# An invite exchange: alice makes the code, bob types it; bob's frames
# for a side that made the code (1), alice's for one that typed it (2).
keyswap --identity "$fx/alice.pem" --session-key "$tmp/sa.pem" \
	--peer-out "$tmp/pa" --session-out "$tmp/ca" --invite bob \
	--allowed "$tmp/allowed" --invite-file "$tmp/code" \
	< "$tmp/ba" 2>/dev/null | tee "$tmp/inv-alice" > "$tmp/ab" &
pid=$!
sh -c 'c=$1; shift; while [ ! -s "$c" ]; do sleep 0.05; done
	exec keyswap --code "$(cat "$c")" "$@"' sh "$tmp/code" \
	--identity "$fx/bob.pem" --session-key "$tmp/sb.pem" \
	--peer-out "$tmp/pb" --session-out "$tmp/cb" \
	--known-peers "$tmp/kp" --name alice \
	< "$tmp/ab" 2>/dev/null | tee "$tmp/inv-bob" > "$tmp/ba" || true
wait "$pid" || true
{ printf '\001'; cat "$tmp/inv-bob"; } > "$ks/invite-bob"
{ printf '\002'; cat "$tmp/inv-alice"; } > "$ks/invite-alice"

# ---- known peers: a name line, then the file ----
kp=$c/known_peers
fa=$(rsa-keygen -l "$fx/alice.pub" | awk '{print $2}')
fb=$(rsa-keygen -l "$fx/bob.pub" | awk '{print $2}')
spki=$(sed '/^-----/d' "$fx/alice.pub" | tr -d '\n')
printf 'localhost:5555\n# known peers\nlocalhost:5555 %s\n' "$fa" > "$kp/match"
printf 'localhost:5555\nother %s\nlocalhost:5555 %s\n\n' "$fa" "$fb" > "$kp/changed"
printf 'alice@example.org\nalice@example.org %s\n' "$spki" > "$kp/spki"
printf 'bob\n' > "$kp/empty"

find "$c" -mindepth 1 -maxdepth 1 | wc -l
du -sh "$c"
