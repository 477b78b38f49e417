/* SPDX-License-Identifier: ISC */
/*
 * cipher_state.h: the state both payload layers keep (the rsapipe
 * stream's AES-256-GCM records, stream_record.h; age's
 * ChaCha20-Poly1305 chunks, age_stream.h): one AEAD handle opened once
 * under the payload key, the number of the next record or chunk, and
 * whether the last one has been sealed or opened.
 */
#ifndef RSAPIPE_CIPHER_STATE_H
#define RSAPIPE_CIPHER_STATE_H

#include <stdint.h>
#include <gcrypt.h>

struct cipher_state {
	gcry_cipher_hd_t hd;   /* GCRY_CIPHER_SECURE: the key schedule in
	                          secure memory */
	uint64_t counter;      /* the next record's or chunk's number */
	int finished;          /* the last one has been sealed/opened */
};

#endif
