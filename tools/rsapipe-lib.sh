# shellcheck shell=bash
# SPDX-License-Identifier: ISC
# rsapipe-lib.sh: shared by the example scripts (sourced, not run).
# Finds the programs, the user's configuration and identity, and makes
# the private per-session directory whose removal erases the session keys.

# "make install" writes the installed directories on the next two lines;
# in the source tree both are this file's directory, tools/.
rsapipe_libexec=
rsapipe_bindir=
[ -n "$rsapipe_libexec" ] ||
	rsapipe_libexec=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -n "$rsapipe_bindir" ] || rsapipe_bindir=$rsapipe_libexec
# The programs that belong with these scripts, before any others
# (chat-term lives beside the scripts, off the user's PATH).
PATH="$rsapipe_bindir:$rsapipe_libexec:$PATH"
export PATH


# shellcheck disable=SC2034 # used by the scripts that source this file
RSAPIPE_DEFAULT_PORT=7777
# Session keys live minutes; 3072 bits matches the identity default.
RSAPIPE_SESSION_BITS=${RSAPIPE_SESSION_BITS:-3072}
rsapipe_conf=${XDG_CONFIG_HOME:-$HOME/.config}/rsapipe

# What the scripts say goes to the descriptor in RSAPIPE_VOICE (the
# person's terminal, set up by rsapipe_voice), stderr otherwise.
rsapipe_progname=${0##*/}
rsapipe_progname=${RSAPIPE_PROGNAME:-${rsapipe_progname%.sh}}
say() {
	printf '%s: %s\n' "$rsapipe_progname" "$*" >&"${RSAPIPE_VOICE:-2}"
}

fail() {
	say "$*"
	exit 1
}

# rsapipe_voice LOG: our own messages keep going to the person's stderr
# on fd 5; everything else the helper programs print (socat's and nc's
# diagnostics, the shell's job reports) goes to LOG, never to the screen.
rsapipe_voice() {
	exec 5>&2 2>>"$1"
	RSAPIPE_VOICE=5
	RSAPIPE_PROGNAME=$rsapipe_progname
	export RSAPIPE_VOICE RSAPIPE_PROGNAME
}

# rsapipe_ensure_identity: create the user's long-term identity on first
# use (0600, never replaced).  Many copies may start at the same moment
# (two chats on a first run, a service that inetd or systemd runs once
# per connection): "create it if it is missing" runs under an exclusive
# flock(1) on the configuration directory, so exactly one copy creates
# it and says so while the others wait (at most 120 s), then use it.
# Returns non-zero, having said why, when it cannot.
rsapipe_ensure_identity() {
	[ -e "$rsapipe_conf/identity.pem" ] && return 0
	if [ ! -d "$rsapipe_conf" ] && ! { mkdir -p "$rsapipe_conf" &&
	    chmod 700 "$rsapipe_conf"; }; then
		say "cannot create $rsapipe_conf"
		return 1
	fi
	command -v flock >/dev/null ||
		{ say "flock (util-linux) is not installed"; return 1; }
	(
		flock -x -w 120 9 ||
			fail "timed out waiting for the lock on $rsapipe_conf"
		[ -e "$rsapipe_conf/identity.pem" ] && exit 0
		say "first run: creating your identity key in $rsapipe_conf"
		rsa-keygen -q -o "$rsapipe_conf/identity.pem" \
			--public "$rsapipe_conf/identity.pub" 2>&"${RSAPIPE_VOICE:-2}" ||
			fail "cannot create the identity key"
	) 9<"$rsapipe_conf"
}

# rsapipe_identity_arg ID: the --identity keyswap is given for ID, which
# is "agent:FILE.pub" or "agent:SHA256:FP" (the key held by ssh-agent; a
# leading ~/ of FILE is the home directory, as the shell would not expand
# it after "agent:") or empty (the identity file in $rsapipe_conf).
rsapipe_identity_arg() {
	case $1 in
	'') printf '%s\n' "$rsapipe_conf/identity.pem" ;;
	agent:~/*) printf 'agent:%s/%s\n' "$HOME" "${1#agent:~/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# rsapipe_check_identity ID: exit 2 saying why unless ID is empty or an
# agent identity whose public half (when a file) can be read.  The agent
# itself is asked by keyswap, which says what went wrong with it.
rsapipe_check_identity() {
	local id
	id=$(rsapipe_identity_arg "$1")
	case $id in
	"$rsapipe_conf/identity.pem") return 0 ;;
	agent:SHA256:?*) return 0 ;;
	agent:?*) [ -r "${id#agent:}" ] && return 0
		say "cannot read ${id#agent:}"; exit 2 ;;
	esac
	say "--identity: want agent:FILE.pub or agent:SHA256:FINGERPRINT, not '$1'"
	exit 2
}

# rsapipe_identity_fingerprint ID: the fingerprint of the identity ID
# (as rsapipe_identity_arg gives it) for the person's screen.
rsapipe_identity_fingerprint() {
	case $1 in
	agent:SHA256:*) printf '%s (in ssh-agent)\n' "${1#agent:}" ;;
	agent:*) printf '%s (in ssh-agent)\n' "$(rsapipe_fingerprint "${1#agent:}")" ;;
	*) rsapipe_fingerprint "$1" ;;
	esac
}

# rsapipe_fingerprint KEY: "SHA256:...", as ssh-keygen -l -E sha256 shows it.
rsapipe_fingerprint() {
	local line
	line=$(rsa-keygen -l "$1") || return 1
	line=${line#* }
	printf '%s\n' "${line%% *}"
}

# The private base directory for session files: on a RAM-backed
# filesystem where there is one, so erased keys never reach a disk.
rsapipe_runtime_base() {
	if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] &&
	    [ -w "$XDG_RUNTIME_DIR" ]; then
		echo "$XDG_RUNTIME_DIR"
	else
		echo "${TMPDIR:-/tmp}"
	fi
}

# A private 0700 directory for one session.
rsapipe_session_dir() {
	mktemp -d "$(rsapipe_runtime_base)/rsapipe-session.XXXXXXXX"
}

# rsapipe_stop [-SIGNAL] PID...: end background jobs and what they started
# (a job running a function is a subshell whose program is its child).
rsapipe_stop() {
	local sig=-TERM pid child
	case ${1:-} in -*) sig=$1; shift ;; esac
	for pid in "$@"; do
		[ -n "$pid" ] || continue
		for child in $(pgrep -P "$pid" 2>/dev/null); do
			rsapipe_stop "$sig" "$child"
		done
		kill "$sig" "$pid" 2>/dev/null
	done
	return 0
}

# Erase a session directory: its private keys are overwritten first, in
# case the directory is on a disk, then everything is removed.
rsapipe_erase_session() {
	local dir=$1 f
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	# Nothing may cut the erasure short: socat, for one, sends its child
	# SIGTERM when the connection closes, which can be right now.
	trap '' INT TERM HUP
	# Only private keys (*.pem) hold secrets: the rest, public keys and
	# logs, goes with the directory.
	for f in "$dir"/*.pem "$dir"/*/*.pem; do
		[ -f "$f" ] && rsapipe_erase_file "$f"
	done
	rm -rf "$dir"
}

# rsapipe_erase_file FILE: remove FILE and overwrite its blocks in place
# (conv=notrunc) when no other name holds them.  A pool key that other
# sessions still use ("The session key pool") has other links: it is
# opened, unlinked, and then overwritten only if that left no link, so
# whichever session lets go of it last, even at the same moment as
# another, overwrites it, and none overwrites a key still in use.
rsapipe_erase_file() {
	local fd links size
	exec {fd}<>"$1" 2>/dev/null || { rm -f -- "$1"; return 0; }
	rm -f -- "$1"
	read -r links size < <(stat -L -c '%h %s' "/dev/fd/$fd" 2>/dev/null)
	if [ "${links:-}" = 0 ]; then
		dd if=/dev/zero of="/dev/fd/$fd" bs=4096 conv=notrunc \
			count=$(( (size + 4095) / 4096 )) 2>/dev/null
	fi
	exec {fd}>&-
}

rsapipe_check_port() {
	case $1 in
	''|*[!0-9]*) return 1 ;;
	esac
	[ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# rsapipe_check_chat_args PORT LINK-TIMEOUT PIN: the chat commands'
# shared arguments, or exit 2 saying which is wrong.
rsapipe_check_chat_args() {
	rsapipe_check_port "$1" || { say "bad port: $1"; exit 2; }
	case $2 in ''|*[!0-9]*) say "bad --link-timeout: $2"; exit 2 ;; esac
	[ -z "$3" ] || [ -r "$3" ] || { say "cannot read $3"; exit 2; }
}

# --- Session keys -----------------------------------------------------
#
# A session key pair is made for one session and erased with it.  Making
# a 3072-bit key takes 0.3-1 s, so it is made ahead where that is safe:
# the server makes its key while it waits for a caller, and each chat
# makes the spare for the next one while it runs, kept only in
# $XDG_RUNTIME_DIR (RAM, private to the user) and used once.

rsapipe_spare_dir() {
	[ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] &&
	    [ -w "$XDG_RUNTIME_DIR" ] || return 1
	echo "$XDG_RUNTIME_DIR/rsapipe-spare-$RSAPIPE_SESSION_BITS"
}

# rsapipe_session_key DIR: session.pem (0600) and session.pub in DIR,
# taken from the spare if there is one (rename(2): one taker only), made
# now otherwise.
rsapipe_session_key() {
	local dir=$1 spare
	if spare=$(rsapipe_spare_dir) && mv -T "$spare" "$dir/spare" 2>/dev/null &&
	    mv "$dir/spare/session.pem" "$dir/spare/session.pub" "$dir/" 2>/dev/null; then
		rm -rf "$dir/spare"
		return 0
	fi
	rm -rf "$dir/spare"
	rsa-keygen -q -b "$RSAPIPE_SESSION_BITS" -o "$dir/session.pem" \
		--public "$dir/session.pub" 2>&"${RSAPIPE_VOICE:-2}" ||
		fail "cannot make a session key"
}

# rsapipe_make_spare: make the next session's key, in a private
# directory renamed into place only when complete.  Run it in the
# background, as its own subshell; stopping it, or a hang-up, leaves no
# key behind: rsa-keygen is stopped and waited for before the directory
# is erased, so it cannot finish into an erased directory.
rsapipe_make_spare() {
	local spare made
	spare=$(rsapipe_spare_dir) || return 0
	[ -e "$spare" ] && return 0
	made=$(rsapipe_pool_make "${spare%/*}" "${spare##*/}") || return 0
	mv -T "$made" "$spare" 2>/dev/null && return 0
	rsapipe_erase_session "$made"
}

# rsapipe_stop_spare PID: stop a spare being made and erase what it left.
rsapipe_stop_spare() {
	local tmp
	[ -n "${1:-}" ] || return 0
	rsapipe_stop "$1"
	wait "$1" 2>/dev/null
	for tmp in "$(rsapipe_spare_dir)".??????; do
		[ -d "$tmp" ] && rsapipe_erase_session "$tmp"
	done
	return 0
}

# --- The session key pool (the service, and repeated connections) ---
#
# A service makes no key while a client waits, and a program that
# connects again and again does not make one per connection either: both
# take their session key from a pool, a private 0700 directory in RAM
# (doc/SERVICE.md, doc/SECURITY.md "Session keys in a window").
#   POOL/ready.XXXXXX/   a key made ahead, complete (renamed in when done)
#   POOL/live.T.XXXXXX/  the key sessions use, in use since T (epoch s)
#   POOL/s.PID.XXXXXX/   the session directory of process PID
#   POOL/k.PID           process PID is in the key exchange
#   POOL/.lock           held while the live key is replaced
#   POOL/.fill           held by the one process making a ready key
#   POOL/.reap           held by the one process waiting to retire the
#                        live key when its window closes
# With WINDOW seconds (RSAPIPE_KEY_WINDOW), the sessions that begin
# within WINDOW of the live key's first use share it: each hard-links its
# two files into its own session directory, so retiring the key (renaming
# it out, unlinking its names) never pulls it from a session, and the
# last session to let go of it overwrites it (rsapipe_erase_file).  With
# WINDOW 0, every key is used once: a session takes a ready key with a
# rename, one taker only.  Keys are made with the umask of a session:
# 0600 files in 0700 directories.

# rsapipe_close_fds: close every descriptor above 2 of this (sub)shell,
# for a process that outlives its parent and must hold none of its pipes.
rsapipe_close_fds() {
	local fd n
	for fd in /proc/"$BASHPID"/fd/*; do
		n=${fd##*/}
		[ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"
	done
	return 0
}

# rsapipe_processors: the number of online processors (1 if unknown),
# read without starting a program.
rsapipe_processors() {
	local online='' n=0 r
	read -r online 2>/dev/null </sys/devices/system/cpu/online
	for r in ${online//,/ }; do
		case $r in
		*-*) n=$((n + ${r#*-} - ${r%-*} + 1)) ;;
		[0-9]*) n=$((n + 1)) ;;
		esac
	done
	echo $((n > 0 ? n : 1))
}

# rsapipe_proc_started PID: set rsapipe_started to the start time of
# process PID (field 22 of /proc/PID/stat), or fail if there is none.
rsapipe_proc_started() {
	local stat f
	rsapipe_started=
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	# The fields after "PID (COMM) " start at the third: state.
	read -r -a f <<<"${stat##*) }"
	rsapipe_started=${f[19]:-}
	[ -n "$rsapipe_started" ]
}

# rsapipe_pool_open DIR: DIR exists, is ours, is not a link and is 0700
# (made so if missing); fails otherwise, saying why.
rsapipe_pool_open() {
	[ -d "$1" ] || mkdir -m 700 "$1" 2>/dev/null || [ -d "$1" ] ||
		{ say "cannot create the key pool $1"; return 1; }
	if [ -L "$1" ] || [ "$(stat -c '%u %a' "$1")" != "$EUID 700" ]; then
		say "the key pool $1 is not a 0700 directory of this user"
		return 1
	fi
}

# rsapipe_pool_session POOL: a private session directory inside POOL
# (the same file system, for the links), named after this process.
rsapipe_pool_session() {
	mktemp -d "$1/s.$$.XXXXXX"
}

# rsapipe_pool_live POOL WINDOW: set rsapipe_live to the live key
# directory if its window is still open (no subshell: this is on every
# session's path), else fail.
rsapipe_pool_live() {
	local d t now
	printf -v now '%(%s)T' -1
	rsapipe_live=
	for d in "$1"/live.*; do
		[ -d "$d" ] || continue
		t=${d##*/live.}
		t=${t%%.*}
		case $t in ''|*[!0-9]*) continue ;; esac
		if [ $((now - t)) -lt "$2" ] && [ $((now - t)) -ge 0 ]; then
			rsapipe_live=$d
			return 0
		fi
	done
	return 1
}

# rsapipe_pool_link LIVE DIR: both files of the live key into DIR, or
# neither (the key was retired between the two links).
rsapipe_pool_link() {
	ln "$1/session.pem" "$2/session.pem" 2>/dev/null || return 1
	ln "$1/session.pub" "$2/session.pub" 2>/dev/null && return 0
	rsapipe_erase_file "$2/session.pem"
	return 1
}

# rsapipe_keypair DIR: a session key pair in DIR, session.pem and
# session.pub, both 0600 (rsa-keygen writes a public key 0644: it gets
# its final name only once it is 0600).
rsapipe_keypair() {
	rsa-keygen -q -b "$RSAPIPE_SESSION_BITS" -o "$1/session.pem" \
	    --public "$1/public.new" && rsapipe_keypair_public "$1"
}

rsapipe_keypair_public() {
	chmod 600 "$1/public.new" && mv "$1/public.new" "$1/session.pub"
}

# rsapipe_pool_make POOL PREFIX: a new key in POOL/PREFIX.XXXXXX, its
# directory name on stdout.  A stop (TERM, HUP) erases it half-made.
rsapipe_pool_make() {
	local tmp kpid
	tmp=$(mktemp -d "$1/$2.XXXXXX") || return 1
	# rsa-keygen itself in the background (not a subshell around it), so
	# a stop ends the program that writes into $tmp before it is erased.
	rsa-keygen -q -b "$RSAPIPE_SESSION_BITS" -o "$tmp/session.pem" \
	    --public "$tmp/public.new" 2>/dev/null &
	kpid=$!
	# shellcheck disable=SC2064 # the values are fixed now
	trap "kill $kpid 2>/dev/null; wait $kpid; rsapipe_erase_session '$tmp'; exit 1" \
	    INT TERM HUP
	if wait "$kpid" && rsapipe_keypair_public "$tmp"; then
		trap - INT TERM HUP
		printf '%s\n' "$tmp"
		return 0
	fi
	trap - INT TERM HUP
	rsapipe_erase_session "$tmp"
	return 1
}

# rsapipe_pool_rotate POOL: (under POOL/.lock) a new live key, the ready
# one if there is one, made now otherwise; the old live keys retired; the
# session directories of processes gone (killed before they could erase
# them) and keys half-made by a killed rotation erased.
rsapipe_pool_rotate() {
	local pool=$1 d new now
	for d in "$pool"/rot.*; do
		[ -d "$d" ] && rsapipe_erase_session "$d"
	done
	new=
	for d in "$pool"/ready.*; do
		[ -d "$d" ] || continue
		if mv -T "$d" "$pool/rot.${d##*/ready.}" 2>/dev/null; then
			new=$pool/rot.${d##*/ready.}
			break
		fi
	done
	[ -n "$new" ] || new=$(rsapipe_pool_make "$pool" rot) || return 1
	rsapipe_pool_retire "$pool"
	printf -v now '%(%s)T' -1
	mv -T "$new" "$pool/live.$now.${new##*/rot.}"
}

# rsapipe_pool_retire POOL: (under POOL/.lock) the live keys renamed out
# and their names removed (the sessions still holding one erase it as
# they end), and the session directories of processes gone (killed
# before they could erase them) erased.
rsapipe_pool_retire() {
	local pool=$1 d
	for d in "$pool"/live.*; do
		[ -d "$d" ] || continue
		mv -T "$d" "$pool/old.${d##*/live.}" 2>/dev/null &&
			rsapipe_erase_session "$pool/old.${d##*/live.}"
	done
	rsapipe_pool_sweep "$pool"
}

# rsapipe_pool_sweep POOL: erase the session directories of processes
# that are gone (killed before they could erase them).
rsapipe_pool_sweep() {
	local d pid
	for d in "$1"/k.*; do
		[ -e "$d" ] && ! kill -0 "${d##*/k.}" 2>/dev/null && rm -f "$d"
	done
	for d in "$1"/s.*; do
		pid=${d##*/s.}
		pid=${pid%%.*}
		[ -d "$d" ] && ! kill -0 "$pid" 2>/dev/null &&
			rsapipe_erase_session "$d"
	done
	return 0
}

# rsapipe_pool_reap POOL WINDOW: retire the live key when its window
# closes, whether or not another session comes, so no key outlives its
# window by more than the sessions begun in it.  One reaper at a time
# (POOL/.reap): it sleeps until the window closes, retires the key if it
# is still the live one, and goes on while there is a live key.
rsapipe_pool_reap() {
	local pool=$1 window=$2 d t now
	[ "$window" -gt 0 ] || return 0
	# One is at it already: its PID and start time are in .reap (a PID
	# alone could be another process's by now); flock settles a race.
	local reaper='' started=''
	read -r reaper started 2>/dev/null <"$pool/.reap"
	if [ -n "$reaper" ] && rsapipe_proc_started "$reaper" &&
	    [ "$rsapipe_started" = "$started" ]; then
		return 0
	fi
	(
		flock -x -n 9 || exit 0
		rsapipe_proc_started "$BASHPID"
		echo "$BASHPID $rsapipe_started" >"$pool/.reap"
		trap ': >"$pool/.reap"; exit 0' TERM HUP INT
		while :; do
			t=
			for d in "$pool"/live.*; do
				[ -d "$d" ] || continue
				t=${d##*/live.}
				t=${t%%.*}
			done
			if [ -z "$t" ]; then
				: >"$pool/.reap"
				# A window opened meanwhile by a session that read
				# this reaper's PID: stay for it.
				for d in "$pool"/live.*; do
					[ -d "$d" ] && continue 2
				done
				exit 0
			fi
			case $t in *[!0-9]*) exit 0 ;; esac
			printf -v now '%(%s)T' -1
			if [ $((t + window - now)) -gt 0 ]; then
				sleep $((t + window - now)) & wait $!
			fi
			( flock -x -w 120 8 || exit 1
			  rsapipe_pool_live "$pool" "$window" ||
				rsapipe_pool_retire "$pool"
			) 8>"$pool/.lock"
		done
	) 9>>"$pool/.reap"
}

# rsapipe_pool_startup POOL MAX: mark this process as in the key
# exchange (POOL/k.PID, removed by the caller after it, or swept once the
# process is gone); true if that makes more than MAX such processes.
rsapipe_pool_startup() {
	local k n=0
	: >"$1/k.$$" || return 1
	for k in "$1"/k.*; do
		kill -0 "${k##*/k.}" 2>/dev/null && n=$((n + 1))
	done
	[ "$n" -gt "$2" ]
}

# rsapipe_pool_key POOL DIR WINDOW: session.pem and session.pub in DIR
# from the pool (see above), made on the spot if the pool cannot give one.
rsapipe_pool_key() {
	local pool=$1 dir=$2 window=$3 d
	if [ "$window" -gt 0 ]; then
		for _ in 1 2 3; do
			rsapipe_pool_live "$pool" "$window" &&
				rsapipe_pool_link "$rsapipe_live" "$dir" && return 0
			# No live key, or its window closed: one process puts the
			# next one in place while the others wait for it.
			( flock -x -w 120 9 || exit 1
			  rsapipe_pool_live "$pool" "$window" ||
				rsapipe_pool_rotate "$pool"
			) 9>"$pool/.lock" || break
		done
	else
		for d in "$pool"/ready.*; do
			[ -d "$d" ] || continue
			if mv -T "$d" "$dir/taken" 2>/dev/null; then
				mv "$dir/taken/session.pem" "$dir/taken/session.pub" "$dir/"
				rmdir "$dir/taken"
				return 0
			fi
		done
	fi
	rsapipe_keypair "$dir" 2>&"${RSAPIPE_VOICE:-2}" ||
		fail "cannot make a session key"
}

# rsapipe_pool_fill POOL WINDOW: make ready keys until the pool holds
# enough (one for the next window; RSAPIPE_POOL_SIZE, default 4, of
# single-use keys), unless another process is at it.  Run it after the
# session, its connection closed, so no client waits for it.
rsapipe_pool_fill() {
	local pool=$1 want=1 have d made
	[ "$2" -gt 0 ] || want=${RSAPIPE_POOL_SIZE:-4}
	have=0
	for d in "$pool"/ready.*; do
		[ -d "$d" ] && have=$((have + 1))
	done
	[ "$have" -lt "$want" ] || return 0
	(
		flock -x -n 9 || exit 0
		# A fill.* here was left by a filler killed mid-key.
		for d in "$pool"/fill.*; do
			[ -d "$d" ] && rsapipe_erase_session "$d"
		done
		rsapipe_pool_sweep "$pool"
		while :; do
			have=0
			for d in "$pool"/ready.*; do
				[ -d "$d" ] && have=$((have + 1))
			done
			[ "$have" -lt "$want" ] || exit 0
			made=$(rsapipe_pool_make "$pool" fill) || exit 1
			mv -T "$made" "$pool/ready.${made##*/fill.}" || exit 1
		done
	) 9>"$pool/.fill"
}

# --- The exchange and the streams -------------------------------------
#
# The session context (32 bytes) goes from keyswap to rsa-encrypt and
# rsa-decrypt through descriptors, never a named file: keyswap writes it
# to a pipe (--session-out /dev/fd/N), the shell keeps it in hex, and
# each stream program reads it from a pipe of its own (--session
# <(...)).  The session key pair and the peer's public keys stay files
# in the private session directory: rsa-keygen makes the pair ahead of
# the connection, and three programs open it (doc/CHAT.md).

# rsapipe_keyswap IDENTITY DIR TIMEOUT CONTEXT-FD TRUST-OPTION...: the
# authenticated exchange on stdin/stdout; leaves peer.pub and
# peer-identity.pub in DIR and writes the session context to CONTEXT-FD
# (a pipe: see rsapipe_read_context).
rsapipe_keyswap() {
	local identity=$1 dir=$2 timeout=$3 context_fd=$4
	shift 4
	keyswap --identity "$identity" --session-key "$dir/session.pem" \
		--peer-out "$dir/peer.pub" --session-out "/dev/fd/$context_fd" \
		--peer-identity-out "$dir/peer-identity.pub" \
		"$@" --timeout "$timeout"
}

# rsapipe_read_context FD: the 32 bytes keyswap wrote to the pipe FD, as
# 64 hex digits on stdout (a shell variable cannot hold a zero byte);
# fails at once when nothing was written.
rsapipe_read_context() {
	read -r -t 0 <&"$1" || return 1
	od -A n -v -t x1 -N 32 <&"$1" | tr -d ' \n'
}

# rsapipe_unhex HEX: the bytes again (the context for --session <(...)).
rsapipe_unhex() {
	local hex=$1 escaped=''
	while [ -n "$hex" ]; do
		escaped+="\\x${hex:0:2}"
		hex=${hex:2}
	done
	printf '%b' "$escaped"
}

# rsapipe_read_line FD: the line waiting on the pipe FD, if one is there
# now (the writer has ended); nothing otherwise.
rsapipe_read_line() {
	local line=''
	read -r -t 0 <&"$1" && read -r line <&"$1"
	printf '%s\n' "$line"
}

# rsapipe_send DIR CONTEXT: stdin to the peer, each read one signed
# record bound to this session (CONTEXT from rsapipe_read_context).
rsapipe_send() {
	rsa-encrypt -r "$1/peer.pub" -s "$1/session.pem" \
		--session <(rsapipe_unhex "$2")
}

# rsapipe_receive DIR CONTEXT [OPTION...]: the peer's stream to stdout,
# each record released only once it verified as the peer's, for this
# session.
rsapipe_receive() {
	local dir=$1 context=$2
	shift 2
	rsa-decrypt -i "$dir/session.pem" --from "$dir/peer.pub" \
		--session <(rsapipe_unhex "$context") "$@"
}

# rsapipe_wait_within SECONDS PID: wait for the background job PID,
# stopping it if it has not ended within SECONDS; its status.  A timer,
# not a poll: wait(1) returns when the job ends.  The timer is killed
# (-KILL): it inherits a caller's ignored SIGTERM.
rsapipe_wait_within() {
	local pid=$2 timer status=0
	{ sleep "$1"; rsapipe_stop "$pid"; } </dev/null >/dev/null 2>&1 &
	timer=$!
	wait "$pid" 2>/dev/null || status=$?
	rsapipe_stop -KILL "$timer"
	wait "$timer" 2>/dev/null
	return "$status"
}

# --- Transports -------------------------------------------------------

# rsapipe_connect_error LOG: the cause of a failed connection in plain
# words, from what socat or nc logged ("connection refused"); fails when
# the log names none.
rsapipe_connect_error() {
	local cause
	cause=$(grep -o -i -E -m 1 'connection refused|no route to host|network is unreachable|connection timed out|name or service not known|temporary failure in name resolution|address already in use|permission denied' \
		"$1" 2>/dev/null) || return 1
	printf '%s\n' "${cause,,}"
}

# rsapipe_socat_keepalive SECONDS: socat options that make the kernel
# notice a dead link within SECONDS even while nobody types: TCP
# keepalive probes, and TCP_USER_TIMEOUT (level 6 = IPPROTO_TCP, option
# 18) for data that stays unacknowledged.
rsapipe_socat_keepalive() {
	local t=$1 idle intvl
	idle=$(( t / 3 > 0 ? t / 3 : 1 ))
	intvl=$(( t / 6 > 0 ? t / 6 : 1 ))
	printf 'keepalive,keepidle=%d,keepintvl=%d,keepcnt=3,setsockopt-int=6:18:%d' \
		"$idle" "$intvl" $(( t * 1000 * 2 / 3 ))
}

# --- The chat front end -----------------------------------------------

# rsapipe_chat ROLE TRANSPORT HOST PORT LABEL TRUST TRUST-ARG LINK-TIMEOUT:
# one chat (see rsa-chat(1)).  ROLE is client or server, TRANSPORT socat
# or nc; LABEL, TRUST and TRUST-ARG are chat-session.sh's
# RSAPIPE_PEER_LABEL, RSAPIPE_TRUST and RSAPIPE_TRUST_ARG.  Exits with the
# session's status.
rsapipe_chat() {
	local role=$1 transport=$2 host=$3 port=$4 dir key_fd status_fd
	command -v "$transport" >/dev/null ||
		{ say "$transport is not installed"; exit 2; }
	dir=$(rsapipe_session_dir) ||
		{ say "cannot create a session directory"; exit 2; }
	rsapipe_voice "$dir/transport.log"
	export RSAPIPE_ROLE=$role RSAPIPE_SESSION_DIR=$dir \
		RSAPIPE_ADDRESS=$host:$port RSAPIPE_PEER_LABEL=$5 \
		RSAPIPE_TRUST=$6 RSAPIPE_TRUST_ARG=$7 RSAPIPE_LINK_TIMEOUT=$8
	rsapipe_chat_dir=$dir
	rsapipe_chat_pids=()
	rsapipe_chat_state=''
	# SIGINT reaches the session as SIGUSR1: a job started in the
	# background (the session, through nc) cannot trap SIGINT.
	trap 'rsapipe_chat_signal 130 interrupted USR1' INT
	trap 'rsapipe_chat_signal 143 terminated TERM' TERM
	trap 'rsapipe_chat_signal 129 "hung up" HUP' HUP
	trap 'rsapipe_chat_cleanup' EXIT
	RSAPIPE_IDENTITY=$(rsapipe_identity_arg "${RSAPIPE_IDENTITY:-}")
	export RSAPIPE_IDENTITY
	case $RSAPIPE_IDENTITY in
	agent:*)
		# The key is the agent's: nothing to create, but the trust
		# files still live in $rsapipe_conf.
		[ -d "$rsapipe_conf" ] || { mkdir -p "$rsapipe_conf" &&
		    chmod 700 "$rsapipe_conf"; } ||
			{ say "cannot create $rsapipe_conf"; exit 2; } ;;
	*) rsapipe_ensure_identity || exit 2 ;;
	esac
	say "your identity: $(rsapipe_identity_fingerprint "$RSAPIPE_IDENTITY")"
	# The session reports on this pipe: "running PID", then its status
	# once its keys are erased (socat does not wait for its child).
	exec {status_fd}<> <(:)
	rsapipe_chat_status_fd=$status_fd
	export RSAPIPE_STATUS_FD=$status_fd
	unset RSAPIPE_KEY_FD
	if [ "$role" = server ]; then
		# Made while we wait for a caller; the session reads "ready" on
		# this pipe, or its end if the key could not be made.
		exec {key_fd}< <(rsapipe_session_key "$dir" && echo ready)
		rsapipe_chat_pids+=("$!")
		export RSAPIPE_KEY_FD=$key_fd
		# With an invite the session says the code, then that it waits.
		[ "$6" = invite ] || say "waiting for a client on port $port"
	else
		rsapipe_session_key "$dir"
	fi
	# The keyboard and screen travel to the session on fds 3 and 4.
	exec 3<&0 4>&1
	"rsapipe_chat_$transport" "$role" "$host" "$port" "$8"
	rsapipe_chat_outcome "$role" "$host" "$port"
}

# The session, through socat: socat gives it the connection as
# stdin/stdout (pipes, so each direction ends by itself); -t 1 closes
# the connection a second after the session's side of it has ended.
rsapipe_chat_socat() {
	local role=$1 host=$2 port=$3 link=$4 address
	if [ "$role" = server ]; then
		address=TCP-LISTEN:$port,reuseaddr
	else
		address=TCP:$host:$port,connect-timeout=15
	fi
	[ "$link" -eq 0 ] || address=$address,$(rsapipe_socat_keepalive "$link")
	if [ "$RSAPIPE_TRUST" = invite ]; then
		# The invite lives in keyswap, which must run (and say the
		# code) before anyone calls: socat carries the connection to
		# the session through two FIFOs (rsapipe_chat_invite).
		rsapipe_chat_invite socat -t 1 "$address" STDIO
		return
	fi
	RSAPIPE_SESSION_SCRIPT=$rsapipe_libexec/chat-session.sh
	export RSAPIPE_SESSION_SCRIPT
	# shellcheck disable=SC2016 # expanded by the shell socat starts
	socat -t 1 "$address" SYSTEM:'exec "$RSAPIPE_SESSION_SCRIPT"',pipes &
	rsapipe_chat_pids+=("$!")
	rsapipe_chat_wait $!
}

# The session, through OpenBSD netcat: nc carries the bytes between the
# network and two FIFOs, the session reads and writes the FIFOs (-v: nc
# says why a connection failed, in the log).  -N: when the session ends
# its output, shut the socket down for writing.
# - A listening nc ends when its caller hangs up.  The session's side of
#   net-in opens only when the caller's first byte has come (see
#   rsapipe_after_first_byte), so the exchange and its timeout start
#   then; the session opens net-out first, which nc opens at once.
# - A calling nc keeps its output open when the network side closes
#   (netcat.c only stops polling it): the session asks the kernel about
#   nc's socket while the exchange runs (rsapipe_nc_peer_closed).
rsapipe_chat_nc() {
	local role=$1 host=$2 port=$3 dir=$rsapipe_chat_dir
	if [ "$RSAPIPE_TRUST" = invite ]; then
		rsapipe_chat_invite nc -v -N -l "$port"
		return
	fi
	mkfifo -m 600 "$dir/net-in" "$dir/net-out" ||
		{ say "cannot create FIFOs"; exit 2; }
	if [ "$role" = server ]; then
		nc -v -N -l "$port" <"$dir/net-out" \
			> >(rsapipe_after_first_byte "$dir/net-in") &
		rsapipe_chat_pids+=("$!")
		"$rsapipe_libexec/chat-session.sh" >"$dir/net-out" <"$dir/net-in" &
	else
		nc -v -N "$host" "$port" >"$dir/net-in" <"$dir/net-out" &
		rsapipe_chat_pids+=("$!")
		RSAPIPE_NC_PID=$! \
			"$rsapipe_libexec/chat-session.sh" <"$dir/net-in" >"$dir/net-out" &
	fi
	rsapipe_chat_pids+=("$!")
	rsapipe_chat_wait $!
}

# rsapipe_chat_invite LISTENER...: a server with an invite.  keyswap
# holds the invite and says its code, so the session starts now, not
# when a caller comes: LISTENER (nc -l, or socat with STDIO) carries the
# connection between the network and two FIFOs, which both sides open
# at once.  keyswap's --timeout covers the invite's lifetime (the
# session adds it), and a caller that hangs up ends LISTENER, whose
# close of net-in keyswap reads as the end of the connection.
rsapipe_chat_invite() {
	local dir=$rsapipe_chat_dir
	mkfifo -m 600 "$dir/net-in" "$dir/net-out" ||
		{ say "cannot create FIFOs"; exit 2; }
	"$@" >"$dir/net-in" <"$dir/net-out" &
	rsapipe_chat_pids+=("$!")
	"$rsapipe_libexec/chat-session.sh" <"$dir/net-in" >"$dir/net-out" &
	rsapipe_chat_pids+=("$!")
	rsapipe_chat_wait $!
}

# rsapipe_after_first_byte FIFO: stdin to FIFO, which is opened only once
# the first byte has come (or stdin ended), so that the reader's open(2)
# of FIFO is the event "a caller has spoken".  The byte is read alone
# (dd bs=1), so nothing after it is taken from the stream.
rsapipe_after_first_byte() {
	local first
	first=$(dd bs=1 count=1 2>/dev/null | od -A n -t x1 | tr -d ' \n')
	# Read-write: opening does not wait for a reader that is gone.
	exec 1<>"$1"
	[ -z "$first" ] || rsapipe_unhex "$first"
	exec cat
}

# rsapipe_nc_peer_closed PID: the peer has closed the connection of the
# nc process PID (its socket is in CLOSE-WAIT), which a calling nc does
# not pass on while its input is open.
rsapipe_nc_peer_closed() {
	ss -Htnp state close-wait 2>/dev/null | grep -q "pid=$1,"
}

# Wait for a job; a trapped signal interrupts wait(1), so wait again
# while the job lives.
rsapipe_chat_wait() {
	wait "$1"
	while kill -0 "$1" 2>/dev/null; do
		wait "$1"
	done
}

# rsapipe_chat_report FD SECONDS STATE: the session's state from its
# report pipe, given the STATE read before: empty while no session ran,
# "running PID", or its exit status.  With SECONDS, waits that long for
# a running session's status.
rsapipe_chat_report() {
	local fd=$1 state=$3 line
	while read -r -t 0 <&"$fd" && read -r line <&"$fd"; do
		state=$line
	done
	case $state in
	running*)
		if [ "$2" != 0 ] && read -r -t "$2" line <&"$fd"; then
			state=$line
		fi ;;
	esac
	printf '%s\n' "$state"
}

# rsapipe_chat_signal STATUS MESSAGE SIGNAL: a signal to the front end.
# A running session gets it and ends in order (while chat-term runs the
# peer still gets our final record), says why and reports; before a
# session runs, everything stops here.
rsapipe_chat_signal() {
	rsapipe_chat_state=$(rsapipe_chat_report "$rsapipe_chat_status_fd" 0 \
		"$rsapipe_chat_state")
	case $rsapipe_chat_state in
	"running "*)
		kill "-$3" "${rsapipe_chat_state#running }" 2>/dev/null &&
			return 0 ;;
	'') ;;
	*) exit "$rsapipe_chat_state" ;; # it ended and said so already
	esac
	rsapipe_stop "${rsapipe_chat_pids[@]}"
	wait 2>/dev/null
	say "$2; session keys erased"
	rsapipe_erase_session "$rsapipe_chat_dir"
	exit "$1"
}

rsapipe_chat_cleanup() {
	trap '' INT TERM HUP
	rsapipe_stop "${rsapipe_chat_pids[@]}"
	wait 2>/dev/null
	rsapipe_erase_session "$rsapipe_chat_dir"
}

# After the transport: the session's status once it has erased its keys
# (socat does not wait for its child: a blocking read of its report,
# 5 s at most), or, when no session ran, why.
rsapipe_chat_outcome() {
	local role=$1 host=$2 port=$3 status cause
	status=$(rsapipe_chat_report "$rsapipe_chat_status_fd" 5 \
		"$rsapipe_chat_state")
	case $status in
	running*) say "the session did not end in time"; exit 1 ;;
	'') ;;
	*) exit "$status" ;;
	esac
	cause=$(rsapipe_connect_error "$rsapipe_chat_dir/transport.log") ||
		cause="see RSAPIPE_DEBUG=1"
	if [ "$role" = server ]; then
		say "cannot listen on port $port: $cause"
		exit 2
	fi
	say "cannot connect to $host:$port: $cause"
	exit 3
}
