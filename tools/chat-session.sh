#!/bin/bash
# SPDX-License-Identifier: ISC
# chat-session.sh: one chat over the connection on stdin/stdout, run by
# rsa-chat-server and rsa-chat-client (through socat or nc).  The keyboard
# is on fd 3, the screen on fd 4, the person's stderr on fd 5 (see
# rsapipe_voice); everything else this script's programs print goes to
# stderr, the session's log.
#
# The front end sets, in the environment:
#   RSAPIPE_ROLE          client or server
#   RSAPIPE_SESSION_DIR   the private session directory (made by the front
#                         end, which also erases it)
#   RSAPIPE_ADDRESS       HOST:PORT, for messages
#   RSAPIPE_PEER_LABEL    the peer's name on screen (the client's HOST or
#                         --name); empty on the server, which names a
#                         client by its allow-list name or fingerprint
#   RSAPIPE_TRUST         ask | accept-new | refuse-new | any | allow | pin
#                         | code (the client typed RSAPIPE_CODE) | invite
#                         (the server makes a code for RSAPIPE_INVITE)
#   RSAPIPE_TRUST_ARG     the known-peers name, the allow list or the pin;
#                         with invite, the allow list to record the client
#                         in (empty: the server's known_peers)
#   RSAPIPE_IDENTITY      keyswap's --identity: the identity file, or
#                         agent:FILE.pub / agent:SHA256:FP (ssh-agent)
#   RSAPIPE_INVITE, RSAPIPE_INVITE_VALID, RSAPIPE_CODE   the invite's
#                         name and lifetime (seconds), the code typed
#   RSAPIPE_LINK_TIMEOUT  seconds without a word from the peer (0: off)
#
# Steps: keyswap (both identities proven, session keys and context
# exchanged); then chat-term sends each line typed as one encrypted,
# signed record and shows each record from the peer once it verified.
# Every ending erases the session keys.  Each decision rests on an exit
# status, a word on a status descriptor or the end of a descriptor
# (doc/CHAT.md); the only words read are socat's and nc's, by
# rsapipe_connect_error.  The outcome goes to the front end as one line
# on the descriptor RSAPIPE_STATUS_FD: "running PID" first (where the
# front end sends a signal it gets: SIGUSR1 stands for SIGINT, which a
# background job cannot trap), then the status once the keys are erased.
set -u
[ -n "${RSAPIPE_DEBUG:-}" ] && set -x
rsapipe_libexec=$(dirname "$0")
# shellcheck source=tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"

dir=$RSAPIPE_SESSION_DIR
role=$RSAPIPE_ROLE
# The connection on fds 7 (in) and 6 (out); stdin and stdout point
# elsewhere, so no helper holds the connection by accident.
exec 7<&0 6>&1 0</dev/null 1>&2

report() {
	echo "$1" >&"$RSAPIPE_STATUS_FD"
}
report "running $$"

keyswap_pid='' enc_pid='' dec_pid='' spare_pid=''
# finish STATUS MESSAGE: stop everything, erase the keys, then say why
# the chat ended and report the status to the front end.
finish() {
	local status=$1 message=$2
	trap '' INT TERM HUP USR1
	exec 6>&- 7<&- 8>&- 9<&- 2>/dev/null
	rsapipe_stop $keyswap_pid $enc_pid $dec_pid
	rsapipe_erase_keys
	[ -z "$message" ] || say "$message; session keys erased"
	# The next session's key, if still in the making, may finish (a
	# second or so) unless the person asked us to stop now.
	if [ -n "$spare_pid" ] && [ "$status" -lt 128 ]; then
		rsapipe_wait_within 1.5 "$spare_pid"
	fi
	rsapipe_stop_spare "$spare_pid"
	wait 2>/dev/null
	report "$status"
	exit "$status"
}
rsapipe_erase_keys() {
	local f
	for f in "$dir"/session.pem "$dir"/session.pub "$dir"/peer.pub \
	    "$dir"/peer-identity.pub; do
		[ -f "$f" ] && dd if=/dev/zero of="$f" bs=4096 conv=notrunc \
			count=$(( ($(wc -c <"$f") + 4095) / 4096 )) 2>/dev/null
		rm -f "$f"
	done
	context=
}
trap 'finish 130 interrupted' INT USR1
trap 'finish 143 terminated' TERM
trap 'finish 129 "hung up"' HUP

# keyswap_said: keyswap's messages for the person, less the invite code
# (shown already by show_invite).  Shown, never decided on.
keyswap_said() {
	grep -v '^keyswap: invite code ' "$dir/keyswap.log"
	return 0
}

# show_invite FD: the code keyswap writes to the pipe FD (--invite-file)
# once it made the invite, said on the person's screen.  keyswap holds
# the pipe's only writing end: the read returns with the code, or empty
# when keyswap ended without one (it then says why).
show_invite() {
	local code='' valid=$RSAPIPE_INVITE_VALID port=${RSAPIPE_ADDRESS##*:}
	read -r code <&"$1"
	[ -n "$code" ] || return 0
	if [ $(( valid % 60 )) -eq 0 ]; then
		valid="$(( valid / 60 )) minute$([ "$valid" -eq 60 ] || echo s)"
	else
		valid="$valid second$([ "$valid" -eq 1 ] || echo s)"
	fi
	say "invite code $code, valid $valid, for one chat"
	say "say it to $RSAPIPE_INVITE, who types: rsa-chat-client --code $code HOST $port"
	say "waiting for $RSAPIPE_INVITE on port $port"
}

# The server's key may still be in the making (it started while the
# server waited for a caller): its maker writes "ready" on this
# descriptor, or ends without a word when it failed.
if [ -n "${RSAPIPE_KEY_FD:-}" ]; then
	ready=''
	read -r -t 10 ready <&"$RSAPIPE_KEY_FD"
	exec {RSAPIPE_KEY_FD}<&-
	[ "$ready" = ready ] || finish 2 "no session key"
fi

trust=()
case $RSAPIPE_TRUST in
ask|accept-new|refuse-new)
	trust=(--known-peers "$rsapipe_conf/known_peers" --name "$RSAPIPE_TRUST_ARG")
	[ "$RSAPIPE_TRUST" = accept-new ] || trust+=("--$RSAPIPE_TRUST") ;;
code)
	# Recorded only if the code matched (keyswap decides).
	trust=(--known-peers "$rsapipe_conf/known_peers" --name "$RSAPIPE_TRUST_ARG"
	    --code "$RSAPIPE_CODE") ;;
invite)
	if [ -n "$RSAPIPE_TRUST_ARG" ]; then
		trust=(--allowed "$RSAPIPE_TRUST_ARG")
	else
		trust=(--known-peers "$rsapipe_conf/known_peers")
	fi
	trust+=(--invite "$RSAPIPE_INVITE" --invite-valid "$RSAPIPE_INVITE_VALID") ;;
allow) trust=(--allowed "$RSAPIPE_TRUST_ARG") ;;
pin) trust=(--peer "$RSAPIPE_TRUST_ARG") ;;
*) trust=(--accept-any) ;;
esac
# A server gives a person on the other side time to answer the trust
# prompt, as sshd's LoginGraceTime does.
timeout=${RSAPIPE_TIMEOUT:-$([ "$role" = server ] && echo 120 || echo 30)}
# An invite's keyswap runs before anyone calls: it waits the invite's
# lifetime on top (a caller who comes later is told the code expired).
code_fd=''
if [ "$RSAPIPE_TRUST" = invite ]; then
	timeout=$(( timeout + RSAPIPE_INVITE_VALID ))
	# keyswap writes the code to a pipe (--invite-file /dev/fd/N), never
	# a file; the session keeps only a reading end of it.
	exec {code_w}<> <(:)
	exec {code_fd}<"/dev/fd/$code_w"
	trust+=(--invite-file "/dev/fd/$code_w")
fi
# The session context and the peer's display name come back on two
# pipes, never in a file; keyswap writes them only on success.
exec {context_fd}<> <(:) {name_fd}<> <(:)
# keyswap's messages are shown once it is done (its trust prompt is on
# the terminal itself), unless the connection never was: then nc's
# reason is the one to give.
rsapipe_keyswap "$RSAPIPE_IDENTITY" "$dir" "$timeout" \
	"$context_fd" "${trust[@]}" --peer-name-out "/dev/fd/$name_fd" \
	<&7 >&6 2>"$dir/keyswap.log" &
keyswap_pid=$!
if [ -n "$code_fd" ]; then
	exec {code_w}>&-
	show_invite "$code_fd"
	exec {code_fd}<&-
fi
# OpenBSD nc, as a client, keeps its output open when the network side
# closes, so a peer that hangs up during the exchange would leave
# keyswap waiting for its timeout: ask the kernel (doc/CHAT.md says why
# nothing else tells).
if [ -n "${RSAPIPE_NC_PID:-}" ]; then
	while kill -0 "$keyswap_pid" 2>/dev/null; do
		if rsapipe_nc_peer_closed "$RSAPIPE_NC_PID"; then
			kill "$keyswap_pid" 2>/dev/null
			wait "$keyswap_pid"
			finish 1 "key exchange failed: the peer closed the connection"
		fi
		sleep 0.1
	done
fi
swapped=0
wait "$keyswap_pid" || swapped=$?
if [ "$swapped" -eq 2 ]; then
	# Local trouble (the identity, the agent, a malformed code):
	# keyswap stopped before sending anything.
	keyswap_said >&5
	finish 2 "cannot start the key exchange; nothing was sent"
fi
if [ "$swapped" -ne 0 ]; then
	# A listening nc that could not listen ends before any caller.
	if cause=$(rsapipe_connect_error "$dir/transport.log"); then
		[ "$role" = server ] &&
			finish 2 "cannot listen on port ${RSAPIPE_ADDRESS##*:}: $cause"
		finish 3 "cannot connect to $RSAPIPE_ADDRESS: $cause"
	fi
	keyswap_said >&5
	finish 1 "key exchange failed; nothing was sent"
fi
# Shown for the person; the fingerprint is in our own line below.
keyswap_said | grep -v '^keyswap: peer identity ' >&5
context=$(rsapipe_read_context "$context_fd")
name=$(rsapipe_read_line "$name_fd")
exec {context_fd}<&- {name_fd}<&-
[ ${#context} -eq 64 ] || finish 2 "no session context"

peer_fp=$(rsapipe_fingerprint "$dir/peer-identity.pub") ||
	finish 1 "cannot read the peer identity"
name=${RSAPIPE_PEER_LABEL:-$name}
[ -n "$name" ] || name=$(printf '%.16s' "${peer_fp#*SHA256:}")
if [ "$role" = server ]; then
	printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" \
		"$peer_fp" >>"$rsapipe_conf/clients.log"
fi

# The peer's stream to chat-term, chat-term's lines to the peer, each
# through a FIFO in the private directory.  rsa-decrypt ends at the
# peer's final record (--stop-at-final), not at the close of the
# connection: socat and nc treat a half-closed connection differently,
# and the final record is the end both sides agree on.  It says how the
# peer's stream ended in one word on a pipe (--status-fd).
mkfifo -m 600 "$dir/typed" "$dir/shown" ||
	finish 2 "cannot create the session pipes"
# Their messages go to streams.log, read only to show rsa-decrypt's
# reason to the person.
exec {dec_word_fd}<> <(:)
rsapipe_send "$dir" "$context" <"$dir/typed" >&6 7<&- 2>>"$dir/streams.log" &
enc_pid=$!
rsapipe_receive "$dir" "$context" --stop-at-final --status-fd "$dec_word_fd" \
	<&7 >"$dir/shown" 6>&- 2>>"$dir/streams.log" &
dec_pid=$!
exec 6>&- 7<&-
rsapipe_make_spare </dev/null >/dev/null 2>&1 &
spare_pid=$!

say "secure session with $name ($peer_fp); type exit or Ctrl-D to leave"
# chat-term's own errors (bad options) are for the person.
chat-term --peer-name "$name" --link-timeout "${RSAPIPE_LINK_TIMEOUT:-30}" \
	--recv 8 --send 9 8<"$dir/shown" 9>"$dir/typed" <&3 >&4 2>&5 &
term_pid=$!
# A signal to this script while chat-term runs (the front end passes its
# own on) goes to chat-term, so the chat ends in order (our final record
# still reaches the peer).
trap 'kill -TERM $term_pid 2>/dev/null' INT TERM HUP USR1
term=0
wait "$term_pid" || term=$?
while kill -0 "$term_pid" 2>/dev/null; do
	wait "$term_pid"
	term=$?
done
trap 'finish 130 interrupted' INT USR1
trap 'finish 143 terminated' TERM
trap 'finish 129 "hung up"' HUP
exec 3<&- 4>&-

# Our stream ends with chat-term's output: rsa-encrypt writes its final
# record and exits.  It cannot take long unless the link is gone.
rsapipe_wait_within 2 "$enc_pid"
# The peer's stream: over already when the peer left first; otherwise
# give its final record a moment (chat-term waited for it already).
if [ "$term" -ne 0 ] && [ "$term" -ne 3 ]; then
	rsapipe_stop "$dec_pid"
fi
dec=0
wait "$dec_pid" 2>/dev/null || dec=$?
ended=$(rsapipe_read_line "$dec_word_fd")

case $term in
0)
	[ "$dec" = 0 ] && finish 0 "chat ended"
	finish 0 "you left; the peer did not confirm the end (connection lost?)" ;;
3)
	[ "$dec" = 0 ] && finish 0 "$name left the chat"
	if [ "$ended" = TRUNCATED ]; then
		# The kernel gave up on the link (TCP_USER_TIMEOUT, keepalive,
		# or no answer to ARP) before chat-term's own timer did.
		case $(rsapipe_connect_error "$dir/transport.log") in
		"connection timed out"|"no route to host"|"network is unreachable")
			finish 4 "link lost: nothing from $name for ${RSAPIPE_LINK_TIMEOUT:-30} s" ;;
		esac
		finish 4 "connection closed by $name without ending the chat"
	fi
	# The reason rsa-decrypt gave, for the person (never decided on).
	why=$(sed -n 's/^rsa-decrypt: //p' "$dir/streams.log" 2>/dev/null | head -n 1)
	finish 1 "stream from $name rejected: ${why:-status $dec}" ;;
4) finish 4 "link lost: nothing from $name for ${RSAPIPE_LINK_TIMEOUT:-30} s" ;;
130) finish 130 "interrupted" ;;
143) finish 143 "terminated" ;;
129) finish 129 "hung up" ;;
esac
finish 2 "chat-term failed (status $term)"
