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
                       [--identity agent:FILE.pub|agent:SHA256:FP]
                       [--invite [NAME] [--invite-valid S]] [PORT]
USAGE
	exit 2
}

transport=socat pin='' allow='' link=30 args=()
invite='' invite_name='' valid=600 valid_set='' identity=${RSAPIPE_IDENTITY:-}
while [ $# -gt 0 ]; do
	case $1 in
	--nc) transport=nc ;;
	--identity) [ $# -ge 2 ] || usage; identity=$2; shift ;;
	--invite)
		invite=1
		# An optional NAME: a next word that is no option and no PORT
		# (all digits).
		case ${2:-} in
		''|-*) ;;
		*[!0-9]*) invite_name=$2; shift ;;
		esac ;;
	--invite-valid) [ $# -ge 2 ] || usage; valid=$2 valid_set=1; shift ;;
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
rsapipe_check_identity "$identity"
[ -z "$pin" ] || [ -z "$allow" ] || { say "--peer and --allow exclude each other"; exit 2; }
case $valid in
''|*[!0-9]*|0) say "bad --invite-valid: $valid"; exit 2 ;;
esac
[ -z "$invite" ] || [ -z "$pin" ] ||
	{ say "--invite and --peer exclude each other"; exit 2; }
[ -n "$invite" ] || [ -z "$valid_set" ] ||
	{ say "--invite-valid goes with --invite"; exit 2; }
# The allow list, when there is one, admits only the clients it names.
[ -n "$allow" ] || [ ! -e "$rsapipe_conf/allowed_peers" ] ||
	allow=$rsapipe_conf/allowed_peers
[ -z "$allow" ] || [ -r "$allow" ] || { say "cannot read $allow"; exit 2; }

if [ -n "$invite" ]; then
	# The caller who types the code is recorded under NAME: in the allow
	# list when there is one, else in this side's known_peers.
	trust=invite trust_arg=$allow
	RSAPIPE_INVITE=${invite_name:-invited-$(date -u +%Y%m%dT%H%M%S)}
	RSAPIPE_INVITE_VALID=$valid
	export RSAPIPE_INVITE RSAPIPE_INVITE_VALID
elif [ -n "$pin" ]; then
	trust=pin trust_arg=$pin
elif [ -n "$allow" ]; then
	trust=allow trust_arg=$allow
else
	# Without a list a server takes any client, as sshd takes any host
	# key to talk to; the client's fingerprint is shown and logged.
	trust=any trust_arg=
fi
RSAPIPE_IDENTITY=$identity
rsapipe_chat server "$transport" "" "$port" "" "$trust" "$trust_arg" "$link"
