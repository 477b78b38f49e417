#!/bin/bash
# SPDX-License-Identifier: ISC
# rsa-chat-server: wait on PORT for one private chat.  See rsa-chat(1).
set -u
rsapipe_libexec=$(dirname "$0")
# shellcheck source=tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"

usage() {
	cat >&2 <<'USAGE'
usage: rsa-chat-server [--nc] [--peer PUB | --allow FILE] [--link-timeout S]
                       [PORT]
USAGE
	exit 2
}

transport=socat pin='' allow='' link=30 args=()
while [ $# -gt 0 ]; do
	case $1 in
	--nc) transport=nc ;;
	--peer) [ $# -ge 2 ] || usage; pin=$2; shift ;;
	--allow) [ $# -ge 2 ] || usage; allow=$2; shift ;;
	--link-timeout) [ $# -ge 2 ] || usage; link=$2; shift ;;
	-h|--help) usage ;;
	--) shift; args+=("$@"); break ;;
	-*) say "unknown option $1"; usage ;;
	*) args+=("$1") ;;
	esac
	shift
done
[ ${#args[@]} -le 1 ] || usage
port=${args[0]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_chat_args "$port" "$link" "$pin"
[ -z "$pin" ] || [ -z "$allow" ] || { say "--peer and --allow exclude each other"; exit 2; }
# The allow list, when there is one, admits only the clients it names.
[ -n "$allow" ] || [ ! -e "$rsapipe_conf/allowed_peers" ] ||
	allow=$rsapipe_conf/allowed_peers
[ -z "$allow" ] || [ -r "$allow" ] || { say "cannot read $allow"; exit 2; }

if [ -n "$pin" ]; then
	trust=pin trust_arg=$pin
elif [ -n "$allow" ]; then
	trust=allow trust_arg=$allow
else
	# Without a list a server takes any client, as sshd takes any host
	# key to talk to; the client's fingerprint is shown and logged.
	trust=any trust_arg=
fi
rsapipe_chat server "$transport" "" "$port" "" "$trust" "$trust_arg" "$link"
