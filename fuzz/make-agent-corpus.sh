#!/bin/sh
# SPDX-License-Identifier: ISC
# Regenerate fuzz/corpus/agent_reply/ from a real ssh-agent (alice's key
# and an ed25519 key added) and real SSHSIGs by alice's key: each seed
# is fuzz_agent_reply's selector byte, then the reply or blob.  Needs
# openssh-client, python3 and tests/unit/agent-tool (make it).
set -eu
cd "$(dirname "$0")/.."
c=fuzz/corpus/agent_reply
tool=tests/unit/agent-tool
msg='rsapipe fuzz message'          # FUZZ_SSHSIG_MESSAGE
tmp=$(mktemp -d)
eval "$(ssh-agent -s -a "$tmp/sock")" >/dev/null
trap 'kill "$SSH_AGENT_PID"; rm -rf "$tmp"' EXIT
export SSH_AUTH_SOCK
cp tests/fixtures/alice.pem "$tmp/alice"
chmod 600 "$tmp/alice"
ssh-keygen -q -t ed25519 -N '' -C fuzz -f "$tmp/ed"
ssh-add -q "$tmp/alice" "$tmp/ed" 2>/dev/null
rm -rf "$c"
mkdir -p "$c"
python3 - "$SSH_AUTH_SOCK" "$c" <<'EOS'
import socket, struct, sys
sock, out = sys.argv[1], sys.argv[2]
def ask(payload):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(struct.pack(">I", len(payload)) + payload)
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    return s.recv(n, socket.MSG_WAITALL)
def string(b):
    return struct.pack(">I", len(b)) + b
def save(name, sel, body):
    open(f"{out}/{name}", "wb").write(bytes([sel]) + body)
ids = ask(b"\x0b")
save("identities", 0, ids)
save("identities-empty", 0, b"\x0c\x00\x00\x00\x00")
save("failure", 0, b"\x05")
rsa = ids[9:9 + struct.unpack(">I", ids[5:9])[0]]
for flags, sel, name in ((4, 1, "sign-sha512"), (2, 5, "sign-sha256")):
    save(name, sel, ask(b"\x0d" + string(rsa) + string(b"data") +
        struct.pack(">I", flags)))
save("sign-failure", 1, b"\x1e")
EOS
printf '%s' "$msg" | "$tool" sign-file -k tests/fixtures/alice.pem \
	-n keyswap-v2@rsapipe >"$tmp/sig"
printf '\003' | cat - "$tmp/sig" >"$c/sshsig-armored"
python3 - "$tmp/sig" "$c/sshsig-blob" <<'EOS'
import base64, sys
lines = open(sys.argv[1]).read().split()
blob = base64.b64decode("".join(l for l in lines if not l.startswith("-")))
open(sys.argv[2], "wb").write(b"\x02" + blob)
EOS
ls "$c"
