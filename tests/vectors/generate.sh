#!/bin/sh
# SPDX-License-Identifier: ISC
# Regenerate the decryption vectors from the fixture keys with the built
# tools: NAME.rsp (stream), NAME.txt (plaintext), NAME.args (rsa-decrypt
# arguments, paths relative to tests/fixtures).  Streams are randomised
# (salt, file key, OAEP, PSS), so each run writes different but equally
# valid vectors; commit them only when the format changes.
set -eu
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
PATH="$root/tools:$PATH"
fx=../fixtures
st="python3 ../streamtool.py"

vector() { # NAME PLAINTEXT DECRYPT-ARGS -- ENCRYPT-ARGS...
	name=$1 text=$2 dargs=$3
	shift 4
	printf '%s' "$text" > "$name.txt"
	rsa-encrypt "$@" < "$name.txt" > "$name.rsp"
	printf '%s\n' "$dargs" > "$name.args"
}

vector empty '' '-i alice.pem' -- -r $fx/alice.pub
vector hello 'hello, world
' '-i alice.pem' -- -r $fx/alice.pub
vector signed 'signed by alice
' '-i bob.pem --from alice.pub' -- -r $fx/bob.pub -s $fx/alice.pem
vector multi 'to alice, bob and carol
' '-i carol.pem' -- -r $fx/alice.pub -r $fx/bob.pub -r $fx/carol.pub
vector armored 'armored for carol
' '-i carol.pem' -- -r $fx/carol.pub -a
head -c 32 /dev/urandom > session.bin
vector session 'bound to a session, signed by bob
' '-i alice.pem --from bob.pub --session ../vectors/session.bin' -- \
    -r $fx/alice.pub -s $fx/bob.pem --session session.bin
# Several records: one chunk per record.
printf 'first\nsecond\nthird\n' > multirecord.txt
$st chunked multirecord.rsp 'first
' 'second
' 'third
' -- rsa-encrypt -r $fx/alice.pub
printf '%s\n' '-i alice.pem' > multirecord.args
# A full 64 KiB record, a 1-byte one, and the final one (from a file,
# where read() returns whole blocks).
head -c 65537 /dev/urandom > large.txt
rsa-encrypt -r $fx/bob.pub large.txt > large.rsp
printf '%s\n' '-i bob.pem' > large.args
# Signed through ssh-agent (version 2, an SSHSIG): alice's key in an
# agent of our own, its socket and copy of the key in a temporary
# directory.
tmp=$(mktemp -d)
trap 'kill "$SSH_AGENT_PID" 2>/dev/null; rm -rf "$tmp"' EXIT
eval "$(ssh-agent -s -a "$tmp/sock")" >/dev/null
install -m 600 $fx/alice.pem "$tmp/alice"
ssh-add -q "$tmp/alice" 2>/dev/null
vector agent-signed 'signed by alice through ssh-agent
' '-i bob.pem --from alice.pub' -- -r $fx/bob.pub -s agent:$fx/alice.pub
