/* SPDX-License-Identifier: ISC */
/*
 * agent-checks.c: agent-tool's selftest (the reply parsers and SSHSIG
 * on hand-built input, each case a line "ok"/"FAIL") and its bench (an
 * agent signature's round trip beside a PSS signature by a file key).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "crypto/rsa_pkcs1.h"
#include "keys/agent.h"
#include "keys/keys.h"
#include "keys/ssh_blob.h"
#include "keys/sshsig.h"
#include "agent-tool.h"

/* A key the program needs, or its end (status 2). */
static void
load_key(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, int private)
{
	struct rp_error err;

	if ((private ? key_read_private(key, path, pass, &err) :
	    key_read_public(key, path, pass, &err)) != 0)
		die_error(&err, EXIT_USAGE);
}

static int failures, cases;

static void
check(int ok, const char *what)
{
	cases++;
	if (!ok)
		failures++;
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

unsigned char *
io_read_whole(const char *path, size_t *len)
{
	unsigned char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die(EXIT_USAGE, "%s:", path);
	buf = read_all_fd(fd, len);
	close(fd);
	return buf;
}

/* An identities answer: count as said, then the given entries. */
static size_t
identities(unsigned char *out, size_t cap, size_t count,
    const unsigned char *blob, size_t blob_len, size_t entries)
{
	struct writer w;
	size_t len, i;

	wr_init(&w, out, cap);
	wr_uint(&w, 1, 12);
	wr_uint(&w, 4, count);
	for (i = 0; i < entries; i++) {
		wr_vec(&w, 4, blob, blob_len);
		wr_vec(&w, 4, "comment\x1b[2J", 11);
	}
	if (wr_finish(&w, &len) != 0)
		rp_fatal("selftest: overflow");
	return len;
}

static int
parse_ids(const unsigned char *msg, size_t len, size_t *n, int *usable)
{
	struct agent_identities ids;
	struct rp_error err;
	int rc;

	rc = agent_parse_identities(msg, len, &ids, &err);
	if (rc == 0) {
		*n = ids.n;
		*usable = ids.n > 0 && ids.id[0].usable &&
		    strchr(ids.id[0].comment, '\x1b') == NULL;
		agent_identities_free(&ids);
	}
	return rc;
}

static void
identity_cases(const struct rsa_key *key)
{
	static const unsigned char ed[] = { 0, 0, 0, 11, 's', 's', 'h', '-',
	    'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 1, 7 };
	unsigned char buf[4096], *blob;
	size_t len, blob_len, n = 9;
	int usable = 0;

	blob = ssh_rsa_blob(key, &blob_len);
	len = identities(buf, sizeof(buf), 0, NULL, 0, 0);
	check(parse_ids(buf, len, &n, &usable) == 0 && n == 0, "empty list");
	len = identities(buf, sizeof(buf), 1, blob, blob_len, 1);
	check(parse_ids(buf, len, &n, &usable) == 0 && n == 1 && usable,
	    "one RSA key, comment made safe");
	len = identities(buf, sizeof(buf), 1, ed, sizeof(ed), 1);
	check(parse_ids(buf, len, &n, &usable) == 0 && n == 1 && !usable,
	    "an ed25519 key is listed, not usable");
	len = identities(buf, sizeof(buf), 2, blob, blob_len, 1);
	check(parse_ids(buf, len, &n, &usable) == RP_MALFORMED,
	    "count above the entries");
	len = identities(buf, sizeof(buf), 0xffffffff, blob, blob_len, 1);
	check(parse_ids(buf, len, &n, &usable) == RP_MALFORMED,
	    "count 2^32-1 refused before any allocation");
	len = identities(buf, sizeof(buf), 1, blob, blob_len, 1);
	buf[len++] = 0;
	check(parse_ids(buf, len, &n, &usable) == RP_MALFORMED,
	    "trailing byte after the list");
	check(parse_ids((const unsigned char *)"\x05", 1, &n, &usable) ==
	    RP_REFUSED, "SSH_AGENT_FAILURE to a list request");
	check(parse_ids((const unsigned char *)"\x0e", 1, &n, &usable) ==
	    RP_MALFORMED, "a sign response to a list request");
	check(parse_ids(buf, 0, &n, &usable) == RP_MALFORMED, "empty reply");
	free(blob);
}

/* A sign response: string (string name, string s of slen bytes). */
static size_t
sign_reply(unsigned char *out, size_t cap, const char *name, size_t slen)
{
	struct writer w;
	size_t len;

	wr_init(&w, out, cap);
	wr_uint(&w, 1, 14);
	wr_uint(&w, 4, 4 + strlen(name) + 4 + slen);
	wr_vec(&w, 4, name, strlen(name));
	wr_uint(&w, 4, slen);
	memset(wr_reserve(&w, slen), 0x5a, slen);
	if (wr_finish(&w, &len) != 0)
		rp_fatal("selftest: overflow");
	return len;
}

static void
sign_cases(void)
{
	unsigned char buf[2048], sig[384];
	size_t len;
	struct rp_error err;

	len = sign_reply(buf, sizeof(buf), "rsa-sha2-512", 384);
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA512, 384, sig,
	    &err) == 0 && sig[0] == 0x5a, "a signature of the modulus length");
	len = sign_reply(buf, sizeof(buf), "rsa-sha2-512", 383);
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA512, 384, sig,
	    &err) == 0 && sig[0] == 0 && sig[1] == 0x5a,
	    "a short signature is left-padded");
	len = sign_reply(buf, sizeof(buf), "rsa-sha2-512", 385);
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA512, 384, sig,
	    &err) == RP_MALFORMED, "a signature longer than the modulus");
	len = sign_reply(buf, sizeof(buf), "ssh-rsa", 384);
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA512, 384, sig,
	    &err) == RP_REFUSED, "ssh-rsa (SHA-1) when rsa-sha2-512 was asked");
	len = sign_reply(buf, sizeof(buf), "rsa-sha2-256", 384);
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA512, 384, sig,
	    &err) == RP_REFUSED, "rsa-sha2-256 when rsa-sha2-512 was asked");
	buf[len++] = 0;
	check(agent_parse_sign_response(buf, len, RSA_PKCS1_SHA256, 384, sig,
	    &err) == RP_MALFORMED, "trailing byte after the signature");
	check(agent_parse_sign_response((const unsigned char *)"\x1e", 1,
	    RSA_PKCS1_SHA512, 384, sig, &err) == RP_REFUSED,
	    "SSH2_AGENT_FAILURE (30)");
	check(agent_parse_sign_response((const unsigned char *)"\x66", 1,
	    RSA_PKCS1_SHA512, 384, sig, &err) == RP_REFUSED,
	    "SSH_COM_AGENT2_FAILURE (102)");
}

static int
verify(const struct rsa_key *key, const char *ns, const char *msg,
    const unsigned char *blob, size_t len, unsigned hashes, unsigned algs)
{
	struct rp_error err;

	return sshsig_verify(key, ns, msg, strlen(msg), blob, len, hashes,
	    algs, &err);
}

static void
sshsig_cases(const struct rsa_key *key, const struct rsa_key *other)
{
	const unsigned any = RSA_PKCS1_SHA256 | RSA_PKCS1_SHA512;
	unsigned char *blob, *back;
	size_t len, back_len, text_len;
	struct rp_error err;
	char *text;

	sshsig_sign_key(key, "ns@test", RSA_PKCS1_SHA512, RSA_PKCS1_SHA256,
	    "hello", 5, &blob, &len, &err);
	check(verify(key, "ns@test", "hello", blob, len, any, any) == 0,
	    "file-key SSHSIG verifies");
	check(verify(key, "ns@tesT", "hello", blob, len, any, any) == RP_AUTH,
	    "another namespace");
	check(verify(key, "ns@test", "hellO", blob, len, any, any) == RP_AUTH,
	    "another message");
	check(verify(other, "ns@test", "hello", blob, len, any, any) ==
	    RP_AUTH, "another key");
	check(verify(key, "ns@test", "hello", blob, len, RSA_PKCS1_SHA256,
	    any) == RP_AUTH, "hash algorithm not allowed");
	check(verify(key, "ns@test", "hello", blob, len, any,
	    RSA_PKCS1_SHA512) == RP_AUTH, "signature algorithm not allowed");
	text = sshsig_armor(blob, len, &text_len);
	check(sshsig_dearmor((unsigned char *)text, text_len, &back,
	    &back_len, &err) == 0 && back_len == len &&
	    memcmp(back, blob, len) == 0, "armor round trip");
	free(back);
	free(text);
	blob[len - 1] ^= 1;
	check(verify(key, "ns@test", "hello", blob, len, any, any) == RP_AUTH,
	    "a flipped signature bit");
	blob[len - 1] ^= 1;
	check(verify(key, "ns@test", "hello", blob, len - 1, any, any) ==
	    RP_MALFORMED, "a truncated blob");
	blob[9] = 2;
	check(verify(key, "ns@test", "hello", blob, len, any, any) ==
	    RP_MALFORMED, "version 2");
	blob[9] = 1;
	blob[0] = 'X';
	check(verify(key, "ns@test", "hello", blob, len, any, any) ==
	    RP_MALFORMED, "another magic");
	free(blob);
}

int
cmd_selftest(const char *keyfile, const char *otherfile)
{
	struct rsa_key key, other;

	if (keyfile == NULL || otherfile == NULL)
		die(EXIT_USAGE, "selftest -k KEY -p OTHER-KEY");
	load_key(&key, keyfile, NULL, 1);
	load_key(&other, otherfile, NULL, 1);
	identity_cases(&key);
	sign_cases();
	sshsig_cases(&key, &other);
	printf("%d cases, %d failed\n", cases, failures);
	key_free(&key);
	key_free(&other);
	return failures == 0 ? EXIT_OK : EXIT_AUTH;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum bench_kind { BENCH_AGENT_RAW, BENCH_AGENT, BENCH_AGENT_FULL, BENCH_PSS,
	BENCH_PKCS1 };

/* One sign request and its reply on a connection kept open. */
static void
bench_raw(const char *sock, const struct rsa_key *key,
    const unsigned char *msg, size_t len, unsigned char *sig)
{
	static struct agent a = { .fd = -1 };
	struct rp_error err;

	if (a.fd < 0 && agent_connect(&a, sock, 0, &err) != 0)
		die_error(&err, EXIT_USAGE);
	if (agent_sign(&a, key, RSA_PKCS1_SHA512, msg, len, sig, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

/* One signature of a 32-byte message (keyswap's P) of the kind asked. */
static void
bench_one(enum bench_kind kind, const char *sock, const struct rsa_key *key,
    const struct rsa_key *priv)
{
	static const unsigned char msg[32] = { 1 };
	unsigned char *blob = NULL, sig[KEY_MAX_BITS / 8];
	struct agent_identities ids;
	struct agent a;
	struct rp_error err;
	size_t len, i;

	if (kind == BENCH_PSS) {
		rsa_pss_sign(priv, msg, sig);
		return;
	}
	if (kind == BENCH_AGENT_RAW) {
		bench_raw(sock, key, msg, sizeof(msg), sig);
		return;
	}
	if (kind == BENCH_PKCS1) {
		if (sshsig_sign_key(priv, SSHSIG_NAMESPACE_KEYSWAP,
		    RSA_PKCS1_SHA512, RSA_PKCS1_SHA512, msg, sizeof(msg),
		    &blob, &len, &err) != 0)
			die_error(&err, EXIT_USAGE);
		free(blob);
		return;
	}
	if (agent_connect(&a, sock, 0, &err) != 0)
		die_error(&err, EXIT_USAGE);
	if (kind == BENCH_AGENT_FULL && (agent_list(&a, &ids, &err) != 0 ||
	    agent_find_key(&a, &ids, key, &i, &err) != 0))
		die_error(&err, EXIT_USAGE);
	if (kind == BENCH_AGENT_FULL)
		agent_identities_free(&ids);
	if (agent_sshsig(&a, key, SSHSIG_NAMESPACE_KEYSWAP, RSA_PKCS1_SHA512,
	    RSA_PKCS1_SHA512, msg, sizeof(msg), &blob, &len, &err) != 0)
		die_error(&err, EXIT_USAGE);
	free(blob);
	agent_close(&a);
}

int
cmd_bench(const char *sock, const char *pub, const char *privfile, int runs)
{
	static const char *const names[] = {
	    "agent sign request round trip (open connection)",
	    "agent SSHSIG sign (connect + sign + verify)",
	    "agent SSHSIG sign with list and find",
	    "file key RSA-PSS sign (rsa_pss_sign)",
	    "file key SSHSIG PKCS#1 v1.5 sign + wrap" };
	struct rsa_key key, priv;
	struct timespec t0;
	double v[1000];
	int k, i;

	if (pub == NULL || privfile == NULL || runs < 1 || runs > 1000)
		die(EXIT_USAGE, "bench -k PUBKEY -p PRIVATE-KEY [-r 1..1000]");
	load_key(&key, pub, NULL, 0);
	load_key(&priv, privfile, NULL, 1);
	for (k = BENCH_AGENT_RAW; k <= BENCH_PKCS1; k++) {
		bench_one((enum bench_kind)k, sock, &key, &priv);
		for (i = 0; i < runs; i++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			bench_one((enum bench_kind)k, sock, &key, &priv);
			v[i] = ms_since(&t0);
		}
		printf("%-46s median of %d: %.2f ms\n", names[k], runs,
		    median(v, runs));
	}
	key_free(&key);
	key_free(&priv);
	return EXIT_OK;
}
