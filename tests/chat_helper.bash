# Helpers for the chat and service suites: people with their own homes,
# keyboards (FIFOs kept open by the test) and screens (files).

EXAMPLES="$RSAPIPE_ROOT/examples"
# Session keys of 2048 bits keep the suite fast; the scripts default to 3072.
export RSAPIPE_SESSION_BITS=2048
export RSAPIPE_TIMEOUT=15

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
	for _ in $(seq 300); do
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
	for _ in $(seq 300); do
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

# Files left in a person's runtime dir (session keys must all be gone).
leftovers() {
	find "$BATS_TEST_TMPDIR/$1/run" -mindepth 1
}

# wait_listen PORT: wait until something listens on TCP PORT (read from
# /proc/net/tcp, so no connection is made to the waiting server).
wait_listen() {
	local hex
	hex=$(printf '%04X' "$1")
	for _ in $(seq 300); do
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
	kill_tree ${alice_pid:-} ${bob_pid:-} ${service_pid:-}
	exec 8>&- 9>&- 2>/dev/null || true
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
