/* SPDX-License-Identifier: ISC */
/*
 * agent-tool: the agent client (keys/agent.h) and SSHSIG (keys/sshsig.h)
 * exposed to tests/agent.bats, so they meet the real ssh-agent, ssh-add
 * and ssh-keygen.  Not installed.
 *
 *	agent-tool [-a SOCKET] [-t SECONDS] list
 *	agent-tool [-a SOCKET] [-t SECONDS] sign (-k PUBKEY | -F SHA256:...)
 *	    [-n NAMESPACE] [-H sha256|sha512] [-A rsa-sha2-256|rsa-sha2-512]
 *	    < MESSAGE > ARMORED-SSHSIG
 *	agent-tool sign-file -k PRIVATE-KEY [-n ...] [-H ...] [-A ...]
 *	agent-tool verify -k PUBKEY -s SIGFILE [-n ...] [-H ...] [-A ...]
 *	    < MESSAGE
 *	agent-tool [-a SOCKET] bench -k PUBKEY -p PRIVATE-KEY [-r RUNS]
 *	agent-tool selftest
 *
 * An agent failure exits 2 with its one-line reason; a signature that
 * does not verify exits 1.  -H and -A of verify take "any" too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "keys/agent.h"
#include "keys/keys.h"
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

#define MESSAGE_MAX (16 * 1024 * 1024)

static struct opts {
	const char *sock, *pub, *priv, *fp, *sigfile, *ns;
	int timeout, runs;
	unsigned hashes, algs;
} o = { .ns = "file", .runs = 20 };

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: agent-tool [-a SOCKET] [-t SECONDS] "
	    "list|sign|sign-file|verify|bench|selftest [-k KEY] [-p KEY] "
	    "[-F FP] [-s SIG] [-n NS] [-H HASH] [-A ALG] [-r RUNS]\n");
	exit(EXIT_USAGE);
}

static unsigned
parse_set(const char *s, int alg)
{
	int v;

	if (strcmp(s, "any") == 0)
		return RSA_PKCS1_SHA256 | RSA_PKCS1_SHA512;
	v = alg ? sshsig_alg_from_name((const unsigned char *)s, strlen(s)) :
	    sshsig_hash_from_name((const unsigned char *)s, strlen(s));
	if (v == 0)
		die(EXIT_USAGE, "unknown %s '%s'", alg ? "algorithm" : "hash",
		    s);
	return (unsigned)v;
}

/* The one value of a set given for signing (the default: sha512). */
static enum rsa_pkcs1_hash
one_of(unsigned set)
{
	return set == RSA_PKCS1_SHA256 ? RSA_PKCS1_SHA256 : RSA_PKCS1_SHA512;
}

unsigned char *
read_all_fd(int fd, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			if (cap >= MESSAGE_MAX)
				die(EXIT_USAGE, "message over %d bytes",
				    MESSAGE_MAX);
			cap = cap ? cap * 2 : 4096;
			buf = rp_realloc(buf, cap);
		}
		n = read(fd, buf + *len, cap - *len);
		if (n < 0)
			die(EXIT_USAGE, "reading the message:");
		if (n == 0)
			return buf;
		*len += (size_t)n;
	}
}

static void
agent_open(struct agent *a)
{
	struct rp_error err;

	if (agent_connect(a, o.sock, o.timeout, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

static int
cmd_list(void)
{
	struct agent a;
	struct agent_identities ids;
	struct rp_error err;
	size_t i;

	agent_open(&a);
	if (agent_list(&a, &ids, &err) != 0)
		die_error(&err, EXIT_USAGE);
	for (i = 0; i < ids.n; i++)
		printf("%s %s %s %s\n", ids.id[i].fingerprint, ids.id[i].type,
		    ids.id[i].usable ? "usable" : "unusable",
		    ids.id[i].comment);
	printf("%zu key%s\n", ids.n, ids.n == 1 ? "" : "s");
	agent_identities_free(&ids);
	agent_close(&a);
	return EXIT_OK;
}

/* The agent's copy of the key named by -k or -F, into key. */
static void
agent_key(struct agent *a, struct rsa_key *key)
{
	struct agent_identities ids;
	struct rp_error err;
	struct rsa_key want;
	size_t i;
	int rc;

	if (agent_list(a, &ids, &err) != 0)
		die_error(&err, EXIT_USAGE);
	if (o.fp != NULL) {
		rc = agent_find_fingerprint(a, &ids, o.fp, &i, &err);
	} else {
		load_key(&want, o.pub, NULL, 0);
		rc = agent_find_key(a, &ids, &want, &i, &err);
		key_free(&want);
	}
	if (rc != 0)
		die_error(&err, EXIT_USAGE);
	memset(key, 0, sizeof(*key));
	(void)key_from_ssh_blob(key, ids.id[i].blob, ids.id[i].blob_len,
	    NULL);
	agent_identities_free(&ids);
}

static void
write_armored(const unsigned char *blob, size_t len)
{
	size_t text_len;
	char *text = sshsig_armor(blob, len, &text_len);

	if (fwrite(text, 1, text_len, stdout) != text_len ||
	    fflush(stdout) != 0)
		die(EXIT_USAGE, "writing the signature:");
	free(text);
}

static int
cmd_sign(void)
{
	struct agent a;
	struct rsa_key key;
	struct rp_error err;
	unsigned char *msg, *blob;
	size_t len, blob_len;

	if ((o.pub == NULL) == (o.fp == NULL))
		usage();
	agent_open(&a);
	agent_key(&a, &key);
	msg = read_all_fd(0, &len);
	if (agent_sshsig(&a, &key, o.ns, one_of(o.hashes), one_of(o.algs),
	    msg, len, &blob, &blob_len, &err) != 0)
		die_error(&err, EXIT_USAGE);
	write_armored(blob, blob_len);
	free(blob);
	free(msg);
	key_free(&key);
	agent_close(&a);
	return EXIT_OK;
}

static int
cmd_sign_file(void)
{
	struct rsa_key key;
	struct rp_error err;
	unsigned char *msg, *blob;
	size_t len, blob_len;

	if (o.pub == NULL)
		usage();
	load_key(&key, o.pub, NULL, 1);
	msg = read_all_fd(0, &len);
	if (sshsig_sign_key(&key, o.ns, one_of(o.hashes), one_of(o.algs),
	    msg, len, &blob, &blob_len, &err) != 0)
		die_error(&err, EXIT_USAGE);
	write_armored(blob, blob_len);
	free(blob);
	free(msg);
	key_free(&key);
	return EXIT_OK;
}

static int
cmd_verify(void)
{
	struct rsa_key key;
	struct rp_error err;
	unsigned char *msg, *text, *blob;
	size_t len, text_len, blob_len;
	int rc;

	if (o.pub == NULL || o.sigfile == NULL)
		usage();
	load_key(&key, o.pub, NULL, 0);
	text = io_read_whole(o.sigfile, &text_len);
	if (sshsig_dearmor(text, text_len, &blob, &blob_len, &err) != 0)
		die_error(&err, EXIT_AUTH);
	msg = read_all_fd(0, &len);
	rc = sshsig_verify(&key, o.ns, msg, len, blob, blob_len,
	    o.hashes ? o.hashes : RSA_PKCS1_SHA512,
	    o.algs ? o.algs : RSA_PKCS1_SHA256 | RSA_PKCS1_SHA512, &err);
	if (rc != 0)
		die_error(&err, EXIT_AUTH);
	printf("good signature by %s\n", o.pub);
	free(text);
	free(blob);
	free(msg);
	key_free(&key);
	return EXIT_OK;
}

static void
parse_opts(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "+a:t:k:p:F:s:n:H:A:r:")) != -1) {
		switch (c) {
		case 'a': o.sock = optarg; break;
		case 't': o.timeout = atoi(optarg); break;
		case 'k': o.pub = optarg; break;
		case 'p': o.priv = optarg; break;
		case 'F': o.fp = optarg; break;
		case 's': o.sigfile = optarg; break;
		case 'n': o.ns = optarg; break;
		case 'H': o.hashes = parse_set(optarg, 0); break;
		case 'A': o.algs = parse_set(optarg, 1); break;
		case 'r': o.runs = atoi(optarg); break;
		default: usage();
		}
	}
}

int
main(int argc, char **argv)
{
	const char *cmd;

	rsapipe_init(argv[0]);
	parse_opts(argc, argv);
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	parse_opts(argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if (strcmp(cmd, "sign") == 0)
		return cmd_sign();
	if (strcmp(cmd, "sign-file") == 0)
		return cmd_sign_file();
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify();
	if (strcmp(cmd, "bench") == 0)
		return cmd_bench(o.sock, o.pub, o.priv, o.runs);
	if (strcmp(cmd, "selftest") == 0)
		return cmd_selftest(o.pub, o.priv);
	usage();
}
