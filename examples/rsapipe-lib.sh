# rsapipe-lib.sh: shared by the example scripts (sourced, not run).
# Finds the programs, the user's configuration and identity, and makes
# the private per-session directory whose removal erases the session keys.

rsapipe_examples=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Prefer the programs built in this source tree over installed ones.
if [ -x "$rsapipe_examples/../tools/rsa-encrypt" ]; then
	PATH="$(cd "$rsapipe_examples/../tools" && pwd):$PATH"
	export PATH
fi

RSAPIPE_DEFAULT_PORT=7777
# Session keys live minutes; 3072 bits matches the identity default.
RSAPIPE_SESSION_BITS=${RSAPIPE_SESSION_BITS:-3072}
rsapipe_conf=${XDG_CONFIG_HOME:-$HOME/.config}/rsapipe

say() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

fail() {
	say "$*"
	exit 1
}

# Create the user's long-term identity on first use (0600, never replaced).
rsapipe_ensure_identity() {
	if [ ! -e "$rsapipe_conf/identity.pem" ]; then
		mkdir -p "$rsapipe_conf" && chmod 700 "$rsapipe_conf" ||
			fail "cannot create $rsapipe_conf"
		say "first run: creating your identity key in $rsapipe_conf"
		rsa-keygen -o "$rsapipe_conf/identity.pem" \
			--public "$rsapipe_conf/identity.pub" ||
			fail "cannot create the identity key"
	fi
	say "your identity: $(rsa-keygen -l "$rsapipe_conf/identity.pem")"
}

# A private 0700 directory for one session, on a RAM-backed filesystem
# where there is one, so erased keys never reach a disk.
rsapipe_session_dir() {
	local base
	if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] &&
	    [ -w "$XDG_RUNTIME_DIR" ]; then
		base=$XDG_RUNTIME_DIR
	else
		base=${TMPDIR:-/tmp}
	fi
	mktemp -d "$base/rsapipe-session.XXXXXXXX"
}

# rsapipe_stop PID...: end background jobs and what they started (a
# job running a function is a subshell whose program is its child).
rsapipe_stop() {
	local pid child
	for pid in "$@"; do
		[ -n "$pid" ] || continue
		for child in $(pgrep -P "$pid" 2>/dev/null); do
			rsapipe_stop "$child"
		done
		kill "$pid" 2>/dev/null
	done
}

# Erase every file of a session directory, then the directory.  The
# files are overwritten first in case the directory is on a disk.
rsapipe_erase_session() {
	local dir=$1 f
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	# Nothing may cut the erasure short: socat, for one, sends its child
	# SIGTERM when the connection closes, which can be right now.
	trap '' INT TERM HUP
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		# Overwrite in place (conv=notrunc keeps the same blocks).
		dd if=/dev/zero of="$f" bs=4096 conv=notrunc \
			count=$(( ($(wc -c <"$f") + 4095) / 4096 )) 2>/dev/null
	done
	rm -rf "$dir"
}

# Parse [--peer PUB] and positional arguments for the chat front ends;
# sets $peer and leaves the rest in $args.
rsapipe_chat_args() {
	peer=
	args=()
	while [ $# -gt 0 ]; do
		case $1 in
		--peer)
			[ $# -ge 2 ] || return 1
			peer=$2
			shift 2 ;;
		-*) return 1 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	[ -z "$peer" ] || [ -r "$peer" ] || fail "cannot read $peer"
}

rsapipe_check_port() {
	case $1 in
	''|*[!0-9]*) fail "bad port: $1" ;;
	esac
}

rsapipe_usage() {
	echo "usage: ${0##*/} $1" >&2
	exit 2
}

# [--peer PUB] HOST [PORT]: sets $peer, $host and $port.
rsapipe_client_args() {
	rsapipe_chat_args "$@" && [ ${#args[@]} -ge 1 ] &&
	    [ ${#args[@]} -le 2 ] || rsapipe_usage "[--peer PUB] HOST [PORT]"
	host=${args[0]}
	port=${args[1]:-$RSAPIPE_DEFAULT_PORT}
	rsapipe_check_port "$port"
}

# [--peer PUB] [PORT]: sets $peer and $port.
rsapipe_server_args() {
	rsapipe_chat_args "$@" && [ ${#args[@]} -le 1 ] ||
		rsapipe_usage "[--peer PUB] [PORT]"
	port=${args[0]:-$RSAPIPE_DEFAULT_PORT}
	rsapipe_check_port "$port"
}

# rsapipe_socat_chat ROLE LABEL SOCAT-ADDRESS: one chat session on the
# connection socat makes (listening or calling); an empty LABEL names the
# peer by its address.  The keyboard and screen
# travel to the session on fds 3 and 4; socat gives it the connection as
# stdin/stdout (pipes, so each direction can end by itself).  -t 1: once
# the session has ended, close the connection within a second, which is
# how the peer learns it is over.  socat's own exit status does not
# always carry the session's (it may see the pipes close before the
# child's exit), and socat does not wait for its child to finish, so the
# session reports "running", then its status once its keys are erased.
rsapipe_socat_chat() {
	local role=$1 label=$2 address=$3 status socat_status=0
	RSAPIPE_STATUS_FILE=$(mktemp "${TMPDIR:-/tmp}/rsapipe-status.XXXXXX") ||
		fail "cannot create a temporary file"
	export RSAPIPE_STATUS_FILE RSAPIPE_ROLE=$role RSAPIPE_LABEL=$label
	export RSAPIPE_SESSION="$rsapipe_examples/chat-session.sh"
	export RSAPIPE_PIN="$peer"
	# A handler, not an ignore: the session must still get Ctrl-C.
	trap : INT TERM HUP
	socat -t 1 "$address" \
		SYSTEM:'exec "$RSAPIPE_SESSION" "$RSAPIPE_ROLE" "${RSAPIPE_LABEL:-${SOCAT_PEERADDR:-client}}" "$RSAPIPE_PIN"',pipes \
		3<&0 4>&1 || socat_status=$?
	# socat may end before the session has finished erasing its keys
	# (it does not wait for its child); wait for the final word.
	for _ in $(seq 100); do
		status=$(cat "$RSAPIPE_STATUS_FILE" 2>/dev/null)
		[ "$status" = running ] || break
		sleep 0.1
	done
	rm -f "$RSAPIPE_STATUS_FILE"
	[ "$status" != running ] || status=1
	# No status: the session never ran (no connection), socat says why.
	[ -n "$status" ] || status=$(( socat_status ? socat_status : 1 ))
	return "$status"
}

# Run one chat session through OpenBSD netcat: nc carries the bytes
# between the network and two FIFOs, the session reads and writes the
# FIFOs.  Usage: rsapipe_nc_chat ROLE LABEL -- NC-ARGUMENTS...
rsapipe_nc_chat() {
	local role=$1 label=$2 dir nc_pid status
	shift 3
	command -v nc >/dev/null || fail "nc (netcat-openbsd) is not installed"
	dir=$(rsapipe_session_dir) || fail "cannot create a directory"
	mkfifo -m 600 "$dir/net-in" "$dir/net-out" ||
		fail "cannot create FIFOs"
	# -N: when the session ends its output, shut the socket down for
	# writing, so the peer sees the end of the stream.  Both sides open
	# net-in first, then net-out, so neither open(2) waits forever.
	nc -N "$@" >"$dir/net-in" <"$dir/net-out" &
	nc_pid=$!
	"$rsapipe_examples/chat-session.sh" "$role" "$label" "$peer" \
		3<&0 4>&1 <"$dir/net-in" >"$dir/net-out"
	status=$?
	wait "$nc_pid"
	rm -rf "$dir"
	return "$status"
}

# The steps of a session, on a session directory made by
# rsapipe_session_dir.  Each is one program; the scripts plumb them.

# A fresh session key pair: session.pem (0600) and session.pub.
rsapipe_session_key() {
	rsa-keygen -b "$RSAPIPE_SESSION_BITS" -o "$1/session.pem" \
		--public "$1/session.pub" || fail "cannot make a session key"
}

# rsapipe_keyswap IDENTITY DIR TRUST-OPTION...: the authenticated exchange
# on stdin/stdout; leaves peer.pub, peer-identity.pub and context in DIR.
rsapipe_keyswap() {
	local identity=$1 dir=$2
	shift 2
	keyswap --identity "$identity" --session-key "$dir/session.pem" \
		--peer-out "$dir/peer.pub" --session-out "$dir/context" \
		--peer-identity-out "$dir/peer-identity.pub" \
		"$@" --timeout "${RSAPIPE_TIMEOUT:-30}"
}

# rsapipe_send DIR: stdin to the peer, each read one signed record bound
# to this session.
rsapipe_send() {
	rsa-encrypt -r "$1/peer.pub" -s "$1/session.pem" --session "$1/context"
}

# rsapipe_receive DIR [OPTION...]: the peer's stream to stdout, each record
# released only once it verified as the peer's, for this session.
rsapipe_receive() {
	local dir=$1
	shift
	rsa-decrypt -i "$dir/session.pem" --from "$dir/peer.pub" \
		--session "$dir/context" "$@"
}
