#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Run the C2SP age test vectors (CCTV, npm package cctv-age) through
rsa-decrypt.

usage: cctv-age.py RSA_DECRYPT VECTOR_DIR [PREFIX ...]

Each vector is a text header (expect, payload, identity, passphrase,
armored, compressed, ...), an empty line, then an age file.  For every
vector whose features rsapipe implements (all but the ML-KEM hybrid
recipients), and whose name starts with one of the PREFIXes (all when
none is given), rsa-decrypt runs twice:

  - to standard output: the exit status must be 0 exactly when the
    vector expects success, and the SHA-256 of what was written must be
    the vector's payload hash: all of it on success, and on a payload
    failure exactly the chunks that verified before the failure, so
    nothing of a failed chunk;
  - with -o FILE: on failure FILE must not exist (all-or-nothing).

A failure must also be of the expected kind, told by the one-line
message (see MESSAGES).  Prints a line per vector that does not behave,
the skipped vectors by name with the reason, and "N of M applicable
vectors pass"; exits 0 only when all M pass and M > 0.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import zlib

# What rsa-decrypt says for each kind of failure the vectors name.
MESSAGES = {
    "armor failure": ("age armor:",),
    "header failure": ("age header:",),
    "HMAC failure": ("age header MAC",),
    "no match": ("no identity matches", "wrong passphrase"),
    "payload failure": ("age payload:",),
}

# Features left out, by vector name prefix, with the reason.
SKIP = {
    "hybrid": "ML-KEM-768+X25519 hybrid recipients (mlkem768x25519) "
              "are not implemented",
    "armor_hybrid": "ML-KEM-768+X25519 hybrid recipients (mlkem768x25519) "
                    "are not implemented",
}


def parse(path):
    with open(path, "rb") as f:
        data = f.read()
    head, _, body = data.partition(b"\n\n")
    fields = {}
    for line in head.decode().split("\n"):
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    if fields.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return fields, body


def skipped(name):
    for prefix, reason in SKIP.items():
        if name.startswith(prefix):
            return reason
    return None


# An X25519 identity no vector is encrypted to (made by age-keygen).  A vector
# with neither identity nor passphrase (empty, armor_empty) gets it:
# rsa-decrypt refuses to start with no key at all (a usage error), and
# a key that matches nothing can turn no failure into a success.
UNRELATED = ("AGE-SECRET-KEY-1C3PCPJZS4ACS2RG6TFSLKDHXP9940FV7SEVLH26A3SY5"
             "3552GTRQSUPZNK")


def command(tool, fields, tmp):
    cmd = [tool]
    ids = fields.get("identity", [])
    if not ids and not fields.get("passphrase"):
        ids = [UNRELATED]
    if ids:
        idfile = os.path.join(tmp, "identities")
        with open(idfile, "w") as f:
            f.write("# cctv identities\n" + "\n".join(ids) + "\n")
        cmd += ["-i", idfile]
    pw = fields.get("passphrase", [])
    if pw:
        pwfile = os.path.join(tmp, "passphrase")
        with open(pwfile, "w") as f:
            f.write(pw[0] + "\n")
        cmd += ["--passphrase-file", pwfile]
    return cmd


def check(tool, name, fields, body, tmp):
    """Returns None if the vector behaves, else what went wrong."""
    expect = fields["expect"][0]
    cmd = command(tool, fields, tmp)
    r = subprocess.run(cmd, input=body, capture_output=True, timeout=120)
    err = r.stderr.decode(errors="replace").strip()
    if expect == "success":
        if r.returncode != 0:
            return "expected success, got %d: %s" % (r.returncode, err)
    else:
        if r.returncode != 1:
            return "expected %s (status 1), got %d: %s" % (
                expect, r.returncode, err or "(no message)")
        if not any(m in err for m in MESSAGES[expect]):
            return "expected %s, got: %s" % (expect, err)
        if err.count("\n") != 0:
            return "more than one line on stderr: %r" % err
    want = fields.get("payload", [None])[0]
    if want is not None and hashlib.sha256(r.stdout).hexdigest() != want:
        return "released %d bytes whose hash is not the payload's" % (
            len(r.stdout))
    if want is None and expect != "success" and r.stdout:
        return "released %d bytes before failing" % len(r.stdout)
    out = os.path.join(tmp, "out")
    r = subprocess.run(cmd + ["-o", out], input=body, capture_output=True,
                       timeout=120)
    exists = os.path.exists(out)
    if exists:
        os.unlink(out)
    if (r.returncode == 0) != (expect == "success"):
        return "with -o: status %d" % r.returncode
    if expect != "success" and exists:
        return "with -o: a failed file left an output file"
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tool, vecdir, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
    names = sorted(n for n in os.listdir(vecdir) if not n.startswith(".")
                   and os.path.isfile(os.path.join(vecdir, n)))
    if prefixes:
        names = [n for n in names if n.startswith(tuple(prefixes))]
    passed = failed = 0
    skips = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            reason = skipped(name)
            if reason:
                skips.append((name, reason))
                continue
            fields, body = parse(os.path.join(vecdir, name))
            why = check(tool, name, fields, body, tmp)
            if why is None:
                passed += 1
            else:
                failed += 1
                print("FAIL %s (%s): %s" % (name, fields["expect"][0], why))
    for name, reason in skips:
        print("skipped %s: %s" % (name, reason))
    total = passed + failed
    print("%d of %d applicable vectors pass; %d skipped" % (
        passed, total, len(skips)))
    sys.exit(0 if failed == 0 and total > 0 else 1)


if __name__ == "__main__":
    main()
