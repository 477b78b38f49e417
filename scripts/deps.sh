#!/bin/sh
# SPDX-License-Identifier: ISC
# Make sure what rsapipe builds and tests with is present.  As root on a
# Debian system, install what is missing; otherwise print the exact
# command and fail, so nothing half-works later.
set -u

packages=
need() { packages="$packages $1"; }

for lib in libgcrypt gpg-error libtasn1 libedit; do
	if ! pkg-config --exists "$lib" 2>/dev/null; then
		case $lib in
		libgcrypt) need libgcrypt20-dev ;;
		gpg-error) need libgpg-error-dev ;;
		libtasn1) need libtasn1-6-dev ;;
		libedit) need libedit-dev ;;
		esac
	fi
done
command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v cc >/dev/null 2>&1 || need gcc
command -v make >/dev/null 2>&1 || need make
command -v bats >/dev/null 2>&1 || need bats
command -v socat >/dev/null 2>&1 || need socat
# The chat's terminal tests run both sides under tmux; the link-down
# tests join two network namespaces with ip(8).
command -v tmux >/dev/null 2>&1 || need tmux
command -v ip >/dev/null 2>&1 || need iproute2
# netcat-openbsd: the chat's nc variant relies on its -N and -l semantics.
if ! nc -h 2>&1 | grep -q -- '-N'; then need netcat-openbsd; fi
command -v openssl >/dev/null 2>&1 || need openssl
# make check lints the man pages with mandoc; the package tests
# complete options with bash-completion's helpers.
command -v mandoc >/dev/null 2>&1 || need mandoc
[ -r /usr/share/bash-completion/bash_completion ] || need bash-completion
command -v ssh-keygen >/dev/null 2>&1 || need openssh-client
# The chat's agent tests forward an agent with ssh -A through a private
# sshd the test starts.
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need openssh-server
command -v xxd >/dev/null 2>&1 || need xxd
command -v pgrep >/dev/null 2>&1 || need procps
[ -x /usr/bin/time ] || need time
python3 -c 'import cryptography' >/dev/null 2>&1 || need python3-cryptography
# The echo service creates its identity under flock(1); the install tests
# verify the systemd units with systemd-analyze and run the service as
# its own user (useradd --prefix, setpriv).
{ command -v flock && command -v setpriv; } >/dev/null 2>&1 || need util-linux
command -v systemd-analyze >/dev/null 2>&1 || need systemd
[ -x /usr/sbin/useradd ] || need passwd
# age interop: the age program both ways; the C2SP age test vectors come
# from the npm registry (package cctv-age), unpacked with node.
command -v age >/dev/null 2>&1 || need age
command -v node >/dev/null 2>&1 || need nodejs
command -v npm >/dev/null 2>&1 || need npm

[ -z "$packages" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "rsapipe: missing packages; run:" >&2
	echo "  sudo apt-get install -y$packages" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "rsapipe: missing:$packages (no apt-get here; install them by hand)" >&2
	exit 1
fi
echo "rsapipe: installing:$packages" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names, split on purpose
apt-get update -qq >/dev/null && apt-get install -y -qq $packages >/dev/null
