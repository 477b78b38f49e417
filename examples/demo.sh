#!/bin/bash
# SPDX-License-Identifier: ISC
# demo.sh: a complete two-party chat on loopback, scripted.  Alice runs
# rsa-chat-server, Bob runs rsa-chat-client, each with their own home (so
# their own identity and known-peers file); lines go both ways, Bob types
# "exit", both sides end with status 0 and their session keys erased.
set -u
# The scripts beside the programs: tools/ in the source tree; "make
# install" writes the installed directory on the next line.
rsapipe_libexec=$(dirname "$0")/../tools
# shellcheck source=SCRIPTDIR/../tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"
# A chat command: installed on PATH as it is named, in the source tree
# as tools/NAME.sh.
chat_command() {
	if [ -x "$rsapipe_bindir/$1" ]; then
		echo "$rsapipe_bindir/$1"
	else
		echo "$rsapipe_libexec/$1.sh"
	fi
}

port=${RSAPIPE_DEMO_PORT:-$((20000 + RANDOM % 20000))}
work=$(mktemp -d "${TMPDIR:-/tmp}/rsapipe-demo.XXXXXX") || exit 1
pids=()
cleanup() {
	rsapipe_stop "${pids[@]}"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One person: a home, a private runtime dir, a keyboard FIFO, a screen.
person() {
	mkdir -p "$work/$1/home" "$work/$1/run"
	chmod 700 "$work/$1/run"
	mkfifo "$work/$1/keyboard"
}
as() {
	local who=$1
	shift
	HOME="$work/$who/home" XDG_CONFIG_HOME="$work/$who/home/.config" \
	XDG_RUNTIME_DIR="$work/$who/run" "$@"
}
# Wait until a person's screen shows a line matching a pattern, then
# print that line as seen on their screen.
wait_screen() {
	local who=$1 pattern=$2 line
	for _ in $(seq 300); do
		line=$(grep -E -- "$pattern" "$work/$who/screen" | tail -n 1)
		if [ -n "$line" ]; then
			printf '  %-6s| %s\n' "$who" "$line"
			return 0
		fi
		sleep 0.1
	done
	echo "demo: timed out waiting for $who's screen to show /$pattern/" >&2
	echo "--- $who's screen:" >&2
	cat "$work/$who/screen" >&2
	exit 1
}
type_line() {
	printf '  %-6s> %s\n' "$1" "$2"
	printf '%s\n' "$2" >&"$3"
}

person alice
person bob
echo "rsapipe demo: Alice (server) and Bob (client) chat on 127.0.0.1:$port"
echo "(first run: each makes an identity key; each session makes fresh session keys)"
echo

as alice "$(chat_command rsa-chat-server)" "$port" <"$work/alice/keyboard" \
	>"$work/alice/screen" 2>&1 &
pids+=($!)
alice_pid=$!
exec 8>"$work/alice/keyboard"
wait_screen alice 'waiting for a client'

as bob "$(chat_command rsa-chat-client)" --accept-new 127.0.0.1 "$port" <"$work/bob/keyboard" \
	>"$work/bob/screen" 2>&1 &
pids+=($!)
bob_pid=$!
exec 9>"$work/bob/keyboard"

wait_screen alice 'secure session'
wait_screen bob 'secure session'
echo

type_line bob "Hi Alice, is this line private?" 9
wait_screen alice ': Hi Alice'
type_line alice "Yes: RSA-signed session keys, AES-256-GCM records." 8
wait_screen bob '127.0.0.1: Yes:'
type_line alice "Every line is shown only after its tag verifies." 8
wait_screen bob '127.0.0.1: Every line'
type_line bob "exit" 9
wait_screen alice 'left the chat'
wait_screen bob 'chat ended'

wait "$bob_pid"
bob_status=$?
wait "$alice_pid"
alice_status=$?
pids=()
exec 8>&- 9>&-
echo
echo "exit status: alice $alice_status, bob $bob_status"
# Only the next chat's session key, made ahead, may remain.
left=$(find "$work/alice/run" "$work/bob/run" -mindepth 1 -name 'rsapipe-session.*' | wc -l)
echo "session directories left in the runtime dirs: $left (keys erased)"

echo
echo "--- Alice's whole screen:"
sed 's/^/  /' "$work/alice/screen"
echo "--- Bob's whole screen:"
sed 's/^/  /' "$work/bob/screen"
cat <<EOF

To chat for real, in two terminals (or on two machines), after make install:
  rsa-chat-server 7777            # the one who waits
  rsa-chat-client HOST 7777       # the one who calls (asks to trust HOST)
Type lines; "exit" or Ctrl-D ends the chat for both.  Compare the
fingerprints shown with your peer over another channel the first time.
EOF
[ "$alice_status" -eq 0 ] && [ "$bob_status" -eq 0 ] && [ "$left" -eq 0 ]
