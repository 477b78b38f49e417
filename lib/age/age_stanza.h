/* SPDX-License-Identifier: ISC */
/*
 * age_stanza.h: age's recipient types: wrapping the 16-byte file key
 * to a recipient, and unwrapping it with an identity, on identity.h's
 * generic stanzas.  age_keys.h makes recipients and identities of them.
 *
 *   X25519   -> X25519 SHARE           body: ChaCha20-Poly1305 of the
 *            file key under HKDF(shared secret, SHARE || recipient,
 *            "age-encryption.org/v1/X25519"), nonce 0
 *   scrypt   -> scrypt SALT LOG2N      body: the same under
 *            scrypt(passphrase, "age-encryption.org/v1/scrypt" || SALT,
 *            N = 2^LOG2N, r = 8, p = 1); alone in its header
 *   ssh-rsa  -> ssh-rsa TAG            body: RSA-OAEP-SHA256 of the file
 *            key, label "age-encryption.org/v1/ssh-rsa"; TAG is the first
 *            4 bytes of SHA-256 of the ssh-rsa public key blob
 *
 * Unwrapping returns 0 with the file key, RP_NOKEY when the stanza is
 * not for this identity (another type, another key's tag), RP_DECRYPT
 * when it is of our type but does not open (the tag fails: "no match"
 * for the caller), or RP_MALFORMED when the stanza breaks its type's
 * rules (argument count, lengths, non-canonical encoding, a work factor
 * out of range, an all-zero shared secret): the caller refuses the
 * whole header then.  Every failure comes with its reason (error.h).
 */
#ifndef RSAPIPE_AGE_STANZA_H
#define RSAPIPE_AGE_STANZA_H

#include <stddef.h>

#include "age/age_format.h"
#include "age/age_keys.h"
#include "core/error.h"
#include "keys/identity.h"
#include "keys/keys.h"

#define AGE_SCRYPT_MAX_LOG2N 22   /* age's own default cap */
#define AGE_SCRYPT_LOG2N 18       /* what we would write */

/*
 * Wrap file_key into a new stanza s (stanza_new(); free with
 * stanza_free).  X25519: 0, or RP_USAGE for a recipient that is a
 * low-order point.
 */
int age_x25519_wrap(struct stanza *s,
    const unsigned char recipient[AGE_X25519_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err);
void age_rsa_wrap(struct stanza *s, const struct rsa_key *key,
    const unsigned char file_key[AGE_FILE_KEY_LEN]);

/* Unwrap s into file_key (see above for the returns). */
int age_x25519_unwrap(const struct stanza *s,
    const struct age_x25519_identity *id,
    unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err);
int age_rsa_unwrap(const struct stanza *s, const struct rsa_key *key,
    unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err);
/* passphrase NUL-terminated (an empty one opens nothing: RP_DECRYPT,
 * as age refuses it); work factors above max_log2n are RP_REFUSED
 * ("scrypt work factor above the cap"): a caller checks
 * age_scrypt_work_factor first, to say so before asking for anything. */
int age_scrypt_unwrap(const struct stanza *s, const char *passphrase,
    unsigned max_log2n, unsigned char file_key[AGE_FILE_KEY_LEN],
    struct rp_error *err);

/* A well-formed scrypt stanza's work factor: log2 of N (values past 99
 * are 100).  0, or RP_MALFORMED if s is not one. */
int age_scrypt_work_factor(const struct stanza *s, unsigned *log2n);

/* The stanza's type checks that need no key: arguments and body length
 * of X25519, scrypt and ssh-rsa stanzas (RP_MALFORMED), and that a
 * scrypt stanza is alone.  Unknown types pass. */
int age_stanzas_check(const struct stanza *s, size_t n,
    struct rp_error *err);

/* The public key of an X25519 secret (RFC 7748 byte order): 0, or
 * RP_MALFORMED if libgcrypt refuses it. */
int age_x25519_public(unsigned char pub[AGE_X25519_LEN],
    const unsigned char secret[AGE_X25519_LEN]);

#endif
