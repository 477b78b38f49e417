/* SPDX-License-Identifier: ISC */
/*
 * pkcs8.h: encrypted PKCS#8 (EncryptedPrivateKeyInfo, RFC 5208) with
 * PBES2 (RFC 8018): PBKDF2 (PRF HMAC-SHA1, the default when none is
 * named, or HMAC-SHA224/256/384/512) or scrypt (RFC 7914), then
 * AES-128-CBC, AES-192-CBC or AES-256-CBC.  That is what `openssl pkcs8
 * -topk8 -v2 aes-*-cbc [-v2prf hmacWithSHA1 | -scrypt]`, `openssl genpkey
 * -aes128 ...` and `ssh-keygen -m PKCS8` write.
 */
#ifndef RSAPIPE_PKCS8_H
#define RSAPIPE_PKCS8_H

#include <stddef.h>

#include "core/error.h"

/* Hostile files must not make us burn CPU or memory without end. */
#define PKCS8_PBKDF2_MAX_ITER 10000000UL
#define PKCS8_SCRYPT_MAX_N (1UL << 20)  /* 1 GiB with r = 8 */
#define PKCS8_SCRYPT_MAX_P 16UL
#define PKCS8_SCRYPT_MAX_NP (1UL << 20)

/* What we write: openssl's -scrypt defaults. */
#define PKCS8_SCRYPT_N 16384UL
#define PKCS8_SCRYPT_R 8UL
#define PKCS8_SCRYPT_P 1UL

/*
 * Decrypt an EncryptedPrivateKeyInfo DER into the PrivateKeyInfo DER,
 * in secure memory (free with secure_free(*out)).  Returns 0 or an
 * rp_err code (error.h) with its reason in err: RP_MALFORMED, RP_REFUSED
 * (another scheme, cipher or PRF; a cost over the caps above), or
 * RP_PASSPHRASE ("wrong passphrase or corrupt key": the padding does
 * not check).
 */
int pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
    unsigned char **out, size_t *outlen, struct rp_error *err);

/* Encrypt a PrivateKeyInfo DER (PBES2, scrypt, AES-256-CBC).  Returns
 * DER in ordinary memory (it is ciphertext; free()).  libgcrypt failing
 * on it is rp_fatal(). */
unsigned char *pkcs8_encrypt(const unsigned char *der, size_t len,
    const char *pass, size_t *outlen);

#endif
