#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/run.sh: `make bench`.  Measures rsapipe against cat, age, openssl,
# ssh and the per-message RSA approach it replaced, and prints a markdown
# table (doc/PERFORMANCE.md explains every row and its target).
#
# Environment:
#   BENCH_QUICK=1     smoke run: 64 MiB file, fewer runs, 1,000 echo lines,
#                     5 chat setups
#   BENCH_SIZE_MB=N   size of the random file (default 1024)
#   BENCH_ROUNDS=N    interleaved rounds per comparison (default 5)
#   BENCH_CHAT_ROUNDS=N  interleaved chat setups against ssh (default 31)
#   BENCH_ONLY=LIST   only these comparisons, comma-separated: t1 (T1, T1b,
#                     T1c), t2, t3, t4, t5, t6, t7, t8 (chat setup vs ssh),
#                     t9 (age files: rsa-encrypt --age, rsa-decrypt vs age),
#                     t10 (the echo service vs sshd: one session, a burst,
#                     a sustained rate)
#   BENCH_SERVICE_SECONDS=N  length of each side's sustained run (default 60)
#   BENCH_BURST=N     concurrent first connections in the burst (default 100)
#   BENCH_OUT=FILE    also write the table to FILE
#   BENCH_RESULTS=DIR also keep the raw results (JSON, per-sample text) in DIR
#   TMPDIR            where the inputs go (default /tmp); removed at the end
#
# Comparisons run interleaved: each round runs every command of a group
# once (hyperfine, one JSON file per round), so a noisy neighbour on this
# shared machine hits both sides alike; bench/report.py takes medians and
# min-max over the rounds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Output paths are taken from where we were started (we cd to the work
# directory below, which is removed at the end).
case ${BENCH_OUT:-} in ''|/*) ;; *) BENCH_OUT=$PWD/$BENCH_OUT ;; esac
case ${BENCH_RESULTS:-} in ''|/*) ;; *) BENCH_RESULTS=$PWD/$BENCH_RESULTS ;; esac
root=$(cd "$here/.." && pwd)
PATH=$root/tools:$PATH
export PATH

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	size_mb=${BENCH_SIZE_MB:-64} rounds=${BENCH_ROUNDS:-3}
	lines=1000 keygen_runs=5 keyswap_runs=3 small_runs=20
	chat_rounds=${BENCH_CHAT_ROUNDS:-5} chat_cold=1
	service_seconds=${BENCH_SERVICE_SECONDS:-15} burst=${BENCH_BURST:-30}
else
	size_mb=${BENCH_SIZE_MB:-1024} rounds=${BENCH_ROUNDS:-5}
	lines=10000 keygen_runs=21 keyswap_runs=11 small_runs=50
	chat_rounds=${BENCH_CHAT_ROUNDS:-31} chat_cold=3
	service_seconds=${BENCH_SERVICE_SECONDS:-60} burst=${BENCH_BURST:-100}
fi

say() {
	printf 'bench: %s\n' "$*" >&2
}

# want ID: the comparison ID (t1 ... t9) is to run (BENCH_ONLY).
want() {
	case ",${BENCH_ONLY:-all}," in
	*,all,*|*,"$1",*) return 0 ;;
	esac
	return 1
}

for t in $(printf '%s\n' "${BENCH_ONLY:-all}" | tr ',' ' '); do
	case $t in
	all|t[1-9]|t10) ;;
	*) say "BENCH_ONLY: unknown comparison $t (want t1 ... t10)"; exit 2 ;;
	esac
done

# T8 and T10 run a private sshd, which needs root (privilege separation,
# and a mount namespace that hides the login user's shell start-up files).
t8=0 t10=0
for t in t8 t10; do
	want "$t" || continue
	if [ "$(id -u)" != 0 ]; then
		say "$t (against ssh) needs root for its private sshd: skipped"
	else
		eval "$t=1"
	fi
done
# Everything but T8 uses the file, the keys and hyperfine.
others=0
for t in t1 t2 t3 t4 t5 t6 t7 t9; do
	want "$t" && others=1
done

# The comparison programs, from the distribution's packages.
need="socat:socat python3:python3"
[ "$others" = 0 ] || need="$need age:age age-keygen:age hyperfine:hyperfine \
    /usr/bin/time:time openssl:openssl"
[ "$t8$t10" = 00 ] || need="$need ssh:openssh-client ssh-keygen:openssh-client \
    /usr/sbin/sshd:openssh-server unshare:util-linux mount:mount"
missing=
for p in $need; do
	command -v "${p%%:*}" >/dev/null || missing="$missing ${p#*:}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "installing:$missing"
		# shellcheck disable=SC2086 # $missing is a list of packages
		apt-get update -qq >&2 &&
			apt-get install -y --no-install-recommends $missing >&2
	else
		say "missing:$missing; install them with:"
		echo "	sudo apt-get install$missing" >&2
		exit 2
	fi
fi
for t in rsa-keygen rsa-encrypt rsa-decrypt keyswap; do
	[ -x "$root/tools/$t" ] || { say "build first: make all"; exit 2; }
done
! want t2 || [ -x "$here/recordrate" ] ||
	{ say "build first: make bench/recordrate"; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/rsapipe-bench.XXXXXXXX")
pids=
made_run_sshd=0
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	[ "$made_run_sshd" = 0 ] || rmdir /run/sshd 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
res=$work/results
mkdir -p "$res"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# group NAME COMMAND...: ROUNDS interleaved rounds of hyperfine, one run
# of each command per round, JSON in $res/NAME.N.json.
group() {
	local name=$1 i
	shift
	say "$name: $rounds rounds of $*"
	for i in $(seq "$rounds"); do
		hyperfine --style none --runs 1 --export-json "$res/$name.$i.json" \
			"$@" >/dev/null 2>"$res/hyperfine.log" ||
			{ cat "$res/hyperfine.log" >&2; exit 1; }
	done
}

cd "$work"
if [ "$others" = 1 ]; then
	say "inputs in $work: $size_mb MiB random file, keys"
	if want t1 || want t6 || want t9; then
		head -c "$((size_mb * 1024 * 1024))" /dev/urandom >f
	fi
	rsa-keygen -b 3072 -o k.pem --public k.pub
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out ossl.pem 2>/dev/null
	openssl pkey -in ossl.pem -pubout -out ossl.pub
	age-keygen -o age.key 2>/dev/null
	recipient=$(age-keygen -y age.key)
	if want t1 || want t6 || want t9; then
		rsa-encrypt -r k.pub <f >f.rsa
		age -r "$recipient" <f >f.age
	fi
	head -c 100 /dev/urandom >small
	rsa-encrypt -r k.pub -o small.rsa small
	rsa-encrypt -r ossl.pub -o small-ossl.rsa small
	age -r "$recipient" -o small.age small
	# The one stanza's RSA-OAEP ciphertext (doc/FORMAT.md: after the 26-byte
	# header start, the 8-byte key id and the 2-byte length), for openssl.
	tail -c +37 small-ossl.rsa | head -c 384 >stanza.bin
	oaep="-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -pkeyopt rsa_oaep_label:727361706970652f7631"
	# shellcheck disable=SC2086 # $oaep is a list of options
	openssl pkeyutl -decrypt -inkey ossl.pem -in stanza.bin $oaep >/dev/null
fi

# T1, T1b, T1c: throughput on the big file.
if want t1; then
	group t1 "rsa-encrypt -r k.pub <f >/dev/null" \
		"age -r $recipient <f >/dev/null"
	group t1b "rsa-decrypt -i k.pem <f.rsa >/dev/null" \
		"age -d -i age.key <f.age >/dev/null"
	group t1c "rsa-encrypt -r k.pub <f | rsa-decrypt -i k.pem >/dev/null" \
		"age -r $recipient <f | age -d -i age.key >/dev/null" \
		"cat <f | cat >/dev/null"
fi

# T9: the age format, both ways, to the same X25519 recipient: rsapipe's
# age code against age itself, each reading the other's kind of input
# (the same file for decryption), and peak RSS.  T9c: decryption of a
# 256 MiB file age made for an ssh-rsa 3072 recipient (rsa-decrypt -i
# and age -d -i the same OpenSSH key), where the fixed RSA cost weighs
# more; T9b is the same for the big file and X25519.
if want t9; then
	group t9 "rsa-encrypt --age -r $recipient <f >/dev/null" \
		"age -r $recipient <f >/dev/null" "cat <f >/dev/null"
	group t9b "rsa-decrypt -i age.key <f.age >/dev/null" \
		"age -d -i age.key <f.age >/dev/null"
	ssh-keygen -q -t rsa -b 3072 -N '' -C bench-age -f age_rsa
	head -c $((256 * 1024 * 1024)) /dev/urandom | age -R age_rsa.pub >f256.age
	group t9c "rsa-decrypt -i age_rsa <f256.age >/dev/null" \
		"age -d -i age_rsa <f256.age >/dev/null"
	say "t9: peak RSS of the age format"
	{
		/usr/bin/time -f 'rss_age_format_encrypt_kb %M' \
			rsa-encrypt --age -r "$recipient" <f >/dev/null
		/usr/bin/time -f 'rss_age_format_decrypt_kb %M' \
			rsa-decrypt -i age.key <f.age >/dev/null
		/usr/bin/time -f 'rss_age_encrypt_kb %M' \
			age -r "$recipient" <f >/dev/null
		/usr/bin/time -f 'rss_age_decrypt_kb %M' \
			age -d -i age.key <f.age >/dev/null
		/usr/bin/time -f 'rss_age_format_decrypt_rsa_kb %M' \
			rsa-decrypt -i age_rsa <f256.age >/dev/null
		/usr/bin/time -f 'rss_age_decrypt_rsa_kb %M' \
			age -d -i age_rsa <f256.age >/dev/null
	} 2>"$res/rss-age.txt"
	rm -f f256.age
fi
rm -f f.age

# T6: peak resident memory, kilobytes.
if want t6; then
	say "t6: peak RSS"
	{
		/usr/bin/time -f 'rss_encrypt_kb %M' rsa-encrypt -r k.pub <f >/dev/null
		/usr/bin/time -f 'rss_decrypt_kb %M' rsa-decrypt -i k.pem <f.rsa >/dev/null
		/usr/bin/time -f 'rss_age_encrypt_kb %M' age -r "$recipient" <f >/dev/null
		/usr/bin/time -f 'rss_cat_kb %M' cat <f >/dev/null
	} 2>"$res/rss.txt"
fi
rm -f f f.rsa

# T2: in process.
if want t2; then
	say "t2: record layer vs per-message RSA-OAEP-3072"
	"$here/recordrate" k.pem 2000000 200 >"$res/recordrate.txt"
fi

# T4: whole process, 100-byte message; with the CRT check: the same
# decryption with an openssl-made key, and openssl's own RSA decryption.
if want t4; then
	say "t4: 100-byte message, $small_runs runs each"
	hyperfine -N --style none --warmup 3 --runs "$small_runs" \
		--export-json "$res/t4.json" \
		"rsa-encrypt -r k.pub -o /dev/null small" \
		"age -r $recipient -o /dev/null small" \
		"rsa-decrypt -i k.pem -o /dev/null small.rsa" \
		"age -d -i age.key -o /dev/null small.age" \
		"rsa-decrypt -i ossl.pem -o /dev/null small-ossl.rsa" \
		"openssl pkeyutl -decrypt -inkey ossl.pem -in stanza.bin -out /dev/null $oaep" \
		"rsa-keygen -l k.pem" >/dev/null
fi

# T5: key generation, interleaved one by one (the prime search varies).
if want t5; then
	say "t5: key generation, $keygen_runs runs each"
	saved=$rounds
	rounds=$keygen_runs
	group t5 "rm -f kg.pem kg.pem.pub; rsa-keygen -b 3072 -o kg.pem" \
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out /dev/null"
	rounds=$saved
fi

# T7: two keyswaps over loopback, each side making its session key.
if want t7; then
	say "t7: keyswap pairs, $keyswap_runs runs each"
	mkdir -p ks
	cp k.pem ks/a.pem && cp k.pub ks/a.pub
	cp ossl.pem ks/b.pem && cp ossl.pub ks/b.pub
	for bits in 3072 2048; do
		port=$(free_port)
		hyperfine --style none --runs "$keyswap_runs" \
			--export-json "$res/t7-$bits.json" \
			"$here/keyswap-pair.sh $bits $work/ks $port 2>/dev/null" >/dev/null
	done
fi

# T3: lock-step echo, plain (socat + cat), with cats where the rsapipe
# processes would be, and through the echo service.
if want t3; then
	say "t3: lock-step echo of $lines lines"
	plain_port=$(free_port)
	socat TCP-LISTEN:"$plain_port",reuseaddr,fork EXEC:cat 2>/dev/null &
	pids="$pids $!"
	hops_port=$(free_port)
	socat TCP-LISTEN:"$hops_port",reuseaddr,fork EXEC:'sh -c "cat | cat"' \
		2>/dev/null &
	pids="$pids $!"
	service_port=$(free_port)
	RSAPIPE_SERVICE_IDENTITY=$work/ossl.pem RSAPIPE_TIMEOUT=60 \
		socat TCP-LISTEN:"$service_port",reuseaddr,fork \
		EXEC:"$root/examples/echo-service.sh",pipes 2>"$res/service.log" &
	pids="$pids $!"
	mkdir -m 700 session
	rsa-keygen -b 3072 -o session/session.pem --public session/session.pub
	for i in $(seq "$rounds"); do
		python3 "$here/echo.py" plain "$plain_port" "$lines" \
			>"$res/t3-plain.$i.txt"
		python3 "$here/echo.py" hops "$hops_port" "$lines" \
			>"$res/t3-hops.$i.txt"
		python3 "$here/echo.py" rsapipe "$service_port" "$lines" \
			"$work/k.pem" "$work/ossl.pub" "$work/session" \
			>"$res/t3-rsapipe.$i.txt" 2>>"$res/echo.log"
	done
fi

# T8: chat setup latency against ssh.  rsapipe: a chat client started
# until it says "secure session with", against a chat server waiting on
# 127.0.0.1 (bench/chatsetup.py); ssh: `ssh localhost true` against a
# private sshd with RSA-3072 host and user keys, started here.  The
# sshd runs in its own mount namespace where the login user's home is an
# empty directory, so the remote `true` does not pay for that user's
# shell start-up files (this machine's root .bashrc alone adds 0.2 s).
# Beside the file identity: both sides' identities in an ssh-agent
# started by chatsetup.py, and a first contact set up by an invite code.
if [ "$t8$t10" != 00 ]; then
	mkdir -p chat/ssh chat/ssh/home
	ssh-keygen -q -t rsa -b 3072 -N '' -C bench-host -f chat/ssh/host_rsa
	ssh-keygen -q -t rsa -b 3072 -N '' -C bench-user -f chat/ssh/user_rsa
	cp chat/ssh/user_rsa.pub chat/ssh/authorized_keys
	cat >chat/ssh/sshd_config <<-EOF
	ListenAddress 127.0.0.1
	HostKey $work/chat/ssh/host_rsa
	HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256
	PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256
	AuthorizedKeysFile $work/chat/ssh/authorized_keys
	PidFile $work/chat/ssh/sshd.pid
	AllowUsers $(id -un)
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	UseDNS no
	PrintMotd no
	MaxStartups 512
	EOF
	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd && made_run_sshd=1
	fi
	ssh_port=$(free_port)
	/usr/sbin/sshd -t -f "$work/chat/ssh/sshd_config" -p "$ssh_port"
	login_home=$(getent passwd "$(id -un)" | cut -d: -f6)
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private sh -c \
		'mount --bind "$1" "$2" && exec /usr/sbin/sshd -D -f "$3" -p "$4" -E "$5"' \
		sh "$work/chat/ssh/home" "$login_home" "$work/chat/ssh/sshd_config" \
		"$ssh_port" "$work/chat/ssh/sshd.log" &
	pids="$pids $!"
	for _ in $(seq 100); do
		[ -s "$work/chat/ssh/sshd.pid" ] && break
		sleep 0.1
	done
fi
if [ "$t8" = 1 ]; then
	say "t8: chat setup vs ssh, $chat_rounds interleaved rounds, $chat_cold cold"
	python3 "$here/chatsetup.py" "$res" "$work/chat" "$chat_rounds" \
		"$chat_cold" "$root/tools/rsa-chat-client.sh" \
		"$root/tools/rsa-chat-server.sh" "$work/chat/ssh" "$ssh_port" ||
		{ cat "$work/chat/ssh/sshd.log" >&2; exit 1; }
fi

# T10: the echo service at scale against sshd (bench/service.py): one
# session, a burst of first connections to a cold service, a sustained
# rate of 8 clients with the CPU each side spends per session.
if [ "$t10" = 1 ]; then
	say "t10: echo service vs sshd: $chat_rounds rounds, burst $burst, ${service_seconds} s sustained"
	mkdir -p service
	python3 "$here/service.py" "$res" "$work/service" "$chat_rounds" \
		"$service_seconds" "$burst" "$root" "$work/chat/ssh" "$ssh_port" ||
		{ cat "$work/chat/ssh/sshd.log" >&2; exit 1; }
fi

{
	echo "size_mb $size_mb"
	echo "rounds $rounds"
	echo "lines $lines"
	echo "chat_rounds $chat_rounds"
	echo "service_seconds $service_seconds"
	echo "burst $burst"
} >"$res/params.txt"
if [ -n "${BENCH_RESULTS:-}" ]; then
	mkdir -p "$BENCH_RESULTS" && cp -R "$res"/. "$BENCH_RESULTS"/
fi
if [ -n "${BENCH_OUT:-}" ]; then
	python3 "$here/report.py" "$res" | tee "$BENCH_OUT"
else
	python3 "$here/report.py" "$res"
fi
