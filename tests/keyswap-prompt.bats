#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# keyswap --ask: the first-contact question on a real terminal (a tmux
# pane), answered as a person would, with the peer on the other end of
# two FIFOs.

load keyswap_helper
bats_require_minimum_version 1.5.0

QUESTION='Are you sure you want to continue connecting (yes/no/[fingerprint])?'

setup_file() {
	keyswap_setup_file
}

setup() {
	if ! command -v tmux >/dev/null; then
		skip "tmux is not installed"
	fi
	keyswap_setup
	BOB_FP=$(fingerprint "$FIXTURES/bob.pub")
	BOB_TRUST=(--accept-any)
	TMUX_SOCKET="rsapipe-$BATS_TEST_NUMBER-$$"
}

teardown() {
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
	# kill-server leaves the socket file behind.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCKET"
	if [ -n "${BOB_PID:-}" ]; then
		kill "$BOB_PID" 2>/dev/null || true
	fi
}

# in_terminal WHO REDIRECTIONS OPTION...: WHO runs keyswap with the
# options in a tmux session named WHO, which is its terminal, stdin and
# stdout redirected as given; its status goes to WHO.status, its stderr
# to WHO.err.
in_terminal() {
	local who=$1 redirections=$2
	shift 2
	{
		printf 'cd %q || exit 2\n' "$PWD"
		printf '%q ' "$RSAPIPE_ROOT/tools/keyswap" "$@"
		printf '%s 2>%s.err\n' "$redirections" "$who"
		printf 'echo $? >%s.status\n' "$who"
		# Keep the pane, so what it showed can still be read.
		printf 'exec sleep 600\n'
	} >"$who.sh"
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s "$who" \
	    -x 120 -y 30 "bash $who.sh"
}

# ask_alice [OPTION...]: alice runs keyswap --known-peers kp --name bob
# --ask (and the options) on her terminal; bob runs with $BOB_TRUST in
# the background, its status in bob.status.
ask_alice() {
	in_terminal alice '<b2a >a2b' "${ALICE[@]}" --known-peers kp \
	    --name bob --ask "$@"
	{
		bstatus=0
		timeout 30 keyswap "${BOB[@]}" "${BOB_TRUST[@]}" >b2a <a2b \
		    2>bob.err || bstatus=$?
		echo "$bstatus" >bob.status
	} 3>&- &
	BOB_PID=$!
}

# What WHO's terminal (alice's by default) shows.
screen() {
	tmux -L "$TMUX_SOCKET" capture-pane -t "${1:-alice}" -p
}

# Wait (at most 10 s) until alice's terminal, or $2's, shows the text.
wait_for_screen() {
	for _ in $(seq 100); do
		if screen "${2:-alice}" | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
	done
	echo "the terminal never showed: $1" >&2
	screen "${2:-alice}" >&2
	return 1
}

# Type a line into alice's terminal, or $2's.
type_line() {
	tmux -L "$TMUX_SOCKET" send-keys -t "${2:-alice}" -l -- "$1"
	tmux -L "$TMUX_SOCKET" send-keys -t "${2:-alice}" Enter
}

# Wait for both sides to end; sets astatus and bstatus.
wait_both() {
	for _ in $(seq 200); do
		[ -s alice.status ] && [ -s bob.status ] && break
		sleep 0.1
	done
	astatus=$(cat alice.status)
	bstatus=$(cat bob.status)
}

@test "--ask: the question as ssh asks it; yes records the peer and the exchange succeeds" {
	ask_alice
	wait_for_screen "$QUESTION"
	screen | grep -qF "The authenticity of peer 'bob' can't be established."
	screen | grep -qF "Its identity key fingerprint is $BOB_FP."
	[ ! -e kp ]
	# Anything else is asked again.
	type_line maybe
	wait_for_screen "Please type 'yes', 'no' or the fingerprint:"
	type_line yes
	wait_both
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ "$(cat kp)" = "bob $BOB_FP" ]
	grep -qF "first contact with 'bob': recorded $BOB_FP in kp" alice.err
	assert_same_file alice.ctx bob.ctx
}

@test "--ask: no refuses, records nothing, and the peer is told" {
	ask_alice
	wait_for_screen "$QUESTION"
	type_line no
	wait_both
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: peer 'bob' not trusted (answered no)" alice.err
	[ ! -e kp ]
	[ "$bstatus" -eq 1 ]
	grep -q 'peer refused the exchange' bob.err
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "--ask: the peer's fingerprint pasted, with or without SHA256:, accepts it" {
	for answer in "$BOB_FP" "${BOB_FP#SHA256:}"; do
		rm -f kp alice.status bob.status alice.ctx alice-got.pem \
		    bob.ctx bob-got.pem
		tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
		ask_alice
		wait_for_screen "$QUESTION"
		type_line "$answer"
		wait_both
		[ "$astatus" -eq 0 ]
		[ "$bstatus" -eq 0 ]
		[ "$(cat kp)" = "bob $BOB_FP" ]
	done
}

@test "--ask: a fingerprint that is not the peer's refuses" {
	ask_alice
	wait_for_screen "$QUESTION"
	type_line "$(fingerprint "$FIXTURES/carol.pub")"
	wait_both
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: the fingerprint you typed does not match peer 'bob' ($BOB_FP); not trusted" alice.err
	[ ! -e kp ]
	[ "$bstatus" -eq 1 ]
	assert_nothing_written alice-got.pem alice.ctx bob-got.pem bob.ctx
}

@test "--ask: end of input on the terminal is no" {
	ask_alice
	wait_for_screen "$QUESTION"
	tmux -L "$TMUX_SOCKET" send-keys -t alice C-d
	wait_both
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: peer 'bob' not trusted (no answer: end of input on the terminal)" alice.err
	[ ! -e kp ]
	[ "$bstatus" -eq 1 ]
}

@test "--ask: Ctrl-C at the question refuses and leaves no temporary file" {
	ask_alice
	wait_for_screen "$QUESTION"
	tmux -L "$TMUX_SOCKET" send-keys -t alice C-c
	wait_both
	[ "$astatus" -eq 1 ]
	grep -qF "keyswap: peer 'bob' not trusted (interrupted)" alice.err
	[ "$bstatus" -eq 1 ]
	[ ! -e kp ]
	assert_nothing_written alice-got.pem alice.ctx
}

@test "--ask: the time at the question does not count against --timeout" {
	ask_alice --timeout 2
	wait_for_screen "$QUESTION"
	sleep 4
	type_line yes
	wait_both
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ "$(cat kp)" = "bob $BOB_FP" ]
}

@test "--ask: a peer that already refused us is reported without a question" {
	# Bob serves an allow list without alice.
	printf 'carol %s\n' "$(fingerprint "$FIXTURES/carol.pub")" >allowed
	BOB_TRUST=(--allowed allowed)
	ask_alice
	wait_both
	[ "$astatus" -eq 1 ]
	grep -q 'is not on its allow list' alice.err
	run ! grep -qF 'authenticity' <(screen)
	[ ! -e kp ]
}

@test "--ask on both sides: each person is asked, neither waits for the other" {
	in_terminal alice '<b2a >a2b' "${ALICE[@]}" --known-peers kp \
	    --name bob --ask
	in_terminal bob '>b2a <a2b' "${BOB[@]}" --known-peers bob-kp \
	    --name alice --ask
	wait_for_screen "$QUESTION" alice
	wait_for_screen "$QUESTION" bob
	screen bob | grep -qF "The authenticity of peer 'alice' can't be established."
	type_line yes bob
	sleep 1
	[ ! -e bob.status ] # bob waits for alice's verdict
	type_line yes alice
	wait_both
	[ "$astatus" -eq 0 ]
	[ "$bstatus" -eq 0 ]
	[ "$(cat kp)" = "bob $BOB_FP" ]
	[ "$(cat bob-kp)" = "alice $(fingerprint "$FIXTURES/alice.pub")" ]
	assert_same_file alice.ctx bob.ctx
}
