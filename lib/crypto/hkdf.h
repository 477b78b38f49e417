/* SPDX-License-Identifier: ISC */
/*
 * hkdf.h: HKDF-SHA256 (RFC 5869) built on libgcrypt's HMAC, which
 * libgcrypt 1.10 does not offer itself.
 */
#ifndef RSAPIPE_HKDF_H
#define RSAPIPE_HKDF_H

#include <stddef.h>
#include <gcrypt.h>

#define HKDF_SHA256_LEN 32
#define HKDF_SHA256_MAX_OUT (255 * HKDF_SHA256_LEN)

/*
 * Derive out_len bytes (at most HKDF_SHA256_MAX_OUT) from ikm, salt and
 * info.  An empty salt means HashLen zero bytes, as the RFC says.  The
 * intermediate PRK lives in secure memory.  HKDF over any input of
 * valid lengths cannot fail, so neither function returns an error: a
 * longer out_len (the caller's bug) or libgcrypt failing on its HMAC
 * ends in rp_fatal() (core/error.h).
 */
void hkdf_sha256(unsigned char *out, size_t out_len,
    const unsigned char *ikm, size_t ikm_len,
    const unsigned char *salt, size_t salt_len,
    const unsigned char *info, size_t info_len);

/* One-shot HMAC-SHA256 of data under key: 32 bytes into out. */
void hmac_sha256(unsigned char out[HKDF_SHA256_LEN],
    const unsigned char *key, size_t key_len,
    const unsigned char *data, size_t data_len);

#endif
