/* SPDX-License-Identifier: ISC */
/*
 * stream.h: the filters' work on descriptors: rsa-encrypt's input to
 * records to (armored) output, rsa-decrypt's (de-armored) input to
 * verified plaintext, output files all-or-nothing.  Built on the format
 * (stream_format.h) and the record layer (stream_record.h), which this
 * header includes.  stream_encrypt() and stream_decrypt() are the whole
 * programs' work and die with the documented status.
 */
#ifndef RSAPIPE_STREAM_H
#define RSAPIPE_STREAM_H

#include <stddef.h>

#include "keys.h"
#include "stream_format.h"
#include "stream_record.h"

struct stream_encrypt_options {
	const struct rsa_key *recipients;
	size_t nrecipients;
	const struct rsa_key *signer;          /* or NULL */
	const unsigned char *session;          /* STREAM_SESSION_LEN, or NULL */
	int armor;
	const char *input;                     /* NULL or "-": stdin */
	const char *output;                    /* NULL or "-": stdout */
};

struct stream_decrypt_options {
	const struct rsa_key *identities;
	size_t nidentities;
	const struct rsa_key *from;            /* or NULL */
	const unsigned char *session;          /* or NULL */
	/* The input: fd, already open (io_open_input(input)) and not
	 * closed here, named by input in messages (NULL or "-": stdin);
	 * the prefix_len bytes at prefix were read from it already (to
	 * tell an rsapipe stream from an age file) and come first. */
	const char *input;
	int fd;
	const unsigned char *prefix;
	size_t prefix_len;
	const char *output;
	/* End at the final record instead of reading on to end of input to
	 * refuse trailing data: for a connection that stays open after the
	 * stream, whose end would otherwise wait for the peer to close. */
	int stop_at_final;
	/* A descriptor above 2 (else none: zeroed options write nothing):
	 * one word when the stream ends, "FINAL", "TRUNCATED" (input ended
	 * before the final record) or "FAILED" (doc/FORMAT.md section 5). */
	int status_fd;
};

void stream_encrypt(const struct stream_encrypt_options *opt);
void stream_decrypt(const struct stream_decrypt_options *opt);

/* Read a --session file: exactly STREAM_SESSION_LEN bytes, in secure
 * memory (free with secure_free(p)).  Dies
 * (EXIT_USAGE) otherwise. */
unsigned char *stream_session_load(const char *path);

#endif
