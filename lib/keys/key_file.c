/* SPDX-License-Identifier: ISC */
/* key_file.c: key files read and parsed, failures named by the file. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/keys.h"

/*
 * Parse one key; a failure is told with name in front, except one of
 * the passphrase's source (a file, the terminal), which is not the
 * key's and is told as it is.  A prompt for the passphrase names the
 * key it is for.
 */
static int
parse_named(struct rsa_key *key, const unsigned char *buf, size_t len,
    const char *name, const struct passphrase_source *pass, int private,
    struct rp_error *err)
{
	struct passphrase_source named;
	int rc;

	if (pass != NULL) {
		named = *pass;
		named.key_name = name;
		pass = &named;
	}
	rp_clear(err);
	rc = private ? key_parse_private(key, buf, len, pass, err) :
	    key_parse_public(key, buf, len, pass, err);
	/* Only the passphrase's source fails with RP_USAGE or RP_IO. */
	if (rc == 0 || rc == RP_USAGE || rc == RP_IO)
		return rc;
	if (err != NULL && err->reason[0] == '\0')
		rp_fail(err, rc, "bad key");
	rp_prefix(err, "%s", name);
	return rc;
}

static const char *
file_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "stdin" : path;
}

static int
load(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, int private, struct rp_error *err)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if ((rc = io_file_load(path, KEY_FILE_MAX, &buf, &len, err)) != 0)
		return rc;
	rc = parse_named(key, buf, len, file_name(path), pass, private, err);
	secure_free(buf);
	return rc;
}

/* The keys of a file of several PEM blocks; on a failure, those made
 * already are freed (their secrets wiped). */
static int
parse_blocks(struct rsa_key *keys, size_t total, const unsigned char *buf,
    size_t len, const char *path, const struct passphrase_source *pass,
    struct rp_error *err)
{
	char name[PATH_MAX + 32];
	size_t pos = 0, start, blen, n = 0;
	int rc = 0;

	for (; pem_next_block(buf, len, &pos, &start, &blen); n++) {
		snprintf(name, sizeof(name), total > 1 ? "%s (key %zu)" : "%s",
		    file_name(path), n + 1);
		if ((rc = parse_named(&keys[n], buf + start, blen, name, pass,
		    1, err)) != 0)
			break;
	}
	while (rc != 0 && n > 0)
		key_free(&keys[--n]);
	return rc;
}

int
key_parse_private_each(struct rsa_key *keys, size_t max,
    const unsigned char *buf, size_t len, const char *path,
    const struct passphrase_source *pass, size_t *n, struct rp_error *err)
{
	size_t pos = 0, start, blen, total = 0;
	int rc;

	while (pem_next_block(buf, len, &pos, &start, &blen))
		total++;
	if (total > max || max == 0)
		return rp_fail(err, RP_USAGE, "%s: too many keys (room for %zu "
		    "more identities)", file_name(path), max);
	/* Not PEM at all: the single-key parse says why. */
	if (total == 0)
		rc = parse_named(keys, buf, len, file_name(path), pass, 1, err);
	else
		rc = parse_blocks(keys, total, buf, len, path, pass, err);
	if (rc == 0)
		*n = total == 0 ? 1 : total;
	return rc;
}

int
key_read_private_all(struct rsa_key *keys, size_t max, const char *path,
    const struct passphrase_source *pass, size_t *n, struct rp_error *err)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if ((rc = io_file_load(path, KEY_FILE_MAX, &buf, &len, err)) != 0)
		return rc;
	rc = key_parse_private_each(keys, max, buf, len, path, pass, n, err);
	secure_free(buf);
	return rc;
}

int
key_read_public(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, struct rp_error *err)
{
	return load(key, path, pass, 0, err);
}

int
key_read_private(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, struct rp_error *err)
{
	return load(key, path, pass, 1, err);
}
