#!/bin/bash
# chat-session.sh ROLE LABEL [PEER_PUB]
#
# One chat over the connection on stdin/stdout, run by chat-server.sh and
# chat-client.sh (through socat or nc).  The keyboard is on fd 3 and the
# screen on fd 4; the human reads our notices on stderr.
#
# ROLE is "client" or "server"; LABEL names the peer (HOST:PORT for the
# client, whose trust in the server is recorded under that name, like
# ssh's known_hosts); PEER_PUB, if given, pins the peer's identity.
#
# Steps: a fresh session key pair in a private directory; keyswap (both
# identities proven, session keys and context exchanged); then each line
# typed is one encrypted, signed record to the peer, and each record from
# the peer is shown once it has verified.  "exit" (or end of input) from
# either side ends both.  Every ending erases the session directory: our
# session private key, the peer's session public key and the context.
#
# Exit status: 0 after "exit" from either side; 1 when the key exchange,
# the stream or the connection failed; 130 when interrupted.
set -u
[ -n "${RSAPIPE_DEBUG:-}" ] && set -x
. "$(dirname "$0")/rsapipe-lib.sh"

role=${1:?role} label=${2:?label} peer_pin=${3:-}
case $role in
client) role_peer=server ;;
server) role_peer=client ;;
*) fail "role must be client or server" ;;
esac

# Keep the connection on fds 7 (in) and 6 (out) and point stdin/stdout
# elsewhere, so no helper process holds the connection by accident.
exec 7<&0 6>&1 0</dev/null 1>&4

# Tell the front end how the session ended (socat's status may not).
report() {
	[ -z "${RSAPIPE_STATUS_FILE:-}" ] || echo "$1" >"$RSAPIPE_STATUS_FILE"
}
trap 'report $?' EXIT
report running

enc_pid= dec_pid= disp_pid=
session=$(rsapipe_session_dir) || fail "cannot create a session directory"
finish() {
	local status=$?
	trap - EXIT INT TERM HUP
	# The background programs hold keys and the connection: stop them
	# before erasing what they use.
	rsapipe_stop $enc_pid $dec_pid $disp_pid
	wait 2>/dev/null
	rsapipe_erase_session "$session"
	report "$status"
	exit "$status"
}
trap finish EXIT
# An interrupt ends the session.  Not from inside "read -t", though:
# bash 5.2 can crash later (SIGSEGV, mid-erasure) when a trap exits out
# of it, so there the trap only notes the signal and the loop leaves.
interrupted() {
	say "interrupted; erasing the session keys"
	exit 130
}
reading=0 signalled=0
trap 'if [ "$reading" = 1 ]; then signalled=1; else interrupted; fi' INT TERM HUP

rsapipe_session_key "$session"

if [ -n "$peer_pin" ]; then
	trust=(--peer "$peer_pin")
elif [ "$role" = client ]; then
	trust=(--known-peers "$rsapipe_conf/known_peers" --name "$label")
else
	# A server takes any client, as sshd takes any host key to talk to;
	# keyswap shows the fingerprint and we record it.
	trust=(--accept-any)
fi
rsapipe_keyswap "$rsapipe_conf/identity.pem" "$session" "${trust[@]}" <&7 >&6 ||
	fail "key exchange failed; nothing was sent"
peer_fp=$(rsa-keygen -l "$session/peer-identity.pub") ||
	fail "cannot read the peer identity"
if [ "$role" = server ]; then
	printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$label" \
		"$peer_fp" >>"$rsapipe_conf/clients.log"
fi
say "secure session with $label ($peer_fp); type exit to leave"

# Keyboard to peer: each line we write to the FIFO is one record.
mkfifo -m 600 "$session/typed" "$session/shown" ||
	fail "cannot create the session pipes"
rsapipe_send "$session" <"$session/typed" >&6 7<&- &
enc_pid=$!
exec 5>"$session/typed" 6>&-

# Peer to screen: rsa-decrypt releases a line only once its record has
# verified.  It ends at the peer's final record (--stop-at-final) rather
# than at the end of the connection: which end of a TCP connection closes
# first, and what the other end's socat or nc does then, differ; the
# final record is the one end both sides agree on.  The wrapper records
# its status.
(
	exec 5>&-
	rsapipe_receive "$session" --stop-at-final <&7 >"$session/shown"
	echo $? >"$session/decrypt.status"
) &
dec_pid=$!
(
	exec 5>&- 7<&-
	while IFS= read -r line; do
		if [ "$line" = exit ]; then
			: >"$session/peer-left"
			break
		fi
		# The peer's bytes are authentic, not harmless: control
		# characters (terminal escapes) are shown as '?', never
		# obeyed, so a peer cannot repaint or spoof our screen.
		line=${line//$'\t'/        }
		printf '[%s] %s\n' "$role_peer" "${line//[[:cntrl:]]/?}" >&4
	done <"$session/shown"
) &
disp_pid=$!
exec 7<&-

# Read the keyboard in short slices so the peer leaving is noticed even
# while nobody types; a slice that times out keeps its partial input.
partial=
we_left=0
while kill -0 "$disp_pid" 2>/dev/null; do
	reading=1
	IFS= read -r -t 0.2 piece <&3
	rc=$?
	reading=0
	[ "$signalled" = 0 ] || interrupted
	if [ "$rc" -gt 128 ]; then
		partial=$partial$piece
		continue
	fi
	line=$partial$piece
	partial=
	if [ "$rc" -ne 0 ] && [ -z "$line" ]; then
		line=exit # end of input leaves the chat, like a shell
	fi
	printf '%s\n' "$line" >&5 || break
	if [ "$line" = exit ]; then
		we_left=1
		break
	fi
done
# Both typed exit at once: each waits for the other's final record, so
# once the peer's exit has arrived, end our stream (once).
answer_exit() {
	if [ -e "$session/peer-left" ] && [ -n "$enc_pid" ]; then
		exec 5>&-
		wait "$enc_pid"
		enc_pid=
	fi
}
if [ "$we_left" = 1 ]; then
	# The peer answers our exit by ending its stream and its session;
	# wait (bounded) for that final record, which proves nothing of what
	# it sent was cut off.  Our own stream needs no end: the peer has
	# already accepted our authenticated "exit".
	for _ in $(seq 150); do
		answer_exit
		[ -e "$session/decrypt.status" ] && break
		sleep 0.1
	done
	if [ -e "$session/decrypt.status" ]; then
		# The display has the peer's last lines: let it finish, so an
		# exit of the peer's among them is answered too.
		wait "$disp_pid" 2>/dev/null
		answer_exit
	fi
	if [ "$(cat "$session/decrypt.status" 2>/dev/null)" = 0 ]; then
		say "chat ended"
		exit 0
	fi
	fail "the peer did not end its side cleanly"
fi
if [ -e "$session/peer-left" ]; then
	# Answer the peer's exit with our final record, so the peer knows
	# it received everything we sent.
	exec 5>&-
	wait "$enc_pid"
	enc_status=$?
	enc_pid=
	say "peer left the chat"
	[ "$enc_status" -eq 0 ] || fail "could not end our stream cleanly"
	exit 0
fi
[ -e "$session/decrypt.status" ] &&
    [ "$(cat "$session/decrypt.status")" = 0 ] &&
	fail "peer ended the stream without saying exit"
fail "connection lost or stream rejected; chat ended"
