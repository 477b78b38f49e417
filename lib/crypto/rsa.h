/* SPDX-License-Identifier: ISC */
/*
 * rsa.h: the RSA primitives, the only code that hands RSA operations to
 * libgcrypt: RSA-OAEP wrap and unwrap (SHA-256, MGF1-SHA-256, a label)
 * and RSASSA-PSS sign and verify (SHA-256, MGF1-SHA-256, 32-byte salt)
 * of a SHA-256 digest.  Ciphertexts and signatures are octet strings of
 * exactly the modulus length (RFC 8017 I2OSP: left-padded with zeros).
 *
 * Failures of the input return an rp_err code (error.h); libgcrypt
 * failing on values we built is rp_fatal() (core/error.h).
 */
#ifndef RSAPIPE_RSA_H
#define RSAPIPE_RSA_H

#include <stddef.h>
#include <gcrypt.h>

/* An RSA key as every layer holds it: the key files (keys/) parse into
 * it, the primitives below use it. */
#define KEY_MIN_BITS 2048
#define KEY_MAX_BITS 16384
#define KEY_DEFAULT_BITS 3072
#define KEY_ID_LEN 8            /* first 8 bytes of SHA-256(SPKI DER) */
#define KEY_FINGERPRINT_LEN 51  /* "SHA256:" + 43 base64 chars + NUL */

struct rsa_key {
	gcry_sexp_t pub;  /* (public-key (rsa (n) (e))) */
	gcry_sexp_t priv; /* (private-key (rsa (n)(e)(d)(p)(q)(u))), or NULL */
	unsigned char *spki;  /* SubjectPublicKeyInfo DER */
	size_t spki_len;
	unsigned int nbits;   /* modulus size */
	unsigned char id[KEY_ID_LEN];
};

#define RSA_DIGEST_LEN 32       /* SHA-256 */
#define RSA_PSS_SALT_LEN 32

/* The modulus length in bytes: the size of every ciphertext and
 * signature made with key. */
size_t rsa_modulus_bytes(const struct rsa_key *key);

/* Encrypt msg (len bytes) to key's public half; out gets exactly
 * rsa_modulus_bytes(key) bytes. */
void rsa_oaep_wrap(const struct rsa_key *key, const char *label,
    const unsigned char *msg, size_t len, unsigned char *out);

/*
 * Decrypt ct with key's private half into out, which must come out at
 * exactly out_len bytes.  Returns 0, RP_NOKEY when key has no private
 * half, or RP_DECRYPT when ct is not the modulus length, does not
 * decode, or gives another length.  No copy of the plaintext is left
 * behind in ordinary memory.
 */
int rsa_oaep_unwrap(const struct rsa_key *key, const char *label,
    const unsigned char *ct, size_t ct_len, unsigned char *out,
    size_t out_len);

/* Sign digest with key's private half; sig gets exactly
 * rsa_modulus_bytes(key) bytes.  A key without a private half is a
 * caller's error: rp_fatal(). */
void rsa_pss_sign(const struct rsa_key *key,
    const unsigned char digest[RSA_DIGEST_LEN], unsigned char *sig);

/* 0 if sig (which must be exactly the modulus length) is key's
 * signature of digest, else RP_AUTH. */
int rsa_pss_verify(const struct rsa_key *key,
    const unsigned char digest[RSA_DIGEST_LEN], const unsigned char *sig,
    size_t sig_len);

#endif
