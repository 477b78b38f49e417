#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The chat commands, driven as a script drives them (keyboard on a FIFO,
# screen in a file): two people over loopback TCP, through socat and
# through netcat, with identities, trust and key erasure.  The same
# commands at real terminals are in chat-terminal.bats, the endings in
# chat-endings.bats.
# shellcheck disable=SC2154 # PIDs and statuses are set through name references
# (start/wait helpers in chat_helper.bash); stderr by bats' run --separate-stderr.

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# chat_session [--nc]: Alice serves, Bob calls, lines both ways, Bob types
# exit.  Leaves alice_status and bob_status.
chat_session() {
	open_chat "$@"
	for i in 1 2 3 4 5; do echo "from bob $i: $(printf 'x%.0s' $(seq $i))" >&9; done
	echo "from alice 1" >&8
	echo "from alice 2 with   spaces and \\backslash" >&8
	wait_screen alice ' [0-9A-Za-z+/]{16}: from bob 5'
	wait_screen bob ' 127\.0\.0\.1: from alice 2'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	exec 8>&- 9>&-
}

# open_chat [--nc]: Alice serves, Bob calls (accepting Alice's identity on
# first contact, as a script must say); both reach a secure session.
open_chat() {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$CHAT_SERVER" "$@" "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" "$@" --accept-new 127.0.0.1 "$port"
	wait_screen alice 'secure session'
	wait_screen bob 'secure session'
}

assert_lines_arrived_in_order() {
	diff <(grep -o 'from bob .*' "$BATS_TEST_TMPDIR/alice/screen") \
		<(for i in 1 2 3 4 5; do echo "from bob $i: $(printf 'x%.0s' $(seq $i))"; done)
	diff <(grep -o 'from alice .*' "$BATS_TEST_TMPDIR/bob/screen") \
		<(printf '%s\n' "from alice 1" "from alice 2 with   spaces and \\backslash")
}

fingerprint_of() {
	rsa-keygen -l "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe/identity.pem" | cut -d' ' -f2
}

@test "a chat through socat carries lines both ways in order, shown as 'HH:MM name: text', and exit ends both with 0" {
	chat_session
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	assert_lines_arrived_in_order
	# The client names the server by the host it called; the server names
	# the client by its fingerprint (no allow list here).
	bob_short=$(re_quote "$(fingerprint_of bob | cut -c8-23)")
	grep -Eq "^[0-2][0-9]:[0-5][0-9] $bob_short: from bob 1: x$" "$BATS_TEST_TMPDIR/alice/screen"
	grep -Eq '^[0-2][0-9]:[0-5][0-9] 127\.0\.0\.1: from alice 1$' "$BATS_TEST_TMPDIR/bob/screen"
	grep -Eq "$bob_short left the chat" "$BATS_TEST_TMPDIR/alice/screen"
	grep -q 'chat ended' "$BATS_TEST_TMPDIR/bob/screen"
	assert_no_noise "$(screen_of alice)"
	assert_no_noise "$(screen_of bob)"
}

@test "a chat through netcat carries lines both ways in order and exit ends both with 0" {
	chat_session --nc
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	assert_lines_arrived_in_order
	assert_no_noise "$(screen_of alice)"
	assert_no_noise "$(screen_of bob)"
}

@test "without a terminal nothing but the chat is printed: no prompt, no echo of own lines" {
	chat_session
	[ "$bob_status" -eq 0 ]
	refute grep -q '> ' "$BATS_TEST_TMPDIR/bob/screen"
	refute grep -q ' me: ' "$BATS_TEST_TMPDIR/bob/screen"
	refute grep -q ' me: ' "$BATS_TEST_TMPDIR/alice/screen"
}

@test "'\\exit' sends the word exit and end of input ends the chat like exit" {
	open_chat
	echo '\exit' >&9
	echo '\\exit' >&9
	wait_screen alice ': \\exit$'
	grep -Eq ': exit$' "$BATS_TEST_TMPDIR/alice/screen"
	exec 9>&-   # Bob's input ends
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	grep -q 'left the chat' "$BATS_TEST_TMPDIR/alice/screen"
}

@test "UTF-8 text passes unchanged and the peer's control sequences are shown inert" {
	open_chat
	printf 'héllo wörld — 日本語 ✓\n' >&9
	printf 'plain\t\033[2J\033]0;owned\007 \342\200\256reversed still here\n' >&9
	wait_screen alice 'still here'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	[ "$bob_status" -eq 0 ]
	grep -qF ': héllo wörld — 日本語 ✓' "$BATS_TEST_TMPDIR/alice/screen"
	grep -qF ': plain        ?[2J?]0;owned? ?reversed still here' "$BATS_TEST_TMPDIR/alice/screen"
	refute grep -q $'\033' "$BATS_TEST_TMPDIR/alice/screen"
	refute grep -q $'\342\200\256' "$BATS_TEST_TMPDIR/alice/screen"
}

@test "no session key, peer key or session context remains after a chat" {
	chat_session
	[ "$bob_status" -eq 0 ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	assert_no_processes "$port"
}

@test "each chat makes the next session key ahead, and the next chat uses it once" {
	open_chat
	# The spare is made while the chat runs (slowly under sanitizers):
	# this chat lasts until it is there.
	spare="$BATS_TEST_TMPDIR/bob/run/rsapipe-spare-2048"
	for _ in $(seq 300); do
		[ -f "$spare/session.pem" ] && break
		sleep 0.1
	done
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ -f "$spare/session.pem" ]
	[ "$(stat -c %a "$spare")" = 700 ]
	[ "$(stat -c %a "$spare/session.pem")" = 600 ]
	cp "$spare/session.pub" "$BATS_TEST_TMPDIR/spare.pub"
	# The second chat's session key is that spare; a new spare is made.
	port=$(free_port)
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --accept-new 127.0.0.1 "$port"
	wait_screen bob 'secure session'
	used=$(find "$BATS_TEST_TMPDIR/bob/run" -path '*rsapipe-session.*/session.pub')
	assert_same_file "$used" "$BATS_TEST_TMPDIR/spare.pub"
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	[ "$bob_status" -eq 0 ]
	refute cmp -s "$spare/session.pub" "$BATS_TEST_TMPDIR/spare.pub"
}

@test "the first chat records the server for the client and the client for the server" {
	chat_session
	[ "$bob_status" -eq 0 ]
	alice_fp=$(fingerprint_of alice)
	bob_fp=$(fingerprint_of bob)
	[[ $alice_fp == SHA256:* ]]
	grep -qF -- "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	grep -qF -- "$bob_fp" "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/clients.log"
	grep -qF -- "$alice_fp" "$BATS_TEST_TMPDIR/bob/screen"
	grep -qF -- "$bob_fp" "$BATS_TEST_TMPDIR/alice/screen"
}

@test "a script that did not say --accept-new is refused a new server, with the fingerprint and what to do" {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" 127.0.0.1 "$port"
	echo "secret line" >&9
	wait_exit "$bob_pid" bob_status
	[ "$bob_status" -eq 1 ]
	grep -qF "$(fingerprint_of alice)" "$BATS_TEST_TMPDIR/bob/screen"
	grep -q -- '--accept-new' "$BATS_TEST_TMPDIR/bob/screen"
	[ ! -e "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers" ] ||
		refute grep -q "127.0.0.1:$port" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	wait_exit "$alice_pid" alice_status
	refute grep -q 'secret line' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers bob)" ]
}

@test "the client refuses a server whose identity changed since the first chat" {
	chat_session
	[ "$bob_status" -eq 0 ]
	known="$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	# Alice's identity is replaced (a different machine on that address).
	rm -r "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe"
	port=$(free_port)
	person alice
	person bob
	sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$port/" "$known"
	cp "$known" "$BATS_TEST_TMPDIR/known.before"
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --accept-new 127.0.0.1 "$port"
	wait_exit "$bob_pid" st; [ "$st" -eq 1 ]
	wait_exit "$alice_pid" st; [ "$st" -ne 0 ]
	exec 8>&- 9>&-
	grep -qi 'changed' "$BATS_TEST_TMPDIR/bob/screen"
	grep -q 'key exchange failed' "$BATS_TEST_TMPDIR/bob/screen"
	refute grep -q 'secure session' "$BATS_TEST_TMPDIR/bob/screen"
	assert_same_file "$known" "$BATS_TEST_TMPDIR/known.before"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "--forget removes a recorded server, so the next contact is a first contact again" {
	chat_session
	[ "$bob_status" -eq 0 ]
	known="$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	grep -q "^127.0.0.1:$port " "$known"
	echo "other:1 $(fingerprint_of alice)" >>"$known"
	run -0 as bob "$CHAT_CLIENT" --forget 127.0.0.1 "$port"
	refute grep -q "^127.0.0.1:$port " "$known"
	grep -q '^other:1 ' "$known"
	run -1 as bob "$CHAT_CLIENT" --forget 127.0.0.1 "$port"
}

@test "a pinned peer that does not match is refused before any line is sent" {
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	# Bob pins Carol, but Alice answers.
	start bob 9 "$CHAT_CLIENT" --peer "$FIXTURES/carol.pub" 127.0.0.1 "$port"
	echo "secret line" >&9
	wait_exit "$bob_pid" st; [ "$st" -eq 1 ]
	wait_exit "$alice_pid" st; [ "$st" -ne 0 ]
	exec 8>&- 9>&-
	grep -qi 'does not match' "$BATS_TEST_TMPDIR/bob/screen"
	refute grep -q 'secret line' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "a server with an allow list admits the clients it names, shown by that name, and tells others why not" {
	port=$(free_port)
	person alice
	person bob
	person carol
	# Bob's identity exists before the chat, so Alice can list it.
	as bob mkdir -p "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe"
	as bob rsa-keygen -b 2048 -o "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/identity.pem" 2>/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe"
	echo "bobby $(fingerprint_of bob)" >"$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/allowed_peers"
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --accept-new 127.0.0.1 "$port"
	wait_screen alice 'secure session with bobby'
	echo "hello" >&9
	wait_screen alice ' bobby: hello$'
	echo exit >&9
	wait_exit "$bob_pid" st; [ "$st" -eq 0 ]
	wait_exit "$alice_pid" st; [ "$st" -eq 0 ]
	# Carol is not on the list.
	port=$(free_port)
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	start carol 7 "$CHAT_CLIENT" --accept-new 127.0.0.1 "$port"
	wait_exit "$carol_pid" st; [ "$st" -eq 1 ]
	wait_exit "$alice_pid" st; [ "$st" -eq 1 ]
	grep -q 'allow list' "$BATS_TEST_TMPDIR/carol/screen"
	grep -qF "$(fingerprint_of carol)" "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers carol)" ]
}

@test "a caller that sends garbage instead of a hello is refused and the server's session keys are erased" {
	port=$(free_port)
	person alice
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	head -c 3000 /dev/urandom | timeout 20 nc -N 127.0.0.1 "$port" >/dev/null || true
	wait_exit "$alice_pid" alice_status
	[ "$alice_status" -eq 1 ]
	grep -q 'key exchange failed' "$BATS_TEST_TMPDIR/alice/screen"
	refute grep -q 'secure session' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
	assert_no_noise "$(screen_of alice)"
}

@test "a caller that disconnects halfway through its hello is refused with erased keys" {
	port=$(free_port)
	person alice
	person mallory
	start alice 8 "$CHAT_SERVER" "$port"
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
	[ "$alice_status" -eq 1 ]
	grep -Eqi 'closed|truncated|ended' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
}

@test "a silent caller is dropped after the key exchange timeout with erased keys" {
	port=$(free_port)
	person alice
	RSAPIPE_TIMEOUT=2 start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	# Connect and say nothing, keeping the connection open.
	mkfifo "$BATS_TEST_TMPDIR/silence"
	nc 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/silence" >/dev/null 3>&- &
	nc_pid=$!
	exec 6>"$BATS_TEST_TMPDIR/silence"
	wait_exit "$alice_pid" alice_status
	exec 6>&-
	kill "$nc_pid" 2>/dev/null || true
	[ "$alice_status" -eq 1 ]
	grep -qi 'timed out' "$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(leftovers alice)" ]
}

@test "a netcat server starts the exchange, and its timeout, when a caller speaks, not when it starts listening" {
	port=$(free_port)
	person alice
	person bob
	has_identity alice
	has_identity bob
	RSAPIPE_TIMEOUT=3 start alice 8 "$CHAT_SERVER" --nc "$port"
	wait_listen "$port"
	# Longer than the exchange timeout, before anyone calls.
	sleep 4
	start bob 9 "$CHAT_CLIENT" --nc --accept-new 127.0.0.1 "$port"
	wait_screen alice 'secure session'
	wait_screen bob 'secure session'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
}

# session_files NAME: the files of NAME's running session directory.
session_files() {
	find "$BATS_TEST_TMPDIR/$1/run" -path '*/rsapipe-session.*/*' -printf '%f\n' | sort
}

session_dir_holds() {
	open_chat "$@"
	local expected=(keyswap.log peer-identity.pub peer.pub session.pem
	    session.pub shown streams.log transport.log typed)
	[ "$1" != --nc ] || expected+=(net-in net-out)
	for who in alice bob; do
		diff <(printf '%s\n' "${expected[@]}" | sort) <(session_files "$who")
	done
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
}

@test "during a chat through socat the session directory holds the session keys, the FIFOs and the logs: no context, no state files" {
	session_dir_holds
}

@test "during a chat through netcat the session directory holds the same, and nc's two FIFOs" {
	session_dir_holds --nc
}

@test "the chat commands refuse bad usage with exit 2 and say how to call them" {
	run -2 --separate-stderr "$CHAT_SERVER" 1 2
	[[ $stderr == "usage: rsa-chat-server "* ]]
	run -2 --separate-stderr "$CHAT_SERVER" --bogus
	[[ $stderr == *"unknown option --bogus"* ]]
	run -2 --separate-stderr "$CHAT_CLIENT"
	[[ $stderr == "usage: rsa-chat-client "* ]]
	run -2 --separate-stderr "$CHAT_CLIENT" --peer
	run -2 --separate-stderr "$CHAT_CLIENT" localhost notaport
	[[ $stderr == "rsa-chat-client: bad port: notaport" ]]
	run -2 --separate-stderr "$CHAT_CLIENT" --peer /nonexistent localhost
	[[ $stderr == "rsa-chat-client: cannot read /nonexistent" ]]
	run -2 --separate-stderr "$CHAT_SERVER" --link-timeout soon
	[[ $stderr == "rsa-chat-server: bad --link-timeout: soon" ]]
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

@test "the installed commands chat with each other, using only the installed programs" {
	prefix="$BATS_TEST_TMPDIR/prefix"
	make -s -C "$RSAPIPE_ROOT" install PREFIX="$prefix" >/dev/null
	# Nothing of the source tree on PATH: the installed scripts must find
	# the installed programs and chat-term by themselves.
	PATH=/usr/bin:/bin
	port=$(free_port)
	person alice
	person bob
	start alice 8 "$prefix/bin/rsa-chat-server" "$port"
	wait_listen "$port"
	start bob 9 "$prefix/bin/rsa-chat-client" --accept-new 127.0.0.1 "$port"
	wait_screen alice 'secure session'
	echo "installed hello" >&9
	wait_screen alice ': installed hello$'
	echo exit >&9
	wait_exit "$bob_pid" st; [ "$st" -eq 0 ]
	wait_exit "$alice_pid" st; [ "$st" -eq 0 ]
	grep -q '^rsa-chat-client: chat ended' "$BATS_TEST_TMPDIR/bob/screen"
	# The installed scripts name no file of the source tree.
	refute grep -q "$RSAPIPE_ROOT" "$prefix"/bin/rsa-chat-* "$prefix"/libexec/rsapipe/*.sh
}
