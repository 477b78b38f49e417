#!/bin/bash
# chat-client.sh [--peer PUB] HOST [PORT]: chat with the server at
# HOST:PORT (default port 7777), through socat.  See README.md.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_chat_args "$@" && [ ${#args[@]} -ge 1 ] && [ ${#args[@]} -le 2 ] ||
	{ echo "usage: ${0##*/} [--peer PUB] HOST [PORT]" >&2; exit 2; }
host=${args[0]}
port=${args[1]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_port "$port"
command -v socat >/dev/null || fail "socat is not installed"
rsapipe_ensure_identity

export RSAPIPE_SESSION="$rsapipe_examples/chat-session.sh" RSAPIPE_PIN="$peer"
export RSAPIPE_LABEL="$host:$port"
exec 3<&0 4>&1
exec socat -t 1 TCP:"$host":"$port" \
	SYSTEM:'exec "$RSAPIPE_SESSION" client "$RSAPIPE_LABEL" "$RSAPIPE_PIN"',pipes
