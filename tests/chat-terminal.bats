#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The chat as a person sees it: both sides at real terminals under tmux,
# typing with send-keys and reading the screen with capture-pane.
# shellcheck disable=SC2154 # PIDs and statuses are set through name references
# (start/wait helpers in chat_helper.bash); stderr by bats' run --separate-stderr.

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# first_contact: Alice serves, Bob calls her for the first time at a
# terminal (so he is asked whether to trust her).
first_contact() {
	port=$(free_port)
	person alice
	person bob
	at_terminal alice "$CHAT_SERVER" "$port"
	wait_listen "$port"
	at_terminal bob "$CHAT_CLIENT" 127.0.0.1 "$port"
}

# The line being typed: the last line of the screen, after the prompt.
input_line() {
	screen "$1" | tail -n 1
}

@test "a peer's line appears above a half-typed line, which stays intact and is then sent whole" {
	open_terminals
	type_keys bob 'I am typing a long sent'
	wait_terminal bob '^> I am typing a long sent$'
	type_keys alice 'interrupting you!' Enter
	wait_terminal bob '127\.0\.0\.1: interrupting you!$'
	# The peer's line is above the input line, which is redrawn intact.
	[ "$(input_line bob)" = '> I am typing a long sent' ]
	screen bob | grep -B1 -x '> I am typing a long sent' | head -n 1 |
		grep -q '127\.0\.0\.1: interrupting you!$'
	refute grep -q 'sent.*interrupting' <<<"$(screen bob)"
	type_keys bob 'ence here' Enter
	wait_terminal alice "$bob_re: I am typing a long sentence here\$"
	# Both sides show both lines alike: "HH:MM name: text".
	screen bob | grep -Eq '^[0-2][0-9]:[0-5][0-9] me: I am typing a long sentence here$'
	screen alice | grep -Eq '^[0-2][0-9]:[0-5][0-9] me: interrupting you!$'
	screen alice | grep -Eq "^[0-2][0-9]:[0-5][0-9] $bob_re: I am typing a long sentence here\$"
	assert_no_noise "$(screen alice)"
	assert_no_noise "$(screen bob)"
}

@test "editing keys edit the line and up recalls the last one, nothing of them reaches the peer" {
	open_terminals
	type_keys bob 'wolrd' Left Left BSpace Right 'l' End ' hello' C-a 'say: ' C-e '!' Enter
	wait_terminal alice "$bob_re: say: world hello!\$"
	type_keys bob 'drop these words' C-w C-w 'kept' Enter
	wait_terminal alice "$bob_re: drop kept\$"
	type_keys bob Up Up
	wait_terminal bob '^> say: world hello!$'
	type_keys bob ' again' Enter
	wait_terminal alice "$bob_re: say: world hello! again\$"
	# No escape sequence of a key was sent as text.
	refute grep -q '\[D\|\[A\|\^\[' <<<"$(screen alice)"
}

@test "exit at the terminal ends both sides with 0 and a word on each screen; \\exit sends the word" {
	open_terminals
	type_keys bob '\exit' Enter
	wait_terminal alice "$bob_re: exit\$"
	type_keys bob 'exit' Enter
	terminal_status bob st; [ "$st" -eq 0 ]
	terminal_status alice st; [ "$st" -eq 0 ]
	wait_terminal bob 'rsa-chat-client: chat ended; session keys erased'
	wait_terminal alice "rsa-chat-server: $bob_re left the chat; session keys erased"
	# The prompt is gone from the screen once the chat is over.
	refute grep -q '^>' <<<"$(screen bob)"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "Ctrl-D on an empty line leaves the chat like exit" {
	open_terminals
	type_keys alice C-d
	terminal_status alice st; [ "$st" -eq 0 ]
	terminal_status bob st; [ "$st" -eq 0 ]
	wait_terminal bob '127\.0\.0\.1 left the chat'
}

@test "UTF-8 typed at the terminal arrives intact; the peer's escape sequences stay inert" {
	open_terminals
	type_keys bob 'grüße, 東京 ✓' Enter
	wait_terminal alice "$bob_re: grüße, 東京 ✓\$"
	type_keys bob C-v Escape '[2J cleared?' Enter
	wait_terminal alice "$bob_re: \\?\\[2J cleared\\?\$"
	screen alice | grep -q 'secure session'   # the screen was not cleared
}

@test "first contact at a terminal asks like ssh; yes records the server" {
	first_contact
	wait_terminal bob "authenticity of peer '127\\.0\\.0\\.1:$port' can't be established"
	alice_fp=$(rsa-keygen -l "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem" | cut -d' ' -f2)
	screen bob | grep -qF "$alice_fp"
	wait_terminal bob 'yes/no/\[fingerprint\]\)\? *$'
	type_keys bob 'yes' Enter
	wait_terminal bob 'secure session'
	grep -qF "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	type_keys bob 'exit' Enter
	terminal_status bob st; [ "$st" -eq 0 ]
}

@test "first contact at a terminal: no refuses and records nothing, a pasted fingerprint accepts" {
	first_contact
	wait_terminal bob 'yes/no/\[fingerprint\]\)\? *$'
	type_keys bob 'no' Enter
	terminal_status bob st; [ "$st" -eq 1 ]
	terminal_status alice st; [ "$st" -eq 1 ]
	refute grep -qs "127.0.0.1:$port" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	screen bob | grep -q 'key exchange failed; nothing was sent'
	# Again, answering with the fingerprint read out by Alice.
	tmux_teardown
	first_contact
	wait_terminal bob 'yes/no/\[fingerprint\]\)\? *$'
	alice_fp=$(rsa-keygen -l "$BATS_TEST_TMPDIR/alice/home/.config/rsapipe/identity.pem" | cut -d' ' -f2)
	type_keys bob "$alice_fp" Enter
	wait_terminal bob 'secure session'
	grep -qF "127.0.0.1:$port $alice_fp" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
}

@test "Ctrl-C at the trust prompt leaves at once with 130, nothing recorded, nothing left" {
	first_contact
	wait_terminal bob 'yes/no/\[fingerprint\]\)\? *$'
	type_keys bob C-c
	terminal_status bob st 3; [ "$st" -eq 130 ]
	screen bob | grep -q 'rsa-chat-client: interrupted; session keys erased'
	refute grep -qs "127.0.0.1:$port" "$BATS_TEST_TMPDIR/bob/home/.config/rsapipe/known_peers"
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen bob)"
}
