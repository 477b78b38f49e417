#!/bin/bash
# chat-server.sh [--peer PUB] [PORT]: wait for one chat on PORT (default
# 7777), through socat.  See README.md, "The chat".
set -u
. "$(dirname "$0")/rsapipe-lib.sh"
rsapipe_server_args "$@"
command -v socat >/dev/null || fail "socat is not installed"
rsapipe_ensure_identity
say "waiting for a client on port $port"

export RSAPIPE_SESSION="$rsapipe_examples/chat-session.sh" RSAPIPE_PIN="$peer"
# The keyboard and screen travel to the session on fds 3 and 4; socat
# gives it the connection as stdin/stdout (pipes, so each direction can
# end by itself).  -t 1: once the session process has ended, close the
# connection within a second, which is how the peer learns it is over.
exec 3<&0 4>&1
exec socat -t 1 TCP-LISTEN:"$port",reuseaddr \
	SYSTEM:'exec "$RSAPIPE_SESSION" server "${SOCAT_PEERADDR:-client}" "$RSAPIPE_PIN"',pipes
