/* SPDX-License-Identifier: ISC */
/*
 * stream.h: the filters' work on descriptors: rsa-encrypt's input to
 * records to (armored) output, rsa-decrypt's (de-armored) input to
 * verified plaintext, output files all-or-nothing.  Built on the format
 * (stream_format.h) and the record layer (stream_record.h), which this
 * header includes.  stream_encrypt() and stream_decrypt() are the whole
 * programs' work; they return 0 or an rp_err code with its reason
 * (core/error.h): RP_USAGE for what cannot be done as asked, a data
 * code (exit status 1) for anything wrong with the stream or the keys'
 * fit, RP_IO for a read or a write that fails; a failure of the input
 * (a read, its armor) as filter.h keeps it.
 */
#ifndef RSAPIPE_STREAM_H
#define RSAPIPE_STREAM_H

#include <stddef.h>

#include "core/error.h"
#include "core/filter.h"
#include "keys/identity.h"
#include "keys/keys.h"
#include "stream/stream_format.h"
#include "stream/stream_record.h"
#include "stream/stream_rsa.h"

/*
 * The input buffer stream_decrypt wants (filter.h): big enough for the
 * largest header or one record plus what the next read brings.
 */
#define STREAM_INPUT_SIZE (STREAM_HEADER_MAX + 2 * (STREAM_RECORD_MAX + \
	STREAM_RECORD_OVERHEAD))

struct stream_encrypt_options {
	/* Each of the stream's kind (stream_rsa_recipient()). */
	const struct recipient_set *recipients;
	const struct identity *signer;         /* one that signs, or NULL */
	const unsigned char *session;          /* STREAM_SESSION_LEN, or NULL */
	int armor;
	const char *input;                     /* NULL or "-": stdin */
	const char *output;                    /* NULL or "-": stdout */
};

struct stream_decrypt_options {
	/* Tried by identity_find_file_key(); only stream_rsa_identity()s
	 * can open a stream, the others pass over its stanzas. */
	const struct identity_set *identities;
	const struct rsa_key *from;            /* or NULL */
	const unsigned char *session;          /* or NULL */
	/* The input, opened by the caller with STREAM_INPUT_SIZE bytes of
	 * buffer and, for an armored stream, the armor decoder in place
	 * (api/input.h does both from the detected format). */
	struct filter_input *in;
	const char *output;
	/* End at the final record instead of reading on to end of input to
	 * refuse trailing data: for a connection that stays open after the
	 * stream, whose end would otherwise wait for the peer to close. */
	int stop_at_final;
};

int stream_encrypt(const struct stream_encrypt_options *opt,
    struct rp_error *err);
int stream_decrypt(const struct stream_decrypt_options *opt,
    struct rp_error *err);

/* Read a --session file: exactly STREAM_SESSION_LEN bytes, in secure
 * memory (free with secure_free(p)), into *session.  0, or RP_USAGE. */
int stream_session_load(const char *path, unsigned char **session,
    struct rp_error *err);

#endif
