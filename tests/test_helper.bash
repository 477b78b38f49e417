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
