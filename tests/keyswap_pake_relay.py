# SPDX-License-Identifier: ISC
"""A man in the middle of a keyswap invite that runs its own SPAKE2.

  keyswap_pake_relay.py A_IN A_OUT B_IN B_OUT WORDS

Sits between the inviter (reads A_IN, writes A_OUT) and the caller (B_IN,
B_OUT): replaces the share in each hello with one of its own, made with
its guess WORDS for invite NUMBER (toward the inviter it plays the
caller, toward the caller the inviter), exactly as an attacker who
guesses the code would (the number it reads from the hello: it is sent
in the clear), then passes every other frame unchanged.  Its
own P-256 arithmetic (affine, textbook) and hashlib's scrypt: nothing of
rsapipe's.
"""
import hashlib
import os
import secrets
import struct
import sys
import threading

P = 2**256 - 2**224 + 2**192 + 2**96 - 1
A = P - 3
N_ORDER = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)
G = (int("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", 16),
     int("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", 16))
B_COEF = int("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16)


def decompress(hexstr):
    raw = bytes.fromhex(hexstr)
    x = int.from_bytes(raw[1:], "big")
    y = pow((x * x * x + A * x + B_COEF) % P, (P + 1) // 4, P)
    if y % 2 != raw[0] % 2:
        y = P - y
    return (x, y)


M = decompress("02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f")
N = decompress("03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49")


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    if p1[0] == p2[0] and (p1[1] + p2[1]) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * p1[0] * p1[0] + A) * pow(2 * p1[1], -1, P) % P
    else:
        lam = (p2[1] - p1[1]) * pow(p2[0] - p1[0], -1, P) % P
    x = (lam * lam - p1[0] - p2[0]) % P
    return (x, (lam * (p1[0] - x) - p1[1]) % P)


def mul(k, pt):
    acc = None
    while k:
        if k & 1:
            acc = add(acc, pt)
        pt = add(pt, pt)
        k >>= 1
    return acc


def share(role_const, number, words):
    salt = b"rsapipe invite v2" + struct.pack(">H", number)
    wide = hashlib.scrypt(words.encode(), salt=salt, n=32768, r=8, p=1,
                          dklen=48, maxmem=64 * 1024 * 1024)
    w = int.from_bytes(wide, "big") % N_ORDER
    pt = add(mul(secrets.randbelow(N_ORDER), G), mul(w, role_const))
    return b"\x04" + pt[0].to_bytes(32, "big") + pt[1].to_bytes(32, "big")


def read_exact(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def write(fd, data):
    while data:
        data = data[os.write(fd, data):]


def frame(fd):
    header = read_exact(fd, 8)
    if header is None:
        return None
    return header + read_exact(fd, struct.unpack(">H", header[6:8])[0])


def replace_share(hello, new):
    # The invite field is the last 2 + 68 bytes; its share the last 65.
    return hello[:-65] + new


def pump(src, dst):
    try:
        while True:
            f = frame(src)
            if f is None:
                break
            write(dst, f)
    except OSError:
        pass
    os.close(dst)


def main():
    a_in, a_out, b_in, b_out, words = sys.argv[1:6]
    to_a = os.open(a_out, os.O_WRONLY)
    from_a = os.open(a_in, os.O_RDONLY)
    to_b = os.open(b_out, os.O_WRONLY)
    from_b = os.open(b_in, os.O_RDONLY)
    hello_a = frame(from_a)
    number = struct.unpack(">H", hello_a[-67:-65])[0]
    write(to_b, replace_share(hello_a, share(M, number, words)))
    hello_b = frame(from_b)
    write(to_a, replace_share(hello_b, share(N, number, words)))
    t = threading.Thread(target=pump, args=(from_a, to_b))
    t.start()
    pump(from_b, to_a)
    t.join()


main()
