#!/bin/sh
# SPDX-License-Identifier: ISC
# check-layers.sh: the library's shape, checked (make check runs it).
#  - every library file lives in a folder named in lib/LAYERS;
#  - a file includes only headers of its own folder or of a lower layer;
#  - no C file in lib/ over 500 lines, no tool over 300;
#  - no library file prints or exits (die, die_gcry, die_error, notice,
#    exit, printf, fprintf, vfprintf, perror): it returns a code with a
#    reason (lib/core/error.h) and only tools/ print.  rp_fatal() in
#    lib/core/error.c, the one fatal end, is the exception.
# Prints one line per violation and exits 1 if there is any.
# (The generated libtasn1 table is exempt from the size rule.)
cd "$(dirname "$0")/.." || exit 2
layers=lib/LAYERS
rank_of() {
	awk -v f="$1" '!/^#/ && $2 == f { print $1 }' "$layers"
}
bad=0
complain() {
	printf 'check-layers: %s\n' "$*"
	bad=1
}
for f in lib/*.c lib/*.h; do
	[ -e "$f" ] && complain "$f: every library file belongs in a layer folder"
done
for dir in lib/*/; do
	folder=${dir#lib/}
	folder=${folder%/}
	[ -n "$(rank_of "$folder")" ] ||
		complain "lib/$folder: not in $layers"
done
for f in lib/*/*.c lib/*/*.h; do
	[ -e "$f" ] || continue
	folder=${f#lib/}
	folder=${folder%%/*}
	rank=$(rank_of "$folder")
	[ -n "$rank" ] || continue
	for inc in $(sed -n 's/^#include "\([a-z_]*\)\/[^"]*".*/\1/p' "$f" |
	    sort -u); do
		[ "$inc" = "$folder" ] && continue
		r=$(rank_of "$inc")
		if [ -z "$r" ]; then
			complain "$f includes from $inc/, which is no layer"
		elif [ "$r" -ge "$rank" ]; then
			complain "$f ($folder, layer $rank) includes from" \
			    "$inc/ (layer $r)"
		fi
	done
	if grep -q '^#include "[^/"]*"' "$f"; then
		complain "$f: an include without its folder"
	fi
done
# Comment lines are skipped.
for f in lib/*/*.c; do
	[ -e "$f" ] || continue
	calls=$(grep -v '^[[:space:]]*\(/\*\|\*\)' "$f" |
	    grep -o "\\(^\\|[^A-Za-z0-9_]\\)\\(die\\|die_gcry\\|die_error\\|notice\\|exit\\|printf\\|fprintf\\|vfprintf\\|perror\\)(" |
	    sed 's/^[^A-Za-z_]*//' | sort -u | tr '\n' ' ')
	[ -n "$calls" ] || continue
	# rp_fatal(), the one fatal end, prints and exits.
	[ "$f" = lib/core/error.c ] &&
	    [ "$calls" = "exit( fprintf( vfprintf( " ] && continue
	complain "$f prints or exits: ${calls% }"
done
for f in lib/*/*.c; do
	case $f in lib/codec/keys_asn1_tab.c) continue ;; esac
	[ -e "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -le 500 ] || complain "$f: $n lines (500 at most)"
done
for f in tools/*.c; do
	[ -e "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -le 300 ] || complain "$f: $n lines (300 at most)"
done
[ "$bad" -eq 0 ] && echo "check-layers: $(grep -vc "^#" "$layers") lines of layers," \
	"$(ls lib/*/*.[ch] | wc -l | tr -d ' ') files, no violation"
exit "$bad"
