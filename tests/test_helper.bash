# SPDX-License-Identifier: ISC
# Shared setup for the bats suites: the freshly built programs first on
# PATH, HOME in a per-test temporary directory, fixtures at hand.

RSAPIPE_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
FIXTURES="$RSAPIPE_ROOT/tests/fixtures"
PATH="$RSAPIPE_ROOT/tools:$PATH"
export PATH FIXTURES RSAPIPE_ROOT

# Sanitizer builds (make check CFLAGS="-g -fsanitize=address,undefined"):
# libgcrypt keeps its RNG state until exit by design; not a leak of ours.
export LSAN_OPTIONS="suppressions=$RSAPIPE_ROOT/tests/lsan-libgcrypt.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

common_setup() {
	export HOME="$BATS_TEST_TMPDIR/home"
	export XDG_CONFIG_HOME="$HOME/.config"
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
	cd "$BATS_TEST_TMPDIR" || return 1
}

setup() {
	common_setup
}

# The stderr of a failing program is exactly one line that names the
# program: "prog: cause".  Usage: assert_one_line_error PROG [REGEX]
assert_one_line_error() {
	local prog=$1 pattern=${2:-}
	local lines
	# shellcheck disable=SC2154 # set by bats' run --separate-stderr
	lines=$(printf '%s\n' "$stderr" | grep -c .)
	if [ "$lines" -ne 1 ]; then
		echo "expected one line on stderr, got $lines:" >&2
		printf '%s\n' "$stderr" >&2
		return 1
	fi
	case $stderr in
	"$prog: "*) ;;
	*) echo "stderr does not start with '$prog: ': $stderr" >&2; return 1 ;;
	esac
	if [ -n "$pattern" ] && ! printf '%s\n' "$stderr" | grep -Eqi -- "$pattern"; then
		echo "stderr does not match /$pattern/: $stderr" >&2
		return 1
	fi
}

# Fail with a message unless two files have identical contents.
assert_same_file() {
	if ! cmp -s "$1" "$2"; then
		echo "files differ: $1 $2" >&2
		return 1
	fi
}

# answer_prompt COMMAND PROMPT ANSWER: run the shell COMMAND at a terminal
# of its own (a tmux session), wait for PROMPT on the screen, type ANSWER
# and Enter, and wait for COMMAND to end.  Its exit status is left in
# ./status and the last screen in ./screen; fails if PROMPT never came.
answer_prompt() {
	local cmd=$1 prompt=$2 answer=$3 sock="rsapipe-prompt-$$-$BATS_TEST_NUMBER"
	command -v tmux >/dev/null || skip "needs tmux"
	rm -f status screen
	# The terminal stays open after COMMAND, for its last screen.
	tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 10 \
		"$cmd; echo \$? >status; sleep 60" 3>&-
	for _ in $(seq 50); do
		tmux -L "$sock" capture-pane -p | grep -qF -- "$prompt" && break
		sleep 0.1
	done
	if ! tmux -L "$sock" capture-pane -p | grep -qF -- "$prompt"; then
		tmux -L "$sock" capture-pane -p >&2
		tmux -L "$sock" kill-server 2>/dev/null
		echo "no prompt '$prompt' on the terminal" >&2
		return 1
	fi
	tmux -L "$sock" send-keys -l -- "$answer"
	tmux -L "$sock" send-keys Enter
	for _ in $(seq 100); do [ -s status ] && break; sleep 0.1; done
	tmux -L "$sock" capture-pane -p >screen
	tmux -L "$sock" kill-server 2>/dev/null || true
	[ -s status ]
}

# refute COMMAND...: fail unless COMMAND fails.  In a bats test a bare
# "! COMMAND" fails nothing (set -e ignores a negated status) except on
# the test's last line, so every negative assertion is written this way.
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}
