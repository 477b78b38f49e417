/* SPDX-License-Identifier: ISC */
/* fuzz.c: setup shared by the fuzz targets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/cli.h"
#include "core/common.h"
#include "fuzz.h"
#include "stream/stream.h"

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

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

static char pass_path[] = "/tmp/rsapipe-fuzz-pass.XXXXXX";
static struct passphrase_source pass_src = PASSPHRASE_SOURCE_INIT;

static void
remove_pass_file(void)
{
	unlink(pass_path);
}

void
fuzz_init(const char *name)
{
	static int done;
	int fd;

	if (done)
		return;
	done = 1;
	rsapipe_init(name);
	fd = mkstemp(pass_path);
	if (fd < 0)
		die(EXIT_USAGE, "%s:", pass_path);
	if (write(fd, FUZZ_PASSPHRASE "\n", sizeof(FUZZ_PASSPHRASE)) !=
	    (ssize_t)sizeof(FUZZ_PASSPHRASE))
		die(EXIT_USAGE, "write %s:", pass_path);
	close(fd);
	atexit(remove_pass_file);
	pass_src.file = pass_path;
}

const struct passphrase_source *
fuzz_passphrase(void)
{
	return &pass_src;
}

const struct rsa_key *
fuzz_key(const char *name)
{
	static struct { const char *name; struct rsa_key key; } cache[4];
	char path[4096];
	const char *dir;
	size_t i;

	for (i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (cache[i].name == NULL) {
			/* The fixtures are found from the tree or $RSAPIPE_FIXTURES,
			 * so the binaries run from any directory. */
			dir = getenv("RSAPIPE_FIXTURES");
			snprintf(path, sizeof(path), "%s/%s.pem",
			    dir != NULL ? dir : FIXTURES, name);
			load_key(&cache[i].key, path, NULL, 1);
			cache[i].name = name;
		}
		if (strcmp(cache[i].name, name) == 0)
			return &cache[i].key;
	}
	die(EXIT_USAGE, "fuzz_key: too many keys");
}

struct stream_keys *
fuzz_record_keys(void)
{
	static const unsigned char salt[STREAM_SALT_LEN] = "rsapipe fuzzsalt";
	static struct stream_keys *keys;
	size_t i;

	if (keys != NULL)
		return keys;
	keys = stream_keys_new();
	for (i = 0; i < sizeof(keys->file_key); i++)
		keys->file_key[i] = (unsigned char)i;
	stream_keys_derive(keys, salt);
	return keys;
}
