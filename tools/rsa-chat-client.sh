#!/bin/bash
# SPDX-License-Identifier: ISC
# rsa-chat-client: chat privately with the rsa-chat-server at HOST:PORT.
# See rsa-chat(1).
set -u
rsapipe_libexec=$(dirname "$0")
# shellcheck source=tools/rsapipe-lib.sh
. "$rsapipe_libexec/rsapipe-lib.sh"

usage() {
	cat >&2 <<'USAGE'
usage: rsa-chat-client [--nc] [--peer PUB | --accept-new | --code CODE]
                       [--name NAME] [--link-timeout S]
                       [--identity agent:FILE.pub|agent:SHA256:FP] HOST [PORT]
       rsa-chat-client --forget HOST [PORT]
USAGE
	exit 2
}

transport=socat trust='' pin='' name='' forget=0 link=30 args=()
code='' identity=${RSAPIPE_IDENTITY:-}
while [ $# -gt 0 ]; do
	case $1 in
	--nc) transport=nc ;;
	--identity) [ $# -ge 2 ] || usage; identity=$2; shift ;;
	--code) [ $# -ge 2 ] || usage; code=$2; shift ;;
	--peer) [ $# -ge 2 ] || usage; pin=$2; shift ;;
	--accept-new) trust=accept-new ;;
	--name) [ $# -ge 2 ] || usage; name=$2; shift ;;
	--link-timeout) [ $# -ge 2 ] || usage; link=$2; shift ;;
	--forget) forget=1 ;;
	-h|--help) usage ;;
	--) shift; args+=("$@"); break ;;
	-*) say "unknown option $1"; usage ;;
	*) args+=("$1") ;;
	esac
	shift
done
{ [ ${#args[@]} -ge 1 ] && [ ${#args[@]} -le 2 ]; } || usage
host=${args[0]}
port=${args[1]:-$RSAPIPE_DEFAULT_PORT}
rsapipe_check_chat_args "$port" "$link" "$pin"
rsapipe_check_identity "$identity"
[ -z "$pin" ] || [ -z "$trust" ] || { say "--peer and --accept-new exclude each other"; exit 2; }
[ -z "$code" ] || [ -z "$pin$trust" ] ||
	{ say "--code excludes --peer and --accept-new"; exit 2; }
# Trust is recorded per HOST:PORT, like ssh's known_hosts (or under
# --name, like ssh's HostKeyAlias); the screen shows HOST or --name.
trust_name=${name:-$host:$port}

if [ "$forget" = 1 ]; then
	exec keyswap --known-peers "$rsapipe_conf/known_peers" --forget "$trust_name"
fi

if [ -n "$code" ]; then
	# The server is recorded under HOST:PORT only if the code matched.
	trust=code trust_arg=$trust_name RSAPIPE_CODE=$code
	export RSAPIPE_CODE
elif [ -n "$pin" ]; then
	trust=pin trust_arg=$pin
else
	trust_arg=$trust_name
	# On a terminal, first contact asks, as ssh does; scripts say
	# --accept-new (or --peer) explicitly.
	if [ -z "$trust" ]; then
		if [ -t 0 ]; then trust=ask; else trust=refuse-new; fi
	fi
fi
RSAPIPE_IDENTITY=$identity
rsapipe_chat client "$transport" "$host" "$port" "${name:-$host}" \
	"$trust" "$trust_arg" "$link"
