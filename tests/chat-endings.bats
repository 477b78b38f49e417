#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Every way a chat ends, through socat and through netcat: Ctrl-C,
# SIGTERM, a killed peer, a refused connection, a link taken down.  Each
# side says why in rsapipe's own words, within 2 s (the link timeout for
# a dead link), with a documented status, keys erased and no process
# left, and nothing of socat, nc or the shell on the screen.
# shellcheck disable=SC2154 # PIDs and statuses are set through name references
# (start/wait helpers in chat_helper.bash); stderr by bats' run --separate-stderr.

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# open_chat_said_hello OPTION...: open_terminals, and one line crossed.
open_chat_said_hello() {
	open_terminals "$@"
	type_keys bob 'hello' Enter
	wait_terminal alice ': hello$'
}

# ended_within WHO SECONDS VAR: WHO's program ended within SECONDS (the
# time counted from now; times RSAPIPE_TEST_TIME_SCALE under sanitizers),
# its status in VAR.
ended_within() {
	terminal_status "$1" "$3" $(( $2 * ${RSAPIPE_TEST_TIME_SCALE:-1} ))
	if [ "${!3}" = 124 ]; then
		echo "$1 did not end within $2 s:" >&2
		screen "$1" >&2
		return 1
	fi
}

# all_clean: keys erased, no process left, no foreign message on screen.
all_clean() {
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	assert_no_processes "$port"
	assert_no_noise "$(screen alice)"
	assert_no_noise "$(screen bob)"
}

ctrl_c_ends_both() {
	open_chat_said_hello "$@"
	type_keys alice 'half a line'
	type_keys alice C-c
	ended_within bob 2 bob_status
	ended_within alice 2 alice_status
	[ "$alice_status" -eq 130 ]
	[ "$bob_status" -eq 0 ]
	screen alice | grep -q 'rsa-chat-server: interrupted; session keys erased'
	screen bob | grep -q 'rsa-chat-client: 127.0.0.1 left the chat; session keys erased'
	all_clean
}

@test "socat: Ctrl-C ends this side with 130 and the peer sees it leave within 2 s with 0" {
	ctrl_c_ends_both
}

@test "netcat: Ctrl-C ends this side with 130 and the peer sees it leave within 2 s with 0" {
	ctrl_c_ends_both --nc
}

sigterm_ends_both() {
	open_chat_said_hello "$@"
	kill -TERM "$(pgrep -P "$(terminal_pid bob)" -f rsa-chat-client)"
	ended_within alice 2 alice_status
	ended_within bob 2 bob_status
	[ "$bob_status" -eq 143 ]
	[ "$alice_status" -eq 0 ]
	screen bob | grep -q 'rsa-chat-client: terminated; session keys erased'
	screen alice | grep -Eq 'rsa-chat-server: .* left the chat; session keys erased'
	all_clean
}

@test "socat: SIGTERM ends this side with 143 and the peer within 2 s" {
	sigterm_ends_both
}

@test "netcat: SIGTERM ends this side with 143 and the peer within 2 s" {
	sigterm_ends_both --nc
}

killed_peer() {
	open_chat_said_hello "$@"
	# Alice's machine dies: every process of her side at once, no trap.
	# They are all stopped before any is killed: killed one by one,
	# chat-term could die first and rsa-encrypt, seeing its input end,
	# still send a final record, a clean end that a dead machine never
	# sends.
	tree() {
		local p
		for p in $(pgrep -P "$1"); do tree "$p"; done
		echo "$1"
	}
	pids=$(tree "$(pgrep -P "$(terminal_pid alice)" -f rsa-chat-server)")
	# shellcheck disable=SC2086
	kill -STOP $pids 2>/dev/null || true
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
	ended_within bob 2 bob_status
	[ "$bob_status" -eq 4 ]
	screen bob | grep -q 'rsa-chat-client: connection closed by 127.0.0.1 without ending the chat; session keys erased'
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen bob)"
	# What SIGKILL left on Alice's side is hers to clean (SECURITY.md).
	rm -rf "$BATS_TEST_TMPDIR"/alice/run/rsapipe-session.*
	assert_no_processes "$port"
}

@test "socat: a killed peer is noticed within 2 s: 'connection closed', status 4" {
	killed_peer
}

@test "netcat: a killed peer is noticed within 2 s: 'connection closed', status 4" {
	killed_peer --nc
}

refused() {
	port=$(free_port)
	person bob
	has_identity bob
	at_terminal bob "$CHAT_CLIENT" "$@" --accept-new 127.0.0.1 "$port"
	ended_within bob 5 bob_status
	[ "$bob_status" -eq 3 ]
	screen bob | grep -q "rsa-chat-client: cannot connect to 127.0.0.1:$port: connection refused"
	refute grep -q 'key exchange' <<<"$(screen bob)"
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen bob)"
	assert_no_processes "$port"
}

@test "socat: a refused connection says so in one line, status 3" {
	refused
}

@test "netcat: a refused connection says so in one line, status 3" {
	refused --nc
}

port_taken() {
	port=$(free_port)
	person alice
	socat TCP-LISTEN:"$port",reuseaddr EXEC:cat 3>&- &
	squatter=$!
	wait_listen "$port"
	at_terminal alice "$CHAT_SERVER" "$@" "$port"
	ended_within alice 5 st
	kill "$squatter"
	[ "$st" -eq 2 ]
	screen alice | grep -q "rsa-chat-server: cannot listen on port $port: address already in use"
	assert_no_noise "$(screen alice)"
	[ -z "$(leftovers alice)" ]
}

@test "socat: a server whose port is taken says so, status 2" {
	port_taken
}

@test "netcat: a server whose port is taken says so, status 2" {
	port_taken --nc
}

link_down() {
	netns_pair
	port=$(free_port)
	person alice
	person bob
	at_terminal alice ip netns exec "$NS_A" "$CHAT_SERVER" "$@" --link-timeout 10 "$port"
	sleep 1
	at_terminal bob ip netns exec "$NS_B" "$CHAT_CLIENT" "$@" --link-timeout 10 \
		--accept-new "$NS_A_ADDR" "$port"
	wait_terminal alice 'secure session' 15
	wait_terminal bob 'secure session'
	wait_terminal alice '^>'
	wait_terminal bob '^>'
	type_keys bob 'before the cable was pulled' Enter
	wait_terminal alice ': before the cable was pulled$'
	ip -n "$NS_A" link set va down
	# Both sides have something to send while the link is down.
	type_keys bob 'lost in the void' Enter
	type_keys alice 'also lost' Enter
	ended_within alice 15 alice_status
	ended_within bob 15 bob_status
	[ "$alice_status" -eq 4 ]
	[ "$bob_status" -eq 4 ]
	screen alice | grep -Eq 'rsa-chat-server: link lost: nothing from .* for 10 s; session keys erased'
	screen bob | grep -q "rsa-chat-client: link lost: nothing from $NS_A_ADDR for 10 s; session keys erased"
	# The link comes back: nothing sent while it was down is shown late.
	ip -n "$NS_A" link set va up
	sleep 2
	refute grep -q 'lost in the void' <<<"$(screen alice)"
	refute grep -q 'also lost' <<<"$(screen bob)"
	all_clean
}

@test "socat: a link taken down is noticed by both sides within the link timeout, status 4" {
	link_down
}

@test "netcat: a link taken down is noticed by both sides within the link timeout, status 4" {
	link_down --nc
}

hangs_up() {
	port=$(free_port)
	person bob
	has_identity bob
	# A server that accepts and hangs up at once.
	socat TCP-LISTEN:"$port",reuseaddr EXEC:true 3>&- &
	server=$!
	wait_listen "$port"
	at_terminal bob "$CHAT_CLIENT" "$@" --accept-new 127.0.0.1 "$port"
	ended_within bob 2 bob_status
	kill "$server" 2>/dev/null || true
	[ "$bob_status" -eq 1 ]
	screen bob | grep -Eq 'rsa-chat-client: key exchange failed.*; session keys erased'
	screen bob | grep -q 'closed the connection'
	refute grep -q 'timed out' <<<"$(screen bob)"
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen bob)"
}

@test "socat: a server that hangs up at once is reported within 2 s, status 1" {
	hangs_up
}

@test "netcat: a server that hangs up at once is reported within 2 s, status 1" {
	hangs_up --nc
}

interrupted_in_exchange() {
	port=$(free_port)
	person bob
	has_identity bob
	# A server that accepts and never answers: the exchange waits.
	mkfifo "$BATS_TEST_TMPDIR/silence"
	nc -l "$port" <"$BATS_TEST_TMPDIR/silence" >/dev/null 3>&- &
	server=$!
	exec 7>"$BATS_TEST_TMPDIR/silence"
	wait_listen "$port"
	at_terminal bob "$CHAT_CLIENT" "$@" --accept-new 127.0.0.1 "$port"
	# The session runs once its report pipe is open: wait for keyswap.
	for _ in $(seq $((100 * RSAPIPE_TEST_TIME_SCALE))); do
		pgrep -f -- "--name 127.0.0.1:$port" >/dev/null && break
		sleep 0.1
	done
	kill -INT "$(pgrep -P "$(terminal_pid bob)" -f rsa-chat-client)"
	ended_within bob 2 bob_status
	exec 7>&-
	kill "$server" 2>/dev/null || true
	[ "$bob_status" -eq 130 ]
	screen bob | grep -q 'rsa-chat-client: interrupted; session keys erased'
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen bob)"
	assert_no_processes "$port"
}

@test "socat: SIGINT to the front end during the exchange ends it at once with 130, keys erased" {
	interrupted_in_exchange
}

@test "netcat: SIGINT to the front end during the exchange ends it at once with 130, keys erased" {
	interrupted_in_exchange --nc
}

@test "closing the terminal window ends the chat: nothing keeps running on a dead terminal" {
	open_terminals
	tmux_teardown   # both windows closed: the terminals hang up
	# Each side's last act is erasing its session files: wait for that.
	for _ in $(seq $((100 * RSAPIPE_TEST_TIME_SCALE))); do
		assert_no_processes "$port" 2>/dev/null &&
			[ -z "$(leftovers alice)$(leftovers bob)" ] &&
			[ -z "$(our_chat_terms)" ] && break
		sleep 0.1
	done
	assert_no_processes "$port"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	[ -z "$(our_chat_terms)" ]
}

# our_chat_terms: the chat-term processes of this test's people (other
# suites' chats may be running on the machine).
our_chat_terms() {
	local pid
	for pid in $(pgrep -x chat-term); do
		grep -qzF "$BATS_TEST_TMPDIR/" "/proc/$pid/environ" 2>/dev/null &&
			echo "$pid"
	done
	return 0
}
