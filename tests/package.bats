#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# What a distribution packages: the man pages (lint-clean, one for every
# command a user types), the bash completion (every option of every
# command, file names for keys, the recorded peers for --forget), one
# version everywhere (VERSION, --version, debian/changelog) and the
# release tarball of make dist.  .ci/package builds, installs and purges
# the Debian package itself, which needs the whole machine.

# $output and $stderr come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0
load test_helper

COMPLETION="$RSAPIPE_ROOT/tools/rsapipe-completion.bash"
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

# The commands a user types, and the programs with a getopt table.
COMMANDS="rsa-keygen rsa-encrypt rsa-decrypt keyswap rsa-chat-server rsa-chat-client"
PROGRAMS="rsa-keygen rsa-encrypt rsa-decrypt keyswap"

need_completion() {
	[ -r "$BASH_COMPLETION" ] || skip "needs bash-completion"
}

# complete_line LINE: the words bash offers at the end of LINE (a trailing
# space starts a new word), one a line, from the command's completion
# function as bash-completion runs it.
complete_line() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc --noprofile -c '
		. "$1" && . "$2" || exit 2
		line=$3
		read -r -a COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 2
		fn=${spec##*-F }
		fn=${fn%% *}
		COMPREPLY=()
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' _ "$BASH_COMPLETION" "$COMPLETION" "$1"
}

# offered LINE: complete_line's words, sorted, one a line.
offered() {
	complete_line "$1" | sort -u
}

# accepted_options COMMAND: every option COMMAND takes, sorted: for a C
# program, its getopt_long table (with the *_LONG_OPTIONS macros it
# includes, wherever in lib/ or tools/ they are defined) and its short
# options;
# for a chat script, the patterns of its option case.
accepted_options() {
	local src shorts i m
	if [ -f "$RSAPIPE_ROOT/tools/$1.c" ]; then
		# The program and its option module, if it has one
		# (tools/keyswap_options.c).
		src=("$RSAPIPE_ROOT/tools/$1.c")
		[ -f "$RSAPIPE_ROOT/tools/${1//-/_}_options.c" ] &&
			src+=("$RSAPIPE_ROOT/tools/${1//-/_}_options.c")
		sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", *[a-z]*_argument.*/--\1/p' "${src[@]}"
		for m in $(grep -ho '[A-Z_]*_LONG_OPTIONS' "${src[@]}" | sort -u); do
			find "$RSAPIPE_ROOT/lib" "$RSAPIPE_ROOT/tools" -name '*.h' -exec awk -v m="$m" '
				$0 ~ "^#define " m "([ \\\\]|$)" { on = 1 }
				on && match($0, /"[a-z-]+", *[a-z]+_argument/) {
					s = substr($0, RSTART + 1); sub(/".*/, "", s)
					print "--" s
				}
				on && !/\\$/ { on = 0 }' {} +
		done
		shorts=$(sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "${src[@]}" | tr -d ':')
		[ -n "$shorts" ]
		for ((i = 0; i < ${#shorts}; i++)); do
			echo "-${shorts:i:1}"
		done
	else
		sed -n 's/^[[:space:]]*\(-[-a-z|]*\)).*/\1/p' "$RSAPIPE_ROOT/tools/$1.sh" |
			tr '|' '\n' | grep -vx -- --
	fi | sort -u
}

# --- Man pages --------------------------------------------------------------

@test "every man page lints clean at mandoc's warning level, and the lint fails on a page with a mistake" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run -0 make -s --no-print-directory -C "$RSAPIPE_ROOT" man-lint
	[ -z "$output" ]
	# A page with an unknown macro and a misordered SEE ALSO fails it.
	sed -e 's/^\.Sh DESCRIPTION$/.Sh DESCRIPTION\n.Xx unknown/' \
		-e 's/^\.Xr keyswap 1 ,$/.Xr zzz 1 ,\n.Xr keyswap 1 ,/' \
		"$RSAPIPE_ROOT/tools/rsa-keygen.1" >broken.1
	run ! make -s -C "$RSAPIPE_ROOT" man-lint MANS="$BATS_TEST_TMPDIR/broken.1"
	[[ "$output" == *"unknown macro"* ]]
	[[ "$output" == *"unusual Xr order"* ]]
}

@test "every command a user types has a man page once installed, which names it" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	make -s -C "$RSAPIPE_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr >/dev/null
	man=$BATS_TEST_TMPDIR/root/usr/share/man/man1
	for c in $COMMANDS; do
		[ -e "$man/$c.1" ] || { echo "no man page for $c" >&2; false; }
		# NAME lists the command (rsa-chat(1) lists both chat commands).
		run -0 mandoc -T ascii "$man/$c.1"
		name=$(printf '%s\n' "$output" | sed -e 's/.\x08//g' | sed -n '/^NAME/,/^SYNOPSIS/p')
		[[ "$name" == *"$c"* ]] || { echo "$c.1: NAME is: $name" >&2; false; }
	done
	# Every installed command is among them.
	for f in "$BATS_TEST_TMPDIR/root/usr/bin"/*; do
		[[ " $COMMANDS " == *" ${f##*/} "* ]] || { echo "no page for ${f##*/}" >&2; false; }
	done
}

# --- Bash completion --------------------------------------------------------

@test "completion offers every option each command takes, and no other" {
	need_completion
	for c in $COMMANDS; do
		want=$(accepted_options "$c")
		[ "$(printf '%s\n' "$want" | wc -l)" -ge 4 ]
		got=$(offered "$c -")
		if [ "$got" != "$want" ]; then
			echo "$c: offered and accepted options differ:" >&2
			diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2
			false
		fi
	done
	# A prefix narrows them.
	run -0 offered "rsa-decrypt --s"
	[ "$output" = "$(printf '%s\n' --session --status-fd --stop-at-final)" ]
	run -0 offered "rsa-chat-client --f"
	[ "$output" = --forget ]
}

@test "options that take a key or another file complete file names; -b completes key sizes" {
	need_completion
	mkdir keys
	touch keys/alice.pem keys/alice.pub keys/notes.txt
	for line in "rsa-decrypt -i keys/a" "rsa-decrypt --from keys/a" \
	    "rsa-encrypt -r keys/a" "rsa-encrypt -s keys/a" "rsa-encrypt --recipient=keys/a" \
	    "rsa-keygen -o keys/a" "rsa-keygen -l keys/a" "keyswap --identity keys/a" \
	    "keyswap --session-key keys/a" "keyswap --peer keys/a" \
	    "rsa-chat-server --peer keys/a" "rsa-chat-server --allow keys/a" \
	    "rsa-chat-client --peer keys/a"; do
		run -0 offered "$line"
		[ "$output" = "$(printf '%s\n' keys/alice.pem keys/alice.pub)" ] ||
			{ echo "$line: $output" >&2; false; }
	done
	# Not after an option that takes no file, nor a port.
	run -0 offered "rsa-chat-server --link-timeout "
	[ -z "$output" ]
	run -0 offered "rsa-keygen -b "
	[ "$output" = "$(printf '%s\n' 16384 2048 3072 4096 8192)" ]
}

# A known_peers file as the client records it (HOST:PORT, or --name).
record_peers() {
	local a b
	a=$(rsa-keygen -l "$FIXTURES/alice.pub" | cut -d ' ' -f 2)
	b=$(rsa-keygen -l "$FIXTURES/bob.pub" | cut -d ' ' -f 2)
	mkdir -p "$1"
	{
		echo "# recorded by rsa-chat-client"
		echo "alice.example.org:7777 $a"
		echo "alice.example.org:9000 $a"
		echo "bob.example.org:7777 $b"
		echo "office $b"
	} >"$1/known_peers"
}

@test "rsa-chat-client --forget completes the recorded hosts, then their ports, and forgets what it offered" {
	need_completion
	run -0 offered "rsa-chat-client --forget "
	[ -z "$output" ]
	record_peers "$XDG_CONFIG_HOME/rsapipe"
	run -0 offered "rsa-chat-client --forget "
	[ "$output" = "$(printf '%s\n' alice.example.org bob.example.org)" ]
	run -0 offered "rsa-chat-client --forget b"
	[ "$output" = bob.example.org ]
	run -0 offered "rsa-chat-client --nc --forget alice.example.org "
	[ "$output" = "$(printf '%s\n' 7777 9000)" ]
	# The words offered are what --forget takes.
	run -0 rsa-chat-client.sh --forget alice.example.org 9000
	run -0 offered "rsa-chat-client --forget alice.example.org "
	[ "$output" = 7777 ]
	# Without --forget, a host to call: the recorded ones among them.
	run -0 offered "rsa-chat-client bob.ex"
	[ "$output" = bob.example.org ]
}

@test "keyswap --forget completes the names in the --known-peers file given" {
	need_completion
	record_peers "$BATS_TEST_TMPDIR/kp"
	run -0 offered "keyswap --known-peers $BATS_TEST_TMPDIR/kp/known_peers --forget "
	[ "$output" = "$(printf '%s\n' alice.example.org:7777 alice.example.org:9000 \
		bob.example.org:7777 office)" ]
	run -0 offered "keyswap --known-peers=$BATS_TEST_TMPDIR/kp/known_peers --forget o"
	[ "$output" = office ]
	# No --known-peers, no names.
	run -0 offered "keyswap --forget "
	[ -z "$output" ]
}

@test "bash-completion loads the installed completion for each command by its name" {
	need_completion
	make -s -C "$RSAPIPE_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr >/dev/null
	share=$BATS_TEST_TMPDIR/root/usr/share
	for c in $COMMANDS; do
		# shellcheck disable=SC2016 # expanded by the inner bash
		run -0 env XDG_DATA_DIRS="$share" bash --norc --noprofile -c '
			. "$1" && __load_completion "$2" && complete -p "$2"' \
			_ "$BASH_COMPLETION" "$c"
		fn=${c//-/_}
		[ "$output" = "complete -F _rsapipe_$fn $c" ]
	done
	# Where nothing is installed, nothing is loaded.
	run ! env XDG_DATA_DIRS="$BATS_TEST_TMPDIR/none" bash --norc --noprofile -c '
		. "$1" && __load_completion rsa-keygen && complete -p rsa-keygen | grep -q _rsapipe_' \
		_ "$BASH_COMPLETION"
}

# --- One version ------------------------------------------------------------

@test "every program's --version prints the version in VERSION, and debian/changelog has it too" {
	version=$(cat "$RSAPIPE_ROOT/VERSION")
	[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	for p in $PROGRAMS; do
		run -0 --separate-stderr "$p" --version
		[ "$output" = "$p (rsapipe) $version" ]
	done
	# The first line of debian/changelog: "rsapipe (VERSION) ...".
	run -0 sed -n '1s/^rsapipe (\([^)]*\)).*/\1/p' "$RSAPIPE_ROOT/debian/changelog"
	[ "$output" = "$version" ]
	# The number lives in VERSION only: no source file spells it out.
	run ! grep -rIlF --include='*.[ch]' "\"$version\"" "$RSAPIPE_ROOT/lib" "$RSAPIPE_ROOT/tools"
}

@test "a build with another VERSION prints that version" {
	copy=$BATS_TEST_TMPDIR/copy
	mkdir "$copy"
	tar -C "$RSAPIPE_ROOT" --exclude=./.git --exclude='*.o' --exclude='*.a' \
		--exclude=./fuzz/build -cf - Makefile VERSION lib tools | tar -C "$copy" -xf -
	echo 9.8.7 >"$copy/VERSION"
	make -s -C "$copy" tools/rsa-keygen >/dev/null
	run -0 "$copy/tools/rsa-keygen" --version
	[ "$output" = "rsa-keygen (rsapipe) 9.8.7" ]
}

# --- The release tarball ----------------------------------------------------

@test "make dist packs every file git tracks under rsapipe-VERSION/, and nothing else" {
	command -v git >/dev/null || skip "needs git"
	[ "$(git -C "$RSAPIPE_ROOT" rev-parse --show-toplevel 2>/dev/null)" = \
		"$(cd "$RSAPIPE_ROOT" && pwd -P)" ] || skip "not a git checkout (a dist tarball)"
	version=$(cat "$RSAPIPE_ROOT/VERSION")
	run -0 make -s -C "$RSAPIPE_ROOT" dist DIST_DIR="$BATS_TEST_TMPDIR"
	tarball=$BATS_TEST_TMPDIR/rsapipe-$version.tar.gz
	[ -f "$tarball" ]
	tar -tzf "$tarball" | sort >listed
	git -C "$RSAPIPE_ROOT" ls-files | sed "s|^|rsapipe-$version/|" | sort >tracked
	diff tracked listed
	# What a build needs and what the package needs are in it; what a
	# build makes is not, though this tree is built.
	for f in VERSION Makefile debian/changelog debian/rules tools/rsa-keygen.c \
	    tools/rsapipe-completion.bash tests/run.sh LICENSE; do
		grep -qx "rsapipe-$version/$f" listed
	done
	[ -x "$RSAPIPE_ROOT/tools/rsa-keygen" ]
	run ! grep -E '\.o$|\.a$|/tools/rsa-keygen$' listed
	# The same tree makes the same bytes.
	sum=$(sha256sum <"$tarball")
	sleep 1
	make -s -C "$RSAPIPE_ROOT" dist DIST_DIR="$BATS_TEST_TMPDIR" >/dev/null
	[ "$(sha256sum <"$tarball")" = "$sum" ]
}

@test "make dist refuses to run outside a git checkout" {
	mkdir tree
	cp "$RSAPIPE_ROOT/Makefile" "$RSAPIPE_ROOT/VERSION" tree/
	GIT_CEILING_DIRECTORIES=$BATS_TEST_TMPDIR run -2 --separate-stderr make -s -C tree dist
	[[ "$stderr" == *"make dist: needs a git checkout"* ]]
	[ -z "$(find tree -name 'rsapipe-*')" ]
}
