#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The ssh-agent client (lib/keys/agent.c) and SSHSIG (lib/keys/sshsig.c)
# against the real thing: an ssh-agent started on a private socket, keys
# added with ssh-add (plain, from a passphrase-protected file through
# SSH_ASKPASS, with -c and an askpass that refuses) and their private
# files deleted, signatures checked by ssh-keygen -Y check-novalidate
# and ssh-keygen's own signatures checked by us; then each way an agent
# fails, through tests/unit/agent-tool.

bats_require_minimum_version 1.5.0
load test_helper
load agent_helper

# AGENT_TOOL: another build of it (a sanitizer build, say).
TOOL="${AGENT_TOOL:-$RSAPIPE_ROOT/tests/unit/agent-tool}"
NS=keyswap-v2@rsapipe

setup_file() {
	command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null &&
		command -v ssh-keygen >/dev/null && command -v socat >/dev/null ||
		{ echo "openssh-client and socat are needed" >&2; return 1; }
	make -s -C "$RSAPIPE_ROOT" tests/unit/agent-tool >/dev/null
	local d=$BATS_FILE_TMPDIR
	ssh-keygen -q -t rsa -b 3072 -N '' -C plain -f "$d/plain"
	ssh-keygen -q -t rsa -b 3072 -N 'a secret passphrase' -C locked \
		-f "$d/protected"
	ssh-keygen -q -t rsa -b 3072 -N '' -C confirm -f "$d/confirm"
	ssh-keygen -q -t rsa -b 3072 -N '' -C absent -f "$d/absent"
	ssh-keygen -q -t ed25519 -N '' -C ed -f "$d/ed"
	ssh-keygen -q -t rsa -b 1024 -N '' -C small -f "$d/small"
	# One askpass for everything: the passphrase for ssh-add and
	# ssh-add -x/-X, and "no" to every confirmation ssh-agent asks.
	cat >"$d/askpass" <<-'EOS'
	#!/bin/sh
	if [ "${SSH_ASKPASS_PROMPT:-}" = confirm ]; then
		echo "$*" >>"${0%/*}/confirm.log"
		exit 1
	fi
	echo 'a secret passphrase'
	EOS
	chmod 755 "$d/askpass"
	echo "the message to sign" >"$d/msg"
}

setup() {
	common_setup
	export SSH_ASKPASS="$BATS_FILE_TMPDIR/askpass" SSH_ASKPASS_REQUIRE=force
	export DISPLAY=:0
	SOCK="$BATS_TEST_TMPDIR/agent.sock"
	eval "$(ssh-agent -s -a "$SOCK")" >/dev/null
	export SSH_AUTH_SOCK SSH_AGENT_PID
	cp "$BATS_FILE_TMPDIR/msg" msg
}

teardown() {
	[ -n "${SSH_AGENT_PID:-}" ] && kill "$SSH_AGENT_PID" 2>/dev/null
	[ -n "${HUNG_PID:-}" ] && kill "$HUNG_PID" 2>/dev/null
	return 0
}

# Short names for tests/agent_helper.bash's functions.
pub() { agent_pub "$1"; }
fingerprint() { agent_fingerprint "$1"; }
fp_re() { agent_fp_re "$1"; }

# tamper SIG OUT: the same armored signature with its last signature
# byte flipped.
tamper() {
	python3 - "$1" "$2" <<-'EOS'
	import base64, sys
	lines = open(sys.argv[1]).read().split("\n")
	body = bytearray(base64.b64decode("".join(lines[1:-2])))
	body[-1] ^= 1
	b64 = base64.b64encode(bytes(body)).decode()
	out = [lines[0]] + [b64[i:i + 70] for i in range(0, len(b64), 70)]
	open(sys.argv[2], "w").write("\n".join(out + [lines[-2], ""]))
	EOS
}

@test "selftest: the reply parsers and SSHSIG on hand-built input" {
	run -0 "$TOOL" selftest -k "$FIXTURES/alice.pem" -p "$FIXTURES/bob.pem"
	[[ ${lines[-1]} =~ ^[0-9]+\ cases,\ 0\ failed$ ]]
}

@test "list: the agent's keys with ssh-keygen's fingerprints" {
	add_key plain
	add_key protected
	add_key ed
	run -0 "$TOOL" list
	[[ $output == *"$(fingerprint plain) ssh-rsa usable plain"* ]]
	[[ $output == *"$(fingerprint protected) ssh-rsa usable locked"* ]]
	[[ $output == *"$(fingerprint ed) ssh-ed25519 unusable ed"* ]]
	[ "${lines[-1]}" = "3 keys" ]
}

@test "an agent signature (rsa-sha2-512) verifies with ssh-keygen and here" {
	add_key plain
	[ ! -e plain ]
	run -0 "$TOOL" sign -k "$(pub plain)" -n "$NS" <msg
	printf '%s\n' "$output" >msg.sig
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s msg.sig <msg
	[[ $output == *"Good \"$NS\" signature"* ]]
	run -0 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s msg.sig -A rsa-sha2-512 <msg
}

@test "an agent signature with rsa-sha2-256 and sha256; the algorithm is checked" {
	add_key plain
	run -0 "$TOOL" sign -k "$(pub plain)" -n "$NS" -A rsa-sha2-256 -H sha256 <msg
	printf '%s\n' "$output" >msg.sig
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s msg.sig <msg
	run -0 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s msg.sig -A rsa-sha2-256 -H sha256 <msg
	# KEYSWAP-v2 wants sha512 and the scheme's algorithm exactly.
	run -1 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s msg.sig -A rsa-sha2-256 <msg
	[[ $output == *"hash algorithm is not allowed"* ]]
	run -1 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s msg.sig -A rsa-sha2-512 -H sha256 <msg
	[[ $output == *"signature algorithm is not allowed"* ]]
}

@test "a key found by fingerprint; a passphrase-protected key added through askpass" {
	add_key protected
	[ ! -e protected ]
	run -0 "$TOOL" sign -F "$(fingerprint protected)" -n "$NS" <msg
	printf '%s\n' "$output" >msg.sig
	run -0 ssh-keygen -Y check-novalidate -n "$NS" -s msg.sig <msg
	run -0 "$TOOL" verify -k "$(pub protected)" -n "$NS" -s msg.sig <msg
}

@test "the agent's signature, ours with the file key and ssh-keygen's are the same bytes" {
	add_key plain
	run -0 "$TOOL" sign -k "$(pub plain)" -n "$NS" <msg
	printf '%s\n' "$output" >agent.sig
	run -0 "$TOOL" sign-file -k "$BATS_FILE_TMPDIR/plain" -n "$NS" <msg
	printf '%s\n' "$output" >file.sig
	# PKCS#1 v1.5 is deterministic: ssh-keygen signs the same bytes.
	SSH_AUTH_SOCK= run -0 ssh-keygen -Y sign -n "$NS" \
		-f "$BATS_FILE_TMPDIR/plain" <msg
	printf '%s\n' "$output" | grep -v '^Signing' >keygen.sig
	assert_same_file agent.sig file.sig
	assert_same_file file.sig keygen.sig
}

@test "ssh-keygen -Y sign's signature verifies here; another namespace fails in both" {
	cp "$BATS_FILE_TMPDIR/absent" key
	SSH_AUTH_SOCK= ssh-keygen -Y sign -n "$NS" -f key <msg >msg.sig 2>/dev/null
	run -0 "$TOOL" verify -k "$(pub absent)" -n "$NS" -s msg.sig <msg
	run -1 --separate-stderr "$TOOL" verify -k "$(pub absent)" -n file -s msg.sig <msg
	assert_one_line_error agent-tool "for another namespace"
	run -255 ssh-keygen -Y check-novalidate -n file -s msg.sig <msg
	# And the other way: our signature for "file" is not a keyswap one.
	add_key plain
	"$TOOL" sign -k "$(pub plain)" -n file <msg >file.sig
	run -255 ssh-keygen -Y check-novalidate -n "$NS" -s file.sig <msg
	run -1 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s file.sig <msg
	run -0 "$TOOL" verify -k "$(pub plain)" -n file -s file.sig <msg
}

@test "a tampered signature, another message or another key: refused by both" {
	add_key plain
	"$TOOL" sign -k "$(pub plain)" -n "$NS" <msg >msg.sig
	tamper msg.sig bad.sig
	run -255 ssh-keygen -Y check-novalidate -n "$NS" -s bad.sig <msg
	run -1 --separate-stderr "$TOOL" verify -k "$(pub plain)" -n "$NS" -s bad.sig <msg
	assert_one_line_error agent-tool "does not verify"
	echo "another message" >other
	run -255 ssh-keygen -Y check-novalidate -n "$NS" -s msg.sig <other
	run -1 "$TOOL" verify -k "$(pub plain)" -n "$NS" -s msg.sig <other
	run -1 --separate-stderr "$TOOL" verify -k "$(pub absent)" -n "$NS" -s msg.sig <msg
	assert_one_line_error agent-tool "made by another key"
}

@test "no agent: SSH_AUTH_SOCK unset, a dead socket, no socket" {
	SSH_AUTH_SOCK= run -2 --separate-stderr "$TOOL" sign -k "$(pub plain)" <msg
	assert_one_line_error agent-tool "SSH_AUTH_SOCK is not set"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' dead.sock
	run -2 --separate-stderr "$TOOL" -a dead.sock list
	assert_one_line_error agent-tool "no ssh-agent at dead.sock: connection refused"
	run -2 --separate-stderr "$TOOL" -a nothing.sock list
	assert_one_line_error agent-tool "no ssh-agent at nothing.sock: no such file"
	kill "$SSH_AGENT_PID"
	while [ -e "$SOCK" ]; do sleep 0.1; done
	run -2 --separate-stderr "$TOOL" sign -k "$(pub plain)" <msg
	assert_one_line_error agent-tool "no ssh-agent at .*agent.sock"
	[ -z "$output" ]
}

@test "the key is not in the agent: status 2 naming its fingerprint" {
	add_key plain
	run -2 --separate-stderr "$TOOL" sign -k "$(pub absent)" <msg
	assert_one_line_error agent-tool \
		"key $(fp_re absent) is not in the agent \(it holds 1 other RSA key"
	[ -z "$output" ]
	run -2 --separate-stderr "$TOOL" sign -F SHA256:nosuchkey <msg
	assert_one_line_error agent-tool "key SHA256:nosuchkey is not in the agent"
}

@test "a key added with ssh-add -c whose confirmation is denied" {
	add_key confirm -c
	run -0 "$TOOL" list
	[[ $output == *"$(fingerprint confirm) ssh-rsa usable confirm"* ]]
	rm -f "$BATS_FILE_TMPDIR/confirm.log"
	run -2 --separate-stderr "$TOOL" sign -k "$(pub confirm)" <msg
	# The agent did ask, and was told no.
	grep -q "Allow use of key" "$BATS_FILE_TMPDIR/confirm.log"
	assert_one_line_error agent-tool \
		"ssh-agent refused to sign with key $(fp_re confirm) \(confirmation denied"
	[ -z "$output" ]
}

@test "a locked agent is said to be locked; unlocked, it signs again" {
	add_key plain
	setsid -w ssh-add -x </dev/null >/dev/null 2>&1
	run -2 --separate-stderr "$TOOL" sign -k "$(pub plain)" <msg
	assert_one_line_error agent-tool \
		"key $(fp_re plain) is not in the agent, which lists no keys at all \(a locked agent"
	setsid -w ssh-add -X </dev/null >/dev/null 2>&1
	run -0 "$TOOL" sign -k "$(pub plain)" <msg
}

@test "an agent with only an ed25519 key" {
	add_key ed
	run -2 --separate-stderr "$TOOL" sign -k "$(pub plain)" <msg
	assert_one_line_error agent-tool \
		"not in the agent, which holds no usable RSA key \(1 key, the first ssh-ed25519\)"
	run -2 --separate-stderr "$TOOL" sign -F "$(fingerprint ed)" <msg
	assert_one_line_error agent-tool \
		"key $(fp_re ed) in the agent is ssh-ed25519, not a usable RSA key"
}

@test "an agent that accepts and never answers times out within the stated time" {
	socat UNIX-LISTEN:hung.sock,fork EXEC:'sleep 10' &
	HUNG_PID=$!
	while [ ! -S hung.sock ]; do sleep 0.1; done
	SECONDS=0
	run -2 --separate-stderr "$TOOL" -a hung.sock -t 2 sign -k "$(pub plain)" <msg
	[ "$SECONDS" -le 4 ]
	assert_one_line_error agent-tool \
		"ssh-agent at hung.sock did not answer within 2 seconds"
}

@test "an RSA key too small for rsapipe is listed, said why, and not used" {
	add_key small
	run -0 "$TOOL" list
	[[ $output == *"$(fingerprint small) ssh-rsa unusable small"* ]]
	run -2 --separate-stderr "$TOOL" sign -F "$(fingerprint small)" <msg
	assert_one_line_error agent-tool \
		"key $(fp_re small) in the agent is ssh-rsa: modulus is 1024 bits; 2048 to 16384 required"
}

# fake_agent SOCKET SHELL-COMMAND: a socket whose every connection is
# answered by the command's output (socat), whatever was asked.
fake_agent() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1.sh"
	chmod 755 "$1.sh"
	socat UNIX-LISTEN:"$1",fork EXEC:"./$1.sh" &
	HUNG_PID=$!
	while [ ! -S "$1" ]; do sleep 0.1; done
}

@test "a fake agent: refusal, an oversized or a malformed reply, a closed connection" {
	fake_agent fail.sock 'printf "\000\000\000\001\005"; sleep 5'
	run -2 --separate-stderr "$TOOL" -a fail.sock list
	assert_one_line_error agent-tool \
		"ssh-agent at fail.sock: the agent refused to list its keys"
	kill "$HUNG_PID"
	fake_agent big.sock 'printf "\000\004\000\001"; sleep 5'
	run -2 --separate-stderr "$TOOL" -a big.sock list
	assert_one_line_error agent-tool \
		"ssh-agent reply of 262145 bytes; 1 to 262144 expected"
	kill "$HUNG_PID"
	fake_agent bad.sock 'printf "\000\000\000\005\014\000\000\000\001"; sleep 5'
	run -2 --separate-stderr "$TOOL" -a bad.sock list
	assert_one_line_error agent-tool \
		"ssh-agent at bad.sock: truncated key list from the agent"
	kill "$HUNG_PID"
	fake_agent closed.sock 'true'
	run -2 --separate-stderr "$TOOL" -a closed.sock list
	assert_one_line_error agent-tool \
		"ssh-agent at closed.sock closed the connection"
}

@test "a reply that trickles in is read whole; one slower than the timeout is cut" {
	# An empty key list, one byte every 0.2 s: 1.8 s in all.
	fake_agent slow.sock 'for b in 000 000 000 005 014 000 000 000 000; do
	sleep 0.2; printf "\\$b"; done; sleep 5'
	run -0 "$TOOL" -a slow.sock -t 5 list
	[ "$output" = "0 keys" ]
	SECONDS=0
	run -2 --separate-stderr "$TOOL" -a slow.sock -t 1 list
	[ "$SECONDS" -le 2 ]
	assert_one_line_error agent-tool "did not answer within 1 seconds"
}
