#!/bin/bash
# echo-client.sh [--peer PUB] HOST [PORT]: send stdin, line by line, to
# echo-service.sh at HOST:PORT (default 7777) and print what comes back.
# Exit status: 0 when the whole echo stream verified, non-zero otherwise.
set -u
rsapipe_libexec=$(dirname "$0")/../tools
. "$rsapipe_libexec/rsapipe-lib.sh"
rsapipe_client_args "$@"
command -v nc >/dev/null || fail "nc (netcat-openbsd) is not installed"
[ -e "$rsapipe_conf/identity.pem" ] || rsapipe_ensure_identity 2>/dev/null

session=$(rsapipe_session_dir) || fail "cannot create a session directory"
nc_pid=
cleanup() {
	rsapipe_stop $nc_pid
	rsapipe_erase_session "$session"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rsapipe_session_key "$session"
if [ -n "$peer" ]; then
	trust=(--peer "$peer")
else
	trust=(--known-peers "$rsapipe_conf/known_peers" --name "$host:$port")
fi
mkfifo -m 600 "$session/net-in" "$session/net-out" || fail "cannot create FIFOs"
# nc -N: our end of the stream (the final record) becomes a TCP
# half-close, which is how the service learns we are done.
nc -N "$host" "$port" >"$session/net-in" <"$session/net-out" &
nc_pid=$!
exec 7<"$session/net-in" 6>"$session/net-out"
rsapipe_keyswap "$rsapipe_conf/identity.pem" "$session" "${trust[@]}" \
	<&7 >&6 || fail "key exchange failed"
# <&0: a background job of a script would otherwise read /dev/null.
rsapipe_send "$session" <&0 >&6 7<&- &
enc_pid=$!
exec 6>&-
rsapipe_receive "$session" <&7
dec_status=$?
wait "$enc_pid"
enc_status=$?
wait "$nc_pid"
nc_pid=
[ "$enc_status" -eq 0 ] || exit "$enc_status"
exit "$dec_status"
