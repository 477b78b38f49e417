#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""report.py RESULTS-DIR: the markdown table of bench/run.sh.

Reads the hyperfine JSON files (one per interleaved round, NAME.N.json,
or one per group, NAME.json) and the "key value" text files that
run.sh wrote, and prints medians, min-max and the ratios the targets in
doc/PERFORMANCE.md are stated in.  Comparisons left out (BENCH_ONLY)
have no files and no rows.
"""
import glob
import json
import os
import statistics
import sys

res = sys.argv[1]


def times(name):
    """Per command (in the order given to hyperfine): all run times, s."""
    files = sorted(glob.glob(os.path.join(res, name + ".*.json")))
    files += glob.glob(os.path.join(res, name + ".json"))
    out = {}
    for path in files:
        with open(path) as f:
            for i, r in enumerate(json.load(f)["results"]):
                out.setdefault(i, []).extend(r["times"])
    return [out[i] for i in sorted(out)]


def keyvalues(pattern):
    """"key value" lines of the files matching pattern: key -> [values]."""
    out = {}
    for path in sorted(glob.glob(os.path.join(res, pattern))):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out.setdefault(parts[0], []).append(float(parts[1]))
    return out


def have(pattern):
    return bool(glob.glob(os.path.join(res, pattern)))


def med(xs):
    return statistics.median(xs)


def p95(xs):
    """95th percentile, linear between closest ranks."""
    if len(xs) < 2:
        return xs[0]
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def span(xs, scale=1.0, fmt="%.3f"):
    return (fmt + " (" + fmt + "-" + fmt + ")") % (
        med(xs) * scale, min(xs) * scale, max(xs) * scale)


def verdict(ok):
    if ok is None:
        return ""
    return "met" if ok else "**not met**"


params = keyvalues("params.txt")
size_mb = params["size_mb"][0]
rows = []


def row(tid, what, ours, theirs, ratio, target, ok):
    rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (
        tid, what, ours, theirs, ratio, target, verdict(ok)))


def mibs(xs, mb=None):
    return "%.0f MiB/s" % ((size_mb if mb is None else mb) / med(xs))


# T1, T1b: throughput ratio = reference time / our time.
if have("t1.*.json"):
    for tid, what, target in (("T1", "encrypt %d MiB" % size_mb, 1.2),
                              ("T1b", "decrypt %d MiB" % size_mb, 1.5)):
        ours, age = times(tid.lower())
        ratio = med(age) / med(ours)
        row(tid, what + " vs age", "%s s, %s" % (span(ours), mibs(ours)),
            "%s s, %s" % (span(age), mibs(age)), "%.2fx age" % ratio,
            ">= %.1fx" % target, ratio >= target)

    ours, age, cat = times("t1c")
    ratio_age = med(age) / med(ours)
    ratio_cat = med(cat) / med(ours)
    row("T1c", "encrypt \\| decrypt vs age \\| age -d",
        "%s s, %s" % (span(ours), mibs(ours)),
        "%s s, %s" % (span(age), mibs(age)), "%.2fx age" % ratio_age,
        ">= 1.5x", ratio_age >= 1.5)
    row("T1c", "encrypt \\| decrypt vs cat \\| cat",
        "%s s, %s" % (span(ours), mibs(ours)),
        "%s s, %s" % (span(cat), mibs(cat)), "%.2fx cat" % ratio_cat,
        ">= 0.5x", ratio_cat >= 0.5)

# T9: the age format, rsapipe's code against age's, same recipient.
if have("t9.*.json"):
    ours, age, cat = times("t9")
    ratio = med(age) / med(ours)
    row("T9", "age file, encrypt %d MiB (X25519) vs age" % size_mb,
        "%s s, %s" % (span(ours), mibs(ours)),
        "%s s, %s" % (span(age), mibs(age)), "%.2fx age" % ratio,
        ">= 1.5x", ratio >= 1.5)
    row("T9", "same, vs cat", "%s s, %s" % (span(ours), mibs(ours)),
        "%s s, %s" % (span(cat), mibs(cat)),
        "%.2fx cat" % (med(cat) / med(ours)), "(context)", None)
    ours, age = times("t9b")
    ratio = med(age) / med(ours)
    row("T9", "age file, decrypt %d MiB (X25519) vs age -d" % size_mb,
        "%s s, %s" % (span(ours), mibs(ours)),
        "%s s, %s" % (span(age), mibs(age)), "%.2fx age" % ratio,
        ">= 1.5x", ratio >= 1.5)
if have("t9c.*.json"):
    ours, age = times("t9c")
    ratio = med(age) / med(ours)
    row("T9", "age file, decrypt 256 MiB (ssh-rsa 3072) vs age -d",
        "%s s, %s" % (span(ours), mibs(ours, 256)),
        "%s s, %s" % (span(age), mibs(age, 256)), "%.2fx age" % ratio,
        ">= 1.5x", ratio >= 1.5)
if have("rss-age.txt"):
    rss = keyvalues("rss-age.txt")
    for what, ours, theirs, name in (
            ("encrypt", "rss_age_format_encrypt_kb", "rss_age_encrypt_kb",
             "age"),
            ("decrypt", "rss_age_format_decrypt_kb", "rss_age_decrypt_kb",
             "age -d")):
        mib = rss[ours][0] / 1024
        row("T9", "peak RSS, age file %s %d MiB" % (what, size_mb),
            "%.1f MiB" % mib, "%s %.1f MiB" % (name, rss[theirs][0] / 1024),
            "", "<= 8 MiB", mib <= 8)
    if "rss_age_format_decrypt_rsa_kb" in rss:
        mib = rss["rss_age_format_decrypt_rsa_kb"][0] / 1024
        row("T9", "peak RSS, age file decrypt 256 MiB (ssh-rsa 3072)",
            "%.1f MiB" % mib,
            "age -d %.1f MiB" % (rss["rss_age_decrypt_rsa_kb"][0] / 1024),
            "", "<= 8 MiB", mib <= 8)

rsa = None
if have("recordrate.txt"):
    rr = keyvalues("recordrate.txt")
    rate, rsa, ratio = (rr["records_per_s"][0], rr["rsa_per_s"][0],
                        rr["ratio"][0])
    row("T2", "100-byte records sealed+opened, in process",
        "%.0f records/s" % rate,
        "RSA-OAEP-%d enc+dec: %.1f msg/s" % (rr["rsa_bits"][0], rsa),
        "%.0fx" % ratio, ">= 1,000,000/s and >= 10,000x",
        rate >= 1e6 and ratio >= 1e4)

if have("t3-rsapipe.*.txt"):
    plain = keyvalues("t3-plain.*.txt")
    ours = keyvalues("t3-rsapipe.*.txt")
    ratio = med(ours["rtt_us"]) / med(plain["rtt_us"])
    row("T3", "lock-step echo, %d lines, per-line RTT" % params["lines"][0],
        "%s us (keyswap %s s, apart)" % (span(ours["rtt_us"], fmt="%.1f"),
                                         span(ours["keyswap_s"], fmt="%.2f")),
        "%s us (socat EXEC:cat)" % span(plain["rtt_us"], fmt="%.1f"),
        "%.2fx plain" % ratio, "<= 1.5x", ratio <= 1.5)

    hops = keyvalues("t3-hops.*.txt")
    row("T3", "same, cats where the rsapipe processes are (no crypto)",
        "%s us" % span(ours["rtt_us"], fmt="%.1f"),
        "%s us (cat \\| cat server, cat clients)" % span(hops["rtt_us"],
                                                        fmt="%.1f"),
        "%.2fx hops" % (med(ours["rtt_us"]) / med(hops["rtt_us"])),
        "(context)", None)

t4 = have("t4.json")
if t4:
    (enc, age_enc, dec, age_dec, dec_ossl, ossl_pkeyutl,
     fingerprint) = times("t4")
    ratio = med(enc) / med(age_enc)
    row("T4", "encrypt 100 bytes, whole process",
        "%s ms" % span(enc, 1e3, "%.2f"),
        "%s ms" % span(age_enc, 1e3, "%.2f"),
        "%.2fx age's time" % ratio, "<= 0.5x", ratio <= 0.5)
    ratio = med(dec) / med(age_dec)
    row("T4", "decrypt 100 bytes, RSA-3072 key",
        "%s ms" % span(dec, 1e3, "%.2f"),
        "%s ms" % span(age_dec, 1e3, "%.2f"),
        "%.2fx age's time" % ratio, "<= 1.0x", ratio <= 1.0)

if have("t5.*.json"):
    keygen, genpkey = times("t5")
    ratio = med(keygen) / med(genpkey)
    row("T5", "RSA-3072 key generation, median of %d" % len(keygen),
        "%s s" % span(keygen), "openssl genpkey %s s" % span(genpkey),
        "%.2fx openssl's time" % ratio, "<= 1.0x", ratio <= 1.0)

if have("rss.txt"):
    rss = keyvalues("rss.txt")
    for what, key in (("encrypt", "rss_encrypt_kb"),
                      ("decrypt", "rss_decrypt_kb")):
        mib = rss[key][0] / 1024
        ref = ("age encrypt %.1f MiB, cat %.1f MiB" %
               (rss["rss_age_encrypt_kb"][0] / 1024,
                rss["rss_cat_kb"][0] / 1024))
        row("T6", "peak RSS, %s %d MiB" % (what, size_mb), "%.1f MiB" % mib,
            ref, "", "<= 8 MiB", mib <= 8)

for bits in (3072, 2048):
    if have("t7-%d.json" % bits):
        (pair,) = times("t7-%d" % bits)
        row("T7", "keyswap pair on loopback, %d-bit session keys made" % bits,
            "%s s" % span(pair), "", "", "median < 1 s", med(pair) < 1)

# T8: chat setup latency, our time over ssh's (below 1 is faster).
if have("t8.txt"):
    chat = keyvalues("t8.txt")
    ours, ssh = chat["chat_rsapipe_s"], chat["chat_ssh_s"]
    c25519 = chat["chat_ssh_c25519_s"]
    n = len(ours)
    missing = int(chat["chat_spare_missing"][0])
    note = "" if missing == 0 else ", %d without a spare key" % missing
    ratio = med(ours) / med(ssh)
    row("T8", "chat setup to \"secure session\", 3072-bit, median of %d%s"
        % (n, note), "%s ms" % span(ours, 1e3, "%.0f"),
        "ssh %s ms" % span(ssh, 1e3, "%.0f"), "%.2fx ssh's time" % ratio,
        "<= 1.0x", ratio <= 1.0)
    ratio = p95(ours) / p95(ssh)
    row("T8", "same, 95th percentile", "%.0f ms" % (p95(ours) * 1e3),
        "ssh %.0f ms" % (p95(ssh) * 1e3), "%.2fx ssh's time" % ratio,
        "<= 1.5x", ratio <= 1.5)
    row("T8", "same, against ssh with curve25519-sha256 key exchange",
        "%s ms, p95 %.0f" % (span(ours, 1e3, "%.0f"), p95(ours) * 1e3),
        "%s ms, p95 %.0f" % (span(c25519, 1e3, "%.0f"), p95(c25519) * 1e3),
        "%.2fx, p95 %.2fx" % (med(ours) / med(c25519),
                              p95(ours) / p95(c25519)), "(context)", None)
    if "chat_rsapipe_agent_s" in chat:
        agent = chat["chat_rsapipe_agent_s"]
        ratio = med(agent) / med(ssh)
        row("T8", "chat setup, both identities in ssh-agent (RSA-3072), "
            "median of %d" % len(agent), "%s ms" % span(agent, 1e3, "%.0f"),
            "ssh %s ms" % span(ssh, 1e3, "%.0f"),
            "%.2fx ssh's time; %.2fx the file identity's" % (
                ratio, med(agent) / med(ours)), "<= 1.0x", ratio <= 1.0)
    if "chat_rsapipe_code_s" in chat:
        code = chat["chat_rsapipe_code_s"]
        ratio = med(code) / med(ssh)
        row("T8", "chat setup by an invite code (SPAKE2), returning users, "
            "median of %d" % len(code), "%s ms" % span(code, 1e3, "%.0f"),
            "ssh %s ms" % span(ssh, 1e3, "%.0f"),
            "%.2fx ssh's time; %.2fx the file identity's" % (
                ratio, med(code) / med(ours)), "< 1 s", med(code) < 1.0)
    cold = chat["chat_cold_s"]
    row("T8", "chat setup, first run ever (identities and session key "
        "made), %d run%s" % (len(cold), "" if len(cold) == 1 else "s"),
        "%s ms" % span(cold, 1e3, "%.0f"), "", "", "(context)", None)

# T10: the echo service against sshd.
if have("t10.txt"):
    svc = keyvalues("t10.txt")
    ours, ssh = svc["echo_rsapipe_s"], svc["echo_ssh_s"]
    ratio = med(ours) / med(ssh)
    row("T10", "one echo session, returning client pinned, median of %d"
        % len(ours), "%s ms" % span(ours, 1e3, "%.0f"),
        "ssh true %s ms" % span(ssh, 1e3, "%.0f"),
        "%.2fx ssh's time" % ratio, "<= 1.0x", ratio <= 1.0)
    ratio = p95(ours) / p95(ssh)
    row("T10", "same, 95th percentile", "%.0f ms" % (p95(ours) * 1e3),
        "ssh true %.0f ms" % (p95(ssh) * 1e3), "%.2fx ssh's time" % ratio,
        "<= 1.5x", ratio <= 1.5)
    if "burst_rsapipe_s" in svc:
        n = int(params.get("burst", [100])[0]) if params else 100
        failed = int(svc["burst_rsapipe_failed"][0])
        timed = int(svc["burst_rsapipe_timed_out"][0])
        ids = int(svc["burst_rsapipe_identities"][0])
        row("T10", "%d concurrent first connections to a cold service: time "
            "to the last echo" % n,
            "%.1f s, %d failed, %d timed out, %d identity made" % (
                svc["burst_rsapipe_s"][0], failed, timed, ids),
            "ssh true %.1f s, %d failed" % (svc["burst_ssh_s"][0],
                                            int(svc["burst_ssh_failed"][0])),
            "%.2fx ssh's time" % (svc["burst_rsapipe_s"][0] /
                                  svc["burst_ssh_s"][0]),
            "all echo, none times out, 1 identity",
            failed == 0 and timed == 0 and ids == 1)
    if "sustained_rsapipe_rate" in svc:
        ours_r = svc["sustained_rsapipe_rate"][0]
        ssh_r = svc["sustained_ssh_rate"][0]
        row("T10", "sustained, 8 clients back to back, %d s: sessions/s "
            "(CPU s/session server + client)"
            % int(params.get("service_seconds", [60])[0]),
            "%.2f/s (%.3f + %.3f), %d failed" % (
                ours_r, svc["sustained_rsapipe_server_cpu"][0],
                svc["sustained_rsapipe_client_cpu"][0],
                int(svc["sustained_rsapipe_failed"][0])),
            "sshd %.2f/s (%.3f + %.3f)" % (
                ssh_r, svc["sustained_ssh_server_cpu"][0],
                svc["sustained_ssh_client_cpu"][0]),
            "%.2fx sshd's rate" % (ours_r / ssh_r), ">= 0.5x",
            ours_r / ssh_r >= 0.5)

print("| id | measure | rsapipe median (min-max) | reference median (min-max)"
      " | ratio | target | |")
print("|----|---------|------|------|------|------|----|")
for r in rows:
    print(r)
print()
if t4:
    print("CRT check, whole process, 100-byte stream (median, min-max, ms):")
    print("- rsa-decrypt, key from rsa-keygen: %s" % span(dec, 1e3, "%.2f"))
    print("- rsa-decrypt, key from openssl genpkey: %s" %
          span(dec_ossl, 1e3, "%.2f"))
    print("- openssl pkeyutl -decrypt of the same stanza: %s" %
          span(ossl_pkeyutl, 1e3, "%.2f"))
    print("- rsa-keygen -l (start-up and key loading, no RSA operation): %s"
          % span(fingerprint, 1e3, "%.2f"))
    if rsa is not None:
        print("- in process, one RSA-OAEP-3072 encrypt+decrypt: %.2f ms" %
              (1e3 / rsa))
    print()
if have("t1.*.json"):
    print("%d interleaved rounds per throughput comparison; file %d MiB." % (
        params["rounds"][0], size_mb))
if have("t8.txt"):
    print("Chat setup: %d interleaved rounds of rsapipe (file identity, "
          "agent identity, invite code), ssh and ssh with "
          "curve25519-sha256, the order rotating each round." % len(ours))
