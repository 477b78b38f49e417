#!/usr/bin/env bats
# The chat (examples/): two people over loopback TCP, through socat and
# through netcat, with identities, trust on first use and key erasure.

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# chat_session SERVER-SCRIPT CLIENT-SCRIPT: Alice serves, Bob calls, lines
# both ways, Bob types exit.  Leaves alice_status and bob_status.
chat_session() {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$EXAMPLES/$1" "$port"
	wait_listen "$port"
	start bob 9 "$EXAMPLES/$2" 127.0.0.1 "$port"
	wait_screen alice 'secure session'
	wait_screen bob 'secure session'
	for i in 1 2 3 4 5; do echo "from bob $i: $(printf 'x%.0s' $(seq $i))" >&9; done
	echo "from alice 1" >&8
	echo "from alice 2 with   spaces and \\backslash" >&8
	wait_screen alice '\[client\] from bob 5'
	wait_screen bob '\[server\] from alice 2'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	exec 8>&- 9>&-
}

# open_chat: Alice serves (socat), Bob calls; both reach a secure session.
open_chat() {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	start bob 9 "$EXAMPLES/chat-client.sh" 127.0.0.1 "$port"
	wait_screen alice 'secure session'
	wait_screen bob 'secure session'
}

assert_lines_arrived_in_order() {
	diff <(grep -o 'from bob .*' "$BATS_TEST_TMPDIR/alice/screen") \
		<(for i in 1 2 3 4 5; do echo "from bob $i: $(printf 'x%.0s' $(seq $i))"; done)
	diff <(grep -o 'from alice .*' "$BATS_TEST_TMPDIR/bob/screen") \
		<(printf '%s\n' "from alice 1" "from alice 2 with   spaces and \\backslash")
}

@test "a chat through socat carries lines both ways in order and exit ends both sides with status 0" {
	chat_session chat-server.sh chat-client.sh
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	assert_lines_arrived_in_order
	grep -q 'peer left the chat' "$BATS_TEST_TMPDIR/alice/screen"
}

@test "a chat through netcat carries lines both ways in order and exit ends both sides with status 0" {
	chat_session chat-nc-server.sh chat-nc-client.sh
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	assert_lines_arrived_in_order
}

@test "no session key, peer key or session context remains after a chat" {
	chat_session chat-server.sh chat-client.sh
	[ "$bob_status" -eq 0 ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	# The long-term identities stay, private and 0600.
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem")" = 600 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/identity.pem")" = 600 ]
}

@test "the first chat records the server for the client and the client for the server" {
	chat_session chat-server.sh chat-client.sh
	[ "$bob_status" -eq 0 ]
	# "BITS SHA256:... (RSA)": the fingerprint is the second field.
	alice_fp=$(rsa-keygen -l "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem" | cut -d' ' -f2)
	bob_fp=$(rsa-keygen -l "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/identity.pem" | cut -d' ' -f2)
	[[ $alice_fp == SHA256:* ]]
	grep -qF -- "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	grep -qF -- "$bob_fp" "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/clients.log"
	grep -qF -- "$alice_fp" "$BATS_TEST_TMPDIR/bob/screen"
	grep -qF -- "$bob_fp" "$BATS_TEST_TMPDIR/alice/screen"
}

@test "the client refuses a server whose identity changed since the first chat" {
	chat_session chat-server.sh chat-client.sh
	[ "$bob_status" -eq 0 ]
	known="$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	cp "$known" "$BATS_TEST_TMPDIR/known.before"
	# Alice's identity is replaced (a different machine on that address).
	rm -r "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe"
	port=$(free_port)
	person alice
	person bob
	sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$port/" "$known"
	cp "$known" "$BATS_TEST_TMPDIR/known.before"
	start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	start bob 9 "$EXAMPLES/chat-client.sh" 127.0.0.1 "$port"
	wait_exit "$bob_pid" st; [ "$st" -ne 0 ]
	wait_exit "$alice_pid" st; [ "$st" -ne 0 ]
	exec 8>&- 9>&-
	grep -qi 'changed' "$BATS_TEST_TMPDIR/bob/screen"
	grep -q 'key exchange failed' "$BATS_TEST_TMPDIR/bob/screen"
	! grep -q 'secure session' "$BATS_TEST_TMPDIR/bob/screen"
	assert_same_file "$known" "$BATS_TEST_TMPDIR/known.before"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "a pinned peer that does not match is refused before any line is sent" {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	# Bob pins Carol, but Alice answers.
	start bob 9 "$EXAMPLES/chat-client.sh" --peer "$FIXTURES/carol.pub" 127.0.0.1 "$port"
	echo "secret line" >&9
	wait_exit "$bob_pid" st; [ "$st" -ne 0 ]
	wait_exit "$alice_pid" st; [ "$st" -ne 0 ]
	exec 8>&- 9>&-
	grep -qi 'does not match' "$BATS_TEST_TMPDIR/bob/screen"
	! grep -q 'secret line' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "a dropped connection mid-chat ends the other side with an error and erased keys" {
	open_chat
	echo "before the drop" >&9
	wait_screen alice 'before the drop'
	# The server's connection goes first, as when a machine or a network
	# link dies: no final record, no exit line.
	signal_in_tree KILL "$alice_pid" "TCP-LISTEN:$port"
	signal_in_tree KILL "$alice_pid" "chat-session.sh server"
	wait_exit "$bob_pid" bob_status
	exec 8>&- 9>&-
	[ "$bob_status" -ne 0 ]
	[ "$bob_status" -ne 124 ]
	grep -q 'rsa-decrypt: truncated' "$BATS_TEST_TMPDIR/bob/screen"
	grep -q 'connection lost' "$BATS_TEST_TMPDIR/bob/screen"
	[ -z "$(leftovers bob)" ]
}

@test "terminating one side (Ctrl-C or kill) ends the chat and erases the session keys" {
	open_chat
	[ -n "$(leftovers bob)" ]   # the session keys exist during the chat
	signal_in_tree TERM "$bob_pid" "chat-session.sh client"
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	exec 8>&- 9>&-
	[ "$bob_status" -ne 0 ]
	[ "$alice_status" -ne 0 ]
	[ -z "$(leftovers bob)" ]
	[ -z "$(leftovers alice)" ]
}

@test "a caller that sends garbage instead of a hello is refused and the server's session keys are erased" {
	port=$(free_port)
	person alice
	start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	head -c 3000 /dev/urandom | timeout 20 nc -N 127.0.0.1 "$port" >/dev/null || true
	wait_exit "$alice_pid" alice_status
	[ "$alice_status" -ne 0 ]
	[ "$alice_status" -ne 124 ]
	grep -q 'key exchange failed' "$BATS_TEST_TMPDIR/alice/screen"
	! grep -q 'secure session' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
}

@test "a caller that disconnects halfway through its hello is refused with erased keys" {
	port=$(free_port)
	person alice
	person mallory
	start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	# A genuine hello, cut short: record what a real client sends first.
	as mallory rsa-keygen -b 2048 -o "$BATS_TEST_TMPDIR/m-id.pem" 2>/dev/null
	as mallory rsa-keygen -b 2048 -o "$BATS_TEST_TMPDIR/m-s.pem" 2>/dev/null
	timeout 5 keyswap --identity "$BATS_TEST_TMPDIR/m-id.pem" \
		--session-key "$BATS_TEST_TMPDIR/m-s.pem" --peer-out /dev/null \
		--session-out "$BATS_TEST_TMPDIR/m-ctx" --accept-any --timeout 1 \
		</dev/null >"$BATS_TEST_TMPDIR/hello" 2>/dev/null || true
	[ -s "$BATS_TEST_TMPDIR/hello" ]
	head -c 100 "$BATS_TEST_TMPDIR/hello" | timeout 20 nc -N 127.0.0.1 "$port" >/dev/null || true
	wait_exit "$alice_pid" alice_status
	[ "$alice_status" -ne 0 ]
	[ "$alice_status" -ne 124 ]
	grep -Eqi 'closed|truncated|ended' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
}

@test "a silent caller is dropped after the key exchange timeout with erased keys" {
	port=$(free_port)
	person alice
	RSAPIPE_TIMEOUT=2 start alice 8 "$EXAMPLES/chat-server.sh" "$port"
	wait_listen "$port"
	# Connect and say nothing, keeping the connection open.
	mkfifo "$BATS_TEST_TMPDIR/silence"
	nc 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/silence" >/dev/null 3>&- &
	nc_pid=$!
	exec 6>"$BATS_TEST_TMPDIR/silence"
	wait_exit "$alice_pid" alice_status
	exec 6>&-
	kill "$nc_pid" 2>/dev/null || true
	[ "$alice_status" -ne 0 ]
	[ "$alice_status" -ne 124 ]
	grep -qi 'timed out' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
}

@test "the chat scripts refuse bad usage with exit 2 and say how to call them" {
	for script in chat-server.sh chat-nc-server.sh; do
		run -2 --separate-stderr "$EXAMPLES/$script" 1 2
		[[ $stderr == "usage: $script [--peer PUB] [PORT]" ]]
	done
	for script in chat-client.sh chat-nc-client.sh echo-client.sh; do
		run -2 --separate-stderr "$EXAMPLES/$script"
		[[ $stderr == "usage: $script [--peer PUB] HOST [PORT]" ]]
		run -2 --separate-stderr "$EXAMPLES/$script" --peer
	done
	run -1 --separate-stderr "$EXAMPLES/chat-client.sh" localhost notaport
	[[ $stderr == *"bad port: notaport"* ]]
	run -1 --separate-stderr "$EXAMPLES/chat-client.sh" --peer /nonexistent localhost
	[[ $stderr == *"cannot read /nonexistent"* ]]
}

@test "terminal control sequences from the peer are shown inert, never sent to the screen" {
	open_chat
	printf 'plain\t\033[2J\033]0;owned\007 still here\n' >&9
	wait_screen alice 'still here'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	grep -qF '[client] plain        ?[2J?]0;owned? still here' "$BATS_TEST_TMPDIR/alice/screen"
	! grep -q $'\033' "$BATS_TEST_TMPDIR/alice/screen"
}

@test "both sides typing exit at once still end the chat cleanly" {
	open_chat
	echo exit >&8
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}
