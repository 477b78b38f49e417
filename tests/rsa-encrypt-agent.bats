#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# rsa-encrypt -s agent:... (lib/stream/stream_agent.c): a stream signed
# by a key ssh-agent holds, an SSHSIG in a version 2 header
# (doc/FORMAT.md section 2.1), and rsa-decrypt --from verifying both
# schemes.  The agent is started by each test on a private socket; the
# signer's private key file is deleted once ssh-add has it.

bats_require_minimum_version 1.5.0
load test_helper
load agent_helper

NS=stream-v1@rsapipe
ST="python3 $RSAPIPE_ROOT/tests/streamtool.py"

setup_file() {
	command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null &&
		command -v ssh-keygen >/dev/null ||
		{ echo "openssh-client is needed" >&2; return 1; }
	make -s -C "$RSAPIPE_ROOT" tests/unit/agent-tool >/dev/null
	local d=$BATS_FILE_TMPDIR
	ssh-keygen -q -t rsa -b 3072 -N '' -C signer -f "$d/signer"
	ssh-keygen -q -t rsa -b 3072 -N '' -C other -f "$d/other"
	ssh-keygen -q -t rsa -b 3072 -N '' -C confirm -f "$d/confirm"
	# Says "no" to every confirmation ssh-agent asks (ssh-add -c).
	cat >"$d/askpass" <<-'EOS'
	#!/bin/sh
	exit 1
	EOS
	chmod 755 "$d/askpass"
	printf 'meet at noon\n' >"$d/plain.txt"
}

setup() {
	common_setup
	export SSH_ASKPASS="$BATS_FILE_TMPDIR/askpass" SSH_ASKPASS_REQUIRE=force
	export DISPLAY=:0
	SOCK="$BATS_TEST_TMPDIR/agent.sock"
	eval "$(ssh-agent -s -a "$SOCK")" >/dev/null
	export SSH_AUTH_SOCK SSH_AGENT_PID
	cp "$BATS_FILE_TMPDIR/plain.txt" plain.txt
}

teardown() {
	[ -n "${SSH_AGENT_PID:-}" ] && kill "$SSH_AGENT_PID" 2>/dev/null
	return 0
}

# Short names for tests/agent_helper.bash's functions.
pub() { agent_pub "$1"; }
fingerprint() { agent_fingerprint "$1"; }
fp_re() { agent_fp_re "$1"; }

# sign_stream SPEC [RSA-ENCRYPT-OPTION...]: plain.txt to bob, signed.
sign_stream() {
	local spec=$1
	shift
	rsa-encrypt -r "$FIXTURES/bob.pub" -s "$spec" "$@" plain.txt >stream.rsp
}

# The file key, as bob (the recipient) recovers it.
file_key() {
	$ST stanza stream.rsp 0 stanza.bin
	openssl pkeyutl -decrypt -inkey "$FIXTURES/bob.pem" -in stanza.bin \
	    -out file.key -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -pkeyopt rsa_oaep_label:"$(printf rsapipe/v1 | od -An -tx1 | tr -d ' \n')"
}

version_byte() { od -An -tx1 -j7 -N1 "$1" | tr -d ' '; }

@test "a stream signed through the agent by fingerprint decrypts with --from" {
	add_key signer
	[ ! -e signer ]
	sign_stream "agent:$(fingerprint signer)"
	[ "$(version_byte stream.rsp)" = 02 ]
	run -0 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" stream.rsp
	[ "$output" = "meet at noon" ]
	[ -z "$stderr" ]
}

@test "agent:FILE.pub names the agent's key by its public key file" {
	add_key signer
	sign_stream "agent:$(pub signer)" -a
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$(pub signer)" \
	    stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "a stream signed with a key file stays version 1 (PSS) and still verifies" {
	cp "$BATS_FILE_TMPDIR/other" other.key
	sign_stream other.key
	[ "$(version_byte stream.rsp)" = 01 ]
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$(pub other)" \
	    stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "ssh-keygen -Y check-novalidate verifies the stream's SSHSIG, session bound or not" {
	add_key signer
	sign_stream "agent:$(fingerprint signer)"
	$ST sshsig stream.rsp digest.bin stream.sig
	[ "$(wc -c <digest.bin)" -eq 32 ]
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s stream.sig <digest.bin
	[[ $output == *"Good \"$NS\" signature"*"$(fingerprint signer)"* ]]
	# The namespace is the stream's own: not keyswap's, not a file's.
	run ! ssh-keygen -Y check-novalidate -n keyswap-v2@rsapipe \
	    -s stream.sig <digest.bin
	run ! ssh-keygen -Y check-novalidate -n file -s stream.sig <digest.bin
	head -c 32 /dev/urandom >session.bin
	sign_stream "agent:$(fingerprint signer)" --session session.bin
	$ST sshsig stream.rsp session.bin digest.bin stream.sig
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s stream.sig <digest.bin
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$(pub signer)" \
	    --session session.bin stream.rsp
	[ "$output" = "meet at noon" ]
}

@test "an agent-signed stream checked against another key is refused" {
	add_key signer
	sign_stream "agent:$(fingerprint signer)"
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub other)" stream.rsp
	assert_one_line_error rsa-decrypt 'signed by another key'
	[ -z "$output" ]
}

@test "a tampered SSHSIG is refused even with the header MAC recomputed" {
	add_key signer
	sign_stream "agent:$(fingerprint signer)"
	file_key
	$ST flip-sig stream.rsp file.key forged.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" forged.rsp
	assert_one_line_error rsa-decrypt 'bad signature'
	[ -z "$output" ]
	# Without the file key the MAC stops any change first.
	cp stream.rsp flipped.rsp
	printf '\001' | dd of=flipped.rsp bs=1 seek=1000 conv=notrunc 2>/dev/null
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" flipped.rsp
	assert_one_line_error rsa-decrypt 'header authentication failed'
}

@test "the scheme cannot be swapped: a relabelled version is refused" {
	add_key signer
	sign_stream "agent:$(fingerprint signer)"
	file_key
	$ST set-version stream.rsp file.key 1 as-v1.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" as-v1.rsp
	assert_one_line_error rsa-decrypt 'bad signature'
	cp "$BATS_FILE_TMPDIR/signer" signer.key
	sign_stream signer.key
	file_key
	$ST set-version stream.rsp file.key 2 as-v2.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" as-v2.rsp
	assert_one_line_error rsa-decrypt 'bad signature'
}

@test "an SSHSIG with rsa-sha2-256 verifies; one with another hash or namespace does not" {
	add_key signer
	sign_stream "agent:$(fingerprint signer)"
	file_key
	$ST sshsig stream.rsp digest.bin stream.sig
	tool=$RSAPIPE_ROOT/tests/unit/agent-tool
	"$tool" sign -k "$(pub signer)" -n "$NS" -A rsa-sha2-256 \
	    <digest.bin >s256.sig
	$ST set-sig stream.rsp file.key s256.sig s256.rsp
	run -0 rsa-decrypt -i "$FIXTURES/bob.pem" --from "$(pub signer)" \
	    s256.rsp
	[ "$output" = "meet at noon" ]
	"$tool" sign -k "$(pub signer)" -n "$NS" -H sha256 <digest.bin >h256.sig
	$ST set-sig stream.rsp file.key h256.sig h256.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" h256.rsp
	assert_one_line_error rsa-decrypt 'bad signature.*hash algorithm'
	"$tool" sign -k "$(pub signer)" -n keyswap-v2@rsapipe <digest.bin >ks.sig
	$ST set-sig stream.rsp file.key ks.sig ks.rsp
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" \
	    --from "$(pub signer)" ks.rsp
	assert_one_line_error rsa-decrypt 'bad signature.*namespace'
}

@test "a version 2 header without a signature is malformed" {
	rsa-encrypt -r "$FIXTURES/bob.pub" plain.txt >stream.rsp
	printf '\002' | dd of=stream.rsp bs=1 seek=7 conv=notrunc 2>/dev/null
	run -1 --separate-stderr rsa-decrypt -i "$FIXTURES/bob.pem" stream.rsp
	assert_one_line_error rsa-decrypt 'malformed header.*not signed'
}

@test "a public key file given to -s says that agent: is needed" {
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" \
	    -s "$(pub signer)" plain.txt
	assert_one_line_error rsa-encrypt "is a public key: .*-s agent:"
	[ -z "$output" ]
}

# refused WHAT ERE: rsa-encrypt -s agent:... fails with status 2 and
# one line matching ERE, naming the key, and writes nothing: not to
# stdout, armored or not, and no -o file.
refused() {
	local spec=$1 ere=$2
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" \
	    -s "$spec" plain.txt
	assert_one_line_error rsa-encrypt "$ere"
	[ -z "$output" ]
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" -a \
	    -s "$spec" plain.txt
	[ -z "$output" ]
	run -2 --separate-stderr rsa-encrypt -r "$FIXTURES/bob.pub" \
	    -s "$spec" -o out.rsp plain.txt
	[ ! -e out.rsp ]
}

@test "no agent: status 2, the key and the cause, nothing written" {
	unset SSH_AUTH_SOCK
	refused "agent:$(fingerprint signer)" \
	    "key $(fp_re signer).*no ssh-agent: SSH_AUTH_SOCK is not set"
	refused "agent:$(pub signer)" \
	    "key $(fp_re signer).*no ssh-agent: SSH_AUTH_SOCK is not set"
	export SSH_AUTH_SOCK=$BATS_TEST_TMPDIR/dead.sock
	refused "agent:$(pub signer)" "key $(fp_re signer).*no ssh-agent at"
}

@test "a key not in the agent: status 2, the key and the cause, nothing written" {
	add_key other
	refused "agent:$(pub signer)" "key $(fp_re signer) is not in the agent"
	refused "agent:$(fingerprint signer)" \
	    "key $(fp_re signer) is not in the agent"
}

@test "a confirmation refused (ssh-add -c): status 2, the key and the cause, nothing written" {
	add_key confirm -c
	refused "agent:$(pub confirm)" "ssh-agent refused to sign with key $(fp_re confirm)"
}

@test "the independent decoder verifies an agent-signed stream and refuses it tampered" {
	add_key signer
	sign_stream "agent:$(pub signer)"
	ssh-keygen -e -m PKCS8 -f "$(pub signer)" >signer.pem.pub
	run -0 python3 "$RSAPIPE_ROOT/tests/independent-decoder.py" \
	    -i "$FIXTURES/bob.pem" --from signer.pem.pub stream.rsp
	[ "$output" = "meet at noon" ]
	file_key
	$ST flip-sig stream.rsp file.key forged.rsp
	run -1 --separate-stderr python3 \
	    "$RSAPIPE_ROOT/tests/independent-decoder.py" \
	    -i "$FIXTURES/bob.pem" --from signer.pem.pub forged.rsp
	[[ $stderr == *"bad signature"* ]]
}
