/* SPDX-License-Identifier: ISC */
/*
 * age_stream.h: age's STREAM payload: 64 KiB plaintext chunks, each
 * sealed with ChaCha20-Poly1305 under the payload key, the nonce an
 * 11-byte big-endian chunk counter and a last-chunk byte (1 on the
 * last).  The last chunk may be shorter than 64 KiB, and empty only
 * when it is the first (an empty payload).
 *
 * Opening returns 0 or an rp_err code with its reason (core/error.h)
 * and never exits.  The state is the one both payload layers keep
 * (crypto/cipher_state.h).
 */
#ifndef RSAPIPE_AGE_STREAM_H
#define RSAPIPE_AGE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>

#include "age/age_format.h"
#include "core/error.h"
#include "crypto/cipher_state.h"

#define AGE_CHUNK_SIZE 65536
#define AGE_TAG_LEN 16
#define AGE_CHUNK_MAX (AGE_CHUNK_SIZE + AGE_TAG_LEN)

void age_stream_open(struct cipher_state *st,
    const unsigned char key[AGE_PAYLOAD_KEY_LEN]);
void age_stream_close(struct cipher_state *st);

/* Seal len (<= AGE_CHUNK_SIZE) bytes at buf in place, appending the
 * tag (buf has room for AGE_TAG_LEN more); returns len + AGE_TAG_LEN.
 * A chunk out of order is the caller's bug (rp_fatal). */
size_t age_stream_seal(struct cipher_state *st, unsigned char *buf,
    size_t len, int last);

/*
 * Open in place the next chunk: n bytes, tag included.  A chunk
 * shorter than AGE_CHUNK_MAX can only be the last.  A full one may be
 * either, and the stream itself says which, as age's reference reader
 * lets it: it is opened as a middle chunk and, if that tag fails, as
 * the last (only one of the two nonces can verify).  Returns 0
 * (plaintext n - AGE_TAG_LEN bytes at buf; st->finished set if it was
 * the last), RP_AUTH (the tag fails; buf is wiped), or RP_MALFORMED
 * (shorter than a tag, an empty last chunk that is not the first, a
 * chunk after the last).
 */
int age_stream_open_chunk(struct cipher_state *st, unsigned char *buf,
    size_t n, struct rp_error *err);

#endif
