/* SPDX-License-Identifier: ISC */
/* keyset.c: the command line's keys into sets (keyset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_keys.h"
#include "api/keyset.h"
#include "api/recipients.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/keys.h"
#include "stream/stream_agent.h"
#include "stream/stream_rsa.h"

/* ---- Recipients ---- */

/* A heap copy of key, for a recipient or identity to own. */
static struct rsa_key *
key_take(struct rsa_key *key)
{
	struct rsa_key *k = rp_alloc(sizeof(*k));

	*k = *key;
	memset(key, 0, sizeof(*key));
	return k;
}

/* Add r, named name in messages; the set holds at most
 * KEYSET_MAX_RECIPIENTS. */
static int
add_recipient(struct recipient_set *set, struct recipient *r,
    const char *name, struct rp_error *err)
{
	set->max = KEYSET_MAX_RECIPIENTS;
	if (recipient_set_add(set, r, err) < 0)
		return rp_fail(err, RP_USAGE, "%s: too many recipients (at "
		    "most %d)", name, KEYSET_MAX_RECIPIENTS);
	return 0;
}

/* An RSA public key as the format's recipient: the stream's own stanza,
 * or age's ssh-rsa. */
static int
add_rsa(struct recipient_set *set, struct rsa_key *key, int age,
    const char *name, struct rp_error *err)
{
	struct rsa_key *k = key_take(key);

	return add_recipient(set, age ? age_ssh_rsa_recipient(k, 1) :
	    stream_rsa_recipient(k, 1), name, err);
}

static int
arg_age1(struct recipient_set *set, const char *arg, int age,
    const struct passphrase_source *pass, struct rp_error *err)
{
	unsigned char x25519[AGE_X25519_LEN];

	(void)pass;
	if (!age)
		return rp_fail(err, RP_USAGE, "%s: an age recipient needs "
		    "--age", arg);
	if (age_x25519_recipient_parse(x25519, arg, strlen(arg), err) != 0)
		return rp_prefix(err, "%s", arg);
	return add_recipient(set, age_x25519_recipient(x25519), arg, err);
}

static int
arg_ssh_rsa(struct recipient_set *set, const char *arg, int age,
    const struct passphrase_source *pass, struct rp_error *err)
{
	struct rsa_key key;
	int rc;

	if ((rc = key_parse_public(&key, (const unsigned char *)arg,
	    strlen(arg), pass, err)) != 0) {
		rp_prefix(err, "recipient \"%.20s...\"", arg);
		return rc;
	}
	return add_rsa(set, &key, age, "ssh-rsa recipient", err);
}

static int
arg_key_file(struct recipient_set *set, const char *arg, int age,
    const struct passphrase_source *pass, struct rp_error *err)
{
	struct rsa_key key;
	int rc;

	if ((rc = key_read_public(&key, arg, pass, err)) != 0)
		return rc;
	return add_rsa(set, &key, age, arg, err);
}

/* The kinds of -r operand, by their first characters: the last, with
 * no prefix, takes the rest. */
static const struct {
	const char *prefix;
	int (*add)(struct recipient_set *, const char *, int,
	    const struct passphrase_source *, struct rp_error *);
} recipient_args[] = {
	{ "age1", arg_age1 },
	{ "ssh-rsa ", arg_ssh_rsa },
	{ "", arg_key_file },
};

int
keyset_add_recipient(struct recipient_set *set, const char *arg, int age,
    const struct passphrase_source *pass, struct rp_error *err)
{
	size_t i;

	for (i = 0; strncmp(arg, recipient_args[i].prefix,
	    strlen(recipient_args[i].prefix)) != 0; i++)
		continue;
	return recipient_args[i].add(set, arg, age, pass, err);
}

/* Why the key on the line just read cannot be a recipient, or NULL. */
static const char *
skip_reason(const struct recipients_reader *r, int age)
{
	if (r->kind == RECIPIENT_OTHER || (r->kind == RECIPIENT_AGE && !age))
		return age ? "--age writes to ssh-rsa and age1 keys only" :
		    r->kind == RECIPIENT_AGE ? "age keys need --age" :
		    "only RSA keys can be recipients";
	return NULL;
}

/* Every usable key of the file; returns how many, or an rp_err code. */
static int
add_file_keys(struct recipient_set *set, struct recipients_reader *r,
    const char *name, int age, keyset_warn_fn *warn, void *ctx,
    struct rp_error *err)
{
	char msg[RP_REASON_MAX + 64];
	struct rsa_key key;
	const char *skip;
	int rc, found = 0;

	while ((rc = recipients_next(r, &key, err)) > 0) {
		if ((skip = skip_reason(r, age)) != NULL) {
			snprintf(msg, sizeof(msg), "%s:%zu: skipping the %s "
			    "key: %s", name, r->lineno, r->type, skip);
			warn(ctx, msg);
			continue;
		}
		found++;
		rc = r->kind == RECIPIENT_AGE ? add_recipient(set,
		    age_x25519_recipient(r->x25519), name, err) :
		    add_rsa(set, &key, age, name, err);
		if (rc != 0)
			return rc;
	}
	if (rc < 0)
		return rp_prefix(err, "%s:%zu", name, r->lineno);
	return found;
}

int
keyset_add_recipients_file(struct recipient_set *set, const char *path,
    int age, keyset_warn_fn *warn, void *ctx, struct rp_error *err)
{
	struct recipients_reader r;
	unsigned char *buf;
	const char *name;
	size_t len;
	int rc;

	name = strcmp(path, "-") == 0 ? "stdin" : path;
	if ((rc = io_file_load(path, KEY_FILE_MAX, &buf, &len, err)) != 0)
		return rc;
	recipients_init(&r, buf, len);
	rc = add_file_keys(set, &r, name, age, warn, ctx, err);
	secure_free(buf);
	if (rc == 0)
		return rp_fail(err, RP_USAGE, "%s: no %s in the file", name,
		    age ? "ssh-rsa or age1 key" : "RSA public key");
	return rc < 0 ? rc : 0;
}

/* ---- Identities ---- */

size_t
keyset_stream_keys(const struct identity_set *set)
{
	return identity_set_count(set, STREAM_STANZA_TYPE);
}

size_t
keyset_age_keys(const struct identity_set *set)
{
	return identity_set_count(set, AGE_X25519_TYPE);
}

/* Room for this many more keys under KEYSET_MAX_IDENTITIES. */
static size_t
identity_room(const struct identity_set *set)
{
	return KEYSET_MAX_IDENTITIES - keyset_stream_keys(set) -
	    keyset_age_keys(set);
}

static int
add_identity(struct identity_set *set, struct identity *id,
    struct rp_error *err)
{
	int rc = identity_set_add(set, id, err);

	return rc < 0 ? rc : 0;
}

/* An age identity file: its AGE-SECRET-KEY-1 lines. */
static int
file_age(struct identity_set *set, const char *name,
    const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, struct rp_error *err)
{
	struct age_x25519_identity ids[KEYSET_MAX_IDENTITIES];
	size_t i, n = 0, line = 0;
	int rc = 0;

	(void)pass;
	if (age_identity_file_parse(ids, identity_room(set), &n, buf, len,
	    &line, err) != 0)
		return rp_prefix(err, "%s:%zu", name, line);
	for (i = 0; i < n; i++)
		if (rc == 0)
			rc = add_identity(set, age_x25519_identity(&ids[i]),
			    err);
		else
			age_x25519_identity_free(&ids[i]);
	return rc;
}

/* RSA private keys: each opens rsapipe streams and, as ssh-rsa, age
 * files (the second borrows the key the first owns). */
static int
file_rsa(struct identity_set *set, const char *name,
    const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, struct rp_error *err)
{
	struct rsa_key keys[KEYSET_MAX_IDENTITIES], *k;
	size_t i, n;
	int rc;

	if ((rc = key_parse_private_each(keys, identity_room(set), buf, len,
	    name, pass, &n, err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (rc < 0) {
			key_free(&keys[i]);
			continue;
		}
		k = key_take(&keys[i]);
		/* A key given twice is freed here: it adds nothing. */
		if ((rc = identity_set_add(set, stream_rsa_identity(k, 1),
		    err)) == 1)
			rc = identity_set_add(set, age_ssh_rsa_identity(k, 0),
			    err);
	}
	return rc < 0 ? rc : 0;
}

/* The kinds of -i file, by their first lines: the last takes the rest. */
static const struct {
	int (*detect)(const unsigned char *buf, size_t len);
	int (*add)(struct identity_set *, const char *,
	    const unsigned char *, size_t, const struct passphrase_source *,
	    struct rp_error *);
} identity_files[] = {
	{ age_identity_file_detect, file_age },
	{ NULL, file_rsa },
};

static int
arg_identity_file(struct identity_set *set, const char *path,
    const struct passphrase_source *pass, struct rp_error *err)
{
	unsigned char *buf;
	size_t i, len;
	int rc;

	if ((rc = io_file_load(path, KEY_FILE_MAX, &buf, &len, err)) != 0)
		return rc;
	for (i = 0; identity_files[i].detect != NULL &&
	    !identity_files[i].detect(buf, len); i++)
		continue;
	rc = identity_files[i].add(set, strcmp(path, "-") == 0 ? "stdin" :
	    path, buf, len, pass, err);
	secure_free(buf);
	return rc;
}

/* The kinds of -i operand, by their first characters (a key held
 * elsewhere, such as by an agent, would be named so): the last, with no
 * prefix, is a file. */
static const struct {
	const char *prefix;
	int (*add)(struct identity_set *, const char *,
	    const struct passphrase_source *, struct rp_error *);
} identity_args[] = {
	{ "", arg_identity_file },
};

int
keyset_add_identity(struct identity_set *set, const char *arg,
    const struct passphrase_source *pass, struct rp_error *err)
{
	size_t i;

	for (i = 0; strncmp(arg, identity_args[i].prefix,
	    strlen(identity_args[i].prefix)) != 0; i++)
		continue;
	return identity_args[i].add(set, arg, pass, err);
}

void
keyset_add_passphrase(struct identity_set *set,
    const struct passphrase_source *pass)
{
	(void)identity_set_add(set, age_scrypt_identity(pass, 0), NULL);
}

/* ---- Signers ---- */

/* A private key file signs as the stream's RSA identity.  A public
 * key file has no private half to sign with: its key may be in the
 * agent, which agent:FILE asks. */
static int
signer_key_file(const char *path, const struct passphrase_source *pass,
    struct identity **out, struct rp_error *err)
{
	struct rsa_key *key = rp_calloc(1, sizeof(*key));
	int rc;

	if ((rc = key_read_private(key, path, pass, err)) != 0) {
		/* Only a file that holds no private key gets the hint: a
		 * private key whose passphrase failed keeps its reason. */
		if ((rc == RP_REFUSED || rc == RP_MALFORMED) &&
		    key_read_public(key, path, pass, NULL) == 0) {
			key_free(key);
			rc = rp_fail(err, RP_USAGE, "%s is a public key: to sign "
			    "with its private half held by ssh-agent, say -s "
			    "agent:%s", path, path);
		}
		free(key);
		return rc;
	}
	*out = stream_rsa_identity(key, 1);
	return 0;
}

/* agent:SHA256:... or agent:FILE.pub: a key ssh-agent holds. */
static int
signer_agent(const char *arg, const struct passphrase_source *pass,
    struct identity **out, struct rp_error *err)
{
	return stream_agent_signer(arg + strlen("agent:"), pass, out, err);
}

/* The kinds of -s operand, as identity_args[]. */
static const struct {
	const char *prefix;
	int (*load)(const char *, const struct passphrase_source *,
	    struct identity **, struct rp_error *);
} signer_args[] = {
	{ "agent:", signer_agent },
	{ "", signer_key_file },
};

int
keyset_signer(const char *arg, const struct passphrase_source *pass,
    struct identity **out, struct rp_error *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; strncmp(arg, signer_args[i].prefix,
	    strlen(signer_args[i].prefix)) != 0; i++)
		continue;
	return signer_args[i].load(arg, pass, out, err);
}
