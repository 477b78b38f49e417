/* SPDX-License-Identifier: ISC */
/* keyswap_keys.c: --peer and --allowed-keys files into a keyring. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/recipients.h"
#include "cli.h"
#include "core/common.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keyswap/known_peers.h"
#include "keyswap_keys.h"

#define KEYS_SUFFIX ".keys"

static char *
copy(const char *s, size_t n)
{
	char *c = rp_alloc(n + 1);

	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* The name the local side gave path: its base name without ".keys" or
 * ".pub", or NULL when that is no known_peers_valid_name() (the short
 * fingerprint is then the peer's name, as before names came from
 * files). */
static char *
file_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;
	char *name;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, KEYS_SUFFIX) == 0)
		n -= 5;
	else if (n > 4 && strcmp(base + n - 4, ".pub") == 0)
		n -= 4;
	name = copy(base, n);
	if (strcmp(path, "-") != 0 && known_peers_valid_name(name))
		return name;
	free(name);
	return NULL;
}

static void
add_key(struct keyswap_keyring *ring, struct rsa_key *key, char *file,
    char *name, unsigned long line)
{
	struct keyswap_named_key *k;

	ring->keys = rp_realloc(ring->keys, (ring->n + 1) * sizeof(*k));
	k = &ring->keys[ring->n++];
	key_fingerprint(key, k->fingerprint);
	k->file = file;
	k->name = name;
	k->line = line;
	key_free(key);
}

/* One public key a line; returns how many RSA keys were added. */
static size_t
add_lines(struct keyswap_keyring *ring, const unsigned char *buf,
    size_t len, char *file, char *name)
{
	struct recipients_reader r;
	struct rsa_key key;
	struct rp_error err;
	size_t found = 0;
	int rc;

	recipients_init(&r, buf, len);
	while ((rc = recipients_next(&r, &key, &err)) > 0) {
		if (r.kind != RECIPIENT_RSA) {
			notice("%s:%zu: skipping the %s key: keyswap "
			    "identities are RSA", file, r.lineno, r.type);
			continue;
		}
		add_key(ring, &key, file, name, r.lineno);
		found++;
	}
	if (rc < 0) {
		rp_prefix(&err, "%s:%zu", file, r.lineno);
		die_error(&err, EXIT_USAGE);
	}
	return found;
}

/* Every RSA key of path, under name (NULL: none); at least one. */
static void
add_file(struct keyswap_keyring *ring, const char *path, char *name)
{
	struct rp_error err;
	struct rsa_key key;
	unsigned char *buf;
	char *file = copy(path, strlen(path));
	size_t len, found = 1;

	if (io_file_load(path, KEY_FILE_MAX, &buf, &len, &err) != 0)
		die_error(&err, EXIT_USAGE);
	/* A PEM or OpenSSH key file holds one key, as --peer always took;
	 * anything else is read a line at a time. */
	if (memmem(buf, len, "-----BEGIN ", 11) != NULL) {
		if (key_parse_public(&key, buf, len, NULL, &err) != 0) {
			rp_prefix(&err, "%s", path);
			die_error(&err, EXIT_USAGE);
		}
		add_key(ring, &key, file, name, 0);
	} else
		found = add_lines(ring, buf, len, file, name);
	secure_free(buf);
	if (found == 0)
		die(EXIT_USAGE, "%s: no RSA public key in the file", path);
}

/* The NAME.keys files of a directory, NAME a known-peers name. */
static int
is_keys_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	char *name;
	int ok;

	if (n <= 5 || strcmp(d->d_name + n - 5, KEYS_SUFFIX) != 0)
		return 0;
	name = copy(d->d_name, n - 5);
	ok = known_peers_valid_name(name);
	free(name);
	return ok;
}

static void
add_dir(struct keyswap_keyring *ring, const char *dir)
{
	struct dirent **list;
	char *path;
	int i, n;

	if ((n = scandir(dir, &list, is_keys_file, alphasort)) < 0)
		die(EXIT_USAGE, "cannot read %s: %s", dir, strerror(errno));
	if (n == 0)
		die(EXIT_USAGE, "%s: no NAME.keys file in the directory", dir);
	for (i = 0; i < n; i++) {
		path = rp_alloc(strlen(dir) + strlen(list[i]->d_name) + 2);
		strcpy(path, dir);
		strcat(path, "/");
		strcat(path, list[i]->d_name);
		add_file(ring, path, file_name(path));
		free(path);
		free(list[i]);
	}
	free(list);
}

void
ks_keys_open(struct keyswap_keyring *ring, const struct keyswap_trust *t)
{
	memset(ring, 0, sizeof(*ring));
	if (t->peer != NULL)
		add_file(ring, t->peer, file_name(t->peer));
	if (t->allowed_keys != NULL)
		add_dir(ring, t->allowed_keys);
}

void
ks_keys_close(struct keyswap_keyring *ring)
{
	size_t i;

	/* The keys of a file share its name and file strings. */
	for (i = 0; i < ring->n; i++)
		if (i == 0 || ring->keys[i].file != ring->keys[i - 1].file) {
			free((char *)ring->keys[i].file);
			free((char *)ring->keys[i].name);
		}
	free(ring->keys);
	memset(ring, 0, sizeof(*ring));
}

void
ks_keys_notice(const struct keyswap_trust *t, const char *fingerprint,
    const struct keyswap_judgement *j)
{
	const struct keyswap_named_key *k = j->key;

	if (t->peer != NULL && k == NULL)
		notice("peer identity %s", fingerprint);
	else if (t->peer != NULL && k->line == 0)
		notice("peer identity %s is '%s' (%s)", fingerprint,
		    j->peer_name, k->file);
	else if (t->peer != NULL)
		notice("peer identity %s is '%s' (%s:%lu)", fingerprint,
		    j->peer_name, k->file, k->line);
	else if (k != NULL)
		notice("peer is '%s' (%s:%lu)", j->peer_name, k->file,
		    k->line);
	else if (j->allowed_line != 0)
		notice("peer is '%s' (%s:%lu)", j->peer_name, t->allowed,
		    j->allowed_line);
}
