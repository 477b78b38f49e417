/* SPDX-License-Identifier: ISC */
/*
 * rsa_pkcs1.h: RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2) with SHA-256 or
 * SHA-512, the only RSA signature an ssh-agent makes (rsa-sha2-256,
 * rsa-sha2-512).  rsapipe's own proofs are PSS (rsa.h); this exists so a
 * key held by an agent can prove itself, and so a file key can make the
 * same signatures (SSHSIG, sshsig.h) without an agent.
 *
 * Signatures are octet strings of exactly the modulus length.  Failures
 * of the input return an rp_err code (error.h); libgcrypt failing on
 * values we built is rp_fatal().
 */
#ifndef RSAPIPE_RSA_PKCS1_H
#define RSAPIPE_RSA_PKCS1_H

#include <stddef.h>

#include "core/error.h"
#include "crypto/rsa.h"

/* The two hashes; the values are bits, so a caller can allow a set. */
enum rsa_pkcs1_hash {
	RSA_PKCS1_SHA256 = 1,
	RSA_PKCS1_SHA512 = 2
};

#define RSA_PKCS1_DIGEST_MAX 64

/* The digest length of hash (32 or 64), 0 for anything else. */
/* libgcrypt's and SSHSIG's name of the hash: "sha256", "sha512"; NULL
 * for another value. */
const char *rsa_pkcs1_hash_name(enum rsa_pkcs1_hash hash);
size_t rsa_pkcs1_digest_len(enum rsa_pkcs1_hash hash);
/* The digest of msg under hash into out (room for digest_len bytes). */
void rsa_pkcs1_digest(enum rsa_pkcs1_hash hash, const void *msg, size_t len,
    unsigned char *out);

/*
 * Sign the digest (rsa_pkcs1_digest_len(hash) bytes) with key's private
 * half; sig gets exactly rsa_modulus_bytes(key) bytes.  RP_NOKEY when
 * key has no private half, RP_USAGE for an unknown hash.
 */
int rsa_pkcs1_sign(const struct rsa_key *key, enum rsa_pkcs1_hash hash,
    const unsigned char *digest, unsigned char *sig, struct rp_error *err);

/* 0 if sig, exactly the modulus length, is key's signature of digest
 * under hash; else RP_AUTH. */
int rsa_pkcs1_verify(const struct rsa_key *key, enum rsa_pkcs1_hash hash,
    const unsigned char *digest, const unsigned char *sig, size_t sig_len,
    struct rp_error *err);

#endif
