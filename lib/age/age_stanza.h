/* SPDX-License-Identifier: ISC */
/*
 * age_stanza.h: age's recipient types: wrapping the 16-byte file key
 * to a recipient, and unwrapping it with an identity.
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
 * Keys: X25519 recipients "age1..." and identities
 * "AGE-SECRET-KEY-1..." in Bech32 (bech32.h).  Secrets live in
 * libgcrypt secure memory.
 *
 * Unwrapping returns 0 with the file key, RP_NOKEY when the stanza is
 * not for this identity (another type, another key's tag), RP_DECRYPT
 * when it is of our type but does not open (the tag fails: "no match"
 * for the caller), or RP_MALFORMED with *why when the stanza breaks its
 * type's rules (argument count, lengths, non-canonical encoding, a
 * work factor out of range, an all-zero shared secret): the caller
 * refuses the whole header then.
 */
#ifndef RSAPIPE_AGE_STANZA_H
#define RSAPIPE_AGE_STANZA_H

#include <stddef.h>

#include "age/age_format.h"
#include "keys/keys.h"

#define AGE_X25519_LEN 32
#define AGE_SCRYPT_MAX_LOG2N 22   /* age's own default cap */
#define AGE_SCRYPT_LOG2N 18       /* what we would write */

/* An X25519 identity; free with age_x25519_identity_free. */
struct age_x25519_identity {
	unsigned char *secret;                   /* 32 bytes, secure memory */
	unsigned char public[AGE_X25519_LEN];
};

/* "age1..." (lowercase only, as age requires) -> the 32-byte public
 * key; 0 or RP_MALFORMED with *why. */
int age_x25519_recipient_parse(unsigned char out[AGE_X25519_LEN],
    const char *s, size_t len, const char **why);

/* "AGE-SECRET-KEY-1..." (one line, no blanks, uppercase only) ->
 * identity; 0 or RP_MALFORMED with *why (id is then empty). */
int age_x25519_identity_parse(struct age_x25519_identity *id,
    const char *s, size_t len, const char **why);
void age_x25519_identity_free(struct age_x25519_identity *id);

/*
 * 1 if buf reads as an age identity file: after blank and '#' comment
 * lines, its first line starts with "AGE-SECRET-KEY-".
 */
int age_identity_file_detect(const unsigned char *buf, size_t len);

/*
 * Every identity of an age identity file: one per line, blank lines and
 * '#' comments allowed, CRLF allowed.  Into ids[0 .. *n), at most max.
 * 0, or RP_MALFORMED with *why and *line the offending line number (0
 * when the file holds no identity, which age refuses too); on failure
 * none is kept (*n = 0).
 */
int age_identity_file_parse(struct age_x25519_identity *ids, size_t max,
    size_t *n, const unsigned char *buf, size_t len, size_t *line,
    const char **why);

/*
 * Wrap file_key into a new stanza s (its strings and body malloc()ed;
 * free with age_stanza_free).  Die on failure, which for X25519 includes
 * a recipient that is a low-order point (EXIT_USAGE).
 */
void age_x25519_wrap(struct age_stanza *s,
    const unsigned char recipient[AGE_X25519_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN]);
void age_rsa_wrap(struct age_stanza *s, const struct rsa_key *key,
    const unsigned char file_key[AGE_FILE_KEY_LEN]);
void age_stanza_free(struct age_stanza *s);

/* Unwrap s into file_key (see above for the returns). */
int age_x25519_unwrap(const struct age_stanza *s,
    const struct age_x25519_identity *id,
    unsigned char file_key[AGE_FILE_KEY_LEN], const char **why);
int age_rsa_unwrap(const struct age_stanza *s, const struct rsa_key *key,
    unsigned char file_key[AGE_FILE_KEY_LEN], const char **why);
/* passphrase NUL-terminated (an empty one opens nothing: RP_DECRYPT,
 * as age refuses it); work factors above max_log2n are RP_REFUSED
 * ("scrypt work factor above the cap"): a caller checks
 * age_scrypt_work_factor first, to say so before asking for anything. */
int age_scrypt_unwrap(const struct age_stanza *s, const char *passphrase,
    unsigned max_log2n, unsigned char file_key[AGE_FILE_KEY_LEN],
    const char **why);

/* A well-formed scrypt stanza's work factor: log2 of N (values past 99
 * are 100).  0, or RP_MALFORMED if s is not one. */
int age_scrypt_work_factor(const struct age_stanza *s, unsigned *log2n);

/* The stanza's type checks that need no key: arguments and body length
 * of X25519, scrypt and ssh-rsa stanzas (RP_MALFORMED with *why), and
 * that a scrypt stanza is alone.  Unknown types pass. */
int age_stanzas_check(const struct age_stanza *s, size_t n,
    const char **why);

#endif
