/* SPDX-License-Identifier: ISC */
/*
 * age.h: the filters' work on age v1 files (doc/AGE.md), beside the
 * rsapipe stream's (stream.h): rsa-encrypt --age, and rsa-decrypt when
 * its input is an age file.  The same promises as rsapipe streams: the
 * header and its MAC are checked before any payload; each chunk is
 * written only after its tag verified; -o appears only when the whole
 * file did.  Both return 0 or an rp_err code with its reason
 * (core/error.h): RP_USAGE for what the caller asked that cannot be
 * done, a data code (exit status 1) for anything wrong with the file or
 * the keys' fit.  (The I/O and armor layers below still end the process
 * on their own failures, with the documented status.)
 *
 * Reasons say which part failed, so a person (and the conformance
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

#include "age/age_format.h"
#include "age/age_keys.h"
#include "age/age_stream.h"
#include "core/error.h"
#include "core/filter.h"
#include "keys/identity.h"

/*
 * The input buffer age_decrypt wants (filter.h): the largest header and
 * the nonce.  The payload is read past it, a batch of chunks at a time,
 * into age_decrypt.c's own two buffers.
 */
#define AGE_INPUT_SIZE (AGE_HEADER_MAX + AGE_NONCE_LEN + \
	FILTER_DECODE_SLACK + 4096)

struct age_encrypt_options {
	/* Each wraps into a stanza of printable text (age_keys.h's
	 * X25519 and ssh-rsa recipients); in this order in the header. */
	const struct recipient_set *recipients;
	int armor;
	const char *input;                     /* NULL or "-": stdin */
	const char *output;                    /* NULL or "-": stdout */
};

struct age_decrypt_options {
	/* Tried by identity_find_file_key(); an age_scrypt_identity()
	 * among them opens a passphrase-protected file. */
	const struct identity_set *identities;
	/* The input, opened by the caller with AGE_INPUT_SIZE bytes of
	 * buffer and, for an armored file, age's armor decoder in place
	 * (api/input.h does both from the detected format). */
	struct filter_input *in;
	const char *output;
};

/*
 * h's stanzas as identity.h's, for the identities to try: views into h
 * (no copy; valid while h is), h->nstanzas of them in an array to
 * free() (never NULL, even for none).
 */
struct stanza *age_header_stanzas(const struct age_header *h);

int age_encrypt(const struct age_encrypt_options *opt, struct rp_error *err);
int age_decrypt(const struct age_decrypt_options *opt, struct rp_error *err);

/*
 * age.c's half of age_decrypt, in age_decrypt.c: the payload after the
 * nonce, from in, each chunk written to out (named what) once its tag
 * verified; st two handles open under the payload key.  0, or an rp_err
 * code: the input's failure, RP_AUTH for a chunk that fails, RP_MALFORMED
 * for a missing last chunk, an empty one after others, data after it.
 */
int age_decrypt_payload(struct filter_input *in, struct cipher_state st[2],
    int out, const char *what, struct rp_error *err);

#endif
