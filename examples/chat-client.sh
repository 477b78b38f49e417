#!/bin/bash
# chat-client.sh [--peer PUB] HOST [PORT]: chat with the server at
# HOST:PORT (default port 7777), through socat.  See README.md.
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_client_args "$@"
command -v socat >/dev/null || fail "socat is not installed"
rsapipe_ensure_identity

rsapipe_socat_chat client "$host:$port" TCP:"$host":"$port"
