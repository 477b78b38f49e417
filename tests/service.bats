#!/usr/bin/env bats
# The socket-activated encrypted echo service (examples/echo-service.sh),
# run the way inetd or systemd (Accept=yes) would run it: one process per
# connection, here under socat's fork mode.

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

start_service() {
	port=$(free_port)
	person service
	as service env RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem" \
		socat TCP-LISTEN:"$port",fork,reuseaddr \
		EXEC:"$EXAMPLES/echo-service.sh",pipes \
		2>"$BATS_TEST_TMPDIR/service.log" 3>&- &
	service_pid=$!
	wait_listen "$port"
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

@test "the echo service sends back exactly what a client sends, verified and decrypted" {
	start_service
	client c1
	printf 'line one\nline two\n\nlast line\n' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" --peer "$FIXTURES/alice.pub" \
		127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	stop_service
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[ -z "$(leftovers c1)" ]
	[ -z "$(leftovers service)" ]
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
