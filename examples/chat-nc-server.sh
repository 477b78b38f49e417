#!/bin/bash
# chat-nc-server.sh [--peer PUB] [PORT]: chat-server.sh through OpenBSD
# netcat instead of socat.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_server_args "$@"
rsapipe_ensure_identity
say "waiting for a client on port $port"
rsapipe_nc_chat server client -- -l "$port"
