#!/bin/bash
# chat-nc-client.sh [--peer PUB] HOST [PORT]: chat-client.sh through
# OpenBSD netcat instead of socat.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_chat_args "$@" && [ ${#args[@]} -ge 1 ] && [ ${#args[@]} -le 2 ] ||
	{ echo "usage: ${0##*/} [--peer PUB] HOST [PORT]" >&2; exit 2; }
host=${args[0]}
port=${args[1]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_port "$port"
rsapipe_ensure_identity
rsapipe_nc_chat client "$host:$port" -- "$host" "$port"
