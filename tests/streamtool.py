#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""streamtool: take rsapipe streams (versions 1 and 2) apart, as doc/FORMAT.md describes
them, to build attacks and check results in the test suites.

  streamtool.py layout FILE              header length and records
  streamtool.py stanza FILE INDEX OUT    one stanza's OAEP ciphertext
  streamtool.py check-mac FILE KEYFILE   verify the header MAC with a
                                         recovered file key (independent
                                         HKDF/HMAC from Python's hashlib)
  streamtool.py forge-signer FILE KEYFILE IDFILE OUT
                                         put another signer id in a signed
                                         header and recompute its MAC, as
                                         a recipient could
  streamtool.py set-stanza FILE INDEX CT KEYFILE OUT
                                         put another OAEP ciphertext (same
                                         length) in a stanza and recompute
                                         the MAC, as the sender could
  streamtool.py set-version FILE KEYFILE VERSION OUT
                                         another version byte (the
                                         signature scheme), MAC recomputed
  streamtool.py flip-sig FILE KEYFILE OUT
                                         flip the signature's last bit,
                                         MAC recomputed, as a recipient could
  streamtool.py set-sig FILE KEYFILE SIG OUT
                                         put another signature (armored
                                         SSHSIG) in a signed header, MAC
                                         recomputed
  streamtool.py sshsig FILE [SESSION] DATA SIG
                                         a version 2 stream's signed digest
                                         D (doc/FORMAT.md 2.1) into DATA and
                                         its SSHSIG, armored as ssh-keygen
                                         writes it, into SIG
  streamtool.py reorder FILE OUT         swap the first two records
  streamtool.py duplicate FILE OUT       repeat the first record
  streamtool.py drop FILE INDEX OUT      remove one record
  streamtool.py splice A B OUT           A's header with B's first record
  streamtool.py chunked OUT CHUNK... -- CMD...
                                         run an encryptor, feeding one
                                         chunk per record
  streamtool.py tamper FILE PLAIN -- CMD...
  streamtool.py truncate FILE PLAIN -- CMD...
     run CMD (a decryptor reading stdin) on every one-bit flip / every
     truncation of FILE; each must exit 1 and write only whole records.
"""
import base64
import hashlib
import hmac
import os
import subprocess
import sys

MAGIC = b"RSAPIPE"
VERSIONS = (1, 2)
SIG_CONTEXT = b"rsapipe/v1 stream signature\x00"


def fail(msg):
    sys.stderr.write("streamtool: %s\n" % msg)
    sys.exit(2)


def header_len(d):
    """Length of the header at the start of d, or None if incomplete."""
    if len(d) < 26:
        return None
    if d[:7] != MAGIC or d[7] not in VERSIONS:
        fail("not an rsapipe stream of version 1 or 2")
    flags, count, off = d[8], d[25], 26
    for _ in range(count):
        if len(d) < off + 10:
            return None
        off += 10 + int.from_bytes(d[off + 8:off + 10], "big")
    if flags & 2:
        off += 16
    if flags & 1:
        if len(d) < off + 10:
            return None
        off += 10 + int.from_bytes(d[off + 8:off + 10], "big")
    off += 32
    return off if len(d) >= off else None


def signature_at(d):
    """Offset of the signer id, and of the signature and its length."""
    if not d[8] & 1:
        fail("stream is not signed")
    off = 26
    for _ in range(d[25]):
        off += 10 + int.from_bytes(d[off + 8:off + 10], "big")
    if d[8] & 2:
        off += 16
    n = int.from_bytes(d[off + 8:off + 10], "big")
    return off, off + 10, n


def remac(d, key):
    """Recompute the MAC of d (a bytearray) with the file key."""
    hl = header_len(d)
    mac_key = hkdf(key, bytes(d[9:25]), b"header")
    d[hl - 32:hl] = hmac.new(mac_key, bytes(d[:hl - 32]),
                             hashlib.sha256).digest()


def sshsig(args):
    d = read(args[0])
    session = read(args[1]) if len(args) == 4 else b""
    signer, sig, n = signature_at(d)
    digest = hashlib.sha256(SIG_CONTEXT + d[:signer + 8] + session).digest()
    write(args[-2], digest)
    b64 = base64.b64encode(d[sig:sig + n]).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    write(args[-1], ("-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) +
                     "\n-----END SSH SIGNATURE-----\n").encode())


def set_sig(args):
    d, key = read(args[0]), read(args[1])
    text = read(args[2]).decode().split("\n")
    blob = base64.b64decode("".join(text[1:text.index(
        "-----END SSH SIGNATURE-----")]))
    hl = header_len(d)
    _, sig, n = signature_at(d)
    out = bytearray(d[:sig - 2] + len(blob).to_bytes(2, "big") + blob +
                    d[sig + n:hl])
    remac(out, key)
    write(args[3], bytes(out) + d[hl:])


def records(d):
    """Header length and [(offset, size, plaintext length, final)]."""
    off = header_len(d)
    if off is None:
        fail("truncated header")
    hl, out = off, []
    while off < len(d):
        n = int.from_bytes(d[off + 1:off + 4], "big")
        out.append((off, n + 20, n, d[off] == 1))
        off += n + 20
    return hl, out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def hkdf(ikm, salt, info, n=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    t, out, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def split_cmd(args):
    if "--" not in args:
        fail("missing -- before the command")
    i = args.index("--")
    return args[:i], args[i + 1:]


def run_attacks(data, plain, cmd, variants):
    """Run cmd on each variant; the output must be a prefix made of
    whole records and the exit status 1.  Returns the failure count."""
    _, recs = records(data)
    prefixes, cum = {b""}, 0
    for (_, _, n, _) in recs:
        cum += n
        prefixes.add(plain[:cum])
    failures = 0
    for what, variant in variants:
        p = subprocess.run(cmd, input=variant, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        err = p.stderr.decode(errors="replace").strip()
        if p.returncode != 1 or p.stdout not in prefixes or "\n" in err:
            failures += 1
            sys.stderr.write("%s: exit %d, %d bytes out, stderr %r\n" %
                             (what, p.returncode, len(p.stdout), err))
    return failures


def main(argv):
    if len(argv) < 2:
        fail("usage: see the top of this file")
    verb, args = argv[1], argv[2:]
    if verb == "layout":
        hl, recs = records(read(args[0]))
        print("header %d" % hl)
        for (off, size, n, final) in recs:
            print("record %d %d %d %s" % (off, size, n,
                                          "final" if final else "more"))
    elif verb == "stanza":
        d, idx = read(args[0]), int(args[1])
        off = 26
        for i in range(d[25]):
            n = int.from_bytes(d[off + 8:off + 10], "big")
            if i == idx:
                write(args[2], d[off + 10:off + 10 + n])
                return 0
            off += 10 + n
        fail("no stanza %d" % idx)
    elif verb == "check-mac":
        d, key = read(args[0]), read(args[1])
        hl = header_len(d)
        if d[8] & 2:
            fail("session-bound streams need the session")
        mac_key = hkdf(key, d[9:25], b"header")
        want = hmac.new(mac_key, d[:hl - 32], hashlib.sha256).digest()
        if not hmac.compare_digest(want, d[hl - 32:hl]):
            print("MAC mismatch")
            return 1
        print("MAC ok")
    elif verb == "forge-signer":
        d, key, new_id = bytearray(read(args[0])), read(args[1]), read(args[2])
        hl = header_len(d)
        if not d[8] & 1:
            fail("stream is not signed")
        off = 26
        for _ in range(d[25]):
            off += 10 + int.from_bytes(d[off + 8:off + 10], "big")
        if d[8] & 2:
            off += 16
        d[off:off + 8] = new_id
        mac_key = hkdf(key, bytes(d[9:25]), b"header")
        d[hl - 32:hl] = hmac.new(mac_key, bytes(d[:hl - 32]),
                                 hashlib.sha256).digest()
        write(args[3], bytes(d))
    elif verb == "set-version":
        d = bytearray(read(args[0]))
        d[7] = int(args[2])
        remac(d, read(args[1]))
        write(args[3], bytes(d))
    elif verb == "flip-sig":
        d = bytearray(read(args[0]))
        _, sig, n = signature_at(d)
        d[sig + n - 1] ^= 1
        remac(d, read(args[1]))
        write(args[2], bytes(d))
    elif verb == "set-sig":
        set_sig(args)
    elif verb == "sshsig":
        sshsig(args)
    elif verb == "set-stanza":
        d, idx = bytearray(read(args[0])), int(args[1])
        ct, key = read(args[2]), read(args[3])
        hl, off = header_len(d), 26
        for _ in range(idx):
            off += 10 + int.from_bytes(d[off + 8:off + 10], "big")
        if idx >= d[25] or int.from_bytes(d[off + 8:off + 10], "big") != len(ct):
            fail("no stanza %d of that length" % idx)
        d[off + 10:off + 10 + len(ct)] = ct
        mac_key = hkdf(key, bytes(d[9:25]), b"header")
        d[hl - 32:hl] = hmac.new(mac_key, bytes(d[:hl - 32]),
                                 hashlib.sha256).digest()
        write(args[4], bytes(d))
    elif verb in ("reorder", "duplicate", "drop"):
        d = read(args[0])
        hl, recs = records(d)
        parts = [d[o:o + s] for (o, s, _, _) in recs]
        if verb == "reorder":
            parts[0], parts[1] = parts[1], parts[0]
        elif verb == "duplicate":
            parts.insert(1, parts[0])
        else:
            del parts[int(args[1])]
        write(args[-1], d[:hl] + b"".join(parts))
    elif verb == "splice":
        a, b = read(args[0]), read(args[1])
        hla, ra = records(a)
        _, rb = records(b)
        (bo, bs, _, _) = rb[0]
        rest = b"".join(a[o:o + s] for (o, s, _, _) in ra[1:])
        write(args[2], a[:hla] + b[bo:bo + bs] + rest)
    elif verb == "chunked":
        opts, cmd = split_cmd(args)
        out_path, chunks = opts[0], [c.encode() for c in opts[1:]]
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
        got = b""
        while header_len(got) is None:
            got += os.read(p.stdout.fileno(), 65536)
        for c in chunks:
            want = len(got) + len(c) + 20
            os.write(p.stdin.fileno(), c)
            # Each chunk is one record; wait for it before the next.
            while len(got) < want:
                more = os.read(p.stdout.fileno(), 65536)
                if not more:
                    fail("encryptor ended early")
                got += more
        p.stdin.close()
        got += p.stdout.read()
        if p.wait() != 0:
            fail("encryptor failed")
        write(out_path, got)
    elif verb == "tamper":
        opts, cmd = split_cmd(args)
        d, plain = read(opts[0]), read(opts[1])
        variants = []
        for i in range(len(d)):
            v = bytearray(d)
            v[i] ^= 1 << (i % 8)
            variants.append(("flip byte %d bit %d" % (i, i % 8), bytes(v)))
        n = run_attacks(d, plain, cmd, variants)
        print("%d flips, %d failures" % (len(variants), n))
        return 1 if n else 0
    elif verb == "truncate":
        opts, cmd = split_cmd(args)
        d, plain = read(opts[0]), read(opts[1])
        variants = [("truncate at %d" % i, d[:i]) for i in range(len(d))]
        n = run_attacks(d, plain, cmd, variants)
        print("%d truncations, %d failures" % (len(variants), n))
        return 1 if n else 0
    else:
        fail("unknown verb %s" % verb)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
