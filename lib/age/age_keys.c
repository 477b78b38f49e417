/* SPDX-License-Identifier: ISC */
/* age_keys.c: age's key text, and its keys as recipients and identities
 * (age_keys.h). */
#include <stdlib.h>
#include <string.h>

#include "age/age_keys.h"
#include "age/age_stanza.h"
#include "codec/bech32.h"
#include "codec/lines.h"
#include "core/common.h"
#include "core/error.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "age-secret-key-"
#define IDENTITY_PREFIX "AGE-SECRET-KEY-"

/* ---- Key text ---- */

int
age_x25519_recipient_parse(unsigned char out[AGE_X25519_LEN],
    const char *s, size_t len, struct rp_error *err)
{
	unsigned char key[2 * AGE_X25519_LEN];
	char hrp[2 * sizeof(IDENTITY_HRP)];
	size_t i, n;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return rp_fail(err, RP_MALFORMED,
			    "age recipient not in lowercase");
	if (bech32_decode(s, len, hrp, sizeof(hrp), key, sizeof(key), &n,
	    err) != 0)
		return RP_MALFORMED;
	if (strcmp(hrp, RECIPIENT_HRP) != 0 || n != AGE_X25519_LEN)
		return rp_fail(err, RP_MALFORMED,
		    "not an age X25519 recipient (age1...)");
	memcpy(out, key, AGE_X25519_LEN);
	return 0;
}

int
age_x25519_identity_parse(struct age_x25519_identity *id, const char *s,
    size_t len, struct rp_error *err)
{
	char hrp[2 * sizeof(IDENTITY_HRP)];
	size_t i, n;

	memset(id, 0, sizeof(*id));
	for (i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return rp_fail(err, RP_MALFORMED,
			    "age identity not in uppercase");
	/* Room for twice the key, so a wrong length is named as such. */
	id->secret = secure_alloc(2 * AGE_X25519_LEN);
	if (bech32_decode(s, len, hrp, sizeof(hrp), id->secret,
	    2 * AGE_X25519_LEN, &n, err) != 0) {
		age_x25519_identity_free(id);
		return RP_MALFORMED;
	}
	if (strcmp(hrp, IDENTITY_HRP) != 0 || n != AGE_X25519_LEN) {
		age_x25519_identity_free(id);
		return rp_fail(err, RP_MALFORMED,
		    "not an age X25519 identity (AGE-SECRET-KEY-1...)");
	}
	if (age_x25519_public(id->public, id->secret) != 0)
		rp_fatal("X25519 of the base point failed");
	return 0;
}

void
age_x25519_identity_free(struct age_x25519_identity *id)
{
	secure_free(id->secret);
	memset(id, 0, sizeof(*id));
}

/* ---- Identity files ---- */

int
age_identity_file_detect(const unsigned char *buf, size_t len)
{
	struct lines c;
	const unsigned char *line;
	size_t n;

	lines_init(&c, buf, len, LINES_CRLF | LINES_LAST_OPEN, 0);
	while (lines_next(&c, &line, &n) == 0) {
		if (n == 0 || line[0] == '#')
			continue;
		return n >= strlen(IDENTITY_PREFIX) &&
		    memcmp(line, IDENTITY_PREFIX, strlen(IDENTITY_PREFIX)) == 0;
	}
	return 0;
}

int
age_identity_file_parse(struct age_x25519_identity *ids, size_t max,
    size_t *n, const unsigned char *buf, size_t len, size_t *line,
    struct rp_error *err)
{
	struct lines c;
	const unsigned char *text;
	size_t tlen, i;
	int rc = 0;

	*n = 0;
	*line = 0;
	lines_init(&c, buf, len, LINES_CRLF | LINES_LAST_OPEN, 0);
	while (rc == 0 && lines_next(&c, &text, &tlen) == 0) {
		*line = c.lineno;
		if (tlen == 0 || text[0] == '#')
			continue;
		if (*n == max)
			rc = rp_fail(err, RP_MALFORMED,
			    "too many age identities");
		else if ((rc = age_x25519_identity_parse(&ids[*n],
		    (const char *)text, tlen, err)) == 0)
			++*n;
	}
	if (rc == 0 && *n == 0) {
		*line = 0;
		rc = rp_fail(err, RP_MALFORMED,
		    "no age identities in the file");
	}
	if (rc != 0) {
		for (i = 0; i < *n; i++)
			age_x25519_identity_free(&ids[i]);
		*n = 0;
	}
	return rc;
}

/* ---- X25519 ---- */

struct x25519_recipient {
	struct recipient base;   /* first: the interface's pointer is ours */
	unsigned char public[AGE_X25519_LEN];
};

struct x25519_identity {
	struct identity base;
	struct age_x25519_identity id;
};

static int
x25519_wrap(const struct recipient *r, const unsigned char *file_key,
    size_t len, struct stanza *out, struct rp_error *err)
{
	const struct x25519_recipient *x = (const struct x25519_recipient *)r;

	if (len != AGE_FILE_KEY_LEN)
		rp_fatal("X25519: a %zu-byte file key", len);
	return age_x25519_wrap(out, x->public, file_key, err);
}

static void
x25519_recipient_free(struct recipient *r)
{
	free(r);
}

static int
x25519_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	const struct x25519_identity *x = (const struct x25519_identity *)id;

	if (len != AGE_FILE_KEY_LEN || !stanza_is(s, AGE_X25519_TYPE))
		return rp_fail(err, RP_NOKEY, "not an X25519 stanza");
	return age_x25519_unwrap(s, &x->id, file_key, err);
}

static void
x25519_identity_free(struct identity *id)
{
	struct x25519_identity *x = (struct x25519_identity *)id;

	age_x25519_identity_free(&x->id);
	free(x);
}

static const struct recipient_ops x25519_recipient_ops = {
	AGE_X25519_TYPE, x25519_wrap, x25519_recipient_free
};

static const struct identity_ops x25519_identity_ops = {
	AGE_X25519_TYPE, x25519_unwrap, NULL, x25519_identity_free
};

struct recipient *
age_x25519_recipient(const unsigned char public[AGE_X25519_LEN])
{
	struct x25519_recipient *x = rp_calloc(1, sizeof(*x));

	x->base.ops = &x25519_recipient_ops;
	memcpy(x->base.handle, public, AGE_X25519_LEN);
	x->base.handle_len = AGE_X25519_LEN;
	memcpy(x->public, public, AGE_X25519_LEN);
	return &x->base;
}

struct identity *
age_x25519_identity(struct age_x25519_identity *id)
{
	struct x25519_identity *x = rp_calloc(1, sizeof(*x));

	x->base.ops = &x25519_identity_ops;
	memcpy(x->base.handle, id->public, AGE_X25519_LEN);
	x->base.handle_len = AGE_X25519_LEN;
	x->id = *id;
	memset(id, 0, sizeof(*id));
	return &x->base;
}

/* ---- ssh-rsa ---- */

struct rsa_member {
	union {
		struct recipient r;
		struct identity id;
	} base;                  /* first: the interface's pointer is ours */
	struct rsa_key *key;
	int own;
};

static int
rsa_wrap(const struct recipient *r, const unsigned char *file_key,
    size_t len, struct stanza *out, struct rp_error *err)
{
	const struct rsa_member *m = (const struct rsa_member *)r;

	(void)err;
	if (len != AGE_FILE_KEY_LEN)
		rp_fatal("ssh-rsa: a %zu-byte file key", len);
	age_rsa_wrap(out, m->key, file_key);
	return 0;
}

static int
rsa_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	const struct rsa_member *m = (const struct rsa_member *)id;

	if (len != AGE_FILE_KEY_LEN || !stanza_is(s, AGE_SSH_RSA_TYPE))
		return rp_fail(err, RP_NOKEY, "not an ssh-rsa stanza");
	return age_rsa_unwrap(s, m->key, file_key, err);
}

static void
rsa_free(struct rsa_member *m)
{
	if (m->own) {
		key_free(m->key);
		free(m->key);
	}
	free(m);
}

static void
rsa_recipient_free(struct recipient *r)
{
	rsa_free((struct rsa_member *)r);
}

static void
rsa_identity_free(struct identity *id)
{
	rsa_free((struct rsa_member *)id);
}

static const struct recipient_ops rsa_recipient_ops = {
	AGE_SSH_RSA_TYPE, rsa_wrap, rsa_recipient_free
};

static const struct identity_ops rsa_identity_ops = {
	AGE_SSH_RSA_TYPE, rsa_unwrap, NULL, rsa_identity_free
};

static struct rsa_member *
rsa_member(struct rsa_key *key, int own)
{
	struct rsa_member *m = rp_calloc(1, sizeof(*m));

	m->key = key;
	m->own = own;
	return m;
}

struct recipient *
age_ssh_rsa_recipient(struct rsa_key *key, int own)
{
	struct rsa_member *m = rsa_member(key, own);

	m->base.r.ops = &rsa_recipient_ops;
	memcpy(m->base.r.handle, key->id, KEY_ID_LEN);
	m->base.r.handle_len = KEY_ID_LEN;
	return &m->base.r;
}

struct identity *
age_ssh_rsa_identity(struct rsa_key *key, int own)
{
	struct rsa_member *m = rsa_member(key, own);

	m->base.id.ops = &rsa_identity_ops;
	memcpy(m->base.id.handle, key->id, KEY_ID_LEN);
	m->base.id.handle_len = KEY_ID_LEN;
	return &m->base.id;
}

/* ---- scrypt ---- */

struct scrypt_identity {
	struct identity base;    /* first: the interface's pointer is ours */
	const struct passphrase_source *pass;
	unsigned cap;
};

/* The passphrase is asked for only when a scrypt stanza is met (age
 * puts one alone in its header, age_stanzas_check). */
static int
scrypt_unwrap(const struct identity *id, const struct stanza *s,
    unsigned char *file_key, size_t len, struct rp_error *err)
{
	const struct scrypt_identity *sc = (const struct scrypt_identity *)id;
	unsigned log2n;
	char *pass;
	int rc;

	if (len != AGE_FILE_KEY_LEN || !stanza_is(s, AGE_SCRYPT_TYPE))
		return rp_fail(err, RP_NOKEY, "not a scrypt stanza");
	/* Too costly is said before the passphrase is asked for. */
	if (age_scrypt_work_factor(s, &log2n) == 0 && log2n > sc->cap)
		return rp_fail(err, RP_REFUSED, "age header: scrypt work "
		    "factor %u is above the cap of %u", log2n, sc->cap);
	if ((rc = passphrase_read(sc->pass, "Enter passphrase: ", 0, &pass,
	    err)) != 0)
		return rc;
	rc = age_scrypt_unwrap(s, pass, sc->cap, file_key, err);
	passphrase_free(pass);
	if (rc == RP_DECRYPT || rc == RP_NOKEY)
		return rp_fail(err, RP_PASSPHRASE,
		    "wrong passphrase (or a damaged scrypt stanza)");
	return rc;
}

static void
scrypt_free(struct identity *id)
{
	free(id);
}

static const struct identity_ops scrypt_identity_ops = {
	AGE_SCRYPT_TYPE, scrypt_unwrap, NULL, scrypt_free
};

struct identity *
age_scrypt_identity(const struct passphrase_source *pass, unsigned max_log2n)
{
	struct scrypt_identity *sc = rp_calloc(1, sizeof(*sc));

	sc->base.ops = &scrypt_identity_ops;
	sc->pass = pass;
	sc->cap = max_log2n != 0 ? max_log2n : AGE_SCRYPT_MAX_LOG2N;
	return &sc->base;
}
