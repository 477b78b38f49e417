#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""An rsapipe stream decoder (versions 1 and 2) written from doc/FORMAT.md alone.

It shares no code with lib/ or tests/streamtool.py: its purpose is to show
that the format document is enough to read what rsa-encrypt writes.

usage: independent-decoder.py -i KEY.pem [-i KEY.pem ...] [--from PUB.pem]
                              [--session FILE] [STREAM]

Writes the plaintext to stdout, one record at a time and only after the
record's tag verified.  A stream that fails any check FORMAT.md names
gives one line "independent-decoder: cause" on stderr and exit status 1;
a key or session file that cannot be used gives status 2 (as argparse
does for usage errors), and a crash of this script status 3, so neither
can pass for a refused stream.
"""

import argparse
import base64
import hashlib
import hmac
import sys

try:
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as e:
    # Exit 2, not 1: a missing module must not pass for a refused stream.
    print("independent-decoder: %s (apt-get install python3-cryptography)" % e,
          file=sys.stderr)
    sys.exit(2)

PROG = "independent-decoder"

MAGIC = b"RSAPIPE"
VERSION = 1
VERSION_SSHSIG = 2                    # signed with an SSHSIG (section 2.1)
SSHSIG_NS = b"stream-v1@rsapipe"
MAX_SSHSIG = 8192
FLAG_SIGNED = 0x01
FLAG_SESSION = 0x02
OAEP_LABEL = b"rsapipe/v1"
SIG_CONTEXT = b"rsapipe/v1 stream signature" + b"\x00"
MIN_MOD, MAX_MOD = 256, 2048          # modulus sizes in bytes
MAX_STANZAS = 64
MAX_RECORD = 65536
TAG_LEN = 16
SESSION_LEN = 32
ARMOR_BEGIN = b"-----BEGIN RSAPIPE MESSAGE-----"
ARMOR_END = b"-----END RSAPIPE MESSAGE-----"


class Fail(Exception):
    """A reason to refuse the stream."""


# --- primitives -----------------------------------------------------------

def hkdf_sha256(ikm, salt, info, length=32):
    """HKDF-SHA256, RFC 5869: extract then expand."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, n = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([n]), hashlib.sha256).digest()
        out += block
        n += 1
    return out[:length]


def key_id(public_key):
    """First 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo."""
    spki = public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()[:8]


def modulus_bytes(public_key):
    return (public_key.key_size + 7) // 8


# --- input: binary or armored ---------------------------------------------

class BinaryInput:
    def __init__(self, f, prefix=b""):
        self.f = f
        self.buf = prefix

    def read(self, n):
        """Up to n bytes; fewer only at end of input."""
        while len(self.buf) < n:
            chunk = self.f.read(max(n - len(self.buf), 65536))
            if not chunk:
                break
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def at_end(self):
        return self.read(1) == b""


class ArmorInput:
    """Base64 between the BEGIN and END lines, decoded as it is read."""

    def __init__(self, f, first_line_rest):
        self.f = f
        self.buf = b""          # decoded, not yet consumed
        self.pending = b""      # base64 characters not yet a whole quantum
        self.done = False       # END line (or end of input) seen
        self.padded = False     # a quantum with '=' seen: nothing may follow
        if first_line_rest.strip(b"\r\n") != b"":
            raise Fail("malformed armor: text after the BEGIN line")

    def _fill(self):
        line = self.f.readline()
        if not line or line.rstrip(b"\r\n") == ARMOR_END:
            # Without an END line the armor ends with the input: whether
            # the message is complete is for the binary stream to say.
            if self.pending:
                raise Fail("malformed armor: bad base64 length")
            self.done = True
            return
        # Whitespace is no part of the base64, wherever it is.
        chars = line.translate(None, b" \t\r\n")
        if not chars:
            return
        if self.padded:
            raise Fail("malformed armor: base64 after padding")
        self.pending += chars
        whole = len(self.pending) - len(self.pending) % 4
        quanta, self.pending = self.pending[:whole], self.pending[whole:]
        try:
            self.buf += base64.b64decode(quanta, validate=True)
        except ValueError:
            raise Fail("malformed armor: bad base64") from None
        if b"=" in quanta:
            if b"=" in quanta[:-4] or self.pending:
                raise Fail("malformed armor: base64 after padding")
            self.padded = True

    def read(self, n):
        while len(self.buf) < n and not self.done:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def at_end(self):
        # End of the binary stream is the END line; text after it is ignored.
        return self.read(1) == b""


def open_input(f):
    start = f.read(len(ARMOR_BEGIN))
    if start == ARMOR_BEGIN:
        return ArmorInput(f, f.readline())
    return BinaryInput(f, start)


# --- header -----------------------------------------------------------------

class Header:
    pass


def parse_header(inp):
    raw = bytearray()

    def take(n):
        b = inp.read(n)
        if len(b) < n:
            raise Fail("truncated header")
        raw.extend(b)
        return b

    magic = inp.read(len(MAGIC))
    if magic != MAGIC:
        raise Fail("not an rsapipe stream")
    raw.extend(magic)
    h = Header()
    version = take(1)[0]
    if version not in (VERSION, VERSION_SSHSIG):
        raise Fail("malformed header: unsupported version %d" % version)
    h.version = version
    h.flags = take(1)[0]
    if h.flags & ~(FLAG_SIGNED | FLAG_SESSION):
        raise Fail("malformed header: unknown flags %#04x" % h.flags)
    if version == VERSION_SSHSIG and not h.flags & FLAG_SIGNED:
        raise Fail("malformed header: version 2 without a signature")
    h.salt = take(16)
    count = take(1)[0]
    if not 1 <= count <= MAX_STANZAS:
        raise Fail("malformed header: %d stanzas" % count)
    h.stanzas = []
    for _ in range(count):
        kid = take(8)
        ctlen = int.from_bytes(take(2), "big")
        if not MIN_MOD <= ctlen <= MAX_MOD:
            raise Fail("malformed header: stanza length %d" % ctlen)
        h.stanzas.append((kid, take(ctlen)))
    h.session_tag = take(16) if h.flags & FLAG_SESSION else None
    h.signer_id = h.signature = None
    if h.flags & FLAG_SIGNED:
        h.signer_id = take(8)
        h.signed_part = bytes(raw)          # magic .. end of signer id
        siglen = int.from_bytes(take(2), "big")
        if not MIN_MOD <= siglen <= (MAX_MOD if version == VERSION
                                     else MAX_SSHSIG):
            raise Fail("malformed header: signature length %d" % siglen)
        h.signature = take(siglen)
    h.mac_input = bytes(raw)                # magic .. start of MAC
    h.mac = take(32)
    return h


def unwrap_file_key(h, keys):
    mine = [(key_id(k.public_key()), k) for k in keys]
    found = False
    for kid, ct in h.stanzas:
        for mykid, key in mine:
            if kid != mykid:
                continue
            found = True
            if len(ct) != modulus_bytes(key.public_key()):
                continue
            try:
                fk = key.decrypt(ct, padding.OAEP(
                    mgf=padding.MGF1(hashes.SHA256()),
                    algorithm=hashes.SHA256(), label=OAEP_LABEL))
            except ValueError:
                continue
            if len(fk) == 32:
                return fk
    if not found:
        raise Fail("not encrypted to this key")
    raise Fail("cannot decrypt the file key")


def ssh_string(b):
    return len(b).to_bytes(4, "big") + b


def ssh_take(b, off):
    """One SSH string of b at off: (bytes, next offset)."""
    if off + 4 > len(b):
        raise Fail("bad signature: SSHSIG truncated")
    n = int.from_bytes(b[off:off + 4], "big")
    if off + 4 + n > len(b):
        raise Fail("bad signature: SSHSIG truncated")
    return b[off + 4:off + 4 + n], off + 4 + n


def ssh_rsa_blob(pub):
    def mpint(x):
        return ssh_string(x.to_bytes((x.bit_length() + 8) // 8, "big"))
    nums = pub.public_numbers()
    return ssh_string(b"ssh-rsa") + mpint(nums.e) + mpint(nums.n)


def verify_sshsig(signer, blob, digest):
    """FORMAT.md section 2.1: every field, then PKCS#1 v1.5."""
    if blob[:10] != b"SSHSIG" + (1).to_bytes(4, "big"):
        raise Fail("bad signature: not an SSHSIG")
    fields, off = [], 10
    for _ in range(5):
        f, off = ssh_take(blob, off)
        fields.append(f)
    pk, ns, reserved, hash_alg, sig = fields
    if off != len(blob) or pk != ssh_rsa_blob(signer) or ns != SSHSIG_NS \
            or reserved != b"" or hash_alg != b"sha512":
        raise Fail("bad signature: SSHSIG fields")
    alg, off = ssh_take(sig, 0)
    s, off = ssh_take(sig, off)
    md = {b"rsa-sha2-256": hashes.SHA256(), b"rsa-sha2-512": hashes.SHA512()}
    if off != len(sig) or alg not in md or len(s) != modulus_bytes(signer):
        raise Fail("bad signature: SSHSIG algorithm or length")
    signed = (b"SSHSIG" + ssh_string(SSHSIG_NS) + ssh_string(b"") +
              ssh_string(b"sha512") +
              ssh_string(hashlib.sha512(digest).digest()))
    try:
        signer.verify(s, signed, padding.PKCS1v15(), md[alg])
    except InvalidSignature:
        raise Fail("bad signature") from None


def check_header(h, keys, session, signer):
    file_key = unwrap_file_key(h, keys)
    header_key = hkdf_sha256(file_key, h.salt, b"header")
    payload_key = hkdf_sha256(file_key, h.salt, b"payload")
    session_key = hkdf_sha256(file_key, h.salt, b"session")

    bound = bool(h.flags & FLAG_SESSION)
    if bound and session is None:
        raise Fail("stream is bound to a session")
    if not bound and session is not None:
        raise Fail("not bound to a session")
    s = session if bound else b""
    if bound:
        tag = hmac.new(session_key, session, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(tag, h.session_tag):
            raise Fail("wrong session")

    mac = hmac.new(header_key, h.mac_input + s, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, h.mac):
        raise Fail("header authentication failed")

    if signer is not None:
        if not h.flags & FLAG_SIGNED:
            raise Fail("stream is not signed")
        if h.signer_id != key_id(signer):
            raise Fail("signed by another key")
        if h.version == VERSION_SSHSIG:
            digest = hashlib.sha256(SIG_CONTEXT + h.signed_part + s).digest()
            verify_sshsig(signer, h.signature, digest)
            return payload_key
        if len(h.signature) != modulus_bytes(signer):
            raise Fail("bad signature")
        try:
            signer.verify(h.signature, SIG_CONTEXT + h.signed_part + s,
                          padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                      salt_length=32),
                          hashes.SHA256())
        except InvalidSignature:
            raise Fail("bad signature") from None
    return payload_key


# --- records ------------------------------------------------------------------

def decrypt_records(inp, payload_key, out):
    gcm = AESGCM(payload_key)
    i = 0
    while True:
        rh = inp.read(4)
        if len(rh) < 4:
            raise Fail("truncated")
        rtype = rh[0]
        length = int.from_bytes(rh[1:4], "big")
        if rtype not in (0, 1):
            raise Fail("malformed record: type %d" % rtype)
        if length > MAX_RECORD:
            raise Fail("malformed record: length %d" % length)
        if rtype == 0 and length == 0:
            raise Fail("malformed record: empty non-final record")
        body = inp.read(length + TAG_LEN)
        if len(body) < length + TAG_LEN:
            raise Fail("truncated")
        if i == 2**64 - 1:
            raise Fail("record counter overflow")
        nonce = i.to_bytes(11, "big") + bytes([rtype])
        try:
            pt = gcm.decrypt(nonce, body, rh)
        except InvalidTag:
            raise Fail("record %d authentication failed" % i) from None
        out.write(pt)
        out.flush()
        if rtype == 1:
            break
        i += 1
    if not inp.at_end():
        raise Fail("trailing data")


# --- command line ---------------------------------------------------------------

def load_private(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise Fail("%s: not an RSA private key" % path)
    return key


def load_public(path):
    with open(path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    if not isinstance(key, rsa.RSAPublicKey):
        raise Fail("%s: not an RSA public key" % path)
    return key


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="Decode an rsapipe "
                                 "stream (binary or armored).")
    ap.add_argument("-i", dest="keys", action="append", required=True,
                    metavar="KEY.pem", help="recipient private key (repeatable)")
    ap.add_argument("--from", dest="signer", metavar="PUB.pem",
                    help="require a valid signature by this public key")
    ap.add_argument("--session", metavar="FILE",
                    help="the 32-byte session context the stream is bound to")
    ap.add_argument("stream", nargs="?", default="-",
                    help="input file (default: standard input)")
    args = ap.parse_args(argv)
    try:
        keys = [load_private(p) for p in args.keys]
        signer = load_public(args.signer) if args.signer else None
        session = None
        if args.session is not None:
            with open(args.session, "rb") as f:
                session = f.read()
            if len(session) != SESSION_LEN:
                raise Fail("%s: a session context is %d bytes"
                           % (args.session, SESSION_LEN))
        f = sys.stdin.buffer if args.stream == "-" else open(args.stream, "rb")
    except (Fail, OSError, ValueError, TypeError) as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    try:
        with f:
            inp = open_input(f)
            h = parse_header(inp)
            payload_key = check_header(h, keys, session, signer)
            decrypt_records(inp, payload_key, sys.stdout.buffer)
    except Fail as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    except SystemExit:
        raise
    except BaseException:               # a bug here, not a refused stream
        import traceback
        traceback.print_exc()
        status = 3
    sys.exit(status)
