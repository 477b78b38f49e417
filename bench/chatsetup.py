#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Chat setup latency for bench/run.sh (doc/PERFORMANCE.md, T8).

    chatsetup.py RESULTS WORKDIR ROUNDS COLD CLIENT SERVER SSH-DIR SSH-PORT

rsapipe: the time from starting `CLIENT --accept-new 127.0.0.1 PORT`
(tools/rsa-chat-client.sh) until its stderr shows "secure session with",
against `SERVER PORT` (tools/rsa-chat-server.sh) started beforehand, a
fresh one per sample (a server serves one chat), and waited for: its port
listening (read from /proc/net/tcp, no connection made) and its session
key ready.  Each side has its own HOME, XDG_CONFIG_HOME and a private
0700 XDG_RUNTIME_DIR, kept across samples: the chat keeps the next
session's key (the "spare") there, so after one warm-up chat every sample
is what a returning user sees.  The client's input is a pipe; "exit" is
sent once the line appeared and both sides' spares are made, so every
chat ends normally.

ssh: `ssh -i KEY -p PORT ... localhost true` against the private sshd that
run.sh started from SSH-DIR (RSA-3072 host and user keys, the host key
already in the known-hosts file), from start to exit.  Once with ssh's
default key exchange (the reference), once with curve25519-sha256 only
(context: the default, sntrup761x25519, costs more CPU).

rsapipe with an agent identity: the same chat, both sides proving their
identity with an RSA-3072 key held by an ssh-agent this script starts on
a private socket (`--identity agent:SHA256:...` through
RSAPIPE_IDENTITY, the key files deleted once added), homes of their own,
kept across samples like the file identity's.

rsapipe with a code: `SERVER --invite NAME PORT`, waited for until its
stderr shows the code (its session key is ready then), and `CLIENT
--code CODE 127.0.0.1 PORT`, timed like the others: a first contact
set up by a code between returning users (identities and spares there).

The five run interleaved, ROUNDS rounds, the order rotating each round,
after one warm-up of each.  COLD first-ever chats (new homes: both
identities and the client's session key made on the spot) are timed
apart; the warm-up chat is the first of them.

Writes RESULTS/t8.txt: "chat_rsapipe_s S", "chat_rsapipe_agent_s S",
"chat_rsapipe_code_s S", "chat_ssh_s S", "chat_ssh_c25519_s S",
"chat_cold_s S" lines, one per sample, and
"chat_spare_missing N" (steady samples whose client had no spare).
"""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

LINE = b"secure session with"
BITS = "3072"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    """Something listens on TCP port (from /proc/net/tcp)."""
    needle = ":%04X 00000000:0000 0A" % port
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                if needle in f.read():
                    return True
        except OSError:
            pass
    return False


def wait_for(what, test, timeout=60.0, step=0.01):
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            sys.exit("chatsetup.py: timed out waiting for %s" % what)
        time.sleep(step)


class Person:
    """A home, a config dir and a private runtime dir."""

    def __init__(self, base):
        self.base = base
        self.home = os.path.join(base, "home")
        self.run = os.path.join(base, "run")
        os.makedirs(self.home, exist_ok=True)
        os.makedirs(self.run, exist_ok=True)
        os.chmod(self.run, 0o700)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("RSAPIPE_")}
        self.env.update(HOME=self.home,
                        XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                        XDG_RUNTIME_DIR=self.run,
                        RSAPIPE_SESSION_BITS=BITS)

    def spare(self):
        return os.path.isdir(os.path.join(self.run, "rsapipe-spare-" + BITS))

    def key_ready(self):
        # The session hears "ready" on a pipe; from outside, the pair
        # rsa-keygen links into place together (or the spare's rename)
        # is the sign.
        for d in os.listdir(self.run):
            if d.startswith("rsapipe-session.") and all(
                    os.path.exists(os.path.join(self.run, d, f))
                    for f in ("session.pem", "session.pub")):
                return True
        return False


def stop(proc):
    """End a process group this script started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def show_logs(*paths):
    for p in paths:
        try:
            with open(p, "rb") as f:
                sys.stderr.write("--- %s\n%s" % (
                    p, f.read().decode("utf-8", "replace")))
        except OSError:
            pass


CODE = re.compile(rb"invite code ([0-9]+-[a-z]+-[a-z]+), valid")


def shown_code(path):
    """The invite code the server's stderr shows, or None."""
    try:
        with open(path, "rb") as f:
            m = CODE.search(f.read())
    except OSError:
        return None
    return m.group(1).decode() if m else None


def chat(client_script, server_script, server, client, logdir, tag,
         invite=None):
    """One chat; returns (seconds to the client's secure-session line,
    whether the client had a spare session key when it started).  With
    invite (a name), the server invites and the client types its code."""
    port = free_port()
    srv_log = os.path.join(logdir, "server-%s.log" % tag)
    cli_log = os.path.join(logdir, "client-%s.log" % tag)
    srv_args = [str(port)] if invite is None else ["--invite", invite,
                                                   str(port)]
    with open(srv_log, "wb") as err:
        srv = subprocess.Popen([server_script] + srv_args, env=server.env,
                               stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=err,
                               start_new_session=True)
    cli = None
    try:
        wait_for("the server to listen", lambda: listening(port) or
                 srv.poll() is not None)
        if invite is None:
            wait_for("the server's session key", lambda: server.key_ready()
                     or srv.poll() is not None)
            trust = ["--accept-new"]
        else:
            wait_for("the invite code", lambda: shown_code(srv_log) or
                     srv.poll() is not None)
            trust = ["--code", shown_code(srv_log) or "1-a-b"]
        if srv.poll() is not None:
            show_logs(srv_log)
            sys.exit("chatsetup.py: the server ended early")
        # As a server waiting for a caller is idle, let its start-up end.
        time.sleep(0.2)
        had_spare = client.spare()
        t0 = time.monotonic()
        cli = subprocess.Popen([client_script] + trust + ["127.0.0.1",
                                str(port)], env=client.env,
                               stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
        fd = cli.stderr.fileno()
        seen = b""
        t1 = None
        deadline = t0 + 120
        while t1 is None:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                seen += chunk
                if LINE in seen:
                    t1 = time.monotonic()
            elif time.monotonic() > deadline:
                break
        if t1 is None:
            with open(cli_log, "wb") as f:
                f.write(seen)
            show_logs(cli_log, srv_log)
            sys.exit("chatsetup.py: no secure session (%s)" % tag)
        # A chat lasts long enough for both spares to be made; then the
        # client leaves, and both sides end normally.
        wait_for("the spare session keys", lambda: client.spare() and
                 server.spare(), timeout=120, step=0.05)
        cli.stdin.write(b"exit\n")
        cli.stdin.close()
        rest = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                rest.append(chunk)
        with open(cli_log, "wb") as f:
            f.write(seen + b"".join(rest))
        try:
            status = cli.wait(30)
            srv_status = srv.wait(30)
        except subprocess.TimeoutExpired:
            show_logs(cli_log, srv_log)
            sys.exit("chatsetup.py: the chat did not end (%s)" % tag)
        if status != 0 or srv_status != 0:
            show_logs(cli_log, srv_log)
            sys.exit("chatsetup.py: chat %s ended with %d (client), %d "
                     "(server)" % (tag, status, srv_status))
        return t1 - t0, had_spare
    finally:
        for p in (cli, srv):
            if p is not None:
                stop(p)
                for f in (p.stdin, p.stderr):
                    if f is not None:
                        f.close()


def known_host(ssh_dir, port):
    """The host key in ssh_dir/known_hosts, as a returning ssh user has
    it, once the sshd on port listens."""
    with open(os.path.join(ssh_dir, "host_rsa.pub")) as f:
        key = " ".join(f.read().split()[:2])
    with open(os.path.join(ssh_dir, "known_hosts"), "w") as f:
        f.write("[localhost]:%d %s\n" % (port, key))
    wait_for("sshd to listen", lambda: listening(port))


def ssh_command(ssh_dir, port, extra=()):
    return (["ssh", "-F", "/dev/null", "-i", os.path.join(ssh_dir, "user_rsa"),
             "-p", str(port), "-o", "AddressFamily=inet",
             "-o", "StrictHostKeyChecking=yes",
             "-o", "UserKnownHostsFile=" + os.path.join(ssh_dir, "known_hosts"),
             "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
             "-o", "IdentityAgent=none",
             "-o", "HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256",
             "-o", "PubkeyAcceptedAlgorithms=rsa-sha2-512,rsa-sha2-256"] +
            list(extra) + ["localhost", "true"])


def ssh(cmd):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=120)
    t = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("chatsetup.py: %s failed (%d): %s" % (
            " ".join(cmd), r.returncode, r.stderr.decode(errors="replace")))
    return t


def start_agent(work):
    """An ssh-agent on a private socket holding two new RSA-3072 keys,
    their files deleted; returns (process, socket, [fingerprint, ...])."""
    d = os.path.join(work, "agent")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o700)
    sock = os.path.join(d, "agent.sock")
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", sock],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL,
                             start_new_session=True)
    wait_for("ssh-agent", lambda: os.path.exists(sock))
    env = dict(os.environ, SSH_AUTH_SOCK=sock)
    fps = []
    for name in ("server", "client"):
        key = os.path.join(d, name)
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", BITS, "-N",
                        "", "-C", name, "-f", key], check=True)
        subprocess.run(["ssh-add", "-q", key], env=env, check=True,
                       stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f",
                              key + ".pub"], check=True,
                             capture_output=True).stdout.decode()
        fps.append(out.split()[1])
        os.remove(key)
    return agent, sock, fps


def main():
    (res, work, rounds, cold, client_script, server_script, ssh_dir,
     ssh_port) = sys.argv[1:9]
    rounds, cold, ssh_port = int(rounds), int(cold), int(ssh_port)
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    out = []

    known_host(ssh_dir, ssh_port)
    ssh_default = ssh_command(ssh_dir, ssh_port)
    ssh_c25519 = ssh_command(ssh_dir, ssh_port,
                             ["-o", "KexAlgorithms=curve25519-sha256"])

    # Warm-up: the steady homes' first chat (a cold one), then ssh.
    server = Person(os.path.join(work, "server"))
    client = Person(os.path.join(work, "client"))
    t, _ = chat(client_script, server_script, server, client, logdir, "warmup")
    out.append("chat_cold_s %.4f" % t)
    ssh(ssh_default)
    ssh(ssh_c25519)
    for i in range(1, cold):
        base = os.path.join(work, "cold%d" % i)
        t, _ = chat(client_script, server_script,
                    Person(os.path.join(base, "server")),
                    Person(os.path.join(base, "client")), logdir,
                    "cold%d" % i)
        out.append("chat_cold_s %.4f" % t)
        shutil.rmtree(base)

    # Agent identities, warmed up like the file ones (first contact
    # recorded, spares made); the code's people, warmed up with a code.
    agent, sock, fps = start_agent(work)
    a_server = Person(os.path.join(work, "agent-server"))
    a_client = Person(os.path.join(work, "agent-client"))
    for person, fp in ((a_server, fps[0]), (a_client, fps[1])):
        person.env.update(SSH_AUTH_SOCK=sock,
                          RSAPIPE_IDENTITY="agent:" + fp)
    chat(client_script, server_script, a_server, a_client, logdir,
         "agent-warmup")
    c_server = Person(os.path.join(work, "code-server"))
    c_client = Person(os.path.join(work, "code-client"))
    chat(client_script, server_script, c_server, c_client, logdir,
         "code-warmup", invite="warmup")

    missing = 0
    kinds = ["rsapipe", "rsapipe_agent", "rsapipe_code", "ssh", "ssh_c25519"]
    try:
        missing = rounds_of(kinds, rounds, out, client_script, server_script,
                            (server, client), (a_server, a_client),
                            (c_server, c_client), logdir, ssh_default,
                            ssh_c25519)
    finally:
        stop(agent)
    out.append("chat_spare_missing %d" % missing)
    with open(os.path.join(res, "t8.txt"), "w") as f:
        f.write("\n".join(out) + "\n")


def rounds_of(kinds, rounds, out, client_script, server_script, files,
              agents, codes, logdir, ssh_default, ssh_c25519):
    """The interleaved rounds; returns the steady file-identity chats
    whose client had no spare."""
    missing = 0
    for i in range(rounds):
        k = i % len(kinds)
        for kind in kinds[k:] + kinds[:k]:
            if kind == "rsapipe":
                t, had = chat(client_script, server_script, files[0],
                              files[1], logdir, "r%d" % i)
                missing += 0 if had else 1
            elif kind == "rsapipe_agent":
                t, _ = chat(client_script, server_script, agents[0],
                            agents[1], logdir, "agent-r%d" % i)
            elif kind == "rsapipe_code":
                t, _ = chat(client_script, server_script, codes[0],
                            codes[1], logdir, "code-r%d" % i,
                            invite="caller%d" % i)
            elif kind == "ssh":
                t = ssh(ssh_default)
            else:
                t = ssh(ssh_c25519)
            out.append("chat_%s_s %.4f" % (kind, t))
    return missing


if __name__ == "__main__":
    main()
