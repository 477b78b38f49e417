#!/bin/bash
# SPDX-License-Identifier: ISC
# echo-service.sh: an encrypted echo service for inetd or systemd socket
# activation (one process per connection; the connection is stdin/stdout).
#
# Per connection: a session key pair from the service's pool, keyswap
# with the service identity (any client is accepted and its fingerprint logged), then each
# record the client sends is verified, decrypted and sent back encrypted
# and signed for that session: rsa-decrypt | rsa-encrypt, nothing else.
# The session's links to its keys are erased when the connection ends,
# however it ends, and a key itself when the last session using it ends.
#
# Environment: RSAPIPE_SERVICE_IDENTITY (default: the user's identity,
# created on first use, exactly once however many connections arrive at
# the same time), RSAPIPE_SESSION_BITS, RSAPIPE_TIMEOUT (seconds the key
# exchange waits for the client, default 30), RSAPIPE_POOL (the directory
# that holds the key pool, default $XDG_RUNTIME_DIR or $TMPDIR or /tmp),
# RSAPIPE_KEY_WINDOW (seconds the sessions share one session key,
# default 60; 0: a key per session), RSAPIPE_POOL_SIZE (single-use keys
# kept ready when the window is 0, default 4), RSAPIPE_MAX_STARTUPS
# (copies in the key exchange at once before one refuses its caller,
# default 64 per processor).
#
# Diagnostics go to stderr (the journal under systemd); when stderr is
# the connection itself, as inetd sets it up, they go to syslog instead,
# since a word written there would corrupt the stream.
#
# Exit status: 0 the client's stream verified and was echoed; 1 the key
# exchange or the stream failed, or the caller was refused at capacity; 2 no identity or no session directory.
set -u
# inetd passes no HOME; take the service user's, as a login would.
[ -n "${HOME:-}" ] || HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
export HOME=${HOME:-/nonexistent}
rsapipe_libexec=${0%/*}/../tools
# shellcheck source=SCRIPTDIR/../tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"

if [ /dev/stderr -ef /dev/stdout ]; then
	if command -v logger >/dev/null; then
		exec 2> >(exec logger -t "rsapipe-echo[$$]" >/dev/null 2>&1)
	else
		exec 2>/dev/null
	fi
fi

if [ -n "${RSAPIPE_SERVICE_IDENTITY:-}" ]; then
	identity=$RSAPIPE_SERVICE_IDENTITY
else
	identity=$rsapipe_conf/identity.pem
	# Many copies of this script may start at once (one per connection):
	# one of them creates the identity, the others wait for it.
	rsapipe_ensure_identity || {
		say "cannot create the service identity in $rsapipe_conf"
		exit 2
	}
fi
[ -r "$identity" ] || { say "cannot read the identity $identity"; exit 2; }

# The session key comes from the service's pool (doc/SERVICE.md): the
# live key, shared by the sessions of one window, or a single-use one.
window=${RSAPIPE_KEY_WINDOW:-60}
case $window in ''|*[!0-9]*) say "bad RSAPIPE_KEY_WINDOW: $window"; exit 2 ;; esac
pool=${RSAPIPE_POOL:-$(rsapipe_runtime_base)}/rsapipe-pool-$EUID-$RSAPIPE_SESSION_BITS
if rsapipe_pool_open "$pool"; then
	session=$(rsapipe_pool_session "$pool")
else
	pool='' session=$(rsapipe_session_dir)
fi || { say "cannot create a session directory"; exit 2; }
trap 'rsapipe_erase_session "$session"; [ -z "$pool" ] || rm -f "$pool/k.$$"' EXIT
trap 'exit 130' INT TERM HUP

# A copy beyond RSAPIPE_MAX_STARTUPS in the key exchange at once (as
# sshd's MaxStartups; default 64 per processor) refuses its caller at
# once with keyswap's verdict 06, "at capacity", rather than let it and
# every other caller wait until they time out (doc/SERVICE.md).
busy=()
if [ -n "$pool" ] && rsapipe_pool_startup "$pool" \
    "${RSAPIPE_MAX_STARTUPS:-$((64 * $(rsapipe_processors)))}"; then
	busy=(--busy)
fi
if [ -n "$pool" ]; then
	rsapipe_pool_key "$pool" "$session" "$window"
else
	rsapipe_session_key "$session"
fi
# The session context comes back on a pipe, never in a file.
exec {context_fd}<> <(:)
rsapipe_keyswap "$identity" "$session" "${RSAPIPE_TIMEOUT:-30}" \
	"$context_fd" --accept-any "${busy[@]}" || fail "key exchange failed"
[ -z "$pool" ] || rm -f "$pool/k.$$"
context=$(rsapipe_read_context "$context_fd")
exec {context_fd}<&-
rsapipe_receive "$session" "$context" | rsapipe_send "$session" "$context"
statuses=("${PIPESTATUS[@]}")
status=${statuses[0]}
[ "$status" -ne 0 ] || status=${statuses[1]}
# The session is over: the connection is closed and the session's keys
# erased before the pool is topped up, so no client waits for a key; one
# copy of the service stays to retire the live key when its window
# closes (doc/SERVICE.md).
exec <&- >&-
rsapipe_erase_session "$session"
trap - EXIT
if [ -n "$pool" ]; then
	rsapipe_pool_fill "$pool" "$window"
	rsapipe_pool_reap "$pool" "$window"
fi
exit "$status"
