#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# First contact by a spoken code (issue 19): rsa-chat-server --invite
# shows a code, rsa-chat-client --code types it; trust is recorded on
# both sides only when the code matched.  At real terminals under tmux,
# and as scripts, over socat and netcat.  The PAKE itself and its
# vectors are keyswap's (keyswap.bats, spake2.bats).
# shellcheck disable=SC2154 # PIDs and statuses are set through name references
# (start/wait helpers in chat_helper.bash).

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

conf_of() {
	echo "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe"
}

fingerprint_of() {
	rsa-keygen -l "$(conf_of "$1")/identity.pem" | cut -d' ' -f2
}

# The code on a screen file: "invite code 7-otter-quilt, valid ...".
code_on_screen() {
	sed -n 's/.*invite code \([0-9]*-[a-z]*-[a-z]*\), valid .*/\1/p' \
		"$BATS_TEST_TMPDIR/$1/screen" | head -n 1
}

# invite_server PORT [OPTION...]: Alice, a returning user, invites Bob;
# waits until her screen shows the code, which is left in $code.
invite_server() {
	local p=$1
	shift
	start alice 8 "$CHAT_SERVER" "$@" --invite bob "$p"
	wait_screen alice 'invite code [0-9]+-[a-z]+-[a-z]+, valid'
	code=$(code_on_screen alice)
	[ -n "$code" ]
}

# The trust files of both sides, to compare before and after.
trust_files() {
	cat "$(conf_of alice)/known_peers" "$(conf_of alice)/allowed_peers" \
		"$(conf_of bob)/known_peers" 2>/dev/null || true
}

# a wrong code: the same number, two other words of the list.
wrong_code() {
	local w
	w=otter-quilt
	[ "${1#*-}" != "$w" ] || w=quilt-otter
	echo "${1%%-*}-$w"
}

setup() {
	person alice
	person bob
	has_identity alice
	has_identity bob
}

@test "a chat set up by code at two terminals: the code read off the server's screen, typed at the client's, lines cross both ways" {
	port=$(free_port)
	at_terminal alice "$CHAT_SERVER" --invite bob "$port"
	wait_terminal alice 'invite code [0-9]+-[a-z]+-[a-z]+, valid 10 minutes, for one chat'
	code=$(screen alice | sed -n 's/.*invite code \([^,]*\), valid.*/\1/p')
	[ -n "$code" ]
	wait_listen "$port"
	# Bob's shell, where he types the command with the code he was told.
	tmux_ new-session -d -s bob -x 100 -y 20 "bash --norc --noprofile" 3>&-
	type_keys bob "export HOME=$BATS_TEST_TMPDIR/bob/home XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/bob/home/.config XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/bob/run PATH=$PATH RSAPIPE_SESSION_BITS=$RSAPIPE_SESSION_BITS LANG=C.UTF-8; clear" Enter
	type_keys bob "$CHAT_CLIENT --code $code 127.0.0.1 $port; echo status=\$?" Enter
	wait_terminal bob 'secure session with 127\.0\.0\.1'
	wait_terminal alice 'secure session with bob'
	wait_terminal bob '^>'
	wait_terminal alice '^>'
	# Nobody was asked to compare a fingerprint.
	refute grep -q "authenticity" <<<"$(screen bob)"
	type_keys bob 'hello alice, the code worked' Enter
	wait_terminal alice 'bob: hello alice, the code worked$'
	type_keys alice 'hello bob' Enter
	wait_terminal bob '127\.0\.0\.1: hello bob$'
	# Each side recorded the other.
	grep -qxF "127.0.0.1:$port $(fingerprint_of alice)" "$(conf_of bob)/known_peers"
	grep -qxF "bob $(fingerprint_of bob)" "$(conf_of alice)/known_peers"
	type_keys bob 'exit' Enter
	wait_terminal bob 'status=0'
	terminal_status alice st; [ "$st" -eq 0 ]
	assert_no_noise "$(screen alice)"
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "through netcat a code sets up the chat too, and the client lands in the server's allow list under the invite's name" {
	port=$(free_port)
	printf '# the allow list\n' >"$(conf_of alice)/allowed_peers"
	invite_server "$port" --nc
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --nc --code "$code" 127.0.0.1 "$port"
	wait_screen alice 'secure session with bob'
	wait_screen bob 'secure session with 127\.0\.0\.1'
	echo "over netcat" >&9
	wait_screen alice 'bob: over netcat$'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	[ "$alice_status" -eq 0 ]
	grep -qxF "bob $(fingerprint_of bob)" "$(conf_of alice)/allowed_peers"
	grep -qxF "127.0.0.1:$port $(fingerprint_of alice)" "$(conf_of bob)/known_peers"
	# The allow list admits Bob from now on, without a code.
	start alice 8 "$CHAT_SERVER" --nc "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --nc 127.0.0.1 "$port"
	wait_screen alice 'secure session with bob'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	[ "$bob_status" -eq 0 ]
}

@test "a wrong code fails on both sides with 1, says it cannot be told from a man in the middle, and records nothing" {
	port=$(free_port)
	invite_server "$port"
	wait_listen "$port"
	before=$(trust_files)
	start bob 9 "$CHAT_CLIENT" --code "$(wrong_code "$code")" 127.0.0.1 "$port"
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 1 ]
	[ "$alice_status" -eq 1 ]
	grep -q 'the invite code did not match: either it was mistyped or someone is in the middle' \
		"$BATS_TEST_TMPDIR/bob/screen"
	grep -q 'the invite code did not match' "$BATS_TEST_TMPDIR/alice/screen"
	[ "$(trust_files)" = "$before" ]
	[ ! -e "$(conf_of bob)/known_peers" ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
	assert_no_noise "$(screen_of bob)"
}

@test "a code already used is spent: typed again at the server's next chat it is refused with 1 and nothing is recorded" {
	port=$(free_port)
	invite_server "$port"
	wait_listen "$port"
	start bob 9 "$CHAT_CLIENT" --code "$code" 127.0.0.1 "$port"
	wait_screen alice 'secure session with bob'
	echo exit >&9
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 0 ]
	# Carol overheard the code and tries it at Alice's next chat.
	person carol
	has_identity carol
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	before=$(trust_files)
	start carol 7 "$CHAT_CLIENT" --code "$code" 127.0.0.1 "$port"
	wait_exit "$carol_pid" carol_status
	wait_exit "$alice_pid" alice_status
	[ "$carol_status" -eq 1 ]
	[ "$alice_status" -eq 1 ]
	grep -q 'the invite code is spent or expired; ask for a new one' \
		"$BATS_TEST_TMPDIR/carol/screen"
	[ "$(trust_files)" = "$before" ]
	[ ! -e "$(conf_of carol)/known_peers" ]
	[ -z "$(leftovers carol)" ]
}

@test "an expired code is refused on both sides with 1 and nothing is recorded" {
	port=$(free_port)
	invite_server "$port" --invite-valid 1
	grep -q 'valid 1 second, for one chat' "$BATS_TEST_TMPDIR/alice/screen"
	wait_listen "$port"
	sleep 1.5   # the code's whole life
	start bob 9 "$CHAT_CLIENT" --code "$code" 127.0.0.1 "$port"
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	echo "bob $bob_status: $(cat "$BATS_TEST_TMPDIR/bob/screen")" >&2
	echo "alice $alice_status: $(cat "$BATS_TEST_TMPDIR/alice/screen")" >&2
	[ "$bob_status" -eq 1 ]
	[ "$alice_status" -eq 1 ]
	grep -q 'the invite code is spent or expired; ask for a new one' "$BATS_TEST_TMPDIR/bob/screen"
	grep -q 'the invite expired before the peer came; nothing was recorded' \
		"$BATS_TEST_TMPDIR/alice/screen"
	[ -z "$(trust_files)" ]
	[ -z "$(leftovers alice)" ]
	[ -z "$(leftovers bob)" ]
}

@test "a code does not override a changed server identity: the client refuses as ssh does and neither side records" {
	port=$(free_port)
	# Bob recorded another identity for this HOST:PORT earlier.
	rsa-keygen -b 2048 -o "$BATS_TEST_TMPDIR/old.pem" 2>/dev/null
	old=$(rsa-keygen -l "$BATS_TEST_TMPDIR/old.pem" | cut -d' ' -f2)
	printf '127.0.0.1:%s %s\n' "$port" "$old" >"$(conf_of bob)/known_peers"
	invite_server "$port"
	wait_listen "$port"
	before=$(trust_files)
	start bob 9 "$CHAT_CLIENT" --code "$code" 127.0.0.1 "$port"
	wait_exit "$bob_pid" bob_status
	wait_exit "$alice_pid" alice_status
	[ "$bob_status" -eq 1 ]
	[ "$alice_status" -eq 1 ]
	grep -q "peer '127.0.0.1:$port' knew the invite code but .* records another identity for it" \
		"$BATS_TEST_TMPDIR/bob/screen"
	[ "$(trust_files)" = "$before" ]
	grep -qxF "127.0.0.1:$port $old" "$(conf_of bob)/known_peers"
	refute grep -qF "$(fingerprint_of alice)" "$(conf_of bob)/known_peers"
}

@test "a malformed code ends the client with 2 before it sends anything; invite options are checked" {
	port=$(free_port)
	start alice 8 "$CHAT_SERVER" "$port"
	wait_listen "$port"
	run -2 as bob "$CHAT_CLIENT" --code 7-orbt-quilt 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"'orbt' is not a word of the code list"* ]]
	[[ "$output" == *"cannot start the key exchange; nothing was sent"* ]]
	wait_exit "$alice_pid" alice_status
	[ "$alice_status" -eq 1 ]
	run -2 as bob "$CHAT_CLIENT" --code 7-otter-quilt --accept-new 127.0.0.1 "$port" </dev/null
	[[ "$output" == *"--code excludes"* ]]
	run -2 as alice "$CHAT_SERVER" --invite --invite-valid 0 "$port" </dev/null
	run -2 as alice "$CHAT_SERVER" --invite-valid 60 "$port" </dev/null
	[[ "$output" == *"--invite-valid goes with --invite"* ]]
	run -2 as alice "$CHAT_SERVER" --invite bob --peer "$(conf_of bob)/identity.pem" "$port" </dev/null
	[[ "$output" == *"--invite and --peer exclude each other"* ]]
	[ -z "$(leftovers bob)" ]
}
