#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The echo service at scale, for bench/run.sh (doc/PERFORMANCE.md, T10).

    service.py RESULTS WORKDIR ROUNDS SECONDS BURST ROOT SSH-DIR SSH-PORT

The service is examples/echo-service.sh as inetd runs it: one copy per
connection with the connection itself as stdin and stdout (socat
TCP-LISTEN,fork EXEC:...,nofork), its identity made beforehand (a
returning service) and its key pool in a private runtime directory.  The
client is examples/echo-client.sh pinned with --peer, with a runtime
directory of its own (its pool).  ssh is `ssh ... localhost true` against
the private sshd run.sh started from SSH-DIR (RSA-3072 host and user
keys; MaxStartups raised so a burst is not refused).

T10a, one session: ROUNDS interleaved samples of one echo session (one
line, from start to exit) and of `ssh true`, after warm-ups.
T10b, a burst: BURST concurrent first connections to a cold service (no
identity, no pool: the first copies make them), the clients one person
trusting on first use, against BURST concurrent `ssh true`: the time to
the last exit, and how many failed or said "timed out".
T10c, sustained: 8 clients back to back for SECONDS, sessions per second
and CPU seconds per session on each side: the server's from its listener's
/proc/PID/stat (its own time and its waited-for children's: every copy of
the service, every sshd child), the clients' from this script's waited
children.  The clients' pool fillers, which outlive the client that
started them, are not counted (one key per 60 s window).

Writes RESULTS/t10.txt, "key value" lines.
"""
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chatsetup import (Person, free_port, known_host,  # noqa: E402
                       listening, ssh_command, stop, wait_for)

CLK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """utime + stime + cutime + cstime of pid, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / CLK


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Service:
    def __init__(self, root, person, identity):
        self.port = free_port()
        env = dict(person.env)
        if identity:
            env["RSAPIPE_SERVICE_IDENTITY"] = identity
        self.log = open(os.path.join(person.base, "service.log"), "ab")
        self.proc = subprocess.Popen(
            ["socat", "TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr,backlog=512"
             % self.port,
             "EXEC:%s/examples/echo-service.sh,nofork" % root],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.log, start_new_session=True)
        wait_for("the echo service", lambda: listening(self.port))

    def stop(self):
        stop(self.proc)
        self.log.close()


def echo_cmd(root, port, pin):
    cmd = [os.path.join(root, "examples", "echo-client.sh")]
    if pin:
        cmd += ["--peer", pin]
    return cmd + ["127.0.0.1", str(port)]


def run_echo(cmd, env, text=b"hello\n"):
    """(seconds, status, stderr) of one echo session."""
    t0 = time.monotonic()
    r = subprocess.run(cmd, input=text, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    t = time.monotonic() - t0
    ok = r.returncode == 0 and r.stdout == text
    return t, (0 if ok else (r.returncode or 1)), r.stderr


def run_ssh(cmd):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=300)
    return time.monotonic() - t0, r.returncode, r.stderr


def burst(n, start_one):
    """Start n at once; (seconds to the last, [(status, stderr)])."""
    results = [None] * n
    t0 = time.monotonic()

    def one(i):
        _, status, err = start_one(i)
        results[i] = (status, err)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, results


def sustained(seconds, workers, run_one):
    """Back-to-back sessions from `workers` threads for `seconds`:
    (sessions completed, failures, wall seconds)."""
    done = [0] * workers
    failed = [0] * workers
    stop_at = time.monotonic() + seconds

    def loop(w):
        while time.monotonic() < stop_at:
            _, status, _ = run_one()
            if status == 0:
                done[w] += 1
            else:
                failed[w] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=loop, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), sum(failed), time.monotonic() - t0


def main():
    (res, work, rounds, seconds, nburst, root, ssh_dir,
     ssh_port) = sys.argv[1:9]
    rounds, seconds, nburst = int(rounds), int(seconds), int(nburst)
    ssh_port = int(ssh_port)
    with open(os.path.join(ssh_dir, "sshd.pid")) as f:
        sshd_pid = int(f.read())
    known_host(ssh_dir, ssh_port)
    ssh = ssh_command(ssh_dir, ssh_port)
    out = open(os.path.join(res, "t10.txt"), "w")

    def record(key, value):
        out.write("%s %s\n" % (key, value))
        out.flush()

    # A returning service and a returning client.
    svc = Person(os.path.join(work, "svc"))
    cli = Person(os.path.join(work, "cli"))
    for p in (svc, cli):
        conf = os.path.join(p.home, ".config", "rsapipe")
        os.makedirs(conf, mode=0o700, exist_ok=True)
        subprocess.run(["rsa-keygen", "-q", "-o", os.path.join(conf, "identity.pem"),
                        "--public", os.path.join(conf, "identity.pub")], check=True)
    identity = os.path.join(svc.home, ".config", "rsapipe", "identity.pem")
    pin = os.path.join(svc.home, ".config", "rsapipe", "identity.pub")
    service = Service(root, svc, identity)
    echo = echo_cmd(root, service.port, pin)

    def one_echo():
        return run_echo(echo, cli.env)

    for _ in range(3):
        t, status, err = one_echo()
        if status != 0:
            sys.exit("service.py: warm-up echo failed: %s" % err.decode())
        run_ssh(ssh)

    print("service.py: t10a, %d interleaved rounds" % rounds, file=sys.stderr)
    for i in range(rounds):
        pair = [("echo_rsapipe_s", one_echo), ("echo_ssh_s", lambda: run_ssh(ssh))]
        if i % 2:
            pair.reverse()
        for key, fn in pair:
            t, status, err = fn()
            if status != 0:
                sys.exit("service.py: %s failed: %s" % (key, err.decode()))
            record(key, "%.4f" % t)

    print("service.py: t10c, 8 clients for %d s each side" % seconds,
          file=sys.stderr)
    for key, run_one, server_pid in (
            ("rsapipe", one_echo, service.proc.pid),
            ("ssh", lambda: run_ssh(ssh), sshd_pid)):
        s0, c0 = cpu_of(server_pid), children_cpu()
        n, failed, wall = sustained(seconds, 8, run_one)
        if key == "rsapipe":
            # The last copies of the service end (and are waited for)
            # once their sessions are over.
            time.sleep(1)
        s1, c1 = cpu_of(server_pid), children_cpu()
        record("sustained_%s_sessions" % key, n)
        record("sustained_%s_failed" % key, failed)
        record("sustained_%s_rate" % key, "%.3f" % (n / wall))
        record("sustained_%s_server_cpu" % key, "%.4f" % ((s1 - s0) / max(n, 1)))
        record("sustained_%s_client_cpu" % key, "%.4f" % ((c1 - c0) / max(n, 1)))
    service.stop()

    print("service.py: t10b, bursts of %d" % nburst, file=sys.stderr)
    cold = Person(os.path.join(work, "cold-svc"))
    load = Person(os.path.join(work, "load"))
    conf = os.path.join(load.home, ".config", "rsapipe")
    os.makedirs(conf, mode=0o700, exist_ok=True)
    shutil.copy(os.path.join(cli.home, ".config", "rsapipe", "identity.pem"), conf)
    service = Service(root, cold, None)
    cold_echo = echo_cmd(root, service.port, None)
    took, results = burst(nburst, lambda i: run_echo(cold_echo, load.env,
                                                       b"hello %d\n" % i))
    service.stop()
    record("burst_rsapipe_s", "%.3f" % took)
    record("burst_rsapipe_failed", sum(1 for s, _ in results if s != 0))
    record("burst_rsapipe_timed_out",
           sum(1 for _, e in results if b"timed out" in e))
    idlog = open(os.path.join(cold.base, "service.log"), "rb").read()
    record("burst_rsapipe_identities", idlog.count(b"creating your identity"))
    took, results = burst(nburst, lambda i: run_ssh(ssh))
    record("burst_ssh_s", "%.3f" % took)
    record("burst_ssh_failed", sum(1 for s, _ in results if s != 0))
    out.close()


if __name__ == "__main__":
    main()
