#!/bin/bash
# chat-client.sh [--peer PUB] HOST [PORT]: chat with the server at
# HOST:PORT (default port 7777), through socat.  See README.md.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_client_args "$@"
command -v socat >/dev/null || fail "socat is not installed"
rsapipe_ensure_identity

export RSAPIPE_SESSION="$rsapipe_examples/chat-session.sh" RSAPIPE_PIN="$peer"
export RSAPIPE_LABEL="$host:$port"
exec 3<&0 4>&1
exec socat -t 1 TCP:"$host":"$port" \
	SYSTEM:'exec "$RSAPIPE_SESSION" client "$RSAPIPE_LABEL" "$RSAPIPE_PIN"',pipes
