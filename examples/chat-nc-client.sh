#!/bin/bash
# chat-nc-client.sh [--peer PUB] HOST [PORT]: chat-client.sh through
# OpenBSD netcat instead of socat.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_client_args "$@"
rsapipe_ensure_identity
rsapipe_nc_chat client "$host:$port" -- "$host" "$port"
