#!/bin/bash
# chat-nc-server.sh [--peer PUB] [PORT]: chat-server.sh through OpenBSD
# netcat instead of socat.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_chat_args "$@" && [ ${#args[@]} -le 1 ] ||
	{ echo "usage: ${0##*/} [--peer PUB] [PORT]" >&2; exit 2; }
port=${args[0]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_port "$port"
rsapipe_ensure_identity
say "waiting for a client on port $port"
rsapipe_nc_chat server client -- -l "$port"
