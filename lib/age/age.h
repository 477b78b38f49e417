/* SPDX-License-Identifier: ISC */
/*
 * age.h: the filters' work on age v1 files (doc/AGE.md), beside the
 * rsapipe stream's (stream.h): rsa-encrypt --age, and rsa-decrypt when
 * its input starts as an age file.  The same promises as rsapipe
 * streams: the header and its MAC are checked before any payload;
 * each chunk is written only after its tag verified; -o appears only
 * when the whole file did.  Both die with the documented status:
 * EXIT_AUTH for anything wrong with the file or the keys' fit,
 * EXIT_USAGE for local trouble.
 *
 * Messages say which part failed, so a person (and the conformance
 * test) can tell them apart:
 *	"age armor: ..."        the ASCII armor
 *	"age header: ..."       the header's syntax or a stanza's rules
 *	"no identity matches"   (or "wrong passphrase") nothing unwraps
 *	"age header MAC ..."    a file key unwraps, the MAC fails
 *	"age payload: ..."      a chunk fails, is missing, or trails
 */
#ifndef RSAPIPE_AGE_H
#define RSAPIPE_AGE_H

#include <stddef.h>

#include "age/age_stanza.h"
#include "keys/keys.h"
#include "keys/passphrase.h"

struct age_encrypt_options {
	const struct rsa_key *rsa;             /* ssh-rsa recipients */
	size_t nrsa;
	const unsigned char (*x25519)[AGE_X25519_LEN]; /* age1 recipients */
	size_t nx25519;
	int armor;
	const char *input;                     /* NULL or "-": stdin */
	const char *output;                    /* NULL or "-": stdout */
};

struct age_decrypt_options {
	const struct rsa_key *rsa;             /* ssh-rsa identities */
	size_t nrsa;
	const struct age_x25519_identity *x25519;
	size_t nx25519;
	/* For scrypt stanzas: asked only when the file has one. */
	const struct passphrase_source *pass;
	unsigned scrypt_max_log2n;             /* 0: AGE_SCRYPT_MAX_LOG2N */
	/* The input: already open, and the bytes the caller read from it
	 * to recognise it (detect_format), which come first. */
	int fd;
	const char *what;                      /* its name for messages */
	const unsigned char *prefix;
	size_t prefix_len;
	const char *output;
};

void age_encrypt(const struct age_encrypt_options *opt);
void age_decrypt(const struct age_decrypt_options *opt);

#endif
