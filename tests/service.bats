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

# --- The session key pool (doc/SERVICE.md) ------------------------------

# pool NAME: the key pool in NAME's runtime directory.
pool() {
	echo "$BATS_TEST_TMPDIR/$1/run/rsapipe-pool-$(id -u)-$RSAPIPE_SESSION_BITS"
}

# fingerprints DIR-GLOB...: the fingerprints of the session.pub files in
# the directories given, one per line, sorted.
fingerprints() {
	local d
	for d in "$@"; do
		[ -f "$d/session.pub" ] && rsa-keygen -l "$d/session.pub" | cut -d ' ' -f 2
	done | sort
}

# echo_once NAME TEXT [ENV...]: client NAME, pinned to Alice, echoes TEXT.
echo_once() {
	local who=$1 text=$2
	shift 2
	run -0 --separate-stderr as "$who" env "$@" "$EXAMPLES/echo-client.sh" \
		--peer "$FIXTURES/alice.pub" 127.0.0.1 "$port" <<<"$text"
	[ "$output" = "$text" ]
}

@test "the sessions of one window share the pool's key, 0600 in 0700; the next window has a new one; a closed window's key is erased" {
	# A window counts whole seconds from its key's first use, so a
	# window of w lasts between w - 1 and w seconds.
	w=$((5 * RSAPIPE_TEST_TIME_SCALE))
	serve ,nofork RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem" RSAPIPE_KEY_WINDOW="$w"
	client c1
	p=$(pool service)
	echo_once c1 first RSAPIPE_KEY_WINDOW="$w"
	first=$(fingerprints "$p"/live.*)
	[ -n "$first" ]
	echo_once c1 second RSAPIPE_KEY_WINDOW="$w"
	[ "$(fingerprints "$p"/live.*)" = "$first" ]
	# Every key of both pools: files 0600, directories 0700, nothing else.
	for q in "$p" "$(pool c1)"; do
		[ "$(stat -c %a "$q")" = 700 ]
		[ -z "$(find "$q" -name 'session.p*' ! -perm 600)" ]
		[ -z "$(find "$q" -mindepth 1 -type d ! -perm 700)" ]
		[ -n "$(find "$q" -name session.pem)" ]
	done
	# The window closes with no session coming: the reaper retires the
	# key, and with no session left holding it, it is gone everywhere.
	sleep "$w"
	sleep 1.5
	[ -z "$(ls -d "$p"/live.* 2>/dev/null)" ]
	[ -z "$(fingerprints "$p"/*/ | grep -xF -- "$first")" ]
	echo_once c1 third RSAPIPE_KEY_WINDOW="$w"
	third=$(fingerprints "$p"/live.*)
	[ -n "$third" ]
	[ "$third" != "$first" ]
	stop_service
	[ -z "$(leftovers c1)" ]
	[ -z "$(leftovers service)" ]
}

@test "RSAPIPE_KEY_WINDOW=0: each session takes a key of its own from the pool, and no key is ever seen again" {
	serve ,nofork RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem" \
		RSAPIPE_KEY_WINDOW=0 RSAPIPE_POOL_SIZE=2
	client c1
	p=$(pool service)
	echo_once c1 warm-up
	pool_settled "$p" 2
	taken=''
	for i in 1 2 3; do
		before=$(fingerprints "$p"/ready.*)
		[ "$(wc -l <<<"$before")" -eq 2 ]
		echo_once c1 "session $i"
		pool_settled "$p" 2
		after=$(fingerprints "$p"/ready.*)
		# Exactly one ready key went, and it is nowhere in the pool now.
		gone=$(comm -23 <(echo "$before") <(echo "$after"))
		[ "$(wc -l <<<"$gone")" -eq 1 ] && [ -n "$gone" ]
		[ -z "$(fingerprints "$p"/*/ | grep -xF -- "$gone")" ]
		[[ "$taken" != *"$gone"* ]]
		taken+=" $gone"
	done
	[ -z "$(ls -d "$p"/live.* "$p"/s.* 2>/dev/null)" ]
	stop_service
	[ -z "$(leftovers service)" ]
}

@test "a killed copy of the service leaves no key another can take, and its session is erased by the next" {
	serve ,nofork RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem" \
		RSAPIPE_KEY_WINDOW=0 RSAPIPE_POOL_SIZE=1
	client c1
	p=$(pool service)
	echo_once c1 warm-up
	pool_settled "$p" 1
	ready=$(fingerprints "$p"/ready.*)
	# A caller that connects and says nothing: its copy of the service
	# takes the ready key and waits in the key exchange.
	sleep 30 | socat - TCP:127.0.0.1:"$port" >/dev/null 2>&1 3>&- &
	silent=$!
	for _ in $(seq 100); do
		s=$(ls -d "$p"/s.* 2>/dev/null) && [ -f "$s/session.pem" ] && break
		sleep 0.1
	done
	[ "$(fingerprints "$s")" = "$ready" ]
	pid=${s##*/s.}
	kill -KILL "${pid%%.*}"
	kill_tree "$silent"
	[ -d "$s" ]
	# The next session takes another key and, filling the pool, erases
	# what the killed copy left.
	echo_once c1 after
	pool_settled "$p" 1
	[ ! -e "$s" ]
	[ -z "$(fingerprints "$p"/*/ | grep -xF -- "$ready")" ]
	stop_service
	[ -z "$(leftovers service)" ]
}

@test "100 concurrent first connections to a cold service: every client gets its echo within 150 s, none times out, one identity" {
	# No identity and no pool yet; the clients are one person on this same
	# machine, trusting the service on first use, with the default
	# timeout a person has (scaled, as every bound here, for sanitizer
	# builds).
	serve ,nofork
	client load
	conf="$BATS_TEST_TMPDIR/service/home/.config/rsapipe"
	started=$(date +%s)
	pids=()
	for i in $(seq 100); do
		( as load env RSAPIPE_TIMEOUT=$((30 * RSAPIPE_TEST_TIME_SCALE)) "$EXAMPLES/echo-client.sh" 127.0.0.1 "$port" \
			<<<"hello from $i" >"$BATS_TEST_TMPDIR/got.$i" 2>"$BATS_TEST_TMPDIR/err.$i"
		  echo $? >"$BATS_TEST_TMPDIR/status.$i" ) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	took=$(( $(date +%s) - started ))
	stop_service
	failed=0
	for i in $(seq 100); do
		if [ "$(cat "$BATS_TEST_TMPDIR/status.$i")" != 0 ] ||
		    [ "$(cat "$BATS_TEST_TMPDIR/got.$i")" != "hello from $i" ]; then
			echo "client $i: $(cat "$BATS_TEST_TMPDIR/err.$i")" >&2
			failed=$((failed + 1))
		fi
	done
	echo "$((100 - failed))/100 echoes in $took s" >&2
	[ "$failed" -eq 0 ]
	[ -z "$(grep -l "timed out" "$BATS_TEST_TMPDIR"/err.*)" ]
	[ "$took" -le $((150 * RSAPIPE_TEST_TIME_SCALE)) ]
	[ "$(grep -c 'creating your identity' "$BATS_TEST_TMPDIR/service.log")" -eq 1 ]
	[ "$(find "$conf" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')" = "identity.pem identity.pub " ]
	[ -z "$(leftovers load)" ]
	[ -z "$(leftovers service)" ]
}

@test "a service at capacity refuses the caller at once with 'at capacity', and serves again once a slot is free" {
	serve ,nofork RSAPIPE_SERVICE_IDENTITY="$FIXTURES/alice.pem" RSAPIPE_MAX_STARTUPS=1
	client c1
	p=$(pool service)
	# A caller that connects and says nothing holds the one slot.
	sleep 60 | socat - TCP:127.0.0.1:"$port" >/dev/null 2>&1 3>&- &
	silent=$!
	for _ in $(seq 100); do
		[ -n "$(ls "$p"/k.* 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -n "$(ls "$p"/k.* 2>/dev/null)" ]
	started=$(date +%s%N)
	run -1 --separate-stderr as c1 "$EXAMPLES/echo-client.sh" \
		--peer "$FIXTURES/alice.pub" 127.0.0.1 "$port" <<<"turned away"
	ms=$(( ($(date +%s%N) - started) / 1000000 ))
	echo "refused after $ms ms: $stderr" >&2
	[[ "$stderr" == *"keyswap: the service is at capacity; try again later"* ]]
	[[ "$stderr" != *"timed out"* ]]
	[ -z "$output" ]
	[ "$ms" -lt $((5000 * RSAPIPE_TEST_TIME_SCALE)) ]
	grep -q "refused the peer: at capacity" "$BATS_TEST_TMPDIR/service.log"
	kill_tree "$silent"
	for _ in $(seq 100); do
		[ -z "$(ls "$p"/k.* 2>/dev/null)" ] && break
		sleep 0.1
	done
	echo_once c1 "served again"
	stop_service
	[ -z "$(leftovers c1)" ]
	[ -z "$(leftovers service)" ]
}
