/* SPDX-License-Identifier: ISC */
/*
 * identity.h: recipients and identities as interfaces, in the way of
 * age's Recipient and Identity (doc/DESIGN.md, "The interfaces").
 *
 * Both formats carry their file key the same way: the header holds one
 * stanza per recipient, and a stanza is a type, a few arguments and a
 * body.  A recipient wraps a file key into a stanza; an identity tries
 * to unwrap a stanza back into the file key.  Every kind of key is one
 * implementation of these two structs, beside the format whose stanza
 * it writes (stream/stream_rsa.c: the rsapipe RSA stanza; age/age_keys.c:
 * X25519, ssh-rsa, scrypt).  Nothing here knows a kind of key: the sets
 * hold them, api/keyset.c loads them from the command line, and one
 * search, identity_find_file_key(), tries them for both formats.
 *
 * Adding a kind of key (say, a signing identity held by ssh-agent) is
 * one file that fills a struct identity_ops (or recipient_ops), and one
 * line in api/keyset.c's table that says which argument or file is one.
 *
 * Errors follow core/error.h: 0, or a negative enum rp_err with a reason
 * in the caller's struct rp_error.
 */
#ifndef RSAPIPE_IDENTITY_H
#define RSAPIPE_IDENTITY_H

#include <stddef.h>

#include "core/error.h"

#define STANZA_MAX_ARGS 16

/*
 * A recipient stanza, format-neutral: age's "-> TYPE ARG... / BODY", and
 * the rsapipe stream's (key id, RSA-OAEP ciphertext), which reads as type
 * STREAM_STANZA_TYPE, one argument (the 8-byte key id), the ciphertext
 * as body.  Arguments are byte strings of arg_len[i] bytes (age's are
 * text, and have a NUL after them); a parser's stanza points into its
 * input (mem is NULL), a wrapped one owns its bytes in mem.
 */
struct stanza {
	const char *type;
	size_t nargs;
	const unsigned char *args[STANZA_MAX_ARGS];
	size_t arg_len[STANZA_MAX_ARGS];
	const unsigned char *body;
	size_t body_len;
	void *mem;
};

/*
 * Make s own a copy of type and the nargs arguments (each followed by a
 * NUL), and body_len bytes of body; returns the body, for the wrapper to
 * fill.  Free with stanza_free().
 */
unsigned char *stanza_new(struct stanza *s, const char *type, size_t nargs,
    const unsigned char *const *args, const size_t *arg_len,
    size_t body_len);
/* Release what stanza_new() made (nothing for a parser's view). */
void stanza_free(struct stanza *s);
/* 1 if s is of this type. */
int stanza_is(const struct stanza *s, const char *type);

/* What names a key, for telling two of the same kind apart: a key id, a
 * public key, a hash of one. */
#define KEY_HANDLE_MAX 32

struct recipient;
struct identity;

struct recipient_ops {
	const char *kind;   /* the stanza type it writes */
	/* Wrap the len-byte file key into a new stanza (stanza_new()): 0,
	 * or an rp_err code (RP_USAGE: a key the format cannot carry). */
	int (*wrap)(const struct recipient *r, const unsigned char *file_key,
	    size_t len, struct stanza *out, struct rp_error *err);
	void (*free)(struct recipient *r);
};

struct recipient {
	const struct recipient_ops *ops;
	unsigned char handle[KEY_HANDLE_MAX];
	size_t handle_len;
};

struct identity_ops {
	const char *kind;
	/*
	 * Unwrap s into the len-byte file_key (secure memory).  0; RP_NOKEY
	 * when the stanza is not for this identity (another type, another
	 * key's id or tag); RP_DECRYPT when it is but does not open;
	 * RP_PASSPHRASE when a passphrase does not open it; anything else
	 * (RP_MALFORMED, RP_REFUSED, RP_IO, ...) refuses the whole header.
	 * file_key is wiped unless 0 is returned.
	 */
	int (*unwrap)(const struct identity *id, const struct stanza *s,
	    unsigned char *file_key, size_t len, struct rp_error *err);
	/*
	 * Optional (NULL: this identity cannot sign): a signature of a
	 * SHA-256 digest, in the scheme the format verifies, into sig (room
	 * for sig_max bytes), its length in *sig_len; the handle is then the
	 * signer's key id.  The stream picks the scheme by kind: RSASSA-PSS
	 * for its RSA identity, an SSHSIG of the digest for its ssh-agent
	 * one (stream/stream_agent.h, doc/FORMAT.md section 2.1).
	 */
	int (*sign)(const struct identity *id, const unsigned char digest[32],
	    unsigned char *sig, size_t sig_max, size_t *sig_len,
	    struct rp_error *err);
	void (*free)(struct identity *id);
};

struct identity {
	const struct identity_ops *ops;
	unsigned char handle[KEY_HANDLE_MAX];
	size_t handle_len;
};

/*
 * The sets the tools make from -r/-R and -i: each key once (same kind,
 * same handle), in the order given.  A set owns its members and frees
 * them last first, so a member may borrow what an earlier one owns (one
 * RSA key serves as an rsapipe and an ssh-rsa identity).
 */
#define KEY_SET_MAX 160

struct recipient_set {
	struct recipient *r[KEY_SET_MAX];
	size_t n;
	size_t max;      /* room for this many (0: KEY_SET_MAX) */
};

struct identity_set {
	struct identity *id[KEY_SET_MAX];
	size_t n;
	size_t max;
};

/* Add r (the set takes it): 1 if added, 0 if the same key was there
 * (r is freed), RP_USAGE if the set is full (r is freed). */
int recipient_set_add(struct recipient_set *set, struct recipient *r,
    struct rp_error *err);
void recipient_set_free(struct recipient_set *set);
int identity_set_add(struct identity_set *set, struct identity *id,
    struct rp_error *err);
void identity_set_free(struct identity_set *set);
/* How many members are of this kind. */
size_t identity_set_count(const struct identity_set *set, const char *kind);
size_t recipient_set_count(const struct recipient_set *set,
    const char *kind);

/*
 * The one file-key search, for both formats: every identity in order,
 * each against every stanza in order.  A stanza that unwraps gives a
 * candidate file key, which check() (the format's header MAC, session
 * and signature) must accept: 0, or RP_AUTH with a reason.  A candidate
 * refused does not end the search: anyone can make a stanza for our
 * key, and with -i alice -i bob the right one may be bob's.
 *
 * Returns 0 with the file key, or the best failure, by one rule: the
 * most telling of those met, RP_AUTH (a file key unwrapped, the header
 * check failed) before RP_PASSPHRASE before RP_DECRYPT before RP_NOKEY,
 * of equal ones the last, with its reason.  Any other code from an
 * identity (a stanza that breaks its type's rules, a passphrase that
 * could not be read) ends the search at once with that code.
 */
int identity_find_file_key(const struct identity_set *ids,
    const struct stanza *stanzas, size_t nstanzas, unsigned char *file_key,
    size_t len, int (*check)(void *ctx, const unsigned char *file_key,
    struct rp_error *err), void *ctx, struct rp_error *err);

#endif
