/* SPDX-License-Identifier: ISC */
/*
 * agent.h: a client of ssh-agent (draft-miller-ssh-agent, OpenSSH's
 * PROTOCOL.agent) for what rsapipe needs of it: list the keys, find an
 * RSA key, have it sign (rsa-sha2-256 or rsa-sha2-512, PKCS#1 v1.5).
 * The key may be in the agent itself, on a token behind it, or behind a
 * forwarded agent: it is all one socket to us.
 *
 * Every read and write waits with poll(2) for what is left of the
 * timeout of its request, so an agent that hangs costs at most that
 * long.  Replies are capped at AGENT_REPLY_MAX bytes, as OpenSSH caps
 * them.  Functions return 0 or an rp_err code with err filled
 * (error.h), and note the finer cause in a->cause for a caller that
 * words its own message:
 *
 *	cause              code          when
 *	AGENT_NO_SOCKET    RP_USAGE      SSH_AUTH_SOCK unset or empty
 *	AGENT_UNREACHABLE  RP_IO         no agent listens there (dead socket)
 *	AGENT_IO           RP_IO         the connection failed or closed
 *	AGENT_TIMEOUT      RP_TIMEOUT    no answer within the timeout (or a
 *	                                 listen queue that is full)
 *	AGENT_BAD_REPLY    RP_MALFORMED  a reply that does not parse
 *	AGENT_EMPTY        RP_NOKEY      the agent lists no key (or is locked)
 *	AGENT_NO_RSA       RP_NOKEY      keys, but no usable RSA key
 *	AGENT_KEY_ABSENT   RP_NOKEY      the wanted key is not among them
 *	AGENT_REFUSED      RP_REFUSED    SSH_AGENT_FAILURE: confirmation
 *	                                 denied (ssh-add -c), locked agent
 *	AGENT_WRONG_ALG    RP_REFUSED    signed with another algorithm
 *	AGENT_BAD_SIGNATURE RP_AUTH      a signature that does not verify
 *
 * Tools exit 2 on all of them (the environment, not the peer, failed).
 */
#ifndef RSAPIPE_AGENT_H
#define RSAPIPE_AGENT_H

#include <stddef.h>

#include "core/error.h"
#include "crypto/rsa.h"
#include "crypto/rsa_pkcs1.h"

#define AGENT_REPLY_MAX (256 * 1024)   /* OpenSSH's MAX_AGENT_REPLY_LEN */
#define AGENT_IDENTITIES_MAX 2048      /* OpenSSH's MAX_AGENT_IDENTITIES */
#define AGENT_TIMEOUT_DEFAULT 60       /* seconds: room for ssh-add -c's
                                          confirmation or a token touch */
#define AGENT_PATH_MAX 108             /* sun_path */
#define AGENT_WHY_MAX 96
#define AGENT_TYPE_MAX 64
#define AGENT_COMMENT_MAX 256          /* shown; longer ones are cut */

enum agent_cause {
	AGENT_OK = 0,
	AGENT_NO_SOCKET,
	AGENT_UNREACHABLE,
	AGENT_IO,
	AGENT_TIMEOUT,
	AGENT_BAD_REPLY,
	AGENT_EMPTY,
	AGENT_NO_RSA,
	AGENT_KEY_ABSENT,
	AGENT_REFUSED,
	AGENT_WRONG_ALG,
	AGENT_BAD_SIGNATURE
};

struct agent {
	int fd;                         /* -1 when closed */
	int timeout;                    /* seconds per request */
	char path[AGENT_PATH_MAX];
	enum agent_cause cause;         /* of the last failure */
};

/* One key the agent holds.  blob points into the list's reply copy. */
struct agent_identity {
	const unsigned char *blob;
	size_t blob_len;
	char type[AGENT_TYPE_MAX];      /* "ssh-rsa", "ssh-ed25519", ...
	                                   made safe to print */
	char *comment;                  /* made safe to print (textsafe) */
	char fingerprint[KEY_FINGERPRINT_LEN]; /* SHA256:..., any type */
	int usable;                     /* an RSA key rsapipe accepts */
	struct rsa_key key;             /* when usable */
	char why[AGENT_WHY_MAX];        /* why an ssh-rsa key is not */
};

struct agent_identities {
	unsigned char *reply;           /* the reply, owned */
	struct agent_identity *id;
	size_t n;
};

/*
 * Connect to the agent at path, or at $SSH_AUTH_SOCK when path is NULL,
 * with timeout seconds (<= 0: AGENT_TIMEOUT_DEFAULT) for every request.
 */
int agent_connect(struct agent *a, const char *path, int timeout,
    struct rp_error *err);
/* Close the connection; safe twice and on a failed connect. */
void agent_close(struct agent *a);

/* The agent's keys (SSH2_AGENTC_REQUEST_IDENTITIES). */
int agent_list(struct agent *a, struct agent_identities *ids,
    struct rp_error *err);
void agent_identities_free(struct agent_identities *ids);

/*
 * The usable RSA key among ids whose blob is key's, or whose
 * fingerprint is fp ("SHA256:..."), into *index.  Not there is
 * AGENT_EMPTY, AGENT_NO_RSA or AGENT_KEY_ABSENT (a->cause), the reason
 * naming the fingerprint and what the agent holds instead.
 */
int agent_find_key(struct agent *a, const struct agent_identities *ids,
    const struct rsa_key *key, size_t *index, struct rp_error *err);
int agent_find_fingerprint(struct agent *a,
    const struct agent_identities *ids, const char *fp, size_t *index,
    struct rp_error *err);

/*
 * Have the agent sign data with key (its public half suffices) under
 * alg (SSH2_AGENTC_SIGN_REQUEST with flag SSH_AGENT_RSA_SHA2_256 or
 * _512).  sig gets exactly rsa_modulus_bytes(key) bytes.  The reply
 * must name alg; the signature is not verified here.
 */
int agent_sign(struct agent *a, const struct rsa_key *key,
    enum rsa_pkcs1_hash alg, const void *data, size_t len,
    unsigned char *sig, struct rp_error *err);

/*
 * An SSHSIG of msg under namespace ns (sshsig.h), signed by the agent
 * with key, and checked with sshsig_verify() before it is returned, so
 * a broken agent or token never puts a bad proof on the wire
 * (AGENT_BAD_SIGNATURE).  *blob from rp_alloc (free()).
 */
int agent_sshsig(struct agent *a, const struct rsa_key *key,
    const char *ns, enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg,
    const void *msg, size_t len, unsigned char **blob, size_t *blob_len,
    struct rp_error *err);

/*
 * The reply parsers, pure (no I/O) so a fuzz target drives them.  msg
 * is a reply without its length field: the type byte, then the
 * contents.  RP_REFUSED for the agent's failure message, RP_MALFORMED
 * for anything that does not parse.
 */
int agent_parse_identities(const unsigned char *msg, size_t len,
    struct agent_identities *ids, struct rp_error *err);
/* A signature of alg, at most modlen bytes, left-padded into sig
 * (modlen bytes).  Another algorithm is RP_REFUSED. */
int agent_parse_sign_response(const unsigned char *msg, size_t len,
    enum rsa_pkcs1_hash alg, size_t modlen, unsigned char *sig,
    struct rp_error *err);

#endif
