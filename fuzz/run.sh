#!/bin/sh
# SPDX-License-Identifier: ISC
# Run the fuzz targets: each one first replays its seed corpus and the
# saved regressions (any crash, leak, hang or sanitizer report fails),
# then fuzzes afresh for SECONDS (new inputs go to a temporary directory,
# never into the committed corpus).  Prints the executions per target.
#	fuzz/run.sh [SECONDS [TARGET...]]     (default 60, all targets)
# Exits non-zero on the first finding; the reproducer is left in
# fuzz/build/findings/.
set -u
cd "$(dirname "$0")/.." || exit 2
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"key_pem key_der ssh_key stream_header stream_records armor keyswap known_peers recipients openssh_key age_header age_armor agent_reply spake2"}
b=fuzz/build
findings=$b/findings
mkdir -p "$findings"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# Slow inputs are findings too, but a loaded CI box is not: 25 s per
# input is hundreds of times the slowest legitimate parse.
opts="-timeout=25 -rss_limit_mb=2048 -max_len=70000 -print_final_stats=1"

status=0
for t in $targets; do
	bin=$b/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz/run.sh: $bin is not built (make -f fuzz/Makefile)" >&2
		exit 2
	fi
	replay=fuzz/corpus/$t
	[ -d "fuzz/regressions/$t" ] && replay="$replay fuzz/regressions/$t"
	# shellcheck disable=SC2086
	if ! "$bin" $opts -runs=0 -artifact_prefix="$findings/$t-replay-" $replay > "$tmp/$t.replay" 2>&1; then
		cat "$tmp/$t.replay" >&2
		echo "fuzz/run.sh: $t: the corpus or a regression fails" >&2
		exit 1
	fi
	mkdir -p "$tmp/$t"
	# shellcheck disable=SC2086
	"$bin" $opts -max_total_time="$seconds" -artifact_prefix="$findings/$t-" \
	    "$tmp/$t" fuzz/corpus/$t > "$tmp/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "$tmp/$t.log" | tail -1)
	printf '%-16s %10s runs in %ss, %s\n' "$t" "${runs:-?}" "$seconds" "$cov"
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$tmp/$t.log" >&2
		echo "fuzz/run.sh: $t: finding saved in $findings/" >&2
		status=1
		break
	fi
done
exit $status
