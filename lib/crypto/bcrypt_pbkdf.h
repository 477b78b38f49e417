/* SPDX-License-Identifier: ISC */
/*
 * bcrypt_pbkdf.h: the key derivation function of OpenSSH's private key
 * format ("bcrypt" KDF), as OpenBSD defines it: PBKDF2-like, with SHA-512
 * (libgcrypt) and a bcrypt hash (EksBlowfish, blowfish.h) in place of
 * HMAC.  No Debian C library exports it.  Checked against OpenBSD's
 * published vectors and against keys made by ssh-keygen.
 */
#ifndef RSAPIPE_BCRYPT_PBKDF_H
#define RSAPIPE_BCRYPT_PBKDF_H

#include <stddef.h>
#include <stdint.h>

/* The most output one call may ask for (OpenBSD's limit). */
#define BCRYPT_PBKDF_MAX_KEY 1024

/*
 * Derive keylen bytes (1..BCRYPT_PBKDF_MAX_KEY) into key from the
 * passphrase and salt (saltlen 1..(1 << 20)) with rounds >= 1.  Returns
 * 0, or -1 when an argument is out of range (nothing written).  All
 * intermediate state is wiped.  Never exits.
 */
int bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt,
    size_t saltlen, uint8_t *key, size_t keylen, unsigned int rounds);

#endif
