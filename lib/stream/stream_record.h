/* SPDX-License-Identifier: ISC */
/*
 * stream_record.h: the record layer (doc/FORMAT.md section 3): records
 * sealed and opened in place with AES-256-GCM under the payload key, the
 * record number and final flag in the nonce, the record header as AAD.
 *
 * stream_record_parse() and stream_record_open() return 0 or an rp_err
 * code (error.h) with its reason in err and never exit; sealing fails
 * only by rp_fatal().
 */
#ifndef RSAPIPE_STREAM_RECORD_H
#define RSAPIPE_STREAM_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>

#include "core/error.h"
#include "crypto/cipher_state.h"
#include "stream/format.h"
#include "stream/stream_format.h"

/* The record layer: one AES-256-GCM handle for the whole stream, in
 * the state the age payload keeps too (crypto/cipher_state.h). */

void stream_cipher_open(struct cipher_state *c, const struct stream_keys *keys);
void stream_cipher_close(struct cipher_state *c);

/*
 * Seal in place the len plaintext bytes at buf + STREAM_RECORD_HEADER_LEN
 * (buf must have room for STREAM_RECORD_OVERHEAD more); returns the
 * record's size.  libgcrypt failing, or a record too large, is
 * rp_fatal().
 */
size_t stream_record_seal(struct cipher_state *c, unsigned char *buf,
    size_t len, int final);

/* Parse a record header: plaintext length and final flag; 0, or
 * RP_MALFORMED with its reason in err. */
int stream_record_parse(const unsigned char hdr[STREAM_RECORD_HEADER_LEN],
    size_t *len, int *final, struct rp_error *err);

/*
 * Authenticate and decrypt in place a whole record of len plaintext bytes
 * (size len + STREAM_RECORD_OVERHEAD).  Returns 0 (plaintext at rec +
 * STREAM_RECORD_HEADER_LEN), or with its reason RP_AUTH (the tag fails),
 * RP_MALFORMED (a record after the final one) or RP_REFUSED (the counter
 * is exhausted).
 */
int stream_record_open(struct cipher_state *c, unsigned char *rec,
    size_t len, int final, struct rp_error *err);

#endif
