# SPDX-License-Identifier: ISC
# Helpers for the chat and service suites: people with their own homes,
# keyboards (FIFOs kept open by the test) and screens (files).

# shellcheck disable=SC2034 # used by the suites that load this file
EXAMPLES="$RSAPIPE_ROOT/examples"
# shellcheck disable=SC2034
CHAT_SERVER="$RSAPIPE_ROOT/tools/rsa-chat-server.sh"
# shellcheck disable=SC2034
CHAT_CLIENT="$RSAPIPE_ROOT/tools/rsa-chat-client.sh"
# Session keys of 2048 bits keep the suite fast; the scripts default to 3072.
export RSAPIPE_SESSION_BITS=2048
# Sanitizer builds are several times slower (.ci/hardening sets the scale):
# 20 services making keys at once must not hit the exchange timeout.
RSAPIPE_TEST_TIME_SCALE=${RSAPIPE_TEST_TIME_SCALE:-1}
export RSAPIPE_TIMEOUT=$((15 * RSAPIPE_TEST_TIME_SCALE))

free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# person NAME: a home, a private runtime dir, a keyboard FIFO.
person() {
	mkdir -p "$BATS_TEST_TMPDIR/$1/home" "$BATS_TEST_TMPDIR/$1/run"
	chmod 700 "$BATS_TEST_TMPDIR/$1/run"
	rm -f "$BATS_TEST_TMPDIR/$1/keyboard"
	mkfifo "$BATS_TEST_TMPDIR/$1/keyboard"
	: >"$BATS_TEST_TMPDIR/$1/screen"
}

# has_identity NAME: NAME's identity key exists already (a returning
# user), so what a test times is the chat, not making a key.
has_identity() {
	mkdir -p "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe"
	chmod 700 "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe"
	rsa-keygen -b 2048 -o "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe/identity.pem" 2>/dev/null
}

# as NAME CMD...: run CMD with NAME's home and runtime dir.
as() {
	local who=$1
	shift
	HOME="$BATS_TEST_TMPDIR/$who/home" \
	XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/$who/home/.config" \
	XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/$who/run" "$@"
}

# start NAME FD CMD...: run CMD in the background as NAME, keyboard on
# the FIFO (held open by the test on FD), screen and stderr to a file.
# Sets NAME_pid.
start() {
	local who=$1 fd=$2
	shift 2
	# 3>&-: a background process must not hold bats' own output open.
	as "$who" "$@" <"$BATS_TEST_TMPDIR/$who/keyboard" \
		>"$BATS_TEST_TMPDIR/$who/screen" 2>&1 3>&- &
	eval "${who}_pid=$!"
	eval "exec $fd>\"\$BATS_TEST_TMPDIR/\$who/keyboard\""
}

screen_of() {
	cat "$BATS_TEST_TMPDIR/$1/screen"
}

# wait_screen NAME REGEX: wait (at most 30 s) until NAME's screen matches.
wait_screen() {
	local who=$1 pattern=$2
	for _ in $(seq $((300 * RSAPIPE_TEST_TIME_SCALE))); do
		grep -Eq -- "$pattern" "$BATS_TEST_TMPDIR/$who/screen" && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$pattern/ on $who's screen:" >&2
	screen_of "$who" >&2
	return 1
}

# wait_exit PID VAR: wait (at most 30 s) for a background process of
# this shell and store its exit status in VAR.  A process still running
# after that is killed and reported as 124, so a hang fails the test
# instead of blocking it.  (Not a command substitution: a subshell cannot
# wait for its parent's children.)
wait_exit() {
	local pid=$1 var=$2 _status
	for _ in $(seq $((300 * RSAPIPE_TEST_TIME_SCALE))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			_status=0
			wait "$pid" || _status=$?
			printf -v "$var" "%s" "$_status"
			return 0
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	printf -v "$var" '%s' 124
}

# Files left in a person's runtime dir: session keys must all be gone.
# The spare session key made for the next chat is expected there, and a
# key pool's ready and live keys, but nothing half-made.
# A key pool's keys stay (made ahead, or live in their window); the
# filler the last session started is waited for first.
leftovers() {
	local pool
	for pool in "$BATS_TEST_TMPDIR/$1"/run/rsapipe-pool-*; do
		[ -d "$pool" ] && pool_settled "$pool"
	done
	find "$BATS_TEST_TMPDIR/$1/run" -mindepth 1 |
		grep -Ev '/rsapipe-spare-[0-9]+(/session\.(pem|pub))?$' |
		grep -Ev '/rsapipe-pool-[0-9]+-[0-9]+(/\.lock|/\.fill|/\.reap|/(ready|live)\.[0-9A-Za-z.]+(/session\.(pem|pub))?)?$' ||
		true
}

# pool_settled POOL [N]: wait until the key pool holds N ready keys
# (default 1: what every session leaves it topped up to) and no filler
# is at work.  A session fills the pool after its connection closed, so
# its client may be done before the filler even starts.
pool_settled() {
	local n
	for _ in $(seq $((600 * RSAPIPE_TEST_TIME_SCALE))); do
		n=$(find "$1" -maxdepth 1 -name 'ready.*' | wc -l)
		if [ "$n" -ge "${2:-1}" ] &&
		    [ -z "$(find "$1" -maxdepth 1 -name 'fill.*')" ]; then
			flock -w 60 "$1/.fill" true
			return 0
		fi
		sleep 0.1
	done
	echo "the key pool $1 did not settle" >&2
	return 1
}

# wait_listen PORT: wait until something listens on TCP PORT (read from
# /proc/net/tcp, so no connection is made to the waiting server).
wait_listen() {
	local hex
	hex=$(printf '%04X' "$1")
	for _ in $(seq $((300 * RSAPIPE_TEST_TIME_SCALE))); do
		grep -q ":$hex 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null &&
			return 0
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}

# kill_tree PID...: end processes and all their descendants, so a failed
# test leaves no listener or session behind for the next one.
kill_tree() {
	local pid child
	for pid in "$@"; do
		[ -n "$pid" ] || continue
		for child in $(pgrep -P "$pid" 2>/dev/null); do
			kill_tree "$child"
		done
		kill "$pid" 2>/dev/null || true
	done
}

teardown() {
	# shellcheck disable=SC2086 # unset ones vanish
	kill_tree ${alice_pid:-} ${bob_pid:-} ${carol_pid:-} ${service_pid:-}
	exec 7>&- 8>&- 9>&- 2>/dev/null || true
	tmux_teardown
	netns_teardown
}

# --- People at real terminals, under tmux -------------------------------

TMUX_SOCKET="rsapipe-$$-${BATS_TEST_NUMBER:-0}"
tmux_() {
	tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
}

# at_terminal NAME CMD...: run CMD as NAME (see "as") in a 100x20
# terminal; its exit status goes to NAME/status.  A UTF-8 locale, as a
# person's terminal has.
at_terminal() {
	local who=$1 script
	shift
	script="$BATS_TEST_TMPDIR/$who/terminal.sh"
	{
		printf 'export LANG=C.UTF-8 HOME=%q XDG_CONFIG_HOME=%q XDG_RUNTIME_DIR=%q\n' \
			"$BATS_TEST_TMPDIR/$who/home" \
			"$BATS_TEST_TMPDIR/$who/home/.config" \
			"$BATS_TEST_TMPDIR/$who/run"
		printf 'export PATH=%q RSAPIPE_SESSION_BITS=%q RSAPIPE_TIMEOUT=%q\n' \
			"$PATH" "$RSAPIPE_SESSION_BITS" "$RSAPIPE_TIMEOUT"
		printf '%q ' "$@"
		printf '\necho $? >%q\nexec sleep 600\n' "$BATS_TEST_TMPDIR/$who/status"
	} >"$script"
	rm -f "$BATS_TEST_TMPDIR/$who/status"
	# 3>&-: the tmux server must not hold bats' own output open.
	tmux_ new-session -d -s "$who" -x 100 -y 20 "bash $script" 3>&-
}

# screen NAME: what NAME's terminal shows now, wrapped lines joined.
screen() {
	tmux_ capture-pane -p -J -t "$1" | sed -e 's/[[:space:]]*$//' | grep -v '^$' || true
}

# type_keys NAME KEY...: tmux send-keys (words, Enter, Left, C-a, ...).
type_keys() {
	local who=$1
	shift
	tmux_ send-keys -t "$who" "$@"
}

# wait_terminal NAME REGEX [SECONDS]: wait until NAME's screen matches.
wait_terminal() {
	local who=$1 pattern=$2 tenths=$(( ${3:-30} * 10 ))
	for _ in $(seq "$tenths"); do
		screen "$who" | grep -Eq -- "$pattern" && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$pattern/ on $who's terminal:" >&2
	screen "$who" >&2
	return 1
}

# open_terminals [OPTION...]: Alice serves, Bob calls, each at a terminal
# (Bob accepts Alice at first contact without a prompt); both reach the
# chat and its input line.  Sets port, bob_name (Alice's name for Bob)
# and bob_re (the same as a regular expression).
open_terminals() {
	port=$(free_port)
	person alice
	person bob
	at_terminal alice "$CHAT_SERVER" "$@" "$port"
	wait_listen "$port"
	at_terminal bob "$CHAT_CLIENT" "$@" --accept-new 127.0.0.1 "$port"
	wait_terminal alice 'secure session'
	wait_terminal bob 'secure session'
	wait_terminal alice '^>'
	wait_terminal bob '^>'
	bob_name=$(screen alice | sed -n 's/.*secure session with \([^ ]*\) .*/\1/p')
	[ -n "$bob_name" ]
	bob_re=$(re_quote "$bob_name")
}

# terminal_status NAME VAR [SECONDS]: wait for the program at NAME's
# terminal to end and store its exit status in VAR (124: still running).
terminal_status() {
	local who=$1 var=$2 tenths=$(( ${3:-30} * 10 ))
	for _ in $(seq "$tenths"); do
		if [ -s "$BATS_TEST_TMPDIR/$who/status" ]; then
			printf -v "$var" '%s' "$(cat "$BATS_TEST_TMPDIR/$who/status")"
			return 0
		fi
		sleep 0.1
	done
	printf -v "$var" '%s' 124
}

# terminal_pid NAME: the pid of the shell running NAME's program.
terminal_pid() {
	tmux_ list-panes -t "$1" -F '#{pane_pid}'
}

tmux_teardown() {
	tmux_ kill-server 2>/dev/null || true
}

# --- Two machines joined by a cable: network namespaces -----------------

# netns_pair: namespaces $NS_A (10.77.N.1) and $NS_B (10.77.N.2) joined by
# a veth pair; the link is $NS_A's va.  Skips unless root with netns.
netns_pair() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
	command -v ip >/dev/null || skip "needs ip (iproute2)"
	NS_A="rsapipe-a-$$-$BATS_TEST_NUMBER"
	NS_B="rsapipe-b-$$-$BATS_TEST_NUMBER"
	local net=$(( ($$ + BATS_TEST_NUMBER) % 250 ))
	ip netns add "$NS_A" 2>/dev/null || skip "cannot create a network namespace here"
	ip netns add "$NS_B"
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B"
	ip -n "$NS_A" addr add "10.77.$net.1/24" dev va
	ip -n "$NS_B" addr add "10.77.$net.2/24" dev vb
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" link set va up
	ip -n "$NS_B" link set vb up
	NS_A_ADDR="10.77.$net.1"
}

netns_teardown() {
	[ -n "${NS_A:-}" ] || return 0
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

# --- What must never happen ---------------------------------------------

# assert_no_noise TEXT: no message of socat, nc, the shell or a helper
# program reached the person; only rsapipe's own words.
assert_no_noise() {
	if printf '%s\n' "$1" | grep -E 'socat\[|^nc: | E [a-z]+\(|Terminated|Killed|line [0-9]+:|rsa-(en|de)crypt:|chat-term:|waitpid'; then
		echo "foreign messages reached the screen:" >&2
		printf '%s\n' "$1" >&2
		return 1
	fi
}

# assert_no_processes PORT: nothing of a chat on PORT or under this test's
# directory is still running.
assert_no_processes() {
	local left
	left=$(pgrep -a -f -- "(:|-l |127.0.0.1 )$1\b|$BATS_TEST_TMPDIR/[a-z]+/(run|home)" |
		grep -v -e 'sleep 600' -e "$TMUX_SOCKET" -e 'terminal.sh' || true)
	if [ -n "$left" ]; then
		echo "processes left: $left" >&2
		return 1
	fi
}

# signal_in_tree SIGNAL ROOT PATTERN: signal the processes below ROOT whose
# command line matches PATTERN, the topmost of each branch only (not the
# subshells that share its command line), and only those: other suites
# may be running chats on the same machine.
signal_in_tree() {
	local sig=$1 root=$2 pattern=$3 child cmd
	for child in $(pgrep -P "$root" 2>/dev/null); do
		cmd=$(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null) || continue
		if printf '%s\n' "$cmd" | grep -Eq -- "$pattern"; then
			kill "-$sig" "$child" 2>/dev/null || true
		else
			signal_in_tree "$sig" "$child" "$pattern"
		fi
	done
}

# re_quote TEXT: TEXT as an extended regular expression matching itself
# (fingerprints hold '+' and '/').
re_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}
