#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Lock-step echo client for bench/run.sh (doc/PERFORMANCE.md, T3).

    echo.py plain PORT LINES
    echo.py hops PORT LINES
    echo.py rsapipe PORT LINES IDENTITY SERVICE-PUB SESSION-DIR

Sends LINES lines one at a time to 127.0.0.1:PORT, waiting for each echo
before sending the next, and checks every echo.  "plain" talks to the
socket directly (the server is `socat ... EXEC:cat`); "rsapipe" is a chat
client: keyswap with examples/echo-service.sh (a fresh 3072-bit session
key made beforehand, not timed here), then one rsa-encrypt and one
rsa-decrypt --stop-at-final kept open for the whole loop.  "hops" is the
rsapipe client's shape without the cryptography: a cat where each of
rsa-encrypt and rsa-decrypt would be (the server runs `cat | cat`), so
the two differ only by the work inside those processes.

Prints "keyswap_s S", "loop_s S", "rtt_us U" (per line).
"""
import os
import socket
import subprocess
import sys
import time


def connect(port):
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port))
        except ConnectionRefusedError:
            time.sleep(0.02)
    sys.exit("echo.py: cannot connect to port %d" % port)


def lines(n):
    # Distinct lines, so an echo out of order or from an earlier line fails.
    return [("line %06d of the lock-step echo benchmark\n" % i).encode()
            for i in range(n)]


def loop(send, recv_line, n):
    start = time.monotonic()
    for line in lines(n):
        send(line)
        back = recv_line()
        if back != line:
            sys.exit("echo.py: echo differs: %r != %r" % (back, line))
    return time.monotonic() - start


def plain(port, n):
    sock = connect(port)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb", buffering=0)
    buffered = b""

    def recv_line():
        nonlocal buffered
        while b"\n" not in buffered:
            chunk = reader.read(65536)
            if not chunk:
                sys.exit("echo.py: connection closed early")
            buffered += chunk
        line, _, buffered = buffered.partition(b"\n")
        return line + b"\n"

    t = loop(sock.sendall, recv_line, n)
    sock.close()
    return 0.0, t


def rsapipe(port, n, identity=None, service_pub=None, session=None):
    sock = connect(port)
    fd = sock.fileno()
    if identity is None:
        # "hops": cat stands in for each rsapipe program.
        keyswap = 0.0
        enc_cmd = dec_cmd = ["cat"]
    else:
        start = time.monotonic()
        subprocess.run(["keyswap", "--identity", identity,
                        "--session-key", session + "/session.pem",
                        "--peer-out", session + "/peer.pub",
                        "--session-out", session + "/context",
                        "--peer", service_pub],
                       stdin=fd, stdout=fd, check=True)
        keyswap = time.monotonic() - start
        enc_cmd = ["rsa-encrypt", "-r", session + "/peer.pub",
                   "-s", session + "/session.pem",
                   "--session", session + "/context"]
        dec_cmd = ["rsa-decrypt", "-i", session + "/session.pem",
                   "--from", session + "/peer.pub",
                   "--session", session + "/context", "--stop-at-final"]
    enc = subprocess.Popen(enc_cmd, stdin=subprocess.PIPE, stdout=fd,
                           bufsize=0)
    dec = subprocess.Popen(dec_cmd, stdin=fd, stdout=subprocess.PIPE,
                           bufsize=0)
    buffered = b""

    def send(line):
        enc.stdin.write(line)

    def recv_line():
        nonlocal buffered
        while b"\n" not in buffered:
            chunk = os.read(dec.stdout.fileno(), 65536)
            if not chunk:
                sys.exit("echo.py: rsa-decrypt ended early")
            buffered += chunk
        line, _, buffered = buffered.partition(b"\n")
        return line + b"\n"

    t = loop(send, recv_line, n)
    # Our final record, then a half-close: the service ends its stream,
    # which ends our rsa-decrypt (or the cats, in "hops").
    enc.stdin.close()
    if enc.wait() != 0:
        sys.exit("echo.py: rsa-encrypt failed")
    sock.shutdown(socket.SHUT_WR)
    if dec.stdout.read() != b"" or dec.wait() != 0:
        sys.exit("echo.py: rsa-decrypt failed")
    sock.close()
    return keyswap, t


def main():
    mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "plain":
        keyswap, t = plain(port, n)
    elif mode == "hops":
        keyswap, t = rsapipe(port, n)
    else:
        keyswap, t = rsapipe(port, n, *sys.argv[4:7])
    print("keyswap_s %.4f" % keyswap)
    print("loop_s %.4f" % t)
    print("rtt_us %.1f" % (t / n * 1e6))


if __name__ == "__main__":
    main()
