#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Chat identities held by ssh-agent (issue 18): --identity agent:FILE.pub
# or agent:SHA256:FP, the private key file deleted after ssh-add; agent
# trouble; and the agent forwarded over ssh -A through a private sshd,
# the chat's server side running inside that ssh session.  The agent
# client and the proofs themselves are tested in agent.bats and
# keyswap.bats.
# shellcheck disable=SC2154 # PIDs and statuses are set through name references
# (start/wait helpers in chat_helper.bash).

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

setup() {
	command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null ||
		skip "needs openssh-client"
	person alice
	person bob
	agent_pids=()
}

teardown() {
	kill_tree "${alice_pid:-}" "${bob_pid:-}"
	exec 7>&- 8>&- 9>&- 2>/dev/null || true
	local pid
	for pid in "${agent_pids[@]}" "${sshd_pid:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	tmux_teardown
	# Only a /run/sshd this test made: the system's stays.
	[ -z "${made_run_sshd:-}" ] || rmdir /run/sshd 2>/dev/null
	return 0
}

# agent_for NAME: an ssh-agent on a private socket holding a new RSA key
# for NAME, whose private file is deleted once added.  Leaves NAME/key.pub
# and sets NAME_sock and NAME_fp.
agent_for() {
	local who=$1 d=$BATS_TEST_TMPDIR/$1 out
	ssh-keygen -q -t rsa -b 2048 -N '' -C "$who" -f "$d/key"
	out=$(ssh-agent -s -a "$d/agent.sock") || return 1
	agent_pids+=("$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")")
	SSH_AUTH_SOCK=$d/agent.sock ssh-add -q "$d/key" </dev/null 2>/dev/null
	rm -f "$d/key"
	printf -v "${who}_sock" '%s' "$d/agent.sock"
	printf -v "${who}_fp" '%s' "$(ssh-keygen -l -E sha256 -f "$d/key.pub" | cut -d' ' -f2)"
}

@test "a chat whose both sides sign with ssh-agent: no key file read or made, lines cross both ways" {
	agent_for alice
	agent_for bob
	port=$(free_port)
	SSH_AUTH_SOCK=$alice_sock start alice 8 "$CHAT_SERVER" \
		--identity "agent:$alice_fp" "$port"
	wait_listen "$port"
	# Bob says it with the public key file (~/ is his home).
	cp "$BATS_TEST_TMPDIR/bob/key.pub" "$BATS_TEST_TMPDIR/bob/home/id_rsa.pub"
	SSH_AUTH_SOCK=$bob_sock start bob 9 "$CHAT_CLIENT" \
		--identity 'agent:~/id_rsa.pub' --accept-new 127.0.0.1 "$port"
	wait_screen alice "secure session with .* \\($(re_quote "$bob_fp")\\)"
	wait_screen bob "secure session with 127\\.0\\.0\\.1 \\($(re_quote "$alice_fp")\\)"
	grep -qF "your identity: $alice_fp (in ssh-agent)" "$BATS_TEST_TMPDIR/alice/screen"
	grep -qF "your identity: $bob_fp (in ssh-agent)" "$BATS_TEST_TMPDIR/bob/screen"
	echo "signed by bob's agent" >&9
	echo "signed by alice's agent" >&8
	wait_screen alice ": signed by bob's agent$"
	wait_screen bob "127\\.0\\.0\\.1: signed by alice's agent$"
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	# Bob recorded Alice's agent key; neither side made an identity file.
	grep -qxF "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	[ ! -e "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem" ]
	[ ! -e "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/identity.pem" ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen_of alice)"
	assert_no_noise "$(screen_of bob)"
}

@test "an invite between two agent identities: the code and the agents together" {
	agent_for alice
	agent_for bob
	port=$(free_port)
	RSAPIPE_IDENTITY="agent:$alice_fp" SSH_AUTH_SOCK=$alice_sock \
		start alice 8 "$CHAT_SERVER" --invite bob "$port"
	wait_screen alice 'invite code [0-9]+-[a-z]+-[a-z]+, valid'
	code=$(sed -n 's/.*invite code \([^,]*\), valid.*/\1/p' "$BATS_TEST_TMPDIR/alice/screen")
	wait_listen "$port"
	RSAPIPE_IDENTITY="agent:$BATS_TEST_TMPDIR/bob/key.pub" SSH_AUTH_SOCK=$bob_sock \
		start bob 9 "$CHAT_CLIENT" --code "$code" 127.0.0.1 "$port"
	wait_screen alice 'secure session with bob'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	[ "$bob_status" -eq 0 ]
	grep -qxF "bob $bob_fp" "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/known_peers"
	grep -qxF "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
}

@test "agent trouble ends the chat start with 2 and keyswap's words, nothing sent or recorded, no session key left" {
	agent_for bob
	has_identity alice
	port=$(free_port)
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	# A dead agent socket.
	kill "${agent_pids[0]}"
	for _ in $(seq 50); do [ ! -S "$bob_sock" ] && break; sleep 0.1; done
	SSH_AUTH_SOCK=$bob_sock run -2 as bob "$CHAT_CLIENT" \
		--identity "agent:$bob_fp" --accept-new 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"keyswap: agent key $bob_fp"* ]]
	[[ "$output" == *"cannot start the key exchange; nothing was sent"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers" ]
	[ -z "$(leftovers bob)" ]
	wait_exit "$alice_pid" alice_status
	[ "$alice_status" -eq 1 ]
	# A live agent without the key.
	out=$(ssh-agent -s -a "$BATS_TEST_TMPDIR/empty.sock")
	agent_pids+=("$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")")
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	SSH_AUTH_SOCK=$BATS_TEST_TMPDIR/empty.sock run -2 as bob "$CHAT_CLIENT" \
		--identity "agent:$bob_fp" --accept-new 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"keyswap: agent key $bob_fp"* ]]
	[ -z "$(leftovers bob)" ]
	# No agent at all.
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	run -2 env -u SSH_AUTH_SOCK HOME="$BATS_TEST_TMPDIR/bob/home" \
		XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/bob/home/.config" \
		XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/bob/run" \
		"$CHAT_CLIENT" --identity "agent:$bob_fp" --accept-new 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"keyswap: agent key $bob_fp"* ]]
	[ -z "$(leftovers bob)" ]
	# A bad --identity is a usage error before anything starts.
	run -2 as bob "$CHAT_CLIENT" --identity /no/such.pem 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"--identity: want agent:FILE.pub or agent:SHA256:FINGERPRINT"* ]]
}

# private_sshd: an sshd of the test's own on 127.0.0.1, a high port, its
# own host key, authorized_keys in the test directory; ssh_to runs a
# command there with the agent forwarded (-A), checking the host key
# against a known_hosts of the test's.  Sets sshd_port.
private_sshd() {
	local d=$BATS_TEST_TMPDIR/sshd sshd
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd" ] || skip "needs sshd (apt-get install openssh-server)"
	[ "$(id -u)" -eq 0 ] || skip "a private sshd as root needs root"
	# sshd's privilege separation directory (made by its service unit).
	if [ ! -d /run/sshd ]; then
		mkdir -m 755 /run/sshd && made_run_sshd=1
	fi
	mkdir -p "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$d/login_key"
	cp "$d/login_key.pub" "$d/authorized_keys"
	sshd_port=$(free_port)
	printf '[127.0.0.1]:%s %s\n' "$sshd_port" "$(cut -d' ' -f1,2 "$d/host_key.pub")" >"$d/known_hosts"
	cat >"$d/sshd_config" <<-EOF
	ListenAddress 127.0.0.1
	Port $sshd_port
	HostKey $d/host_key
	AuthorizedKeysFile $d/authorized_keys
	PidFile $d/sshd.pid
	StrictModes no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	AllowAgentForwarding yes
	PermitRootLogin prohibit-password
	EOF
	"$sshd" -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
	sshd_pid=$!
	wait_listen "$sshd_port"
}

@test "the agent forwarded over ssh -A: the chat's server runs inside the ssh session and signs with the caller's agent" {
	command -v ssh >/dev/null || skip "needs ssh"
	private_sshd
	d=$BATS_TEST_TMPDIR/sshd
	# The laptop's agent holds Alice's chat key; the "server machine" has
	# no key of hers, only the forwarded agent.
	agent_for alice
	has_identity bob
	port=$(free_port)
	# sshd passes no environment: what the test runs under (paths, and
	# the sanitizer options of a sanitizer build) is given explicitly.
	remote=$(printf '%q ' env HOME="$BATS_TEST_TMPDIR/alice/home" \
		XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/alice/home/.config" \
		XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/alice/run" PATH="$PATH" \
		RSAPIPE_SESSION_BITS="$RSAPIPE_SESSION_BITS" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
		RSAPIPE_TEST_TIME_SCALE="${RSAPIPE_TEST_TIME_SCALE:-1}" \
		sh -c 'test "$SSH_AUTH_SOCK" != "$0" || exit 9; exec "$@"' \
		"$alice_sock" "$CHAT_SERVER" --identity "agent:$alice_fp" "$port")
	SSH_AUTH_SOCK=$alice_sock start alice 8 ssh -A -T -p "$sshd_port" \
		-i "$d/login_key" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$d/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null \
		"$(id -un)@127.0.0.1" "$remote"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --accept-new 127.0.0.1 "$port"
	wait_screen bob "secure session with 127\\.0\\.0\\.1 \\($(re_quote "$alice_fp")\\)"
	wait_screen alice 'secure session with'
	grep -qF "your identity: $alice_fp (in ssh-agent)" "$BATS_TEST_TMPDIR/alice/screen"
	echo "through the forwarded agent" >&9
	wait_screen alice ': through the forwarded agent$'
	echo "hello from the ssh session" >&8
	wait_screen bob '127\.0\.0\.1: hello from the ssh session$'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	grep -qxF "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	[ ! -e "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem" ]
}
