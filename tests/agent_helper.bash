# SPDX-License-Identifier: ISC
# Keys in a test-started ssh-agent, for the suites that use one
# (agent.bats, rsa-encrypt-agent.bats, keyswap-v2.bats).  Each suite
# makes its key files in $BATS_FILE_TMPDIR and starts its own agent.

# add_key NAME [SSH-ADD-OPTION...]: into the agent from a copy of the
# private file, with no terminal (askpass answers), then delete the
# copy: the agent alone holds the key.
add_key() {
	local name=$1
	shift
	cp "$BATS_FILE_TMPDIR/$name" "$name"
	chmod 600 "$name"
	setsid -w ssh-add -q "$@" "$name" </dev/null >/dev/null 2>&1 ||
		{ echo "ssh-add $* $name failed" >&2; return 1; }
	rm -f "$name"
	[ ! -e "$name" ]
}

# agent_pub NAME: the public key file of key NAME.
agent_pub() { echo "$BATS_FILE_TMPDIR/$1.pub"; }

# agent_fingerprint NAME: its SHA256:... fingerprint, as ssh-add -l says.
agent_fingerprint() {
	ssh-keygen -l -E sha256 -f "$(agent_pub "$1")" | cut -d' ' -f2
}

# agent_fp_re NAME: that fingerprint as an extended regular expression
# ('+' is in base64).
agent_fp_re() { agent_fingerprint "$1" | sed 's/[+.]/\\&/g'; }
