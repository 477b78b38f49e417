/* SPDX-License-Identifier: ISC */
/*
 * sshsig.h: OpenSSH's SSHSIG signatures (PROTOCOL.sshsig) with RSA keys,
 * the proof an ssh-agent can make (doc/KEYSWAP-v2.md section 3.1):
 *
 *	blob:        "SSHSIG" uint32 1 string publickey string namespace
 *	             string reserved string hash_algorithm
 *	             string (string sig_algorithm string s)
 *	signed data: "SSHSIG" string namespace string reserved
 *	             string hash_algorithm string H(message)
 *
 * The signature is RSASSA-PKCS1-v1_5 over the signed data with the hash
 * the signature algorithm names (rsa-sha2-256, rsa-sha2-512); H is the
 * hash_algorithm's (sha256, sha512).  Both use enum rsa_pkcs1_hash, whose
 * values are bits so a verifier can allow a set.
 *
 * The same bytes are what `ssh-keygen -Y sign -n NAMESPACE` writes and
 * `ssh-keygen -Y check-novalidate` reads, once armored.  Functions
 * return 0 or an rp_err code with err filled (error.h).
 */
#ifndef RSAPIPE_SSHSIG_H
#define RSAPIPE_SSHSIG_H

#include <stddef.h>

#include "core/error.h"
#include "crypto/rsa.h"
#include "crypto/rsa_pkcs1.h"

#define SSHSIG_NAMESPACE_KEYSWAP "keyswap-v2@rsapipe"
#define SSHSIG_NAMESPACE_MAX 256
#define SSHSIG_BLOB_MAX (16 * 1024)     /* a 16384-bit key needs ~4.2 KiB */
#define SSHSIG_ARMOR_MAX (24 * 1024)    /* dearmoring uses secure memory */
#define SSHSIG_ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----"
#define SSHSIG_ARMOR_END "-----END SSH SIGNATURE-----"

/* A parsed blob: every pointer is into the bytes given to sshsig_parse. */
struct sshsig {
	const unsigned char *pubkey, *ns, *reserved, *hash_alg, *sig_alg,
	    *sig;
	size_t pubkey_len, ns_len, reserved_len, hash_alg_len, sig_alg_len,
	    sig_len;
};

/* "sha256" / "sha512" and "rsa-sha2-256" / "rsa-sha2-512"; NULL for a
 * value outside the enum. */
const char *sshsig_hash_name(enum rsa_pkcs1_hash hash);
const char *sshsig_alg_name(enum rsa_pkcs1_hash alg);
/* The enum value for a name, 0 if it is none of them. */
int sshsig_alg_from_name(const unsigned char *name, size_t len);
int sshsig_hash_from_name(const unsigned char *name, size_t len);

/*
 * The structure only, no policy: magic, version 1, the six fields, the
 * signature field holding exactly two strings, nothing after.  A pure
 * function (fuzzed): RP_MALFORMED with the reason on any deviation.
 */
int sshsig_parse(const unsigned char *blob, size_t len, struct sshsig *s,
    struct rp_error *err);

/*
 * The data to be signed for message under namespace ns (non-empty, at
 * most SSHSIG_NAMESPACE_MAX bytes) with hash_algorithm hash: what an
 * agent is asked to sign.  *out from rp_alloc (free()).
 */
int sshsig_signed_data(const char *ns, enum rsa_pkcs1_hash hash,
    const void *msg, size_t len, unsigned char **out, size_t *out_len,
    struct rp_error *err);

/*
 * The blob around a signature s (sig_len bytes, the modulus length) by
 * key under alg, over sshsig_signed_data(ns, hash, ...).  *blob from
 * rp_alloc (free()).  Nothing is verified here.
 */
int sshsig_wrap(const struct rsa_key *key, const char *ns,
    enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg,
    const unsigned char *s, size_t sig_len, unsigned char **blob,
    size_t *blob_len, struct rp_error *err);

/* Sign msg with a key that has its private half (a file key): the same
 * blob an agent's signature gives.  RP_NOKEY without a private half. */
int sshsig_sign_key(const struct rsa_key *key, const char *ns,
    enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg, const void *msg,
    size_t len, unsigned char **blob, size_t *blob_len,
    struct rp_error *err);

/*
 * Verify blob as key's signature of msg under namespace ns, strictly:
 * the parse above; publickey exactly key's ssh-rsa blob; the namespace
 * exactly ns; reserved empty; hash_algorithm one of hashes and the
 * signature algorithm one of algs (sets of enum rsa_pkcs1_hash bits);
 * the PKCS#1 v1.5 signature of exactly the modulus length.  0, or
 * RP_MALFORMED (does not parse) or RP_AUTH (parses, does not verify),
 * the reason naming the first check that failed.
 */
int sshsig_verify(const struct rsa_key *key, const char *ns,
    const void *msg, size_t len, const unsigned char *blob, size_t blob_len,
    unsigned hashes, unsigned algs, struct rp_error *err);

/*
 * The armored form ssh-keygen writes: the BEGIN line, padded base64 in
 * lines of 70, the END line, a final newline.  From rp_alloc (free()),
 * NUL-terminated, *text_len without the NUL.
 */
char *sshsig_armor(const unsigned char *blob, size_t len, size_t *text_len);

/* The blob out of armored text (whitespace around it allowed, nothing
 * else).  *blob from rp_alloc (free()). */
int sshsig_dearmor(const unsigned char *text, size_t len,
    unsigned char **blob, size_t *blob_len, struct rp_error *err);

#endif
