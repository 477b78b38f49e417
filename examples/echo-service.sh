#!/bin/bash
# echo-service.sh: an encrypted echo service for inetd or systemd socket
# activation (one process per connection; the connection is stdin/stdout).
#
# Per connection: a fresh session key pair, keyswap with the service
# identity (any client is accepted and its fingerprint logged), then each
# record the client sends is verified, decrypted and sent back encrypted
# and signed for that session: rsa-decrypt | rsa-encrypt, nothing else.
# The session keys are erased when the connection ends, however it ends.
#
# Environment: RSAPIPE_SERVICE_IDENTITY (default: the user's identity,
# created on first use), RSAPIPE_SESSION_BITS, RSAPIPE_TIMEOUT.
set -u
rsapipe_libexec=$(dirname "$0")/../tools
. "$rsapipe_libexec/rsapipe-lib.sh"

identity=${RSAPIPE_SERVICE_IDENTITY:-$rsapipe_conf/identity.pem}
if [ ! -e "$identity" ] && [ -z "${RSAPIPE_SERVICE_IDENTITY:-}" ]; then
	rsapipe_ensure_identity 2>/dev/null
fi

session=$(rsapipe_session_dir) || fail "cannot create a session directory"
trap 'rsapipe_erase_session "$session"' EXIT
trap 'exit 130' INT TERM HUP

rsapipe_session_key "$session"
rsapipe_keyswap "$identity" "$session" --accept-any ||
	fail "key exchange failed"
rsapipe_receive "$session" | rsapipe_send "$session"
statuses=("${PIPESTATUS[@]}")
[ "${statuses[0]}" -eq 0 ] || exit "${statuses[0]}"
exit "${statuses[1]}"
