#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The socket-activated encrypted echo service (examples/echo-service.sh),
# run the way inetd or systemd (Accept=yes) would run it: one process per
# connection, here under socat's fork mode.

# $stderr comes from bats' run --separate-stderr, status_i from wait_exit.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# serve SOCAT-EXEC-OPTIONS [VAR=VALUE...]: echo-service.sh on $port, one
# process per connection as inetd or systemd (Accept=yes) would run it,
# as the person "service", with the environment given.
serve() {
	local opts=$1
	shift
	port=$(free_port)
	person service
	as service env "$@" \
		socat TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr \
		EXEC:"$EXAMPLES/echo-service.sh$opts" \
		2>"$BATS_TEST_TMPDIR/service.log" 3>&- &
	service_pid=$!
	wait_listen "$port"
}

start_service() {
	serve ,pipes RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem"
}

stop_service() {
	kill_tree "$service_pid"
	wait "$service_pid" 2>/dev/null || true
	service_pid=
}

# client NAME: a person whose identity is Bob's fixture key.
client() {
	person "$1"
	mkdir -p "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe"
	cp "$FIXTURES/bob.pem" "$BATS_TEST_TMPDIR/$1/home/.config/rsapipe/identity.pem"
}

# echoes_back TEXT: client c1, pinned to the service's identity (Alice's),
# sends TEXT and gets exactly TEXT back; the service is then stopped, and
# neither side has left anything behind.
echoes_back() {
	client c1
	printf '%s' "$1" >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" --peer "$FIXTURES/alice.pub" \
		127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	stop_service
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[ -z "$(leftovers c1)" ]
	[ -z "$(leftovers service)" ]
}

@test "the echo service sends back exactly what a client sends, verified and decrypted" {
	start_service
	echoes_back $'line one\nline two\n\nlast line\n'
}

@test "an echo client pinned to another identity is refused and sends nothing" {
	start_service
	client c1
	echo "not for you" >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr as c1 "$EXAMPLES/echo-client.sh" --peer "$FIXTURES/carol.pub" \
		127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	stop_service
	[ "$status" -ne 0 ]
	[[ "$output" != *"not for you"* ]]
	[[ "$stderr" == *"does not match"* ]]
	[ -z "$(leftovers c1)" ]
	[ -z "$(leftovers service)" ]
}

@test "the service answers 20 concurrent sessions of 200 lines each with nothing lost or corrupted" {
	start_service
	pids=()
	for i in $(seq 20); do
		client "c$i"
		for j in $(seq 200); do
			echo "session $i line $j $(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
		done >"$BATS_TEST_TMPDIR/c$i/sent"
		# Lines are written one by one, as a person or a program would.
		( while IFS= read -r l; do printf '%s\n' "$l"; done <"$BATS_TEST_TMPDIR/c$i/sent" |
			as "c$i" "$EXAMPLES/echo-client.sh" --peer "$FIXTURES/alice.pub" \
				127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/c$i/got" \
				2>"$BATS_TEST_TMPDIR/c$i/err" ) &
		pids+=($!)
	done
	failed=0
	for i in $(seq 20); do
		wait_exit "${pids[$((i - 1))]}" status_i
		if [ "$status_i" -ne 0 ]; then
			echo "session $i exited $status_i: $(cat "$BATS_TEST_TMPDIR/c$i/err")" >&2
			failed=1
		elif ! cmp -s "$BATS_TEST_TMPDIR/c$i/sent" "$BATS_TEST_TMPDIR/c$i/got"; then
			echo "session $i: echo differs" >&2
			failed=1
		fi
	done
	stop_service
	[ "$failed" -eq 0 ]
	for i in $(seq 20); do [ -z "$(leftovers "c$i")" ]; done
	[ -z "$(leftovers service)" ]
}

@test "20 concurrent first connections to a fresh service all succeed, and exactly one identity is created" {
	# No RSAPIPE_SERVICE_IDENTITY: the service creates its user's identity
	# on first use, here in 20 copies of itself started at once.
	serve ,pipes
	conf="$BATS_TEST_TMPDIR/service/home/.config/rsapipe"
	[ ! -e "$conf" ]
	for i in $(seq 20); do
		client "c$i"
		echo "hello from client $i" >"$BATS_TEST_TMPDIR/c$i/sent"
		# The session key made ahead, as the chat does (the spare in the
		# runtime dir): the 20 clients connect within moments of each
		# other, well inside the time the first identity takes to make.
		spare="$BATS_TEST_TMPDIR/c$i/run/rsapipe-spare-$RSAPIPE_SESSION_BITS"
		mkdir -m 700 "$spare"
		rsa-keygen -b "$RSAPIPE_SESSION_BITS" -o "$spare/session.pem" \
			--public "$spare/session.pub" 2>/dev/null
	done
	pids=()
	for i in $(seq 20); do
		# No --peer: each client trusts the service on first use and
		# records the key it met.
		as "c$i" "$EXAMPLES/echo-client.sh" 127.0.0.1 "$port" \
			<"$BATS_TEST_TMPDIR/c$i/sent" >"$BATS_TEST_TMPDIR/c$i/got" \
			2>"$BATS_TEST_TMPDIR/c$i/err" 3>&- &
		pids+=($!)
	done
	failed=0
	for i in $(seq 20); do
		wait_exit "${pids[$((i - 1))]}" status_i
		if [ "$status_i" -ne 0 ]; then
			echo "client $i exited $status_i: $(cat "$BATS_TEST_TMPDIR/c$i/err")" >&2
			failed=$((failed + 1))
		elif ! cmp -s "$BATS_TEST_TMPDIR/c$i/sent" "$BATS_TEST_TMPDIR/c$i/got"; then
			echo "client $i: echo differs" >&2
			failed=$((failed + 1))
		fi
	done
	stop_service
	echo "$((20 - failed))/20 first connections succeeded" >&2
	[ "$failed" -eq 0 ]
	# Exactly one identity: one key pair and nothing half-made beside it,
	# created once, and the very key all 20 clients met and recorded.
	[ "$(find "$conf" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')" = "identity.pem identity.pub " ]
	[ "$(grep -c 'creating your identity' "$BATS_TEST_TMPDIR/service.log")" -eq 1 ]
	fingerprint=$(rsa-keygen -l "$conf/identity.pem" | cut -d ' ' -f 2)
	for i in $(seq 20); do
		grep -qF -- "$fingerprint" "$BATS_TEST_TMPDIR/c$i/home/.config/rsapipe/known_peers"
		[ -z "$(leftovers "c$i")" ]
	done
	[ -z "$(leftovers service)" ]
}

@test "run as inetd runs it, with stderr on the connection as well, the service still answers" {
	# socat without ,pipes gives the service a socketpair, and ,stderr puts
	# its stderr on it too, as inetd does with the connection: a word on
	# stderr would corrupt the stream.
	serve ,stderr RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem"
	echoes_back $'one\ntwo\n'
}

@test "without HOME, as inetd starts it, the service still answers" {
	serve ,pipes -u HOME -u XDG_CONFIG_HOME RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem"
	client c1
	run -0 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" --peer "$FIXTURES/alice.pub" \
		127.0.0.1 "$port" <<<"no home"
	stop_service
	[ "$output" = "no home" ]
}

@test "a server that closes the connection at once: 'peer closed the connection' within 2 s, not a timeout" {
	port=$(free_port)
	# Accepts one connection and closes it at once.
	socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr EXEC:true \
		2>"$BATS_TEST_TMPDIR/closer.log" 3>&- &
	service_pid=$!
	wait_listen "$port"
	client c1
	started=$(date +%s%N)
	run -1 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" 127.0.0.1 "$port" <<<"anyone?"
	ms=$(( ($(date +%s%N) - started) / 1000000 ))
	echo "ended after $ms ms (RSAPIPE_TIMEOUT=$RSAPIPE_TIMEOUT s): $stderr" >&2
	[ "$ms" -lt 2000 ]
	[[ "$stderr" == *"peer closed the connection"* ]]
	[[ "$stderr" != *"timed out"* ]]
	[[ "$stderr" == *"echo-client: key exchange with 127.0.0.1:$port failed"* ]]
	[ -z "$output" ]
	assert_no_noise "$stderr"
	[ -z "$(leftovers c1)" ]
}

@test "a refused connection: 'cannot connect to HOST:PORT: connection refused', status 3" {
	port=$(free_port)
	client c1
	run -3 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" 127.0.0.1 "$port" <<<"anyone?"
	[ "$stderr" = "echo-client: cannot connect to 127.0.0.1:$port: connection refused" ]
	[ -z "$output" ]
	[ -z "$(leftovers c1)" ]
}

@test "a server that accepts and never answers: 'timed out' after RSAPIPE_TIMEOUT" {
	port=$(free_port)
	# Reads what the client sends and never writes a byte back.
	socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr OPEN:/dev/null,wronly \
		2>"$BATS_TEST_TMPDIR/silent.log" 3>&- &
	service_pid=$!
	wait_listen "$port"
	client c1
	RSAPIPE_TIMEOUT=2 run -1 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" \
		127.0.0.1 "$port" <<<"anyone?"
	[[ "$stderr" == *"timed out waiting for peer"* ]]
	[[ "$stderr" != *"peer closed"* ]]
	assert_no_noise "$stderr"
	[ -z "$(leftovers c1)" ]
}

@test "echo-client usage errors exit 2" {
	run -2 --separate-stderr "$EXAMPLES/echo-client.sh"
	[[ "$stderr" == "usage: echo-client.sh "* ]]
	run -2 --separate-stderr "$EXAMPLES/echo-client.sh" 127.0.0.1 77777
	[ "$stderr" = "echo-client: bad port: 77777" ]
	run -2 --separate-stderr "$EXAMPLES/echo-client.sh" --peer /nonexistent 127.0.0.1
	[ "$stderr" = "echo-client: cannot read /nonexistent" ]
}
