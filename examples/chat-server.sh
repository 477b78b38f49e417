#!/bin/bash
# chat-server.sh [--peer PUB] [PORT]: wait for one chat on PORT (default
# 7777), through socat.  See README.md, "The chat".
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_server_args "$@"
command -v socat >/dev/null || fail "socat is not installed"
rsapipe_ensure_identity
say "waiting for a client on port $port"

rsapipe_socat_chat server "" TCP-LISTEN:"$port",reuseaddr
