#!/bin/sh
# SPDX-License-Identifier: ISC
# keyswap-side.sh BITS DIR IDENTITY PEER-IDENTITY-PUB: one side of the T7
# benchmark (bench/run.sh), run by socat on the connection: make a fresh
# session key of BITS, then keyswap over stdin/stdout.
set -eu
bits=$1 dir=$2 identity=$3 peer=$4
rm -f "$dir/session.pem" "$dir/session.pub" "$dir/peer.pub" "$dir/context"
rsa-keygen -q -b "$bits" -o "$dir/session.pem" --public "$dir/session.pub"
exec keyswap --identity "$identity" --session-key "$dir/session.pem" \
	--peer-out "$dir/peer.pub" --session-out "$dir/context" --peer "$peer"
