#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# age conformance: the C2SP age test vectors (CCTV), from the npm
# package cctv-age, through rsa-decrypt.  tests/cctv-age.py says what
# each vector must do.  The package is fetched once with npm into
# $RSAPIPE_CCTV_DIR (default ~/.cache/rsapipe); the version is pinned so
# the count of vectors is stable, and npm checks its integrity hash.

bats_require_minimum_version 1.5.0
load test_helper

CCTV_VERSION=0.2.0
# Every vector of the package but the 19 of the ML-KEM hybrid recipient
# type (18 hybrid_* and armor_hybrid), which rsapipe does not implement.
CCTV_APPLICABLE=124

setup_file() {
	local cache=${RSAPIPE_CCTV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rsapipe}
	VECTORS="$cache/cctv-age-$CCTV_VERSION"
	export VECTORS
	[ -f "$VECTORS/.complete" ] && return 0
	command -v npm >/dev/null && command -v node >/dev/null ||
		{ echo "npm and node are needed to fetch cctv-age" >&2; return 1; }
	rm -rf "$VECTORS"
	mkdir -p "$VECTORS/npm"
	npm install --silent --no-audit --no-fund --prefix "$VECTORS/npm" \
		"cctv-age@$CCTV_VERSION" >&2 || return 1
	# The package exports each vector as bytes under its name.
	(cd "$VECTORS" && node -e '
		const v = require("./npm/node_modules/cctv-age");
		const fs = require("fs");
		for (const k of Object.keys(v)) fs.writeFileSync(k, v[k]);
	') || return 1
	touch "$VECTORS/.complete"
}

conformance() {
	run python3 "$RSAPIPE_ROOT/tests/cctv-age.py" \
		"$RSAPIPE_ROOT/tools/rsa-decrypt" "$VECTORS" "$@"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "the pinned cctv-age holds the vectors counted here" {
	local all hybrid
	all=$(find "$VECTORS" -maxdepth 1 -type f ! -name '.*' | wc -l)
	hybrid=$(find "$VECTORS" -maxdepth 1 -type f -name '*hybrid*' | wc -l)
	[ "$((all - hybrid))" -eq "$CCTV_APPLICABLE" ]
	run python3 "$RSAPIPE_ROOT/tests/cctv-age.py" \
		"$RSAPIPE_ROOT/tools/rsa-decrypt" "$VECTORS"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$CCTV_APPLICABLE of $CCTV_APPLICABLE applicable vectors pass; $hybrid skipped" ]
	# The skipped ones are named, with the reason.
	[ "$(grep -c '^skipped .*hybrid.*: ML-KEM-768+X25519 hybrid recipients' <<<"$output")" -eq "$hybrid" ]
}

@test "X25519 recipient vectors (x25519_*)" {
	conformance x25519
}

@test "scrypt passphrase vectors (scrypt_*), work factor capped at 2^22" {
	conformance scrypt
}

@test "STREAM payload vectors (stream_*): nothing of a failed chunk is released" {
	conformance stream_
}

@test "stanza syntax vectors (stanza_*)" {
	conformance stanza_
}

@test "header and header MAC vectors (header_*, hmac_*)" {
	conformance header_ hmac_
}

@test "ASCII armor vectors (armor_*)" {
	conformance armor_
}

@test "an empty file and an unsupported version are refused (empty, version_unsupported)" {
	conformance empty version_unsupported
}

@test "the runner itself fails a vector that does not behave" {
	# A decryptor that releases everything it reads and always succeeds.
	printf '#!/bin/sh\nexec cat\n' >fake-decrypt
	chmod +x fake-decrypt
	run python3 "$RSAPIPE_ROOT/tests/cctv-age.py" "$PWD/fake-decrypt" \
		"$VECTORS" stream_bad_tag
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL stream_bad_tag"* ]]
}

@test "a passphrase-encrypted (scrypt) age file asks on the terminal, with no -i needed" {
	# The vector's age file, after its text header; "password" opens it.
	sed '1,/^$/d' "$VECTORS/scrypt" >scrypt.age
	want=$(sed -n 's/^payload: //p' "$VECTORS/scrypt")
	answer_prompt "$RSAPIPE_ROOT/tools/rsa-decrypt -o out scrypt.age" \
		"Enter passphrase:" password
	# Nothing typed was echoed.
	refute grep -q password screen
	[ "$(cat status)" = 0 ]
	[ "$(sha256sum <out | cut -d' ' -f1)" = "$want" ]
}
