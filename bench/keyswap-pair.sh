#!/bin/sh
# SPDX-License-Identifier: ISC
# keyswap-pair.sh BITS DIR PORT: two keyswaps over a socat loopback
# connection, each side making its own session key first (T7 in
# bench/run.sh).  DIR holds a.pem/a.pub and b.pem/b.pub (identities).
set -eu
bits=$1 dir=$2 port=$3
here=$(dirname "$0")
mkdir -p "$dir/a" "$dir/b"
socat TCP-LISTEN:"$port",reuseaddr \
	EXEC:"$here/keyswap-side.sh $bits $dir/a $dir/a.pem $dir/b.pub" &
server=$!
socat TCP:127.0.0.1:"$port",retry=500,interval=0.002 \
	EXEC:"$here/keyswap-side.sh $bits $dir/b $dir/b.pem $dir/a.pub"
wait "$server"
cmp -s "$dir/a/context" "$dir/b/context"
