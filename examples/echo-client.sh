#!/bin/bash
# SPDX-License-Identifier: ISC
# echo-client.sh [--peer PUB] HOST [PORT]: send stdin, line by line, to
# echo-service.sh at HOST:PORT (default 7777) and print what comes back.
#
# The service's identity is pinned with --peer PUB, or trusted on first
# use and recorded in known_peers under HOST:PORT (a changed key is then
# refused).  RSAPIPE_TIMEOUT (default 30) bounds, in seconds, the
# connection attempt, the key exchange and the wait for the rest of the
# echo once our input has ended.  RSAPIPE_KEY_WINDOW: see below and
# doc/SERVICE.md.
#
# Exit status:
#   0    the whole echo came back and verified
#   1    the key exchange or the echo failed: the service's identity is
#        not the pinned or recorded one, the service closed the
#        connection or did not answer in time, a record did not verify,
#        the echo was cut short
#   2    usage or environment error: bad arguments, socat missing, no
#        identity or session directory
#   3    cannot connect to HOST:PORT (refused, unknown host, unreachable)
#   130  interrupted
set -u
rsapipe_libexec=${0%/*}/../tools
# shellcheck source=SCRIPTDIR/../tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"

usage() {
	echo "usage: ${0##*/} [--peer PUB] HOST [PORT]" >&2
	exit 2
}

peer='' args=()
while [ $# -gt 0 ]; do
	case $1 in
	--peer) [ $# -ge 2 ] || usage; peer=$2; shift ;;
	--) shift; args+=("$@"); break ;;
	-*) usage ;;
	*) args+=("$1") ;;
	esac
	shift
done
if [ ${#args[@]} -lt 1 ] || [ ${#args[@]} -gt 2 ]; then
	usage
fi
host=${args[0]}
port=${args[1]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_port "$port" || { say "bad port: $port"; exit 2; }
[ -z "$peer" ] || [ -r "$peer" ] || { say "cannot read $peer"; exit 2; }
timeout=${RSAPIPE_TIMEOUT:-30}
case $timeout in
''|*[!0-9]*|0) say "bad RSAPIPE_TIMEOUT: $timeout"; exit 2 ;;
esac
command -v socat >/dev/null || { say "socat is not installed"; exit 2; }
rsapipe_ensure_identity ||
	{ say "cannot create your identity in $rsapipe_conf"; exit 2; }

# Repeated connections share a session key for RSAPIPE_KEY_WINDOW seconds
# (default 60; 0: a key per connection), taken from a pool in the
# runtime directory (doc/SERVICE.md); without a private runtime directory
# each connection makes its own.
window=${RSAPIPE_KEY_WINDOW:-60}
case $window in ''|*[!0-9]*) say "bad RSAPIPE_KEY_WINDOW: $window"; exit 2 ;; esac
pool=
if rsapipe_spare_dir >/dev/null; then
	pool=$XDG_RUNTIME_DIR/rsapipe-pool-$EUID-$RSAPIPE_SESSION_BITS
	rsapipe_pool_open "$pool" || pool=
fi
if [ -n "$pool" ]; then
	session=$(rsapipe_pool_session "$pool")
else
	session=$(rsapipe_session_dir)
fi || { say "cannot create a session directory"; exit 2; }
socat_pid='' enc_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	trap '' INT TERM HUP
	rsapipe_stop "$enc_pid" "$socat_pid"
	wait 2>/dev/null
	rsapipe_erase_session "$session"
	# The next window's key, made ahead by a process of its own that
	# outlives this one, and the live key retired when its window
	# closes: the user does not wait for either.
	if [ -n "$pool" ]; then
		{ rsapipe_close_fds
		  rsapipe_pool_fill "$pool" "$window"
		  rsapipe_pool_reap "$pool" "$window"; } </dev/null >/dev/null 2>&1 &
		disown
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -n "$pool" ]; then
	rsapipe_pool_key "$pool" "$session" "$window"
else
	rsapipe_session_key "$session"
fi
if [ -n "$peer" ]; then
	trust=(--peer "$peer")
else
	trust=(--known-peers "$rsapipe_conf/known_peers" --name "$host:$port")
fi
mkfifo -m 600 "$session/net-in" "$session/net-out" ||
	{ say "cannot create FIFOs"; exit 2; }
# socat carries the bytes between the connection and the two FIFOs.
# - shut-close: when the service closes the connection, socat closes
#   net-in at once, so whoever reads it (keyswap, then rsa-decrypt) sees
#   the end.  (nc keeps its output open: keyswap would wait for its
#   timeout and say "timed out" about a service that had hung up.)
# - When our stream ends (rsa-encrypt's final record), socat half-closes
#   the connection, which is how the service learns we are done, and
#   carries the rest of the echo for at most $timeout seconds (-t).
# - Its messages go to a log in the session directory, never to the
#   screen; it is read only to say why a connection failed.
# Both sides open net-in first, then net-out, so neither open(2) waits
# forever.
socat -lf "$session/socat.log" -t "$timeout" \
	TCP:"$host":"$port",connect-timeout="$timeout" 'STDIN!!STDOUT,shut-close' \
	>"$session/net-in" <"$session/net-out" &
socat_pid=$!
exec 7<"$session/net-in" 6>"$session/net-out"

# The session context comes back on a pipe, never in a file.
exec {context_fd}<> <(:)
if ! rsapipe_keyswap "$rsapipe_conf/identity.pem" "$session" "$timeout" \
    "$context_fd" "${trust[@]}" <&7 >&6 2>"$session/keyswap.log"; then
	# socat logs a failed connect(2) or name lookup, then exits, and
	# only then does keyswap see the end of net-in: the log is complete.
	if cause=$(rsapipe_connect_error "$session/socat.log"); then
		say "cannot connect to $host:$port: $cause"
		exit 3
	fi
	cat "$session/keyswap.log" >&2
	say "key exchange with $host:$port failed"
	exit 1
fi
cat "$session/keyswap.log" >&2
context=$(rsapipe_read_context "$context_fd")
exec {context_fd}<&-

# <&0: a background job of a script would otherwise read /dev/null.
rsapipe_send "$session" "$context" <&0 >&6 7<&- &
enc_pid=$!
exec 6>&-
rsapipe_receive "$session" "$context" <&7
dec_status=$?
exec 7<&-
if [ "$dec_status" -ne 0 ]; then
	# The echo failed or was cut short: nothing more will come back, so
	# there is no point in sending more.
	exit "$dec_status"
fi
wait "$enc_pid"
enc_status=$?
enc_pid=
wait "$socat_pid"
socat_pid=
exit "$enc_status"
