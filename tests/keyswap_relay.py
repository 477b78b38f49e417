# SPDX-License-Identifier: ISC
"""A frame-aware relay to play the network between two keyswap peers.

  keyswap_relay.py substitute DER  replace the session key in the first
                                   hello with DER, pass the rest
  keyswap_relay.py hold            pass hello and proof, then hold the rest
                                   until EOF and write it in one go
  keyswap_relay.py verdict VALUE   pass hello and proof, put the byte VALUE
                                   in the verdict body, then stop: a peer
                                   whose verdict this version may not know
"""
import os
import struct
import sys


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def frame():
    header = read_exact(8)
    return header, read_exact(struct.unpack(">H", header[6:8])[0])


def write(data):
    while data:
        data = data[os.write(1, data):]


def read_rest():
    rest = b""
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            return rest
        rest += chunk


def substitute(path):
    with open(path, "rb") as f:
        new = f.read()
    header, body = frame()
    n = struct.unpack(">H", body[:2])[0]
    identity = body[:2 + n]
    m = struct.unpack(">H", body[2 + n:4 + n])[0]
    nonce = body[4 + n + m:]
    body = identity + struct.pack(">H", len(new)) + new + nonce
    write(header[:6] + struct.pack(">H", len(body)) + body)


def pass_frames(count):
    for _ in range(count):
        header, body = frame()
        write(header + body)


def main():
    mode = sys.argv[1]
    if mode == "verdict":
        pass_frames(2)
        header, _ = frame()
        write(header + bytes([int(sys.argv[2])]))
        return
    if mode == "substitute":
        substitute(sys.argv[2])
    elif mode == "hold":
        pass_frames(2)
        write(read_rest())
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        write(chunk)


main()
