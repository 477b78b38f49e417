/* SPDX-License-Identifier: ISC */
/* stream_rsa.c: the rsapipe RSA recipient and identity (stream_rsa.h). */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "stream/format.h"
#include "stream/stream_rsa.h"

/* The recipient and the identity: the key, and whether they own it. */
struct rsa_recipient {
	struct recipient base;   /* first: the interface's pointer is ours */
	struct rsa_key *key;
	int own;
};

struct rsa_identity {
	struct identity base;
	struct rsa_key *key;
	int own;
};

/* An RSA key's modulus length, if a stream can carry it. */
static int
stream_rsa_bytes(const struct rsa_key *key, const char *what, size_t *n,
    struct rp_error *err)
{
	*n = rsa_modulus_bytes(key);
	if (*n < STREAM_RSA_MIN_BYTES || *n > STREAM_RSA_MAX_BYTES)
		return rp_fail(err, RP_USAGE, "%s key size not supported",
		    what);
	return 0;
}

static int
rsa_wrap(const struct recipient *r, const unsigned char *file_key,
    size_t len, struct stanza *out, struct rp_error *err)
{
	const struct rsa_recipient *m = (const struct rsa_recipient *)r;
	const unsigned char *id = m->key->id;
	size_t id_len = STREAM_KEY_ID_LEN, n;
	unsigned char *body;
	int rc;

	if ((rc = stream_rsa_bytes(m->key, "recipient", &n, err)) != 0)
		return rc;
	body = stanza_new(out, STREAM_STANZA_TYPE, 1, &id, &id_len, n);
	rsa_oaep_wrap(m->key, STREAM_OAEP_LABEL, file_key, len, body);
	return 0;
}

/* A stanza is ours when it carries our key id (compared in constant
 * time: which key a stream is for is no secret, but costs nothing). */
static int
rsa_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	const struct rsa_identity *m = (const struct rsa_identity *)id;

	if (!stanza_is(s, STREAM_STANZA_TYPE) || s->nargs != 1 ||
	    s->arg_len[0] != STREAM_KEY_ID_LEN ||
	    !ct_equal(s->args[0], m->key->id, STREAM_KEY_ID_LEN))
		return rp_fail(err, RP_NOKEY, "not encrypted to this key (no "
		    "stanza for this key)");
	if (rsa_oaep_unwrap(m->key, STREAM_OAEP_LABEL, s->body, s->body_len,
	    file_key, len) != 0)
		return rp_fail(err, RP_DECRYPT, "cannot decrypt the file key: "
		    "wrong key or tampered stanza");
	return 0;
}

static int
rsa_sign(const struct identity *id, const unsigned char digest[32],
    unsigned char *sig, size_t sig_max, size_t *sig_len,
    struct rp_error *err)
{
	const struct rsa_identity *m = (const struct rsa_identity *)id;
	int rc;

	if ((rc = stream_rsa_bytes(m->key, "signing", sig_len, err)) != 0)
		return rc;
	if (*sig_len > sig_max)
		rp_fatal("signature buffer too small");
	rsa_pss_sign(m->key, digest, sig);
	return 0;
}

static void
key_release(struct rsa_key *key, int own)
{
	if (own) {
		key_free(key);
		free(key);
	}
}

static void
recipient_free(struct recipient *r)
{
	struct rsa_recipient *m = (struct rsa_recipient *)r;

	key_release(m->key, m->own);
	free(m);
}

static void
identity_free(struct identity *id)
{
	struct rsa_identity *m = (struct rsa_identity *)id;

	key_release(m->key, m->own);
	free(m);
}

static const struct recipient_ops recipient_ops = {
	STREAM_STANZA_TYPE, rsa_wrap, recipient_free
};

static const struct identity_ops identity_ops = {
	STREAM_STANZA_TYPE, rsa_unwrap, rsa_sign, identity_free
};

struct recipient *
stream_rsa_recipient(struct rsa_key *key, int own)
{
	struct rsa_recipient *m = rp_calloc(1, sizeof(*m));

	m->base.ops = &recipient_ops;
	memcpy(m->base.handle, key->id, KEY_ID_LEN);
	m->base.handle_len = KEY_ID_LEN;
	m->key = key;
	m->own = own;
	return &m->base;
}

struct identity *
stream_rsa_identity(struct rsa_key *key, int own)
{
	struct rsa_identity *m = rp_calloc(1, sizeof(*m));

	m->base.ops = &identity_ops;
	memcpy(m->base.handle, key->id, KEY_ID_LEN);
	m->base.handle_len = KEY_ID_LEN;
	m->key = key;
	m->own = own;
	return &m->base;
}
