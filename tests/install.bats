#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# make install and make uninstall: every file where README.md says, with
# the installed paths written into the scripts, the systemd units and the
# inetd line; the units pass systemd-analyze verify inside the DESTDIR;
# and the installed echo service, run as its own user with the identity
# made exactly as README.md says, answers a client that checks its key.

# $output and $stderr come from bats' run.
# shellcheck disable=SC2154,SC2030,SC2031

bats_require_minimum_version 1.5.0
load test_helper
load chat_helper

# install_into DESTDIR [VARIABLE=VALUE...]: make install, quietly unless
# it fails.
install_into() {
	local dest=$1
	shift
	if ! make -s -C "$RSAPIPE_ROOT" install DESTDIR="$dest" "$@" \
	    >"$BATS_TEST_TMPDIR/make.log" 2>&1; then
		cat "$BATS_TEST_TMPDIR/make.log" >&2
		return 1
	fi
}

uninstall_from() {
	local dest=$1
	shift
	make -s -C "$RSAPIPE_ROOT" uninstall DESTDIR="$dest" "$@"
}

# expect_file MODE PATH: PATH exists, is a regular file, has MODE.
expect_file() {
	local mode
	if [ ! -f "$2" ]; then
		echo "not installed: $2" >&2
		return 1
	fi
	mode=$(stat -c %a "$2")
	if [ "$mode" != "$1" ]; then
		echo "$2 has mode $mode, not $1" >&2
		return 1
	fi
}

# check_layout DESTDIR PREFIX: what README.md says "make install" puts
# where, with PREFIX written into every installed path.
check_layout() {
	local d=$1 p=$2 f
	local bin=$d$p/bin man=$d$p/share/man/man1 libexec=$d$p/libexec/rsapipe
	local examples=$d$p/share/rsapipe/examples units=$d$p/lib/systemd/system
	local completions=$d$p/share/bash-completion/completions
	local tmpfiles=$d$p/lib/tmpfiles.d
	for f in rsa-keygen rsa-encrypt rsa-decrypt keyswap rsa-chat-server rsa-chat-client; do
		expect_file 755 "$bin/$f"
	done
	for f in rsa-keygen rsa-encrypt rsa-decrypt keyswap rsa-chat; do
		expect_file 644 "$man/$f.1"
	done
	# Each chat command's page is rsa-chat(1), under its own name.
	for f in rsa-chat-server rsa-chat-client; do
		[ "$(readlink "$man/$f.1")" = rsa-chat.1 ] ||
			{ echo "$man/$f.1 is no link to rsa-chat.1" >&2; return 1; }
	done
	# One completion script, found by bash-completion under each name.
	expect_file 644 "$completions/rsapipe"
	for f in rsa-keygen rsa-encrypt rsa-decrypt keyswap rsa-chat-server rsa-chat-client; do
		[ "$(readlink "$completions/$f")" = rsapipe ] ||
			{ echo "$completions/$f is no link to rsapipe" >&2; return 1; }
	done
	for f in chat-term chat-session.sh echo-service.sh; do
		expect_file 755 "$libexec/$f"
	done
	# Sourced by the scripts, never run.
	expect_file 644 "$libexec/rsapipe-lib.sh"
	expect_file 755 "$examples/demo.sh"
	expect_file 755 "$examples/echo-client.sh"
	expect_file 644 "$examples/inetd.conf"
	expect_file 644 "$units/rsapipe-echo.socket"
	expect_file 644 "$units/rsapipe-echo@.service"
	expect_file 644 "$tmpfiles/rsapipe.conf"

	# Nothing anywhere else, nothing writable by group or others.
	run find "$d" -type f ! -path "$bin/*" ! -path "$man/*" ! -path "$libexec/*" \
		! -path "$examples/*" ! -path "$units/*" ! -path "$completions/*" \
		! -path "$tmpfiles/*"
	[ -z "$output" ] || { echo "installed elsewhere: $output" >&2; return 1; }
	[ -z "$(find "$d" ! -type l -perm /022)" ]

	# Every placeholder filled in, with this PREFIX only.
	run grep -rIl -E '@[A-Z_]+@' "$d"
	[ -z "$output" ] || { echo "placeholders left in: $output" >&2; return 1; }
	if [ "$p" != /usr/local ]; then
		run grep -rIl /usr/local "$d"
		[ -z "$output" ] || { echo "/usr/local left in: $output" >&2; return 1; }
	fi
	for f in "$libexec"/*.sh "$examples"/*.sh "$bin"/rsa-chat-*; do
		run grep -h '^rsapipe_libexec=' "$f"
		[ -z "$output" ] || [ "$output" = "rsapipe_libexec=$p/libexec/rsapipe" ] ||
			{ echo "$f: $output" >&2; return 1; }
	done
	[ "$(grep '^rsapipe_bindir=' "$libexec/rsapipe-lib.sh")" = "rsapipe_bindir=$p/bin" ]

	# The unit and the inetd line run the installed service, which exists
	# at that path inside DESTDIR.
	[ "$(grep '^ExecStart=' "$units/rsapipe-echo@.service")" = \
		"ExecStart=$p/libexec/rsapipe/echo-service.sh" ]
	grep -qx "Environment=PATH=$p/bin:/usr/bin:/bin" "$units/rsapipe-echo@.service"
	run grep -v '^#' "$examples/inetd.conf"
	[ "${#lines[@]}" -eq 1 ]
	read -r -a field <<<"${lines[0]}"
	[ "${field[0]}" = 7777 ] && [ "${field[4]}" = rsapipe ]
	[ "${field[5]}" = /usr/bin/env ] && [ "${field[6]}" = env ]
	[ "${field[-1]}" = "$p/libexec/rsapipe/echo-service.sh" ]
	[[ " ${field[*]} " == *" PATH=$p/bin:/usr/bin:/bin "* ]]
	[ -x "$d${field[-1]}" ]
	# The socket activates this service: same name, a template.
	grep -qx 'Accept=yes' "$units/rsapipe-echo.socket"
}

@test "make install PREFIX=/usr puts every file where the README says, paths filled in; make uninstall removes them" {
	root="$BATS_TEST_TMPDIR/root"
	install_into "$root" PREFIX=/usr
	check_layout "$root" /usr
	uninstall_from "$root" PREFIX=/usr
	run find "$root" ! -type d
	[ -z "$output" ] || { echo "left after uninstall: $output" >&2; false; }
}

@test "make install with the default PREFIX puts everything under /usr/local; make uninstall removes it" {
	root="$BATS_TEST_TMPDIR/root"
	install_into "$root"
	check_layout "$root" /usr/local
	[ "$(find "$root" -mindepth 1 -maxdepth 2)" = "$root/usr
$root/usr/local" ]
	uninstall_from "$root"
	run find "$root" ! -type d
	[ -z "$output" ] || { echo "left after uninstall: $output" >&2; false; }
}

# verify_units ROOT UNITDIR: systemd-analyze verify on the installed units,
# resolved inside ROOT (ExecStart= included).  --recursive-errors=no:
# ROOT holds no sysinit.target or sockets.target to depend on.
verify_units() {
	TMPDIR="$BATS_TEST_TMPDIR" systemd-analyze verify --man=no \
		--recursive-errors=no --root="$1" \
		"$2/rsapipe-echo.socket" "$2/rsapipe-echo@.service"
}

check_units() {
	local root=$1 p=$2 units=$2/lib/systemd/system
	run -0 verify_units "$root" "$units"
	[ -z "$output" ]
	# It does look inside ROOT: without the installed service, or with
	# it not executable, verify fails on ExecStart.
	chmod 644 "$root$p/libexec/rsapipe/echo-service.sh"
	run -1 verify_units "$root" "$units"
	[[ "$output" == *"$p/libexec/rsapipe/echo-service.sh is not executable"* ]]
	rm "$root$p/libexec/rsapipe/echo-service.sh"
	run -1 verify_units "$root" "$units"
	[[ "$output" == *"$p/libexec/rsapipe/echo-service.sh is not executable"* ]]
	# And the socket needs its service: without it, verify fails too.
	install_into "$root" PREFIX="$p"
	rm "$root$units/rsapipe-echo@.service"
	run -1 verify_units "$root" "$units"
}

@test "systemd-analyze verify passes on the units installed with PREFIX=/usr, inside the DESTDIR" {
	command -v systemd-analyze >/dev/null ||
		skip "systemd-analyze is not installed (package systemd)"
	root="$BATS_TEST_TMPDIR/root"
	install_into "$root" PREFIX=/usr
	check_units "$root" /usr
}

@test "systemd-analyze verify passes on the units installed with the default PREFIX, inside the DESTDIR" {
	command -v systemd-analyze >/dev/null ||
		skip "systemd-analyze is not installed (package systemd)"
	root="$BATS_TEST_TMPDIR/root"
	install_into "$root"
	check_units "$root" /usr/local
}

@test "the installed service unit keeps its hardening (systemd-analyze security rates it SAFE)" {
	command -v systemd-analyze >/dev/null ||
		skip "systemd-analyze is not installed (package systemd)"
	root="$BATS_TEST_TMPDIR/root"
	install_into "$root" PREFIX=/usr
	unit=/usr/lib/systemd/system/rsapipe-echo@.service
	# Exposure 0-10 (threshold in tenths): 0.9 with the options it has,
	# 9.2 without them.
	run -0 env TMPDIR="$BATS_TEST_TMPDIR" systemd-analyze security \
		--offline=yes --threshold=20 --root="$root" "$unit"
	[[ "$output" == *"Overall exposure level for rsapipe-echo@i.service"* ]]
	for option in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	    PrivateTmp=yes PrivateNetwork=yes User=rsapipe; do
		grep -qx "$option" "$root$unit"
	done
}

# --- The installed service, run as its user --------------------------------

teardown() {
	kill_tree "${service_pid:-}"
	[ -z "${inst:-}" ] || rm -rf "$inst"
}

@test "installed, run as the service user with the identity made as the README says, the service answers a client" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the service as another user"
	PATH="$PATH:/usr/sbin:/sbin"
	command -v useradd >/dev/null || skip "needs useradd (package passwd)"
	command -v setpriv >/dev/null || skip "needs setpriv (package util-linux)"
	# The README's commands, exactly, before they are run here under a
	# temporary root ($inst/etc for /etc, useradd --prefix).
	readme="$RSAPIPE_ROOT/README.md"
	grep -qF 'useradd --system --no-create-home --shell /usr/sbin/nologin rsapipe' "$readme"
	grep -qF 'install -d -m 0750 -o root -g rsapipe /etc/rsapipe' "$readme"
	grep -qF 'rsa-keygen -o /etc/rsapipe/identity.pem --public /etc/rsapipe/identity.pub' "$readme"
	grep -qF 'chgrp rsapipe /etc/rsapipe/identity.pem' "$readme"
	grep -qF 'chmod 0640 /etc/rsapipe/identity.pem' "$readme"
	grep -qF 'rsa-keygen -l /etc/rsapipe/identity.pem' "$readme"

	# A world-traversable directory, so the service user reaches it.
	inst=$(mktemp -d /tmp/rsapipe-install-test.XXXXXX)
	chmod 755 "$inst"
	# Installed for real (no DESTDIR), so the installed paths work.
	install_into "" PREFIX="$inst/usr"

	mkdir -m 755 "$inst/etc"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$inst/etc/passwd"
	echo 'root:x:0:' >"$inst/etc/group"
	echo 'root:*:19000:0:99999:7:::' >"$inst/etc/shadow"
	echo 'root:*::' >"$inst/etc/gshadow"
	if [ -f /etc/login.defs ]; then cp /etc/login.defs "$inst/etc/"; fi
	useradd --prefix "$inst" --system --no-create-home --shell /usr/sbin/nologin rsapipe
	uid=$(awk -F: '$1 == "rsapipe" { print $3 }' "$inst/etc/passwd")
	gid=$(awk -F: '$1 == "rsapipe" { print $3 }' "$inst/etc/group")
	[ -n "$uid" ] && [ -n "$gid" ] && [ "$uid" -ne 0 ]
	# (-g rsapipe and chgrp rsapipe name the group in $inst/etc/group.)
	install -d -m 0750 -o root -g "$gid" "$inst/etc/rsapipe"
	"$inst/usr/bin/rsa-keygen" -o "$inst/etc/rsapipe/identity.pem" \
		--public "$inst/etc/rsapipe/identity.pub" 2>/dev/null
	chgrp "$gid" "$inst/etc/rsapipe/identity.pem"
	chmod 0640 "$inst/etc/rsapipe/identity.pem"
	fingerprint=$("$inst/usr/bin/rsa-keygen" -l "$inst/etc/rsapipe/identity.pem" | cut -d ' ' -f 2)

	# The unit's command and environment, run as its User=/Group=, with
	# what systemd would add: the runtime directory, no other groups.
	unit="$inst/usr/lib/systemd/system/rsapipe-echo@.service"
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	path=$(sed -n 's/^Environment=PATH=//p' "$unit")
	identity=$(sed -n 's/^Environment=RSAPIPE_SERVICE_IDENTITY=//p' "$unit")
	[ "$identity" = /etc/rsapipe/identity.pem ]
	grep -qx 'User=rsapipe' "$unit"
	# The key pool: the directory tmpfiles.d makes, given to the service.
	[ "$(sed -n 's/^Environment=RSAPIPE_POOL=//p' "$unit")" = /run/rsapipe-echo ]
	grep -qx 'd /run/rsapipe-echo 0700 rsapipe rsapipe -' "$inst/usr/lib/tmpfiles.d/rsapipe.conf"
	mkdir -m 700 "$inst/run"
	chown "$uid:$gid" "$inst/run"
	# (Under .ci/hardening the programs are ASan builds: their leak check
	# would need the suppressions file, which this user cannot read.)
	{
		echo '#!/bin/sh'
		printf 'exec setpriv --reuid=%s --regid=%s --clear-groups env -i PATH=%s RSAPIPE_SERVICE_IDENTITY=%s RSAPIPE_POOL=%s XDG_RUNTIME_DIR=%s RSAPIPE_SESSION_BITS=2048 ASAN_OPTIONS=detect_leaks=0 %s\n' \
			"$uid" "$gid" "$path" "$inst$identity" "$inst/run" "$inst/run" "$exec_start"
	} >"$inst/service"
	chmod 755 "$inst/service"
	port=$(free_port)
	socat TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr EXEC:"$inst/service",pipes \
		2>"$BATS_TEST_TMPDIR/service.log" 3>&- &
	service_pid=$!
	wait_listen "$port"

	# The installed client, finding the installed programs by itself.
	client="$inst/usr/share/rsapipe/examples/echo-client.sh"
	person c1
	printf 'first\nsecond\n' >"$BATS_TEST_TMPDIR/in"
	PATH=/usr/bin:/bin run -0 --separate-stderr as c1 "$client" \
		--peer "$inst/etc/rsapipe/identity.pub" 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(printf 'first\nsecond')" ]
	# What keyswap shows the client is what rsa-keygen -l shows the admin.
	[[ "$stderr" == *"peer identity $fingerprint"* ]]
	# The session is gone; the pool (the window's key, a ready one) stays.
	pool="$inst/run/rsapipe-pool-$uid-2048"
	[ -n "$(find "$pool" -path "$pool/live.*/session.pem")" ]
	pool_settled "$pool"
	[ -z "$(find "$inst/run" -mindepth 1 | grep -Ev "^$pool(/\.(lock|fill|reap)|/(live|ready)\.[0-9A-Za-z.]+(/session\.(pem|pub))?)?$")" ]

	# The mode is what lets it read the key: 0600 root:root, and the
	# service user can no longer read it, so no client is answered.
	chgrp 0 "$inst/etc/rsapipe/identity.pem"
	chmod 0600 "$inst/etc/rsapipe/identity.pem"
	PATH=/usr/bin:/bin run -1 --separate-stderr as c1 "$client" \
		--peer "$inst/etc/rsapipe/identity.pub" 127.0.0.1 "$port" <"$BATS_TEST_TMPDIR/in"
	[ -z "$output" ]
	grep -q "cannot read the identity $inst/etc/rsapipe/identity.pem" "$BATS_TEST_TMPDIR/service.log"
}

@test "the installed demo runs a whole chat with the installed commands, none from the source tree" {
	inst=$(mktemp -d /tmp/rsapipe-install-test.XXXXXX)
	install_into "" PREFIX="$inst/usr"
	demo="$inst/usr/share/rsapipe/examples/demo.sh"
	[ "$(grep '^rsapipe_libexec=' "$demo")" = "rsapipe_libexec=$inst/usr/libexec/rsapipe" ]
	# The installed rsa-keygen notes each run (the chat makes identity
	# and session keys with it), so the demo is seen to use it.
	mv "$inst/usr/bin/rsa-keygen" "$inst/usr/bin/rsa-keygen.real"
	printf '#!/bin/sh\necho "$*" >>%s/keygen.log\nexec %s/usr/bin/rsa-keygen.real "$@"\n' \
		"$inst" "$inst" >"$inst/usr/bin/rsa-keygen"
	chmod 755 "$inst/usr/bin/rsa-keygen"
	# Nothing of the source tree on PATH: the demo finds the programs
	# from the paths installed into it.
	PATH=/usr/bin:/bin run -0 "$demo"
	[[ "$output" == *"exit status: alice 0, bob 0"* ]]
	[[ "$output" == *"secure session"* ]]
	grep -q -- '-o .*/identity.pem' "$inst/keygen.log"
}
