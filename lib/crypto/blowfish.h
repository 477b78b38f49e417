/* SPDX-License-Identifier: ISC */
/*
 * blowfish.h: the Blowfish block cipher with the expensive key schedule
 * (EksBlowfish) that bcrypt and bcrypt_pbkdf need.
 *
 * libgcrypt has Blowfish, but only its standard key schedule behind an
 * opaque handle; bcrypt_pbkdf must expand the state with a salt and a
 * key alternately, many times.  This module is only that: it is not a
 * general cipher for the rest of rsapipe.  Checked against Schneier's
 * published vectors and against libgcrypt's Blowfish (tests/unit).
 */
#ifndef RSAPIPE_BLOWFISH_H
#define RSAPIPE_BLOWFISH_H

#include <stddef.h>
#include <stdint.h>

struct blowfish {
	uint32_t s[4][256];
	uint32_t p[18];
};

/* The initial state: the digits of pi. */
void blowfish_init(struct blowfish *bf);

/* The standard key schedule step: P ^= key (cycled), then P and S
 * replaced by encrypting a running block.  keylen must be 1..72; key is
 * read cyclically as bcrypt does. */
void blowfish_expand0(struct blowfish *bf, const uint8_t *key, size_t keylen);

/* The salted step of EksBlowfish: as blowfish_expand0, but the running
 * block is XORed with the salt (cycled) before each encryption.
 * saltlen and keylen must be at least 1. */
void blowfish_expand(struct blowfish *bf, const uint8_t *salt,
    size_t saltlen, const uint8_t *key, size_t keylen);

/* Encrypt one 64-bit block held as two words (left, right). */
void blowfish_encipher(const struct blowfish *bf, uint32_t *l, uint32_t *r);

#endif
