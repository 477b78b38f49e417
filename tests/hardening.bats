#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Secret hygiene seen from outside the programs: file modes, core dumps
# and ptrace, clean failure without key material left behind, no secrets
# in messages, and inputs that once broke a parser.
# shellcheck disable=SC2154 # stderr is set by bats' run --separate-stderr.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	shared=
}

teardown() {
	exec 7>&- 8<&- 2>/dev/null || true
	[ -z "$shared" ] || rm -rf "$shared"
}

# Run as an unprivileged user: as root, setpriv to nobody; otherwise as
# ourselves.  Sets the array `as_user`; skips if neither is possible.
unprivileged() {
	as_user=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv needed when run as root"
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	# A directory the unprivileged user can reach (bats' own is 0700).
	shared=$(mktemp -d /tmp/rsapipe-hardening.XXXXXX)
	chmod 755 "$shared"
}

# The program is past start-up (and holds its keys) once it has opened
# its input FIFO: our open of the write end returns only then.
start_on_fifo() { # FIFO COMMAND...
	local fifo=$1
	shift
	mkfifo -m 666 "$fifo"
	"$@" "$fifo" >/dev/null 2>&1 3>&- &
	pid=$!
	exec 7>"$fifo"
}

finish() {
	exec 7>&-
	wait "$pid" || true
}

@test "rsa-keygen creates the private key 0600 and the public key 0644 whatever the umask" {
	umask 000
	run -0 rsa-keygen -b 2048 -o id.pem --public id.pub
	[ "$(stat -c %a id.pem)" = 600 ]
	[ "$(stat -c %a id.pub)" = 644 ]
}

@test "decrypted plaintext and keyswap session files are created 0600 whatever the umask" {
	umask 000
	echo secret | rsa-encrypt -r "$FIXTURES/alice.pub" > msg.rsp
	run -0 rsa-decrypt -i "$FIXTURES/alice.pem" -o plain msg.rsp
	[ "$(stat -c %a plain)" = 600 ]

	# Each side opens the FIFOs in the same order, or both would block.
	mkfifo ab ba
	keyswap --identity "$FIXTURES/alice.pem" --session-key "$FIXTURES/carol.pem" \
	    --peer-out a.peer --session-out a.session --peer "$FIXTURES/bob.pub" \
	    < ba > ab 2>/dev/null 3>&- &
	keyswap --identity "$FIXTURES/bob.pem" --session-key "$FIXTURES/carol.pem" \
	    --peer-out b.peer --session-out b.session --peer "$FIXTURES/alice.pub" \
	    > ba < ab 2>/dev/null
	wait $!
	[ "$(stat -c %a a.session)" = 600 ]
	[ "$(stat -c %a b.session)" = 600 ]
	cmp a.session b.session
}

@test "programs holding a private key run with core dumps disabled" {
	local limit='^Max core file size +0 +0 ' hard
	# Start them with core dumps allowed, so the limit is their doing.
	hard=$(ulimit -H -c)
	[ "$hard" != 0 ] || skip "core dumps are off for this whole session"
	ulimit -c "$hard"
	start_on_fifo in1 rsa-decrypt -i "$FIXTURES/alice.pem"
	grep -Eq "$limit" /proc/$pid/limits
	finish
	start_on_fifo in2 rsa-encrypt -r "$FIXTURES/alice.pub" -s "$FIXTURES/bob.pem"
	grep -Eq "$limit" /proc/$pid/limits
	finish
	# Control: an ordinary program on the same terms keeps the limit
	# it inherited, so the check can tell the difference.
	start_on_fifo in3 cat
	grep -Eq "$limit" /proc/$pid/limits && control=0 || control=$?
	finish
	[ "$control" -ne 0 ]
}

@test "programs holding a private key are not dumpable: their /proc entries belong to root" {
	unprivileged
	cp "$FIXTURES/alice.pem" "$FIXTURES/bob.pem" "$FIXTURES/alice.pub" "$shared/"
	chmod 644 "$shared"/*
	# Control: an unprivileged cat owns its /proc entries (ptrace and
	# core dumps allowed), so root ownership below is the programs' doing.
	start_on_fifo "$shared/in0" "${as_user[@]}" cat
	control=$(stat -c %u /proc/$pid/status)
	finish
	[ "$control" != 0 ]

	start_on_fifo "$shared/in1" "${as_user[@]}" rsa-decrypt -i "$shared/alice.pem"
	[ "$(stat -c %u /proc/$pid/status)" = 0 ]
	finish
	start_on_fifo "$shared/in2" "${as_user[@]}" rsa-encrypt \
	    -r "$shared/alice.pub" -s "$shared/bob.pem"
	[ "$(stat -c %u /proc/$pid/status)" = 0 ]
	finish
}

@test "keyswap waiting for its peer is not dumpable and cannot dump core" {
	unprivileged
	cp "$FIXTURES/alice.pem" "$FIXTURES/carol.pem" "$shared/"
	chmod 644 "$shared"/*
	mkdir -m 777 "$shared/w"
	mkfifo -m 666 "$shared/in" "$shared/out"
	"${as_user[@]}" keyswap --identity "$shared/alice.pem" \
	    --session-key "$shared/carol.pem" --accept-any \
	    --peer-out "$shared/w/peer" --session-out "$shared/w/session" \
	    < "$shared/in" > "$shared/out" 2>/dev/null 3>&- &
	pid=$!
	exec 7>"$shared/in"
	# Its hello arriving means it is set up and waiting for ours.
	exec 8<"$shared/out"
	head -c 8 <&8 | grep -q RPKS
	grep -Eq '^Max core file size +0 +0 ' /proc/$pid/limits
	[ "$(stat -c %u /proc/$pid/status)" = 0 ]
	exec 8<&-
	finish
}

@test "rsa-keygen under a file-size limit fails with status 2 and leaves no key material" {
	mkdir keys
	# SIGXFSZ at its default action (kill), whatever we inherited: that
	# is how a shell's `ulimit -f` meets an ordinary program.
	run -2 --separate-stderr python3 -c '
import os, resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
resource.setrlimit(resource.RLIMIT_FSIZE,
    (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
os.chdir("keys")
os.execvp("rsa-keygen", ["rsa-keygen", "-b", "2048"])'
	assert_one_line_error rsa-keygen 'too large'
	[ -z "$(ls -A keys)" ]
}

@test "rsa-keygen into a read-only directory fails with status 2 and leaves nothing" {
	unprivileged
	chmod 555 "$shared"
	run -2 --separate-stderr "${as_user[@]}" rsa-keygen -b 2048 \
	    -o "$shared/id.pem" --public "$shared/id.pub"
	assert_one_line_error rsa-keygen
	[ -z "$(ls -A "$shared")" ]
	chmod 755 "$shared"
}

@test "rsa-keygen refusing to overwrite a key leaves no temporary file" {
	mkdir keys && cd keys
	echo existing > id.pem
	run -2 --separate-stderr rsa-keygen -b 2048 -o id.pem --public id.pub
	assert_one_line_error rsa-keygen
	[ "$(cat id.pem)" = existing ]
	[ "$(ls -A)" = id.pem ]
}

@test "a wrong passphrase is refused without repeating it" {
	printf 'correct horse battery staple\n' > good
	printf 'Tr0ub4dor&3 wrong\n' > bad
	run -0 rsa-keygen -b 2048 -o id.pem --public id.pub --passphrase-file good
	grep -q 'BEGIN ENCRYPTED PRIVATE KEY' id.pem
	echo hi | rsa-encrypt -r id.pub > msg.rsp
	run -2 --separate-stderr rsa-decrypt -i id.pem --passphrase-file bad msg.rsp
	assert_one_line_error rsa-decrypt 'passphrase'
	[[ $stderr != *Tr0ub4dor* && $stderr != *correct* ]]
	[ -z "$output" ]
}

@test "inputs that once broke a parser are refused or accepted cleanly by the tools" {
	local f n=0 dir=$RSAPIPE_ROOT/fuzz/regressions
	for f in "$dir"/key_pem/* "$dir"/ssh_key/*; do
		[ -f "$f" ] || continue
		run --separate-stderr rsa-keygen -l "$f"
		[ "$status" -eq 0 ] || { [ "$status" -eq 2 ] &&
		    assert_one_line_error rsa-keygen; }
		n=$((n + 1))
	done
	for f in "$dir"/stream_header/* "$dir"/armor/*; do
		[ -f "$f" ] || continue
		run --separate-stderr rsa-decrypt -i "$FIXTURES/alice.pem" "$f"
		[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] &&
		    assert_one_line_error rsa-decrypt; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
