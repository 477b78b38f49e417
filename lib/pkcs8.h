/* SPDX-License-Identifier: ISC */
/*
 * pkcs8.h: encrypted PKCS#8 (EncryptedPrivateKeyInfo, RFC 5208) with
 * PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 or scrypt (RFC 7914), AES-256-CBC;
 * what `openssl pkcs8 -topk8 -v2 aes-256-cbc [-v2prf hmacWithSHA256 |
 * -scrypt]` writes.
 */
#ifndef RSAPIPE_PKCS8_H
#define RSAPIPE_PKCS8_H

#include <stddef.h>

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
 * in secure memory (free with secure_free(*out)).  A wrong
 * passphrase gives -1 with *why "wrong passphrase or corrupt key".
 */
int pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
    unsigned char **out, size_t *outlen, const char **why);

/* Encrypt a PrivateKeyInfo DER (PBES2, scrypt, AES-256-CBC).  Returns
 * DER in ordinary memory (it is ciphertext; free()).  Dies on failure. */
unsigned char *pkcs8_encrypt(const unsigned char *der, size_t len,
    const char *pass, size_t *outlen);

#endif
